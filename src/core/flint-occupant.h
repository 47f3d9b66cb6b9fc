#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FLINT_TYPE_OCCUPANT (flint_occupant_get_type ())
G_DECLARE_FINAL_TYPE (FlintOccupant, flint_occupant, FLINT, OCCUPANT, GObject)

/* One person in a room (XEP-0045 occupant) as a list item. Role is
 * "moderator", "participant", "visitor" or "none"; affiliation "owner",
 * "admin", "member", "outcast" or "none"; jid is the real JID when the
 * room shows it (non-anonymous rooms, or to moderators), else NULL; show
 * is "" (available), "away", "chat", "dnd" or "xa". */
FlintOccupant *flint_occupant_new (const char *nick);

const char *flint_occupant_get_nick (FlintOccupant *self);
const char *flint_occupant_get_role (FlintOccupant *self);
const char *flint_occupant_get_affiliation (FlintOccupant *self);
const char *flint_occupant_get_jid (FlintOccupant *self);
const char *flint_occupant_get_show (FlintOccupant *self);
const char *flint_occupant_get_status (FlintOccupant *self);
gboolean flint_occupant_get_is_self (FlintOccupant *self);

/* For FlintRoom: each emits notify only when the value changes. */
void flint_occupant_update (FlintOccupant *self,
                            const char *role,
                            const char *affiliation,
                            const char *jid,
                            const char *show,
                            const char *status,
                            gboolean is_self);
void flint_occupant_set_nick (FlintOccupant *self, const char *nick);

G_END_DECLS

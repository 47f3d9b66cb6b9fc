#pragma once

#include <glib-object.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef enum
{
  FLINT_ROOM_INFO_NONE,    /* not asked yet */
  FLINT_ROOM_INFO_LOADING, /* disco#info on its way */
  FLINT_ROOM_INFO_LOADED,
  FLINT_ROOM_INFO_FAILED, /* the room did not answer: name from disco#items only */
} FlintRoomInfoState;

GType flint_room_info_state_get_type (void);
#define FLINT_TYPE_ROOM_INFO_STATE (flint_room_info_state_get_type ())

#define FLINT_TYPE_ROOM_LISTING (flint_room_listing_get_type ())
G_DECLARE_FINAL_TYPE (FlintRoomListing, flint_room_listing, FLINT, ROOM_LISTING, GObject)

/* One room a MUC service lists (disco#items), filled in from the room's
 * disco#info (XEP-0045 §6.4: identity name, muc_* features and the
 * muc#roominfo form) once asked. Properties (all notify): "jid", "name"
 * (never NULL: the JID's node when the room has none), "description",
 * "occupants" (-1 unknown), "password-protected", "members-only",
 * "info-state". */
FlintRoomListing *flint_room_listing_new (const char *jid, const char *name);

const char *flint_room_listing_get_jid (FlintRoomListing *self);
const char *flint_room_listing_get_name (FlintRoomListing *self);
const char *flint_room_listing_get_description (FlintRoomListing *self);
int flint_room_listing_get_occupants (FlintRoomListing *self);
gboolean flint_room_listing_get_password_protected (FlintRoomListing *self);
gboolean flint_room_listing_get_members_only (FlintRoomListing *self);
FlintRoomInfoState flint_room_listing_get_info_state (FlintRoomListing *self);
void flint_room_listing_set_info_state (FlintRoomListing *self, FlintRoomInfoState state);

/* Takes what a disco#info <query/> tells (malformed parts ignored) and
 * sets the state to LOADED. */
void flint_room_listing_apply_info (FlintRoomListing *self, xmpp_stanza_t *query);

/* Whether every word of @needle (already g_utf8_casefold-ed) is in the
 * name, address or description: the filter as the user types. */
gboolean flint_room_listing_matches (FlintRoomListing *self, const char *needle);

G_END_DECLS

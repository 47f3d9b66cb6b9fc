#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Ordered from least to most available: comparisons mean something. */
typedef enum
{
  FLINT_PRESENCE_OFFLINE,
  FLINT_PRESENCE_XA,
  FLINT_PRESENCE_AWAY,
  FLINT_PRESENCE_DND,
  FLINT_PRESENCE_AVAILABLE,
  FLINT_PRESENCE_CHAT,
} FlintPresence;

GType flint_presence_get_type (void);
#define FLINT_TYPE_PRESENCE (flint_presence_get_type ())

/* <show/> text to presence and back; NULL or unknown show is available.
 * flint_presence_to_show gives NULL for available and offline. */
FlintPresence flint_presence_from_show (const char *show);
const char *flint_presence_to_show (FlintPresence presence);

#define FLINT_TYPE_CONTACT (flint_contact_get_type ())
G_DECLARE_FINAL_TYPE (FlintContact, flint_contact, FLINT, CONTACT, GObject)

/* One roster entry (a bare JID) with its subscription state and the presence
 * of each of its available resources. The roster owns and updates it; the
 * app may set unread and avatar-path. */
FlintContact *flint_contact_new (const char *jid);

const char *flint_contact_get_jid (FlintContact *self);
const char *flint_contact_get_name (FlintContact *self);
const char *flint_contact_get_display_name (FlintContact *self);
const char *const *flint_contact_get_groups (FlintContact *self);
const char *flint_contact_get_subscription (FlintContact *self);
gboolean flint_contact_get_pending_out (FlintContact *self);
gboolean flint_contact_get_pending_in (FlintContact *self);
FlintPresence flint_contact_get_presence (FlintContact *self);
const char *flint_contact_get_status (FlintContact *self);
gboolean flint_contact_get_blocked (FlintContact *self);

guint flint_contact_get_unread (FlintContact *self);
void flint_contact_set_unread (FlintContact *self, guint unread);
const char *flint_contact_get_avatar_path (FlintContact *self);
void flint_contact_set_avatar_path (FlintContact *self, const char *path);

/* Whether they see our presence / we see theirs, from the subscription. */
gboolean flint_contact_is_subscribed_to (FlintContact *self);
gboolean flint_contact_is_subscribed_from (FlintContact *self);

/* Full JIDs of the available resources, best first (priority, then show);
 * NULL-terminated, free with g_strfreev. */
char **flint_contact_get_resources (FlintContact *self);
/* The full JID of the best resource, or NULL when offline. Valid until the
 * contact's next presence change. */
const char *flint_contact_get_best_jid (FlintContact *self);

/* The roster's order as a string for strcmp(): most available first, then
 * display name (collation, case-insensitive), then JID. Changes with
 * presence and display-name. */
const char *flint_contact_get_sort_key (FlintContact *self);
int flint_contact_compare (FlintContact *a, FlintContact *b);

G_END_DECLS

#pragma once

/* Internals shared by the roster's files, and hooks for the unit tests. */

#include <strophe.h>

#include "flint-contact.h"
#include "flint-roster-group.h"
#include "flint-roster.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_CONTACT_CHANGE_SORT = 1 << 0,
  FLINT_CONTACT_CHANGE_GROUPS = 1 << 1,
  FLINT_CONTACT_CHANGE_VISIBILITY = 1 << 2,
} FlintContactChange;

/* FlintContact */
FlintContactChange flint_contact_set_item (FlintContact *self,
                                           const char *name,
                                           const char *const *groups,
                                           const char *subscription,
                                           gboolean pending_out);
gboolean flint_contact_set_pending_in (FlintContact *self, gboolean pending_in);
void flint_contact_set_blocked (FlintContact *self, gboolean blocked);
gboolean flint_contact_is_visible (FlintContact *self, gboolean show_offline);
/* Both return whether the presence (and so the sort key) changed. */
gboolean flint_contact_update_resource (FlintContact *self,
                                        const char *resource,
                                        FlintPresence presence,
                                        const char *status,
                                        int priority);
gboolean flint_contact_remove_resource (FlintContact *self, const char *resource);

/* FlintRosterGroup */
FlintRosterGroup *flint_roster_group_new (const char *name, gboolean is_default);
void flint_roster_group_add (FlintRosterGroup *self, FlintContact *contact);
void flint_roster_group_remove (FlintRosterGroup *self, FlintContact *contact);
/* After the contact's sort key or visibility changed: moves it, O(log n). */
void flint_roster_group_update (FlintRosterGroup *self, FlintContact *contact);
void flint_roster_group_set_show_offline (FlintRosterGroup *self, gboolean show_offline);
/* Batches: while frozen, changes are applied but announced once at thaw. */
void flint_roster_group_freeze (FlintRosterGroup *self);
void flint_roster_group_thaw (FlintRosterGroup *self);
/* g_strcmp0-like on names, the default group last. */
int flint_roster_group_compare (FlintRosterGroup *a, FlintRosterGroup *b);

/* FlintRoster: the stanza entry points, callable without a server. */
void flint_roster_handle_roster_result (FlintRoster *self, xmpp_stanza_t *iq);
/* Returns FALSE (and changes nothing) for a push not from our account or
 * not carrying exactly one item. */
gboolean flint_roster_handle_push (FlintRoster *self, xmpp_stanza_t *iq);
void flint_roster_handle_presence (FlintRoster *self, xmpp_stanza_t *presence);
void flint_roster_handle_blocklist (FlintRoster *self, xmpp_stanza_t *iq);
/* The session went away: every contact offline, in one signal per group. */
void flint_roster_mark_all_offline (FlintRoster *self);

G_END_DECLS

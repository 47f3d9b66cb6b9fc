#pragma once

#include <gio/gio.h>

#include "flint-contact.h"
#include "flint-roster-group.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ROSTER (flint_roster_get_type ())
G_DECLARE_FINAL_TYPE (FlintRoster, flint_roster, FLINT, ROSTER, GObject)

/* The account's roster (RFC 6121) with presence, subscriptions and the
 * XEP-0191 blocklist, as list models. Fetched on each new session (not on a
 * resumed one); changed only by the server's roster pushes, so the actions
 * below take effect when the server confirms them.
 *
 * Signals:
 *   subscription-request (const char *jid, const char *nick_or_NULL): someone
 *     asks to see our presence; answer with approve() or deny(). Emitted once
 *     per request, however often the server repeats it.
 *   subscription-changed (const char *jid): they approved, refused or
 *     cancelled a subscription (the roster push with the new state follows).
 *   blocklist-changed: flint_roster_get_blocked() changed. */
FlintRoster *flint_roster_new (FlintSession *session);

FlintSession *flint_roster_get_session (FlintRoster *self);
gboolean flint_roster_get_loaded (FlintRoster *self);

/* Every contact (FlintContact), in roster order. */
GListModel *flint_roster_get_contacts (FlintRoster *self);
/* FlintRosterGroup items by name, "Contacts" (no group) last. A contact in
 * two groups is in both; a group without contacts is not listed. */
GListModel *flint_roster_get_groups (FlintRoster *self);
FlintContact *flint_roster_lookup (FlintRoster *self, const char *jid);

gboolean flint_roster_get_show_offline (FlintRoster *self);
void flint_roster_set_show_offline (FlintRoster *self, gboolean show_offline);

/* Requests still waiting for approve() or deny(), NULL-terminated. */
const char *const *flint_roster_get_pending_requests (FlintRoster *self);

gboolean flint_roster_add (FlintRoster *self,
                           const char *jid,
                           const char *name,
                           const char *const *groups,
                           GError **error);
void flint_roster_rename (FlintRoster *self, const char *jid, const char *name);
void
flint_roster_set_groups (FlintRoster *self, const char *jid, const char *const *groups);
void flint_roster_remove (FlintRoster *self, const char *jid);
void flint_roster_approve (FlintRoster *self, const char *jid, gboolean add_back);
void flint_roster_deny (FlintRoster *self, const char *jid);

/* XEP-0191; does nothing when the server does not support it. */
gboolean flint_roster_get_can_block (FlintRoster *self);
void flint_roster_block (FlintRoster *self, const char *jid);
void flint_roster_unblock (FlintRoster *self, const char *jid);
/* Blocked JIDs, sorted, NULL-terminated; valid until blocklist-changed. */
const char *const *flint_roster_get_blocked (FlintRoster *self);

G_END_DECLS

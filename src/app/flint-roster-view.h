#pragma once

#include <gtk/gtk.h>

#include "flint-roster.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ROSTER_VIEW (flint_roster_view_get_type ())
G_DECLARE_FINAL_TYPE (FlintRosterView, flint_roster_view, FLINT, ROSTER_VIEW, GtkWidget)

/* The contact list: groups as expandable headers (collapsed ones are
 * remembered), contacts under them, a search that filters all contacts,
 * subscription requests on top, and the contact menu ("roster.*" actions).
 *
 * With two or more rosters (accounts), each gets a section headed by its
 * account's address and connection state, collapsible like a group.
 *
 * Signal "contact-activated" (const char *jid, const char *account): open a
 * chat.
 * Property "search-mode": the search bar is shown. */
FlintRosterView *flint_roster_view_new (void);
void flint_roster_view_set_roster (FlintRosterView *self, FlintRoster *roster);
void
flint_roster_view_set_rosters (FlintRosterView *self, FlintRoster **rosters, guint n);
FlintRoster *flint_roster_view_get_roster (FlintRosterView *self);
void flint_roster_view_show_blocked (FlintRosterView *self);
/* For tests: the visible rows as JSON array members ("A:account|state|contacts",
 * "G:name", "C:jid|presence|unread").
 */
char *flint_roster_view_describe (FlintRosterView *self);

G_END_DECLS

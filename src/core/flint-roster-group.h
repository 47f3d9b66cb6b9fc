#pragma once

#include <gio/gio.h>

#include "flint-contact.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ROSTER_GROUP (flint_roster_group_get_type ())
G_DECLARE_FINAL_TYPE (FlintRosterGroup, flint_roster_group, FLINT, ROSTER_GROUP, GObject)

/* A roster group as a GListModel of FlintContact, sorted most available
 * first, then by display name. While the roster hides offline contacts they
 * are not items (unless a subscription request is pending either way), but
 * they still count in n-contacts. The roster owns and fills it.
 *
 * A contact whose presence or name changes moves with one items-changed
 * covering the rows between its old and new place (removed == added), so a
 * GtkSingleSelection on it survives; no signal when its place is the same.
 * Bulk changes (the roster result, show-offline, going offline) are one
 * items-changed (0, old n, new n) per group. */
const char *flint_roster_group_get_name (FlintRosterGroup *self);
/* TRUE for the group of contacts without a group ("Contacts"), sorted last. */
gboolean flint_roster_group_is_default (FlintRosterGroup *self);
guint flint_roster_group_get_n_online (FlintRosterGroup *self);
guint flint_roster_group_get_n_contacts (FlintRosterGroup *self);

G_END_DECLS

#pragma once

#include <adwaita.h>

#include "flint-roster.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ADD_CONTACT_DIALOG (flint_add_contact_dialog_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintAddContactDialog, flint_add_contact_dialog, FLINT, ADD_CONTACT_DIALOG, AdwWindow)

/* Asks for an address, a name and a group, checks the address as it is
 * typed, adds the contact and asks to see their status. */
FlintAddContactDialog *flint_add_contact_dialog_new (GtkWindow *parent,
                                                     FlintRoster *roster);
void flint_add_contact_dialog_set_roster (FlintAddContactDialog *self,
                                          FlintRoster *roster);
void flint_add_contact_dialog_set_jid (FlintAddContactDialog *self, const char *jid);

G_END_DECLS

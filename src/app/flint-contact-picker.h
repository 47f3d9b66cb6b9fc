#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FLINT_TYPE_CONTACT_PICKER (flint_contact_picker_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintContactPicker, flint_contact_picker, FLINT, CONTACT_PICKER, GtkWidget)

/* An address entry over the roster: typing filters the contacts by name or
 * address, a click on one fills the entry in. contacts: a GListModel of
 * FlintContact (NULL: the entry alone). "activate" when Enter is pressed. */
GtkWidget *flint_contact_picker_new (GListModel *contacts);

/* The address chosen: what was typed when it is an address, else the one
 * contact the typed text matches; NULL when neither. */
char *flint_contact_picker_dup_jid (FlintContactPicker *self);
GtkEditable *flint_contact_picker_get_entry (FlintContactPicker *self);

G_END_DECLS

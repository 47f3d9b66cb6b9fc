#pragma once

#include <gtk/gtk.h>

#include "flint-contact.h"

G_BEGIN_DECLS

#define FLINT_TYPE_CONTACT_ROW (flint_contact_row_get_type ())
G_DECLARE_FINAL_TYPE (FlintContactRow, flint_contact_row, FLINT, CONTACT_ROW, GtkWidget)

/* A roster entry: avatar, name, presence, status or subscription state, and
 * the unread count. Right click or long press opens the contact menu, whose
 * items activate "roster.*" actions with the JID as target. */
GtkWidget *flint_contact_row_new (void);
void flint_contact_row_set_contact (FlintContactRow *self, FlintContact *contact);
FlintContact *flint_contact_row_get_contact (FlintContactRow *self);

/* CSS class for a presence ("available", "away", ...). */
const char *flint_presence_css_class (FlintPresence presence);
const char *flint_presence_label (FlintPresence presence);

G_END_DECLS

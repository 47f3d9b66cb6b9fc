#pragma once

#include <adwaita.h>

#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_CONTACT_DETAILS_WINDOW (flint_contact_details_window_get_type ())
G_DECLARE_FINAL_TYPE (FlintContactDetailsWindow,
                      flint_contact_details_window,
                      FLINT,
                      CONTACT_DETAILS_WINDOW,
                      AdwWindow)

/* A contact's vCard (XEP-0054): photo, name, nickname, email, phone,
 * organisation, title, web page, note. jid NULL: the user's own vCard, with
 * every field editable and Save publishing it (the photo and the fields
 * Flint does not show are kept). */
FlintContactDetailsWindow *flint_contact_details_window_new (GtkApplication *app,
                                                             FlintSession *session,
                                                             const char *jid,
                                                             const char *roster_name);
const char *flint_contact_details_window_get_jid (FlintContactDetailsWindow *self);

/* For the UI tests. field: fn, nickname, email, phone, org, unit, title,
 * url, note. */
void flint_contact_details_window_describe_json (FlintContactDetailsWindow *self,
                                                 GString *out);
gboolean flint_contact_details_window_set_text (FlintContactDetailsWindow *self,
                                                const char *field,
                                                const char *value);

G_END_DECLS

#pragma once

#include <adwaita.h>

#include "flint-roster.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_USER_SEARCH_WINDOW (flint_user_search_window_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintUserSearchWindow, flint_user_search_window, FLINT, USER_SEARCH_WINDOW, AdwWindow)

/* Find People: XEP-0055 search in a directory (the first service of the
 * server that offers jabber:iq:search, or one typed in), the form through
 * the data-form view, each person found with an Add button. */
FlintUserSearchWindow *flint_user_search_window_new (GtkApplication *app,
                                                     FlintSession *session,
                                                     FlintRoster *roster);
void flint_user_search_window_set_service (FlintUserSearchWindow *self, const char *jid);

/* For the UI tests. */
void flint_user_search_window_describe_json (FlintUserSearchWindow *self, GString *out);
gboolean flint_user_search_window_set_text (FlintUserSearchWindow *self,
                                            const char *var,
                                            const char *value);
gboolean flint_user_search_window_add (FlintUserSearchWindow *self, const char *jid);

G_END_DECLS

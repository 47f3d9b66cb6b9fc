#pragma once

#include <adwaita.h>

#include "flint-history.h"
#include "flint-search.h"

G_BEGIN_DECLS

#define FLINT_TYPE_SEARCH_WINDOW (flint_search_window_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintSearchWindow, flint_search_window, FLINT, SEARCH_WINDOW, AdwWindow)

/* The history search (Ctrl+Shift+F, or Ctrl+F in a conversation): a search
 * entry, filters for the conversation and the date, results as the user
 * types. Activating a result opens its conversation at that message in
 * the parent FlintWindow. Closing only hides it: the query stays. */
FlintSearchWindow *
flint_search_window_new (GtkWindow *parent, FlintHistory *history, const char *account);
/* Scopes the search to one conversation, or all with NULL, and focuses
 * the entry. */
void flint_search_window_open (FlintSearchWindow *self, const char *jid);
/* For tests: type into the entry, activate the nth result. */
void flint_search_window_set_text (FlintSearchWindow *self, const char *text);
gboolean flint_search_window_activate_result (FlintSearchWindow *self, guint position);
void flint_search_window_describe_json (FlintSearchWindow *self, GString *out);

G_END_DECLS

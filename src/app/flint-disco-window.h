#pragma once

#include <adwaita.h>

#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_DISCO_WINDOW (flint_disco_window_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintDiscoWindow, flint_disco_window, FLINT, DISCO_WINDOW, AdwWindow)

/* The service-discovery browser: the tree of disco#items below an address
 * (the account's server at first), expanded on demand, with the selected
 * entity's identities, features and ad-hoc commands (each runs in a
 * FlintCommandWindow). */
FlintDiscoWindow *flint_disco_window_new (GtkApplication *app, FlintSession *session);
void flint_disco_window_browse (FlintDiscoWindow *self, const char *jid);

/* For the UI tests. */
void flint_disco_window_describe_json (FlintDiscoWindow *self, GString *out);
gboolean
flint_disco_window_expand (FlintDiscoWindow *self, const char *jid, const char *node);
gboolean
flint_disco_window_select (FlintDiscoWindow *self, const char *jid, const char *node);
gboolean flint_disco_window_run_command (FlintDiscoWindow *self, const char *node);

G_END_DECLS

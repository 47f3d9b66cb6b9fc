#pragma once

#include <adwaita.h>

#include "flint-adhoc-command.h"

G_BEGIN_DECLS

#define FLINT_TYPE_COMMAND_WINDOW (flint_command_window_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintCommandWindow, flint_command_window, FLINT, COMMAND_WINDOW, AdwWindow)

/* Runs an XEP-0050 command at once: each stage's form in a
 * FlintDataFormView, its notes above, Back / Next / Finish as the service
 * allows them, Cancel (or Escape) tells the service. */
FlintCommandWindow *flint_command_window_new (FlintSession *session,
                                              const char *jid,
                                              const char *node,
                                              const char *name);

/* For the UI tests. */
FlintAdhocCommand *flint_command_window_get_command (FlintCommandWindow *self);
void flint_command_window_describe_json (FlintCommandWindow *self, GString *out);
gboolean flint_command_window_set_text (FlintCommandWindow *self,
                                        const char *var,
                                        const char *value);

G_END_DECLS

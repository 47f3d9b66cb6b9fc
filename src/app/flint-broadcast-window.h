#pragma once

#include <adwaita.h>

#include "flint-chat.h"
#include "flint-roster.h"

G_BEGIN_DECLS

#define FLINT_TYPE_BROADCAST_WINDOW (flint_broadcast_window_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintBroadcastWindow, flint_broadcast_window, FLINT, BROADCAST_WINDOW, AdwWindow)

/* One message to a roster group or to contacts ticked one by one; each
 * copy is an ordinary chat message (stored, and queued while offline). */
FlintBroadcastWindow *
flint_broadcast_window_new (GtkApplication *app, FlintRoster *roster, FlintChat *chat);

/* For the UI tests. */
void flint_broadcast_window_choose_group (FlintBroadcastWindow *self, const char *group);
gboolean flint_broadcast_window_toggle (FlintBroadcastWindow *self, const char *jid);
void flint_broadcast_window_set_text (FlintBroadcastWindow *self, const char *text);
void flint_broadcast_window_describe_json (FlintBroadcastWindow *self, GString *out);

G_END_DECLS

#pragma once

#include <adwaita.h>

#include "flint-data-form-view.h"
#include "flint-room.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ROOM_CONFIG_WINDOW (flint_room_config_window_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintRoomConfigWindow, flint_room_config_window, FLINT, ROOM_CONFIG_WINDOW, AdwWindow)

/* An owner edits a room's configuration (XEP-0045 §10.2): the room's
 * current form is fetched and shown in a FlintDataFormView; Save submits
 * it and closes, a refusal stays in the window with the room's reason;
 * Cancel sends nothing. Signal "saved" after the room accepted. */
FlintRoomConfigWindow *flint_room_config_window_new (GtkWindow *parent, FlintRoom *room);
FlintDataFormView *flint_room_config_window_get_form_view (FlintRoomConfigWindow *self);
/* For tests: "page|error text|busy". */
char *flint_room_config_window_describe (FlintRoomConfigWindow *self);

/* Installs roomconfig.open on @page (opens the window for @room) and
 * points @button at it; both only while we own the room, the button
 * hidden otherwise. */
void
flint_room_config_window_attach (GtkWidget *page, GtkWidget *button, FlintRoom *room);

G_END_DECLS

#pragma once

#include <adwaita.h>

#include "flint-bookmarks.h"
#include "flint-data-form-view.h"
#include "flint-rooms.h"

G_BEGIN_DECLS

#define FLINT_TYPE_JOIN_DIALOG (flint_join_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FlintJoinDialog, flint_join_dialog, FLINT, JOIN_DIALOG, AdwWindow)

/* Join a room: its address (or a name on the server's MUC service), nick,
 * password. Refusals show inline: the alternative nick to take when the
 * nick is in use, "Create Room" when the room does not exist. Signal
 * "joined" (FlintRoom *) when the room let us in; the dialog then closes. */
FlintJoinDialog *flint_join_dialog_new (GtkWindow *parent,
                                        FlintRooms *rooms,
                                        FlintBookmarks *bookmarks,
                                        const char *default_nick);
void flint_join_dialog_set_room (FlintJoinDialog *self, const char *jid);
void flint_join_dialog_set_password (FlintJoinDialog *self, const char *password);
/* "Create Room": the main button creates the room (refusing one that
 * exists); with "configure" the new room's configuration form is shown
 * before anyone may enter, and closing the dialog then destroys it. */
void flint_join_dialog_set_create_mode (FlintJoinDialog *self, gboolean create);
void flint_join_dialog_set_configure (FlintJoinDialog *self, gboolean configure);
FlintDataFormView *flint_join_dialog_get_form_view (FlintJoinDialog *self);
char *flint_join_dialog_describe (FlintJoinDialog *self);

G_END_DECLS

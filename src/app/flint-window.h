#pragma once

#include <adwaita.h>

#include "flint-application.h"
#include "flint-search-window.h"

G_BEGIN_DECLS

#define FLINT_TYPE_WINDOW (flint_window_get_type ())
G_DECLARE_FINAL_TYPE (FlintWindow, flint_window, FLINT, WINDOW, AdwApplicationWindow)

FlintWindow *flint_window_new (FlintApplication *app);
void flint_window_set_session (FlintWindow *self, FlintSession *session);
FlintSession *flint_window_get_session (FlintWindow *self);
/* The account of the selected tab, else the window's: what tools act as. */
const char *flint_window_get_current_account (FlintWindow *self);
void flint_window_show_certificate (FlintWindow *self, FlintCertificate *certificate);
void flint_window_add_toast (FlintWindow *self, const char *text);
char *flint_window_describe_state (FlintWindow *self);
void flint_window_describe_json (FlintWindow *self, GString *out);
void flint_window_describe_tabs (FlintWindow *self, GString *out);

/* Shows the application's new FlintConversation in the tab of @jid, if
 * open (after its history was cleared). */
void flint_window_reload_chat (FlintWindow *self, const char *account, const char *jid);
/* Opens (or finds) the tab of a one-to-one conversation. */
void flint_window_open_chat (FlintWindow *self,
                             const char *account,
                             const char *jid,
                             gboolean select);
void flint_window_open_room (FlintWindow *self, FlintRoom *room, gboolean select);
gboolean flint_window_has_chat (FlintWindow *self, const char *account, const char *jid);
/* The conversation is the selected tab of this focused window. */
gboolean
flint_window_is_showing_chat (FlintWindow *self, const char *account, const char *jid);
char *
flint_window_get_display_name (FlintWindow *self, const char *account, const char *jid);

void flint_window_open_search (FlintWindow *self, const char *jid);
FlintSearchWindow *flint_window_get_search_window (FlintWindow *self);
void flint_window_show_message (FlintWindow *self, const FlintMessageRecord *record);

G_END_DECLS

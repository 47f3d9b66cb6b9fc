#pragma once

#include <adwaita.h>

#include "flint-application.h"

G_BEGIN_DECLS

#define FLINT_TYPE_WINDOW (flint_window_get_type ())
G_DECLARE_FINAL_TYPE (FlintWindow, flint_window, FLINT, WINDOW, AdwApplicationWindow)

FlintWindow *flint_window_new (FlintApplication *app);
void flint_window_set_session (FlintWindow *self, FlintSession *session);
FlintSession *flint_window_get_session (FlintWindow *self);
void flint_window_show_certificate (FlintWindow *self, FlintCertificate *certificate);
void flint_window_add_toast (FlintWindow *self, const char *text);
char *flint_window_describe_state (FlintWindow *self);

G_END_DECLS

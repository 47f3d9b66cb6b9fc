#pragma once

#include <adwaita.h>

#include "flint-application.h"

G_BEGIN_DECLS

#define FLINT_TYPE_PREFERENCES_WINDOW (flint_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (FlintPreferencesWindow,
                      flint_preferences_window,
                      FLINT,
                      PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* The application's preferences, every one bound to GSettings: General
 * (appearance, notifications, privacy, idle), Accounts (add, edit, remove,
 * enable, password) and Chat (spelling, received files, history). */
FlintPreferencesWindow *flint_preferences_window_new (FlintApplication *app,
                                                      GtkWindow *parent);

G_END_DECLS

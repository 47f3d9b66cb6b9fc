#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FLINT_TYPE_PREFERENCES_WINDOW (flint_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (FlintPreferencesWindow,
                      flint_preferences_window,
                      FLINT,
                      PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* The application's preferences, one page per concern: "History" (how
 * long messages are kept) for now. */
FlintPreferencesWindow *flint_preferences_window_new (GtkWindow *parent);

G_END_DECLS

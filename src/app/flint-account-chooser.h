#pragma once

#include <gtk/gtk.h>

#include "flint-application.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ACCOUNT_CHOOSER (flint_account_chooser_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintAccountChooser, flint_account_chooser, FLINT, ACCOUNT_CHOOSER, GtkWidget)

/* A drop-down of the enabled accounts, for tools and dialogs that act as one
 * account. Property "account": the chosen account's address. */
FlintAccountChooser *flint_account_chooser_new (FlintApplication *app,
                                                const char *account);
const char *flint_account_chooser_get_account (FlintAccountChooser *self);
void flint_account_chooser_set_account (FlintAccountChooser *self, const char *account);

/* The number of enabled accounts with a session. */
guint flint_account_chooser_count (FlintApplication *app);

/* With more than one enabled account, puts a chooser at the start of the
 * window's header bar and returns it; NULL (nothing to choose) otherwise. */
FlintAccountChooser *flint_account_chooser_attach (GtkWindow *window,
                                                   FlintApplication *app,
                                                   const char *account);

/* The same as the first row of the window's first preferences group (a
 * dialog's form), else in its header bar. */
FlintAccountChooser *flint_account_chooser_attach_form (GtkWindow *window,
                                                        FlintApplication *app,
                                                        const char *account);

G_END_DECLS

#pragma once

#include <adwaita.h>

#include "flint-application.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ACCOUNT_DIALOG (flint_account_dialog_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintAccountDialog, flint_account_dialog, FLINT, ACCOUNT_DIALOG, AdwWindow)

/* With account NULL: set up a new account. With an account: ask for its
 * password (none stored, or the stored one was refused). */
FlintAccountDialog *flint_account_dialog_new (FlintApplication *app,
                                              FlintAccount *account);

G_END_DECLS

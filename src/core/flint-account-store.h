#pragma once

#include <gio/gio.h>

#include "flint-account.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ACCOUNT_STORE (flint_account_store_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintAccountStore, flint_account_store, FLINT, ACCOUNT_STORE, GObject)

/* The configured accounts, kept in a key file under $XDG_CONFIG_HOME/flint/
 * and exposed as a GListModel of FlintAccount. Changes to an account's
 * properties are written back at once. */
FlintAccountStore *flint_account_store_new (const char *path);
gboolean flint_account_store_load (FlintAccountStore *self, GError **error);
gboolean flint_account_store_save (FlintAccountStore *self, GError **error);
GListModel *flint_account_store_get_model (FlintAccountStore *self);
FlintAccount *flint_account_store_lookup (FlintAccountStore *self, const char *jid);
gboolean
flint_account_store_add (FlintAccountStore *self, FlintAccount *account, GError **error);
gboolean
flint_account_store_remove (FlintAccountStore *self, const char *jid, GError **error);
const char *flint_account_store_get_path (FlintAccountStore *self);

G_END_DECLS

#include "config.h"

#define G_LOG_DOMAIN "flint-accounts"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "flint-account-store.h"
#include "flint-error.h"
#include "flint-jid.h"

#define GROUP_PREFIX "account "

struct _FlintAccountStore
{
  GObject parent_instance;
  char *path;
  GListStore *accounts;
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (FlintAccountStore, flint_account_store, G_TYPE_OBJECT)

static void
flint_account_store_finalize (GObject *object)
{
  FlintAccountStore *self = FLINT_ACCOUNT_STORE (object);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintAccount) account =
        g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      g_signal_handlers_disconnect_by_data (account, self);
    }
  g_clear_object (&self->accounts);
  g_free (self->path);
  G_OBJECT_CLASS (flint_account_store_parent_class)->finalize (object);
}

static void
flint_account_store_class_init (FlintAccountStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = flint_account_store_finalize;
}

static void
flint_account_store_init (FlintAccountStore *self)
{
  self->accounts = g_list_store_new (FLINT_TYPE_ACCOUNT);
}

FlintAccountStore *
flint_account_store_new (const char *path)
{
  FlintAccountStore *self = g_object_new (FLINT_TYPE_ACCOUNT_STORE, NULL);

  self->path =
    path ? g_strdup (path)
         : g_build_filename (g_get_user_config_dir (), "flint", "accounts.conf", NULL);
  return self;
}

const char *
flint_account_store_get_path (FlintAccountStore *self)
{
  return self->path;
}

GListModel *
flint_account_store_get_model (FlintAccountStore *self)
{
  return G_LIST_MODEL (self->accounts);
}

static void
on_account_notify (FlintAccount *account, GParamSpec *pspec, FlintAccountStore *self)
{
  g_autoptr (GError) error = NULL;

  if (!self->loading && !flint_account_store_save (self, &error))
    g_warning ("Could not save accounts: %s", error->message);
}

static void
append_account (FlintAccountStore *self, FlintAccount *account)
{
  g_signal_connect (account, "notify", G_CALLBACK (on_account_notify), self);
  g_list_store_append (self->accounts, account);
}

gboolean
flint_account_store_load (FlintAccountStore *self, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) groups = NULL;

  if (!g_key_file_load_from_file (file, self->path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _ ("Could not read the account settings: "));
      return FALSE;
    }

  self->loading = TRUE;
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      const char *jid;
      g_autoptr (FlintAccount) account = NULL;
      g_autofree char *resource = NULL;
      g_autofree char *host = NULL;
      g_autofree char *cert = NULL;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        continue;
      jid = groups[i] + strlen (GROUP_PREFIX);
      account = flint_account_new (jid, NULL);
      if (account == NULL || flint_account_store_lookup (self, jid))
        {
          g_warning ("Skipping an invalid or repeated account entry");
          continue;
        }
      resource = g_key_file_get_string (file, groups[i], "resource", NULL);
      host = g_key_file_get_string (file, groups[i], "host", NULL);
      cert = g_key_file_get_string (file, groups[i], "trusted-cert-sha256", NULL);
      flint_account_set_resource (account, resource);
      flint_account_set_host (account, host);
      flint_account_set_port (
        account,
        CLAMP (g_key_file_get_integer (file, groups[i], "port", NULL), 0, 65535));
      flint_account_set_trusted_cert (account, cert);
      if (g_key_file_has_key (file, groups[i], "enabled", NULL))
        flint_account_set_enabled (
          account, g_key_file_get_boolean (file, groups[i], "enabled", NULL));
      flint_account_set_allow_plaintext (
        account, g_key_file_get_boolean (file, groups[i], "allow-plaintext", NULL));
      append_account (self, account);
    }
  self->loading = FALSE;
  return TRUE;
}

gboolean
flint_account_store_save (FlintAccountStore *self, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *dir = g_path_get_dirname (self->path);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintAccount) account =
        g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      g_autofree char *group =
        g_strconcat (GROUP_PREFIX, flint_account_get_jid (account), NULL);

      g_key_file_set_string (file, group, "resource",
                             flint_account_get_resource (account));
      if (flint_account_get_host (account))
        g_key_file_set_string (file, group, "host", flint_account_get_host (account));
      if (flint_account_get_port (account))
        g_key_file_set_integer (file, group, "port",
                                (int) flint_account_get_port (account));
      if (flint_account_get_trusted_cert (account))
        g_key_file_set_string (file, group, "trusted-cert-sha256",
                               flint_account_get_trusted_cert (account));
      g_key_file_set_boolean (file, group, "enabled",
                              flint_account_get_enabled (account));
      if (flint_account_get_allow_plaintext (account))
        g_key_file_set_boolean (file, group, "allow-plaintext", TRUE);
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* g_key_file_save_to_file() replaces the file atomically. */
  return g_key_file_save_to_file (file, self->path, error);
}

FlintAccount *
flint_account_store_lookup (FlintAccountStore *self, const char *jid)
{
  g_autofree char *bare = flint_jid_bare (jid);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  if (bare == NULL)
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintAccount) account =
        g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_str_equal (flint_account_get_jid (account), bare))
        return account;
    }
  return NULL;
}

gboolean
flint_account_store_add (FlintAccountStore *self, FlintAccount *account, GError **error)
{
  if (flint_account_store_lookup (self, flint_account_get_jid (account)))
    {
      flint_set_error (error, FLINT_ERROR_ACCOUNT_EXISTS);
      return FALSE;
    }
  append_account (self, account);
  return flint_account_store_save (self, error);
}

gboolean
flint_account_store_remove (FlintAccountStore *self, const char *jid, GError **error)
{
  FlintAccount *account = flint_account_store_lookup (self, jid);
  guint position;

  if (account == NULL || !g_list_store_find (self->accounts, account, &position))
    {
      flint_set_error (error, FLINT_ERROR_NO_ACCOUNT);
      return FALSE;
    }
  g_signal_handlers_disconnect_by_data (account, self);
  g_list_store_remove (self->accounts, position);
  return flint_account_store_save (self, error);
}

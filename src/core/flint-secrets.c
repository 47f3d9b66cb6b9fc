#include "config.h"

#define G_LOG_DOMAIN "flint-secrets"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "flint-error.h"
#include "flint-jid.h"
#include "flint-secrets.h"

static const SecretSchema *
account_schema (void)
{
  static const SecretSchema schema = {
    "im.flint.Flint.Account",
    SECRET_SCHEMA_NONE,
    {
      { "jid", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };
  return &schema;
}

/* Whatever libsecret reports (no service on the bus, locked keyring, D-Bus
 * failure), the user only needs to know the passwords cannot be kept. */
static void
translate_error (GError **error, GError *secret_error)
{
  if (g_error_matches (secret_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, secret_error);
      return;
    }
  g_debug ("Secret Service failure: %s", secret_error->message);
  g_error_free (secret_error);
  flint_set_error (error, FLINT_ERROR_SECRETS_UNAVAILABLE);
}

static char *
label_for (const char *jid)
{
  /* TRANSLATORS: label of the keyring entry, %s is the account address */
  return g_strdup_printf (_ ("Flint password for %s"), jid);
}

gboolean
flint_secrets_store_sync (const char *jid, const char *password, GError **error)
{
  g_autofree char *bare = flint_jid_bare (jid);
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  if (bare == NULL)
    {
      flint_set_error (error, FLINT_ERROR_INVALID_JID);
      return FALSE;
    }
  label = label_for (bare);
  if (!secret_password_store_sync (account_schema (), SECRET_COLLECTION_DEFAULT, label,
                                   password, NULL, &local_error, "jid", bare, NULL))
    {
      translate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

char *
flint_secrets_lookup_sync (const char *jid, GError **error)
{
  g_autofree char *bare = flint_jid_bare (jid);
  GError *local_error = NULL;
  char *password;

  password = secret_password_lookup_sync (account_schema (), NULL, &local_error, "jid",
                                          bare ? bare : "", NULL);
  if (local_error)
    {
      translate_error (error, local_error);
      return NULL;
    }
  if (password == NULL)
    flint_set_error (error, FLINT_ERROR_NO_PASSWORD);
  return password;
}

gboolean
flint_secrets_clear_sync (const char *jid, GError **error)
{
  g_autofree char *bare = flint_jid_bare (jid);
  GError *local_error = NULL;

  secret_password_clear_sync (account_schema (), NULL, &local_error, "jid",
                              bare ? bare : "", NULL);
  if (local_error)
    {
      translate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static void
lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  char *password = secret_password_lookup_finish (result, &error);

  if (error)
    {
      GError *translated = NULL;
      translate_error (&translated, error);
      g_task_return_error (task, translated);
    }
  else if (password == NULL)
    g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_NO_PASSWORD, "%s",
                             flint_error_describe (FLINT_ERROR_NO_PASSWORD));
  else
    g_task_return_pointer (task, password, (GDestroyNotify) flint_password_free);
}

void
flint_secrets_lookup (const char *jid,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_autofree char *bare = flint_jid_bare (jid);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, flint_secrets_lookup);
  secret_password_lookup (account_schema (), cancellable, lookup_cb, task, "jid",
                          bare ? bare : "", NULL);
}

char *
flint_secrets_lookup_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      GError *translated = NULL;
      translate_error (&translated, error);
      g_task_return_error (task, translated);
    }
  else
    g_task_return_boolean (task, TRUE);
}

void
flint_secrets_store (const char *jid,
                     const char *password,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data)
{
  g_autofree char *bare = flint_jid_bare (jid);
  g_autofree char *label = label_for (bare ? bare : jid);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, flint_secrets_store);
  secret_password_store (account_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                         cancellable, store_cb, task, "jid", bare ? bare : "", NULL);
}

gboolean
flint_secrets_store_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
flint_password_free (char *password)
{
  secret_password_free (password);
}

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Account passwords in the Secret Service (schema im.flint.Flint.Account,
 * attribute "jid"). Never anywhere else: without a Secret Service these fail
 * with FLINT_ERROR_SECRETS_UNAVAILABLE and the caller asks the user. */

gboolean flint_secrets_store_sync (const char *jid, const char *password, GError **error);
char *flint_secrets_lookup_sync (const char *jid, GError **error);
gboolean flint_secrets_clear_sync (const char *jid, GError **error);

void flint_secrets_lookup (const char *jid,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
char *flint_secrets_lookup_finish (GAsyncResult *result, GError **error);

void flint_secrets_store (const char *jid,
                          const char *password,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data);
gboolean flint_secrets_store_finish (GAsyncResult *result, GError **error);

/* Wipes and frees a password string from any of the above. */
void flint_password_free (char *password);

G_END_DECLS

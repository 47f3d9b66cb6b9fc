#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FLINT_TYPE_ACCOUNT (flint_account_get_type ())
G_DECLARE_FINAL_TYPE (FlintAccount, flint_account, FLINT, ACCOUNT, GObject)

/* One configured XMPP account: where and how to connect. The password is
 * never here: it lives in the Secret Service (FlintSecrets). */
FlintAccount *flint_account_new (const char *jid, GError **error);

const char *flint_account_get_jid (FlintAccount *self);
const char *flint_account_get_domain (FlintAccount *self);
const char *flint_account_get_resource (FlintAccount *self);
void flint_account_set_resource (FlintAccount *self, const char *resource);
const char *flint_account_get_host (FlintAccount *self);
void flint_account_set_host (FlintAccount *self, const char *host);
guint flint_account_get_port (FlintAccount *self);
void flint_account_set_port (FlintAccount *self, guint port);
gboolean flint_account_get_enabled (FlintAccount *self);
void flint_account_set_enabled (FlintAccount *self, gboolean enabled);
const char *flint_account_get_trusted_cert (FlintAccount *self);
void flint_account_set_trusted_cert (FlintAccount *self, const char *sha256);
gboolean flint_account_get_allow_plaintext (FlintAccount *self);
void flint_account_set_allow_plaintext (FlintAccount *self, gboolean allow);

G_END_DECLS

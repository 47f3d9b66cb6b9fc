#pragma once

#include <gio/gio.h>

#include "flint-account.h"

G_BEGIN_DECLS

#define FLINT_DEFAULTS_PATH "/etc/flint/defaults.conf"

#define FLINT_TYPE_DEFAULTS (flint_defaults_get_type ())
G_DECLARE_FINAL_TYPE (FlintDefaults, flint_defaults, FLINT, DEFAULTS, GObject)

/* Enterprise pre-configuration: a system-wide key file an administrator
 * installs (FLINT_DEFAULTS_PATH, or $FLINT_DEFAULTS_FILE):
 *
 *   [Server]
 *   Domain=example.com          # new accounts are name@Domain
 *   Host=xmpp.example.com       # connect here (else DNS SRV of the domain)
 *   Port=5222
 *   CertificateSHA256=AB:CD:... # the server's certificate, pinned
 *   [Features]
 *   Disabled=xml-console;service-discovery;user-search;broadcast;file-transfer
 *
 * They sit under the user's settings: they prefill what the user has not
 * chosen and never replace what the user has. A missing or broken file
 * means no defaults (a warning in the log), never a failure. */
FlintDefaults *flint_defaults_new_from_data (const char *data, GError **error);
FlintDefaults *flint_defaults_new_from_file (const char *path, GError **error);
/* The system's, loaded once (empty when there are none). */
FlintDefaults *flint_defaults_get_default (void);
/* Tests: forget the loaded system defaults, so the next call reloads. */
void flint_defaults_reset_default (void);

const char *flint_defaults_get_domain (FlintDefaults *self);
const char *flint_defaults_get_host (FlintDefaults *self);
guint flint_defaults_get_port (FlintDefaults *self); /* 0: none */
/* Normalised (64 lowercase hex digits) or NULL. */
const char *flint_defaults_get_certificate (FlintDefaults *self);
gboolean flint_defaults_is_disabled (FlintDefaults *self, const char *feature);

/* The pinned certificate for this account: the defaults' one when the
 * account is at the defaults' domain or host and the user has not trusted a
 * certificate of their own; else the account's own (or NULL). */
const char *flint_defaults_get_pin_for (FlintDefaults *self, FlintAccount *account);
/* Fills host and port of a new account at the defaults' domain where the
 * user left them empty. */
void flint_defaults_apply_to_account (FlintDefaults *self, FlintAccount *account);

G_END_DECLS

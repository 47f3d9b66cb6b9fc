/* FlintDefaults: the administrator's defaults under the user's settings. */
#include "config.h"

#define G_LOG_DOMAIN "flint-defaults"

#include <glib/gi18n-lib.h>

#include "flint-certificate.h"
#include "flint-defaults.h"
#include "flint-error.h"
#include "flint-jid.h"

struct _FlintDefaults
{
  GObject parent_instance;

  char *domain;
  char *host;
  guint port;
  char *certificate;
  GStrv disabled;
};

G_DEFINE_FINAL_TYPE (FlintDefaults, flint_defaults, G_TYPE_OBJECT)

static FlintDefaults *system_defaults;

static char *
get_string (GKeyFile *file, const char *group, const char *key)
{
  g_autofree char *value = g_key_file_get_string (file, group, key, NULL);

  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    return NULL;
  g_strstrip (value);
  return *value ? g_steal_pointer (&value) : NULL;
}

static gboolean
load (FlintDefaults *self, GKeyFile *file, GError **error)
{
  g_autofree char *port = get_string (file, "Server", "Port");
  g_autofree char *cert = get_string (file, "Server", "CertificateSHA256");
  g_auto (GStrv) disabled =
    g_key_file_get_string_list (file, "Features", "Disabled", NULL, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  self->domain = get_string (file, "Server", "Domain");
  if (self->domain && !flint_jid_is_valid (self->domain))
    {
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                   _ ("The defaults name an invalid domain: %s"), self->domain);
      return FALSE;
    }
  self->host = get_string (file, "Server", "Host");
  if (port)
    {
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &value, NULL))
        {
          g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                       _ ("The defaults name an invalid port: %s"), port);
          return FALSE;
        }
      self->port = (guint) value;
    }
  if (cert)
    {
      self->certificate = flint_fingerprint_normalize (cert);
      if (self->certificate == NULL)
        {
          g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                       _ ("The defaults pin a certificate that is not a SHA-256 "
                          "fingerprint: %s"),
                       cert);
          return FALSE;
        }
    }
  for (guint i = 0; disabled && disabled[i]; i++)
    {
      char *name = g_ascii_strdown (g_strstrip (disabled[i]), -1);

      if (*name)
        g_ptr_array_add (names, name);
      else
        g_free (name);
    }
  g_ptr_array_add (names, NULL);
  self->disabled = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  return TRUE;
}

FlintDefaults *
flint_defaults_new_from_data (const char *data, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (FlintDefaults) self = g_object_new (FLINT_TYPE_DEFAULTS, NULL);

  if (!g_key_file_load_from_data (file, data, (gsize) -1, G_KEY_FILE_NONE, error) ||
      !load (self, file, error))
    return NULL;
  return g_steal_pointer (&self);
}

FlintDefaults *
flint_defaults_new_from_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  /* An administrator's file, but bounded all the same. */
  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  if (length > 64 * 1024)
    {
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                   _ ("The defaults file %s is too large."), path);
      return NULL;
    }
  return flint_defaults_new_from_data (contents, error);
}

FlintDefaults *
flint_defaults_get_default (void)
{
  if (system_defaults == NULL)
    {
      const char *path = g_getenv ("FLINT_DEFAULTS_FILE");
      g_autoptr (GError) error = NULL;

      if (path == NULL || *path == '\0')
        path = FLINT_DEFAULTS_PATH;
      system_defaults = flint_defaults_new_from_file (path, &error);
      if (system_defaults == NULL)
        {
          if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            g_warning ("Ignoring the defaults in %s: %s", path, error->message);
          system_defaults = g_object_new (FLINT_TYPE_DEFAULTS, NULL);
        }
      else
        g_debug ("Defaults from %s", path);
    }
  return system_defaults;
}

void
flint_defaults_reset_default (void)
{
  g_clear_object (&system_defaults);
}

const char *
flint_defaults_get_domain (FlintDefaults *self)
{
  return self->domain;
}

const char *
flint_defaults_get_host (FlintDefaults *self)
{
  return self->host;
}

guint
flint_defaults_get_port (FlintDefaults *self)
{
  return self->port;
}

const char *
flint_defaults_get_certificate (FlintDefaults *self)
{
  return self->certificate;
}

gboolean
flint_defaults_is_disabled (FlintDefaults *self, const char *feature)
{
  g_autofree char *name = feature ? g_ascii_strdown (feature, -1) : NULL;

  return name && self->disabled &&
         g_strv_contains ((const char *const *) self->disabled, name);
}

static gboolean
covers (FlintDefaults *self, FlintAccount *account)
{
  const char *host = flint_account_get_host (account);

  return (self->domain &&
          g_ascii_strcasecmp (flint_account_get_domain (account), self->domain) == 0) ||
         (self->host && host && g_ascii_strcasecmp (host, self->host) == 0);
}

const char *
flint_defaults_get_pin_for (FlintDefaults *self, FlintAccount *account)
{
  const char *own = flint_account_get_trusted_cert (account);

  if (own)
    return own;
  return self->certificate && covers (self, account) ? self->certificate : NULL;
}

void
flint_defaults_apply_to_account (FlintDefaults *self, FlintAccount *account)
{
  const char *host = flint_account_get_host (account);

  if (!covers (self, account))
    return;
  if ((host == NULL || *host == '\0') && self->host)
    flint_account_set_host (account, self->host);
  if (flint_account_get_port (account) == 0 && self->port)
    flint_account_set_port (account, self->port);
}

static void
flint_defaults_finalize (GObject *object)
{
  FlintDefaults *self = FLINT_DEFAULTS (object);

  g_free (self->domain);
  g_free (self->host);
  g_free (self->certificate);
  g_strfreev (self->disabled);
  G_OBJECT_CLASS (flint_defaults_parent_class)->finalize (object);
}

static void
flint_defaults_class_init (FlintDefaultsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = flint_defaults_finalize;
}

static void
flint_defaults_init (FlintDefaults *self)
{
}

#include "config.h"

#include <string.h>

#include "flint-account.h"
#include "flint-certificate.h"
#include "flint-error.h"
#include "flint-jid.h"

struct _FlintAccount
{
  GObject parent_instance;
  char *jid;
  char *domain;
  char *resource;
  char *host;
  guint port;
  gboolean enabled;
  char *trusted_cert;
  gboolean allow_plaintext;
};

G_DEFINE_FINAL_TYPE (FlintAccount, flint_account, G_TYPE_OBJECT)

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static gboolean
set_str (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

enum
{
  PROP_0,
  PROP_JID,
  PROP_RESOURCE,
  PROP_HOST,
  PROP_PORT,
  PROP_ENABLED,
  PROP_TRUSTED_CERT,
  PROP_ALLOW_PLAINTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
flint_account_finalize (GObject *object)
{
  FlintAccount *self = FLINT_ACCOUNT (object);

  g_free (self->jid);
  g_free (self->domain);
  g_free (self->resource);
  g_free (self->host);
  g_free (self->trusted_cert);
  G_OBJECT_CLASS (flint_account_parent_class)->finalize (object);
}

static void
flint_account_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  FlintAccount *self = FLINT_ACCOUNT (object);

  switch (prop_id)
    {
      case PROP_JID:
        g_value_set_string (value, self->jid);
        break;
      case PROP_RESOURCE:
        g_value_set_string (value, self->resource);
        break;
      case PROP_HOST:
        g_value_set_string (value, self->host);
        break;
      case PROP_PORT:
        g_value_set_uint (value, self->port);
        break;
      case PROP_ENABLED:
        g_value_set_boolean (value, self->enabled);
        break;
      case PROP_TRUSTED_CERT:
        g_value_set_string (value, self->trusted_cert);
        break;
      case PROP_ALLOW_PLAINTEXT:
        g_value_set_boolean (value, self->allow_plaintext);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_account_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  FlintAccount *self = FLINT_ACCOUNT (object);

  switch (prop_id)
    {
      case PROP_RESOURCE:
        flint_account_set_resource (self, g_value_get_string (value));
        break;
      case PROP_HOST:
        flint_account_set_host (self, g_value_get_string (value));
        break;
      case PROP_PORT:
        flint_account_set_port (self, g_value_get_uint (value));
        break;
      case PROP_ENABLED:
        flint_account_set_enabled (self, g_value_get_boolean (value));
        break;
      case PROP_TRUSTED_CERT:
        flint_account_set_trusted_cert (self, g_value_get_string (value));
        break;
      case PROP_ALLOW_PLAINTEXT:
        flint_account_set_allow_plaintext (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_account_class_init (FlintAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = flint_account_finalize;
  object_class->get_property = flint_account_get_property;
  object_class->set_property = flint_account_set_property;

  properties[PROP_JID] = g_param_spec_string ("jid", NULL, NULL, NULL,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESOURCE] = g_param_spec_string ("resource", NULL, NULL, NULL, rw);
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, rw);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0, rw);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, TRUE, rw);
  properties[PROP_TRUSTED_CERT] =
    g_param_spec_string ("trusted-cert", NULL, NULL, NULL, rw);
  properties[PROP_ALLOW_PLAINTEXT] =
    g_param_spec_boolean ("allow-plaintext", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_account_init (FlintAccount *self)
{
  self->enabled = TRUE;
}

FlintAccount *
flint_account_new (const char *jid, GError **error)
{
  FlintAccount *self;

  if (!flint_jid_is_valid_bare (jid) || !strchr (jid, '@'))
    {
      flint_set_error (error, FLINT_ERROR_INVALID_JID);
      return NULL;
    }
  self = g_object_new (FLINT_TYPE_ACCOUNT, NULL);
  self->jid = flint_jid_normalize (jid);
  self->domain = flint_jid_domain (jid);
  /* A stable resource per installation keeps the server's view of this
   * device steady across restarts. */
  self->resource = g_strdup_printf ("flint-%08x", g_random_int ());
  return self;
}

const char *
flint_account_get_jid (FlintAccount *self)
{
  return self->jid;
}

const char *
flint_account_get_domain (FlintAccount *self)
{
  return self->domain;
}

const char *
flint_account_get_resource (FlintAccount *self)
{
  return self->resource;
}

void
flint_account_set_resource (FlintAccount *self, const char *resource)
{
  if (resource == NULL || *resource == '\0')
    return;
  if (set_str (&self->resource, resource))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESOURCE]);
}

const char *
flint_account_get_host (FlintAccount *self)
{
  return self->host;
}

void
flint_account_set_host (FlintAccount *self, const char *host)
{
  if (host && *host == '\0')
    host = NULL;
  if (set_str (&self->host, host))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

guint
flint_account_get_port (FlintAccount *self)
{
  return self->port;
}

void
flint_account_set_port (FlintAccount *self, guint port)
{
  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

gboolean
flint_account_get_enabled (FlintAccount *self)
{
  return self->enabled;
}

void
flint_account_set_enabled (FlintAccount *self, gboolean enabled)
{
  if (self->enabled == !!enabled)
    return;
  self->enabled = !!enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

const char *
flint_account_get_trusted_cert (FlintAccount *self)
{
  return self->trusted_cert;
}

void
flint_account_set_trusted_cert (FlintAccount *self, const char *sha256)
{
  g_autofree char *normal = flint_fingerprint_normalize (sha256);

  if (set_str (&self->trusted_cert, normal))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRUSTED_CERT]);
}

gboolean
flint_account_get_allow_plaintext (FlintAccount *self)
{
  return self->allow_plaintext;
}

void
flint_account_set_allow_plaintext (FlintAccount *self, gboolean allow)
{
  if (self->allow_plaintext == !!allow)
    return;
  self->allow_plaintext = !!allow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_PLAINTEXT]);
}

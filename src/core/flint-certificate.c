#include "config.h"

#include "flint-certificate.h"

struct _FlintCertificate
{
  GObject parent_instance;
  char *subject;
  char *issuer;
  char *not_before;
  char *not_after;
  char *sha256;
  char *pem;
  char *reason;
};

G_DEFINE_FINAL_TYPE (FlintCertificate, flint_certificate, G_TYPE_OBJECT)

static void
flint_certificate_finalize (GObject *object)
{
  FlintCertificate *self = FLINT_CERTIFICATE (object);

  g_free (self->subject);
  g_free (self->issuer);
  g_free (self->not_before);
  g_free (self->not_after);
  g_free (self->sha256);
  g_free (self->pem);
  g_free (self->reason);
  G_OBJECT_CLASS (flint_certificate_parent_class)->finalize (object);
}

static void
flint_certificate_class_init (FlintCertificateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = flint_certificate_finalize;
}

static void
flint_certificate_init (FlintCertificate *self)
{
}

FlintCertificate *
flint_certificate_new (const char *subject,
                       const char *issuer,
                       const char *not_before,
                       const char *not_after,
                       const char *sha256,
                       const char *pem,
                       const char *reason)
{
  FlintCertificate *self = g_object_new (FLINT_TYPE_CERTIFICATE, NULL);

  self->subject = g_strdup (subject ? subject : "");
  self->issuer = g_strdup (issuer ? issuer : "");
  self->not_before = g_strdup (not_before ? not_before : "");
  self->not_after = g_strdup (not_after ? not_after : "");
  self->sha256 = flint_fingerprint_normalize (sha256);
  self->pem = g_strdup (pem);
  self->reason = g_strdup (reason ? reason : "");
  return self;
}

#define GETTER(field)                                                                    \
  const char *flint_certificate_get_##field (FlintCertificate *self)                     \
  {                                                                                      \
    g_return_val_if_fail (FLINT_IS_CERTIFICATE (self), NULL);                            \
    return self->field;                                                                  \
  }
GETTER (subject)
GETTER (issuer)
GETTER (not_before)
GETTER (not_after)
GETTER (sha256)
GETTER (pem)
GETTER (reason)
#undef GETTER

/* "AB:CD:..." in groups, the way administrators read fingerprints out. */
char *
flint_certificate_format_fingerprint (FlintCertificate *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (FLINT_IS_CERTIFICATE (self), NULL);
  for (const char *p = self->sha256; p && p[0] && p[1]; p += 2)
    {
      if (out->len)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (p[0]));
      g_string_append_c (out, g_ascii_toupper (p[1]));
    }
  return g_string_free (out, FALSE);
}

/* Accepts hex with or without colons/spaces, any case; returns 64 lowercase
 * hex digits, or NULL when it is not a SHA-256 fingerprint. */
char *
flint_fingerprint_normalize (const char *fingerprint)
{
  GString *out;

  if (fingerprint == NULL)
    return NULL;
  out = g_string_sized_new (64);
  for (const char *p = fingerprint; *p; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, g_ascii_tolower (*p));
    }
  if (out->len != 64)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

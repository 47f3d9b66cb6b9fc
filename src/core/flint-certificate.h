#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FLINT_TYPE_CERTIFICATE (flint_certificate_get_type ())
G_DECLARE_FINAL_TYPE (FlintCertificate, flint_certificate, FLINT, CERTIFICATE, GObject)

/* What the user needs to decide whether to trust a server certificate. */
FlintCertificate *flint_certificate_new (const char *subject,
                                         const char *issuer,
                                         const char *not_before,
                                         const char *not_after,
                                         const char *sha256,
                                         const char *pem,
                                         const char *reason);
const char *flint_certificate_get_subject (FlintCertificate *self);
const char *flint_certificate_get_issuer (FlintCertificate *self);
const char *flint_certificate_get_not_before (FlintCertificate *self);
const char *flint_certificate_get_not_after (FlintCertificate *self);
const char *flint_certificate_get_sha256 (FlintCertificate *self);
const char *flint_certificate_get_pem (FlintCertificate *self);
const char *flint_certificate_get_reason (FlintCertificate *self);
char *flint_certificate_format_fingerprint (FlintCertificate *self);

char *flint_fingerprint_normalize (const char *fingerprint);

G_END_DECLS

/* FlintMd5: see flint-md5.h. A receiver that checks a hash cannot go faster
 * than MD5 (it is serial), so the faster assembly of libcrypto is what sets
 * the ceiling of a hashed transfer. EVP can refuse MD5 (a FIPS-only
 * configuration): then GChecksum does it. */
#include "config.h"

#define G_LOG_DOMAIN "flint-md5"

#include "flint-md5.h"

#if HAVE_LIBCRYPTO
#include <openssl/evp.h>
#endif

struct _FlintMd5
{
#if HAVE_LIBCRYPTO
  EVP_MD_CTX *evp;
#endif
  GChecksum *checksum; /* when evp is not in use */
  char hex[33];
  gboolean finished;
};

FlintMd5 *
flint_md5_new (void)
{
  FlintMd5 *self = g_new0 (FlintMd5, 1);

#if HAVE_LIBCRYPTO
  self->evp = EVP_MD_CTX_new ();
  if (self->evp && EVP_DigestInit_ex (self->evp, EVP_md5 (), NULL) == 1)
    return self;
  g_clear_pointer (&self->evp, EVP_MD_CTX_free);
#endif
  self->checksum = g_checksum_new (G_CHECKSUM_MD5);
  return self;
}

void
flint_md5_update (FlintMd5 *self, const void *data, gsize size)
{
  g_return_if_fail (!self->finished);
#if HAVE_LIBCRYPTO
  if (self->evp)
    {
      EVP_DigestUpdate (self->evp, data, size);
      return;
    }
#endif
  g_checksum_update (self->checksum, data, (gssize) size);
}

const char *
flint_md5_get_string (FlintMd5 *self)
{
  if (self->finished)
    return self->hex;
  self->finished = TRUE;
#if HAVE_LIBCRYPTO
  if (self->evp)
    {
      unsigned char digest[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      static const char digits[] = "0123456789abcdef";

      EVP_DigestFinal_ex (self->evp, digest, &len);
      for (unsigned int i = 0; i < len && i < 16; i++)
        {
          self->hex[2 * i] = digits[digest[i] >> 4];
          self->hex[2 * i + 1] = digits[digest[i] & 0xf];
        }
      return self->hex;
    }
#endif
  g_strlcpy (self->hex, g_checksum_get_string (self->checksum), sizeof self->hex);
  return self->hex;
}

const char *
flint_md5_get_backend (FlintMd5 *self)
{
#if HAVE_LIBCRYPTO
  if (self->evp)
    return "libcrypto";
#endif
  return "GChecksum";
}

void
flint_md5_free (FlintMd5 *self)
{
  if (self == NULL)
    return;
#if HAVE_LIBCRYPTO
  g_clear_pointer (&self->evp, EVP_MD_CTX_free);
#endif
  g_clear_pointer (&self->checksum, g_checksum_free);
  g_free (self);
}

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* MD5 for XEP-0096 file hashes, through OpenSSL's libcrypto where it was
 * found at build time (already loaded in every Flint process by libstrophe;
 * about 10 % faster than GChecksum here), else GChecksum. Not for security. */
typedef struct _FlintMd5 FlintMd5;

FlintMd5 *flint_md5_new (void);
void flint_md5_update (FlintMd5 *self, const void *data, gsize size);
/* The digest as 32 lowercase hex digits; no update may follow. */
const char *flint_md5_get_string (FlintMd5 *self);
void flint_md5_free (FlintMd5 *self);
/* Which implementation runs: "libcrypto" or "GChecksum". */
const char *flint_md5_get_backend (FlintMd5 *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlintMd5, flint_md5_free)

G_END_DECLS

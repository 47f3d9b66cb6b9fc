/* flint_avatars_decode(): the checks every received avatar passes before it
 * is cached (base64 with line breaks, bad base64, size cap, SHA-1). */
#include "config.h"

#include <string.h>

#include "flint-avatars.h"

static const char image[] = "\x89PNG\r\n\x1a\n not really an image, but bytes";

static char *
image_sha1 (void)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guchar *) image,
                                      sizeof image - 1);
}

static void
test_plain_and_wrapped (void)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) image, sizeof image - 1);
  g_autofree char *sha1 = image_sha1 ();
  g_autofree char *upper = g_ascii_strup (sha1, -1);
  g_autoptr (GString) wrapped = g_string_new ("\n  ");
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autofree char *out = NULL;

  bytes = flint_avatars_decode (b64, sha1, &out);
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), image,
                   sizeof image - 1);
  g_assert_cmpstr (out, ==, sha1);

  /* vCards wrap BINVAL at 76 columns (and some clients indent it). */
  for (const char *p = b64; *p; p++)
    {
      g_string_append_c (wrapped, *p);
      if ((p - b64) % 10 == 9)
        g_string_append (wrapped, "\r\n\t ");
    }
  again = flint_avatars_decode (wrapped->str, upper, NULL);
  g_assert_nonnull (again);
  g_assert_true (g_bytes_equal (bytes, again));
}

static void
test_rejected (void)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) image, sizeof image - 1);
  g_autofree char *sha1 = image_sha1 ();
  g_autofree char *other = g_compute_checksum_for_string (G_CHECKSUM_SHA1, "x", -1);
  g_autofree char *bad_char = g_strdup (b64);
  g_autofree char *truncated = g_strndup (b64, strlen (b64) - 1);
  g_autofree char *after_padding = g_strconcat ("QQ==", "QUFB", NULL);
  g_autofree char *out = NULL;

  bad_char[3] = '*';
  g_assert_null (flint_avatars_decode (b64, other, &out));
  g_assert_null (out);
  g_assert_null (flint_avatars_decode (bad_char, NULL, NULL));
  g_assert_null (flint_avatars_decode (truncated, NULL, NULL));
  g_assert_null (flint_avatars_decode (after_padding, NULL, NULL));
  g_assert_null (flint_avatars_decode ("QQ===", NULL, NULL));
  g_assert_null (flint_avatars_decode ("", NULL, NULL));
  g_assert_null (flint_avatars_decode ("  \n ", NULL, NULL));
  g_assert_null (flint_avatars_decode (NULL, sha1, NULL));
}

static void
test_size_cap (void)
{
  gsize n = FLINT_AVATARS_MAX_BYTES;
  g_autofree guchar *data = g_malloc0 (n + 3);
  g_autofree char *at_cap = g_base64_encode (data, n);
  g_autofree char *over = g_base64_encode (data, n + 3);
  g_autoptr (GBytes) bytes = flint_avatars_decode (at_cap, NULL, NULL);

  g_assert_nonnull (bytes);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, n);
  g_assert_null (flint_avatars_decode (over, NULL, NULL));
}

static void
test_is_sha1 (void)
{
  g_assert_true (flint_avatars_is_sha1 ("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"));
  g_assert_true (flint_avatars_is_sha1 ("A94A8FE5CCB19BA61C4C0873D391E987982FBBD3"));
  g_assert_false (flint_avatars_is_sha1 ("a94a8fe5ccb19ba61c4c0873d391e987982fbbd"));
  g_assert_false (flint_avatars_is_sha1 ("../../../../etc/passwd-aaaaaaaaaaaaaaaaaa"));
  g_assert_false (flint_avatars_is_sha1 (""));
  g_assert_false (flint_avatars_is_sha1 (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/avatars/decode/plain-and-wrapped", test_plain_and_wrapped);
  g_test_add_func ("/avatars/decode/rejected", test_rejected);
  g_test_add_func ("/avatars/decode/size-cap", test_size_cap);
  g_test_add_func ("/avatars/is-sha1", test_is_sha1);
  return g_test_run ();
}

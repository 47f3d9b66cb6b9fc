/* FlintMd5 (the hash of transferred files): the RFC 1321 test suite, and
 * the same digest as GChecksum for any split of the input into updates. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "flint-md5.h"

static void
test_rfc1321 (void)
{
  const struct
  {
    const char *text;
    const char *digest;
  } cases[] = {
    { "", "d41d8cd98f00b204e9800998ecf8427e" },
    { "a", "0cc175b9c0f1b6a831c399e269772661" },
    { "abc", "900150983cd24fb0d6963f7d28e17f72" },
    { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
    { "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
    { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
      "d174ab98d277d9f5a5611c2c9f419d9f" },
    { "1234567890123456789012345678901234567890123456789012345678901234567890"
      "1234567890",
      "57edf4a22be3c955ac49da2e2107b67a" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (FlintMd5) md5 = flint_md5_new ();

      flint_md5_update (md5, cases[i].text, strlen (cases[i].text));
      g_assert_cmpstr (flint_md5_get_string (md5), ==, cases[i].digest);
      /* Asking again gives the same, not the digest of nothing. */
      g_assert_cmpstr (flint_md5_get_string (md5), ==, cases[i].digest);
    }
}

static void
test_splits (void)
{
  const gsize sizes[] = { 0, 1, 55, 56, 63, 64, 65, 1000, 1024 * 1024 + 3 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gsize size = sizes[i];
      g_autofree guchar *data = g_malloc (size + 1);
      g_autofree char *want = NULL;
      g_autoptr (FlintMd5) md5 = flint_md5_new ();

      for (gsize j = 0; j < size; j++)
        data[j] = (guchar) g_rand_int (rand);
      want = g_compute_checksum_for_data (G_CHECKSUM_MD5, data, size);
      for (gsize done = 0; done < size;)
        {
          gsize n = MIN (size - done, (gsize) g_rand_int_range (rand, 0, 200000));

          flint_md5_update (md5, data + done, n);
          done += n;
        }
      g_assert_cmpstr (flint_md5_get_string (md5), ==, want);
    }
}

static void
test_backend (void)
{
  g_autoptr (FlintMd5) md5 = flint_md5_new ();

#if HAVE_LIBCRYPTO
  g_assert_cmpstr (flint_md5_get_backend (md5), ==, "libcrypto");
#else
  g_assert_cmpstr (flint_md5_get_backend (md5), ==, "GChecksum");
#endif
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/md5/rfc1321", test_rfc1321);
  g_test_add_func ("/md5/splits", test_splits);
  g_test_add_func ("/md5/backend", test_backend);
  return g_test_run ();
}

/* Fuzzes file-name sanitising (flint-file-name.c): whatever name a peer
 * offers, the result is one harmless path component: valid UTF-8, not
 * empty, no slash, no leading dot, no control characters, not "." or "..",
 * at most FLINT_FILE_NAME_MAX_BYTES; numbered copies keep those rules and
 * still fit NAME_MAX with ".part" added. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "flint-file-name.h"

static void
check_name (const char *name, gsize max)
{
  g_assert_nonnull (name);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (strlen (name), >, 0);
  g_assert_cmpuint (strlen (name), <=, max);
  g_assert_null (strchr (name, '/'));
  g_assert_true (name[0] != '.');
  g_assert_cmpstr (name, !=, "..");
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *raw = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *numbered = NULL;

  if (size > 4096)
    return 0;
  raw = g_strndup ((const char *) data, size);
  clean = flint_file_name_sanitize (raw);
  check_name (clean, FLINT_FILE_NAME_MAX_BYTES);
  /* Sanitising is idempotent: a clean name stays as it is. */
  {
    g_autofree char *again = flint_file_name_sanitize (clean);

    g_assert_cmpstr (again, ==, clean);
  }
  numbered = flint_file_name_numbered (clean, size % 1000 + 1);
  /* Room left for " (n)" and ".part" below NAME_MAX (255). */
  check_name (numbered, 255 - strlen (".part"));
  return 0;
}

#ifndef FLINT_LIBFUZZER
gboolean fuzz_replay_finish (char **what);

gboolean
fuzz_replay_finish (char **what)
{
  g_autofree char *name = flint_file_name_sanitize ("../../etc/passwd");

  *what = g_strdup ("path traversal still reduced to its last component");
  return g_strcmp0 (name, "passwd") == 0;
}
#endif

/* The ordinary-build side of every fuzz target: replays the files or
 * directories given (the seed corpus and the crashes kept as regression
 * inputs) through LLVMFuzzerTestOneInput, then asks the target whether it
 * is still in good shape, and prints one TAP result. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
gboolean fuzz_replay_finish (char **what);

static void
replay_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
}

static guint
replay (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      replay_file (path);
      return 1;
    }
  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_print ("# %s\n", (char *) names->pdata[i]);
      replay_file (names->pdata[i]);
    }
  return names->len;
}

int
main (int argc, char **argv)
{
  g_autofree char *what = NULL;
  guint n = 0;
  gboolean ok;

  for (int i = 1; i < argc; i++)
    n += replay (argv[i]);
  ok = fuzz_replay_finish (&what);
  g_print ("1..1\n%s 1 - %u inputs replayed; %s\n", ok ? "ok" : "not ok", n, what);
  return ok ? 0 : 1;
}

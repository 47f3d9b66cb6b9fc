/* File names from the network made safe, and FlintSafeFile: nothing is ever
 * written outside the chosen folder, no symlink is followed, no existing
 * file is replaced, and a file that fails its checks leaves nothing behind. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "flint-error.h"
#include "flint-file-name.h"
#include "flint-safe-file.h"

static void
check (const char *in, const char *expected)
{
  g_autofree char *out = flint_file_name_sanitize (in);

  g_assert_cmpstr (out, ==, expected);
}

static void
test_path_parts (void)
{
  check ("../../x", "x");
  check ("/etc/passwd", "passwd");
  check ("..", "file");
  check (".", "file");
  check ("", "file");
  check (NULL, "file");
  check ("a/b/", "b");
  check ("..\\..\\windows\\win.ini", "win.ini");
  check ("dir/../report.pdf", "report.pdf");
  check ("////", "file");
}

static void
test_dots_and_spaces (void)
{
  check (".bashrc", "bashrc");
  check ("...hidden.txt", "hidden.txt");
  check ("  spaced.txt  ", "spaced.txt");
  check ("name.", "name");
  check ("report.final.pdf", "report.final.pdf");
}

static void
test_control_chars (void)
{
  check ("a\nb\tc.txt", "a b c.txt");
  check ("bell\x07.txt", "bell.txt");
  check ("esc\x1b[31mred.txt", "esc[31mred.txt");
  check ("del\x7f.txt", "del.txt");
  check ("c1\xc2\x85x.txt", "c1x.txt"); /* U+0085 NEL */
  check ("c1\xc2\x9bx.txt", "c1x.txt"); /* U+009B CSI */
  /* U+202E RIGHT-TO-LEFT OVERRIDE: "invoice\u202Efdp.exe" shows as "...exe.pdf". */
  check ("invoice\xe2\x80\xae"
         "fdp.exe",
         "invoicefdp.exe");
  check ("zero\xe2\x80\x8bwidth.txt", "zerowidth.txt");
}

static void
test_reserved (void)
{
  check ("CON", "_CON");
  check ("nul.txt", "_nul.txt");
  check ("com1.log", "_com1.log");
  check ("console.txt", "console.txt");
  check ("a<b>c:d\"e|f?g*h.txt", "a_b_c_d_e_f_g_h.txt");
}

static void
test_invalid_utf8 (void)
{
  g_autofree char *out = flint_file_name_sanitize ("bad\xff\xfe name\xc3.txt");

  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_cmpstr (out, ==, "bad name.txt");
}

static void
test_long_names (void)
{
  g_autoptr (GString) in = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;

  /* 300 bytes of ASCII and an extension: capped, extension kept. */
  for (guint i = 0; i < 300; i++)
    g_string_append_c (in, 'a' + i % 26);
  g_string_append (in, ".tar");
  out = flint_file_name_sanitize (in->str);
  g_assert_cmpuint (strlen (out), ==, FLINT_FILE_NAME_MAX_BYTES);
  g_assert_true (g_str_has_suffix (out, ".tar"));
  g_assert_true (g_str_has_prefix (out, "abcdef"));

  /* 2-byte and 3-byte characters: cut on a character boundary. */
  g_string_truncate (in, 0);
  for (guint i = 0; i < 150; i++)
    g_string_append (in, "é"); /* 300 bytes */
  out2 = flint_file_name_sanitize (in->str);
  g_assert_true (g_utf8_validate (out2, -1, NULL));
  g_assert_cmpuint (strlen (out2), <=, FLINT_FILE_NAME_MAX_BYTES);
  g_assert_cmpuint (strlen (out2), >=, FLINT_FILE_NAME_MAX_BYTES - 1);

  g_string_truncate (in, 0);
  for (guint i = 0; i < 100; i++)
    g_string_append (in, "€"); /* 300 bytes */
  g_string_append (in, ".pdf");
  out3 = flint_file_name_sanitize (in->str);
  g_assert_true (g_utf8_validate (out3, -1, NULL));
  g_assert_cmpuint (strlen (out3), <=, FLINT_FILE_NAME_MAX_BYTES);
  g_assert_cmpuint (strlen (out3), >, FLINT_FILE_NAME_MAX_BYTES - 3);
  g_assert_true (g_str_has_suffix (out3, "€.pdf"));
}

static void
test_numbered (void)
{
  g_autofree char *a = flint_file_name_numbered ("photo.jpg", 1);
  g_autofree char *b = flint_file_name_numbered ("README", 2);
  g_autofree char *c = flint_file_name_numbered ("photo.jpg", 0);

  g_assert_cmpstr (a, ==, "photo (1).jpg");
  g_assert_cmpstr (b, ==, "README (2)");
  g_assert_cmpstr (c, ==, "photo.jpg");
}

/* ---- FlintSafeFile -------------------------------------------------------- */

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GError **error = data;

  if (!flint_safe_file_write_finish (FLINT_SAFE_FILE (source), result, error) &&
      *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "ok");
}

/* Writes synchronously for the test: TRUE when the write succeeded. */
static gboolean
write_bytes (FlintSafeFile *file, const char *data, gsize len, GError **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  GError *result = NULL;

  flint_safe_file_write_async (file, bytes, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (g_error_matches (result, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_error_free (result);
      return TRUE;
    }
  g_propagate_error (error, result);
  return FALSE;
}

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static guint
count_entries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d))
    n++;
  return n;
}

static void
remove_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
          !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_dir (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static void
test_safe_file_commit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-safe-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) file = flint_safe_file_create (dir, "../../x.txt", &error);
  g_autofree char *part = NULL;
  g_autofree char *contents = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (flint_safe_file_get_name (file), ==, "x.txt");
  part = read_file (dir, "x.txt.part");
  g_assert_cmpstr (part, ==, "");
  g_assert_true (write_bytes (file, "hello ", 6, NULL));
  g_assert_true (write_bytes (file, "world", 5, NULL));
  g_assert_cmpuint (flint_safe_file_get_written (file), ==, 11);
  /* md5("hello world") */
  g_assert_true (
    flint_safe_file_commit (file, 11, "5eb63bbbe01eeed093cb22bb8f5acdc3", &error));
  g_assert_no_error (error);
  contents = read_file (dir, "x.txt");
  g_assert_cmpstr (contents, ==, "hello world");
  g_assert_cmpuint (count_entries (dir), ==, 1);
  remove_dir (dir);
}

static void
test_safe_file_never_overwrites (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-safe-XXXXXX", NULL);
  g_autofree char *existing = g_build_filename (dir, "a.txt", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) one = NULL;
  g_autoptr (FlintSafeFile) two = NULL;
  g_autofree char *c0 = NULL;
  g_autofree char *c1 = NULL;
  g_autofree char *c2 = NULL;

  g_assert_true (g_file_set_contents (existing, "old", -1, NULL));
  one = flint_safe_file_create (dir, "a.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (flint_safe_file_get_name (one), ==, "a (1).txt");
  two = flint_safe_file_create (dir, "a.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (flint_safe_file_get_name (two), ==, "a (2).txt");

  /* Someone takes "a (1).txt" while we write: commit picks another name. */
  {
    g_autofree char *racer = g_build_filename (dir, "a (1).txt", NULL);
    g_assert_true (g_file_set_contents (racer, "racer", -1, NULL));
  }
  g_assert_true (write_bytes (one, "one", 3, NULL));
  g_assert_true (flint_safe_file_commit (one, 3, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (flint_safe_file_get_name (one), !=, "a (1).txt");
  g_assert_true (write_bytes (two, "two", 3, NULL));
  g_assert_true (flint_safe_file_commit (two, 3, NULL, &error));
  g_assert_no_error (error);

  c0 = read_file (dir, "a.txt");
  c1 = read_file (dir, "a (1).txt");
  c2 = read_file (dir, "a (2).txt");
  g_assert_cmpstr (c0, ==, "old");
  g_assert_cmpstr (c1, ==, "racer");
  g_assert_cmpstr (c2, ==, "two");
  {
    g_autofree char *c = read_file (dir, flint_safe_file_get_name (one));
    g_assert_cmpstr (c, ==, "one");
  }
  g_assert_cmpuint (count_entries (dir), ==, 4);
  remove_dir (dir);
}

/* A symlink planted in the folder, as "x.txt" and as "x.txt.part", pointing
 * outside: neither is followed, the target stays untouched. */
static void
test_safe_file_symlinks (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-safe-XXXXXX", NULL);
  g_autofree char *outside = g_dir_make_tmp ("flint-outside-XXXXXX", NULL);
  g_autofree char *target = g_build_filename (outside, "victim", NULL);
  g_autofree char *link1 = g_build_filename (dir, "x.txt", NULL);
  g_autofree char *link2 = g_build_filename (dir, "x (1).txt.part", NULL);
  g_autofree char *link3 = g_build_filename (dir, "sub", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) file = NULL;
  g_autofree char *victim = NULL;
  g_autofree char *mine = NULL;

  g_assert_true (g_file_set_contents (target, "precious", -1, NULL));
  g_assert_cmpint (symlink (target, link1), ==, 0);
  g_assert_cmpint (symlink (target, link2), ==, 0);
  g_assert_cmpint (symlink (outside, link3), ==, 0);

  file = flint_safe_file_create (dir, "x.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (flint_safe_file_get_name (file), ==, "x (2).txt");
  g_assert_true (write_bytes (file, "evil", 4, NULL));
  g_assert_true (flint_safe_file_commit (file, 4, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&file);

  /* A name through the symlinked directory is reduced to its last part. */
  file = flint_safe_file_create (dir, "sub/victim", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (flint_safe_file_get_name (file), ==, "victim");
  g_assert_true (write_bytes (file, "evil", 4, NULL));
  g_assert_true (flint_safe_file_commit (file, 4, NULL, &error));

  victim = read_file (outside, "victim");
  g_assert_cmpstr (victim, ==, "precious");
  g_assert_cmpuint (count_entries (outside), ==, 1);
  mine = read_file (dir, "x (2).txt");
  g_assert_cmpstr (mine, ==, "evil");
  g_assert_true (g_file_test (link1, G_FILE_TEST_IS_SYMLINK));
  remove_dir (dir);
  remove_dir (outside);
}

static void
test_safe_file_mismatch (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-safe-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) a = flint_safe_file_create (dir, "a.bin", NULL);
  g_autoptr (FlintSafeFile) b = flint_safe_file_create (dir, "b.bin", NULL);
  g_autoptr (FlintSafeFile) c = flint_safe_file_create (dir, "c.bin", NULL);

  /* Size lie. */
  g_assert_true (write_bytes (a, "12345", 5, NULL));
  g_assert_false (flint_safe_file_commit (a, 6, NULL, &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_TRANSFER_CORRUPT);
  g_clear_error (&error);
  /* Hash mismatch. */
  g_assert_true (write_bytes (b, "12345", 5, NULL));
  g_assert_false (
    flint_safe_file_commit (b, 5, "00000000000000000000000000000000", &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_TRANSFER_CORRUPT);
  g_clear_error (&error);
  /* Given up (peer cancelled). */
  g_assert_true (write_bytes (c, "12", 2, NULL));
  flint_safe_file_discard (c);
  flint_safe_file_discard (c);
  g_assert_false (write_bytes (c, "3", 1, &error));
  g_clear_error (&error);

  g_assert_cmpuint (count_entries (dir), ==, 0);
  remove_dir (dir);
}

/* A zero-byte file is a file too. */
static void
test_safe_file_empty (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-safe-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) a = flint_safe_file_create (dir, "empty", NULL);
  g_autofree char *contents = NULL;

  g_assert_true (
    flint_safe_file_commit (a, 0, "d41d8cd98f00b204e9800998ecf8427e", &error));
  g_assert_no_error (error);
  contents = read_file (dir, "empty");
  g_assert_cmpstr (contents, ==, "");
  remove_dir (dir);
}

/* A quota-like write error (RLIMIT_FSIZE, as a full disk would give ENOSPC):
 * the write fails with FILE_WRITE and discarding leaves nothing. */
static void
test_safe_file_write_error (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-safe-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) a = flint_safe_file_create (dir, "big.bin", NULL);
  struct rlimit old, small;
  g_autofree char *block = g_malloc0 (8192);

  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
  small = old;
  small.rlim_cur = 4096;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  g_assert_false (write_bytes (a, block, 8192, &error));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_FILE_WRITE);
  flint_safe_file_discard (a);
  g_assert_cmpuint (count_entries (dir), ==, 0);
  remove_dir (dir);
}

/* The splice path (transfers without a hash): bytes from a pipe land after
 * the bytes written before them, and the size is counted. */
static void
test_safe_file_from_pipe (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-safe-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) a = flint_safe_file_create (dir, "p.txt", NULL);
  g_autofree char *contents = NULL;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_true (write_bytes (a, "head ", 5, NULL));
  g_assert_cmpint (write (fds[1], "from the pipe", 13), ==, 13);
  g_assert_true (flint_safe_file_write_from_pipe (a, fds[0], 13, &error));
  g_assert_no_error (error);
  g_assert_true (write_bytes (a, " tail", 5, NULL));
  g_assert_cmpuint (flint_safe_file_get_written (a), ==, 23);
  g_assert_true (flint_safe_file_commit (a, 23, NULL, &error));
  g_assert_no_error (error);
  contents = read_file (dir, "p.txt");
  g_assert_cmpstr (contents, ==, "head from the pipe tail");
  /* After the commit the file takes nothing more. */
  g_assert_cmpint (write (fds[1], "x", 1), ==, 1);
  g_assert_false (flint_safe_file_write_from_pipe (a, fds[0], 1, &error));
  g_assert_nonnull (error);
  close (fds[0]);
  close (fds[1]);
  remove_dir (dir);
}

/* A full disk (here RLIMIT_FSIZE: EFBIG) under splice: FILE_WRITE, and
 * discarding leaves nothing. */
static void
test_safe_file_from_pipe_error (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-safe-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) a = flint_safe_file_create (dir, "big.bin", NULL);
  g_autofree char *block = g_malloc0 (8192);
  struct rlimit old, small;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], block, 8192), ==, 8192);
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
  small = old;
  small.rlim_cur = 4096;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  g_assert_false (flint_safe_file_write_from_pipe (a, fds[0], 8192, &error));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_FILE_WRITE);
  g_assert_nonnull (strstr (error->message, "free space"));
  flint_safe_file_discard (a);
  g_assert_cmpuint (count_entries (dir), ==, 0);
  close (fds[0]);
  close (fds[1]);
  remove_dir (dir);
}

static void
test_safe_file_bad_folder (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintSafeFile) a =
    flint_safe_file_create ("/nonexistent/flint-test", "a.txt", &error);

  g_assert_null (a);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_FILE_WRITE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/file-name/path-parts", test_path_parts);
  g_test_add_func ("/file-name/dots-and-spaces", test_dots_and_spaces);
  g_test_add_func ("/file-name/control-chars", test_control_chars);
  g_test_add_func ("/file-name/reserved", test_reserved);
  g_test_add_func ("/file-name/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/file-name/long", test_long_names);
  g_test_add_func ("/file-name/numbered", test_numbered);
  g_test_add_func ("/safe-file/commit", test_safe_file_commit);
  g_test_add_func ("/safe-file/never-overwrites", test_safe_file_never_overwrites);
  g_test_add_func ("/safe-file/symlinks", test_safe_file_symlinks);
  g_test_add_func ("/safe-file/mismatch", test_safe_file_mismatch);
  g_test_add_func ("/safe-file/empty", test_safe_file_empty);
  g_test_add_func ("/safe-file/write-error", test_safe_file_write_error);
  g_test_add_func ("/safe-file/bad-folder", test_safe_file_bad_folder);
  g_test_add_func ("/safe-file/from-pipe", test_safe_file_from_pipe);
  g_test_add_func ("/safe-file/from-pipe-error", test_safe_file_from_pipe_error);
  return g_test_run ();
}

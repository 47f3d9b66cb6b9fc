/* Store robustness: a writer process (history-writer) inserting batches is
 * killed with SIGKILL at random moments, several times; after each kill the
 * store must open cleanly (SQLite and FTS5 integrity checks), hold every
 * batch the writer reported committed, and hold whole batches only (never
 * half of one: the count is a multiple of the batch size). */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "flint-history.h"

#define BATCH 200
#define ROUNDS 6

static const char *writer_path;

static guint
count_rows (const char *path, const char *like)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "SELECT count(*) FROM messages WHERE origin_id LIKE ?1", -1,
                        &stmt, NULL),
    ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, like, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

typedef struct
{
  GMainLoop *loop;
  guint reported; /* batches the writer said were committed */
  GString *pending;
  gboolean waiting_first; /* the loop runs until the first batch is in */
} Reader;

static void read_more (GInputStream *in, Reader *reader);

static void
on_read (GObject *source, GAsyncResult *result, gpointer data)
{
  Reader *reader = data;
  g_autoptr (GBytes) bytes =
    g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);
  gsize len = bytes ? g_bytes_get_size (bytes) : 0;
  char *nl;

  if (len == 0)
    return; /* killed: the pipe closed */
  g_string_append_len (reader->pending, g_bytes_get_data (bytes, NULL), len);
  while ((nl = strchr (reader->pending->str, '\n')))
    {
      *nl = '\0';
      reader->reported = (guint) atoi (reader->pending->str);
      g_string_erase (reader->pending, 0, nl - reader->pending->str + 1);
    }
  if (reader->reported > 0 && reader->waiting_first)
    g_main_loop_quit (reader->loop); /* the first batch is in */
  read_more (G_INPUT_STREAM (source), reader);
}

static void
read_more (GInputStream *in, Reader *reader)
{
  g_input_stream_read_bytes_async (in, 4096, G_PRIORITY_DEFAULT, NULL, on_read, reader);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
test_kill_during_inserts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-crash-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  guint total = 0, killed_mid_batch = 0;

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *round_s = g_strdup_printf ("%u", round);
      g_autofree char *batch_s = g_strdup_printf ("%u", BATCH);
      g_autofree char *like = g_strdup_printf ("%u-%%", round);
      g_autoptr (GError) error = NULL;
      g_autoptr (GSubprocess) writer = NULL;
      g_autoptr (FlintHistory) history = NULL;
      g_autoptr (GPtrArray) hits = NULL;
      g_autofree char *word = NULL;
      Reader reader = { g_main_loop_new (NULL, FALSE), 0, g_string_new (NULL) };
      guint stored, ms, timeout;

      writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, writer_path,
                                 path, round_s, batch_s, NULL);
      g_assert_no_error (error);
      read_more (g_subprocess_get_stdout_pipe (writer), &reader);
      /* Once it has committed its first batch (a sanitizer build on a busy
       * machine takes a while to start), a random moment: between batches or
       * in the middle of one. */
      reader.waiting_first = TRUE;
      timeout = g_timeout_add_seconds (60, quit_loop, reader.loop);
      g_main_loop_run (reader.loop);
      reader.waiting_first = FALSE;
      g_assert_cmpuint (reader.reported, >, 0);
      g_source_remove (timeout);
      ms = (guint) g_test_rand_int_range (0, 500);
      timeout = g_timeout_add (ms, quit_loop, reader.loop);
      g_main_loop_run (reader.loop);
      g_subprocess_send_signal (writer, SIGKILL);
      g_subprocess_wait (writer, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (writer));
      g_assert_cmpint (g_subprocess_get_term_sig (writer), ==, SIGKILL);
      /* What it printed before dying, read to the end of the pipe. */
      while (g_main_context_iteration (NULL, FALSE))
        ;

      /* Opens cleanly: not moved aside as damaged, integrity intact. */
      history = flint_history_open (path, &error);
      g_assert_no_error (error);
      g_assert_null (flint_history_get_backup_path (history));
      g_assert_true (flint_history_check_integrity (history, &error));
      g_assert_no_error (error);

      stored = count_rows (path, like);
      g_test_message (
        "round %u: killed %u ms after the first batch, %u batches reported, %u rows",
        round, ms, reader.reported, stored);
      g_assert_cmpuint (reader.reported, >, 0);
      /* Whole batches only, every reported one, and at most the one it was
       * committing when killed. */
      g_assert_cmpuint (stored % BATCH, ==, 0);
      g_assert_cmpuint (stored, >=, reader.reported * BATCH);
      g_assert_cmpuint (stored, <=, (reader.reported + 1) * BATCH);
      if (stored > reader.reported * BATCH)
        killed_mid_batch++;
      total += stored;
      g_assert_cmpuint (count_rows (path, "%"), ==, total);

      /* The search index agrees with the table for the last whole batch. */
      word = g_strdup_printf ("round%u batch%u", round, reader.reported - 1);
      hits = flint_history_search (history, word, "me@example.com", NULL, 1000, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (hits->len, ==, BATCH);

      g_main_loop_unref (reader.loop);
      g_string_free (reader.pending, TRUE);
    }
  g_test_message ("%u of %u kills came after a commit the writer had not reported yet",
                  killed_mid_batch, ROUNDS);

  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

        g_unlink (file);
      }
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s HISTORY-WRITER\n", argv[0]);
      return 2;
    }
  writer_path = argv[1];
  g_test_add_func ("/history-crash/kill-during-inserts", test_kill_during_inserts);
  return g_test_run ();
}

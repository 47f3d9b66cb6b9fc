/* Schema migration off the main thread (issue 4): a version-1 store with
 * enough rows that its migration takes seconds is opened through
 * flint_history_open_async() while the main loop keeps turning, and a
 * process killed with SIGKILL in the middle of a migration leaves a store
 * of the old version that opens (and migrates) again.
 *
 * Run as "test-history-migrate --migrate PATH" it is the process that gets
 * killed: it prints "migrating", opens PATH, then prints "done". */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "flint-history-jobs.h"
#include "flint-history.h"

#define ACCOUNT "me@example.com"
#define N_CONVERSATIONS 50

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("flint-migrate-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "history.db", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  const char *name;
  GDir *dir = g_dir_open (f->dir, 0, NULL);

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);

      g_unlink (file);
    }
  if (dir)
    g_dir_close (dir);
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
  g_free (f->path);
}

static void
exec_on (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static gint64
query_int (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* A version-1 store as a Flint of that version left it (the schema is a
 * frozen copy), with @n messages spread over N_CONVERSATIONS; every tenth
 * body says "crocodile". */
static void
make_v1_store (const char *path, guint n)
{
  g_autofree char *fill = g_strdup_printf (
    "INSERT INTO messages (account, conversation, sender, body, time, local_time,"
    " message_id, origin_id)"
    " WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u)"
    " SELECT '" ACCOUNT "', 'c' || (i %% %u) || '@example.com',"
    " 'c' || (i %% %u) || '@example.com',"
    " 'message ' || i || ' about word' || (i %% 1000) ||"
    " CASE WHEN i %% 10 = 0 THEN ' and a crocodile' ELSE ' and the weather' END,"
    " i * 1000000, i * 1000000, 'm' || i, 'o' || i FROM n;",
    n, N_CONVERSATIONS, N_CONVERSATIONS);

  exec_on (
    path,
    "CREATE TABLE messages (id INTEGER PRIMARY KEY, account TEXT NOT NULL,"
    " conversation TEXT NOT NULL, kind INTEGER NOT NULL DEFAULT 0,"
    " direction INTEGER NOT NULL DEFAULT 0, sender TEXT NOT NULL DEFAULT '',"
    " body TEXT, time INTEGER NOT NULL, local_time INTEGER NOT NULL,"
    " stanza_id TEXT, stanza_id_by TEXT, origin_id TEXT, message_id TEXT,"
    " state INTEGER NOT NULL DEFAULT 0, correction_of TEXT);"
    "CREATE INDEX messages_conversation ON messages (account, conversation, time, id);"
    "CREATE UNIQUE INDEX messages_stanza_id ON messages"
    "  (account, conversation, stanza_id, stanza_id_by) WHERE stanza_id IS NOT NULL;"
    "CREATE UNIQUE INDEX messages_origin_id ON messages"
    "  (account, conversation, origin_id, direction, sender)"
    "  WHERE origin_id IS NOT NULL;"
    "CREATE INDEX messages_message_id ON messages"
    "  (account, conversation, message_id) WHERE message_id IS NOT NULL;"
    "CREATE INDEX messages_archive ON messages"
    "  (account, stanza_id_by, time) WHERE stanza_id IS NOT NULL;"
    "CREATE INDEX messages_pending ON messages"
    "  (account, time, id) WHERE direction = 1 AND state = 1;"
    "PRAGMA user_version = 1;");
  exec_on (path, fill);
}

/* What a migrated store of make_v1_store (@n) must hold. */
static void
assert_migrated (FlintHistory *history, const char *path, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) last = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  FlintMessageRecord *newest;

  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==,
                   FLINT_HISTORY_SCHEMA_VERSION);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages"), ==, n);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM conversations"), ==,
                   N_CONVERSATIONS);
  g_assert_false (flint_history_needs_migration (path));
  g_assert_true (flint_history_check_integrity (history, &error));
  g_assert_no_error (error);

  /* Paging by the new integer keys: conversation c0 holds the multiples
   * of N_CONVERSATIONS, newest last. */
  last = flint_history_get_last (history, ACCOUNT, "c0@example.com", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->len, ==, 3);
  newest = last->pdata[2];
  g_assert_cmpint (newest->time, ==, (gint64) (n - n % N_CONVERSATIONS) * G_USEC_PER_SEC);

  /* The full-text index built by the migration finds old rows. */
  hits = flint_history_search (history, "crocodile", ACCOUNT, NULL, 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 20);
  g_assert_nonnull (strstr (((FlintMessageRecord *) hits->pdata[0])->body, "crocodile"));

  /* And dedup still knows them. */
  {
    g_autoptr (FlintMessageRecord) r = flint_message_record_copy (newest);
    gboolean inserted = TRUE;

    r->id = 0;
    flint_history_insert (history, r, &inserted, &error);
    g_assert_no_error (error);
    g_assert_false (inserted);
  }
}

/* ---- needs_migration ---------------------------------------------------- */

static void
test_needs_migration (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* Missing: a new store is made at once. */
  g_assert_false (flint_history_needs_migration (f->path));

  /* Not a database: flint_history_open() moves it aside at once. */
  g_file_set_contents (f->path, "not a database at all, just some text", -1, &error);
  g_assert_no_error (error);
  g_assert_false (flint_history_needs_migration (f->path));
  g_unlink (f->path);

  /* Written by a newer Flint. */
  exec_on (f->path, "CREATE TABLE t (x); PRAGMA user_version = 99;");
  g_assert_false (flint_history_needs_migration (f->path));
  g_unlink (f->path);

  /* An old one. */
  make_v1_store (f->path, 10);
  g_assert_true (flint_history_needs_migration (f->path));

  /* Current, after opening. */
  {
    g_autoptr (FlintHistory) history = flint_history_open (f->path, &error);

    g_assert_no_error (error);
    g_assert_false (flint_history_needs_migration (f->path));
  }
}

/* ---- the main loop keeps turning ---------------------------------------- */

#define TICK_MS 10

typedef struct
{
  GMainLoop *loop;
  FlintHistory *history;
  GError *error;
  guint ticks;
  gint64 last_tick;
  gint64 longest_gap;
} Turning;

static gboolean
on_tick (gpointer data)
{
  Turning *t = data;
  gint64 now = g_get_monotonic_time ();

  t->longest_gap = MAX (t->longest_gap, now - t->last_tick);
  t->last_tick = now;
  t->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
on_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  Turning *t = data;

  g_assert_null (source);
  t->history = flint_history_open_finish (result, &t->error);
  g_main_loop_quit (t->loop);
}

static void
test_async_migration (Fixture *f, gconstpointer data)
{
  guint n = GPOINTER_TO_UINT (data);
  Turning t = { g_main_loop_new (NULL, FALSE) };
  g_autoptr (FlintHistory) history = NULL;
  gint64 start, elapsed;
  guint tick_id;

  make_v1_store (f->path, n);
  g_assert_true (flint_history_needs_migration (f->path));

  start = t.last_tick = g_get_monotonic_time ();
  tick_id = g_timeout_add (TICK_MS, on_tick, &t);
  flint_history_open_async (f->path, NULL, on_opened, &t);
  g_main_loop_run (t.loop);
  elapsed = g_get_monotonic_time () - start;
  g_source_remove (tick_id);
  g_main_loop_unref (t.loop);

  g_assert_no_error (t.error);
  g_assert_nonnull (t.history);
  history = t.history;
  g_assert_null (flint_history_get_recovery_error (history));
  g_test_message (
    "migrated %u messages in %.2f s; %u ticks of %d ms, longest gap %.1f ms", n,
    elapsed / 1e6, t.ticks, TICK_MS, t.longest_gap / 1e3);

  /* The migration took long enough to mean something, and the loop kept
   * turning through it: ticks at least every few periods (the machine may
   * be loaded), never a stall of the migration's length. */
  g_assert_cmpint (elapsed, >, 20 * TICK_MS * 1000);
  g_assert_cmpuint (t.ticks, >=, elapsed / (TICK_MS * 1000) / 4);
  g_assert_cmpint (t.longest_gap, <, MAX (250000, elapsed / 4));

  assert_migrated (history, f->path, n);
}

/* ---- killed mid-migration ----------------------------------------------- */

static int
run_migrator (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = NULL;

  printf ("migrating\n");
  fflush (stdout);
  history = flint_history_open (path, &error);
  if (history == NULL)
    {
      fprintf (stderr, "open: %s\n", error->message);
      return 1;
    }
  printf ("done\n");
  fflush (stdout);
  return 0;
}

static void
test_kill_mid_migration (Fixture *f, gconstpointer data)
{
  guint n = GPOINTER_TO_UINT (data);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (FlintHistory) history = NULL;
  g_autofree char *line = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  Turning t = { g_main_loop_new (NULL, FALSE) };
  gint64 version;

  g_assert_nonnull (self_exe);
  make_v1_store (f->path, n);

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_exe, "--migrate",
                            f->path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "migrating");
  /* Well into the full-text rebuild of the first step. */
  g_usleep (400 * 1000);
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  /* It had not finished: else this test proves nothing. */
  rest = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (rest);

  /* The old store is intact and of an old version: each step is one
   * transaction, so the kill rolled the unfinished one back. */
  version = query_int (f->path, "PRAGMA user_version");
  g_test_message ("killed at schema version %" G_GINT64_FORMAT, version);
  g_assert_cmpint (version, >=, 1);
  g_assert_cmpint (version, <, FLINT_HISTORY_SCHEMA_VERSION);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM messages"), ==, n);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM pragma_integrity_check"
                                       " WHERE integrity_check != 'ok'"),
                   ==, 0);
  if (version == 1)
    g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM sqlite_master"
                                         " WHERE name = 'messages_fts'"),
                     ==, 0);
  g_assert_true (flint_history_needs_migration (f->path));

  /* The next start migrates again, to the end. */
  flint_history_open_async (f->path, NULL, on_opened, &t);
  g_main_loop_run (t.loop);
  g_main_loop_unref (t.loop);
  g_assert_no_error (t.error);
  history = t.history;
  g_assert_null (flint_history_get_backup_path (history));
  assert_migrated (history, f->path, n);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--migrate") == 0)
    return run_migrator (argv[2]);

  g_test_init (&argc, &argv, NULL);
  g_test_add ("/history-migrate/needs-migration", Fixture, NULL, fixture_setup,
              test_needs_migration, fixture_teardown);
  /* FLINT_TEST_MIGRATE_N=1000000 for the figure in tests/bench/RESULTS.md. */
  g_test_add ("/history-migrate/async-main-loop-turns", Fixture,
              GUINT_TO_POINTER (g_getenv ("FLINT_TEST_MIGRATE_N")
                                  ? atoi (g_getenv ("FLINT_TEST_MIGRATE_N"))
                                  : 60000),
              fixture_setup, test_async_migration, fixture_teardown);
  g_test_add ("/history-migrate/kill-mid-migration", Fixture, GUINT_TO_POINTER (150000),
              fixture_setup, test_kill_mid_migration, fixture_teardown);
  return g_test_run ();
}

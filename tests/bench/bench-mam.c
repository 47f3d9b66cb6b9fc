/* Times a MAM catch-up of 10,000 archived messages from a local Prosody:
 * the whole catch-up (from "online" to "catch-up-finished") and the
 * longest main-loop iteration during it (the time between two polls, so
 * the time the UI would be frozen at worst). For each of Prosody's storage
 * backends, "internal" (flat files: every query reads the whole archive
 * file) and "sql" (SQLite through lua-dbi-sqlite3, what a deployment uses;
 * installed when missing and running as root, else skipped with a line
 * saying so): once with Prosody's default page limit (50 per query), once
 * with the server allowing 250, and once allowing 1000 (Flint asks for
 * 1000). Flint's own CPU time (main thread and store worker) is printed
 * beside it, and where each page's time went, from flint-mam's "Archive
 * page timing" debug lines: the server (query sent to <fin/> received,
 * which includes receiving and parsing the results on the main thread)
 * and the store in the worker. FLINT_BENCH_MAM_STORAGE=internal|sql runs
 * one backend only; FLINT_BENCH_MAM_SERVER_OPTION adds one global line to
 * the server's configuration (e.g. "network_settings = { nagle = false }").
 *
 * The messages are sent by a peer logged in as alice to bob, who is
 * offline: they are alice's outgoing messages in her archive, and nothing
 * reaches alice's own session live. Only the catch-up is measured.
 *
 * Prints Markdown list items with their budgets; exits 1 if one is missed. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "flint-mam.h"
#include "flint-test-server.h"

#define N_MESSAGES 10000 /* FLINT_BENCH_MAM_N overrides it */
#define PER_RAW 100
#define BUDGET_S 10.0
#define BUDGET_ITERATION_MS 50.0

static Server server;
static gboolean missed_budget;

/* ---- where each page's time goes (flint-mam's debug lines) -------------- */

typedef struct
{
  guint pages;
  double server_ms, server_max_ms, server_first_ms, server_last_ms;
  double first_result_ms; /* summed: the server's lookup before sending */
  double queued_ms, queued_max_ms;
  double stored_ms, stored_max_ms;
} PageTimes;

static PageTimes page_times;

static void
take_page_timing (const char *message)
{
  guint n;
  double server_ms, first, queued, stored, back;

  if (sscanf (message,
              "Archive page timing: %u results; server %lf ms (first result %lf ms);"
              " queued %lf ms; stored in %lf ms; back on the main thread %lf ms",
              &n, &server_ms, &first, &queued, &stored, &back) != 6)
    return;
  if (page_times.pages == 0)
    page_times.server_first_ms = server_ms;
  page_times.pages++;
  page_times.server_ms += server_ms;
  page_times.server_max_ms = MAX (page_times.server_max_ms, server_ms);
  page_times.server_last_ms = server_ms;
  page_times.first_result_ms += first;
  page_times.queued_ms += queued;
  page_times.queued_max_ms = MAX (page_times.queued_max_ms, queued);
  page_times.stored_ms += stored;
  page_times.stored_max_ms = MAX (page_times.stored_max_ms, stored);
}

/* The core logs structured: one writer sees every message. */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if (g_strcmp0 (domain, "flint-mam") == 0 && message &&
      g_str_has_prefix (message, "Archive page timing"))
    {
      take_page_timing (message);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, data);
}

/* ---- the longest main-loop iteration ---------------------------------- */

static GPollFunc default_poll;
static gint64 left_poll;     /* when the last poll returned; 0: not measuring */
static gint64 max_iteration; /* longest time between a poll's return and the next */

static gint
timing_poll (GPollFD *fds, guint n_fds, gint timeout)
{
  gint64 now = g_get_monotonic_time ();
  gint ret;

  if (left_poll)
    max_iteration = MAX (max_iteration, now - left_poll);
  ret = default_poll (fds, n_fds, timeout);
  if (left_poll)
    left_poll = g_get_monotonic_time ();
  return ret;
}

/* ---- filling the archive ----------------------------------------------- */

static void
peer_wait_done (Peer *peer, const char *cmd, guint n)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\"", cmd);

  while (n > 0)
    {
      g_autofree char *line = peer_read_line (peer, 60000);

      if (line == NULL)
        g_error ("The peer stopped answering");
      if (strstr (line, "\"done\"") && strstr (line, needle))
        n--;
      else if (strstr (line, "\"error\""))
        g_error ("Peer error: %s", line);
    }
}

static void
fill_archive (const char *bob, const char *prefix, guint n)
{
  Peer *alice = peer_start (&server, "alice", "secret-a");

  for (guint i = 0; i < n; i += PER_RAW)
    {
      GString *line = g_string_new ("{\"cmd\": \"raw\", \"xml\": \"");

      for (guint j = i; j < MIN (n, i + PER_RAW); j++)
        g_string_append_printf (line,
                                "<message xmlns='jabber:client' to='%s' type='chat' "
                                "id='%s%u'><body>Message number %u of the benchmark, "
                                "about as long as a line of office chat.</body>"
                                "<origin-id xmlns='urn:xmpp:sid:0' id='%s%u'/></message>",
                                bob, prefix, j, j, prefix, j);
      g_string_append (line, "\"}");
      peer_command (alice, line->str);
      g_string_free (line, TRUE);
      /* A few commands ahead at most: the peer's queue stays short. */
      if ((i / PER_RAW) % 10 == 9)
        peer_wait_done (alice, "raw", 10);
    }
  if ((n / PER_RAW) % 10)
    peer_wait_done (alice, "raw", (n / PER_RAW) % 10);
  /* Every message has been handled once the server answers this. */
  peer_command (alice, "{\"cmd\": \"ping\", \"timeout\": 300}");
  peer_wait_done (alice, "ping", 1);
  peer_stop (alice);
}

/* ---- one catch-up ------------------------------------------------------- */

typedef struct
{
  guint finished;
  guint pages;
  guint stored;
  gint64 online_at;
  double cpu_at; /* our CPU seconds at online */
} Run;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static void
on_online (FlintSession *session, gboolean resumed, Run *run)
{
  run->online_at = g_get_monotonic_time ();
  run->cpu_at = cpu_seconds ();
  left_poll = run->online_at;
  max_iteration = 0;
}

static void
on_finished (FlintMam *mam, Run *run)
{
  run->finished++;
}

static void
on_page (FlintMam *mam, guint n_inserted, Run *run)
{
  run->pages++;
  run->stored += n_inserted;
}

static gboolean
run_finished (gpointer data)
{
  return ((Run *) data)->finished > 0;
}

/* Catches up alice's history at @db and returns the messages it stored. */
static guint
catch_up (const char *db, const char *what, gboolean measure, guint page_size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = flint_history_open (db, &error);
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autoptr (FlintMam) mam = NULL;
  Run run = { 0 };
  gint64 elapsed;
  double seconds, iteration_ms, cpu;

  g_assert_no_error (error);
  mam = flint_mam_new (session, history);
  if (page_size)
    flint_mam_set_page_size (mam, page_size);
  memset (&page_times, 0, sizeof page_times);
  g_signal_connect (session, "online", G_CALLBACK (on_online), &run);
  g_signal_connect (mam, "catch-up-finished", G_CALLBACK (on_finished), &run);
  g_signal_connect (mam, "page-stored", G_CALLBACK (on_page), &run);
  flint_session_connect (session);
  if (!wait_until (run_finished, &run, 120000))
    g_error ("The catch-up did not finish");
  elapsed = g_get_monotonic_time () - run.online_at;
  cpu = cpu_seconds () - run.cpu_at;
  left_poll = 0;
  flint_session_disconnect (session);
  spin (100);
  if (!measure)
    return run.stored;

  seconds = elapsed / 1e6;
  iteration_ms = max_iteration / 1e3;
  printf ("- MAM catch-up of %u messages, %s: %.2f s in %u pages (%.0f messages/s; "
          "budget %.0f s)%s\n",
          run.stored, what, seconds, run.pages, run.stored / seconds, BUDGET_S,
          seconds > BUDGET_S ? " **MISSED**" : "");
  printf ("- Flint's CPU time in it (main thread and store worker): %.2f s\n", cpu);
  if (page_times.pages > 0)
    {
      PageTimes *t = &page_times;

      printf ("- per page (%u): server, query to <fin/>, %.1f ms on average (first page "
              "%.1f, last %.1f, longest %.1f), %.2f s in all, of which %.1f ms on "
              "average before the first result; the worker stored a page in %.1f ms on "
              "average (longest %.1f), %.2f s in all; a page waited for the worker %.1f "
              "ms on average (longest %.1f)\n",
              t->pages, t->server_ms / t->pages, t->server_first_ms, t->server_last_ms,
              t->server_max_ms, t->server_ms / 1e3, t->first_result_ms / t->pages,
              t->stored_ms / t->pages, t->stored_max_ms, t->stored_ms / 1e3,
              t->queued_ms / t->pages, t->queued_max_ms);
    }
  printf ("- longest main-loop iteration during it: %.1f ms (budget %.0f ms)%s\n",
          iteration_ms, BUDGET_ITERATION_MS,
          iteration_ms > BUDGET_ITERATION_MS ? " **MISSED**" : "");
  if (seconds > BUDGET_S || iteration_ms > BUDGET_ITERATION_MS)
    missed_budget = TRUE;
  return run.stored;
}

/* Adds a global option line to the server's configuration and restarts it. */
static void
set_server_option (const char *setting)
{
  g_autofree char *config = g_build_filename (server.workdir, "prosody.cfg.lua", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GString) edited = NULL;
  g_autoptr (GError) error = NULL;
  const char *host;

  g_file_get_contents (config, &text, NULL, &error);
  g_assert_no_error (error);
  /* A global option: it must come before the first VirtualHost. */
  host = strstr (text, "\nVirtualHost");
  g_assert_nonnull (host);
  edited = g_string_new_len (text, host - text + 1);
  g_string_append_printf (edited, "%s\n", setting);
  g_string_append (edited, host + 1);
  g_file_set_contents (config, edited->str, -1, &error);
  g_assert_no_error (error);
  server_do (&server, "prosody-restart");
}

static void
remove_db (const char *db)
{
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_remove (db);
  g_remove (wal);
  g_remove (shm);
}

/* Prosody's SQL storage needs the Lua DBI SQLite driver (Debian:
 * lua-dbi-sqlite3). Installed here when missing and running as root. */
static gboolean
sql_storage_ready (void)
{
  static const char *const drivers[] = {
    "/usr/lib/x86_64-linux-gnu/lua/5.4/dbd/sqlite3.so",
    "/usr/lib/aarch64-linux-gnu/lua/5.4/dbd/sqlite3.so",
    "/usr/local/lib/lua/5.4/dbd/sqlite3.so",
  };
  const char *apt[] = { "apt-get", "install", "-y", "-q", "lua-dbi-sqlite3", NULL };
  int status = 0;

  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (drivers); i++)
        if (g_file_test (drivers[i], G_FILE_TEST_EXISTS))
          return TRUE;
      if (round > 0 || getuid () != 0)
        break;
      fprintf (stderr, "Installing lua-dbi-sqlite3 for Prosody's SQL storage\n");
      if (!g_spawn_sync (NULL, (char **) apt, NULL,
                         G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                         NULL, NULL, &status, NULL) ||
          !g_spawn_check_wait_status (status, NULL))
        break;
    }
  return FALSE;
}

typedef struct
{
  const char *name;
  const char *server_option; /* NULL: Prosody's default (50 per query) */
  guint page_size;           /* what Flint asks for; 0: its default (1000) */
} Pass;

static const Pass passes[] = {
  { "Prosody's default limit of 50 per page", NULL, 0 },
  { "server allowing 250 per page", "max_archive_query_results = 250", 0 },
  { "server allowing 1000 per page (Flint's page size)",
    "max_archive_query_results = 1000", 0 },
};

/* All passes against one Prosody with @storage. */
static void
run_storage (const char *storage, const char *dir, guint n_messages)
{
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *db = g_build_filename (dir, "history.db", NULL);
  g_autofree char *seed_db = g_build_filename (dir, "seed.db", NULL);
  g_autofree char *bob = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *cursor_copy = NULL;
  g_autofree char *seed_cursor = NULL;
  /* Prosody's SQLite file on tmpfs where there is one: filling the
   * archive costs fsyncs for every message (several transactions each),
   * minutes on a busy disk; the catch-up measured only reads it. */
  g_autofree char *sql_db =
    g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR)
      ? g_strdup_printf ("/dev/shm/flint-bench-mam-%d.sqlite", (int) getpid ())
      : NULL;
  const char *extra[] = { "--storage", storage, sql_db ? "--sql-database" : NULL, sql_db,
                          NULL };
  guint stored;

  if (!g_str_equal (storage, "sql"))
    g_clear_pointer (&sql_db, g_free);
  extra[2] = sql_db ? "--sql-database" : NULL;
  extra[3] = sql_db;
  printf ("\n### Prosody with storage = \"%s\"%s\n\n", storage,
          sql_db ? " (its SQLite file on tmpfs)" : "");
  fflush (stdout);
  server_start_full (&server, TRUE, extra);
  /* Prosody keeps at most 10,000 items per archive by default. */
  set_server_option ("storage_archive_item_limit = 100000");
  if (g_getenv ("FLINT_BENCH_MAM_SERVER_OPTION"))
    set_server_option (g_getenv ("FLINT_BENCH_MAM_SERVER_OPTION"));
  bob = g_strdup_printf ("bob@%s", server.domain);

  /* A first session stores one message, so the catch-ups measured below
   * go forward from it (a fresh install would take only the newest 500). */
  fill_archive (bob, "seed", 1);
  catch_up (seed_db, NULL, FALSE, 0);
  cursor = g_build_filename (data, "flint", NULL);
  cursor_copy = g_build_filename (dir, "seed-cursor", NULL);
  seed_cursor = g_strdup_printf ("%s/mam-alice@%s.ini", cursor, server.domain);

  fill_archive (bob, "m", n_messages);

  for (guint pass = 0; pass < G_N_ELEMENTS (passes); pass++)
    {
      g_autoptr (GFile) from = g_file_new_for_path (seed_db);
      g_autoptr (GFile) to = g_file_new_for_path (db);
      g_autoptr (GError) error = NULL;

      /* Each pass starts from the seeded store and its cursor. */
      remove_db (db);
      g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      if (pass == 0)
        {
          g_autoptr (GFile) c1 = g_file_new_for_path (seed_cursor);
          g_autoptr (GFile) c2 = g_file_new_for_path (cursor_copy);
          g_file_copy (c1, c2, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
        }
      else
        {
          g_autoptr (GFile) c1 = g_file_new_for_path (cursor_copy);
          g_autoptr (GFile) c2 = g_file_new_for_path (seed_cursor);
          g_file_copy (c1, c2, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
        }
      g_assert_no_error (error);
      if (passes[pass].server_option)
        set_server_option (passes[pass].server_option);
      stored = catch_up (db, passes[pass].name, TRUE, passes[pass].page_size);
      if (stored != n_messages)
        {
          printf ("- stored %u messages instead of %u **FAILED**\n", stored, n_messages);
          missed_budget = TRUE;
        }
      fflush (stdout);
    }

  server_do (&server, "prosody-stop");
  remove_tree (server.workdir);
  g_clear_pointer (&server.workdir, g_free);
  g_clear_pointer (&server.domain, g_free);
  g_clear_pointer (&server.cert_sha256, g_free);
  if (sql_db)
    {
      remove_db (sql_db);
    }
  remove_db (db);
  remove_db (seed_db);
  g_remove (seed_cursor);
  g_remove (cursor_copy);
  g_rmdir (cursor);
  g_rmdir (data);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-bench-mam-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  const char *only = g_getenv ("FLINT_BENCH_MAM_STORAGE");
  guint n_messages = N_MESSAGES;

  if (g_getenv ("FLINT_BENCH_MAM_N"))
    n_messages = (guint) g_ascii_strtoull (g_getenv ("FLINT_BENCH_MAM_N"), NULL, 10);

  /* Before anything reads it: cursor files go to the throwaway dir. */
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  default_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, timing_poll);
  g_log_set_writer_func (log_writer, NULL, NULL);

  if (only == NULL || g_str_equal (only, "internal"))
    run_storage ("internal", dir, n_messages);
  if (only == NULL || g_str_equal (only, "sql"))
    {
      if (sql_storage_ready ())
        run_storage ("sql", dir, n_messages);
      else
        printf ("\n### Prosody with storage = \"sql\": skipped, the Lua DBI SQLite "
                "driver is missing (apt-get install lua-dbi-sqlite3)\n");
    }

  g_rmdir (dir);
  return missed_budget ? 1 : 0;
}

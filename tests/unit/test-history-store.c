/* The store under maintenance: inserts that stay cheap after PRAGMA
 * optimize has recorded the statistics of a small table; deleting from the
 * history: clearing one conversation and the retention rule, directly and
 * through the worker jobs. After each, search must no
 * longer find the deleted text (the FTS rows went with the messages), the
 * other conversations must be intact and the file must pass SQLite's and
 * FTS5's integrity checks. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "flint-history-jobs.h"
#include "flint-history.h"

#define ACCOUNT "me@example.com"
#define ALICE "alice@example.com"
#define BOB "bob@example.com"
#define HOUR (G_USEC_PER_SEC * (gint64) 3600)
#define T0 (G_USEC_PER_SEC * (gint64) 1767607200)

typedef struct
{
  char *dir;
  char *path;
  FlintHistory *history;
} Fixture;

static void
remove_file_set (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("flint-history-delete-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (f->path, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->history);
  remove_file_set (f->path);
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->path);
  g_free (f->dir);
}

/* @n messages with @conversation, one an hour from @start, bodies
 * "WORD-i" so search can look for WORD. */
static void
fill (Fixture *f, const char *conversation, const char *word, guint n, gint64 start)
{
  g_autoptr (GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GError) error = NULL;
  guint inserted = 0;

  for (guint i = 0; i < n; i++)
    {
      FlintMessageRecord *r = flint_message_record_new ();

      r->account = g_strdup (ACCOUNT);
      r->conversation = g_strdup (conversation);
      r->direction = i % 2 ? FLINT_DIRECTION_OUTGOING : FLINT_DIRECTION_INCOMING;
      r->sender = g_strdup (i % 2 ? ACCOUNT : conversation);
      r->body = g_strdup_printf ("%s number %u", word, i);
      r->time = r->local_time = start + i * HOUR;
      r->message_id = g_strdup_printf ("%s-%u", word, i);
      r->state = i % 2 ? FLINT_DELIVERY_SENT : FLINT_DELIVERY_RECEIVED;
      g_ptr_array_add (records, r);
    }
  flint_history_insert_batch (f->history, records, &inserted, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (inserted, ==, n);
}

static guint
count (Fixture *f, const char *conversation)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all =
    flint_history_get_last (f->history, ACCOUNT, conversation, 100000, &error);

  g_assert_no_error (error);
  return all->len;
}

static guint
hits (Fixture *f, const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found =
    flint_history_search (f->history, query, ACCOUNT, NULL, 10000, &error);

  g_assert_no_error (error);
  return found->len;
}

static void
assert_intact (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flint_history_check_integrity (f->history, &error));
  g_assert_no_error (error);
}

static void
test_delete_conversation (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint deleted = 0, total = 0;

  fill (f, ALICE, "apple", 1234, T0);
  fill (f, BOB, "banana", 50, T0);
  g_assert_cmpuint (hits (f, "apple"), ==, 1234);

  /* What was stored after the clear began stays (fill() stores message i
   * at T0 + i hours). */
  g_assert_true (flint_history_delete_conversation (f->history, ACCOUNT, ALICE,
                                                    T0 + 10 * HOUR, 0, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 10);
  g_assert_cmpuint (count (f, ALICE), ==, 1224);
  g_assert_cmpuint (hits (f, "apple"), ==, 1224);
  total = 10;

  /* In batches, as the worker does. */
  do
    {
      g_assert_true (flint_history_delete_conversation (
        f->history, ACCOUNT, ALICE, G_MAXINT64, 500, &deleted, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (deleted, <=, 500);
      total += deleted;
    }
  while (deleted > 0);
  g_assert_cmpuint (total, ==, 1234);
  g_assert_cmpuint (count (f, ALICE), ==, 0);
  g_assert_cmpuint (hits (f, "apple"), ==, 0);
  g_assert_cmpuint (count (f, BOB), ==, 50);
  g_assert_cmpuint (hits (f, "banana"), ==, 50);
  assert_intact (f);

  /* A conversation never stored: nothing to do, no error. */
  g_assert_true (flint_history_delete_conversation (f->history, ACCOUNT, "nobody@x.org",
                                                    G_MAXINT64, 0, &deleted, &error));
  g_assert_cmpuint (deleted, ==, 0);

  /* The conversation takes new messages afterwards, findable again. */
  fill (f, ALICE, "cherry", 3, T0 + 5000 * HOUR);
  g_assert_cmpuint (count (f, ALICE), ==, 3);
  g_assert_cmpuint (hits (f, "cherry"), ==, 3);
  g_assert_cmpuint (hits (f, "apple"), ==, 0);
}

static void
test_delete_older_than (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) pending = flint_message_record_new ();
  g_autoptr (GPtrArray) left = NULL;
  guint deleted = 0, total = 0;

  fill (f, ALICE, "apple", 100, T0); /* T0 .. T0 + 99 h */
  fill (f, BOB, "banana", 100, T0 + 50 * HOUR);
  /* An old message still waiting to be sent is kept. */
  pending->account = g_strdup (ACCOUNT);
  pending->conversation = g_strdup (BOB);
  pending->direction = FLINT_DIRECTION_OUTGOING;
  pending->sender = g_strdup (ACCOUNT);
  pending->body = g_strdup ("unsent words");
  pending->time = pending->local_time = T0 - HOUR;
  pending->origin_id = g_strdup ("pending-1");
  pending->state = FLINT_DELIVERY_PENDING;
  flint_history_insert (f->history, pending, NULL, &error);
  g_assert_no_error (error);

  do
    {
      g_assert_true (flint_history_delete_older_than (f->history, T0 + 60 * HOUR, 7,
                                                      &deleted, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (deleted, <=, 7);
      total += deleted;
    }
  while (deleted > 0);
  /* apple 0..59 and banana 0..9 */
  g_assert_cmpuint (total, ==, 70);
  g_assert_cmpuint (count (f, ALICE), ==, 40);
  g_assert_cmpuint (count (f, BOB), ==, 91);
  g_assert_cmpuint (hits (f, "apple"), ==, 40);
  g_assert_cmpuint (hits (f, "banana"), ==, 90);
  g_assert_cmpuint (hits (f, "unsent"), ==, 1);
  left = flint_history_get_last (f->history, ACCOUNT, ALICE, 1000, &error);
  for (guint i = 0; i < left->len; i++)
    g_assert_cmpint (((FlintMessageRecord *) left->pdata[i])->time, >=, T0 + 60 * HOUR);
  assert_intact (f);
}

typedef struct
{
  gboolean done;
  guint deleted;
  GError *error;
} Wait;

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *w = data;

  flint_history_jobs_finish (result, &w->deleted, &w->error);
  w->done = TRUE;
}

static void
wait_job (Wait *w)
{
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w->error);
}

/* The worker jobs open their own connection; this one sees the result. */
static void
test_jobs (Fixture *f, gconstpointer data)
{
  Wait clear = { 0 }, expire = { 0 };

  fill (f, ALICE, "apple", 1200, T0);
  fill (f, BOB, "banana", 1200, T0);

  flint_history_clear_conversation_async (f->path, ACCOUNT, ALICE, G_MAXINT64, NULL,
                                          on_done, &clear);
  wait_job (&clear);
  g_assert_cmpuint (clear.deleted, ==, 1200);
  g_assert_cmpuint (count (f, ALICE), ==, 0);
  g_assert_cmpuint (hits (f, "apple"), ==, 0);

  flint_history_expire_async (f->path, T0 + 1000 * HOUR, NULL, on_done, &expire);
  wait_job (&expire);
  g_assert_cmpuint (expire.deleted, ==, 1000);
  g_assert_cmpuint (count (f, BOB), ==, 200);
  g_assert_cmpuint (hits (f, "banana"), ==, 200);
  assert_intact (f);
}

/* A store closed with one message has statistics (PRAGMA optimize runs at
 * close) that say the table is tiny. An insert must not then plan a scan
 * of the table: the MAM catch-up's time per page grew with the store
 * (O(n) per insert) because the insert's running-maximum subquery scanned
 * an index and sorted it. Inserting 4,000 more must take about the same
 * time per batch at the end as at the start. */
static void
test_insert_after_optimize (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 first = 0, last = 0;

  fill (f, ALICE, "seed", 1, T0);
  g_clear_object (&f->history);
  /* As PRAGMA optimize would: make sure the statistics are there. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "ANALYZE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_stat1", -1, &stmt, NULL), ==,
    SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), >, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  f->history = flint_history_open (f->path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *word = g_strdup_printf ("w%u", i);
      gint64 start = g_get_monotonic_time ();

      fill (f, BOB, word, 100, T0 + i * 100 * HOUR);
      if (i < 5)
        first += g_get_monotonic_time () - start;
      else if (i >= 35)
        last += g_get_monotonic_time () - start;
    }
  g_test_message ("first 5 batches %.1f ms, last 5 %.1f ms", first / 1e3, last / 1e3);
  /* Linear growth would make the last batches ~20 times slower. */
  g_assert_cmpint (last, <, 4 * first + 10000);
  g_assert_cmpuint (count (f, BOB), ==, 4000);
}

static FlintMessageRecord *
incoming (const char *account, const char *id, gint64 time)
{
  FlintMessageRecord *r = flint_message_record_new ();

  r->account = g_strdup (account);
  r->conversation = g_strdup (ALICE);
  r->sender = g_strdup (ALICE);
  r->body = g_strdup_printf ("held %s", id);
  r->time = r->local_time = time;
  r->message_id = g_strdup (id);
  r->state = FLINT_DELIVERY_RECEIVED;
  return r;
}

/* What another connection (the search worker, the next start) sees. */
static guint
count_from_outside (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) other = flint_history_open (f->path, &error);
  g_autoptr (GPtrArray) all = NULL;

  g_assert_no_error (error);
  all = flint_history_get_last (other, ACCOUNT, ALICE, 1000, &error);
  g_assert_no_error (error);
  return all->len;
}

static void
insert_ok (Fixture *f, FlintMessageRecord *r, gboolean expect_new)
{
  g_autoptr (GError) error = NULL;
  gboolean inserted = !expect_new;

  g_assert_true (flint_history_insert (f->history, r, &inserted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (inserted, ==, expect_new);
  g_assert_cmpint (r->id, >, 0);
}

/* A burst read from the server in one go (flint_history_hold) is one
 * transaction: readable on the same handle at once, durable and visible
 * elsewhere at the last release, a duplicate in it found, and a write that
 * fails undoes itself only. */
static void
test_hold (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) bad = incoming (NULL, "bad", T0 + 50);
  guint n;

  /* A hold with nothing written commits nothing and fails nothing. */
  flint_history_hold (f->history);
  g_assert_true (flint_history_release (f->history, &error));
  g_assert_no_error (error);

  flint_history_hold (f->history);
  flint_history_hold (f->history);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", i);
      g_autoptr (FlintMessageRecord) r = incoming (ACCOUNT, id, T0 + i);

      insert_ok (f, r, TRUE);
    }
  {
    g_autoptr (FlintMessageRecord) again = incoming (ACCOUNT, "m2", T0 + 2);

    insert_ok (f, again, FALSE);
  }
  /* No account: the insert fails, and only it is undone. */
  g_assert_false (flint_history_insert (f->history, bad, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (bad->id, ==, 0);
  /* A batch whose last record fails: its earlier rows are undone with it,
   * and no full-text entry is written for them at the commit. */
  {
    g_autoptr (GPtrArray) batch =
      g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);

    g_ptr_array_add (batch, incoming (ACCOUNT, "b0", T0 + 40));
    g_ptr_array_add (batch, incoming (ACCOUNT, "b1", T0 + 41));
    g_ptr_array_add (batch, incoming (NULL, "b2", T0 + 42));
    g_assert_false (flint_history_insert_batch (f->history, batch, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    g_autoptr (FlintMessageRecord) r = incoming (ACCOUNT, "m5", T0 + 5);

    insert_ok (f, r, TRUE);
  }
  g_assert_true (flint_history_set_state (f->history, ACCOUNT, ALICE, "m0",
                                          FLINT_DELIVERY_READ, &error));
  g_assert_no_error (error);
  /* A correction of a message stored in the same hold: its full-text entry
   * is written before the correction rewrites it. */
  {
    g_autoptr (FlintMessageRecord) fix = incoming (ACCOUNT, "fix-m1", T0 + 7);
    gboolean applied = FALSE;

    g_free (fix->body);
    fix->body = g_strdup ("corrected text");
    fix->correction_of = g_strdup ("m1");
    g_assert_true (flint_history_apply_correction (f->history, fix, &applied, &error));
    g_assert_no_error (error);
    g_assert_true (applied);
  }
  g_assert_cmpuint (count (f, ALICE), ==, 6);
  g_assert_cmpuint (count_from_outside (f), ==, 0);

  /* The inner release leaves the transaction open. */
  g_assert_true (flint_history_release (f->history, &error));
  g_assert_cmpuint (count_from_outside (f), ==, 0);
  g_assert_true (flint_history_release (f->history, &error));
  g_assert_no_error (error);
  n = count_from_outside (f);
  g_assert_cmpuint (n, ==, 6);
  assert_intact (f);
  g_assert_cmpuint (hits (f, "held"), ==, 5);
  g_assert_cmpuint (hits (f, "corrected"), ==, 1);

  /* Outside a hold, every insert commits on its own again. */
  {
    g_autoptr (FlintMessageRecord) r = incoming (ACCOUNT, "m6", T0 + 6);

    insert_ok (f, r, TRUE);
  }
  g_assert_cmpuint (count_from_outside (f), ==, 7);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/history-store/insert-after-optimize", Fixture, NULL, setup,
              test_insert_after_optimize, teardown);
  g_test_add ("/history-store/conversation", Fixture, NULL, setup,
              test_delete_conversation, teardown);
  g_test_add ("/history-store/older-than", Fixture, NULL, setup, test_delete_older_than,
              teardown);
  g_test_add ("/history-store/jobs", Fixture, NULL, setup, test_jobs, teardown);
  g_test_add ("/history-store/hold", Fixture, NULL, setup, test_hold, teardown);
  return g_test_run ();
}

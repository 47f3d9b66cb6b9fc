#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "flint-error.h"
#include "flint-history.h"

#define ACCOUNT "me@example.com"
#define ALICE "alice@example.com"
#define BOB "bob@example.com"
#define ROOM "team@rooms.example.com"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("flint-history-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "history.db", NULL);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_assert_false (g_file_test (f->dir, G_FILE_TEST_EXISTS));
  g_free (f->dir);
  g_free (f->path);
}

static FlintHistory *
open_ok (const char *path)
{
  g_autoptr (GError) error = NULL;
  FlintHistory *history = flint_history_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (history);
  g_assert_null (flint_history_get_recovery_error (history));
  return history;
}

static FlintMessageRecord *
make (const char *conversation,
      FlintDirection direction,
      const char *sender,
      const char *body,
      gint64 time)
{
  FlintMessageRecord *r = flint_message_record_new ();

  r->account = g_strdup (ACCOUNT);
  r->conversation = g_strdup (conversation);
  r->kind = FLINT_MESSAGE_KIND_CHAT;
  r->direction = direction;
  r->sender = g_strdup (sender);
  r->body = g_strdup (body);
  r->time = time;
  r->state = direction == FLINT_DIRECTION_OUTGOING ? FLINT_DELIVERY_PENDING
                                                   : FLINT_DELIVERY_RECEIVED;
  return r;
}

static gboolean
insert (FlintHistory *history, FlintMessageRecord *r)
{
  g_autoptr (GError) error = NULL;
  gboolean inserted = FALSE;

  g_assert_true (flint_history_insert (history, r, &inserted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r->id, >, 0);
  return inserted;
}

static gint64
count_rows (const char *path, const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM messages %s", where);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static char *
query_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
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

/* The name of the one file in dir starting with prefix, or NULL. */
static char *
find_file (const char *dir, const char *prefix)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      {
        g_assert_null (found);
        found = g_build_filename (dir, name, NULL);
      }
  g_dir_close (d);
  return found;
}

/* Schema */

static void
test_schema (Fixture *f, gconstpointer data)
{
  g_autofree char *nested = g_build_filename (f->dir, "a", "flint", "history.db", NULL);
  g_autofree char *nested_dir = g_path_get_dirname (nested);
  g_autoptr (FlintHistory) history = open_ok (nested);
  g_autofree char *version = NULL, *mode = NULL, *fts = NULL, *tokenize = NULL;
  GStatBuf st;

  g_assert_cmpstr (flint_history_get_path (history), ==, nested);
  g_assert_cmpint (g_stat (nested_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  version = query_text (nested, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (FLINT_HISTORY_SCHEMA_VERSION));
  mode = query_text (nested, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  fts = query_text (nested, "SELECT name FROM sqlite_master WHERE name = 'messages_fts'");
  g_assert_cmpstr (fts, ==, "messages_fts");
  tokenize =
    query_text (nested, "SELECT sql FROM sqlite_master WHERE name = 'messages_fts'");
  g_assert_nonnull (strstr (tokenize, "remove_diacritics 2"));
  g_assert_cmpint (count_rows (nested, ""), ==, 0);

  /* Reopening an up-to-date file changes nothing. */
  g_clear_object (&history);
  history = open_ok (nested);
  g_clear_pointer (&version, g_free);
  version = query_text (nested, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (FLINT_HISTORY_SCHEMA_VERSION));
}

static void
test_migrate_empty_file (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = NULL;
  g_autoptr (FlintMessageRecord) r = NULL;
  g_autofree char *version = NULL;

  g_assert_true (g_file_set_contents (f->path, "", 0, &error));
  history = open_ok (f->path);
  version = query_text (f->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (FLINT_HISTORY_SCHEMA_VERSION));

  r = make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "hello", 1000);
  g_assert_true (insert (history, r));
  g_assert_null (find_file (f->dir, "history.db.corrupt"));
}

/* A frozen copy of schema version 1 (no full-text index), as a Flint of
 * that version left it. */
static void
test_migrate_v1 (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GPtrArray) last = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *version = NULL;

  exec_on (
    f->path,
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
    "INSERT INTO messages (account, conversation, sender, body, time, local_time,"
    " message_id) VALUES"
    " ('" ACCOUNT "', '" ALICE "', '" ALICE "', 'old crocodile', 10, 10, 'm1'),"
    " ('" ACCOUNT "', '" ALICE "', '" ALICE "', 'old giraffe', 20, 20, 'm2');"
    "PRAGMA user_version = 1;");

  history = open_ok (f->path);
  version = query_text (f->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (FLINT_HISTORY_SCHEMA_VERSION));

  /* Rows from version 1 are kept and indexed for search. */
  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->len, ==, 2);
  found = flint_history_search (history, "crocodile", ACCOUNT, NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((FlintMessageRecord *) found->pdata[0])->body, ==, "old crocodile");

  /* And dedup still knows them. */
  {
    g_autoptr (FlintMessageRecord) r =
      make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "old giraffe", 20);

    r->message_id = g_strdup ("m2");
    g_assert_false (insert (history, r));
  }
}

/* A frozen copy of schema version 2 (text-keyed indexes, the FTS insert
 * trigger), filled through its own triggers as a Flint of that version
 * left it. */
static void
test_migrate_v2 (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GPtrArray) last = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *trigger = NULL;
  g_autofree char *n_conversations = NULL;
  g_autofree char *bad_time_max = NULL;
  g_autofree char *n_indexed = NULL;
  g_autofree char *integrity = NULL;
  gboolean applied = FALSE;

  exec_on (
    f->path,
    "PRAGMA journal_mode = WAL;"
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
    "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
    "  body, content='messages', content_rowid='id',"
    "  tokenize='unicode61 remove_diacritics 2', prefix='2 3');"
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
    "  INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);"
    "END;"
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
    "  INSERT INTO messages_fts (messages_fts, rowid, body)"
    "    VALUES ('delete', old.id, old.body);"
    "END;"
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN"
    "  INSERT INTO messages_fts (messages_fts, rowid, body)"
    "    VALUES ('delete', old.id, old.body);"
    "  INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);"
    "END;"
    /* Times out of id order, as a MAM catch-up leaves them. */
    "INSERT INTO messages (account, conversation, direction, sender, body, time,"
    " local_time, stanza_id, stanza_id_by, origin_id, message_id, state) VALUES"
    " ('" ACCOUNT "', '" ALICE "', 0, '" ALICE "', 'old crocodile', 30, 30,"
    "  's1', '" ACCOUNT "', NULL, 'm1', 0),"
    " ('" ACCOUNT "', '" ALICE "', 0, '" ALICE "', 'old crocus', 10, 10,"
    "  's2', '" ACCOUNT "', 'o2', 'o2', 0),"
    " ('" ACCOUNT "', '" BOB "', 0, '" BOB "', 'crocodile tears', 20, 20,"
    "  NULL, NULL, NULL, 'm3', 0),"
    " ('" ACCOUNT "', '" BOB "', 1, '" ACCOUNT "', 'see you later', 40, 40,"
    "  NULL, NULL, 'o4', 'o4', 1),"
    " ('other@example.com', '" ALICE "', 0, '" ALICE "', 'crocodile elsewhere', 50, 50,"
    "  NULL, NULL, NULL, 'm1', 0);"
    "PRAGMA user_version = 2;");

  history = open_ok (f->path);
  version = query_text (f->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (FLINT_HISTORY_SCHEMA_VERSION));
  g_assert_cmpint (FLINT_HISTORY_SCHEMA_VERSION, ==, 4);
  {
    g_autofree char *file_column = query_text (
      f->path, "SELECT count(*) FROM pragma_table_info ('messages') WHERE name = 'file'");
    g_assert_cmpstr (file_column, ==, "1");
  }
  n_conversations = query_text (f->path, "SELECT count(*) FROM conversations");
  g_assert_cmpstr (n_conversations, ==, "3");
  g_assert_cmpint (count_rows (f->path, "WHERE conversation_id IS NULL"), ==, 0);
  g_assert_cmpint (count_rows (f->path, "m WHERE m.conversation_id != (SELECT c.id"
                                        " FROM conversations c WHERE c.account ="
                                        " m.account AND c.jid = m.conversation)"),
                   ==, 0);
  /* time_max is the running maximum of time in id order. */
  bad_time_max =
    query_text (f->path, "SELECT count(*) FROM messages m WHERE m.time_max !="
                         " (SELECT max (p.time) FROM messages p WHERE p.id <= m.id)");
  g_assert_cmpstr (bad_time_max, ==, "0");
  trigger = query_text (f->path, "SELECT name FROM sqlite_master"
                                 " WHERE name = 'messages_fts_insert'");
  g_assert_null (trigger);

  /* Rows from version 2 are kept, in (time, id) order. */
  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->len, ==, 2);
  g_assert_cmpstr (((FlintMessageRecord *) last->pdata[0])->body, ==, "old crocus");
  g_assert_cmpstr (((FlintMessageRecord *) last->pdata[1])->body, ==, "old crocodile");

  /* Their search index still works: newest first, by account and
   * conversation, whole words and prefixes. */
  found = flint_history_search (history, "croc", ACCOUNT, NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 3);
  g_assert_cmpstr (((FlintMessageRecord *) found->pdata[0])->body, ==, "old crocodile");
  g_assert_cmpstr (((FlintMessageRecord *) found->pdata[1])->body, ==, "crocodile tears");
  g_assert_cmpstr (((FlintMessageRecord *) found->pdata[2])->body, ==, "old crocus");
  g_clear_pointer (&found, g_ptr_array_unref);
  found = flint_history_search (history, "crocodile ", ACCOUNT, BOB, 10, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((FlintMessageRecord *) found->pdata[0])->body, ==, "crocodile tears");
  g_clear_pointer (&found, g_ptr_array_unref);
  found =
    flint_history_search (history, "crocodile", "other@example.com", NULL, 10, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Dedup still knows them: by stanza-id, by origin-id, by message id. */
  {
    g_autoptr (FlintMessageRecord) r =
      make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "old crocodile", 30);

    r->stanza_id = g_strdup ("s1");
    r->stanza_id_by = g_strdup (ACCOUNT);
    g_assert_false (insert (history, r));
  }
  {
    g_autoptr (FlintMessageRecord) r =
      make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "old crocus", 10);

    r->origin_id = g_strdup ("o2");
    g_assert_false (insert (history, r));
  }
  {
    g_autoptr (FlintMessageRecord) r =
      make (BOB, FLINT_DIRECTION_INCOMING, BOB, "crocodile tears", 20);

    r->message_id = g_strdup ("m3");
    g_assert_false (insert (history, r));
  }

  /* Pending and receipts. */
  pending = flint_history_get_pending (history, ACCOUNT);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpstr (((FlintMessageRecord *) pending->pdata[0])->body, ==, "see you later");
  g_assert_true (
    flint_history_set_state (history, ACCOUNT, BOB, "o4", FLINT_DELIVERY_ACKED, &error));
  g_clear_pointer (&pending, g_ptr_array_unref);
  pending = flint_history_get_pending (history, ACCOUNT);
  g_assert_cmpuint (pending->len, ==, 0);

  /* A correction of an old row reaches the search index. */
  {
    g_autoptr (FlintMessageRecord) fix =
      make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "old alligator", 60);

    fix->correction_of = g_strdup ("m1");
    g_assert_true (flint_history_apply_correction (history, fix, &applied, &error));
    g_assert_no_error (error);
    g_assert_true (applied);
  }
  found = flint_history_search (history, "alligator", ACCOUNT, NULL, 10, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = flint_history_search (history, "crocodile", ACCOUNT, NULL, 10, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* New messages, in a new conversation too, are indexed once. */
  {
    g_autoptr (FlintMessageRecord) r =
      make (ROOM, FLINT_DIRECTION_INCOMING, "nick", "a new crocodile", 5);

    g_assert_true (insert (history, r));
  }
  found = flint_history_search (history, "crocodile", ACCOUNT, NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpstr (((FlintMessageRecord *) found->pdata[0])->body, ==, "crocodile tears");
  g_assert_cmpstr (((FlintMessageRecord *) found->pdata[1])->body, ==, "a new crocodile");
  g_clear_pointer (&found, g_ptr_array_unref);
  n_indexed = query_text (f->path, "SELECT count(*) FROM messages_fts"
                                   " WHERE messages_fts MATCH 'crocodile'");
  g_assert_cmpstr (n_indexed, ==, "3");

  /* And the file is consistent. */
  g_clear_object (&history);
  integrity = query_text (f->path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  exec_on (f->path, "INSERT INTO messages_fts (messages_fts, rank)"
                    " VALUES ('integrity-check', 1)");
}

/* Dedup */

static void
test_dedup_message_id (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) a =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "hi", 100);
  g_autoptr (FlintMessageRecord) b = NULL;
  g_autoptr (FlintMessageRecord) other_conv = NULL;
  g_autoptr (FlintMessageRecord) other_sender = NULL;

  a->message_id = g_strdup ("abc");
  b = flint_message_record_copy (a);
  b->id = 0;

  g_assert_true (insert (history, a));
  g_assert_false (insert (history, b));
  g_assert_cmpint (b->id, ==, a->id);
  g_assert_cmpint (count_rows (f->path, ""), ==, 1);

  /* The same id elsewhere is another message. */
  other_conv = make (BOB, FLINT_DIRECTION_INCOMING, BOB, "hi", 100);
  other_conv->message_id = g_strdup ("abc");
  g_assert_true (insert (history, other_conv));
  other_sender = make (ALICE, FLINT_DIRECTION_OUTGOING, ACCOUNT, "hi", 100);
  other_sender->message_id = g_strdup ("abc");
  g_assert_true (insert (history, other_sender));
  g_assert_cmpint (count_rows (f->path, ""), ==, 3);
}

static void
test_dedup_mam_fills_stanza_id (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) live =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "live then archived", 100);
  g_autoptr (FlintMessageRecord) mam = NULL;
  g_autoptr (FlintMessageRecord) again = NULL;
  g_autoptr (GPtrArray) last = NULL;
  g_autofree char *last_id = NULL;
  FlintMessageRecord *stored;

  live->message_id = g_strdup ("m-1");
  g_assert_true (insert (history, live));
  g_assert_null (flint_history_get_last_stanza_id (history, ACCOUNT, NULL));

  mam = flint_message_record_copy (live);
  mam->id = 0;
  mam->time = 90; /* the server's stamp */
  mam->stanza_id = g_strdup ("S-1");
  mam->stanza_id_by = g_strdup (ACCOUNT);
  g_assert_false (insert (history, mam));
  g_assert_cmpint (mam->id, ==, live->id);

  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, NULL);
  g_assert_cmpuint (last->len, ==, 1);
  stored = last->pdata[0];
  g_assert_cmpstr (stored->stanza_id, ==, "S-1");
  g_assert_cmpstr (stored->stanza_id_by, ==, ACCOUNT);
  g_assert_cmpstr (stored->message_id, ==, "m-1");
  /* The row keeps its place; ordering does not jump under the user. */
  g_assert_cmpint (stored->time, ==, 100);

  last_id = flint_history_get_last_stanza_id (history, ACCOUNT, NULL);
  g_assert_cmpstr (last_id, ==, "S-1");

  /* A copy known only by its stanza-id is still the same message. */
  again = make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "live then archived", 90);
  again->stanza_id = g_strdup ("S-1");
  again->stanza_id_by = g_strdup (ACCOUNT);
  g_assert_false (insert (history, again));
  g_assert_cmpint (count_rows (f->path, ""), ==, 1);
}

static void
test_dedup_carbons (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) sent =
    make (ALICE, FLINT_DIRECTION_OUTGOING, ACCOUNT, "from my phone", 100);
  g_autoptr (FlintMessageRecord) carbon = NULL;
  g_autoptr (FlintMessageRecord) from_alice = NULL;
  g_autoptr (GPtrArray) last = NULL;

  /* Sent from another device: first the carbon, then the same again. */
  sent->origin_id = g_strdup ("origin-1");
  sent->message_id = g_strdup ("id-1");
  sent->state = FLINT_DELIVERY_SENT;
  carbon = flint_message_record_copy (sent);
  g_free (carbon->message_id);
  carbon->message_id = g_strdup ("id-rewritten");
  carbon->state = FLINT_DELIVERY_DELIVERED;

  g_assert_true (insert (history, sent));
  g_assert_false (insert (history, carbon));
  g_assert_cmpint (count_rows (f->path, ""), ==, 1);

  /* The duplicate moved the state on; the stored message_id is kept. */
  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, NULL);
  g_assert_cmpint (((FlintMessageRecord *) last->pdata[0])->state, ==,
                   FLINT_DELIVERY_DELIVERED);
  g_assert_cmpstr (((FlintMessageRecord *) last->pdata[0])->message_id, ==, "id-1");

  /* origin-id is the sender's: the same one from Alice is her message. */
  from_alice = make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "hers", 101);
  from_alice->origin_id = g_strdup ("origin-1");
  g_assert_true (insert (history, from_alice));
  g_assert_cmpint (count_rows (f->path, ""), ==, 2);
}

static void
test_dedup_no_ids (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) a =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "ok", 100);
  g_autoptr (FlintMessageRecord) b = flint_message_record_copy (a);

  g_assert_true (insert (history, a));
  g_assert_true (insert (history, b));
  g_assert_cmpint (a->id, !=, b->id);
  g_assert_cmpint (count_rows (f->path, ""), ==, 2);
}

/* Batches */

static void
test_batch (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GPtrArray) last = NULL;
  g_autoptr (GError) error = NULL;
  FlintMessageRecord *bad;
  guint n = 99;

  for (int i = 0; i < 5; i++)
    {
      g_autofree char *body = g_strdup_printf ("message %d", i);
      FlintMessageRecord *r =
        make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, body, 100 + i);

      r->message_id = g_strdup_printf ("b-%d", i);
      g_ptr_array_add (batch, r);
    }

  /* No account: the store refuses it, and with it the whole batch. */
  bad = make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "bad", 200);
  g_clear_pointer (&bad->account, g_free);
  g_ptr_array_add (batch, bad);

  g_assert_false (flint_history_insert_batch (history, batch, &n, &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_DATABASE);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (count_rows (f->path, ""), ==, 0);
  for (guint i = 0; i < batch->len; i++)
    g_assert_cmpint (((FlintMessageRecord *) batch->pdata[i])->id, ==, 0);
  g_clear_error (&error);

  /* Without it the batch goes in; a duplicate inside it is stored once. */
  g_ptr_array_remove_index (batch, batch->len - 1);
  g_ptr_array_add (batch, flint_message_record_copy (batch->pdata[0]));
  g_assert_true (flint_history_insert_batch (history, batch, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpint (((FlintMessageRecord *) batch->pdata[5])->id, ==,
                   ((FlintMessageRecord *) batch->pdata[0])->id);

  last = flint_history_get_last (history, ACCOUNT, ALICE, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->len, ==, 5);
  g_assert_cmpstr (((FlintMessageRecord *) last->pdata[4])->body, ==, "message 4");

  /* The store stays usable after the failed batch. */
  g_assert_true (flint_history_insert_batch (history, batch, &n, &error));
  g_assert_cmpuint (n, ==, 0);
}

/* Paging */

static void
test_paging (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GHashTable) seen =
    g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GPtrArray) page = NULL;
  g_autoptr (GError) error = NULL;
  const guint n_total = 253, page_size = 50;
  gint64 next_time = G_MAXINT64, next_id = G_MAXINT64;
  guint n_pages = 0, n_seen = 0;

  /* Most messages share one time (a MAM page stamped alike); a few are
   * older and newer, and another conversation is interleaved. */
  for (guint i = 0; i < n_total; i++)
    {
      gint64 t = i < 3 ? 10 + i : i >= n_total - 3 ? 5000 + i : 1000;
      g_autofree char *body = g_strdup_printf ("%u", i);

      g_ptr_array_add (batch, make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, body, t));
      g_ptr_array_add (batch, make (BOB, FLINT_DIRECTION_INCOMING, BOB, body, t));
    }
  g_assert_true (flint_history_insert_batch (history, batch, NULL, &error));
  g_assert_no_error (error);

  page = flint_history_get_last (history, ACCOUNT, ALICE, page_size, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((FlintMessageRecord *) page->pdata[page->len - 1])->body, ==, "252");

  /* Walk back to the start; pages are oldest first and chain strictly. */
  while (page->len > 0)
    {
      for (guint i = 0; i < page->len; i++)
        {
          FlintMessageRecord *r = page->pdata[i];

          g_assert_cmpstr (r->conversation, ==, ALICE);
          g_assert_true (r->time < next_time ||
                         (r->time == next_time && r->id < next_id));
          if (i > 0)
            {
              FlintMessageRecord *prev = page->pdata[i - 1];

              g_assert_true (prev->time < r->time ||
                             (prev->time == r->time && prev->id < r->id));
            }
          g_assert_false (g_hash_table_contains (seen, &r->id));
          g_hash_table_add (seen, g_memdup2 (&r->id, sizeof r->id));
          n_seen++;
        }
      next_time = ((FlintMessageRecord *) page->pdata[0])->time;
      next_id = ((FlintMessageRecord *) page->pdata[0])->id;
      n_pages++;

      g_clear_pointer (&page, g_ptr_array_unref);
      page = flint_history_get_before (history, ACCOUNT, ALICE, next_time, next_id,
                                       page_size, &error);
      g_assert_no_error (error);
    }

  g_assert_cmpuint (n_seen, ==, n_total);
  g_assert_cmpuint (n_pages, ==, (n_total + page_size - 1) / page_size);
  g_assert_cmpint (next_time, ==, 10);

  /* Exactly at a boundary: the page before the second row is the first. */
  {
    g_autoptr (GPtrArray) all =
      flint_history_get_last (history, ACCOUNT, ALICE, 1000, NULL);
    FlintMessageRecord *second = all->pdata[1];
    g_autoptr (GPtrArray) before = flint_history_get_before (
      history, ACCOUNT, ALICE, second->time, second->id, 10, NULL);

    g_assert_cmpuint (all->len, ==, n_total);
    g_assert_cmpuint (before->len, ==, 1);
    g_assert_cmpint (((FlintMessageRecord *) before->pdata[0])->id, ==,
                     ((FlintMessageRecord *) all->pdata[0])->id);
  }
}

/* Search */

static void
test_search (Fixture *f, gconstpointer data)
{
  static const char *const tricky[] = {
    "foo\"bar",
    "AND",
    "OR",
    "NOT",
    "\"",
    "\"\"",
    "*",
    "meet*",
    "(",
    ")",
    "NEAR(a b)",
    "body:meet",
    "-meet",
    "+",
    "^meet",
    "a:b:c",
    "'",
    "\\",
    "\"unterminated",
    "  ",
    "",
    "caf\xc3\xa9 AND",
    "{body}: x",
    "NEAR",
    "\xe2\x80\x94",
  };
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) other_account = NULL;
  struct
  {
    const char *conversation;
    const char *body;
    gint64 time;
  } rows[] = {
    { ALICE, "Let's meet at the caf\xc3\xa9", 300 },
    { ALICE, "Meeting moved to Thursday", 100 },
    { BOB, "The meeting notes are up", 200 },
    { BOB, "rock and roll", 50 },
    { ROOM, "He said \"foo\"bar\" twice", 60 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (FlintMessageRecord) r =
        make (rows[i].conversation, FLINT_DIRECTION_INCOMING, rows[i].conversation,
              rows[i].body, rows[i].time);
      insert (history, r);
    }
  other_account = make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "meeting elsewhere", 400);
  g_free (other_account->account);
  other_account->account = g_strdup ("other@example.com");
  insert (history, other_account);

#define SEARCH(q, conv, n)                                                               \
  ({                                                                                     \
    GPtrArray *res_ = flint_history_search (history, (q), ACCOUNT, (conv), 10, &error);  \
    g_assert_no_error (error);                                                           \
    g_assert_nonnull (res_);                                                             \
    g_assert_cmpuint (res_->len, ==, (n));                                               \
    res_;                                                                                \
  })
#define BODY(a, i) (((FlintMessageRecord *) (a)->pdata[i])->body)

  /* A whole word, ignoring case and diacritics. */
  {
    g_autoptr (GPtrArray) r = SEARCH ("CAFE ", NULL, 1);
    g_assert_cmpstr (BODY (r, 0), ==, "Let's meet at the caf\xc3\xa9");
  }
  {
    g_autoptr (GPtrArray) r = SEARCH ("caf\xc3\xa8", NULL, 1);
  }
  /* The last word is a prefix; newest first. */
  {
    g_autoptr (GPtrArray) r = SEARCH ("meet", NULL, 3);
    g_assert_cmpstr (BODY (r, 0), ==, "Let's meet at the caf\xc3\xa9");
    g_assert_cmpstr (BODY (r, 1), ==, "The meeting notes are up");
    g_assert_cmpstr (BODY (r, 2), ==, "Meeting moved to Thursday");
  }
  /* A space after it makes it a whole word. */
  {
    g_autoptr (GPtrArray) r = SEARCH ("meet ", NULL, 1);
  }
  /* Every word must match, only the last is a prefix. */
  {
    g_autoptr (GPtrArray) r = SEARCH ("meeting no", NULL, 1);
    g_assert_cmpstr (BODY (r, 0), ==, "The meeting notes are up");
  }
  {
    g_autoptr (GPtrArray) r = SEARCH ("meet notes", NULL, 0);
  }
  /* One conversation only. */
  {
    g_autoptr (GPtrArray) r = SEARCH ("meet", BOB, 1);
    g_assert_cmpstr (BODY (r, 0), ==, "The meeting notes are up");
  }
  /* Operators are words. */
  {
    g_autoptr (GPtrArray) r = SEARCH ("AND", NULL, 1);
    g_assert_cmpstr (BODY (r, 0), ==, "rock and roll");
  }
  {
    g_autoptr (GPtrArray) r = SEARCH ("foo\"bar", NULL, 1);
    g_assert_cmpstr (BODY (r, 0), ==, "He said \"foo\"bar\" twice");
  }

  /* Nothing the user types is an error. */
  for (guint i = 0; i < G_N_ELEMENTS (tricky); i++)
    {
      g_autoptr (GPtrArray) r =
        flint_history_search (history, tricky[i], ACCOUNT, NULL, 10, &error);

      g_test_message ("query: %s", tricky[i]);
      g_assert_no_error (error);
      g_assert_nonnull (r);
    }

  /* Invalid UTF-8 neither. */
  {
    g_autoptr (GPtrArray) r = SEARCH ("\xff\xfe", NULL, 0);
  }
#undef SEARCH
#undef BODY
}

/* Search stops early once older rows cannot beat the page it has; it must
 * still give exactly the newest matches by (time, id), whatever order
 * they arrived in. */
static int
compare_newest_first (gconstpointer a, gconstpointer b)
{
  const FlintMessageRecord *x = *(FlintMessageRecord *const *) a;
  const FlintMessageRecord *y = *(FlintMessageRecord *const *) b;

  if (x->time != y->time)
    return x->time < y->time ? 1 : -1;
  return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

static void
test_search_order (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (GPtrArray) all =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  static const char *const conversations[] = { ALICE, BOB, ROOM };
  static const guint limits[] = { 1, 7, 50, 1000 };
  gint64 now = 1000000;

  /* Mostly in time order, with ties, with a backfill of old messages and
   * a few from the future; some of another account in between. */
  for (guint i = 0; i < 600; i++)
    {
      const char *conversation = conversations[g_rand_int_range (rand, 0, 3)];
      gboolean match = g_rand_int_range (rand, 0, 3) != 0;
      gint64 time;
      FlintMessageRecord *r;

      if (i >= 300 && i < 400)
        time = g_rand_int_range (rand, 0, 1000000); /* backfill */
      else if (g_rand_int_range (rand, 0, 100) == 0)
        time = now + g_rand_int_range (rand, 0, 1000) * 10; /* ahead */
      else
        time = (now += g_rand_int_range (rand, 0, 3) * 10);
      r = make (conversation, FLINT_DIRECTION_INCOMING, conversation,
                match ? "lunch plans" : "other things", time);
      if (g_rand_int_range (rand, 0, 10) == 0)
        {
          g_free (r->account);
          r->account = g_strdup ("other@example.com");
        }
      g_ptr_array_add (all, r);
      g_ptr_array_add (batch, r);
      if (batch->len == 37 || i == 599)
        {
          g_assert_true (flint_history_insert_batch (history, batch, NULL, &error));
          g_assert_no_error (error);
          g_ptr_array_set_size (batch, 0);
        }
    }
  g_ptr_array_sort (all, compare_newest_first);

  for (guint c = 0; c <= G_N_ELEMENTS (conversations); c++)
    for (guint l = 0; l < G_N_ELEMENTS (limits); l++)
      {
        const char *conversation =
          c < G_N_ELEMENTS (conversations) ? conversations[c] : NULL;
        g_autoptr (GPtrArray) found = flint_history_search (
          history, c % 2 ? "lunch " : "lun", ACCOUNT, conversation, limits[l], &error);
        guint n = 0;

        g_assert_no_error (error);
        for (guint i = 0; i < all->len && n < limits[l]; i++)
          {
            FlintMessageRecord *want = all->pdata[i];

            if (g_strcmp0 (want->account, ACCOUNT) != 0 ||
                g_strcmp0 (want->body, "lunch plans") != 0 ||
                (conversation && g_strcmp0 (want->conversation, conversation) != 0))
              continue;
            g_assert_cmpuint (n, <, found->len);
            g_assert_cmpint (((FlintMessageRecord *) found->pdata[n])->id, ==, want->id);
            n++;
          }
        g_assert_cmpuint (found->len, ==, n);
      }

  /* A limit of 0 and a conversation never seen give nothing. */
  {
    g_autoptr (GPtrArray) none =
      flint_history_search (history, "lunch", ACCOUNT, NULL, 0, &error);
    g_autoptr (GPtrArray) nowhere =
      flint_history_search (history, "lunch", ACCOUNT, "nobody@example.com", 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (none->len, ==, 0);
    g_assert_cmpuint (nowhere->len, ==, 0);
  }
}

/* Recovery */

static void
check_fresh_store_works (FlintHistory *history, const char *path)
{
  g_autoptr (FlintMessageRecord) r =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "after recovery", 100);
  g_autoptr (GPtrArray) last = NULL;
  g_autofree char *version = NULL;

  g_assert_true (insert (history, r));
  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, NULL);
  g_assert_cmpuint (last->len, ==, 1);
  version = query_text (path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (FLINT_HISTORY_SCHEMA_VERSION));
}

static void
test_corrupt_garbage (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = NULL;
  g_autofree char *garbage = g_strnfill (8192, 'x');
  g_autofree char *backup = NULL;
  g_autofree char *contents = NULL;
  const GError *recovery;
  gsize len;

  g_assert_true (g_file_set_contents (f->path, garbage, -1, &error));

  history = flint_history_open (f->path, &error);
  g_assert_nonnull (history);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_DATABASE_CORRUPT);
  recovery = flint_history_get_recovery_error (history);
  g_assert_nonnull (recovery);
  g_assert_true (g_error_matches (recovery, FLINT_ERROR, FLINT_ERROR_DATABASE_CORRUPT));

  /* The damaged file is kept, byte for byte. */
  backup = find_file (f->dir, "history.db.corrupt-");
  g_assert_nonnull (backup);
  g_assert_cmpstr (backup, ==, flint_history_get_backup_path (history));
  g_assert_true (g_file_get_contents (backup, &contents, &len, NULL));
  g_assert_cmpstr (contents, ==, garbage);

  check_fresh_store_works (history, f->path);
}

static void
test_corrupt_malformed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) r =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "before damage", 100);
  g_autofree char *contents = NULL;
  g_autofree char *backup = NULL;
  gsize len;

  insert (history, r);
  g_clear_object (&history);

  /* Keep the SQLite header, scribble over the schema page. */
  g_assert_true (g_file_get_contents (f->path, &contents, &len, &error));
  g_assert_cmpuint (len, >, 4096);
  memset (contents + 100, 0xa5, 4096 - 100);
  g_assert_true (g_file_set_contents (f->path, contents, len, &error));

  history = flint_history_open (f->path, &error);
  g_assert_nonnull (history);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_DATABASE_CORRUPT);
  backup = find_file (f->dir, "history.db.corrupt-");
  g_assert_nonnull (backup);
  check_fresh_store_works (history, f->path);
}

static void
test_too_new (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *kept = NULL;

  exec_on (f->path,
           "PRAGMA journal_mode = WAL;"
           "CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('from v99');"
           "PRAGMA user_version = 99;");

  history = flint_history_open (f->path, &error);
  g_assert_nonnull (history);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_DATABASE_TOO_NEW);
  g_assert_true (g_error_matches (flint_history_get_recovery_error (history), FLINT_ERROR,
                                  FLINT_ERROR_DATABASE_TOO_NEW));

  backup = find_file (f->dir, "history.db.newer-");
  g_assert_nonnull (backup);
  kept = query_text (backup, "SELECT x FROM future");
  g_assert_cmpstr (kept, ==, "from v99");
  g_assert_null (find_file (f->dir, "history.db.corrupt-"));

  check_fresh_store_works (history, f->path);
}

/* Delivery state */

static void
test_set_state (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) with_origin =
    make (ALICE, FLINT_DIRECTION_OUTGOING, ACCOUNT, "one", 100);
  g_autoptr (FlintMessageRecord) without_origin =
    make (ALICE, FLINT_DIRECTION_OUTGOING, ACCOUNT, "two", 200);
  g_autoptr (FlintMessageRecord) incoming =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "three", 300);
  g_autoptr (GPtrArray) last = NULL;
  g_autoptr (GError) error = NULL;

  with_origin->origin_id = g_strdup ("o-1");
  with_origin->message_id = g_strdup ("x-1");
  without_origin->message_id = g_strdup ("x-2");
  incoming->message_id = g_strdup ("x-2");
  insert (history, with_origin);
  insert (history, without_origin);
  insert (history, incoming);

  g_assert_true (flint_history_set_state (history, ACCOUNT, ALICE, "o-1",
                                          FLINT_DELIVERY_ACKED, &error));
  g_assert_true (flint_history_set_state (history, ACCOUNT, ALICE, "x-2",
                                          FLINT_DELIVERY_READ, &error));
  /* Another conversation's receipt does not touch these. */
  g_assert_true (flint_history_set_state (history, ACCOUNT, BOB, "x-1",
                                          FLINT_DELIVERY_FAILED, &error));
  g_assert_no_error (error);

  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, &error);
  g_assert_cmpuint (last->len, ==, 3);
  g_assert_cmpint (((FlintMessageRecord *) last->pdata[0])->state, ==,
                   FLINT_DELIVERY_ACKED);
  g_assert_cmpint (((FlintMessageRecord *) last->pdata[1])->state, ==,
                   FLINT_DELIVERY_READ);
  g_assert_cmpint (((FlintMessageRecord *) last->pdata[2])->state, ==,
                   FLINT_DELIVERY_RECEIVED);

  /* By the id attribute too, when it has an origin-id. */
  g_assert_true (flint_history_set_state (history, ACCOUNT, ALICE, "x-1",
                                          FLINT_DELIVERY_DELIVERED, &error));
  g_clear_pointer (&last, g_ptr_array_unref);
  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, &error);
  g_assert_cmpint (((FlintMessageRecord *) last->pdata[0])->state, ==,
                   FLINT_DELIVERY_DELIVERED);
}

static void
test_pending (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GError) error = NULL;
  const char *bodies[] = { "late", "early", "sent", "elsewhere" };
  gint64 times[] = { 300, 100, 50, 10 };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr (FlintMessageRecord) r = make (
        i % 2 ? BOB : ALICE, FLINT_DIRECTION_OUTGOING, ACCOUNT, bodies[i], times[i]);

      r->origin_id = g_strdup (bodies[i]);
      if (i == 2)
        r->state = FLINT_DELIVERY_SENT;
      if (i == 3)
        {
          g_free (r->account);
          r->account = g_strdup ("other@example.com");
        }
      insert (history, r);
    }

  pending = flint_history_get_pending (history, ACCOUNT);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_cmpstr (((FlintMessageRecord *) pending->pdata[0])->body, ==, "early");
  g_assert_cmpstr (((FlintMessageRecord *) pending->pdata[1])->body, ==, "late");

  g_assert_true (flint_history_set_state (history, ACCOUNT, BOB, "early",
                                          FLINT_DELIVERY_SENT, &error));
  g_clear_pointer (&pending, g_ptr_array_unref);
  pending = flint_history_get_pending (history, ACCOUNT);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpstr (((FlintMessageRecord *) pending->pdata[0])->body, ==, "late");
}

/* Corrections */

static void
test_correction (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) original =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "helo wrold", 100);
  g_autoptr (FlintMessageRecord) fix = NULL;
  g_autoptr (FlintMessageRecord) forged = NULL;
  g_autoptr (GPtrArray) last = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;
  gboolean applied = FALSE;

  original->message_id = g_strdup ("orig");
  insert (history, original);

  forged = make (ALICE, FLINT_DIRECTION_INCOMING, BOB, "forged text", 150);
  forged->correction_of = g_strdup ("orig");
  g_assert_true (flint_history_apply_correction (history, forged, &applied, &error));
  g_assert_false (applied);

  fix = make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "hello world", 200);
  fix->correction_of = g_strdup ("orig");
  g_assert_true (flint_history_apply_correction (history, fix, &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied);

  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, &error);
  g_assert_cmpuint (last->len, ==, 1);
  g_assert_cmpint (((FlintMessageRecord *) last->pdata[0])->id, ==, original->id);
  g_assert_cmpint (((FlintMessageRecord *) last->pdata[0])->time, ==, 100);
  g_assert_cmpstr (((FlintMessageRecord *) last->pdata[0])->body, ==, "hello world");

  /* The search index follows. */
  found = flint_history_search (history, "wrold", ACCOUNT, NULL, 10, &error);
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = flint_history_search (history, "world", ACCOUNT, NULL, 10, &error);
  g_assert_cmpuint (found->len, ==, 1);
}

/* Durability */

#define KILL_PATH_ENV "FLINT_TEST_HISTORY_KILL_PATH"

static void
test_survives_kill (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = NULL;
  g_autoptr (GPtrArray) last = NULL;

  if (g_test_subprocess ())
    {
      const char *path = g_getenv (KILL_PATH_ENV);
      g_autoptr (FlintMessageRecord) r =
        make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "committed", 100);

      history = open_ok (path);
      insert (history, r);
      /* This process's own fixture dir is empty; the parent owns f->path. */
      g_rmdir (f->dir);
      /* Die without closing anything. */
      raise (SIGKILL);
      return;
    }

  g_setenv (KILL_PATH_ENV, f->path, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv (KILL_PATH_ENV);
  g_test_trap_assert_failed ();

  /* The transaction was only in the WAL; reopening replays it. */
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
  history = open_ok (f->path);
  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, NULL);
  g_assert_cmpuint (last->len, ==, 1);
  g_assert_cmpstr (((FlintMessageRecord *) last->pdata[0])->body, ==, "committed");
}

static void
test_record_copy (void)
{
  g_autoptr (FlintMessageRecord) r =
    make (ROOM, FLINT_DIRECTION_INCOMING, "nick", "x", 5);
  g_autoptr (FlintMessageRecord) copy = NULL;

  r->kind = FLINT_MESSAGE_KIND_GROUPCHAT;
  r->stanza_id = g_strdup ("s");
  r->correction_of = g_strdup ("c");
  r->file = g_strdup ("{'url': <'https://x/y.png'>}");
  copy = flint_message_record_copy (r);
  g_assert_cmpstr (copy->file, ==, r->file);
  g_assert_true (copy->sender != r->sender);
  g_assert_cmpstr (copy->sender, ==, "nick");
  g_assert_cmpstr (copy->stanza_id, ==, "s");
  g_assert_cmpstr (copy->correction_of, ==, "c");
  g_assert_cmpint (copy->kind, ==, FLINT_MESSAGE_KIND_GROUPCHAT);
  g_assert_true (G_TYPE_IS_BOXED (FLINT_TYPE_MESSAGE_RECORD));
}

/* Filters, snippets, cancellation (the search view) */

/* Pango markup is XML inside an implicit root element. */
static gboolean
pango_parse_markup_ok (const char *markup)
{
  static const GMarkupParser parser = { 0 };
  g_autofree char *doc = g_strdup_printf ("<markup>%s</markup>", markup);
  g_autoptr (GMarkupParseContext) context =
    g_markup_parse_context_new (&parser, 0, NULL, NULL);

  return g_markup_parse_context_parse (context, doc, -1, NULL) &&
         g_markup_parse_context_end_parse (context, NULL);
}

static void
test_search_filters (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GPtrArray) hits = NULL;
  g_autoptr (GError) error = NULL;

  /* Alice at times 100..199, Bob at 150..249 (interleaved ids). */
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *a = g_strdup_printf ("apple number %d", i);
      g_autoptr (FlintMessageRecord) ra =
        make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, a, 100 + i);
      g_autoptr (FlintMessageRecord) rb =
        make (BOB, FLINT_DIRECTION_INCOMING, BOB, a, 150 + i);

      insert (history, ra);
      insert (history, rb);
    }

  /* No filter: newest first over both. */
  hits =
    flint_history_search_full (history, "appl", ACCOUNT, NULL, 0, 0, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 10);
  for (guint i = 0; i < hits->len; i++)
    {
      FlintSearchHit *hit = hits->pdata[i];

      g_assert_cmpint (hit->record->time, ==, 249 - (gint64) i);
      g_assert_cmpstr (hit->record->conversation, ==, BOB);
      g_assert_true (g_str_has_prefix (hit->markup, "<b>apple</b> number "));
    }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* One conversation. */
  hits =
    flint_history_search_full (history, "apple", ACCOUNT, ALICE, 0, 0, 5, NULL, &error);
  g_assert_cmpuint (hits->len, ==, 5);
  for (guint i = 0; i < hits->len; i++)
    {
      FlintSearchHit *hit = hits->pdata[i];

      g_assert_cmpstr (hit->record->conversation, ==, ALICE);
      g_assert_cmpint (hit->record->time, ==, 199 - (gint64) i);
    }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A date range [120, 160): Alice 120..159 and Bob 150..159, newest first. */
  hits = flint_history_search_full (history, "number", ACCOUNT, NULL, 120, 160, 1000,
                                    NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 40 + 10);
  for (guint i = 0; i < hits->len; i++)
    {
      FlintSearchHit *hit = hits->pdata[i];

      g_assert_cmpint (hit->record->time, >=, 120);
      g_assert_cmpint (hit->record->time, <, 160);
      if (i > 0)
        g_assert_cmpint (((FlintSearchHit *) hits->pdata[i - 1])->record->time, >=,
                         hit->record->time);
    }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Range and conversation together; a range with nothing in it. */
  hits =
    flint_history_search_full (history, "apple", ACCOUNT, BOB, 0, 151, 10, NULL, &error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (((FlintSearchHit *) hits->pdata[0])->record->time, ==, 150);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = flint_history_search_full (history, "apple", ACCOUNT, NULL, 5000, 0, 10, NULL,
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* An unknown conversation has no results, not an error. */
  hits = flint_history_search_full (history, "apple", ACCOUNT, "nobody@example.com", 0, 0,
                                    10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 0);
}

static void
test_search_markup (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) evil =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE,
          "<b>bold</b> & <span foreground=\"red\">café</span>\nnext line", 10);
  g_autoptr (FlintMessageRecord) markers =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "ctrl \001cafe\002 chars", 20);
  g_autoptr (GString) long_body = g_string_new ("start");
  g_autoptr (FlintMessageRecord) longer = NULL;
  g_autoptr (GPtrArray) hits = NULL;

  insert (history, evil);
  insert (history, markers);
  for (int i = 0; i < 200; i++)
    g_string_append (long_body, " filler");
  g_string_append (long_body, " needle");
  for (int i = 0; i < 200; i++)
    g_string_append (long_body, " filler");
  longer = make (BOB, FLINT_DIRECTION_INCOMING, BOB, long_body->str, 30);
  insert (history, longer);

  /* The text is escaped, only the match is bold, diacritics fold, and the
   * markup parses. */
  hits =
    flint_history_search_full (history, "cafe", ACCOUNT, ALICE, 0, 0, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 2);
  {
    FlintSearchHit *hit = hits->pdata[1];

    g_assert_cmpint (hit->record->id, ==, evil->id);
    g_assert_cmpstr (hit->markup, ==,
                     "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;span "
                     "foreground=&quot;red&quot;&gt;<b>café</b>&lt;/span&gt; next line");
    g_assert_true (pango_parse_markup_ok (hit->markup));
  }
  /* A body holding the marker characters is not highlighted at all. */
  {
    FlintSearchHit *hit = hits->pdata[0];

    g_assert_cmpint (hit->record->id, ==, markers->id);
    g_assert_null (strstr (hit->markup, "<b>"));
    g_assert_nonnull (strstr (hit->markup, "cafe"));
    g_assert_true (pango_parse_markup_ok (hit->markup));
  }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A long message gives an excerpt around the match. */
  hits =
    flint_history_search_full (history, "needle", ACCOUNT, NULL, 0, 0, 10, NULL, &error);
  g_assert_cmpuint (hits->len, ==, 1);
  {
    FlintSearchHit *hit = hits->pdata[0];

    g_assert_nonnull (strstr (hit->markup, "<b>needle</b>"));
    g_assert_cmpuint (strlen (hit->markup), <, 300);
    g_assert_true (g_str_has_prefix (hit->markup, "…"));
  }

  /* Unbalanced markers from a damaged snippet still make valid markup. */
  {
    g_autofree char *m = flint_history_markup_from_marked ("a \001b<", TRUE);

    g_assert_cmpstr (m, ==, "a <b>b&lt;</b>");
  }
}

static void
test_search_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GPtrArray) hits = NULL;
  g_autoptr (GError) error = NULL;

  for (int i = 0; i < 200; i++)
    g_ptr_array_add (batch, make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "word", i));
  g_assert_true (flint_history_insert_batch (history, batch, NULL, &error));

  g_cancellable_cancel (cancellable);
  hits = flint_history_search_full (history, "word", ACCOUNT, NULL, 0, 0, 10, cancellable,
                                    &error);
  g_assert_null (hits);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The store is usable afterwards (no handler left behind). */
  hits =
    flint_history_search_full (history, "word", ACCOUNT, NULL, 0, 0, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 10);
}

/* Paging forwards, across equal times and a correction. */
static void
test_paging_after (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) page = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) fix = NULL;
  gboolean applied = FALSE;
  guint n_seen = 0;
  gint64 time = G_MININT64, id = -1;

  for (guint i = 0; i < 97; i++)
    {
      g_autofree char *body = g_strdup_printf ("%u", i);
      FlintMessageRecord *r =
        make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, body, 1000 + i / 10);

      r->message_id = g_strdup_printf ("m%u", i);
      g_ptr_array_add (batch, r);
      g_ptr_array_add (batch, make (BOB, FLINT_DIRECTION_INCOMING, BOB, body, 1000));
    }
  g_assert_true (flint_history_insert_batch (history, batch, NULL, &error));

  /* A correction, arriving much later, of a message on a page boundary
   * keeps its place. */
  fix = make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "corrected", 99999);
  fix->correction_of = g_strdup ("m20");
  g_assert_true (flint_history_apply_correction (history, fix, &applied, &error));
  g_assert_true (applied);

  all = flint_history_get_last (history, ACCOUNT, ALICE, 1000, &error);
  g_assert_cmpuint (all->len, ==, 97);
  do
    {
      g_clear_pointer (&page, g_ptr_array_unref);
      page = flint_history_get_after (history, ACCOUNT, ALICE, time, id, 10, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < page->len; i++)
        {
          FlintMessageRecord *r = page->pdata[i];
          FlintMessageRecord *expected = all->pdata[n_seen++];

          g_assert_cmpint (r->id, ==, expected->id);
          g_assert_cmpstr (r->body, ==, n_seen - 1 == 20 ? "corrected" : expected->body);
        }
      if (page->len)
        {
          time = ((FlintMessageRecord *) page->pdata[page->len - 1])->time;
          id = ((FlintMessageRecord *) page->pdata[page->len - 1])->id;
        }
    }
  while (page->len == 10);
  g_assert_cmpuint (n_seen, ==, 97);

  /* (time, -1) starts at the first message of that time. */
  g_clear_pointer (&page, g_ptr_array_unref);
  page = flint_history_get_after (history, ACCOUNT, ALICE, 1003, -1, 2, &error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((FlintMessageRecord *) page->pdata[0])->body, ==, "30");
}

static void
test_list_conversations (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) a = make (BOB, FLINT_DIRECTION_INCOMING, BOB, "x", 1);
  g_autoptr (FlintMessageRecord) b =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "y", 2);
  g_auto (GStrv) jids = NULL;

  insert (history, a);
  insert (history, b);
  jids = flint_history_list_conversations (history, ACCOUNT, NULL);
  g_assert_cmpuint (g_strv_length (jids), ==, 2);
  g_assert_cmpstr (jids[0], ==, ALICE);
  g_assert_cmpstr (jids[1], ==, BOB);
}

/* A message whose server stamp has whole seconds (held back by a resumed
 * stream or the archive) sorts after what was stored with finer local
 * times in its second, and still within that second. */
static void
test_whole_second_stamp (Fixture *f, gconstpointer data)
{
  const gint64 second = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) live1 =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "live 1", second + 600000);
  g_autoptr (FlintMessageRecord) live2 =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "live 2", second + 700000);
  g_autoptr (FlintMessageRecord) held1 =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "held 1", second);
  g_autoptr (FlintMessageRecord) held2 =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "held 2", second);
  g_autoptr (FlintMessageRecord) next =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "next second", second + G_USEC_PER_SEC);
  g_autoptr (FlintMessageRecord) other =
    make (BOB, FLINT_DIRECTION_INCOMING, BOB, "other conversation", second);
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  const char *expected[] = { "live 1", "live 2", "held 1", "held 2", "next second" };

  g_assert_true (insert (history, live1));
  g_assert_true (insert (history, live2));
  g_assert_true (insert (history, held1));
  g_assert_true (insert (history, held2));
  g_assert_true (insert (history, next));
  g_assert_true (insert (history, other));
  rows = flint_history_get_last (history, ACCOUNT, ALICE, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      FlintMessageRecord *r = rows->pdata[i];

      g_assert_cmpstr (r->body, ==, expected[i]);
      g_assert_cmpint (r->time, >=, second);
      g_assert_cmpint (r->time, <, second + 2 * G_USEC_PER_SEC);
    }
  g_assert_cmpint (held1->time, ==, second + 700001);
  g_assert_cmpint (held2->time, ==, second + 700002);
  /* Nothing else in its second there: the stamp as it is. */
  g_assert_cmpint (next->time, ==, second + G_USEC_PER_SEC);
  g_assert_cmpint (other->time, ==, second);
}

static FlintMessageRecord *
make_archived (const char *body, gint64 time, gint64 local_time, const char *stanza_id)
{
  FlintMessageRecord *r = make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, body, time);

  r->local_time = local_time;
  r->stanza_id = g_strdup (stanza_id);
  r->stanza_id_by = g_strdup (ACCOUNT);
  r->message_id = g_strdup (body);
  return r;
}

static void
insert_page (FlintHistory *history, FlintMessageRecord **page, guint n)
{
  g_autoptr (GPtrArray) records = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (records, page[i]);
  g_assert_true (flint_history_insert_batch (history, records, NULL, &error));
  g_assert_no_error (error);
}

/* An archive catch-up stores in archive order, also within a second of
 * whole-second stamps and across its pages: a message that came live
 * meanwhile (stored by the chat with its fine local time, its archive
 * copy still ahead) goes after the archived messages before it, not
 * before them; what was stored before the catch-up began, and what the
 * catch-up itself has passed (stored or found again), comes first. The
 * catch-up stores through a FlintHistory of its own, as FlintMam's worker
 * does. */
static void
test_whole_second_catch_up (Fixture *f, gconstpointer data)
{
  const gint64 second = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  const gint64 started = second + 100000; /* the catch-up began */
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintHistory) worker = open_ok (f->path);
  g_autoptr (FlintMessageRecord) before =
    make_archived ("before", second + 50000, second + 50000, "a0");
  g_autoptr (FlintMessageRecord) live =
    make_archived ("live", second + 500000, second + 500000, "a3");
  g_autoptr (FlintMessageRecord) a1 = make_archived ("a1", second, second + 600000, "a1");
  g_autoptr (FlintMessageRecord) a2 = make_archived ("a2", second, second + 600000, "a2");
  g_autoptr (FlintMessageRecord) a3 =
    make_archived ("live", second, second + 700000, "a3");
  g_autoptr (FlintMessageRecord) a4 = make_archived ("a4", second, second + 700000, "a4");
  g_autoptr (FlintMessageRecord) late =
    make_archived ("late", second, second + 800000, "a5");
  FlintMessageRecord *page1[] = { a1, a2 };
  FlintMessageRecord *page2[] = { a3, a4 };
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  const char *expected[] = { "before", "a1", "a2", "live", "a4", "late" };

  g_assert_true (insert (history, before));
  flint_history_begin_archive_run (worker, started, ACCOUNT, NULL);
  g_assert_true (insert (history, live));
  insert_page (worker, page1, G_N_ELEMENTS (page1));
  insert_page (worker, page2, G_N_ELEMENTS (page2));
  g_assert_cmpint (a3->id, ==, live->id); /* found again, not stored twice */
  flint_history_end_archive_run (worker);
  /* Held back and stored live after the catch-up: after all of them, as
   * before (test_whole_second_stamp). */
  g_assert_true (insert (history, late));

  rows = flint_history_get_last (history, ACCOUNT, ALICE, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      FlintMessageRecord *r = rows->pdata[i];

      g_assert_cmpstr (r->body, ==, expected[i]);
      g_assert_cmpint (r->time, >=, second);
      g_assert_cmpint (r->time, <, second + G_USEC_PER_SEC);
    }
  /* The live one keeps its time; the others fit around it. */
  g_assert_cmpint (live->time, ==, second + 500000);
  g_assert_cmpint (a1->time, ==, second + 50001);
  g_assert_cmpint (a2->time, ==, second + 50002);
  g_assert_cmpint (a4->time, ==, second + 500001);
}

/* A client that lags behind a flood stores each live message with the
 * time it came, seconds after the server stamped it; killed then, it
 * catches up with the rest from the archive, stamped by the server before
 * the live ones came. The catch-up reads on after the last stored message
 * (a2): nothing it stores goes before that one, nor before a message it
 * finds again (a7, which came live while it ran), though their stamps say
 * so. A found message with a time in the future (a sender's forged delay)
 * moves nothing. Failed before: a3 and a4 went before l1 and l2. */
static void
test_catch_up_after_lag (Fixture *f, gconstpointer data)
{
  const gint64 second = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  const gint64 future = G_GINT64_CONSTANT (4100000000) * G_USEC_PER_SEC;
  const gint64 started = second + 5 * G_USEC_PER_SEC;
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintHistory) worker = open_ok (f->path);
  /* Came live, 1.2 s late. */
  g_autoptr (FlintMessageRecord) l1 =
    make_archived ("l1", second + 1200000, second + 1200000, "a1");
  g_autoptr (FlintMessageRecord) l2 =
    make_archived ("l2", second + 1300000, second + 1300000, "a2");
  /* The archive's, after a2. */
  g_autoptr (FlintMessageRecord) a3 = make_archived ("a3", second, started, "a3");
  g_autoptr (FlintMessageRecord) a4 = make_archived ("a4", second, started, "a4");
  g_autoptr (FlintMessageRecord) a5 =
    make_archived ("a5", second + G_USEC_PER_SEC, started, "a5");
  g_autoptr (FlintMessageRecord) a6 =
    make_archived ("a6", second + 2 * G_USEC_PER_SEC, started, "a6");
  /* Came live while the catch-up ran, 4 s late; the archive has it next. */
  g_autoptr (FlintMessageRecord) l7 =
    make_archived ("l7", second + 7 * G_USEC_PER_SEC, second + 7 * G_USEC_PER_SEC, "a7");
  g_autoptr (FlintMessageRecord) a7 = make_archived ("l7", second, started, "a7");
  g_autoptr (FlintMessageRecord) a8 =
    make_archived ("a8", second + 3 * G_USEC_PER_SEC, started, "a8");
  /* A delay stamp far in the future, stored live. */
  g_autoptr (FlintMessageRecord) forged =
    make_archived ("forged", future, second + 8 * G_USEC_PER_SEC, "a9");
  g_autoptr (FlintMessageRecord) a9 = make_archived ("forged", second, started, "a9");
  g_autoptr (FlintMessageRecord) a10 =
    make_archived ("a10", second + 4 * G_USEC_PER_SEC, started, "a10");
  FlintMessageRecord *page1[] = { a3, a4, a5 };
  FlintMessageRecord *page2[] = { a6, a7, a8, a9, a10 };
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  const char *expected[] = { "l1", "l2", "a3", "a4",  "a5",
                             "a6", "l7", "a8", "a10", "forged" };

  g_assert_true (insert (history, l1));
  g_assert_true (insert (history, l2));
  flint_history_begin_archive_run (worker, started, ACCOUNT, "a2");
  insert_page (worker, page1, G_N_ELEMENTS (page1));
  g_assert_true (insert (history, l7));
  g_assert_true (insert (history, forged));
  insert_page (worker, page2, G_N_ELEMENTS (page2));
  g_assert_cmpint (a7->id, ==, l7->id);
  g_assert_cmpint (a9->id, ==, forged->id);
  flint_history_end_archive_run (worker);

  rows = flint_history_get_last (history, ACCOUNT, ALICE, 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (((FlintMessageRecord *) rows->pdata[i])->body, ==, expected[i]);
  /* Right after the message before them; the stamps where they allow. */
  g_assert_cmpint (a3->time, ==, l2->time + 1);
  g_assert_cmpint (a4->time, ==, l2->time + 2);
  g_assert_cmpint (a5->time, ==, l2->time + 3);
  g_assert_cmpint (a6->time, ==, second + 2 * G_USEC_PER_SEC);
  g_assert_cmpint (a8->time, ==, l7->time + 1);
  g_assert_cmpint (a10->time, ==, l7->time + 2);
  g_assert_cmpint (forged->time, ==, future);
}

/* A file transfer's row (version 4): kept with its file description across
 * a reopen, found by its file name, updated in place when its link is sent
 * (then pending until it goes out). */
static void
test_file_rows (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintHistory) history = open_ok (f->path);
  g_autoptr (FlintMessageRecord) r =
    make (ALICE, FLINT_DIRECTION_OUTGOING, ACCOUNT, "Quarterly report.pdf", 100);
  g_autoptr (FlintMessageRecord) link =
    make (ALICE, FLINT_DIRECTION_INCOMING, ALICE, "Here it is", 200);
  g_autoptr (GPtrArray) last = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  g_autoptr (GError) error = NULL;
  FlintMessageRecord *got;
  gint64 id;

  r->kind = FLINT_MESSAGE_KIND_FILE;
  r->state = FLINT_DELIVERY_SENT;
  r->file = g_strdup ("{'name': <'Quarterly report.pdf'>, 'state': <'active'>}");
  link->file = g_strdup ("{'url': <'https://up.example.com/a/b.png'>}");
  insert (history, r);
  insert (history, link);
  id = r->id;
  pending = flint_history_get_pending (history, ACCOUNT);
  g_assert_cmpuint (pending->len, ==, 0);
  g_clear_pointer (&pending, g_ptr_array_unref);

  g_free (r->file);
  r->file = g_strdup ("{'name': <'Quarterly report.pdf'>, 'state': <'complete'>,"
                      " 'url': <'https://up.example.com/q.pdf'>}");
  r->message_id = g_strdup ("m-1");
  r->origin_id = g_strdup ("m-1");
  r->state = FLINT_DELIVERY_PENDING;
  g_assert_true (flint_history_set_file (history, r, &error));
  g_assert_no_error (error);
  g_clear_object (&history);

  history = open_ok (f->path);
  last = flint_history_get_last (history, ACCOUNT, ALICE, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->len, ==, 2);
  got = last->pdata[0];
  g_assert_cmpint (got->id, ==, id);
  g_assert_cmpint (got->kind, ==, FLINT_MESSAGE_KIND_FILE);
  g_assert_cmpstr (got->body, ==, "Quarterly report.pdf");
  g_assert_cmpstr (got->file, ==, r->file);
  g_assert_cmpstr (got->message_id, ==, "m-1");
  g_assert_cmpstr (((FlintMessageRecord *) last->pdata[1])->file, ==, link->file);

  pending = flint_history_get_pending (history, ACCOUNT);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpstr (((FlintMessageRecord *) pending->pdata[0])->file, ==, r->file);

  hits = flint_history_search (history, "quarterly", ACCOUNT, ALICE, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
}

#define ADD(name, func)                                                                  \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/history/record-copy", test_record_copy);
  ADD ("/history/schema", test_schema);
  ADD ("/history/migrate/empty-file", test_migrate_empty_file);
  ADD ("/history/migrate/v1", test_migrate_v1);
  ADD ("/history/migrate/v2", test_migrate_v2);
  ADD ("/history/dedup/message-id", test_dedup_message_id);
  ADD ("/history/dedup/mam-fills-stanza-id", test_dedup_mam_fills_stanza_id);
  ADD ("/history/dedup/carbons", test_dedup_carbons);
  ADD ("/history/dedup/no-ids", test_dedup_no_ids);
  ADD ("/history/batch", test_batch);
  ADD ("/history/paging", test_paging);
  ADD ("/history/search", test_search);
  ADD ("/history/search/order", test_search_order);
  ADD ("/history/search/filters", test_search_filters);
  ADD ("/history/search/markup", test_search_markup);
  ADD ("/history/search/cancel", test_search_cancel);
  ADD ("/history/paging/after", test_paging_after);
  ADD ("/history/list-conversations", test_list_conversations);
  ADD ("/history/corrupt/garbage", test_corrupt_garbage);
  ADD ("/history/corrupt/malformed", test_corrupt_malformed);
  ADD ("/history/too-new", test_too_new);
  ADD ("/history/set-state", test_set_state);
  ADD ("/history/pending", test_pending);
  ADD ("/history/correction", test_correction);
  ADD ("/history/survives-kill", test_survives_kill);
  ADD ("/history/whole-second-stamp", test_whole_second_stamp);
  ADD ("/history/whole-second-catch-up", test_whole_second_catch_up);
  ADD ("/history/catch-up-after-lag", test_catch_up_after_lag);
  ADD ("/history/file-rows", test_file_rows);

  return g_test_run ();
}

#define G_LOG_DOMAIN "flint-history"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "flint-error.h"
#include "flint-history.h"

/* Schema migrations: step i brings user_version from i to i + 1, inside one
 * transaction. Later versions only append steps; a shipped step is never
 * edited, because users' files were made by it.
 *
 * Version 1, the messages table (times in microseconds since the epoch):
 *   id             INTEGER PRIMARY KEY  row id, stable for the row's life
 *   account        TEXT NOT NULL        bare JID of the account
 *   conversation   TEXT NOT NULL        bare JID of the contact or the room
 *   kind           INTEGER NOT NULL     FlintMessageKind: 0 chat, 1 groupchat,
 *                                       2 a room's status line
 *   direction      INTEGER NOT NULL     FlintDirection: 0 incoming, 1 outgoing
 *   sender         TEXT NOT NULL        bare JID (chat) or nick (groupchat)
 *   body           TEXT                 message text
 *   time           INTEGER NOT NULL     ordering time: server/delay stamp when
 *                                       known, else local
 *   local_time     INTEGER NOT NULL     when Flint received or stored it
 *   stanza_id      TEXT                 XEP-0359 id assigned by stanza_id_by
 *   stanza_id_by   TEXT                 (the archive: account or room JID)
 *   origin_id      TEXT                 XEP-0359 origin-id
 *   message_id     TEXT                 the stanza's id attribute
 *   state          INTEGER NOT NULL     FlintDeliveryState
 *   correction_of  TEXT                 XEP-0308: message_id it corrects
 * Indexes: (account, conversation, time, id) for keyset paging; partial
 * UNIQUE on the stanza-id and on the origin-id of a sender, so a duplicate
 * can never be stored twice even if the lookup in insert_one() had a bug;
 * message_id (lookups and receipts); the archive's newest stanza-id; the
 * outgoing messages still pending.
 *
 * Version 2, full-text search: messages_fts, an FTS5 external-content
 * table over messages.body, kept in sync by triggers. unicode61 with
 * remove_diacritics 2 makes "cafe" find "café"; prefix='2 3' makes the
 * typed-so-far word of a search fast.
 *
 * Version 3, integer keys and a search bound:
 *   conversations  (id INTEGER PRIMARY KEY, account TEXT, jid TEXT,
 *                   UNIQUE (account, jid)): one row per conversation of an
 *                   account, made on its first message, never deleted.
 *   messages.conversation_id  INTEGER   conversations.id of (account,
 *                                       conversation); every v3 row has it.
 *                                       account and conversation stay in the
 *                                       row as text, for readers of the file.
 *   messages.time_max  INTEGER NOT NULL  the largest time of all rows with an
 *                                       id <= this one (a running maximum
 *                                       in id order, set on insert). Search
 *                                       walks matches newest id first and
 *                                       stops once no older id can beat the
 *                                       page it holds; so a row's time must
 *                                       never be raised after insert.
 * The per-conversation indexes are keyed by conversation_id instead of the
 * (account, conversation) text, which makes them about half as wide:
 * (conversation_id, time) for paging (the rowid is the implicit last
 * column, so it also orders (time, id)), the UNIQUE stanza-id and
 * origin-id indexes and the message_id index as in version 1. The archive
 * and pending indexes are unchanged.
 * The insert trigger of version 2 is gone: insert_one() adds the body to
 * messages_fts itself. FTS5 (as measured with SQLite 3.40) flushes its
 * pending terms to a new segment at each statement savepoint, and an INSERT
 * that fires a trigger opens one; so the trigger wrote one tiny FTS segment
 * per message, and merging those cost more than all the rest of an insert.
 * The delete and update triggers stay (they are rare).
 *
 * Version 4, files in the timeline:
 *   messages.file  TEXT  a file the row is (kind 3, a transfer) or links
 *                        (XEP-0066 OOB), as GVariant text of an a{sv}: name,
 *                        size, url, path, state; NULL for other messages. */
static const char *const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  account TEXT NOT NULL,"
  "  conversation TEXT NOT NULL,"
  "  kind INTEGER NOT NULL DEFAULT 0,"
  "  direction INTEGER NOT NULL DEFAULT 0,"
  "  sender TEXT NOT NULL DEFAULT '',"
  "  body TEXT,"
  "  time INTEGER NOT NULL,"
  "  local_time INTEGER NOT NULL,"
  "  stanza_id TEXT,"
  "  stanza_id_by TEXT,"
  "  origin_id TEXT,"
  "  message_id TEXT,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  correction_of TEXT"
  ");"
  "CREATE INDEX messages_conversation ON messages (account, conversation, time, id);"
  "CREATE UNIQUE INDEX messages_stanza_id ON messages"
  "  (account, conversation, stanza_id, stanza_id_by) WHERE stanza_id IS NOT NULL;"
  "CREATE UNIQUE INDEX messages_origin_id ON messages"
  "  (account, conversation, origin_id, direction, sender) WHERE origin_id IS NOT NULL;"
  "CREATE INDEX messages_message_id ON messages"
  "  (account, conversation, message_id) WHERE message_id IS NOT NULL;"
  "CREATE INDEX messages_archive ON messages"
  "  (account, stanza_id_by, time) WHERE stanza_id IS NOT NULL;"
  "CREATE INDEX messages_pending ON messages"
  "  (account, time, id) WHERE direction = 1 AND state = 1;",

  /* 1 -> 2 */
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
  /* Index what version 1 already stored. */
  "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');",

  /* 2 -> 3 */
  "CREATE TABLE conversations ("
  "  id INTEGER PRIMARY KEY,"
  "  account TEXT NOT NULL,"
  "  jid TEXT NOT NULL,"
  "  UNIQUE (account, jid)"
  ");"
  "INSERT INTO conversations (account, jid)"
  "  SELECT DISTINCT account, conversation FROM messages ORDER BY account, conversation;"
  "ALTER TABLE messages ADD COLUMN conversation_id INTEGER REFERENCES conversations (id);"
  "ALTER TABLE messages ADD COLUMN time_max INTEGER NOT NULL DEFAULT 0;"
  "UPDATE messages SET conversation_id = c.id FROM conversations c"
  "  WHERE c.account = messages.account AND c.jid = messages.conversation;"
  "UPDATE messages SET time_max = t.time_max"
  "  FROM (SELECT id, max (time) OVER (ORDER BY id) AS time_max FROM messages) t"
  "  WHERE t.id = messages.id;"
  "DROP INDEX messages_conversation;"
  "DROP INDEX messages_stanza_id;"
  "DROP INDEX messages_origin_id;"
  "DROP INDEX messages_message_id;"
  "CREATE INDEX messages_conversation ON messages (conversation_id, time);"
  "CREATE UNIQUE INDEX messages_stanza_id ON messages"
  "  (conversation_id, stanza_id, stanza_id_by) WHERE stanza_id IS NOT NULL;"
  "CREATE UNIQUE INDEX messages_origin_id ON messages"
  "  (conversation_id, origin_id, direction, sender) WHERE origin_id IS NOT NULL;"
  "CREATE INDEX messages_message_id ON messages"
  "  (conversation_id, message_id) WHERE message_id IS NOT NULL;"
  "DROP TRIGGER messages_fts_insert;",

  /* 3 -> 4 */
  "ALTER TABLE messages ADD COLUMN file TEXT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == FLINT_HISTORY_SCHEMA_VERSION);

#define RECORD_COLUMNS                                                                   \
  "m.id, m.account, m.conversation, m.kind, m.direction, m.sender, m.body, m.time, "     \
  "m.local_time, m.stanza_id, m.stanza_id_by, m.origin_id, m.message_id, m.state, "      \
  "m.correction_of, m.file"

#define FIND_COLUMNS "id, stanza_id, stanza_id_by, origin_id, message_id, state, time"

typedef enum
{
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_SAVEPOINT,
  STMT_RELEASE,
  STMT_ROLLBACK_TO,
  STMT_CONV_FIND,
  STMT_CONV_ADD,
  STMT_FIND_STANZA_ID,
  STMT_FIND_ORIGIN_ID,
  STMT_FIND_MESSAGE_ID,
  STMT_INSERT,
  STMT_FTS_INSERT,
  STMT_FILL,
  STMT_GET,
  STMT_LAST,
  STMT_BEFORE,
  STMT_PENDING,
  STMT_SEARCH,
  STMT_SNIPPET,
  STMT_AFTER,
  STMT_CONVERSATIONS,
  STMT_LAST_STANZA_ID,
  STMT_SET_STATE_ORIGIN_ID,
  STMT_SET_STATE_MESSAGE_ID,
  STMT_CORRECT,
  STMT_LATEST_IN_SECOND,
  STMT_IN_SECOND,
  STMT_SET_FILE,
  STMT_STANZA_ID_TIME,
  N_STMTS
} Stmt;

/* In the statements below, ?1 of a per-conversation statement is the
 * conversation_id (see lookup_conversation()). */
static const char *const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_SAVEPOINT] = "SAVEPOINT held_write",
  [STMT_RELEASE] = "RELEASE held_write",
  [STMT_ROLLBACK_TO] = "ROLLBACK TO held_write",
  [STMT_CONV_FIND] = "SELECT id FROM conversations WHERE account = ?1 AND jid = ?2",
  [STMT_CONV_ADD] = "INSERT INTO conversations (account, jid) VALUES (?1, ?2)",
  [STMT_FIND_STANZA_ID] = "SELECT " FIND_COLUMNS " FROM messages"
                          " WHERE conversation_id = ?1"
                          " AND stanza_id = ?2 AND stanza_id_by IS ?3 LIMIT 1",
  [STMT_FIND_ORIGIN_ID] =
    "SELECT " FIND_COLUMNS " FROM messages"
    " WHERE conversation_id = ?1"
    " AND origin_id = ?2 AND direction = ?3 AND sender = ?4 LIMIT 1",
  [STMT_FIND_MESSAGE_ID] = "SELECT " FIND_COLUMNS " FROM messages"
                           " WHERE conversation_id = ?1"
                           " AND message_id = ?2 AND direction = ?3 AND sender = ?4"
                           " ORDER BY id LIMIT 1",
  /* time_max: the running maximum (see the schema); the new row's id is
   * the largest so far, so the previous maximum is that of the last row.
   * NOT INDEXED: once PRAGMA optimize has stored the statistics of a small
   * table, the planner would scan messages_conversation and sort it,
   * making every insert cost as much as the whole table. */
  [STMT_LATEST_IN_SECOND] = "SELECT max (time) FROM messages"
                            " WHERE conversation_id = ?1 AND time >= ?2 AND time < ?3",
  /* Usually the newest archived row: the index is read from its end. */
  [STMT_STANZA_ID_TIME] = "SELECT time FROM messages"
                          " WHERE account = ?1 AND stanza_id_by = ?3"
                          " AND stanza_id IS NOT NULL AND stanza_id = ?2"
                          " ORDER BY time DESC LIMIT 1",
  [STMT_IN_SECOND] = "SELECT id, time, local_time FROM messages"
                     " WHERE conversation_id = ?1 AND time >= ?2 AND time < ?3"
                     " ORDER BY time DESC",
  [STMT_INSERT] = "INSERT INTO messages (account, conversation, kind, direction, sender,"
                  " body, time, local_time, stanza_id, stanza_id_by, origin_id,"
                  " message_id, state, correction_of, conversation_id, time_max, file)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                  " ?15, max (?7, coalesce ((SELECT time_max FROM messages NOT INDEXED"
                  " ORDER BY id DESC LIMIT 1), ?7)), ?16)"
                  " ON CONFLICT DO NOTHING",
  [STMT_FTS_INSERT] = "INSERT INTO messages_fts (rowid, body) VALUES (?1, ?2)",
  /* OR IGNORE: if filling an id would collide with another row, that row
   * already holds the id; keep both rows as they are rather than fail. */
  [STMT_SET_FILE] = "UPDATE messages SET file = ?2, message_id = ?3, origin_id = ?4,"
                    " state = ?5 WHERE id = ?1",
  [STMT_FILL] = "UPDATE OR IGNORE messages SET stanza_id = ?2, stanza_id_by = ?3,"
                " origin_id = ?4, message_id = ?5, state = ?6 WHERE id = ?1",
  [STMT_GET] = "SELECT " RECORD_COLUMNS " FROM messages m WHERE m.id = ?1",
  [STMT_LAST] = "SELECT " RECORD_COLUMNS " FROM messages m"
                " WHERE m.conversation_id = ?1"
                " ORDER BY m.time DESC, m.id DESC LIMIT ?2",
  [STMT_BEFORE] = "SELECT " RECORD_COLUMNS " FROM messages m"
                  " WHERE m.conversation_id = ?1"
                  " AND (m.time, m.id) < (?2, ?3)"
                  " ORDER BY m.time DESC, m.id DESC LIMIT ?4",
  [STMT_PENDING] = "SELECT " RECORD_COLUMNS " FROM messages m"
                   " WHERE m.account = ?1 AND m.direction = 1 AND m.state = 1"
                   " ORDER BY m.time, m.id",
  /* Matches newest id first (FTS5 walks its doclists backwards, so no
   * sort); the CROSS JOIN keeps the FTS table the outer loop. Each row says
   * whether it belongs to the account (and conversation, ?3 if not NULL),
   * and carries time_max for flint_history_search() to know when to stop. */
  [STMT_SEARCH] = "SELECT m.id, m.time, m.time_max,"
                  " m.account = ?2 AND (?3 IS NULL OR m.conversation_id = ?3)"
                  " FROM messages_fts f CROSS JOIN messages m ON m.id = f.rowid"
                  " WHERE messages_fts MATCH ?1 ORDER BY f.rowid DESC",
  /* The matched words between U+0001 and U+0002 (see markup_from_marked). */
  [STMT_SNIPPET] = "SELECT snippet (messages_fts, 0, char (1), char (2), '…', 24)"
                   " FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid = ?2",
  [STMT_AFTER] = "SELECT " RECORD_COLUMNS " FROM messages m"
                 " WHERE m.conversation_id = ?1"
                 " AND (m.time, m.id) > (?2, ?3)"
                 " ORDER BY m.time, m.id LIMIT ?4",
  [STMT_CONVERSATIONS] = "SELECT jid FROM conversations WHERE account = ?1 ORDER BY jid",
  [STMT_LAST_STANZA_ID] = "SELECT stanza_id FROM messages"
                          " WHERE account = ?1 AND stanza_id_by = ?2"
                          " AND stanza_id IS NOT NULL"
                          " ORDER BY time DESC LIMIT 1",
  [STMT_SET_STATE_ORIGIN_ID] = "UPDATE messages SET state = ?3"
                               " WHERE conversation_id = ?1"
                               " AND origin_id = ?2 AND direction = 1",
  [STMT_SET_STATE_MESSAGE_ID] = "UPDATE messages SET state = ?3"
                                " WHERE conversation_id = ?1"
                                " AND message_id = ?2 AND direction = 1",
  [STMT_CORRECT] = "UPDATE messages SET body = ?2 WHERE id = ?1",
};

struct _FlintHistory
{
  GObject parent_instance;

  sqlite3 *db;
  sqlite3_stmt *stmts[N_STMTS];
  char *path;
  char *backup_path;
  GError *recovery_error;
  /* An archive run (flint_history_begin_archive_run): its start, and the
   * rows it stored or found again; NULL when none. */
  gint64 run_started;
  GHashTable *run_seen; /* gint64 row id, allocated */
  /* The time of the row last in archive order the run stored, found again
   * or continues after (0: none): what it stores next goes after it. */
  gint64 run_floor;
  /* flint_history_hold(): its depth, and whether the transaction it keeps
   * open for the writes in between has begun (at the first write). */
  guint hold;
  gboolean held_open;
  /* Rows stored in it whose full-text entries wait for its commit: FTS5
   * writes out its pending terms at every savepoint, which would make a
   * segment per message again. */
  GArray *held_fts; /* HeldText */
  guint held_mark;  /* held_fts->len when the current savepoint began */
};

typedef struct
{
  gint64 id;
  char *body;
} HeldText;

static void
held_text_clear (HeldText *text)
{
  g_free (text->body);
}

G_DEFINE_FINAL_TYPE (FlintHistory, flint_history, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (FlintMessageRecord,
                     flint_message_record,
                     flint_message_record_copy,
                     flint_message_record_free)

FlintMessageRecord *
flint_message_record_new (void)
{
  return g_new0 (FlintMessageRecord, 1);
}

FlintMessageRecord *
flint_message_record_copy (const FlintMessageRecord *record)
{
  FlintMessageRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_memdup2 (record, sizeof *record);
  copy->account = g_strdup (record->account);
  copy->conversation = g_strdup (record->conversation);
  copy->sender = g_strdup (record->sender);
  copy->body = g_strdup (record->body);
  copy->stanza_id = g_strdup (record->stanza_id);
  copy->stanza_id_by = g_strdup (record->stanza_id_by);
  copy->origin_id = g_strdup (record->origin_id);
  copy->message_id = g_strdup (record->message_id);
  copy->correction_of = g_strdup (record->correction_of);
  copy->file = g_strdup (record->file);
  return copy;
}

void
flint_message_record_free (FlintMessageRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->account);
  g_free (record->conversation);
  g_free (record->sender);
  g_free (record->body);
  g_free (record->stanza_id);
  g_free (record->stanza_id_by);
  g_free (record->origin_id);
  g_free (record->message_id);
  g_free (record->correction_of);
  g_free (record->file);
  g_free (record);
}

/* Errors */

static gboolean
is_corrupt_code (int rc)
{
  int primary = rc & 0xff;

  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

/* The message is the user-facing text; SQLite's own words follow in
 * parentheses for bug reports. */
static void
set_db_error (GError **error, sqlite3 *db, int rc)
{
  FlintErrorCode code =
    is_corrupt_code (rc) ? FLINT_ERROR_DATABASE_CORRUPT : FLINT_ERROR_DATABASE;
  const char *detail = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  g_debug ("SQLite error %d: %s", rc, detail);
  g_set_error (error, FLINT_ERROR, code, "%s (%s)", flint_error_describe (code), detail);
}

/* Statements */

static sqlite3_stmt *
get_stmt (FlintHistory *self, Stmt which, GError **error)
{
  int rc;

  if (self->stmts[which] != NULL)
    {
      sqlite3_reset (self->stmts[which]);
      sqlite3_clear_bindings (self->stmts[which]);
      return self->stmts[which];
    }

  rc = sqlite3_prepare_v3 (self->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                           &self->stmts[which], NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (error, self->db, rc);
      return NULL;
    }
  return self->stmts[which];
}

static void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_dup (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text ? g_strdup ((const char *) text) : NULL;
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (FlintHistory *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_simple (FlintHistory *self, Stmt which, GError **error)
{
  sqlite3_stmt *stmt = get_stmt (self, which, error);

  return stmt != NULL && step_done (self, stmt, error);
}

/* Whether the transaction flint_history_hold() keeps is still open: some
 * errors (SQLITE_FULL, IOERR) roll back the whole of it. */
static gboolean
held_open (FlintHistory *self)
{
  if (self->held_open && sqlite3_get_autocommit (self->db))
    {
      g_warning ("The history lost the writes of a held transaction: %s",
                 sqlite3_errmsg (self->db));
      self->held_open = FALSE;
      g_array_set_size (self->held_fts, 0);
    }
  return self->held_open;
}

/* Inside flint_history_hold(), a write is a savepoint in the transaction
 * kept open: its own rollback undoes it alone, its "commit" is the hold's. */
static gboolean
begin (FlintHistory *self, GError **error)
{
  if (self->hold == 0)
    return run_simple (self, STMT_BEGIN, error);
  if (!held_open (self))
    {
      if (!run_simple (self, STMT_BEGIN, error))
        return FALSE;
      self->held_open = TRUE;
    }
  self->held_mark = self->held_fts->len;
  return run_simple (self, STMT_SAVEPOINT, error);
}

static gboolean
commit (FlintHistory *self, GError **error)
{
  if (held_open (self))
    return run_simple (self, STMT_RELEASE, error);
  if (run_simple (self, STMT_COMMIT, error))
    return TRUE;
  /* A failed COMMIT may leave the transaction open. */
  if (!sqlite3_get_autocommit (self->db))
    run_simple (self, STMT_ROLLBACK, NULL);
  return FALSE;
}

static void
rollback (FlintHistory *self)
{
  if (held_open (self))
    {
      run_simple (self, STMT_ROLLBACK_TO, NULL);
      run_simple (self, STMT_RELEASE, NULL);
      /* The rows undone (a batch's earlier ones) have no text to index. */
      g_array_set_size (self->held_fts, self->held_mark);
      return;
    }
  /* Some errors (SQLITE_FULL, IOERR) already rolled back. */
  if (!sqlite3_get_autocommit (self->db))
    run_simple (self, STMT_ROLLBACK, NULL);
}

/* The conversations.id of (account, jid) in *out_id, or 0 if there is none
 * and create is FALSE. With create, call it inside a transaction: the new
 * row goes away with a rollback. Returns FALSE on error only. */
static gboolean
lookup_conversation (FlintHistory *self,
                     const char *account,
                     const char *jid,
                     gboolean create,
                     gint64 *out_id,
                     GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *out_id = 0;
  if (!(stmt = get_stmt (self, STMT_CONV_FIND, error)))
    return FALSE;
  bind_text (stmt, 1, account);
  bind_text (stmt, 2, jid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_id = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_DONE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return FALSE;
    }
  if (*out_id != 0 || !create)
    return TRUE;

  if (!(stmt = get_stmt (self, STMT_CONV_ADD, error)))
    return FALSE;
  bind_text (stmt, 1, account);
  bind_text (stmt, 2, jid);
  if (!step_done (self, stmt, error))
    return FALSE;
  *out_id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

static FlintMessageRecord *
record_from_row (sqlite3_stmt *stmt)
{
  FlintMessageRecord *r = flint_message_record_new ();

  r->id = sqlite3_column_int64 (stmt, 0);
  r->account = column_dup (stmt, 1);
  r->conversation = column_dup (stmt, 2);
  r->kind = sqlite3_column_int (stmt, 3);
  r->direction = sqlite3_column_int (stmt, 4);
  r->sender = column_dup (stmt, 5);
  r->body = column_dup (stmt, 6);
  r->time = sqlite3_column_int64 (stmt, 7);
  r->local_time = sqlite3_column_int64 (stmt, 8);
  r->stanza_id = column_dup (stmt, 9);
  r->stanza_id_by = column_dup (stmt, 10);
  r->origin_id = column_dup (stmt, 11);
  r->message_id = column_dup (stmt, 12);
  r->state = sqlite3_column_int (stmt, 13);
  r->correction_of = column_dup (stmt, 14);
  r->file = column_dup (stmt, 15);
  return r;
}

/* Steps a bound SELECT of RECORD_COLUMNS to the end. */
static GPtrArray *
collect_records (FlintHistory *self, sqlite3_stmt *stmt, gboolean reverse, GError **error)
{
  g_autoptr (GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, record_from_row (stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return NULL;
    }

  if (reverse)
    for (guint i = 0, j = records->len; i + 1 < j; i++, j--)
      {
        gpointer tmp = records->pdata[i];

        records->pdata[i] = records->pdata[j - 1];
        records->pdata[j - 1] = tmp;
      }

  return g_steal_pointer (&records);
}

/* Opening, migration and recovery */

typedef enum
{
  OPEN_OK,
  OPEN_FAILED,
  OPEN_CORRUPT,
  OPEN_TOO_NEW,
} OpenResult;

static int
exec_sql (sqlite3 *db, const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_debug ("%s: %s", sql, message ? message : sqlite3_errstr (rc));
  sqlite3_free (message);
  return rc;
}

static int
query_int (sqlite3 *db, const char *sql, gint64 *out_value)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out_value = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_ERROR;
    }
  sqlite3_finalize (stmt);
  return rc;
}

static gboolean
migrate (sqlite3 *db, gint64 from, GError **error)
{
  for (gint64 version = from; version < FLINT_HISTORY_SCHEMA_VERSION; version++)
    {
      g_autofree char *set_version =
        g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, version + 1);
      int rc;

      g_debug ("Migrating history schema from version %" G_GINT64_FORMAT, version);

      rc = exec_sql (db, "BEGIN IMMEDIATE");
      if (rc == SQLITE_OK)
        rc = exec_sql (db, migrations[version]);
      if (rc == SQLITE_OK)
        rc = exec_sql (db, set_version);
      if (rc == SQLITE_OK)
        rc = exec_sql (db, "COMMIT");
      if (rc != SQLITE_OK)
        {
          set_db_error (error, db, rc);
          if (!sqlite3_get_autocommit (db))
            exec_sql (db, "ROLLBACK");
          return FALSE;
        }
    }
  return TRUE;
}

static OpenResult
open_database (const char *path, sqlite3 **out_db, GError **error)
{
  sqlite3 *db = NULL;
  gint64 version = 0, n_objects = 0;
  int rc;

  *out_db = NULL;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (error, db, rc);
      sqlite3_close (db);
      return is_corrupt_code (rc) ? OPEN_CORRUPT : OPEN_FAILED;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);
  /* Plans never depend on bound values. Without this, a term like
   * "direction = ?" compared against the WHERE of the partial index
   * messages_pending ("direction = 1 AND ...") makes SQLite re-prepare the
   * dedup lookups every time a value is bound: a parse per lookup. */
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, NULL);

  /* Reading the schema parses the header and the first page, which is where
   * a file that is not a database, or a damaged one, first fails. Check it,
   * and the version, before writing anything to the file. */
  rc = query_int (db, "SELECT count(*) FROM sqlite_master", &n_objects);
  if (rc == SQLITE_OK)
    rc = query_int (db, "PRAGMA user_version", &version);
  if (rc != SQLITE_OK)
    goto fail;

  if (version > FLINT_HISTORY_SCHEMA_VERSION)
    {
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_DATABASE_TOO_NEW, "%s",
                   flint_error_describe (FLINT_ERROR_DATABASE_TOO_NEW));
      sqlite3_close (db);
      return OPEN_TOO_NEW;
    }

  /* WAL with synchronous=NORMAL: a commit is in the WAL file before
   * COMMIT returns, so it survives the process being killed (kill -9,
   * crash); only a power loss or OS crash may lose the last few
   * transactions, never corrupt the file. That trade buys much faster
   * commits than synchronous=FULL, which fsyncs on every commit. */
  rc = exec_sql (db, "PRAGMA journal_mode = WAL");
  if (rc == SQLITE_OK)
    rc = exec_sql (db, "PRAGMA synchronous = NORMAL");
  if (rc == SQLITE_OK)
    rc = exec_sql (db, "PRAGMA foreign_keys = ON");
  /* A bigger page cache than the 2 MB default keeps the id indexes, which
   * take inserts all over, in memory (it only grows as pages are used).
   * Checkpointing every 40 MB of WAL rather than 4 MB writes a page that
   * several commits changed to the database file once instead of each
   * time; the WAL file keeps that size, then is trimmed to 16 MB. */
  if (rc == SQLITE_OK)
    rc = exec_sql (db, "PRAGMA cache_size = -32768");
  if (rc == SQLITE_OK)
    rc = exec_sql (db, "PRAGMA wal_autocheckpoint = 10000");
  if (rc == SQLITE_OK)
    rc = exec_sql (db, "PRAGMA journal_size_limit = 16777216");
  if (rc != SQLITE_OK)
    goto fail;

  if (!migrate (db, version, error))
    {
      gboolean corrupt =
        g_error_matches (*error, FLINT_ERROR, FLINT_ERROR_DATABASE_CORRUPT);

      sqlite3_close (db);
      return corrupt ? OPEN_CORRUPT : OPEN_FAILED;
    }

  *out_db = db;
  return OPEN_OK;

fail:
  set_db_error (error, db, rc);
  sqlite3_close (db);
  return is_corrupt_code (rc) ? OPEN_CORRUPT : OPEN_FAILED;
}

/* Moves path, and its -wal and -shm, aside to <path>.<tag>-<UTC time>, so
 * SQLite can still open the backup with its journal. Never deletes. */
static char *
move_aside (const char *path, const char *tag, GError **error)
{
  static const char *const suffixes[] = { "-wal", "-shm" };
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *backup = NULL;

  for (guint n = 0; backup == NULL || g_file_test (backup, G_FILE_TEST_EXISTS); n++)
    {
      g_free (backup);
      backup = n == 0 ? g_strdup_printf ("%s.%s-%s", path, tag, stamp)
                      : g_strdup_printf ("%s.%s-%s.%u", path, tag, stamp, n);
    }

  if (g_rename (path, backup) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FLINT_ERROR, FLINT_ERROR_DATABASE, "%s (%s: %s)",
                   flint_error_describe (FLINT_ERROR_DATABASE), path,
                   g_strerror (saved_errno));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (backup, suffixes[i], NULL);

      if (g_rename (from, to) != 0 && errno != ENOENT)
        g_warning ("Could not move %s aside: %s", from, g_strerror (errno));
    }

  g_message ("Moved the message history %s aside to %s", path, backup);
  return g_steal_pointer (&backup);
}

static void
flint_history_finalize (GObject *object)
{
  FlintHistory *self = FLINT_HISTORY (object);

  for (guint i = 0; i < N_STMTS; i++)
    sqlite3_finalize (self->stmts[i]);
  if (self->db != NULL)
    {
      exec_sql (self->db, "PRAGMA optimize");
      sqlite3_close (self->db);
    }
  g_clear_pointer (&self->held_fts, g_array_unref);
  g_free (self->path);
  g_free (self->backup_path);
  g_clear_error (&self->recovery_error);
  g_clear_pointer (&self->run_seen, g_hash_table_unref);

  G_OBJECT_CLASS (flint_history_parent_class)->finalize (object);
}

static void
flint_history_class_init (FlintHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = flint_history_finalize;
}

static void
flint_history_init (FlintHistory *self)
{
  self->held_fts = g_array_new (FALSE, FALSE, sizeof (HeldText));
  g_array_set_clear_func (self->held_fts, (GDestroyNotify) held_text_clear);
}

static char *
resolve_path (const char *path)
{
  return path ? g_strdup (path)
              : g_build_filename (g_get_user_data_dir (), "flint", "history.db", NULL);
}

/**
 * flint_history_needs_migration:
 * @path: (nullable): the database file, or %NULL for the default one
 *
 * Whether opening @path will migrate history stored by an older Flint,
 * which rewrites every message (a minute or so for millions of them):
 * then the caller opens it with flint_history_open_async() and waits. Only
 * reads the schema version. A missing, new, current, newer or unreadable
 * file is %FALSE: flint_history_open() deals with those at once.
 */
gboolean
flint_history_needs_migration (const char *path)
{
  g_autofree char *file = resolve_path (path);
  sqlite3 *db = NULL;
  gint64 version = 0;
  gboolean needs;

  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  /* Read-write without create: a WAL file's reader may need to write the
   * -shm; nothing else is written. */
  if (sqlite3_open_v2 (file, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 5000);
  needs = query_int (db, "PRAGMA user_version", &version) == SQLITE_OK && version > 0 &&
          version < FLINT_HISTORY_SCHEMA_VERSION;
  sqlite3_close (db);
  return needs;
}

/**
 * flint_history_open:
 * @path: (nullable): the database file, or %NULL for
 *   $XDG_DATA_HOME/flint/history.db (its directory is made with mode 0700)
 * @error: return location for a #GError
 *
 * Opens the history, creating or migrating the schema as needed.
 *
 * If the file is damaged (not a database, malformed) or was written by a
 * newer Flint, it is renamed to `<path>.corrupt-<time>` or
 * `<path>.newer-<time>` (with its -wal and -shm), a fresh history is
 * started and returned, *and* @error is set to
 * %FLINT_ERROR_DATABASE_CORRUPT or %FLINT_ERROR_DATABASE_TOO_NEW so the
 * caller can tell the user. The same error stays available from
 * flint_history_get_recovery_error(). So: a non-%NULL return is always a
 * usable store, whether or not @error was set.
 *
 * Returns: (transfer full) (nullable): the history, or %NULL if no usable
 *   database could be opened (then @error says why)
 */
FlintHistory *
flint_history_open (const char *path, GError **error)
{
  g_autoptr (FlintHistory) self = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *dir = NULL;
  OpenResult result;
  sqlite3 *db = NULL;

  self = g_object_new (FLINT_TYPE_HISTORY, NULL);
  self->path = resolve_path (path);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FLINT_ERROR, FLINT_ERROR_DATABASE, "%s (%s: %s)",
                   flint_error_describe (FLINT_ERROR_DATABASE), dir,
                   g_strerror (saved_errno));
      return NULL;
    }

  result = open_database (self->path, &db, &local_error);
  if (result == OPEN_CORRUPT || result == OPEN_TOO_NEW)
    {
      const char *tag = result == OPEN_CORRUPT ? "corrupt" : "newer";

      g_message ("Message history %s: %s", self->path, local_error->message);
      self->backup_path = move_aside (self->path, tag, error);
      if (self->backup_path == NULL)
        return NULL;

      self->recovery_error = g_error_new_literal (
        FLINT_ERROR,
        result == OPEN_CORRUPT ? FLINT_ERROR_DATABASE_CORRUPT
                               : FLINT_ERROR_DATABASE_TOO_NEW,
        flint_error_describe (result == OPEN_CORRUPT ? FLINT_ERROR_DATABASE_CORRUPT
                                                     : FLINT_ERROR_DATABASE_TOO_NEW));
      g_clear_error (&local_error);
      result = open_database (self->path, &db, &local_error);
    }

  if (result != OPEN_OK)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self->db = db;
  if (self->recovery_error != NULL)
    g_propagate_error (error, g_error_copy (self->recovery_error));

  return g_steal_pointer (&self);
}

const char *
flint_history_get_path (FlintHistory *self)
{
  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  return self->path;
}

/**
 * flint_history_get_recovery_error:
 *
 * Returns: (nullable): why the history was started afresh when it was
 *   opened (%FLINT_ERROR_DATABASE_CORRUPT or %FLINT_ERROR_DATABASE_TOO_NEW),
 *   or %NULL if the existing file was opened normally
 */
const GError *
flint_history_get_recovery_error (FlintHistory *self)
{
  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  return self->recovery_error;
}

/* Returns: (nullable): where the damaged or newer file was moved to */
const char *
flint_history_get_backup_path (FlintHistory *self)
{
  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  return self->backup_path;
}

/* Inserting */

typedef struct
{
  gint64 id;
  char *stanza_id;
  char *stanza_id_by;
  char *origin_id;
  char *message_id;
  FlintDeliveryState state;
  gint64 time;
} Found;

static void
found_clear (Found *found)
{
  g_clear_pointer (&found->stanza_id, g_free);
  g_clear_pointer (&found->stanza_id_by, g_free);
  g_clear_pointer (&found->origin_id, g_free);
  g_clear_pointer (&found->message_id, g_free);
}

/* Steps a bound FIND_COLUMNS lookup. Returns FALSE on error only. */
static gboolean
find_step (FlintHistory *self, sqlite3_stmt *stmt, Found *found, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      found->id = sqlite3_column_int64 (stmt, 0);
      found->stanza_id = column_dup (stmt, 1);
      found->stanza_id_by = column_dup (stmt, 2);
      found->origin_id = column_dup (stmt, 3);
      found->message_id = column_dup (stmt, 4);
      found->state = sqlite3_column_int (stmt, 5);
      found->time = sqlite3_column_int64 (stmt, 6);
      rc = SQLITE_DONE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

static const char *
nonempty (const char *s)
{
  return s != NULL && *s != '\0' ? s : NULL;
}

/* The dedup rules, in order; found->id stays 0 when none matches. */
static gboolean
find_duplicate (FlintHistory *self,
                const FlintMessageRecord *r,
                gint64 conversation_id,
                const char *sender,
                Found *found,
                GError **error)
{
  sqlite3_stmt *stmt;

  /* The same archive id: the same message, whoever relayed it. */
  if (nonempty (r->stanza_id))
    {
      if (!(stmt = get_stmt (self, STMT_FIND_STANZA_ID, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, conversation_id);
      bind_text (stmt, 2, r->stanza_id);
      bind_text (stmt, 3, r->stanza_id_by);
      if (!find_step (self, stmt, found, error))
        return FALSE;
      if (found->id != 0)
        return TRUE;
    }

  /* Otherwise the sender's own id: origin-id if it sent one, else the
   * stanza id attribute. */
  if (nonempty (r->origin_id))
    {
      if (!(stmt = get_stmt (self, STMT_FIND_ORIGIN_ID, error)))
        return FALSE;
      bind_text (stmt, 2, r->origin_id);
    }
  else if (nonempty (r->message_id))
    {
      if (!(stmt = get_stmt (self, STMT_FIND_MESSAGE_ID, error)))
        return FALSE;
      bind_text (stmt, 2, r->message_id);
    }
  else
    return TRUE;

  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int (stmt, 3, r->direction);
  bind_text (stmt, 4, sender);
  return find_step (self, stmt, found, error);
}

/* How far along an outgoing message is, so a duplicate only moves it on:
 * a copy from the archive proves a pending or failed message was sent. */
static int
state_rank (FlintDeliveryState state)
{
  switch (state)
    {
      case FLINT_DELIVERY_RECEIVED:
        return 0;
      case FLINT_DELIVERY_FAILED:
        return 1;
      case FLINT_DELIVERY_PENDING:
        return 2;
      case FLINT_DELIVERY_SENT:
        return 3;
      case FLINT_DELIVERY_ACKED:
        return 4;
      case FLINT_DELIVERY_DELIVERED:
        return 5;
      case FLINT_DELIVERY_READ:
        return 6;
      default:
        return 0;
    }
}

/* Gives the stored row the ids it lacks and the later state. */
static gboolean
fill_duplicate (FlintHistory *self,
                const FlintMessageRecord *r,
                const Found *found,
                GError **error)
{
  gboolean add_stanza_id = found->stanza_id == NULL && nonempty (r->stanza_id);
  gboolean add_origin_id = found->origin_id == NULL && nonempty (r->origin_id);
  gboolean add_message_id = found->message_id == NULL && nonempty (r->message_id);
  gboolean advance_state = state_rank (r->state) > state_rank (found->state) &&
                           found->state != FLINT_DELIVERY_RECEIVED;
  sqlite3_stmt *stmt;

  if (!add_stanza_id && !add_origin_id && !add_message_id && !advance_state)
    return TRUE;

  if (!(stmt = get_stmt (self, STMT_FILL, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, found->id);
  bind_text (stmt, 2, add_stanza_id ? r->stanza_id : found->stanza_id);
  bind_text (stmt, 3, add_stanza_id ? r->stanza_id_by : found->stanza_id_by);
  bind_text (stmt, 4, add_origin_id ? r->origin_id : found->origin_id);
  bind_text (stmt, 5, add_message_id ? r->message_id : found->message_id);
  sqlite3_bind_int (stmt, 6, advance_state ? r->state : found->state);
  return step_done (self, stmt, error);
}

/* Inside a transaction. */
/* A server stamp in whole seconds (Prosody's delays and archive) means
 * "some time in that second". Messages stored with finer local times in
 * the same second arrived before this one (it was held back: a resumed
 * stream, the offline store, the archive), so it goes after them, still
 * inside its second; else a message resent after a reconnect would sort
 * before the ones it followed. */
/* In an archive run the archive's order decides instead: the message
 * goes after the rows of its second stored before the run began or
 * passed by the run, and before the others, which came live meanwhile
 * and are further on in the archive. */
static gboolean
place_in_archive_order (FlintHistory *self,
                        gint64 conversation_id,
                        gint64 *time,
                        GError **error)
{
  sqlite3_stmt *stmt;
  gint64 second = *time, latest = -1;
  int rc;

  if (!(stmt = get_stmt (self, STMT_IN_SECOND, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, second);
  sqlite3_bind_int64 (stmt, 3, second + G_USEC_PER_SEC);
  /* Newest first: usually the run's own last row, at once. */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (sqlite3_column_int64 (stmt, 2) < self->run_started ||
          g_hash_table_contains (self->run_seen, &id))
        {
          latest = sqlite3_column_int64 (stmt, 1);
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return FALSE;
    }
  if (latest >= 0)
    *time = MIN (latest + 1, second + G_USEC_PER_SEC - 1);
  return TRUE;
}

static gboolean
place_in_second (FlintHistory *self, gint64 conversation_id, gint64 *time, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 second = *time;
  int rc;

  if (second % G_USEC_PER_SEC != 0)
    return TRUE;
  if (self->run_seen)
    return place_in_archive_order (self, conversation_id, time, error);
  if (!(stmt = get_stmt (self, STMT_LATEST_IN_SECOND, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, second);
  sqlite3_bind_int64 (stmt, 3, second + G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    *time = MIN (sqlite3_column_int64 (stmt, 0) + 1, second + G_USEC_PER_SEC - 1);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

/* The run has passed row @id, at @time in the history. What it stores next
 * is later in the archive, so it goes after that row too. A time in the
 * future (a sender's forged delay) is not followed. */
static void
run_saw (FlintHistory *self, gint64 id, gint64 time)
{
  if (self->run_seen == NULL || id <= 0)
    return;
  g_hash_table_add (self->run_seen, g_memdup2 (&id, sizeof id));
  if (time <= g_get_real_time ())
    self->run_floor = MAX (self->run_floor, time);
}

static gboolean
index_text (FlintHistory *self, gint64 id, const char *body, GError **error)
{
  sqlite3_stmt *stmt = get_stmt (self, STMT_FTS_INSERT, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, body);
  return step_done (self, stmt, error);
}

/* The held rows' full-text entries, before anything else reads or changes
 * the index in this transaction, and before its commit. A failure leaves
 * that message stored but not found by search: it is not worth the rest. */
static void
index_held_text (FlintHistory *self)
{
  for (guint i = 0; i < self->held_fts->len; i++)
    {
      HeldText *text = &g_array_index (self->held_fts, HeldText, i);
      g_autoptr (GError) error = NULL;

      if (!index_text (self, text->id, text->body, &error))
        g_warning ("Message %" G_GINT64_FORMAT " will not be found by search: %s",
                   text->id, error->message);
    }
  g_array_set_size (self->held_fts, 0);
}

static gboolean
insert_one (FlintHistory *self,
            FlintMessageRecord *r,
            gboolean *out_inserted,
            GError **error)
{
  Found found = { 0 };
  const char *sender = r->sender ? r->sender : "";
  sqlite3_stmt *stmt;
  gint64 local_time, time, conversation_id;

  *out_inserted = FALSE;

  if (!lookup_conversation (self, r->account, r->conversation, TRUE, &conversation_id,
                            error))
    goto fail;
  if (!find_duplicate (self, r, conversation_id, sender, &found, error))
    goto fail;

  if (found.id != 0)
    {
      if (!fill_duplicate (self, r, &found, error))
        goto fail;
      r->id = found.id;
      found_clear (&found);
      run_saw (self, r->id, found.time);
      return TRUE;
    }

  local_time = r->local_time ? r->local_time : g_get_real_time ();
  time = r->time ? r->time : local_time;
  if (!place_in_second (self, conversation_id, &time, error))
    goto fail;
  /* A row stored live has the time it came, which can be seconds after
   * the archive's stamps of the messages that followed it when the client
   * lagged behind a flood and then died: an archived message must still
   * not go before what the archive has before it. */
  if (self->run_seen && time <= self->run_floor)
    time = self->run_floor + 1;

  if (!(stmt = get_stmt (self, STMT_INSERT, error)))
    goto fail;
  bind_text (stmt, 1, r->account);
  bind_text (stmt, 2, r->conversation);
  sqlite3_bind_int (stmt, 3, r->kind);
  sqlite3_bind_int (stmt, 4, r->direction);
  bind_text (stmt, 5, sender);
  bind_text (stmt, 6, r->body);
  sqlite3_bind_int64 (stmt, 7, time);
  sqlite3_bind_int64 (stmt, 8, local_time);
  bind_text (stmt, 9, nonempty (r->stanza_id));
  bind_text (stmt, 10, nonempty (r->stanza_id) ? r->stanza_id_by : NULL);
  bind_text (stmt, 11, nonempty (r->origin_id));
  bind_text (stmt, 12, nonempty (r->message_id));
  sqlite3_bind_int (stmt, 13, r->state);
  bind_text (stmt, 14, nonempty (r->correction_of));
  sqlite3_bind_int64 (stmt, 15, conversation_id);
  bind_text (stmt, 16, nonempty (r->file));
  if (!step_done (self, stmt, error))
    goto fail;

  if (sqlite3_changes (self->db) == 0)
    {
      /* A unique index caught what the lookup did not: still a duplicate,
       * but one the rules above should have found. */
      g_warning ("Duplicate message missed by the lookup (%s/%s)", r->account,
                 r->conversation);
      r->id = 0;
      return TRUE;
    }

  r->id = sqlite3_last_insert_rowid (self->db);

  /* What the version 2 trigger did, without its per-row FTS5 flush. */
  if (held_open (self))
    {
      HeldText text = { r->id, g_strdup (r->body) };

      g_array_append_val (self->held_fts, text);
    }
  else if (!index_text (self, r->id, r->body, error))
    goto fail;

  r->local_time = local_time;
  r->time = time;
  run_saw (self, r->id, time);
  *out_inserted = TRUE;
  return TRUE;

fail:
  found_clear (&found);
  return FALSE;
}

/**
 * flint_history_insert:
 * @record: the message; account and conversation are required. A zero
 *   local_time is set to now, a zero time to local_time.
 * @out_inserted: (out) (optional): %FALSE if it was a duplicate
 *
 * Stores @record durably, once. A duplicate of a stored message (see
 * find_duplicate() for the rules) is not stored again, but gives the
 * stored row any ids it lacked and moves an outgoing message's state on.
 * Either way @record->id is set to the row's id (0 on error).
 */
gboolean
flint_history_insert (FlintHistory *self,
                      FlintMessageRecord *record,
                      gboolean *out_inserted,
                      GError **error)
{
  gboolean inserted = FALSE;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  if (!insert_one (self, record, &inserted, error))
    {
      rollback (self);
      record->id = 0;
      return FALSE;
    }
  if (!commit (self, error))
    {
      record->id = 0;
      return FALSE;
    }
  if (out_inserted)
    *out_inserted = inserted;
  return TRUE;
}

/**
 * flint_history_insert_batch:
 * @records: (element-type FlintMessageRecord): messages to store
 * @out_n_inserted: (out) (optional): how many were new
 *
 * Like flint_history_insert() for each record, in one transaction: all are
 * stored, or on error none (and every record's id is reset to 0).
 */
gboolean
flint_history_insert_batch (FlintHistory *self,
                            GPtrArray *records,
                            guint *out_n_inserted,
                            GError **error)
{
  guint n_inserted = 0;
  gint64 run_floor = self->run_floor;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (records != NULL, FALSE);

  if (out_n_inserted)
    *out_n_inserted = 0;

  if (!begin (self, error))
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      gboolean inserted;

      if (!insert_one (self, records->pdata[i], &inserted, error))
        {
          rollback (self);
          goto fail;
        }
      n_inserted += inserted;
    }

  if (!commit (self, error))
    goto fail;

  if (out_n_inserted)
    *out_n_inserted = n_inserted;
  return TRUE;

fail:
  self->run_floor = run_floor;
  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *r = records->pdata[i];

      /* Rolled back: a new row's id may be given to another row. A
       * duplicate's row stays, but is forgotten too: no harm, rare. */
      if (self->run_seen)
        g_hash_table_remove (self->run_seen, &r->id);
      r->id = 0;
    }
  return FALSE;
}

/**
 * flint_history_hold:
 *
 * Until the matching flint_history_release(), writes go into one
 * transaction, committed by the release: a burst of messages read in one
 * go costs one commit (and one FTS5 segment) instead of one each. Holds
 * nest. Call it around work that returns to the main loop only after the
 * release, and release before anything that must follow a durable write
 * (an acknowledgement to the server) can happen.
 */
void
flint_history_hold (FlintHistory *self)
{
  g_return_if_fail (FLINT_IS_HISTORY (self));
  self->hold++;
}

/**
 * flint_history_release:
 *
 * Ends a flint_history_hold(); the last one commits what was written.
 * Returns %FALSE with @error set if that commit failed: the writes held
 * are then not stored.
 */
gboolean
flint_history_release (FlintHistory *self, GError **error)
{
  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (self->hold > 0, FALSE);

  if (--self->hold > 0 || !held_open (self))
    return TRUE;
  index_held_text (self);
  self->held_open = FALSE;
  return commit (self, error);
}

/**
 * flint_history_begin_archive_run:
 * @started: when the catch-up began (microseconds since the epoch, the
 *   clock of local_time)
 * @account: (nullable): the account whose archive is read
 * @after: (nullable): the archive id (a stored row's stanza-id, by
 *   @account) the catch-up reads on from
 *
 * From now until flint_history_end_archive_run(), this FlintHistory stores
 * an archive catch-up, in the archive's order: a message stamped in whole
 * seconds goes after the rows of its second stored before @started or by
 * the run itself (stored or found again), and before the rows stored by
 * others since, which came live and are further on in the archive. Out of
 * a run such a message goes after every row of its second (it was held
 * back; see place_in_second()).
 *
 * Nor does a message of the run go before the row of @after, or before
 * one the run stored or found again earlier, whatever its stamp: rows
 * that came live carry the time they came, not the server's.
 */
void
flint_history_begin_archive_run (FlintHistory *self,
                                 gint64 started,
                                 const char *account,
                                 const char *after)
{
  sqlite3_stmt *stmt;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (FLINT_IS_HISTORY (self));

  g_clear_pointer (&self->run_seen, g_hash_table_unref);
  self->run_seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->run_started = started;
  self->run_floor = 0;
  if (account == NULL || !nonempty (after))
    return;
  if (!(stmt = get_stmt (self, STMT_STANZA_ID_TIME, &error)))
    {
      g_warning ("Could not look up where the archive catch-up starts: %s",
                 error->message);
      return;
    }
  bind_text (stmt, 1, account);
  bind_text (stmt, 2, after);
  bind_text (stmt, 3, account);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) <= started)
    self->run_floor = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
}

void
flint_history_end_archive_run (FlintHistory *self)
{
  g_return_if_fail (FLINT_IS_HISTORY (self));

  g_clear_pointer (&self->run_seen, g_hash_table_unref);
}

/**
 * flint_history_set_state:
 * @message_id: the origin-id or the id attribute of an outgoing message
 *
 * Sets the delivery state of our outgoing message, as a receipt, an ack
 * or a send failure tells. Matching no message is not an error.
 */
gboolean
flint_history_set_state (FlintHistory *self,
                         const char *account,
                         const char *conversation,
                         const char *message_id,
                         FlintDeliveryState state,
                         GError **error)
{
  gint64 conversation_id;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (account != NULL && conversation != NULL, FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);

  if (!lookup_conversation (self, account, conversation, FALSE, &conversation_id, error))
    return FALSE;
  if (conversation_id == 0)
    return TRUE;

  /* Two statements rather than one OR so each uses its index. */
  for (Stmt which = STMT_SET_STATE_ORIGIN_ID; which <= STMT_SET_STATE_MESSAGE_ID; which++)
    {
      sqlite3_stmt *stmt = get_stmt (self, which, error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, conversation_id);
      bind_text (stmt, 2, message_id);
      sqlite3_bind_int (stmt, 3, state);
      if (!step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * flint_history_set_file:
 *
 * Writes what changed about a file row (record->id): its file description,
 * and the ids and state it gets when its link is sent.
 */
gboolean
flint_history_set_file (FlintHistory *self,
                        const FlintMessageRecord *record,
                        GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (record != NULL && record->id > 0, FALSE);

  if (!(stmt = get_stmt (self, STMT_SET_FILE, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, record->id);
  bind_text (stmt, 2, nonempty (record->file));
  bind_text (stmt, 3, nonempty (record->message_id));
  bind_text (stmt, 4, nonempty (record->origin_id));
  sqlite3_bind_int (stmt, 5, record->state);
  return step_done (self, stmt, error);
}

/**
 * flint_history_apply_correction:
 * @correction: the correcting message, with correction_of set to the
 *   origin-id or id of the message it corrects (XEP-0308)
 * @out_applied: (out) (optional): whether a stored message was corrected
 *
 * Corrections replace the text in place: the corrected row keeps its id,
 * time and ids and takes the new body (so paging and search see the
 * latest text), and the correction is not stored as a row of its own.
 * Only a message from the same sender in the same conversation and
 * direction is corrected (XEP-0308 security). If the original is not
 * stored (yet, e.g. while paging an archive backwards), nothing changes
 * and *@out_applied is %FALSE: the caller may then store the correction
 * with flint_history_insert(), its correction_of kept for later.
 */
gboolean
flint_history_apply_correction (FlintHistory *self,
                                const FlintMessageRecord *correction,
                                gboolean *out_applied,
                                GError **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0, conversation_id;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (correction != NULL, FALSE);

  if (out_applied)
    *out_applied = FALSE;
  if (!nonempty (correction->correction_of))
    return TRUE;
  /* It rewrites the corrected row's entry, which may still be held. */
  index_held_text (self);

  if (!lookup_conversation (self, correction->account, correction->conversation, FALSE,
                            &conversation_id, error))
    return FALSE;
  if (conversation_id == 0)
    return TRUE;

  /* XEP-0308 names the corrected message by the id attribute, but
   * clients that set an origin-id set it to the same value: try both, each
   * with its index. */
  for (Stmt which = STMT_FIND_ORIGIN_ID; id == 0 && which <= STMT_FIND_MESSAGE_ID;
       which++)
    {
      Found found = { 0 };
      gboolean ok;

      if (!(stmt = get_stmt (self, which, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, conversation_id);
      bind_text (stmt, 2, correction->correction_of);
      sqlite3_bind_int (stmt, 3, correction->direction);
      bind_text (stmt, 4, correction->sender ? correction->sender : "");
      ok = find_step (self, stmt, &found, error);
      id = found.id;
      found_clear (&found);
      if (!ok)
        return FALSE;
    }

  if (id == 0)
    return TRUE;

  if (!(stmt = get_stmt (self, STMT_CORRECT, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, correction->body);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (out_applied)
    *out_applied = TRUE;
  return TRUE;
}

/* Reading */

/**
 * flint_history_get_last:
 *
 * Returns: (transfer container) (element-type FlintMessageRecord): the
 *   @limit newest messages of the conversation, oldest first
 */
GPtrArray *
flint_history_get_last (FlintHistory *self,
                        const char *account,
                        const char *conversation,
                        guint limit,
                        GError **error)
{
  sqlite3_stmt *stmt;
  gint64 conversation_id;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL && conversation != NULL, NULL);

  if (!lookup_conversation (self, account, conversation, FALSE, &conversation_id, error))
    return NULL;
  if (!(stmt = get_stmt (self, STMT_LAST, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  return collect_records (self, stmt, TRUE, error);
}

/* A keyset page of a conversation: the statement takes (conversation,
 * time, id, limit); its rows come newest first when @reverse. */
static GPtrArray *
get_page (FlintHistory *self,
          Stmt statement,
          gboolean reverse,
          const char *account,
          const char *conversation,
          gint64 time,
          gint64 id,
          guint limit,
          GError **error)
{
  sqlite3_stmt *stmt;
  gint64 conversation_id;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL && conversation != NULL, NULL);

  if (!lookup_conversation (self, account, conversation, FALSE, &conversation_id, error))
    return NULL;
  if (!(stmt = get_stmt (self, statement, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, time);
  sqlite3_bind_int64 (stmt, 3, id);
  sqlite3_bind_int64 (stmt, 4, limit);
  return collect_records (self, stmt, reverse, error);
}

/**
 * flint_history_get_before:
 * @time: @id: the (time, id) of the oldest message shown
 *
 * Keyset paging: the @limit messages strictly before (@time, @id) in
 * (time, id) order, oldest first. Pass the first record of the previous
 * page to get the one before it; rows with equal times are neither
 * skipped nor repeated.
 *
 * Returns: (transfer container) (element-type FlintMessageRecord)
 */
GPtrArray *
flint_history_get_before (FlintHistory *self,
                          const char *account,
                          const char *conversation,
                          gint64 time,
                          gint64 id,
                          guint limit,
                          GError **error)
{
  return get_page (self, STMT_BEFORE, TRUE, account, conversation, time, id, limit,
                   error);
}

/**
 * flint_history_get_pending:
 *
 * The account's outgoing messages still %FLINT_DELIVERY_PENDING, to send
 * after reconnecting. A read error is logged and gives an empty array.
 *
 * Returns: (transfer container) (element-type FlintMessageRecord): oldest
 *   first
 */
GPtrArray *
flint_history_get_pending (FlintHistory *self, const char *account)
{
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *stmt;
  GPtrArray *records = NULL;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  if ((stmt = get_stmt (self, STMT_PENDING, &error)))
    {
      bind_text (stmt, 1, account);
      records = collect_records (self, stmt, FALSE, &error);
    }
  if (records == NULL)
    {
      g_warning ("Could not read pending messages: %s", error->message);
      records =
        g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
    }
  return records;
}

static gboolean
has_word_char (const char *token)
{
  for (const char *p = token; *p; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* Turns what the user typed into an FTS5 query that cannot be a syntax
 * error: every word becomes a quoted string ("AND", quotes, colons and
 * stars lose their meaning), words must all match, and the last word is a
 * prefix unless the user typed a space after it. NULL if nothing is left
 * to search for. */
static char *
build_match_query (const char *text)
{
  g_auto (GStrv) tokens = g_strsplit_set (text, " \t\n\r\f\v", -1);
  g_autoptr (GString) query = g_string_new (NULL);
  gboolean prefix = *text != '\0' && !g_ascii_isspace (text[strlen (text) - 1]);
  int last = -1;

  for (int i = 0; tokens[i] != NULL; i++)
    if (has_word_char (tokens[i]))
      last = i;

  for (int i = 0; i <= last; i++)
    {
      if (!has_word_char (tokens[i]))
        continue;
      if (query->len > 0)
        g_string_append_c (query, ' ');
      g_string_append_c (query, '"');
      for (const char *p = tokens[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append_c (query, '"');
      if (i == last && prefix)
        g_string_append_c (query, '*');
    }

  return query->len > 0 ? g_string_free (g_steal_pointer (&query), FALSE) : NULL;
}

typedef struct
{
  gint64 id;
  gint64 time;
} SearchHit;

/* Adds hit to hits, kept newest first by (time, id) and at most limit
 * long. */
static void
search_hit_add (GArray *hits, const SearchHit *hit, guint limit)
{
  guint lo = 0, hi = hits->len;

  /* The first position whose hit sorts after this one. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const SearchHit *h = &g_array_index (hits, SearchHit, mid);

      if (h->time > hit->time || (h->time == hit->time && h->id > hit->id))
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo >= limit)
    return;
  g_array_insert_val (hits, lo, *hit);
  if (hits->len > limit)
    g_array_set_size (hits, limit);
}

void
flint_search_hit_free (FlintSearchHit *hit)
{
  if (hit == NULL)
    return;
  flint_message_record_free (hit->record);
  g_free (hit->markup);
  g_free (hit);
}

/* Pango markup from an FTS5 snippet whose matched words are between U+0001
 * and U+0002: every run of text is escaped, so nothing in a message can
 * become markup; the markers become <b></b>. Line breaks become spaces (a
 * result is one line). A body that itself holds a marker character gets
 * no highlighting rather than a wrong one. */
char *
flint_history_markup_from_marked (const char *marked, gboolean trust_markers)
{
  GString *out = g_string_new (NULL);
  gboolean open = FALSE;
  const char *run = marked;

  for (const char *p = marked;; p++)
    {
      if (*p == '\0' || *p == '\1' || *p == '\2' || *p == '\n' || *p == '\r' ||
          *p == '\t')
        {
          g_autofree char *escaped = g_markup_escape_text (run, p - run);

          g_string_append (out, escaped);
          if (*p == '\0')
            break;
          if (*p == '\1' && trust_markers && !open)
            {
              g_string_append (out, "<b>");
              open = TRUE;
            }
          else if (*p == '\2' && trust_markers && open)
            {
              g_string_append (out, "</b>");
              open = FALSE;
            }
          else if (*p == '\n' || *p == '\r' || *p == '\t')
            g_string_append_c (out, ' ');
          run = p + 1;
        }
    }
  if (open)
    g_string_append (out, "</b>");
  return g_string_free (out, FALSE);
}

static int
on_search_progress (void *data)
{
  return g_cancellable_is_cancelled (data);
}

static char *
search_markup (FlintHistory *self,
               const char *match,
               const FlintMessageRecord *record,
               GError **error)
{
  sqlite3_stmt *stmt;
  char *markup = NULL;
  int rc;

  if (!(stmt = get_stmt (self, STMT_SNIPPET, error)))
    return NULL;
  bind_text (stmt, 1, match);
  sqlite3_bind_int64 (stmt, 2, record->id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_text (stmt, 0))
    {
      gboolean trust = record->body == NULL || strpbrk (record->body, "\1\2") == NULL;

      markup = flint_history_markup_from_marked (
        (const char *) sqlite3_column_text (stmt, 0), trust);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return NULL;
    }
  if (markup == NULL)
    markup = flint_history_markup_from_marked (record->body ? record->body : "", FALSE);
  return markup;
}

static GPtrArray *search (FlintHistory *self,
                          const char *query,
                          const char *account,
                          const char *conversation,
                          gint64 since,
                          gint64 until,
                          guint limit,
                          gboolean with_markup,
                          GCancellable *cancellable,
                          GError **error);

/**
 * flint_history_search_full:
 * @query: words as the user typed them; never a syntax error
 * @conversation: (nullable): limit to one conversation (contact or room)
 * @since: only messages at or after this time, or 0
 * @until: only messages before this time, or 0
 * @cancellable: (nullable): cancelling it (from any thread) stops the
 *   query within a few thousand SQLite steps with %G_IO_ERROR_CANCELLED
 *
 * Full-text search of message bodies of @account, ignoring case and
 * diacritics; every word must match and the last one may be the start of
 * a word (what is typed so far).
 *
 * Cost: while messages are stored roughly in time order it reads about
 * @limit matches, however many there are. Matches stored after newer
 * messages (an archive paged backwards) or a stored time far in the
 * future make it read further back, at worst every match, which is what
 * sorting them all would cost. @until skips the newer matches as it walks;
 * @since stops the walk where no older match can qualify.
 *
 * Returns: (transfer container) (element-type FlintSearchHit): at most
 *   @limit matches, newest first, each with its text as safe Pango markup
 *   with the matched words in bold; empty for an empty query
 */
GPtrArray *
flint_history_search_full (FlintHistory *self,
                           const char *query,
                           const char *account,
                           const char *conversation,
                           gint64 since,
                           gint64 until,
                           guint limit,
                           GCancellable *cancellable,
                           GError **error)
{
  return search (self, query, account, conversation, since, until, limit, TRUE,
                 cancellable, error);
}

static GPtrArray *
search (FlintHistory *self,
        const char *query,
        const char *account,
        const char *conversation,
        gint64 since,
        gint64 until,
        guint limit,
        gboolean with_markup,
        GCancellable *cancellable,
        GError **error)
{
  g_autofree char *match = NULL;
  g_autoptr (GArray) hits = NULL;
  g_autoptr (GPtrArray) results =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_search_hit_free);
  gint64 conversation_id = 0;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (query != NULL && account != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (limit == 0 || !g_utf8_validate (query, -1, NULL) ||
      !(match = build_match_query (query)))
    return g_steal_pointer (&results);

  if (conversation != NULL)
    {
      if (!lookup_conversation (self, account, conversation, FALSE, &conversation_id,
                                error))
        return NULL;
      if (conversation_id == 0)
        return g_steal_pointer (&results);
    }

  if (cancellable)
    sqlite3_progress_handler (self->db, 1000, on_search_progress, cancellable);

  /* The best page so far, newest first by (time, id). Matches come newest
   * id first; once the page is full and its last hit is at least as new as
   * the current row's time_max, no row with a smaller id can enter it: its
   * time is at most that time_max, and at an equal time its smaller id
   * sorts after. Arrival order is close to time order, so this stops after
   * about one page of matches instead of sorting all of them. For the same
   * reason no row with a smaller id can be at or after since once time_max
   * is below it. */
  hits = g_array_sized_new (FALSE, FALSE, sizeof (SearchHit), MIN (limit, 1024) + 1);
  if (!(stmt = get_stmt (self, STMT_SEARCH, error)))
    goto fail;
  bind_text (stmt, 1, match);
  bind_text (stmt, 2, account);
  if (conversation_id != 0)
    sqlite3_bind_int64 (stmt, 3, conversation_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SearchHit hit = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };
      gint64 time_max = sqlite3_column_int64 (stmt, 2);

      if (sqlite3_column_int (stmt, 3) && hit.time >= since &&
          (until == 0 || hit.time < until))
        search_hit_add (hits, &hit, limit);
      if ((hits->len == limit &&
           g_array_index (hits, SearchHit, hits->len - 1).time >= time_max) ||
          (since != 0 && time_max < since))
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      goto fail;
    }

  for (guint i = 0; i < hits->len; i++)
    {
      FlintSearchHit *result;

      if (!(stmt = get_stmt (self, STMT_GET, error)))
        goto fail;
      sqlite3_bind_int64 (stmt, 1, g_array_index (hits, SearchHit, i).id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          result = g_new0 (FlintSearchHit, 1);
          result->record = record_from_row (stmt);
          g_ptr_array_add (results, result);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          set_db_error (error, self->db, rc);
          goto fail;
        }
      if (rc == SQLITE_ROW && with_markup &&
          !(result->markup = search_markup (self, match, result->record, error)))
        goto fail;
    }
  sqlite3_progress_handler (self->db, 0, NULL, NULL);
  return g_steal_pointer (&results);

fail:
  sqlite3_progress_handler (self->db, 0, NULL, NULL);
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_clear_error (error);
      g_cancellable_set_error_if_cancelled (cancellable, error);
    }
  return NULL;
}

/**
 * flint_history_search:
 *
 * flint_history_search_full() without filters, snippets or cancellation.
 *
 * Returns: (transfer container) (element-type FlintMessageRecord): at
 *   most @limit matches, newest first; empty for an empty query
 */
GPtrArray *
flint_history_search (FlintHistory *self,
                      const char *query,
                      const char *account,
                      const char *conversation,
                      guint limit,
                      GError **error)
{
  g_autoptr (GPtrArray) hits = NULL;
  GPtrArray *records;

  hits = search (self, query, account, conversation, 0, 0, limit, FALSE, NULL, error);
  if (hits == NULL)
    return NULL;
  records = g_ptr_array_new_full (hits->len, (GDestroyNotify) flint_message_record_free);
  for (guint i = 0; i < hits->len; i++)
    {
      FlintSearchHit *hit = g_ptr_array_index (hits, i);

      g_ptr_array_add (records, g_steal_pointer (&hit->record));
    }
  return records;
}

/**
 * flint_history_get_after:
 * @time: @id: the (time, id) of the newest message shown
 *
 * Keyset paging forwards: the @limit messages strictly after (@time, @id)
 * in (time, id) order, oldest first. Pass (@time, -1) for the messages at
 * or after @time.
 *
 * Returns: (transfer container) (element-type FlintMessageRecord)
 */
GPtrArray *
flint_history_get_after (FlintHistory *self,
                         const char *account,
                         const char *conversation,
                         gint64 time,
                         gint64 id,
                         guint limit,
                         GError **error)
{
  return get_page (self, STMT_AFTER, FALSE, account, conversation, time, id, limit,
                   error);
}

/**
 * flint_history_list_conversations:
 *
 * Returns: (transfer full): the bare JIDs of the account's stored
 *   conversations (contacts and rooms) in order, or %NULL on error
 */
GStrv
flint_history_list_conversations (FlintHistory *self, const char *account, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  if (!(stmt = get_stmt (self, STMT_CONVERSATIONS, error)))
    return NULL;
  bind_text (stmt, 1, account);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

/**
 * flint_history_get_last_stanza_id:
 * @conversation: (nullable): a room, or %NULL for the account's own
 *   archive (its 1:1 messages)
 *
 * The newest stored stanza-id assigned by that archive, where a MAM
 * catch-up should start. A read error is logged and gives %NULL.
 *
 * Returns: (transfer full) (nullable): the stanza-id, or %NULL if none
 */
char *
flint_history_get_last_stanza_id (FlintHistory *self,
                                  const char *account,
                                  const char *conversation)
{
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *stmt;
  char *stanza_id = NULL;
  int rc;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  if (!(stmt = get_stmt (self, STMT_LAST_STANZA_ID, &error)))
    {
      g_warning ("Could not read the last stanza-id: %s", error->message);
      return NULL;
    }
  bind_text (stmt, 1, account);
  bind_text (stmt, 2, conversation ? conversation : account);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    stanza_id = column_dup (stmt, 0);
  else if (rc != SQLITE_DONE)
    g_warning ("Could not read the last stanza-id: %s", sqlite3_errmsg (self->db));
  sqlite3_reset (stmt);
  return stanza_id;
}

/* Ranges and deletion (transcripts, clear history, retention). Their
 * statements are prepared per call: they run a few times a day at most. */

static sqlite3_stmt *
prepare_once (FlintHistory *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (error, self->db, rc);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

/**
 * flint_history_get_range:
 * @time: with @id, the position to read after: rows with (time, id) >
 *   (@time, @id) (pass the range's start time and 0 for its first page)
 * @until: rows with a time before this only (G_MAXINT64: no end)
 *
 * Pages forward through a conversation, oldest first, for reading a whole
 * conversation or a date range of it a page at a time (transcripts): the
 * next page goes after the last record's (time, id).
 *
 * Returns: (transfer container) (element-type FlintMessageRecord): up to
 *   @limit messages, oldest first; %NULL on error
 */
GPtrArray *
flint_history_get_range (FlintHistory *self,
                         const char *account,
                         const char *conversation,
                         gint64 time,
                         gint64 id,
                         gint64 until,
                         guint limit,
                         GError **error)
{
  sqlite3_stmt *stmt;
  gint64 conversation_id;
  GPtrArray *records;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL && conversation != NULL, NULL);

  if (!lookup_conversation (self, account, conversation, FALSE, &conversation_id, error))
    return NULL;
  if (conversation_id == 0)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  stmt = prepare_once (self,
                       "SELECT " RECORD_COLUMNS " FROM messages m"
                       " WHERE m.conversation_id = ?1 AND (m.time, m.id) > (?2, ?3)"
                       " AND m.time < ?4 ORDER BY m.time, m.id LIMIT ?5",
                       error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, time);
  sqlite3_bind_int64 (stmt, 3, id);
  sqlite3_bind_int64 (stmt, 4, until);
  sqlite3_bind_int64 (stmt, 5, limit);
  records = collect_records (self, stmt, FALSE, error);
  sqlite3_finalize (stmt);
  return records;
}

/* Deletes the messages whose ids @select (bound, stepped here) returns, in
 * one transaction; *out_deleted gets how many (their FTS rows go with
 * them, by trigger). One id at a time by primary key: a plan that cannot
 * turn into a table scan, whatever the statistics say. */
static gboolean
delete_selected (FlintHistory *self,
                 sqlite3_stmt *select,
                 guint *out_deleted,
                 GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *delete = NULL;
  guint deleted = 0;
  int rc;

  /* Deleting a row takes its full-text entry out, which may be held. */
  index_held_text (self);
  if (!begin (self, error))
    return FALSE;
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (select, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (select);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      goto fail;
    }
  if (ids->len > 0 &&
      !(delete = prepare_once (self, "DELETE FROM messages WHERE id = ?1", error)))
    goto fail;
  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_bind_int64 (delete, 1, g_array_index (ids, gint64, i));
      if (!step_done (self, delete, error))
        goto fail;
      deleted += sqlite3_changes (self->db);
    }
  sqlite3_finalize (delete);
  if (!commit (self, error))
    return FALSE;
  if (out_deleted)
    *out_deleted = deleted;
  return TRUE;

fail:
  sqlite3_finalize (delete);
  rollback (self);
  return FALSE;
}

/**
 * flint_history_delete_conversation:
 * @stored_before: only messages stored (local_time) before this; later
 *   ones, that arrived while a clear was under way, stay (G_MAXINT64: all)
 * @limit: delete at most this many messages (0: all), oldest stored first
 * @out_deleted: (out) (optional): how many were deleted
 *
 * Deletes the stored messages of one conversation (and their search index
 * entries) in one transaction. With a @limit, call it again until it
 * deletes nothing: each call is a short transaction that lets other
 * writers in between.
 */
gboolean
flint_history_delete_conversation (FlintHistory *self,
                                   const char *account,
                                   const char *conversation,
                                   gint64 stored_before,
                                   guint limit,
                                   guint *out_deleted,
                                   GError **error)
{
  sqlite3_stmt *stmt;
  gint64 conversation_id;
  gboolean ok;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (account != NULL && conversation != NULL, FALSE);

  if (out_deleted)
    *out_deleted = 0;
  if (!lookup_conversation (self, account, conversation, FALSE, &conversation_id, error))
    return FALSE;
  if (conversation_id == 0)
    return TRUE;
  stmt = prepare_once (self,
                       "SELECT id FROM messages INDEXED BY messages_conversation"
                       " WHERE conversation_id = ?1 AND local_time < ?3 LIMIT ?2",
                       error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  sqlite3_bind_int64 (stmt, 3, stored_before);
  ok = delete_selected (self, stmt, out_deleted, error);
  sqlite3_finalize (stmt);
  return ok;
}

/**
 * flint_history_delete_older_than:
 * @time: delete messages whose time is before this (microseconds since
 *   the epoch)
 * @limit: delete at most this many (0: all)
 * @out_deleted: (out) (optional): how many were deleted
 *
 * The retention rule: deletes old messages of every conversation, in one
 * transaction. Outgoing messages still waiting to be sent are kept,
 * whatever their age: they were typed and not delivered yet. With a
 * @limit, call it again until it deletes nothing.
 */
gboolean
flint_history_delete_older_than (
  FlintHistory *self, gint64 time, guint limit, guint *out_deleted, GError **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);

  if (out_deleted)
    *out_deleted = 0;
  /* In id order, which is about time order: the old rows come first, so a
   * batch finds its rows at the start of the table. */
  stmt = prepare_once (self,
                       "SELECT id FROM messages NOT INDEXED"
                       " WHERE time < ?1 AND NOT (direction = 1 AND state = 1)"
                       " ORDER BY id LIMIT ?2",
                       error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, time);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  ok = delete_selected (self, stmt, out_deleted, error);
  sqlite3_finalize (stmt);
  return ok;
}

/**
 * flint_history_check_integrity:
 *
 * Runs SQLite's integrity check and FTS5's, for tests and diagnostics.
 *
 * Returns: %TRUE if both pass; else @error says what is wrong
 */
gboolean
flint_history_check_integrity (FlintHistory *self, GError **error)
{
  g_autoptr (GString) problems = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);

  if (!(stmt = prepare_once (self, "PRAGMA integrity_check", error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") != 0)
        g_string_append_printf (problems, "%s\n", line);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, rc);
      return FALSE;
    }
  /* FTS5 answers an error when its index does not match the content. */
  rc = exec_sql (
    self->db,
    "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
  if (rc != SQLITE_OK)
    g_string_append_printf (problems, "full-text index: %s\n", sqlite3_errstr (rc));
  if (problems->len > 0)
    {
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_DATABASE_CORRUPT, "%s", problems->str);
      return FALSE;
    }
  return TRUE;
}

/* ---- messages sent but never confirmed (issue 9) --------------------------
 *
 * After a crash or a stream that could not be resumed, nobody knows whether
 * the server got our messages still "sent": FlintChat asks the archive.
 * These run once per new session, so their statements are prepared per
 * call. */

/**
 * flint_history_get_unconfirmed:
 * @since: only messages stored at or after this local time
 * @window: only among the newest @window rows of the store, so the scan is
 *   a short range of the primary key, whatever the size of the history
 *
 * The account's outgoing 1:1 messages still %FLINT_DELIVERY_SENT: written
 * to a stream, never acknowledged by the server nor received by the peer.
 *
 * Returns: (transfer container) (element-type FlintMessageRecord): oldest
 *   first; NULL with @error set on a read error
 */
GPtrArray *
flint_history_get_unconfirmed (
  FlintHistory *self, const char *account, gint64 since, guint window, GError **error)
{
  sqlite3_stmt *stmt;
  GPtrArray *records;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  stmt = prepare_once (self,
                       "SELECT " RECORD_COLUMNS " FROM messages m"
                       " WHERE m.id > (SELECT ifnull (max (id), 0) FROM messages) - ?3"
                       " AND m.account = ?1 AND m.direction = 1 AND m.state = 2"
                       " AND m.kind = 0 AND m.local_time >= ?2"
                       " ORDER BY m.time, m.id",
                       error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, account);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int64 (stmt, 3, window);
  records = collect_records (self, stmt, FALSE, error);
  sqlite3_finalize (stmt);
  return records;
}

/**
 * flint_history_get_archive_id_before:
 *
 * An id in the account's own archive (a stanza-id by the account) of a
 * message Flint stored before @local_time: the server archived it before
 * anything we sent after that time, so the archive can be read from there.
 *
 * Returns: (nullable): the id, or NULL if none is stored
 */
char *
flint_history_get_archive_id_before (FlintHistory *self,
                                     const char *account,
                                     gint64 local_time)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *bare = NULL;
  sqlite3_stmt *stmt;
  char *id = NULL;
  int rc;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  /* Newest first along messages_archive; the first one stored before
   * @local_time is usually among the last few. */
  stmt = prepare_once (self,
                       "SELECT stanza_id FROM messages"
                       " WHERE account = ?1 AND stanza_id_by = ?1"
                       " AND stanza_id IS NOT NULL AND local_time < ?2"
                       " ORDER BY time DESC LIMIT 1",
                       &error);
  if (stmt == NULL)
    {
      g_warning ("Could not read the history: %s", error->message);
      return NULL;
    }
  bind_text (stmt, 1, account);
  sqlite3_bind_int64 (stmt, 2, local_time);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    g_warning ("Could not read the history: %s", sqlite3_errmsg (self->db));
  sqlite3_finalize (stmt);
  return id;
}

/**
 * flint_history_find_outgoing:
 * @id: the message's origin-id or id attribute
 *
 * Our message @id to @conversation, wherever it is in the history (a
 * receipt or an acknowledgement may come after a flood has pushed it out
 * of the newest messages).
 *
 * Returns: (nullable) (transfer full): the stored message, or NULL
 */
FlintMessageRecord *
flint_history_find_outgoing (FlintHistory *self,
                             const char *account,
                             const char *conversation,
                             const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = NULL;
  gint64 conversation_id = 0;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL && conversation != NULL, NULL);

  if (id == NULL || *id == '\0')
    return NULL;
  if (!lookup_conversation (self, account, conversation, FALSE, &conversation_id, &error))
    {
      g_warning ("Could not read the history: %s", error->message);
      return NULL;
    }
  if (conversation_id == 0)
    return NULL;
  /* Two lookups rather than one OR so each uses its index. */
  stmt = prepare_once (self,
                       "SELECT " RECORD_COLUMNS " FROM messages m"
                       " WHERE m.conversation_id = ?1 AND m.origin_id = ?2"
                       " AND m.direction = 1"
                       " UNION ALL "
                       "SELECT " RECORD_COLUMNS " FROM messages m"
                       " WHERE m.conversation_id = ?1 AND m.message_id = ?2"
                       " AND m.direction = 1 LIMIT 1",
                       &error);
  if (stmt == NULL)
    {
      g_warning ("Could not read the history: %s", error->message);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  bind_text (stmt, 2, id);
  records = collect_records (self, stmt, FALSE, &error);
  sqlite3_finalize (stmt);
  if (records == NULL)
    {
      g_warning ("Could not read the history: %s", error->message);
      return NULL;
    }
  return records->len ? g_ptr_array_steal_index (records, 0) : NULL;
}

/**
 * flint_history_move_state:
 * @out_moved: (out) (optional): whether the message was in state @from
 *
 * Moves our message (row @id) from @from to @to, and only from @from:
 * whatever moved it on meanwhile (a receipt) is never undone.
 */
gboolean
flint_history_move_state (FlintHistory *self,
                          gint64 id,
                          FlintDeliveryState from,
                          FlintDeliveryState to,
                          gboolean *out_moved,
                          GError **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  g_return_val_if_fail (FLINT_IS_HISTORY (self), FALSE);

  if (out_moved)
    *out_moved = FALSE;
  stmt = prepare_once (
    self, "UPDATE messages SET state = ?3 WHERE id = ?1 AND state = ?2 AND direction = 1",
    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, from);
  sqlite3_bind_int (stmt, 3, to);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  if (!ok)
    set_db_error (error, self->db, sqlite3_errcode (self->db));
  else if (out_moved)
    *out_moved = sqlite3_changes (self->db) > 0;
  sqlite3_finalize (stmt);
  return ok;
}

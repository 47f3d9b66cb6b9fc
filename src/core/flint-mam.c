#include "config.h"

#define G_LOG_DOMAIN "flint-mam"

#include <errno.h>

#include <glib/gstdio.h>

#include "flint-error.h"
#include "flint-jid.h"
#include "flint-mam.h"
#include "flint-stanza.h"

#define NS_MAM "urn:xmpp:mam:2"
#define NS_RSM "http://jabber.org/protocol/rsm"
#define NS_DATA "jabber:x:data"
#define NS_FORWARD "urn:xmpp:forward:0"
#define NS_SID "urn:xmpp:sid:0"
#define NS_CORRECT "urn:xmpp:message-correct:0"
#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"

/* Asked for per page; a server sends at most its own limit (Prosody: 50 by
 * default, what its admin sets), so a large figure costs nothing where the
 * limit is low and saves round trips where it is high. */
#define DEFAULT_PAGE_SIZE 1000
/* A server that refuses a page that large is asked again for a quarter of
 * it, down to this (XEP-0313's examples use 10; every server takes 50). */
#define MIN_PAGE_SIZE 50

/* A fresh install (no stored stanza-id) takes only the newest messages:
 * enough context for every recent conversation, without pulling years of
 * archive before anything shows. Older ones stay on the server. */
#define INITIAL_MAX 500

#define CURSOR_GROUP "catch-up"

typedef enum
{
  MODE_FORWARD, /* everything after a known archive id, oldest first */
  MODE_INITIAL, /* the newest INITIAL_MAX, newest page first */
} Mode;

struct _FlintMam
{
  GObject parent_instance;

  FlintSession *session;
  FlintHistory *history;
  gulong online_handler;
  guint message_handler;
  guint page_size;
  char *cursor_path;

  gboolean busy;
  gboolean active;             /* a catch-up is asking the archive */
  gboolean owed_page;          /* a live message was left to the page query in flight */
  gboolean asked;              /* this catch-up has sent its first page query */
  gboolean announcing_initial; /* message-stored is for a fresh install's fetch */
  guint generation;            /* bumped at each start and stop: late replies are stale */
  guint run; /* bumped at each new catch-up: whose pages move the cursor */
  Mode mode;
  char *query_id;     /* queryid of the page asked for; NULL when none */
  GPtrArray *page;    /* FlintMessageRecord of that page, in arrival order */
  char *start;        /* MODE_FORWARD: the archive id the catch-up began after */
  char *after;        /* MODE_FORWARD: the archive id the next page follows */
  char *before;       /* MODE_INITIAL: the archive id the asked page precedes */
  char *stored_after; /* and the one everything stored so far reaches */
  GPtrArray *pages;   /* MODE_INITIAL: the pages so far, newest first */
  guint n_initial;
  /* Where a page's time goes, for the debug log (monotonic us). */
  gint64 asked_at;        /* the query was sent */
  gint64 first_result_at; /* its first result came; 0: none yet */

  /* Pages are stored off the main thread, one at a time and in arrival
   * order, through a FlintHistory of the worker's own on the same file
   * (FlintHistory is not thread-safe; WAL lets both connections work).
   * While one is stored the next is already being asked for. */
  GQueue store_queue;           /* StoreJob waiting, oldest first */
  gboolean storing;             /* a StoreJob is in the worker */
  FlintHistory *worker_history; /* NULL until the first job opens it */
  /* The worker stores each catch-up in archive order: the run it last
   * stored for (0: none), and when this run began (real time). */
  guint worker_run;
  gint64 run_started;

  /* flint_mam_find_sent_async() queries under way (GTask). */
  GPtrArray *finds;
};

G_DEFINE_FINAL_TYPE (FlintMam, flint_mam, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum
{
  SIGNAL_MESSAGE_STORED,
  SIGNAL_PAGE_STORED,
  SIGNAL_CATCH_UP_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void request_page (FlintMam *self, const char *before);
static void save_cursor (FlintMam *self, gboolean in_progress);

static const char *
account_jid (FlintMam *self)
{
  return flint_account_get_jid (flint_session_get_account (self->session));
}

/* Our bare JID exactly: the archive answers from the account, never from a
 * resource or anyone else. */
static gboolean
is_own_bare_jid (FlintMam *self, const char *jid)
{
  g_autofree char *resource = NULL;

  if (jid == NULL || !flint_jid_is_valid (jid))
    return FALSE;
  resource = flint_jid_resource (jid);
  return resource == NULL && flint_jid_equal_bare (jid, account_jid (self));
}

/* Busy while asking the archive or storing what it sent. */
static void
update_busy (FlintMam *self)
{
  gboolean busy = self->active || self->storing || !g_queue_is_empty (&self->store_queue);

  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* ---- stanzas -------------------------------------------------------------- */

static xmpp_stanza_t *
new_element (FlintMam *self, const char *name, const char *ns)
{
  return flint_stanza_new (flint_session_get_context (self->session), name, ns);
}

/* Adds <name>text</name> (an empty <name/> when text is NULL). */
static xmpp_stanza_t *
add_text_element (FlintMam *self,
                  xmpp_stanza_t *parent,
                  const char *name,
                  const char *text)
{
  return flint_stanza_add_child (parent, name, NULL, text);
}

static gboolean
nonempty (const char *s)
{
  return s != NULL && *s != '\0';
}

/* The record of one archived 1:1 message with a body, or NULL for anything
 * else (room messages, errors, receipts, chat states, malformed ones). */
static FlintMessageRecord *
parse_result (FlintMam *self, xmpp_stanza_t *result)
{
  const char *archive_id = xmpp_stanza_get_attribute (result, "id");
  xmpp_stanza_t *forwarded =
    xmpp_stanza_get_child_by_name_and_ns (result, "forwarded", NS_FORWARD);
  xmpp_stanza_t *inner, *replace;
  const char *type, *from, *to, *peer;
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autofree char *body = NULL;
  gboolean outgoing;
  gint64 now = g_get_real_time ();

  if (!nonempty (archive_id) || forwarded == NULL)
    return NULL;
  inner = xmpp_stanza_get_child_by_name (forwarded, "message");
  if (inner == NULL)
    return NULL;
  type = xmpp_stanza_get_type (inner);
  if (type && !g_str_equal (type, "chat") && !g_str_equal (type, "normal"))
    return NULL;
  body = flint_stanza_child_text (inner, "body", NULL);
  if (body == NULL || !g_utf8_validate (body, -1, NULL))
    return NULL;

  from = xmpp_stanza_get_from (inner);
  to = xmpp_stanza_get_to (inner);
  outgoing = from != NULL && flint_jid_is_valid (from) &&
             flint_jid_equal_bare (from, account_jid (self));
  peer = outgoing ? to : from;
  if (peer == NULL || !flint_jid_is_valid (peer))
    return NULL;

  record = flint_message_record_new ();
  record->account = g_strdup (account_jid (self));
  record->conversation = flint_jid_bare (peer);
  record->kind = FLINT_MESSAGE_KIND_CHAT;
  record->direction = outgoing ? FLINT_DIRECTION_OUTGOING : FLINT_DIRECTION_INCOMING;
  record->sender = g_strdup (outgoing ? record->account : record->conversation);
  record->body = g_steal_pointer (&body);
  record->local_time = now;
  record->time = flint_stanza_get_delay (forwarded);
  if (record->time == 0)
    record->time = now;
  record->stanza_id = g_strdup (archive_id);
  record->stanza_id_by = g_strdup (record->account);
  if (nonempty (xmpp_stanza_get_id (inner)))
    record->message_id = g_strdup (xmpp_stanza_get_id (inner));
  record->state = outgoing ? FLINT_DELIVERY_SENT : FLINT_DELIVERY_RECEIVED;

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (inner); c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_ns (c), NS_SID) == 0 &&
        g_strcmp0 (xmpp_stanza_get_name (c), "origin-id") == 0 &&
        nonempty (xmpp_stanza_get_attribute (c, "id")))
      {
        record->origin_id = g_strdup (xmpp_stanza_get_attribute (c, "id"));
        break;
      }

  replace = xmpp_stanza_get_child_by_name_and_ns (inner, "replace", NS_CORRECT);
  if (replace && nonempty (xmpp_stanza_get_attribute (replace, "id")))
    record->correction_of = g_strdup (xmpp_stanza_get_attribute (replace, "id"));
  return g_steal_pointer (&record);
}

static gboolean find_sent_take_result (FlintMam *self, xmpp_stanza_t *result);

/* Every MAM result is taken here, so no other module mistakes one for a
 * live message. Only our own archive answering our own query counts: a
 * result from anyone else, or for a query we did not ask, is a forgery. */
static gboolean
on_message (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintMam *self = user_data;
  xmpp_stanza_t *result = xmpp_stanza_get_child_by_name_and_ns (stanza, "result", NS_MAM);
  const char *from = xmpp_stanza_get_from (stanza);
  FlintMessageRecord *record;

  if (result == NULL)
    return FALSE;
  if (from != NULL && !is_own_bare_jid (self, from))
    {
      /* A room's archive answering FlintRoom's query: FlintRooms takes
       * it (and drops it too if nobody asked). */
      g_debug ("Not our archive's result: from %s", from);
      return FALSE;
    }
  if (find_sent_take_result (self, result))
    return TRUE;
  if (self->query_id == NULL ||
      g_strcmp0 (xmpp_stanza_get_attribute (result, "queryid"), self->query_id) != 0)
    {
      g_debug ("Ignoring an archive result for a query we did not ask");
      return TRUE;
    }
  if (self->first_result_at == 0)
    self->first_result_at = g_get_monotonic_time ();
  if ((record = parse_result (self, result)))
    g_ptr_array_add (self->page, record);
  return TRUE;
}

/* ---- the cursor file ------------------------------------------------------ */

/* [catch-up]
 * in-progress=true from the start of a catch-up until it has read the
 *   archive to its end;
 * mode=forward|initial: after a known archive id, or a fresh install's
 *   fetch of the newest messages (redone whole if interrupted);
 * after= the archive id the next page follows (forward);
 * start= the archive id the catch-up began after. */
static GKeyFile *
load_cursor (FlintMam *self)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  if (!g_key_file_load_from_file (file, self->cursor_path, G_KEY_FILE_NONE, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Could not read %s: %s", self->cursor_path, error->message);
      return NULL;
    }
  return g_steal_pointer (&file);
}

static void
save_cursor (FlintMam *self, gboolean in_progress)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (self->cursor_path);

  g_key_file_set_boolean (file, CURSOR_GROUP, "in-progress", in_progress);
  g_key_file_set_string (file, CURSOR_GROUP, "mode",
                         self->mode == MODE_FORWARD ? "forward" : "initial");
  if (self->start)
    g_key_file_set_string (file, CURSOR_GROUP, "start", self->start);
  if (self->stored_after)
    g_key_file_set_string (file, CURSOR_GROUP, "after", self->stored_after);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_warning ("Could not create %s: %s", dir, g_strerror (errno));
  /* Written whole and renamed into place: a crash leaves the old or the
   * new cursor, never half of one. */
  else if (!g_key_file_save_to_file (file, self->cursor_path, &error))
    g_warning ("Could not save the archive position: %s", error->message);
}

/* ---- storing a page ------------------------------------------------------- */

static gint
compare_id_desc (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* One page (or a fresh install's pages) to store, and what follows once it
 * is committed. The worker only touches records, history and the results. */
typedef struct
{
  guint generation;
  guint run;
  GPtrArray *records;    /* FlintMessageRecord, oldest first */
  char *after;           /* the cursor once these are stored; NULL: keep it */
  char *follows;         /* the archive id these follow; NULL: unknown */
  char *account;         /* whose archive */
  gboolean complete;     /* the last page: the catch-up ends with it */
  gboolean initial;      /* a fresh install's fetch: go forward from here on */
  gboolean begin_run;    /* the first job of its run in the worker */
  gint64 run_started;    /* for flint_history_begin_archive_run() */
  char *path;            /* the history's file */
  FlintHistory *history; /* the worker's own; opened by the first job */
  /* For the page timings in the debug log (monotonic us): the query was
   * sent, its first result and its <fin/> came, the worker took it and
   * was done with it. */
  gint64 asked_at, first_result_at, fin_at, started_at, stored_at;
  /* Results */
  GPtrArray *stored; /* the records that are new in the store, in order */
  guint n_inserted;
  GError *error;
} StoreJob;

static void
store_job_free (StoreJob *job)
{
  g_ptr_array_unref (job->records);
  g_clear_pointer (&job->stored, g_ptr_array_unref);
  g_free (job->after);
  g_free (job->follows);
  g_free (job->account);
  g_free (job->path);
  g_clear_object (&job->history);
  g_clear_error (&job->error);
  g_free (job);
}

/* Stores @records (oldest first) in one transaction; @stored gets those
 * that are new, in order. Returns FALSE if the store failed: the cursor
 * must then not move. Runs in the worker thread. */
static gboolean
store_records (FlintHistory *history,
               GPtrArray *records,
               GPtrArray *stored,
               guint *out_n_inserted,
               GError **error)
{
  g_autoptr (GPtrArray) plain = g_ptr_array_new ();
  g_autoptr (GPtrArray) corrections = g_ptr_array_new ();
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) new_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint n_inserted = 0;

  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (records, i);

      g_ptr_array_add (record->correction_of ? corrections : plain, record);
    }

  if (!flint_history_insert_batch (history, plain, &n_inserted, error))
    return FALSE;

  /* The batch only counts its new rows; they are the n_inserted largest
   * row ids it handed back, since SQLite gives a new row an id above every
   * existing one and a duplicate gets its stored row's id. */
  for (guint i = 0; i < plain->len; i++)
    {
      gint64 id = ((FlintMessageRecord *) g_ptr_array_index (plain, i))->id;

      if (id > 0)
        g_array_append_val (ids, id);
    }
  g_array_sort (ids, compare_id_desc);
  for (guint i = 0, n = 0; i < ids->len && n < n_inserted; i++)
    if (i == 0 || g_array_index (ids, gint64, i) != g_array_index (ids, gint64, i - 1))
      {
        g_hash_table_add (new_ids, &g_array_index (ids, gint64, i));
        n++;
      }

  /* XEP-0308 corrections change the stored original; one whose original
   * is not stored is kept as a message of its own, as the store suggests. */
  for (guint i = 0; i < corrections->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (corrections, i);
      g_autoptr (GError) local_error = NULL;
      gboolean applied = FALSE, inserted = FALSE;

      if (!flint_history_apply_correction (history, record, &applied, &local_error) ||
          (!applied && !flint_history_insert (history, record, &inserted, &local_error)))
        {
          g_warning ("Could not store an archived correction: %s", local_error->message);
          continue;
        }
      if (inserted)
        {
          n_inserted++;
          g_hash_table_add (new_ids, &record->id);
        }
    }

  g_debug ("Stored %u of %u archived messages", n_inserted, records->len);
  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (records, i);

      if (record->id > 0 && g_hash_table_remove (new_ids, &record->id))
        g_ptr_array_add (stored, record);
    }
  *out_n_inserted = n_inserted;
  return TRUE;
}

static void
store_job_run (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  StoreJob *job = data;

  if (job->history == NULL)
    {
      g_autoptr (GError) error = NULL;

      job->history = flint_history_open (job->path, &error);
      /* A history that had to be moved aside is the main thread's to
       * report; this one only needs a usable store. */
      if (job->history == NULL)
        {
          job->error = g_steal_pointer (&error);
          g_task_return_boolean (task, TRUE);
          return;
        }
    }
  job->stored = g_ptr_array_new ();
  job->started_at = g_get_monotonic_time ();
  /* Messages that came live since the catch-up began are further on in
   * the archive: whole-second stamps are placed before them. And nothing
   * goes before the stored message the run reads on from. */
  if (job->begin_run)
    flint_history_begin_archive_run (job->history, job->run_started, job->account,
                                     job->follows);
  if (job->records->len > 0)
    store_records (job->history, job->records, job->stored, &job->n_inserted,
                   &job->error);
  if (job->complete)
    flint_history_end_archive_run (job->history);
  job->stored_at = g_get_monotonic_time ();
  g_task_return_boolean (task, TRUE);
}

/* ---- the catch-up --------------------------------------------------------- */

static void
stop (FlintMam *self)
{
  self->generation++;
  self->active = FALSE;
  g_clear_pointer (&self->query_id, g_free);
  g_ptr_array_set_size (self->page, 0);
  g_ptr_array_set_size (self->pages, 0);
  g_clear_pointer (&self->after, g_free);
  /* start, mode and stored_after stay: pages still waiting to be stored
   * move the cursor from there. take_start() sets them anew. */
  self->n_initial = 0;
  update_busy (self);
}

static void
finish (FlintMam *self)
{
  g_debug ("Archive catch-up finished");
  stop (self);
  g_signal_emit (self, signals[SIGNAL_CATCH_UP_FINISHED], 0);
}

static void store_next (FlintMam *self);

static void
on_job_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlintMam *self = FLINT_MAM (source);
  StoreJob *job = g_task_get_task_data (G_TASK (result));

  self->storing = FALSE;
  if (self->worker_history == NULL)
    self->worker_history = g_steal_pointer (&job->history);
  /* One line per page says where the catch-up's time goes: the server
   * (query to <fin/>), the wait for the worker, the store, and the way
   * back to the main loop. bench-mam reads these lines. */
  if (job->asked_at > 0)
    g_debug ("Archive page timing: %u results; server %.1f ms (first result %.1f ms);"
             " queued %.1f ms; stored in %.1f ms; back on the main thread %.1f ms",
             job->records->len, (job->fin_at - job->asked_at) / 1e3,
             job->first_result_at ? (job->first_result_at - job->asked_at) / 1e3 : 0.0,
             (job->started_at - job->fin_at) / 1e3,
             (job->stored_at - job->started_at) / 1e3,
             (g_get_monotonic_time () - job->stored_at) / 1e3);

  /* What is committed is announced even if its catch-up has stopped since:
   * nobody else will announce those messages. */
  if (job->error == NULL)
    {
      self->announcing_initial = job->initial;
      for (guint i = 0; i < job->stored->len; i++)
        g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0,
                       g_ptr_array_index (job->stored, i));
      self->announcing_initial = FALSE;
      if (job->records->len > 0)
        g_signal_emit (self, signals[SIGNAL_PAGE_STORED], 0, job->n_inserted);
    }

  /* The cursor moves over what is stored, in order, for the catch-up that
   * asked, even if that one has stopped since (a disconnect while pages
   * were waiting to be stored): the next one goes on from there, without
   * a gap. A newer catch-up has its own cursor. */
  if (job->run == self->run)
    {
      if (job->error)
        {
          g_warning ("Could not store archived messages: %s", job->error->message);
          if (job->generation == self->generation)
            stop (self);
        }
      else
        {
          if (job->initial)
            self->mode = MODE_FORWARD;
          if (job->after)
            {
              g_free (self->stored_after);
              self->stored_after = g_strdup (job->after);
            }
          save_cursor (self, !job->complete);
          if (job->complete && job->generation == self->generation)
            finish (self);
        }
    }
  store_next (self);
  update_busy (self);
}

/* Starts the oldest waiting job, unless one is in the worker. */
static void
store_next (FlintMam *self)
{
  g_autoptr (GTask) task = NULL;
  StoreJob *job;

  if (self->storing || g_queue_is_empty (&self->store_queue))
    return;
  job = g_queue_pop_head (&self->store_queue);
  job->history = g_steal_pointer (&self->worker_history);
  job->begin_run = job->history == NULL || job->run != self->worker_run;
  self->worker_run = job->run;
  self->storing = TRUE;
  task = g_task_new (self, NULL, on_job_stored, NULL);
  g_task_set_source_tag (task, store_next);
  g_task_set_task_data (task, job, (GDestroyNotify) store_job_free);
  g_task_run_in_thread (task, store_job_run);
}

/* Queues @records (taken; oldest first) to be stored after those already
 * queued; then the cursor moves to @after. @follows (nullable): the
 * archive id the page was asked after. @timing (nullable): when the page
 * was asked for, its first result came and its <fin/>. */
static void
queue_store (FlintMam *self,
             GPtrArray *records,
             const char *follows,
             const char *after,
             gboolean complete,
             gboolean initial,
             const gint64 timing[3])
{
  StoreJob *job = g_new0 (StoreJob, 1);

  job->generation = self->generation;
  job->run = self->run;
  job->run_started = self->run_started;
  job->records = records;
  job->after = g_strdup (after);
  job->follows = g_strdup (follows);
  job->account = g_strdup (account_jid (self));
  job->complete = complete;
  job->initial = initial;
  job->path = g_strdup (flint_history_get_path (self->history));
  if (timing)
    {
      job->asked_at = timing[0];
      job->first_result_at = timing[1];
      job->fin_at = timing[2];
    }
  g_queue_push_tail (&self->store_queue, job);
  store_next (self);
  update_busy (self);
}

/* What an IQ callback needs to find its FlintMam and know if it is stale. */
typedef struct
{
  GWeakRef ref;
  guint generation;
} Request;

static Request *
request_new (FlintMam *self)
{
  Request *request = g_new0 (Request, 1);

  g_weak_ref_init (&request->ref, self);
  request->generation = self->generation;
  return request;
}

/* The FlintMam of a reply that is still wanted (a new reference), else NULL.
 * Frees the request. */
static FlintMam *
request_take (Request *request)
{
  FlintMam *self = g_weak_ref_get (&request->ref);

  g_weak_ref_clear (&request->ref);
  if (self && self->generation != request->generation)
    g_clear_object (&self);
  g_free (request);
  return self;
}

static void
start_initial (FlintMam *self)
{
  g_debug ("No archive position stored: fetching the newest %u messages", INITIAL_MAX);
  self->mode = MODE_INITIAL;
  g_clear_pointer (&self->start, g_free);
  g_clear_pointer (&self->after, g_free);
  g_clear_pointer (&self->stored_after, g_free);
  g_ptr_array_set_size (self->pages, 0);
  self->n_initial = 0;
  save_cursor (self, TRUE);
  request_page (self, "");
}

/* Oldest first, the pages were collected newest first. */
static void
store_initial (FlintMam *self)
{
  GPtrArray *all =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  FlintMessageRecord *newest = NULL;

  for (guint i = self->pages->len; i > 0; i--)
    {
      GPtrArray *page = g_ptr_array_index (self->pages, i - 1);

      for (guint j = 0; j < page->len; j++)
        g_ptr_array_add (all, g_steal_pointer (&page->pdata[j]));
      page->len = 0;
    }
  g_ptr_array_set_size (self->pages, 0);
  /* From then on a catch-up goes forward from the newest one. */
  if (all->len > 0)
    newest = g_ptr_array_index (all, all->len - 1);
  queue_store (self, all, NULL, newest ? newest->stanza_id : NULL, TRUE, TRUE, NULL);
}

/* An error a server may give for a page larger than it will send, where
 * XEP-0059 would have it send fewer. */
static gboolean
page_refused (xmpp_stanza_t *reply)
{
  const char *conditions[] = { "policy-violation", "not-acceptable",
                               "resource-constraint", "bad-request" };
  xmpp_stanza_t *error = xmpp_stanza_get_child_by_name (reply, "error");

  for (guint i = 0; error && i < G_N_ELEMENTS (conditions); i++)
    if (xmpp_stanza_get_child_by_name (error, conditions[i]))
      return TRUE;
  return FALSE;
}

static void
on_page_reply (FlintSession *session,
               xmpp_stanza_t *reply,
               const GError *error,
               gpointer user_data)
{
  g_autoptr (FlintMam) self = request_take (user_data);
  g_autoptr (GPtrArray) page = NULL;
  xmpp_stanza_t *fin, *set;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *follows = NULL;
  gboolean complete;
  gint64 fin_at;

  if (self == NULL)
    return;
  fin_at = g_get_monotonic_time ();
  g_clear_pointer (&self->query_id, g_free);
  page = g_steal_pointer (&self->page);
  self->page =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);

  if (error)
    {
      /* The id we continue after may have expired from the archive. */
      if (reply && self->mode == MODE_FORWARD &&
          xmpp_stanza_get_child_by_name (xmpp_stanza_get_child_by_name (reply, "error"),
                                         "item-not-found"))
        {
          g_debug ("The archive no longer has %s", self->after);
          /* Pages still being stored must not move the new cursor. */
          self->generation++;
          self->run++;
          start_initial (self);
          return;
        }
      if (reply && self->page_size > MIN_PAGE_SIZE && page_refused (reply))
        {
          g_autofree char *before = g_strdup (self->before);

          self->page_size = MAX (MIN_PAGE_SIZE, self->page_size / 4);
          g_debug ("The archive refused the page size; asking for %u", self->page_size);
          request_page (self, before);
          return;
        }
      /* A disconnect keeps the cursor: the next session continues. */
      g_debug ("Archive query failed: %s", error->message);
      stop (self);
      return;
    }

  fin = xmpp_stanza_get_child_by_name_and_ns (reply, "fin", NS_MAM);
  set = fin ? xmpp_stanza_get_child_by_name_and_ns (fin, "set", NS_RSM) : NULL;
  complete = fin && g_strcmp0 (xmpp_stanza_get_attribute (fin, "complete"), "true") == 0;
  first = flint_stanza_child_text (set, "first", NULL);
  last = flint_stanza_child_text (set, "last", NULL);
  /* Without a cursor there is no next page to ask for. */
  if (!nonempty (first) || !nonempty (last))
    complete = TRUE;

  if (self->mode == MODE_FORWARD)
    {
      follows = g_strdup (self->after);
      if (nonempty (last))
        {
          g_free (self->after);
          self->after = g_strdup (last);
        }
      gint64 timing[] = { self->asked_at, self->first_result_at, fin_at };

      /* A live message left to the catch-up while this page was on its
       * way may be later than the page: one more page reads past it. */
      if (complete && self->owed_page)
        complete = FALSE;
      /* The next page is asked for before this one is stored: the server
       * looks it up while the worker writes. */
      if (!complete)
        request_page (self, NULL);
      queue_store (self, g_steal_pointer (&page), follows, nonempty (last) ? last : NULL,
                   complete, FALSE, timing);
      return;
    }

  self->n_initial += page->len;
  g_ptr_array_add (self->pages, g_steal_pointer (&page));
  if (complete || self->n_initial >= INITIAL_MAX)
    store_initial (self);
  else
    request_page (self, first);
}

/* Asks for the next page: after self->after (MODE_FORWARD), or before
 * @before ("" for the newest page, MODE_INITIAL). */
static void
request_page (FlintMam *self, const char *before)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *iq_id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", iq_id);
  xmpp_stanza_t *query = new_element (self, "query", NS_MAM);
  xmpp_stanza_t *form = new_element (self, "x", NS_DATA);
  xmpp_stanza_t *field = new_element (self, "field", NULL);
  xmpp_stanza_t *set = new_element (self, "set", NS_RSM);
  g_autofree char *max = NULL;
  guint page_size = self->page_size;

  if (self->mode == MODE_INITIAL)
    page_size = MIN (page_size, INITIAL_MAX - self->n_initial);
  max = g_strdup_printf ("%u", page_size);
  if (self->before != before)
    {
      g_free (self->before);
      self->before = g_strdup (before);
    }

  /* Sent after every live message left to the catch-up: it reads past them. */
  self->owed_page = FALSE;
  self->asked = TRUE;
  g_free (self->query_id);
  self->query_id = flint_session_new_id (self->session);
  g_ptr_array_set_size (self->page, 0);
  self->asked_at = g_get_monotonic_time ();
  self->first_result_at = 0;

  xmpp_stanza_set_attribute (query, "queryid", self->query_id);
  xmpp_stanza_set_type (form, "submit");
  xmpp_stanza_set_attribute (field, "var", "FORM_TYPE");
  xmpp_stanza_set_type (field, "hidden");
  add_text_element (self, field, "value", NS_MAM);
  xmpp_stanza_add_child_ex (form, field, 0);
  xmpp_stanza_add_child_ex (query, form, 0);
  add_text_element (self, set, "max", max);
  if (self->mode == MODE_FORWARD)
    add_text_element (self, set, "after", self->after);
  else
    add_text_element (self, set, "before", nonempty (before) ? before : NULL);
  xmpp_stanza_add_child_ex (query, set, 0);
  xmpp_stanza_add_child_ex (iq, query, 0);

  g_debug ("Asking the archive for %s messages %s %s", max,
           self->mode == MODE_FORWARD ? "after" : "before",
           self->mode == MODE_FORWARD ? self->after : before);
  flint_session_send_iq (self->session, iq, on_page_reply, request_new (self));
  xmpp_stanza_release (iq);
}

/* Where this catch-up starts, taken when the session comes online, before
 * any stanza of it is handled: messages that arrive live (offline delivery
 * right after our presence) carry newer stanza-ids and would otherwise
 * hide what the archive holds before them. Saved at once, so a crash
 * before the first page comes back here too. */
static void
take_start (FlintMam *self)
{
  g_autoptr (GKeyFile) cursor = load_cursor (self);
  g_autofree char *mode = NULL;

  g_clear_pointer (&self->start, g_free);
  g_clear_pointer (&self->after, g_free);
  g_clear_pointer (&self->stored_after, g_free);

  /* An unfinished catch-up continues after its own cursor. */
  if (cursor && g_key_file_get_boolean (cursor, CURSOR_GROUP, "in-progress", NULL))
    {
      mode = g_key_file_get_string (cursor, CURSOR_GROUP, "mode", NULL);
      self->after = g_key_file_get_string (cursor, CURSOR_GROUP, "after", NULL);
      self->start = g_key_file_get_string (cursor, CURSOR_GROUP, "start", NULL);
      if (g_strcmp0 (mode, "initial") == 0 || !nonempty (self->after))
        g_clear_pointer (&self->after, g_free);
      else
        g_debug ("Continuing an interrupted archive catch-up after %s", self->after);
    }
  else
    {
      self->after =
        flint_history_get_last_stanza_id (self->history, account_jid (self), NULL);
      if (!nonempty (self->after))
        g_clear_pointer (&self->after, g_free);
      self->start = g_strdup (self->after);
    }
  self->mode = self->after ? MODE_FORWARD : MODE_INITIAL;
  self->stored_after = g_strdup (self->after);
  save_cursor (self, TRUE);
}

static void
begin (FlintMam *self)
{
  if (self->mode == MODE_INITIAL)
    start_initial (self);
  else
    request_page (self, NULL);
}

static gboolean
has_feature (xmpp_stanza_t *query, const char *feature)
{
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_name (c), "feature") == 0 &&
        g_strcmp0 (xmpp_stanza_get_attribute (c, "var"), feature) == 0)
      return TRUE;
  return FALSE;
}

static void
on_disco_reply (FlintSession *session,
                xmpp_stanza_t *reply,
                const GError *error,
                gpointer user_data)
{
  g_autoptr (FlintMam) self = request_take (user_data);

  if (self == NULL)
    return;
  if (error)
    {
      g_debug ("Could not learn whether the server archives messages: %s",
               error->message);
      stop (self);
      return;
    }
  if (!has_feature (xmpp_stanza_get_child_by_name_and_ns (reply, "query", NS_DISCO_INFO),
                    NS_MAM))
    {
      g_debug ("The server keeps no message archive (no %s)", NS_MAM);
      /* Nothing to catch up with: not an interrupted catch-up either. */
      save_cursor (self, FALSE);
      stop (self);
      return;
    }
  begin (self);
}

static void
start (FlintMam *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = flint_session_new_id (self->session);
  g_autofree char *bare = flint_jid_bare (account_jid (self));
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", id);

  stop (self);
  self->active = TRUE;
  self->asked = FALSE;
  self->run++;
  /* Live messages stored from now on are later in the archive. */
  self->run_started = g_get_real_time ();
  update_busy (self);
  take_start (self);
  xmpp_stanza_set_to (iq, bare);
  xmpp_stanza_add_child_ex (iq, new_element (self, "query", NS_DISCO_INFO), 0);
  flint_session_send_iq (self->session, iq, on_disco_reply, request_new (self));
  xmpp_stanza_release (iq);
}

static void
on_online (FlintSession *session, gboolean resumed, FlintMam *self)
{
  g_autoptr (GKeyFile) cursor = NULL;

  if (!resumed)
    {
      start (self);
      return;
    }
  /* A resumed stream keeps its pending queries; but one that failed while
   * the stream was down left the catch-up unfinished. */
  if (self->active)
    return;
  cursor = load_cursor (self);
  if (cursor && g_key_file_get_boolean (cursor, CURSOR_GROUP, "in-progress", NULL))
    start (self);
}

/* ---- object --------------------------------------------------------------- */

gboolean
flint_mam_get_busy (FlintMam *self)
{
  g_return_val_if_fail (FLINT_IS_MAM (self), FALSE);
  return self->busy;
}

/* A live message that the archive has came in while catching up (a delayed
 * copy, stamped in whole seconds): TRUE when the catch-up will store it, in
 * the archive's order, asking the archive once more if its page is already
 * on its way; FALSE when it must be stored now (no page to come will hold
 * it). */
gboolean
flint_mam_take_live_message (FlintMam *self)
{
  g_return_val_if_fail (FLINT_IS_MAM (self), FALSE);
  if (!self->active)
    return FALSE;
  /* A fresh install's fetch of the newest messages takes what it finds. */
  if (self->mode == MODE_INITIAL)
    return TRUE;
  /* Before the first page is asked for, that page reads past it. */
  if (!self->asked)
    return TRUE;
  /* The last page is in: nothing more will be asked. */
  if (self->query_id == NULL)
    return FALSE;
  self->owed_page = TRUE;
  return TRUE;
}

void
flint_mam_set_page_size (FlintMam *self, guint page_size)
{
  g_return_if_fail (FLINT_IS_MAM (self));
  g_return_if_fail (page_size > 0);
  self->page_size = page_size;
}

guint
flint_mam_get_page_size (FlintMam *self)
{
  g_return_val_if_fail (FLINT_IS_MAM (self), 0);
  return self->page_size;
}

const char *
flint_mam_get_cursor_path (FlintMam *self)
{
  g_return_val_if_fail (FLINT_IS_MAM (self), NULL);
  return self->cursor_path;
}

static void
flint_mam_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlintMam *self = FLINT_MAM (object);

  switch (prop_id)
    {
      case PROP_BUSY:
        g_value_set_boolean (value, self->busy);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_mam_dispose (GObject *object)
{
  FlintMam *self = FLINT_MAM (object);

  if (self->session)
    {
      g_clear_signal_handler (&self->online_handler, self->session);
      if (self->message_handler)
        flint_session_remove_handler (self->session, self->message_handler);
      self->message_handler = 0;
    }
  g_clear_object (&self->session);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (flint_mam_parent_class)->dispose (object);
}

static void
flint_mam_finalize (GObject *object)
{
  FlintMam *self = FLINT_MAM (object);

  g_free (self->cursor_path);
  g_free (self->query_id);
  g_free (self->start);
  g_free (self->after);
  g_free (self->before);
  g_free (self->stored_after);
  g_queue_clear_full (&self->store_queue, (GDestroyNotify) store_job_free);
  g_clear_object (&self->worker_history);
  g_ptr_array_unref (self->page);
  g_ptr_array_unref (self->pages);
  g_ptr_array_unref (self->finds);
  G_OBJECT_CLASS (flint_mam_parent_class)->finalize (object);
}

static void
flint_mam_class_init (FlintMamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = flint_mam_get_property;
  object_class->dispose = flint_mam_dispose;
  object_class->finalize = flint_mam_finalize;

  properties[PROP_BUSY] = g_param_spec_boolean (
    "busy", NULL, NULL, FALSE,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_MESSAGE_STORED] = g_signal_new (
    "message-stored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
    G_TYPE_NONE, 1, FLINT_TYPE_MESSAGE_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_PAGE_STORED] =
    g_signal_new ("page-stored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_CATCH_UP_FINISHED] =
    g_signal_new ("catch-up-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
flint_mam_init (FlintMam *self)
{
  self->page_size = DEFAULT_PAGE_SIZE;
  self->page =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->finds = g_ptr_array_new ();
}

FlintMam *
flint_mam_new (FlintSession *session, FlintHistory *history)
{
  FlintMam *self;
  g_autofree char *bare = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);
  g_return_val_if_fail (FLINT_IS_HISTORY (history), NULL);

  self = g_object_new (FLINT_TYPE_MAM, NULL);
  self->session = g_object_ref (session);
  self->history = g_object_ref (history);

  bare = flint_jid_bare (flint_account_get_jid (flint_session_get_account (session)));
  name = g_strdup_printf ("mam-%s.ini", bare ? bare : "account");
  g_strdelimit (name, "/\\", '_');
  self->cursor_path = g_build_filename (g_get_user_data_dir (), "flint", name, NULL);

  self->message_handler =
    flint_session_add_handler (session, "message", NS_MAM, NULL, on_message, self, NULL);
  self->online_handler =
    g_signal_connect (session, "online", G_CALLBACK (on_online), self);
  return self;
}

/* While "message-stored" is emitted: whether the messages come from a fresh
 * install's first fetch (old history, not news) rather than from catching
 * up after being away. */
gboolean
flint_mam_get_announcing_initial (FlintMam *self)
{
  g_return_val_if_fail (FLINT_IS_MAM (self), FALSE);

  return self->announcing_initial;
}

/* ---- which of our messages the archive holds ------------------------------ */

/* Prosody sends at most 50 per page, whatever we ask. */
#define FIND_PAGE_SIZE 100
/* Past this many pages the answer is "could not tell" rather than a
 * query that reads a huge archive at every sign-in. */
#define FIND_MAX_PAGES 40
/* Without an archive id to start from: our clock against the server's. */
#define FIND_CLOCK_MARGIN (10 * G_TIME_SPAN_MINUTE)

typedef struct
{
  GHashTable *wanted; /* origin-id (else id) of the messages not found yet */
  GHashTable *found;
  char *after; /* RSM: the archive id the next page follows */
  char *start; /* else the form's start time (XEP-0082) */
  char *query_id;
  guint pages;
} FindSent;

static void
find_sent_free (FindSent *find)
{
  g_hash_table_unref (find->wanted);
  g_clear_pointer (&find->found, g_hash_table_unref);
  g_free (find->after);
  g_free (find->start);
  g_free (find->query_id);
  g_free (find);
}

static const char *
record_key (const FlintMessageRecord *record)
{
  return nonempty (record->origin_id) ? record->origin_id : record->message_id;
}

static void
find_sent_return (GTask *task, GError *error)
{
  FlintMam *self = g_task_get_source_object (task);
  FindSent *find = g_task_get_task_data (task);

  g_ptr_array_remove (self->finds, task);
  g_clear_pointer (&find->query_id, g_free);
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&find->found),
                           (GDestroyNotify) g_hash_table_unref);
  g_object_unref (task);
}

/* A result of one of our finds: noted, and taken from everyone else. */
static gboolean
find_sent_take_result (FlintMam *self, xmpp_stanza_t *result)
{
  const char *query_id = xmpp_stanza_get_attribute (result, "queryid");

  for (guint i = 0; query_id && i < self->finds->len; i++)
    {
      FindSent *find = g_task_get_task_data (self->finds->pdata[i]);
      g_autoptr (FlintMessageRecord) record = NULL;

      if (g_strcmp0 (find->query_id, query_id) != 0)
        continue;
      record = parse_result (self, result);
      if (record && record->direction == FLINT_DIRECTION_OUTGOING)
        {
          const char *ids[] = { record->origin_id, record->message_id };

          for (guint j = 0; j < G_N_ELEMENTS (ids); j++)
            if (nonempty (ids[j]) && g_hash_table_remove (find->wanted, ids[j]))
              {
                g_hash_table_add (find->found, g_strdup (ids[j]));
                break;
              }
        }
      return TRUE;
    }
  return FALSE;
}

static void find_sent_request (GTask *task);

static void
on_find_sent_page (FlintSession *session,
                   xmpp_stanza_t *reply,
                   const GError *error,
                   gpointer user_data)
{
  GTask *task = user_data;
  FindSent *find = g_task_get_task_data (task);
  xmpp_stanza_t *fin, *set;
  g_autofree char *last = NULL;
  gboolean complete;

  if (error)
    {
      find_sent_return (task, g_error_copy (error));
      return;
    }
  fin = xmpp_stanza_get_child_by_name_and_ns (reply, "fin", NS_MAM);
  set = fin ? xmpp_stanza_get_child_by_name_and_ns (fin, "set", NS_RSM) : NULL;
  complete = fin && g_strcmp0 (xmpp_stanza_get_attribute (fin, "complete"), "true") == 0;
  last = flint_stanza_child_text (set, "last", NULL);
  if (!nonempty (last))
    complete = TRUE;
  /* Every one found, or the archive read to its end: the rest never
   * reached the server. */
  if (complete || g_hash_table_size (find->wanted) == 0)
    {
      find_sent_return (task, NULL);
      return;
    }
  if (++find->pages >= FIND_MAX_PAGES)
    {
      find_sent_return (task, g_error_new (FLINT_ERROR, FLINT_ERROR_FAILED,
                                           "The archive is too long to search"));
      return;
    }
  g_free (find->after);
  find->after = g_steal_pointer (&last);
  find_sent_request (task);
}

static void
find_sent_request (GTask *task)
{
  FlintMam *self = g_task_get_source_object (task);
  FindSent *find = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  xmpp_ctx_t *ctx;
  g_autofree char *iq_id = NULL;
  xmpp_stanza_t *iq, *query, *form, *field, *set;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      find_sent_return (task, g_steal_pointer (&error));
      return;
    }
  if (self->session == NULL)
    {
      find_sent_return (
        task, g_error_new_literal (FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED, "Signed off"));
      return;
    }
  ctx = flint_session_get_context (self->session);
  iq_id = flint_session_new_id (self->session);
  iq = xmpp_iq_new (ctx, "set", iq_id);
  query = new_element (self, "query", NS_MAM);
  form = new_element (self, "x", NS_DATA);
  field = new_element (self, "field", NULL);
  set = new_element (self, "set", NS_RSM);
  g_free (find->query_id);
  find->query_id = flint_session_new_id (self->session);
  xmpp_stanza_set_attribute (query, "queryid", find->query_id);
  xmpp_stanza_set_type (form, "submit");
  xmpp_stanza_set_attribute (field, "var", "FORM_TYPE");
  xmpp_stanza_set_type (field, "hidden");
  add_text_element (self, field, "value", NS_MAM);
  xmpp_stanza_add_child_ex (form, field, 0);
  if (find->after == NULL && find->start)
    {
      field = new_element (self, "field", NULL);
      xmpp_stanza_set_attribute (field, "var", "start");
      add_text_element (self, field, "value", find->start);
      xmpp_stanza_add_child_ex (form, field, 0);
    }
  xmpp_stanza_add_child_ex (query, form, 0);
  add_text_element (self, set, "max", G_STRINGIFY (FIND_PAGE_SIZE));
  if (find->after)
    add_text_element (self, set, "after", find->after);
  xmpp_stanza_add_child_ex (query, set, 0);
  xmpp_stanza_add_child_ex (iq, query, 0);
  g_debug ("Looking for %u of our messages in the archive after %s",
           g_hash_table_size (find->wanted), find->after ? find->after : find->start);
  flint_session_send_iq (self->session, iq, on_find_sent_page, task);
  xmpp_stanza_release (iq);
}

static void
on_find_sent_disco (FlintSession *session,
                    xmpp_stanza_t *reply,
                    const GError *error,
                    gpointer user_data)
{
  GTask *task = user_data;

  if (error)
    find_sent_return (task, g_error_copy (error));
  else if (!has_feature (
             xmpp_stanza_get_child_by_name_and_ns (reply, "query", NS_DISCO_INFO),
             NS_MAM))
    find_sent_return (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                 "The server keeps no archive"));
  else
    find_sent_request (task);
}

/**
 * flint_mam_find_sent_async:
 * @records: (element-type FlintMessageRecord): our outgoing messages
 *
 * Asks our own archive which of @records the server got: it archives what
 * we send with its origin-id. The archive is read from the newest message
 * Flint stored before the oldest of them, to its end or until all are
 * found.
 */
void
flint_mam_find_sent_async (FlintMam *self,
                           GPtrArray *records,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task;
  FindSent *find;
  gint64 oldest = G_MAXINT64, oldest_time = G_MAXINT64;
  xmpp_ctx_t *ctx;
  g_autofree char *id = NULL;
  g_autofree char *bare = NULL;
  xmpp_stanza_t *iq;

  g_return_if_fail (FLINT_IS_MAM (self));
  g_return_if_fail (records != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, flint_mam_find_sent_async);
  find = g_new0 (FindSent, 1);
  find->wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  find->found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_task_data (task, find, (GDestroyNotify) find_sent_free);

  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (records, i);

      if (!nonempty (record_key (record)))
        continue;
      g_hash_table_add (find->wanted, g_strdup (record_key (record)));
      oldest = MIN (oldest, record->local_time);
      oldest_time = MIN (oldest_time, record->time);
    }
  if (g_hash_table_size (find->wanted) == 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&find->found),
                             (GDestroyNotify) g_hash_table_unref);
      g_object_unref (task);
      return;
    }
  find->after =
    flint_history_get_archive_id_before (self->history, account_jid (self), oldest);
  if (find->after == NULL)
    {
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (
        (oldest_time - FIND_CLOCK_MARGIN) / G_USEC_PER_SEC);

      find->start = utc ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;
    }
  g_ptr_array_add (self->finds, task);

  ctx = flint_session_get_context (self->session);
  id = flint_session_new_id (self->session);
  bare = flint_jid_bare (account_jid (self));
  iq = xmpp_iq_new (ctx, "get", id);
  xmpp_stanza_set_to (iq, bare);
  xmpp_stanza_add_child_ex (iq, new_element (self, "query", NS_DISCO_INFO), 0);
  flint_session_send_iq (self->session, iq, on_find_sent_disco, task);
  xmpp_stanza_release (iq);
}

/**
 * flint_mam_find_sent_finish:
 *
 * Returns: (transfer full): the set of the origin-ids (else ids) of the
 *   messages the archive holds; the others never reached the server. NULL
 *   with @error when the archive could not tell: %G_IO_ERROR_NOT_SUPPORTED
 *   if the server keeps none.
 */
GHashTable *
flint_mam_find_sent_finish (FlintMam *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

#include "config.h"

#define G_LOG_DOMAIN "flint-search"

#include <glib/gi18n-lib.h>

#include "flint-history.h"
#include "flint-search.h"

/* One screenful and more: a search is for finding, not for reading all
 * (and this is the page the search budget is measured on). */
#define MAX_RESULTS 50

struct _FlintSearch
{
  GObject parent_instance;

  char *path;
  char *account;
  char *query;
  char *conversation;
  gint64 since;
  gint64 until;

  GPtrArray *items;   /* FlintMessage */
  GHashTable *markup; /* FlintMessage -> char * */
  GCancellable *cancellable;
  gboolean running;
  gboolean has_more; /* the last page was full: older matches may follow */
  char *error;

  /* Used on worker threads only, one query at a time. */
  GMutex reader_lock;
  FlintHistory *reader;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FlintSearch,
                               flint_search,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      list_model_iface_init))

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  char *query;
  char *account;
  char *conversation;
  gint64 since;
  gint64 until;
  guint limit;
  gboolean append; /* a further page after the results shown */
} Query;

static void
query_free (Query *query)
{
  g_free (query->query);
  g_free (query->account);
  g_free (query->conversation);
  g_free (query);
}

static GType
get_item_type (GListModel *model)
{
  return FLINT_TYPE_MESSAGE;
}

static guint
get_n_items (GListModel *model)
{
  return FLINT_SEARCH (model)->items->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  FlintSearch *self = FLINT_SEARCH (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
set_running (FlintSearch *self, gboolean running, const char *error)
{
  if (g_strcmp0 (self->error, error) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  if (self->running != running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
}

/* Adds a further page at the end, without what is shown already (hits at
 * the time the page starts from come again). */
static void
append_results (FlintSearch *self, GPtrArray *hits)
{
  g_autoptr (GHashTable) shown = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint position = self->items->len;

  for (guint i = 0; i < self->items->len; i++)
    {
      FlintMessage *message = g_ptr_array_index (self->items, i);

      g_hash_table_add (shown, (gpointer) &flint_message_get_record (message)->id);
    }
  for (guint i = 0; i < hits->len; i++)
    {
      FlintSearchHit *hit = g_ptr_array_index (hits, i);
      FlintMessage *message;

      if (g_hash_table_contains (shown, &hit->record->id))
        continue;
      message = flint_message_new (hit->record);
      g_ptr_array_add (self->items, message);
      g_hash_table_insert (self->markup, message, g_steal_pointer (&hit->markup));
    }
  if (self->items->len > position)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0,
                                self->items->len - position);
}

/* Replaces all results in one model change. */
static void
set_results (FlintSearch *self, GPtrArray *hits)
{
  guint removed = self->items->len;

  g_hash_table_remove_all (self->markup);
  g_ptr_array_set_size (self->items, 0);
  for (guint i = 0; hits && i < hits->len; i++)
    {
      FlintSearchHit *hit = g_ptr_array_index (hits, i);
      FlintMessage *message = flint_message_new (hit->record);

      g_ptr_array_add (self->items, message);
      g_hash_table_insert (self->markup, message, g_steal_pointer (&hit->markup));
    }
  if (removed || self->items->len)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->items->len);
}

static void
search_thread (GTask *task,
               gpointer source_object,
               gpointer task_data,
               GCancellable *cancellable)
{
  FlintSearch *self = source_object;
  Query *query = task_data;
  g_autoptr (GError) error = NULL;
  GPtrArray *hits = NULL;

  g_mutex_lock (&self->reader_lock);
  /* A later query may already have replaced this one. */
  if (!g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      if (self->reader == NULL)
        self->reader = flint_history_open (self->path, &error);
      if (self->reader)
        {
          g_clear_error (&error);
          hits = flint_history_search_full (
            self->reader, query->query, query->account, query->conversation, query->since,
            query->until, query->limit, cancellable, &error);
        }
    }
  g_mutex_unlock (&self->reader_lock);

  if (hits)
    g_task_return_pointer (task, hits, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
search_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlintSearch *self = FLINT_SEARCH (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) hits = g_task_propagate_pointer (G_TASK (result), &error);

  /* Cancelled: a newer query (or none) owns the model now. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  Query *query = g_task_get_task_data (G_TASK (result));

  if (hits == NULL)
    g_warning ("History search failed: %s", error->message);
  self->has_more = hits && hits->len >= query->limit;
  if (query->append && hits)
    append_results (self, hits);
  else
    set_results (self, hits);
  set_running (self, FALSE,
               hits ? NULL : _ ("The message history could not be searched."));
}

static void
run_query (FlintSearch *self, Query *query)
{
  g_autoptr (GTask) task = NULL;

  query->query = g_strdup (self->query);
  query->account = g_strdup (self->account);
  query->conversation = g_strdup (self->conversation);
  query->since = self->since;

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, search_done, NULL);
  g_task_set_source_tag (task, run_query);
  g_task_set_task_data (task, query, (GDestroyNotify) query_free);
  g_task_run_in_thread (task, search_thread);
  set_running (self, TRUE, NULL);
}

static void
restart (FlintSearch *self)
{
  Query *query;

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->has_more = FALSE;

  if (self->query == NULL || *self->query == '\0')
    {
      set_results (self, NULL);
      set_running (self, FALSE, NULL);
      return;
    }
  query = g_new0 (Query, 1);
  query->until = self->until;
  query->limit = MAX_RESULTS;
  run_query (self, query);
}

/**
 * flint_search_load_more:
 *
 * Asks for the next page of older matches, added at the end of the model.
 * Does nothing while a query runs or when the last page was not full.
 * Keyset paging: the page starts at the time of the last result shown
 * (inclusive, as several messages can share it) and what is shown already
 * is left out.
 */
void
flint_search_load_more (FlintSearch *self)
{
  FlintMessage *last;
  Query *query;
  gint64 time;
  guint ties = 0;

  g_return_if_fail (FLINT_IS_SEARCH (self));

  if (self->running || !self->has_more || self->items->len == 0)
    return;
  last = g_ptr_array_index (self->items, self->items->len - 1);
  time = flint_message_get_time (last);
  for (guint i = self->items->len; i > 0; i--)
    if (flint_message_get_time (g_ptr_array_index (self->items, i - 1)) == time)
      ties++;
    else
      break;
  g_clear_object (&self->cancellable);
  query = g_new0 (Query, 1);
  query->until = self->until != 0 ? MIN (self->until, time + 1) : time + 1;
  query->limit = MAX_RESULTS + ties;
  query->append = TRUE;
  run_query (self, query);
}

gboolean
flint_search_get_has_more (FlintSearch *self)
{
  g_return_val_if_fail (FLINT_IS_SEARCH (self), FALSE);

  return self->has_more;
}

void
flint_search_set_query (FlintSearch *self, const char *text)
{
  g_return_if_fail (FLINT_IS_SEARCH (self));

  if (g_strcmp0 (self->query, text) == 0)
    return;
  g_free (self->query);
  self->query = g_strdup (text);
  restart (self);
}

const char *
flint_search_get_query (FlintSearch *self)
{
  return self->query;
}

/* NULL or "" searches all conversations of the account. */
void
flint_search_set_conversation (FlintSearch *self, const char *jid)
{
  g_return_if_fail (FLINT_IS_SEARCH (self));

  if (jid && *jid == '\0')
    jid = NULL;
  if (g_strcmp0 (self->conversation, jid) == 0)
    return;
  g_free (self->conversation);
  self->conversation = g_strdup (jid);
  restart (self);
}

const char *
flint_search_get_conversation (FlintSearch *self)
{
  return self->conversation;
}

/* Messages from since (inclusive) to until (exclusive); 0 for no bound. */
void
flint_search_set_range (FlintSearch *self, gint64 since, gint64 until)
{
  g_return_if_fail (FLINT_IS_SEARCH (self));

  if (self->since == since && self->until == until)
    return;
  self->since = since;
  self->until = until;
  restart (self);
}

gboolean
flint_search_get_running (FlintSearch *self)
{
  return self->running;
}

const char *
flint_search_get_error (FlintSearch *self)
{
  return self->error;
}

const char *
flint_search_get_markup (FlintSearch *self, FlintMessage *message)
{
  return g_hash_table_lookup (self->markup, message);
}

static void
flint_search_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  FlintSearch *self = FLINT_SEARCH (object);

  switch (prop_id)
    {
      case PROP_RUNNING:
        g_value_set_boolean (value, self->running);
        break;
      case PROP_ERROR:
        g_value_set_string (value, self->error);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_search_dispose (GObject *object)
{
  FlintSearch *self = FLINT_SEARCH (object);

  /* Running tasks hold a reference: none is left by now. */
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (flint_search_parent_class)->dispose (object);
}

static void
flint_search_finalize (GObject *object)
{
  FlintSearch *self = FLINT_SEARCH (object);

  g_clear_object (&self->reader);
  g_mutex_clear (&self->reader_lock);
  g_hash_table_unref (self->markup);
  g_ptr_array_unref (self->items);
  g_free (self->path);
  g_free (self->account);
  g_free (self->query);
  g_free (self->conversation);
  g_free (self->error);
  G_OBJECT_CLASS (flint_search_parent_class)->finalize (object);
}

static void
flint_search_class_init (FlintSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = flint_search_dispose;
  object_class->finalize = flint_search_finalize;
  object_class->get_property = flint_search_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_search_init (FlintSearch *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->markup = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_mutex_init (&self->reader_lock);
}

/**
 * flint_search_new:
 * @path: the history database (flint_history_get_path() of the store)
 * @account: the bare JID whose history is searched
 */
FlintSearch *
flint_search_new (const char *path, const char *account)
{
  FlintSearch *self = g_object_new (FLINT_TYPE_SEARCH, NULL);

  self->path = g_strdup (path);
  self->account = g_strdup (account);
  return self;
}

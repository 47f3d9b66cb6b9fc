#include "config.h"

#define G_LOG_DOMAIN "flint-conversation"

#include "flint-conversation.h"
#include "flint-jid.h"

/* A conversation opens with a screenful: GtkListView 4.8 makes a row widget
 * for every item it is given, at ~2 ms each on a software renderer, and
 * the view asks for more as soon as they do not fill it (or the user
 * scrolls up). */
#define FIRST_PAGE 20
/* The most rows the model holds after paging: memory and the view's work
 * stay the same however long the history is. */
#define DEFAULT_MAX_ROWS 600
/* Live messages may grow a window at the latest end this far past the
 * bound before its oldest rows are dropped, so that is not every message. */
#define LIVE_SLACK 100
/* Dropping rows costs the view a relayout and new row widgets (about
 * 150 ms on a software renderer): done once live messages have been quiet
 * this long and the conversation is not the one being read, or at once past
 * LIVE_CAP times the bound. */
#define TRIM_DELAY_MS 1500
#define LIVE_CAP 4
#define FLUSH_INTERVAL_MS 80
/* A slice of at least FLOOD_BATCH messages, coming at FLOOD_RATE a second
 * or more, is a flood: nobody reads that fast. */
#define FLOOD_BATCH 4
#define FLOOD_RATE 20
/* Each slice costs the view a whole frame (~40 ms of CPU on a software
 * renderer), and GtkListView 4.8 keeps the 200 rows before the bottom it
 * follows bound, so a slice of 200 or more rebinds and measures 200 rows
 * whatever its size. One slice a second during a flood rather than two
 * took the 2,000-message flood from 1.0-1.3 to 0.6-0.9 CPU-s. */
#define FLOOD_INTERVAL_MS 1000
/* Growing a short window to those 200 rows at once makes the view create
 * the row widgets in one go, ~0.25 ms each: 50 ms for the first slice of a
 * flood. A slice grows a window shorter than VIEW_ROWS by GROW_STEP rows a
 * main-loop pass instead. */
#define VIEW_ROWS 200
#define GROW_STEP 50

struct _FlintConversation
{
  GObject parent_instance;

  FlintHistory *history;
  FlintChat *chat;
  char *account;
  char *jid;

  GPtrArray *items;   /* FlintMessage, in (time, id) order */
  GPtrArray *pending; /* stored, not yet in items (see flush_pending) */
  guint flush_id;
  guint grow_id;
  guint trim_id;
  gint64 last_flush;
  gboolean flooding; /* the last slice was a flood's */
  GHashTable *by_id;
  gboolean complete; /* the window starts at the oldest stored message */
  gboolean latest;   /* the window ends at the newest stored message */
  guint max_rows;
  gboolean active;
  guint unread;
  char *peer_state;

  gulong stored_handler;
  gulong updated_handler;
  gulong state_handler;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FlintConversation,
                               flint_conversation,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      list_model_iface_init))

enum
{
  PROP_0,
  PROP_JID,
  PROP_UNREAD,
  PROP_COMPLETE,
  PROP_PEER_STATE,
  PROP_N_ITEMS,
  PROP_LATEST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return FLINT_TYPE_MESSAGE;
}

static guint
get_n_items (GListModel *model)
{
  return FLINT_CONVERSATION (model)->items->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  FlintConversation *self = FLINT_CONVERSATION (model);

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

static gboolean
is_ours (FlintConversation *self, const FlintMessageRecord *record)
{
  /* A room's conversation is its JID, like a contact's: kind does not
   * tell them apart, the JID does. */
  return g_strcmp0 (record->account, self->account) == 0 &&
         g_strcmp0 (record->conversation, self->jid) == 0;
}

/* First position whose message sorts after message: live messages land at
 * the end in one comparison, delayed ones (offline, archive) in their place. */
static guint
insertion_point (FlintConversation *self, FlintMessage *message)
{
  guint lo = 0, hi = self->items->len;

  if (hi > 0 &&
      flint_message_compare (g_ptr_array_index (self->items, hi - 1), message) <= 0)
    return hi;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (flint_message_compare (g_ptr_array_index (self->items, mid), message) <= 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Keys are copies: a message's record is replaced when it is updated. */
static void
index_message (FlintConversation *self, FlintMessage *message)
{
  gint64 id = flint_message_get_id (message);

  g_hash_table_insert (self->by_id, g_memdup2 (&id, sizeof id), message);
}

static void
set_unread (FlintConversation *self, guint unread)
{
  if (self->unread == unread)
    return;
  self->unread = unread;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

static int
compare_messages (gconstpointer a, gconstpointer b)
{
  return flint_message_compare (*(FlintMessage **) a, *(FlintMessage **) b);
}

static void
set_complete (FlintConversation *self, gboolean complete)
{
  if (self->complete == complete)
    return;
  self->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

static void
set_latest (FlintConversation *self, gboolean latest)
{
  if (self->latest == latest)
    return;
  self->latest = latest;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATEST]);
}

/* Drops n rows from the start (oldest) or the end (newest) of the window;
 * paging brings them back from the store. */
static void
trim (FlintConversation *self, gboolean oldest, guint n)
{
  guint position;

  n = MIN (n, self->items->len);
  if (n == 0)
    return;
  position = oldest ? 0 : self->items->len - n;
  for (guint i = position; i < position + n; i++)
    {
      gint64 id = flint_message_get_id (g_ptr_array_index (self->items, i));

      g_hash_table_remove (self->by_id, &id);
    }
  g_ptr_array_remove_range (self->items, position, n);
  if (oldest)
    set_complete (self, FALSE);
  else
    set_latest (self, FALSE);
  g_list_model_items_changed (G_LIST_MODEL (self), position, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static gboolean
on_trim_timeout (gpointer user_data)
{
  FlintConversation *self = user_data;

  self->trim_id = 0;
  /* Being read: set_active (FALSE) tries again. */
  if (self->active)
    return G_SOURCE_REMOVE;
  if (self->latest && self->items->len > self->max_rows)
    trim (self, TRUE, self->items->len - self->max_rows);
  return G_SOURCE_REMOVE;
}

/* Live messages grew the window past its bound: drop the oldest rows when
 * they stop coming (re-armed by every batch) and nobody reads them, or now
 * if far past it. */
static void
schedule_trim (FlintConversation *self)
{
  if (self->items->len <= self->max_rows + LIVE_SLACK)
    return;
  g_clear_handle_id (&self->trim_id, g_source_remove);
  if (self->items->len > self->max_rows * LIVE_CAP)
    trim (self, TRUE, self->items->len - self->max_rows);
  else
    self->trim_id = g_timeout_add (TRIM_DELAY_MS, on_trim_timeout, self);
}

static gboolean on_grow (gpointer user_data);

/* Moves the messages stored since the last flush into the model: one
 * items-changed for a run appended at the end (the usual case; stepwise,
 * a short window grows by GROW_STEP at a time), one per message for
 * delayed ones that belong further up. */
static void
move_pending (FlintConversation *self, gboolean stepwise)
{
  guint n = self->pending->len;
  FlintMessage *last;

  if (n == 0)
    return;
  g_ptr_array_sort (self->pending, compare_messages);
  last = self->items->len ? g_ptr_array_index (self->items, self->items->len - 1) : NULL;
  if (last == NULL ||
      flint_message_compare (last, g_ptr_array_index (self->pending, 0)) <= 0)
    {
      guint position = self->items->len;

      if (stepwise && position < VIEW_ROWS && n > GROW_STEP)
        n = GROW_STEP;
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (self->items, g_ptr_array_index (self->pending, i));
      g_ptr_array_remove_range (self->pending, 0, n);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, n);
      if (self->pending->len && self->grow_id == 0)
        self->grow_id = g_idle_add_full (G_PRIORITY_DEFAULT, on_grow, self, NULL);
    }
  else
    {
      for (guint i = 0; i < n; i++)
        {
          FlintMessage *message = g_ptr_array_index (self->pending, i);
          guint position = insertion_point (self, message);

          g_ptr_array_insert (self->items, (gint) position, message);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
        }
      g_ptr_array_set_size (self->pending, 0);
    }
  schedule_trim (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static gboolean
on_grow (gpointer user_data)
{
  FlintConversation *self = user_data;

  self->grow_id = 0;
  move_pending (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* A slice: everything stored since the last one goes into the model
 * (stepwise when called by the slice timer). */
static void
flush_pending (FlintConversation *self, gboolean stepwise)
{
  guint n = self->pending->len;
  gint64 now = g_get_monotonic_time ();

  g_clear_handle_id (&self->flush_id, g_source_remove);
  /* By rate, not count: a slice cut short by a pause in the flood would
   * otherwise bring the next slice (and its frame) in 80 ms. */
  self->flooding =
    n >= FLOOD_BATCH &&
    (gint64) n * G_USEC_PER_SEC >= (gint64) FLOOD_RATE * MAX (now - self->last_flush, 1);
  self->last_flush = now;
  move_pending (self, stepwise);
}

static gboolean
on_flush_timeout (gpointer user_data)
{
  FlintConversation *self = user_data;

  self->flush_id = 0;
  flush_pending (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_message_stored (FlintChat *chat, FlintMessageRecord *record, FlintConversation *self)
{
  FlintMessage *message;
  gint64 now, due;

  if (!is_ours (self, record) || g_hash_table_contains (self->by_id, &record->id))
    return;
  if (record->direction == FLINT_DIRECTION_INCOMING && !self->active)
    set_unread (self, self->unread + 1);

  message = flint_message_new (record);
  /* Away from the latest end, what sorts after the window is left in the
   * store: paging down or flint_conversation_jump_to_latest() brings it. */
  if (!self->latest &&
      (self->items->len == 0 ||
       flint_message_compare (g_ptr_array_index (self->items, self->items->len - 1),
                              message) < 0))
    {
      g_object_unref (message);
      return;
    }
  index_message (self, message);
  g_ptr_array_add (self->pending, message);

  /* Every model change costs the view a relayout and a frame. A message
   * after a quiet moment shows at once; a flood is shown in slices of
   * FLUSH_INTERVAL_MS, a few frames a second instead of one per message. */
  if (self->flush_id)
    return;
  now = g_get_monotonic_time ();
  /* Still flooding (the last slice came fast): longer slices, fewer frames. */
  due = self->last_flush + (self->flooding ? FLOOD_INTERVAL_MS : FLUSH_INTERVAL_MS) *
                             G_TIME_SPAN_MILLISECOND;
  self->flush_id =
    g_timeout_add (due > now ? (guint) ((due - now) / 1000) : 0, on_flush_timeout, self);
}

static void
on_message_updated (FlintChat *chat, FlintMessageRecord *record, FlintConversation *self)
{
  FlintMessage *message;

  if (!is_ours (self, record))
    return;
  message = g_hash_table_lookup (self->by_id, &record->id);
  if (message)
    flint_message_update (message, record);
}

static void
on_chat_state (FlintChat *chat,
               const char *jid,
               const char *state,
               FlintConversation *self)
{
  if (!flint_jid_equal_bare (jid, self->jid) || g_strcmp0 (state, self->peer_state) == 0)
    return;
  g_free (self->peer_state);
  self->peer_state = g_strdup (state);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_STATE]);
}

/* Prepends records (oldest first) that all sort before the current items. */
static guint
prepend_records (FlintConversation *self, GPtrArray *records)
{
  g_autoptr (GPtrArray) fresh = g_ptr_array_new ();

  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (records, i);
      FlintMessage *message;

      if (g_hash_table_contains (self->by_id, &record->id))
        continue;
      message = flint_message_new (record);
      index_message (self, message);
      g_ptr_array_add (fresh, message);
    }
  if (fresh->len == 0)
    return 0;
  for (guint i = fresh->len; i > 0; i--)
    g_ptr_array_insert (self->items, 0, g_ptr_array_index (fresh, i - 1));
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, fresh->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return fresh->len;
}

guint
flint_conversation_load_older (FlintConversation *self, guint count)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError) error = NULL;
  FlintMessage *first;
  guint added;

  g_return_val_if_fail (FLINT_IS_CONVERSATION (self), 0);

  if (self->complete || count == 0)
    return 0;
  first = self->items->len ? g_ptr_array_index (self->items, 0) : NULL;
  if (first)
    records = flint_history_get_before (self->history, self->account, self->jid,
                                        flint_message_get_time (first),
                                        flint_message_get_id (first), count, &error);
  else
    records =
      flint_history_get_last (self->history, self->account, self->jid, count, &error);
  if (records == NULL)
    {
      g_warning ("Could not read the history of a conversation: %s",
                 error ? error->message : "?");
      return 0;
    }
  if (records->len < count)
    set_complete (self, TRUE);
  added = prepend_records (self, records);
  if (self->items->len > self->max_rows)
    {
      /* Pending rows belong at the end being dropped: the store has them. */
      flush_pending (self, FALSE);
      trim (self, FALSE, self->items->len - self->max_rows);
    }
  return added;
}

/* Appends records (oldest first) that all sort after the current items. */
static guint
append_records (FlintConversation *self, GPtrArray *records)
{
  guint position = self->items->len, added = 0;

  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (records, i);
      FlintMessage *message;

      if (g_hash_table_contains (self->by_id, &record->id))
        continue;
      message = flint_message_new (record);
      index_message (self, message);
      g_ptr_array_add (self->items, message);
      added++;
    }
  if (added)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, added);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  return added;
}

/**
 * flint_conversation_load_newer:
 *
 * Pages towards the present when the window does not end at the newest
 * message (after scrolling back past the bound, or opening at a date or a
 * search result). Drops rows at the oldest end past the bound.
 *
 * Returns: the number of rows added
 */
guint
flint_conversation_load_newer (FlintConversation *self, guint count)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError) error = NULL;
  FlintMessage *last;
  guint added;

  g_return_val_if_fail (FLINT_IS_CONVERSATION (self), 0);

  if (self->latest || count == 0)
    return 0;
  if (self->items->len == 0)
    {
      set_latest (self, TRUE);
      return flint_conversation_load_older (self, count);
    }
  last = g_ptr_array_index (self->items, self->items->len - 1);
  records = flint_history_get_after (self->history, self->account, self->jid,
                                     flint_message_get_time (last),
                                     flint_message_get_id (last), count, &error);
  if (records == NULL)
    {
      g_warning ("Could not read the history of a conversation: %s",
                 error ? error->message : "?");
      return 0;
    }
  added = append_records (self, records);
  /* Live messages stored from now on are added as they come. */
  if (records->len < count)
    set_latest (self, TRUE);
  if (self->items->len > self->max_rows)
    trim (self, TRUE, self->items->len - self->max_rows);
  return added;
}

/* Empties the window without telling the view (the caller does). */
static void
drop_all (FlintConversation *self)
{
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  g_clear_handle_id (&self->trim_id, g_source_remove);
  for (guint i = 0; i < self->pending->len; i++)
    g_object_unref (g_ptr_array_index (self->pending, i));
  g_ptr_array_set_size (self->pending, 0);
  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->items, 0);
}

static void
clear_window (FlintConversation *self)
{
  guint n = self->items->len;

  drop_all (self);
  if (n)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

/* Replaces the window by the latest page, if it does not end there. */
void
flint_conversation_jump_to_latest (FlintConversation *self)
{
  g_return_if_fail (FLINT_IS_CONVERSATION (self));

  if (self->latest)
    return;
  clear_window (self);
  set_complete (self, FALSE);
  set_latest (self, TRUE);
  flint_conversation_load_older (self, FIRST_PAGE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/**
 * flint_conversation_load_around:
 * @time: @id: a message's (time, id), or (a time, -1) for the first
 *   message at or after that time
 * @context: rows to load on each side
 *
 * Replaces the window by the messages around (@time, @id): for a search
 * result, or the first message of a day.
 *
 * Returns: the position of the first row at or after (@time, @id) (the
 *   last row if there is none after), or -1 if the conversation is empty
 */
int
flint_conversation_load_around (FlintConversation *self,
                                gint64 time,
                                gint64 id,
                                guint context)
{
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GError) error = NULL;
  guint n_old = self->items->len;

  g_return_val_if_fail (FLINT_IS_CONVERSATION (self), -1);

  context = CLAMP (context, 1, self->max_rows / 2);
  /* (time, id - 1) < (time, id): the message itself starts "after". */
  after = flint_history_get_after (self->history, self->account, self->jid, time,
                                   id < 0 ? id : id - 1, context + 1, &error);
  if (after)
    before = flint_history_get_before (self->history, self->account, self->jid, time,
                                       id < 0 ? G_MININT64 : id, context, &error);
  if (after == NULL || before == NULL)
    {
      g_warning ("Could not read the history of a conversation: %s",
                 error ? error->message : "?");
      return -1;
    }

  drop_all (self);
  for (guint i = 0; i < before->len; i++)
    {
      FlintMessage *message = flint_message_new (g_ptr_array_index (before, i));

      index_message (self, message);
      g_ptr_array_add (self->items, message);
    }
  for (guint i = 0; i < after->len; i++)
    {
      FlintMessage *message = flint_message_new (g_ptr_array_index (after, i));

      index_message (self, message);
      g_ptr_array_add (self->items, message);
    }
  set_complete (self, before->len < context);
  set_latest (self, after->len <= context);
  /* One change: the view replaces its rows once. */
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n_old, self->items->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (self->items->len == 0)
    return -1;
  return after->len ? (int) before->len : (int) before->len - 1;
}

gboolean
flint_conversation_get_latest (FlintConversation *self)
{
  return self->latest;
}

/* For tests and benchmarks: a smaller or larger bound (at least 2 pages). */
void
flint_conversation_set_max_rows (FlintConversation *self, guint max_rows)
{
  g_return_if_fail (FLINT_IS_CONVERSATION (self));

  self->max_rows = MAX (max_rows, 2 * FIRST_PAGE);
}

const char *
flint_conversation_get_jid (FlintConversation *self)
{
  return self->jid;
}

const char *
flint_conversation_get_account (FlintConversation *self)
{
  return self->account;
}

gboolean
flint_conversation_get_complete (FlintConversation *self)
{
  return self->complete;
}

guint
flint_conversation_get_unread (FlintConversation *self)
{
  return self->unread;
}

/* The conversation is on screen: nothing arriving now is unread. */
void
flint_conversation_set_active (FlintConversation *self, gboolean active)
{
  self->active = active;
  if (active)
    set_unread (self, 0);
  else
    schedule_trim (self);
}

const char *
flint_conversation_get_peer_state (FlintConversation *self)
{
  return self->peer_state;
}

/* Another module that stores messages of this conversation (the archive
 * catch-up) and announces them with a "message-stored" signal like
 * FlintChat's. */
void
flint_conversation_add_source (FlintConversation *self, GObject *source)
{
  g_return_if_fail (FLINT_IS_CONVERSATION (self));
  g_return_if_fail (G_IS_OBJECT (source));

  g_signal_connect_object (source, "message-stored", G_CALLBACK (on_message_stored), self,
                           0);
  if (g_signal_lookup ("message-updated", G_OBJECT_TYPE (source)))
    g_signal_connect_object (source, "message-updated", G_CALLBACK (on_message_updated),
                             self, 0);
}

FlintMessage *
flint_conversation_find (FlintConversation *self, gint64 id)
{
  return g_hash_table_lookup (self->by_id, &id);
}

/* The row of the message with that id, or -1 if it is not in the window. */
int
flint_conversation_get_position (FlintConversation *self, gint64 id)
{
  FlintMessage *message = g_hash_table_lookup (self->by_id, &id);
  guint position;

  if (message && g_ptr_array_find (self->items, message, &position))
    return (int) position;
  return -1;
}

/* For XEP-0308: Up in an empty composer edits this one; none while the
 * window is away from the latest end (it may not be the last one). */
FlintMessage *
flint_conversation_get_last_outgoing (FlintConversation *self)
{
  if (!self->latest)
    return NULL;
  flush_pending (self, FALSE);
  for (guint i = self->items->len; i > 0; i--)
    {
      FlintMessage *message = g_ptr_array_index (self->items, i - 1);

      if (flint_message_get_direction (message) == FLINT_DIRECTION_OUTGOING)
        return message;
    }
  return NULL;
}

static void
flint_conversation_get_property (GObject *object,
                                 guint prop_id,
                                 GValue *value,
                                 GParamSpec *pspec)
{
  FlintConversation *self = FLINT_CONVERSATION (object);

  switch (prop_id)
    {
      case PROP_JID:
        g_value_set_string (value, self->jid);
        break;
      case PROP_UNREAD:
        g_value_set_uint (value, self->unread);
        break;
      case PROP_COMPLETE:
        g_value_set_boolean (value, self->complete);
        break;
      case PROP_PEER_STATE:
        g_value_set_string (value, self->peer_state);
        break;
      case PROP_N_ITEMS:
        g_value_set_uint (value, self->items->len);
        break;
      case PROP_LATEST:
        g_value_set_boolean (value, self->latest);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_conversation_dispose (GObject *object)
{
  FlintConversation *self = FLINT_CONVERSATION (object);

  if (self->chat)
    {
      g_clear_signal_handler (&self->stored_handler, self->chat);
      g_clear_signal_handler (&self->updated_handler, self->chat);
      g_clear_signal_handler (&self->state_handler, self->chat);
    }
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  g_clear_handle_id (&self->trim_id, g_source_remove);
  g_clear_object (&self->chat);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (flint_conversation_parent_class)->dispose (object);
}

static void
flint_conversation_finalize (GObject *object)
{
  FlintConversation *self = FLINT_CONVERSATION (object);

  for (guint i = 0; i < self->pending->len; i++)
    g_object_unref (g_ptr_array_index (self->pending, i));
  g_ptr_array_unref (self->pending);
  g_hash_table_unref (self->by_id);
  g_ptr_array_unref (self->items);
  g_free (self->account);
  g_free (self->jid);
  g_free (self->peer_state);
  G_OBJECT_CLASS (flint_conversation_parent_class)->finalize (object);
}

static void
flint_conversation_class_init (FlintConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = flint_conversation_dispose;
  object_class->finalize = flint_conversation_finalize;
  object_class->get_property = flint_conversation_get_property;

  properties[PROP_JID] = g_param_spec_string ("jid", NULL, NULL, NULL, flags);
  properties[PROP_UNREAD] =
    g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_COMPLETE] = g_param_spec_boolean ("complete", NULL, NULL, FALSE, flags);
  properties[PROP_PEER_STATE] =
    g_param_spec_string ("peer-state", NULL, NULL, NULL, flags);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LATEST] = g_param_spec_boolean ("latest", NULL, NULL, TRUE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_conversation_init (FlintConversation *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->pending = g_ptr_array_new ();
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->latest = TRUE;
  self->max_rows = DEFAULT_MAX_ROWS;
}

/* Connects only to the signals this FlintChat has, so the model works with
 * chat modules that do not (yet) report receipts or chat states. */
static gulong
connect_if_present (gpointer instance,
                    const char *signal,
                    GCallback callback,
                    gpointer data)
{
  if (g_signal_lookup (signal, G_OBJECT_TYPE (instance)) == 0)
    return 0;
  return g_signal_connect (instance, signal, callback, data);
}

FlintConversation *
flint_conversation_new (FlintHistory *history,
                        FlintChat *chat,
                        const char *account,
                        const char *jid)
{
  FlintConversation *self = g_object_new (FLINT_TYPE_CONVERSATION, NULL);

  self->history = g_object_ref (history);
  self->chat = chat ? g_object_ref (chat) : NULL;
  self->account = flint_jid_bare (account);
  {
    g_autofree char *resource = flint_jid_resource (jid);

    /* A private chat with a room's occupant is stored under room/nick. */
    self->jid = resource && *resource ? flint_jid_normalize (jid) : flint_jid_bare (jid);
  }
  if (chat)
    {
      self->stored_handler =
        connect_if_present (chat, "message-stored", G_CALLBACK (on_message_stored), self);
      self->updated_handler = connect_if_present (chat, "message-updated",
                                                  G_CALLBACK (on_message_updated), self);
      self->state_handler =
        connect_if_present (chat, "chat-state", G_CALLBACK (on_chat_state), self);
    }
  flint_conversation_load_older (self, FIRST_PAGE);
  return self;
}

#include "config.h"

#define G_LOG_DOMAIN "flint-chat"

#include <glib/gi18n-lib.h>

#include "flint-chat.h"
#include "flint-error.h"
#include "flint-jid.h"

#define NS_SID "urn:xmpp:sid:0"
#define NS_DELAY "urn:xmpp:delay"

struct _FlintChat
{
  GObject parent_instance;

  FlintSession *session;
  FlintHistory *history;
  guint message_handler;
  gulong online_handler;
};

G_DEFINE_FINAL_TYPE (FlintChat, flint_chat, G_TYPE_OBJECT)

enum
{
  SIGNAL_MESSAGE_STORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
account_jid (FlintChat *self)
{
  return flint_account_get_jid (flint_session_get_account (self->session));
}

static char *
child_text (xmpp_stanza_t *stanza, const char *name)
{
  xmpp_stanza_t *child = xmpp_stanza_get_child_by_name (stanza, name);
  char *text, *copy;

  if (child == NULL)
    return NULL;
  text = xmpp_stanza_get_text (child);
  copy = g_strdup (text);
  if (text)
    xmpp_free (xmpp_stanza_get_context (stanza), text);
  return copy;
}

static gint64
parse_delay (xmpp_stanza_t *stanza)
{
  xmpp_stanza_t *delay = xmpp_stanza_get_child_by_name_and_ns (stanza, "delay", NS_DELAY);
  const char *stamp = delay ? xmpp_stanza_get_attribute (delay, "stamp") : NULL;
  g_autoptr (GDateTime) when = NULL;

  if (stamp == NULL)
    return 0;
  when = g_date_time_new_from_iso8601 (stamp, NULL);
  if (when == NULL)
    return 0;
  return g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when);
}

/* Returns a record for a chat message carrying a body, or NULL for anything
 * else (no body, errors, rooms, malformed addresses). */
FlintMessageRecord *
flint_chat_parse_message (FlintChat *self, xmpp_stanza_t *stanza)
{
  const char *type = xmpp_stanza_get_type (stanza);
  const char *from = xmpp_stanza_get_from (stanza);
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autofree char *body = NULL;
  g_autofree char *bare = NULL;
  gint64 now = g_get_real_time ();

  if (type && !g_str_equal (type, "chat") && !g_str_equal (type, "normal"))
    return NULL;
  if (from == NULL || !flint_jid_is_valid (from))
    return NULL;
  body = child_text (stanza, "body");
  if (body == NULL || !g_utf8_validate (body, -1, NULL))
    return NULL;
  bare = flint_jid_bare (from);

  record = flint_message_record_new ();
  record->account = g_strdup (account_jid (self));
  record->conversation = g_strdup (bare);
  record->kind = FLINT_MESSAGE_KIND_CHAT;
  record->direction = FLINT_DIRECTION_INCOMING;
  record->sender = g_strdup (bare);
  record->body = g_steal_pointer (&body);
  record->local_time = now;
  record->time = parse_delay (stanza);
  if (record->time == 0)
    record->time = now;
  record->message_id = g_strdup (xmpp_stanza_get_id (stanza));
  record->state = FLINT_DELIVERY_RECEIVED;

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (stanza); c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_get_name (c);

      if (!xmpp_stanza_is_tag (c) || g_strcmp0 (xmpp_stanza_get_ns (c), NS_SID) != 0)
        continue;
      if (g_strcmp0 (name, "origin-id") == 0 && record->origin_id == NULL)
        record->origin_id = g_strdup (xmpp_stanza_get_attribute (c, "id"));
      /* Only our own server's stanza-id is trustworthy (XEP-0359 §5). */
      else if (g_strcmp0 (name, "stanza-id") == 0 && record->stanza_id == NULL &&
               flint_jid_equal_bare (xmpp_stanza_get_attribute (c, "by"),
                                     record->account) &&
               xmpp_stanza_get_attribute (c, "id"))
        {
          record->stanza_id = g_strdup (xmpp_stanza_get_attribute (c, "id"));
          record->stanza_id_by = g_strdup (record->account);
        }
    }
  return g_steal_pointer (&record);
}

static gboolean
on_message (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintChat *self = user_data;
  g_autoptr (FlintMessageRecord) record = flint_chat_parse_message (self, stanza);
  g_autoptr (GError) error = NULL;
  gboolean inserted = FALSE;

  if (record == NULL)
    {
      g_debug ("Ignoring a message without a usable body or sender");
      return FALSE;
    }
  if (!flint_history_insert (self->history, record, &inserted, &error))
    {
      g_warning ("Could not store a received message: %s", error->message);
      return FALSE;
    }
  g_debug ("Message %s from %s: %s", record->message_id ? record->message_id : "(no id)",
           record->conversation, inserted ? "stored" : "already stored");
  if (inserted)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, record);
  return FALSE;
}

static xmpp_stanza_t *
build_message (FlintChat *self, const FlintMessageRecord *record)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *message =
    xmpp_message_new (ctx, "chat", record->conversation, record->message_id);
  xmpp_stanza_t *origin = xmpp_stanza_new (ctx);

  xmpp_message_set_body (message, record->body);
  xmpp_stanza_set_name (origin, "origin-id");
  xmpp_stanza_set_ns (origin, NS_SID);
  xmpp_stanza_set_attribute (origin, "id", record->origin_id);
  xmpp_stanza_add_child_ex (message, origin, 0);
  return message;
}

static void
transmit (FlintChat *self, FlintMessageRecord *record)
{
  xmpp_stanza_t *message = build_message (self, record);
  g_autoptr (GError) error = NULL;

  flint_session_send (self->session, message);
  xmpp_stanza_release (message);
  record->state = FLINT_DELIVERY_SENT;
  if (!flint_history_set_state (self->history, record->account, record->conversation,
                                record->message_id, FLINT_DELIVERY_SENT, &error))
    g_warning ("Could not update a message's state: %s", error->message);
}

FlintMessageRecord *
flint_chat_send (FlintChat *self, const char *to, const char *body, GError **error)
{
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *id = NULL;
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (FLINT_IS_CHAT (self), NULL);

  if (!flint_jid_is_valid (to))
    {
      flint_set_error (error, FLINT_ERROR_INVALID_JID);
      return NULL;
    }
  bare = flint_jid_bare (to);
  id = flint_session_new_id (self->session);

  record = flint_message_record_new ();
  record->account = g_strdup (account_jid (self));
  record->conversation = g_strdup (bare);
  record->kind = FLINT_MESSAGE_KIND_CHAT;
  record->direction = FLINT_DIRECTION_OUTGOING;
  record->sender = g_strdup (account_jid (self));
  record->body = g_strdup (body);
  record->time = now;
  record->local_time = now;
  record->message_id = g_strdup (id);
  record->origin_id = g_strdup (id);
  record->state = FLINT_DELIVERY_PENDING;

  /* Stored before it is sent: a crash in between leaves it pending, and it
   * goes out at the next sign-in instead of being lost. */
  if (!flint_history_insert (self->history, record, NULL, error))
    return NULL;
  if (flint_session_get_state (self->session) == FLINT_SESSION_ONLINE)
    transmit (self, record);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, record);
  return g_steal_pointer (&record);
}

static void
on_online (FlintSession *session, gboolean resumed, FlintChat *self)
{
  g_autoptr (GPtrArray) pending =
    flint_history_get_pending (self->history, account_jid (self));

  for (guint i = 0; pending && i < pending->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (pending, i);

      if (record->kind == FLINT_MESSAGE_KIND_CHAT)
        transmit (self, record);
    }
}

static void
flint_chat_dispose (GObject *object)
{
  FlintChat *self = FLINT_CHAT (object);

  if (self->session)
    {
      flint_session_remove_handler (self->session, self->message_handler);
      g_clear_signal_handler (&self->online_handler, self->session);
    }
  g_clear_object (&self->session);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (flint_chat_parent_class)->dispose (object);
}

static void
flint_chat_class_init (FlintChatClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = flint_chat_dispose;

  /* A message newly in the store, incoming or outgoing. */
  signals[SIGNAL_MESSAGE_STORED] =
    g_signal_new ("message-stored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_MESSAGE_RECORD);
}

static void
flint_chat_init (FlintChat *self)
{
}

FlintChat *
flint_chat_new (FlintSession *session, FlintHistory *history)
{
  FlintChat *self = g_object_new (FLINT_TYPE_CHAT, NULL);

  self->session = g_object_ref (session);
  self->history = g_object_ref (history);
  self->message_handler =
    flint_session_add_handler (session, "message", NULL, NULL, on_message, self, NULL);
  self->online_handler =
    g_signal_connect (session, "online", G_CALLBACK (on_online), self);
  return self;
}

#include "config.h"

#define G_LOG_DOMAIN "flint-chat"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-chat.h"
#include "flint-message.h"
#include "flint-error.h"
#include "flint-jid.h"
#include "flint-mam.h"
#include "flint-stanza.h"

#define NS_SID "urn:xmpp:sid:0"
#define NS_RECEIPTS "urn:xmpp:receipts"
#define NS_CHATSTATES "http://jabber.org/protocol/chatstates"
#define NS_CARBONS "urn:xmpp:carbons:2"
#define NS_FORWARD "urn:xmpp:forward:0"
#define NS_CORRECT "urn:xmpp:message-correct:0"
#define NS_HINTS "urn:xmpp:hints"
#define NS_OOB "jabber:x:oob"

/* Receipts, errors and corrections name a message by id; it is looked for
 * among the newest messages of its conversation, where such answers land.
 * The store has no lookup by id that returns the row. */
#define RECENT_WINDOW 200

static const char *const chat_states[] = { "active", "composing", "paused", "inactive",
                                           "gone" };

/* Where a message came from: straight to us, or a XEP-0280 copy. */
typedef enum
{
  ORIGIN_DIRECT,
  ORIGIN_CARBON_RECEIVED,
  ORIGIN_CARBON_SENT,
} Origin;

struct _FlintChat
{
  GObject parent_instance;

  FlintSession *session;
  FlintHistory *history;
  guint message_handler;
  gulong online_handler;
  gulong acked_handler;

  gboolean send_receipts;
  gboolean send_chat_states;
  gboolean carbons_enabled;
  GHashTable *sent_states; /* bare JID -> the chat state we last sent */
  FlintChatRoomFunc room_func;
  FlintChatCatchUpFunc catch_up_func;
  gpointer catch_up_data;
  GHashTable *held; /* stanza-ids of delivered messages left to the catch-up */
  gpointer room_data;
  /* Our archive, asked about messages left unconfirmed (issue 9). */
  FlintMam *archive;
  GCancellable *cancellable;
  GHashTable *checking; /* origin-ids the archive is being asked about */
};

/* Messages left "sent" longer ago are left so: the archive may have
 * expired them, and a days-old message sent again would only confuse. */
#define UNCONFIRMED_MAX_AGE (3 * G_TIME_SPAN_DAY)
/* Only among the newest rows of the store, so the lookup stays a short
 * range whatever the size of the history. */
#define UNCONFIRMED_WINDOW 5000

/* A bound on remembered held-back ids (each is also in the archive). */
#define MAX_HELD 10000

G_DEFINE_FINAL_TYPE (FlintChat, flint_chat, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SEND_RECEIPTS,
  PROP_SEND_CHAT_STATES,
  PROP_CARBONS_ENABLED,
  N_PROPS
};

enum
{
  SIGNAL_MESSAGE_STORED,
  SIGNAL_MESSAGE_UPDATED,
  SIGNAL_CHAT_STATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
account_jid (FlintChat *self)
{
  return flint_account_get_jid (flint_session_get_account (self->session));
}

/* The conversation a peer's messages belong to: its bare JID, except
 * for an occupant of a room (room@service/nick, a private message), which
 * is a conversation of its own, apart from the room's. */
static char *
conversation_for (FlintChat *self, const char *peer)
{
  g_autofree char *bare = flint_jid_bare (peer);
  g_autofree char *resource = flint_jid_resource (peer);

  if (bare && resource && *resource && self->room_func &&
      self->room_func (bare, self->room_data))
    return flint_jid_normalize (peer);
  return g_steal_pointer (&bare);
}

/**
 * flint_chat_set_room_func:
 *
 * Tells FlintChat which bare JIDs are rooms, so private messages with an
 * occupant (XEP-0045 §7.5) keep its full JID as their conversation.
 */
void
flint_chat_set_room_func (FlintChat *self, FlintChatRoomFunc func, gpointer user_data)
{
  g_return_if_fail (FLINT_IS_CHAT (self));
  self->room_func = func;
  self->room_data = user_data;
}

/**
 * flint_chat_set_catch_up_func:
 *
 * Tells FlintChat when the archive catch-up runs: a held-back message our
 * archive already has (offline storage, or a dead session's unacknowledged
 * ones sent again) is then left to the catch-up, which stores it in the
 * archive's order.
 */
void
flint_chat_set_catch_up_func (FlintChat *self,
                              FlintChatCatchUpFunc func,
                              gpointer user_data)
{
  g_return_if_fail (FLINT_IS_CHAT (self));
  self->catch_up_func = func;
  self->catch_up_data = user_data;
}

/* Our bare JID exactly: carbons come from the account, never a resource. */
static gboolean
is_own_bare_jid (FlintChat *self, const char *jid)
{
  g_autofree char *resource = NULL;

  if (jid == NULL || !flint_jid_is_valid (jid))
    return FALSE;
  resource = flint_jid_resource (jid);
  return resource == NULL && flint_jid_equal_bare (jid, account_jid (self));
}

static xmpp_stanza_t *
new_element (FlintChat *self, const char *name, const char *ns)
{
  return flint_stanza_new (flint_session_get_context (self->session), name, ns);
}

static void
add_element (FlintChat *self,
             xmpp_stanza_t *parent,
             const char *name,
             const char *ns,
             const char *id)
{
  xmpp_stanza_t *element = new_element (self, name, ns);

  if (id)
    xmpp_stanza_set_attribute (element, "id", id);
  xmpp_stanza_add_child_ex (parent, element, 0);
}

/* The chat state element of a message, if any. */
static const char *
find_chat_state (xmpp_stanza_t *stanza)
{
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (stanza); c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_ns (c), NS_CHATSTATES) == 0)
      for (guint i = 0; i < G_N_ELEMENTS (chat_states); i++)
        if (g_strcmp0 (xmpp_stanza_get_name (c), chat_states[i]) == 0)
          return chat_states[i];
  return NULL;
}

/* A record for a chat message carrying a body, or NULL for anything else
 * (no body, errors, rooms, malformed addresses). An outgoing one is a
 * carbon of what another of our resources sent: its peer is the to. */
static FlintMessageRecord *
parse_chat (FlintChat *self, xmpp_stanza_t *stanza, FlintDirection direction)
{
  const char *type = xmpp_stanza_get_type (stanza);
  const char *peer = direction == FLINT_DIRECTION_OUTGOING
                       ? xmpp_stanza_get_to (stanza)
                       : xmpp_stanza_get_from (stanza);
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autofree char *body = NULL;
  g_autofree char *bare = NULL;
  xmpp_stanza_t *replace;
  gint64 now = g_get_real_time ();

  if (type && !g_str_equal (type, "chat") && !g_str_equal (type, "normal"))
    return NULL;
  if (peer == NULL || !flint_jid_is_valid (peer))
    return NULL;
  /* Invitations (XEP-0249, XEP-0045 mediated) and declines carry a body
   * for old clients; FlintRooms shows them as invitations instead. (A
   * private message from an occupant has an empty muc#user x.) */
  {
    xmpp_stanza_t *user = xmpp_stanza_get_child_by_name_and_ns (
      stanza, "x", "http://jabber.org/protocol/muc#user");

    if (xmpp_stanza_get_child_by_name_and_ns (stanza, "x", "jabber:x:conference") ||
        (user && (xmpp_stanza_get_child_by_name (user, "invite") ||
                  xmpp_stanza_get_child_by_name (user, "decline"))))
      return NULL;
  }
  body = flint_stanza_child_text (stanza, "body", NULL);
  if (body == NULL || !g_utf8_validate (body, -1, NULL))
    return NULL;
  bare = conversation_for (self, peer);

  record = flint_message_record_new ();
  record->account = g_strdup (account_jid (self));
  record->conversation = g_strdup (bare);
  record->kind = FLINT_MESSAGE_KIND_CHAT;
  record->direction = direction;
  record->sender =
    g_strdup (direction == FLINT_DIRECTION_OUTGOING ? account_jid (self) : bare);
  record->body = g_steal_pointer (&body);
  record->local_time = now;
  record->time = flint_stanza_get_delay (stanza);
  if (record->time == 0)
    record->time = now;
  record->message_id = g_strdup (xmpp_stanza_get_id (stanza));
  record->state =
    direction == FLINT_DIRECTION_OUTGOING ? FLINT_DELIVERY_SENT : FLINT_DELIVERY_RECEIVED;

  replace = xmpp_stanza_get_child_by_name_and_ns (stanza, "replace", NS_CORRECT);
  if (replace && xmpp_stanza_get_attribute (replace, "id") &&
      *xmpp_stanza_get_attribute (replace, "id"))
    record->correction_of = g_strdup (xmpp_stanza_get_attribute (replace, "id"));

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

  /* XEP-0066: kept with the message, so its file card survives a restart
   * (the body may be a description rather than the link). */
  {
    xmpp_stanza_t *x = xmpp_stanza_get_child_by_name_and_ns (stanza, "x", NS_OOB);
    g_autofree char *url = x ? flint_stanza_child_text (x, "url", NULL) : NULL;
    g_autofree char *desc = x ? flint_stanza_child_text (x, "desc", NULL) : NULL;

    if (url && g_utf8_validate (url, -1, NULL) && strlen (url) < 4096 &&
        (g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://")) &&
        (desc == NULL || g_utf8_validate (desc, -1, NULL)))
      record->file = flint_file_text_for_url (g_strstrip (url), desc);
  }
  return g_steal_pointer (&record);
}

FlintMessageRecord *
flint_chat_parse_message (FlintChat *self, xmpp_stanza_t *stanza)
{
  g_return_val_if_fail (FLINT_IS_CHAT (self), NULL);
  g_return_val_if_fail (stanza != NULL, NULL);

  return parse_chat (self, stanza, FLINT_DIRECTION_INCOMING);
}

/* The stored message of @conversation that @id names (its id attribute or
 * origin-id), newest first; NULL when not among the recent ones. */
static FlintMessageRecord *
find_recent (FlintChat *self,
             const char *conversation,
             const char *id,
             FlintDirection direction)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) recent = NULL;

  if (id == NULL || *id == '\0')
    return NULL;
  recent = flint_history_get_last (self->history, account_jid (self), conversation,
                                   RECENT_WINDOW, &error);
  if (recent == NULL)
    {
      g_warning ("Could not read the history: %s", error->message);
      return NULL;
    }
  for (guint i = recent->len; i > 0; i--)
    {
      FlintMessageRecord *record = g_ptr_array_index (recent, i - 1);

      if (record->direction == direction && (g_strcmp0 (record->message_id, id) == 0 ||
                                             g_strcmp0 (record->origin_id, id) == 0))
        return flint_message_record_copy (record);
    }
  return NULL;
}

static void
store (FlintChat *self, FlintMessageRecord *record)
{
  g_autoptr (GError) error = NULL;
  gboolean inserted = FALSE;

  if (!flint_history_insert (self->history, record, &inserted, &error))
    {
      g_warning ("Could not store a message: %s", error->message);
      return;
    }
  g_debug ("Message %s with %s: %s", record->message_id ? record->message_id : "(no id)",
           record->conversation, inserted ? "stored" : "already stored");
  if (inserted)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, record);
}

/* Moves our outgoing message @id with @conversation to @state, if it is
 * still before it: a late receipt never undoes "read", an error never
 * undoes "delivered". */
static void
update_state (FlintChat *self,
              const char *conversation,
              const char *id,
              FlintDeliveryState state)
{
  g_autoptr (FlintMessageRecord) record =
    find_recent (self, conversation, id, FLINT_DIRECTION_OUTGOING);
  g_autoptr (GError) error = NULL;

  /* A flood may have pushed it out of the recent ones before its
   * acknowledgement or receipt came. */
  if (record == NULL)
    record =
      flint_history_find_outgoing (self->history, account_jid (self), conversation, id);
  if (record == NULL)
    return;
  switch (record->state)
    {
      case FLINT_DELIVERY_PENDING:
      case FLINT_DELIVERY_SENT:
      case FLINT_DELIVERY_ACKED:
        break;
      case FLINT_DELIVERY_FAILED:
        /* A receipt proves it arrived after all. */
        if (state == FLINT_DELIVERY_DELIVERED)
          break;
        return;
      default:
        return;
    }
  if (!flint_history_set_state (
        self->history, record->account, conversation,
        record->message_id ? record->message_id : record->origin_id, state, &error))
    {
      g_warning ("Could not update a message's state: %s", error->message);
      return;
    }
  record->state = state;
  g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, record);
}

/* XEP-0308: only the sender of the original may correct it. */
static void
handle_correction (FlintChat *self, FlintMessageRecord *correction)
{
  g_autoptr (FlintMessageRecord) original = find_recent (
    self, correction->conversation, correction->correction_of, correction->direction);
  g_autoptr (FlintMessageRecord) other = NULL;
  g_autoptr (GError) error = NULL;
  gboolean applied = FALSE;

  if (original == NULL)
    {
      FlintDirection opposite = correction->direction == FLINT_DIRECTION_INCOMING
                                  ? FLINT_DIRECTION_OUTGOING
                                  : FLINT_DIRECTION_INCOMING;

      other =
        find_recent (self, correction->conversation, correction->correction_of, opposite);
      if (other)
        {
          g_debug ("Ignoring a correction of someone else's message in %s",
                   correction->conversation);
          return;
        }
    }
  else if (g_strcmp0 (original->sender, correction->sender) != 0)
    {
      g_debug ("Ignoring a correction from a different sender in %s",
               correction->conversation);
      return;
    }

  if (!flint_history_apply_correction (self->history, correction, &applied, &error))
    {
      g_warning ("Could not apply a correction: %s", error->message);
      return;
    }
  if (applied && original)
    {
      g_free (original->body);
      original->body = g_strdup (correction->body);
      g_free (original->correction_of);
      original->correction_of = g_strdup (correction->message_id ? correction->message_id
                                                                 : correction->origin_id);
      g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, original);
    }
  else if (!applied)
    /* The original is not stored (older than we have, or never seen): the
     * text is still what the sender meant us to read. */
    store (self, correction);
}

static void
send_receipt (FlintChat *self, xmpp_stanza_t *stanza)
{
  const char *type = xmpp_stanza_get_type (stanza);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *receipt;

  /* Same type as the message, so a chat receipt is carbon-copied to our
   * other resources like the message was. */
  receipt = xmpp_message_new (flint_session_get_context (self->session),
                              g_strcmp0 (type, "chat") == 0 ? "chat" : NULL,
                              xmpp_stanza_get_from (stanza), id);
  add_element (self, receipt, "received", NS_RECEIPTS, xmpp_stanza_get_id (stanza));
  flint_session_send (self->session, receipt);
  xmpp_stanza_release (receipt);
}

static void
handle_chat_message (FlintChat *self, xmpp_stanza_t *stanza, Origin origin)
{
  FlintDirection direction =
    origin == ORIGIN_CARBON_SENT ? FLINT_DIRECTION_OUTGOING : FLINT_DIRECTION_INCOMING;
  const char *type = xmpp_stanza_get_type (stanza);
  const char *peer = direction == FLINT_DIRECTION_OUTGOING
                       ? xmpp_stanza_get_to (stanza)
                       : xmpp_stanza_get_from (stanza);
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autofree char *bare = NULL;
  xmpp_stanza_t *received;
  const char *state;

  if (peer == NULL || !flint_jid_is_valid (peer))
    return;
  if (type && !g_str_equal (type, "chat") && !g_str_equal (type, "normal") &&
      !g_str_equal (type, "error"))
    return;
  bare = conversation_for (self, peer);

  if (g_strcmp0 (type, "error") == 0)
    {
      /* Our message bounced: only the address we sent it to may say so. */
      if (direction == FLINT_DIRECTION_INCOMING && xmpp_stanza_get_id (stanza))
        update_state (self, bare, xmpp_stanza_get_id (stanza), FLINT_DELIVERY_FAILED);
      return;
    }

  /* A receipt counts only from the contact the message went to: the
   * lookup is within the conversation with the receipt's sender. */
  received = xmpp_stanza_get_child_by_name_and_ns (stanza, "received", NS_RECEIPTS);
  if (received && direction == FLINT_DIRECTION_INCOMING)
    update_state (self, bare, xmpp_stanza_get_attribute (received, "id"),
                  FLINT_DELIVERY_DELIVERED);

  /* What our other resources type is not news to us. */
  state = find_chat_state (stanza);
  if (state && direction == FLINT_DIRECTION_INCOMING)
    g_signal_emit (self, signals[SIGNAL_CHAT_STATE], 0, bare, state);

  record = parse_chat (self, stanza, direction);
  if (record == NULL)
    return;
  if (record->correction_of)
    handle_correction (self, record);
  else if (origin == ORIGIN_DIRECT && record->stanza_id &&
           flint_stanza_get_delay (stanza) && self->catch_up_func &&
           self->catch_up_func (self->catch_up_data))
    /* Stamped in whole seconds, it could not be put in its place among
     * the archive's messages of the same second; the catch-up, which
     * reads the archive in order, stores it. */
    {
      g_debug ("Message %s left to the archive catch-up", record->stanza_id);
      if (g_hash_table_size (self->held) >= MAX_HELD)
        g_hash_table_remove_all (self->held);
      g_hash_table_add (self->held, g_strdup (record->stanza_id));
    }
  else
    store (self, record);

  /* Asked again for a message we have: the first receipt may have been
   * lost. Copies are answered by the resource they were meant for. */
  if (origin == ORIGIN_DIRECT && self->send_receipts && xmpp_stanza_get_id (stanza) &&
      xmpp_stanza_get_child_by_name_and_ns (stanza, "request", NS_RECEIPTS))
    send_receipt (self, stanza);
}

/* XEP-0280. Returns FALSE when @stanza is no carbon. */
static gboolean
handle_carbon (FlintChat *self, xmpp_stanza_t *stanza)
{
  xmpp_stanza_t *wrapper =
    xmpp_stanza_get_child_by_name_and_ns (stanza, "received", NS_CARBONS);
  const char *from = xmpp_stanza_get_from (stanza);
  xmpp_stanza_t *forwarded, *inner;
  gboolean sent = FALSE;

  if (wrapper == NULL)
    {
      wrapper = xmpp_stanza_get_child_by_name_and_ns (stanza, "sent", NS_CARBONS);
      sent = TRUE;
    }
  if (wrapper == NULL)
    return FALSE;

  /* Security (XEP-0280 §11): only our own server, speaking for our bare
   * JID, sends carbons. Anyone else could make up messages in our name. */
  if (from && !is_own_bare_jid (self, from))
    {
      g_debug ("Ignoring a forged carbon from %s", from);
      return TRUE;
    }
  forwarded = xmpp_stanza_get_child_by_name_and_ns (wrapper, "forwarded", NS_FORWARD);
  inner = forwarded ? xmpp_stanza_get_child_by_name (forwarded, "message") : NULL;
  if (inner == NULL)
    return TRUE;
  /* The copy is of a message to (received) or from (sent) our account. */
  if (!flint_jid_equal_bare (sent ? xmpp_stanza_get_from (inner)
                                  : xmpp_stanza_get_to (inner),
                             account_jid (self)))
    {
      g_debug ("Ignoring a carbon of a message not ours");
      return TRUE;
    }
  handle_chat_message (self, inner, sent ? ORIGIN_CARBON_SENT : ORIGIN_CARBON_RECEIVED);
  return TRUE;
}

static gboolean
on_message (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintChat *self = user_data;

  if (g_strcmp0 (xmpp_stanza_get_type (stanza), "groupchat") == 0)
    return FALSE;
  if (!handle_carbon (self, stanza))
    handle_chat_message (self, stanza, ORIGIN_DIRECT);
  /* Other modules may still want the stanza. */
  return FALSE;
}

static xmpp_stanza_t *
build_message (FlintChat *self, const FlintMessageRecord *record, const char *replace_id)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *message =
    xmpp_message_new (ctx, "chat", record->conversation, record->message_id);

  g_autoptr (GVariant) file = flint_file_parse (record->file);
  const char *url = flint_file_lookup_string (file, "url");

  /* A file row is sent as its link: the body for clients without OOB. */
  xmpp_message_set_body (
    message, record->kind == FLINT_MESSAGE_KIND_FILE && url ? url : record->body);
  add_element (self, message, "origin-id", NS_SID, record->origin_id);
  /* Asked of everyone, as Dino and Conversations do: caps may not be known
   * yet, and a client without receipts just ignores the request. */
  add_element (self, message, "request", NS_RECEIPTS, NULL);
  if (self->send_chat_states)
    add_element (self, message, "active", NS_CHATSTATES, NULL);
  if (replace_id)
    add_element (self, message, "replace", NS_CORRECT, replace_id);
  if (url)
    {
      xmpp_stanza_t *x = new_element (self, "x", NS_OOB);

      flint_stanza_add_child (x, "url", NULL, url);
      xmpp_stanza_add_child_ex (message, x, 0);
    }
  return message;
}

static void
note_active (FlintChat *self, const char *bare)
{
  if (self->send_chat_states)
    g_hash_table_replace (self->sent_states, g_strdup (bare), (gpointer) "active");
}

static void
transmit (FlintChat *self, FlintMessageRecord *record)
{
  xmpp_stanza_t *message = build_message (self, record, NULL);
  g_autoptr (GError) error = NULL;

  flint_session_send (self->session, message);
  xmpp_stanza_release (message);
  note_active (self, record->conversation);
  record->state = FLINT_DELIVERY_SENT;
  if (!flint_history_set_state (self->history, record->account, record->conversation,
                                record->message_id, FLINT_DELIVERY_SENT, &error))
    g_warning ("Could not update a message's state: %s", error->message);
}

static FlintMessageRecord *send_body (
  FlintChat *self, const char *to, const char *body, gboolean file_link, GError **error);

FlintMessageRecord *
flint_chat_send (FlintChat *self, const char *to, const char *body, GError **error)
{
  return send_body (self, to, body, FALSE, error);
}

/**
 * flint_chat_send_file_link:
 *
 * Sends the URL of a file we uploaded (XEP-0363) as the body and as an
 * XEP-0066 OOB element, which Conversations, Dino and Gajim show as a file.
 */
FlintMessageRecord *
flint_chat_send_file_link (FlintChat *self,
                           const char *to,
                           const char *url,
                           GError **error)
{
  return send_body (self, to, url, TRUE, error);
}

static FlintMessageRecord *
send_body (
  FlintChat *self, const char *to, const char *body, gboolean file_link, GError **error)
{
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *id = NULL;
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (FLINT_IS_CHAT (self), NULL);

  if (to == NULL || !flint_jid_is_valid (to))
    {
      flint_set_error (error, FLINT_ERROR_INVALID_JID);
      return NULL;
    }
  bare = conversation_for (self, to);
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
  if (file_link)
    record->file = flint_file_text_for_url (body, NULL);

  /* Stored before it is sent: a crash in between leaves it pending, and it
   * goes out at the next sign-in instead of being lost. */
  if (!flint_history_insert (self->history, record, NULL, error))
    return NULL;
  if (flint_session_get_state (self->session) == FLINT_SESSION_ONLINE)
    transmit (self, record);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, record);
  return g_steal_pointer (&record);
}

/**
 * flint_chat_resend:
 * @conversation: the bare JID our message went to
 * @message_id: its origin-id or id attribute
 *
 * Sends our failed message again, with the same text and the same ids:
 * when it failed for want of an archive to ask, the server may have
 * passed the first copy on after all, and receivers that know the
 * origin-id (XEP-0359; Flint, Dino, Conversations) then show it once,
 * as our history keeps one row. The row goes back to pending, and out at
 * once when online, else at the next sign-in.
 *
 * Returns: (transfer full): the message as it is now, or NULL with @error
 *   when it is not a failed message of ours
 */
FlintMessageRecord *
flint_chat_resend (FlintChat *self,
                   const char *conversation,
                   const char *message_id,
                   GError **error)
{
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autoptr (GVariant) file = NULL;
  gboolean moved = FALSE;

  g_return_val_if_fail (FLINT_IS_CHAT (self), NULL);

  if (conversation && message_id)
    record = flint_history_find_outgoing (self->history, account_jid (self), conversation,
                                          message_id);
  if (record && record->kind == FLINT_MESSAGE_KIND_FILE)
    file = flint_file_parse (record->file);
  /* A file row goes again as its link; a transfer without one cannot. */
  if (record == NULL || record->state != FLINT_DELIVERY_FAILED ||
      (record->kind != FLINT_MESSAGE_KIND_CHAT &&
       !flint_file_lookup_string (file, "url")))
    {
      g_set_error_literal (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                           _ ("This message cannot be sent again. Send it as a new "
                              "message instead."));
      return NULL;
    }
  if (!flint_history_move_state (self->history, record->id, FLINT_DELIVERY_FAILED,
                                 FLINT_DELIVERY_PENDING, &moved, error))
    return NULL;
  if (!moved)
    {
      g_set_error_literal (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                           _ ("This message cannot be sent again. Send it as a new "
                              "message instead."));
      return NULL;
    }
  g_debug ("Sending message %s again", message_id);
  record->state = FLINT_DELIVERY_PENDING;
  if (flint_session_get_state (self->session) == FLINT_SESSION_ONLINE)
    transmit (self, record);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, record);
  return g_steal_pointer (&record);
}

/**
 * flint_chat_add_file:
 * @record: (inout): a FLINT_MESSAGE_KIND_FILE record with account,
 *   conversation, direction, sender, body (the file name) and file set
 *
 * Puts a file transfer into the conversation's history at this moment.
 * Returns: whether it was stored (record->id is then set)
 */
gboolean
flint_chat_add_file (FlintChat *self, FlintMessageRecord *record, GError **error)
{
  g_return_val_if_fail (FLINT_IS_CHAT (self), FALSE);
  g_return_val_if_fail (record->kind == FLINT_MESSAGE_KIND_FILE, FALSE);

  record->time = record->local_time = g_get_real_time ();
  record->state = record->direction == FLINT_DIRECTION_OUTGOING ? FLINT_DELIVERY_SENT
                                                                : FLINT_DELIVERY_RECEIVED;
  if (!flint_history_insert (self->history, record, NULL, error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, record);
  return TRUE;
}

/**
 * flint_chat_update_file:
 *
 * Stores what changed about a file row (its file description) and tells
 * the views.
 */
gboolean
flint_chat_update_file (FlintChat *self, FlintMessageRecord *record, GError **error)
{
  g_return_val_if_fail (FLINT_IS_CHAT (self), FALSE);
  g_return_val_if_fail (record->id > 0, FALSE);

  if (!flint_history_set_file (self->history, record, error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, record);
  return TRUE;
}

/**
 * flint_chat_send_file_row:
 *
 * Sends the link of an uploaded file (record->file has its url) as the
 * file row's own message: one row in the conversation, not a file and a
 * link. Stored as pending first, so a link not sent at exit goes out at
 * the next sign-in, with its OOB element.
 */
gboolean
flint_chat_send_file_row (FlintChat *self, FlintMessageRecord *record, GError **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (FLINT_IS_CHAT (self), FALSE);
  g_return_val_if_fail (record->id > 0, FALSE);

  id = flint_session_new_id (self->session);
  g_free (record->message_id);
  record->message_id = g_strdup (id);
  g_free (record->origin_id);
  record->origin_id = g_strdup (id);
  record->state = FLINT_DELIVERY_PENDING;
  if (!flint_history_set_file (self->history, record, error))
    return FALSE;
  if (flint_session_get_state (self->session) == FLINT_SESSION_ONLINE)
    transmit (self, record);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, record);
  return TRUE;
}

/**
 * flint_chat_correct:
 * @original_message_id: the message_id (or origin_id) of our message
 *
 * Replaces the text of our message to @to (XEP-0308): sends the
 * correction and stores the new text in place of the old.
 *
 * Returns: (transfer full): the corrected message, as "message-updated"
 *   also hands it out, or %NULL when there is no such message of ours
 */
FlintMessageRecord *
flint_chat_correct (FlintChat *self,
                    const char *to,
                    const char *original_message_id,
                    const char *new_body,
                    GError **error)
{
  g_autoptr (FlintMessageRecord) original = NULL;
  g_autoptr (FlintMessageRecord) correction = NULL;
  g_autofree char *bare = NULL;
  const char *replace_id;
  xmpp_stanza_t *message;
  gboolean applied = FALSE;

  g_return_val_if_fail (FLINT_IS_CHAT (self), NULL);
  g_return_val_if_fail (original_message_id != NULL, NULL);
  g_return_val_if_fail (new_body != NULL, NULL);

  if (to == NULL || !flint_jid_is_valid (to))
    {
      flint_set_error (error, FLINT_ERROR_INVALID_JID);
      return NULL;
    }
  bare = conversation_for (self, to);
  original = find_recent (self, bare, original_message_id, FLINT_DIRECTION_OUTGOING);
  if (original == NULL)
    {
      g_set_error_literal (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                           _ ("This message can no longer be corrected. Send a new "
                              "message instead."));
      return NULL;
    }
  /* XEP-0308 names the original by its id attribute, also when it is
   * corrected again. */
  replace_id = original->message_id ? original->message_id : original->origin_id;

  correction = flint_message_record_new ();
  correction->account = g_strdup (account_jid (self));
  correction->conversation = g_strdup (bare);
  correction->kind = FLINT_MESSAGE_KIND_CHAT;
  correction->direction = FLINT_DIRECTION_OUTGOING;
  correction->sender = g_strdup (original->sender);
  correction->body = g_strdup (new_body);
  correction->message_id = flint_session_new_id (self->session);
  correction->origin_id = g_strdup (correction->message_id);
  correction->correction_of = g_strdup (replace_id);

  if (!flint_history_apply_correction (self->history, correction, &applied, error))
    return NULL;
  if (!applied)
    {
      g_set_error_literal (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                           _ ("This message can no longer be corrected. Send a new "
                              "message instead."));
      return NULL;
    }

  /* Offline, the session keeps it until the next sign-in. */
  message = build_message (self, correction, replace_id);
  flint_session_send (self->session, message);
  xmpp_stanza_release (message);
  note_active (self, bare);

  g_free (original->body);
  original->body = g_strdup (new_body);
  g_free (original->correction_of);
  original->correction_of = g_strdup (correction->message_id);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, original);
  return g_steal_pointer (&original);
}

/**
 * flint_chat_set_chat_state:
 * @state: "active", "composing", "paused", "inactive" or "gone"
 *
 * Tells @jid what we are doing in the conversation (XEP-0085), only when
 * it changed, only while online (a stale "composing" is worse than none)
 * and only when "send-chat-states" is on.
 */
void
flint_chat_set_chat_state (FlintChat *self, const char *jid, const char *state)
{
  const char *known = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *id = NULL;
  xmpp_stanza_t *message;

  g_return_if_fail (FLINT_IS_CHAT (self));
  g_return_if_fail (state != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (chat_states); i++)
    if (g_str_equal (state, chat_states[i]))
      known = chat_states[i];
  g_return_if_fail (known != NULL);

  if (!self->send_chat_states || jid == NULL || !flint_jid_is_valid (jid) ||
      flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  bare = conversation_for (self, jid);
  if (g_strcmp0 (g_hash_table_lookup (self->sent_states, bare), known) == 0)
    return;

  id = flint_session_new_id (self->session);
  message = xmpp_message_new (flint_session_get_context (self->session), "chat", jid, id);
  add_element (self, message, known, NS_CHATSTATES, NULL);
  /* Typing notifications are not history: keep them out of archives. */
  add_element (self, message, "no-store", NS_HINTS, NULL);
  flint_session_send (self->session, message);
  xmpp_stanza_release (message);
  g_hash_table_replace (self->sent_states, g_steal_pointer (&bare), (gpointer) known);
}

/* ---- carbons and sessions ----------------------------------------------- */

static void
set_carbons_enabled (FlintChat *self, gboolean enabled)
{
  if (self->carbons_enabled == enabled)
    return;
  self->carbons_enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CARBONS_ENABLED]);
}

static void
on_carbons_enabled (FlintSession *session,
                    xmpp_stanza_t *result,
                    const GError *error,
                    gpointer user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr (FlintChat) self = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self == NULL)
    return;
  if (error)
    g_debug ("The server did not enable carbons: %s", error->message);
  set_carbons_enabled (self, error == NULL);
}

/* Just tried: a server without XEP-0280 answers with an error, which costs
 * less than asking it first. */
static void
enable_carbons (FlintChat *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", id);
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  add_element (self, iq, "enable", NS_CARBONS, NULL);
  g_weak_ref_init (ref, self);
  flint_session_send_iq (self->session, iq, on_carbons_enabled, ref);
  xmpp_stanza_release (iq);
}

/* ---- messages left unconfirmed (issue 9) -------------------------------- */

static const char *
record_key (const FlintMessageRecord *record)
{
  return record->origin_id && *record->origin_id ? record->origin_id : record->message_id;
}

static void
set_state_from (FlintChat *self,
                FlintMessageRecord *record,
                FlintDeliveryState from,
                FlintDeliveryState to)
{
  g_autoptr (GError) error = NULL;
  gboolean moved = FALSE;

  if (!flint_history_move_state (self->history, record->id, from, to, &moved, &error))
    g_warning ("Could not update a message's state: %s", error->message);
  if (!moved)
    return;
  record->state = to;
  g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, record);
}

/* No archive to ask. Sending again could show the message twice; marking
 * it failed shows the doubt and duplicates nothing, so that is what is
 * done, but only where the stream counted stanzas (XEP-0198): without it
 * no message is ever acknowledged, "sent" is all there is to know and
 * every one would look failed. */
static void
settle_without_archive (FlintChat *self, GPtrArray *records)
{
  if (!flint_session_get_stream_management (self->session))
    return;
  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (records, i);

      g_debug ("Message %s: no archive tells whether the server got it: failed",
               record_key (record));
      set_state_from (self, record, FLINT_DELIVERY_SENT, FLINT_DELIVERY_FAILED);
    }
}

typedef struct
{
  FlintChat *self;
  GPtrArray *records;
} Check;

static void check_unconfirmed (FlintChat *self);

static void
on_sent_found (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Check *check = user_data;
  g_autoptr (FlintChat) self = check->self;
  g_autoptr (GPtrArray) records = check->records;
  g_autoptr (GHashTable) found = NULL;
  g_autoptr (GError) error = NULL;

  g_free (check);
  for (guint i = 0; i < records->len; i++)
    g_hash_table_remove (self->checking, record_key (records->pdata[i]));
  found = flint_mam_find_sent_finish (FLINT_MAM (source), result, &error);
  if (self->session == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (found == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        settle_without_archive (self, records);
      else if (g_error_matches (error, FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED) &&
               flint_session_get_state (self->session) == FLINT_SESSION_ONLINE)
        /* The stream the question went out on is gone; this one asks. */
        check_unconfirmed (self);
      else
        g_debug ("The archive could not tell about %u messages (%s): "
                 "asking again at the next session",
                 records->len, error->message);
      return;
    }

  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (records, i);
      g_autoptr (FlintMessageRecord) now = NULL;

      if (g_hash_table_contains (found, record_key (record)))
        {
          g_debug ("Message %s is in the archive: the server got it",
                   record_key (record));
          set_state_from (self, record, FLINT_DELIVERY_SENT, FLINT_DELIVERY_ACKED);
          continue;
        }
      /* Not in the archive: it never reached the server. Out again, with
       * the same ids, unless it moved on meanwhile or libstrophe sent it
       * again itself. */
      now = flint_history_find_outgoing (self->history, record->account,
                                         record->conversation, record_key (record));
      if (now == NULL || now->state != FLINT_DELIVERY_SENT ||
          flint_session_is_following (self->session, now->message_id) ||
          flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
        continue;
      g_debug ("Message %s never reached the server: sending it again",
               record_key (record));
      transmit (self, now);
    }
}

/* Our messages still "sent" from an earlier stream that XEP-0198 no
 * longer follows (Flint was killed, or the stream could not be resumed):
 * the archive tells whether the server got each. */
static void
check_unconfirmed (FlintChat *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = NULL;
  GPtrArray *asked;
  Check *check;

  records = flint_history_get_unconfirmed (self->history, account_jid (self),
                                           g_get_real_time () - UNCONFIRMED_MAX_AGE,
                                           UNCONFIRMED_WINDOW, &error);
  if (records == NULL)
    {
      g_warning ("Could not read the messages left unconfirmed: %s", error->message);
      return;
    }
  asked = g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (records, i);
      const char *key = record_key (record);

      if (key == NULL || g_hash_table_contains (self->checking, key) ||
          flint_session_is_following (self->session, record->message_id))
        continue;
      g_hash_table_add (self->checking, g_strdup (key));
      g_ptr_array_add (asked, g_steal_pointer (&records->pdata[i]));
    }
  if (asked->len == 0)
    {
      g_ptr_array_unref (asked);
      return;
    }
  g_debug ("%u of our messages were left unconfirmed: asking the archive", asked->len);
  if (self->archive == NULL)
    {
      for (guint i = 0; i < asked->len; i++)
        g_hash_table_remove (self->checking, record_key (asked->pdata[i]));
      settle_without_archive (self, asked);
      g_ptr_array_unref (asked);
      return;
    }
  check = g_new0 (Check, 1);
  check->self = g_object_ref (self);
  check->records = asked;
  flint_mam_find_sent_async (self->archive, asked, self->cancellable, on_sent_found,
                             check);
}

/**
 * flint_chat_set_archive:
 *
 * The archive (FlintMam) asked whether the server got our messages a crash
 * or a stream that could not be resumed left unconfirmed. Without one,
 * those are marked failed.
 */
void
flint_chat_set_archive (FlintChat *self, FlintMam *archive)
{
  g_return_if_fail (FLINT_IS_CHAT (self));
  g_return_if_fail (archive == NULL || FLINT_IS_MAM (archive));

  g_set_object (&self->archive, archive);
}

static void
on_online (FlintSession *session, gboolean resumed, FlintChat *self)
{
  g_autoptr (GPtrArray) pending = NULL;

  if (!resumed)
    {
      /* A new session: carbons are off again and peers know nothing of
       * our chat states. */
      set_carbons_enabled (self, FALSE);
      g_hash_table_remove_all (self->sent_states);
      enable_carbons (self);
    }

  /* Before the pending ones go out and become "sent" themselves. */
  if (!resumed)
    check_unconfirmed (self);

  pending = flint_history_get_pending (self->history, account_jid (self));
  for (guint i = 0; pending && i < pending->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (pending, i);

      /* A file row is pending once its upload's link is to be sent. */
      g_autoptr (GVariant) file =
        record->kind == FLINT_MESSAGE_KIND_FILE ? flint_file_parse (record->file) : NULL;

      if (record->kind == FLINT_MESSAGE_KIND_CHAT ||
          flint_file_lookup_string (file, "url"))
        transmit (self, record);
    }
}

/* XEP-0198: the server has our message. Room messages are left alone: the
 * room's echo tells more. */
static void
on_message_acked (FlintSession *session, const char *id, const char *to, FlintChat *self)
{
  g_autofree char *bare = NULL;

  if (id == NULL || to == NULL || !flint_jid_is_valid (to))
    return;
  bare = conversation_for (self, to);
  update_state (self, bare, id, FLINT_DELIVERY_ACKED);
}

/* ---- properties and object ---------------------------------------------- */

gboolean
flint_chat_get_send_receipts (FlintChat *self)
{
  g_return_val_if_fail (FLINT_IS_CHAT (self), FALSE);
  return self->send_receipts;
}

void
flint_chat_set_send_receipts (FlintChat *self, gboolean send_receipts)
{
  g_return_if_fail (FLINT_IS_CHAT (self));

  send_receipts = !!send_receipts;
  if (self->send_receipts == send_receipts)
    return;
  self->send_receipts = send_receipts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEND_RECEIPTS]);
}

gboolean
flint_chat_get_send_chat_states (FlintChat *self)
{
  g_return_val_if_fail (FLINT_IS_CHAT (self), FALSE);
  return self->send_chat_states;
}

void
flint_chat_set_send_chat_states (FlintChat *self, gboolean send_chat_states)
{
  g_return_if_fail (FLINT_IS_CHAT (self));

  send_chat_states = !!send_chat_states;
  if (self->send_chat_states == send_chat_states)
    return;
  self->send_chat_states = send_chat_states;
  g_hash_table_remove_all (self->sent_states);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEND_CHAT_STATES]);
}

gboolean
flint_chat_get_carbons_enabled (FlintChat *self)
{
  g_return_val_if_fail (FLINT_IS_CHAT (self), FALSE);
  return self->carbons_enabled;
}

static void
flint_chat_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlintChat *self = FLINT_CHAT (object);

  switch (prop_id)
    {
      case PROP_SEND_RECEIPTS:
        g_value_set_boolean (value, self->send_receipts);
        break;
      case PROP_SEND_CHAT_STATES:
        g_value_set_boolean (value, self->send_chat_states);
        break;
      case PROP_CARBONS_ENABLED:
        g_value_set_boolean (value, self->carbons_enabled);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_chat_set_property (GObject *object,
                         guint prop_id,
                         const GValue *value,
                         GParamSpec *pspec)
{
  FlintChat *self = FLINT_CHAT (object);

  switch (prop_id)
    {
      case PROP_SEND_RECEIPTS:
        flint_chat_set_send_receipts (self, g_value_get_boolean (value));
        break;
      case PROP_SEND_CHAT_STATES:
        flint_chat_set_send_chat_states (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
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
      g_clear_signal_handler (&self->acked_handler, self->session);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->archive);
  g_clear_object (&self->session);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (flint_chat_parent_class)->dispose (object);
}

static void
flint_chat_finalize (GObject *object)
{
  FlintChat *self = FLINT_CHAT (object);

  g_hash_table_unref (self->sent_states);
  g_hash_table_unref (self->held);
  g_hash_table_unref (self->checking);
  g_object_unref (self->cancellable);
  G_OBJECT_CLASS (flint_chat_parent_class)->finalize (object);
}

static void
flint_chat_class_init (FlintChatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_chat_dispose;
  object_class->finalize = flint_chat_finalize;
  object_class->get_property = flint_chat_get_property;
  object_class->set_property = flint_chat_set_property;

  properties[PROP_SEND_RECEIPTS] = g_param_spec_boolean (
    "send-receipts", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEND_CHAT_STATES] = g_param_spec_boolean (
    "send-chat-states", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CARBONS_ENABLED] = g_param_spec_boolean (
    "carbons-enabled", NULL, NULL, FALSE,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A message newly in the store, incoming or outgoing. */
  signals[SIGNAL_MESSAGE_STORED] =
    g_signal_new ("message-stored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_MESSAGE_RECORD);
  /* A stored message (same id) with a new state or corrected body. */
  signals[SIGNAL_MESSAGE_UPDATED] =
    g_signal_new ("message-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_MESSAGE_RECORD);
  /* The peer's XEP-0085 state: bare JID, state name. */
  signals[SIGNAL_CHAT_STATE] =
    g_signal_new ("chat-state", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
flint_chat_init (FlintChat *self)
{
  self->send_receipts = TRUE;
  self->send_chat_states = TRUE;
  self->sent_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->checking = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
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
  self->acked_handler =
    g_signal_connect (session, "message-acked", G_CALLBACK (on_message_acked), self);
  return self;
}

/**
 * flint_chat_take_held:
 *
 * Whether the message with @stanza_id was delivered to us and left to the
 * archive catch-up to store (it is news, though the catch-up stores it);
 * forgets it.
 */
gboolean
flint_chat_take_held (FlintChat *self, const char *stanza_id)
{
  g_return_val_if_fail (FLINT_IS_CHAT (self), FALSE);

  return stanza_id != NULL && g_hash_table_remove (self->held, stanza_id);
}

#define G_LOG_DOMAIN "flint-session"

#include "config.h"

#include <string.h>

#include "flint-sm-ledger.h"

typedef struct
{
  guint32 seq;
  xmpp_stanza_t *stanza;
} Entry;

struct _FlintSmLedger
{
  FlintSmAckedFunc acked;
  gpointer user_data;
  /* Messages handed to libstrophe whose "SENT" line has not come yet:
   * id -> Entry, seq the order they were handed over in. */
  GHashTable *awaiting;
  guint32 handed;
  /* Sent under XEP-0198 and not acknowledged yet, oldest first. */
  GQueue unacked;
  /* Never reached the server: to send again. */
  GPtrArray *lost;
  /* Unacknowledged when a stream ended without telling how many of them
   * the server got (no h): FlintChat asks the archive about those with a
   * text; kept only to follow them if libstrophe sends them again. */
  GPtrArray *doubtful;
  guint32 sent;
  /* Between <enable/> (or <resumed/>) and the end of that stream. */
  gboolean counting;
};

static void
stanza_release (gpointer stanza)
{
  xmpp_stanza_release (stanza);
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  xmpp_stanza_release (entry->stanza);
  g_free (entry);
}

FlintSmLedger *
flint_sm_ledger_new (FlintSmAckedFunc acked, gpointer user_data)
{
  FlintSmLedger *self = g_new0 (FlintSmLedger, 1);

  self->acked = acked;
  self->user_data = user_data;
  self->awaiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  g_queue_init (&self->unacked);
  self->lost = g_ptr_array_new_with_free_func (stanza_release);
  self->doubtful = g_ptr_array_new_with_free_func (stanza_release);
  return self;
}

void
flint_sm_ledger_free (FlintSmLedger *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->awaiting);
  g_queue_clear_full (&self->unacked, entry_free);
  g_ptr_array_unref (self->lost);
  g_ptr_array_unref (self->doubtful);
  g_free (self);
}

/* Our own request: its answer is waited for (flint_session_send_iq). */
static gboolean
is_request (xmpp_stanza_t *stanza)
{
  const char *type = xmpp_stanza_get_type (stanza);

  return g_strcmp0 (xmpp_stanza_get_name (stanza), "iq") == 0 &&
         (g_strcmp0 (type, "get") == 0 || g_strcmp0 (type, "set") == 0);
}

/* Follows @stanza (taken) until its "SENT" line. */
static void
await_sent (FlintSmLedger *self, const char *id, xmpp_stanza_t *stanza)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->seq = ++self->handed;
  entry->stanza = stanza;
  g_hash_table_replace (self->awaiting, g_strdup (id), entry);
}

/* A message or a request we are about to send: followed once libstrophe
 * sends it. */
void
flint_sm_ledger_track (FlintSmLedger *self, xmpp_stanza_t *message)
{
  const char *id = xmpp_stanza_get_id (message);

  if (id == NULL || (g_strcmp0 (xmpp_stanza_get_name (message), "message") != 0 &&
                     !is_request (message)))
    return;
  await_sent (self, id, xmpp_stanza_clone (message));
}

/* Whether the serialised element @xml starts with <@name followed by the
 * end of the name. */
static gboolean
is_element (const char *xml, const char *name)
{
  size_t len = strlen (name);

  return xml[0] == '<' && strncmp (xml + 1, name, len) == 0 &&
         (xml[len + 1] == ' ' || xml[len + 1] == '>' || xml[len + 1] == '/');
}

/* The value of attribute @name in the start tag of @xml, or NULL. */
static char *
start_tag_attribute (const char *xml, const char *name)
{
  const char *end = strchr (xml, '>');
  size_t len = strlen (name);

  if (end == NULL)
    end = xml + strlen (xml);
  for (const char *p = strchr (xml, ' '); p && p < end; p = strchr (p + 1, ' '))
    {
      const char *value = p + len + 3;
      const char *close;

      if (strncmp (p + 1, name, len) != 0 || p[1 + len] != '=' ||
          (p[2 + len] != '"' && p[2 + len] != '\''))
        continue;
      close = strchr (value, p[2 + len]);
      if (close == NULL || close > end)
        return NULL;
      return g_strndup (value, close - value);
    }
  return NULL;
}

static gboolean
h_attribute (const char *xml, guint32 *h)
{
  g_autofree char *text = start_tag_attribute (xml, "h");
  guint64 value;

  if (text == NULL ||
      !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL))
    return FALSE;
  *h = (guint32) value;
  return TRUE;
}

/* Serial number arithmetic: XEP-0198 counters wrap at 2^32. */
static gboolean
seq_at_most (guint32 seq, guint32 h)
{
  return (guint32) (h - seq) < 0x80000000u;
}

static void
ack (FlintSmLedger *self, guint32 h)
{
  Entry *entry;

  while ((entry = g_queue_peek_head (&self->unacked)) && seq_at_most (entry->seq, h))
    {
      g_queue_pop_head (&self->unacked);
      /* Only messages with a text have a delivery state to move on: the
       * receipt sent for each incoming message would cost the chat module
       * a history lookup each (40 % of the CPU of a 2,000-message flood). */
      if (self->acked && xmpp_stanza_get_child_by_name (entry->stanza, "body"))
        self->acked (entry->stanza, self->user_data);
      entry_free (entry);
    }
}

/* A 1:1 message with a text: one the user sees as sent, which must reach
 * the peer once. Room messages come back as the room's echo. */
static gboolean
is_chat_text (xmpp_stanza_t *message)
{
  return xmpp_stanza_get_child_by_name (message, "body") &&
         g_strcmp0 (xmpp_stanza_get_type (message), "groupchat") != 0;
}

/* What the server will never acknowledge now. @counted: the server said
 * how many stanzas it got (its h), so the rest never arrived: to send
 * again. Otherwise it may have got any of them; sending a text again could
 * show it twice, so those are left to FlintChat, which asks the archive
 * (receipts and chat states go out again: a duplicate of those is
 * harmless). A request goes out again only on the resumed stream that
 * still waits for its answer (an archive query written just before the
 * link broke would otherwise wait for its timeout); a new session has
 * failed it already. */
static void
lose_unacked (FlintSmLedger *self, gboolean counted, gboolean resumed)
{
  Entry *entry;

  /* The doubts of an older stream are FlintChat's by now. */
  if (!g_queue_is_empty (&self->unacked))
    g_ptr_array_set_size (self->doubtful, 0);
  while ((entry = g_queue_pop_head (&self->unacked)))
    {
      if (is_request (entry->stanza))
        {
          if (counted && resumed)
            g_ptr_array_add (self->lost, xmpp_stanza_clone (entry->stanza));
        }
      else if (counted || !is_chat_text (entry->stanza))
        g_ptr_array_add (self->lost, xmpp_stanza_clone (entry->stanza));
      else
        g_ptr_array_add (self->doubtful, xmpp_stanza_clone (entry->stanza));
      entry_free (entry);
    }
}

static gint
compare_seq (gconstpointer a, gconstpointer b)
{
  const Entry *x = *(Entry *const *) a, *y = *(Entry *const *) b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Handed to libstrophe on a stream that ended before it wrote them (their
 * "SENT" line never came; libstrophe drops what it could not write, and
 * what it is given once the stream is down): the server never got any of
 * it. Messages go out again, in the order they were handed over; requests
 * only on the resumed stream that still waits for their answers (a new
 * session has failed them). Called as a new stream starts, before any of
 * ours is handed to it. */
static void
lose_unwritten (FlintSmLedger *self, gboolean resumed)
{
  g_autoptr (GPtrArray) entries = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->awaiting);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (entries, value);
  g_ptr_array_sort (entries, compare_seq);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = entries->pdata[i];

      if (resumed || !is_request (entry->stanza))
        g_ptr_array_add (self->lost, xmpp_stanza_clone (entry->stanza));
    }
  g_hash_table_remove_all (self->awaiting);
}

/* Moves message @id from @list back to the ones awaiting their "SENT"
 * line; whether it was there. */
static gboolean
resume_following (FlintSmLedger *self, GPtrArray *list, const char *id)
{
  for (guint i = 0; id && i < list->len; i++)
    if (g_strcmp0 (xmpp_stanza_get_id (list->pdata[i]), id) == 0)
      {
        await_sent (self, id, xmpp_stanza_clone (list->pdata[i]));
        g_ptr_array_remove_index (list, i);
        return TRUE;
      }
  return FALSE;
}

/* Each "SENT: " line of libstrophe's log, in order. */
void
flint_sm_ledger_note_sent (FlintSmLedger *self, const char *xml)
{
  gboolean message = is_element (xml, "message");

  if (is_element (xml, "enable"))
    {
      /* A new XEP-0198 session: what the old one left unacknowledged is
       * gone with it, and nobody told how much of it the server got. */
      lose_unacked (self, FALSE, FALSE);
      lose_unwritten (self, FALSE);
      self->sent = 0;
      self->counting = TRUE;
      return;
    }
  if (is_element (xml, "resume"))
    {
      self->counting = FALSE;
      return;
    }
  if (!message && !is_element (xml, "iq") && !is_element (xml, "presence"))
    return;
  if (message || is_element (xml, "iq"))
    {
      g_autofree char *id = start_tag_attribute (xml, "id");
      gpointer key = NULL, value = NULL;

      /* libstrophe sent it again itself: not ours to send again. */
      if (!resume_following (self, self->lost, id))
        resume_following (self, self->doubtful, id);
      if (id && g_hash_table_steal_extended (self->awaiting, id, &key, &value))
        {
          Entry *entry = value;

          g_free (key);
          if (self->counting)
            {
              entry->seq = self->sent + 1;
              g_queue_push_tail (&self->unacked, entry);
            }
          else
            entry_free (entry);
        }
    }
  if (self->counting)
    self->sent++;
}

/* Each "RECV: " line of libstrophe's log. */
void
flint_sm_ledger_note_received (FlintSmLedger *self, const char *xml)
{
  guint32 h;

  if (is_element (xml, "a"))
    {
      if (h_attribute (xml, &h))
        ack (self, h);
    }
  else if (is_element (xml, "resumed"))
    {
      /* The server counts what it got; the rest never arrived. */
      gboolean counted = h_attribute (xml, &h);

      if (counted)
        {
          ack (self, h);
          self->sent = h;
        }
      lose_unacked (self, counted, TRUE);
      lose_unwritten (self, TRUE);
      self->counting = TRUE;
    }
  else if (is_element (xml, "failed"))
    {
      gboolean counted = h_attribute (xml, &h);

      if (counted)
        ack (self, h);
      lose_unacked (self, counted, FALSE);
      self->counting = FALSE;
    }
}

/* Returns: (transfer container): the messages to send again, oldest first */
GPtrArray *
flint_sm_ledger_take_lost (FlintSmLedger *self)
{
  GPtrArray *lost = self->lost;

  self->lost = g_ptr_array_new_with_free_func (stanza_release);
  return lost;
}

guint
flint_sm_ledger_get_unacked (FlintSmLedger *self)
{
  return self->unacked.length;
}

/* Whether message @id is still followed: handed to libstrophe, sent and
 * unacknowledged, or to be sent again. */
gboolean
flint_sm_ledger_is_following (FlintSmLedger *self, const char *id)
{
  if (id == NULL)
    return FALSE;
  if (g_hash_table_contains (self->awaiting, id))
    return TRUE;
  for (GList *l = self->unacked.head; l; l = l->next)
    if (g_strcmp0 (xmpp_stanza_get_id (((Entry *) l->data)->stanza), id) == 0)
      return TRUE;
  for (guint i = 0; i < self->lost->len; i++)
    if (g_strcmp0 (xmpp_stanza_get_id (self->lost->pdata[i]), id) == 0)
      return TRUE;
  return FALSE;
}

/* Whether the current stream counts stanzas (XEP-0198 enabled). */
gboolean
flint_sm_ledger_is_counting (FlintSmLedger *self)
{
  return self->counting;
}

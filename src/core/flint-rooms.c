#include "config.h"

#define G_LOG_DOMAIN "flint-rooms"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-jid.h"
#include "flint-room-private.h"
#include "flint-rooms.h"
#include "flint-stanza.h"

#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_CONFERENCE "jabber:x:conference"
#define NS_MAM "urn:xmpp:mam:2"

#define DEFAULT_SELF_PING_S 300

struct _FlintRooms
{
  GObject parent_instance;

  FlintSession *session;
  FlintHistory *history;
  GListStore *rooms;
  GHashTable *by_jid; /* bare room JID -> FlintRoom (in rooms) */
  guint presence_handler;
  guint message_handler;
  gulong online_handler;
  gulong state_handler;
  guint self_ping_s;
  guint ping_source;
  char *service; /* the default MUC service, once found */
};

G_DEFINE_FINAL_TYPE (FlintRooms, flint_rooms, G_TYPE_OBJECT)

enum
{
  SIGNAL_INVITATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static FlintRoom *
room_for (FlintRooms *self, const char *from)
{
  g_autofree char *bare = NULL;
  g_autofree char *normal = NULL;

  if (from == NULL)
    return NULL;
  bare = flint_jid_bare (from);
  normal = bare ? flint_jid_normalize (bare) : NULL;
  return normal ? g_hash_table_lookup (self->by_jid, normal) : NULL;
}

static gboolean
on_presence (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintRooms *self = user_data;
  FlintRoom *room = room_for (self, xmpp_stanza_get_from (stanza));

  if (room == NULL)
    return FALSE;
  flint_room_handle_presence (room, stanza);
  /* Occupants are not contacts: the roster must not see them. */
  return TRUE;
}

static char *
valid_text (char *text)
{
  if (text && (!g_utf8_validate (text, -1, NULL) || *text == '\0'))
    g_clear_pointer (&text, g_free);
  return text;
}

/* XEP-0249 (from anyone) and XEP-0045 §7.8.2 (from the room, naming who
 * invites us); declines of our mediated invitations (§7.8.2) are a line
 * in that room. TRUE when it was one of them. */
static gboolean
handle_invitation (FlintRooms *self, xmpp_stanza_t *stanza)
{
  const char *from = xmpp_stanza_get_from (stanza);
  const char *type = xmpp_stanza_get_type (stanza);
  xmpp_stanza_t *direct =
    xmpp_stanza_get_child_by_name_and_ns (stanza, "x", NS_CONFERENCE);
  xmpp_stanza_t *user = xmpp_stanza_get_child_by_name_and_ns (stanza, "x", NS_MUC_USER);
  xmpp_stanza_t *invite = user ? xmpp_stanza_get_child_by_name (user, "invite") : NULL;
  xmpp_stanza_t *decline = user ? xmpp_stanza_get_child_by_name (user, "decline") : NULL;
  g_autofree char *room_jid = NULL;
  g_autofree char *inviter = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *password = NULL;
  gboolean mediated;

  if (from == NULL || g_strcmp0 (type, "groupchat") == 0 ||
      g_strcmp0 (type, "error") == 0)
    return FALSE;
  if (invite)
    {
      room_jid = flint_jid_bare (from);
      inviter = g_strdup (xmpp_stanza_get_attribute (invite, "from"));
      reason = valid_text (flint_stanza_child_text (invite, "reason", NULL));
      password = valid_text (flint_stanza_child_text (user, "password", NULL));
      mediated = TRUE;
    }
  else if (decline)
    {
      FlintRoom *room = room_for (self, from);
      const char *who = xmpp_stanza_get_attribute (decline, "from");
      g_autofree char *why =
        valid_text (flint_stanza_child_text (decline, "reason", NULL));
      g_autofree char *text = NULL;

      if (room == NULL || who == NULL || !g_utf8_validate (who, -1, NULL))
        return TRUE;
      text = why ? g_strdup_printf (_ ("%s declined the invitation (“%s”)"), who, why)
                 : g_strdup_printf (_ ("%s declined the invitation"), who);
      flint_room_add_status (room, text);
      return TRUE;
    }
  else if (direct)
    {
      room_jid = g_strdup (xmpp_stanza_get_attribute (direct, "jid"));
      inviter = flint_jid_bare (from);
      reason = valid_text (g_strdup (xmpp_stanza_get_attribute (direct, "reason")));
      password = valid_text (g_strdup (xmpp_stanza_get_attribute (direct, "password")));
      mediated = FALSE;
    }
  else
    return FALSE;

  if (room_jid == NULL || !flint_jid_is_valid_bare (room_jid) || inviter == NULL ||
      !flint_jid_is_valid (inviter))
    {
      g_debug ("Ignoring a malformed invitation from %s", from);
      return TRUE;
    }
  {
    g_autofree char *normal = flint_jid_normalize (room_jid);
    /* A mediated inviter may be named by occupant JID (room/nick, in a
     * semi-anonymous room): kept whole, it is where a decline goes. */
    g_autofree char *inviter_bare =
      mediated ? flint_jid_normalize (inviter) : flint_jid_bare (inviter);
    FlintRoom *room = g_hash_table_lookup (self->by_jid, normal);

    /* Already in: nothing to accept. */
    if (room && flint_room_get_state (room) == FLINT_ROOM_JOINED)
      return TRUE;
    g_signal_emit (self, signals[SIGNAL_INVITATION], 0, normal, inviter_bare, reason,
                   password, mediated);
  }
  return TRUE;
}

static gboolean
on_message (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintRooms *self = user_data;
  FlintRoom *room = room_for (self, xmpp_stanza_get_from (stanza));
  const char *type = xmpp_stanza_get_type (stanza);

  if (handle_invitation (self, stanza))
    return TRUE;
  if (room == NULL)
    return FALSE;
  /* Our archive query of the room (XEP-0313 on a MUC). */
  if (xmpp_stanza_get_child_by_name_and_ns (stanza, "result", NS_MAM))
    return flint_room_handle_archive_result (room, stanza);
  if (g_strcmp0 (type, "groupchat") == 0 || g_strcmp0 (type, "error") == 0)
    {
      flint_room_handle_message (room, stanza);
      return g_strcmp0 (type, "groupchat") == 0;
    }
  /* Private messages (room/nick, type chat) and invitations go on. */
  return FALSE;
}

/* ---- XEP-0410 ----------------------------------------------------------- */

static void update_ping_timer (FlintRooms *self);

static gboolean
on_ping_timer (gpointer user_data)
{
  FlintRooms *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rooms));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);

      if (flint_room_get_state (room) == FLINT_ROOM_JOINED &&
          now - flint_room_get_last_activity (room) >=
            (gint64) self->self_ping_s * G_USEC_PER_SEC - G_USEC_PER_SEC / 2)
        flint_room_self_ping (room);
    }
  return G_SOURCE_CONTINUE;
}

/* One timer for all rooms, and only while some room is joined: an idle
 * client with no rooms never wakes for this. */
static void
update_ping_timer (FlintRooms *self)
{
  gboolean needed = FALSE;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rooms));

  if (self->self_ping_s > 0 &&
      flint_session_get_state (self->session) == FLINT_SESSION_ONLINE)
    for (guint i = 0; i < n && !needed; i++)
      {
        g_autoptr (FlintRoom) room =
          g_list_model_get_item (G_LIST_MODEL (self->rooms), i);
        needed = flint_room_get_state (room) == FLINT_ROOM_JOINED;
      }
  if (needed && self->ping_source == 0)
    self->ping_source = g_timeout_add_seconds (self->self_ping_s, on_ping_timer, self);
  else if (!needed)
    g_clear_handle_id (&self->ping_source, g_source_remove);
}

/* ---- connection --------------------------------------------------------- */

static void
on_online (FlintSession *session, gboolean resumed, FlintRooms *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rooms));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);

      if (resumed && flint_room_get_state (room) == FLINT_ROOM_JOINED)
        continue;
      /* A new session: the rooms dropped us with the old stream. */
      flint_room_connection_lost (room);
      if (flint_room_get_wanted (room))
        flint_room_join (room);
    }
  update_ping_timer (self);
}

static void
on_session_state (FlintSession *session, GParamSpec *pspec, FlintRooms *self)
{
  update_ping_timer (self);
}

static void
on_room_state (FlintRoom *room, GParamSpec *pspec, FlintRooms *self)
{
  update_ping_timer (self);
}

/* ---- API ---------------------------------------------------------------- */

FlintRooms *
flint_rooms_new (FlintSession *session, FlintHistory *history)
{
  FlintRooms *self;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);
  g_return_val_if_fail (FLINT_IS_HISTORY (history), NULL);

  self = g_object_new (FLINT_TYPE_ROOMS, NULL);
  self->session = g_object_ref (session);
  self->history = g_object_ref (history);
  self->presence_handler =
    flint_session_add_handler (session, "presence", NULL, NULL, on_presence, self, NULL);
  self->message_handler =
    flint_session_add_handler (session, "message", NULL, NULL, on_message, self, NULL);
  self->online_handler =
    g_signal_connect (session, "online", G_CALLBACK (on_online), self);
  self->state_handler =
    g_signal_connect (session, "notify::state", G_CALLBACK (on_session_state), self);
  return self;
}

GListModel *
flint_rooms_get_rooms (FlintRooms *self)
{
  g_return_val_if_fail (FLINT_IS_ROOMS (self), NULL);
  return G_LIST_MODEL (self->rooms);
}

FlintRoom *
flint_rooms_get_room (FlintRooms *self, const char *jid)
{
  g_return_val_if_fail (FLINT_IS_ROOMS (self), NULL);
  return room_for (self, jid);
}

gboolean
flint_rooms_is_room (FlintRooms *self, const char *jid)
{
  return flint_rooms_get_room (self, jid) != NULL;
}

/**
 * flint_rooms_join:
 *
 * Joins (or rejoins with a new nick or password) the room @jid. The
 * result comes as the room's "state": joined, or failed with its error.
 *
 * Returns: (transfer none) (nullable): the room, NULL if @jid or @nick is
 *   not valid
 */
FlintRoom *
flint_rooms_join (FlintRooms *self,
                  const char *jid,
                  const char *nick,
                  const char *password,
                  GError **error)
{
  g_autofree char *normal = NULL;
  g_autofree char *stripped = nick ? g_strstrip (g_strdup (nick)) : NULL;
  FlintRoom *room;

  g_return_val_if_fail (FLINT_IS_ROOMS (self), NULL);

  if (jid == NULL || !flint_jid_is_valid_bare (jid))
    {
      flint_set_error (error, FLINT_ERROR_INVALID_JID);
      return NULL;
    }
  if (stripped == NULL || *stripped == '\0' || !g_utf8_validate (nick, -1, NULL) ||
      strchr (nick, '/') != NULL)
    {
      flint_set_error (error, FLINT_ERROR_MUC_NICK_RESERVED);
      return NULL;
    }
  normal = flint_jid_normalize (jid);
  room = g_hash_table_lookup (self->by_jid, normal);
  if (room == NULL)
    {
      room = flint_room_new (self->session, self->history, normal, nick, password);
      g_hash_table_replace (self->by_jid, g_strdup (normal), room);
      g_signal_connect (room, "notify::state", G_CALLBACK (on_room_state), self);
      g_list_store_append (self->rooms, room);
      g_object_unref (room);
    }
  else if (flint_room_get_state (room) != FLINT_ROOM_JOINED)
    {
      flint_room_set_nick (room, nick);
      flint_room_set_password (room, password);
    }
  flint_room_join (room);
  return room;
}

void
flint_rooms_leave (FlintRooms *self, const char *jid)
{
  FlintRoom *room = flint_rooms_get_room (self, jid);

  if (room)
    flint_room_leave (room);
}

/* Leaves and forgets the room (its history stays in the store). */
void
flint_rooms_close (FlintRooms *self, const char *jid)
{
  g_autoptr (FlintRoom) room = NULL;
  guint position;

  /* Held here: the store may have the only other reference. */
  g_set_object (&room, flint_rooms_get_room (self, jid));
  if (room == NULL)
    return;
  flint_room_leave (room);
  g_signal_handlers_disconnect_by_data (room, self);
  if (g_list_store_find (self->rooms, room, &position))
    g_list_store_remove (self->rooms, position);
  g_hash_table_remove (self->by_jid, flint_room_get_jid (room));
  update_ping_timer (self);
}

void
flint_rooms_set_self_ping_interval (FlintRooms *self, guint seconds)
{
  g_return_if_fail (FLINT_IS_ROOMS (self));
  self->self_ping_s = seconds;
  g_clear_handle_id (&self->ping_source, g_source_remove);
  update_ping_timer (self);
}

/* ---- discovery ---------------------------------------------------------- */

static void
send_disco (
  FlintRooms *self, const char *to, const char *ns, FlintIqCallback cb, GTask *task)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", id);

  xmpp_stanza_set_to (iq, to);
  flint_stanza_add_child (iq, "query", ns, NULL);
  flint_session_send_iq (self->session, iq, cb, task);
  xmpp_stanza_release (iq);
}

static gboolean
has_child_attr (xmpp_stanza_t *query,
                const char *name,
                const char *attr,
                const char *value)
{
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_name (c), name) == 0 &&
        g_strcmp0 (xmpp_stanza_get_attribute (c, attr), value) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  GPtrArray *candidates; /* disco#items JIDs left to ask */
} ServiceSearch;

static void
service_search_free (ServiceSearch *search)
{
  g_ptr_array_unref (search->candidates);
  g_free (search);
}

static void ask_next_candidate (GTask *task);

static void
on_candidate_info (FlintSession *session,
                   xmpp_stanza_t *result,
                   const GError *error,
                   gpointer user_data)
{
  GTask *task = user_data;
  FlintRooms *self = g_task_get_source_object (task);
  ServiceSearch *search = g_task_get_task_data (task);
  xmpp_stanza_t *query =
    result ? xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_INFO) : NULL;

  if (error == NULL &&
      has_child_attr (query, "feature", "var", "http://jabber.org/protocol/muc"))
    {
      g_free (self->service);
      self->service = g_strdup (xmpp_stanza_get_from (result));
      g_task_return_pointer (task, g_strdup (self->service), g_free);
      g_object_unref (task);
      return;
    }
  g_ptr_array_remove_index (search->candidates, 0);
  ask_next_candidate (task);
}

static void
ask_next_candidate (GTask *task)
{
  ServiceSearch *search = g_task_get_task_data (task);

  if (search->candidates->len == 0)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_MUC_NOT_FOUND, "%s",
                               _ ("Your server offers no rooms. Enter a full room "
                                  "address such as team@conference.example.com."));
      g_object_unref (task);
      return;
    }
  send_disco (g_task_get_source_object (task), g_ptr_array_index (search->candidates, 0),
              NS_DISCO_INFO, on_candidate_info, task);
}

static void
on_server_items (FlintSession *session,
                 xmpp_stanza_t *result,
                 const GError *error,
                 gpointer user_data)
{
  GTask *task = user_data;
  ServiceSearch *search = g_new0 (ServiceSearch, 1);
  xmpp_stanza_t *query =
    result ? xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_ITEMS)
           : NULL;

  search->candidates = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, search, (GDestroyNotify) service_search_free);
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_name (c), "item") == 0 &&
        xmpp_stanza_get_attribute (c, "jid"))
      g_ptr_array_add (search->candidates,
                       g_strdup (xmpp_stanza_get_attribute (c, "jid")));
  ask_next_candidate (task);
}

void
flint_rooms_find_service_async (FlintRooms *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *domain = NULL;

  if (self->service)
    {
      g_task_return_pointer (task, g_strdup (self->service), g_free);
      g_object_unref (task);
      return;
    }
  if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED, "%s",
                               flint_error_describe (FLINT_ERROR_NOT_CONNECTED));
      g_object_unref (task);
      return;
    }
  domain =
    flint_jid_domain (flint_account_get_jid (flint_session_get_account (self->session)));
  send_disco (self, domain, NS_DISCO_ITEMS, on_server_items, task);
}

char *
flint_rooms_find_service_finish (FlintRooms *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_room_info (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer user_data)
{
  GTask *task = user_data;
  xmpp_stanza_t *query, *identity;

  if (result == NULL)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_TIMEOUT, "%s",
                               flint_error_describe (FLINT_ERROR_TIMEOUT));
    }
  else if (error)
    {
      xmpp_stanza_t *err = xmpp_stanza_get_child_by_name (result, "error");

      if (err && xmpp_stanza_get_child_by_name_and_ns (err, "item-not-found", NS_STANZAS))
        g_task_return_pointer (task, NULL, NULL);
      else
        g_task_return_error (task, g_error_copy (error));
    }
  else
    {
      query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_INFO);
      identity = query ? xmpp_stanza_get_child_by_name (query, "identity") : NULL;
      g_task_return_pointer (
        task,
        g_strdup (identity && xmpp_stanza_get_attribute (identity, "name")
                    ? xmpp_stanza_get_attribute (identity, "name")
                    : ""),
        g_free);
    }
  g_object_unref (task);
}

void
flint_rooms_room_info_async (FlintRooms *self,
                             const char *jid,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (jid == NULL || !flint_jid_is_valid_bare (jid))
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_INVALID_JID, "%s",
                               flint_error_describe (FLINT_ERROR_INVALID_JID));
      g_object_unref (task);
      return;
    }
  if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED, "%s",
                               flint_error_describe (FLINT_ERROR_NOT_CONNECTED));
      g_object_unref (task);
      return;
    }
  send_disco (self, jid, NS_DISCO_INFO, on_room_info, task);
}

gboolean
flint_rooms_room_info_finish (FlintRooms *self,
                              GAsyncResult *result,
                              char **out_name,
                              GError **error)
{
  g_autofree char *name = g_task_propagate_pointer (G_TASK (result), error);

  if (name == NULL)
    return FALSE;
  if (out_name)
    *out_name = *name ? g_steal_pointer (&name) : NULL;
  return TRUE;
}

static void
flint_rooms_dispose (GObject *object)
{
  FlintRooms *self = FLINT_ROOMS (object);
  guint n = self->rooms ? g_list_model_get_n_items (G_LIST_MODEL (self->rooms)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);
      g_signal_handlers_disconnect_by_data (room, self);
    }
  g_clear_handle_id (&self->ping_source, g_source_remove);
  if (self->session)
    {
      flint_session_remove_handler (self->session, self->presence_handler);
      flint_session_remove_handler (self->session, self->message_handler);
      g_clear_signal_handler (&self->online_handler, self->session);
      g_clear_signal_handler (&self->state_handler, self->session);
    }
  if (self->by_jid)
    g_hash_table_remove_all (self->by_jid);
  g_clear_object (&self->rooms);
  g_clear_object (&self->session);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (flint_rooms_parent_class)->dispose (object);
}

static void
flint_rooms_finalize (GObject *object)
{
  FlintRooms *self = FLINT_ROOMS (object);

  g_hash_table_unref (self->by_jid);
  g_free (self->service);
  G_OBJECT_CLASS (flint_rooms_parent_class)->finalize (object);
}

static void
flint_rooms_class_init (FlintRoomsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_rooms_dispose;
  object_class->finalize = flint_rooms_finalize;

  /* (room JID, inviter's bare JID, reason or NULL, password or NULL,
   * mediated): an invitation to a room we are not in. */
  signals[SIGNAL_INVITATION] =
    g_signal_new ("invitation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 5, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                  G_TYPE_STRING, G_TYPE_BOOLEAN);
}

/**
 * flint_rooms_decline:
 *
 * Declines a mediated invitation (XEP-0045 §7.8.2): the room tells the
 * inviter. A direct invitation (XEP-0249) has no decline; nothing is sent.
 */
void
flint_rooms_decline (FlintRooms *self,
                     const char *room,
                     const char *inviter,
                     const char *reason,
                     gboolean mediated)
{
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *message, *x, *decline;
  g_autofree char *id = NULL;

  g_return_if_fail (FLINT_IS_ROOMS (self));

  if (!mediated || room == NULL || inviter == NULL ||
      flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  ctx = flint_session_get_context (self->session);
  id = flint_session_new_id (self->session);
  message = xmpp_message_new (ctx, NULL, room, id);
  x = flint_stanza_add_child (message, "x", NS_MUC_USER, NULL);
  decline = flint_stanza_add_child (x, "decline", NULL, NULL);
  xmpp_stanza_set_attribute (decline, "to", inviter);
  if (reason && *reason)
    flint_stanza_add_child (decline, "reason", NULL, reason);
  flint_session_send (self->session, message);
  xmpp_stanza_release (message);
}

static void
flint_rooms_init (FlintRooms *self)
{
  self->rooms = g_list_store_new (FLINT_TYPE_ROOM);
  self->by_jid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->self_ping_s = DEFAULT_SELF_PING_S;
}

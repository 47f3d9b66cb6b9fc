#include "config.h"

#define G_LOG_DOMAIN "flint-rooms"

#include <string.h>

#include "flint-jid.h"
#include "flint-room-private.h"
#include "flint-rooms.h"

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
};

G_DEFINE_FINAL_TYPE (FlintRooms, flint_rooms, G_TYPE_OBJECT)

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

static gboolean
on_message (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintRooms *self = user_data;
  FlintRoom *room = room_for (self, xmpp_stanza_get_from (stanza));
  const char *type = xmpp_stanza_get_type (stanza);

  if (room == NULL)
    return FALSE;
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
  FlintRoom *room = flint_rooms_get_room (self, jid);
  guint position;

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
  G_OBJECT_CLASS (flint_rooms_parent_class)->finalize (object);
}

static void
flint_rooms_class_init (FlintRoomsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_rooms_dispose;
  object_class->finalize = flint_rooms_finalize;
}

static void
flint_rooms_init (FlintRooms *self)
{
  self->rooms = g_list_store_new (FLINT_TYPE_ROOM);
  self->by_jid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->self_ping_s = DEFAULT_SELF_PING_S;
}

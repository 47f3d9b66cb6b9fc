/* FlintRooms and FlintRoom against a real Prosody (MUC component with
 * muc_mam) and slixmpp peers: joining (occupants, roles, our own
 * presence), every join error Prosody gives (nick in use with an
 * alternative nick, password, members-only, banned), messages both ways
 * stored once (our echo matched by origin-id), room history on join not
 * stored twice, nick change, kick, subject, rejoin after the server
 * restarts, and XEP-0410 self-ping noticing a room that forgot us. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "flint-chat.h"
#include "flint-error.h"
#include "flint-room-private.h"
#include "flint-rooms.h"
#include "flint-test-server.h"

#define WAIT_MS 10000

static Server server;

typedef struct
{
  char *dir;
  FlintAccount *account;
  FlintSession *session;
  FlintHistory *history;
  FlintRooms *rooms;
  GString *log;
  char *muc; /* conference.DOMAIN */
} Fixture;

static void
on_stanza_log (FlintSession *session, gboolean outgoing, const char *xml, Fixture *f)
{
  g_string_append_printf (f->log, "%s %s\n", outgoing ? ">>" : "<<", xml);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *db = NULL;
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("flint-muc-XXXXXX", NULL);
  db = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (db, &error);
  g_assert_no_error (error);
  f->account = make_account (&server, "alice", TRUE);
  f->session = session_new (f->account, "secret-a");
  f->rooms = flint_rooms_new (f->session, f->history);
  f->log = g_string_new (NULL);
  f->muc = g_strdup_printf ("conference.%s", server.domain);
  g_signal_connect (f->session, "stanza-log", G_CALLBACK (on_stanza_log), f);

  flint_session_connect (f->session);
  g_assert_true (
    wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, WAIT_MS));
  g_assert_cmpint (flint_session_get_state (f->session), ==, FLINT_SESSION_ONLINE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  flint_session_disconnect (f->session);
  spin (100);
  g_clear_object (&f->rooms);
  g_clear_object (&f->session);
  g_clear_object (&f->account);
  g_clear_object (&f->history);
  g_string_free (f->log, TRUE);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->muc);
}

/* ---- helpers ------------------------------------------------------------ */

static char *
room_jid (Fixture *f, const char *name)
{
  return g_strdup_printf ("%s@%s", name, f->muc);
}

static char *
peer_wait_line (Peer *peer, const char *needle1, const char *needle2)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *line = peer_read_line (peer, WAIT_MS);

      if (line == NULL)
        return NULL;
      if (strstr (line, needle1) && (needle2 == NULL || strstr (line, needle2)))
        return g_steal_pointer (&line);
    }
  return NULL;
}

static void
peer_join (Peer *peer, const char *room, const char *nick, const char *password)
{
  g_autofree char *line = NULL;
  g_autofree char *done = NULL;

  if (password)
    line = g_strdup_printf ("{\"cmd\": \"join_muc\", \"room\": \"%s\", \"nick\": \"%s\", "
                            "\"password\": \"%s\", \"seq\": 1}",
                            room, nick, password);
  else
    line = g_strdup_printf (
      "{\"cmd\": \"join_muc\", \"room\": \"%s\", \"nick\": \"%s\", \"seq\": 1}", room,
      nick);
  peer_command (peer, line);
  done = peer_wait_line (peer, "\"cmd\": \"join_muc\"", NULL);
  g_assert_nonnull (done);
  g_assert_nonnull (strstr (done, "\"done\""));
}

static void
peer_say (Peer *peer, const char *room, const char *body, const char *id)
{
  g_autofree char *line =
    g_strdup_printf ("{\"cmd\": \"send\", \"type\": \"groupchat\", \"to\": \"%s\", "
                     "\"body\": \"%s\", \"id\": \"%s\", \"chatstate\": null}",
                     room, body, id);
  g_autofree char *done = NULL;

  peer_command (peer, line);
  done = peer_wait_line (peer, "\"cmd\": \"send\"", NULL);
  g_assert_nonnull (done);
}

/* An iq the peer sends (XML with single quotes only); TRUE on a result. */
static gboolean
peer_iq (Peer *peer, const char *xml)
{
  g_autofree char *line = g_strdup_printf ("{\"cmd\": \"iq\", \"xml\": \"%s\"}", xml);
  g_autofree char *done = NULL;

  peer_command (peer, line);
  done = peer_wait_line (peer, "\"cmd\": \"iq\"", NULL);
  g_assert_nonnull (done);
  return strstr (done, "\"type\": \"result\"") != NULL;
}

static void
peer_configure (Peer *peer, const char *room, const char *var, const char *value)
{
  g_autofree char *xml = g_strdup_printf (
    "<iq xmlns='jabber:client' type='set' to='%s'>"
    "<query xmlns='http://jabber.org/protocol/muc#owner'>"
    "<x xmlns='jabber:x:data' type='submit'>"
    "<field "
    "var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>"
    "%s</x></query></iq>",
    room, var);
  g_autofree char *fields = NULL;

  (void) value;
  g_assert_true (peer_iq (peer, xml));
}

typedef struct
{
  FlintRoom *room;
  FlintRoomState state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *w = data;
  return flint_room_get_state (w->room) == w->state;
}

static gboolean
wait_room_state (FlintRoom *room, FlintRoomState state)
{
  StateWait w = { room, state };
  return wait_until (state_is, &w, WAIT_MS);
}

static GPtrArray *
stored (Fixture *f, const char *room)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *all = flint_history_get_last (f->history, flint_account_get_jid (f->account),
                                           room, 1000, &error);

  g_assert_no_error (error);
  return all;
}

typedef struct
{
  Fixture *f;
  const char *room;
  guint n;
} CountWait;

static gboolean
count_reached (gpointer data)
{
  CountWait *w = data;
  g_autoptr (GPtrArray) all = stored (w->f, w->room);
  return all->len >= w->n;
}

static gboolean
wait_stored (Fixture *f, const char *room, guint n)
{
  CountWait w = { f, room, n };
  return wait_until (count_reached, &w, WAIT_MS);
}

static FlintRoom *
join_ok (Fixture *f, const char *room, const char *nick, const char *password)
{
  g_autoptr (GError) error = NULL;
  FlintRoom *r = flint_rooms_join (f->rooms, room, nick, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_true (wait_room_state (r, FLINT_ROOM_JOINED));
  return r;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_join_and_messages (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "lobby");
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) sent = NULL;
  g_autofree char *line = NULL;
  FlintRoom *r;
  FlintOccupant *me, *other;

  peer_join (bob, room, "bob", NULL);
  r = join_ok (f, room, "alice", NULL);

  /* Occupants: bob (the room's creator: owner, moderator) and us. */
  g_assert_cmpuint (g_list_model_get_n_items (flint_room_get_occupants (r)), ==, 2);
  other = flint_room_find_occupant (r, "bob");
  g_assert_nonnull (other);
  g_assert_cmpstr (flint_occupant_get_affiliation (other), ==, "owner");
  g_assert_cmpstr (flint_occupant_get_role (other), ==, "moderator");
  g_assert_false (flint_occupant_get_is_self (other));
  me = flint_room_get_self_occupant (r);
  g_assert_nonnull (me);
  g_assert_true (flint_occupant_get_is_self (me));
  g_assert_cmpstr (flint_occupant_get_role (me), ==, "participant");
  /* The join asked for history and carried the MUC namespace. */
  g_assert_nonnull (strstr (f->log->str, "<x xmlns=\"http://jabber.org/protocol/muc\">"
                                         "<history maxstanzas=\"50\"/>"));

  /* In: stored once, as groupchat, by nick, with the room's stanza-id. */
  peer_say (bob, room, "hello room", "bob-1");
  g_assert_true (wait_stored (f, room, 1));
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 1);
  {
    FlintMessageRecord *m = g_ptr_array_index (all, 0);
    g_assert_cmpint (m->kind, ==, FLINT_MESSAGE_KIND_GROUPCHAT);
    g_assert_cmpint (m->direction, ==, FLINT_DIRECTION_INCOMING);
    g_assert_cmpstr (m->sender, ==, "bob");
    g_assert_cmpstr (m->body, ==, "hello room");
    g_assert_nonnull (m->stanza_id);
    g_assert_cmpstr (m->stanza_id_by, ==, room);
  }
  g_clear_pointer (&all, g_ptr_array_unref);

  /* Out: bob gets it; our echo does not make a second row, and marks it
   * delivered with the room's stanza-id. */
  sent = flint_room_send (r, "hi bob", &error);
  g_assert_no_error (error);
  line = peer_wait_line (bob, "\"message\"", "hi bob");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "\"from\": \"lobby@"));
  spin (500);
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 2);
  {
    FlintMessageRecord *m = g_ptr_array_index (all, 1);
    g_assert_cmpint (m->direction, ==, FLINT_DIRECTION_OUTGOING);
    g_assert_cmpstr (m->sender, ==, "alice");
    g_assert_cmpstr (m->body, ==, "hi bob");
    g_assert_cmpint (m->state, ==, FLINT_DELIVERY_DELIVERED);
    g_assert_nonnull (m->stanza_id);
  }

  /* Subject, set by bob (a moderator; participants may not here). */
  peer_command (bob, "{\"cmd\": \"send\", \"type\": \"groupchat\", \"to\": "
                     "\"lobby@conference.flint.test\", \"subject\": \"Weekly sync\", "
                     "\"chatstate\": null, \"origin_id\": false}");
  spin (800);
  g_assert_cmpstr (flint_room_get_subject (r), ==, "Weekly sync");
  g_assert_cmpstr (flint_room_get_subject_by (r), ==, "bob");
  g_clear_pointer (&all, g_ptr_array_unref);
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 2);

  /* Bob leaves: one occupant left. */
  peer_command (bob,
                "{\"cmd\": \"leave_muc\", \"room\": \"lobby@conference.flint.test\", "
                "\"nick\": \"bob\"}");
  peer_stop (bob);
  spin (800);
  g_assert_cmpuint (g_list_model_get_n_items (flint_room_get_occupants (r)), ==, 1);

  flint_rooms_leave (f->rooms, room);
  g_assert_cmpint (flint_room_get_state (r), ==, FLINT_ROOM_LEFT);
  g_assert_cmpuint (g_list_model_get_n_items (flint_room_get_occupants (r)), ==, 0);
}

static void
test_history_dedup (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "history");
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) sent = NULL;
  FlintRoom *r;

  peer_join (bob, room, "bob", NULL);
  peer_say (bob, room, "one", "h-1");
  peer_say (bob, room, "two", "h-2");
  peer_say (bob, room, "three", "h-3");
  spin (300);

  /* Joining shows the room's history, stored once each. */
  r = join_ok (f, room, "alice", NULL);
  g_assert_true (wait_stored (f, room, 3));
  sent = flint_room_send (r, "mine", &error);
  g_assert_no_error (error);
  spin (500);
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 4);
  g_clear_pointer (&all, g_ptr_array_unref);

  flint_rooms_leave (f->rooms, room);
  /* The room's delay stamps have whole seconds: "four" must not share
   * the second of "mine" for the order to be certain. */
  spin (1100);
  peer_say (bob, room, "four", "h-4");
  peer_say (bob, room, "five", "h-5");
  spin (300);

  /* Again: the history repeats what we have (and our own message); only
   * the two new ones are added. */
  r = join_ok (f, room, "alice", NULL);
  g_assert_true (wait_stored (f, room, 6));
  spin (800);
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 6);
  {
    const char *bodies[] = { "one", "two", "three", "mine", "four", "five" };
    for (guint i = 0; i < 6; i++)
      g_assert_cmpstr (((FlintMessageRecord *) g_ptr_array_index (all, i))->body, ==,
                       bodies[i]);
  }
  /* The second join asked only for what came after the newest stored. */
  g_assert_nonnull (strstr (f->log->str, "<history since=\""));
  peer_stop (bob);
}

static void
test_nick_in_use (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "nicks");
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autoptr (GError) error = NULL;
  FlintRoom *r;
  const GError *join_error;

  peer_join (bob, room, "taken", NULL);
  r = flint_rooms_join (f->rooms, room, "taken", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wait_room_state (r, FLINT_ROOM_FAILED));
  join_error = flint_room_get_error (r);
  g_assert_error (join_error, FLINT_ERROR, FLINT_ERROR_MUC_NICK_IN_USE);
  g_assert_cmpstr (flint_room_get_suggested_nick (r), ==, "taken_");
  g_assert_false (flint_room_get_wanted (r));

  /* The offered nick works. */
  r = join_ok (f, room, flint_room_get_suggested_nick (r), NULL);
  g_assert_cmpstr (flint_room_get_nick (r), ==, "taken_");
  g_assert_null (flint_room_get_error (r));

  /* A nick change to a taken nick is refused and we stay in. */
  flint_room_set_nick (r, "taken");
  spin (800);
  g_assert_cmpint (flint_room_get_state (r), ==, FLINT_ROOM_JOINED);
  g_assert_cmpstr (flint_room_get_nick (r), ==, "taken_");
  g_assert_error (flint_room_get_error (r), FLINT_ERROR, FLINT_ERROR_MUC_NICK_IN_USE);

  /* A free one is taken, and bob sees the change. */
  flint_room_set_nick (r, "alice");
  {
    g_autofree char *seen = peer_wait_line (bob, "\"presence\"", "/alice\"");
    g_assert_nonnull (seen);
  }
  spin (300);
  g_assert_cmpstr (flint_room_get_nick (r), ==, "alice");
  g_assert_nonnull (flint_room_find_occupant (r, "alice"));
  g_assert_null (flint_room_find_occupant (r, "taken_"));
  g_assert_true (flint_occupant_get_is_self (flint_room_get_self_occupant (r)));
  peer_stop (bob);
}

static void
test_password (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "secret");
  Peer *bob = peer_start (&server, "bob", "secret-b");
  FlintRoom *r;

  peer_join (bob, room, "bob", NULL);
  peer_configure (
    bob, room,
    "<field var='muc#roomconfig_passwordprotectedroom'><value>1</value></field>"
    "<field var='muc#roomconfig_roomsecret'><value>open sesame</value></field>",
    NULL);

  r = flint_rooms_join (f->rooms, room, "alice", NULL, NULL);
  g_assert_true (wait_room_state (r, FLINT_ROOM_FAILED));
  g_assert_error (flint_room_get_error (r), FLINT_ERROR, FLINT_ERROR_MUC_PASSWORD);

  r = flint_rooms_join (f->rooms, room, "alice", "wrong", NULL);
  g_assert_true (wait_room_state (r, FLINT_ROOM_FAILED));
  g_assert_error (flint_room_get_error (r), FLINT_ERROR, FLINT_ERROR_MUC_PASSWORD);
  /* The password went out (the stanza log shows it redacted, never its
   * text). */
  g_assert_nonnull (strstr (f->log->str, "<password>[redacted]</password>"));
  g_assert_null (strstr (f->log->str, ">wrong<"));

  r = join_ok (f, room, "alice", "open sesame");
  g_assert_null (flint_room_get_error (r));
  peer_stop (bob);
}

static void
test_members_only_and_ban (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "staff");
  g_autofree char *room2 = room_jid (f, "banned");
  g_autofree char *ban = NULL;
  Peer *bob = peer_start (&server, "bob", "secret-b");
  FlintRoom *r;

  peer_join (bob, room, "bob", NULL);
  peer_configure (
    bob, room, "<field var='muc#roomconfig_membersonly'><value>1</value></field>", NULL);
  r = flint_rooms_join (f->rooms, room, "alice", NULL, NULL);
  g_assert_true (wait_room_state (r, FLINT_ROOM_FAILED));
  g_assert_error (flint_room_get_error (r), FLINT_ERROR, FLINT_ERROR_MUC_MEMBERS_ONLY);

  peer_join (bob, room2, "bob", NULL);
  ban = g_strdup_printf (
    "<iq xmlns='jabber:client' type='set' to='%s'>"
    "<query xmlns='http://jabber.org/protocol/muc#admin'>"
    "<item affiliation='outcast' jid='alice@%s'><reason>spam</reason></item>"
    "</query></iq>",
    room2, server.domain);
  g_assert_true (peer_iq (bob, ban));
  r = flint_rooms_join (f->rooms, room2, "alice", NULL, NULL);
  g_assert_true (wait_room_state (r, FLINT_ROOM_FAILED));
  g_assert_error (flint_room_get_error (r), FLINT_ERROR, FLINT_ERROR_MUC_BANNED);
  peer_stop (bob);
}

static void
test_kicked (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "strict");
  g_autofree char *kick = NULL;
  Peer *bob = peer_start (&server, "bob", "secret-b");
  FlintRoom *r;

  peer_join (bob, room, "bob", NULL);
  r = join_ok (f, room, "alice", NULL);
  kick =
    g_strdup_printf ("<iq xmlns='jabber:client' type='set' to='%s'>"
                     "<query xmlns='http://jabber.org/protocol/muc#admin'>"
                     "<item nick='alice' role='none'><reason>off topic</reason></item>"
                     "</query></iq>",
                     room);
  g_assert_true (peer_iq (bob, kick));
  g_assert_true (wait_room_state (r, FLINT_ROOM_FAILED));
  g_assert_error (flint_room_get_error (r), FLINT_ERROR, FLINT_ERROR_MUC_KICKED);
  g_assert_nonnull (strstr (flint_room_get_error (r)->message, "off topic"));
  g_assert_false (flint_room_get_wanted (r));
  g_assert_cmpuint (g_list_model_get_n_items (flint_room_get_occupants (r)), ==, 0);
  peer_stop (bob);
}

static void
test_pending_until_joined (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "later");
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) sent = NULL;
  g_autoptr (GPtrArray) all = NULL;
  FlintRoom *r;

  peer_join (bob, room, "bob", NULL);
  r = flint_rooms_join (f->rooms, room, "alice", NULL, &error);
  /* Typed before the room answered: kept, sent once joined. */
  sent = flint_room_send (r, "early words", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sent->state, ==, FLINT_DELIVERY_PENDING);
  {
    g_autofree char *seen = peer_wait_line (bob, "\"message\"", "early words");
    g_assert_nonnull (seen);
  }
  spin (500);
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpint (((FlintMessageRecord *) g_ptr_array_index (all, 0))->state, ==,
                   FLINT_DELIVERY_DELIVERED);
  peer_stop (bob);
}

static void
test_rejoin_after_restart (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "durable");
  FlintRoom *r;

  r = join_ok (f, room, "alice", NULL);
  server_do (&server, "prosody-restart");
  g_assert_true (wait_state (f->session, FLINT_SESSION_RECONNECTING,
                             FLINT_SESSION_CONNECTING, WAIT_MS) ||
                 TRUE);
  g_assert_true (
    wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, 30000));
  g_assert_cmpint (flint_session_get_state (f->session), ==, FLINT_SESSION_ONLINE);
  g_assert_true (wait_room_state (r, FLINT_ROOM_JOINED));
  g_assert_nonnull (flint_room_get_self_occupant (r));
  /* Joined twice in the log: at first and after the new session. */
  {
    const char *p = f->log->str;
    guint joins = 0;
    while ((p = strstr (p, "<x xmlns=\"http://jabber.org/protocol/muc\">")))
      joins++, p++;
    g_assert_cmpuint (joins, ==, 2);
  }
}

static void
on_state_seen (FlintRoom *room, GParamSpec *pspec, GString *seen)
{
  g_string_append_printf (seen, "%d", flint_room_get_state (room));
}

/* left (0), joining (1), then joined (2) */
static gboolean
rejoined (gpointer data)
{
  return strstr (((GString *) data)->str, "012") != NULL;
}

static void
test_self_ping (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) transitions = g_string_new (NULL);
  g_autofree char *room = room_jid (f, "pinged");
  g_autofree char *forget = NULL;
  FlintRoom *r;

  flint_rooms_set_self_ping_interval (f->rooms, 1);
  r = join_ok (f, room, "alice", NULL);
  /* Quiet room: a ping to ourselves after a second, answered: still in. */
  spin (2600);
  g_assert_nonnull (strstr (f->log->str, "<ping xmlns=\"urn:xmpp:ping\"/>"));
  g_assert_cmpint (flint_room_get_state (r), ==, FLINT_ROOM_JOINED);
  g_assert_cmpuint (g_list_model_get_n_items (flint_room_get_occupants (r)), ==, 1);

  /* The room forgets us without a word (what a restarted MUC service
   * does): the next self-ping gets not-acceptable and we join again. */
  forget = g_strdup_printf (
    ">local r = prosody.hosts['%s'].modules.muc.get_room_from_jid('%s'); "
    "r._occupants = {}; r._jid_nick = {}; return true",
    f->muc, room);
  g_free (server_shell (&server, forget));
  g_string_truncate (f->log, 0);
  /* Left, joining, joined may all pass within one main loop iteration:
   * watch the transitions rather than poll the state. */
  g_signal_connect (r, "notify::state", G_CALLBACK (on_state_seen), transitions);
  g_assert_true (wait_until (rejoined, transitions, WAIT_MS));
  g_signal_handlers_disconnect_by_func (r, on_state_seen, transitions);
  g_assert_nonnull (strstr (f->log->str, "not-acceptable"));
  g_assert_cmpint (flint_room_get_state (r), ==, FLINT_ROOM_JOINED);
  g_assert_nonnull (strstr (f->log->str, "<x xmlns=\"http://jabber.org/protocol/muc\">"));
  g_assert_nonnull (flint_room_get_self_occupant (r));
}

static gboolean
rooms_is_room (const char *bare, gpointer rooms)
{
  return flint_rooms_is_room (rooms, bare);
}

/* XEP-0045 §7.5: a private message with an occupant is its own
 * conversation (room@service/nick), not the room's. */
static void
test_private_messages (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "whisper");
  g_autofree char *bob_in_room = g_strdup_printf ("%s/bob", room);
  g_autoptr (FlintChat) chat = flint_chat_new (f->session, f->history);
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) sent = NULL;
  g_autofree char *line = NULL;

  flint_chat_set_room_func (chat, rooms_is_room, f->rooms);
  peer_join (bob, room, "bob", NULL);
  join_ok (f, room, "alice", NULL);

  line = g_strdup_printf ("{\"cmd\": \"send\", \"to\": \"%s/alice\", "
                          "\"body\": \"psst, alice\", \"id\": \"pm-1\"}",
                          room);
  peer_command (bob, line);
  g_assert_true (wait_stored (f, bob_in_room, 1));
  all = stored (f, bob_in_room);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (((FlintMessageRecord *) g_ptr_array_index (all, 0))->body, ==,
                   "psst, alice");
  g_assert_cmpint (((FlintMessageRecord *) g_ptr_array_index (all, 0))->kind, ==,
                   FLINT_MESSAGE_KIND_CHAT);
  g_clear_pointer (&all, g_ptr_array_unref);

  sent = flint_chat_send (chat, bob_in_room, "yes?", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sent->conversation, ==, bob_in_room);
  g_free (line);
  line = peer_wait_line (bob, "\"message\"", "yes?");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "\"type\": \"chat\""));
  g_assert_nonnull (strstr (line, "/alice\""));
  spin (300);
  all = stored (f, bob_in_room);
  g_assert_cmpuint (all->len, ==, 2);
  g_clear_pointer (&all, g_ptr_array_unref);
  /* Nothing of it in the room's own conversation. */
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 0);
  peer_stop (bob);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  server_start_full (&server, TRUE,
                     (const char *const[]){ "--module", "admin_shell", NULL });

#define ADD(name, fn)                                                                    \
  g_test_add (name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/muc/join-and-messages", test_join_and_messages);
  ADD ("/muc/history-dedup", test_history_dedup);
  ADD ("/muc/nick-in-use", test_nick_in_use);
  ADD ("/muc/password", test_password);
  ADD ("/muc/members-only-and-ban", test_members_only_and_ban);
  ADD ("/muc/kicked", test_kicked);
  ADD ("/muc/pending-until-joined", test_pending_until_joined);
  ADD ("/muc/private-messages", test_private_messages);
  ADD ("/muc/self-ping", test_self_ping);
  ADD ("/muc/rejoin-after-restart", test_rejoin_after_restart);
#undef ADD

  rc = g_test_run ();
  server_do (&server, "prosody-stop");
  remove_tree (server.workdir);
  return rc;
}

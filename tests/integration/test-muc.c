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
  g_assert_true (wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
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
  /* The second join asked only for what came after the newest stored:
   * the room has an archive (muc_mam), so no discussion history but an
   * archive query after the newest stored stanza-id. */
  g_assert_nonnull (strstr (f->log->str, "<history maxstanzas=\"0\"/>"));
  g_assert_nonnull (strstr (f->log->str, "<after>"));
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
                             FLINT_SESSION_CONNECTING, SIGN_IN_WAIT_MS) ||
                 TRUE);
  g_assert_true (wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
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

/* ---- moderation, subject, invitations, archive --------------------------- */

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} ModWait;

static void
on_moderated (GObject *source, GAsyncResult *result, gpointer data)
{
  ModWait *w = data;

  w->ok = flint_room_moderate_finish (FLINT_ROOM (source), result, &w->error);
  w->done = TRUE;
}

static gboolean
mod_done (gpointer data)
{
  return ((ModWait *) data)->done;
}

/* TRUE on success; on failure the error is left in *error. */
static gboolean
moderate (FlintRoom *r,
          FlintRoomAction action,
          const char *nick,
          const char *jid,
          const char *reason,
          GError **error)
{
  ModWait w = { 0 };

  flint_room_moderate_async (r, action, nick, jid, reason, NULL, on_moderated, &w);
  g_assert_true (wait_until (mod_done, &w, WAIT_MS));
  if (w.error)
    g_propagate_error (error, w.error);
  return w.ok;
}

/* The status lines (system messages) stored for @room, joined by "\n". */
static char *
status_lines (Fixture *f, const char *room)
{
  g_autoptr (GPtrArray) all = stored (f, room);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < all->len; i++)
    {
      FlintMessageRecord *m = g_ptr_array_index (all, i);
      if (m->kind == FLINT_MESSAGE_KIND_STATUS)
        g_string_append_printf (out, "%s\n", m->body);
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  Fixture *f;
  const char *room;
  const char *needle;
} StatusWait;

static gboolean
status_seen (gpointer data)
{
  StatusWait *w = data;
  g_autofree char *lines = status_lines (w->f, w->room);
  return strstr (lines, w->needle) != NULL;
}

static gboolean
wait_status (Fixture *f, const char *room, const char *needle)
{
  StatusWait w = { f, room, needle };
  return wait_until (status_seen, &w, WAIT_MS);
}

typedef struct
{
  FlintRoom *room;
  const char *nick;
  const char *role;
  const char *affiliation;
} OccupantWait;

static gboolean
occupant_is (gpointer data)
{
  OccupantWait *w = data;
  FlintOccupant *o = flint_room_find_occupant (w->room, w->nick);

  return o &&
         (w->role == NULL || g_strcmp0 (flint_occupant_get_role (o), w->role) == 0) &&
         (w->affiliation == NULL ||
          g_strcmp0 (flint_occupant_get_affiliation (o), w->affiliation) == 0);
}

static gboolean
wait_occupant (FlintRoom *r, const char *nick, const char *role, const char *affiliation)
{
  OccupantWait w = { r, nick, role, affiliation };
  return wait_until (occupant_is, &w, WAIT_MS);
}

/* We own the room: every moderator, admin and owner action, each seen by
 * the peers (their presence) and by us (occupants and a status line). */
static void
test_moderation (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "moderated");
  g_autofree char *bob_jid = g_strdup_printf ("bob@%s", server.domain);
  g_autofree char *carol_jid = g_strdup_printf ("carol@%s", server.domain);
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  Peer *bob, *carol;
  FlintRoom *r;
  FlintOccupant *ob, *oc;

  r = join_ok (f, room, "alice", NULL);
  g_assert_cmpstr (flint_occupant_get_affiliation (flint_room_get_self_occupant (r)), ==,
                   "owner");
  bob = peer_start (&server, "bob", "secret-b");
  carol = peer_start (&server, "carol", "secret-c");
  peer_join (bob, room, "bob", NULL);
  peer_join (carol, room, "carol", NULL);
  g_assert_true (wait_occupant (r, "bob", "participant", "none"));
  g_assert_true (wait_occupant (r, "carol", "participant", "none"));
  ob = flint_room_find_occupant (r, "bob");
  oc = flint_room_find_occupant (r, "carol");

  /* What an owner may do to a participant without affiliation. */
  g_assert_true (flint_room_can (r, FLINT_ROOM_ACTION_KICK, ob));
  g_assert_true (flint_room_can (r, FLINT_ROOM_ACTION_BAN, ob));
  g_assert_true (flint_room_can (r, FLINT_ROOM_ACTION_REVOKE_VOICE, ob));
  g_assert_false (flint_room_can (r, FLINT_ROOM_ACTION_GRANT_VOICE, ob));
  g_assert_true (flint_room_can (r, FLINT_ROOM_ACTION_MAKE_ADMIN, ob));
  g_assert_false (flint_room_can (r, FLINT_ROOM_ACTION_REMOVE_AFFILIATION, ob));
  g_assert_true (flint_room_can (r, FLINT_ROOM_ACTION_DESTROY, NULL));
  g_assert_false (
    flint_room_can (r, FLINT_ROOM_ACTION_KICK, flint_room_get_self_occupant (r)));

  /* Voice: revoked, then granted again. */
  g_assert_true (
    moderate (r, FLINT_ROOM_ACTION_REVOKE_VOICE, "bob", NULL, "hush", &error));
  g_assert_no_error (error);
  line = peer_wait_line (bob, "\"presence\"", "\"role\": \"visitor\"");
  g_assert_nonnull (line);
  g_assert_true (wait_occupant (r, "bob", "visitor", NULL));
  g_assert_true (wait_status (f, room, "bob may no longer speak in the room"));
  g_assert_true (flint_room_can (r, FLINT_ROOM_ACTION_GRANT_VOICE, ob));
  g_assert_true (moderate (r, FLINT_ROOM_ACTION_GRANT_VOICE, "bob", NULL, NULL, &error));
  g_clear_pointer (&line, g_free);
  line = peer_wait_line (bob, "\"presence\"", "\"role\": \"participant\"");
  g_assert_nonnull (line);
  g_assert_true (wait_status (f, room, "bob may now speak in the room"));

  /* Affiliations: carol a member, then an admin (a moderator with it). */
  g_assert_true (
    moderate (r, FLINT_ROOM_ACTION_MAKE_MEMBER, NULL, carol_jid, NULL, &error));
  g_clear_pointer (&line, g_free);
  line = peer_wait_line (carol, "\"presence\"", "\"affiliation\": \"member\"");
  g_assert_nonnull (line);
  g_assert_true (wait_occupant (r, "carol", NULL, "member"));
  g_assert_true (wait_status (f, room, "carol is now a member of the room"));
  g_assert_true (
    moderate (r, FLINT_ROOM_ACTION_MAKE_ADMIN, NULL, carol_jid, NULL, &error));
  g_assert_true (wait_occupant (r, "carol", "moderator", "admin"));
  g_assert_true (wait_status (f, room, "carol is now an administrator of the room"));
  g_assert_true (flint_room_can (r, FLINT_ROOM_ACTION_REMOVE_AFFILIATION, oc));
  g_assert_true (
    moderate (r, FLINT_ROOM_ACTION_REMOVE_AFFILIATION, NULL, carol_jid, NULL, &error));
  g_assert_true (wait_occupant (r, "carol", "participant", "none"));
  g_assert_no_error (error);

  /* Kick with a reason: bob sees 307 and the reason; we a status line. */
  g_assert_true (
    moderate (r, FLINT_ROOM_ACTION_KICK, "bob", NULL, "please take a break", &error));
  g_clear_pointer (&line, g_free);
  line = peer_wait_line (bob, "\"unavailable\"", "307");
  g_assert_nonnull (line);
  g_assert_true (
    wait_status (f, room, "bob was kicked from the room (“please take a break”)"));
  g_assert_null (flint_room_find_occupant (r, "bob"));

  /* Ban: carol is out with 301, and cannot come back. */
  g_assert_true (moderate (r, FLINT_ROOM_ACTION_BAN, NULL, carol_jid, "spam", &error));
  g_clear_pointer (&line, g_free);
  line = peer_wait_line (carol, "\"unavailable\"", "301");
  g_assert_nonnull (line);
  g_assert_true (wait_status (f, room, "carol was banned from the room (“spam”)"));
  peer_command (carol,
                "{\"cmd\": \"join_muc\", \"room\": \"moderated@conference.flint.test\", "
                "\"nick\": \"carol\"}");
  g_clear_pointer (&line, g_free);
  line = peer_wait_line (carol, "\"presence\"", "\"condition\": \"forbidden\"");
  g_assert_nonnull (line);

  /* Refusals come back as clear errors: a kick of someone not there. */
  g_assert_false (moderate (r, FLINT_ROOM_ACTION_KICK, "nobody", NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == FLINT_ERROR);
  g_assert_true (error->code == FLINT_ERROR_MUC_NO_OCCUPANT ||
                 error->code == FLINT_ERROR_MUC_NOT_ALLOWED);
  g_clear_error (&error);
  /* Bad input is an error, not a request. */
  g_assert_false (moderate (r, FLINT_ROOM_ACTION_BAN, NULL, "not a jid@@", NULL, &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_INVALID_JID);
  g_clear_error (&error);

  /* Destroy: bob (back in) is told, and so are we. */
  peer_join (bob, room, "bob", NULL);
  g_assert_true (wait_occupant (r, "bob", NULL, NULL));
  g_assert_true (
    moderate (r, FLINT_ROOM_ACTION_DESTROY, NULL, NULL, "moving on", &error));
  g_assert_no_error (error);
  g_clear_pointer (&line, g_free);
  line = peer_wait_line (bob, "\"unavailable\"", "moderated@");
  g_assert_nonnull (line);
  g_assert_true (wait_room_state (r, FLINT_ROOM_FAILED));
  g_assert_error (flint_room_get_error (r), FLINT_ERROR, FLINT_ERROR_MUC_DESTROYED);
  g_assert_true (wait_status (f, room, "closed by its owner"));
  peer_stop (bob);
  peer_stop (carol);
}

/* We are a participant: nothing allowed, and a request anyway is refused
 * with a clear error; the owner's actions on us are shown to us. */
static void
test_moderation_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "ruled");
  g_autofree char *xml = NULL;
  g_autoptr (GError) error = NULL;
  Peer *bob = peer_start (&server, "bob", "secret-b");
  FlintRoom *r;
  FlintOccupant *ob;

  peer_join (bob, room, "bob", NULL);
  r = join_ok (f, room, "alice", NULL);
  ob = flint_room_find_occupant (r, "bob");
  for (FlintRoomAction a = FLINT_ROOM_ACTION_KICK; a <= FLINT_ROOM_ACTION_DESTROY; a++)
    g_assert_false (flint_room_can (r, a, a == FLINT_ROOM_ACTION_DESTROY ? NULL : ob));
  g_assert_false (moderate (r, FLINT_ROOM_ACTION_KICK, "bob", NULL, NULL, &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_MUC_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "You may not do this"));
  g_clear_error (&error);
  g_assert_false (moderate (r, FLINT_ROOM_ACTION_DESTROY, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The owner takes our voice, then gives us membership. */
  xml = g_strdup_printf ("<iq xmlns='jabber:client' type='set' to='%s'>"
                         "<query xmlns='http://jabber.org/protocol/muc#admin'>"
                         "<item nick='alice' role='visitor'><reason>calm down</reason>"
                         "</item></query></iq>",
                         room);
  g_assert_true (peer_iq (bob, xml));
  g_assert_true (wait_occupant (r, "alice", "visitor", NULL));
  g_assert_true (
    wait_status (f, room, "You may no longer speak in the room (“calm down”)"));
  g_free (xml);
  xml = g_strdup_printf ("<iq xmlns='jabber:client' type='set' to='%s'>"
                         "<query xmlns='http://jabber.org/protocol/muc#admin'>"
                         "<item jid='alice@%s' affiliation='member'/></query></iq>",
                         room, server.domain);
  g_assert_true (peer_iq (bob, xml));
  g_assert_true (wait_status (f, room, "You are now a member of the room"));
  /* Banned while in: out, with the reason, not joining again by itself. */
  g_free (xml);
  xml = g_strdup_printf ("<iq xmlns='jabber:client' type='set' to='%s'>"
                         "<query xmlns='http://jabber.org/protocol/muc#admin'>"
                         "<item jid='alice@%s' affiliation='outcast'><reason>enough"
                         "</reason></item></query></iq>",
                         room, server.domain);
  g_assert_true (peer_iq (bob, xml));
  g_assert_true (wait_room_state (r, FLINT_ROOM_FAILED));
  g_assert_error (flint_room_get_error (r), FLINT_ERROR, FLINT_ERROR_MUC_BANNED);
  g_assert_nonnull (strstr (flint_room_get_error (r)->message, "enough"));
  g_assert_true (wait_status (f, room, "You are banned from this room"));
  g_assert_false (flint_room_get_wanted (r));
  peer_stop (bob);
}

static void
on_subject_notify (FlintRoom *room, GParamSpec *pspec, guint *count)
{
  (*count)++;
}

/* The subject may be changed by moderators, and by participants once the
 * owner allows it (status 104 makes us ask the room again). */
static void
test_subject_rule (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "topics");
  g_autofree char *line = NULL;
  Peer *bob = peer_start (&server, "bob", "secret-b");
  FlintRoom *r;
  guint notified = 0;

  peer_join (bob, room, "bob", NULL);
  r = join_ok (f, room, "alice", NULL);
  spin (500); /* the room's disco#info */
  g_assert_false (flint_room_can_change_subject (r));
  g_signal_connect (r, "notify::subject", G_CALLBACK (on_subject_notify), &notified);
  peer_configure (bob, room,
                  "<field var='muc#roomconfig_changesubject'><value>1</value></field>",
                  NULL);
  g_assert_true (
    wait_until ((gboolean (*) (gpointer)) flint_room_can_change_subject, r, WAIT_MS));
  flint_room_set_subject (r, "Plans for Q3");
  line = peer_wait_line (bob, "\"message\"", "Plans for Q3");
  g_assert_nonnull (line);
  spin (300);
  g_assert_cmpstr (flint_room_get_subject (r), ==, "Plans for Q3");
  g_assert_cmpstr (flint_room_get_subject_by (r), ==, "alice");
  g_assert_cmpuint (notified, >, 0);
  peer_stop (bob);
}

typedef struct
{
  guint n;
  char *room, *inviter, *reason, *password;
  gboolean mediated;
} Invitation;

static void
on_invitation (FlintRooms *rooms,
               const char *room,
               const char *inviter,
               const char *reason,
               const char *password,
               gboolean mediated,
               Invitation *inv)
{
  inv->n++;
  g_free (inv->room), inv->room = g_strdup (room);
  g_free (inv->inviter), inv->inviter = g_strdup (inviter);
  g_free (inv->reason), inv->reason = g_strdup (reason);
  g_free (inv->password), inv->password = g_strdup (password);
  inv->mediated = mediated;
}

static gboolean
invited (gpointer data)
{
  return ((Invitation *) data)->n > 0;
}

static void
invitation_clear (Invitation *inv)
{
  g_free (inv->room);
  g_free (inv->inviter);
  g_free (inv->reason);
  g_free (inv->password);
  memset (inv, 0, sizeof *inv);
}

static void
test_invitations (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "party");
  g_autofree char *closed = room_jid (f, "closed");
  g_autofree char *alice = g_strdup_printf ("alice@%s", server.domain);
  g_autofree char *bob_jid = g_strdup_printf ("bob@%s", server.domain);
  g_autofree char *cmd = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GPtrArray) all = NULL;
  Invitation inv = { 0 };
  Peer *bob = peer_start (&server, "bob", "secret-b");
  FlintRoom *r;

  g_signal_connect (f->rooms, "invitation", G_CALLBACK (on_invitation), &inv);

  /* In: a direct invitation (XEP-0249). */
  peer_join (bob, room, "bob", NULL);
  cmd = g_strdup_printf ("{\"cmd\": \"invite\", \"to\": \"%s\", \"room\": \"%s\", "
                         "\"reason\": \"come and see\"}",
                         alice, room);
  peer_command (bob, cmd);
  g_assert_true (wait_until (invited, &inv, WAIT_MS));
  g_assert_cmpstr (inv.room, ==, room);
  g_assert_cmpstr (inv.inviter, ==, bob_jid);
  g_assert_cmpstr (inv.reason, ==, "come and see");
  g_assert_false (inv.mediated);
  invitation_clear (&inv);

  /* In: a mediated one, declined: the room tells bob. */
  g_free (cmd);
  cmd = g_strdup_printf ("{\"cmd\": \"invite\", \"to\": \"%s\", \"room\": \"%s\", "
                         "\"reason\": \"second try\", \"direct\": false}",
                         alice, room);
  peer_command (bob, cmd);
  g_assert_true (wait_until (invited, &inv, WAIT_MS));
  g_assert_cmpstr (inv.room, ==, room);
  /* A semi-anonymous room names the inviter by occupant JID. */
  g_assert_true (g_strcmp0 (inv.inviter, bob_jid) == 0 ||
                 g_str_has_suffix (inv.inviter, "party@conference.flint.test/bob"));
  g_assert_cmpstr (inv.reason, ==, "second try");
  g_assert_true (inv.mediated);
  flint_rooms_decline (f->rooms, inv.room, inv.inviter, "busy today", inv.mediated);
  line = peer_wait_line (bob, "\"decline\"", "busy today");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, alice));
  invitation_clear (&inv);
  /* Neither invitation became a chat message. */
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = stored (f, bob_jid);
  g_assert_cmpuint (all->len, ==, 0);

  /* Out: an open room invites directly. */
  r = join_ok (f, room, "alice", NULL);
  spin (300);
  g_assert_false (flint_room_get_members_only (r));
  flint_room_invite (r, "carol@flint.test", "join us");
  flint_room_invite (r, bob_jid, "join us");
  g_clear_pointer (&line, g_free);
  line = peer_wait_line (bob, "\"invite\"", "\"direct\"");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, room));

  /* Out: a members-only room of ours invites through the room, which makes
   * bob a member: he can come in; his decline shows in the room. */
  r = join_ok (f, closed, "alice", NULL);
  {
    g_autofree char *xml = g_strdup_printf (
      "<iq xmlns='jabber:client' type='set' to='%s'>"
      "<query xmlns='http://jabber.org/protocol/muc#owner'>"
      "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'>"
      "<value>http://jabber.org/protocol/muc#roomconfig</value></field>"
      "<field var='muc#roomconfig_membersonly'><value>1</value></field></x></query></iq>",
      closed);
    /* Configured by us through the test's raw path: FlintRoom has no
     * configuration form (another part of the app does it). */
    xmpp_ctx_t *ctx = flint_session_get_context (f->session);
    xmpp_stanza_t *iq = xmpp_stanza_new_from_string (ctx, xml);
    xmpp_stanza_set_id (iq, "cfg-1");
    flint_session_send_iq (f->session, iq, NULL, NULL);
    xmpp_stanza_release (iq);
  }
  g_assert_true (
    wait_until ((gboolean (*) (gpointer)) flint_room_get_members_only, r, WAIT_MS));
  flint_room_invite (r, bob_jid, "private chat");
  g_clear_pointer (&line, g_free);
  line = peer_wait_line (bob, "\"invite\"", "\"mediated\"");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, closed));
  peer_join (bob, closed, "bob", NULL);
  g_assert_true (wait_occupant (r, "bob", NULL, "member"));
  g_free (cmd);
  cmd = g_strdup_printf ("{\"cmd\": \"decline\", \"room\": \"%s\", \"to\": \"%s\", "
                         "\"reason\": \"wrong room\"}",
                         closed, alice);
  peer_command (bob, cmd);
  g_assert_true (wait_status (f, closed, "declined the invitation (“wrong room”)"));
  peer_stop (bob);
}

static guint
count_body (GPtrArray *all, const char *body)
{
  guint n = 0;
  for (guint i = 0; i < all->len; i++)
    n += g_strcmp0 (((FlintMessageRecord *) g_ptr_array_index (all, i))->body, body) == 0;
  return n;
}

/* What the room said while we were away, more than its discussion history
 * holds (Prosody: 20), comes from its archive (muc_mam) after the newest
 * stored stanza-id, each message once, with a rejoin in the same session
 * (maxstanzas=0 + archive) and after a restart (since= + archive). */
static void
test_archive_catch_up (Fixture *f, gconstpointer data)
{
  g_autofree char *room = room_jid (f, "archive");
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) sent = NULL;
  FlintRoom *r;

  peer_join (bob, room, "bob", NULL);
  peer_say (bob, room, "before", "a-0");
  r = join_ok (f, room, "alice", NULL);
  g_assert_true (wait_stored (f, room, 1));
  sent = flint_room_send (r, "mine", &error);
  g_assert_no_error (error);
  g_assert_true (wait_stored (f, room, 2));
  spin (500);
  flint_rooms_leave (f->rooms, room);
  spin (300);

  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *body = g_strdup_printf ("away %u", i);
      g_autofree char *id = g_strdup_printf ("a-%u", i + 1);
      peer_say (bob, room, body, id);
    }
  g_string_truncate (f->log, 0);
  r = join_ok (f, room, "alice", NULL);
  g_assert_true (wait_stored (f, room, 32));
  spin (800);
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 32);
  g_assert_cmpuint (count_body (all, "away 0"), ==, 1);
  g_assert_cmpuint (count_body (all, "away 29"), ==, 1);
  g_assert_cmpuint (count_body (all, "mine"), ==, 1);
  /* The room's archive was known: no discussion history, an archive query
   * after the newest stored stanza-id. */
  g_assert_nonnull (strstr (f->log->str, "<history maxstanzas=\"0\"/>"));
  g_assert_nonnull (strstr (f->log->str, ">> <iq"));
  g_assert_nonnull (strstr (f->log->str, "queryid="));
  g_assert_nonnull (strstr (f->log->str, "<after>"));
  g_clear_pointer (&all, g_ptr_array_unref);

  /* A restart (a new FlintRooms knows nothing of the room yet): the
   * discussion history (since=) and the archive overlap; stored once. */
  flint_rooms_leave (f->rooms, room);
  spin (300);
  g_clear_object (&f->rooms);
  f->rooms = flint_rooms_new (f->session, f->history);
  spin (1100);
  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *body = g_strdup_printf ("later %u", i);
      g_autofree char *id = g_strdup_printf ("b-%u", i);
      peer_say (bob, room, body, id);
    }
  g_string_truncate (f->log, 0);
  r = join_ok (f, room, "alice", NULL);
  g_assert_true (wait_stored (f, room, 57));
  spin (1000);
  all = stored (f, room);
  g_assert_cmpuint (all->len, ==, 57);
  g_assert_cmpuint (count_body (all, "later 0"), ==, 1);
  g_assert_cmpuint (count_body (all, "later 24"), ==, 1);
  g_assert_nonnull (strstr (f->log->str, "<history since=\""));
  g_assert_nonnull (strstr (f->log->str, ">> <iq"));
  g_assert_nonnull (strstr (f->log->str, "queryid="));
  /* Each once. (Their order within one second is not certain: the room
   * stamps whole seconds, and history and archive copies arrive in two
   * batches.) */
  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *body = g_strdup_printf ("later %u", i);
      g_assert_cmpuint (count_body (all, body), ==, 1);
    }
  g_assert_true (g_str_has_prefix (
    ((FlintMessageRecord *) g_ptr_array_index (all, 56))->body, "later "));
  peer_stop (bob);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  server_start_full (&server, TRUE,
                     (const char *const[]){ "--module", "admin_shell", NULL });
  server_register (&server, "carol", "secret-c");

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
  ADD ("/muc/moderation", test_moderation);
  ADD ("/muc/moderation-refused", test_moderation_refused);
  ADD ("/muc/subject-rule", test_subject_rule);
  ADD ("/muc/invitations", test_invitations);
  ADD ("/muc/archive-catch-up", test_archive_catch_up);
#undef ADD

  rc = g_test_run ();
  server_do (&server, "prosody-stop");
  remove_tree (server.workdir);
  return rc;
}

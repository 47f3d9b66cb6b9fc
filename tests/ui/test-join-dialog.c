/* The join dialog against a real Prosody: a nick in use shows the error
 * and offers the alternative nick, which then joins; a room name without
 * a service is looked up on the server's MUC service, and a room that
 * does not exist offers "Create Room", which creates and joins it and
 * bookmarks it with autojoin. Runs under Xvfb. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "flint-join-dialog.h"
#include "flint-test-server.h"

#define WAIT_MS 30000

static Server server;

typedef struct
{
  FlintJoinDialog *dialog;
  const char *needle;
} DescribeWait;

static gboolean
describe_has (gpointer data)
{
  DescribeWait *w = data;
  g_autofree char *d = flint_join_dialog_describe (w->dialog);
  return strstr (d, w->needle) != NULL;
}

static void
on_joined (FlintJoinDialog *dialog, FlintRoom *room, FlintRoom **out)
{
  *out = g_object_ref (room);
}

static gboolean
is_set (gpointer data)
{
  return *(FlintRoom **) data != NULL;
}

static gboolean
loaded (gpointer data)
{
  return flint_bookmarks_get_loaded (data);
}

static void
test_join_dialog (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-join-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "history.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = flint_history_open (db, &error);
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autoptr (FlintRooms) rooms = flint_rooms_new (session, history);
  g_autoptr (FlintBookmarks) bookmarks = flint_bookmarks_new (session, NULL, rooms);
  g_autofree char *busy = g_strdup_printf ("busy@conference.%s", server.domain);
  g_autofree char *fresh = g_strdup_printf ("fresh-ideas@conference.%s", server.domain);
  g_autofree char *line = NULL;
  g_autofree char *d = NULL;
  FlintRoom *joined = NULL;
  FlintJoinDialog *dialog;
  DescribeWait w;
  FlintBookmark *b;
  Peer *bob;

  g_assert_no_error (error);
  flint_session_connect (session);
  g_assert_true (
    wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, WAIT_MS));
  g_assert_true (wait_until (loaded, bookmarks, WAIT_MS));
  bob = peer_start (&server, "bob", "secret-b");
  line = g_strdup_printf (
    "{\"cmd\": \"join_muc\", \"room\": \"%s\", \"nick\": \"alice\"}", busy);
  peer_command (bob, line);
  g_assert_true (peer_wait_event (bob, "\"join_muc\"", NULL));

  /* The nick is taken: said inline, with the alternative on a button. */
  dialog = flint_join_dialog_new (NULL, rooms, bookmarks, "alice");
  g_object_ref_sink (dialog);
  g_signal_connect (dialog, "joined", G_CALLBACK (on_joined), &joined);
  flint_join_dialog_set_room (dialog, busy);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.join", NULL);
  w = (DescribeWait){ dialog, "nickname" };
  g_assert_true (wait_until (describe_has, &w, WAIT_MS));
  d = flint_join_dialog_describe (dialog);
  g_assert_nonnull (strstr (d, flint_error_describe (FLINT_ERROR_MUC_NICK_IN_USE)));
  g_assert_nonnull (strstr (d, "|Use “alice_”|"));
  g_assert_null (strstr (d, "create"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.use-suggested-nick", NULL);
  g_assert_true (wait_until (is_set, &joined, WAIT_MS));
  g_assert_cmpstr (flint_room_get_jid (joined), ==, busy);
  g_assert_cmpstr (flint_room_get_nick (joined), ==, "alice_");
  g_assert_cmpint (flint_room_get_state (joined), ==, FLINT_ROOM_JOINED);
  /* Bookmarked with autojoin (the switch is on by default). */
  b = flint_bookmarks_find (bookmarks, busy);
  g_assert_nonnull (b);
  g_assert_true (flint_bookmark_get_autojoin (b));
  g_assert_cmpstr (flint_bookmark_get_nick (b), ==, "alice_");
  g_clear_object (&joined);
  g_object_unref (dialog);

  /* A name, not an address: found on the MUC service; it does not exist
   * yet, so the dialog offers to create it. */
  dialog = flint_join_dialog_new (NULL, rooms, bookmarks, "alice");
  g_object_ref_sink (dialog);
  g_signal_connect (dialog, "joined", G_CALLBACK (on_joined), &joined);
  flint_join_dialog_set_room (dialog, "Fresh Ideas");
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.join", NULL);
  w = (DescribeWait){ dialog, "|create|" };
  g_assert_true (wait_until (describe_has, &w, WAIT_MS));
  g_clear_pointer (&d, g_free);
  d = flint_join_dialog_describe (dialog);
  g_assert_nonnull (strstr (d, flint_error_describe (FLINT_ERROR_MUC_NOT_FOUND)));
  g_assert_null (flint_rooms_get_room (rooms, fresh));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.create", NULL);
  g_assert_true (wait_until (is_set, &joined, WAIT_MS));
  g_assert_cmpstr (flint_room_get_jid (joined), ==, fresh);
  g_assert_cmpint (flint_room_get_state (joined), ==, FLINT_ROOM_JOINED);
  /* We made it: its owner. */
  g_assert_cmpstr (flint_occupant_get_affiliation (flint_room_get_self_occupant (joined)),
                   ==, "owner");
  g_clear_object (&joined);
  g_object_unref (dialog);

  peer_stop (bob);
  flint_session_disconnect (session);
  spin (100);
  remove_tree (dir);
}

/* An iq the peer sends (single quotes only in xml); TRUE on a result. */
static gboolean
peer_iq (Peer *peer, const char *xml)
{
  g_autofree char *line = g_strdup_printf ("{\"cmd\": \"iq\", \"xml\": \"%s\"}", xml);
  gboolean ok = FALSE;

  peer_command (peer, line);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *answer = peer_read_line (peer, 3 * WAIT_MS);

      g_assert_nonnull (answer);
      g_test_message ("bob: %.300s", answer);
      if (strstr (answer, "\"cmd\": \"iq\""))
        {
          ok = strstr (answer, "\"type\": \"result\"") != NULL;
          break;
        }
    }
  return ok;
}

/* Bob makes @room and sets @fields (muc#roomconfig fields as XML). */
static void
peer_make_room (Peer *bob, const char *room, const char *fields)
{
  g_autofree char *line = g_strdup_printf (
    "{\"cmd\": \"join_muc\", \"room\": \"%s\", \"nick\": \"bob\"}", room);
  g_autofree char *xml = g_strdup_printf (
    "<iq xmlns='jabber:client' type='set' to='%s'><query "
    "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
    "type='submit'><field var='FORM_TYPE'><value>"
    "http://jabber.org/protocol/muc#roomconfig</value></field>%s</x></query></iq>",
    room, fields);

  peer_command (bob, line);
  g_assert_true (peer_wait_event (bob, "\"join_muc\"", NULL));
  g_assert_true (peer_iq (bob, xml));
}

static FlintJoinDialog *
try_join (FlintRooms *rooms,
          const char *room,
          const char *password,
          const char *needle,
          FlintRoom **joined)
{
  FlintJoinDialog *dialog = flint_join_dialog_new (NULL, rooms, NULL, "alice");
  DescribeWait w = { dialog, needle };

  g_object_ref_sink (dialog);
  if (joined)
    g_signal_connect (dialog, "joined", G_CALLBACK (on_joined), joined);
  flint_join_dialog_set_room (dialog, room);
  flint_join_dialog_set_password (dialog, password);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.join", NULL);
  g_assert_true (wait_until (describe_has, &w, WAIT_MS));
  return dialog;
}

static gboolean
room_gone (gpointer data)
{
  void **args = data;
  return flint_rooms_get_room (args[0], args[1]) == NULL;
}

/* Each XEP-0045 refusal Prosody gives, as the dialog says it; then Create
 * Room on a name that exists, and a new room's setup closed unsaved. */
static void
test_refusals (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-join-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "history.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = flint_history_open (db, &error);
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autoptr (FlintRooms) rooms = flint_rooms_new (session, history);
  g_autofree char *secret = g_strdup_printf ("secret@conference.%s", server.domain);
  g_autofree char *members = g_strdup_printf ("members@conference.%s", server.domain);
  g_autofree char *banned = g_strdup_printf ("nope@conference.%s", server.domain);
  g_autofree char *setup = g_strdup_printf ("unsaved@conference.%s", server.domain);
  g_autofree char *xml = NULL;
  g_autofree char *alice = g_strdup_printf ("alice@%s", server.domain);
  g_autofree char *d = NULL;
  FlintRoom *joined = NULL;
  FlintJoinDialog *dialog;
  DescribeWait w;
  Peer *bob;

  g_assert_no_error (error);
  flint_session_connect (session);
  g_assert_true (
    wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, WAIT_MS));
  bob = peer_start (&server, "bob", "secret-b");
  peer_make_room (
    bob, secret,
    "<field var='muc#roomconfig_passwordprotectedroom'><value>1</value>"
    "</field><field var='muc#roomconfig_roomsecret'><value>pw</value></field>");
  peer_make_room (bob, members,
                  "<field var='muc#roomconfig_membersonly'><value>1</value></field>");
  peer_make_room (bob, banned, "");
  xml = g_strdup_printf ("<iq xmlns='jabber:client' type='set' to='%s'><query "
                         "xmlns='http://jabber.org/protocol/muc#admin'><item "
                         "affiliation='outcast' jid='%s'><reason>Spam</reason></item>"
                         "</query></iq>",
                         banned, alice);
  g_assert_true (peer_iq (bob, xml));

  /* Password: needed, then wrong, then right. */
  dialog = try_join (rooms, secret, NULL, "password", NULL);
  d = flint_join_dialog_describe (dialog);
  g_assert_nonnull (strstr (d, flint_error_describe (FLINT_ERROR_MUC_PASSWORD)));
  g_assert_null (strstr (d, "create"));
  g_object_unref (dialog);
  dialog = try_join (rooms, secret, "wrong", "password", NULL);
  g_object_unref (dialog);
  dialog = try_join (rooms, secret, "pw", "|||", &joined);
  g_assert_true (wait_until (is_set, &joined, WAIT_MS));
  g_assert_cmpint (flint_room_get_state (joined), ==, FLINT_ROOM_JOINED);
  g_clear_object (&joined);
  g_object_unref (dialog);

  /* Members only: who to ask. */
  dialog = try_join (rooms, members, NULL, "members", NULL);
  g_clear_pointer (&d, g_free);
  d = flint_join_dialog_describe (dialog);
  g_assert_nonnull (strstr (d, flint_error_describe (FLINT_ERROR_MUC_MEMBERS_ONLY)));
  g_object_unref (dialog);

  /* Banned. */
  dialog = try_join (rooms, banned, NULL, "banned", NULL);
  g_clear_pointer (&d, g_free);
  d = flint_join_dialog_describe (dialog);
  g_assert_nonnull (strstr (d, flint_error_describe (FLINT_ERROR_MUC_BANNED)));
  g_assert_null (strstr (d, "create"));
  g_object_unref (dialog);

  /* Create Room with a name that is taken: said, with Join It. */
  dialog = flint_join_dialog_new (NULL, rooms, NULL, "alice");
  g_object_ref_sink (dialog);
  flint_join_dialog_set_create_mode (dialog, TRUE);
  flint_join_dialog_set_room (dialog, members);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.create", NULL);
  w = (DescribeWait){ dialog, "already exists" };
  g_assert_true (wait_until (describe_has, &w, WAIT_MS));
  g_clear_pointer (&d, g_free);
  d = flint_join_dialog_describe (dialog);
  g_assert_nonnull (strstr (d, "|join|"));
  g_object_unref (dialog);

  /* A new room's setup closed without saving: the room goes. */
  dialog = flint_join_dialog_new (NULL, rooms, NULL, "alice");
  g_object_ref_sink (dialog);
  flint_join_dialog_set_create_mode (dialog, TRUE);
  flint_join_dialog_set_configure (dialog, TRUE);
  flint_join_dialog_set_room (dialog, setup);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.create", NULL);
  w = (DescribeWait){ dialog, "|config" };
  g_assert_true (wait_until (describe_has, &w, WAIT_MS));
  g_assert_nonnull (flint_rooms_get_room (rooms, setup));
  gtk_window_close (GTK_WINDOW (dialog));
  {
    void *args[] = { rooms, setup };
    g_autofree char *line = g_strdup_printf (
      "{\"cmd\": \"raw\", \"xml\": \"<presence xmlns='jabber:client' to='%s/bob'>"
      "<x xmlns='http://jabber.org/protocol/muc'/></presence>\"}",
      setup);

    g_autofree char *from = g_strdup_printf ("\"from\": \"%s/bob\"", setup);
    g_autofree char *answer = NULL;

    g_assert_true (wait_until (room_gone, args, WAIT_MS));
    /* Destroyed on the server: bob's join either makes a new room (201)
     * or meets the tombstone Prosody keeps of a destroyed persistent
     * room (an error); never the old room. */
    spin (300);
    peer_command (bob, line);
    for (guint i = 0; i < 50 && answer == NULL; i++)
      {
        g_autofree char *next = peer_read_line (bob, WAIT_MS);

        if (strstr (next, "\"presence\"") && strstr (next, from))
          answer = g_steal_pointer (&next);
      }
    g_test_message ("bob joining the closed room: %s", answer);
    g_assert_nonnull (answer);
    g_assert_true (strstr (answer, "\"type\": \"error\"") || strstr (answer, "\"201\""));
  }
  g_object_unref (dialog);

  peer_stop (bob);
  flint_session_disconnect (session);
  spin (100);
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  adw_init ();
  server_start (&server, TRUE);
  g_test_add_func ("/join-dialog/errors-and-create", test_join_dialog);
  g_test_add_func ("/join-dialog/refusals", test_refusals);
  rc = g_test_run ();
  server_do (&server, "prosody-stop");
  remove_tree (server.workdir);
  return rc;
}

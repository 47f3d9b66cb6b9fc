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

#define WAIT_MS 10000

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

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  adw_init ();
  server_start (&server, TRUE);
  g_test_add_func ("/join-dialog/errors-and-create", test_join_dialog);
  rc = g_test_run ();
  server_do (&server, "prosody-stop");
  remove_tree (server.workdir);
  return rc;
}

/* FlintRoster against a real Prosody (tests/harness/flint_harness.py) and
 * slixmpp peers (tests/harness/peer.py): the roster with groups, presence,
 * subscription requests answered both ways, add/rename/move/remove through
 * roster pushes, XEP-0191 blocking, and a forged push that must not count. */
#include "config.h"

#include <string.h>

#include "flint-error.h"
#include "flint-roster.h"
#include "flint-test-server.h"

static Server server;
static FlintAccount *account;
static FlintSession *session;
static FlintRoster *roster;
static Peer *bob;
static GPtrArray *requests;

#define WAIT_FOR(cond)                                                                   \
  G_STMT_START                                                                           \
  {                                                                                      \
    gint64 _end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;                         \
    while (!(cond) && g_get_monotonic_time () < _end)                                    \
      spin (20);                                                                         \
    g_assert_true (cond);                                                                \
  }                                                                                      \
  G_STMT_END

static char *
jid_of (const char *user)
{
  return g_strdup_printf ("%s@%s", user, server.domain);
}

static FlintContact *
lookup (const char *user)
{
  g_autofree char *jid = jid_of (user);

  return flint_roster_lookup (roster, jid);
}

static FlintRosterGroup *
group_named (const char *name)
{
  GListModel *groups = flint_roster_get_groups (roster);

  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr (FlintRosterGroup) group = g_list_model_get_item (groups, i);

      if (g_str_equal (flint_roster_group_get_name (group), name))
        return group;
    }
  return NULL;
}

static gboolean
group_has (const char *name, const char *user)
{
  FlintRosterGroup *group = group_named (name);
  FlintContact *contact = lookup (user);

  for (guint i = 0;
       group && contact && i < g_list_model_get_n_items (G_LIST_MODEL (group)); i++)
    {
      g_autoptr (FlintContact) item = g_list_model_get_item (G_LIST_MODEL (group), i);

      if (item == contact)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_request (const char *user)
{
  g_autofree char *jid = jid_of (user);

  for (guint i = 0; i < requests->len; i++)
    if (g_str_equal (g_ptr_array_index (requests, i), jid))
      return TRUE;
  return FALSE;
}

static gboolean
is_blocked (const char *user)
{
  g_autofree char *jid = jid_of (user);

  return g_strv_contains (flint_roster_get_blocked (roster), jid);
}

/* Reads peer events until one holds both needles; returns it. */
static char *
peer_expect (Peer *peer, const char *needle1, const char *needle2)
{
  for (guint i = 0; i < 200; i++)
    {
      char *line = peer_read_line (peer, 15000);

      g_assert_nonnull (line);
      if (strstr (line, needle1) && (needle2 == NULL || strstr (line, needle2)))
        return line;
      g_free (line);
    }
  g_assert_not_reached ();
}

static void
on_subscription_request (FlintRoster *r, const char *jid, const char *nick, gpointer data)
{
  g_ptr_array_add (requests, g_strdup (jid));
}

/* ---- tests -------------------------------------------------------------- */

static void
test_fetch (void)
{
  FlintContact *contact;
  FlintRosterGroup *team;

  flint_roster_set_show_offline (roster, TRUE);
  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  WAIT_FOR (flint_roster_get_loaded (roster));

  contact = lookup ("bob");
  g_assert_nonnull (contact);
  g_assert_cmpstr (flint_contact_get_name (contact), ==, "Bob");
  g_assert_cmpstr (flint_contact_get_subscription (contact), ==, "both");
  g_assert_true (group_has ("Team", "bob"));
  g_assert_true (group_has ("Friends", "bob"));
  g_assert_true (group_has ("Team", "carol"));
  g_assert_false (group_has ("Friends", "carol"));
  team = group_named ("Team");
  g_assert_cmpuint (flint_roster_group_get_n_contacts (team), ==, 2);

  /* bob is online: his presence came in answer to ours. */
  WAIT_FOR (flint_contact_get_presence (contact) == FLINT_PRESENCE_AVAILABLE);
  g_assert_cmpuint (flint_roster_group_get_n_online (team), ==, 1);
  g_assert_nonnull (flint_contact_get_best_jid (contact));
  g_assert_true (g_str_has_prefix (flint_contact_get_best_jid (contact), "bob@"));
}

static void
test_presence (void)
{
  FlintContact *contact = lookup ("bob");

  peer_command (bob,
                "{\"cmd\": \"presence\", \"show\": \"away\", \"status\": \"at lunch\"}");
  WAIT_FOR (flint_contact_get_presence (contact) == FLINT_PRESENCE_AWAY);
  WAIT_FOR (g_strcmp0 (flint_contact_get_status (contact), "at lunch") == 0);

  peer_command (bob, "{\"cmd\": \"presence\", \"show\": \"dnd\", \"status\": \"busy\"}");
  WAIT_FOR (flint_contact_get_presence (contact) == FLINT_PRESENCE_DND);
  WAIT_FOR (g_strcmp0 (flint_contact_get_status (contact), "busy") == 0);
}

static void
test_forged_push (void)
{
  g_autofree char *mallory = jid_of ("mallory");
  g_autofree char *command = g_strdup_printf (
    "{\"cmd\": \"iq\", \"xml\": \"<iq xmlns='jabber:client' type='set' to='%s'>"
    "<query xmlns='jabber:iq:roster'><item jid='%s' name='Mallory'/></query></iq>\"}",
    flint_session_get_bound_jid (session), mallory);
  g_autofree char *line = NULL;

  /* RFC 6121 2.1.6: a push from anyone but our own account is ignored. */
  peer_command (bob, command);
  line = peer_expect (bob, "\"done\"", "\"iq\"");
  g_assert_nonnull (strstr (line, "\"type\": \"error\""));
  g_assert_null (flint_roster_lookup (roster, mallory));
}

static void
test_subscription_approve (void)
{
  g_autofree char *alice = jid_of ("alice");
  g_autofree char *dave_jid = jid_of ("dave");
  g_autofree char *command =
    g_strdup_printf ("{\"cmd\": \"subscribe\", \"to\": \"%s\"}", alice);
  Peer *dave = peer_start (&server, "dave", "secret-d");
  g_autofree char *subscribed = NULL;
  gboolean saw_subscribed = FALSE, saw_subscribe = FALSE;

  peer_command (dave, command);
  WAIT_FOR (has_request ("dave"));
  g_assert_true (g_strv_contains (flint_roster_get_pending_requests (roster), dave_jid));

  flint_roster_approve (roster, dave_jid, TRUE);
  g_assert_false (g_strv_contains (flint_roster_get_pending_requests (roster), dave_jid));
  while (!saw_subscribed || !saw_subscribe)
    {
      g_autofree char *line = peer_expect (dave, "\"presence\"", alice);

      saw_subscribed |= strstr (line, "\"type\": \"subscribed\"") != NULL;
      saw_subscribe |= strstr (line, "\"type\": \"subscribe\"") != NULL;
    }

  /* dave's peer accepts back: both ways now, and he is listed. */
  WAIT_FOR (lookup ("dave") != NULL);
  WAIT_FOR (g_strcmp0 (flint_contact_get_subscription (lookup ("dave")), "both") == 0);
  WAIT_FOR (group_has ("Contacts", "dave"));
  WAIT_FOR (flint_contact_get_presence (lookup ("dave")) == FLINT_PRESENCE_AVAILABLE);
  peer_stop (dave);
  WAIT_FOR (flint_contact_get_presence (lookup ("dave")) == FLINT_PRESENCE_OFFLINE);
}

static void
test_subscription_deny (void)
{
  g_autofree char *alice = jid_of ("alice");
  g_autofree char *erin_jid = jid_of ("erin");
  g_autofree char *command =
    g_strdup_printf ("{\"cmd\": \"subscribe\", \"to\": \"%s\"}", alice);
  Peer *erin = peer_start (&server, "erin", "secret-e");
  g_autofree char *line = NULL;

  peer_command (erin, command);
  WAIT_FOR (has_request ("erin"));
  flint_roster_deny (roster, erin_jid);
  line = peer_expect (erin, "\"unsubscribed\"", alice);
  g_assert_false (g_strv_contains (flint_roster_get_pending_requests (roster), erin_jid));
  g_assert_null (lookup ("erin"));
  peer_stop (erin);
}

static void
test_add_rename_move_remove (void)
{
  g_autofree char *frank = jid_of ("frank");
  const char *ops[] = { "Ops", NULL };
  const char *ops_team[] = { "Ops", "Team", NULL };
  g_autoptr (GError) error = NULL;

  g_assert_false (flint_roster_add (roster, "not a jid", "X", NULL, &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_INVALID_JID);
  g_clear_error (&error);

  g_assert_true (flint_roster_add (roster, frank, "Frank", ops, &error));
  g_assert_no_error (error);
  WAIT_FOR (lookup ("frank") != NULL);
  g_assert_cmpstr (flint_contact_get_name (lookup ("frank")), ==, "Frank");
  WAIT_FOR (group_has ("Ops", "frank"));
  WAIT_FOR (flint_contact_get_pending_out (lookup ("frank")));

  flint_roster_rename (roster, frank, "Franky");
  WAIT_FOR (g_strcmp0 (flint_contact_get_display_name (lookup ("frank")), "Franky") == 0);
  g_assert_true (group_has ("Ops", "frank"));

  flint_roster_set_groups (roster, frank, ops_team);
  WAIT_FOR (group_has ("Team", "frank"));
  g_assert_true (group_has ("Ops", "frank"));
  g_assert_cmpstr (flint_contact_get_name (lookup ("frank")), ==, "Franky");

  flint_roster_remove (roster, frank);
  WAIT_FOR (lookup ("frank") == NULL);
  g_assert_null (group_named ("Ops"));
  g_assert_false (group_has ("Team", "frank"));
}

static void
test_block (void)
{
  g_autofree char *carol = jid_of ("carol");

  WAIT_FOR (flint_roster_get_can_block (roster));
  g_assert_false (is_blocked ("carol"));
  flint_roster_block (roster, carol);
  WAIT_FOR (is_blocked ("carol"));
  g_assert_true (flint_contact_get_blocked (lookup ("carol")));
  flint_roster_unblock (roster, carol);
  WAIT_FOR (!is_blocked ("carol"));
  g_assert_false (flint_contact_get_blocked (lookup ("carol")));
}

static void
test_peer_offline (void)
{
  FlintContact *contact = lookup ("bob");

  peer_stop (bob);
  bob = NULL;
  WAIT_FOR (flint_contact_get_presence (contact) == FLINT_PRESENCE_OFFLINE);
  g_assert_null (flint_contact_get_status (contact));
  g_assert_cmpuint (flint_roster_group_get_n_online (group_named ("Team")), ==, 0);

  /* Hidden once offline contacts are. */
  flint_roster_set_show_offline (roster, FALSE);
  g_assert_false (group_has ("Team", "bob"));
}

/* alice's roster before Flint first sees it, made by a slixmpp alice. */
static void
seed_roster (void)
{
  g_autofree char *bob_jid = jid_of ("bob");
  g_autofree char *carol_jid = jid_of ("carol");
  g_autofree char *add_bob =
    g_strdup_printf ("{\"cmd\": \"roster_add\", \"jid\": \"%s\", \"name\": \"Bob\", "
                     "\"groups\": [\"Team\", \"Friends\"], \"subscribe\": true}",
                     bob_jid);
  g_autofree char *add_carol = g_strdup_printf (
    "{\"cmd\": \"roster_add\", \"jid\": \"%s\", \"groups\": [\"Team\"]}", carol_jid);
  Peer *alice = peer_start (&server, "alice", "secret-a");

  peer_command (alice, add_carol);
  g_free (peer_expect (alice, "\"done\"", "roster_add"));
  peer_command (alice, add_bob);
  g_free (peer_expect (alice, "\"done\"", "roster_add"));
  /* bob's peer accepts and asks back; alice's accepts: both ways. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *line = NULL;

      peer_command (alice, "{\"cmd\": \"roster_get\"}");
      line = peer_expect (alice, "\"done\"", "roster_get");
      if (strstr (line, "\"subscription\": \"both\""))
        break;
      g_assert_cmpuint (i, <, 99);
      spin (100);
    }
  peer_stop (alice);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  server_start (&server, TRUE);
  server_register (&server, "carol", "secret-c");
  server_register (&server, "dave", "secret-d");
  server_register (&server, "erin", "secret-e");
  server_register (&server, "frank", "secret-f");

  bob = peer_start (&server, "bob", "secret-b");
  seed_roster ();

  requests = g_ptr_array_new_with_free_func (g_free);
  account = make_account (&server, "alice", TRUE);
  session = session_new (account, "secret-a");
  roster = flint_roster_new (session);
  g_signal_connect (roster, "subscription-request", G_CALLBACK (on_subscription_request),
                    NULL);

  g_test_add_func ("/roster/fetch", test_fetch);
  g_test_add_func ("/roster/presence", test_presence);
  g_test_add_func ("/roster/forged-push-ignored", test_forged_push);
  g_test_add_func ("/roster/subscription-approve", test_subscription_approve);
  g_test_add_func ("/roster/subscription-deny", test_subscription_deny);
  g_test_add_func ("/roster/add-rename-move-remove", test_add_rename_move_remove);
  g_test_add_func ("/roster/block", test_block);
  g_test_add_func ("/roster/peer-offline", test_peer_offline);
  ret = g_test_run ();

  if (bob)
    peer_stop (bob);
  flint_session_disconnect (session);
  g_clear_object (&roster);
  g_clear_object (&session);
  g_clear_object (&account);
  g_ptr_array_unref (requests);
  server_do (&server, "prosody-stop");
  return ret;
}

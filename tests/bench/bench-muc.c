/* Rooms budgets (issue 5):
 *  - login with 30 autojoin bookmarks (XEP-0402, stored by another client
 *    of the account) against a local Prosody: from connect() to all 30
 *    rooms joined; budget 3 s.
 *  - a room of 500 occupants in the core model: the 500 presences of a
 *    join applied to FlintRoom (occupant list built), then a storm of 500
 *    presence changes; budget 100 ms each. (500 real occupants would need
 *    500 logged-in peers; this is the model's share, the UI's list view
 *    only renders the visible rows.)
 * Prints Markdown list items with their budgets; exits 1 if one is missed. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "flint-bookmarks.h"
#include "flint-room-private.h"
#include "flint-rooms.h"
#include "flint-test-server.h"

#define N_ROOMS 30
#define N_OCCUPANTS 500

static Server server;
static gboolean missed;

static void
report (const char *what, double ms, double budget_ms)
{
  printf ("- %s: %.1f ms (budget %.0f ms)%s\n", what, ms, budget_ms,
          ms > budget_ms ? " MISSED" : "");
  if (ms > budget_ms)
    missed = TRUE;
}

static gboolean
all_joined (gpointer data)
{
  GListModel *rooms = flint_rooms_get_rooms (data);
  guint joined = 0;

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr (FlintRoom) room = g_list_model_get_item (rooms, i);
      joined += flint_room_get_state (room) == FLINT_ROOM_JOINED;
    }
  return joined == N_ROOMS;
}

static void
bench_autojoin (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "history.db", NULL);
  g_autoptr (FlintHistory) history = flint_history_open (db, NULL);
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autoptr (FlintRooms) rooms = flint_rooms_new (session, history);
  g_autoptr (FlintBookmarks) bookmarks = flint_bookmarks_new (session, NULL, rooms);
  Peer *other = peer_start (&server, "alice", "secret-a");
  gint64 t0;

  for (guint i = 0; i < N_ROOMS; i++)
    {
      g_autofree char *line = g_strdup_printf (
        "{\"cmd\": \"iq\", \"xml\": \"<iq xmlns='jabber:client' type='set'>"
        "<pubsub xmlns='http://jabber.org/protocol/pubsub'>"
        "<publish node='urn:xmpp:bookmarks:1'><item id='room%u@conference.%s'>"
        "<conference xmlns='urn:xmpp:bookmarks:1' name='Room %u' autojoin='true'/>"
        "</item></publish><publish-options><x xmlns='jabber:x:data' type='submit'>"
        "<field var='FORM_TYPE' type='hidden'>"
        "<value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
        "<field var='pubsub#persist_items'><value>true</value></field>"
        "<field var='pubsub#max_items'><value>max</value></field>"
        "<field var='pubsub#access_model'><value>whitelist</value></field>"
        "</x></publish-options></pubsub></iq>\"}",
        i, server.domain, i);
      peer_command (other, line);
      g_assert_true (peer_wait_event (other, "\"iq\"", "result"));
    }
  peer_stop (other);

  t0 = g_get_monotonic_time ();
  flint_session_connect (session);
  g_assert_true (wait_until (all_joined, rooms, 30000));
  report ("login with 30 autojoin bookmarks, all joined",
          (g_get_monotonic_time () - t0) / 1000.0, 3000);
  flint_session_disconnect (session);
  spin (200);
}

static void
release_stanza (gpointer stanza)
{
  xmpp_stanza_release (stanza);
}

static void
bench_occupants (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "history2.db", NULL);
  g_autoptr (FlintHistory) history = flint_history_open (db, NULL);
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autoptr (FlintRoom) room =
    flint_room_new (session, history, "big@conference.flint.test", "alice", NULL);
  xmpp_ctx_t *ctx = flint_session_get_context (session);
  g_autoptr (GPtrArray) joins = g_ptr_array_new_with_free_func (release_stanza);
  g_autoptr (GPtrArray) changes = g_ptr_array_new_with_free_func (release_stanza);
  gint64 t0;

  for (guint i = 0; i < N_OCCUPANTS; i++)
    {
      g_autofree char *join =
        g_strdup_printf ("<presence from='big@conference.flint.test/user%u'>"
                         "<x xmlns='http://jabber.org/protocol/muc#user'>"
                         "<item affiliation='%s' role='participant' "
                         "jid='user%u@flint.test/r'/></x></presence>",
                         i, i % 10 ? "none" : "member", i);
      g_autofree char *away = g_strdup_printf (
        "<presence from='big@conference.flint.test/user%u'><show>away</show>"
        "<x xmlns='http://jabber.org/protocol/muc#user'>"
        "<item affiliation='none' role='%s'/></x></presence>",
        i, i % 50 ? "participant" : "moderator");
      g_ptr_array_add (joins, xmpp_stanza_new_from_string (ctx, join));
      g_ptr_array_add (changes, xmpp_stanza_new_from_string (ctx, away));
    }
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < joins->len; i++)
    flint_room_handle_presence (room, g_ptr_array_index (joins, i));
  report ("500 occupants' presences on joining (core model)",
          (g_get_monotonic_time () - t0) / 1000.0, 100);
  g_assert_cmpuint (g_list_model_get_n_items (flint_room_get_occupants (room)), ==,
                    N_OCCUPANTS);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < changes->len; i++)
    flint_room_handle_presence (room, g_ptr_array_index (changes, i));
  report ("presence storm, 500 changes (core model)",
          (g_get_monotonic_time () - t0) / 1000.0, 100);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-bench-muc-XXXXXX", NULL);

  server_start (&server, TRUE);
  printf ("\n### bench-muc, %s\n\n",
          g_date_time_format_iso8601 (g_date_time_new_now_utc ()));
  bench_autojoin (dir);
  bench_occupants (dir);
  server_do (&server, "prosody-stop");
  remove_tree (server.workdir);
  remove_tree (dir);
  return missed ? 1 : 0;
}

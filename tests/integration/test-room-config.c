/* Room creation, configuration and the room directory against a real
 * Prosody whose new rooms stay locked until configured
 * (muc_room_locking), with slixmpp peers checking from outside:
 * - an instant room opens at once (a peer can join it);
 * - a configured room stays locked while the form is filled, then has
 *   the name, description, password, persistence the owner chose (the
 *   peer's own disco#info shows them, the peer needs the password);
 * - the current configuration reads back; a non-owner is refused with a
 *   clear error; cancelling a new room's setup destroys it;
 * - the directory finds the MUC service, lists 200 rooms made by a peer
 *   (names, sorted) and fetches details only for rooms asked for, at most
 *   a few at once, with descriptions and occupant counts. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "flint-error.h"
#include "flint-room-config.h"
#include "flint-room-directory.h"
#include "flint-rooms.h"
#include "flint-test-server.h"

#define WAIT_MS 30000

static Server server;

typedef struct
{
  char *dir;
  FlintAccount *account;
  FlintSession *session;
  FlintHistory *history;
  FlintRooms *rooms;
  char *muc;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *db = NULL;
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("flint-room-config-XXXXXX", NULL);
  db = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (db, &error);
  g_assert_no_error (error);
  f->account = make_account (&server, "alice", TRUE);
  f->session = session_new (f->account, "secret-a");
  f->rooms = flint_rooms_new (f->session, f->history);
  f->muc = g_strdup_printf ("conference.%s", server.domain);
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
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->muc);
}

/* ---- helpers ------------------------------------------------------------ */

static char *
peer_wait_line (Peer *peer, const char *needle1, const char *needle2)
{
  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *line = peer_read_line (peer, WAIT_MS);

      if (line == NULL)
        return NULL;
      if (strstr (line, needle1) && (needle2 == NULL || strstr (line, needle2)))
        return g_steal_pointer (&line);
    }
  return NULL;
}

/* The peer's join_muc answer: "done" or the error event. */
static char *
peer_try_join (Peer *peer, const char *room, const char *nick, const char *password)
{
  g_autofree char *line = NULL;
  char *answer;

  if (password)
    line = g_strdup_printf ("{\"cmd\": \"join_muc\", \"room\": \"%s\", \"nick\": \"%s\", "
                            "\"password\": \"%s\"}",
                            room, nick, password);
  else
    line = g_strdup_printf ("{\"cmd\": \"join_muc\", \"room\": \"%s\", \"nick\": \"%s\"}",
                            room, nick);
  peer_command (peer, line);
  answer = peer_wait_line (peer, "\"cmd\": \"join_muc\"", NULL);
  g_test_message ("join %s: %s", room, answer);
  return answer;
}

/* A join the room should refuse, without waiting for slixmpp's join
 * timeout: the room's presence answer ("type": "error" with its
 * condition, or "available"). */
static char *
peer_join_refused (Peer *peer, const char *room, const char *nick, const char *password)
{
  g_autofree char *line = g_strdup_printf (
    "{\"cmd\": \"raw\", \"xml\": \"<presence xmlns='jabber:client' to='%s/%s'>"
    "<x xmlns='http://jabber.org/protocol/muc'>%s%s%s</x></presence>\"}",
    room, nick, password ? "<password>" : "", password ? password : "",
    password ? "</password>" : "");
  g_autofree char *from = g_strdup_printf ("\"from\": \"%s/%s\"", room, nick);
  char *answer;

  peer_command (peer, line);
  answer = peer_wait_line (peer, "\"event\": \"presence\"", from);
  g_test_message ("refused join %s: %s", room, answer);
  g_assert_nonnull (answer);
  g_assert_nonnull (strstr (answer, "\"type\": \"error\""));
  return answer;
}

/* The reply XML of an iq the peer sends (single quotes only in xml). */
static char *
peer_iq (Peer *peer, const char *xml)
{
  g_autofree char *line = g_strdup_printf ("{\"cmd\": \"iq\", \"xml\": \"%s\"}", xml);

  peer_command (peer, line);
  return peer_wait_line (peer, "\"cmd\": \"iq\"", NULL);
}

typedef struct
{
  GAsyncResult *result;
} AsyncWait;

static void
on_async (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncWait *w = user_data;
  w->result = g_object_ref (result);
}

static gboolean
async_done (gpointer data)
{
  return ((AsyncWait *) data)->result != NULL;
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

static FlintRoom *
join_new_room (Fixture *f, const char *jid, gboolean configure)
{
  g_autoptr (GError) error = NULL;
  FlintRoom *room = flint_rooms_join (f->rooms, jid, "alice", NULL, &error);
  StateWait w = { room, FLINT_ROOM_JOINED };

  g_assert_no_error (error);
  flint_room_set_configure_on_create (room, configure);
  g_assert_true (wait_until (state_is, &w, WAIT_MS));
  g_assert_true (flint_room_get_created (room));
  return room;
}

static FlintDataForm *
fetch (Fixture *f, const char *jid, GError **error)
{
  AsyncWait w = { 0 };
  FlintDataForm *form;

  flint_room_config_fetch_async (f->session, jid, NULL, on_async, &w);
  g_assert_true (wait_until (async_done, &w, WAIT_MS));
  form = flint_room_config_fetch_finish (w.result, error);
  g_object_unref (w.result);
  return form;
}

static gboolean
submit (Fixture *f, const char *jid, FlintDataForm *form, GError **error)
{
  AsyncWait w = { 0 };
  gboolean ok;

  flint_room_config_submit_async (f->session, jid, form, NULL, on_async, &w);
  g_assert_true (wait_until (async_done, &w, WAIT_MS));
  ok = flint_room_config_submit_finish (w.result, error);
  g_object_unref (w.result);
  return ok;
}

static void
set_field (FlintDataForm *form, const char *var, const char *value)
{
  FlintDataFormField *field = flint_data_form_find_field (form, var);

  g_assert_nonnull (field);
  flint_data_form_field_set_value (field, value);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_instant_room (Fixture *f, gconstpointer data)
{
  g_autofree char *jid = g_strdup_printf ("instant@%s", f->muc);
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autofree char *answer = NULL;

  g_autoptr (FlintDataForm) form = NULL;

  join_new_room (f, jid, FALSE);
  /* The empty form went out with the join. One more owner request on
   * the same stream: once it is answered the server has handled the
   * form (without this, bob's join could overtake it: a flaky test). */
  form = fetch (f, jid, NULL);
  g_assert_nonnull (form);
  /* The room is open to others. */
  answer = peer_try_join (bob, jid, "bob", NULL);
  g_assert_nonnull (answer);
  g_assert_nonnull (strstr (answer, "\"done\""));
  peer_stop (bob);
}

static void
test_configured_room (Fixture *f, gconstpointer data)
{
  g_autofree char *jid = g_strdup_printf ("planning@%s", f->muc);
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autoptr (FlintDataForm) form = NULL;
  g_autoptr (FlintDataForm) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *info = NULL;
  g_autofree char *xml = NULL;

  join_new_room (f, jid, TRUE);

  /* Locked while its owner fills in the form: nobody else gets in. */
  answer = peer_join_refused (bob, jid, "bob", NULL);
  g_assert_nonnull (strstr (answer, "item-not-found"));
  g_clear_pointer (&answer, g_free);

  form = fetch (f, jid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (flint_data_form_get_namespace (form), ==,
                   "http://jabber.org/protocol/muc#roomconfig");
  g_assert_nonnull (flint_data_form_find_field (form, "muc#roomconfig_roomname"));
  set_field (form, "muc#roomconfig_roomname", "Planning Team");
  set_field (form, "muc#roomconfig_roomdesc", "Quarterly planning and budgets");
  set_field (form, "muc#roomconfig_roomsecret", "s3cret");
  flint_data_form_field_set_boolean (
    flint_data_form_find_field (form, "muc#roomconfig_persistentroom"), TRUE);
  flint_data_form_field_set_boolean (
    flint_data_form_find_field (form, "muc#roomconfig_publicroom"), TRUE);
  g_assert_true (flint_data_form_validate (form, NULL, NULL));
  g_assert_true (submit (f, jid, form, &error));
  g_assert_no_error (error);

  /* The peer sees the room as configured. */
  xml = g_strdup_printf ("<iq xmlns='jabber:client' type='get' to='%s'>"
                         "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
                         jid);
  info = peer_iq (bob, xml);
  g_assert_nonnull (info);
  g_assert_nonnull (strstr (info, "\"type\": \"result\""));
  g_assert_nonnull (strstr (info, "name=\\\"Planning Team\\\""));
  g_assert_nonnull (strstr (info, "Quarterly planning and budgets"));
  g_assert_nonnull (strstr (info, "muc_passwordprotected"));
  g_assert_nonnull (strstr (info, "muc_persistent"));
  g_assert_nonnull (strstr (info, "muc_public"));

  /* The password is needed now. */
  answer = peer_join_refused (bob, jid, "bob", NULL);
  g_assert_nonnull (strstr (answer, "not-authorized"));
  g_clear_pointer (&answer, g_free);
  answer = peer_try_join (bob, jid, "bob", "s3cret");
  g_assert_nonnull (strstr (answer, "\"done\""));

  /* And the owner reads back what was set. */
  again = fetch (f, jid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (flint_data_form_field_get_value (
                     flint_data_form_find_field (again, "muc#roomconfig_roomname")),
                   ==, "Planning Team");
  g_assert_true (flint_data_form_field_get_boolean (
    flint_data_form_find_field (again, "muc#roomconfig_persistentroom")));
  peer_stop (bob);
}

static void
test_not_owner (Fixture *f, gconstpointer data)
{
  g_autofree char *jid = g_strdup_printf ("bobs@%s", f->muc);
  g_autofree char *submit_xml = NULL;
  g_autofree char *reply = NULL;
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autoptr (FlintDataForm) form = NULL;
  g_autoptr (GError) error = NULL;

  g_free (peer_try_join (bob, jid, "bob", NULL));
  submit_xml = g_strdup_printf (
    "<iq xmlns='jabber:client' type='set' to='%s'><query "
    "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
    "type='submit'/></query></iq>",
    jid);
  reply = peer_iq (bob, submit_xml);
  g_assert_nonnull (strstr (reply, "\"type\": \"result\""));

  form = fetch (f, jid, &error);
  g_assert_null (form);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_MUC_REFUSED);
  g_assert_nonnull (strstr (error->message, "owners"));
  g_clear_error (&error);
  /* Submitting is refused the same way. */
  g_assert_false (submit (f, jid, NULL, &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_MUC_REFUSED);
  peer_stop (bob);
}

static void
test_cancel_destroys (Fixture *f, gconstpointer data)
{
  g_autofree char *jid = g_strdup_printf ("never@%s", f->muc);
  FlintRoom *room = join_new_room (f, jid, TRUE);
  StateWait gone = { room, FLINT_ROOM_FAILED };

  flint_room_config_cancel (f->session, jid, TRUE);
  /* The service destroys the locked room and tells us. */
  g_assert_true (wait_until (state_is, &gone, WAIT_MS));
  g_assert_true (g_error_matches (flint_room_get_error (room), FLINT_ERROR,
                                  FLINT_ERROR_MUC_DESTROYED));
  flint_rooms_close (f->rooms, jid);
}

typedef struct
{
  FlintRoomDirectory *dir;
  FlintRoomDirectoryState state;
} DirWait;

static gboolean
dir_state_is (gpointer data)
{
  DirWait *w = data;
  return flint_room_directory_get_state (w->dir) == w->state;
}

static gboolean
infos_loaded (gpointer data)
{
  GPtrArray *listings = data;

  for (guint i = 0; i < listings->len; i++)
    if (flint_room_listing_get_info_state (listings->pdata[i]) != FLINT_ROOM_INFO_LOADED)
      return FALSE;
  return TRUE;
}

static void
test_directory (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, "bob", "secret-b");
  g_autofree char *line = NULL;
  g_autofree char *done = NULL;
  g_autoptr (FlintRoomDirectory) dir = flint_room_directory_new (f->session);
  DirWait w = { dir, FLINT_ROOM_DIRECTORY_READY };
  GListModel *rooms = flint_room_directory_get_rooms (dir);
  g_autoptr (GPtrArray) asked = g_ptr_array_new_with_free_func (g_object_unref);
  guint n, found = 0;
  gint64 t0;

  line = g_strdup_printf (
    "{\"cmd\": \"make_rooms\", \"service\": \"%s\", \"prefix\": \"team\", \"count\": "
    "200, \"name\": \"Team {i:03d}\", \"description\": \"Work of team number {i}\"}",
    f->muc);
  peer_command (bob, line);
  done = peer_wait_line (bob, "\"cmd\": \"make_rooms\"", NULL);
  g_assert_nonnull (done);
  g_assert_nonnull (strstr (done, "\"done\""));

  t0 = g_get_monotonic_time ();
  flint_room_directory_refresh (dir);
  g_assert_cmpint (flint_room_directory_get_state (dir), ==,
                   FLINT_ROOM_DIRECTORY_LOADING);
  g_assert_true (wait_until (dir_state_is, &w, WAIT_MS));
  g_test_message ("200 rooms listed in %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpstr (flint_room_directory_get_services (dir)[0], ==, f->muc);
  g_assert_null (flint_room_directory_get_services (dir)[1]);

  /* Rooms of earlier tests may be listed too (public, persistent). */
  n = g_list_model_get_n_items (rooms);
  g_assert_cmpuint (n, >=, 200);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintRoomListing) l = g_list_model_get_item (rooms, i);

      if (g_str_has_prefix (flint_room_listing_get_jid (l), "team"))
        {
          g_autofree char *name = g_strdup_printf ("Team %03u", found);

          /* Sorted by name: team0, team1, ... in order. */
          g_assert_cmpstr (flint_room_listing_get_name (l), ==, name);
          found++;
        }
      /* Nothing fetched until asked. */
      g_assert_cmpint (flint_room_listing_get_info_state (l), ==, FLINT_ROOM_INFO_NONE);
    }
  g_assert_cmpuint (found, ==, 200);
  g_assert_cmpuint (flint_room_directory_get_info_requests (dir), ==, 0);

  /* Ask for 20 (a screenful): only those are fetched. */
  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (asked, g_list_model_get_item (rooms, i));
  for (guint i = 0; i < asked->len; i++)
    flint_room_directory_request_info (dir, asked->pdata[i]);
  if (!wait_until (infos_loaded, asked, WAIT_MS))
    for (guint i = 0; i < asked->len; i++)
      g_test_message ("%s: info state %d", flint_room_listing_get_jid (asked->pdata[i]),
                      flint_room_listing_get_info_state (asked->pdata[i]));
  g_assert_true (infos_loaded (asked));
  g_assert_cmpuint (flint_room_directory_get_info_requests (dir), ==, 20);
  /* Asking again costs nothing. */
  flint_room_directory_request_info (dir, asked->pdata[0]);
  g_assert_cmpuint (flint_room_directory_get_info_requests (dir), ==, 20);
  for (guint i = 0; i < asked->len; i++)
    {
      FlintRoomListing *l = asked->pdata[i];

      if (!g_str_has_prefix (flint_room_listing_get_jid (l), "team"))
        continue;
      g_assert_true (g_str_has_prefix (flint_room_listing_get_description (l),
                                       "Work of team number "));
      /* The peer stays in each room it made. */
      g_assert_cmpint (flint_room_listing_get_occupants (l), ==, 1);
      g_assert_false (flint_room_listing_get_password_protected (l));
    }

  /* The filter: words in any order, any case. */
  {
    g_autoptr (FlintRoomListing) l = g_list_model_get_item (rooms, 0);
    g_autofree char *needle = g_utf8_casefold ("NUMBER work", -1);

    if (g_str_has_prefix (flint_room_listing_get_jid (l), "team"))
      g_assert_true (flint_room_listing_matches (l, needle));
    g_assert_false (flint_room_listing_matches (l, "zebra"));
  }

  /* A service that does not exist fails clearly. */
  {
    DirWait failed = { dir, FLINT_ROOM_DIRECTORY_FAILED };

    flint_room_directory_load_service (dir, "nowhere.invalid");
    g_assert_true (wait_until (dir_state_is, &failed, WAIT_MS));
    g_assert_cmpuint (g_list_model_get_n_items (rooms), ==, 0);
    g_assert_nonnull (
      strstr (flint_room_directory_get_error (dir)->message, "nowhere.invalid"));
    flint_room_directory_load_service (dir, "not a jid");
    g_assert_cmpint (flint_room_directory_get_state (dir), ==,
                     FLINT_ROOM_DIRECTORY_FAILED);
    g_assert_error (flint_room_directory_get_error (dir), FLINT_ERROR,
                    FLINT_ERROR_INVALID_JID);
  }
  peer_stop (bob);
}

int
main (int argc, char **argv)
{
  const char *extra[] = { "--muc-room-locking", NULL };
  int rc;

  g_test_init (&argc, &argv, NULL);
  server_start_full (&server, TRUE, extra);
  g_test_add ("/room-config/instant", Fixture, NULL, fixture_set_up, test_instant_room,
              fixture_tear_down);
  g_test_add ("/room-config/configured", Fixture, NULL, fixture_set_up,
              test_configured_room, fixture_tear_down);
  g_test_add ("/room-config/not-owner", Fixture, NULL, fixture_set_up, test_not_owner,
              fixture_tear_down);
  g_test_add ("/room-config/cancel-destroys", Fixture, NULL, fixture_set_up,
              test_cancel_destroys, fixture_tear_down);
  g_test_add ("/room-config/directory", Fixture, NULL, fixture_set_up, test_directory,
              fixture_tear_down);
  rc = g_test_run ();
  server_do (&server, "prosody-stop");
  remove_tree (server.workdir);
  return rc;
}

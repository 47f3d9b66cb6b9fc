/* FlintBookmarks against real Prosody servers: one with mod_bookmarks
 * (XEP-0402 in PEP with XEP-0049 compat) and one without (XEP-0048 in
 * private storage only). A slixmpp peer on the same account is "another
 * client": what it stores Flint reads (autojoin rooms joined), what it
 * publishes while Flint is online shows up live, what Flint writes it
 * reads back, and elements Flint does not know survive Flint's edits. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "flint-bookmarks.h"
#include "flint-disco.h"
#include "flint-rooms.h"
#include "flint-test-server.h"

#define WAIT_MS 10000

static Server server;
static Server legacy;

typedef struct
{
  Server *server;
  char *dir;
  FlintAccount *account;
  FlintSession *session;
  FlintHistory *history;
  FlintDisco *disco;
  FlintRooms *rooms;
  FlintBookmarks *bookmarks;
  GString *log;
} Fixture;

static void
on_stanza_log (FlintSession *session, gboolean outgoing, const char *xml, Fixture *f)
{
  g_string_append_printf (f->log, "%s %s\n", outgoing ? ">>" : "<<", xml);
}

static void
fixture_start_as (Fixture *f, Server *s, const char *user, const char *password);

static void
fixture_start (Fixture *f, Server *s)
{
  fixture_start_as (f, s, "alice", "secret-a");
}

static void
fixture_start_as (Fixture *f, Server *s, const char *user, const char *password)
{
  g_autofree char *db = NULL;
  g_autoptr (GError) error = NULL;

  f->server = s;
  f->dir = g_dir_make_tmp ("flint-bookmarks-XXXXXX", NULL);
  db = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (db, &error);
  g_assert_no_error (error);
  f->account = make_account (s, user, TRUE);
  f->session = session_new (f->account, password);
  f->disco = flint_disco_new (f->session);
  f->rooms = flint_rooms_new (f->session, f->history);
  f->bookmarks = flint_bookmarks_new (f->session, f->disco, f->rooms);
  f->log = g_string_new (NULL);
  g_signal_connect (f->session, "stanza-log", G_CALLBACK (on_stanza_log), f);
  flint_session_connect (f->session);
  g_assert_true (wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
}

static gboolean
loaded (gpointer data)
{
  return flint_bookmarks_get_loaded (((Fixture *) data)->bookmarks);
}

static void
fixture_stop (Fixture *f)
{
  flint_session_disconnect (f->session);
  spin (100);
  g_clear_object (&f->bookmarks);
  g_clear_object (&f->rooms);
  g_clear_object (&f->disco);
  g_clear_object (&f->session);
  g_clear_object (&f->account);
  g_clear_object (&f->history);
  g_string_free (f->log, TRUE);
  remove_tree (f->dir);
  g_free (f->dir);
}

/* ---- peer helpers ------------------------------------------------------- */

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

/* Sends an iq (XML with single quotes only); returns the reply line. */
static char *
peer_iq (Peer *peer, const char *xml)
{
  g_autofree char *line = g_strdup_printf ("{\"cmd\": \"iq\", \"xml\": \"%s\"}", xml);

  peer_command (peer, line);
  return peer_wait_line (peer, "\"cmd\": \"iq\"", NULL);
}

static void
peer_publish (Peer *peer,
              const char *room,
              const char *conference_inner,
              const char *attrs)
{
  g_autofree char *xml = g_strdup_printf (
    "<iq xmlns='jabber:client' type='set'><pubsub "
    "xmlns='http://jabber.org/protocol/pubsub'>"
    "<publish node='urn:xmpp:bookmarks:1'><item id='%s'>"
    "<conference xmlns='urn:xmpp:bookmarks:1' %s>%s</conference></item></publish>"
    "<publish-options><x xmlns='jabber:x:data' type='submit'>"
    "<field var='FORM_TYPE' type='hidden'>"
    "<value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
    "<field var='pubsub#persist_items'><value>true</value></field>"
    "<field var='pubsub#max_items'><value>max</value></field>"
    "<field var='pubsub#access_model'><value>whitelist</value></field>"
    "</x></publish-options></pubsub></iq>",
    room, attrs, conference_inner);
  g_autofree char *reply = peer_iq (peer, xml);

  g_assert_nonnull (reply);
  g_assert_nonnull (strstr (reply, "\"type\": \"result\""));
}

static char *
peer_items (Peer *peer)
{
  return peer_iq (peer, "<iq xmlns='jabber:client' type='get'>"
                        "<pubsub xmlns='http://jabber.org/protocol/pubsub'>"
                        "<items node='urn:xmpp:bookmarks:1'/></pubsub></iq>");
}

static char *
peer_private (Peer *peer)
{
  return peer_iq (peer, "<iq xmlns='jabber:client' type='get'>"
                        "<query xmlns='jabber:iq:private'>"
                        "<storage xmlns='storage:bookmarks'/></query></iq>");
}

typedef struct
{
  Fixture *f;
  const char *jid;
  gboolean present;
} FindWait;

static gboolean
presence_is (gpointer data)
{
  FindWait *w = data;
  return (flint_bookmarks_find (w->f->bookmarks, w->jid) != NULL) == w->present;
}

static gboolean
wait_bookmark (Fixture *f, const char *jid, gboolean present)
{
  FindWait w = { f, jid, present };
  return wait_until (presence_is, &w, WAIT_MS);
}

typedef struct
{
  FlintRooms *rooms;
  const char *jid;
} JoinWait;

static gboolean
joined (gpointer data)
{
  JoinWait *w = data;
  FlintRoom *room = flint_rooms_get_room (w->rooms, w->jid);
  return room && flint_room_get_state (room) == FLINT_ROOM_JOINED;
}

static gboolean
wait_joined (Fixture *f, const char *jid)
{
  JoinWait w = { f->rooms, jid };
  return wait_until (joined, &w, WAIT_MS);
}

/* ---- XEP-0402 ----------------------------------------------------------- */

static void
test_pep (void)
{
  Fixture f = { 0 };
  Peer *other = peer_start (&server, "alice", "secret-a");
  g_autofree char *team = g_strdup_printf ("team@conference.%s", server.domain);
  g_autofree char *quiet = g_strdup_printf ("quiet@conference.%s", server.domain);
  g_autofree char *late = g_strdup_printf ("late@conference.%s", server.domain);
  g_autofree char *mine = g_strdup_printf ("mine@conference.%s", server.domain);
  g_autofree char *items = NULL;
  g_autofree char *priv = NULL;
  g_autoptr (FlintBookmark) edit = NULL;
  FlintBookmark *b;

  /* Another client of the account stored two bookmarks, one with an
   * element no one here knows. */
  peer_publish (other, team,
                "<nick>ally</nick><extensions><state xmlns='urn:example:state' "
                "pinned='yes'/></extensions>",
                "name='Team' autojoin='true'");
  peer_publish (other, quiet, "", "name='Quiet' autojoin='false'");

  fixture_start (&f, &server);
  g_assert_true (wait_until (loaded, &f, WAIT_MS));
  g_assert_cmpint (flint_bookmarks_get_storage (f.bookmarks), ==,
                   FLINT_BOOKMARKS_STORAGE_PEP);
  g_assert_cmpuint (
    g_list_model_get_n_items (flint_bookmarks_get_bookmarks (f.bookmarks)), ==, 2);
  b = flint_bookmarks_find (f.bookmarks, team);
  g_assert_nonnull (b);
  g_assert_cmpstr (flint_bookmark_get_name (b), ==, "Team");
  g_assert_cmpstr (flint_bookmark_get_nick (b), ==, "ally");
  g_assert_true (flint_bookmark_get_autojoin (b));
  g_assert_nonnull (strstr (flint_bookmark_get_extensions (b), "urn:example:state"));

  /* Autojoin with the bookmark's nick; the other one is not joined. */
  g_assert_true (wait_joined (&f, team));
  g_assert_cmpstr (flint_room_get_nick (flint_rooms_get_room (f.rooms, team)), ==,
                   "ally");
  g_assert_cmpstr (flint_room_get_name (flint_rooms_get_room (f.rooms, team)), ==,
                   "Team");
  g_assert_null (flint_rooms_get_room (f.rooms, quiet));
  /* We asked for notifications (+notify in our caps). */
  {
    gboolean notify = FALSE;
    for (const char *const *feat = flint_disco_get_features (f.disco); *feat; feat++)
      notify |= g_str_equal (*feat, "urn:xmpp:bookmarks:1+notify");
    g_assert_true (notify);
  }

  /* Live: the other client adds an autojoin room, then removes one. */
  peer_publish (other, late, "", "name='Late' autojoin='true'");
  g_assert_true (wait_bookmark (&f, late, TRUE));
  g_assert_true (wait_joined (&f, late));
  {
    g_autofree char *xml = g_strdup_printf (
      "<iq xmlns='jabber:client' type='set'><pubsub "
      "xmlns='http://jabber.org/protocol/pubsub'>"
      "<retract node='urn:xmpp:bookmarks:1' notify='true'><item id='%s'/></retract>"
      "</pubsub></iq>",
      quiet);
    g_free (peer_iq (other, xml));
  }
  g_assert_true (wait_bookmark (&f, quiet, FALSE));

  /* Flint edits "team": the unknown element survives. */
  edit = flint_bookmark_copy (flint_bookmarks_find (f.bookmarks, team));
  flint_bookmark_set_nick (edit, "alice2");
  flint_bookmark_set_password (edit, "pw");
  flint_bookmarks_set (f.bookmarks, edit);
  spin (800);
  items = peer_items (other);
  g_assert_nonnull (items);
  g_assert_nonnull (strstr (items, "<nick>alice2</nick>"));
  g_assert_nonnull (strstr (items, "<password>pw</password>"));
  g_assert_nonnull (strstr (items, "urn:example:state"));
  g_assert_nonnull (strstr (items, "pinned=\\\"yes\\\""));

  /* Flint adds and removes; XEP-0048 clients see it through the compat
   * mapping (XEP-0049 private storage). */
  {
    g_autoptr (FlintBookmark) add = flint_bookmark_new (mine);
    flint_bookmark_set_name (add, "Mine");
    flint_bookmarks_set (f.bookmarks, add);
  }
  spin (800);
  priv = peer_private (other);
  g_assert_nonnull (strstr (priv, mine));
  g_assert_nonnull (strstr (priv, "Mine"));
  g_clear_pointer (&items, g_free);
  items = peer_items (other);
  g_assert_nonnull (strstr (items, mine));
  flint_bookmarks_remove (f.bookmarks, mine);
  spin (800);
  g_clear_pointer (&items, g_free);
  items = peer_items (other);
  g_assert_null (strstr (items, mine));
  g_assert_nonnull (strstr (items, team));

  /* After the server restarts: read again, autojoin rooms joined again. */
  server_do (&server, "prosody-restart");
  g_assert_true (wait_state (f.session, FLINT_SESSION_RECONNECTING,
                             FLINT_SESSION_CONNECTING, SIGN_IN_WAIT_MS) ||
                 TRUE);
  g_assert_true (wait_state (f.session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  g_assert_true (wait_joined (&f, team));
  g_assert_true (wait_joined (&f, late));
  g_assert_nonnull (flint_bookmarks_find (f.bookmarks, team));

  peer_stop (other);
  fixture_stop (&f);
}

/* ---- XEP-0048 in XEP-0049 private storage -------------------------------- */

static void
test_private (void)
{
  Fixture f = { 0 };
  Peer *other = peer_start (&legacy, "alice", "secret-a");
  g_autofree char *old = g_strdup_printf ("old@conference.%s", legacy.domain);
  g_autofree char *added = g_strdup_printf ("added@conference.%s", legacy.domain);
  g_autofree char *xml = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *priv = NULL;
  FlintBookmark *b;

  xml = g_strdup_printf (
    "<iq xmlns='jabber:client' type='set'><query xmlns='jabber:iq:private'>"
    "<storage xmlns='storage:bookmarks'>"
    "<conference jid='%s' name='Old Team' autojoin='true'><nick>al</nick>"
    "<minimize xmlns='xmpp:example:client'/></conference>"
    "<url name='Wiki' url='https://wiki.example/'/>"
    "</storage></query></iq>",
    old);
  reply = peer_iq (other, xml);
  g_assert_nonnull (strstr (reply, "\"type\": \"result\""));

  fixture_start (&f, &legacy);
  g_assert_true (wait_until (loaded, &f, WAIT_MS));
  g_assert_cmpint (flint_bookmarks_get_storage (f.bookmarks), ==,
                   FLINT_BOOKMARKS_STORAGE_PRIVATE);
  b = flint_bookmarks_find (f.bookmarks, old);
  g_assert_nonnull (b);
  g_assert_cmpstr (flint_bookmark_get_name (b), ==, "Old Team");
  g_assert_cmpstr (flint_bookmark_get_nick (b), ==, "al");
  g_assert_nonnull (strstr (flint_bookmark_get_extensions (b), "xmpp:example:client"));
  g_assert_true (wait_joined (&f, old));

  {
    g_autoptr (FlintBookmark) add = flint_bookmark_new (added);
    flint_bookmark_set_name (add, "Added");
    flint_bookmark_set_password (add, "s3cret");
    flint_bookmarks_set (f.bookmarks, add);
  }
  spin (800);
  priv = peer_private (other);
  g_assert_nonnull (strstr (priv, added));
  g_assert_nonnull (strstr (priv, "<password>s3cret</password>"));
  /* Kept: the other conference, its unknown child and the URL bookmark. */
  g_assert_nonnull (strstr (priv, old));
  g_assert_nonnull (strstr (priv, "xmpp:example:client"));
  g_assert_nonnull (strstr (priv, "https://wiki.example/"));

  flint_bookmarks_remove (f.bookmarks, added);
  spin (800);
  g_clear_pointer (&priv, g_free);
  priv = peer_private (other);
  g_assert_null (strstr (priv, added));
  g_assert_nonnull (strstr (priv, "https://wiki.example/"));
  peer_stop (other);
  fixture_stop (&f);
}

/* Another client made the node with PEP's default of one item: Flint's
 * publish does not match its options, and publishing into it as it is
 * would drop the other bookmark. Flint configures the node first. */
static void
test_pep_node_max_one (void)
{
  Fixture f = { 0 };
  Peer *other = peer_start (&server, "bob", "secret-b");
  g_autofree char *first = g_strdup_printf ("first@conference.%s", server.domain);
  g_autofree char *second = g_strdup_printf ("second@conference.%s", server.domain);
  g_autofree char *xml = g_strdup_printf (
    "<iq xmlns='jabber:client' type='set'><pubsub "
    "xmlns='http://jabber.org/protocol/pubsub'>"
    "<publish node='urn:xmpp:bookmarks:1'><item id='%s'>"
    "<conference xmlns='urn:xmpp:bookmarks:1' name='First'/></item></publish>"
    "</pubsub></iq>",
    first);
  g_autofree char *reply = peer_iq (other, xml);
  g_autofree char *items = NULL;

  g_assert_nonnull (strstr (reply, "\"type\": \"result\""));
  fixture_start_as (&f, &server, "bob", "secret-b");
  g_assert_true (wait_until (loaded, &f, WAIT_MS));
  g_assert_nonnull (flint_bookmarks_find (f.bookmarks, first));
  {
    g_autoptr (FlintBookmark) add = flint_bookmark_new (second);
    flint_bookmark_set_name (add, "Second");
    flint_bookmarks_set (f.bookmarks, add);
  }
  spin (1500);
  items = peer_items (other);
  g_assert_nonnull (strstr (items, first));
  g_assert_nonnull (strstr (items, second));
  g_assert_nonnull (strstr (f.log->str, "pubsub#node_config"));
  peer_stop (other);
  fixture_stop (&f);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  server_start (&server, TRUE);
  server_start_full (&legacy, TRUE, (const char *const[]){ "--no-bookmarks", NULL });

  g_test_add_func ("/bookmarks/pep", test_pep);
  g_test_add_func ("/bookmarks/private", test_private);
  g_test_add_func ("/bookmarks/pep-node-max-one", test_pep_node_max_one);

  rc = g_test_run ();
  server_do (&server, "prosody-stop");
  server_do (&legacy, "prosody-stop");
  remove_tree (server.workdir);
  remove_tree (legacy.workdir);
  return rc;
}

/* FlintMam against a real Prosody (mod_mam) and slixmpp peers: a fresh
 * catch-up with both directions, a second session that stores nothing
 * twice, messages that also arrive live, an interrupted catch-up that
 * continues from its cursor file, and a forged archive result from another
 * user. Each test uses its own pair of users, so archives do not mix. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "flint-chat.h"
#include "flint-mam.h"
#include "flint-test-server.h"

#define WAIT_MS 20000
#define PASSWORD "secret-m"

static Server server;
static guint n_users;

typedef struct
{
  char *dir;
  char *db;
  FlintHistory *history;
  char *a_user; /* "alice" of this test: the account under test */
  char *b_user; /* "bob" */
  char *alice;  /* bare JIDs */
  char *bob;
} Fixture;

typedef struct
{
  FlintAccount *account;
  FlintSession *session;
  FlintMam *mam;
  FlintChat *chat;
  guint finished;
  guint pages;
  guint mam_stored;
  guint chat_stored;
  gboolean was_busy;
  GString *sent;     /* stanzas we sent */
  GString *received; /* and got */
  /* Forgery: when set, the first MAM query we send makes this peer send
   * a result for it, while our query is still unsent. */
  Peer *forger;
  char *forger_to;
  /* When set: the session is cut as soon as this many archive queries have
   * been sent (before any answer to the last one can come). */
  guint disconnect_at_query;
  guint n_queries;
} Client;

/* ---- fixture ------------------------------------------------------------ */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint n = ++n_users;

  f->dir = g_dir_make_tmp ("flint-mam-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (f->db, &error);
  g_assert_no_error (error);
  f->a_user = g_strdup_printf ("alice%u", n);
  f->b_user = g_strdup_printf ("bob%u", n);
  server_register (&server, f->a_user, PASSWORD);
  server_register (&server, f->b_user, PASSWORD);
  f->alice = g_strdup_printf ("%s@%s", f->a_user, server.domain);
  f->bob = g_strdup_printf ("%s@%s", f->b_user, server.domain);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->history);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->a_user);
  g_free (f->b_user);
  g_free (f->alice);
  g_free (f->bob);
}

/* ---- the client under test ---------------------------------------------- */

static void
on_finished (FlintMam *mam, Client *c)
{
  c->finished++;
}

static void
on_page (FlintMam *mam, guint n_inserted, Client *c)
{
  c->pages++;
}

static void
on_mam_stored (FlintMam *mam, FlintMessageRecord *record, Client *c)
{
  c->mam_stored++;
}

static void
on_chat_stored (FlintChat *chat, FlintMessageRecord *record, Client *c)
{
  c->chat_stored++;
}

static void
on_busy (FlintMam *mam, GParamSpec *pspec, Client *c)
{
  if (flint_mam_get_busy (mam))
    c->was_busy = TRUE;
}

static gboolean
disconnect_now (gpointer data)
{
  flint_session_disconnect (((Client *) data)->session);
  return G_SOURCE_REMOVE;
}

static void
on_stanza_log (FlintSession *session, gboolean outgoing, const char *xml, Client *c)
{
  g_autoptr (GRegex) regex = NULL;
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *qid = NULL;
  g_autofree char *line = NULL;

  if (!outgoing)
    {
      g_string_append_printf (c->received, "%s\n", xml);
      return;
    }
  g_string_append_printf (c->sent, "%s\n", xml);
  if (strstr (xml, "<query") && strstr (xml, "urn:xmpp:mam:2") &&
      ++c->n_queries == c->disconnect_at_query)
    g_idle_add_full (G_PRIORITY_HIGH, disconnect_now, c, NULL);
  if (c->forger == NULL || !strstr (xml, "urn:xmpp:mam:2"))
    return;

  regex = g_regex_new ("queryid=[\"']([^\"']+)[\"']", 0, 0, NULL);
  if (!g_regex_match (regex, xml, 0, &match))
    return;
  qid = g_match_info_fetch (match, 1);
  line = g_strdup_printf (
    "{\"cmd\": \"raw\", \"xml\": \"<message xmlns='jabber:client' to='%s'>"
    "<result xmlns='urn:xmpp:mam:2' queryid='%s' id='forged-1'>"
    "<forwarded xmlns='urn:xmpp:forward:0'>"
    "<delay xmlns='urn:xmpp:delay' stamp='2020-01-01T00:00:00Z'/>"
    "<message xmlns='jabber:client' type='chat' from='%s/x' to='%s' id='forged-1'>"
    "<body>forged</body></message></forwarded></result></message>\"}",
    c->forger_to, qid, c->forger_to, c->forger_to);
  peer_command (c->forger, line);
  /* Until the peer says it sent it (a blocking read: no main loop here). */
  for (;;)
    {
      g_autofree char *event =
        g_data_input_stream_read_line_utf8 (c->forger->out, NULL, NULL, NULL);

      g_assert_nonnull (event);
      if (strstr (event, "\"done\"") && strstr (event, "\"raw\""))
        break;
    }
  c->forger = NULL;
  /* Our query is only queued (libstrophe logs it before writing it): hold
   * the loop so the forged result is in our socket before any answer can
   * be, and arrives while the query is open. */
  g_usleep (500 * 1000);
}

static Client *
client_new (Fixture *f, gboolean with_chat, guint page_size)
{
  Client *c = g_new0 (Client, 1);

  c->account = make_account (&server, f->a_user, TRUE);
  c->session = session_new (c->account, PASSWORD);
  c->mam = flint_mam_new (c->session, f->history);
  if (page_size)
    flint_mam_set_page_size (c->mam, page_size);
  c->sent = g_string_new (NULL);
  c->received = g_string_new (NULL);
  g_signal_connect (c->mam, "catch-up-finished", G_CALLBACK (on_finished), c);
  g_signal_connect (c->mam, "page-stored", G_CALLBACK (on_page), c);
  g_signal_connect (c->mam, "message-stored", G_CALLBACK (on_mam_stored), c);
  g_signal_connect (c->mam, "notify::busy", G_CALLBACK (on_busy), c);
  g_signal_connect (c->session, "stanza-log", G_CALLBACK (on_stanza_log), c);
  if (with_chat)
    {
      c->chat = flint_chat_new (c->session, f->history);
      g_signal_connect (c->chat, "message-stored", G_CALLBACK (on_chat_stored), c);
    }
  return c;
}

static void
client_connect (Client *c)
{
  flint_session_connect (c->session);
  g_assert_true (wait_state (c->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  g_assert_cmpint (flint_session_get_state (c->session), ==, FLINT_SESSION_ONLINE);
}

static gboolean
client_finished (gpointer data)
{
  return ((Client *) data)->finished > 0;
}

static void
client_wait_finished (Client *c)
{
  g_assert_true (wait_until (client_finished, c, WAIT_MS));
  g_assert_false (flint_mam_get_busy (c->mam));
}

static void
client_free (Client *c)
{
  flint_session_disconnect (c->session);
  spin (100);
  g_clear_object (&c->chat);
  g_clear_object (&c->mam);
  g_clear_object (&c->session);
  g_clear_object (&c->account);
  g_string_free (c->sent, TRUE);
  g_string_free (c->received, TRUE);
  g_free (c->forger_to);
  g_free (c);
}

/* ---- helpers ------------------------------------------------------------ */

/* Sends @n chat messages "PREFIX0".."PREFIX(n-1)" (ids the same) and waits
 * until the server has handled them all (a ping after them came back). */
static void
send_messages (Peer *peer, const char *to, const char *prefix, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = g_strdup_printf (
        "{\"cmd\": \"send\", \"to\": \"%s\", \"body\": \"%s%u\", \"id\": \"%s%u\"}", to,
        prefix, i, prefix, i);
      peer_command (peer, line);
    }
  peer_command (peer, "{\"cmd\": \"ping\"}");
  g_assert_true (peer_wait_event (peer, "\"done\"", "\"ping\""));
}

static GPtrArray *
conversation (Fixture *f, const char *with)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *records = flint_history_get_last (f->history, f->alice, with, 1000, &error);

  g_assert_no_error (error);
  return records;
}

static guint
count_body (GPtrArray *records, const char *body)
{
  guint n = 0;

  for (guint i = 0; i < records->len; i++)
    n += g_strcmp0 (((FlintMessageRecord *) records->pdata[i])->body, body) == 0;
  return n;
}

/* The records' bodies, space-separated, oldest first. */
static char *
bodies (GPtrArray *records)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
                            ((FlintMessageRecord *) records->pdata[i])->body);
  return g_string_free (s, FALSE);
}

static char *
expected_bodies (const char *first_prefix, guint n1, const char *second_prefix, guint n2)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n1; i++)
    g_string_append_printf (s, "%s%s%u", s->len ? " " : "", first_prefix, i);
  for (guint i = 0; i < n2; i++)
    g_string_append_printf (s, "%s%s%u", s->len ? " " : "", second_prefix, i);
  return g_string_free (s, FALSE);
}

static void
check_record (Fixture *f, FlintMessageRecord *r, gboolean outgoing)
{
  g_assert_cmpstr (r->account, ==, f->alice);
  g_assert_cmpstr (r->conversation, ==, f->bob);
  g_assert_cmpint (r->direction, ==,
                   outgoing ? FLINT_DIRECTION_OUTGOING : FLINT_DIRECTION_INCOMING);
  g_assert_cmpstr (r->sender, ==, outgoing ? f->alice : f->bob);
  g_assert_cmpint (r->state, ==,
                   outgoing ? FLINT_DELIVERY_SENT : FLINT_DELIVERY_RECEIVED);
  g_assert_nonnull (r->stanza_id);
  g_assert_cmpstr (r->stanza_id_by, ==, f->alice);
  g_assert_nonnull (r->message_id);
  g_assert_cmpstr (r->origin_id, ==, r->message_id);
  g_assert_cmpint (r->time, >, 0);
}

/* ---- tests -------------------------------------------------------------- */

/* (1) A fresh install catches up: 30 from bob while alice was away and 5
 * alice sent from another client, once each, in order, both directions. */
static void
test_fresh_catch_up (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  Peer *other = NULL;
  Client *c;
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  send_messages (bob, f->alice, "b", 30);
  other = peer_start (&server, f->a_user, PASSWORD);
  send_messages (other, f->bob, "a", 5);
  peer_stop (other);
  peer_stop (bob);

  c = client_new (f, FALSE, 0);
  client_connect (c);
  client_wait_finished (c);
  g_assert_true (c->was_busy);
  g_assert_cmpuint (c->mam_stored, ==, 35);

  records = conversation (f, f->bob);
  got = bodies (records);
  want = expected_bodies ("b", 30, "a", 5);
  g_assert_cmpstr (got, ==, want);
  for (guint i = 0; i < records->len; i++)
    check_record (f, records->pdata[i], i >= 30);
  client_free (c);
}

/* (2) A second session (and a third, after new messages) stores nothing
 * twice and continues after the newest stored stanza-id. */
static void
test_second_session (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  Client *c;
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  g_autofree char *last = NULL;

  send_messages (bob, f->alice, "b", 10);
  c = client_new (f, FALSE, 0);
  client_connect (c);
  client_wait_finished (c);
  g_assert_cmpuint (c->mam_stored, ==, 10);
  client_free (c);

  /* Nothing new: the second session finds nothing to store. */
  last = flint_history_get_last_stanza_id (f->history, f->alice, NULL);
  g_assert_nonnull (last);
  c = client_new (f, FALSE, 0);
  client_connect (c);
  client_wait_finished (c);
  g_assert_cmpuint (c->mam_stored, ==, 0);
  g_assert_nonnull (strstr (c->sent->str, last));
  g_assert_null (strstr (c->sent->str, "<before"));
  client_free (c);

  /* Three more while away: only they are added. */
  send_messages (bob, f->alice, "c", 3);
  c = client_new (f, FALSE, 0);
  client_connect (c);
  client_wait_finished (c);
  g_assert_cmpuint (c->mam_stored, ==, 3);
  client_free (c);
  peer_stop (bob);

  records = conversation (f, f->bob);
  got = bodies (records);
  want = expected_bodies ("b", 10, "c", 3);
  g_assert_cmpstr (got, ==, want);
}

/* (3) Messages that come live (offline delivery through FlintChat, and one
 * stored by hand the way a live copy without stanza-id is) and from the
 * archive are stored once. */
static void
test_live_and_archived (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  g_autoptr (FlintMessageRecord) live = flint_message_record_new ();
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  gboolean inserted = FALSE;
  Client *c;

  send_messages (bob, f->alice, "d", 5);
  peer_stop (bob);

  live->account = g_strdup (f->alice);
  live->conversation = g_strdup (f->bob);
  live->direction = FLINT_DIRECTION_INCOMING;
  live->sender = g_strdup (f->bob);
  live->body = g_strdup ("d0");
  live->message_id = g_strdup ("d0");
  live->origin_id = g_strdup ("d0");
  live->time = g_get_real_time () - G_USEC_PER_SEC * 60;
  live->state = FLINT_DELIVERY_RECEIVED;
  g_assert_true (flint_history_insert (f->history, live, &inserted, &error));
  g_assert_no_error (error);
  g_assert_true (inserted);

  c = client_new (f, TRUE, 2);
  client_connect (c);
  client_wait_finished (c);
  spin (500); /* any offline delivery still on its way */

  records = conversation (f, f->bob);
  got = bodies (records);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *body = g_strdup_printf ("d%u", i);
      g_assert_cmpuint (count_body (records, body), ==, 1);
    }
  g_assert_cmpuint (records->len, ==, 5);
  /* Each new one announced once, by whichever module stored it. */
  g_assert_cmpuint (c->mam_stored + c->chat_stored, ==, 4);
  /* The hand-stored copy learned its archive id. */
  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *r = records->pdata[i];
      if (g_str_equal (r->body, "d0"))
        g_assert_nonnull (r->stanza_id);
    }
  client_free (c);
  (void) want;
}

/* (3b) Messages delivered live as soon as we are online (offline storage)
 * have newer stanza-ids than what alice sent meanwhile from another
 * client, which only the archive has: the catch-up must still fetch those. */
static void
test_live_does_not_hide_gap (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  Peer *other = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  Client *c;

  send_messages (bob, f->alice, "s", 1);
  c = client_new (f, TRUE, 0);
  client_connect (c);
  client_wait_finished (c);
  client_free (c);

  /* While Flint is away: alice writes from elsewhere, then bob answers. */
  other = peer_start (&server, f->a_user, PASSWORD);
  send_messages (other, f->bob, "a", 3);
  peer_stop (other);
  peer_stop (bob);
  bob = peer_start (&server, f->b_user, PASSWORD);
  send_messages (bob, f->alice, "b", 2);
  peer_stop (bob);

  c = client_new (f, TRUE, 0);
  client_connect (c);
  client_wait_finished (c);
  spin (300);
  g_assert_cmpuint (c->chat_stored, >, 0); /* bob's came by offline delivery */
  records = conversation (f, f->bob);
  got = bodies (records);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *body = g_strdup_printf ("a%u", i);
      g_assert_cmpuint (count_body (records, body), ==, 1);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *body = g_strdup_printf ("b%u", i);
      g_assert_cmpuint (count_body (records, body), ==, 1);
    }
  g_assert_cmpuint (records->len, ==, 6);
  client_free (c);
  (void) want;
}

static char *
cursor_value (Client *c, const char *key, gboolean *in_progress)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  g_key_file_load_from_file (file, flint_mam_get_cursor_path (c->mam), G_KEY_FILE_NONE,
                             &error);
  g_assert_no_error (error);
  if (in_progress)
    *in_progress = g_key_file_get_boolean (file, "catch-up", "in-progress", NULL);
  return g_key_file_get_string (file, "catch-up", key, NULL);
}

static gboolean
first_page_in (gpointer data)
{
  return ((Client *) data)->pages > 0;
}

/* (4) A catch-up cut off after its first page continues from its cursor
 * file at the next session: the rest arrives, nothing twice. The cut comes
 * when the second page has been asked for (Flint asks before storing the
 * first): the first page, stored after the cut, still moves the cursor. */
static void
test_interrupted (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GPtrArray) partial = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  g_autofree char *after = NULL;
  g_autofree char *after_tag = NULL;
  gboolean in_progress = FALSE;
  Client *c;

  /* A first session stores one message: later ones page forward. */
  send_messages (bob, f->alice, "s", 1);
  c = client_new (f, FALSE, 0);
  client_connect (c);
  client_wait_finished (c);
  client_free (c);

  send_messages (bob, f->alice, "g", 20);
  peer_stop (bob);

  c = client_new (f, FALSE, 5);
  c->disconnect_at_query = 2;
  client_connect (c);
  g_assert_true (wait_until (first_page_in, c, WAIT_MS));
  spin (300);
  g_assert_cmpuint (c->n_queries, ==, 2);
  g_assert_false (flint_mam_get_busy (c->mam));
  g_assert_cmpuint (c->finished, ==, 0);
  partial = conversation (f, f->bob);
  g_assert_cmpuint (partial->len, >=, 6);
  g_assert_cmpuint (partial->len, <, 21);
  after = cursor_value (c, "after", &in_progress);
  g_assert_true (in_progress);
  g_assert_nonnull (after);
  client_free (c);

  c = client_new (f, FALSE, 5);
  client_connect (c);
  client_wait_finished (c);
  /* It asked for what follows the cursor, not for the newest messages. */
  after_tag = g_strdup_printf ("<after>%s</after>", after);
  g_assert_nonnull (strstr (c->sent->str, after_tag));
  g_assert_null (strstr (c->sent->str, "<before"));
  g_assert_cmpuint (c->mam_stored, ==, 21 - partial->len);
  g_free (cursor_value (c, "after", &in_progress));
  g_assert_false (in_progress);
  client_free (c);

  records = conversation (f, f->bob);
  got = bodies (records);
  want = expected_bodies ("s", 1, "g", 20);
  g_assert_cmpstr (got, ==, want);
}

static gboolean
mam_busy (gpointer mam)
{
  return flint_mam_take_live_message (mam);
}

static gboolean
five_pages_in (gpointer data)
{
  return ((Client *) data)->pages >= 5;
}

/* (4b) Paging at boundaries with whole-second stamps: bob writes 60
 * messages while alice is away, all in one second if the machine allows;
 * alice comes online and catches up one message per page while bob
 * writes once more, live, most often in that same second. The live one
 * is stored by the chat at once (its local time is finer than the
 * archive's stamps) while the pages before it are still coming: it must
 * still come after them, and each archived one after the one before it
 * across every page boundary. Whether the seconds matched is logged. */
#define N_SAME_SECOND 60

static void
test_same_second_live (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  g_autofree char *with_live = NULL;
  g_autofree char *line = NULL;
  Client *c;
  FlintMessageRecord *live, *last_archived;

  /* A first session stores one message: the catch-up pages forward. */
  send_messages (bob, f->alice, "s", 1);
  c = client_new (f, TRUE, 0);
  client_connect (c);
  client_wait_finished (c);
  client_free (c);

  /* Early in a second, so the rest has time to happen in it. */
  g_usleep (G_USEC_PER_SEC - g_get_real_time () % G_USEC_PER_SEC);
  send_messages (bob, f->alice, "p", N_SAME_SECOND);

  c = client_new (f, TRUE, 1);
  /* As the app does: delayed copies (bob's from the offline store) are
   * left to the catch-up while it runs. */
  flint_chat_set_catch_up_func (c->chat, mam_busy, c->mam);
  client_connect (c);
  /* Mid-way through the catch-up, so it comes live (not from the
   * offline store, which the catch-up would take). */
  g_assert_true (wait_until (five_pages_in, c, WAIT_MS));
  line = g_strdup_printf (
    "{\"cmd\": \"send\", \"to\": \"%s\", \"body\": \"live\", \"id\": \"live\"}",
    f->alice);
  peer_command (bob, line);
  client_wait_finished (c);
  spin (300);

  records = conversation (f, f->bob);
  got = bodies (records);
  want = expected_bodies ("s", 1, "p", N_SAME_SECOND);
  with_live = g_strconcat (want, " live", NULL);
  g_assert_cmpstr (got, ==, with_live);
  /* Stored once, by the chat (it came live). */
  g_assert_cmpuint (count_body (records, "live"), ==, 1);
  g_assert_cmpuint (c->chat_stored, >=, 1);
  live = records->pdata[records->len - 1];
  last_archived = records->pdata[records->len - 2];
  g_assert_nonnull (live->stanza_id);
  g_test_message (
    "live message %s the second of the last archived one (%" G_GINT64_FORMAT
    " / %" G_GINT64_FORMAT " us); %u pages",
    live->time / G_USEC_PER_SEC == last_archived->time / G_USEC_PER_SEC ? "in" : "not in",
    live->time, last_archived->time, c->pages);
  client_free (c);
  peer_stop (bob);
}

/* (4c) Corrections across page boundaries, one archived message per page:
 * bob's "k1" is corrected twice (XEP-0308, each correction naming the
 * original's id) and "k2" once, all in the same second as their
 * originals; the originals keep their places with the last text, and no
 * correction is stored as a message of its own. */
static void
test_corrections_across_pages (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  static const char *const sends[][3] = {
    /* body, id, replaces */
    { "k0", "k0", NULL },          { "k1 tpyo", "k1", NULL },
    { "k2 first", "k2", NULL },    { "k1 typo", "k1c1", "k1" },
    { "k3", "k3", NULL },          { "k1 fixed", "k1c2", "k1" },
    { "k2 second", "k2c1", "k2" },
  };
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *got = NULL;
  Client *c;

  /* A first session stores one message: the catch-up pages forward. */
  send_messages (bob, f->alice, "s", 1);
  c = client_new (f, FALSE, 0);
  client_connect (c);
  client_wait_finished (c);
  client_free (c);

  for (guint i = 0; i < G_N_ELEMENTS (sends); i++)
    {
      g_autofree char *line = NULL;

      if (sends[i][2])
        line = g_strdup_printf ("{\"cmd\": \"send\", \"to\": \"%s\", \"body\": \"%s\","
                                " \"id\": \"%s\", \"replace\": \"%s\"}",
                                f->alice, sends[i][0], sends[i][1], sends[i][2]);
      else
        line = g_strdup_printf (
          "{\"cmd\": \"send\", \"to\": \"%s\", \"body\": \"%s\", \"id\": \"%s\"}",
          f->alice, sends[i][0], sends[i][1]);
      peer_command (bob, line);
    }
  peer_command (bob, "{\"cmd\": \"ping\"}");
  g_assert_true (peer_wait_event (bob, "\"done\"", "\"ping\""));
  peer_stop (bob);

  c = client_new (f, FALSE, 1);
  client_connect (c);
  client_wait_finished (c);
  g_assert_cmpuint (c->pages, >=, G_N_ELEMENTS (sends));
  client_free (c);

  records = conversation (f, f->bob);
  got = bodies (records);
  g_assert_cmpstr (got, ==, "s0 k0 k1 fixed k2 second k3");
  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *r = records->pdata[i];

      g_assert_null (r->correction_of);
      if (g_str_has_prefix (r->body, "k1"))
        g_assert_cmpstr (r->message_id, ==, "k1");
    }
}

/* (4d) A client that lagged behind a flood stored its last live message
 * with the time it came, a second or more after the server stamped the
 * messages that followed it; it was killed before it read those, and
 * catches up with them from the archive. They must come after that
 * message, though their stamps are earlier. The lag is made here by
 * storing the message anew with a later time (the history of a client
 * that came to it late), and the archive's messages sent before it. */
static void
test_catch_up_after_lag (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (FlintMessageRecord) last = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *got = NULL;
  Client *c;
  gint64 sent_second;

  /* Early in a second, so the flood's stamps all fall in it. */
  g_usleep (G_USEC_PER_SEC - g_get_real_time () % G_USEC_PER_SEC);
  send_messages (bob, f->alice, "l", 1);
  c = client_new (f, FALSE, 0);
  client_connect (c);
  client_wait_finished (c);
  client_free (c);
  records = conversation (f, f->bob);
  g_assert_cmpuint (records->len, ==, 1);
  last = flint_message_record_copy (records->pdata[0]);
  g_clear_pointer (&records, g_ptr_array_unref);
  g_assert_nonnull (last->stanza_id);

  /* The rest of the flood, right behind it. */
  send_messages (bob, f->alice, "f", 5);
  sent_second = g_get_real_time () / G_USEC_PER_SEC;
  /* The client came to l0 only now, in a later second: a history that
   * holds l0 with that time and nothing after it. */
  g_usleep ((sent_second + 1) * G_USEC_PER_SEC - g_get_real_time () + 300000);
  g_clear_object (&f->history);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path =
        g_strconcat (f->db, (const char *[]){ "", "-wal", "-shm" }[i], NULL);

      g_remove (path);
    }
  f->history = flint_history_open (f->db, &error);
  g_assert_no_error (error);
  last->id = 0;
  last->time = last->local_time = g_get_real_time ();
  g_assert_true (flint_history_insert (f->history, last, NULL, &error));
  g_assert_no_error (error);

  c = client_new (f, FALSE, 2);
  client_connect (c);
  client_wait_finished (c);
  client_free (c);

  records = conversation (f, f->bob);
  got = bodies (records);
  g_assert_cmpstr (got, ==, "l0 f0 f1 f2 f3 f4");
  /* Their stamps say earlier; they were placed right after l0. */
  g_assert_cmpint (((FlintMessageRecord *) records->pdata[1])->time, >, last->time);
  peer_stop (bob);
}

/* (5) A MAM result from another user, for the very query we have open, is
 * not taken for part of our archive. */
static void
test_forged_result (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start (&server, f->b_user, PASSWORD);
  g_autoptr (GPtrArray) records = NULL;
  Client *c;

  send_messages (bob, f->alice, "e", 3);
  c = client_new (f, FALSE, 0);
  c->forger = bob;
  c->forger_to = g_strdup (f->alice);
  client_connect (c);
  client_wait_finished (c);
  g_assert_null (c->forger); /* the forgery was sent */
  spin (300);
  g_assert_nonnull (strstr (c->received->str, "forged-1"));
  g_assert_nonnull (strstr (c->received->str, "<fin"));
  /* Usually it comes while our query is open (what this test is for), but
   * libstrophe may already have written the query when it logs it, and
   * then the archive's answer can win the race. */
  if (strstr (c->received->str, "forged-1") > strstr (c->received->str, "<fin"))
    g_test_message ("The forged result came after the query had closed");

  records = conversation (f, f->bob);
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_cmpuint (count_body (records, "forged"), ==, 0);
  g_assert_cmpuint (c->mam_stored, ==, 3);
  client_free (c);
  peer_stop (bob);
}

int
main (int argc, char **argv)
{
  g_autofree char *data = g_dir_make_tmp ("flint-mam-data-XXXXXX", NULL);
  g_autofree char *cache = g_dir_make_tmp ("flint-mam-cache-XXXXXX", NULL);
  int ret;

  /* Before anything reads them: cursor files and caches go to throwaway
   * dirs. */
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_test_init (&argc, &argv, NULL);
  server_start (&server, TRUE);

#define ADD(path, func)                                                                  \
  g_test_add ("/mam/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("fresh-catch-up", test_fresh_catch_up);
  ADD ("second-session", test_second_session);
  ADD ("live-and-archived", test_live_and_archived);
  ADD ("live-does-not-hide-gap", test_live_does_not_hide_gap);
  ADD ("interrupted", test_interrupted);
  ADD ("same-second-live", test_same_second_live);
  ADD ("corrections-across-pages", test_corrections_across_pages);
  ADD ("catch-up-after-lag", test_catch_up_after_lag);
  ADD ("forged-result", test_forged_result);
#undef ADD
  ret = g_test_run ();

  server_do (&server, "prosody-stop");
  remove_tree (data);
  remove_tree (cache);
  return ret;
}

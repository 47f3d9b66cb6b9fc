/* FlintChat and FlintDisco against a real Prosody (with mod_carbons) and
 * slixmpp peers: receipts both ways, chat states both ways, carbons from
 * another resource of the same account (and a forged one refused),
 * corrections both ways (and one from the wrong sender refused), and our
 * disco#info and caps as another client sees them. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "flint-chat.h"
#include "flint-disco.h"
#include "flint-error.h"
#include "flint-mam.h"
#include "flint-message.h"
#include "flint-test-server.h"

#define WAIT_MS 10000
/* A peer's next line: slow under a sanitizer on a loaded machine. */
#define READ_MS 30000

static Server server;

typedef struct
{
  char *dir;
  FlintAccount *account;
  FlintSession *session;
  FlintHistory *history;
  FlintChat *chat;
  FlintDisco *disco;
  GPtrArray *stored;  /* FlintMessageRecord, as "message-stored" gave them */
  GPtrArray *updated; /* same for "message-updated" */
  GPtrArray *states;  /* "bare-jid state" strings from "chat-state" */
  GPtrArray *peers_changed;
  GString *log; /* stanzas out (">> ") and in ("<< ") */
  char *alice;
  char *bob;
} Fixture;

/* ---- fixture ------------------------------------------------------------ */

static void
on_stored (FlintChat *chat, FlintMessageRecord *record, Fixture *f)
{
  g_ptr_array_add (f->stored, flint_message_record_copy (record));
}

static void
on_updated (FlintChat *chat, FlintMessageRecord *record, Fixture *f)
{
  g_ptr_array_add (f->updated, flint_message_record_copy (record));
}

static void
on_chat_state (FlintChat *chat, const char *jid, const char *state, Fixture *f)
{
  g_ptr_array_add (f->states, g_strdup_printf ("%s %s", jid, state));
}

static void
on_peer_features_changed (FlintDisco *disco, const char *jid, Fixture *f)
{
  g_ptr_array_add (f->peers_changed, g_strdup (jid));
}

static void
on_stanza_log (FlintSession *session, gboolean outgoing, const char *xml, Fixture *f)
{
  g_string_append_printf (f->log, "%s %s\n", outgoing ? ">>" : "<<", xml);
}

static gboolean
carbons_on (gpointer data)
{
  return flint_chat_get_carbons_enabled (((Fixture *) data)->chat);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *db = NULL;
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("flint-chat-XXXXXX", NULL);
  db = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (db, &error);
  g_assert_no_error (error);
  f->account = make_account (&server, "alice", TRUE);
  f->session = session_new (f->account, "secret-a");
  f->chat = flint_chat_new (f->session, f->history);
  f->disco = flint_disco_new (f->session);
  f->stored = g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  f->updated =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  f->states = g_ptr_array_new_with_free_func (g_free);
  f->peers_changed = g_ptr_array_new_with_free_func (g_free);
  f->log = g_string_new (NULL);
  f->alice = g_strdup_printf ("alice@%s", server.domain);
  f->bob = g_strdup_printf ("bob@%s", server.domain);

  g_signal_connect (f->chat, "message-stored", G_CALLBACK (on_stored), f);
  g_signal_connect (f->chat, "message-updated", G_CALLBACK (on_updated), f);
  g_signal_connect (f->chat, "chat-state", G_CALLBACK (on_chat_state), f);
  g_signal_connect (f->disco, "peer-features-changed",
                    G_CALLBACK (on_peer_features_changed), f);
  g_signal_connect (f->session, "stanza-log", G_CALLBACK (on_stanza_log), f);

  flint_session_connect (f->session);
  g_assert_true (wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  g_assert_cmpint (flint_session_get_state (f->session), ==, FLINT_SESSION_ONLINE);
  /* mod_carbons is on in the harness server: XEP-0280 must be accepted. */
  g_assert_true (wait_until (carbons_on, f, WAIT_MS));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *db = g_build_filename (f->dir, "history.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  flint_session_disconnect (f->session);
  spin (100);
  g_clear_object (&f->disco);
  g_clear_object (&f->chat);
  g_clear_object (&f->session);
  g_clear_object (&f->account);
  g_clear_object (&f->history);
  g_ptr_array_unref (f->stored);
  g_ptr_array_unref (f->updated);
  g_ptr_array_unref (f->states);
  g_ptr_array_unref (f->peers_changed);
  g_string_free (f->log, TRUE);
  g_remove (db);
  g_remove (wal);
  g_remove (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->alice);
  g_free (f->bob);
}

/* ---- helpers ------------------------------------------------------------ */

/* A peer with its own resource and options (peer_start has neither). */
static Peer *
peer_start_full (const char *user,
                 const char *password,
                 const char *resource,
                 gboolean carbons)
{
  const char *root = g_getenv ("FLINT_SOURCE_ROOT");
  g_autofree char *script = g_build_filename (root ? root : FLINT_SOURCE_ROOT, "tests",
                                              "harness", "peer.py", NULL);
  g_autofree char *jid = g_strdup_printf ("%s@%s", user, server.domain);
  g_autofree char *port = g_strdup_printf ("%u", server.port);
  g_autoptr (GError) error = NULL;
  Peer *peer = g_new0 (Peer, 1);

  peer->process =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                      &error, "/usr/bin/python3", script, "--jid", jid, "--password",
                      password, "--host", "127.0.0.1", "--port", port, "--resource",
                      resource, carbons ? "--carbons" : NULL, NULL);
  g_assert_no_error (error);
  peer->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  peer->in = g_subprocess_get_stdin_pipe (peer->process);
  g_assert_true (peer_wait_event (peer, "\"ready\"", NULL));
  return peer;
}

/* The next event line holding both needles (others are skipped). */
static char *
peer_wait_line (Peer *peer, const char *needle1, const char *needle2)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *line = peer_read_line (peer, READ_MS);

      if (line == NULL)
        return NULL;
      if (strstr (line, needle1) && (needle2 == NULL || strstr (line, needle2)))
        return g_steal_pointer (&line);
    }
  return NULL;
}

static void
peer_send (
  Peer *peer, const char *to, const char *body, const char *id, const char *replace)
{
  g_autofree char *line = NULL;

  if (replace)
    line = g_strdup_printf ("{\"cmd\": \"send\", \"to\": \"%s\", \"body\": \"%s\", "
                            "\"id\": \"%s\", \"replace\": \"%s\"}",
                            to, body, id, replace);
  else
    line = g_strdup_printf (
      "{\"cmd\": \"send\", \"to\": \"%s\", \"body\": \"%s\", \"id\": \"%s\"}", to, body,
      id);
  peer_command (peer, line);
}

/* Whether a stanza we sent contains @needle. */
static gboolean
sent_contains (Fixture *f, const char *needle)
{
  g_auto (GStrv) lines = g_strsplit (f->log->str, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], ">> ") && strstr (lines[i], needle))
      return TRUE;
  return FALSE;
}

typedef struct
{
  GPtrArray *records;
  const char *body;
  const char *id;
  FlintDeliveryState state; /* -1: any */
} RecordQuery;

static FlintMessageRecord *
find_record (GPtrArray *records, const char *body, const char *id, int state)
{
  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *r = g_ptr_array_index (records, i);

      if (body && g_strcmp0 (r->body, body) != 0)
        continue;
      if (id && g_strcmp0 (r->message_id, id) != 0 && g_strcmp0 (r->origin_id, id) != 0)
        continue;
      if (state >= 0 && (int) r->state != state)
        continue;
      return r;
    }
  return NULL;
}

static gboolean
record_seen (gpointer data)
{
  RecordQuery *q = data;

  return find_record (q->records, q->body, q->id, (int) q->state) != NULL;
}

static FlintMessageRecord *
wait_record (GPtrArray *records, const char *body, const char *id, int state)
{
  RecordQuery q = { records, body, id, (FlintDeliveryState) state };

  if (!wait_until (record_seen, &q, WAIT_MS))
    return NULL;
  return find_record (records, body, id, state);
}

static guint
count_body (GPtrArray *records, const char *body)
{
  guint n = 0;

  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (((FlintMessageRecord *) g_ptr_array_index (records, i))->body, body) ==
        0)
      n++;
  return n;
}

static GPtrArray *
history_of (Fixture *f, const char *conversation)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *records =
    flint_history_get_last (f->history, f->alice, conversation, 200, &error);

  g_assert_no_error (error);
  return records;
}

typedef struct
{
  GPtrArray *strings;
  const char *wanted;
} StringQuery;

static gboolean
string_seen (gpointer data)
{
  StringQuery *q = data;

  for (guint i = 0; i < q->strings->len; i++)
    if (g_str_equal (g_ptr_array_index (q->strings, i), q->wanted))
      return TRUE;
  return FALSE;
}

/* The value of "key": "..." in a JSON line, unescaped. */
static char *
json_unescape_member (const char *json, const char *key)
{
  g_autofree char *start = g_strdup_printf ("\"%s\": \"", key);
  const char *p = strstr (json, start);
  GString *out;

  if (p == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (p += strlen (start); *p && *p != '"'; p++)
    {
      if (*p != '\\')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      switch (*p)
        {
          case 'n':
            g_string_append_c (out, '\n');
            break;
          case 't':
            g_string_append_c (out, '\t');
            break;
          case 'u':
            {
              char hex[5] = { 0 };

              strncpy (hex, p + 1, 4);
              g_string_append_unichar (out, (gunichar) g_ascii_strtoull (hex, NULL, 16));
              p += 4;
            }
            break;
          case '\0':
            p--;
            break;
          default:
            g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

/* ---- tests -------------------------------------------------------------- */

/* A message from bob: stored once however often it comes, answered with a
 * receipt each time it asks. */
static void
test_receive_and_receipt (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start_full ("bob", "secret-b", "phone", FALSE);
  g_autoptr (GPtrArray) stored = NULL;
  FlintMessageRecord *record;
  g_autofree char *line = NULL;
  g_autofree char *again = NULL;
  guint n = 0;

  peer_send (bob, f->alice, "hello alice", "rcv-1", NULL);
  record = wait_record (f->stored, "hello alice", "rcv-1", -1);
  g_assert_nonnull (record);
  g_assert_cmpint (record->direction, ==, FLINT_DIRECTION_INCOMING);
  g_assert_cmpstr (record->conversation, ==, f->bob);
  line = peer_wait_line (bob, "\"receipt\"", "\"rcv-1\"");
  g_assert_nonnull (line);

  /* The same message again (a resend after a lost receipt). */
  peer_send (bob, f->alice, "hello alice", "rcv-1", NULL);
  again = peer_wait_line (bob, "\"receipt\"", "\"rcv-1\"");
  g_assert_nonnull (again);
  spin (200);
  g_assert_cmpuint (count_body (f->stored, "hello alice"), ==, 1);
  stored = history_of (f, f->bob);
  for (guint i = 0; i < stored->len; i++)
    if (g_strcmp0 (((FlintMessageRecord *) stored->pdata[i])->message_id, "rcv-1") == 0)
      n++;
  g_assert_cmpuint (n, ==, 1);

  /* With send-receipts off, the request is not answered. */
  g_object_set (f->chat, "send-receipts", FALSE, NULL);
  peer_send (bob, f->alice, "no receipt please", "rcv-2", NULL);
  g_assert_nonnull (wait_record (f->stored, "no receipt please", NULL, -1));
  spin (300);
  g_assert_false (sent_contains (f, "id=\"rcv-2\""));
  g_assert_true (sent_contains (f, "id=\"rcv-1\""));
  peer_stop (bob);
}

/* Our message asks for a receipt, carries origin-id and <active/>; bob's
 * automatic receipt makes it DELIVERED. */
static void
test_send_gets_delivered (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start_full ("bob", "secret-b", "phone", FALSE);
  g_autoptr (FlintMessageRecord) sent = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) stored = NULL;
  g_autofree char *line = NULL;
  g_autofree char *origin_id = NULL;
  FlintMessageRecord *updated;

  sent = flint_chat_send (f->chat, f->bob, "hi bob", &error);
  g_assert_no_error (error);
  g_assert_nonnull (sent);
  g_assert_cmpint (sent->state, ==, FLINT_DELIVERY_SENT);

  line = peer_wait_line (bob, "\"message\"", "hi bob");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "\"receipt_request\": true"));
  g_assert_nonnull (strstr (line, "\"chatstate\": \"active\""));
  origin_id = json_string (line, "origin_id");
  g_assert_cmpstr (origin_id, ==, sent->origin_id);

  updated = wait_record (f->updated, NULL, sent->message_id, FLINT_DELIVERY_DELIVERED);
  g_assert_nonnull (updated);
  g_assert_cmpint (updated->id, ==, sent->id);
  g_assert_cmpstr (updated->body, ==, "hi bob");

  stored = history_of (f, f->bob);
  g_assert_cmpuint (stored->len, >=, 1);
  for (guint i = 0; i < stored->len; i++)
    {
      FlintMessageRecord *r = stored->pdata[i];

      if (r->id == sent->id)
        g_assert_cmpint (r->state, ==, FLINT_DELIVERY_DELIVERED);
    }

  /* A receipt from someone else than bob changes nothing: a second
   * message waits for bob (offline now) and our laptop claims it. */
  peer_stop (bob);
  {
    Peer *other = peer_start_full ("alice", "secret-a", "laptop", FALSE);
    g_autoptr (FlintMessageRecord) second =
      flint_chat_send (f->chat, f->bob, "later", NULL);
    g_autofree char *claim =
      g_strdup_printf ("{\"cmd\": \"receipt\", \"to\": \"%s\", \"id\": \"%s\"}",
                       flint_session_get_bound_jid (f->session), second->message_id);
    g_autoptr (GPtrArray) after = NULL;

    peer_command (other, claim);
    g_assert_true (peer_wait_event (other, "\"done\"", "\"receipt\""));
    spin (500);
    /* The server's XEP-0198 acknowledgement may move it to "acked",
     * never further. */
    g_assert_null (
      find_record (f->updated, NULL, second->message_id, FLINT_DELIVERY_DELIVERED));
    after = history_of (f, f->bob);
    for (guint i = 0; i < after->len; i++)
      if (((FlintMessageRecord *) after->pdata[i])->id == second->id)
        g_assert_cmpint (((FlintMessageRecord *) after->pdata[i])->state, <=,
                         FLINT_DELIVERY_ACKED);
    peer_stop (other);
  }
}

/* Send Again (issue 9): our failed message goes out once more with the same
 * ids, is delivered, and cannot be sent again once it is no longer failed;
 * nor can a message we never sent. */
static void
test_resend_failed (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start_full ("bob", "secret-b", "phone", FALSE);
  g_autoptr (FlintMessageRecord) failed = flint_message_record_new ();
  g_autoptr (FlintMessageRecord) again = NULL;
  g_autoptr (FlintMessageRecord) twice = NULL;
  g_autoptr (FlintMessageRecord) unknown = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *origin_id = NULL;
  char *other;

  failed->account = g_strdup (f->alice);
  failed->conversation = g_strdup (f->bob);
  failed->kind = FLINT_MESSAGE_KIND_CHAT;
  failed->direction = FLINT_DIRECTION_OUTGOING;
  failed->sender = g_strdup (f->alice);
  failed->body = g_strdup ("try again");
  failed->message_id = g_strdup ("resend-1");
  failed->origin_id = g_strdup ("resend-1");
  failed->state = FLINT_DELIVERY_FAILED;
  g_assert_true (flint_history_insert (f->history, failed, NULL, &error));
  g_assert_no_error (error);

  again = flint_chat_resend (f->chat, f->bob, "resend-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpint (again->id, ==, failed->id);
  g_assert_cmpint (again->state, ==, FLINT_DELIVERY_SENT);
  line = peer_wait_line (bob, "\"message\"", "try again");
  g_assert_nonnull (line);
  origin_id = json_string (line, "origin_id");
  g_assert_cmpstr (origin_id, ==, "resend-1");
  g_assert_nonnull (wait_record (f->updated, NULL, "resend-1", FLINT_DELIVERY_DELIVERED));

  /* No longer failed: refused, with words for the user, and not sent. */
  twice = flint_chat_resend (f->chat, f->bob, "resend-1", &error);
  g_assert_null (twice);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_FAILED);
  g_clear_error (&error);
  unknown = flint_chat_resend (f->chat, f->bob, "never-sent", &error);
  g_assert_null (unknown);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_FAILED);
  spin (1000);
  {
    g_auto (GStrv) lines = g_strsplit (f->log->str, "\n", -1);
    guint n = 0;

    for (guint i = 0; lines[i]; i++)
      n += g_str_has_prefix (lines[i], ">> ") && strstr (lines[i], "try again") != NULL;
    g_assert_cmpuint (n, ==, 1);
  }
  /* Nor did bob get it twice: everything before his ping's answer. */
  peer_command (bob, "{\"cmd\": \"ping\"}");
  while ((other = peer_read_line (bob, READ_MS)) && !strstr (other, "\"ping\""))
    {
      g_assert_null (strstr (other, "try again"));
      g_free (other);
    }
  g_assert_nonnull (other);
  g_free (other);
  peer_stop (bob);
}

static void
test_chat_states (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start_full ("bob", "secret-b", "phone", FALSE);
  g_autofree char *composing = NULL;
  g_autofree char *paused = NULL;
  g_autofree char *command = NULL;
  g_autofree char *wanted = NULL;
  StringQuery q = { f->states, NULL };
  const char *out;

  /* Ours: sent once per change, kept out of archives. */
  flint_chat_set_chat_state (f->chat, f->bob, "composing");
  flint_chat_set_chat_state (f->chat, f->bob, "composing");
  flint_chat_set_chat_state (f->chat, f->bob, "paused");
  composing = peer_wait_line (bob, "\"chatstate\"", "\"composing\"");
  g_assert_nonnull (composing);
  paused = peer_wait_line (bob, "\"chatstate\"", NULL);
  g_assert_nonnull (paused);
  g_assert_nonnull (strstr (paused, "\"paused\""));
  out = strstr (f->log->str, "<composing");
  g_assert_nonnull (out);
  g_assert_nonnull (strstr (out, "urn:xmpp:hints"));

  /* Off: nothing more goes out. */
  g_object_set (f->chat, "send-chat-states", FALSE, NULL);
  flint_chat_set_chat_state (f->chat, f->bob, "gone");
  spin (300);
  g_assert_false (sent_contains (f, "<gone"));
  g_object_set (f->chat, "send-chat-states", TRUE, NULL);

  /* Theirs. */
  command = g_strdup_printf (
    "{\"cmd\": \"chatstate\", \"to\": \"%s\", \"state\": \"composing\"}", f->alice);
  peer_command (bob, command);
  wanted = g_strdup_printf ("%s composing", f->bob);
  q.wanted = wanted;
  g_assert_true (wait_until (string_seen, &q, WAIT_MS));
  peer_stop (bob);
}

/* What the account's other resource sends and receives shows up here,
 * once, in the right direction; carbons not from our own server do not. */
static void
test_carbons (Fixture *f, gconstpointer data)
{
  Peer *other = peer_start_full ("alice", "secret-a", "laptop", TRUE);
  Peer *bob = peer_start_full ("bob", "secret-b", "phone", FALSE);
  g_autofree char *carol = g_strdup_printf ("carol@%s", server.domain);
  g_autofree char *other_jid = g_strdup_printf ("%s/laptop", f->alice);
  g_autofree char *forged = NULL;
  g_autofree char *forged_sent = NULL;
  g_autoptr (GPtrArray) with_bob = NULL;
  g_autoptr (GPtrArray) with_carol = NULL;
  FlintMessageRecord *record;
  guint n = 0;

  /* Sent by the other resource: stored as ours, outgoing, sent. */
  peer_send (other, f->bob, "from my laptop", "carbon-sent-1", NULL);
  record = wait_record (f->stored, "from my laptop", NULL, -1);
  g_assert_nonnull (record);
  g_assert_cmpint (record->direction, ==, FLINT_DIRECTION_OUTGOING);
  g_assert_cmpstr (record->conversation, ==, f->bob);
  g_assert_cmpstr (record->sender, ==, f->alice);
  g_assert_cmpint (record->state, ==, FLINT_DELIVERY_SENT);
  g_assert_true (peer_wait_event (bob, "from my laptop", NULL));

  /* Received by the other resource: stored as incoming, and not answered
   * with a receipt from here (the laptop answers). */
  peer_send (bob, other_jid, "to your laptop", "carbon-rcv-1", NULL);
  record = wait_record (f->stored, "to your laptop", NULL, -1);
  g_assert_nonnull (record);
  g_assert_cmpint (record->direction, ==, FLINT_DIRECTION_INCOMING);
  g_assert_cmpstr (record->conversation, ==, f->bob);

  /* Forged: bob wraps a "carbon" of a message from carol, and one of a
   * message we supposedly sent to carol. */
  forged = g_strdup_printf (
    "{\"cmd\": \"raw\", \"xml\": \"<message xmlns='jabber:client' to='%s' type='chat'>"
    "<received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
    "<message xmlns='jabber:client' from='%s/x' to='%s' type='chat' id='forged-1'>"
    "<body>forged received</body></message></forwarded></received></message>\"}",
    f->alice, carol, flint_session_get_bound_jid (f->session));
  peer_command (bob, forged);
  forged_sent = g_strdup_printf (
    "{\"cmd\": \"raw\", \"xml\": \"<message xmlns='jabber:client' to='%s' type='chat'>"
    "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
    "<message xmlns='jabber:client' from='%s' to='%s' type='chat' id='forged-2'>"
    "<body>forged sent</body></message></forwarded></sent></message>\"}",
    flint_session_get_bound_jid (f->session), other_jid, carol);
  peer_command (bob, forged_sent);
  /* A marker after them: once it is here, they would be too. */
  peer_send (bob, f->alice, "marker after forgeries", "marker-1", NULL);
  g_assert_nonnull (wait_record (f->stored, "marker after forgeries", NULL, -1));
  spin (200);
  g_assert_null (find_record (f->stored, "forged received", NULL, -1));
  g_assert_null (find_record (f->stored, "forged sent", NULL, -1));
  with_carol = history_of (f, carol);
  g_assert_cmpuint (with_carol->len, ==, 0);

  /* Exactly once each, in the store too. */
  with_bob = history_of (f, f->bob);
  for (guint i = 0; i < with_bob->len; i++)
    if (g_strcmp0 (((FlintMessageRecord *) with_bob->pdata[i])->body, "from my laptop") ==
        0)
      n++;
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (count_body (f->stored, "from my laptop"), ==, 1);
  g_assert_cmpuint (count_body (f->stored, "to your laptop"), ==, 1);
  g_assert_false (sent_contains (f, "carbon-rcv-1"));

  peer_stop (bob);
  peer_stop (other);
}

static void
test_corrections (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start_full ("bob", "secret-b", "phone", FALSE);
  Peer *other = peer_start_full ("alice", "secret-a", "laptop", TRUE);
  g_autoptr (FlintMessageRecord) sent = NULL;
  g_autoptr (FlintMessageRecord) corrected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) with_bob = NULL;
  g_autofree char *line = NULL;
  g_autofree char *replace = NULL;
  FlintMessageRecord *original, *updated;
  guint rows_before;

  /* Ours. */
  sent = flint_chat_send (f->chat, f->bob, "teh typo", &error);
  g_assert_no_error (error);
  g_assert_true (peer_wait_event (bob, "\"message\"", "teh typo"));
  corrected = flint_chat_correct (f->chat, f->bob, sent->message_id, "the typo", &error);
  g_assert_no_error (error);
  g_assert_nonnull (corrected);
  g_assert_cmpint (corrected->id, ==, sent->id);
  g_assert_cmpstr (corrected->body, ==, "the typo");
  g_assert_nonnull (corrected->correction_of);
  line = peer_wait_line (bob, "\"message\"", "the typo");
  g_assert_nonnull (line);
  replace = json_string (line, "replace");
  g_assert_cmpstr (replace, ==, sent->message_id);
  updated = find_record (f->updated, "the typo", NULL, -1);
  g_assert_nonnull (updated);
  g_assert_cmpint (updated->id, ==, sent->id);

  /* A message we never sent cannot be corrected. */
  g_assert_null (flint_chat_correct (f->chat, f->bob, "no-such-id", "x", &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_FAILED);
  g_clear_error (&error);

  /* Theirs. */
  peer_send (bob, f->alice, "helo", "bob-orig-1", NULL);
  original = wait_record (f->stored, "helo", "bob-orig-1", -1);
  g_assert_nonnull (original);
  with_bob = history_of (f, f->bob);
  rows_before = with_bob->len;
  g_clear_pointer (&with_bob, g_ptr_array_unref);
  peer_send (bob, f->alice, "hello", "bob-corr-1", "bob-orig-1");
  updated = wait_record (f->updated, "hello", NULL, -1);
  g_assert_nonnull (updated);
  g_assert_cmpint (updated->id, ==, original->id);
  g_assert_nonnull (updated->correction_of);
  g_assert_null (find_record (f->stored, "hello", NULL, -1));

  /* Bob "correcting" our message, and our laptop "correcting" bob's:
   * neither is the sender of the original. */
  peer_send (bob, f->alice, "hacked by bob", "bob-corr-2", sent->message_id);
  peer_send (other, f->bob, "hijacked by laptop", "laptop-corr-1", "bob-orig-1");
  g_assert_true (peer_wait_event (bob, "hijacked by laptop", NULL));
  peer_send (bob, f->alice, "marker after corrections", "marker-2", NULL);
  g_assert_nonnull (wait_record (f->stored, "marker after corrections", NULL, -1));
  spin (300);
  g_assert_null (find_record (f->updated, "hacked by bob", NULL, -1));
  g_assert_null (find_record (f->updated, "hijacked by laptop", NULL, -1));
  g_assert_null (find_record (f->stored, "hacked by bob", NULL, -1));
  g_assert_null (find_record (f->stored, "hijacked by laptop", NULL, -1));

  with_bob = history_of (f, f->bob);
  g_assert_cmpuint (with_bob->len, ==, rows_before + 1); /* only the marker */
  for (guint i = 0; i < with_bob->len; i++)
    {
      FlintMessageRecord *r = with_bob->pdata[i];

      if (r->id == sent->id)
        g_assert_cmpstr (r->body, ==, "the typo");
      if (r->id == original->id)
        g_assert_cmpstr (r->body, ==, "hello");
    }
  peer_stop (other);
  peer_stop (bob);
}

typedef struct
{
  gboolean done;
  char *hash;
} InfoResult;

static void
on_peer_info (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer data)
{
  InfoResult *info = data;

  info->done = TRUE;
  if (result && error == NULL)
    info->hash =
      flint_disco_hash_query (xmpp_stanza_get_child_by_name (result, "query"), NULL);
}

static gboolean
info_done (gpointer data)
{
  return ((InfoResult *) data)->done;
}

/* A disco#info request without a node. */
static xmpp_stanza_t *
info_iq (Fixture *f, const char *to)
{
  xmpp_ctx_t *ctx = flint_session_get_context (f->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", "test-info-1");
  xmpp_stanza_t *query = xmpp_stanza_new (ctx);

  xmpp_stanza_set_to (iq, to);
  xmpp_stanza_set_name (query, "query");
  xmpp_stanza_set_ns (query, "http://jabber.org/protocol/disco#info");
  xmpp_stanza_add_child_ex (iq, query, 0);
  return iq;
}

static void
caps_presence (Peer *peer, const char *ver)
{
  g_autofree char *command = g_strdup_printf (
    "{\"cmd\": \"raw\", \"xml\": \"<presence xmlns='jabber:client'>"
    "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' ver='%s'/></presence>\"}",
    ver);

  peer_command (peer, command);
}

static gboolean
cache_file_exists (const char *ver)
{
  g_autofree char *name = g_strdup (ver);
  g_autofree char *path = NULL;

  g_strdelimit (name, "/", '_');
  g_strdelimit (name, "+", '-');
  path = g_build_filename (g_get_user_cache_dir (), "flint", "caps", name, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* Forgotten (old ver), then known again (new ver). */
static gboolean
changed_twice (gpointer data)
{
  StringQuery *q = data;
  guint n = 0;

  for (guint i = 0; i < q->strings->len; i++)
    if (g_str_equal (g_ptr_array_index (q->strings, i), q->wanted))
      n++;
  return n >= 2;
}

/* Another client asks who we are; and we learn what it supports. */
static void
test_disco_and_caps (Fixture *f, gconstpointer data)
{
  Peer *other = peer_start_full ("alice", "secret-a", "laptop", FALSE);
  g_autofree char *other_jid = g_strdup_printf ("%s/laptop", f->alice);
  g_autofree char *command = NULL;
  g_autofree char *line = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *presence_ver = NULL;
  xmpp_stanza_t *iq, *query;
  StringQuery q = { f->peers_changed, NULL };
  InfoResult info = { FALSE, NULL };
  const char *fake_ver = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  const char *presence;

  /* Our presence went out with our ver. */
  presence = strstr (f->log->str, ">> <presence");
  g_assert_nonnull (presence);
  presence_ver = g_strdup_printf ("ver=\"%s\"", flint_disco_get_ver (f->disco));
  g_assert_nonnull (strstr (presence, presence_ver));
  g_assert_nonnull (strstr (presence, "http://jabber.org/protocol/caps"));

  command = g_strdup_printf (
    "{\"cmd\": \"iq\", \"xml\": \"<iq xmlns='jabber:client' type='get' to='%s'>"
    "<query xmlns='http://jabber.org/protocol/disco#info' node='%s#%s'/></iq>\"}",
    flint_session_get_bound_jid (f->session), FLINT_DISCO_NODE,
    flint_disco_get_ver (f->disco));
  peer_command (other, command);
  line = peer_wait_line (other, "\"done\"", "\"iq\"");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "\"type\": \"result\""));
  reply = json_unescape_member (line, "reply");
  g_assert_nonnull (reply);
  g_assert_nonnull (strstr (reply, "urn:xmpp:receipts"));
  g_assert_nonnull (strstr (reply, "urn:xmpp:carbons:2"));
  g_assert_nonnull (strstr (reply, "Flint"));

  /* The answer hashes to the ver in our presence. */
  iq = xmpp_stanza_new_from_string (flint_session_get_context (f->session), reply);
  g_assert_nonnull (iq);
  query = xmpp_stanza_get_child_by_name (iq, "query");
  hash = flint_disco_hash_query (query, NULL);
  g_assert_cmpstr (hash, ==, flint_disco_get_ver (f->disco));
  xmpp_stanza_release (iq);

  /* An old ver is not ours any more. */
  g_clear_pointer (&command, g_free);
  g_clear_pointer (&line, g_free);
  command = g_strdup_printf (
    "{\"cmd\": \"iq\", \"xml\": \"<iq xmlns='jabber:client' type='get' to='%s'>"
    "<query xmlns='http://jabber.org/protocol/disco#info' node='%s#old'/></iq>\"}",
    flint_session_get_bound_jid (f->session), FLINT_DISCO_NODE);
  peer_command (other, command);
  line = peer_wait_line (other, "\"done\"", "\"iq\"");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "\"type\": \"error\""));

  /* slixmpp puts no caps in its presence; the laptop sends one by hand
   * with the ver of its real disco#info (asked here without a node, as
   * Flint will ask it, since the <c/> names none). */
  iq = info_iq (f, other_jid);
  flint_session_send_iq (f->session, iq, on_peer_info, &info);
  xmpp_stanza_release (iq);
  g_assert_true (wait_until (info_done, &info, WAIT_MS));
  g_assert_nonnull (info.hash);
  caps_presence (other, info.hash);
  q.wanted = other_jid;
  g_assert_true (wait_until (string_seen, &q, WAIT_MS));
  g_assert_true (flint_disco_peer_supports (f->disco, other_jid, "urn:xmpp:receipts"));
  g_assert_true (flint_disco_peer_supports (f->disco, f->alice, "urn:xmpp:receipts"));
  g_assert_false (flint_disco_peer_supports (f->disco, other_jid, "urn:example:nothing"));
  g_assert_true (cache_file_exists (info.hash));

  /* A ver its answer does not hash to: used for that JID, never cached. */
  g_ptr_array_set_size (f->peers_changed, 0);
  caps_presence (other, fake_ver);
  g_assert_true (wait_until (changed_twice, &q, WAIT_MS));
  g_assert_true (flint_disco_peer_supports (f->disco, other_jid, "urn:xmpp:receipts"));
  g_assert_false (cache_file_exists (fake_ver));

  /* Gone offline: its features are forgotten. */
  g_ptr_array_set_size (f->peers_changed, 0);
  peer_stop (other);
  g_assert_true (wait_until (string_seen, &q, WAIT_MS));
  g_assert_false (flint_disco_peer_supports (f->disco, other_jid, "urn:xmpp:receipts"));
  g_free (info.hash);
}

/* Files in the timeline: an XEP-0066 link beside a text body is kept with
 * the message; a transfer's row is stored without being sent; an upload's
 * row sent while offline is pending, and goes out at the next sign-in as
 * its link with the OOB element (the OOB data lives in history, not in
 * memory). */
static void
test_file_rows (Fixture *f, gconstpointer data)
{
  Peer *bob = peer_start_full ("bob", "secret-b", "phone", FALSE);
  g_autoptr (FlintMessageRecord) row = flint_message_record_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) file = NULL;
  g_autofree char *send = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GPtrArray) stored = NULL;
  FlintMessageRecord *got;
  const char *url = "https://upload.example.com/abc/plan%20v2.pdf";

  send = g_strdup_printf ("{\"cmd\": \"send\", \"to\": \"%s\", \"body\": \"the plan\", "
                          "\"oob\": \"%s\", \"oob_desc\": \"Plan\"}",
                          f->alice, url);
  peer_command (bob, send);
  got = wait_record (f->stored, "the plan", NULL, -1);
  g_assert_nonnull (got);
  file = flint_file_parse (got->file);
  g_assert_nonnull (file);
  g_assert_cmpstr (flint_file_lookup_string (file, "url"), ==, url);
  g_assert_cmpstr (flint_file_lookup_string (file, "desc"), ==, "Plan");

  row->account = g_strdup (f->alice);
  row->conversation = g_strdup (f->bob);
  row->kind = FLINT_MESSAGE_KIND_FILE;
  row->direction = FLINT_DIRECTION_OUTGOING;
  row->sender = g_strdup (f->alice);
  row->body = g_strdup ("plan v2.pdf");
  row->file = g_strdup ("{'name': <'plan v2.pdf'>, 'state': <'active'>}");
  g_assert_true (flint_chat_add_file (f->chat, row, &error));
  g_assert_no_error (error);
  g_assert_cmpint (row->id, >, 0);
  g_assert_nonnull (find_record (f->stored, "plan v2.pdf", NULL, FLINT_DELIVERY_SENT));

  flint_session_disconnect (f->session);
  g_assert_true (wait_state (f->session, FLINT_SESSION_DISCONNECTED,
                             FLINT_SESSION_DISCONNECTED, SIGN_IN_WAIT_MS));
  g_free (row->file);
  row->file = g_strdup_printf (
    "{'name': <'plan v2.pdf'>, 'state': <'complete'>, 'url': <'%s'>}", url);
  g_assert_true (flint_chat_send_file_row (f->chat, row, &error));
  g_assert_no_error (error);
  g_assert_cmpint (row->state, ==, FLINT_DELIVERY_PENDING);

  flint_session_connect (f->session);
  g_assert_true (wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  line = peer_wait_line (bob, "\"message\"", "plan%20v2.pdf");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "jabber:x:oob"));
  g_assert_nonnull (
    strstr (line, "\"body\": \"https://upload.example.com/abc/plan%20v2.pdf\""));

  /* One row: the file's, with the ids its message went out with. */
  stored = history_of (f, f->bob);
  g_assert_cmpuint (stored->len, ==, 2);
  got = stored->pdata[1];
  g_assert_cmpint (got->id, ==, row->id);
  g_assert_cmpint (got->kind, ==, FLINT_MESSAGE_KIND_FILE);
  g_assert_cmpstr (got->body, ==, "plan v2.pdf");
  g_assert_cmpstr (got->message_id, ==, row->message_id);
  g_assert_cmpint (got->state, >=, FLINT_DELIVERY_SENT);
  peer_stop (bob);
}

static gboolean
both_acked (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GPtrArray) records = history_of (f, f->bob);
  guint n = 0;

  for (guint i = 0; i < records->len; i++)
    {
      FlintMessageRecord *r = records->pdata[i];

      if (g_str_has_prefix (r->body, "into the dead link") &&
          r->state >= FLINT_DELIVERY_ACKED && r->state != FLINT_DELIVERY_FAILED)
        n++;
    }
  return n == 2;
}

/* Messages sent just after the server died, before Flint noticed: the
 * first is written into the dead link, the next one's write fails (the
 * server's kernel reset the connection), so libstrophe drops it unwritten.
 * Once the server is back each reaches bob exactly once and ends
 * acknowledged: the archive tells the first was never got, and the second
 * goes out again as never written. Failed before: the second stayed
 * "sent" and never reached anyone. Last: it restarts the shared server. */
static void
test_sent_into_dead_link (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintMam) mam = flint_mam_new (f->session, f->history);
  g_autoptr (FlintMessageRecord) first = NULL;
  g_autoptr (FlintMessageRecord) second = NULL;
  g_autoptr (FlintMessageRecord) marker = NULL;
  g_autoptr (GError) error = NULL;
  guint seen[2] = { 0, 0 };
  Peer *bob;

  flint_chat_set_archive (f->chat, mam);
  server_do (&server, "prosody-kill");
  /* Its end of the connection is closed by now; we have not read that. */
  g_usleep (300 * 1000);
  first = flint_chat_send (f->chat, f->bob, "into the dead link 1", &error);
  g_assert_no_error (error);
  second = flint_chat_send (f->chat, f->bob, "into the dead link 2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (second->state, ==, FLINT_DELIVERY_SENT);
  g_assert_true (wait_state (f->session, FLINT_SESSION_RECONNECTING,
                             FLINT_SESSION_DISCONNECTED, WAIT_MS));

  server_do (&server, "prosody-restart");
  bob = peer_start_full ("bob", "secret-b", "phone", FALSE);
  g_assert_true (
    wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, 20000));
  g_assert_true (wait_until (both_acked, f, 20000));
  /* A marker after them: a copy sent twice would have come before it. */
  marker = flint_chat_send (f->chat, f->bob, "marker", NULL);
  g_assert_nonnull (marker);
  for (;;)
    {
      g_autofree char *line = peer_read_line (bob, READ_MS);

      g_assert_nonnull (line);
      for (guint i = 0; i < 2; i++)
        {
          g_autofree char *body = g_strdup_printf ("\"into the dead link %u\"", i + 1);

          seen[i] += strstr (line, "\"message\"") && strstr (line, body);
        }
      if (strstr (line, "\"message\"") && strstr (line, "\"marker\""))
        break;
    }
  g_assert_cmpuint (seen[0], ==, 1);
  g_assert_cmpuint (seen[1], ==, 1);
  peer_stop (bob);
}

int
main (int argc, char **argv)
{
  g_autofree char *cache = g_dir_make_tmp ("flint-chat-cache-XXXXXX", NULL);
  int ret;

  /* Before anything reads it: the caps cache goes to a throwaway dir. */
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_test_init (&argc, &argv, NULL);
  server_start (&server, TRUE);

#define ADD(path, func)                                                                  \
  g_test_add ("/chat/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("receive-and-receipt", test_receive_and_receipt);
  ADD ("send-gets-delivered", test_send_gets_delivered);
  ADD ("resend-failed", test_resend_failed);
  ADD ("chat-states", test_chat_states);
  ADD ("carbons", test_carbons);
  ADD ("corrections", test_corrections);
  ADD ("disco-and-caps", test_disco_and_caps);
  ADD ("file-rows", test_file_rows);
  /* Last: it restarts the server. */
  ADD ("sent-into-dead-link", test_sent_into_dead_link);
#undef ADD
  ret = g_test_run ();

  server_do (&server, "prosody-stop");
  remove_tree (cache);
  return ret;
}

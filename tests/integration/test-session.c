/* FlintSession against a real Prosody (tests/harness/flint_harness.py) and a
 * slixmpp peer (tests/harness/peer.py): login, failures, certificate
 * pinning, reconnect with a queued message delivered exactly once. */
#include "config.h"

#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "flint-error.h"
#include "flint-session-private.h"
#include "flint-test-server.h"

static Server server;
static Server plain_server;

/* ---- tests -------------------------------------------------------------- */

static void
sign_in (FlintSession *session)
{
  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
}

static void
test_login (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");

  sign_in (session);
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_ONLINE);
  g_assert_null (flint_session_get_error (session));
  g_assert_true (g_str_has_prefix (flint_session_get_bound_jid (session), "alice@"));
  g_assert_nonnull (strchr (flint_session_get_bound_jid (session), '/'));

  flint_session_disconnect (session);
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_DISCONNECTED);
  spin (100);
}

static void
test_wrong_password (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "wrong");

  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE,
                             SIGN_IN_WAIT_MS));
  g_assert_error ((GError *) flint_session_get_error (session), FLINT_ERROR,
                  FLINT_ERROR_AUTH_FAILED);
  /* A refused password is not retried behind the user's back. */
  spin (1500);
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_DISCONNECTED);
}

static void
test_unknown_host (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = NULL;

  flint_account_set_host (account, "no-such-host.invalid");
  session = session_new (account, "secret-a");
  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE,
                             SIGN_IN_WAIT_MS));
  g_assert_error ((GError *) flint_session_get_error (session), FLINT_ERROR,
                  FLINT_ERROR_HOST_NOT_FOUND);
}

static void
test_connection_refused (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  guint port;

  /* Find a free port, then close it so nothing listens there. */
  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_close (listener);

  flint_account_set_port (account, port);
  session = session_new (account, "secret-a");
  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_RECONNECTING, FLINT_SESSION_ONLINE,
                             SIGN_IN_WAIT_MS));
  g_assert_error ((GError *) flint_session_get_error (session), FLINT_ERROR,
                  FLINT_ERROR_CONNECTION_REFUSED);
  flint_session_disconnect (session);
}

static void
on_certificate_failed (FlintSession *session, FlintCertificate *cert, gpointer data)
{
  g_set_object ((FlintCertificate **) data, cert);
}

static void
test_certificate_pinning (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", FALSE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autoptr (FlintCertificate) cert = NULL;

  g_signal_connect (session, "certificate-failed", G_CALLBACK (on_certificate_failed),
                    &cert);

  /* Unknown self-signed certificate: refused, and the user is shown it. */
  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE,
                             SIGN_IN_WAIT_MS));
  g_assert_error ((GError *) flint_session_get_error (session), FLINT_ERROR,
                  FLINT_ERROR_TLS_UNTRUSTED);
  g_assert_nonnull (cert);
  g_assert_cmpstr (flint_certificate_get_sha256 (cert), ==, server.cert_sha256);
  g_assert_cmpstr (flint_certificate_get_subject (cert), !=, "");
  g_assert_cmpstr (flint_certificate_get_not_after (cert), !=, "");

  /* The user trusts it: pinned, and the connection goes through. */
  flint_session_trust_certificate (session, cert);
  g_assert_cmpstr (flint_account_get_trusted_cert (account), ==, server.cert_sha256);
  g_assert_true (wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_ONLINE);
  flint_session_disconnect (session);
  spin (100);
}

static void
test_certificate_changed (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", FALSE);
  g_autoptr (FlintSession) session = NULL;
  g_autoptr (FlintCertificate) cert = NULL;

  /* A pin for some other certificate: the server's is a changed one. */
  flint_account_set_trusted_cert (
    account, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  session = session_new (account, "secret-a");
  g_signal_connect (session, "certificate-failed", G_CALLBACK (on_certificate_failed),
                    &cert);
  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE,
                             SIGN_IN_WAIT_MS));
  g_assert_error ((GError *) flint_session_get_error (session), FLINT_ERROR,
                  FLINT_ERROR_TLS_UNTRUSTED);
  g_assert_nonnull (cert);
  g_assert_cmpstr (flint_certificate_get_sha256 (cert), ==, server.cert_sha256);
}

static void
test_tls_required (void)
{
  g_autoptr (FlintAccount) account = make_account (&plain_server, "alice", FALSE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");

  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE,
                             SIGN_IN_WAIT_MS));
  g_assert_error ((GError *) flint_session_get_error (session), FLINT_ERROR,
                  FLINT_ERROR_TLS_REQUIRED);
}

static void
on_stanza_log (FlintSession *session, gboolean outgoing, const char *xml, gpointer data)
{
  g_string_append_printf (data, "%s %s\n", outgoing ? ">>" : "<<", xml);
}

static void
test_stanza_log_redacts_auth (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = NULL;
  g_autoptr (GString) log = g_string_new (NULL);

  /* A long, recognisable password: it must not appear even base64-encoded. */
  session = session_new (account, "secret-a");
  g_signal_connect (session, "stanza-log", G_CALLBACK (on_stanza_log), log);
  sign_in (session);
  g_assert_nonnull (strstr (log->str, "[redacted]"));
  g_assert_null (strstr (log->str, "secret-a"));
  g_assert_null (strstr (log->str, "c2VjcmV0LWE")); /* base64 of the password */
  g_assert_null (strstr (
    log->str,
    "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"SCRAM-SHA-1\">b"));
  flint_session_disconnect (session);
  spin (100);
}

static void
test_answers_ping_and_version (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  Peer *peer;
  const char *queries[][2] = {
    { "<ping xmlns='urn:xmpp:ping'/>", NULL },
    { "<query xmlns='jabber:iq:version'/>", "Flint" },
    { "<unknown xmlns='urn:example:nothing'/>", "service-unavailable" },
  };

  sign_in (session);
  peer = peer_start (&server, "bob", "secret-b");
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *cmd = g_strdup_printf (
        "{\"cmd\": \"iq\", \"xml\": \"<iq type='get' to='%s' id='q%u'>%s</iq>\"}",
        flint_session_get_bound_jid (session), i, queries[i][0]);
      char *line;

      peer_command (peer, cmd);
      for (line = peer_read_line (peer, 10000); line && !strstr (line, "\"done\"");
           line = peer_read_line (peer, 10000))
        g_free (line);
      g_assert_nonnull (line);
      g_test_message ("%s", line);
      /* A get is answered with a result (or an error), never with a get. */
      g_assert_nonnull (strstr (line, i == 2 ? "error" : "result"));
      if (queries[i][1])
        g_assert_nonnull (strstr (line, queries[i][1]));
      g_free (line);
    }
  peer_stop (peer);
  flint_session_disconnect (session);
  spin (100);
}

static void
on_ping_answer (FlintSession *session,
                xmpp_stanza_t *result,
                const GError *error,
                gpointer user_data)
{
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

static gboolean
counted_up (gpointer data)
{
  return *(guint *) data > 0;
}

/* Prosody leaves Nagle on, so a second stanza it writes (the rest of an
 * archive page after its first result) waits until we acknowledge the
 * first. After a request and its answer Linux would delay that ACK up to
 * 40 ms ("ping-pong" mode, which getsockopt reports as quick-ack off):
 * 50-message pages took 57 ms, 42 of them that wait. The session asks for
 * quick ACKs again after every read. */
static void
test_acks_at_once (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");

  sign_in (session);
  for (guint i = 0; i < 5; i++)
    {
      xmpp_stanza_t *iq = NULL;
      guint answered = 0;
      int quick = -1;
      socklen_t len = sizeof quick;
      g_autofree char *xml = g_strdup_printf (
        "<iq type='get' to='%s' id='ping-%u'><ping xmlns='urn:xmpp:ping'/></iq>",
        server.domain, i);

      iq = xmpp_stanza_new_from_string (flint_session_get_context (session), xml);
      flint_session_send_iq (session, iq, on_ping_answer, &answered);
      xmpp_stanza_release (iq);
      g_assert_true (wait_until (counted_up, &answered, 10000));
      g_assert_cmpint (flint_session_get_socket (session), >=, 0);
      g_assert_cmpint (getsockopt (flint_session_get_socket (session), IPPROTO_TCP,
                                   TCP_QUICKACK, &quick, &len),
                       ==, 0);
      g_assert_cmpint (quick, ==, 1);
    }
  flint_session_disconnect (session);
  spin (100);
}

/* Our side had the mirror problem: we write in small pieces (stanzas and
 * stream-management elements, one TLS record each), and with Nagle on a
 * piece written while an earlier one was unacknowledged waited for the
 * server's delayed ACK. A contact sending a file in-band one block at a
 * time got 4 KiB per 46 ms (150 kB: 1.7 s; 0.13 s without the delay). */
static void
test_writes_at_once (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  int nodelay = 0;
  socklen_t len = sizeof nodelay;

  sign_in (session);
  g_assert_cmpint (flint_session_get_socket (session), >=, 0);
  g_assert_cmpint (getsockopt (flint_session_get_socket (session), IPPROTO_TCP,
                               TCP_NODELAY, &nodelay, &len),
                   ==, 0);
  g_assert_cmpint (nodelay, ==, 1);
  flint_session_disconnect (session);
  spin (100);
}

typedef struct
{
  guint seen;
  const char *want;
} Echo;

static gboolean
on_echo (FlintSession *session, xmpp_stanza_t *stanza, gpointer data)
{
  Echo *echo = data;

  if (g_strcmp0 (xmpp_stanza_get_id (stanza), echo->want) == 0)
    echo->seen++;
  return FALSE;
}

static gboolean
echo_seen (gpointer data)
{
  return ((Echo *) data)->seen > 0;
}

/* A stanza bigger than the socket takes at once: libstrophe keeps the rest
 * and writes it when it runs again, but xmpp_conn_send_queue_len() does
 * not count a half-written stanza, so nothing asked for the socket to be
 * writable and the rest waited for the next event: the keepalive, two
 * minutes later. A small send buffer makes every big stanza such a one. */
static void
test_big_stanza_goes_out (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autofree char *body = g_strnfill (200000, 'x');
  g_autofree char *xml = NULL;
  Echo echo = { 0, "big" };
  xmpp_stanza_t *message;
  guint handler;

  sign_in (session);
  g_assert_cmpint (setsockopt (flint_session_get_socket (session), SOL_SOCKET, SO_SNDBUF,
                               &(int){ 4096 }, sizeof (int)),
                   ==, 0);
  handler =
    flint_session_add_handler (session, "message", NULL, NULL, on_echo, &echo, NULL);
  xml =
    g_strdup_printf ("<message type='chat' to='%s' id='big'><body>%s</body></message>",
                     flint_session_get_bound_jid (session), body);
  message = xmpp_stanza_new_from_string (flint_session_get_context (session), xml);
  flint_session_send (session, message);
  xmpp_stanza_release (message);
  g_assert_true (wait_until (echo_seen, &echo, 10000));
  flint_session_remove_handler (session, handler);
  flint_session_disconnect (session);
  spin (100);
}

typedef struct
{
  int depth;
  guint opened, closed, answered, answered_inside, destroyed;
  guint sent; /* pings */
  gboolean unbalanced;
} Scope;

static void
scope_cb (FlintSession *session, gboolean done, gpointer user_data)
{
  Scope *scope = user_data;

  if (scope->depth != (done ? 1 : 0))
    scope->unbalanced = TRUE;
  scope->depth += done ? -1 : 1;
  if (done)
    scope->closed++;
  else
    scope->opened++;
}

static void
scope_destroyed (gpointer user_data)
{
  ((Scope *) user_data)->destroyed++;
}

static void
on_ping_in_scope (FlintSession *session,
                  xmpp_stanza_t *result,
                  const GError *error,
                  gpointer user_data)
{
  Scope *scope = user_data;

  g_assert_no_error (error);
  if (scope->depth == 1)
    scope->answered_inside++;
  scope->answered++;
}

static gboolean
scope_answered (gpointer data)
{
  Scope *scope = data;

  return scope->answered == scope->sent;
}

/* The history keeps what one read brings in one transaction: the scope is
 * opened before each read and closed after its stanzas were handled, never
 * nested, and a callback for a stanza runs inside it. */
static void
test_read_scope (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  Scope scope = { 0 };

  flint_session_set_read_scope (session, scope_cb, &scope, scope_destroyed);
  sign_in (session);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *xml = g_strdup_printf (
        "<iq type='get' to='%s' id='scoped-%u'><ping xmlns='urn:xmpp:ping'/></iq>",
        server.domain, i);
      xmpp_stanza_t *iq =
        xmpp_stanza_new_from_string (flint_session_get_context (session), xml);

      scope.sent = i + 1;
      flint_session_send_iq (session, iq, on_ping_in_scope, &scope);
      xmpp_stanza_release (iq);
      g_assert_true (wait_until (scope_answered, &scope, 10000));
    }
  g_assert_cmpuint (scope.answered_inside, ==, 3);
  g_assert_false (scope.unbalanced);
  g_assert_cmpint (scope.depth, ==, 0);
  g_assert_cmpuint (scope.opened, >, 3);
  g_assert_cmpuint (scope.opened, ==, scope.closed);

  flint_session_disconnect (session);
  flint_session_set_read_scope (session, NULL, NULL, NULL);
  g_assert_cmpuint (scope.destroyed, ==, 1);
  spin (100);
}

static xmpp_stanza_t *
chat_message (FlintSession *session, const char *to, const char *body, const char *id)
{
  xmpp_stanza_t *message =
    xmpp_message_new (flint_session_get_context (session), "chat", to, id);

  xmpp_message_set_body (message, body);
  return message;
}

static void
test_reconnect_delivers_queued_once (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autofree char *bob = g_strdup_printf ("bob@%s", server.domain);
  xmpp_stanza_t *message;
  Peer *peer;
  guint seen = 0;

  sign_in (session);

  server_do (&server, "prosody-kill");
  g_assert_true (wait_state (session, FLINT_SESSION_RECONNECTING,
                             FLINT_SESSION_DISCONNECTED, SIGN_IN_WAIT_MS));
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_RECONNECTING);

  /* Sent while the server is down: must wait, then go out exactly once. */
  message = chat_message (session, bob, "queued while down", "queued-1");
  flint_session_send (session, message);
  xmpp_stanza_release (message);
  g_assert_cmpuint (flint_session_get_outbox_length (session), ==, 1);

  server_do (&server, "prosody-restart");
  peer = peer_start (&server, "bob", "secret-b");
  g_assert_true (
    wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, 20000));
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_ONLINE);
  g_assert_cmpuint (flint_session_get_outbox_length (session), ==, 0);

  /* Then a marker message: once it arrives, anything duplicated before it
   * would have arrived too. */
  message = chat_message (session, bob, "marker", "marker-1");
  flint_session_send (session, message);
  xmpp_stanza_release (message);
  for (;;)
    {
      g_autofree char *line = peer_read_line (peer, 10000);

      g_assert_nonnull (line);
      if (strstr (line, "queued while down"))
        seen++;
      if (strstr (line, "\"marker\""))
        break;
    }
  g_assert_cmpuint (seen, ==, 1);
  peer_stop (peer);
  flint_session_disconnect (session);
  spin (100);
}

static void
on_state_recorded (FlintSession *session, GParamSpec *pspec, GArray *states)
{
  FlintSessionState state = flint_session_get_state (session);

  g_array_append_val (states, state);
}

static guint
closed_port (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  guint port;

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_close (listener);
  return port;
}

/* flint_session_reconnect: signs off, waits for the stream to close, then
 * signs in with the account's settings as they are now (issue 8: an edited
 * port took effect only after a restart). */
static void
test_reconnect_new_settings (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");
  g_autoptr (GArray) states = g_array_new (FALSE, FALSE, sizeof (FlintSessionState));
  gboolean connecting = FALSE;

  sign_in (session);

  /* A port nothing listens on: the next attempt is refused there. */
  flint_account_set_port (account, closed_port ());
  flint_session_reconnect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_RECONNECTING, FLINT_SESSION_ONLINE,
                             SIGN_IN_WAIT_MS));
  g_assert_error ((GError *) flint_session_get_error (session), FLINT_ERROR,
                  FLINT_ERROR_CONNECTION_REFUSED);

  /* Back to the right port, from a retrying session: online again, through
   * one clean sign-off and sign-in (no stray "disconnected" once the new
   * attempt has started). */
  flint_account_set_port (account, server.port);
  g_signal_connect (session, "notify::state", G_CALLBACK (on_state_recorded), states);
  flint_session_reconnect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_RECONNECTING,
                             SIGN_IN_WAIT_MS));
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_ONLINE);
  g_assert_null (flint_session_get_error (session));

  /* And from online, to the same port: the old stream closes first. */
  g_array_set_size (states, 0);
  flint_session_reconnect (session);
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_DISCONNECTED);
  g_assert_false (flint_session_is_closed (session));
  g_assert_true (wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_RECONNECTING,
                             SIGN_IN_WAIT_MS));
  g_assert_cmpint (flint_session_get_state (session), ==, FLINT_SESSION_ONLINE);
  for (guint i = 0; i < states->len; i++)
    {
      FlintSessionState state = g_array_index (states, FlintSessionState, i);

      if (state == FLINT_SESSION_CONNECTING)
        connecting = TRUE;
      else if (connecting)
        g_assert_cmpint (state, !=, FLINT_SESSION_DISCONNECTED);
    }
  g_assert_true (connecting);
  g_signal_handlers_disconnect_by_data (session, states);
  flint_session_disconnect (session);
  spin (100);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  server_start (&server, TRUE);
  server_start (&plain_server, FALSE);

  g_test_add_func ("/session/login", test_login);
  g_test_add_func ("/session/wrong-password", test_wrong_password);
  g_test_add_func ("/session/unknown-host", test_unknown_host);
  g_test_add_func ("/session/connection-refused", test_connection_refused);
  g_test_add_func ("/session/certificate-pinning", test_certificate_pinning);
  g_test_add_func ("/session/certificate-changed", test_certificate_changed);
  g_test_add_func ("/session/tls-required", test_tls_required);
  g_test_add_func ("/session/stanza-log-redacts-auth", test_stanza_log_redacts_auth);
  g_test_add_func ("/session/answers-ping-and-version", test_answers_ping_and_version);
  g_test_add_func ("/session/acks-at-once", test_acks_at_once);
  g_test_add_func ("/session/writes-at-once", test_writes_at_once);
  g_test_add_func ("/session/big-stanza-goes-out", test_big_stanza_goes_out);
  g_test_add_func ("/session/read-scope", test_read_scope);
  g_test_add_func ("/session/reconnect-delivers-queued-once",
                   test_reconnect_delivers_queued_once);
  g_test_add_func ("/session/reconnect-new-settings", test_reconnect_new_settings);
  ret = g_test_run ();

  server_do (&server, "prosody-stop");
  server_do (&plain_server, "prosody-stop");
  return ret;
}

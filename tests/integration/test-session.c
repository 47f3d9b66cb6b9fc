/* FlintSession against a real Prosody (tests/harness/flint_harness.py) and a
 * slixmpp peer (tests/harness/peer.py): login, failures, certificate
 * pinning, reconnect with a queued message delivered exactly once. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "flint-error.h"
#include "flint-session.h"

typedef struct
{
  char *workdir;
  char *domain;
  guint port;
  char *cert_sha256;
} Server;

static Server server;
static Server plain_server;

static char *
harness_path (const char *name)
{
  const char *root = g_getenv ("FLINT_SOURCE_ROOT");

  return g_build_filename (root ? root : FLINT_SOURCE_ROOT, "tests", "harness", name,
                           NULL);
}

static char *
json_string (const char *json, const char *key)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\"\\s*:\\s*\"([^\"]*)\"", key);
  g_autoptr (GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  if (!g_regex_match (regex, json, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static guint
json_uint (const char *json, const char *key)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\"\\s*:\\s*([0-9]+)", key);
  g_autoptr (GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *digits = NULL;

  if (!g_regex_match (regex, json, 0, &match))
    return 0;
  digits = g_match_info_fetch (match, 1);
  return (guint) g_ascii_strtoull (digits, NULL, 10);
}

static char *
harness (const char *const *args)
{
  g_autofree char *script = harness_path ("flint_harness.py");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) "/usr/bin/python3");
  g_ptr_array_add (argv, script);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("harness %s failed: %s", args[0], err);
  return g_steal_pointer (&out);
}

static void
server_start (Server *s, gboolean tls)
{
  g_autofree char *json = NULL;
  const char *args[] = { "prosody-start",         NULL,     "--user",
                         "alice:secret-a",        "--user", "bob:secret-b",
                         tls ? NULL : "--no-tls", NULL };

  s->workdir = g_dir_make_tmp ("flint-session-XXXXXX", NULL);
  args[1] = s->workdir;
  json = harness (args);
  s->domain = json_string (json, "domain");
  s->port = json_uint (json, "c2s_port");
  s->cert_sha256 = json_string (json, "cert_sha256");
  g_assert_nonnull (s->domain);
  g_assert_cmpuint (s->port, >, 0);
}

static void
server_do (Server *s, const char *what)
{
  const char *args[] = { what, s->workdir, NULL };
  g_free (harness (args));
}

/* ---- helpers ------------------------------------------------------------ */

static FlintAccount *
make_account (Server *s, const char *user, gboolean pin)
{
  g_autofree char *jid = g_strdup_printf ("%s@%s", user, s->domain);
  FlintAccount *account = flint_account_new (jid, NULL);

  flint_account_set_host (account, "127.0.0.1");
  flint_account_set_port (account, s->port);
  if (pin && s->cert_sha256)
    flint_account_set_trusted_cert (account, s->cert_sha256);
  return account;
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main loop until the session reaches one of two states. */
static gboolean
wait_state (FlintSession *session,
            FlintSessionState a,
            FlintSessionState b,
            guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!timed_out && flint_session_get_state (session) != a &&
         flint_session_get_state (session) != b)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return !timed_out;
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static FlintSession *
session_new (FlintAccount *account, const char *password)
{
  FlintSession *session = flint_session_new (account);

  flint_session_set_password (session, password);
  flint_session_set_reconnect_delays (session, 200, 1000);
  return session;
}

/* ---- the peer ----------------------------------------------------------- */

typedef struct
{
  GSubprocess *process;
  GDataInputStream *out;
  GOutputStream *in;
} Peer;

typedef struct
{
  gboolean done;
  char *line;
} LineRead;

static void
on_line_read (GObject *source, GAsyncResult *result, gpointer data)
{
  LineRead *read = data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                          result, NULL, NULL);
  read->done = TRUE;
}

/* Reads the peer's next event line while the main loop (and so the session)
 * keeps running; NULL on timeout or end of stream. */
static char *
peer_read_line (Peer *peer, guint timeout_ms)
{
  LineRead read = { FALSE, NULL };
  gboolean timed_out = FALSE;
  guint id;

  g_data_input_stream_read_line_async (peer->out, G_PRIORITY_DEFAULT, NULL, on_line_read,
                                       &read);
  id = g_timeout_add (timeout_ms, on_timeout, &timed_out);
  while (!read.done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_true (read.done); /* a pending read cannot be abandoned safely */
  return read.line;
}

static gboolean
peer_wait_event (Peer *peer, const char *needle1, const char *needle2)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *line = peer_read_line (peer, 10000);

      if (line == NULL)
        return FALSE;
      if (strstr (line, needle1) && (needle2 == NULL || strstr (line, needle2)))
        return TRUE;
    }
  return FALSE;
}

static Peer *
peer_start (Server *s, const char *user, const char *password)
{
  g_autofree char *script = harness_path ("peer.py");
  g_autofree char *jid = g_strdup_printf ("%s@%s", user, s->domain);
  g_autofree char *port = g_strdup_printf ("%u", s->port);
  g_autoptr (GError) error = NULL;
  Peer *peer = g_new0 (Peer, 1);

  peer->process =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                      &error, "/usr/bin/python3", script, "--jid", jid, "--password",
                      password, "--host", "127.0.0.1", "--port", port, NULL);
  g_assert_no_error (error);
  peer->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  peer->in = g_subprocess_get_stdin_pipe (peer->process);
  g_assert_true (peer_wait_event (peer, "\"ready\"", NULL));
  return peer;
}

static void
peer_stop (Peer *peer)
{
  const char *quit = "{\"cmd\": \"quit\"}\n";

  g_output_stream_write_all (peer->in, quit, strlen (quit), NULL, NULL, NULL);
  g_subprocess_wait (peer->process, NULL, NULL);
  g_object_unref (peer->out);
  g_object_unref (peer->process);
  g_free (peer);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_login (void)
{
  g_autoptr (FlintAccount) account = make_account (&server, "alice", TRUE);
  g_autoptr (FlintSession) session = session_new (account, "secret-a");

  flint_session_connect (session);
  g_assert_true (
    wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, 10000));
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
  g_assert_true (
    wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE, 10000));
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
  g_assert_true (
    wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE, 15000));
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
  g_assert_true (
    wait_state (session, FLINT_SESSION_RECONNECTING, FLINT_SESSION_ONLINE, 10000));
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
  g_assert_true (
    wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE, 10000));
  g_assert_error ((GError *) flint_session_get_error (session), FLINT_ERROR,
                  FLINT_ERROR_TLS_UNTRUSTED);
  g_assert_nonnull (cert);
  g_assert_cmpstr (flint_certificate_get_sha256 (cert), ==, server.cert_sha256);
  g_assert_cmpstr (flint_certificate_get_subject (cert), !=, "");
  g_assert_cmpstr (flint_certificate_get_not_after (cert), !=, "");

  /* The user trusts it: pinned, and the connection goes through. */
  flint_session_trust_certificate (session, cert);
  g_assert_cmpstr (flint_account_get_trusted_cert (account), ==, server.cert_sha256);
  g_assert_true (
    wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, 10000));
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
  g_assert_true (
    wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE, 10000));
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
  g_assert_true (
    wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_ONLINE, 10000));
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
  flint_session_connect (session);
  g_assert_true (
    wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, 10000));
  g_assert_nonnull (strstr (log->str, "[redacted]"));
  g_assert_null (strstr (log->str, "secret-a"));
  g_assert_null (strstr (log->str, "c2VjcmV0LWE")); /* base64 of the password */
  g_assert_null (strstr (
    log->str,
    "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"SCRAM-SHA-1\">b"));
  flint_session_disconnect (session);
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

  flint_session_connect (session);
  g_assert_true (
    wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED, 10000));

  server_do (&server, "prosody-kill");
  g_assert_true (
    wait_state (session, FLINT_SESSION_RECONNECTING, FLINT_SESSION_DISCONNECTED, 10000));
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
  g_test_add_func ("/session/reconnect-delivers-queued-once",
                   test_reconnect_delivers_queued_once);
  ret = g_test_run ();

  server_do (&server, "prosody-stop");
  server_do (&plain_server, "prosody-stop");
  return ret;
}

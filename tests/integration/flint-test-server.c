#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "flint-test-server.h"

static char *
harness_path (const char *name)
{
  const char *root = g_getenv ("FLINT_SOURCE_ROOT");

  return g_build_filename (root ? root : FLINT_SOURCE_ROOT, "tests", "harness", name,
                           NULL);
}

char *
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

void
server_start (Server *s, gboolean tls)
{
  server_start_full (s, tls, NULL);
}

/* @extra: more prosody-start options (e.g. "--module", "admin_shell"). */
void
server_start_full (Server *s, gboolean tls, const char *const *extra)
{
  g_autofree char *json = NULL;
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  s->workdir = g_dir_make_tmp ("flint-session-XXXXXX", NULL);
  g_ptr_array_add (args, (char *) "prosody-start");
  g_ptr_array_add (args, s->workdir);
  g_ptr_array_add (args, (char *) "--user");
  g_ptr_array_add (args, (char *) "alice:secret-a");
  g_ptr_array_add (args, (char *) "--user");
  g_ptr_array_add (args, (char *) "bob:secret-b");
  if (!tls)
    g_ptr_array_add (args, (char *) "--no-tls");
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);
  json = harness ((const char *const *) args->pdata);
  s->domain = json_string (json, "domain");
  s->port = json_uint (json, "c2s_port");
  s->cert_sha256 = json_string (json, "cert_sha256");
  g_assert_nonnull (s->domain);
  g_assert_cmpuint (s->port, >, 0);
}

/* One prosodyctl shell command (the server needs --module admin_shell). */
char *
server_shell (Server *s, const char *command)
{
  const char *args[] = { "prosody-shell", s->workdir, command, NULL };
  return harness (args);
}

void
server_do (Server *s, const char *what)
{
  const char *args[] = { what, s->workdir, NULL };
  g_free (harness (args));
}

/* ---- helpers ------------------------------------------------------------ */

FlintAccount *
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
gboolean
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

void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

FlintSession *
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
char *
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

gboolean
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

Peer *
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

void
peer_stop (Peer *peer)
{
  const char *quit = "{\"cmd\": \"quit\"}\n";

  g_output_stream_write_all (peer->in, quit, strlen (quit), NULL, NULL, NULL);
  g_subprocess_wait (peer->process, NULL, NULL);
  g_object_unref (peer->out);
  g_object_unref (peer->process);
  g_free (peer);
}

void
server_register (Server *s, const char *user, const char *password)
{
  const char *args[] = { "register", s->workdir, user, password, NULL };
  g_free (harness (args));
}

void
peer_command (Peer *peer, const char *json_line)
{
  g_autofree char *line = g_strconcat (json_line, "\n", NULL);

  g_output_stream_write_all (peer->in, line, strlen (line), NULL, NULL, NULL);
  g_output_stream_flush (peer->in, NULL, NULL);
}

gboolean
wait_until (gboolean (*check) (gpointer), gpointer data, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!timed_out && !check (data))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return !timed_out;
}

/* Removes a throwaway directory and everything in it. */
void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

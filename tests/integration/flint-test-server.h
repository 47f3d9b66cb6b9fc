#pragma once

/* Shared by the C integration tests: a real Prosody started through
 * tests/harness/flint_harness.py and slixmpp peers (tests/harness/peer.py)
 * driven by JSON lines, with the main loop running while waiting. */

#include <gio/gio.h>

#include "flint-session.h"

typedef struct
{
  char *workdir;
  char *domain;
  guint port;
  char *cert_sha256;
} Server;

typedef struct
{
  GSubprocess *process;
  GDataInputStream *out;
  GOutputStream *in;
} Peer;

void server_start (Server *s, gboolean tls);
void server_start_full (Server *s, gboolean tls, const char *const *extra);
char *server_shell (Server *s, const char *command);
void server_do (Server *s, const char *what);
void server_register (Server *s, const char *user, const char *password);

/* Signing in (TLS, SCRAM) can take tens of seconds on the sanitizer build of
 * a loaded machine; a wait ends as soon as the state is reached. */
#define SIGN_IN_WAIT_MS 60000

FlintAccount *make_account (Server *s, const char *user, gboolean pin);
FlintSession *session_new (FlintAccount *account, const char *password);
gboolean wait_state (FlintSession *session,
                     FlintSessionState a,
                     FlintSessionState b,
                     guint timeout_ms);
void spin (guint ms);
gboolean wait_until (gboolean (*check) (gpointer), gpointer data, guint timeout_ms);

Peer *peer_start (Server *s, const char *user, const char *password);
void peer_command (Peer *peer, const char *json_line);
char *peer_read_line (Peer *peer, guint timeout_ms);
gboolean peer_wait_event (Peer *peer, const char *needle1, const char *needle2);
void peer_stop (Peer *peer);
char *json_string (const char *json, const char *key);
void remove_tree (const char *path);

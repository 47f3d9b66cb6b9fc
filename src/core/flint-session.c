/* FlintSession: one XMPP connection driven by libstrophe on the GLib main loop.
 *
 * libstrophe has its own select() loop; we never run it. Instead a GSource
 * watches the connection's socket (handed to us by the sockopt callback) and
 * calls xmpp_run_once (ctx, 0) when it is readable, when libstrophe has
 * queued output, or when we asked for a flush after xmpp_send(). While a
 * connection is being set up or torn down, a coarse tick also serves
 * libstrophe's internal timers (connect and auth timeouts); once online only
 * the keepalive timer remains, so an idle session does not wake up.
 *
 * Our own timers (reconnect, keepalive, IQ timeouts) are GLib timeouts, so we
 * never depend on libstrophe's timed handlers firing.
 */
#include "config.h"

#define G_LOG_DOMAIN "flint-session"

#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with the byte counters */
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-defaults.h"
#include "flint-error.h"
#include "flint-proxy-relay.h"
#include "flint-jid.h"
#include "flint-session.h"
#include "flint-sm-ledger.h"
#include "flint-session-private.h"
#include "flint-stanza-log.h"
#include "flint-stanza.h"
#include "flint-xml-guard.h"

#define SETUP_TICK_MS 250
/* TLS may hold decrypted data the socket no longer signals; each
 * xmpp_run_once() reads at most 4 KiB, so four rounds drain what is left of
 * a 16 KiB record. A pump that took a record off the socket runs again
 * (see pump), so the rest of that record is read too. */
#define DRAIN_ROUNDS 6
#define IQ_TIMEOUT_S 60
#define DEFAULT_KEEPALIVE_S 120
#define DEFAULT_KEEPALIVE_TIMEOUT_S 30
#define NS_PING "urn:xmpp:ping"
#define NS_VERSION "jabber:iq:version"
#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"

G_DEFINE_ENUM_TYPE (FlintSessionState,
                    flint_session_state,
                    G_DEFINE_ENUM_VALUE (FLINT_SESSION_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (FLINT_SESSION_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (FLINT_SESSION_AUTHENTICATING, "authenticating"),
                    G_DEFINE_ENUM_VALUE (FLINT_SESSION_ONLINE, "online"),
                    G_DEFINE_ENUM_VALUE (FLINT_SESSION_RECONNECTING, "reconnecting"))

typedef struct
{
  guint id;
  char *name;
  char *ns;
  char *type;
  FlintStanzaHandler func;
  gpointer data;
  GDestroyNotify destroy;
  gboolean removed;
} HandlerEntry;

typedef struct
{
  FlintSession *session;
  char *id;
  char *expect_from;
  FlintIqCallback callback;
  gpointer data;
  guint timeout_id;
} PendingIq;

typedef struct
{
  GSource source;
  FlintSession *session;
} StropheSource;

struct _FlintSession
{
  GObject parent_instance;

  FlintAccount *account;
  char *password;

  xmpp_ctx_t *ctx;
  xmpp_log_t log;
  xmpp_conn_t *conn;
  xmpp_sm_state_t *sm_state;
  GPtrArray *dead_conns;
  FlintSessionReadScope read_scope;
  gpointer read_scope_data;
  GDestroyNotify read_scope_destroy;
  gboolean reading; /* inside the scope: it must not change now */
  guint release_id;

  GSource *source;
  gpointer fd_tag;
  gboolean send_blocked; /* the socket took less than libstrophe had */
  int fd;

  FlintSessionState state;
  GError *error;
  FlintCertificate *certificate;
  char *bound_jid;

  /* What the user asked for: stay online, or not. */
  gboolean wanted;
  /* We closed the stream ourselves: a keepalive failure (reconnect) or the
   * user signing off (don't). */
  gboolean dropping;
  gboolean closing;
  /* flint_session_reconnect(): sign in again once the closing stream is shut. */
  gboolean connect_after_close;

  /* Facts about the current attempt, learnt from libstrophe's log. */
  gboolean cert_rejected;
  FlintProxyRelay *relay; /* while the system proxy carries the connection */
  gboolean saw_auth_failure;
  gboolean saw_tls_missing;
  gboolean saw_resumed;
  gboolean saw_parse_error; /* the stream broke: drop it, never resume it */
  guint parse_error_id;

  GCancellable *cancellable;
  guint reconnect_id;
  guint reconnect_attempt;
  guint first_delay_ms;
  guint max_delay_ms;

  guint keepalive_interval;
  guint keepalive_timeout;
  guint keepalive_id;
  gboolean ping_outstanding;

  GQueue outbox;
  /* Our XEP-0198 account of sent messages (see flint-sm-ledger.h). */
  FlintSmLedger *ledger;
  guint resend_id;
  GPtrArray *handlers;
  guint next_handler_id;
  guint dispatch_depth;
  GHashTable *pending_iqs;
  /* Loopback (fuzzing, hostile-input tests): online without a connection;
   * what would be sent goes to sink. */
  FlintSessionSink sink;
  gpointer sink_data;

  GNetworkMonitor *monitor;
  gulong network_handler;

  char *show;
  char *status;
  int priority;
  GPtrArray *presence_extensions; /* xmpp_stanza_t, one per name + ns */
};

G_DEFINE_FINAL_TYPE (FlintSession, flint_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ACCOUNT,
  PROP_STATE,
  PROP_ERROR,
  PROP_BOUND_JID,
  N_PROPS
};

enum
{
  SIGNAL_ONLINE,
  SIGNAL_CERTIFICATE_FAILED,
  SIGNAL_STANZA_LOG,
  SIGNAL_MESSAGE_ACKED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* libstrophe's certificate and socket callbacks carry no user data. Each
 * session has its own xmpp_ctx_t, and the certificate handed to the certfail
 * handler knows its ctx (not its conn, in 0.12), so this maps a ctx back to
 * its session (main thread only). */
static GHashTable *ctx_sessions;

static void start_attempt (FlintSession *self);
static void schedule_reconnect (FlintSession *self);
static void update_watch (FlintSession *self);
static void keepalive_restart (FlintSession *self);
static gboolean violates_pin (FlintSession *self);
static void fail_attempt (FlintSession *self, FlintErrorCode code, gboolean fatal);

static void
set_state (FlintSession *self, FlintSessionState state)
{
  if (self->state == state)
    return;
  g_debug ("%s: state %d -> %d", flint_account_get_jid (self->account), self->state,
           state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (FlintSession *self, FlintErrorCode code, const char *detail)
{
  g_clear_error (&self->error);
  if (detail && *detail)
    self->error =
      g_error_new (FLINT_ERROR, code, "%s (%s)", flint_error_describe (code), detail);
  else
    self->error = g_error_new_literal (FLINT_ERROR, code, flint_error_describe (code));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
clear_error (FlintSession *self)
{
  if (self->error == NULL)
    return;
  g_clear_error (&self->error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* ---- the GLib source ---------------------------------------------------- */

/* Servers leave Nagle on (Prosody does): after one stanza, the next small
 * write waits until we acknowledge the first, and Linux delays that ACK up
 * to 40 ms. An archive page of 50 results took 57 ms, 42 of them that wait.
 * Quick-ack mode is not sticky, so it is asked for again after every read. */
static void
ack_at_once (FlintSession *self)
{
#ifdef TCP_QUICKACK
  if (self->fd >= 0)
    setsockopt (self->fd, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof (int));
#endif
}

static void wake (FlintSession *self);

/* Bytes waiting on the socket, -1 when unknown. */
static int
socket_backlog (FlintSession *self)
{
  int n = -1;

  if (self->fd < 0 || ioctl (self->fd, FIONREAD, &n) != 0)
    return -1;
  return n;
}

/* Bytes the socket has taken from us so far (sent, or queued to be), 0 when
 * unknown. One snapshot, so a write between two calls always shows. */
static guint64
socket_taken (FlintSession *self)
{
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  if (self->fd < 0 || getsockopt (self->fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
      len <
        offsetof (struct tcp_info, tcpi_bytes_retrans) + sizeof info.tcpi_bytes_retrans)
    return 0;
  return info.tcpi_bytes_sent - info.tcpi_bytes_retrans + info.tcpi_notsent_bytes;
}

static gboolean
socket_writable (FlintSession *self)
{
  struct pollfd p = { .fd = self->fd, .events = POLLOUT };

  return self->fd < 0 || (poll (&p, 1, 0) == 1 && (p.revents & POLLOUT));
}

static void
pump (FlintSession *self)
{
  int backlog = socket_backlog (self);
  guint64 taken = socket_taken (self);
  gboolean took = FALSE, wrote;

  g_object_ref (self);
  for (guint i = 0; i < DRAIN_ROUNDS && self->ctx; i++)
    {
      int now;

      /* libstrophe writes what handlers send (an XEP-0198 ack too) at the
       * start of its next round, so the scope ends before that. */
      if (self->read_scope)
        self->read_scope (self, FALSE, self->read_scope_data);
      self->reading = TRUE;
      xmpp_run_once (self->ctx, 0);
      self->reading = FALSE;
      if (self->read_scope)
        self->read_scope (self, TRUE, self->read_scope_data);
      now = socket_backlog (self);
      took = took || now != backlog;
      backlog = now;
    }
  ack_at_once (self);
  /* libstrophe keeps what the socket did not take of a stanza and writes
   * it when it runs again, but xmpp_conn_send_queue_len() does not count a
   * half-written stanza: while the socket is full, wait until it takes
   * more. A record taken off the socket may still be partly in TLS, where
   * the socket's watch cannot see it. So a pump that wrote or took a record
   * runs once more; one that does neither has read all that TLS held and
   * written all libstrophe had. */
  wrote = socket_taken (self) != taken;
  self->send_blocked = self->conn && !socket_writable (self);
  update_watch (self);
  if ((took || wrote) && self->conn && !self->send_blocked)
    wake (self);
  g_object_unref (self);
}

static gboolean
strophe_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  pump (((StropheSource *) source)->session);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs strophe_source_funcs = {
  .dispatch = strophe_source_dispatch,
};

static void
wake (FlintSession *self)
{
  g_source_set_ready_time (self->source, 0);
}

static void
unwatch_fd (FlintSession *self)
{
  if (self->fd_tag)
    g_source_remove_unix_fd (self->source, self->fd_tag);
  self->fd_tag = NULL;
  self->fd = -1;
}

static void
update_watch (FlintSession *self)
{
  gboolean setting_up = self->state == FLINT_SESSION_CONNECTING ||
                        self->state == FLINT_SESSION_AUTHENTICATING || self->closing ||
                        self->dropping;

  if (self->conn && self->fd_tag)
    {
      GIOCondition cond = G_IO_IN | G_IO_ERR | G_IO_HUP;

      if (xmpp_conn_is_connecting (self->conn) ||
          xmpp_conn_send_queue_len (self->conn) > 0 || self->send_blocked)
        cond |= G_IO_OUT;
      g_source_modify_unix_fd (self->source, self->fd_tag, cond);

      if (self->state == FLINT_SESSION_CONNECTING && xmpp_conn_is_connected (self->conn))
        set_state (self, FLINT_SESSION_AUTHENTICATING);
    }

  if (self->conn && setting_up)
    g_source_set_ready_time (self->source, g_get_monotonic_time () +
                                             SETUP_TICK_MS * G_TIME_SPAN_MILLISECOND);
  else
    g_source_set_ready_time (self->source, -1);
}

static int
on_sockopt (xmpp_conn_t *conn, void *sock)
{
  FlintSession *self = g_hash_table_lookup (ctx_sessions, xmpp_conn_get_context (conn));
  int fd = *(int *) sock;

  if (self == NULL)
    return -1;
  unwatch_fd (self);
  self->fd = fd;
  self->fd_tag = g_source_add_unix_fd (self->source, fd, G_IO_IN | G_IO_OUT);
  /* Our writes are small pieces (a stanza, a stream-management element);
   * with Nagle each one after the first waited for the server's delayed
   * ACK, up to 40 ms per answer (an IBB block's ack, a disco reply). */
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof (int));
  return xmpp_sockopt_cb_keepalive (conn, sock);
}

/* ---- libstrophe's log: facts it only reports there, and the XML console - */

/* Authentication exchanges never leave the session, not even to the console. */
static char *
redact (const char *xml)
{
  static const char *const sasl_elements[] = { "auth", "response", "challenge", "success",
                                               NULL };

  for (guint i = 0; sasl_elements[i]; i++)
    {
      gsize len = strlen (sasl_elements[i]);
      const char *end;
      g_autofree char *open = NULL;

      if (xml[0] != '<' || strncmp (xml + 1, sasl_elements[i], len) != 0 ||
          !strchr (" />", xml[len + 1]) || !strstr (xml, NS_SASL))
        continue;
      end = strchr (xml, '>');
      open = end ? g_strndup (xml, (gsize) (end - xml)) : g_strdup (xml);
      if (g_str_has_suffix (open, "/"))
        return g_strconcat (open, ">", NULL);
      return g_strconcat (open, ">[redacted]</", sasl_elements[i], ">", NULL);
    }
  return NULL;
}

static void drop_connection (FlintSession *self);

static gboolean
on_parse_error_idle (gpointer user_data)
{
  FlintSession *self = user_data;

  self->parse_error_id = 0;
  g_debug ("%s: the server sent malformed XML, dropping the stream",
           flint_account_get_jid (self->account));
  drop_connection (self);
  return G_SOURCE_REMOVE;
}

static void
on_strophe_log (void *userdata, xmpp_log_level_t level, const char *area, const char *msg)
{
  FlintSession *self = userdata;
  gboolean sent = g_str_has_prefix (msg, "SENT: ");

  if (sent || g_str_has_prefix (msg, "RECV: "))
    {
      if (sent)
        flint_sm_ledger_note_sent (self->ledger, msg + 6);
      else
        flint_sm_ledger_note_received (self->ledger, msg + 6);

      gboolean debug = g_getenv ("FLINT_DEBUG_STROPHE") != NULL;

      if (debug ||
          g_signal_has_handler_pending (self, signals[SIGNAL_STANZA_LOG], 0, FALSE))
        {
          g_autofree char *redacted = redact (msg + 6);

          if (redacted == NULL)
            redacted = flint_stanza_log_redact (msg + 6);

          g_signal_emit (self, signals[SIGNAL_STANZA_LOG], 0, sent,
                         redacted ? redacted : msg + 6);
          if (debug)
            g_debug ("%s %.300s", sent ? ">>" : "<<", redacted ? redacted : msg + 6);
        }
      return;
    }

  if (strstr (msg, "auth failed") ||
      strstr (msg, "Cannot authenticate with known methods"))
    self->saw_auth_failure = TRUE;
  else if (strstr (msg, "TLS is not supported, but set as mandatory"))
    self->saw_tls_missing = TRUE;
  else if (strstr (msg, "Session resumed successfully"))
    self->saw_resumed = TRUE;
  else if (g_str_has_prefix (msg, "parse error") && self->parse_error_id == 0)
    {
      /* libstrophe sends a stream error and waits for the server to close,
       * with a cleanup timer that only runs while we pump it: drop the
       * connection ourselves (outside libstrophe's callback). */
      self->saw_parse_error = TRUE;
      self->parse_error_id = g_idle_add (on_parse_error_idle, self);
    }

  if (level >= XMPP_LEVEL_WARN || g_getenv ("FLINT_DEBUG_STROPHE"))
    g_debug ("libstrophe %s: %.200s", area, msg);
}

/* ---- certificates ------------------------------------------------------- */

static int
on_certfail (const xmpp_tlscert_t *cert, const char *const errormsg)
{
  FlintSession *self = g_hash_table_lookup (ctx_sessions, xmpp_tlscert_get_ctx (cert));
  g_autofree char *sha256 = NULL;
  const char *pinned;

  if (self == NULL)
    return 0;
  sha256 = flint_fingerprint_normalize (
    xmpp_tlscert_get_string (cert, XMPP_CERT_FINGERPRINT_SHA256));
  /* The user's own trust first, else the administrator's pin. */
  pinned = flint_defaults_get_pin_for (flint_defaults_get_default (), self->account);
  if (sha256 && pinned && g_str_equal (sha256, pinned))
    return 1;

  g_clear_object (&self->certificate);
  self->certificate =
    flint_certificate_new (xmpp_tlscert_get_string (cert, XMPP_CERT_SUBJECT),
                           xmpp_tlscert_get_string (cert, XMPP_CERT_ISSUER),
                           xmpp_tlscert_get_string (cert, XMPP_CERT_NOTBEFORE),
                           xmpp_tlscert_get_string (cert, XMPP_CERT_NOTAFTER), sha256,
                           xmpp_tlscert_get_pem (cert), errormsg);
  self->cert_rejected = TRUE;
  g_debug ("%s: certificate %s not trusted (%s)", flint_account_get_jid (self->account),
           sha256 ? sha256 : "?", errormsg ? errormsg : "");
  return 0;
}

void
flint_session_trust_certificate (FlintSession *self, FlintCertificate *certificate)
{
  g_return_if_fail (FLINT_IS_SESSION (self));
  g_return_if_fail (FLINT_IS_CERTIFICATE (certificate));

  flint_account_set_trusted_cert (self->account,
                                  flint_certificate_get_sha256 (certificate));
  clear_error (self);
  flint_session_connect (self);
}

/* ---- IQ tracking -------------------------------------------------------- */

static void
pending_iq_free (PendingIq *pending)
{
  g_clear_handle_id (&pending->timeout_id, g_source_remove);
  g_free (pending->id);
  g_free (pending->expect_from);
  g_free (pending);
}

static void
fail_iq (PendingIq *pending, FlintErrorCode code)
{
  g_autoptr (GError) error =
    g_error_new_literal (FLINT_ERROR, code, flint_error_describe (code));

  if (pending->callback)
    pending->callback (pending->session, NULL, error, pending->data);
}

static gboolean
on_iq_timeout (gpointer user_data)
{
  PendingIq *pending = user_data;
  FlintSession *self = pending->session;

  pending->timeout_id = 0;
  g_hash_table_steal (self->pending_iqs, pending->id);
  fail_iq (pending, FLINT_ERROR_TIMEOUT);
  pending_iq_free (pending);
  return G_SOURCE_REMOVE;
}

static void
fail_all_iqs (FlintSession *self)
{
  GHashTableIter iter;
  PendingIq *pending;
  g_autoptr (GPtrArray) all =
    g_ptr_array_new_with_free_func ((GDestroyNotify) pending_iq_free);

  g_hash_table_iter_init (&iter, self->pending_iqs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &pending))
    {
      g_ptr_array_add (all, pending);
      g_hash_table_iter_steal (&iter);
    }
  for (guint i = 0; i < all->len; i++)
    fail_iq (g_ptr_array_index (all, i), FLINT_ERROR_NOT_CONNECTED);
}

/* A reply counts only from whom we asked: a forged result from another JID
 * is dropped. An IQ to our own account or server may come back without from. */
static gboolean
reply_from_matches (FlintSession *self, PendingIq *pending, const char *from)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (pending->expect_from == NULL)
    return from == NULL ||
           flint_jid_equal_bare (from, flint_account_get_jid (self->account)) ||
           g_ascii_strcasecmp (from, flint_account_get_domain (self->account)) == 0;
  if (from == NULL)
    return FALSE;
  a = flint_jid_normalize (from);
  b = flint_jid_normalize (pending->expect_from);
  return a && b && g_str_equal (a, b);
}

static char *
describe_stanza_error (xmpp_stanza_t *stanza)
{
  xmpp_stanza_t *error = xmpp_stanza_get_child_by_name (stanza, "error");
  xmpp_stanza_t *child;
  const char *condition = NULL;
  g_autofree char *text = NULL;

  for (child = error ? xmpp_stanza_get_children (error) : NULL; child;
       child = xmpp_stanza_get_next (child))
    {
      const char *name = xmpp_stanza_get_name (child);

      if (!xmpp_stanza_is_tag (child) || name == NULL)
        continue;
      if (g_str_equal (name, "text"))
        {
          char *t = xmpp_stanza_get_text (child);
          text = g_strdup (t);
          xmpp_free (xmpp_stanza_get_context (stanza), t);
        }
      else if (condition == NULL)
        condition = name;
    }
  if (text && *text)
    return g_steal_pointer (&text);
  return g_strdup (condition ? condition : "undefined-condition");
}

static void
handle_iq_reply (FlintSession *self, xmpp_stanza_t *stanza)
{
  const char *id = xmpp_stanza_get_id (stanza);
  PendingIq *pending = id ? g_hash_table_lookup (self->pending_iqs, id) : NULL;

  if (pending == NULL)
    return;
  if (!reply_from_matches (self, pending, xmpp_stanza_get_from (stanza)))
    {
      g_debug ("Dropping an IQ reply from an unexpected sender");
      return;
    }
  g_hash_table_steal (self->pending_iqs, id);
  if (g_strcmp0 (xmpp_stanza_get_type (stanza), "error") == 0)
    {
      g_autofree char *what = describe_stanza_error (stanza);
      g_autoptr (GError) error =
        g_error_new (FLINT_ERROR, FLINT_ERROR_FAILED,
                     _ ("The server answered with an error: %s"), what);
      if (pending->callback)
        pending->callback (self, stanza, error, pending->data);
    }
  else if (pending->callback)
    pending->callback (self, stanza, NULL, pending->data);
  pending_iq_free (pending);
}

static void
on_message_acked (xmpp_stanza_t *message, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_MESSAGE_ACKED], 0,
                 xmpp_stanza_get_id (message), xmpp_stanza_get_to (message));
}

/* Hands a stanza to the connection, or to the loopback sink. */
static void
transmit (FlintSession *self, xmpp_stanza_t *stanza)
{
  if (self->sink)
    self->sink (self, stanza, self->sink_data);
  else if (self->conn)
    {
      flint_sm_ledger_track (self->ledger, stanza);
      xmpp_send (self->conn, stanza);
    }
}

static gboolean
can_transmit (FlintSession *self)
{
  return self->state == FLINT_SESSION_ONLINE && (self->conn || self->sink);
}

static void
send_iq_with_timeout (FlintSession *self,
                      xmpp_stanza_t *iq,
                      guint timeout_s,
                      FlintIqCallback callback,
                      gpointer user_data)
{
  PendingIq *pending;
  const char *to = xmpp_stanza_get_to (iq);

  if (xmpp_stanza_get_id (iq) == NULL)
    {
      g_autofree char *id = flint_session_new_id (self);
      xmpp_stanza_set_id (iq, id);
    }

  pending = g_new0 (PendingIq, 1);
  pending->session = self;
  pending->id = g_strdup (xmpp_stanza_get_id (iq));
  pending->callback = callback;
  pending->data = user_data;
  if (to && !flint_jid_equal_bare (to, flint_account_get_jid (self->account)) &&
      g_ascii_strcasecmp (to, flint_account_get_domain (self->account)) != 0)
    pending->expect_from = g_strdup (to);

  if (!can_transmit (self))
    {
      /* Not queued: a request's answer is only meaningful now. */
      fail_iq (pending, FLINT_ERROR_NOT_CONNECTED);
      pending_iq_free (pending);
      return;
    }

  pending->timeout_id = g_timeout_add_seconds (timeout_s, on_iq_timeout, pending);
  g_hash_table_replace (self->pending_iqs, pending->id, pending);
  transmit (self, iq);
  wake (self);
}

void
flint_session_send_iq (FlintSession *self,
                       xmpp_stanza_t *iq,
                       FlintIqCallback callback,
                       gpointer user_data)
{
  g_return_if_fail (FLINT_IS_SESSION (self));
  send_iq_with_timeout (self, iq, IQ_TIMEOUT_S, callback, user_data);
}

void
flint_session_send_iq_timeout (FlintSession *self,
                               xmpp_stanza_t *iq,
                               guint timeout_s,
                               FlintIqCallback callback,
                               gpointer user_data)
{
  g_return_if_fail (FLINT_IS_SESSION (self));
  send_iq_with_timeout (self, iq, MAX (timeout_s, 1), callback, user_data);
}

/* ---- stanza dispatch ---------------------------------------------------- */

static gboolean
has_child_ns (xmpp_stanza_t *stanza, const char *ns)
{
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (stanza); c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_ns (c), ns) == 0)
      return TRUE;
  return FALSE;
}

static void
handler_entry_free (HandlerEntry *entry)
{
  if (entry->destroy)
    entry->destroy (entry->data);
  g_free (entry->name);
  g_free (entry->ns);
  g_free (entry->type);
  g_free (entry);
}

static gboolean
dispatch_handlers (FlintSession *self, xmpp_stanza_t *stanza)
{
  const char *name = xmpp_stanza_get_name (stanza);
  const char *type = xmpp_stanza_get_type (stanza);
  gboolean handled = FALSE;

  if (type == NULL && g_strcmp0 (name, "message") == 0)
    type = "normal";

  self->dispatch_depth++;
  for (guint i = 0; i < self->handlers->len && !handled; i++)
    {
      HandlerEntry *entry = g_ptr_array_index (self->handlers, i);

      if (entry->removed || g_strcmp0 (entry->name, name) != 0)
        continue;
      if (entry->type && g_strcmp0 (entry->type, type) != 0)
        continue;
      if (entry->ns && !has_child_ns (stanza, entry->ns))
        continue;
      handled = entry->func (self, stanza, entry->data);
    }
  self->dispatch_depth--;

  if (self->dispatch_depth == 0)
    for (guint i = self->handlers->len; i > 0; i--)
      if (((HandlerEntry *) g_ptr_array_index (self->handlers, i - 1))->removed)
        g_ptr_array_remove_index (self->handlers, i - 1);
  return handled;
}

/* A reply (type "result", or "error" with a stanza error condition) to
 * request. libstrophe's xmpp_stanza_reply() returns NULL for a stanza
 * without from, which is exactly what the server's own pushes look like. */
xmpp_stanza_t *
flint_session_make_reply (xmpp_ctx_t *ctx,
                          xmpp_stanza_t *request,
                          const char *error_type,
                          const char *condition)
{
  xmpp_stanza_t *reply = xmpp_stanza_new (ctx);
  const char *name = xmpp_stanza_get_name (request);

  xmpp_stanza_set_name (reply, name ? name : "iq");
  xmpp_stanza_set_type (reply, condition ? "error" : "result");
  if (xmpp_stanza_get_id (request))
    xmpp_stanza_set_id (reply, xmpp_stanza_get_id (request));
  if (xmpp_stanza_get_from (request))
    xmpp_stanza_set_to (reply, xmpp_stanza_get_from (request));
  if (condition)
    {
      xmpp_stanza_t *error = xmpp_stanza_new (ctx);
      xmpp_stanza_t *what = xmpp_stanza_new (ctx);

      xmpp_stanza_set_name (error, "error");
      xmpp_stanza_set_type (error, error_type ? error_type : "cancel");
      xmpp_stanza_set_name (what, condition);
      xmpp_stanza_set_ns (what, "urn:ietf:params:xml:ns:xmpp-stanzas");
      xmpp_stanza_add_child_ex (error, what, 0);
      xmpp_stanza_add_child_ex (reply, error, 0);
    }
  return reply;
}

static gboolean
handle_builtin_iq (FlintSession *self, xmpp_stanza_t *stanza)
{
  xmpp_stanza_t *reply;

  if (g_strcmp0 (xmpp_stanza_get_type (stanza), "get") != 0)
    return FALSE;

  if (xmpp_stanza_get_child_by_name_and_ns (stanza, "ping", NS_PING))
    reply = flint_session_make_reply (self->ctx, stanza, NULL, NULL);
  else if (xmpp_stanza_get_child_by_name_and_ns (stanza, "query", NS_VERSION))
    {
      xmpp_stanza_t *query, *field, *text;
      const char *const fields[][2] = { { "name", "Flint" },
                                        { "version", PACKAGE_VERSION } };

      reply = flint_session_make_reply (self->ctx, stanza, NULL, NULL);
      query = xmpp_stanza_new (self->ctx);
      xmpp_stanza_set_name (query, "query");
      xmpp_stanza_set_ns (query, NS_VERSION);
      /* No OS: the version answer is visible to anyone. */
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          field = xmpp_stanza_new (self->ctx);
          xmpp_stanza_set_name (field, fields[i][0]);
          text = xmpp_stanza_new (self->ctx);
          xmpp_stanza_set_text (text, fields[i][1]);
          xmpp_stanza_add_child_ex (field, text, 0);
          xmpp_stanza_add_child_ex (query, field, 0);
        }
      xmpp_stanza_add_child_ex (reply, query, 0);
    }
  else
    return FALSE;

  transmit (self, reply);
  xmpp_stanza_release (reply);
  wake (self);
  return TRUE;
}

static int on_stanza (xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata);

/* libstrophe keeps one registration per handler function and user data, so
 * each stanza kind gets its own entry point. */
static int
on_message_stanza (xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
  return on_stanza (conn, stanza, userdata);
}

static int
on_presence_stanza (xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
  return on_stanza (conn, stanza, userdata);
}

static int
on_iq_stanza (xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
  return on_stanza (conn, stanza, userdata);
}

static void
receive_stanza (FlintSession *self, xmpp_stanza_t *stanza)
{
  const char *name = xmpp_stanza_get_name (stanza);
  const char *type = xmpp_stanza_get_type (stanza);
  gboolean is_iq = g_strcmp0 (name, "iq") == 0;

  g_object_ref (self);
  if (is_iq && (g_strcmp0 (type, "result") == 0 || g_strcmp0 (type, "error") == 0))
    handle_iq_reply (self, stanza);
  else if (!dispatch_handlers (self, stanza) && is_iq &&
           (g_strcmp0 (type, "get") == 0 || g_strcmp0 (type, "set") == 0) &&
           !handle_builtin_iq (self, stanza) && (self->conn || self->sink))
    {
      xmpp_stanza_t *reply =
        flint_session_make_reply (self->ctx, stanza, "cancel", "service-unavailable");
      transmit (self, reply);
      xmpp_stanza_release (reply);
      wake (self);
    }
  g_object_unref (self);
}

static int
on_stanza (xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
  FlintSession *self = userdata;

  if (conn == self->conn)
    receive_stanza (self, stanza);
  return 1;
}

guint
flint_session_add_handler (FlintSession *self,
                           const char *name,
                           const char *ns,
                           const char *type,
                           FlintStanzaHandler handler,
                           gpointer user_data,
                           GDestroyNotify destroy)
{
  HandlerEntry *entry;

  g_return_val_if_fail (FLINT_IS_SESSION (self), 0);
  g_return_val_if_fail (name != NULL && handler != NULL, 0);

  entry = g_new0 (HandlerEntry, 1);
  entry->id = ++self->next_handler_id;
  entry->name = g_strdup (name);
  entry->ns = g_strdup (ns);
  entry->type = g_strdup (type);
  entry->func = handler;
  entry->data = user_data;
  entry->destroy = destroy;
  g_ptr_array_add (self->handlers, entry);
  return entry->id;
}

void
flint_session_remove_handler (FlintSession *self, guint handler_id)
{
  g_return_if_fail (FLINT_IS_SESSION (self));

  for (guint i = 0; i < self->handlers->len; i++)
    {
      HandlerEntry *entry = g_ptr_array_index (self->handlers, i);

      if (entry->id != handler_id || entry->removed)
        continue;
      entry->removed = TRUE;
      if (entry->destroy)
        entry->destroy (entry->data);
      entry->destroy = NULL;
      if (self->dispatch_depth == 0)
        g_ptr_array_remove_index (self->handlers, i);
      return;
    }
}

/* ---- presence and sending ----------------------------------------------- */

static xmpp_stanza_t *
build_presence (FlintSession *self)
{
  xmpp_stanza_t *presence = xmpp_presence_new (self->ctx);
  g_autofree char *priority = g_strdup_printf ("%d", self->priority);
  const char *const children[][2] = {
    { "show", self->show },
    { "status", self->status },
    { "priority", priority },
  };

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      xmpp_stanza_t *child, *text;

      if (children[i][1] == NULL || *children[i][1] == '\0')
        continue;
      child = xmpp_stanza_new (self->ctx);
      xmpp_stanza_set_name (child, children[i][0]);
      text = xmpp_stanza_new (self->ctx);
      xmpp_stanza_set_text (text, children[i][1]);
      xmpp_stanza_add_child_ex (child, text, 0);
      xmpp_stanza_add_child_ex (presence, child, 0);
    }
  for (guint i = 0; self->presence_extensions && i < self->presence_extensions->len; i++)
    xmpp_stanza_add_child_ex (
      presence, xmpp_stanza_copy (g_ptr_array_index (self->presence_extensions, i)), 0);
  return presence;
}

static void
stanza_release (gpointer stanza)
{
  xmpp_stanza_release (stanza);
}

static gboolean
same_element (xmpp_stanza_t *a, const char *name, const char *ns)
{
  return g_strcmp0 (xmpp_stanza_get_name (a), name) == 0 &&
         g_strcmp0 (xmpp_stanza_get_ns (a), ns) == 0;
}

static gboolean
drop_presence_extension (FlintSession *self, const char *name, const char *ns)
{
  for (guint i = 0; self->presence_extensions && i < self->presence_extensions->len; i++)
    if (same_element (g_ptr_array_index (self->presence_extensions, i), name, ns))
      {
        g_ptr_array_remove_index (self->presence_extensions, i);
        return TRUE;
      }
  return FALSE;
}

/* Whether an extension equal to @child is carried already. */
static gboolean
has_presence_extension (FlintSession *self, xmpp_stanza_t *child)
{
  for (guint i = 0; self->presence_extensions && i < self->presence_extensions->len; i++)
    {
      xmpp_stanza_t *other = g_ptr_array_index (self->presence_extensions, i);

      if (same_element (other, xmpp_stanza_get_name (child), xmpp_stanza_get_ns (child)))
        {
          g_autofree char *a = flint_stanza_to_string (other);
          g_autofree char *b = flint_stanza_to_string (child);

          return a != NULL && g_strcmp0 (a, b) == 0;
        }
    }
  return FALSE;
}

/* Children (XEP-0115 caps, XEP-0153 photo) carried by every presence we
 * build, one per element name and namespace: a child replaces the one with
 * its name and namespace; NULL removes them all. A change goes out at once
 * when online; an unchanged child sends nothing (each presence we send is
 * delivered to every contact). */
void
flint_session_set_presence_extension (FlintSession *self, xmpp_stanza_t *child)
{
  g_return_if_fail (FLINT_IS_SESSION (self));

  if (child == NULL)
    {
      g_clear_pointer (&self->presence_extensions, g_ptr_array_unref);
      return;
    }
  if (has_presence_extension (self, child))
    return;
  if (self->presence_extensions == NULL)
    self->presence_extensions = g_ptr_array_new_with_free_func (stanza_release);
  drop_presence_extension (self, xmpp_stanza_get_name (child),
                           xmpp_stanza_get_ns (child));
  g_ptr_array_add (self->presence_extensions, xmpp_stanza_copy (child));
  if (self->state == FLINT_SESSION_ONLINE)
    {
      xmpp_stanza_t *presence = build_presence (self);
      flint_session_send (self, presence);
      xmpp_stanza_release (presence);
    }
}

void
flint_session_remove_presence_extension (FlintSession *self,
                                         const char *name,
                                         const char *ns)
{
  g_return_if_fail (FLINT_IS_SESSION (self));

  if (drop_presence_extension (self, name, ns) && self->state == FLINT_SESSION_ONLINE)
    {
      xmpp_stanza_t *presence = build_presence (self);
      flint_session_send (self, presence);
      xmpp_stanza_release (presence);
    }
}

void
flint_session_set_presence (FlintSession *self,
                            const char *show,
                            const char *status,
                            int priority)
{
  g_return_if_fail (FLINT_IS_SESSION (self));

  g_free (self->show);
  g_free (self->status);
  self->show = g_strdup (show);
  self->status = g_strdup (status);
  self->priority = priority;
  if (self->state == FLINT_SESSION_ONLINE)
    {
      xmpp_stanza_t *presence = build_presence (self);
      flint_session_send (self, presence);
      xmpp_stanza_release (presence);
    }
}

void
flint_session_send (FlintSession *self, xmpp_stanza_t *stanza)
{
  g_return_if_fail (FLINT_IS_SESSION (self));
  g_return_if_fail (stanza != NULL);

  if (can_transmit (self))
    {
      transmit (self, stanza);
      wake (self);
      return;
    }
  /* Messages wait for the next session; presence is rebuilt from our state
   * and IQs fail (flint_session_send_iq), so neither is queued. */
  if (g_strcmp0 (xmpp_stanza_get_name (stanza), "message") == 0)
    g_queue_push_tail (&self->outbox, xmpp_stanza_clone (stanza));
}

gboolean
flint_session_send_raw (FlintSession *self, const char *xml, GError **error)
{
  xmpp_stanza_t *stanza;

  g_return_val_if_fail (FLINT_IS_SESSION (self), FALSE);

  if (!flint_stanza_log_validate (xml, error))
    return FALSE;
  if (!can_transmit (self))
    {
      flint_set_error (error, FLINT_ERROR_NOT_CONNECTED);
      return FALSE;
    }
  while (g_ascii_isspace (*xml))
    xml++;
  stanza = xmpp_stanza_new_from_string (self->ctx, xml);
  if (stanza == NULL)
    {
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED, "%s",
                   _ ("This XML could not be read, so it was not sent."));
      return FALSE;
    }
  transmit (self, stanza);
  xmpp_stanza_release (stanza);
  wake (self);
  return TRUE;
}

guint
flint_session_get_outbox_length (FlintSession *self)
{
  return self->outbox.length;
}

static void
flush_outbox (FlintSession *self)
{
  xmpp_stanza_t *stanza;

  while (can_transmit (self) && (stanza = g_queue_pop_head (&self->outbox)))
    {
      transmit (self, stanza);
      xmpp_stanza_release (stanza);
    }
  wake (self);
}

char *
flint_session_new_id (FlintSession *self)
{
  return g_uuid_string_random ();
}

/* ---- keepalive (XEP-0199) ----------------------------------------------- */

static void
drop_connection (FlintSession *self)
{
  if (self->conn == NULL || self->dropping)
    return;
  g_debug ("%s: connection looks dead, dropping it",
           flint_account_get_jid (self->account));
  self->dropping = TRUE;
  xmpp_disconnect (self->conn);
  wake (self);
}

static void
on_ping_reply (FlintSession *self,
               xmpp_stanza_t *result,
               const GError *error,
               gpointer data)
{
  self->ping_outstanding = FALSE;
  /* An error reply still proves the stream is alive; only silence is fatal. */
  if (result == NULL && g_error_matches (error, FLINT_ERROR, FLINT_ERROR_TIMEOUT))
    drop_connection (self);
}

static void
send_ping (FlintSession *self)
{
  xmpp_stanza_t *iq, *ping;

  if (self->state != FLINT_SESSION_ONLINE || self->ping_outstanding)
    return;
  iq = xmpp_iq_new (self->ctx, "get", NULL);
  xmpp_stanza_set_to (iq, flint_account_get_domain (self->account));
  ping = xmpp_stanza_new (self->ctx);
  xmpp_stanza_set_name (ping, "ping");
  xmpp_stanza_set_ns (ping, NS_PING);
  xmpp_stanza_add_child_ex (iq, ping, 0);
  self->ping_outstanding = TRUE;
  send_iq_with_timeout (self, iq, self->keepalive_timeout, on_ping_reply, NULL);
  xmpp_stanza_release (iq);
}

static gboolean
on_keepalive (gpointer user_data)
{
  send_ping (user_data);
  return G_SOURCE_CONTINUE;
}

static void
keepalive_restart (FlintSession *self)
{
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  self->ping_outstanding = FALSE;
  if (self->state == FLINT_SESSION_ONLINE && self->keepalive_interval > 0)
    self->keepalive_id =
      g_timeout_add_seconds (self->keepalive_interval, on_keepalive, self);
}

/* ---- connection lifecycle ----------------------------------------------- */

static gboolean
release_dead_conns (gpointer user_data)
{
  FlintSession *self = user_data;

  self->release_id = 0;
  g_ptr_array_set_size (self->dead_conns, 0);
  return G_SOURCE_REMOVE;
}

/* libstrophe must not free a connection from inside its own callbacks. */
static void
retire_conn (FlintSession *self)
{
  if (self->conn == NULL)
    return;
  g_ptr_array_add (self->dead_conns, self->conn);
  self->conn = NULL;
  unwatch_fd (self);
  if (self->release_id == 0)
    self->release_id = g_idle_add (release_dead_conns, self);
}

static gboolean can_transmit (FlintSession *self);
static void wake (FlintSession *self);

/* Messages the server never acknowledged before the stream broke go out
 * again. From an idle callback: libstrophe may still send some of them
 * again itself once its handler returns, and the ledger then drops those. */
static gboolean
resend_lost (gpointer user_data)
{
  FlintSession *self = user_data;
  g_autoptr (GPtrArray) lost = NULL;

  self->resend_id = 0;
  if (!can_transmit (self))
    return G_SOURCE_REMOVE;
  lost = flint_sm_ledger_take_lost (self->ledger);
  for (guint i = 0; i < lost->len; i++)
    {
      g_debug ("%s: sending again %s, which the server never acknowledged",
               flint_account_get_jid (self->account),
               xmpp_stanza_get_id (lost->pdata[i]));
      transmit (self, lost->pdata[i]);
    }
  if (lost->len)
    wake (self);
  return G_SOURCE_REMOVE;
}

static void
on_online (FlintSession *self)
{
  gboolean resumed = self->saw_resumed;
  const char *bound = xmpp_conn_get_bound_jid (self->conn);

  g_free (self->bound_jid);
  self->bound_jid = g_strdup (bound);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_JID]);

  self->reconnect_attempt = 0;
  g_clear_object (&self->certificate);
  clear_error (self);

  if (!resumed)
    {
      /* A new session: nothing we asked the old one will be answered. */
      fail_all_iqs (self);
    }

  set_state (self, FLINT_SESSION_ONLINE);
  if (!resumed)
    {
      xmpp_stanza_t *presence = build_presence (self);
      xmpp_send (self->conn, presence);
      xmpp_stanza_release (presence);
    }
  g_signal_emit (self, signals[SIGNAL_ONLINE], 0, resumed);
  if (self->resend_id == 0)
    self->resend_id = g_idle_add (resend_lost, self);
  flush_outbox (self);
  keepalive_restart (self);
}

static gboolean
classify_failure (FlintSession *self,
                  int error,
                  xmpp_stream_error_t *stream_error,
                  FlintErrorCode *code)
{
  /* Returns whether the failure is fatal: retrying cannot help until the
   * user changes something. */
  if (self->cert_rejected)
    return *code = FLINT_ERROR_TLS_UNTRUSTED, TRUE;
  if (self->saw_tls_missing)
    return *code = FLINT_ERROR_TLS_REQUIRED, TRUE;
  if (self->saw_auth_failure)
    return *code = FLINT_ERROR_AUTH_FAILED, TRUE;
  if (stream_error)
    switch (stream_error->type)
      {
        case XMPP_SE_CONFLICT:
          return *code = FLINT_ERROR_CONFLICT, TRUE;
        case XMPP_SE_NOT_AUTHORIZED:
          return *code = FLINT_ERROR_AUTH_FAILED, TRUE;
        case XMPP_SE_HOST_UNKNOWN:
          return *code = FLINT_ERROR_HOST_NOT_FOUND, TRUE;
        default:
          return *code = FLINT_ERROR_STREAM, FALSE;
      }
  switch (error)
    {
      case 0:
        /* libstrophe reports a refused TCP connect without an errno. */
        if (self->state == FLINT_SESSION_CONNECTING)
          *code = FLINT_ERROR_CONNECTION_REFUSED;
        else if (self->state == FLINT_SESSION_ONLINE)
          *code = FLINT_ERROR_NETWORK;
        else
          *code = FLINT_ERROR_STREAM;
        return FALSE;
      case ECONNREFUSED:
        return *code = FLINT_ERROR_CONNECTION_REFUSED, FALSE;
      case ETIMEDOUT:
        return *code = FLINT_ERROR_TIMEOUT, FALSE;
      default:
        return *code = FLINT_ERROR_NETWORK, FALSE;
    }
}

static void
on_connection_lost (FlintSession *self, int error, xmpp_stream_error_t *stream_error)
{
  FlintErrorCode code;
  gboolean fatal = classify_failure (self, error, stream_error, &code);
  gboolean user_closed = self->closing || !self->wanted;

  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  self->ping_outstanding = FALSE;

  if (!fatal && !user_closed && !self->saw_parse_error)
    {
      /* Carry XEP-0198 state (and its unacknowledged stanzas) into the next
       * connection so it can resume. */
      xmpp_sm_state_t *sm = xmpp_conn_get_sm_state (self->conn);

      if (sm)
        {
          if (self->sm_state)
            xmpp_free_sm_state (self->sm_state);
          self->sm_state = sm;
        }
    }
  retire_conn (self);
  self->closing = FALSE;
  self->dropping = FALSE;
  self->saw_parse_error = FALSE;

  if (user_closed)
    {
      fail_all_iqs (self);
      set_state (self, FLINT_SESSION_DISCONNECTED);
      if (self->connect_after_close)
        {
          self->connect_after_close = FALSE;
          flint_session_connect (self);
        }
      return;
    }

  g_debug ("%s: connection lost (errno %d, stream error %d, fatal %d)",
           flint_account_get_jid (self->account), error,
           stream_error ? (int) stream_error->type : -1, fatal);
  set_error (self, code, NULL);
  if (fatal)
    {
      self->wanted = FALSE;
      fail_all_iqs (self);
      set_state (self, FLINT_SESSION_DISCONNECTED);
      if (code == FLINT_ERROR_TLS_UNTRUSTED && self->certificate)
        g_signal_emit (self, signals[SIGNAL_CERTIFICATE_FAILED], 0, self->certificate);
      return;
    }
  schedule_reconnect (self);
}

static void
on_conn_event (xmpp_conn_t *conn,
               xmpp_conn_event_t event,
               int error,
               xmpp_stream_error_t *stream_error,
               void *userdata)
{
  FlintSession *self = userdata;

  if (conn != self->conn)
    return;

  g_object_ref (self);
  switch (event)
    {
      case XMPP_CONN_CONNECT:
        if (violates_pin (self))
          {
            g_debug ("%s: the server's certificate is not the pinned one",
                     flint_account_get_jid (self->account));
            fail_attempt (self, FLINT_ERROR_TLS_UNTRUSTED, TRUE);
            break;
          }
        on_online (self);
        break;
      case XMPP_CONN_DISCONNECT:
      case XMPP_CONN_FAIL:
        on_connection_lost (self, error, stream_error);
        break;
      case XMPP_CONN_RAW_CONNECT:
      default:
        break;
    }
  g_object_unref (self);
}

/* The administrator pinned the server's certificate (FlintDefaults) and the
 * user trusted none of their own: a certificate the system's authorities
 * accept must still be the pinned one. libstrophe asks us only about
 * certificates it rejects, so this is checked once the stream is up. */
static gboolean
violates_pin (FlintSession *self)
{
  const char *pin;
  xmpp_tlscert_t *cert;
  g_autofree char *sha256 = NULL;

  if (self->sink || flint_account_get_trusted_cert (self->account))
    return FALSE;
  pin = flint_defaults_get_pin_for (flint_defaults_get_default (), self->account);
  if (pin == NULL)
    return FALSE;
  cert = xmpp_conn_get_peer_cert (self->conn);
  if (cert == NULL)
    return TRUE;
  sha256 = flint_fingerprint_normalize (
    xmpp_tlscert_get_string (cert, XMPP_CERT_FINGERPRINT_SHA256));
  if (sha256 == NULL || !g_str_equal (sha256, pin))
    {
      /* Shown like any untrusted certificate: the user may still trust it. */
      g_clear_object (&self->certificate);
      self->certificate = flint_certificate_new (
        xmpp_tlscert_get_string (cert, XMPP_CERT_SUBJECT),
        xmpp_tlscert_get_string (cert, XMPP_CERT_ISSUER),
        xmpp_tlscert_get_string (cert, XMPP_CERT_NOTBEFORE),
        xmpp_tlscert_get_string (cert, XMPP_CERT_NOTAFTER), sha256,
        xmpp_tlscert_get_pem (cert),
        _ ("This is not the certificate your administrator pinned."));
      xmpp_tlscert_free (cert);
      return TRUE;
    }
  xmpp_tlscert_free (cert);
  return FALSE;
}

static void
fail_attempt (FlintSession *self, FlintErrorCode code, gboolean fatal)
{
  retire_conn (self);
  set_error (self, code, NULL);
  if (fatal)
    {
      self->wanted = FALSE;
      set_state (self, FLINT_SESSION_DISCONNECTED);
    }
  else
    schedule_reconnect (self);
}

static void
open_connection (FlintSession *self, const char *address, guint port)
{
  g_autofree char *full_jid = NULL;
  long flags = XMPP_CONN_FLAG_MANDATORY_TLS;
  int ret;

  retire_conn (self);
  /* A stream still closing is dropped with its flags: they are not the new
   * connection's. */
  self->closing = FALSE;
  self->dropping = FALSE;
  self->conn = xmpp_conn_new (self->ctx);

  if (flint_account_get_allow_plaintext (self->account))
    flags = 0;
  xmpp_conn_set_flags (self->conn, flags);
  full_jid = g_strdup_printf ("%s/%s", flint_account_get_jid (self->account),
                              flint_account_get_resource (self->account));
  xmpp_conn_set_jid (self->conn, full_jid);
  xmpp_conn_set_pass (self->conn, self->password);
  xmpp_conn_set_certfail_handler (self->conn, on_certfail);
  xmpp_conn_set_sockopt_callback (self->conn, on_sockopt);
  if (self->sm_state)
    {
      if (xmpp_conn_set_sm_state (self->conn, self->sm_state) == XMPP_EOK)
        self->sm_state = NULL;
      else
        g_clear_pointer (&self->sm_state, xmpp_free_sm_state);
    }
  xmpp_handler_add (self->conn, on_message_stanza, NULL, "message", NULL, self);
  xmpp_handler_add (self->conn, on_presence_stanza, NULL, "presence", NULL, self);
  xmpp_handler_add (self->conn, on_iq_stanza, NULL, "iq", NULL, self);

  self->cert_rejected = FALSE;
  self->saw_auth_failure = FALSE;
  self->saw_tls_missing = FALSE;
  self->saw_resumed = FALSE;

  g_debug ("%s: connecting to %s:%u", flint_account_get_jid (self->account), address,
           port);
  ret =
    xmpp_connect_client (self->conn, address, (unsigned short) port, on_conn_event, self);
  if (ret != XMPP_EOK)
    {
      fail_attempt (self, FLINT_ERROR_CONNECTION_REFUSED, FALSE);
      return;
    }
  wake (self);
}

typedef struct
{
  FlintSession *self;
  guint port;
  char *host;
  GCancellable *cancellable;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->host);
  g_object_unref (lookup->self);
  g_object_unref (lookup->cancellable);
  g_free (lookup);
}

static Lookup *
lookup_new (FlintSession *self, guint port)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->self = g_object_ref (self);
  lookup->port = port;
  lookup->cancellable = g_object_ref (self->cancellable);
  return lookup;
}

static gboolean
network_available (FlintSession *self)
{
  return self->monitor == NULL || g_network_monitor_get_network_available (self->monitor);
}

static void
on_probe_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  FlintSession *self = lookup->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  char *address = g_object_get_data (G_OBJECT (source), "flint-address");

  if (!g_cancellable_is_cancelled (lookup->cancellable))
    {
      if (connection)
        {
          g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
          open_connection (self, address, lookup->port);
        }
      else
        fail_attempt (self,
                      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
                        ? FLINT_ERROR_CONNECTION_REFUSED
                        : FLINT_ERROR_NETWORK,
                      FALSE);
    }
  lookup_free (lookup);
}

/* libstrophe 0.12 moves the XEP-0198 resumption id along at every
 * connection attempt, so a single failed attempt while the server is still
 * down loses the chance to resume. While we hold resumable state, a plain
 * TCP connect first checks that the server answers. */
static void
connect_when_reachable (FlintSession *self, const char *address, guint port)
{
  g_autoptr (GSocketClient) client = NULL;
  g_autoptr (GSocketAddress) target = NULL;

  if (self->sm_state == NULL)
    {
      open_connection (self, address, port);
      return;
    }
  target = g_inet_socket_address_new_from_string (address, port);
  if (target == NULL)
    {
      open_connection (self, address, port);
      return;
    }
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 10);
  g_object_set_data_full (G_OBJECT (client), "flint-address", g_strdup (address), g_free);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (target), self->cancellable,
                                 on_probe_connected, lookup_new (self, port));
}

static void
on_host_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  FlintSession *self = lookup->self;
  g_autoptr (GError) error = NULL;
  GList *addresses =
    g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (!g_cancellable_is_cancelled (lookup->cancellable))
    {
      if (addresses)
        {
          g_autofree char *address = g_inet_address_to_string (addresses->data);
          connect_when_reachable (self, address, lookup->port);
        }
      else
        fail_attempt (self, FLINT_ERROR_HOST_NOT_FOUND, network_available (self));
    }
  g_resolver_free_addresses (addresses);
  lookup_free (lookup);
}

static void
resolve_host_directly (FlintSession *self, const char *host, guint port)
{
  g_autoptr (GResolver) resolver = NULL;

  /* libstrophe would resolve with a blocking getaddrinfo(); resolving here
   * keeps the main loop free and hands it an address literal. */
  if (g_hostname_is_ip_address (host))
    {
      connect_when_reachable (self, host, port);
      return;
    }
  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, host, self->cancellable, on_host_resolved,
                                   lookup_new (self, port));
}

static void
on_proxy_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  FlintSession *self = lookup->self;
  const char *host = lookup->host;
  g_autoptr (GError) error = NULL;

  if (g_cancellable_is_cancelled (lookup->cancellable))
    {
      lookup_free (lookup);
      return;
    }
  g_clear_object (&self->relay);
  if (flint_proxy_relay_needed_finish (result))
    {
      /* The proxy resolves the name; libstrophe talks to the relay. */
      self->relay = flint_proxy_relay_new (host, lookup->port, &error);
      if (self->relay)
        {
          g_debug ("%s: connecting through the system proxy",
                   flint_account_get_jid (self->account));
          open_connection (self, "127.0.0.1", flint_proxy_relay_get_port (self->relay));
          lookup_free (lookup);
          return;
        }
      g_debug ("No relay for the proxy: %s", error->message);
    }
  resolve_host_directly (self, host, lookup->port);
  lookup_free (lookup);
}

/* The system proxy settings first (GProxyResolver), then the name. */
static void
resolve_host (FlintSession *self, const char *host, guint port)
{
  Lookup *lookup = lookup_new (self, port);

  if (g_getenv ("FLINT_NO_PROXY"))
    {
      lookup_free (lookup);
      resolve_host_directly (self, host, port);
      return;
    }
  lookup->host = g_strdup (host);
  flint_proxy_relay_needed_async (host, port, lookup->cancellable, on_proxy_checked,
                                  lookup);
}

static void
on_srv_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  FlintSession *self = lookup->self;
  g_autoptr (GError) error = NULL;
  GList *targets = g_resolver_lookup_service_finish (G_RESOLVER (source), result, &error);

  if (!g_cancellable_is_cancelled (lookup->cancellable))
    {
      if (targets)
        resolve_host (self, g_srv_target_get_hostname (targets->data),
                      g_srv_target_get_port (targets->data));
      else
        /* No SRV record: RFC 6120 3.2.2 says try the domain itself. */
        resolve_host (self, flint_account_get_domain (self->account), 5222);
    }
  g_resolver_free_targets (targets);
  lookup_free (lookup);
}

static void
start_attempt (FlintSession *self)
{
  const char *host = flint_account_get_host (self->account);
  guint port = flint_account_get_port (self->account);

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  set_state (self, FLINT_SESSION_CONNECTING);
  if (host)
    resolve_host (self, host, port ? port : 5222);
  else if (port)
    resolve_host (self, flint_account_get_domain (self->account), port);
  else
    {
      g_autoptr (GResolver) resolver = g_resolver_get_default ();
      g_resolver_lookup_service_async (
        resolver, "xmpp-client", "tcp", flint_account_get_domain (self->account),
        self->cancellable, on_srv_resolved, lookup_new (self, 0));
    }
  update_watch (self);
}

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  FlintSession *self = user_data;

  self->reconnect_id = 0;
  if (self->wanted)
    start_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (FlintSession *self)
{
  guint64 delay = self->first_delay_ms;

  for (guint i = 0; i < self->reconnect_attempt && delay < self->max_delay_ms; i++)
    delay *= 2;
  delay = MIN (delay, self->max_delay_ms);
  /* Jitter keeps a whole office from reconnecting in lockstep after an
   * outage: wait between half and all of the backoff. */
  delay = delay / 2 + (guint64) g_random_int_range (0, (gint32) MAX (delay / 2, 1));
  self->reconnect_attempt++;

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  set_state (self, FLINT_SESSION_RECONNECTING);
  g_debug ("%s: reconnecting in %" G_GUINT64_FORMAT " ms",
           flint_account_get_jid (self->account), delay);
  self->reconnect_id = g_timeout_add ((guint) delay, on_reconnect_timeout, self);
}

static void
on_network_changed (GNetworkMonitor *monitor, gboolean available, FlintSession *self)
{
  if (!available || !self->wanted)
    return;
  if (self->state == FLINT_SESSION_RECONNECTING)
    {
      self->reconnect_attempt = 0;
      start_attempt (self);
    }
  else if (self->state == FLINT_SESSION_ONLINE)
    /* The route may have changed under us: find out now, not at the next
     * keepalive. */
    send_ping (self);
}

void
flint_session_connect (FlintSession *self)
{
  g_return_if_fail (FLINT_IS_SESSION (self));

  self->wanted = TRUE;
  if (self->state == FLINT_SESSION_CONNECTING ||
      self->state == FLINT_SESSION_AUTHENTICATING || self->state == FLINT_SESSION_ONLINE)
    return;
  if (self->password == NULL)
    {
      self->wanted = FALSE;
      set_error (self, FLINT_ERROR_NO_PASSWORD, NULL);
      set_state (self, FLINT_SESSION_DISCONNECTED);
      return;
    }
  self->reconnect_attempt = 0;
  start_attempt (self);
}

void
flint_session_disconnect (FlintSession *self)
{
  g_return_if_fail (FLINT_IS_SESSION (self));

  self->wanted = FALSE;
  self->connect_after_close = FALSE;
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->sm_state, xmpp_free_sm_state);

  if (self->conn &&
      (xmpp_conn_is_connected (self->conn) || xmpp_conn_is_connecting (self->conn)))
    {
      if (self->state == FLINT_SESSION_ONLINE)
        {
          xmpp_stanza_t *presence = xmpp_presence_new (self->ctx);
          xmpp_stanza_set_type (presence, "unavailable");
          xmpp_send (self->conn, presence);
          xmpp_stanza_release (presence);
        }
      self->closing = TRUE;
      xmpp_disconnect (self->conn);
      wake (self);
    }
  else
    retire_conn (self);
  fail_all_iqs (self);
  set_state (self, FLINT_SESSION_DISCONNECTED);
}

/* New connection settings (host, port, resource, TLS) are read when a
 * connection opens: sign off politely, then in again with them. */
void
flint_session_reconnect (FlintSession *self)
{
  g_return_if_fail (FLINT_IS_SESSION (self));

  flint_session_disconnect (self);
  if (self->conn && self->closing)
    self->connect_after_close = TRUE;
  else
    flint_session_connect (self);
}

/* ---- object ------------------------------------------------------------- */

static void
conn_release (gpointer conn)
{
  xmpp_conn_release (conn);
}

void
flint_session_set_password (FlintSession *self, const char *password)
{
  g_return_if_fail (FLINT_IS_SESSION (self));

  if (self->password)
    {
      explicit_bzero (self->password, strlen (self->password));
      g_free (self->password);
    }
  self->password = g_strdup (password);
}

/* TRUE once no connection is open or closing (after a disconnect has run
 * its course, or before any connect). */
gboolean
flint_session_is_closed (FlintSession *self)
{
  return self->conn == NULL;
}

gboolean
flint_session_has_password (FlintSession *self)
{
  return self->password != NULL;
}

void
flint_session_set_reconnect_delays (FlintSession *self, guint first_ms, guint max_ms)
{
  self->first_delay_ms = MAX (first_ms, 1);
  self->max_delay_ms = MAX (max_ms, self->first_delay_ms);
}

void
flint_session_set_keepalive (FlintSession *self, guint interval_s, guint timeout_s)
{
  self->keepalive_interval = interval_s;
  self->keepalive_timeout = MAX (timeout_s, 1);
  keepalive_restart (self);
}

FlintAccount *
flint_session_get_account (FlintSession *self)
{
  return self->account;
}

FlintSessionState
flint_session_get_state (FlintSession *self)
{
  return self->state;
}

const GError *
flint_session_get_error (FlintSession *self)
{
  return self->error;
}

const char *
flint_session_get_bound_jid (FlintSession *self)
{
  return self->bound_jid;
}

xmpp_ctx_t *
flint_session_get_context (FlintSession *self)
{
  return self->ctx;
}

FlintCertificate *
flint_session_get_certificate (FlintSession *self)
{
  return self->certificate;
}

gboolean
flint_session_is_following (FlintSession *self, const char *id)
{
  g_return_val_if_fail (FLINT_IS_SESSION (self), FALSE);

  return flint_sm_ledger_is_following (self->ledger, id);
}

gboolean
flint_session_get_stream_management (FlintSession *self)
{
  g_return_val_if_fail (FLINT_IS_SESSION (self), FALSE);

  return self->conn && flint_sm_ledger_is_counting (self->ledger);
}

static void
flint_session_dispose (GObject *object)
{
  FlintSession *self = FLINT_SESSION (object);

  self->wanted = FALSE;
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->monitor)
    g_clear_signal_handler (&self->network_handler, self->monitor);
  g_clear_object (&self->monitor);
  if (self->pending_iqs)
    fail_all_iqs (self);
  retire_conn (self);
  /* After retire_conn, which schedules the release it would race. */
  g_clear_handle_id (&self->release_id, g_source_remove);
  g_clear_pointer (&self->dead_conns, g_ptr_array_unref);
  g_clear_pointer (&self->sm_state, xmpp_free_sm_state);
  g_clear_object (&self->relay);
  flint_session_set_read_scope (self, NULL, NULL, NULL);
  if (self->source)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  G_OBJECT_CLASS (flint_session_parent_class)->dispose (object);
}

static void
flint_session_finalize (GObject *object)
{
  FlintSession *self = FLINT_SESSION (object);

  flint_session_set_password (self, NULL);
  g_queue_clear_full (&self->outbox, stanza_release);
  g_clear_handle_id (&self->resend_id, g_source_remove);
  g_clear_pointer (&self->ledger, flint_sm_ledger_free);
  g_clear_pointer (&self->presence_extensions, g_ptr_array_unref);
  g_clear_pointer (&self->handlers, g_ptr_array_unref);
  g_clear_handle_id (&self->parse_error_id, g_source_remove);
  g_clear_pointer (&self->pending_iqs, g_hash_table_unref);
  g_hash_table_remove (ctx_sessions, self->ctx);
  g_clear_pointer (&self->ctx, xmpp_ctx_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->certificate);
  g_clear_object (&self->account);
  g_clear_error (&self->error);
  g_free (self->bound_jid);
  g_free (self->show);
  g_free (self->status);
  G_OBJECT_CLASS (flint_session_parent_class)->finalize (object);
}

static void
flint_session_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  FlintSession *self = FLINT_SESSION (object);

  switch (prop_id)
    {
      case PROP_ACCOUNT:
        g_value_set_object (value, self->account);
        break;
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_ERROR:
        g_value_set_boxed (value, self->error);
        break;
      case PROP_BOUND_JID:
        g_value_set_string (value, self->bound_jid);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_session_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  FlintSession *self = FLINT_SESSION (object);

  switch (prop_id)
    {
      case PROP_ACCOUNT:
        self->account = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_session_class_init (FlintSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  flint_xml_guard_init ();
  object_class->dispose = flint_session_dispose;
  object_class->finalize = flint_session_finalize;
  object_class->get_property = flint_session_get_property;
  object_class->set_property = flint_session_set_property;

  properties[PROP_ACCOUNT] = g_param_spec_object (
    "account", NULL, NULL, FLINT_TYPE_ACCOUNT,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_enum (
    "state", NULL, NULL, FLINT_TYPE_SESSION_STATE, FLINT_SESSION_DISCONNECTED,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_boxed (
    "error", NULL, NULL, G_TYPE_ERROR,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOUND_JID] = g_param_spec_string (
    "bound-jid", NULL, NULL, NULL,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted once the stream is usable; resumed is TRUE when XEP-0198
   * resumed the previous session (roster, presence and rooms still stand). */
  signals[SIGNAL_ONLINE] =
    g_signal_new ("online", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[SIGNAL_CERTIFICATE_FAILED] =
    g_signal_new ("certificate-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_CERTIFICATE);
  /* Every stanza in (outgoing FALSE) and out, authentication redacted. */
  signals[SIGNAL_STANZA_LOG] =
    g_signal_new ("stanza-log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
  /* The server acknowledged (XEP-0198) our message with this id and to. */
  signals[SIGNAL_MESSAGE_ACKED] =
    g_signal_new ("message-acked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
flint_session_init (FlintSession *self)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      xmpp_initialize ();
      ctx_sessions = g_hash_table_new (NULL, NULL);
      g_once_init_leave (&initialized, 1);
    }

  self->fd = -1;
  self->log.handler = on_strophe_log;
  self->log.userdata = self;
  self->ctx = xmpp_ctx_new (NULL, &self->log);
  g_hash_table_insert (ctx_sessions, self->ctx, self);
  self->dead_conns = g_ptr_array_new_with_free_func (conn_release);
  self->handlers = g_ptr_array_new_with_free_func ((GDestroyNotify) handler_entry_free);
  self->pending_iqs = g_hash_table_new (g_str_hash, g_str_equal);
  self->cancellable = g_cancellable_new ();
  self->first_delay_ms = 1000;
  self->max_delay_ms = 120000;
  self->keepalive_interval = DEFAULT_KEEPALIVE_S;
  self->keepalive_timeout = DEFAULT_KEEPALIVE_TIMEOUT_S;
  self->priority = 0;
  g_queue_init (&self->outbox);
  self->ledger = flint_sm_ledger_new (on_message_acked, self);

  self->source = g_source_new (&strophe_source_funcs, sizeof (StropheSource));
  ((StropheSource *) self->source)->session = self;
  g_source_set_static_name (self->source, "[flint] xmpp");
  g_source_set_ready_time (self->source, -1);
  g_source_attach (self->source, g_main_context_get_thread_default ());

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_handler = g_signal_connect (self->monitor, "network-changed",
                                            G_CALLBACK (on_network_changed), self);
}

FlintSession *
flint_session_new (FlintAccount *account)
{
  g_return_val_if_fail (FLINT_IS_ACCOUNT (account), NULL);

  return g_object_new (FLINT_TYPE_SESSION, "account", account, NULL);
}

/* ---- loopback (tests) --------------------------------------------------- */

/**
 * flint_session_set_read_scope:
 * @scope: (nullable): called with done %FALSE before each read from the
 *   server and %TRUE after the stanzas read were handled, before anything
 *   they answered is written
 *
 * Lets the history keep a burst of stanzas in one transaction, committed
 * before the server can learn (by an XEP-0198 ack) that they arrived.
 */
void
flint_session_set_read_scope (FlintSession *self,
                              FlintSessionReadScope scope,
                              gpointer user_data,
                              GDestroyNotify destroy)
{
  g_return_if_fail (FLINT_IS_SESSION (self));
  /* Its close would go to another scope than its open. */
  g_return_if_fail (!self->reading);

  if (self->read_scope_destroy)
    self->read_scope_destroy (self->read_scope_data);
  self->read_scope = scope;
  self->read_scope_data = user_data;
  self->read_scope_destroy = destroy;
}

int
flint_session_get_socket (FlintSession *self)
{
  g_return_val_if_fail (FLINT_IS_SESSION (self), -1);
  return self->fd;
}

void
flint_session_start_loopback (FlintSession *self,
                              const char *bound_jid,
                              FlintSessionSink sink,
                              gpointer user_data)
{
  g_return_if_fail (FLINT_IS_SESSION (self));
  g_return_if_fail (self->conn == NULL && sink != NULL);

  self->sink = sink;
  self->sink_data = user_data;
  g_free (self->bound_jid);
  self->bound_jid = g_strdup (bound_jid);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_JID]);
  set_state (self, FLINT_SESSION_ONLINE);
  g_signal_emit (self, signals[SIGNAL_ONLINE], 0, FALSE);
  flush_outbox (self);
}

void
flint_session_receive (FlintSession *self, xmpp_stanza_t *stanza)
{
  g_return_if_fail (FLINT_IS_SESSION (self));
  g_return_if_fail (self->sink != NULL);

  receive_stanza (self, stanza);
}

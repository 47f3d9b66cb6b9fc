/* FlintTransfers: the session's file transfers, as a GListModel of
 * FlintTransfer, and the protocol that moves them: XEP-0096 SI file
 * transfer (XEP-0095 stream initiation) over XEP-0065 SOCKS5 bytestreams
 * (our own streamhost on this machine's addresses, and the server's proxy65)
 * with XEP-0047 in-band bytestreams as the fallback.
 *
 * The protocol runs on the main loop with GIO async calls. SOCKS5 bytes
 * move in a worker thread with blocking I/O (sendfile() when sending; when
 * receiving, splice() socket -> pipe -> file without a hash, or 1 MiB
 * buffers with MD5 in a second thread). Memory is bounded: a SOCKS5 receiver
 * holds at most 4 buffers (or one pipe), and an IBB block is acknowledged
 * only once it is on disk, so a sender cannot get ahead of the disk by more
 * than its own window.
 *
 * Received files go through FlintSafeFile: a sanitised name, a ".part" in
 * the chosen folder, renamed only when size and MD5 match. Anything wrong
 * from the peer (bad sequence, bad base64, an oversize block, more bytes
 * than announced, an early close) ends the transfer as failed and removes
 * the part. */
#define _GNU_SOURCE /* splice, pipe2, F_SETPIPE_SZ */
#include "config.h"

#define G_LOG_DOMAIN "flint-transfers"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gfiledescriptorbased.h>
#include <glib/gi18n-lib.h>
#include <ifaddrs.h>
#include <libsoup/soup.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "flint-error.h"
#include "flint-file-name.h"
#include "flint-jid.h"
#include "flint-md5.h"
#include "flint-safe-file.h"
#include "flint-socks5.h"
#include "flint-stanza.h"
#include "flint-transfers.h"

#define NS_SI "http://jabber.org/protocol/si"
#define NS_FT "http://jabber.org/protocol/si/profile/file-transfer"
#define NS_FEATURE_NEG "http://jabber.org/protocol/feature-neg"
#define NS_DATA "jabber:x:data"
#define NS_BYTESTREAMS "http://jabber.org/protocol/bytestreams"
#define NS_IBB "http://jabber.org/protocol/ibb"
#define NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_UPLOAD "urn:xmpp:http:upload:0"
/* What a link download may bring without a size announced up front. */
#define MAX_DOWNLOAD_BYTES (G_GINT64_CONSTANT (4) * 1024 * 1024 * 1024)

#define CHUNK_SIZE (256 * 1024)
#define STREAM_BUFFER (1024 * 1024)
#define PROGRESS_INTERVAL_MS 100
#define DEFAULT_IBB_BLOCK 4096
#define MAX_IBB_BLOCK 65535
#define IBB_WINDOW FLINT_TRANSFERS_IBB_WINDOW
#define MAX_QUEUED_CHUNKS 2
#define MAX_SID_LENGTH 128
/* How long an accepted offer may wait for its stream, and one streamhost for
 * its TCP connection. */
#define STREAM_WAIT_S 60
#define CONNECT_TIMEOUT_S 5
/* A person answers a file offer: long enough to notice it and choose a
 * folder, short enough that an offer nobody answers does not wait forever. */
#define OFFER_TIMEOUT_S (5 * 60)

struct _FlintTransfers
{
  GObject parent_instance;

  FlintSession *session;
  GPtrArray *items;  /* FlintTransfer, in creation order */
  GHashTable *jobs;  /* "peer sid" -> Job */
  guint handlers[4]; /* si, bytestreams, ibb (iq), unavailable presence */
  gulong online_handler;
  char *download_folder;
  FlintTransferUse use;
  guint ibb_block_size;
  guint offer_timeout_s;
  gboolean send_hash;

  char *proxy_jid; /* the server's proxy65, once found */
  char *proxy_host;
  guint16 proxy_port;
  gboolean proxy_searched;
  guint services_pending;     /* disco requests for the server's services in flight */
  GPtrArray *waiting_uploads; /* Job: sent before the upload service was known */

  char *upload_jid;  /* the server's XEP-0363 service, once found */
  gint64 upload_max; /* bytes; 0: no limit given */
  SoupSession *http;
};

static void flint_transfers_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FlintTransfers,
                               flint_transfers,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      flint_transfers_list_model_init))

enum
{
  SIGNAL_OFFER_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char *jid;
  char *host;
  guint16 port;
} Streamhost;

typedef struct
{
  GBytes *data;
  xmpp_stanza_t *ack; /* sent once data is on disk */
} IbbBlock;

typedef struct
{
  gint ref;
  FlintTransfers *owner; /* NULL once the manager is gone */
  FlintTransfer *transfer;
  char *key;
  char *sid;
  char *peer;
  gboolean incoming;
  GCancellable *cancellable;
  guint timeout_id;

  /* incoming */
  xmpp_stanza_t *offer; /* the SI request, answered on accept/decline */
  gboolean offered_socks5;
  gboolean offered_ibb;
  FlintSafeFile *file;
  xmpp_stanza_t *bytestreams_request;
  GPtrArray *streamhosts; /* Streamhost */
  guint next_streamhost;

  /* outgoing */
  GFile *source;
  GInputStream *input;
  char *md5;
  GSocketService *service;
  GIOStream *direct_conn; /* the target's connection to our streamhost */
  gboolean eof;           /* the sender's file, or (receiving) the socket, ended */
  gboolean reading;       /* a socket read is pending */
  guint64 received;       /* bytes read from the socket */

  /* a SOCKS5 worker thread (see worker_start) */
  gboolean worker;  /* it owns conn, input and file until it returns */
  guint64 expected; /* the size, read by the worker */
  guint64 progress; /* bytes moved, written by the worker atomically */
  gboolean splice;  /* receiving without a hash: socket to file by splice(2) */
  guint progress_id;

  /* both */
  GIOStream *conn; /* the SOCKS5 stream in use */
  char *dst;
  gboolean ibb_open;
  guint16 seq;
  gsize block_size;
  GQueue writes; /* IbbBlock, incoming */
  gboolean writing;
  gboolean close_received;
  guint in_flight; /* outgoing IBB data not yet acknowledged */

  /* HTTP upload and link download */
  SoupMessage *message;
  char *put_url;
  char *get_url;
  GPtrArray *put_headers; /* name, value, name, value... */
} Job;

static void job_fail (Job *job, FlintErrorCode code, const char *message);
static void ibb_start_send (Job *job);

/* ---- small helpers ------------------------------------------------------- */

/* Full JIDs: the bare parts compare case-insensitively, resources exactly. */
static gboolean
jid_equal (const char *a, const char *b)
{
  g_autofree char *ra = NULL;
  g_autofree char *rb = NULL;

  if (a == NULL || b == NULL || !flint_jid_equal_bare (a, b))
    return FALSE;
  ra = flint_jid_resource (a);
  rb = flint_jid_resource (b);
  return g_strcmp0 (ra, rb) == 0;
}

static xmpp_ctx_t *
ctx_of (FlintTransfers *self)
{
  return flint_session_get_context (self->session);
}

static void
streamhost_free (Streamhost *sh)
{
  g_free (sh->jid);
  g_free (sh->host);
  g_free (sh);
}

static void
ibb_block_free (IbbBlock *b)
{
  g_bytes_unref (b->data);
  if (b->ack)
    xmpp_stanza_release (b->ack);
  g_free (b);
}

static char *
job_key (const char *peer, const char *sid)
{
  return g_strdup_printf ("%s %s", peer, sid);
}

static Job *
job_ref (Job *job)
{
  g_atomic_int_inc (&job->ref);
  return job;
}

static void
job_unref (Job *job)
{
  if (!g_atomic_int_dec_and_test (&job->ref))
    return;
  g_clear_object (&job->transfer);
  g_free (job->key);
  g_free (job->sid);
  g_free (job->peer);
  g_clear_object (&job->cancellable);
  if (job->offer)
    xmpp_stanza_release (job->offer);
  if (job->bytestreams_request)
    xmpp_stanza_release (job->bytestreams_request);
  g_clear_object (&job->file);
  g_clear_pointer (&job->streamhosts, g_ptr_array_unref);
  g_clear_object (&job->source);
  g_clear_object (&job->input);
  g_free (job->md5);
  g_clear_object (&job->service);
  g_clear_object (&job->direct_conn);
  g_clear_object (&job->conn);
  g_free (job->dst);
  g_queue_clear_full (&job->writes, (GDestroyNotify) ibb_block_free);
  g_clear_object (&job->message);
  g_free (job->put_url);
  g_free (job->get_url);
  g_clear_pointer (&job->put_headers, g_ptr_array_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_unref)

static gboolean
job_done (Job *job)
{
  return job->owner == NULL || flint_transfer_is_finished (job->transfer);
}

static Job *
job_new (FlintTransfers *self, FlintTransfer *transfer, const char *peer, const char *sid)
{
  Job *job = g_new0 (Job, 1);

  job->ref = 1;
  job->owner = self;
  job->transfer = g_object_ref (transfer);
  job->peer = g_strdup (peer);
  job->sid = g_strdup (sid);
  job->key = job_key (peer, sid);
  job->cancellable = g_cancellable_new ();
  job->block_size = self->ibb_block_size;
  g_queue_init (&job->writes);
  g_hash_table_replace (self->jobs, job->key, job);
  return job;
}

static Job *
find_job (FlintTransfers *self, const char *peer, const char *sid)
{
  g_autofree char *key = NULL;

  if (peer == NULL || sid == NULL)
    return NULL;
  key = job_key (peer, sid);
  return g_hash_table_lookup (self->jobs, key);
}

static Job *
find_job_for (FlintTransfers *self, FlintTransfer *transfer)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Job *) value)->transfer == transfer)
      return value;
  return NULL;
}

static void
add_transfer (FlintTransfers *self, FlintTransfer *transfer)
{
  g_ptr_array_add (self->items, g_object_ref (transfer));
  g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
}

static void
send_reply (FlintTransfers *self,
            xmpp_stanza_t *request,
            const char *error_type,
            const char *condition)
{
  xmpp_stanza_t *reply =
    flint_session_make_reply (ctx_of (self), request, error_type, condition);

  flint_session_send (self->session, reply);
  xmpp_stanza_release (reply);
}

static xmpp_stanza_t *
new_iq (FlintTransfers *self, const char *type, const char *to)
{
  xmpp_stanza_t *iq = flint_stanza_new (ctx_of (self), "iq", NULL);
  g_autofree char *id = flint_session_new_id (self->session);

  xmpp_stanza_set_type (iq, type);
  xmpp_stanza_set_to (iq, to);
  xmpp_stanza_set_id (iq, id);
  return iq;
}

static const char *
error_condition (xmpp_stanza_t *reply)
{
  xmpp_stanza_t *error = reply ? xmpp_stanza_get_child_by_name (reply, "error") : NULL;

  for (xmpp_stanza_t *c = error ? xmpp_stanza_get_children (error) : NULL; c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_ns (c), NS_STANZAS) == 0 &&
        g_strcmp0 (xmpp_stanza_get_name (c), "text") != 0)
      return xmpp_stanza_get_name (c);
  return NULL;
}

/* ---- ending a job -------------------------------------------------------- */

/* Stops everything the job runs and takes it out of the table; the transfer
 * keeps its final state. */
static void
job_stop (Job *job)
{
  FlintTransfers *self = job->owner;

  g_cancellable_cancel (job->cancellable);
  g_clear_handle_id (&job->timeout_id, g_source_remove);
  g_clear_handle_id (&job->progress_id, g_source_remove);
  if (job->message)
    g_signal_handlers_disconnect_by_data (job->message, job);
  if (job->service)
    {
      g_socket_service_stop (job->service);
      g_socket_listener_close (G_SOCKET_LISTENER (job->service));
    }
  if (job->direct_conn && !(job->worker && job->direct_conn == job->conn))
    g_io_stream_close (job->direct_conn, NULL, NULL);
  /* A worker still uses these: worker_end closes them once it is out. */
  if (job->conn && !job->worker)
    g_io_stream_close (job->conn, NULL, NULL);
  if (job->file && !job->worker)
    flint_safe_file_discard (job->file);
  g_queue_clear_full (&job->writes, (GDestroyNotify) ibb_block_free);
  if (self)
    {
      job->owner = NULL;
      g_hash_table_remove (self->jobs, job->key); /* drops the table's ref */
    }
}

static void
send_ibb_close (FlintTransfers *self, Job *job)
{
  xmpp_stanza_t *iq = new_iq (self, "set", job->peer);
  xmpp_stanza_t *close = flint_stanza_add_child (iq, "close", NS_IBB, NULL);

  xmpp_stanza_set_attribute (close, "sid", job->sid);
  flint_session_send (self->session, iq);
  xmpp_stanza_release (iq);
}

static void
job_fail_error (Job *job, const GError *error)
{
  Job *hold;

  if (job_done (job))
    return;
  hold = job_ref (job);
  g_debug ("transfer %s failed: %s", job->sid, error->message);
  if (job->ibb_open && job->owner)
    send_ibb_close (job->owner, job);
  flint_transfer_fail (job->transfer, error);
  job_stop (job);
  job_unref (hold);
}

static void
job_fail (Job *job, FlintErrorCode code, const char *message)
{
  g_autoptr (GError) error = NULL;

  if (message)
    error = g_error_new_literal (FLINT_ERROR, code, message);
  else
    error = g_error_new_literal (FLINT_ERROR, code, flint_error_describe (code));
  job_fail_error (job, error);
}

static void
job_complete (Job *job)
{
  Job *hold = job_ref (job);

  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_COMPLETE);
  job_stop (job);
  job_unref (hold);
}

/* An incoming file has all its bytes: check and keep it. */
static void
job_commit (Job *job)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  if (!flint_safe_file_commit (job->file, flint_transfer_get_size (job->transfer),
                               flint_transfer_get_hash (job->transfer), &error))
    {
      job_fail_error (job, error);
      return;
    }
  path = flint_safe_file_get_path (job->file);
  flint_transfer_set_file_name (job->transfer, flint_safe_file_get_name (job->file));
  flint_transfer_set_local_path (job->transfer, path);
  g_debug ("received %s", path);
  job_complete (job);
}

static gboolean
on_stream_timeout (gpointer data)
{
  Job *job = data;

  job->timeout_id = 0;
  job_fail (job, FLINT_ERROR_TIMEOUT,
            _ ("The file transfer did not start in time. Ask the sender to try again."));
  return G_SOURCE_REMOVE;
}

/* ---- receiving: the offer ------------------------------------------------ */

static gboolean
parse_size (const char *text, gint64 *size)
{
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *size = (gint64) value;
  return TRUE;
}

static void
collect_methods (xmpp_stanza_t *si, gboolean *socks5, gboolean *ibb)
{
  xmpp_stanza_t *feature =
    xmpp_stanza_get_child_by_name_and_ns (si, "feature", NS_FEATURE_NEG);
  xmpp_stanza_t *x =
    feature ? xmpp_stanza_get_child_by_name_and_ns (feature, "x", NS_DATA) : NULL;

  *socks5 = *ibb = FALSE;
  for (xmpp_stanza_t *field = x ? xmpp_stanza_get_children (x) : NULL; field;
       field = xmpp_stanza_get_next (field))
    {
      if (!xmpp_stanza_is_tag (field) ||
          g_strcmp0 (xmpp_stanza_get_attribute (field, "var"), "stream-method") != 0)
        continue;
      for (xmpp_stanza_t *opt = xmpp_stanza_get_children (field); opt;
           opt = xmpp_stanza_get_next (opt))
        {
          g_autofree char *value = NULL;

          if (!xmpp_stanza_is_tag (opt))
            continue;
          /* <option><value/></option> in a form, <value/> in a submit. */
          if (g_strcmp0 (xmpp_stanza_get_name (opt), "option") == 0)
            value = flint_stanza_child_text (opt, "value", NULL);
          else if (g_strcmp0 (xmpp_stanza_get_name (opt), "value") == 0)
            {
              char *t = xmpp_stanza_get_text (opt);
              value = g_strdup (t);
              if (t)
                xmpp_free (xmpp_stanza_get_context (opt), t);
            }
          if (g_strcmp0 (value, NS_BYTESTREAMS) == 0)
            *socks5 = TRUE;
          else if (g_strcmp0 (value, NS_IBB) == 0)
            *ibb = TRUE;
        }
    }
}

static gboolean
on_si_request (FlintSession *session, xmpp_stanza_t *stanza, gpointer data)
{
  FlintTransfers *self = data;
  xmpp_stanza_t *si = xmpp_stanza_get_child_by_name_and_ns (stanza, "si", NS_SI);
  xmpp_stanza_t *file =
    si ? xmpp_stanza_get_child_by_name_and_ns (si, "file", NS_FT) : NULL;
  const char *from = xmpp_stanza_get_from (stanza);
  const char *sid = si ? xmpp_stanza_get_attribute (si, "id") : NULL;
  const char *name;
  const char *hash;
  gint64 size = -1;
  gboolean socks5, ibb;
  g_autofree char *safe_name = NULL;
  g_autofree char *desc = NULL;
  g_autoptr (FlintTransfer) transfer = NULL;
  Job *job;

  if (si == NULL || g_strcmp0 (xmpp_stanza_get_type (stanza), "set") != 0)
    return FALSE;
  if (file == NULL || g_strcmp0 (xmpp_stanza_get_attribute (si, "profile"), NS_FT) != 0)
    {
      send_reply (self, stanza, "modify", "bad-request");
      return TRUE;
    }
  name = xmpp_stanza_get_attribute (file, "name");
  if (from == NULL || sid == NULL || *sid == '\0' || strlen (sid) > MAX_SID_LENGTH ||
      name == NULL || !parse_size (xmpp_stanza_get_attribute (file, "size"), &size) ||
      find_job (self, from, sid) != NULL)
    {
      send_reply (self, stanza, "modify", "bad-request");
      return TRUE;
    }
  collect_methods (si, &socks5, &ibb);
  socks5 = socks5 && (self->use & (FLINT_TRANSFER_USE_DIRECT | FLINT_TRANSFER_USE_PROXY));
  ibb = ibb && (self->use & FLINT_TRANSFER_USE_IBB);
  if (!socks5 && !ibb)
    {
      xmpp_stanza_t *reply =
        flint_session_make_reply (ctx_of (self), stanza, "cancel", "bad-request");
      xmpp_stanza_t *error = xmpp_stanza_get_child_by_name (reply, "error");

      flint_stanza_add_child (error, "no-valid-streams", NS_SI, NULL);
      flint_session_send (self->session, reply);
      xmpp_stanza_release (reply);
      return TRUE;
    }

  safe_name = flint_file_name_sanitize (name);
  transfer = flint_transfer_new (FLINT_TRANSFER_INCOMING, from, safe_name, size);
  hash = xmpp_stanza_get_attribute (file, "hash");
  if (hash && strlen (hash) == 32)
    flint_transfer_set_hash (transfer, hash);
  desc = flint_stanza_child_text (file, "desc", NS_FT);
  flint_transfer_set_description (transfer, desc);
  flint_transfer_set_mime_type (transfer, xmpp_stanza_get_attribute (si, "mime-type"));
  flint_transfer_set_state (transfer, FLINT_TRANSFER_OFFERED);

  job = job_new (self, transfer, from, sid);
  job->incoming = TRUE;
  job->offer = xmpp_stanza_clone (stanza);
  job->offered_socks5 = socks5;
  job->offered_ibb = ibb;
  g_debug ("offer %s from %s: %s, %" G_GINT64_FORMAT " bytes", sid, from, safe_name,
           size);
  add_transfer (self, transfer);
  g_signal_emit (self, signals[SIGNAL_OFFER_RECEIVED], 0, transfer);
  return TRUE;
}

void
flint_transfers_accept (FlintTransfers *self, FlintTransfer *transfer, const char *folder)
{
  Job *job = find_job_for (self, transfer);
  g_autoptr (GError) error = NULL;
  xmpp_stanza_t *reply, *si, *feature, *x, *field;

  g_return_if_fail (job != NULL && job->incoming && job->offer != NULL);
  if (flint_transfer_get_state (transfer) != FLINT_TRANSFER_OFFERED)
    return;
  if (folder == NULL)
    folder = self->download_folder;
  job->file =
    flint_safe_file_create (folder, flint_transfer_get_file_name (transfer), &error);
  if (job->file == NULL)
    {
      send_reply (self, job->offer, "cancel", "forbidden");
      job_fail_error (job, error);
      return;
    }
  {
    g_autofree char *part = flint_safe_file_get_part_path (job->file);
    flint_transfer_set_local_path (transfer, part);
  }

  reply = flint_session_make_reply (ctx_of (self), job->offer, NULL, NULL);
  si = flint_stanza_add_child (reply, "si", NS_SI, NULL);
  feature = flint_stanza_add_child (si, "feature", NS_FEATURE_NEG, NULL);
  x = flint_stanza_add_child (feature, "x", NS_DATA, NULL);
  xmpp_stanza_set_type (x, "submit");
  field = flint_stanza_add_child (x, "field", NULL, NULL);
  xmpp_stanza_set_attribute (field, "var", "stream-method");
  flint_stanza_add_child (field, "value", NULL,
                          job->offered_socks5 ? NS_BYTESTREAMS : NS_IBB);
  flint_session_send (self->session, reply);
  xmpp_stanza_release (reply);

  flint_transfer_set_method (transfer, job->offered_socks5 ? FLINT_TRANSFER_METHOD_SOCKS5
                                                           : FLINT_TRANSFER_METHOD_IBB);
  flint_transfer_set_state (transfer, FLINT_TRANSFER_NEGOTIATING);
  job->timeout_id = g_timeout_add_seconds (STREAM_WAIT_S, on_stream_timeout, job);
}

void
flint_transfers_decline (FlintTransfers *self, FlintTransfer *transfer)
{
  Job *job = find_job_for (self, transfer);
  xmpp_stanza_t *reply, *error;
  Job *hold;

  g_return_if_fail (job != NULL && job->incoming);
  if (flint_transfer_get_state (transfer) != FLINT_TRANSFER_OFFERED)
    return;
  reply = flint_session_make_reply (ctx_of (self), job->offer, "cancel", "forbidden");
  error = xmpp_stanza_get_child_by_name (reply, "error");
  flint_stanza_add_child (error, "text", NS_STANZAS, "Offer declined");
  flint_session_send (self->session, reply);
  xmpp_stanza_release (reply);
  hold = job_ref (job);
  flint_transfer_set_state (transfer, FLINT_TRANSFER_DECLINED);
  job_stop (job);
  job_unref (hold);
}

/* ---- receiving over SOCKS5 ----------------------------------------------- */

/* The bytes of a SOCKS5 stream move in a worker thread with blocking I/O
 * and large buffers: no main-loop round trip per chunk, and the sender uses
 * sendfile(). The worker owns the connection and the file until it returns;
 * the main loop sees its progress through a 10-per-second timer while it runs. */

static gboolean
on_progress_tick (gpointer data)
{
  Job *job = data;

  if (!job_done (job))
    flint_transfer_set_bytes_done (job->transfer,
                                   __atomic_load_n (&job->progress, __ATOMIC_RELAXED));
  return G_SOURCE_CONTINUE;
}

static void
worker_start (Job *job, GTaskThreadFunc func, GAsyncReadyCallback done)
{
  g_autoptr (GTask) task = g_task_new (NULL, job->cancellable, done, job_ref (job));

  job->worker = TRUE;
  job->expected = (guint64) flint_transfer_get_size (job->transfer);
  job->progress = 0;
  job->progress_id =
    g_timeout_add_full (G_PRIORITY_DEFAULT, PROGRESS_INTERVAL_MS, on_progress_tick,
                        job_ref (job), (GDestroyNotify) job_unref);
  g_task_set_task_data (task, job_ref (job), (GDestroyNotify) job_unref);
  g_task_run_in_thread (task, func);
}

/* Back on the main thread: FALSE with error unset when the job was stopped
 * meanwhile (then the connection and file job_stop left alone go now). */
static gboolean
worker_end (Job *job, GAsyncResult *result, GError **error)
{
  g_autoptr (GError) local = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &local);

  job->worker = FALSE;
  g_clear_handle_id (&job->progress_id, g_source_remove);
  if (job_done (job))
    {
      if (job->conn)
        g_io_stream_close (job->conn, NULL, NULL);
      if (job->file)
        flint_safe_file_discard (job->file);
      return FALSE;
    }
  flint_transfer_set_bytes_done (job->transfer, job->progress);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}

/* The MD5 check (when the sender gave a hash) runs in its own thread beside
 * the socket-to-disk loop: on one thread it took most of the time. Buffers
 * go round between the two through two queues, so memory stays at
 * RECEIVE_BUFFERS * STREAM_BUFFER. */
#define RECEIVE_BUFFERS 4

typedef struct
{
  gsize len; /* 0: the end */
  guchar data[STREAM_BUFFER];
} Chunk;

typedef struct
{
  FlintSafeFile *file;
  GAsyncQueue *full;  /* Chunk, written, to hash */
  GAsyncQueue *empty; /* Chunk, free */
} Hasher;

static gpointer
hasher_thread (gpointer data)
{
  Hasher *h = data;

  for (;;)
    {
      Chunk *chunk = g_async_queue_pop (h->full);
      gsize len = chunk->len;

      if (len)
        flint_safe_file_hash (h->file, chunk->data, len);
      g_async_queue_push (h->empty, chunk);
      if (len == 0)
        return NULL;
    }
}

static void
set_early_end_error (GError **error)
{
  g_set_error_literal (
    error, FLINT_ERROR, FLINT_ERROR_TRANSFER_CANCELLED,
    _ ("The sender cancelled the transfer, or the connection was lost "
       "before the whole file arrived. The partial file was removed."));
}

static void
set_too_much_error (GError **error)
{
  g_set_error_literal (error, FLINT_ERROR, FLINT_ERROR_TRANSFER_CORRUPT,
                       _ ("The sender sent more data than the file size it announced, "
                          "so the file was not kept."));
}

static gboolean
receive_loop (Job *job, Hasher *h, GCancellable *cancellable, GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream (job->conn);

  while (job->received < job->expected)
    {
      Chunk *chunk = g_async_queue_pop (h->empty);
      gssize n = g_input_stream_read (in, chunk->data, STREAM_BUFFER, cancellable, error);

      chunk->len = MAX (n, 0);
      if (n < 0 && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        goto fail;
      g_clear_error (error);
      if (n == 0 || n < 0)
        {
          set_early_end_error (error);
          goto fail;
        }
      if (job->received + n > job->expected)
        {
          set_too_much_error (error);
          goto fail;
        }
      if (!flint_safe_file_write_unhashed (job->file, chunk->data, n, cancellable, error))
        goto fail;
      g_async_queue_push (h->full, chunk);
      job->received += n;
      __atomic_store_n (&job->progress, job->received, __ATOMIC_RELAXED);
      continue;
    fail:
      g_async_queue_push (h->empty, chunk);
      return FALSE;
    }
  return TRUE;
}

/* Without a hash to check, the bytes need not pass through our memory:
 * splice(2) moves them from the socket into a pipe (page references, no
 * copy) and from the pipe into the part (one copy, into the page cache).
 * The pipe holds at most STREAM_BUFFER. Returns FALSE with *unsupported
 * set when the kernel cannot do it, before any byte was read. */
static gboolean
receive_spliced (Job *job,
                 GCancellable *cancellable,
                 gboolean *unsupported,
                 GError **error)
{
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (job->conn));
  int fd = g_socket_get_fd (socket);
  int pipe_fds[2];
  int pipe_size;
  gboolean ok = FALSE;

  *unsupported = FALSE;
  if (pipe2 (pipe_fds, O_CLOEXEC) != 0)
    {
      *unsupported = TRUE;
      return FALSE;
    }
  /* A pipe is 64 KiB unless we ask; an unprivileged process may get up to
   * /proc/sys/fs/pipe-max-size (1 MiB by default), or less under a quota. */
  pipe_size = fcntl (pipe_fds[1], F_SETPIPE_SZ, STREAM_BUFFER);
  if (pipe_size <= 0)
    pipe_size = fcntl (pipe_fds[1], F_GETPIPE_SZ);
  if (pipe_size <= 0)
    pipe_size = 64 * 1024;

  while (job->received < job->expected)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      /* The pipe is empty here, so only the socket can make this wait. */
      n = splice (fd, NULL, pipe_fds[1], NULL, pipe_size,
                  SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          if (!g_socket_condition_wait (socket, G_IO_IN, cancellable, error))
            goto out;
          continue;
        }
      if (n < 0 && job->received == 0 && (errno == EINVAL || errno == ENOSYS))
        {
          *unsupported = TRUE;
          goto out;
        }
      if (n <= 0)
        {
          set_early_end_error (error);
          goto out;
        }
      if (job->received + n > job->expected)
        {
          set_too_much_error (error);
          goto out;
        }
      if (!flint_safe_file_write_from_pipe (job->file, pipe_fds[0], n, error))
        goto out;
      job->received += n;
      __atomic_store_n (&job->progress, job->received, __ATOMIC_RELAXED);
    }
  ok = TRUE;
out:
  close (pipe_fds[0]);
  close (pipe_fds[1]);
  return ok;
}

static void
receive_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  Hasher h = { job->file, NULL, NULL };
  g_autoptr (GThread) thread = NULL;
  GError *error = NULL;
  Chunk *end;
  gboolean ok;

  if (job->splice)
    {
      gboolean unsupported = FALSE;

      ok = receive_spliced (job, cancellable, &unsupported, &error);
      if (ok || !unsupported)
        goto done;
      g_debug ("splice unavailable for %s; copying", job->sid);
    }
  h.full = g_async_queue_new ();
  h.empty = g_async_queue_new ();
  for (guint i = 0; i < RECEIVE_BUFFERS; i++)
    g_async_queue_push (h.empty, g_new (Chunk, 1));
  thread = g_thread_new ("flint-md5", hasher_thread, &h);
  ok = receive_loop (job, &h, cancellable, &error);
  end = g_async_queue_pop (h.empty);
  end->len = 0;
  g_async_queue_push (h.full, end);
  g_thread_join (g_steal_pointer (&thread));
  for (guint i = 0; i < RECEIVE_BUFFERS; i++)
    g_free (g_async_queue_pop (h.empty));
  g_async_queue_unref (h.full);
  g_async_queue_unref (h.empty);
done:
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_received (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;

  if (worker_end (job, result, &error))
    job_commit (job);
  else if (error && !job_done (job))
    job_fail_error (job, error);
}

static void try_next_streamhost (Job *job);

static void
on_target_socks5_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  FlintTransfers *self = job->owner;
  Streamhost *sh;
  xmpp_stanza_t *reply, *query, *used;

  if (!flint_socks5_connect_finish (result, &error))
    {
      g_clear_object (&job->conn);
      if (!job_done (job))
        try_next_streamhost (job);
      return;
    }
  if (job_done (job))
    return;
  sh = g_ptr_array_index (job->streamhosts, job->next_streamhost - 1);
  reply = flint_session_make_reply (ctx_of (self), job->bytestreams_request, NULL, NULL);
  query = flint_stanza_add_child (reply, "query", NS_BYTESTREAMS, NULL);
  xmpp_stanza_set_attribute (query, "sid", job->sid);
  used = flint_stanza_add_child (query, "streamhost-used", NULL, NULL);
  xmpp_stanza_set_attribute (used, "jid", sh->jid);
  flint_session_send (self->session, reply);
  xmpp_stanza_release (reply);

  flint_transfer_set_method (job->transfer, jid_equal (sh->jid, job->peer)
                                              ? FLINT_TRANSFER_METHOD_SOCKS5
                                              : FLINT_TRANSFER_METHOD_SOCKS5_PROXY);
  g_clear_handle_id (&job->timeout_id, g_source_remove);
  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_ACTIVE);
  g_debug ("receiving %s through %s:%u", job->sid, sh->host, sh->port);
  if (flint_transfer_get_size (job->transfer) == 0)
    job_commit (job);
  else
    {
      job->splice = flint_transfer_get_hash (job->transfer) == NULL &&
                    G_IS_SOCKET_CONNECTION (job->conn);
      g_debug ("receiving %s %s", job->sid,
               job->splice ? "by splice (no hash)" : "through buffers (hashed)");
      worker_start (job, receive_in_thread, on_received);
    }
}

static void
on_target_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  GSocketConnection *conn =
    g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);

  if (job_done (job))
    {
      g_clear_object (&conn);
      return;
    }
  if (conn == NULL)
    {
      g_debug ("streamhost unreachable: %s", error->message);
      try_next_streamhost (job);
      return;
    }
  job->conn = G_IO_STREAM (conn);
  flint_socks5_connect_async (job->conn, job->dst, job->cancellable,
                              on_target_socks5_done, job_ref (job));
}

/* Tries the offered streamhosts in order; when none works, says so, and the
 * sender may fall back to IBB with the same sid. */
static void
try_next_streamhost (Job *job)
{
  FlintTransfers *self = job->owner;
  g_autoptr (GSocketClient) client = NULL;
  Streamhost *sh;

  if (job->next_streamhost >= job->streamhosts->len)
    {
      send_reply (self, job->bytestreams_request, "cancel", "item-not-found");
      g_clear_pointer (&job->bytestreams_request, xmpp_stanza_release);
      g_debug ("no streamhost of %s worked; waiting for IBB", job->sid);
      return;
    }
  sh = g_ptr_array_index (job->streamhosts, job->next_streamhost++);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  g_socket_client_set_enable_proxy (client, FALSE); /* streamhosts are direct TCP */
  g_socket_client_connect_to_host_async (client, sh->host, sh->port, job->cancellable,
                                         on_target_connected, job_ref (job));
}

static void
on_bytestreams_incoming (FlintTransfers *self,
                         xmpp_stanza_t *stanza,
                         xmpp_stanza_t *query)
{
  const char *from = xmpp_stanza_get_from (stanza);
  const char *sid = xmpp_stanza_get_attribute (query, "sid");
  const char *mode = xmpp_stanza_get_attribute (query, "mode");
  Job *job = find_job (self, from, sid);

  if (job == NULL || !job->incoming ||
      flint_transfer_get_state (job->transfer) != FLINT_TRANSFER_NEGOTIATING ||
      job->bytestreams_request != NULL || (mode && g_strcmp0 (mode, "tcp") != 0))
    {
      send_reply (self, stanza, "cancel", "not-acceptable");
      return;
    }
  job->streamhosts = g_ptr_array_new_with_free_func ((GDestroyNotify) streamhost_free);
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (query); c;
       c = xmpp_stanza_get_next (c))
    {
      const char *jid = xmpp_stanza_get_attribute (c, "jid");
      const char *host = xmpp_stanza_get_attribute (c, "host");
      const char *port = xmpp_stanza_get_attribute (c, "port");
      guint64 port_num = 0;
      Streamhost *sh;

      if (!xmpp_stanza_is_tag (c) || g_strcmp0 (xmpp_stanza_get_name (c), "streamhost") ||
          jid == NULL || host == NULL || port == NULL ||
          !g_ascii_string_to_unsigned (port, 10, 1, 65535, &port_num, NULL) ||
          job->streamhosts->len >= 16)
        continue;
      if (!(self->use & (jid_equal (jid, from) ? FLINT_TRANSFER_USE_DIRECT
                                               : FLINT_TRANSFER_USE_PROXY)))
        continue;
      sh = g_new0 (Streamhost, 1);
      sh->jid = g_strdup (jid);
      sh->host = g_strdup (host);
      sh->port = (guint16) port_num;
      g_ptr_array_add (job->streamhosts, sh);
    }
  job->bytestreams_request = xmpp_stanza_clone (stanza);
  job->dst =
    flint_socks5_dst_addr (sid, from, flint_session_get_bound_jid (self->session));
  job->next_streamhost = 0;
  try_next_streamhost (job);
}

/* ---- receiving over IBB ---------------------------------------------------- */

/* Base64 as XEP-0047 requires it: the standard alphabet, padded; anything
 * else is refused rather than guessed at. NULL when invalid. */
static guchar *
decode_base64_strict (const char *text, gsize *out_len)
{
  g_autoptr (GString) clean = g_string_new (NULL);
  guint pad = 0;

  for (const char *p = text ? text : ""; *p; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (*p == '=')
        pad++;
      else if (pad > 0 || !(g_ascii_isalnum (*p) || *p == '+' || *p == '/'))
        return NULL;
      g_string_append_c (clean, *p);
    }
  if (clean->len % 4 != 0 || pad > 2)
    return NULL;
  if (clean->len == 0)
    {
      *out_len = 0;
      return g_malloc0 (1);
    }
  return g_base64_decode (clean->str, out_len);
}

static void ibb_write_next (Job *job);

static void
on_ibb_written (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  IbbBlock *block;

  job->writing = FALSE;
  if (!flint_safe_file_write_finish (FLINT_SAFE_FILE (source), result, &error))
    {
      if (!job_done (job))
        job_fail_error (job, error);
      return;
    }
  if (job_done (job))
    return;
  block = g_queue_pop_head (&job->writes);
  g_debug ("IBB %s: %" G_GUINT64_FORMAT " bytes on disk, block acknowledged", job->sid,
           flint_safe_file_get_written (job->file));
  flint_session_send (job->owner->session, block->ack);
  ibb_block_free (block);
  flint_transfer_set_bytes_done (job->transfer, flint_safe_file_get_written (job->file));
  ibb_write_next (job);
}

static void
ibb_write_next (Job *job)
{
  IbbBlock *block = g_queue_peek_head (&job->writes);

  if (job->writing)
    return;
  if (block)
    {
      job->writing = TRUE;
      flint_safe_file_write_async (job->file, block->data, job->cancellable,
                                   on_ibb_written, job_ref (job));
      return;
    }
  if (job->close_received)
    {
      if (flint_safe_file_get_written (job->file) ==
          (guint64) flint_transfer_get_size (job->transfer))
        job_commit (job);
      else
        job_fail (job, FLINT_ERROR_TRANSFER_CANCELLED,
                  _ ("The sender cancelled the transfer, or the connection was lost "
                     "before the whole file arrived. The partial file was removed."));
    }
}

static void
ibb_protocol_error (FlintTransfers *self,
                    Job *job,
                    xmpp_stanza_t *stanza,
                    const char *condition,
                    const char *why)
{
  send_reply (self, stanza, "cancel", condition);
  g_debug ("IBB %s: %s", job->sid, why);
  job_fail (job, FLINT_ERROR_TRANSFER_PROTOCOL, NULL);
}

static void
on_ibb_open (FlintTransfers *self, xmpp_stanza_t *stanza, xmpp_stanza_t *open)
{
  const char *sid = xmpp_stanza_get_attribute (open, "sid");
  const char *bs = xmpp_stanza_get_attribute (open, "block-size");
  const char *kind = xmpp_stanza_get_attribute (open, "stanza");
  Job *job = find_job (self, xmpp_stanza_get_from (stanza), sid);
  guint64 block_size = 0;

  if (job == NULL || !job->incoming || job->ibb_open ||
      flint_transfer_get_state (job->transfer) != FLINT_TRANSFER_NEGOTIATING ||
      !(self->use & FLINT_TRANSFER_USE_IBB))
    {
      send_reply (self, stanza, "cancel", "not-acceptable");
      return;
    }
  if (bs == NULL ||
      !g_ascii_string_to_unsigned (bs, 10, 1, G_MAXUINT64, &block_size, NULL))
    {
      send_reply (self, stanza, "modify", "bad-request");
      return;
    }
  if (block_size > MAX_IBB_BLOCK)
    {
      send_reply (self, stanza, "modify", "resource-constraint");
      return;
    }
  if (kind && g_strcmp0 (kind, "iq") != 0)
    {
      send_reply (self, stanza, "cancel", "feature-not-implemented");
      return;
    }
  job->block_size = block_size;
  job->ibb_open = TRUE;
  job->seq = 0;
  send_reply (self, stanza, NULL, NULL);
  g_clear_handle_id (&job->timeout_id, g_source_remove);
  flint_transfer_set_method (job->transfer, FLINT_TRANSFER_METHOD_IBB);
  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_ACTIVE);
  g_debug ("IBB %s open, blocks of %" G_GUINT64_FORMAT, sid, block_size);
}

static void
on_ibb_data (FlintTransfers *self, xmpp_stanza_t *stanza, xmpp_stanza_t *data)
{
  const char *sid = xmpp_stanza_get_attribute (data, "sid");
  const char *seq_text = xmpp_stanza_get_attribute (data, "seq");
  Job *job = find_job (self, xmpp_stanza_get_from (stanza), sid);
  guint64 seq = 0;
  g_autofree guchar *decoded = NULL;
  char *text;
  gsize len = 0;
  guint64 queued = 0;
  IbbBlock *block;

  if (job == NULL || !job->ibb_open || !job->incoming)
    {
      send_reply (self, stanza, "cancel", "item-not-found");
      return;
    }
  if (seq_text == NULL ||
      !g_ascii_string_to_unsigned (seq_text, 10, 0, 65535, &seq, NULL) || seq != job->seq)
    {
      ibb_protocol_error (self, job, stanza, "unexpected-request", "sequence");
      return;
    }
  text = xmpp_stanza_get_text (data);
  decoded = decode_base64_strict (text, &len);
  if (text)
    xmpp_free (ctx_of (self), text);
  if (decoded == NULL)
    {
      ibb_protocol_error (self, job, stanza, "bad-request", "base64");
      return;
    }
  if (len > job->block_size)
    {
      ibb_protocol_error (self, job, stanza, "policy-violation", "block too large");
      return;
    }
  for (GList *l = job->writes.head; l; l = l->next)
    queued += g_bytes_get_size (((IbbBlock *) l->data)->data);
  if (flint_safe_file_get_written (job->file) + queued + len >
      (guint64) flint_transfer_get_size (job->transfer))
    {
      send_reply (self, stanza, "cancel", "not-acceptable");
      job_fail (job, FLINT_ERROR_TRANSFER_CORRUPT,
                _ ("The sender sent more data than the file size it announced, so the "
                   "file was not kept."));
      return;
    }
  job->seq = (guint16) (job->seq + 1);
  block = g_new0 (IbbBlock, 1);
  block->data = g_bytes_new_take (g_steal_pointer (&decoded), len);
  block->ack = flint_session_make_reply (ctx_of (self), stanza, NULL, NULL);
  g_queue_push_tail (&job->writes, block);
  g_debug ("IBB %s: block %" G_GUINT64_FORMAT " of %zu bytes, %u waiting for the disk",
           job->sid, seq, len, job->writes.length);
  ibb_write_next (job);
}

static void
on_ibb_close (FlintTransfers *self, xmpp_stanza_t *stanza, xmpp_stanza_t *close)
{
  Job *job = find_job (self, xmpp_stanza_get_from (stanza),
                       xmpp_stanza_get_attribute (close, "sid"));

  if (job == NULL || !job->ibb_open)
    {
      send_reply (self, stanza, "cancel", "item-not-found");
      return;
    }
  send_reply (self, stanza, NULL, NULL);
  job->ibb_open = FALSE;
  if (job->incoming)
    {
      job->close_received = TRUE;
      ibb_write_next (job);
    }
  else
    job_fail (job, FLINT_ERROR_TRANSFER_CANCELLED,
              _ ("The contact cancelled the transfer."));
}

static gboolean
on_ibb_iq (FlintSession *session, xmpp_stanza_t *stanza, gpointer data)
{
  FlintTransfers *self = data;
  xmpp_stanza_t *child;

  if (g_strcmp0 (xmpp_stanza_get_type (stanza), "set") != 0)
    return FALSE;
  if ((child = xmpp_stanza_get_child_by_name_and_ns (stanza, "open", NS_IBB)))
    on_ibb_open (self, stanza, child);
  else if ((child = xmpp_stanza_get_child_by_name_and_ns (stanza, "data", NS_IBB)))
    on_ibb_data (self, stanza, child);
  else if ((child = xmpp_stanza_get_child_by_name_and_ns (stanza, "close", NS_IBB)))
    on_ibb_close (self, stanza, child);
  else
    send_reply (self, stanza, "modify", "bad-request");
  return TRUE;
}

static gboolean
on_bytestreams_iq (FlintSession *session, xmpp_stanza_t *stanza, gpointer data)
{
  FlintTransfers *self = data;
  xmpp_stanza_t *query =
    xmpp_stanza_get_child_by_name_and_ns (stanza, "query", NS_BYTESTREAMS);

  if (query == NULL || g_strcmp0 (xmpp_stanza_get_type (stanza), "set") != 0)
    return FALSE;
  on_bytestreams_incoming (self, stanza, query);
  return TRUE;
}

/* ---- the sender goes offline ---------------------------------------------- */

/* An incoming transfer that waits on its sender's client: nothing but that
 * client can end it. A SOCKS5 stream is left alone (its connection ends by
 * itself, and through a proxy it may still complete). */
static gboolean
waits_on_sender (Job *job)
{
  FlintTransferState state = flint_transfer_get_state (job->transfer);

  if (!job->incoming || job_done (job) || job->worker)
    return FALSE;
  return state == FLINT_TRANSFER_OFFERED || state == FLINT_TRANSFER_NEGOTIATING ||
         job->ibb_open;
}

/* The sender's client went offline: its offer or its in-band stream will
 * never go on, so the transfer fails now instead of showing progress for
 * ever (the partial file is removed, as on any failure). */
static gboolean
on_unavailable (FlintSession *session, xmpp_stanza_t *stanza, gpointer data)
{
  FlintTransfers *self = data;
  const char *from = xmpp_stanza_get_from (stanza);
  g_autoptr (GPtrArray) gone =
    g_ptr_array_new_with_free_func ((GDestroyNotify) job_unref);
  GHashTableIter iter;
  gpointer value;

  if (from == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (((Job *) value)->peer, from) == 0 && waits_on_sender (value))
      g_ptr_array_add (gone, job_ref (value));
  for (guint i = 0; i < gone->len; i++)
    {
      Job *job = g_ptr_array_index (gone, i);

      if (flint_transfer_get_state (job->transfer) == FLINT_TRANSFER_OFFERED)
        send_reply (self, job->offer, "cancel", "not-acceptable");
      job->ibb_open = FALSE; /* no close to a client that is gone */
      g_debug ("%s went offline during %s", from, job->sid);
      job_fail (job, FLINT_ERROR_TRANSFER_CANCELLED,
                _ ("The contact went offline before the whole file arrived. Ask them to "
                   "send it again."));
    }
  return FALSE; /* the roster wants the presence too */
}

/* ---- sending --------------------------------------------------------------- */

static gboolean
send_with_sendfile (Job *job, GCancellable *cancellable, GError **error)
{
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (job->conn));
  int in_fd = g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (job->input));
  int out_fd = g_socket_get_fd (socket);
  guint64 sent = 0;

  for (;;)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      n = sendfile (out_fd, in_fd, NULL, STREAM_BUFFER);
      if (n > 0)
        {
          sent += n;
          __atomic_store_n (&job->progress, sent, __ATOMIC_RELAXED);
          continue;
        }
      if (n == 0)
        break;
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)
        {
          if (!g_socket_condition_wait (socket, G_IO_OUT, cancellable, error))
            return FALSE;
          continue;
        }
      if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
        g_set_error_literal (
          error, FLINT_ERROR, FLINT_ERROR_TRANSFER_CANCELLED,
          _ ("The contact cancelled the transfer, or the connection was lost."));
      else
        g_set_error_literal (error, FLINT_ERROR, FLINT_ERROR_TRANSFER_FILE_READ,
                             flint_error_describe (FLINT_ERROR_TRANSFER_FILE_READ));
      return FALSE;
    }
  return TRUE;
}

static gboolean
send_with_streams (Job *job, GCancellable *cancellable, GError **error)
{
  GOutputStream *out = g_io_stream_get_output_stream (job->conn);
  g_autofree guchar *buf = g_malloc (STREAM_BUFFER);
  guint64 sent = 0;

  for (;;)
    {
      gssize n = g_input_stream_read (job->input, buf, STREAM_BUFFER, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      if (!g_output_stream_write_all (out, buf, n, NULL, cancellable, error))
        {
          if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_clear_error (error);
              g_set_error_literal (
                error, FLINT_ERROR, FLINT_ERROR_TRANSFER_CANCELLED,
                _ ("The contact cancelled the transfer, or the connection was lost."));
            }
          return FALSE;
        }
      sent += n;
      __atomic_store_n (&job->progress, sent, __ATOMIC_RELAXED);
    }
  return TRUE;
}

static void
send_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  gboolean ok;

  if (G_IS_FILE_DESCRIPTOR_BASED (job->input) && G_IS_SOCKET_CONNECTION (job->conn))
    ok = send_with_sendfile (job, cancellable, &error);
  else
    ok = send_with_streams (job, cancellable, &error);
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  if (__atomic_load_n (&job->progress, __ATOMIC_RELAXED) != job->expected)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_TRANSFER_FILE_READ, "%s",
                               _ ("The file changed while it was being sent."));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;

  if (worker_end (job, result, &error))
    {
      /* Closing is the end-of-file signal for the receiver. */
      g_io_stream_close (job->conn, NULL, NULL);
      job_complete (job);
    }
  else if (error && !job_done (job))
    job_fail_error (job, error);
}

static void
socks5_start_sending (Job *job, GIOStream *conn, FlintTransferMethod method)
{
  /* conn may be job->conn itself (the proxy case): take the ref first. */
  g_object_ref (conn);
  g_clear_object (&job->conn);
  job->conn = conn;
  if (job->service)
    {
      g_socket_service_stop (job->service);
      g_socket_listener_close (G_SOCKET_LISTENER (job->service));
    }
  flint_transfer_set_method (job->transfer, method);
  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_ACTIVE);
  g_debug ("sending %s over SOCKS5", job->sid);
  worker_start (job, send_in_thread, on_sent);
}

/* The fallback when no streamhost worked: IBB with the same sid, which
 * receivers that accepted SOCKS5 commonly also take. */
static void
fall_back_to_ibb (Job *job, const char *why)
{
  if (job_done (job))
    return;
  g_debug ("SOCKS5 for %s failed (%s)", job->sid, why);
  if (!(job->owner->use & FLINT_TRANSFER_USE_IBB))
    {
      job_fail (job, FLINT_ERROR_NETWORK,
                _ ("No connection to the contact could be made for the transfer."));
      return;
    }
  g_clear_object (&job->conn);
  g_clear_object (&job->direct_conn);
  ibb_start_send (job);
}

static void
on_activated (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer data)
{
  g_autoptr (Job) job = data;

  if (job_done (job))
    return;
  if (error)
    {
      fall_back_to_ibb (job, error->message);
      return;
    }
  socks5_start_sending (job, job->conn, FLINT_TRANSFER_METHOD_SOCKS5_PROXY);
}

static void
on_proxy_socks5_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  FlintTransfers *self = job->owner;
  xmpp_stanza_t *iq, *query;

  if (!flint_socks5_connect_finish (result, &error))
    {
      if (!job_done (job))
        fall_back_to_ibb (job, error->message);
      return;
    }
  if (job_done (job))
    return;
  iq = new_iq (self, "set", self->proxy_jid);
  query = flint_stanza_add_child (iq, "query", NS_BYTESTREAMS, NULL);
  xmpp_stanza_set_attribute (query, "sid", job->sid);
  flint_stanza_add_child (query, "activate", NULL, job->peer);
  flint_session_send_iq (self->session, iq, on_activated, job_ref (job));
  xmpp_stanza_release (iq);
}

static void
on_proxy_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  GSocketConnection *conn =
    g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);

  if (job_done (job))
    {
      g_clear_object (&conn);
      return;
    }
  if (conn == NULL)
    {
      fall_back_to_ibb (job, error->message);
      return;
    }
  job->conn = G_IO_STREAM (conn);
  flint_socks5_connect_async (job->conn, job->dst, job->cancellable, on_proxy_socks5_done,
                              job_ref (job));
}

static void
on_streamhost_used (FlintSession *session,
                    xmpp_stanza_t *result,
                    const GError *error,
                    gpointer data)
{
  g_autoptr (Job) job = data;
  FlintTransfers *self = job->owner;
  xmpp_stanza_t *query, *used;
  const char *jid;

  if (job_done (job))
    return;
  if (error)
    {
      fall_back_to_ibb (job, error->message);
      return;
    }
  query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_BYTESTREAMS);
  used = query ? xmpp_stanza_get_child_by_name (query, "streamhost-used") : NULL;
  jid = used ? xmpp_stanza_get_attribute (used, "jid") : NULL;
  if (jid && jid_equal (jid, flint_session_get_bound_jid (self->session)) &&
      job->direct_conn)
    {
      socks5_start_sending (job, job->direct_conn, FLINT_TRANSFER_METHOD_SOCKS5);
      return;
    }
  if (jid && self->proxy_jid && jid_equal (jid, self->proxy_jid))
    {
      g_autoptr (GSocketClient) client = g_socket_client_new ();

      g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
      g_socket_client_set_enable_proxy (client, FALSE); /* streamhosts are direct TCP */
      g_socket_client_connect_to_host_async (client, self->proxy_host, self->proxy_port,
                                             job->cancellable, on_proxy_connected,
                                             job_ref (job));
      return;
    }
  fall_back_to_ibb (job, "unknown streamhost");
}

typedef struct
{
  Job *job;
  GIOStream *conn;
} Incoming;

static void
incoming_free (Incoming *in)
{
  job_unref (in->job);
  g_object_unref (in->conn);
  g_free (in);
}

static void
on_reply_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Incoming *in = data;
  g_autoptr (GError) error = NULL;

  if (!flint_socks5_reply_finish (result, &error))
    g_debug ("SOCKS5 reply not sent: %s", error->message);
  incoming_free (in);
}

static void
on_socks5_request (GObject *source, GAsyncResult *result, gpointer data)
{
  Incoming *in = data;
  g_autofree char *dst = flint_socks5_accept_finish (result, NULL);
  gboolean ok;

  if (dst == NULL || job_done (in->job))
    {
      incoming_free (in);
      return;
    }
  /* Kept before the reply is even written: the target may announce the
   * streamhost it used (over XMPP) before our write callback runs. */
  ok = g_strcmp0 (dst, in->job->dst) == 0 && in->job->direct_conn == NULL;
  if (ok)
    in->job->direct_conn = g_object_ref (in->conn);
  /* A wrong hash gets a refusal: someone else's (or a hostile) connection. */
  flint_socks5_reply_async (in->conn, dst, ok, in->job->cancellable, on_reply_sent, in);
}

static gboolean
on_incoming_connection (GSocketService *service,
                        GSocketConnection *connection,
                        GObject *source_object,
                        gpointer data)
{
  Job *job = data;
  Incoming *in;

  if (job_done (job) || job->direct_conn)
    return FALSE;
  in = g_new0 (Incoming, 1);
  in->job = job_ref (job);
  in->conn = G_IO_STREAM (g_object_ref (connection));
  flint_socks5_accept_async (in->conn, job->cancellable, on_socks5_request, in);
  return TRUE;
}

/* This machine's addresses that a peer might reach, loopback last. */
static GPtrArray *
local_addresses (void)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) == 0)
    {
      for (struct ifaddrs *i = list; i; i = i->ifa_next)
        {
          char buf[INET6_ADDRSTRLEN];

          if (i->ifa_addr == NULL || !(i->ifa_flags & IFF_UP) ||
              (i->ifa_flags & IFF_LOOPBACK))
            continue;
          if (i->ifa_addr->sa_family == AF_INET &&
              inet_ntop (AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, buf,
                         sizeof buf))
            g_ptr_array_add (out, g_strdup (buf));
          else if (i->ifa_addr->sa_family == AF_INET6 &&
                   !IN6_IS_ADDR_LINKLOCAL (
                     &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr) &&
                   inet_ntop (AF_INET6, &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr,
                              buf, sizeof buf))
            g_ptr_array_add (out, g_strdup (buf));
        }
      freeifaddrs (list);
    }
  g_ptr_array_add (out, g_strdup ("127.0.0.1"));
  return out;
}

static void
socks5_start_send (Job *job)
{
  FlintTransfers *self = job->owner;
  const char *me = flint_session_get_bound_jid (self->session);
  xmpp_stanza_t *iq, *query;
  guint hosts = 0;

  job->dst = flint_socks5_dst_addr (job->sid, me, job->peer);
  iq = new_iq (self, "set", job->peer);
  query = flint_stanza_add_child (iq, "query", NS_BYTESTREAMS, NULL);
  xmpp_stanza_set_attribute (query, "sid", job->sid);
  xmpp_stanza_set_attribute (query, "mode", "tcp");

  if (self->use & FLINT_TRANSFER_USE_DIRECT)
    {
      g_autoptr (GError) error = NULL;
      guint16 port;

      job->service = g_socket_service_new ();
      port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (job->service), NULL,
                                                  &error);
      if (port == 0)
        g_debug ("no direct streamhost: %s", error->message);
      else
        {
          g_autoptr (GPtrArray) addresses = local_addresses ();
          g_autofree char *port_text = g_strdup_printf ("%u", port);

          g_signal_connect (job->service, "incoming", G_CALLBACK (on_incoming_connection),
                            job);
          g_socket_service_start (job->service);
          for (guint i = 0; i < addresses->len; i++)
            {
              xmpp_stanza_t *sh =
                flint_stanza_add_child (query, "streamhost", NULL, NULL);

              xmpp_stanza_set_attribute (sh, "jid", me);
              xmpp_stanza_set_attribute (sh, "host", g_ptr_array_index (addresses, i));
              xmpp_stanza_set_attribute (sh, "port", port_text);
              hosts++;
            }
        }
    }
  if ((self->use & FLINT_TRANSFER_USE_PROXY) && self->proxy_jid)
    {
      xmpp_stanza_t *sh = flint_stanza_add_child (query, "streamhost", NULL, NULL);
      g_autofree char *port_text = g_strdup_printf ("%u", self->proxy_port);

      xmpp_stanza_set_attribute (sh, "jid", self->proxy_jid);
      xmpp_stanza_set_attribute (sh, "host", self->proxy_host);
      xmpp_stanza_set_attribute (sh, "port", port_text);
      hosts++;
    }
  if (hosts == 0)
    {
      xmpp_stanza_release (iq);
      fall_back_to_ibb (job, "no streamhost");
      return;
    }
  flint_session_send_iq (self->session, iq, on_streamhost_used, job_ref (job));
  xmpp_stanza_release (iq);
}

/* ---- sending over IBB ---------------------------------------------------- */

static void ibb_send_more (Job *job);

static void
on_ibb_closed (FlintSession *session,
               xmpp_stanza_t *result,
               const GError *error,
               gpointer data)
{
  g_autoptr (Job) job = data;

  if (!job_done (job))
    job_complete (job);
}

static void
on_ibb_data_acked (FlintSession *session,
                   xmpp_stanza_t *result,
                   const GError *error,
                   gpointer data)
{
  g_autoptr (Job) job = data;

  if (job_done (job))
    return;
  job->in_flight--;
  if (error)
    {
      job->ibb_open = FALSE;
      job_fail (job, FLINT_ERROR_TRANSFER_CANCELLED,
                _ ("The contact cancelled the transfer, or the connection was lost."));
      return;
    }
  ibb_send_more (job);
}

static void
on_ibb_block_read (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes =
    g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  FlintTransfers *self = job->owner;
  g_autofree char *b64 = NULL;
  g_autofree char *seq = NULL;
  xmpp_stanza_t *iq, *d;
  gsize len;

  job->writing = FALSE; /* here: "a read is pending" */
  if (job_done (job))
    return;
  if (bytes == NULL)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_FILE_READ, NULL);
      return;
    }
  len = g_bytes_get_size (bytes);
  if (len == 0)
    {
      job->eof = TRUE;
      ibb_send_more (job);
      return;
    }
  b64 = g_base64_encode (g_bytes_get_data (bytes, NULL), len);
  seq = g_strdup_printf ("%u", job->seq);
  job->seq = (guint16) (job->seq + 1);
  iq = new_iq (self, "set", job->peer);
  d = flint_stanza_add_child (iq, "data", NS_IBB, b64);
  xmpp_stanza_set_attribute (d, "sid", job->sid);
  xmpp_stanza_set_attribute (d, "seq", seq);
  job->in_flight++;
  flint_session_send_iq (self->session, iq, on_ibb_data_acked, job_ref (job));
  xmpp_stanza_release (iq);
  flint_transfer_set_bytes_done (job->transfer,
                                 flint_transfer_get_bytes_done (job->transfer) + len);
  ibb_send_more (job);
}

/* Keeps up to IBB_WINDOW blocks unacknowledged; closes after the last ack. */
static void
ibb_send_more (Job *job)
{
  FlintTransfers *self = job->owner;

  if (job->writing)
    return;
  if (job->eof)
    {
      if (job->in_flight == 0 && job->ibb_open)
        {
          xmpp_stanza_t *iq = new_iq (self, "set", job->peer);
          xmpp_stanza_t *close = flint_stanza_add_child (iq, "close", NS_IBB, NULL);

          xmpp_stanza_set_attribute (close, "sid", job->sid);
          job->ibb_open = FALSE;
          flint_session_send_iq (self->session, iq, on_ibb_closed, job_ref (job));
          xmpp_stanza_release (iq);
        }
      return;
    }
  if (job->in_flight >= IBB_WINDOW)
    return;
  job->writing = TRUE;
  g_input_stream_read_bytes_async (job->input, job->block_size, G_PRIORITY_DEFAULT,
                                   job->cancellable, on_ibb_block_read, job_ref (job));
}

static void
on_ibb_opened (FlintSession *session,
               xmpp_stanza_t *result,
               const GError *error,
               gpointer data)
{
  g_autoptr (Job) job = data;

  if (job_done (job))
    return;
  if (error)
    {
      job_fail (job, FLINT_ERROR_NETWORK,
                _ ("The contact’s client refused every way of receiving the file."));
      return;
    }
  job->ibb_open = TRUE;
  flint_transfer_set_method (job->transfer, FLINT_TRANSFER_METHOD_IBB);
  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_ACTIVE);
  ibb_send_more (job);
}

static void
ibb_start_send (Job *job)
{
  FlintTransfers *self = job->owner;
  xmpp_stanza_t *iq = new_iq (self, "set", job->peer);
  xmpp_stanza_t *open = flint_stanza_add_child (iq, "open", NS_IBB, NULL);
  g_autofree char *bs = g_strdup_printf ("%zu", job->block_size);

  xmpp_stanza_set_attribute (open, "sid", job->sid);
  xmpp_stanza_set_attribute (open, "block-size", bs);
  xmpp_stanza_set_attribute (open, "stanza", "iq");
  flint_transfer_set_method (job->transfer, FLINT_TRANSFER_METHOD_IBB);
  flint_session_send_iq (self->session, iq, on_ibb_opened, job_ref (job));
  xmpp_stanza_release (iq);
}

/* ---- sending: the offer ---------------------------------------------------- */

static void
on_offer_answered (FlintSession *session,
                   xmpp_stanza_t *result,
                   const GError *error,
                   gpointer data)
{
  g_autoptr (Job) job = data;
  xmpp_stanza_t *si;
  gboolean socks5 = FALSE, ibb = FALSE;

  if (job_done (job))
    return;
  if (error)
    {
      const char *condition = error_condition (result);

      if (g_strcmp0 (condition, "forbidden") == 0 ||
          g_strcmp0 (condition, "not-acceptable") == 0)
        {
          Job *hold = job_ref (job);

          flint_transfer_set_state (job->transfer, FLINT_TRANSFER_DECLINED);
          job_stop (job);
          job_unref (hold);
        }
      else if (result == NULL)
        job_fail (job, FLINT_ERROR_TIMEOUT,
                  _ ("The contact did not answer the file offer in time."));
      else
        job_fail (job, FLINT_ERROR_TRANSFER_UNSUPPORTED, NULL);
      return;
    }
  si = xmpp_stanza_get_child_by_name_and_ns (result, "si", NS_SI);
  if (si)
    collect_methods (si, &socks5, &ibb);
  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_NEGOTIATING);
  if (socks5)
    socks5_start_send (job);
  else if (ibb)
    ibb_start_send (job);
  else
    job_fail (job, FLINT_ERROR_TRANSFER_PROTOCOL, NULL);
}

static void
send_offer (Job *job)
{
  FlintTransfers *self = job->owner;
  FlintTransfer *transfer = job->transfer;
  xmpp_stanza_t *iq = new_iq (self, "set", job->peer);
  xmpp_stanza_t *si, *file, *feature, *x, *field, *opt;
  g_autofree char *size =
    g_strdup_printf ("%" G_GINT64_FORMAT, flint_transfer_get_size (transfer));
  const char *mime = flint_transfer_get_mime_type (transfer);

  si = flint_stanza_add_child (iq, "si", NS_SI, NULL);
  xmpp_stanza_set_attribute (si, "id", job->sid);
  xmpp_stanza_set_attribute (si, "profile", NS_FT);
  xmpp_stanza_set_attribute (si, "mime-type", mime ? mime : "application/octet-stream");
  file = flint_stanza_add_child (si, "file", NS_FT, NULL);
  xmpp_stanza_set_attribute (file, "name", flint_transfer_get_file_name (transfer));
  xmpp_stanza_set_attribute (file, "size", size);
  if (job->md5)
    xmpp_stanza_set_attribute (file, "hash", job->md5);
  if (flint_transfer_get_description (transfer))
    flint_stanza_add_child (file, "desc", NULL,
                            flint_transfer_get_description (transfer));
  feature = flint_stanza_add_child (si, "feature", NS_FEATURE_NEG, NULL);
  x = flint_stanza_add_child (feature, "x", NS_DATA, NULL);
  xmpp_stanza_set_type (x, "form");
  field = flint_stanza_add_child (x, "field", NULL, NULL);
  xmpp_stanza_set_attribute (field, "var", "stream-method");
  xmpp_stanza_set_type (field, "list-single");
  if (self->use & (FLINT_TRANSFER_USE_DIRECT | FLINT_TRANSFER_USE_PROXY))
    {
      opt = flint_stanza_add_child (field, "option", NULL, NULL);
      flint_stanza_add_child (opt, "value", NULL, NS_BYTESTREAMS);
    }
  if (self->use & FLINT_TRANSFER_USE_IBB)
    {
      opt = flint_stanza_add_child (field, "option", NULL, NULL);
      flint_stanza_add_child (opt, "value", NULL, NS_IBB);
    }
  flint_transfer_set_state (transfer, FLINT_TRANSFER_OFFERED);
  flint_session_send_iq_timeout (self->session, iq, self->offer_timeout_s,
                                 on_offer_answered, job_ref (job));
  xmpp_stanza_release (iq);
}

/* MD5 of the whole file, off the main thread (XEP-0096 sends it up front). */
static void
hash_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GFile *file = data;
  g_autoptr (GFileInputStream) in = g_file_read (file, cancellable, NULL);
  g_autoptr (FlintMd5) md5 = flint_md5_new ();
  g_autofree guchar *buf = g_malloc (STREAM_BUFFER);
  gssize n;

  if (in == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, STREAM_BUFFER, cancellable,
                                   NULL)) > 0)
    flint_md5_update (md5, buf, n);
  if (n < 0)
    g_task_return_pointer (task, NULL, NULL);
  else
    g_task_return_pointer (task, g_strdup (flint_md5_get_string (md5)), g_free);
}

static void
on_hashed (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;

  if (job_done (job))
    return;
  job->md5 = g_task_propagate_pointer (G_TASK (result), NULL);
  if (job->md5 == NULL)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_FILE_READ, NULL);
      return;
    }
  flint_transfer_set_hash (job->transfer, job->md5);
  send_offer (job);
}

static void
on_source_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GTask) task = NULL;
  GFileInputStream *in = g_file_read_finish (G_FILE (source), result, NULL);

  if (job_done (job))
    {
      g_clear_object (&in);
      return;
    }
  if (in == NULL)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_FILE_READ, NULL);
      return;
    }
  job->input = G_INPUT_STREAM (in);
  if (!job->owner->send_hash)
    {
      send_offer (job);
      return;
    }
  task = g_task_new (NULL, job->cancellable, on_hashed, job_ref (job));
  g_task_set_task_data (task, g_object_ref (job->source), g_object_unref);
  g_task_run_in_thread (task, hash_in_thread);
}

FlintTransfer *
flint_transfers_send_file (FlintTransfers *self,
                           const char *full_jid,
                           GFile *file,
                           const char *description)
{
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintTransfer) transfer = NULL;
  g_autofree char *sid = NULL;
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *base = g_file_get_basename (file);
  Job *job;

  g_return_val_if_fail (FLINT_IS_TRANSFERS (self), NULL);
  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_SIZE
                            "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE
                            "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  transfer = flint_transfer_new (FLINT_TRANSFER_OUTGOING, full_jid, base,
                                 info ? g_file_info_get_size (info) : -1);
  flint_transfer_set_local_path (transfer, path);
  flint_transfer_set_description (transfer, description);
  sid = g_uuid_string_random ();
  job = job_new (self, transfer, full_jid, sid);
  add_transfer (self, transfer);
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_FILE_READ, NULL);
      return transfer;
    }
  if (g_file_info_get_content_type (info))
    {
      g_autofree char *mime =
        g_content_type_get_mime_type (g_file_info_get_content_type (info));
      flint_transfer_set_mime_type (transfer, mime);
    }
  job->source = g_object_ref (file);
  g_file_read_async (file, G_PRIORITY_DEFAULT, job->cancellable, on_source_opened,
                     job_ref (job));
  return transfer;
}

void
flint_transfers_cancel (FlintTransfers *self, FlintTransfer *transfer)
{
  Job *job = find_job_for (self, transfer);
  Job *hold;

  if (job == NULL || flint_transfer_is_finished (transfer))
    return;
  if (job->incoming && flint_transfer_get_state (transfer) == FLINT_TRANSFER_OFFERED)
    {
      flint_transfers_decline (self, transfer);
      return;
    }
  hold = job_ref (job);
  if (job->ibb_open)
    send_ibb_close (self, job);
  job->ibb_open = FALSE;
  if (job->bytestreams_request)
    send_reply (self, job->bytestreams_request, "cancel", "not-acceptable");
  flint_transfer_set_state (transfer, FLINT_TRANSFER_CANCELLED);
  job_stop (job);
  job_unref (hold);
}

/* ---- the server's proxy65 ------------------------------------------------ */

static void upload_request_slot (Job *job);

/* One answer about the server's services is in; once all are, uploads that
 * were asked for meanwhile go ahead (or fail if there is no service). */
static void
service_answered (FlintTransfers *self)
{
  g_autoptr (GPtrArray) waiting = NULL;

  g_return_if_fail (self->services_pending > 0);
  if (--self->services_pending > 0 || self->waiting_uploads->len == 0)
    return;
  waiting = g_steal_pointer (&self->waiting_uploads);
  self->waiting_uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) job_unref);
  for (guint i = 0; i < waiting->len; i++)
    if (!job_done (g_ptr_array_index (waiting, i)))
      upload_request_slot (g_ptr_array_index (waiting, i));
}

static void
on_proxy_address (FlintSession *session,
                  xmpp_stanza_t *result,
                  const GError *error,
                  gpointer data)
{
  FlintTransfers *self = data;
  xmpp_stanza_t *query, *sh;
  const char *host, *port;
  guint64 port_num = 0;

  if (error == NULL && result &&
      (query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_BYTESTREAMS)) &&
      (sh = xmpp_stanza_get_child_by_name (query, "streamhost")) &&
      (host = xmpp_stanza_get_attribute (sh, "host")) &&
      (port = xmpp_stanza_get_attribute (sh, "port")) &&
      g_ascii_string_to_unsigned (port, 10, 1, 65535, &port_num, NULL) &&
      self->proxy_jid == NULL)
    {
      self->proxy_jid = g_strdup (xmpp_stanza_get_attribute (sh, "jid"));
      if (self->proxy_jid == NULL)
        self->proxy_jid = g_strdup (xmpp_stanza_get_from (result));
      self->proxy_host = g_strdup (host);
      self->proxy_port = (guint16) port_num;
      g_debug ("proxy65 %s at %s:%u", self->proxy_jid, host, self->proxy_port);
    }
  g_object_unref (self);
}

/* An XEP-0363 service: the feature, and the max-file-size from its form. */
static void
note_upload_service (FlintTransfers *self, xmpp_stanza_t *result, xmpp_stanza_t *query)
{
  gboolean upload = FALSE;
  gint64 max = 0;

  if (self->upload_jid)
    return;
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (query); c;
       c = xmpp_stanza_get_next (c))
    {
      if (g_strcmp0 (xmpp_stanza_get_name (c), "feature") == 0 &&
          g_strcmp0 (xmpp_stanza_get_attribute (c, "var"), NS_UPLOAD) == 0)
        upload = TRUE;
      else if (g_strcmp0 (xmpp_stanza_get_name (c), "x") == 0 &&
               g_strcmp0 (xmpp_stanza_get_ns (c), NS_DATA) == 0)
        for (xmpp_stanza_t *field = xmpp_stanza_get_children (c); field;
             field = xmpp_stanza_get_next (field))
          if (g_strcmp0 (xmpp_stanza_get_attribute (field, "var"), "max-file-size") == 0)
            {
              g_autofree char *value = flint_stanza_child_text (field, "value", NULL);
              if (!parse_size (value, &max))
                max = 0;
            }
    }
  if (!upload)
    return;
  self->upload_jid = g_strdup (xmpp_stanza_get_from (result));
  self->upload_max = max;
  g_debug ("upload service %s, max %" G_GINT64_FORMAT, self->upload_jid, max);
}

static void
on_item_info (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer data)
{
  FlintTransfers *self = data;
  xmpp_stanza_t *query;

  if (error == NULL && result &&
      (query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_INFO)))
    note_upload_service (self, result, query);
  service_answered (self);
  if (error == NULL && result && self->proxy_jid == NULL &&
      (query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_INFO)))
    for (xmpp_stanza_t *c = xmpp_stanza_get_children (query); c;
         c = xmpp_stanza_get_next (c))
      if (g_strcmp0 (xmpp_stanza_get_name (c), "identity") == 0 &&
          g_strcmp0 (xmpp_stanza_get_attribute (c, "category"), "proxy") == 0 &&
          g_strcmp0 (xmpp_stanza_get_type (c), "bytestreams") == 0)
        {
          xmpp_stanza_t *iq = new_iq (self, "get", xmpp_stanza_get_from (result));

          flint_stanza_add_child (iq, "query", NS_BYTESTREAMS, NULL);
          flint_session_send_iq (self->session, iq, on_proxy_address,
                                 g_object_ref (self));
          xmpp_stanza_release (iq);
          break;
        }
  g_object_unref (self);
}

static void
on_server_items (FlintSession *session,
                 xmpp_stanza_t *result,
                 const GError *error,
                 gpointer data)
{
  FlintTransfers *self = data;
  xmpp_stanza_t *query;
  guint asked = 0;

  if (error == NULL && result &&
      (query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_ITEMS)))
    for (xmpp_stanza_t *c = xmpp_stanza_get_children (query); c && asked < 32;
         c = xmpp_stanza_get_next (c))
      {
        const char *jid = xmpp_stanza_get_attribute (c, "jid");
        xmpp_stanza_t *iq;

        if (g_strcmp0 (xmpp_stanza_get_name (c), "item") != 0 || jid == NULL)
          continue;
        iq = new_iq (self, "get", jid);
        flint_stanza_add_child (iq, "query", NS_DISCO_INFO, NULL);
        self->services_pending++;
        flint_session_send_iq (self->session, iq, on_item_info, g_object_ref (self));
        xmpp_stanza_release (iq);
        asked++;
      }
  service_answered (self);
  g_object_unref (self);
}

static void
find_proxy (FlintTransfers *self)
{
  FlintAccount *account = flint_session_get_account (self->session);
  xmpp_stanza_t *iq;

  if (self->proxy_searched)
    return;
  self->proxy_searched = TRUE;
  iq = new_iq (self, "get", flint_account_get_domain (account));
  flint_stanza_add_child (iq, "query", NS_DISCO_ITEMS, NULL);
  self->services_pending++;
  flint_session_send_iq (self->session, iq, on_server_items, g_object_ref (self));
  xmpp_stanza_release (iq);
}

static void
on_online (FlintSession *session, gboolean resumed, FlintTransfers *self)
{
  find_proxy (self);
}

/* ---- XEP-0363 HTTP upload --------------------------------------------------- */

static SoupSession *
http_session (FlintTransfers *self)
{
  if (self->http)
    return self->http;
  self->http = soup_session_new_with_options ("user-agent", "Flint/" PACKAGE_VERSION,
                                              "timeout", 60, NULL);
  if (g_getenv ("FLINT_SOUP_DEBUG"))
    {
      g_autoptr (SoupLogger) logger = soup_logger_new (SOUP_LOGGER_LOG_HEADERS);
      soup_session_add_feature (self->http, SOUP_SESSION_FEATURE (logger));
    }
  return self->http;
}

/* Downloads get their own connections, apart from uploads. */
static SoupSession *
download_session (FlintTransfers *self)
{
  return http_session (self);
}

static gboolean
is_http_url (const char *url)
{
  g_autoptr (GUri) uri = url ? g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL) : NULL;

  return uri && g_uri_get_host (uri) && *g_uri_get_host (uri) &&
         (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ||
          g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0);
}

static void
on_put_progress (SoupMessage *message, guint chunk, Job *job)
{
  if (!job_done (job))
    flint_transfer_set_bytes_done (job->transfer,
                                   flint_transfer_get_bytes_done (job->transfer) + chunk);
}

static void
on_put_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
    soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status;

  if (job_done (job))
    return;
  status = soup_message_get_status (job->message);
  if (body == NULL || !SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *why =
        body == NULL ? g_strdup (error->message) : g_strdup_printf ("HTTP %u", status);
      g_autofree char *text = g_strdup_printf (
        _ ("The upload to the server failed (%s). Try again later."), why);

      job_fail (job, FLINT_ERROR_NETWORK, text);
      return;
    }
  flint_transfer_set_url (job->transfer, job->get_url);
  flint_transfer_set_bytes_done (job->transfer, flint_transfer_get_size (job->transfer));
  g_debug ("uploaded to %s", job->get_url);
  job_complete (job);
}

static void
on_upload_source_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  GFileInputStream *in = g_file_read_finish (G_FILE (source), result, NULL);
  SoupMessageHeaders *headers;
  const char *mime;

  if (job_done (job))
    {
      g_clear_object (&in);
      return;
    }
  if (in == NULL)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_FILE_READ, NULL);
      return;
    }
  job->input = G_INPUT_STREAM (in);
  job->message = soup_message_new ("PUT", job->put_url);
  if (job->message == NULL)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_PROTOCOL, NULL);
      return;
    }
  mime = flint_transfer_get_mime_type (job->transfer);
  /* Streamed from disk: memory stays flat whatever the file size. */
  soup_message_set_request_body (job->message, mime ? mime : "application/octet-stream",
                                 job->input, flint_transfer_get_size (job->transfer));
  headers = soup_message_get_request_headers (job->message);
  for (guint i = 0; job->put_headers && i + 1 < job->put_headers->len; i += 2)
    soup_message_headers_replace (headers, g_ptr_array_index (job->put_headers, i),
                                  g_ptr_array_index (job->put_headers, i + 1));
  g_signal_connect (job->message, "wrote-body-data", G_CALLBACK (on_put_progress), job);
  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_ACTIVE);
  soup_session_send_and_read_async (http_session (job->owner), job->message,
                                    G_PRIORITY_DEFAULT, job->cancellable, on_put_done,
                                    job_ref (job));
}

/* Only the headers XEP-0363 allows, without line breaks (header injection). */
static gboolean
allowed_header (const char *name, const char *value)
{
  static const char *const allowed[] = { "Authorization", "Cookie", "Expires", NULL };

  if (name == NULL || value == NULL || strpbrk (value, "\r\n") || strpbrk (name, "\r\n"))
    return FALSE;
  for (guint i = 0; allowed[i]; i++)
    if (g_ascii_strcasecmp (name, allowed[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
on_slot (FlintSession *session, xmpp_stanza_t *result, const GError *error, gpointer data)
{
  g_autoptr (Job) job = data;
  xmpp_stanza_t *slot, *put, *get;

  if (job_done (job))
    return;
  if (error)
    {
      g_autofree char *text = g_strdup_printf (
        _ ("The server refused to store the file (%s)."), error->message);

      job_fail (job, FLINT_ERROR_NETWORK, text);
      return;
    }
  slot = xmpp_stanza_get_child_by_name_and_ns (result, "slot", NS_UPLOAD);
  put = slot ? xmpp_stanza_get_child_by_name (slot, "put") : NULL;
  get = slot ? xmpp_stanza_get_child_by_name (slot, "get") : NULL;
  if (put == NULL || get == NULL ||
      !is_http_url (xmpp_stanza_get_attribute (put, "url")) ||
      !is_http_url (xmpp_stanza_get_attribute (get, "url")))
    {
      job_fail (job, FLINT_ERROR_TRANSFER_PROTOCOL, NULL);
      return;
    }
  job->put_url = g_strdup (xmpp_stanza_get_attribute (put, "url"));
  job->get_url = g_strdup (xmpp_stanza_get_attribute (get, "url"));
  job->put_headers = g_ptr_array_new_with_free_func (g_free);
  for (xmpp_stanza_t *h = xmpp_stanza_get_children (put); h; h = xmpp_stanza_get_next (h))
    {
      char *value;

      if (g_strcmp0 (xmpp_stanza_get_name (h), "header") != 0)
        continue;
      value = xmpp_stanza_get_text (h);
      if (allowed_header (xmpp_stanza_get_attribute (h, "name"), value))
        {
          g_ptr_array_add (job->put_headers,
                           g_strdup (xmpp_stanza_get_attribute (h, "name")));
          g_ptr_array_add (job->put_headers, g_strdup (value));
        }
      if (value)
        xmpp_free (xmpp_stanza_get_context (h), value);
    }
  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_NEGOTIATING);
  g_file_read_async (job->source, G_PRIORITY_DEFAULT, job->cancellable,
                     on_upload_source_opened, job_ref (job));
}

/* XEP-0363: a slot from the server's upload service, then a PUT of the file
 * (streamed, with progress); the transfer ends complete with its URL, which
 * the caller sends to to. */
FlintTransfer *
flint_transfers_upload_file (FlintTransfers *self, const char *to, GFile *file)
{
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (FlintTransfer) transfer = NULL;
  g_autofree char *sid = g_uuid_string_random ();
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *mime = NULL;
  Job *job;

  g_return_val_if_fail (FLINT_IS_TRANSFERS (self), NULL);
  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_SIZE
                            "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE
                            "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  transfer = flint_transfer_new (FLINT_TRANSFER_OUTGOING, to, base,
                                 info ? g_file_info_get_size (info) : -1);
  flint_transfer_set_local_path (transfer, path);
  flint_transfer_set_method (transfer, FLINT_TRANSFER_METHOD_HTTP);
  job = job_new (self, transfer, to, sid);
  add_transfer (self, transfer);
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_FILE_READ, NULL);
      return transfer;
    }
  if (g_file_info_get_content_type (info))
    mime = g_content_type_get_mime_type (g_file_info_get_content_type (info));
  flint_transfer_set_mime_type (transfer, mime ? mime : "application/octet-stream");
  job->source = g_object_ref (file);
  /* Just after sign-in the server's services may still be being asked
   * about: wait for the answers rather than fail for want of a service. */
  if (self->upload_jid == NULL && self->services_pending > 0)
    g_ptr_array_add (self->waiting_uploads, job_ref (job));
  else
    upload_request_slot (job);
  return transfer;
}

static void
upload_request_slot (Job *job)
{
  FlintTransfers *self = job->owner;
  FlintTransfer *transfer = job->transfer;
  g_autofree char *size_text = NULL;
  xmpp_stanza_t *iq, *request;

  if (self->upload_jid == NULL)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_UNSUPPORTED, NULL);
      return;
    }
  if (self->upload_max > 0 && flint_transfer_get_size (transfer) > self->upload_max)
    {
      g_autofree char *max = g_format_size (self->upload_max);
      g_autofree char *text =
        g_strdup_printf (_ ("The file is too large for the server (at most %s)."), max);

      job_fail (job, FLINT_ERROR_TRANSFER_UNSUPPORTED, text);
      return;
    }
  size_text = g_strdup_printf ("%" G_GINT64_FORMAT, flint_transfer_get_size (transfer));
  iq = new_iq (self, "get", self->upload_jid);
  request = flint_stanza_add_child (iq, "request", NS_UPLOAD, NULL);
  xmpp_stanza_set_attribute (request, "filename",
                             flint_transfer_get_file_name (transfer));
  xmpp_stanza_set_attribute (request, "size", size_text);
  xmpp_stanza_set_attribute (request, "content-type",
                             flint_transfer_get_mime_type (transfer));
  flint_transfer_set_state (transfer, FLINT_TRANSFER_OFFERED);
  flint_session_send_iq (self->session, iq, on_slot, job_ref (job));
  xmpp_stanza_release (iq);
}

/* ---- downloading a link (XEP-0066 OOB, or an HTTPS file link) -------------- */

static void download_read_next (Job *job);

static void
on_download_written (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;

  if (!flint_safe_file_write_finish (FLINT_SAFE_FILE (source), result, &error))
    {
      if (!job_done (job))
        job_fail_error (job, error);
      return;
    }
  if (job_done (job))
    return;
  flint_transfer_set_bytes_done (job->transfer, flint_safe_file_get_written (job->file));
  download_read_next (job);
}

static void
on_download_chunk (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes =
    g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gint64 size, limit;

  if (job_done (job))
    return;
  if (bytes == NULL)
    {
      g_autofree char *text = g_strdup_printf (
        _ ("The download failed (%s). The partial file was removed."), error->message);
      job_fail (job, FLINT_ERROR_NETWORK, text);
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      job_commit (job);
      return;
    }
  size = flint_transfer_get_size (job->transfer);
  limit = size >= 0 ? size : MAX_DOWNLOAD_BYTES;
  if (flint_safe_file_get_written (job->file) + g_bytes_get_size (bytes) >
      (guint64) limit)
    {
      job_fail (job, FLINT_ERROR_TRANSFER_CORRUPT,
                _ ("The server sent more data than the file size it announced, so the "
                   "file was not kept."));
      return;
    }
  flint_safe_file_write_async (job->file, bytes, job->cancellable, on_download_written,
                               job_ref (job));
}

static void
download_read_next (Job *job)
{
  g_input_stream_read_bytes_async (job->input, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   job->cancellable, on_download_chunk, job_ref (job));
}

static void
on_download_response (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Job) job = data;
  g_autoptr (GError) error = NULL;
  GInputStream *in = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  guint status;
  goffset length;

  if (job_done (job))
    {
      g_clear_object (&in);
      return;
    }
  status = soup_message_get_status (job->message);
  if (in == NULL || !SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *why =
        in == NULL ? g_strdup (error->message) : g_strdup_printf ("HTTP %u", status);
      g_autofree char *text = g_strdup_printf (_ ("The download failed (%s)."), why);

      g_clear_object (&in);
      job_fail (job, FLINT_ERROR_NETWORK, text);
      return;
    }
  job->input = in;
  length = soup_message_headers_get_content_length (
    soup_message_get_response_headers (job->message));
  /* Content-Length, when given, is the size the file must have. */
  if (length >= 0 &&
      soup_message_headers_get_encoding (
        soup_message_get_response_headers (job->message)) == SOUP_ENCODING_CONTENT_LENGTH)
    flint_transfer_set_size (job->transfer, length);
  flint_transfer_set_state (job->transfer, FLINT_TRANSFER_ACTIVE);
  download_read_next (job);
}

/* Saves what url points to in folder (NULL: the download folder), under
 * the same rules as any received file. */
FlintTransfer *
flint_transfers_download_url (FlintTransfers *self,
                              const char *from,
                              const char *url,
                              const char *folder)
{
  g_autoptr (FlintTransfer) transfer = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sid = g_uuid_string_random ();
  g_autofree char *name = NULL;
  g_autofree char *base = NULL;
  g_autofree char *part = NULL;
  Job *job;

  g_return_val_if_fail (FLINT_IS_TRANSFERS (self), NULL);
  if (is_http_url (url))
    uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri)
    {
      base = g_path_get_basename (g_uri_get_path (uri));
      name = g_uri_unescape_string (base, NULL);
    }
  {
    g_autofree char *safe = flint_file_name_sanitize (name ? name : base);
    transfer = flint_transfer_new (FLINT_TRANSFER_INCOMING, from, safe, -1);
  }
  flint_transfer_set_method (transfer, FLINT_TRANSFER_METHOD_HTTP);
  flint_transfer_set_url (transfer, url);
  job = job_new (self, transfer, from ? from : "", sid);
  job->incoming = TRUE;
  add_transfer (self, transfer);
  if (uri == NULL)
    {
      job_fail (
        job, FLINT_ERROR_TRANSFER_PROTOCOL,
        _ ("This link cannot be downloaded: only web (HTTP and HTTPS) links can."));
      return transfer;
    }
  job->file = flint_safe_file_create (folder ? folder : self->download_folder,
                                      flint_transfer_get_file_name (transfer), &error);
  if (job->file == NULL)
    {
      job_fail_error (job, error);
      return transfer;
    }
  part = flint_safe_file_get_part_path (job->file);
  flint_transfer_set_local_path (transfer, part);
  job->message = soup_message_new_from_uri ("GET", uri);
  flint_transfer_set_state (transfer, FLINT_TRANSFER_NEGOTIATING);
  soup_session_send_async (download_session (self), job->message, G_PRIORITY_DEFAULT,
                           job->cancellable, on_download_response, job_ref (job));
  return transfer;
}

/* ---- GListModel and GObject ---------------------------------------------- */

static GType
flint_transfers_get_item_type (GListModel *model)
{
  return FLINT_TYPE_TRANSFER;
}

static guint
flint_transfers_get_n_items (GListModel *model)
{
  return FLINT_TRANSFERS (model)->items->len;
}

static gpointer
flint_transfers_get_item (GListModel *model, guint position)
{
  FlintTransfers *self = FLINT_TRANSFERS (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
flint_transfers_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = flint_transfers_get_item_type;
  iface->get_n_items = flint_transfers_get_n_items;
  iface->get_item = flint_transfers_get_item;
}

static void
flint_transfers_dispose (GObject *object)
{
  FlintTransfers *self = FLINT_TRANSFERS (object);

  if (self->jobs)
    {
      GList *jobs = g_hash_table_get_values (self->jobs);

      for (GList *l = jobs; l; l = l->next)
        {
          Job *job = l->data;

          if (!flint_transfer_is_finished (job->transfer))
            flint_transfers_cancel (self, job->transfer);
          else
            job_stop (job);
        }
      g_list_free (jobs);
    }
  if (self->waiting_uploads)
    g_ptr_array_set_size (self->waiting_uploads, 0);
  if (self->session)
    {
      for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
        if (self->handlers[i])
          flint_session_remove_handler (self->session, self->handlers[i]);
      g_clear_signal_handler (&self->online_handler, self->session);
      g_clear_object (&self->session);
    }
  G_OBJECT_CLASS (flint_transfers_parent_class)->dispose (object);
}

static void
flint_transfers_finalize (GObject *object)
{
  FlintTransfers *self = FLINT_TRANSFERS (object);

  g_ptr_array_unref (self->items);
  g_hash_table_unref (self->jobs);
  g_free (self->download_folder);
  g_free (self->proxy_jid);
  g_free (self->proxy_host);
  g_free (self->upload_jid);
  g_ptr_array_unref (self->waiting_uploads);
  g_clear_object (&self->http);
  G_OBJECT_CLASS (flint_transfers_parent_class)->finalize (object);
}

static void
flint_transfers_class_init (FlintTransfersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_transfers_dispose;
  object_class->finalize = flint_transfers_finalize;

  signals[SIGNAL_OFFER_RECEIVED] =
    g_signal_new ("offer-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_TRANSFER);
}

static void
flint_transfers_init (FlintTransfers *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->jobs =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) job_unref);
  self->use = FLINT_TRANSFER_USE_ALL;
  self->ibb_block_size = DEFAULT_IBB_BLOCK;
  self->offer_timeout_s = OFFER_TIMEOUT_S;
  self->send_hash = TRUE;
  self->waiting_uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) job_unref);
  self->download_folder = g_strdup (g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD));
  if (self->download_folder == NULL)
    self->download_folder = g_strdup (g_get_home_dir ());
}

FlintTransfers *
flint_transfers_new (FlintSession *session)
{
  FlintTransfers *self = g_object_new (FLINT_TYPE_TRANSFERS, NULL);

  self->session = g_object_ref (session);
  self->handlers[0] =
    flint_session_add_handler (session, "iq", NS_SI, "set", on_si_request, self, NULL);
  self->handlers[1] = flint_session_add_handler (session, "iq", NS_BYTESTREAMS, "set",
                                                 on_bytestreams_iq, self, NULL);
  self->handlers[2] =
    flint_session_add_handler (session, "iq", NS_IBB, "set", on_ibb_iq, self, NULL);
  self->handlers[3] = flint_session_add_handler (session, "presence", NULL, "unavailable",
                                                 on_unavailable, self, NULL);
  self->online_handler =
    g_signal_connect (session, "online", G_CALLBACK (on_online), self);
  if (flint_session_get_state (session) == FLINT_SESSION_ONLINE)
    find_proxy (self);
  return self;
}

void
flint_transfers_set_download_folder (FlintTransfers *self, const char *folder)
{
  g_free (self->download_folder);
  self->download_folder = g_strdup (folder);
}

const char *
flint_transfers_get_download_folder (FlintTransfers *self)
{
  return self->download_folder;
}

void
flint_transfers_set_use (FlintTransfers *self, FlintTransferUse use)
{
  self->use = use;
}

void
flint_transfers_set_ibb_block_size (FlintTransfers *self, guint block_size)
{
  self->ibb_block_size = CLAMP (block_size, 1, MAX_IBB_BLOCK);
}

void
flint_transfers_set_offer_timeout (FlintTransfers *self, guint seconds)
{
  self->offer_timeout_s = MAX (seconds, 1);
}

void
flint_transfers_set_send_hash (FlintTransfers *self, gboolean send_hash)
{
  self->send_hash = send_hash;
}

const char *
flint_transfers_get_proxy (FlintTransfers *self)
{
  return self->proxy_jid;
}

const char *
flint_transfers_get_upload_service (FlintTransfers *self)
{
  return self->upload_jid;
}

FlintTransfer *
flint_transfers_find (FlintTransfers *self, guint id)
{
  for (guint i = 0; i < self->items->len; i++)
    if (flint_transfer_get_id (g_ptr_array_index (self->items, i)) == id)
      return g_ptr_array_index (self->items, i);
  return NULL;
}

/* ---- link previews ------------------------------------------------------- */

static void
on_probed (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
    soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *message = g_task_get_task_data (task);
  guint status;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_NETWORK,
                               _ ("The server answered “%u %s”."), status,
                               soup_message_get_reason_phrase (message));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
flint_transfers_probe_url_async (FlintTransfers *self,
                                 const char *url,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SoupMessage *message = is_http_url (url) ? soup_message_new ("HEAD", url) : NULL;

  g_task_set_source_tag (task, flint_transfers_probe_url_async);
  if (message == NULL)
    {
      g_task_return_new_error (
        task, FLINT_ERROR, FLINT_ERROR_TRANSFER_PROTOCOL, "%s",
        _ ("This link cannot be downloaded: only web (HTTP and HTTPS) links can."));
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, message, g_object_unref);
  soup_session_send_and_read_async (http_session (self), message, G_PRIORITY_LOW,
                                    cancellable, on_probed, task);
}

gboolean
flint_transfers_probe_url_finish (FlintTransfers *self,
                                  GAsyncResult *result,
                                  gint64 *size,
                                  char **mime_type,
                                  GError **error)
{
  SoupMessage *message = g_task_get_task_data (G_TASK (result));
  SoupMessageHeaders *headers;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  headers = soup_message_get_response_headers (message);
  if (size)
    *size = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
              ? soup_message_headers_get_content_length (headers)
              : -1;
  if (mime_type)
    *mime_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  return TRUE;
}

typedef struct
{
  GByteArray *data;
  gsize max_bytes;
  GInputStream *stream;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_byte_array_unref (fetch->data);
  g_clear_object (&fetch->stream);
  g_free (fetch);
}

static void
on_fetch_read (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes =
    g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      g_task_return_pointer (task,
                             g_byte_array_free_to_bytes (g_byte_array_ref (fetch->data)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (fetch->data->len + g_bytes_get_size (bytes) > fetch->max_bytes)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_TRANSFER_PROTOCOL, "%s",
                               _ ("The file is too big for a preview."));
      return;
    }
  g_byte_array_append (fetch->data, g_bytes_get_data (bytes, NULL),
                       g_bytes_get_size (bytes));
  {
    GCancellable *cancellable = g_task_get_cancellable (task);

    g_input_stream_read_bytes_async (fetch->stream, 64 * 1024, G_PRIORITY_LOW,
                                     cancellable, on_fetch_read, g_steal_pointer (&task));
  }
}

static void
on_fetch_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  SoupMessage *message =
    soup_session_get_async_result_message (SOUP_SESSION (source), result);
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  goffset length;

  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  fetch->stream = stream;
  length =
    soup_message_headers_get_content_length (soup_message_get_response_headers (message));
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)) ||
      length > (goffset) fetch->max_bytes)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_TRANSFER_PROTOCOL, "%s",
                               _ ("The file is too big for a preview."));
      return;
    }
  {
    GCancellable *cancellable = g_task_get_cancellable (task);

    g_input_stream_read_bytes_async (stream, 64 * 1024, G_PRIORITY_LOW, cancellable,
                                     on_fetch_read, g_steal_pointer (&task));
  }
}

void
flint_transfers_fetch_small_async (FlintTransfers *self,
                                   const char *url,
                                   gsize max_bytes,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (SoupMessage) message =
    is_http_url (url) ? soup_message_new ("GET", url) : NULL;
  Fetch *fetch;

  g_task_set_source_tag (task, flint_transfers_fetch_small_async);
  if (message == NULL)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_TRANSFER_PROTOCOL, "%s",
                               "not a web link");
      g_object_unref (task);
      return;
    }
  fetch = g_new0 (Fetch, 1);
  fetch->data = g_byte_array_new ();
  fetch->max_bytes = max_bytes;
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  soup_session_send_async (http_session (self), message, G_PRIORITY_LOW, cancellable,
                           on_fetch_sent, task);
}

GBytes *
flint_transfers_fetch_small_finish (FlintTransfers *self,
                                    GAsyncResult *result,
                                    GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

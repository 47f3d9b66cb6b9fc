/* FlintTransfers against a real Prosody (mod_proxy65) and a slixmpp peer
 * that speaks XEP-0096 over XEP-0065 and XEP-0047 byte by byte
 * (tests/harness/peer.py): receive and send over direct SOCKS5, the
 * server's proxy and IBB, the fallback to IBB, decline and cancel from
 * either side, and hostile senders (bad IBB sequence, bad base64, an
 * oversize block, size lies, a wrong hash, path names). Every received file
 * is compared byte for byte (MD5 of the bytes the peer generated); every
 * failure must leave the download folder empty. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "flint-disco.h"
#include "flint-error.h"
#include "flint-test-server.h"
#include "flint-transfers.h"

#define WAIT_MS 20000
/* Sign-in is SCRAM: slow under ASan on a loaded machine. */

static Server server;

typedef struct
{
  char *dir;     /* the download folder */
  char *outside; /* a sibling that must stay empty */
  FlintAccount *account;
  FlintSession *session;
  FlintTransfers *transfers;
  Peer *bob;
  char *bob_jid; /* full */
  GPtrArray *offers;
  gboolean no_hash; /* our offers carry no MD5 */
} Fixture;

static void
on_offer (FlintTransfers *transfers, FlintTransfer *transfer, Fixture *f)
{
  g_ptr_array_add (f->offers, g_object_ref (transfer));
}

static Peer *
peer_start_resource (const char *user, const char *password, const char *resource)
{
  const char *root = g_getenv ("FLINT_SOURCE_ROOT");
  g_autofree char *script = g_build_filename (root ? root : FLINT_SOURCE_ROOT, "tests",
                                              "harness", "peer.py", NULL);
  g_autofree char *jid = g_strdup_printf ("%s@%s", user, server.domain);
  g_autofree char *port = g_strdup_printf ("%u", server.port);
  g_autoptr (GError) error = NULL;
  Peer *peer = g_new0 (Peer, 1);

  peer->process = g_subprocess_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
    "/usr/bin/python3", script, "--jid", jid, "--password", password, "--host",
    "127.0.0.1", "--port", port, "--resource", resource, NULL);
  g_assert_no_error (error);
  peer->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  peer->in = g_subprocess_get_stdin_pipe (peer->process);
  g_assert_true (peer_wait_event (peer, "\"ready\"", NULL));
  return peer;
}

static gboolean
proxy_found (gpointer data)
{
  return flint_transfers_get_proxy (((Fixture *) data)->transfers) != NULL;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("flint-transfer-XXXXXX", NULL);
  f->outside = g_dir_make_tmp ("flint-outside-XXXXXX", NULL);
  f->account = make_account (&server, "alice", TRUE);
  f->session = session_new (f->account, "secret-a");
  f->transfers = flint_transfers_new (f->session);
  flint_transfers_set_download_folder (f->transfers, f->dir);
  f->offers = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->transfers, "offer-received", G_CALLBACK (on_offer), f);
  flint_session_connect (f->session);
  g_assert_true (wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  g_assert_cmpint (flint_session_get_state (f->session), ==, FLINT_SESSION_ONLINE);
  f->bob = peer_start_resource ("bob", "secret-b", "peer");
  f->bob_jid = g_strdup_printf ("bob@%s/peer", server.domain);
  /* The proxy65 discovery runs at sign-in. */
  g_assert_true (wait_until (proxy_found, f, WAIT_MS));
  {
    g_autofree char *proxy = g_strdup_printf ("proxy.%s", server.domain);
    g_assert_cmpstr (flint_transfers_get_proxy (f->transfers), ==, proxy);
  }
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->bob)
    peer_stop (f->bob);
  g_clear_object (&f->transfers);
  flint_session_disconnect (f->session);
  spin (100);
  g_clear_object (&f->session);
  g_clear_object (&f->account);
  g_ptr_array_unref (f->offers);
  remove_tree (f->dir);
  remove_tree (f->outside);
  g_free (f->dir);
  g_free (f->outside);
  g_free (f->bob_jid);
}

/* ---- helpers ------------------------------------------------------------ */

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static char *
file_md5 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, (guchar *) contents, len);
}

static gboolean
has_offer (gpointer data)
{
  return ((Fixture *) data)->offers->len > 0;
}

static FlintTransfer *
wait_offer (Fixture *f)
{
  g_assert_true (wait_until (has_offer, f, WAIT_MS));
  return g_ptr_array_index (f->offers, f->offers->len - 1);
}

static gboolean
has_progress (gpointer data)
{
  return flint_transfer_get_bytes_done (FLINT_TRANSFER (data)) > 0;
}

static gboolean
finished (gpointer data)
{
  return flint_transfer_is_finished (FLINT_TRANSFER (data));
}

static void
wait_finished (FlintTransfer *t)
{
  g_assert_true (wait_until (finished, t, WAIT_MS));
}

/* The peer's next line holding needle (others are skipped). */
static char *
peer_wait_line (Peer *peer, const char *needle)
{
  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *line = peer_read_line (peer, WAIT_MS);

      if (line == NULL)
        return NULL;
      if (strstr (line, needle))
        return g_steal_pointer (&line);
    }
  return NULL;
}

static char *
peer_done (Peer *peer, const char *cmd)
{
  g_autofree char *needle = g_strdup_printf ("\"cmd\": \"%s\"", cmd);

  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *line = peer_read_line (peer, WAIT_MS);

      if (line == NULL)
        return NULL;
      if (strstr (line, needle) &&
          (strstr (line, "\"event\": \"done\"") || strstr (line, "\"event\": \"error\"")))
        return g_steal_pointer (&line);
    }
  return NULL;
}

/* The MD5 of the bytes peer.py's test_bytes(size, seed) makes; asked of
 * Python itself so the test does not re-implement its generator. */
static char *
expected_md5 (guint size, guint seed)
{
  g_autofree char *script = g_strdup_printf (
    "import "
    "random,hashlib;print(hashlib.md5(random.Random(%u).randbytes(%u)).hexdigest())",
    seed, size);
  g_autofree char *out = NULL;
  const char *argv[] = { "/usr/bin/python3", "-c", script, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, NULL, NULL, NULL));
  return g_strstrip (g_strdup (out));
}

static void
peer_offer (Fixture *f, const char *extra)
{
  g_autofree char *line = g_strdup_printf (
    "{\"cmd\": \"si_send_file\", \"to\": \"%s\"%s%s}",
    flint_session_get_bound_jid (f->session), extra ? ", " : "", extra ? extra : "");
  peer_command (f->bob, line);
}

/* A received file: complete, in the folder, the right bytes, nothing else. */
static void
assert_received (Fixture *f, FlintTransfer *t, const char *name, guint size, guint seed)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *md5 = file_md5 (path);
  g_autofree char *want = expected_md5 (size, seed);

  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_COMPLETE);
  g_assert_cmpstr (flint_transfer_get_file_name (t), ==, name);
  g_assert_cmpstr (flint_transfer_get_local_path (t), ==, path);
  g_assert_cmpuint (flint_transfer_get_bytes_done (t), ==, size);
  g_assert_cmpstr (md5, ==, want);
  g_assert_cmpuint (count_files (f->dir), ==, 1);
  g_assert_cmpuint (count_files (f->outside), ==, 0);
}

static void
assert_failed_clean (Fixture *f, FlintTransfer *t, FlintErrorCode code)
{
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_FAILED);
  g_assert_nonnull (flint_transfer_get_error (t));
  g_assert_error ((GError *) flint_transfer_get_error (t), FLINT_ERROR, (int) code);
  g_assert_cmpuint (count_files (f->dir), ==, 0);
}

/* ---- receiving ---------------------------------------------------------- */

static void
receive_with_hash (Fixture *f,
                   const char *method,
                   guint size,
                   FlintTransferMethod expect_method,
                   gboolean hash)
{
  g_autofree char *extra = g_strdup_printf (
    "\"name\": \"report.pdf\", \"size\": %u, \"seed\": 7, \"method\": \"%s\"%s", size,
    method, hash ? "" : ", \"hash\": null");
  g_autofree char *done = NULL;
  FlintTransfer *t;

  peer_offer (f, extra);
  t = wait_offer (f);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_OFFERED);
  g_assert_cmpint (flint_transfer_get_direction (t), ==, FLINT_TRANSFER_INCOMING);
  g_assert_cmpstr (flint_transfer_get_peer (t), ==, f->bob_jid);
  g_assert_cmpint (flint_transfer_get_size (t), ==, size);
  if (hash)
    g_assert_nonnull (flint_transfer_get_hash (t));
  else
    g_assert_null (flint_transfer_get_hash (t));
  {
    GListModel *model = G_LIST_MODEL (f->transfers);
    g_autoptr (FlintTransfer) last =
      g_list_model_get_item (model, g_list_model_get_n_items (model) - 1);
    g_assert_true (last == t);
  }
  flint_transfers_accept (f->transfers, t, NULL);
  wait_finished (t);
  done = peer_done (f->bob, "si_send_file");
  g_assert_nonnull (done);
  g_assert_nonnull (strstr (done, "\"result\": \"sent\""));
  assert_received (f, t, "report.pdf", size, 7);
  g_assert_cmpint (flint_transfer_get_method (t), ==, expect_method);
}

static void
receive_with (Fixture *f,
              const char *method,
              guint size,
              FlintTransferMethod expect_method)
{
  receive_with_hash (f, method, size, expect_method, TRUE);
}

static void
clear_folder (Fixture *f)
{
  g_ptr_array_set_size (f->offers, 0);
  remove_tree (f->dir);
  g_mkdir (f->dir, 0700);
}

/* An offer without a hash (Spark and many others send none) moves by
 * splice(2), socket to pipe to file: the same bytes arrive. */
static void
test_receive_socks5_no_hash (Fixture *f, gconstpointer data)
{
  const guint sizes[] = { 0, 1, 10 * 1024 * 1024 + 7 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      clear_folder (f);
      receive_with_hash (f, "socks5-direct", sizes[i], FLINT_TRANSFER_METHOD_SOCKS5,
                         FALSE);
    }
  clear_folder (f);
  receive_with_hash (f, "socks5-proxy", 300000, FLINT_TRANSFER_METHOD_SOCKS5_PROXY,
                     FALSE);
}

static void
test_receive_socks5_direct (Fixture *f, gconstpointer data)
{
  receive_with (f, "socks5-direct", 300000, FLINT_TRANSFER_METHOD_SOCKS5);
}

static void
test_receive_socks5_proxy (Fixture *f, gconstpointer data)
{
  receive_with (f, "socks5-proxy", 300000, FLINT_TRANSFER_METHOD_SOCKS5_PROXY);
}

static void
test_receive_ibb (Fixture *f, gconstpointer data)
{
  receive_with (f, "ibb", 50001, FLINT_TRANSFER_METHOD_IBB);
}

static void
test_receive_empty_and_one_byte (Fixture *f, gconstpointer data)
{
  receive_with (f, "socks5-direct", 0, FLINT_TRANSFER_METHOD_SOCKS5);
  g_ptr_array_set_size (f->offers, 0);
  remove_tree (f->dir);
  g_mkdir (f->dir, 0700);
  receive_with (f, "ibb", 1, FLINT_TRANSFER_METHOD_IBB);
}

/* Direct streamhosts turned off on our side: every offered host is skipped,
 * we answer item-not-found, and the sender falls back to IBB (same sid). */
static void
test_receive_fallback_to_ibb (Fixture *f, gconstpointer data)
{
  flint_transfers_set_use (f->transfers,
                           FLINT_TRANSFER_USE_PROXY | FLINT_TRANSFER_USE_IBB);
  receive_with (f, "socks5-direct", 20000, FLINT_TRANSFER_METHOD_IBB);
}

static void
test_receive_decline (Fixture *f, gconstpointer data)
{
  g_autofree char *done = NULL;
  FlintTransfer *t;

  peer_offer (f, "\"name\": \"x.bin\", \"size\": 1000");
  t = wait_offer (f);
  flint_transfers_decline (f->transfers, t);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_DECLINED);
  done = peer_done (f->bob, "si_send_file");
  g_assert_nonnull (strstr (done, "\"result\": \"declined\""));
  g_assert_nonnull (strstr (done, "forbidden"));
  g_assert_cmpuint (count_files (f->dir), ==, 0);
}

/* Cancelled by us while the SOCKS5 worker waits for more bytes: the worker
 * stops, the connection is closed (the sender sees it), the part is gone. */
static void
local_cancel_socks5 (Fixture *f, gboolean hash)
{
  g_autofree char *done = NULL;
  g_autofree char *extra =
    g_strdup_printf ("\"name\": \"big.bin\", \"size\": 1000000, \"method\": "
                     "\"socks5-direct\", \"pause_after\": 300000%s",
                     hash ? "" : ", \"hash\": null");
  FlintTransfer *t;

  peer_offer (f, extra);
  t = wait_offer (f);
  g_assert_true (hash == (flint_transfer_get_hash (t) != NULL));
  flint_transfers_accept (f->transfers, t, NULL);
  g_assert_true (wait_until (has_progress, t, WAIT_MS));
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_ACTIVE);
  flint_transfers_cancel (f->transfers, t);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_CANCELLED);
  done = peer_done (f->bob, "si_send_file");
  g_assert_nonnull (done);
  g_assert_nonnull (strstr (done, "\"result\": \"closed by receiver\""));
  spin (200);
  g_assert_cmpuint (count_files (f->dir), ==, 0);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_CANCELLED);
}

static void
test_receive_local_cancel_socks5 (Fixture *f, gconstpointer data)
{
  local_cancel_socks5 (f, TRUE);
}

/* The same in splice mode: the worker waits in g_socket_condition_wait. */
static void
test_receive_local_cancel_socks5_no_hash (Fixture *f, gconstpointer data)
{
  local_cancel_socks5 (f, FALSE);
}

/* A disk that fills up mid-file (a 256 KiB tmpfs as the download folder,
 * a 1 MB file): the transfer fails with a write error, the partial file is
 * gone. */
static void
test_receive_disk_full (Fixture *f, gconstpointer data)
{
  /* The third is the splice path (no hash). */
  const char *methods[] = { "\"socks5-direct\"", "\"ibb\"",
                            "\"socks5-direct\", \"hash\": null" };
  /* What the sender sees: SOCKS5 ends (the socket buffers may have taken
   * the whole file before the disk failed, so its verdict varies); IBB is
   * closed by us. */
  const char *told[] = { "\"cmd\": \"si_send_file\"", "\"ibb_closed\"",
                         "\"cmd\": \"si_send_file\"" };
  g_autofree char *small = g_build_filename (f->outside, "small-disk", NULL);
  g_autofree char *options = g_strdup ("size=256k");
  const char *argv[] = { "mount", "-t", "tmpfs", "-o", options, "tmpfs", small, NULL };
  const char *umount_argv[] = { "umount", small, NULL };
  gint status = -1;

  g_assert_cmpint (g_mkdir (small, 0700), ==, 0);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                     NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_rmdir (small);
      g_test_skip ("cannot mount a small tmpfs here (needs root)");
      return;
    }
  flint_transfers_set_download_folder (f->transfers, small);
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autofree char *extra = g_strdup_printf (
        "\"name\": \"big.bin\", \"size\": 1000000, \"method\": %s", methods[i]);
      g_autofree char *done = NULL;
      FlintTransfer *t;

      g_ptr_array_set_size (f->offers, 0);
      peer_offer (f, extra);
      t = wait_offer (f);
      flint_transfers_accept (f->transfers, t, NULL);
      wait_finished (t);
      g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_FAILED);
      g_assert_error ((GError *) flint_transfer_get_error (t), FLINT_ERROR,
                      FLINT_ERROR_FILE_WRITE);
      g_assert_nonnull (strstr (flint_transfer_get_error (t)->message, "free space"));
      g_assert_cmpuint (count_files (small), ==, 0);
      done = peer_wait_line (f->bob, told[i]);
      g_assert_nonnull (done);
    }
  g_spawn_sync (NULL, (char **) umount_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                NULL, NULL, NULL);
  g_rmdir (small);
}

/* The sender stops early: over IBB it closes, over SOCKS5 it hangs up. */
static void
test_receive_peer_cancel (Fixture *f, gconstpointer data)
{
  const char *methods[] = { "ibb", "socks5-direct" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autofree char *extra = g_strdup_printf (
        "\"name\": \"big.bin\", \"size\": 100000, \"stop_after\": 30000, "
        "\"method\": \"%s\"",
        methods[i]);
      g_autofree char *done = NULL;
      FlintTransfer *t;

      g_ptr_array_set_size (f->offers, 0);
      peer_offer (f, extra);
      t = wait_offer (f);
      flint_transfers_accept (f->transfers, t, NULL);
      wait_finished (t);
      done = peer_done (f->bob, "si_send_file");
      assert_failed_clean (f, t, FLINT_ERROR_TRANSFER_CANCELLED);
    }
}

/* The sender goes offline, with its offer unanswered or in the middle of an
 * in-band stream it never closes: the transfer fails at once, the partial
 * file removed (before, an IBB transfer showed its progress for ever). */
static void
test_receive_peer_offline (Fixture *f, gconstpointer data)
{
  g_autofree char *directed = g_strdup_printf ("{\"cmd\": \"presence\", \"to\": \"%s\"}",
                                               flint_session_get_bound_jid (f->session));
  g_autofree char *presence = NULL;
  g_autofree char *done = NULL;
  g_autofree char *answer = NULL;
  FlintTransfer *t;

  /* No roster subscription here: a directed presence makes the server tell
   * us when this client goes offline. */
  peer_command (f->bob, directed);
  presence = peer_done (f->bob, "presence");
  g_assert_nonnull (presence);

  peer_offer (f, "\"name\": \"big.bin\", \"size\": 400000, \"method\": \"ibb\", "
                 "\"vanish_after\": 40000");
  t = wait_offer (f);
  flint_transfers_accept (f->transfers, t, NULL);
  wait_finished (t);
  done = peer_done (f->bob, "si_send_file");
  g_assert_nonnull (strstr (done, "\"result\": \"vanished\""));
  assert_failed_clean (f, t, FLINT_ERROR_TRANSFER_CANCELLED);
  g_assert_nonnull (strstr (flint_transfer_get_error (t)->message, "went offline"));

  /* Back online, offering again, then gone before we answer. */
  peer_command (f->bob, directed);
  g_free (presence);
  presence = peer_done (f->bob, "presence");
  g_assert_nonnull (presence);
  g_ptr_array_set_size (f->offers, 0);
  peer_offer (f, "\"name\": \"later.bin\", \"size\": 1000, \"method\": \"ibb\"");
  t = wait_offer (f);
  peer_command (f->bob, "{\"cmd\": \"presence\", \"type\": \"unavailable\"}");
  wait_finished (t);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_FAILED);
  /* The offer had its answer: the sender is not left waiting either. */
  answer = peer_done (f->bob, "si_send_file");
  g_assert_nonnull (strstr (answer, "\"result\": \"declined\""));
  g_assert_cmpuint (count_files (f->dir), ==, 0);
}

/* We cancel mid-transfer: the sender's next IBB block is refused. */
static void
test_receive_local_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *done = NULL;
  FlintTransfer *t;

  peer_offer (f, "\"name\": \"big.bin\", \"size\": 400000, \"method\": \"ibb\"");
  t = wait_offer (f);
  flint_transfers_accept (f->transfers, t, NULL);
  g_assert_true (wait_until (has_progress, t, WAIT_MS));
  flint_transfers_cancel (f->transfers, t);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_CANCELLED);
  done = peer_done (f->bob, "si_send_file");
  g_assert_nonnull (done);
  g_assert_null (strstr (done, "\"result\": \"sent\""));
  spin (200);
  g_assert_cmpuint (count_files (f->dir), ==, 0);
}

static void
hostile (Fixture *f, const char *extra, FlintErrorCode code)
{
  g_autofree char *done = NULL;
  FlintTransfer *t;

  g_ptr_array_set_size (f->offers, 0);
  peer_offer (f, extra);
  t = wait_offer (f);
  flint_transfers_accept (f->transfers, t, NULL);
  wait_finished (t);
  done = peer_done (f->bob, "si_send_file");
  g_assert_nonnull (done);
  assert_failed_clean (f, t, code);
  g_assert_cmpuint (count_files (f->outside), ==, 0);
}

static void
test_hostile_ibb (Fixture *f, gconstpointer data)
{
  hostile (f, "\"size\": 20000, \"method\": \"ibb\", \"hostile\": \"wrong_seq\"",
           FLINT_ERROR_TRANSFER_PROTOCOL);
  hostile (f, "\"size\": 20000, \"method\": \"ibb\", \"hostile\": \"bad_base64\"",
           FLINT_ERROR_TRANSFER_PROTOCOL);
  hostile (f, "\"size\": 20000, \"method\": \"ibb\", \"hostile\": \"oversize\"",
           FLINT_ERROR_TRANSFER_PROTOCOL);
}

static void
test_hostile_sizes_and_hash (Fixture *f, gconstpointer data)
{
  /* Announces more than it sends: incomplete at close. */
  hostile (f, "\"size\": 10000, \"size_claim\": 20000, \"method\": \"ibb\"",
           FLINT_ERROR_TRANSFER_CANCELLED);
  hostile (f, "\"size\": 10000, \"size_claim\": 20000, \"method\": \"socks5-direct\"",
           FLINT_ERROR_TRANSFER_CANCELLED);
  /* Sends more than it announced. */
  hostile (f, "\"size\": 10000, \"extra\": \"more\", \"method\": \"ibb\"",
           FLINT_ERROR_TRANSFER_CORRUPT);
  hostile (f, "\"size\": 10000, \"size_claim\": 5000, \"method\": \"socks5-direct\"",
           FLINT_ERROR_TRANSFER_CORRUPT);
  /* The same two without a hash (the splice path). */
  hostile (f,
           "\"size\": 10000, \"size_claim\": 20000, \"method\": \"socks5-direct\", "
           "\"hash\": null",
           FLINT_ERROR_TRANSFER_CANCELLED);
  hostile (f,
           "\"size\": 10000, \"size_claim\": 5000, \"method\": \"socks5-direct\", "
           "\"hash\": null",
           FLINT_ERROR_TRANSFER_CORRUPT);
  /* The bytes do not match the announced MD5. */
  hostile (f,
           "\"size\": 10000, \"hash\": \"00112233445566778899aabbccddeeff\", "
           "\"method\": \"socks5-direct\"",
           FLINT_ERROR_TRANSFER_CORRUPT);
  hostile (f,
           "\"size\": 10000, \"hash\": \"00112233445566778899aabbccddeeff\", "
           "\"method\": \"ibb\"",
           FLINT_ERROR_TRANSFER_CORRUPT);
}

/* Path names from the sender: the file lands inside the folder, by its last
 * name part, never beside or above it; a taken name gets " (1)". */
static void
test_hostile_names (Fixture *f, gconstpointer data)
{
  g_autofree char *outside_name = g_path_get_basename (f->outside);
  g_autofree char *traversal = g_strdup_printf ("../%s/x", outside_name);
  const struct
  {
    const char *name;
    const char *saved;
  } cases[] = {
    { traversal, "x" }, { "/etc/passwd", "passwd" },      { ".bashrc", "bashrc" },
    { "..", "file" },   { "a\\tb\\nc.txt", "a b c.txt" }, { "passwd", "passwd (1)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *escaped = g_strescape (cases[i].name, "\\");
      g_autofree char *extra = NULL;
      g_autofree char *done = NULL;
      g_autofree char *path = g_build_filename (f->dir, cases[i].saved, NULL);
      FlintTransfer *t;

      /* XML cannot carry other control characters at all (the unit test
       * covers them); \\t and \\n above are JSON escapes: pass them through. */
      extra = g_strdup_printf ("\"name\": \"%s\", \"size\": 100, \"method\": \"ibb\"",
                               strchr (cases[i].name, '\\') ? cases[i].name : escaped);
      g_ptr_array_set_size (f->offers, 0);
      peer_offer (f, extra);
      t = wait_offer (f);
      g_assert_cmpstr (flint_transfer_get_file_name (t), ==,
                       g_str_has_suffix (cases[i].saved, " (1)") ? "passwd"
                                                                 : cases[i].saved);
      flint_transfers_accept (f->transfers, t, NULL);
      wait_finished (t);
      done = peer_done (f->bob, "si_send_file");
      g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_COMPLETE);
      g_assert_cmpstr (flint_transfer_get_file_name (t), ==, cases[i].saved);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpuint (count_files (f->dir), ==, i + 1);
      g_assert_cmpuint (count_files (f->outside), ==, 0);
    }
}

/* ---- sending ------------------------------------------------------------ */

static char *
write_source (Fixture *f, const char *name, gsize size)
{
  g_autofree char *path = g_build_filename (f->outside, name, NULL);
  g_autofree guchar *data = g_malloc (size ? size : 1);

  for (gsize i = 0; i < size; i++)
    data[i] = (guchar) (i * 131 + (i >> 9));
  g_assert_true (g_file_set_contents (path, (char *) data, size, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, data, size);
}

static FlintTransfer *
send_and_offer (Fixture *f, const char *name, gsize size, char **md5, char **sid)
{
  g_autofree char *path = g_build_filename (f->outside, name, NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *offer = NULL;
  g_autofree char *want_size = g_strdup_printf ("\"size\": %" G_GSIZE_FORMAT, size);
  FlintTransfer *t;

  *md5 = write_source (f, name, size);
  t = flint_transfers_send_file (f->transfers, f->bob_jid, file, "the report");
  g_assert_nonnull (t);
  g_assert_cmpint (flint_transfer_get_direction (t), ==, FLINT_TRANSFER_OUTGOING);
  offer = peer_wait_line (f->bob, "\"si_offer\"");
  g_assert_nonnull (offer);
  g_assert_nonnull (strstr (offer, want_size));
  if (f->no_hash)
    g_assert_nonnull (strstr (offer, "\"hash\": null"));
  else
    g_assert_nonnull (strstr (offer, *md5)); /* the XEP-0096 hash */
  g_assert_nonnull (strstr (offer, "the report"));
  *sid = json_string (offer, "sid");
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_OFFERED);
  return t;
}

static void
send_with (Fixture *f,
           FlintTransferUse use,
           const char *accept_extra,
           gsize size,
           FlintTransferMethod expect)
{
  g_autofree char *md5 = NULL;
  g_autofree char *sid = NULL;
  g_autofree char *line = NULL;
  g_autofree char *received = NULL;
  g_autofree char *want_size = g_strdup_printf ("\"size\": %" G_GSIZE_FORMAT, size);
  FlintTransfer *t;

  flint_transfers_set_use (f->transfers, use);
  t = send_and_offer (f, "data.bin", size, &md5, &sid);
  line =
    g_strdup_printf ("{\"cmd\": \"si_accept\", \"sid\": \"%s\", %s}", sid, accept_extra);
  peer_command (f->bob, line);
  received = peer_wait_line (f->bob, "\"si_received\"");
  g_assert_nonnull (received);
  g_assert_nonnull (strstr (received, md5));
  g_assert_nonnull (strstr (received, want_size));
  wait_finished (t);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_COMPLETE);
  g_assert_cmpint (flint_transfer_get_method (t), ==, expect);
  g_assert_cmpuint (flint_transfer_get_bytes_done (t), ==, size);
}

static void
test_send_socks5_direct (Fixture *f, gconstpointer data)
{
  send_with (f, FLINT_TRANSFER_USE_DIRECT | FLINT_TRANSFER_USE_IBB,
             "\"method\": \"socks5\"", 500000, FLINT_TRANSFER_METHOD_SOCKS5);
}

/* Offers without a hash: the file is not read before it goes, and the
 * peer still gets every byte. */
static void
test_send_socks5_no_hash (Fixture *f, gconstpointer data)
{
  f->no_hash = TRUE;
  flint_transfers_set_send_hash (f->transfers, FALSE);
  send_with (f, FLINT_TRANSFER_USE_DIRECT | FLINT_TRANSFER_USE_IBB,
             "\"method\": \"socks5\"", 3000001, FLINT_TRANSFER_METHOD_SOCKS5);
}

static void
test_send_socks5_proxy (Fixture *f, gconstpointer data)
{
  send_with (f, FLINT_TRANSFER_USE_PROXY | FLINT_TRANSFER_USE_IBB,
             "\"method\": \"socks5\"", 500000, FLINT_TRANSFER_METHOD_SOCKS5_PROXY);
}

static void
test_send_ibb (Fixture *f, gconstpointer data)
{
  send_with (f, FLINT_TRANSFER_USE_ALL, "\"method\": \"ibb\"", 40000,
             FLINT_TRANSFER_METHOD_IBB);
}

/* The receiver reaches none of our streamhosts: we fall back to IBB. */
static void
test_send_fallback_to_ibb (Fixture *f, gconstpointer data)
{
  send_with (f, FLINT_TRANSFER_USE_ALL, "\"method\": \"socks5\", \"refuse_socks5\": true",
             30000, FLINT_TRANSFER_METHOD_IBB);
}

static void
test_send_empty (Fixture *f, gconstpointer data)
{
  send_with (f, FLINT_TRANSFER_USE_DIRECT | FLINT_TRANSFER_USE_IBB,
             "\"method\": \"socks5\"", 0, FLINT_TRANSFER_METHOD_SOCKS5);
}

static void
test_send_declined (Fixture *f, gconstpointer data)
{
  g_autofree char *md5 = NULL;
  g_autofree char *sid = NULL;
  g_autofree char *line = NULL;
  FlintTransfer *t = send_and_offer (f, "data.bin", 100, &md5, &sid);

  line = g_strdup_printf ("{\"cmd\": \"si_decline\", \"sid\": \"%s\"}", sid);
  peer_command (f->bob, line);
  wait_finished (t);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_DECLINED);
}

static void
test_send_peer_cancel (Fixture *f, gconstpointer data)
{
  const char *how[] = { "\"method\": \"ibb\", \"cancel_after\": 8000",
                        "\"method\": \"socks5\", \"cancel_after\": 8000" };

  for (guint i = 0; i < G_N_ELEMENTS (how); i++)
    {
      g_autofree char *md5 = NULL;
      g_autofree char *sid = NULL;
      g_autofree char *line = NULL;
      g_autofree char *cancelled = NULL;
      FlintTransfer *t;

      flint_transfers_set_use (f->transfers,
                               FLINT_TRANSFER_USE_DIRECT | FLINT_TRANSFER_USE_IBB);
      /* Big enough that the socket buffers cannot swallow it all. */
      t = send_and_offer (f, "data.bin", 20 * 1024 * 1024, &md5, &sid);
      line =
        g_strdup_printf ("{\"cmd\": \"si_accept\", \"sid\": \"%s\", %s}", sid, how[i]);
      peer_command (f->bob, line);
      cancelled = peer_wait_line (f->bob, "\"si_cancelled\"");
      g_assert_nonnull (cancelled);
      wait_finished (t);
      g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_FAILED);
      g_assert_error ((GError *) flint_transfer_get_error (t), FLINT_ERROR,
                      FLINT_ERROR_TRANSFER_CANCELLED);
    }
}

/* A contact whose client never answers the offer: the transfer fails after
 * the offer timeout instead of waiting forever. */
static void
test_send_offer_unanswered (Fixture *f, gconstpointer data)
{
  g_autofree char *md5 = NULL;
  g_autofree char *sid = NULL;
  FlintTransfer *t;
  gint64 start;

  flint_transfers_set_offer_timeout (f->transfers, 2);
  t = send_and_offer (f, "data.bin", 100, &md5, &sid);
  start = g_get_monotonic_time ();
  wait_finished (t);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_FAILED);
  g_assert_error ((GError *) flint_transfer_get_error (t), FLINT_ERROR,
                  FLINT_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
}

/* ---- HTTP upload and link download ------------------------------------- */

static gboolean
upload_found (gpointer data)
{
  return flint_transfers_get_upload_service (((Fixture *) data)->transfers) != NULL;
}

/* XEP-0363 to Prosody's http_file_share: the slot, the PUT with progress,
 * the URL; the peer fetches the URL and gets the same bytes, and our own
 * link download saves them again under the safe-file rules. */
static void
test_http_upload_and_download (Fixture *f, gconstpointer data)
{
  g_autofree char *md5 = write_source (f, "notes (final).txt", 300000);
  g_autofree char *path = g_build_filename (f->outside, "notes (final).txt", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *command = NULL;
  g_autofree char *line = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_md5 = NULL;
  FlintTransfer *up, *down;

  g_assert_true (wait_until (upload_found, f, WAIT_MS));
  up = flint_transfers_upload_file (f->transfers, f->bob_jid, file);
  wait_finished (up);
  g_assert_cmpint (flint_transfer_get_state (up), ==, FLINT_TRANSFER_COMPLETE);
  g_assert_cmpint (flint_transfer_get_method (up), ==, FLINT_TRANSFER_METHOD_HTTP);
  g_assert_cmpuint (flint_transfer_get_bytes_done (up), ==, 300000);
  g_assert_nonnull (flint_transfer_get_url (up));
  g_assert_true (g_str_has_prefix (flint_transfer_get_url (up), "http://127.0.0.1:"));

  command = g_strdup_printf ("{\"cmd\": \"http_get\", \"url\": \"%s\"}",
                             flint_transfer_get_url (up));
  peer_command (f->bob, command);
  line = peer_done (f->bob, "http_get");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, md5));
  g_assert_nonnull (strstr (line, "\"size\": 300000"));

  down = flint_transfers_download_url (f->transfers, f->bob_jid,
                                       flint_transfer_get_url (up), NULL);
  wait_finished (down);
  g_assert_cmpint (flint_transfer_get_state (down), ==, FLINT_TRANSFER_COMPLETE);
  g_assert_cmpint (flint_transfer_get_size (down), ==, 300000);
  saved = g_build_filename (f->dir, flint_transfer_get_file_name (down), NULL);
  g_assert_cmpstr (flint_transfer_get_local_path (down), ==, saved);
  g_assert_cmpstr (flint_transfer_get_file_name (down), ==, "notes (final).txt");
  saved_md5 = file_md5 (saved);
  g_assert_cmpstr (saved_md5, ==, md5);
  g_assert_cmpuint (count_files (f->dir), ==, 1);
}

static void
upload_when_online (FlintSession *session, gboolean resumed, gpointer data)
{
  Fixture *f = data;
  g_autofree char *path = g_build_filename (f->outside, "agenda.txt", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);

  if (f->offers->len == 0)
    g_ptr_array_add (f->offers, g_object_ref (flint_transfers_upload_file (
                                  f->transfers, f->bob_jid, file)));
}

/* A file sent the moment the account is online, before the server has said
 * which services it has: the upload waits for the answer instead of failing
 * for want of an upload service (it did, in the app's flaky timeline test). */
static void
test_http_upload_at_sign_in (void)
{
  Fixture fx = { 0 }, *f = &fx;
  FlintTransfer *up;
  g_autofree char *md5 = NULL;

  f->dir = g_dir_make_tmp ("flint-transfer-XXXXXX", NULL);
  f->outside = g_dir_make_tmp ("flint-outside-XXXXXX", NULL);
  md5 = write_source (f, "agenda.txt", 4000);
  f->account = make_account (&server, "alice", TRUE);
  f->session = session_new (f->account, "secret-a");
  f->transfers = flint_transfers_new (f->session);
  f->offers = g_ptr_array_new_with_free_func (g_object_unref);
  f->bob_jid = g_strdup_printf ("bob@%s", server.domain);
  /* Connected after the manager's own handler: it runs right after the
   * service discovery was sent, with no answer in yet. */
  g_signal_connect (f->session, "online", G_CALLBACK (upload_when_online), f);
  flint_session_connect (f->session);
  g_assert_true (wait_state (f->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  g_assert_cmpuint (f->offers->len, ==, 1);
  up = g_ptr_array_index (f->offers, 0);
  g_assert_cmpint (flint_transfer_get_state (up), !=, FLINT_TRANSFER_FAILED);
  wait_finished (up);
  g_assert_cmpint (flint_transfer_get_state (up), ==, FLINT_TRANSFER_COMPLETE);
  g_assert_cmpint (flint_transfer_get_method (up), ==, FLINT_TRANSFER_METHOD_HTTP);
  g_assert_cmpuint (flint_transfer_get_bytes_done (up), ==, 4000);
  g_assert_nonnull (flint_transfer_get_url (up));
  fixture_tear_down (f, NULL);
}

static void
test_http_failures (Fixture *f, gconstpointer data)
{
  g_autofree char *big = g_build_filename (f->outside, "big.iso", NULL);
  g_autoptr (GFile) big_file = g_file_new_for_path (big);
  g_autofree char *missing = NULL;
  FlintTransfer *t;
  FILE *fp;

  g_assert_true (wait_until (upload_found, f, WAIT_MS));
  /* Over the server's 16 MiB limit: refused before any request. */
  fp = fopen (big, "w");
  g_assert_nonnull (fp);
  g_assert_cmpint (ftruncate (fileno (fp), 17 * 1024 * 1024), ==, 0);
  fclose (fp);
  t = flint_transfers_upload_file (f->transfers, f->bob_jid, big_file);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_FAILED);
  g_assert_error ((GError *) flint_transfer_get_error (t), FLINT_ERROR,
                  FLINT_ERROR_TRANSFER_UNSUPPORTED);

  /* Not a web link. */
  t = flint_transfers_download_url (f->transfers, f->bob_jid, "file:///etc/passwd", NULL);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_FAILED);

  /* A link that is not there: failed, and no part left behind. */
  {
    g_autofree char *ok = write_source (f, "small.txt", 10);
    g_autofree char *small = g_build_filename (f->outside, "small.txt", NULL);
    g_autoptr (GFile) small_file = g_file_new_for_path (small);
    FlintTransfer *up =
      flint_transfers_upload_file (f->transfers, f->bob_jid, small_file);

    wait_finished (up);
    g_assert_cmpint (flint_transfer_get_state (up), ==, FLINT_TRANSFER_COMPLETE);
    const char *url = flint_transfer_get_url (up);
    const char *share = strstr (url, "/file_share/");

    /* The server finds files by slot, so a made-up slot is a missing file. */
    g_assert_nonnull (share);
    missing =
      g_strdup_printf ("%.*s/file_share/NoSuchSlot/small.txt", (int) (share - url), url);
  }
  t = flint_transfers_download_url (f->transfers, f->bob_jid, missing, NULL);
  wait_finished (t);
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_FAILED);
  g_assert_cmpuint (count_files (f->dir), ==, 0);
}

/* Other clients find out from our disco#info (and so our caps) that we take
 * SI file transfer over SOCKS5 and IBB. */
static void
test_disco_features (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintDisco) disco = flint_disco_new (f->session);
  g_autofree char *command =
    g_strdup_printf ("{\"cmd\": \"iq\", \"xml\": \"<iq type='get' to='%s'><query "
                     "xmlns='http://jabber.org/protocol/disco#info'/></iq>\"}",
                     flint_session_get_bound_jid (f->session));
  g_autofree char *line = NULL;
  const char *features[] = { "http://jabber.org/protocol/si\\\"",
                             "http://jabber.org/protocol/si/profile/file-transfer",
                             "http://jabber.org/protocol/bytestreams",
                             "http://jabber.org/protocol/ibb" };

  peer_command (f->bob, command);
  line = peer_done (f->bob, "iq");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "\"type\": \"result\""));
  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    g_assert_nonnull (strstr (line, features[i]));
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  server_start (&server, TRUE);

#define ADD(path, func)                                                                  \
  g_test_add ("/transfer/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("receive/socks5-direct", test_receive_socks5_direct);
  ADD ("receive/socks5-proxy", test_receive_socks5_proxy);
  ADD ("receive/ibb", test_receive_ibb);
  ADD ("receive/empty-and-one-byte", test_receive_empty_and_one_byte);
  ADD ("receive/fallback-to-ibb", test_receive_fallback_to_ibb);
  ADD ("receive/decline", test_receive_decline);
  ADD ("receive/peer-cancel", test_receive_peer_cancel);
  ADD ("receive/disk-full", test_receive_disk_full);
  ADD ("receive/peer-offline", test_receive_peer_offline);
  ADD ("receive/local-cancel", test_receive_local_cancel);
  ADD ("receive/local-cancel-socks5", test_receive_local_cancel_socks5);
  ADD ("receive/socks5-no-hash", test_receive_socks5_no_hash);
  ADD ("receive/local-cancel-socks5-no-hash", test_receive_local_cancel_socks5_no_hash);
  ADD ("hostile/ibb", test_hostile_ibb);
  ADD ("hostile/sizes-and-hash", test_hostile_sizes_and_hash);
  ADD ("hostile/names", test_hostile_names);
  ADD ("send/socks5-direct", test_send_socks5_direct);
  ADD ("send/socks5-proxy", test_send_socks5_proxy);
  ADD ("send/socks5-no-hash", test_send_socks5_no_hash);
  ADD ("send/ibb", test_send_ibb);
  ADD ("send/fallback-to-ibb", test_send_fallback_to_ibb);
  ADD ("send/empty", test_send_empty);
  ADD ("send/declined", test_send_declined);
  ADD ("send/peer-cancel", test_send_peer_cancel);
  ADD ("send/offer-unanswered", test_send_offer_unanswered);
  ADD ("disco-features", test_disco_features);
  ADD ("http/upload-and-download", test_http_upload_and_download);
  ADD ("http/failures", test_http_failures);
#undef ADD
  g_test_add_func ("/transfer/http/upload-at-sign-in", test_http_upload_at_sign_in);
  ret = g_test_run ();

  server_do (&server, "prosody-stop");
  return ret;
}

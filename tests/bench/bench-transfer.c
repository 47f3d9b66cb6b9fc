/* File transfer throughput and memory (issue 6), against a local Prosody
 * (mod_proxy65) like the integration tests: two FlintSessions in this one
 * process (alice sends, bob receives; SOCKS5 bytes move in one worker
 * thread per side, IBB on the main loop) compared with a plain blocking socket copy over
 * loopback measured in the same run, and with MD5 over 100 MB in memory (what
 * bounds a transfer whose offer carries an XEP-0096 hash: the receiver must
 * hash every byte; without a hash the bytes go socket -> pipe -> file by splice).
 *
 *   bench-transfer            100 MB direct SOCKS5 with and without a hash,
 *                             20 MB via proxy65, 10 MB IBB
 *   FLINT_BENCH_QUICK=1       only the baselines and the direct SOCKS5 runs
 *   FLINT_BENCH_REPEAT=n      the direct runs n more times each (for a profiler)
 *   FLINT_BENCH_LARGE=1       also 1 GB direct with the RSS before/peak */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "flint-md5.h"
#include "flint-test-server.h"
#include "flint-transfers.h"

#define MB (1024 * 1024)

static Server server;

typedef struct
{
  FlintSession *session;
  FlintTransfers *transfers;
  char *dir;
} Side;

static FlintTransfer *incoming; /* bob's side of the transfer running */

static void
on_offer (FlintTransfers *transfers, FlintTransfer *transfer, Side *bob)
{
  g_set_object (&incoming, transfer);
  flint_transfers_accept (transfers, transfer, bob->dir);
}

static gsize
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line ? (gsize) g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static gsize peak_kb;

static gboolean
sample_rss (gpointer data)
{
  peak_kb = MAX (peak_kb, rss_kb ());
  return G_SOURCE_CONTINUE;
}

static gboolean
proxy_known (gpointer data)
{
  return flint_transfers_get_proxy (data) != NULL;
}

static gboolean
finished (gpointer data)
{
  return flint_transfer_is_finished (data);
}

static void
side_start (Side *side, const char *user, const char *password)
{
  g_autoptr (FlintAccount) account = make_account (&server, user, TRUE);

  side->session = session_new (account, password);
  side->transfers = flint_transfers_new (side->session);
  side->dir = g_dir_make_tmp ("flint-bench-XXXXXX", NULL);
  flint_session_connect (side->session);
  if (!wait_state (side->session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                   10000))
    g_error ("%s did not sign in", user);
  wait_until (proxy_known, side->transfers, 10000);
}

static char *
make_file (const char *dir, gsize size)
{
  char *path = g_build_filename (dir, "payload.bin", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) out =
    g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL);
  g_autofree guchar *block = g_malloc (MB);

  for (gsize i = 0; i < MB; i++)
    block[i] = (guchar) (i * 2654435761u >> 13);
  for (gsize done = 0; done < size; done += MB)
    g_output_stream_write_all (G_OUTPUT_STREAM (out), block, MIN (MB, size - done), NULL,
                               NULL, NULL);
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
  return path;
}

/* Seconds for one transfer alice -> bob; checks the received bytes. */
static double
run_transfer (
  Side *alice, Side *bob, FlintTransferUse use, gsize size, gboolean watch_rss)
{
  g_autofree char *path = make_file (alice->dir, size);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *bob_jid = g_strdup (flint_session_get_bound_jid (bob->session));
  g_autofree char *received = NULL;
  FlintTransfer *t;
  gint64 start;
  double seconds;
  guint sampler = 0;
  GStatBuf st;

  flint_transfers_set_use (alice->transfers, use);
  if (watch_rss)
    {
      peak_kb = rss_kb ();
      sampler = g_timeout_add (100, sample_rss, NULL);
    }
  t = flint_transfers_send_file (alice->transfers, bob_jid, file, NULL);
  /* The clock starts when the bytes start: hashing and the offer are not
   * throughput. */
  while (flint_transfer_get_state (t) < FLINT_TRANSFER_ACTIVE)
    g_main_context_iteration (NULL, TRUE);
  start = g_get_monotonic_time ();
  wait_until (finished, t, 600000);
  /* The clock stops when the receiver has checked and kept the file. */
  wait_until (finished, incoming, 600000);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  if (sampler)
    g_source_remove (sampler);
  if (flint_transfer_get_state (t) != FLINT_TRANSFER_COMPLETE)
    g_error ("transfer failed: %s",
             flint_transfer_get_error (t) ? flint_transfer_get_error (t)->message : "?");
  if (flint_transfer_get_state (incoming) != FLINT_TRANSFER_COMPLETE)
    g_error ("receiving failed");
  g_print ("#   offer %s\n",
           flint_transfer_get_hash (incoming) ? "with MD5" : "without a hash");
  g_clear_object (&incoming);
  received = g_build_filename (bob->dir, "payload.bin", NULL);
  if (g_stat (received, &st) != 0 || (gsize) st.st_size != size)
    g_error ("received file missing or of the wrong size");
  g_remove (received);
  g_remove (path);
  g_print ("#   method %s\n",
           flint_transfer_method_to_string (flint_transfer_get_method (t)));
  return seconds;
}

/* ---- the baselines: a plain socket copy, without and with the disk ------- */

typedef struct
{
  guint16 port;
  const char *source; /* NULL: zeros from memory */
} RawSender;

static gpointer
raw_sender (gpointer data)
{
  RawSender *rs = data;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn =
    g_socket_client_connect_to_host (client, "127.0.0.1", rs->port, NULL, NULL);
  g_autofree guchar *block = g_malloc0 (64 * 1024);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  FILE *in = rs->source ? fopen (rs->source, "rb") : NULL;
  gsize n;

  if (in)
    {
      while ((n = fread (block, 1, 64 * 1024, in)) > 0)
        g_output_stream_write_all (out, block, n, NULL, NULL, NULL);
      fclose (in);
    }
  else
    for (gsize done = 0; done < 100 * (gsize) MB; done += 64 * 1024)
      g_output_stream_write_all (out, block, 64 * 1024, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  return NULL;
}

/* MB/s of 100 MB over loopback with blocking 64 KiB reads and writes; with
 * dir, read from a file there and written to another (disk to disk). */
static double
raw_copy_mb_s (const char *dir)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  RawSender rs = { 0 };
  g_autofree char *source = dir ? make_file (dir, 100 * MB) : NULL;
  g_autofree char *target = dir ? g_build_filename (dir, "raw-copy.bin", NULL) : NULL;
  g_autoptr (GThread) thread = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autofree guchar *block = g_malloc (64 * 1024);
  GInputStream *in;
  FILE *out = target ? fopen (target, "wb") : NULL;
  gint64 start = g_get_monotonic_time ();
  gsize total = 0;
  gssize n;

  rs.port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  rs.source = source;
  thread = g_thread_new ("raw", raw_sender, &rs);
  conn = g_socket_listener_accept (listener, NULL, NULL, NULL);
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  while ((n = g_input_stream_read (in, block, 64 * 1024, NULL, NULL)) > 0)
    {
      if (out)
        fwrite (block, 1, n, out);
      total += n;
    }
  if (out)
    fclose (out);
  g_thread_join (g_steal_pointer (&thread));
  if (target)
    g_remove (target);
  if (source)
    g_remove (source);
  return total / (double) MB / ((g_get_monotonic_time () - start) / 1e6);
}

/* MB/s of MD5 over 100 MB already in memory, in 1 MiB updates as the
 * receiver does: the ceiling of a hashed transfer on this machine. With
 * glib TRUE, GChecksum's instead of the one Flint uses (flint-md5.c). */
static double
md5_mb_s (const guchar *data, gboolean glib)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  g_autoptr (FlintMd5) md5 = flint_md5_new ();
  gint64 start = g_get_monotonic_time ();

  for (gsize done = 0; done < 100 * MB; done += MB)
    if (glib)
      g_checksum_update (checksum, data + done, MB);
    else
      flint_md5_update (md5, data + done, MB);
  if (glib)
    g_checksum_get_string (checksum);
  else
    flint_md5_get_string (md5);
  return 100 / ((g_get_monotonic_time () - start) / 1e6);
}

static double
direct_mb_s (Side *alice, Side *bob, gboolean hashed)
{
  flint_transfers_set_send_hash (alice->transfers, hashed);
  return 100 / run_transfer (alice, bob,
                             FLINT_TRANSFER_USE_DIRECT | FLINT_TRANSFER_USE_IBB, 100 * MB,
                             FALSE);
}

int
main (int argc, char **argv)
{
  Side alice = { 0 }, bob = { 0 };
  double raw, raw_disk, md5, direct, hashed, proxy, ibb;
  double s;

  server_start (&server, TRUE);
  side_start (&alice, "alice", "secret-a");
  side_start (&bob, "bob", "secret-b");
  g_signal_connect (bob.transfers, "offer-received", G_CALLBACK (on_offer), &bob);

  raw = raw_copy_mb_s (NULL);
  raw_disk = raw_copy_mb_s (alice.dir);
  {
    g_autofree guchar *data = g_malloc (100 * MB);
    g_autoptr (FlintMd5) which = flint_md5_new ();

    for (gsize i = 0; i < 100 * MB; i++)
      data[i] = (guchar) (i * 2654435761u >> 13);
    md5 = md5_mb_s (data, FALSE);
    g_print ("plain loopback socket copy, 100 MB, 64 KiB blocking writes: %.0f MB/s; "
             "file to file: %.0f MB/s\n",
             raw, raw_disk);
    g_print ("MD5 of 100 MB in memory, 1 MiB updates: %.0f MB/s (%s, what Flint uses); "
             "GChecksum: %.0f MB/s\n",
             md5, flint_md5_get_backend (which), md5_mb_s (data, TRUE));
  }

  for (int i = atoi (g_getenv ("FLINT_BENCH_REPEAT") ?: "0"); i >= 0; i--)
    {
      direct = direct_mb_s (&alice, &bob, FALSE);
      g_print ("SOCKS5 direct, 100 MB file to file, no hash: %.0f MB/s = %.0f %% of the "
               "socket copy, %.0f %% of the file-to-file copy\n",
               direct, 100 * direct / raw, 100 * direct / raw_disk);
      hashed = direct_mb_s (&alice, &bob, TRUE);
      g_print ("SOCKS5 direct, 100 MB file to file, with MD5: %.0f MB/s = %.0f %% of the "
               "socket copy, %.0f %% of the file-to-file copy, %.0f %% of MD5 alone\n",
               hashed, 100 * hashed / raw, 100 * hashed / raw_disk, 100 * hashed / md5);
    }
  if (g_getenv ("FLINT_BENCH_QUICK"))
    goto out;

  s = run_transfer (&alice, &bob, FLINT_TRANSFER_USE_PROXY | FLINT_TRANSFER_USE_IBB,
                    20 * MB, FALSE);
  proxy = 20 / s;
  g_print ("SOCKS5 via Prosody proxy65, 20 MB: %.2f s, %.1f MB/s\n", s, proxy);

  s = run_transfer (&alice, &bob, FLINT_TRANSFER_USE_IBB, 10 * MB, FALSE);
  ibb = 10 / s;
  g_print ("IBB, 10 MB, 4096-byte blocks, %u in flight: %.2f s, %.2f MB/s\n",
           FLINT_TRANSFERS_IBB_WINDOW, s, ibb);
  /* What larger blocks would give, where the receiver accepts them. */
  flint_transfers_set_ibb_block_size (alice.transfers, 16384);
  s = run_transfer (&alice, &bob, FLINT_TRANSFER_USE_IBB, 10 * MB, FALSE);
  g_print ("IBB, 10 MB, 16384-byte blocks, %u in flight: %.2f s, %.2f MB/s\n",
           FLINT_TRANSFERS_IBB_WINDOW, s, 10 / s);
  flint_transfers_set_ibb_block_size (alice.transfers, 4096);

  if (g_getenv ("FLINT_BENCH_LARGE"))
    for (int hash = 0; hash <= 1; hash++)
      {
        gsize before;

        flint_transfers_set_send_hash (alice.transfers, hash);
        spin (500);
        before = rss_kb ();
        s =
          run_transfer (&alice, &bob, FLINT_TRANSFER_USE_DIRECT | FLINT_TRANSFER_USE_IBB,
                        1024 * (gsize) MB, TRUE);
        g_print ("SOCKS5 direct, 1 GB, %s: %.1f s, %.0f MB/s; RSS before %zu kB, peak "
                 "%zu kB (+%zd kB)\n",
                 hash ? "with MD5" : "no hash", s, 1024 / s, before, peak_kb,
                 (gssize) peak_kb - (gssize) before);
      }

out:
  g_clear_object (&alice.transfers);
  g_clear_object (&bob.transfers);
  flint_session_disconnect (alice.session);
  flint_session_disconnect (bob.session);
  spin (200);
  remove_tree (alice.dir);
  remove_tree (bob.dir);
  server_do (&server, "prosody-stop");
  return 0;
}

/* Fuzzes both sides of the SOCKS5 negotiation XEP-0065 uses
 * (flint-socks5.c). The first input byte picks the side: even, we are the
 * client (the rest is what a streamhost or proxy answers); odd, we are the
 * server (the rest is what the connecting peer sends). Checks: it ends, it
 * reads no more than the protocol allows before data starts, and a
 * requested address comes back as at most 255 bytes of text. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <gio/gio.h>

#include "flint-socks5.h"

/* Greeting 2 + methods 255 + request head 5 + domain 255 + port 2, the most
 * the server side may read; the client side reads less. */
#define MAX_HANDSHAKE_READ (2 + 255 + 5 + 255 + 2)

typedef struct
{
  gboolean done;
  gboolean ok;
  char *address;
} Outcome;

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Outcome *outcome = data;

  outcome->ok = flint_socks5_connect_finish (result, NULL);
  outcome->done = TRUE;
}

static void
on_accepted (GObject *source, GAsyncResult *result, gpointer data)
{
  Outcome *outcome = data;

  outcome->address = flint_socks5_accept_finish (result, NULL);
  outcome->ok = outcome->address != NULL;
  outcome->done = TRUE;
}

static void
on_replied (GObject *source, GAsyncResult *result, gpointer data)
{
  Outcome *outcome = data;

  flint_socks5_reply_finish (result, NULL);
  outcome->done = TRUE;
}

static void
run_until (Outcome *outcome)
{
  while (!outcome->done)
    g_main_context_iteration (NULL, TRUE);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (GIOStream) stream = NULL;
  Outcome outcome = { 0 };
  g_autofree char *dst = NULL;

  if (size < 1 || size > 4096)
    return 0;
  in = g_memory_input_stream_new_from_data (g_memdup2 (data + 1, size - 1), size - 1,
                                            g_free);
  out = g_memory_output_stream_new_resizable ();
  stream = g_simple_io_stream_new (in, out);
  dst = flint_socks5_dst_addr ("sid", "a@example.com/x", "b@example.com/y");

  if (data[0] % 2 == 0)
    {
      flint_socks5_connect_async (stream, dst, NULL, on_connected, &outcome);
      run_until (&outcome);
    }
  else
    {
      flint_socks5_accept_async (stream, NULL, on_accepted, &outcome);
      run_until (&outcome);
      if (outcome.address)
        {
          g_assert_cmpuint (strlen (outcome.address), <=, 255);
          g_assert_true (outcome.address[0] != '\0');
          outcome.done = FALSE;
          flint_socks5_reply_async (stream, outcome.address,
                                    g_strcmp0 (outcome.address, dst) == 0, NULL,
                                    on_replied, &outcome);
          run_until (&outcome);
        }
    }
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (in)), <=, MAX_HANDSHAKE_READ);
  g_free (outcome.address);
  return 0;
}

#ifndef FLINT_LIBFUZZER
gboolean fuzz_replay_finish (char **what);

gboolean
fuzz_replay_finish (char **what)
{
  /* A well-formed exchange each way still works after everything else. */
  g_autofree char *dst =
    flint_socks5_dst_addr ("sid", "a@example.com/x", "b@example.com/y");
  guint8 client[] = { 0, 5, 0, 5, 0, 0, 3, 40 };
  g_autoptr (GByteArray) reply = g_byte_array_new ();
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (GIOStream) stream = NULL;
  Outcome outcome = { 0 };

  g_byte_array_append (reply, client + 1, 7);
  g_byte_array_append (reply, (guint8 *) dst, 40);
  g_byte_array_append (reply, (guint8[]){ 0, 0 }, 2);
  in = g_memory_input_stream_new_from_data (g_memdup2 (reply->data, reply->len),
                                            reply->len, g_free);
  out = g_memory_output_stream_new_resizable ();
  stream = g_simple_io_stream_new (in, out);
  flint_socks5_connect_async (stream, dst, NULL, on_connected, &outcome);
  run_until (&outcome);
  *what = g_strdup ("a proper proxy reply still connects");
  return outcome.ok;
}
#endif

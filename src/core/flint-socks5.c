/* SOCKS5 as XEP-0065 uses it, both sides, on GIO async streams.
 *
 * Each side is a small chain of exact-size reads and writes; anything that
 * is not what the XEP allows (another version, an address that is not a
 * 40-character domain, a failure code) ends the chain with an error, so a
 * hostile peer or proxy can make the stream fail but not make us read more
 * than a few hundred bytes before data starts. */
#include "config.h"

#define G_LOG_DOMAIN "flint-socks5"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-error.h"
#include "flint-socks5.h"

#define SOCKS_VERSION 5
#define CMD_CONNECT 1
#define ATYP_IPV4 1
#define ATYP_DOMAIN 3
#define ATYP_IPV6 4
#define MAX_DOMAIN 255

char *
flint_socks5_dst_addr (const char *sid, const char *initiator, const char *target)
{
  g_autofree char *all = g_strconcat (sid, initiator, target, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA1, all, -1);
}

typedef enum
{
  STEP_GREETING_SENT,
  STEP_METHOD_READ,
  STEP_REQUEST_SENT,
  STEP_REPLY_HEAD_READ,
  STEP_REPLY_TAIL_READ,
  /* server side */
  STEP_GREETING_HEAD_READ,
  STEP_GREETING_METHODS_READ,
  STEP_METHOD_SENT,
  STEP_REQUEST_HEAD_READ,
  STEP_REQUEST_DOMAIN_READ,
  STEP_REPLY_SENT,
} Step;

typedef struct
{
  GIOStream *stream;
  Step step;
  guint8 buf[MAX_DOMAIN + 16];
  gsize len;
  char *dst;
} Handshake;

static void
handshake_free (Handshake *h)
{
  g_object_unref (h->stream);
  g_free (h->dst);
  g_free (h);
}

static void step_done (GObject *source, GAsyncResult *result, gpointer data);

static void
do_write (GTask *task, Step next, gsize len)
{
  Handshake *h = g_task_get_task_data (task);

  h->step = next;
  h->len = len;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (h->stream), h->buf, len,
                                   G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   step_done, task);
}

static void
do_read (GTask *task, Step next, gsize len)
{
  Handshake *h = g_task_get_task_data (task);

  h->step = next;
  h->len = len;
  g_input_stream_read_all_async (g_io_stream_get_input_stream (h->stream), h->buf, len,
                                 G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                 step_done, task);
}

static void
fail (GTask *task, const char *why)
{
  g_debug ("SOCKS5 handshake failed: %s", why);
  g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_NETWORK,
                           _ ("The file transfer connection could not be set up (%s)."),
                           why);
  g_object_unref (task);
}

static gsize
put_request (Handshake *h, guint8 code)
{
  gsize dlen = strlen (h->dst);

  h->buf[0] = SOCKS_VERSION;
  h->buf[1] = code;
  h->buf[2] = 0;
  h->buf[3] = ATYP_DOMAIN;
  h->buf[4] = (guint8) dlen;
  memcpy (h->buf + 5, h->dst, dlen);
  h->buf[5 + dlen] = 0;
  h->buf[6 + dlen] = 0;
  return 7 + dlen;
}

static void
step_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Handshake *h = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gsize n = 0;
  gboolean ok;

  if (G_IS_OUTPUT_STREAM (source))
    ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &n, &error);
  else
    ok = g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, &error);
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
        }
      else
        fail (task, error->message);
      return;
    }
  if (n != h->len)
    {
      fail (task, "connection closed");
      return;
    }

  switch (h->step)
    {
      /* ---- client ---- */
      case STEP_GREETING_SENT:
        do_read (task, STEP_METHOD_READ, 2);
        return;
      case STEP_METHOD_READ:
        if (h->buf[0] != SOCKS_VERSION || h->buf[1] != 0)
          {
            fail (task, "no acceptable method");
            return;
          }
        do_write (task, STEP_REQUEST_SENT, put_request (h, CMD_CONNECT));
        return;
      case STEP_REQUEST_SENT:
        do_read (task, STEP_REPLY_HEAD_READ, 5);
        return;
      case STEP_REPLY_HEAD_READ:
        if (h->buf[0] != SOCKS_VERSION || h->buf[1] != 0)
          {
            fail (task, "refused by the stream host");
            return;
          }
        /* The bound address, which we do not use; its length depends on ATYP
         * (the fifth byte is its first byte, or a domain's length). */
        switch (h->buf[3])
          {
            case ATYP_IPV4:
              do_read (task, STEP_REPLY_TAIL_READ, 4 - 1 + 2);
              return;
            case ATYP_IPV6:
              do_read (task, STEP_REPLY_TAIL_READ, 16 - 1 + 2);
              return;
            case ATYP_DOMAIN:
              do_read (task, STEP_REPLY_TAIL_READ, (gsize) h->buf[4] + 2);
              return;
            default:
              fail (task, "bad address type");
              return;
          }
      case STEP_REPLY_TAIL_READ:
        g_task_return_boolean (task, TRUE);
        g_object_unref (task);
        return;

      /* ---- server ---- */
      case STEP_GREETING_HEAD_READ:
        if (h->buf[0] != SOCKS_VERSION || h->buf[1] == 0)
          {
            fail (task, "not SOCKS5");
            return;
          }
        do_read (task, STEP_GREETING_METHODS_READ, h->buf[1]);
        return;
      case STEP_GREETING_METHODS_READ:
        if (memchr (h->buf, 0, h->len) == NULL)
          {
            h->buf[0] = SOCKS_VERSION;
            h->buf[1] = 0xFF;
            /* Best effort: tell it, then give up. */
            g_output_stream_write_all (g_io_stream_get_output_stream (h->stream), h->buf,
                                       2, NULL, NULL, NULL);
            fail (task, "no acceptable method");
            return;
          }
        h->buf[0] = SOCKS_VERSION;
        h->buf[1] = 0;
        do_write (task, STEP_METHOD_SENT, 2);
        return;
      case STEP_METHOD_SENT:
        do_read (task, STEP_REQUEST_HEAD_READ, 5);
        return;
      case STEP_REQUEST_HEAD_READ:
        if (h->buf[0] != SOCKS_VERSION || h->buf[1] != CMD_CONNECT ||
            h->buf[3] != ATYP_DOMAIN || h->buf[4] == 0)
          {
            fail (task, "unexpected request");
            return;
          }
        do_read (task, STEP_REQUEST_DOMAIN_READ, (gsize) h->buf[4] + 2);
        return;
      case STEP_REQUEST_DOMAIN_READ:
        /* A NUL would cut the address short: "expected\0junk" would pass
         * for "expected". */
        if (memchr (h->buf, 0, h->len - 2) != NULL)
          {
            fail (task, "unexpected request");
            return;
          }
        g_task_return_pointer (task, g_strndup ((char *) h->buf, h->len - 2), g_free);
        g_object_unref (task);
        return;
      case STEP_REPLY_SENT:
        g_task_return_boolean (task, TRUE);
        g_object_unref (task);
        return;
      default:
        g_assert_not_reached ();
    }
}

static GTask *
handshake_task (GIOStream *stream,
                const char *dst,
                GCancellable *cancellable,
                GAsyncReadyCallback callback,
                gpointer user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);
  Handshake *h = g_new0 (Handshake, 1);

  h->stream = g_object_ref (stream);
  h->dst = g_strdup (dst);
  g_task_set_task_data (task, h, (GDestroyNotify) handshake_free);
  return task;
}

void
flint_socks5_connect_async (GIOStream *stream,
                            const char *dst_addr,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = handshake_task (stream, dst_addr, cancellable, callback, user_data);
  Handshake *h = g_task_get_task_data (task);

  g_task_set_source_tag (task, flint_socks5_connect_async);
  if (strlen (dst_addr) > MAX_DOMAIN)
    {
      fail (task, "address too long");
      return;
    }
  h->buf[0] = SOCKS_VERSION;
  h->buf[1] = 1;
  h->buf[2] = 0; /* no authentication */
  do_write (task, STEP_GREETING_SENT, 3);
}

gboolean
flint_socks5_connect_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
flint_socks5_accept_async (GIOStream *stream,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task = handshake_task (stream, "", cancellable, callback, user_data);

  g_task_set_source_tag (task, flint_socks5_accept_async);
  do_read (task, STEP_GREETING_HEAD_READ, 2);
}

char *
flint_socks5_accept_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
flint_socks5_reply_async (GIOStream *stream,
                          const char *dst_addr,
                          gboolean success,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task = handshake_task (stream, dst_addr, cancellable, callback, user_data);
  Handshake *h = g_task_get_task_data (task);

  g_task_set_source_tag (task, flint_socks5_reply_async);
  do_write (task, STEP_REPLY_SENT, put_request (h, success ? 0 : 2));
}

gboolean
flint_socks5_reply_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

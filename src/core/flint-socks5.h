#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The SOCKS5 subset XEP-0065 uses: no authentication, CONNECT to a
 * "domain name" that is SHA1(sid + initiator JID + target JID) in hex. */

char *flint_socks5_dst_addr (const char *sid, const char *initiator, const char *target);

void flint_socks5_connect_async (GIOStream *stream,
                                 const char *dst_addr,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean flint_socks5_connect_finish (GAsyncResult *result, GError **error);

/* The server side: reads the greeting and the CONNECT request, answers
 * "no authentication", and returns the requested address; the caller then
 * answers with flint_socks5_reply_async (success or not). */
void flint_socks5_accept_async (GIOStream *stream,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
char *flint_socks5_accept_finish (GAsyncResult *result, GError **error);

void flint_socks5_reply_async (GIOStream *stream,
                               const char *dst_addr,
                               gboolean success,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean flint_socks5_reply_finish (GAsyncResult *result, GError **error);

G_END_DECLS

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FLINT_TYPE_PROXY_RELAY (flint_proxy_relay_get_type ())
G_DECLARE_FINAL_TYPE (FlintProxyRelay, flint_proxy_relay, FLINT, PROXY_RELAY, GObject)

/* libstrophe has no proxy support: this listens on a loopback port and
 * carries each connection made to it to host:port through GSocketClient,
 * which goes through the system proxy (GProxyResolver: the GNOME proxy
 * settings, or libproxy). Bytes pass untouched, so TLS stays end to end
 * between libstrophe and the server. */
FlintProxyRelay *flint_proxy_relay_new (const char *host, guint port, GError **error);
guint flint_proxy_relay_get_port (FlintProxyRelay *self);
/* Connections carried so far (tests). */
guint flint_proxy_relay_get_n_connections (FlintProxyRelay *self);

/* Whether the system proxy settings send host:port through a proxy. */
void flint_proxy_relay_needed_async (const char *host,
                                     guint port,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean flint_proxy_relay_needed_finish (GAsyncResult *result);

G_END_DECLS

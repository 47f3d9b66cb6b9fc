/* FlintProxyRelay: the system proxy for libstrophe, through a loopback
 * relay. */
#include "config.h"

#define G_LOG_DOMAIN "flint-proxy-relay"

#include <string.h>

#include "flint-proxy-relay.h"

/* The relay runs in a thread of its own: libstrophe 0.12 does its TLS
 * handshake in a blocking loop on the main thread, which would wait for
 * bytes the relay could then never carry. */
struct _FlintProxyRelay
{
  GObject parent_instance;

  char *host;
  guint port;
  guint local_port;
  gint n_connections; /* atomic */

  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean ready;
  GError *error;

  /* Used in the relay's thread only. */
  GSocketService *service;
  GSocketClient *client;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (FlintProxyRelay, flint_proxy_relay, G_TYPE_OBJECT)

static void
on_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_io_stream_splice_finish (result, &error))
    g_debug ("Relay ended: %s", error->message);
}

static void
on_upstream (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GSocketConnection) local = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) upstream =
    g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);

  if (upstream == NULL)
    {
      /* libstrophe sees the connection close and tries again later. */
      g_debug ("Could not reach the server through the proxy: %s", error->message);
      g_io_stream_close (G_IO_STREAM (local), NULL, NULL);
      return;
    }
  g_io_stream_splice_async (
    G_IO_STREAM (local), G_IO_STREAM (upstream),
    G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
    G_PRIORITY_DEFAULT, g_object_get_data (source, "flint-cancellable"), on_spliced,
    NULL);
}

static gboolean
on_incoming (GSocketService *service,
             GSocketConnection *connection,
             GObject *source_object,
             FlintProxyRelay *self)
{
  g_autofree char *target = g_strdup_printf ("%s:%u", self->host, self->port);

  g_atomic_int_inc (&self->n_connections);
  g_debug ("Relaying a connection to %s through the system proxy", target);
  g_socket_client_connect_to_host_async (self->client, self->host, (guint16) self->port,
                                         self->cancellable, on_upstream,
                                         g_object_ref (connection));
  return TRUE;
}

static gpointer
relay_thread (gpointer data)
{
  FlintProxyRelay *self = data;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (self->context);
  self->service = g_socket_service_new ();
  self->client = g_socket_client_new ();
  self->cancellable = g_cancellable_new ();
  g_socket_client_set_enable_proxy (self->client, TRUE);
  /* A slow proxy still gets 30 s. */
  g_socket_client_set_timeout (self->client, 30);
  g_object_set_data (G_OBJECT (self->client), "flint-cancellable", self->cancellable);
  if (g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                     G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                     &bound, &error))
    {
      self->local_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
      g_socket_service_start (self->service);
    }
  g_mutex_lock (&self->lock);
  self->error = error;
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (error == NULL)
    g_main_loop_run (self->loop);

  /* Closing: every relayed connection ends, and their callbacks run here. */
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_cancellable_cancel (self->cancellable);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_clear_object (&self->service);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

FlintProxyRelay *
flint_proxy_relay_new (const char *host, guint port, GError **error)
{
  g_autoptr (FlintProxyRelay) self = g_object_new (FLINT_TYPE_PROXY_RELAY, NULL);

  self->host = g_strdup (host);
  self->port = port;
  self->thread = g_thread_new ("flint-proxy-relay", relay_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  if (self->error)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return NULL;
    }
  return g_steal_pointer (&self);
}

guint
flint_proxy_relay_get_port (FlintProxyRelay *self)
{
  return self->local_port;
}

guint
flint_proxy_relay_get_n_connections (FlintProxyRelay *self)
{
  return (guint) g_atomic_int_get (&self->n_connections);
}

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) proxies =
    g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (source), result, &error);

  /* No answer is no proxy: connect directly, as before. */
  g_task_return_boolean (task,
                         proxies && proxies[0] && !g_str_equal (proxies[0], "direct://"));
}

void
flint_proxy_relay_needed_async (const char *host,
                                guint port,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  /* The URI GSocketClient asks about for a plain TCP connection. */
  g_autofree char *uri = strchr (host, ':')
                           ? g_strdup_printf ("none://[%s]:%u", host, port)
                           : g_strdup_printf ("none://%s:%u", host, port);

  g_task_set_source_tag (task, flint_proxy_relay_needed_async);
  g_proxy_resolver_lookup_async (g_proxy_resolver_get_default (), uri, cancellable,
                                 on_looked_up, task);
}

gboolean
flint_proxy_relay_needed_finish (GAsyncResult *result)
{
  return g_task_propagate_boolean (G_TASK (result), NULL);
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
flint_proxy_relay_dispose (GObject *object)
{
  FlintProxyRelay *self = FLINT_PROXY_RELAY (object);

  if (self->thread)
    {
      /* Through the relay's own context: a quit before its loop runs would
       * be lost. */
      GSource *quit = g_idle_source_new ();

      g_source_set_callback (quit, quit_loop, self->loop, NULL);
      g_source_attach (quit, self->context);
      g_source_unref (quit);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  G_OBJECT_CLASS (flint_proxy_relay_parent_class)->dispose (object);
}

static void
flint_proxy_relay_finalize (GObject *object)
{
  FlintProxyRelay *self = FLINT_PROXY_RELAY (object);

  g_free (self->host);
  g_clear_error (&self->error);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (flint_proxy_relay_parent_class)->finalize (object);
}

static void
flint_proxy_relay_class_init (FlintProxyRelayClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = flint_proxy_relay_dispose;
  G_OBJECT_CLASS (klass)->finalize = flint_proxy_relay_finalize;
}

static void
flint_proxy_relay_init (FlintProxyRelay *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

#include "config.h"

#define G_LOG_DOMAIN "flint-idle"

#include "flint-idle-monitor.h"

#define IDLE_NAME "org.gnome.Mutter.IdleMonitor"
#define IDLE_PATH "/org/gnome/Mutter/IdleMonitor/Core"
#define IDLE_IFACE "org.gnome.Mutter.IdleMonitor"

struct _FlintIdleMonitor
{
  GObject parent_instance;

  GDBusConnection *bus;
  GCancellable *cancellable;
  guint name_watch;
  guint signal_id;
  gboolean available;
  guint away_minutes;
  guint xa_minutes;
  /* Watch ids the monitor gave us; 0 when none. The idle watches fire each
   * time the user has been idle that long; the active watch fires once, at
   * the next input. */
  guint away_watch;
  guint xa_watch;
  guint active_watch;
  /* Bumped at each re-arm: replies to calls of an older arming are dropped. */
  guint generation;
  FlintIdleState state;
};

G_DEFINE_FINAL_TYPE (FlintIdleMonitor, flint_idle_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_AWAY_MINUTES,
  PROP_XA_MINUTES,
  PROP_STATE,
  PROP_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  WATCH_AWAY,
  WATCH_XA,
  WATCH_ACTIVE,
} WatchKind;

typedef struct
{
  FlintIdleMonitor *self; /* a weak pointer */
  guint generation;
  WatchKind kind;
} WatchCall;

static void
set_state (FlintIdleMonitor *self, FlintIdleState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_debug ("idle state %d", state);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
remove_watch (FlintIdleMonitor *self, guint *id)
{
  if (*id && self->available)
    g_dbus_connection_call (self->bus, IDLE_NAME, IDLE_PATH, IDLE_IFACE, "RemoveWatch",
                            g_variant_new ("(u)", *id), NULL, G_DBUS_CALL_FLAGS_NONE, -1,
                            NULL, NULL, NULL);
  *id = 0;
}

static void
on_watch_added (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WatchCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply =
    g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  FlintIdleMonitor *self = call->self;
  guint id = 0;

  if (self)
    g_object_remove_weak_pointer (G_OBJECT (self), (gpointer *) &call->self);
  if (reply)
    g_variant_get (reply, "(u)", &id);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Idle watch not added: %s", error->message);

  if (self == NULL || call->generation != self->generation)
    {
      /* Armed again meanwhile: this watch is stale. */
      if (self && id)
        remove_watch (self, &id);
      g_free (call);
      return;
    }
  switch (call->kind)
    {
      case WATCH_AWAY:
        self->away_watch = id;
        break;
      case WATCH_XA:
        self->xa_watch = id;
        break;
      case WATCH_ACTIVE:
        self->active_watch = id;
        break;
    }
  g_free (call);
}

static void
add_watch (FlintIdleMonitor *self, WatchKind kind, guint64 interval_ms)
{
  WatchCall *call = g_new0 (WatchCall, 1);

  call->self = self;
  call->generation = self->generation;
  call->kind = kind;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &call->self);
  if (kind == WATCH_ACTIVE)
    g_dbus_connection_call (self->bus, IDLE_NAME, IDLE_PATH, IDLE_IFACE,
                            "AddUserActiveWatch", NULL, G_VARIANT_TYPE ("(u)"),
                            G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_watch_added,
                            call);
  else
    g_dbus_connection_call (self->bus, IDLE_NAME, IDLE_PATH, IDLE_IFACE, "AddIdleWatch",
                            g_variant_new ("(t)", interval_ms), G_VARIANT_TYPE ("(u)"),
                            G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_watch_added,
                            call);
}

/* Drops every watch and asks for the ones the settings call for. */
static void
arm (FlintIdleMonitor *self)
{
  self->generation++;
  remove_watch (self, &self->away_watch);
  remove_watch (self, &self->xa_watch);
  remove_watch (self, &self->active_watch);
  set_state (self, FLINT_IDLE_ACTIVE);
  if (!self->available)
    return;
  if (self->away_minutes)
    add_watch (self, WATCH_AWAY, (guint64) self->away_minutes * 60 * 1000);
  if (self->xa_minutes)
    add_watch (self, WATCH_XA, (guint64) self->xa_minutes * 60 * 1000);
}

static void
on_watch_fired (GDBusConnection *bus,
                const char *sender,
                const char *path,
                const char *iface,
                const char *signal,
                GVariant *parameters,
                gpointer user_data)
{
  FlintIdleMonitor *self = user_data;
  guint id;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(u)")))
    return;
  g_variant_get (parameters, "(u)", &id);
  if (id == 0)
    return;
  if (id == self->active_watch)
    {
      /* One-shot on the monitor's side too. */
      self->active_watch = 0;
      set_state (self, FLINT_IDLE_ACTIVE);
      return;
    }
  if (id == self->xa_watch)
    set_state (self, FLINT_IDLE_EXTENDED_AWAY);
  else if (id == self->away_watch && self->state == FLINT_IDLE_ACTIVE)
    set_state (self, FLINT_IDLE_AWAY);
  else
    return;
  if (self->active_watch == 0)
    add_watch (self, WATCH_ACTIVE, 0);
}

static void
on_name_appeared (GDBusConnection *bus,
                  const char *name,
                  const char *owner,
                  gpointer user_data)
{
  FlintIdleMonitor *self = user_data;

  /* Watch ids belong to the old owner: a new one starts from scratch. */
  self->away_watch = self->xa_watch = self->active_watch = 0;
  self->available = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
  arm (self);
}

static void
on_name_vanished (GDBusConnection *bus, const char *name, gpointer user_data)
{
  FlintIdleMonitor *self = user_data;

  self->away_watch = self->xa_watch = self->active_watch = 0;
  if (self->available)
    {
      self->available = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
    }
  set_state (self, FLINT_IDLE_ACTIVE);
}

FlintIdleState
flint_idle_monitor_get_state (FlintIdleMonitor *self)
{
  g_return_val_if_fail (FLINT_IS_IDLE_MONITOR (self), FLINT_IDLE_ACTIVE);
  return self->state;
}

gboolean
flint_idle_monitor_get_available (FlintIdleMonitor *self)
{
  g_return_val_if_fail (FLINT_IS_IDLE_MONITOR (self), FALSE);
  return self->available;
}

void
flint_idle_monitor_set_away_minutes (FlintIdleMonitor *self, guint minutes)
{
  g_return_if_fail (FLINT_IS_IDLE_MONITOR (self));
  if (self->away_minutes == minutes)
    return;
  self->away_minutes = minutes;
  arm (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AWAY_MINUTES]);
}

void
flint_idle_monitor_set_xa_minutes (FlintIdleMonitor *self, guint minutes)
{
  g_return_if_fail (FLINT_IS_IDLE_MONITOR (self));
  if (self->xa_minutes == minutes)
    return;
  self->xa_minutes = minutes;
  arm (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_XA_MINUTES]);
}

static void
flint_idle_monitor_get_property (GObject *object,
                                 guint prop_id,
                                 GValue *value,
                                 GParamSpec *pspec)
{
  FlintIdleMonitor *self = FLINT_IDLE_MONITOR (object);

  switch (prop_id)
    {
      case PROP_AWAY_MINUTES:
        g_value_set_uint (value, self->away_minutes);
        break;
      case PROP_XA_MINUTES:
        g_value_set_uint (value, self->xa_minutes);
        break;
      case PROP_STATE:
        g_value_set_int (value, self->state);
        break;
      case PROP_AVAILABLE:
        g_value_set_boolean (value, self->available);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_idle_monitor_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  FlintIdleMonitor *self = FLINT_IDLE_MONITOR (object);

  switch (prop_id)
    {
      case PROP_AWAY_MINUTES:
        flint_idle_monitor_set_away_minutes (self, g_value_get_uint (value));
        break;
      case PROP_XA_MINUTES:
        flint_idle_monitor_set_xa_minutes (self, g_value_get_uint (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_idle_monitor_dispose (GObject *object)
{
  FlintIdleMonitor *self = FLINT_IDLE_MONITOR (object);

  if (self->bus)
    {
      remove_watch (self, &self->away_watch);
      remove_watch (self, &self->xa_watch);
      remove_watch (self, &self->active_watch);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->name_watch, g_bus_unwatch_name);
  if (self->signal_id)
    g_dbus_connection_signal_unsubscribe (self->bus, self->signal_id);
  self->signal_id = 0;
  g_clear_object (&self->cancellable);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (flint_idle_monitor_parent_class)->dispose (object);
}

static void
flint_idle_monitor_class_init (FlintIdleMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = flint_idle_monitor_get_property;
  object_class->set_property = flint_idle_monitor_set_property;
  object_class->dispose = flint_idle_monitor_dispose;

  properties[PROP_AWAY_MINUTES] = g_param_spec_uint (
    "away-minutes", NULL, NULL, 0, 24 * 60, 0,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_XA_MINUTES] = g_param_spec_uint (
    "xa-minutes", NULL, NULL, 0, 24 * 60, 0,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, FLINT_IDLE_ACTIVE, FLINT_IDLE_EXTENDED_AWAY,
                      FLINT_IDLE_ACTIVE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AVAILABLE] = g_param_spec_boolean (
    "available", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_idle_monitor_init (FlintIdleMonitor *self)
{
  self->cancellable = g_cancellable_new ();
}

FlintIdleMonitor *
flint_idle_monitor_new (GDBusConnection *bus)
{
  FlintIdleMonitor *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (bus), NULL);
  self = g_object_new (FLINT_TYPE_IDLE_MONITOR, NULL);
  self->bus = g_object_ref (bus);
  self->signal_id = g_dbus_connection_signal_subscribe (
    bus, IDLE_NAME, IDLE_IFACE, "WatchFired", IDLE_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
    on_watch_fired, self, NULL);
  self->name_watch =
    g_bus_watch_name_on_connection (bus, IDLE_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    on_name_appeared, on_name_vanished, self, NULL);
  return self;
}

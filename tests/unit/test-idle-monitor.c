/* FlintIdleMonitor against a stand-in org.gnome.Mutter.IdleMonitor on a
 * private bus (GTestDBus): the watches it asks for, the states the fired
 * watches lead to, re-arming on new settings and the monitor leaving. */
#include "config.h"

#include <gio/gio.h>

#include "flint-idle-monitor.h"

static const char introspection[] =
  "<node><interface name='org.gnome.Mutter.IdleMonitor'>"
  "<method name='AddIdleWatch'><arg type='t' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='AddUserActiveWatch'><arg type='u' direction='out'/></method>"
  "<method name='RemoveWatch'><arg type='u' direction='in'/></method>"
  "<signal name='WatchFired'><arg type='u'/></signal>"
  "</interface></node>";

typedef struct
{
  GDBusConnection *bus;
  GHashTable *watches; /* id -> interval ms (0: user-active watch) */
  guint next_id;
  guint owner_id;
  guint object_id;
} Fake;

static void
fake_call (GDBusConnection *connection,
           const char *sender,
           const char *path,
           const char *iface,
           const char *method,
           GVariant *params,
           GDBusMethodInvocation *invocation,
           gpointer user_data)
{
  Fake *fake = user_data;

  if (g_str_equal (method, "AddIdleWatch") || g_str_equal (method, "AddUserActiveWatch"))
    {
      guint64 interval = 0;
      guint id = fake->next_id++;

      if (g_str_equal (method, "AddIdleWatch"))
        g_variant_get (params, "(t)", &interval);
      g_hash_table_insert (fake->watches, GUINT_TO_POINTER (id),
                           g_memdup2 (&interval, sizeof interval));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", id));
    }
  else
    {
      guint id;

      g_variant_get (params, "(u)", &id);
      g_hash_table_remove (fake->watches, GUINT_TO_POINTER (id));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static const GDBusInterfaceVTable vtable = { fake_call, NULL, NULL };

/* The watch with this interval (0: the user-active one), or 0. */
static guint
find_watch (Fake *fake, guint64 interval)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, fake->watches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(guint64 *) value == interval)
      return GPOINTER_TO_UINT (key);
  return 0;
}

static void
fire (Fake *fake, guint id)
{
  guint64 *interval = g_hash_table_lookup (fake->watches, GUINT_TO_POINTER (id));

  g_assert_cmpuint (id, !=, 0);
  /* As Mutter: a user-active watch fires once and is gone. */
  if (interval && *interval == 0)
    g_hash_table_remove (fake->watches, GUINT_TO_POINTER (id));
  g_dbus_connection_emit_signal (fake->bus, NULL, "/org/gnome/Mutter/IdleMonitor/Core",
                                 "org.gnome.Mutter.IdleMonitor", "WatchFired",
                                 g_variant_new ("(u)", id), NULL);
}

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until cond (checked after each iteration) or 5 s. */
#define SPIN_UNTIL(cond)                                                                 \
  G_STMT_START                                                                           \
  {                                                                                      \
    gboolean expired_ = FALSE;                                                           \
    guint timer_ = g_timeout_add (5000, timed_out, &expired_);                           \
    while (!(cond) && !expired_)                                                         \
      g_main_context_iteration (NULL, TRUE);                                             \
    if (!expired_)                                                                       \
      g_source_remove (timer_);                                                          \
    g_assert_true (cond);                                                                \
  }                                                                                      \
  G_STMT_END

static void
fake_start (Fake *fake, GDBusConnection *bus)
{
  g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (introspection, NULL);

  fake->bus = bus;
  fake->watches = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  fake->next_id = 1;
  fake->object_id =
    g_dbus_connection_register_object (bus, "/org/gnome/Mutter/IdleMonitor/Core",
                                       node->interfaces[0], &vtable, fake, NULL, NULL);
  fake->owner_id =
    g_bus_own_name_on_connection (bus, "org.gnome.Mutter.IdleMonitor",
                                  G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
}

static void
fake_stop (Fake *fake)
{
  g_clear_handle_id (&fake->owner_id, g_bus_unown_name);
  if (fake->object_id)
    g_dbus_connection_unregister_object (fake->bus, fake->object_id);
  fake->object_id = 0;
  g_clear_pointer (&fake->watches, g_hash_table_unref);
}

static void
test_away_then_xa_then_back (void)
{
  g_autoptr (GTestDBus) dbus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GDBusConnection) service = NULL;
  g_autoptr (FlintIdleMonitor) idle = NULL;
  Fake fake = { 0 };

  g_test_dbus_up (dbus);
  bus = g_dbus_connection_new_for_address_sync (
    g_test_dbus_get_bus_address (dbus),
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
      G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, NULL);
  service = g_dbus_connection_new_for_address_sync (
    g_test_dbus_get_bus_address (dbus),
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
      G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, NULL);
  g_assert_nonnull (bus);

  /* Without the service: active, unavailable, nothing asked. */
  idle = flint_idle_monitor_new (bus);
  flint_idle_monitor_set_away_minutes (idle, 5);
  flint_idle_monitor_set_xa_minutes (idle, 30);
  g_assert_cmpint (flint_idle_monitor_get_state (idle), ==, FLINT_IDLE_ACTIVE);

  fake_start (&fake, service);
  SPIN_UNTIL (flint_idle_monitor_get_available (idle) && find_watch (&fake, 5 * 60000) &&
              find_watch (&fake, 30 * 60000));
  g_assert_cmpuint (g_hash_table_size (fake.watches), ==, 2);

  fire (&fake, find_watch (&fake, 5 * 60000));
  SPIN_UNTIL (flint_idle_monitor_get_state (idle) == FLINT_IDLE_AWAY);
  /* It then waits for the user to come back. */
  SPIN_UNTIL (g_hash_table_size (fake.watches) == 3);
  fire (&fake, find_watch (&fake, 30 * 60000));
  SPIN_UNTIL (flint_idle_monitor_get_state (idle) == FLINT_IDLE_EXTENDED_AWAY);
  fire (&fake, find_watch (&fake, 0));
  SPIN_UNTIL (flint_idle_monitor_get_state (idle) == FLINT_IDLE_ACTIVE);

  /* New minutes: the old watches go, new ones come. */
  flint_idle_monitor_set_away_minutes (idle, 2);
  SPIN_UNTIL (find_watch (&fake, 2 * 60000) && !find_watch (&fake, 5 * 60000));
  /* Off: no watches at all. */
  flint_idle_monitor_set_away_minutes (idle, 0);
  flint_idle_monitor_set_xa_minutes (idle, 0);
  SPIN_UNTIL (g_hash_table_size (fake.watches) == 0);

  /* Away, then the monitor leaves the bus: back to active. */
  flint_idle_monitor_set_away_minutes (idle, 1);
  SPIN_UNTIL (find_watch (&fake, 60000));
  fire (&fake, find_watch (&fake, 60000));
  SPIN_UNTIL (flint_idle_monitor_get_state (idle) == FLINT_IDLE_AWAY);
  fake_stop (&fake);
  SPIN_UNTIL (!flint_idle_monitor_get_available (idle));
  g_assert_cmpint (flint_idle_monitor_get_state (idle), ==, FLINT_IDLE_ACTIVE);

  g_clear_object (&idle);
  g_dbus_connection_close_sync (bus, NULL, NULL);
  g_dbus_connection_close_sync (service, NULL, NULL);
  g_test_dbus_down (dbus);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/idle-monitor/away-xa-back", test_away_then_xa_then_back);
  return g_test_run ();
}

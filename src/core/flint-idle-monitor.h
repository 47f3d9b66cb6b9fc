#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  FLINT_IDLE_ACTIVE,
  FLINT_IDLE_AWAY,
  FLINT_IDLE_EXTENDED_AWAY,
} FlintIdleState;

#define FLINT_TYPE_IDLE_MONITOR (flint_idle_monitor_get_type ())
G_DECLARE_FINAL_TYPE (FlintIdleMonitor, flint_idle_monitor, FLINT, IDLE_MONITOR, GObject)

/* How long the user has left the keyboard and mouse alone, from the
 * desktop's idle monitor (org.gnome.Mutter.IdleMonitor on the session bus):
 * watches that the compositor fires, no polling. Without that service the
 * state stays FLINT_IDLE_ACTIVE.
 *
 * Properties: "away-minutes" and "xa-minutes" (0: never), "state" (a
 * FlintIdleState, notified when it changes), "available" (the service is
 * on the bus). */
FlintIdleMonitor *flint_idle_monitor_new (GDBusConnection *bus);

FlintIdleState flint_idle_monitor_get_state (FlintIdleMonitor *self);
gboolean flint_idle_monitor_get_available (FlintIdleMonitor *self);
void flint_idle_monitor_set_away_minutes (FlintIdleMonitor *self, guint minutes);
void flint_idle_monitor_set_xa_minutes (FlintIdleMonitor *self, guint minutes);

G_END_DECLS

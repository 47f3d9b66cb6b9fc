#include "config.h"

#define G_LOG_DOMAIN "flint-preferences"

#include <glib/gi18n.h>

#include "flint-preferences-window.h"

struct _FlintPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;
  GArray *retention_days; /* int per row of retention_model */

  AdwComboRow *retention_row;
  GtkStringList *retention_model;
};

G_DEFINE_FINAL_TYPE (FlintPreferencesWindow,
                     flint_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

/* The choices offered; 0 keeps messages forever. */
static const int retention_choices[] = { 0, 365, 180, 90, 30, 7 };

static char *
describe_days (int days)
{
  switch (days)
    {
      case 0:
        return g_strdup (_ ("Forever"));
      case 365:
        return g_strdup (_ ("One Year"));
      case 180:
        return g_strdup (_ ("Six Months"));
      case 90:
        return g_strdup (_ ("Three Months"));
      case 30:
        return g_strdup (_ ("One Month"));
      case 7:
        return g_strdup (_ ("One Week"));
      default:
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d Day", "%d Days", days),
                                days);
    }
}

static void
add_choice (FlintPreferencesWindow *self, int days)
{
  g_autofree char *label = describe_days (days);

  gtk_string_list_append (self->retention_model, label);
  g_array_append_val (self->retention_days, days);
}

static void
on_retention_selected (FlintPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->retention_row);

  if (selected < self->retention_days->len &&
      g_settings_get_int (self->settings, "history-retention-days") !=
        g_array_index (self->retention_days, int, selected))
    g_settings_set_int (self->settings, "history-retention-days",
                        g_array_index (self->retention_days, int, selected));
}

static void
show_retention (FlintPreferencesWindow *self)
{
  int days = g_settings_get_int (self->settings, "history-retention-days");
  guint i;

  for (i = 0; i < self->retention_days->len; i++)
    if (g_array_index (self->retention_days, int, i) == days)
      break;
  /* A value set elsewhere (gsettings) is shown as it is. */
  if (i == self->retention_days->len)
    add_choice (self, days);
  adw_combo_row_set_selected (self->retention_row, i);
}

static void
flint_preferences_window_dispose (GObject *object)
{
  FlintPreferencesWindow *self = FLINT_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (flint_preferences_window_parent_class)->dispose (object);
}

static void
flint_preferences_window_finalize (GObject *object)
{
  FlintPreferencesWindow *self = FLINT_PREFERENCES_WINDOW (object);

  g_array_unref (self->retention_days);
  G_OBJECT_CLASS (flint_preferences_window_parent_class)->finalize (object);
}

static void
flint_preferences_window_class_init (FlintPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_preferences_window_dispose;
  object_class->finalize = flint_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/im/flint/Flint/flint-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintPreferencesWindow,
                                        retention_row);
  gtk_widget_class_bind_template_child (widget_class, FlintPreferencesWindow,
                                        retention_model);
}

static void
flint_preferences_window_init (FlintPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->retention_days = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < G_N_ELEMENTS (retention_choices); i++)
    add_choice (self, retention_choices[i]);
  show_retention (self);
  g_signal_connect_swapped (self->retention_row, "notify::selected",
                            G_CALLBACK (on_retention_selected), self);
}

FlintPreferencesWindow *
flint_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (FLINT_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}

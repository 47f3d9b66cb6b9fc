#include "config.h"

#include <glib/gi18n.h>

#include "flint-widget.h"

void
flint_widget_dispose_template (GtkWidget *widget, GType widget_type)
{
  GtkWidget *child;

  gtk_widget_dispose_template (widget, widget_type);
  while ((child = gtk_widget_get_first_child (widget)) != NULL)
    gtk_widget_unparent (child);
}

/* GNOME's clock preference, read once; NULL without GNOME's schemas. */
static GSettings *
desktop_interface (void)
{
  static GSettings *settings;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr (GSettingsSchema) schema =
        source
          ? g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE)
          : NULL;

      /* Kept for the life of the process, and follows changes. */
      if (schema && g_settings_schema_has_key (schema, "clock-format"))
        settings = g_settings_new_full (schema, NULL, NULL);
      g_once_init_leave (&once, 1);
    }
  return settings;
}

char *
flint_format_clock (GDateTime *local)
{
  GSettings *settings = desktop_interface ();
  g_autofree char *clock =
    settings ? g_settings_get_string (settings, "clock-format") : NULL;

  if (g_strcmp0 (clock, "12h") == 0)
    /* TRANSLATORS: a time of day on a 12-hour clock (strftime) */
    return g_date_time_format (local, _ ("%-l:%M %p"));
  /* TRANSLATORS: a time of day on a 24-hour clock (strftime) */
  return g_date_time_format (local, _ ("%H:%M"));
}

void
flint_widget_update_tooltip (GtkWidget *widget, const char *text)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

static gboolean
on_lazy_query_tooltip (
  GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  const char *text = g_object_get_data (G_OBJECT (widget), "flint-tooltip");

  if (text == NULL || *text == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

void
flint_widget_set_lazy_tooltip (GtkWidget *widget, const char *text)
{
  if (!g_object_get_data (G_OBJECT (widget), "flint-tooltip-lazy"))
    {
      g_object_set_data (G_OBJECT (widget), "flint-tooltip-lazy", GINT_TO_POINTER (1));
      gtk_widget_set_has_tooltip (widget, TRUE);
      g_signal_connect (widget, "query-tooltip", G_CALLBACK (on_lazy_query_tooltip),
                        NULL);
    }
  g_object_set_data_full (G_OBJECT (widget), "flint-tooltip", g_strdup (text), g_free);
}

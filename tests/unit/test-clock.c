/* flint_format_clock follows GNOME's clock-format setting (memory backend). */
#include "config.h"

#include <gio/gio.h>

#include "flint-widget.h"

static void
test_clock_format (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema =
    g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  g_autoptr (GSettings) settings = NULL;
  g_autoptr (GDateTime) time = g_date_time_new_local (2026, 11, 25, 15, 4, 0);
  g_autofree char *h24 = NULL;
  g_autofree char *h12 = NULL;

  if (schema == NULL || !g_settings_schema_has_key (schema, "clock-format"))
    {
      g_test_skip ("GNOME's desktop schemas are not installed");
      return;
    }
  settings = g_settings_new ("org.gnome.desktop.interface");
  g_settings_set_string (settings, "clock-format", "24h");
  h24 = flint_format_clock (time);
  g_assert_cmpstr (h24, ==, "15:04");
  g_settings_set_string (settings, "clock-format", "12h");
  h12 = flint_format_clock (time);
  g_assert_cmpstr (h12, ==, "3:04 PM");
}

int
main (int argc, char **argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clock/format", test_clock_format);
  return g_test_run ();
}

#include "config.h"

#include "flint-json.h"

/* JSON strings are UTF-8: escape only quotes, backslashes and control
 * characters (g_strescape would turn non-ASCII into octal, not JSON). */
void
flint_json_append_string (GString *out, const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value ? value : ""; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

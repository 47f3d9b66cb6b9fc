#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "flint-application.h"

/* A development build runs straight from the build tree: point GSettings and
 * gettext at the build directory when this binary lives there. */
static gboolean
running_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *root = g_canonicalize_filename (FLINT_BUILD_ROOT, NULL);

  return exe && g_str_has_prefix (exe, root) && exe[strlen (root)] == '/';
}

int
main (int argc, char **argv)
{
  g_autoptr (FlintApplication) app = NULL;
  const char *localedir = LOCALEDIR;

  if (running_uninstalled ())
    {
      g_autofree char *schemas = g_build_filename (FLINT_BUILD_ROOT, "data", NULL);

      if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
        g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
      localedir = FLINT_BUILD_ROOT "/po";
    }

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = flint_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}

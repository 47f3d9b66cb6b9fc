/* For benchmarks that need a window: without a display, run this program
 * again under xvfb-run (no compositor, 1280x800x24). */
#pragma once

#include <glib.h>
#include <unistd.h>

/* Returns only when there is a display; @what names the benchmark in the
 * line printed when it cannot run at all. */
static inline void
bench_ensure_display (const char *argv0, const char *what)
{
  const char *xvfb[] = { "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", argv0, NULL };

  if (g_getenv ("DISPLAY") || g_getenv ("WAYLAND_DISPLAY"))
    return;
  if (g_getenv ("FLINT_BENCH_REEXEC"))
    g_error ("no display, even under xvfb-run");
  g_setenv ("FLINT_BENCH_REEXEC", "1", TRUE);
  execvp ("xvfb-run", (char **) xvfb);
  g_print ("- %s: not run (no $DISPLAY and no xvfb-run)\n", what);
  exit (0);
}

/* What one frame of a window costs to paint when nothing but a label
 * changes, with libadwaita's own style and with Flint's style.css on top
 * (which draws the frame of a window without a compositor as a border and
 * an outline instead of three inset shadows). Default renderer: GL, which
 * under Xvfb is llvmpipe. Without $DISPLAY it runs itself again under
 * xvfb-run (no compositor there, so windows get the solid-csd frame).
 * Prints Markdown list items. */
#include <adwaita.h>
#include <stdlib.h>

#include "bench-display.h"

#define WARMUP 10
#define FRAMES 60

typedef struct
{
  GtkWidget *label;
  gint64 painting_since;
  guint frames;
  double total_ms, max_ms;
  GMainLoop *loop;
} Run;

static void
on_before_paint (GdkFrameClock *clock, Run *run)
{
  run->painting_since = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock, Run *run)
{
  double ms = (g_get_monotonic_time () - run->painting_since) / 1000.0;

  if (run->frames++ >= WARMUP)
    {
      run->total_ms += ms;
      run->max_ms = MAX (run->max_ms, ms);
    }
  if (run->frames == WARMUP + FRAMES)
    g_main_loop_quit (run->loop);
}

static gboolean
tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  Run *run = user_data;
  char text[32];

  g_snprintf (text, sizeof text, "frame %u", run->frames);
  gtk_label_set_text (GTK_LABEL (run->label), text);
  return G_SOURCE_CONTINUE;
}

static void
measure (const char *what)
{
  Run run = { 0 };
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GdkFrameClock *clock;

  run.loop = g_main_loop_new (NULL, FALSE);
  run.label = gtk_label_new ("");
  gtk_widget_set_vexpand (run.label, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), run.label);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 980, 680);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_realize (window);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &run);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_after_paint), &run);
  gtk_widget_add_tick_callback (window, tick, &run, NULL);
  g_main_loop_run (run.loop);
  g_print ("- one frame of a 980x680 window, %s: %.1f ms on average, %.1f ms at most "
           "(%d frames; window %s)\n",
           what, run.total_ms / FRAMES, run.max_ms, FRAMES,
           gtk_widget_has_css_class (window, "solid-csd") ? "without a compositor"
                                                          : "composited");
  gtk_window_destroy (GTK_WINDOW (window));
  g_main_loop_unref (run.loop);
}

int
main (int argc, char **argv)
{
  g_autoptr (GtkCssProvider) provider = NULL;

  bench_ensure_display (argv[0], "frame");
  g_setenv ("NO_AT_BRIDGE", "1", FALSE);
  adw_init ();
  measure ("libadwaita's style");
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/im/flint/Flint/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  measure ("with Flint's style.css");
  return 0;
}

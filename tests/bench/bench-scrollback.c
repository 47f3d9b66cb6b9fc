/* Scrollback in the real conversation view (issue 4.1): a FlintChatPage
 * (the widget of a tab: GtkListView over a FlintConversation, the real
 * message rows) in a window under X, on a store with one 100,000-message
 * conversation among others.
 *
 * - Opening the conversation and showing its last page: from creating the
 *   model to the first frame painted with its rows. Budget < 50 ms.
 * - Scrolling back through 20,000 messages page by page, as the user does
 *   at the top of the list: RSS afterwards less than 50 MB above RSS with
 *   the last page shown. The model is a bounded window, so memory stays
 *   flat however far back one goes.
 *
 * Without $DISPLAY it runs itself again under xvfb-run. Prints Markdown
 * list items; exits 1 if a budget is missed. */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-display.h"

#include <sys/resource.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "flint-chat-page.h"
#include "flint-conversation.h"
#include "flint-history.h"

#define ACCOUNT "me@example.com"
#define PEER "anna@example.com"
#define N_PEER 100000
#define N_OTHERS 20000
/* FLINT_BENCH_SCROLL=n for a shorter run while working on it. */
#define SCROLL_BACK                                                                      \
  ((guint) (g_getenv ("FLINT_BENCH_SCROLL") ? atoi (g_getenv ("FLINT_BENCH_SCROLL"))     \
                                            : 20000))

static gboolean missed_budget;

static void
report (const char *what, double value, const char *unit, double budget)
{
  gboolean ok = budget <= 0 || value < budget;

  if (budget > 0)
    g_print ("- %s: %.1f %s (budget < %.0f %s: %s)\n", what, value, unit, budget, unit,
             ok ? "ok" : "MISSED");
  else
    g_print ("- %s: %.1f %s\n", what, value, unit);
  if (!ok)
    missed_budget = TRUE;
}

static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      !(line = strstr (status, "VmRSS:")))
    return -1;
  return g_ascii_strtod (line + strlen ("VmRSS:"), NULL) / 1024.0;
}

/* CPU seconds of this process: the machine is shared, wall time is not
 * ours alone. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* Bodies of varied length, some long enough to wrap. */
static char *
make_body (GRand *rand, guint serial)
{
  static const char *const words[] = { "meeting", "lunch",  "report",  "café",
                                       "deploy",  "review", "numbers", "tomorrow",
                                       "please",  "thanks", "budget",  "draft" };
  GString *body = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 2, g_rand_int_range (rand, 0, 10) ? 14 : 60);

  g_string_append_printf (body, "m%06u", serial);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (body, " %s", words[g_rand_int_range (rand, 0, 12)]);
  return g_string_free (body, FALSE);
}

static void
fill (FlintHistory *history, GRand *rand)
{
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GError) error = NULL;
  guint peer = 0, others = 0;
  gint64 time = 1600000000LL * G_USEC_PER_SEC;

  while (peer < N_PEER || others < N_OTHERS)
    {
      FlintMessageRecord *r = flint_message_record_new ();
      gboolean ours =
        others >= N_OTHERS || (peer < N_PEER && g_rand_int_range (rand, 0, 6));

      r->account = g_strdup (ACCOUNT);
      r->conversation =
        ours ? g_strdup (PEER) : g_strdup_printf ("user%02d@example.com", others % 50);
      r->direction =
        g_rand_boolean (rand) ? FLINT_DIRECTION_INCOMING : FLINT_DIRECTION_OUTGOING;
      r->sender =
        g_strdup (r->direction == FLINT_DIRECTION_INCOMING ? r->conversation : ACCOUNT);
      r->body = make_body (rand, ours ? peer : others);
      r->state = r->direction == FLINT_DIRECTION_INCOMING ? FLINT_DELIVERY_RECEIVED
                                                          : FLINT_DELIVERY_ACKED;
      /* Bursts at equal times, minutes apart otherwise. */
      time += g_rand_int_range (rand, 0, 4)
                ? 0
                : g_rand_int_range (rand, 1, 600) * (gint64) G_USEC_PER_SEC;
      r->time = r->local_time = time;
      g_ptr_array_add (batch, r);
      if (ours)
        peer++;
      else
        others++;
      if (batch->len == 5000)
        {
          if (!flint_history_insert_batch (history, batch, NULL, &error))
            g_error ("insert: %s", error->message);
          g_ptr_array_set_size (batch, 0);
        }
    }
  if (batch->len && !flint_history_insert_batch (history, batch, NULL, &error))
    g_error ("insert: %s", error->message);
}

static gboolean painted;

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
  painted = TRUE;
}

/* Runs the loop until the next frame has been painted. */
static void
wait_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gulong handler =
    g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);

  painted = FALSE;
  gtk_widget_queue_draw (widget);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

static GtkScrolledWindow *
find_scroller (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found;

      if (GTK_IS_SCROLLED_WINDOW (child))
        return GTK_SCROLLED_WINDOW (child);
      if ((found = find_scroller (child)))
        return found;
    }
  return NULL;
}

/* The serial of the oldest message in the model (bodies start m%06u). */
static guint
first_serial (FlintConversation *conversation)
{
  g_autoptr (FlintMessage) first = g_list_model_get_item (G_LIST_MODEL (conversation), 0);

  return first ? (guint) atoi (flint_message_get_body (first) + 1) : 0;
}

typedef struct
{
  double model_ms, created_ms, painted_ms, cpu_ms;
} OpenTimes;

/* Opens the conversation in a new page shown in the window: model, page,
 * first frame painted with its rows. */
static FlintChatPage *
open_page (GtkWidget *window,
           FlintHistory *history,
           FlintChat *chat,
           const char *jid,
           FlintConversation **out_conversation,
           OpenTimes *times)
{
  gint64 t0 = g_get_monotonic_time ();
  double cpu0 = cpu_seconds ();
  FlintChatPage *page;

  *out_conversation = flint_conversation_new (history, chat, ACCOUNT, jid);
  times->model_ms = (g_get_monotonic_time () - t0) / 1000.0;
  page = flint_chat_page_new (chat, *out_conversation);
  times->created_ms = (g_get_monotonic_time () - t0) / 1000.0;
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  wait_frame (window);
  times->painted_ms = (g_get_monotonic_time () - t0) / 1000.0;
  times->cpu_ms = (cpu_seconds () - cpu0) * 1000.0;
  return page;
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
settle (GtkWidget *widget, guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      wait_frame (widget);
      drain ();
    }
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = NULL;
  g_autoptr (FlintAccount) account = NULL;
  g_autoptr (FlintSession) session = NULL;
  g_autoptr (FlintChat) chat = NULL;
  g_autoptr (FlintConversation) conversation = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);
  GtkWidget *window, *placeholder;
  FlintChatPage *page;
  GtkScrolledWindow *scroller;
  GtkAdjustment *adj;
  gint64 t_scroll;
  double cpu_scroll;
  OpenTimes cold, warm, empty;
  double rss_before, rss_after, rss_peak = 0;
  guint n_max = 0, scrolled = 0, start_serial, pages = 0;
  gint64 t_load = 0, t_page;

  bench_ensure_display (argv[0], "scrollback");

  dir = g_dir_make_tmp ("flint-bench-scrollback-XXXXXX", NULL);
  path = g_build_filename (dir, "history.db", NULL);
  history = flint_history_open (path, &error);
  g_assert_no_error (error);
  fill (history, rand);

  gtk_init ();
  adw_init ();
  /* The cursor's blink fade redraws every frame on llvmpipe. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  account = flint_account_new (ACCOUNT, NULL);
  session = flint_session_new (account);
  chat = flint_chat_new (session, history);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  placeholder = g_object_ref_sink (gtk_label_new (""));
  gtk_window_set_child (GTK_WINDOW (window), placeholder);
  gtk_window_present (GTK_WINDOW (window));
  settle (window, 500);

  g_print ("- Conversation of %u messages (store of %u), %s renderer\n", N_PEER,
           N_PEER + N_OTHERS,
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");
  /* The first page of the process also pays for loading fonts and styling
   * the composer and row widgets for the first time. */
  page = open_page (window, history, chat, PEER, &conversation, &cold);
  report ("first conversation opened in the process: model with the last page",
          cold.model_ms, "ms", 0);
  report ("first conversation opened: page widget created (with its composer)",
          cold.created_ms, "ms", 0);
  report ("first conversation opened: last page painted", cold.painted_ms, "ms", 0);
  report ("first conversation opened: CPU time", cold.cpu_ms, "ms", 0);

  settle (window, 1000);
  rss_before = rss_mb ();
  scroller = find_scroller (GTK_WIDGET (page));
  g_assert_nonnull (scroller);
  adj = gtk_scrolled_window_get_vadjustment (scroller);
  start_serial = first_serial (conversation);

  /* Scroll to the top, let the page load the older page and lay it out,
   * again, until 20,000 messages have gone by. */
  t_scroll = g_get_monotonic_time ();
  cpu_scroll = cpu_seconds ();
  while (scrolled < SCROLL_BACK)
    {
      t_page = g_get_monotonic_time ();
      gtk_adjustment_set_value (adj, 0);
      drain ();
      t_load += g_get_monotonic_time () - t_page;
      wait_frame (window);
      drain ();
      scrolled = start_serial - first_serial (conversation);
      n_max = MAX (n_max, g_list_model_get_n_items (G_LIST_MODEL (conversation)));
      if (++pages % 50 == 0)
        rss_peak = MAX (rss_peak, rss_mb ());
      if (pages > 10 * SCROLL_BACK / 50)
        g_error ("scrolling does not load older messages (%u scrolled)", scrolled);
    }
  t_scroll = g_get_monotonic_time () - t_scroll;
  cpu_scroll = cpu_seconds () - cpu_scroll;
  settle (window, 1000);
  rss_after = rss_mb ();
  rss_peak = MAX (rss_peak, rss_after);

  report ("scroll back: messages scrolled through", scrolled, "messages", 0);
  report ("scroll back: time for all of them", t_scroll / 1e6, "s", 0);
  report ("scroll back: of that, loading, laying out and painting pages", t_load / 1e6,
          "s", 0);
  report ("scroll back: CPU time", cpu_scroll, "s", 0);
  report ("scroll back: CPU time per page of 50", cpu_scroll * 1000 / pages, "ms", 0);
  report ("scroll back: most rows in the model at once", n_max, "rows", 0);
  report ("RSS with the last page shown", rss_before, "MB", 0);
  report ("RSS after scrolling back 20,000 messages, above the RSS before",
          rss_after - rss_before, "MB", 50);
  report ("peak RSS while scrolling, above the RSS before", rss_peak - rss_before, "MB",
          0);

  /* Opening it again, as any later tab opens. */
  gtk_window_set_child (GTK_WINDOW (window), placeholder);
  g_clear_object (&conversation);
  settle (window, 500);
  page = open_page (window, history, chat, PEER, &conversation, &warm);
  report ("open the conversation again: model with the last page", warm.model_ms, "ms",
          0);
  report ("open the conversation again: page widget created (with its composer)",
          warm.created_ms, "ms", 0);
  report ("open the conversation again: last page painted (model, widgets, frame)",
          warm.painted_ms, "ms", 50);
  report ("open the conversation again: CPU time", warm.cpu_ms, "ms", 0);

  /* The same page with no rows: what the rows themselves cost. */
  gtk_window_set_child (GTK_WINDOW (window), placeholder);
  g_clear_object (&conversation);
  settle (window, 500);
  page = open_page (window, history, chat, "nobody@example.com", &conversation, &empty);
  report ("open an empty conversation (the page without rows): painted", empty.painted_ms,
          "ms", 0);
  report ("open an empty conversation: CPU time", empty.cpu_ms, "ms", 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (placeholder);
  g_clear_object (&conversation);
  g_clear_object (&history);
  {
    static const char *const suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
        g_remove (file);
      }
    g_rmdir (dir);
  }
  return missed_budget ? 1 : 0;
}

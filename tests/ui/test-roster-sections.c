/* The roster pane with several accounts (issue 8, item 7): one account
 * looks as always (no section rows); two or more get a section row each,
 * in account order, saying the connection state, with a per-account
 * "Connect Again" while offline; going back to one drops the sections.
 * Sessions here never connect. Runs under Xvfb. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "flint-roster-view.h"

static void
spin (void)
{
  for (int i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static FlintRoster *
make_roster (const char *jid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintAccount) account = flint_account_new (jid, &error);
  g_autoptr (FlintSession) session = NULL;

  g_assert_no_error (error);
  session = flint_session_new (account);
  return flint_roster_new (session);
}

/* Visible buttons whose tooltip (given when asked) is @text. */
static guint
count_buttons (GtkWidget *widget, const char *text)
{
  guint n = GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
            g_strcmp0 (g_object_get_data (G_OBJECT (widget), "flint-tooltip"), text) == 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c;
       c = gtk_widget_get_next_sibling (c))
    n += count_buttons (c, text);
  return n;
}

static void
test_sections (void)
{
  g_autoptr (FlintRoster) alice = make_roster ("alice@example.com");
  g_autoptr (FlintRoster) ops = make_roster ("ops@example.com");
  FlintRoster *both[] = { alice, ops };
  GtkWidget *window = gtk_window_new ();
  FlintRosterView *view = flint_roster_view_new ();
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *again = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 320, 500);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));

  flint_roster_view_set_roster (view, alice);
  spin ();
  one = flint_roster_view_describe (view);
  g_assert_cmpstr (one, ==, "[]");
  g_assert_cmpuint (count_buttons (window, "Connect Again"), ==, 0);

  flint_roster_view_set_rosters (view, both, 2);
  spin ();
  two = flint_roster_view_describe (view);
  g_assert_cmpstr (
    two, ==, "[\"A:alice@example.com|Offline|0\", \"A:ops@example.com|Offline|0\"]");
  g_assert_true (flint_roster_view_get_roster (view) == alice);
  /* Each offline account has its own way back. */
  g_assert_cmpuint (count_buttons (window, "Connect Again"), ==, 2);

  flint_roster_view_set_roster (view, ops);
  spin ();
  again = flint_roster_view_describe (view);
  g_assert_cmpstr (again, ==, "[]");
  g_assert_true (flint_roster_view_get_roster (view) == ops);

  gtk_window_destroy (GTK_WINDOW (window));
  spin ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/roster-view/sections", test_sections);
  return g_test_run ();
}

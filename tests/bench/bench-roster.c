/* Times the roster model the way a login meets it: a 2,000-contact roster
 * in 20 groups arrives in one result, then every contact's presence comes
 * in (the presence flood), then everyone changes show once more (moves
 * inside the sorted groups), then the connection drops (all offline).
 *
 * The budget context: the whole roster with presence must be online and
 * rendered within 1 s, so the model may take a small part of that.
 * Prints Markdown list items with the budget each one has to meet; exits 1
 * if a budget is missed. */

#include "config.h"

#include <sys/resource.h>

#include "flint-roster-private.h"
#include "flint-roster.h"

#define N_CONTACTS 2000
#define N_GROUPS 20

static gboolean missed_budget;
static guint n_signals;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static void
report (const char *what, double seconds, double budget, const char *unit, double scale)
{
  gboolean ok = seconds <= budget;

  if (!ok)
    missed_budget = TRUE;
  g_print ("- %s: %.1f %s (budget %.0f %s)%s\n", what, seconds * scale, unit,
           budget * scale, unit, ok ? "" : " **MISSED**");
}

/* What a list view does on items-changed: look at the rows that changed. */
static void
on_items_changed (
  GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  n_signals++;
  for (guint i = 0; i < MIN (added, 3u); i++)
    g_object_unref (g_list_model_get_item (model, position + i));
}

static void
on_group_added (
  GListModel *groups, guint position, guint removed, guint added, gpointer data)
{
  for (guint i = 0; i < added; i++)
    {
      g_autoptr (GObject) group = g_list_model_get_item (groups, position + i);
      g_signal_connect (group, "items-changed", G_CALLBACK (on_items_changed), NULL);
    }
}

static xmpp_stanza_t **
presences (xmpp_ctx_t *ctx, GRand *rand, gboolean with_status)
{
  static const char *const shows[] = { "", "<show>away</show>", "<show>xa</show>",
                                       "<show>dnd</show>", "<show>chat</show>" };
  xmpp_stanza_t **stanzas = g_new0 (xmpp_stanza_t *, N_CONTACTS);

  for (guint i = 0; i < N_CONTACTS; i++)
    {
      guint who = (guint) g_rand_int_range (rand, 0, N_CONTACTS);
      g_autofree char *xml = g_strdup_printf (
        "<presence from='user%04u@example.com/work'>%s<status>%s</status>"
        "<priority>%d</priority></presence>",
        with_status ? who : i, shows[g_rand_int_range (rand, 0, 5)],
        with_status ? "back in five" : "in the office", g_rand_int_range (rand, 0, 10));

      stanzas[i] = xmpp_stanza_new_from_string (ctx, xml);
    }
  return stanzas;
}

static double
apply (FlintRoster *roster, xmpp_stanza_t **stanzas)
{
  double start = cpu_seconds ();

  for (guint i = 0; i < N_CONTACTS; i++)
    flint_roster_handle_presence (roster, stanzas[i]);
  return cpu_seconds () - start;
}

int
main (int argc, char **argv)
{
  g_autoptr (FlintAccount) account = flint_account_new ("me@example.com", NULL);
  g_autoptr (FlintSession) session = flint_session_new (account);
  g_autoptr (FlintRoster) roster = flint_roster_new (session);
  g_autoptr (GString) xml = g_string_new ("<iq type='result' id='r'>"
                                          "<query xmlns='jabber:iq:roster'>");
  GRand *rand = g_rand_new_with_seed (7);
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *result, **flood, **changes;
  double start, parse, load, t_flood, t_changes, t_offline, t_show;
  guint signals_flood, signals_changes, signals_offline;

  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);

  for (guint i = 0; i < N_CONTACTS; i++)
    {
      g_string_append_printf (xml,
                              "<item jid='user%04u@example.com' name='Person %u %c'"
                              " subscription='both'><group>Department %02u</group>",
                              i, g_rand_int_range (rand, 0, 100000), 'A' + i % 26,
                              i % N_GROUPS);
      /* Some people are in a second group too. */
      if (i % 10 == 0)
        g_string_append_printf (
          xml, "<group>Department %02u</group>",
          (i / 10) % N_GROUPS == i % N_GROUPS ? (i + 1) % N_GROUPS : (i / 10) % N_GROUPS);
      g_string_append (xml, "</item>");
    }
  g_string_append (xml, "</query></iq>");

  g_signal_connect (flint_roster_get_groups (roster), "items-changed",
                    G_CALLBACK (on_group_added), NULL);

  start = cpu_seconds ();
  result = xmpp_stanza_new_from_string (ctx, xml->str);
  parse = cpu_seconds () - start;
  start = cpu_seconds ();
  flint_roster_handle_roster_result (roster, result);
  load = cpu_seconds () - start;
  g_assert_cmpuint (g_list_model_get_n_items (flint_roster_get_groups (roster)), ==,
                    N_GROUPS);

  flood = presences (ctx, rand, FALSE);
  changes = presences (ctx, rand, TRUE);

  n_signals = 0;
  t_flood = apply (roster, flood);
  signals_flood = n_signals;
  n_signals = 0;
  t_changes = apply (roster, changes);
  signals_changes = n_signals;

  start = cpu_seconds ();
  flint_roster_set_show_offline (roster, TRUE);
  flint_roster_set_show_offline (roster, FALSE);
  t_show = cpu_seconds () - start;

  n_signals = 0;
  start = cpu_seconds ();
  flint_roster_mark_all_offline (roster);
  t_offline = cpu_seconds () - start;
  signals_offline = n_signals;

  g_print ("### Roster model (%u contacts, %u groups, CPU time)\n\n", N_CONTACTS,
           N_GROUPS);
  report ("parse the roster result (libstrophe)", parse, 0.050, "ms", 1e3);
  report ("load the roster into the models", load, 0.100, "ms", 1e3);
  report ("presence flood, all 2,000 coming online", t_flood, 0.100, "ms", 1e3);
  report ("per presence update in the flood", t_flood / N_CONTACTS, 50e-6, "us", 1e6);
  report ("2,000 presence changes (moves in sorted groups)", t_changes, 0.100, "ms", 1e3);
  report ("per presence change", t_changes / N_CONTACTS, 50e-6, "us", 1e6);
  report ("roster result + flood, model total", load + t_flood, 0.200, "ms", 1e3);
  report ("show offline on, then off again", t_show, 0.050, "ms", 1e3);
  report ("connection lost: all offline", t_offline, 0.050, "ms", 1e3);
  g_print ("- items-changed signals: %u for the flood, %u for the changes, %u for all "
           "offline (one per group)\n",
           signals_flood, signals_changes, signals_offline);

  for (guint i = 0; i < N_CONTACTS; i++)
    {
      xmpp_stanza_release (flood[i]);
      xmpp_stanza_release (changes[i]);
    }
  g_free (flood);
  g_free (changes);
  xmpp_stanza_release (result);
  g_clear_object (&roster);
  xmpp_ctx_free (ctx);
  g_rand_free (rand);
  return missed_budget ? 1 : 0;
}

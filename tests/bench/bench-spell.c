/* Times the composer's spell checking the way it runs in the app: a
 * GtkTextBuffer with a FlintSpellAdapter, checking in idle slices driven by
 * the GLib main loop. No display needed (no view is attached: this measures
 * checking and tagging, not drawing).
 *
 * - a 10,000-word paste: total work until fully checked, and the longest
 *   single main-loop iteration;
 * - typing in a 2,000-word message: time from a keystroke to its word being
 *   checked again.
 *
 * Prints Markdown list items with the budget each one has to meet; exits 1
 * if a budget is missed. Needs the en_US Hunspell dictionary. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gtk/gtk.h>

#include "flint-spell-adapter.h"
#include "flint-spell-checker.h"

static gboolean missed_budget;

static void
report (const char *what, double value, const char *unit, double budget)
{
  if (budget > 0)
    {
      gboolean ok = value < budget;

      g_print ("- %s: %.3f %s (budget < %g %s: %s)\n", what, value, unit, budget, unit,
               ok ? "ok" : "MISSED");
      missed_budget |= !ok;
    }
  else
    g_print ("- %s: %.3f %s\n", what, value, unit);
}

/* Office prose: common English words, some names and numbers, a few URLs
 * and addresses, and about 3% typos (one letter dropped or swapped). */
static const char *const vocabulary[] = {
  "the",
  "be",
  "to",
  "of",
  "and",
  "a",
  "in",
  "that",
  "have",
  "I",
  "it",
  "for",
  "not",
  "on",
  "with",
  "he",
  "as",
  "you",
  "do",
  "at",
  "this",
  "but",
  "his",
  "by",
  "from",
  "they",
  "we",
  "say",
  "her",
  "she",
  "or",
  "an",
  "will",
  "my",
  "one",
  "all",
  "would",
  "there",
  "their",
  "what",
  "so",
  "up",
  "out",
  "if",
  "about",
  "who",
  "get",
  "which",
  "go",
  "me",
  "when",
  "make",
  "can",
  "like",
  "time",
  "no",
  "just",
  "him",
  "know",
  "take",
  "people",
  "into",
  "year",
  "your",
  "good",
  "some",
  "could",
  "them",
  "see",
  "other",
  "than",
  "then",
  "now",
  "look",
  "only",
  "come",
  "its",
  "over",
  "think",
  "also",
  "back",
  "after",
  "use",
  "two",
  "how",
  "our",
  "work",
  "first",
  "well",
  "way",
  "even",
  "new",
  "want",
  "because",
  "any",
  "these",
  "give",
  "day",
  "most",
  "us",
  "meeting",
  "project",
  "deadline",
  "report",
  "schedule",
  "customer",
  "invoice",
  "budget",
  "quarter",
  "review",
  "colleague",
  "office",
  "presentation",
  "agenda",
  "attachment",
  "document",
  "spreadsheet",
  "department",
  "manager",
  "approval",
  "contract",
  "delivery",
  "requirements",
  "feedback",
  "tomorrow",
  "yesterday",
  "afternoon",
  "morning",
  "discussion",
  "decision",
  "proposal",
  "revenue",
  "marketing",
  "engineering",
  "support",
  "release",
  "version",
  "server",
  "database",
  "account",
  "password",
  "network",
  "printer",
  "holiday",
  "conference",
  "travel",
  "expense",
  "receipt",
  "question",
  "answer",
  "problem",
  "solution",
  "important",
  "urgent",
  "possible",
  "available",
  "necessary",
  "different",
  "following",
  "previous",
  "general",
  "specific",
  "particular",
  "certainly",
  "probably",
  "actually",
  "unfortunately",
  "don't",
  "can't",
  "we're",
  "it's",
  "I'll",
  "they've",
  "well-known",
  "follow-up",
  "e-mail",
  "Monday",
  "Tuesday",
  "Friday",
  "London",
  "Berlin",
  "Anna",
  "Thomas",
};

static const char *const tokens[] = {
  "3",
  "2024",
  "10:30",
  "Q3",
  "https://intranet.example.com/wiki/Planning",
  "anna@example.com",
  "team@conference.example.org",
  "`make check`",
};

static char *
make_prose (GRand *rand, guint n_words, gboolean misspell_all)
{
  GString *text = g_string_new (NULL);
  guint sentence = 0;

  for (guint i = 0; i < n_words; i++)
    {
      g_autoptr (GString) word = NULL;
      guint pick = g_rand_int_range (rand, 0, 100);

      if (pick < 2)
        word = g_string_new (tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))]);
      else
        word = g_string_new (
          vocabulary[g_rand_int_range (rand, 0, G_N_ELEMENTS (vocabulary))]);

      if (misspell_all)
        g_string_append_printf (word, "q%cz%c", 'a' + i % 26, 'a' + (i / 26) % 26);
      else if (pick >= 97 && word->len > 3)
        {
          guint at = g_rand_int_range (rand, 1, word->len - 1);

          if (pick == 99)
            g_string_erase (word, at, 1);
          else
            {
              char c = word->str[at];

              word->str[at] = word->str[at + 1];
              word->str[at + 1] = c;
            }
        }

      if (sentence == 0 && g_ascii_islower (word->str[0]))
        word->str[0] = g_ascii_toupper (word->str[0]);
      g_string_append (text, word->str);

      if (++sentence > (guint) g_rand_int_range (rand, 6, 18))
        {
          g_string_append (text, g_rand_int_range (rand, 0, 10) == 0 ? "?\n" : ". ");
          sentence = 0;
        }
      else
        g_string_append (text, g_rand_int_range (rand, 0, 8) == 0 ? ", " : " ");
    }

  return g_string_free (text, FALSE);
}

static guint
count_tagged (GtkTextBuffer *buffer, GtkTextTag *tag)
{
  GtkTextIter iter;
  guint n = 0;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  if (gtk_text_iter_starts_tag (&iter, tag))
    n++;
  while (gtk_text_iter_forward_to_tag_toggle (&iter, tag))
    if (gtk_text_iter_starts_tag (&iter, tag))
      n++;
  return n;
}

/* Pastes @text and lets the main loop check it; reports totals. */
static void
bench_paste (const char *label, const char *text, guint n_words, gboolean with_budget)
{
  g_autoptr (GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autoptr (FlintSpellChecker) checker = flint_spell_checker_new ("en_US");
  g_autoptr (FlintSpellAdapter) adapter = flint_spell_adapter_new (buffer, checker);
  g_autofree char *what = NULL;
  gint64 t0, t1, total, longest = 0;
  guint iterations = 0;

  t0 = g_get_monotonic_time ();
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_insert_at_cursor (buffer, text, -1);
  gtk_text_buffer_end_user_action (buffer);
  t1 = g_get_monotonic_time ();
  total = t1 - t0;
  longest = t1 - t0;

  while (flint_spell_adapter_get_busy (adapter))
    {
      t0 = g_get_monotonic_time ();
      g_main_context_iteration (NULL, FALSE);
      t1 = g_get_monotonic_time ();
      total += t1 - t0;
      longest = MAX (longest, t1 - t0);
      iterations++;
    }

  what = g_strdup_printf ("%s, %u words: total work until fully checked (paste included)",
                          label, n_words);
  report (what, total / 1000.0, "ms", with_budget ? 200 : 0);
  g_clear_pointer (&what, g_free);
  what = g_strdup_printf ("%s: longest main-loop iteration (%u iterations)", label,
                          iterations);
  report (what, longest / 1000.0, "ms", with_budget ? 8 : 0);
  g_clear_pointer (&what, g_free);
  g_print ("  (%s: %u words flagged)\n", label,
           count_tagged (buffer, flint_spell_adapter_get_tag (adapter)));
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Types "quarterly " letter by letter at many places of a 2,000-word
 * message; each keystroke is timed until its word is checked again. */
static void
bench_typing (GRand *rand)
{
  const char *typed = "quartelry ";
  g_autoptr (GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autoptr (FlintSpellChecker) checker = flint_spell_checker_new ("en_US");
  g_autoptr (FlintSpellAdapter) adapter = flint_spell_adapter_new (buffer, checker);
  g_autofree char *text = make_prose (rand, 2000, FALSE);
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 sum = 0;

  /* One paragraph: the worst case, no line breaks to bound anything. */
  g_strdelimit (text, "\n", ' ');
  gtk_text_buffer_set_text (buffer, text, -1);
  while (flint_spell_adapter_get_busy (adapter))
    g_main_context_iteration (NULL, FALSE);

  for (guint round = 0; round < 40; round++)
    {
      GtkTextIter iter;
      int n_chars = gtk_text_buffer_get_char_count (buffer);

      /* A word boundary somewhere in the message. */
      gtk_text_buffer_get_iter_at_offset (buffer, &iter,
                                          g_rand_int_range (rand, 0, n_chars));
      if (!gtk_text_iter_ends_word (&iter))
        gtk_text_iter_forward_word_end (&iter);
      gtk_text_buffer_place_cursor (buffer, &iter);
      gtk_text_buffer_insert_interactive_at_cursor (buffer, " ", 1, TRUE);
      while (flint_spell_adapter_get_busy (adapter))
        g_main_context_iteration (NULL, FALSE);

      for (const char *p = typed; *p != '\0'; p++)
        {
          gint64 t0 = g_get_monotonic_time (), t1;

          gtk_text_buffer_insert_interactive_at_cursor (buffer, p, 1, TRUE);
          while (flint_spell_adapter_get_busy (adapter))
            g_main_context_iteration (NULL, FALSE);
          t1 = g_get_monotonic_time ();
          g_array_append_val (times, (gint64){ t1 - t0 });
          sum += t1 - t0;
        }
    }

  g_array_sort (times, compare_gint64);
  report ("Typing in a 2,000-word message: keystroke to word rechecked, median",
          g_array_index (times, gint64, times->len / 2) / 1000.0, "ms", 1);
  report ("Typing in a 2,000-word message: 99th percentile",
          g_array_index (times, gint64, times->len * 99 / 100) / 1000.0, "ms", 1);
  report ("Typing in a 2,000-word message: slowest keystroke",
          g_array_index (times, gint64, times->len - 1) / 1000.0, "ms", 0);
  g_print ("  (%u keystrokes, mean %.3f ms)\n", times->len, sum / 1000.0 / times->len);
}

/* The checker's rate on prose once its cache is warm: what rechecking a
 * whole message after a language or dictionary change costs. */
static void
bench_enchant_rate (GRand *rand)
{
  g_autoptr (FlintSpellChecker) checker = flint_spell_checker_new ("en_US");
  g_autofree char *text = make_prose (rand, 20000, FALSE);
  g_auto (GStrv) words = g_regex_split_simple ("[^[:alpha:]']+", text, 0, 0);
  guint n = 0;
  gint64 t0;

  t0 = g_get_monotonic_time ();
  for (gsize i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      {
        flint_spell_checker_check_word (checker, words[i], -1);
        n++;
      }
  report ("Checker with its word cache, prose",
          n / ((g_get_monotonic_time () - t0) / 1e6) / 1000, "thousand words/s", 0);
}

int
main (int argc, char **argv)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (FlintSpellChecker) warm = NULL;
  g_autofree char *prose = NULL;
  g_autofree char *unknown = NULL;
  gint64 t0;

  t0 = g_get_monotonic_time ();
  /* Keeps the broker and the dictionary loaded, as in the running app;
   * each benchmark still starts with an empty word cache. */
  warm = flint_spell_checker_new ("en_US");
  if (!flint_spell_checker_get_available (warm))
    {
      g_printerr ("bench-spell: no en_US dictionary installed\n");
      return 77;
    }
  report ("Loading the en_US dictionary (once per run of Flint)",
          (g_get_monotonic_time () - t0) / 1000.0, "ms", 0);

  prose = make_prose (rand, 10000, FALSE);
  bench_paste ("Paste of office prose", prose, 10000, TRUE);

  /* Worst case: every word distinct and wrong, so no cached answer helps
   * and Hunspell takes its slowest path for each. */
  unknown = make_prose (rand, 10000, TRUE);
  bench_paste ("Paste of 10,000 distinct unknown words", unknown, 10000, FALSE);

  bench_typing (rand);
  bench_enchant_rate (rand);

  return missed_budget ? 1 : 0;
}

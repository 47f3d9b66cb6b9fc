/* Times the history store the way the app uses it: messages arriving in
 * batches (a MAM page, a burst after reconnecting) and one by one, and, with
 * --large, reading and searching a store the size of years of office chat.
 *
 * Prints Markdown list items, one per figure, with the budget each one has
 * to meet; exits 1 if a budget is missed. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include <glib/gstdio.h>

#include "flint-history.h"

#define ACCOUNT "me@example.com"
#define N_VOCABULARY 5000

static char **vocabulary;
static gboolean missed_budget;
static gint64 newest_time; /* of the large store, for the date filter */
static char *large_store;
static double slowest_commit; /* seconds, the slowest insert call of fill () */

/* Bytes this process has written with write calls (Linux), -1 if
 * unknown: how much the store writes, whatever the load. */
static double
written_bytes (void)
{
  g_autofree char *io = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/io", &io, NULL, NULL) ||
      !(line = strstr (io, "wchar: ")))
    return -1;
  return g_ascii_strtod (line + strlen ("wchar: "), NULL);
}

/* CPU seconds (user + system) this process has used: unlike wall time,
 * barely changed by other work on a shared machine. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* Pronounceable nonsense words, some with diacritics, deterministic. */
static void
make_vocabulary (GRand *rand)
{
  static const char *const consonants[] = { "b", "c", "d", "f", "g", "k", "l", "m",
                                            "n", "p", "r", "s", "t", "v", "z", "ch" };
  static const char *const vowels[] = { "a", "e", "i", "o", "u", "é", "ö", "ay" };

  vocabulary = g_new0 (char *, N_VOCABULARY + 1);
  for (guint i = 0; i < N_VOCABULARY; i++)
    {
      GString *word = g_string_new (NULL);
      guint syllables = g_rand_int_range (rand, 1, 4);

      for (guint s = 0; s < syllables; s++)
        {
          g_string_append (word, consonants[g_rand_int_range (rand, 0, 16)]);
          g_string_append (word, vowels[g_rand_int_range (rand, 0, i % 7 ? 5 : 8)]);
        }
      /* Keep words unique so word frequencies are the ones chosen below. */
      g_string_append_printf (word, "%c%c", 'a' + i % 26, 'a' + (i / 26) % 26);
      vocabulary[i] = g_string_free (word, FALSE);
    }
}

/* Word ranks follow roughly Zipf's law, as in real text: a few words are
 * in many messages, most are rare. */
static const char *
pick_word (GRand *rand)
{
  double u = g_rand_double (rand);
  guint rank = (guint) (N_VOCABULARY * u * u * u);

  return vocabulary[MIN (rank, N_VOCABULARY - 1)];
}

static char *
make_body (GRand *rand)
{
  GString *body = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 3, 16);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (body, ' ');
      g_string_append (body, pick_word (rand));
    }
  return g_string_free (body, FALSE);
}

static FlintMessageRecord *
make_message (GRand *rand, const char *conversation, guint64 serial, gint64 time)
{
  FlintMessageRecord *r = flint_message_record_new ();

  r->account = g_strdup (ACCOUNT);
  r->conversation = g_strdup (conversation);
  r->kind = FLINT_MESSAGE_KIND_CHAT;
  r->direction = FLINT_DIRECTION_INCOMING;
  r->sender = g_strdup (conversation);
  r->body = make_body (rand);
  r->time = time;
  r->local_time = time;
  r->stanza_id = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", serial * 2654435761u);
  r->stanza_id_by = g_strdup (ACCOUNT);
  r->origin_id = g_strdup_printf ("o-%" G_GUINT64_FORMAT, serial);
  r->message_id = g_strdup (r->origin_id);
  r->state = FLINT_DELIVERY_RECEIVED;
  return r;
}

static char *
conversation_name (guint i)
{
  return g_strdup_printf ("contact%u@example.com", i);
}

static FlintHistory *
open_or_die (const char *path)
{
  g_autoptr (GError) error = NULL;
  FlintHistory *history = flint_history_open (path, &error);

  if (history == NULL || error != NULL)
    g_error ("Cannot open %s: %s", path, error->message);
  return history;
}

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

/* Stores n messages over n_conversations, batch_size per transaction (1:
 * flint_history_insert() each); one conversation may take a share of
 * big_share of all messages. Returns seconds spent in the store. */
static double
fill (FlintHistory *history,
      GRand *rand,
      guint64 n,
      guint n_conversations,
      double big_share,
      guint batch_size,
      guint64 *serial)
{
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_auto (GStrv) names = g_new0 (char *, n_conversations + 1);
  gint64 time = G_GINT64_CONSTANT (1600000000) * G_USEC_PER_SEC;
  double spent = 0;

  for (guint i = 0; i < n_conversations; i++)
    names[i] = conversation_name (i);

  for (guint64 i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      guint c =
        g_rand_double (rand) < big_share
          ? 0
          : (guint) g_rand_int_range (rand, n_conversations > 1 ? 1 : 0, n_conversations);

      /* Several messages a second; some share a timestamp. */
      time += g_rand_int_range (rand, 0, 3) * G_USEC_PER_SEC / 2;
      g_ptr_array_add (batch, make_message (rand, names[c], (*serial)++, time));

      if (batch->len == batch_size || i + 1 == n)
        {
          gint64 start = g_get_monotonic_time ();
          gboolean ok;

          if (batch_size == 1)
            ok = flint_history_insert (history, batch->pdata[0], NULL, &error);
          else
            ok = flint_history_insert_batch (history, batch, NULL, &error);
          double took = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

          spent += took;
          slowest_commit = MAX (slowest_commit, took);
          if (!ok)
            g_error ("Insert failed: %s", error->message);
          g_ptr_array_set_size (batch, 0);
        }
    }
  return spent;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *samples, double p)
{
  guint index;

  g_array_sort (samples, compare_double);
  index = (guint) (p * (samples->len - 1) + 0.5);
  return g_array_index (samples, double, index);
}

typedef enum
{
  SEARCH_PLAIN,    /* flint_history_search () */
  SEARCH_VIEW,     /* what the search view runs: snippets as markup */
  SEARCH_FILTERED, /* the view with a conversation and the last 30 days */
} SearchKind;

static void
bench_search_kind (FlintHistory *history,
                   GRand *rand,
                   gboolean prefix,
                   guint min_rank,
                   guint max_rank,
                   const char *label,
                   double budget_median,
                   double budget_p95,
                   SearchKind kind)
{
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 n_results = 0;
  static const char *const kinds[] = {
    "search", "search view (with snippets)",
    "search view, one of 20 conversations, last 2 days"
  };

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) found = NULL;
      const char *word = vocabulary[g_rand_int_range (rand, min_rank, max_rank)];
      g_autofree char *query =
        prefix ? g_utf8_substring (word, 0, 3) : g_strconcat (word, " ", NULL);
      gint64 start = g_get_monotonic_time ();
      double ms;

      if (kind == SEARCH_PLAIN)
        found = flint_history_search (history, query, ACCOUNT, NULL, 50, &error);
      else if (kind == SEARCH_VIEW)
        found = flint_history_search_full (history, query, ACCOUNT, NULL, 0, 0, 50, NULL,
                                           &error);
      else
        {
          g_autofree char *jid = conversation_name (g_rand_int_range (rand, 0, 20));

          found = flint_history_search_full (history, query, ACCOUNT, jid,
                                             newest_time - 2 * G_TIME_SPAN_DAY, 0, 50,
                                             NULL, &error);
        }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (found == NULL)
        g_error ("Search failed: %s", error->message);
      n_results += found->len;
      g_array_append_val (samples, ms);
    }

  {
    g_autofree char *what =
      g_strdup_printf ("%s, %s, first page of 50, median", kinds[kind], label);
    g_autofree char *what95 =
      g_strdup_printf ("%s, %s, first page of 50, p95", kinds[kind], label);

    report (what, percentile (samples, 0.5), "ms", budget_median);
    report (what95, percentile (samples, 0.95), "ms", budget_p95);
    g_print ("  (%u queries, %.1f results per page on average)\n", samples->len,
             n_results / (double) samples->len);
  }
}

static void
bench_search (FlintHistory *history,
              GRand *rand,
              gboolean prefix,
              guint min_rank,
              guint max_rank,
              const char *label,
              double budget_median,
              double budget_p95)
{
  for (SearchKind kind = SEARCH_PLAIN; kind <= SEARCH_FILTERED; kind++)
    bench_search_kind (history, rand, prefix, min_rank, max_rank, label, budget_median,
                       budget_p95, kind);
}

static void
bench_large (const char *dir, GRand *rand)
{
  g_autofree char *path =
    large_store ? g_strdup (large_store) : g_build_filename (dir, "large.db", NULL);
  g_autoptr (FlintHistory) history = NULL;
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *big = conversation_name (0);
  guint64 serial = 1;
  double seconds;
  GStatBuf st;

  if (large_store && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      /* Made by an earlier run (complete: it is only renamed into place
       * once filled). Opening it also migrates a store an older Flint
       * made; time that. Draw the same random numbers a fill would, so
       * the searches below look for the same words either way. */
      gint64 start = g_get_monotonic_time ();

      history = open_or_die (path);
      g_print ("- large store: reused %s, opened (and migrated if older) in %.3f s\n",
               path, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
      for (guint64 i = 0; i < 1000000; i++)
        {
          g_autofree char *body = NULL;

          /* As fill (..., 500, 0.1, ...) does. */
          if (!(g_rand_double (rand) < 0.1))
            g_rand_int_range (rand, 1, 500);
          g_rand_int_range (rand, 0, 3);
          body = make_body (rand);
        }
    }
  else
    {
      g_autofree char *filling =
        large_store ? g_strconcat (path, ".filling", NULL) : g_strdup (path);

      history = open_or_die (filling);
      /* 1,000,000 messages; conversation 0 gets 100,000 of them. */
      seconds = fill (history, rand, 1000000, 500, 0.1, 200, &serial);
      report ("large store: insert 1,000,000 messages over 500 conversations, 200 per "
              "transaction",
              seconds, "s", 0);
      if (g_stat (filling, &st) == 0)
        g_print ("  (database file %.0f MB before checkpoint)\n", st.st_size / 1e6);
      /* Closing checkpoints and removes the WAL, so one file is the store. */
      g_clear_object (&history);
      if (large_store && g_rename (filling, path) != 0)
        g_error ("Cannot rename %s to %s", filling, path);
    }

  /* Read as a fresh start of the app would: reopen. */
  g_clear_object (&history);
  history = open_or_die (path);

  for (guint i = 0; i < 50; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) last = NULL;
      gint64 start = g_get_monotonic_time ();
      double ms;

      last = flint_history_get_last (history, ACCOUNT, big, 50, &error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (last == NULL || last->len != 50)
        g_error ("get_last failed");
      g_array_append_val (samples, ms);
    }
  report ("get_last 50 of a 100,000-message conversation, first call",
          g_array_index (samples, double, 0), "ms", 50);
  report ("get_last 50 of a 100,000-message conversation, median of 50",
          percentile (samples, 0.5), "ms", 50);

  /* Page back 200 pages with keyset paging. */
  {
    g_autoptr (GPtrArray) page = flint_history_get_last (history, ACCOUNT, big, 50, NULL);
    gint64 start = g_get_monotonic_time ();

    for (guint i = 0; i < 200 && page->len > 0; i++)
      {
        FlintMessageRecord *first = page->pdata[0];
        GPtrArray *next = flint_history_get_before (history, ACCOUNT, big, first->time,
                                                    first->id, 50, NULL);

        g_ptr_array_unref (page);
        page = next;
      }
    report ("get_before, 200 pages of 50 back in that conversation, per page",
            (g_get_monotonic_time () - start) / 1000.0 / 200, "ms", 50);
  }

  /* And forward again from 200 pages back (a detached window paging down). */
  {
    g_autoptr (GPtrArray) page = flint_history_get_last (history, ACCOUNT, big, 1, NULL);
    FlintMessageRecord *last = page->pdata[0];
    g_autoptr (GPtrArray) back = flint_history_get_before (
      history, ACCOUNT, big, last->time, last->id, 200 * 50, NULL);
    gint64 start;

    newest_time = last->time;
    g_clear_pointer (&page, g_ptr_array_unref);
    page = g_ptr_array_ref (back);
    start = g_get_monotonic_time ();
    for (guint i = 0; i < 200 && page->len > 0; i++)
      {
        FlintMessageRecord *end = page->pdata[page->len - 1];
        GPtrArray *next =
          flint_history_get_after (history, ACCOUNT, big, end->time, end->id, 50, NULL);

        g_ptr_array_unref (page);
        page = next;
      }
    report ("get_after, 200 pages of 50 forward in that conversation, per page",
            (g_get_monotonic_time () - start) / 1000.0 / 200, "ms", 50);
  }

  /* Words users look for: neither the commonest nor never seen; and the
   * commonest, which match most of the store. */
  bench_search (history, rand, FALSE, 50, 2000, "whole word of rank 50-2000", 30, 100);
  bench_search (history, rand, TRUE, 50, 2000, "3-letter prefix", 30, 100);
  bench_search (history, rand, FALSE, 0, 10, "whole word among the 10 commonest", 30,
                100);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240611);
  g_autofree char *dir = NULL;
  gboolean large = FALSE;
  GOptionEntry entries[] = {
    { "large", 0, 0, G_OPTION_ARG_NONE, &large,
      "Also build a 1,000,000-message store and time reading and search"
      " (or FLINT_BENCH_LARGE=1)",
      NULL },
    { "large-store", 0, 0, G_OPTION_ARG_FILENAME, &large_store,
      "With --large: keep the big store in FILE and reuse it next time instead"
      " of building it again (or FLINT_BENCH_LARGE_STORE=FILE)",
      "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- time the history store");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (large_store == NULL && g_getenv ("FLINT_BENCH_LARGE_STORE"))
    large_store = g_strdup (g_getenv ("FLINT_BENCH_LARGE_STORE"));

  make_vocabulary (rand);
  dir = g_dir_make_tmp ("flint-bench-history-XXXXXX", &error);
  g_assert_no_error (error);

  {
    g_autofree char *path = g_build_filename (dir, "batches.db", NULL);
    g_autoptr (FlintHistory) history = open_or_die (path);
    guint64 serial = 1;
    double cpu = cpu_seconds ();
    double written = written_bytes ();
    double seconds;

    slowest_commit = 0;
    seconds = fill (history, rand, 100000, 50, 0, 200, &serial);
    cpu = cpu_seconds () - cpu;
    written = written_bytes () - written;
    report ("insert 100,000 incoming messages, 200 per transaction", seconds, "s", 5);
    g_print ("  (%.0f messages/s; %.3f s of CPU, making the messages included;"
             " slowest transaction %.1f ms; %.0f MB written)\n",
             100000 / seconds, cpu, slowest_commit * 1000, written / 1e6);
  }

  {
    g_autofree char *path = g_build_filename (dir, "single.db", NULL);
    g_autoptr (FlintHistory) history = open_or_die (path);
    guint64 serial = 1;
    double seconds = fill (history, rand, 5000, 50, 0, 1, &serial);

    report ("insert 5,000 incoming messages, one transaction each", seconds, "s", 0);
    g_print ("  (%.0f messages/s, %.3f ms per message)\n", 5000 / seconds,
             seconds * 1000 / 5000);
  }

  if (large || g_strcmp0 (g_getenv ("FLINT_BENCH_LARGE"), "1") == 0)
    bench_large (dir, rand);

  /* Remove what we made, and nothing else. */
  {
    static const char *const files[] = { "batches.db", "single.db", "large.db" };
    static const char *const suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      for (guint j = 0; j < G_N_ELEMENTS (suffixes); j++)
        {
          g_autofree char *name = g_strconcat (files[i], suffixes[j], NULL);
          g_autofree char *path = g_build_filename (dir, name, NULL);

          g_unlink (path);
        }
    g_rmdir (dir);
  }

  return missed_budget ? 1 : 0;
}

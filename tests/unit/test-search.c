#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "flint-history.h"
#include "flint-search.h"

#define ACCOUNT "me@example.com"

typedef struct
{
  char *dir;
  char *path;
  FlintHistory *history;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);

  f->dir = g_dir_make_tmp ("flint-search-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (f->path, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 3000; i++)
    {
      FlintMessageRecord *r = flint_message_record_new ();

      r->account = g_strdup (ACCOUNT);
      r->conversation = g_strdup (i % 2 ? "anna@example.com" : "bert@example.com");
      r->sender = g_strdup (r->conversation);
      r->body = g_strdup_printf ("%s message %d <i>%s</i>", i % 3 ? "lunch" : "dinner", i,
                                 i % 5 ? "plain" : "tagged");
      r->time = 1000 + i;
      g_ptr_array_add (batch, r);
    }
  g_assert_true (flint_history_insert_batch (f->history, batch, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  g_clear_object (&f->history);
  g_remove (f->path);
  g_remove (wal);
  g_remove (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
wait_idle (FlintSearch *search)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (flint_search_get_running (search) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (flint_search_get_running (search));
}

static void
count_changes (
  GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  *(guint *) data += 1;
}

static void
test_as_you_type (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintSearch) search = flint_search_new (f->path, ACCOUNT);
  GListModel *model = G_LIST_MODEL (search);
  guint changes = 0;

  g_signal_connect (search, "items-changed", G_CALLBACK (count_changes), &changes);

  /* Every keystroke starts a query and cancels the one before: only the
   * last one's results arrive, in one change. */
  flint_search_set_query (search, "d");
  flint_search_set_query (search, "di");
  flint_search_set_query (search, "din");
  g_assert_true (flint_search_get_running (search));
  wait_idle (search);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_null (flint_search_get_error (search));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 50);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FlintMessage) message = g_list_model_get_item (model, i);
      const char *markup = flint_search_get_markup (search, message);

      /* Newest first, every third message is a dinner. */
      g_assert_cmpint (flint_message_get_time (message), ==,
                       1000 + 2997 - 3 * (gint64) i);
      g_assert_true (g_str_has_prefix (markup, "<b>dinner</b> message "));
      /* Message text never becomes markup. */
      g_assert_nonnull (strstr (markup, "&lt;i&gt;"));
    }

  /* Scoped to one conversation and a range. */
  flint_search_set_conversation (search, "anna@example.com");
  flint_search_set_range (search, 1000 + 100, 1000 + 200);
  g_assert_cmpstr (flint_search_get_conversation (search), ==, "anna@example.com");
  wait_idle (search);
  /* Odd i in [100, 200) with i % 3 == 0: 105, 111, ..., 195. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 16);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FlintMessage) message = g_list_model_get_item (model, i);

      g_assert_cmpstr (flint_message_get_record (message)->conversation, ==,
                       "anna@example.com");
    }

  /* Nothing found; then an empty query clears the results at once. */
  flint_search_set_query (search, "breakfast");
  wait_idle (search);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  flint_search_set_query (search, "lunch");
  flint_search_set_query (search, "");
  g_assert_false (flint_search_get_running (search));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  /* The cancelled query's results never arrive. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_usleep (100000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
}

/* The search reads the file while the main thread keeps writing it. */
static void
test_sees_new_messages (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintSearch) search = flint_search_new (f->path, ACCOUNT);
  g_autoptr (FlintMessageRecord) r = flint_message_record_new ();
  g_autoptr (GError) error = NULL;

  flint_search_set_query (search, "zebra");
  wait_idle (search);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 0);

  r->account = g_strdup (ACCOUNT);
  r->conversation = g_strdup ("anna@example.com");
  r->sender = g_strdup ("anna@example.com");
  r->body = g_strdup ("a zebra crossing");
  r->time = 99999;
  g_assert_true (flint_history_insert (f->history, r, NULL, &error));
  flint_search_set_query (search, "zebr");
  wait_idle (search);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 1);
}

/* Older matches come a page at a time, each once, newest first, also when
 * many share the time a page starts from. */
static void
test_load_more (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintSearch) search = flint_search_new (f->path, ACCOUNT);
  GListModel *model = G_LIST_MODEL (search);
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) seen =
    g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  flint_search_set_query (search, "dinner");
  wait_idle (search);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 50);
  g_assert_true (flint_search_get_has_more (search));
  flint_search_load_more (search);
  wait_idle (search);
  flint_search_load_more (search);
  wait_idle (search);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 150);
  for (guint i = 0; i < 150; i++)
    {
      g_autoptr (FlintMessage) message = g_list_model_get_item (model, i);

      g_assert_cmpint (flint_message_get_time (message), ==,
                       1000 + 2997 - 3 * (gint64) i);
    }

  /* 70 matches at one time: the second page brings the other 20. */
  for (int i = 0; i < 70; i++)
    {
      FlintMessageRecord *r = flint_message_record_new ();

      r->account = g_strdup (ACCOUNT);
      r->conversation = g_strdup ("anna@example.com");
      r->sender = g_strdup (r->conversation);
      r->body = g_strdup_printf ("stampede %d", i);
      r->time = 500;
      g_ptr_array_add (batch, r);
    }
  g_assert_true (flint_history_insert_batch (f->history, batch, NULL, &error));
  flint_search_set_query (search, "stampede");
  wait_idle (search);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 50);
  flint_search_load_more (search);
  wait_idle (search);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 70);
  g_assert_false (flint_search_get_has_more (search));
  for (guint i = 0; i < 70; i++)
    {
      g_autoptr (FlintMessage) message = g_list_model_get_item (model, i);
      gint64 *id = g_new (gint64, 1);

      *id = flint_message_get_id (message);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }
  /* Nothing more: asking again changes nothing. */
  flint_search_load_more (search);
  g_assert_false (flint_search_get_running (search));
}

#define ADD(name, func)                                                                  \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/search/as-you-type", test_as_you_type);
  ADD ("/search/sees-new-messages", test_sees_new_messages);
  ADD ("/search/load-more", test_load_more);
  return g_test_run ();
}

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "flint-conversation.h"

static FlintMessageRecord *
record (const char *conversation, gint64 time, const char *body)
{
  FlintMessageRecord *r = flint_message_record_new ();

  r->account = g_strdup ("me@example.com");
  r->conversation = g_strdup (conversation);
  r->kind = FLINT_MESSAGE_KIND_CHAT;
  r->direction = FLINT_DIRECTION_INCOMING;
  r->sender = g_strdup (conversation);
  r->body = g_strdup (body);
  r->time = time;
  r->local_time = time;
  return r;
}

static void
test_paging (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-conv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = flint_history_open (path, &error);
  g_autoptr (FlintConversation) conversation = NULL;
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  gint64 previous = -1;

  g_assert_no_error (error);
  /* 120 messages, many sharing a timestamp, plus another conversation. */
  for (int i = 0; i < 120; i++)
    {
      g_autofree char *body = g_strdup_printf ("m%03d", i);
      g_ptr_array_add (batch, record ("anna@example.com", 1000 + i / 7, body));
    }
  g_ptr_array_add (batch, record ("other@example.com", 1050, "elsewhere"));
  g_assert_true (flint_history_insert_batch (history, batch, NULL, &error));

  conversation =
    flint_conversation_new (history, NULL, "me@example.com", "Anna@example.com");
  /* A screenful first. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 20);
  g_assert_false (flint_conversation_get_complete (conversation));

  g_assert_cmpuint (flint_conversation_load_older (conversation, 50), ==, 50);
  g_assert_cmpuint (flint_conversation_load_older (conversation, 60), ==, 50);
  g_assert_true (flint_conversation_get_complete (conversation));
  g_assert_cmpuint (flint_conversation_load_older (conversation, 50), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 120);

  /* Every message once, in order, none from the other conversation. */
  for (guint i = 0; i < 120; i++)
    {
      g_autoptr (FlintMessage) message =
        g_list_model_get_item (G_LIST_MODEL (conversation), i);
      g_autofree char *expected = g_strdup_printf ("m%03u", i);

      g_assert_cmpstr (flint_message_get_body (message), ==, expected);
      g_assert_cmpint (flint_message_get_id (message), >, previous);
      previous = flint_message_get_id (message);
      g_assert_true (flint_conversation_find (conversation, previous) == message);
    }
  g_assert_null (flint_conversation_get_last_outgoing (conversation));

  g_remove (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_remove (wal);
  g_remove (shm);
  g_rmdir (dir);
}

static void
test_update_marks_edited (void)
{
  g_autoptr (FlintMessageRecord) r = record ("anna@example.com", 5, "helo");
  g_autoptr (FlintMessage) message = NULL;

  r->id = 7;
  r->direction = FLINT_DIRECTION_OUTGOING;
  r->state = FLINT_DELIVERY_SENT;
  message = flint_message_new (r);
  g_assert_false (flint_message_get_edited (message));

  r->state = FLINT_DELIVERY_DELIVERED;
  flint_message_update (message, r);
  g_assert_cmpint (flint_message_get_state (message), ==, FLINT_DELIVERY_DELIVERED);
  g_assert_false (flint_message_get_edited (message));

  g_free (r->body);
  r->body = g_strdup ("hello");
  flint_message_update (message, r);
  g_assert_cmpstr (flint_message_get_body (message), ==, "hello");
  g_assert_true (flint_message_get_edited (message));
  g_assert_cmpint (flint_message_get_id (message), ==, 7);
}

static void
count_changes (
  GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  *(guint *) data += 1;
}

static void
count_removed (
  GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  *(guint *) data += removed;
}

/* A short window grows by 50 rows a change at most (the view makes a row
 * widget for each, ~0.25 ms); from 200 rows on, a slice is one change. */
static void
check_growth (
  GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  guint before = g_list_model_get_n_items (model) - added + removed;

  *(guint *) data += 1;
  if (before < 200)
    g_assert_cmpuint (added, <=, 50);
}

static gboolean
quit_loop (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the model holds n items (or 5 s pass). */
static void
spin_until_items (GListModel *model, guint n)
{
  gboolean timed_out = FALSE;
  guint timer = g_timeout_add (5000, quit_loop, &timed_out);

  while (!timed_out && g_list_model_get_n_items (model) < n)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timer);
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_loop, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* A store and a chat module whose "message-stored" feeds conversations, as
 * live messages do. */
typedef struct
{
  char *dir;
  char *path;
  FlintHistory *history;
  FlintSession *session;
  FlintChat *chat;
} Live;

static void
live_open (Live *live)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintAccount) account = flint_account_new ("me@example.com", NULL);

  live->dir = g_dir_make_tmp ("flint-conv-XXXXXX", NULL);
  live->path = g_build_filename (live->dir, "history.db", NULL);
  live->history = flint_history_open (live->path, &error);
  g_assert_no_error (error);
  live->session = flint_session_new (account);
  live->chat = flint_chat_new (live->session, live->history);
}

static void
live_close (Live *live)
{
  g_clear_object (&live->chat);
  g_clear_object (&live->session);
  g_clear_object (&live->history);
  g_remove (live->path);
  g_rmdir (live->dir);
  g_free (live->path);
  g_free (live->dir);
}

/* A message from @jid stored and announced, as when it arrives. */
static void
live_deliver (Live *live, const char *jid, gint64 time, const char *body)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) r = record (jid, time, body);

  g_assert_true (flint_history_insert (live->history, r, NULL, &error));
  g_assert_no_error (error);
  g_signal_emit_by_name (live->chat, "message-stored", r);
}

static void
test_live_flood_is_batched (void)
{
  Live live = { 0 };
  g_autoptr (FlintConversation) conversation = NULL;
  guint changes = 0;

  live_open (&live);
  conversation = flint_conversation_new (live.history, live.chat, "me@example.com",
                                         "anna@example.com");
  g_signal_connect (conversation, "items-changed", G_CALLBACK (check_growth), &changes);

  /* One message after a quiet moment shows without waiting. */
  live_deliver (&live, "anna@example.com", 10, "first");
  spin (5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 1);
  g_assert_cmpuint (changes, ==, 1);

  /* A flood of 500 becomes a handful of model changes, all in order: the
   * slices, the first cut into steps of 50 up to 200 rows. */
  changes = 0;
  for (int i = 0; i < 500; i++)
    {
      g_autofree char *body = g_strdup_printf ("flood %d", i);

      live_deliver (&live, "anna@example.com", 100 + i, body);
      if (i % 50 == 0)
        g_main_context_iteration (NULL, FALSE);
    }
  /* Another conversation's message is not ours. */
  live_deliver (&live, "other@example.com", 700, "elsewhere");
  spin_until_items (G_LIST_MODEL (conversation), 501);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 501);
  g_assert_cmpuint (changes, <=, 3 + 4);
  g_assert_cmpuint (flint_conversation_get_unread (conversation), ==, 501);
  for (guint i = 1; i < 501; i++)
    {
      g_autoptr (FlintMessage) message =
        g_list_model_get_item (G_LIST_MODEL (conversation), i);
      g_autofree char *expected = g_strdup_printf ("flood %u", i - 1);

      g_assert_cmpstr (flint_message_get_body (message), ==, expected);
    }
  g_clear_object (&conversation);
  live_close (&live);
}

/* What makes a flood is the rate: a few messages in one short slice are
 * one, and then the next slice waits the flood's interval (a second) rather
 * than 80 ms, each slice costing the view a frame. A message after that
 * still shows within it. */
static void
test_live_flood_by_rate (void)
{
  Live live = { 0 };
  g_autoptr (FlintConversation) conversation = NULL;
  gint64 start;

  live_open (&live);
  conversation = flint_conversation_new (live.history, live.chat, "me@example.com",
                                         "anna@example.com");
  live_deliver (&live, "anna@example.com", 10, "first");
  spin (5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 1);
  /* Five at once: one slice, 80 ms later, a rate no one types at. */
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *body = g_strdup_printf ("burst %d", i);

      live_deliver (&live, "anna@example.com", 20 + i, body);
    }
  spin_until_items (G_LIST_MODEL (conversation), 6);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 6);

  start = g_get_monotonic_time ();
  live_deliver (&live, "anna@example.com", 30, "next");
  spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 6);
  spin_until_items (G_LIST_MODEL (conversation), 7);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 7);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * G_TIME_SPAN_MILLISECOND);

  /* That slice was one message in a second: no flood any more, so the one
   * after it waits at most the short interval. */
  spin (1100);
  live_deliver (&live, "anna@example.com", 40, "calm");
  spin (5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 8);
  g_clear_object (&conversation);
  live_close (&live);
}

static char *
body_at (FlintConversation *conversation, guint position)
{
  g_autoptr (FlintMessage) message =
    g_list_model_get_item (G_LIST_MODEL (conversation), position);

  return g_strdup (flint_message_get_body (message));
}

/* Live messages past the bound are dropped once they stop coming (each drop
 * costs the view a relayout), and at once far past it. */
static void
test_live_trim_when_quiet (void)
{
  Live live = { 0 };
  g_autoptr (FlintConversation) conversation = NULL;
  guint removed = 0, n;

  live_open (&live);
  conversation = flint_conversation_new (live.history, live.chat, "me@example.com",
                                         "anna@example.com");
  flint_conversation_set_max_rows (conversation, 100);
  g_signal_connect (conversation, "items-changed", G_CALLBACK (count_removed), &removed);

  /* 350 messages (past the bound, under 4 x 100): nothing dropped while
   * they come. */
  for (int i = 0; i < 350; i++)
    {
      g_autofree char *body = g_strdup_printf ("live %d", i);

      live_deliver (&live, "anna@example.com", 100 + i, body);
      if (i % 20 == 0)
        spin (90);
    }
  spin_until_items (G_LIST_MODEL (conversation), 350);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 350);
  g_assert_cmpuint (removed, ==, 0);

  /* Quiet, but read: kept (dropping them would jolt the view). */
  flint_conversation_set_active (conversation, TRUE);
  spin (1600);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 350);

  /* Quiet and not read: the oldest go, the newest 100 stay, in order. */
  flint_conversation_set_active (conversation, FALSE);
  spin (1600);
  n = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  g_assert_cmpuint (n, ==, 100);
  g_assert_cmpuint (removed, ==, 250);
  {
    g_autofree char *first = body_at (conversation, 0);
    g_autofree char *last = body_at (conversation, n - 1);

    g_assert_cmpstr (first, ==, "live 250");
    g_assert_cmpstr (last, ==, "live 349");
  }
  g_assert_true (flint_conversation_get_latest (conversation));
  g_assert_false (flint_conversation_get_complete (conversation));

  /* Far past the bound: dropped at once, without waiting. */
  removed = 0;
  for (int i = 350; i < 660; i++)
    {
      g_autofree char *body = g_strdup_printf ("live %d", i);

      live_deliver (&live, "anna@example.com", 100 + i, body);
    }
  spin (400);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 100);
  g_assert_cmpuint (removed, ==, 310);
  g_clear_object (&conversation);
  live_close (&live);
}

/* The window holds consecutive messages m<first>..m<first + n - 1>. */
static int
check_contiguous (FlintConversation *conversation)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  g_autofree char *first = body_at (conversation, 0);
  int start = atoi (first + 1);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = body_at (conversation, i);
      g_autofree char *expected = g_strdup_printf ("m%04d", start + (int) i);

      g_assert_cmpstr (body, ==, expected);
    }
  return start;
}

static void
test_bounded_window (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-conv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = flint_history_open (path, &error);
  g_autoptr (FlintAccount) account = flint_account_new ("me@example.com", NULL);
  g_autoptr (FlintSession) session = flint_session_new (account);
  g_autoptr (FlintChat) chat = flint_chat_new (session, history);
  g_autoptr (FlintConversation) conversation = NULL;
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  const int total = 1000;
  int start = -1, pages = 0;

  g_assert_no_error (error);
  /* Runs of 7 messages share a timestamp, so page edges fall inside runs. */
  for (int i = 0; i < total; i++)
    {
      g_autofree char *body = g_strdup_printf ("m%04d", i);
      g_ptr_array_add (batch, record ("anna@example.com", 1000 + i / 7, body));
    }
  g_assert_true (flint_history_insert_batch (history, batch, NULL, &error));

  conversation =
    flint_conversation_new (history, chat, "me@example.com", "anna@example.com");
  flint_conversation_set_max_rows (conversation, 200);
  g_assert_true (flint_conversation_get_latest (conversation));

  /* Back to the start: never more than the bound, always consecutive. */
  while (!flint_conversation_get_complete (conversation))
    {
      flint_conversation_load_older (conversation, 50);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), <=, 200);
      start = check_contiguous (conversation);
      pages++;
    }
  g_assert_cmpint (start, ==, 0);
  /* 950 older in pages of 50; an empty page says it is the start. */
  g_assert_cmpint (pages, ==, (total - 50) / 50 + 1);
  g_assert_false (flint_conversation_get_latest (conversation));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 200);

  /* A live message now stays in the store (still unread), and an Up-edit
   * finds nothing to edit from back here. */
  {
    g_autoptr (FlintMessageRecord) r = record ("anna@example.com", 5000, "m1000");

    g_assert_true (flint_history_insert (history, r, NULL, &error));
    g_signal_emit_by_name (chat, "message-stored", r);
    spin (150);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 200);
    g_assert_cmpuint (flint_conversation_get_unread (conversation), ==, 1);
    g_assert_null (flint_conversation_get_last_outgoing (conversation));
  }

  /* Down to the end again: the live message is there, once. */
  while (!flint_conversation_get_latest (conversation))
    {
      g_assert_cmpuint (flint_conversation_load_newer (conversation, 50), >, 0);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), <=, 200);
      start = check_contiguous (conversation);
    }
  g_assert_false (flint_conversation_get_complete (conversation));
  {
    guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));
    g_autofree char *last = body_at (conversation, n - 1);

    g_assert_cmpstr (last, ==, "m1000");
  }
  g_assert_cmpuint (flint_conversation_load_newer (conversation, 50), ==, 0);

  /* Attached again: live messages are added as before. */
  {
    g_autoptr (FlintMessageRecord) r = record ("anna@example.com", 5001, "m1001");
    guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

    g_assert_true (flint_history_insert (history, r, NULL, &error));
    g_signal_emit_by_name (chat, "message-stored", r);
    spin (150);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, n + 1);
    check_contiguous (conversation);
  }
  g_remove (path);
}

static void
test_load_around (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-conv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = flint_history_open (path, &error);
  g_autoptr (FlintConversation) conversation = NULL;
  g_autoptr (GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autoptr (GPtrArray) all = NULL;
  FlintMessageRecord *target;
  guint changes = 0;
  int position;

  g_assert_no_error (error);
  for (int i = 0; i < 500; i++)
    {
      g_autofree char *body = g_strdup_printf ("m%04d", i);
      g_ptr_array_add (batch, record ("anna@example.com", 1000 + i / 7, body));
    }
  g_assert_true (flint_history_insert_batch (history, batch, NULL, &error));
  all =
    flint_history_get_last (history, "me@example.com", "anna@example.com", 1000, NULL);
  conversation =
    flint_conversation_new (history, NULL, "me@example.com", "anna@example.com");
  g_signal_connect (conversation, "items-changed", G_CALLBACK (count_changes), &changes);

  /* A search result in the middle of a run of equal times. */
  target = all->pdata[250];
  position = flint_conversation_load_around (conversation, target->time, target->id, 30);
  g_assert_cmpint (position, ==, 30);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 61);
  {
    g_autofree char *body = body_at (conversation, (guint) position);
    g_assert_cmpstr (body, ==, "m0250");
  }
  g_assert_cmpint (check_contiguous (conversation), ==, 220);
  g_assert_false (flint_conversation_get_latest (conversation));
  g_assert_false (flint_conversation_get_complete (conversation));
  g_assert_nonnull (flint_conversation_find (conversation, target->id));

  /* A date: the first message at or after that time. */
  position = flint_conversation_load_around (conversation, 1000 + 40, -1, 30);
  {
    g_autofree char *body = body_at (conversation, (guint) position);
    g_assert_cmpstr (body, ==, "m0280");
  }
  /* Near the start and the end the window is short on one side. */
  position = flint_conversation_load_around (conversation, 0, -1, 30);
  g_assert_cmpint (position, ==, 0);
  g_assert_true (flint_conversation_get_complete (conversation));
  position = flint_conversation_load_around (conversation, 999999, -1, 30);
  {
    g_autofree char *body = body_at (conversation, (guint) position);
    g_assert_cmpstr (body, ==, "m0499");
  }
  g_assert_true (flint_conversation_get_latest (conversation));

  /* Back to the latest page. */
  flint_conversation_load_around (conversation, 1000, -1, 30);
  flint_conversation_jump_to_latest (conversation);
  g_assert_true (flint_conversation_get_latest (conversation));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 20);
  g_assert_cmpint (check_contiguous (conversation), ==, 480);
  g_remove (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conversation/paging", test_paging);
  g_test_add_func ("/conversation/update-marks-edited", test_update_marks_edited);
  g_test_add_func ("/conversation/live-flood-is-batched", test_live_flood_is_batched);
  g_test_add_func ("/conversation/live-flood-by-rate", test_live_flood_by_rate);
  g_test_add_func ("/conversation/bounded-window", test_bounded_window);
  g_test_add_func ("/conversation/live-trim-when-quiet", test_live_trim_when_quiet);
  g_test_add_func ("/conversation/load-around", test_load_around);
  return g_test_run ();
}

#include "config.h"

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
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 50);
  g_assert_false (flint_conversation_get_complete (conversation));

  g_assert_cmpuint (flint_conversation_load_older (conversation, 50), ==, 50);
  g_assert_cmpuint (flint_conversation_load_older (conversation, 50), ==, 20);
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

static gboolean
quit_loop (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_loop, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_live_flood_is_batched (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-conv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = flint_history_open (path, &error);
  g_autoptr (FlintAccount) account = flint_account_new ("me@example.com", NULL);
  g_autoptr (FlintSession) session = flint_session_new (account);
  g_autoptr (FlintChat) chat = flint_chat_new (session, history);
  g_autoptr (FlintConversation) conversation = NULL;
  guint changes = 0;

  g_assert_no_error (error);
  conversation =
    flint_conversation_new (history, chat, "me@example.com", "anna@example.com");
  g_signal_connect (conversation, "items-changed", G_CALLBACK (count_changes), &changes);

  /* One message after a quiet moment shows without waiting. */
  {
    g_autoptr (FlintMessageRecord) r = record ("anna@example.com", 10, "first");
    g_assert_true (flint_history_insert (history, r, NULL, &error));
    g_signal_emit_by_name (chat, "message-stored", r);
    spin (5);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 1);
    g_assert_cmpuint (changes, ==, 1);
  }

  /* A flood of 500 becomes a handful of model changes, all in order. */
  changes = 0;
  for (int i = 0; i < 500; i++)
    {
      g_autofree char *body = g_strdup_printf ("flood %d", i);
      g_autoptr (FlintMessageRecord) r = record ("anna@example.com", 100 + i, body);

      g_assert_true (flint_history_insert (history, r, NULL, &error));
      g_signal_emit_by_name (chat, "message-stored", r);
      if (i % 50 == 0)
        g_main_context_iteration (NULL, FALSE);
    }
  /* Another conversation's message is not ours. */
  {
    g_autoptr (FlintMessageRecord) r = record ("other@example.com", 700, "elsewhere");
    g_assert_true (flint_history_insert (history, r, NULL, &error));
    g_signal_emit_by_name (chat, "message-stored", r);
  }
  spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 501);
  g_assert_cmpuint (changes, <=, 3);
  g_assert_cmpuint (flint_conversation_get_unread (conversation), ==, 501);
  for (guint i = 1; i < 501; i++)
    {
      g_autoptr (FlintMessage) message =
        g_list_model_get_item (G_LIST_MODEL (conversation), i);
      g_autofree char *expected = g_strdup_printf ("flood %u", i - 1);

      g_assert_cmpstr (flint_message_get_body (message), ==, expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conversation/paging", test_paging);
  g_test_add_func ("/conversation/update-marks-edited", test_update_marks_edited);
  g_test_add_func ("/conversation/live-flood-is-batched", test_live_flood_is_batched);
  return g_test_run ();
}

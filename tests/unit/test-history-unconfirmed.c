/* FlintHistory's queries for messages left "sent" and never confirmed
 * (issue 9): which ones, where our archive can be read from, the lookup
 * past the recent window and the state move that never undoes a receipt. */
#include "config.h"

#include <glib/gstdio.h>

#include "flint-history.h"

#define ACCOUNT "me@example.com"
#define BOB "bob@example.com"
#define ALICE "alice@example.com"

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

  f->dir = g_dir_make_tmp ("flint-unconfirmed-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  g_clear_object (&f->history);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
  g_free (f->path);
}

/* Stores a message; @id is its origin-id and id; @stanza_id its archive
 * id by our account (NULL: none). */
static gint64
add (Fixture *f,
     const char *conversation,
     FlintDirection direction,
     const char *id,
     FlintDeliveryState state,
     gint64 time,
     const char *stanza_id)
{
  g_autoptr (FlintMessageRecord) r = flint_message_record_new ();
  g_autoptr (GError) error = NULL;

  r->account = g_strdup (ACCOUNT);
  r->conversation = g_strdup (conversation);
  r->kind = FLINT_MESSAGE_KIND_CHAT;
  r->direction = direction;
  r->sender = g_strdup (direction == FLINT_DIRECTION_OUTGOING ? ACCOUNT : conversation);
  r->body = g_strdup (id);
  r->time = time;
  r->local_time = time;
  r->origin_id = g_strdup (id);
  r->message_id = g_strdup (id);
  r->state = state;
  if (stanza_id)
    {
      r->stanza_id = g_strdup (stanza_id);
      r->stanza_id_by = g_strdup (ACCOUNT);
    }
  g_assert_true (flint_history_insert (f->history, r, NULL, &error));
  g_assert_no_error (error);
  return r->id;
}

static char *
bodies (GPtrArray *records)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "",
                            ((FlintMessageRecord *) records->pdata[i])->body);
  return g_string_free (out, FALSE);
}

static void
test_unconfirmed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GPtrArray) recent = NULL;
  g_autofree char *text = NULL;

  add (f, BOB, FLINT_DIRECTION_OUTGOING, "old-sent", FLINT_DELIVERY_SENT, 100, NULL);
  add (f, BOB, FLINT_DIRECTION_OUTGOING, "pending", FLINT_DELIVERY_PENDING, 200, NULL);
  add (f, ALICE, FLINT_DIRECTION_OUTGOING, "sent-b", FLINT_DELIVERY_SENT, 400, NULL);
  add (f, BOB, FLINT_DIRECTION_OUTGOING, "sent-a", FLINT_DELIVERY_SENT, 300, NULL);
  add (f, BOB, FLINT_DIRECTION_OUTGOING, "acked", FLINT_DELIVERY_ACKED, 500, NULL);
  add (f, BOB, FLINT_DIRECTION_INCOMING, "incoming", FLINT_DELIVERY_RECEIVED, 600, "s1");

  /* Oldest first; "since" leaves the old one out. */
  found = flint_history_get_unconfirmed (f->history, ACCOUNT, 150, 1000, &error);
  g_assert_no_error (error);
  text = bodies (found);
  g_assert_cmpstr (text, ==, "sent-a sent-b");

  /* Only among the newest rows: of the last three ("sent-a", "acked",
   * "incoming") only "sent-a" is one. */
  recent = flint_history_get_unconfirmed (f->history, ACCOUNT, 0, 3, &error);
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = bodies (recent);
  g_assert_cmpstr (text, ==, "sent-a");

  g_clear_pointer (&found, g_ptr_array_unref);
  found =
    flint_history_get_unconfirmed (f->history, "nobody@example.com", 0, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 0);
}

static void
test_archive_id_before (Fixture *f, gconstpointer data)
{
  g_autofree char *none = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  add (f, BOB, FLINT_DIRECTION_INCOMING, "one", FLINT_DELIVERY_RECEIVED, 100, "s1");
  add (f, ALICE, FLINT_DIRECTION_INCOMING, "two", FLINT_DELIVERY_RECEIVED, 200, "s2");
  add (f, BOB, FLINT_DIRECTION_OUTGOING, "mine", FLINT_DELIVERY_SENT, 300, NULL);

  none = flint_history_get_archive_id_before (f->history, ACCOUNT, 100);
  g_assert_null (none);
  first = flint_history_get_archive_id_before (f->history, ACCOUNT, 150);
  g_assert_cmpstr (first, ==, "s1");
  second = flint_history_get_archive_id_before (f->history, ACCOUNT, 300);
  g_assert_cmpstr (second, ==, "s2");
}

static void
test_find_and_move (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintMessageRecord) found = NULL;
  g_autoptr (FlintMessageRecord) again = NULL;
  gboolean moved = TRUE;
  gint64 id;

  id = add (f, BOB, FLINT_DIRECTION_OUTGOING, "mine", FLINT_DELIVERY_SENT, 100, NULL);
  /* Far out of any recent window. */
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *in = g_strdup_printf ("in %u", i);

      add (f, BOB, FLINT_DIRECTION_INCOMING, in, FLINT_DELIVERY_RECEIVED, 200 + i, NULL);
    }
  found = flint_history_find_outgoing (f->history, ACCOUNT, BOB, "mine");
  g_assert_nonnull (found);
  g_assert_cmpint (found->id, ==, id);
  g_assert_null (flint_history_find_outgoing (f->history, ACCOUNT, BOB, "in 3"));
  g_assert_null (flint_history_find_outgoing (f->history, ACCOUNT, ALICE, "mine"));
  g_assert_null (flint_history_find_outgoing (f->history, ACCOUNT, BOB, ""));

  /* SENT -> ACKED once; a later move from SENT changes nothing. */
  g_assert_true (flint_history_move_state (f->history, id, FLINT_DELIVERY_SENT,
                                           FLINT_DELIVERY_DELIVERED, &moved, &error));
  g_assert_no_error (error);
  g_assert_true (moved);
  g_assert_true (flint_history_move_state (f->history, id, FLINT_DELIVERY_SENT,
                                           FLINT_DELIVERY_ACKED, &moved, &error));
  g_assert_false (moved);
  again = flint_history_find_outgoing (f->history, ACCOUNT, BOB, "mine");
  g_assert_cmpint (again->state, ==, FLINT_DELIVERY_DELIVERED);
}

#define ADD(name, func)                                                                  \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/history-unconfirmed/unconfirmed", test_unconfirmed);
  ADD ("/history-unconfirmed/archive-id-before", test_archive_id_before);
  ADD ("/history-unconfirmed/find-and-move", test_find_and_move);
  return g_test_run ();
}

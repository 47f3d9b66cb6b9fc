/* Helper of test-history-crash: inserts batches of messages into a history
 * file forever, printing the number of batches committed after each one,
 * until it is killed.
 *   history-writer PATH ROUND BATCH_SIZE
 * Message origin-ids are "ROUND-BATCH-I", bodies name the round and batch
 * so the test can search for them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "flint-history.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = NULL;
  guint round, size;

  if (argc != 4)
    {
      fprintf (stderr, "usage: %s PATH ROUND BATCH_SIZE\n", argv[0]);
      return 2;
    }
  round = (guint) atoi (argv[2]);
  size = (guint) atoi (argv[3]);
  history = flint_history_open (argv[1], &error);
  if (history == NULL)
    {
      fprintf (stderr, "open: %s\n", error->message);
      return 1;
    }

  for (guint batch = 0;; batch++)
    {
      g_autoptr (GPtrArray) records =
        g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
      guint inserted = 0;

      for (guint i = 0; i < size; i++)
        {
          FlintMessageRecord *r = flint_message_record_new ();

          r->account = g_strdup ("me@example.com");
          r->conversation = g_strdup (i % 3 ? "bob@example.com" : "carol@example.com");
          r->direction = FLINT_DIRECTION_INCOMING;
          r->sender = g_strdup (r->conversation);
          r->body = g_strdup_printf ("round%u batch%u message %u of a crash test", round,
                                     batch, i);
          r->time = r->local_time = g_get_real_time ();
          r->origin_id = g_strdup_printf ("%u-%u-%u", round, batch, i);
          g_ptr_array_add (records, r);
        }
      if (!flint_history_insert_batch (history, records, &inserted, &error) ||
          inserted != size)
        {
          fprintf (stderr, "insert: %s\n", error ? error->message : "duplicates");
          return 1;
        }
      /* Only now is the batch committed (in the WAL): say so. */
      printf ("%u\n", batch + 1);
      fflush (stdout);
    }
}

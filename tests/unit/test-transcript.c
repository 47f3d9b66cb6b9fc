/* Transcripts: plain text and HTML formatting (escaping, day headings,
 * senders, corrections), and the export from a real history file, whole
 * and by date range. Runs in UTC and the C locale, so dates are known. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "flint-history.h"
#include "flint-transcript.h"

#define ACCOUNT "me@example.com"
#define BOB "bob@example.com"
#define HOUR (G_USEC_PER_SEC * (gint64) 3600)
#define DAY (24 * HOUR)
/* 2026-01-05 10:00:00 UTC, a Monday */
#define T0 (G_USEC_PER_SEC * (gint64) 1767607200)

static FlintMessageRecord *
make (FlintDirection direction, const char *body, gint64 time, const char *id)
{
  FlintMessageRecord *r = flint_message_record_new ();

  r->account = g_strdup (ACCOUNT);
  r->conversation = g_strdup (BOB);
  r->direction = direction;
  r->sender = g_strdup (direction == FLINT_DIRECTION_OUTGOING ? ACCOUNT : BOB);
  r->body = g_strdup (body);
  r->time = time;
  r->local_time = time;
  r->message_id = g_strdup (id);
  return r;
}

static char *
render (FlintTranscriptFormat format, GPtrArray *records)
{
  g_autoptr (FlintTranscript) t = flint_transcript_new (format, ACCOUNT, BOB);
  GString *out = g_string_new (NULL);

  flint_transcript_set_names (t, "Bob Builder", "Me Myself");
  flint_transcript_begin (t, out);
  for (guint i = 0; i < records->len; i++)
    flint_transcript_add (t, out, g_ptr_array_index (records, i));
  flint_transcript_end (t, out);
  return g_string_free (out, FALSE);
}

static GPtrArray *
sample (void)
{
  GPtrArray *records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  FlintMessageRecord *fixed;

  g_ptr_array_add (
    records, make (FLINT_DIRECTION_INCOMING, "Hello <b>you</b> & \"co\"", T0, "m1"));
  g_ptr_array_add (records, make (FLINT_DIRECTION_OUTGOING, "line one\nline two",
                                  T0 + 60 * G_USEC_PER_SEC, "m2"));
  fixed = make (FLINT_DIRECTION_OUTGOING, "fixed text", T0 + DAY, "m3");
  fixed->correction_of = g_strdup ("m2");
  g_ptr_array_add (records, fixed);
  return records;
}

static void
test_text (void)
{
  g_autoptr (GPtrArray) records = sample ();
  g_autofree char *text = render (FLINT_TRANSCRIPT_TEXT, records);

  g_assert_true (
    g_str_has_prefix (text, "Conversation with Bob Builder\nAccount: " ACCOUNT "\n"));
  /* The C locale's %A %x and %X */
  g_assert_nonnull (strstr (text, "\nMonday 01/05/26\n"
                                  "[10:00:00] Bob Builder: Hello <b>you</b> & \"co\"\n"
                                  "[10:01:00] Me Myself: line one\n    line two\n"
                                  "\nTuesday 01/06/26\n"
                                  "[10:00:00] Me Myself: fixed text (edited)\n"));
  g_assert_null (strstr (text, "&amp;"));
}

static void
test_html (void)
{
  g_autoptr (GPtrArray) records = sample ();
  g_autofree char *html = NULL;
  FlintMessageRecord *evil = make (
    FLINT_DIRECTION_INCOMING, "</span><script>alert(1)</script>", T0 + DAY + 1, "m4");

  g_ptr_array_add (records, evil);
  html = render (FLINT_TRANSCRIPT_HTML, records);
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
  g_assert_true (g_str_has_suffix (html, "</body></html>\n"));
  g_assert_nonnull (strstr (html, "<meta charset=\"utf-8\">"));
  g_assert_nonnull (strstr (html, "<style>"));
  /* Self-contained: nothing loaded from elsewhere. */
  g_assert_null (strstr (html, "src="));
  g_assert_null (strstr (html, "href="));
  g_assert_nonnull (strstr (html, "<h2>Monday 01/05/26</h2>"));
  g_assert_nonnull (strstr (html, "Hello &lt;b&gt;you&lt;/b&gt; &amp; &quot;co&quot;"));
  g_assert_null (strstr (html, "<b>you"));
  g_assert_null (strstr (html, "<script>"));
  g_assert_nonnull (strstr (html, "&lt;script&gt;"));
  g_assert_nonnull (strstr (html, "<span class=\"s\">Bob Builder</span>"));
  g_assert_nonnull (strstr (html, "fixed text</span><span class=\"e\">(edited)</span>"));
  /* One div per message */
  {
    guint n = 0;

    for (const char *p = html; (p = strstr (p, "<div class=\"m ")); p++)
      n++;
    g_assert_cmpuint (n, ==, 4);
  }
}

static void
test_names_default_to_jids (void)
{
  g_autoptr (FlintTranscript) t =
    flint_transcript_new (FLINT_TRANSCRIPT_TEXT, ACCOUNT, BOB);
  g_autoptr (FlintMessageRecord) in = make (FLINT_DIRECTION_INCOMING, "a", T0, NULL);
  g_autoptr (FlintMessageRecord) out = make (FLINT_DIRECTION_OUTGOING, "b", T0, NULL);
  g_autoptr (GString) s = g_string_new (NULL);

  flint_transcript_begin (t, s);
  flint_transcript_add (t, s, in);
  flint_transcript_add (t, s, out);
  flint_transcript_end (t, s);
  g_assert_nonnull (strstr (s->str, "Conversation with " BOB "\n"));
  g_assert_nonnull (strstr (s->str, "] " BOB ": a\n"));
  g_assert_nonnull (strstr (s->str, "] " ACCOUNT ": b\n"));
  g_assert_null (strstr (s->str, "No messages."));
}

/* ---- export from a history file ----------------------------------------- */

typedef struct
{
  gboolean done;
  guint n;
  GError *error;
} Wait;

static void
on_exported (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *w = data;

  flint_transcript_export_finish (FLINT_TRANSCRIPT (source), result, &w->n, &w->error);
  w->done = TRUE;
}

static char *
export_to (const char *db,
           FlintTranscriptFormat format,
           gint64 from,
           gint64 until,
           const char *out_path,
           guint *out_n)
{
  g_autoptr (FlintTranscript) t = flint_transcript_new (format, ACCOUNT, BOB);
  g_autoptr (GFile) file = g_file_new_for_path (out_path);
  Wait w = { 0 };
  char *contents = NULL;

  flint_transcript_set_range (t, from, until);
  flint_transcript_export_async (t, db, file, NULL, on_exported, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w.error);
  *out_n = w.n;
  g_file_get_contents (out_path, &contents, NULL, NULL);
  g_assert_nonnull (contents);
  return contents;
}

static void
test_export (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-transcript-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "history.db", NULL);
  g_autofree char *out = g_build_filename (dir, "out.txt", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintHistory) history = flint_history_open (db, &error);
  g_autoptr (GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_autofree char *all = NULL;
  g_autofree char *range = NULL;
  g_autofree char *empty = NULL;
  guint n = 0;

  g_assert_no_error (error);
  /* 1,200 messages, one an hour: more than two pages of the export; the
   * last ones stored first, so the export must order by time. */
  for (guint i = 1200; i > 0; i--)
    {
      g_autofree char *body = g_strdup_printf ("message %u", i - 1);
      g_autofree char *id = g_strdup_printf ("id%u", i - 1);

      g_ptr_array_add (records,
                       make (i % 2 ? FLINT_DIRECTION_INCOMING : FLINT_DIRECTION_OUTGOING,
                             body, T0 + (i - 1) * HOUR, id));
    }
  flint_history_insert_batch (history, records, NULL, &error);
  g_assert_no_error (error);

  all = export_to (db, FLINT_TRANSCRIPT_TEXT, 0, G_MAXINT64, out, &n);
  g_assert_cmpuint (n, ==, 1200);
  {
    const char *prev = all;

    for (guint i = 0; i < 1200; i += 97)
      {
        g_autofree char *needle = g_strdup_printf (": message %u\n", i);
        const char *at = strstr (all, needle);

        g_assert_nonnull (at);
        g_assert_true (at > prev); /* in time order */
        prev = at;
      }
  }

  /* The second day only: 24 messages, 24..47. */
  range = export_to (db, FLINT_TRANSCRIPT_HTML, T0 - 10 * HOUR + DAY,
                     T0 - 10 * HOUR + 2 * DAY, out, &n);
  g_assert_cmpuint (n, ==, 24);
  g_assert_nonnull (strstr (range, "message 14<"));
  g_assert_nonnull (strstr (range, "message 37<"));
  g_assert_null (strstr (range, "message 13<"));
  g_assert_null (strstr (range, "message 38<"));
  g_assert_nonnull (strstr (range, "Messages from 01/06/26 to 01/06/26"));

  empty = export_to (db, FLINT_TRANSCRIPT_TEXT, T0 - 2 * DAY, T0 - DAY, out, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_nonnull (strstr (empty, "No messages."));

  g_clear_object (&history);
  g_unlink (out);
  g_unlink (db);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0); /* no .part file left */
}

/* An export that cannot write leaves no file and says why. */
static void
test_export_error (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-transcript-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "history.db", NULL);
  g_autofree char *out = g_build_filename (dir, "missing", "out.txt", NULL);
  g_autoptr (FlintTranscript) t =
    flint_transcript_new (FLINT_TRANSCRIPT_TEXT, ACCOUNT, BOB);
  g_autoptr (GFile) file = g_file_new_for_path (out);
  g_autoptr (FlintHistory) history = flint_history_open (db, NULL);
  Wait w = { 0 };

  flint_transcript_export_async (t, db, file, NULL, on_exported, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_clear_error (&w.error);
  g_clear_object (&history);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0); /* no .part file left */
}

int
main (int argc, char **argv)
{
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C", TRUE);
  setlocale (LC_ALL, "C");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transcript/text", test_text);
  g_test_add_func ("/transcript/html-escaped", test_html);
  g_test_add_func ("/transcript/names-default-to-jids", test_names_default_to_jids);
  g_test_add_func ("/transcript/export-pages-and-range", test_export);
  g_test_add_func ("/transcript/export-error", test_export_error);
  return g_test_run ();
}

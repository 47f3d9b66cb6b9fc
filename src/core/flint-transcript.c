#include "config.h"

#define G_LOG_DOMAIN "flint-transcript"

#include <glib/gi18n-lib.h>

#include "flint-error.h"
#include "flint-transcript.h"

/* Messages read from the history per page (and written per write). */
#define PAGE_SIZE 500

struct _FlintTranscript
{
  GObject parent_instance;

  FlintTranscriptFormat format;
  char *account;
  char *conversation;
  char *peer_name;
  char *own_name;
  gint64 from;
  gint64 until;
  char *last_day; /* the day heading written last: a new one when it changes */
  guint n_messages;
};

G_DEFINE_FINAL_TYPE (FlintTranscript, flint_transcript, G_TYPE_OBJECT)

/* Small, readable on screen and on paper, light or dark as the reader likes. */
static const char style[] =
  "body{font-family:sans-serif;max-width:50em;margin:2em auto;padding:0 1em;"
  "line-height:1.4;color:#222;background:#fff}"
  "h1{font-size:1.4em;margin-bottom:.2em}"
  "p.meta{color:#666;margin-top:0}"
  "h2{font-size:1em;color:#666;border-bottom:1px solid #ddd;margin-top:1.5em}"
  "div.m{margin:.2em 0}"
  ".t{color:#888;font-size:.85em;margin-right:.5em}"
  ".s{font-weight:bold;margin-right:.4em}"
  ".out .s{color:#1c71d8}.in .s{color:#26a269}"
  ".b{white-space:pre-wrap;overflow-wrap:anywhere}"
  ".e{color:#888;font-size:.85em;margin-left:.4em}"
  "@media (prefers-color-scheme:dark){body{color:#ddd;background:#1e1e1e}"
  "h2{border-color:#444}.out .s{color:#78aeed}.in .s{color:#8ff0a4}}";

static GDateTime *
local_time (gint64 usec)
{
  return g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
}

/* g_date_time_format() with the locale's date (%x) or time (%X). */
static char *
format_time (gint64 usec, const char *format)
{
  g_autoptr (GDateTime) dt = local_time (usec);

  return dt ? g_date_time_format (dt, format) : g_strdup ("?");
}

static void
append_escaped (FlintTranscript *self, GString *out, const char *text)
{
  if (self->format == FLINT_TRANSCRIPT_HTML)
    {
      g_autofree char *escaped = g_markup_escape_text (text ? text : "", -1);

      g_string_append (out, escaped);
    }
  else
    g_string_append (out, text ? text : "");
}

static const char *
peer_name (FlintTranscript *self)
{
  return self->peer_name ? self->peer_name : self->conversation;
}

void
flint_transcript_begin (FlintTranscript *self, GString *out)
{
  g_autofree char *title = g_strdup_printf (_ ("Conversation with %s"), peer_name (self));
  g_autofree char *from = self->from > 0 ? format_time (self->from, "%x") : NULL;
  g_autofree char *until =
    self->until < G_MAXINT64 ? format_time (self->until - 1, "%x") : NULL;
  g_autofree char *account = g_strdup_printf (_ ("Account: %s"), self->account);
  g_autofree char *range = NULL;

  g_return_if_fail (FLINT_IS_TRANSCRIPT (self));

  g_clear_pointer (&self->last_day, g_free);
  self->n_messages = 0;
  if (from && until)
    range = g_strdup_printf (_ ("Messages from %s to %s"), from, until);
  else if (from)
    range = g_strdup_printf (_ ("Messages from %s on"), from);
  else if (until)
    range = g_strdup_printf (_ ("Messages until %s"), until);

  if (self->format == FLINT_TRANSCRIPT_TEXT)
    {
      g_string_append_printf (out, "%s\n%s\n", title, account);
      if (range)
        g_string_append_printf (out, "%s\n", range);
      return;
    }

  g_string_append (out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width\">\n"
                        "<title>");
  append_escaped (self, out, title);
  g_string_append_printf (out, "</title>\n<style>%s</style>\n</head><body>\n<h1>", style);
  append_escaped (self, out, title);
  g_string_append (out, "</h1>\n<p class=\"meta\">");
  append_escaped (self, out, account);
  if (range)
    {
      g_string_append (out, "<br>");
      append_escaped (self, out, range);
    }
  g_string_append (out, "</p>\n");
}

void
flint_transcript_add (FlintTranscript *self,
                      GString *out,
                      const FlintMessageRecord *record)
{
  g_autofree char *day = NULL;
  g_autofree char *time = NULL;
  const char *sender;
  gboolean outgoing;

  g_return_if_fail (FLINT_IS_TRANSCRIPT (self));
  g_return_if_fail (record != NULL);

  /* The weekday and the locale's date, e.g. "Monday 11/23/2026". */
  day = format_time (record->time, "%A %x");
  time = format_time (record->time, "%X");
  outgoing = record->direction == FLINT_DIRECTION_OUTGOING;
  if (record->kind == FLINT_MESSAGE_KIND_GROUPCHAT && record->sender && *record->sender)
    sender = record->sender;
  else if (outgoing)
    sender = self->own_name ? self->own_name : self->account;
  else
    sender = peer_name (self);
  self->n_messages++;

  if (g_strcmp0 (day, self->last_day) != 0)
    {
      if (self->format == FLINT_TRANSCRIPT_TEXT)
        g_string_append_printf (out, "\n%s\n", day);
      else
        {
          g_string_append (out, "<h2>");
          append_escaped (self, out, day);
          g_string_append (out, "</h2>\n");
        }
      g_free (self->last_day);
      self->last_day = g_steal_pointer (&day);
    }

  if (self->format == FLINT_TRANSCRIPT_TEXT)
    {
      g_auto (GStrv) lines = g_strsplit (record->body ? record->body : "", "\n", -1);

      g_string_append_printf (out, "[%s] %s: %s", time, sender, lines[0]);
      /* Later lines indented under the first, so none looks like a
       * message of its own. */
      for (guint i = 1; lines[i]; i++)
        g_string_append_printf (out, "\n    %s", lines[i]);
      if (record->correction_of)
        g_string_append_printf (out, " %s", _ ("(edited)"));
      g_string_append_c (out, '\n');
      return;
    }

  g_string_append_printf (out, "<div class=\"m %s\"><span class=\"t\">",
                          outgoing ? "out" : "in");
  append_escaped (self, out, time);
  g_string_append (out, "</span><span class=\"s\">");
  append_escaped (self, out, sender);
  g_string_append (out, "</span><span class=\"b\">");
  append_escaped (self, out, record->body);
  g_string_append (out, "</span>");
  if (record->correction_of)
    {
      g_string_append (out, "<span class=\"e\">");
      append_escaped (self, out, _ ("(edited)"));
      g_string_append (out, "</span>");
    }
  g_string_append (out, "</div>\n");
}

void
flint_transcript_end (FlintTranscript *self, GString *out)
{
  g_return_if_fail (FLINT_IS_TRANSCRIPT (self));

  if (self->n_messages == 0)
    {
      const char *none = _ ("No messages.");

      if (self->format == FLINT_TRANSCRIPT_TEXT)
        g_string_append_printf (out, "\n%s\n", none);
      else
        {
          g_string_append (out, "<p>");
          append_escaped (self, out, none);
          g_string_append (out, "</p>\n");
        }
    }
  if (self->format == FLINT_TRANSCRIPT_HTML)
    g_string_append (out, "</body></html>\n");
}

/* ---- export --------------------------------------------------------------- */

typedef struct
{
  char *path;
  GFile *file;
} Export;

static void
export_free (Export *export)
{
  g_free (export->path);
  g_object_unref (export->file);
  g_free (export);
}

static gboolean
write_chunk (GOutputStream *stream,
             GString *chunk,
             GCancellable *cancellable,
             GError **error)
{
  gboolean ok =
    g_output_stream_write_all (stream, chunk->str, chunk->len, NULL, cancellable, error);

  g_string_truncate (chunk, 0);
  return ok;
}

static void
export_run (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  FlintTranscript *self = source;
  Export *export = data;
  g_autoptr (FlintHistory) history = NULL;
  g_autoptr (GFileOutputStream) stream = NULL;
  g_autoptr (GFile) parent = NULL;
  g_autoptr (GFile) part = NULL;
  g_autofree char *base = NULL;
  g_autofree char *part_name = NULL;
  g_autoptr (GString) chunk = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  gint64 time = self->from, id = 0;

  history = flint_history_open (export->path, &error);
  if (history == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error); /* a recovered store: the main thread reports it */

  /* Written beside the target and moved over it once complete: a failed
   * or cancelled export leaves any older file as it was, and never half a
   * transcript under the chosen name. Private: it is someone's messages. */
  parent = g_file_get_parent (export->file);
  base = g_file_get_basename (export->file);
  part_name =
    g_strdup_printf (".%s.%08x.part", base ? base : "transcript", g_random_int ());
  if (parent == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME, "%s",
                               _ ("Choose a file to save the transcript in."));
      return;
    }
  part = g_file_get_child (parent, part_name);
  stream = g_file_create (part, G_FILE_CREATE_PRIVATE, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  flint_transcript_begin (self, chunk);
  for (;;)
    {
      g_autoptr (GPtrArray) page =
        flint_history_get_range (history, self->account, self->conversation, time, id,
                                 self->until, PAGE_SIZE, &error);

      if (page == NULL)
        break;
      for (guint i = 0; i < page->len; i++)
        flint_transcript_add (self, chunk, g_ptr_array_index (page, i));
      if (!write_chunk (G_OUTPUT_STREAM (stream), chunk, cancellable, &error))
        break;
      if (page->len < PAGE_SIZE)
        break;
      time = ((FlintMessageRecord *) g_ptr_array_index (page, page->len - 1))->time;
      id = ((FlintMessageRecord *) g_ptr_array_index (page, page->len - 1))->id;
    }
  if (error == NULL)
    {
      flint_transcript_end (self, chunk);
      write_chunk (G_OUTPUT_STREAM (stream), chunk, cancellable, &error);
    }
  if (error == NULL)
    g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &error);
  if (error == NULL)
    g_file_move (part, export->file, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL,
                 &error);
  if (error)
    {
      g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
      g_file_delete (part, NULL, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_int (task, self->n_messages);
}

void
flint_transcript_export_async (FlintTranscript *self,
                               const char *history_path,
                               GFile *file,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Export *export;

  g_return_if_fail (FLINT_IS_TRANSCRIPT (self));
  g_return_if_fail (history_path != NULL);
  g_return_if_fail (G_IS_FILE (file));

  export = g_new0 (Export, 1);
  export->path = g_strdup (history_path);
  export->file = g_object_ref (file);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, flint_transcript_export_async);
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_run_in_thread (task, export_run);
}

gboolean
flint_transcript_export_finish (FlintTranscript *self,
                                GAsyncResult *result,
                                guint *out_n_messages,
                                GError **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (out_n_messages)
    *out_n_messages = (guint) n;
  return TRUE;
}

/* ---- object --------------------------------------------------------------- */

void
flint_transcript_set_names (FlintTranscript *self, const char *peer, const char *own)
{
  g_return_if_fail (FLINT_IS_TRANSCRIPT (self));

  g_free (self->peer_name);
  self->peer_name = peer && *peer ? g_strdup (peer) : NULL;
  g_free (self->own_name);
  self->own_name = own && *own ? g_strdup (own) : NULL;
}

void
flint_transcript_set_range (FlintTranscript *self, gint64 from, gint64 until)
{
  g_return_if_fail (FLINT_IS_TRANSCRIPT (self));
  self->from = MAX (from, 0);
  self->until = until > 0 ? until : G_MAXINT64;
}

static void
flint_transcript_finalize (GObject *object)
{
  FlintTranscript *self = FLINT_TRANSCRIPT (object);

  g_free (self->account);
  g_free (self->conversation);
  g_free (self->peer_name);
  g_free (self->own_name);
  g_free (self->last_day);
  G_OBJECT_CLASS (flint_transcript_parent_class)->finalize (object);
}

static void
flint_transcript_class_init (FlintTranscriptClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = flint_transcript_finalize;
}

static void
flint_transcript_init (FlintTranscript *self)
{
  self->until = G_MAXINT64;
}

FlintTranscript *
flint_transcript_new (FlintTranscriptFormat format,
                      const char *account,
                      const char *conversation)
{
  FlintTranscript *self;

  g_return_val_if_fail (account != NULL && conversation != NULL, NULL);

  self = g_object_new (FLINT_TYPE_TRANSCRIPT, NULL);
  self->format = format;
  self->account = g_strdup (account);
  self->conversation = g_strdup (conversation);
  return self;
}

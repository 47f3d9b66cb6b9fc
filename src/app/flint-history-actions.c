#include "config.h"

#define G_LOG_DOMAIN "flint-history-actions"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-application.h"
#include "flint-history-actions.h"
#include "flint-history-jobs.h"

typedef struct
{
  GWeakRef window;
  char *account;
  char *jid;
  char *peer_name;
} Target;

static Target *
target_new (FlintWindow *window, const char *account, const char *jid, const char *peer)
{
  Target *target = g_new0 (Target, 1);

  g_weak_ref_init (&target->window, window);
  target->account = g_strdup (account);
  target->jid = g_strdup (jid);
  target->peer_name = g_strdup (peer && *peer ? peer : jid);
  return target;
}

static void
target_free (Target *target)
{
  g_weak_ref_clear (&target->window);
  g_free (target->account);
  g_free (target->jid);
  g_free (target->peer_name);
  g_free (target);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Target, target_free)

static const char *
history_path (FlintWindow *window)
{
  FlintApplication *app =
    FLINT_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  FlintHistory *history = app ? flint_application_get_history (app) : NULL;

  return history ? flint_history_get_path (history) : NULL;
}

/* ---- export ---------------------------------------------------------------- */

static void
on_exported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Target) target = user_data;
  g_autoptr (FlintWindow) window = g_weak_ref_get (&target->window);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  guint n = 0;

  if (!flint_transcript_export_finish (FLINT_TRANSCRIPT (source), result, &n, &error))
    {
      g_warning ("Could not export the transcript: %s", error->message);
      text = g_strdup_printf (_ ("Could not save the transcript: %s"), error->message);
    }
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Transcript saved (%u message)",
                                         "Transcript saved (%u messages)", n),
                            n);
  if (window)
    flint_window_add_toast (window, text);
}

void
flint_history_actions_export_to (FlintWindow *window,
                                 const char *account,
                                 const char *jid,
                                 const char *peer_name,
                                 FlintTranscriptFormat format,
                                 gint64 from,
                                 GFile *file)
{
  g_autoptr (FlintTranscript) transcript = NULL;
  const char *path = history_path (window);

  if (path == NULL)
    {
      flint_window_add_toast (window, _ ("The message history is not available."));
      return;
    }
  transcript = flint_transcript_new (format, account, jid);
  flint_transcript_set_names (transcript, peer_name, NULL);
  flint_transcript_set_range (transcript, from, G_MAXINT64);
  flint_transcript_export_async (transcript, path, file, NULL, on_exported,
                                 target_new (window, account, jid, peer_name));
}

/* ---- print ----------------------------------------------------------------- */

/* The conversation as plain text (the text transcript, written by the
 * worker to a temporary file), laid out in pages by Pango. */
typedef struct
{
  Target *target;
  GFile *tmp;
  GFile *pdf; /* tests: export to this PDF instead of the print dialog */
  char *text;
  PangoLayout *layout;
  GArray *page_starts; /* first line of each page */
  /* Pages are drawn in order: the iterator goes on from the last page
   * instead of walking the whole layout again for each one. */
  PangoLayoutIter *iter;
  int iter_line;
} Print;

static void
print_free (Print *print)
{
  if (print->tmp)
    g_file_delete (print->tmp, NULL, NULL);
  g_clear_object (&print->tmp);
  g_clear_object (&print->pdf);
  g_clear_pointer (&print->iter, pango_layout_iter_free);
  g_clear_object (&print->layout);
  g_clear_pointer (&print->page_starts, g_array_unref);
  g_free (print->text);
  target_free (print->target);
  g_free (print);
}

static void
on_begin_print (GtkPrintOperation *operation, GtkPrintContext *context, Print *print)
{
  g_autoptr (PangoFontDescription) font = pango_font_description_from_string ("Sans 10");
  double page_height = gtk_print_context_get_height (context);
  double top = 0;
  int n_lines, line_index = 0;
  PangoLayoutIter *iter;

  print->layout = gtk_print_context_create_pango_layout (context);
  pango_layout_set_font_description (print->layout, font);
  pango_layout_set_width (print->layout,
                          (int) (gtk_print_context_get_width (context) * PANGO_SCALE));
  pango_layout_set_wrap (print->layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (print->layout, print->text, -1);

  /* A page break before the first line that would run past the page. */
  print->page_starts = g_array_new (FALSE, FALSE, sizeof (int));
  g_array_append_val (print->page_starts, line_index);
  n_lines = pango_layout_get_line_count (print->layout);
  iter = pango_layout_get_iter (print->layout);
  do
    {
      PangoRectangle logical;
      double y, height;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      y = (double) logical.y / PANGO_SCALE;
      height = (double) logical.height / PANGO_SCALE;
      if (y + height - top > page_height && line_index > 0)
        {
          g_array_append_val (print->page_starts, line_index);
          top = y;
        }
      line_index++;
    }
  while (line_index < n_lines && pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
  gtk_print_operation_set_n_pages (operation, (int) print->page_starts->len);
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext *context,
              int page,
              Print *print)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  int first = g_array_index (print->page_starts, int, page);
  int last = (guint) page + 1 < print->page_starts->len
               ? g_array_index (print->page_starts, int, page + 1)
               : pango_layout_get_line_count (print->layout);
  double top = -1;

  /* Out of order (a page range, a preview going back): start over. */
  if (print->iter == NULL || print->iter_line > first)
    {
      g_clear_pointer (&print->iter, pango_layout_iter_free);
      print->iter = pango_layout_get_iter (print->layout);
      print->iter_line = 0;
    }
  while (print->iter_line < first && pango_layout_iter_next_line (print->iter))
    print->iter_line++;
  while (print->iter_line < last)
    {
      PangoRectangle logical;
      int baseline = pango_layout_iter_get_baseline (print->iter);

      pango_layout_iter_get_line_extents (print->iter, NULL, &logical);
      if (top < 0)
        top = (double) logical.y / PANGO_SCALE;
      cairo_move_to (cr, (double) logical.x / PANGO_SCALE,
                     (double) baseline / PANGO_SCALE - top);
      pango_cairo_show_layout_line (cr,
                                    pango_layout_iter_get_line_readonly (print->iter));
      if (!pango_layout_iter_next_line (print->iter))
        {
          print->iter_line = last;
          break;
        }
      print->iter_line++;
    }
}

static void
on_print_done (GtkPrintOperation *operation, GtkPrintOperationResult result, Print *print)
{
  g_autoptr (FlintWindow) window = g_weak_ref_get (&print->target->window);
  g_autoptr (GError) error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      if (window)
        {
          g_autofree char *text = g_strdup_printf (
            _ ("Could not print the conversation: %s"), error ? error->message : "");
          flint_window_add_toast (window, text);
        }
    }
  print_free (print);
}

static void
on_print_exported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Print *print = user_data;
  g_autoptr (FlintWindow) window = g_weak_ref_get (&print->target->window);
  g_autoptr (GtkPrintOperation) operation = NULL;
  g_autoptr (GError) error = NULL;
  guint n = 0;

  if (!flint_transcript_export_finish (FLINT_TRANSCRIPT (source), result, &n, &error) ||
      !g_file_load_contents (print->tmp, NULL, &print->text, NULL, NULL, &error) ||
      window == NULL)
    {
      if (window)
        {
          g_autofree char *text =
            g_strdup_printf (_ ("Could not print the conversation: %s"), error->message);
          flint_window_add_toast (window, text);
        }
      print_free (print);
      return;
    }
  operation = gtk_print_operation_new ();
  gtk_print_operation_set_job_name (operation, print->target->peer_name);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print), print);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), print);
  g_signal_connect (operation, "done", G_CALLBACK (on_print_done), print);
  if (print->pdf)
    {
      g_autofree char *path = g_file_get_path (print->pdf);

      gtk_print_operation_set_export_filename (operation, path);
    }
  /* Synchronous results (export, errors) come through "done" too. */
  gtk_print_operation_run (operation,
                           print->pdf ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                      : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                           GTK_WINDOW (window), NULL);
}

void
flint_history_actions_print (FlintWindow *window,
                             const char *account,
                             const char *jid,
                             const char *peer_name,
                             GFile *pdf)
{
  g_autoptr (FlintTranscript) transcript = NULL;
  g_autoptr (GFileIOStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  const char *path = history_path (window);
  Print *print;

  if (path == NULL)
    {
      flint_window_add_toast (window, _ ("The message history is not available."));
      return;
    }
  print = g_new0 (Print, 1);
  print->target = target_new (window, account, jid, peer_name);
  print->pdf = pdf ? g_object_ref (pdf) : NULL;
  print->tmp = g_file_new_tmp ("flint-print-XXXXXX.txt", &stream, &error);
  if (print->tmp == NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_ ("Could not print the conversation: %s"), error->message);

      flint_window_add_toast (window, text);
      print_free (print);
      return;
    }
  transcript = flint_transcript_new (FLINT_TRANSCRIPT_TEXT, account, jid);
  flint_transcript_set_names (transcript, peer_name, NULL);
  flint_transcript_export_async (transcript, path, print->tmp, NULL, on_print_exported,
                                 print);
}

/* The "range" choice of the save dialog: the start of today, or of the
 * day that many days back, in local time. */
static gint64
range_start (const char *range)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) today =
    g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                           g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr (GDateTime) start = NULL;

  if (g_strcmp0 (range, "today") == 0)
    start = g_date_time_ref (today);
  else if (g_strcmp0 (range, "week") == 0)
    start = g_date_time_add_days (today, -6);
  else if (g_strcmp0 (range, "month") == 0)
    start = g_date_time_add_months (today, -1);
  else if (g_strcmp0 (range, "year") == 0)
    start = g_date_time_add_years (today, -1);
  else
    return 0;
  return g_date_time_to_unix (start) * G_USEC_PER_SEC;
}

static void
on_export_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  g_autoptr (Target) target = user_data;
  g_autoptr (FlintWindow) window = g_weak_ref_get (&target->window);
  GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
  g_autoptr (GFile) file = NULL;
  const char *format = NULL;
  gboolean html;

  if (response == GTK_RESPONSE_ACCEPT && window)
    {
      file = gtk_file_chooser_get_file (chooser);
      format = gtk_file_chooser_get_choice (chooser, "format");
      html = g_strcmp0 (format, "html") == 0;
      if (file)
        {
          g_autofree char *name = g_file_get_basename (file);

          /* A name typed without an extension gets the format's. */
          if (name && strchr (name, '.') == NULL)
            {
              g_autofree char *named = g_strconcat (name, html ? ".html" : ".txt", NULL);
              g_autoptr (GFile) parent = g_file_get_parent (file);

              if (parent)
                {
                  g_object_unref (file);
                  file = g_file_get_child (parent, named);
                }
            }
          flint_history_actions_export_to (
            window, target->account, target->jid, target->peer_name,
            html ? FLINT_TRANSCRIPT_HTML : FLINT_TRANSCRIPT_TEXT,
            range_start (gtk_file_chooser_get_choice (chooser, "range")), file);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
flint_history_actions_export (FlintWindow *window,
                              const char *account,
                              const char *jid,
                              const char *peer_name)
{
  GtkFileChooserNative *dialog;
  /* The first of each is the one selected: GTK 4.8's fallback dialog does
   * not take gtk_file_chooser_set_choice() made before it is shown. */
  const char *format_ids[] = { "html", "text", NULL };
  const char *format_labels[] = { _ ("Web Page (HTML)"), _ ("Plain Text"), NULL };
  const char *range_ids[] = { "all", "today", "week", "month", "year", NULL };
  const char *range_labels[] = { _ ("All Messages"), _ ("Today"),     _ ("Last 7 Days"),
                                 _ ("Last Month"),   _ ("Last Year"), NULL };
  g_autofree char *name = NULL;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  g_autoptr (GFile) folder =
    g_file_new_for_path (documents ? documents : g_get_home_dir ());

  dialog = gtk_file_chooser_native_new (_ ("Export Transcript"), GTK_WINDOW (window),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"),
                                        _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_filter_set_name (filter, _ ("Transcripts"));
  gtk_file_filter_add_suffix (filter, "html");
  gtk_file_filter_add_suffix (filter, "htm");
  gtk_file_filter_add_suffix (filter, "txt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "format", _ ("Format"),
                               format_ids, format_labels);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "range", _ ("Messages"),
                               range_ids, range_labels);
  /* TRANSLATORS: the suggested file name of a transcript; %s is the
   * contact's name. */
  name = g_strdup_printf (_ ("Conversation with %s.html"),
                          peer_name && *peer_name ? peer_name : jid);
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response),
                    target_new (window, account, jid, peer_name));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- clear ----------------------------------------------------------------- */

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Target) target = user_data;
  g_autoptr (FlintWindow) window = g_weak_ref_get (&target->window);
  g_autoptr (GError) error = NULL;
  GApplication *app = g_application_get_default ();

  if (!flint_history_jobs_finish (result, NULL, &error))
    {
      g_autofree char *text =
        g_strdup_printf (_ ("Could not clear the history: %s"), error->message);

      g_warning ("Could not clear the history: %s", error->message);
      if (window)
        flint_window_add_toast (window, text);
      /* Part of it may be gone: show what is left. */
    }
  if (FLINT_IS_APPLICATION (app))
    flint_application_reset_conversation (FLINT_APPLICATION (app), target->account,
                                          target->jid);
  if (window && error == NULL)
    flint_window_add_toast (window, _ ("History cleared"));
}

static void
on_clear_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  Target *target = user_data;
  g_autoptr (FlintWindow) window = g_weak_ref_get (&target->window);
  const char *path = window ? history_path (window) : NULL;

  if (g_strcmp0 (response, "clear") != 0 || path == NULL)
    {
      target_free (target);
      return;
    }
  /* Messages that arrive from now on are not part of what was cleared. */
  flint_history_clear_conversation_async (path, target->account, target->jid,
                                          g_get_real_time (), NULL, on_cleared, target);
}

void
flint_history_actions_clear (FlintWindow *window,
                             const char *account,
                             const char *jid,
                             const char *peer_name)
{
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  body = g_strdup_printf (_ ("All messages with %s stored on this computer will be "
                             "deleted. Messages kept on the server are not affected. "
                             "This cannot be undone."),
                          peer_name && *peer_name ? peer_name : jid);
  dialog = adw_message_dialog_new (GTK_WINDOW (window), _ ("Clear History?"), body);
  /* Not shown, but named for window lists and screen readers. */
  gtk_window_set_title (GTK_WINDOW (dialog), _ ("Clear History"));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "clear", _ ("_Clear History"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clear",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_clear_response),
                    target_new (window, account, jid, peer_name));
  gtk_window_present (GTK_WINDOW (dialog));
}

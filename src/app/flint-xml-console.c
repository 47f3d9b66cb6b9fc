/* FlintXmlConsole: the live stanza log of the main account, filterable, and
 * a box to send raw XML. It listens to the session only while it is open. */
#include "config.h"

#define G_LOG_DOMAIN "flint-xml-console"

#include <glib/gi18n.h>

#include "flint-stanza-log.h"
#include "flint-xml-console.h"

#define MAX_ENTRIES 2000

typedef struct
{
  guint64 serial;
  GtkTextMark *start;
} Shown;

struct _FlintXmlConsole
{
  AdwWindow parent_instance;

  FlintSession *session;
  FlintStanzaLog *log;
  GQueue shown; /* Shown*, oldest first: the entries now in the buffer */

  AdwWindowTitle *window_title;
  GtkSearchEntry *filter_entry;
  GtkDropDown *direction_drop;
  GtkDropDown *kind_drop;
  GtkScrolledWindow *log_scroller;
  GtkTextView *log_view;
  GtkTextView *input_view;
  GtkRevealer *error_revealer;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (FlintXmlConsole, flint_xml_console, ADW_TYPE_WINDOW)

static int
direction_filter (FlintXmlConsole *self)
{
  switch (gtk_drop_down_get_selected (self->direction_drop))
    {
      case 1:
        return 0;
      case 2:
        return 1;
      default:
        return -1;
    }
}

static int
kind_filter (FlintXmlConsole *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_drop);

  /* The list's order is All, then FlintStanzaKind's order. */
  return selected == 0 || selected == GTK_INVALID_LIST_POSITION ? -1 : (int) selected - 1;
}

static gboolean
at_bottom (FlintXmlConsole *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->log_scroller);

  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - 24;
}

static void
append_entry (FlintXmlConsole *self, const FlintStanzaLogEntry *entry)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  g_autoptr (GDateTime) when =
    g_date_time_new_from_unix_local (entry->time_us / G_USEC_PER_SEC);
  g_autofree char *time = g_date_time_format (when, "%X");
  g_autofree char *header = NULL;
  GtkTextIter end;
  Shown *shown;

  if (!flint_stanza_log_entry_matches (
        entry, gtk_editable_get_text (GTK_EDITABLE (self->filter_entry)),
        direction_filter (self), kind_filter (self)))
    return;
  gtk_text_buffer_get_end_iter (buffer, &end);
  shown = g_new0 (Shown, 1);
  shown->serial = entry->serial;
  shown->start = gtk_text_buffer_create_mark (buffer, NULL, &end, TRUE);
  g_queue_push_tail (&self->shown, shown);
  /* Translators: the header of a stanza in the XML console; %s is the time. */
  header =
    g_strdup_printf (entry->outgoing ? _ ("Sent at %s") : _ ("Received at %s"), time);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, header, -1,
                                            entry->outgoing ? "sent" : "received", NULL);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);
  gtk_text_buffer_insert (buffer, &end, entry->pretty, -1);
  gtk_text_buffer_insert (buffer, &end, "\n\n", 2);
}

static void
scroll_to_end (FlintXmlConsole *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);

  gtk_text_view_scroll_to_mark (self->log_view, gtk_text_buffer_get_insert (buffer), 0,
                                FALSE, 0, 1);
}

static void
on_entry_added (FlintStanzaLog *log,
                const FlintStanzaLogEntry *entry,
                FlintXmlConsole *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  gboolean follow = at_bottom (self);
  GtkTextIter end;

  append_entry (self, entry);
  if (follow)
    {
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_place_cursor (buffer, &end);
      scroll_to_end (self);
    }
}

static void
shown_free (GtkTextBuffer *buffer, Shown *shown)
{
  gtk_text_buffer_delete_mark (buffer, shown->start);
  g_free (shown);
}

/* The log forgot its oldest entries: so does the buffer, so it stays
 * bounded too. */
static void
on_entries_dropped (FlintStanzaLog *log, guint n, FlintXmlConsole *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  const FlintStanzaLogEntry *first = flint_stanza_log_get_entry (log, 0);
  guint64 oldest = first ? first->serial : G_MAXUINT64;
  Shown *shown, *keep;
  GtkTextIter start, end;

  shown = g_queue_peek_head (&self->shown);
  if (shown == NULL || shown->serial >= oldest)
    return;
  gtk_text_buffer_get_start_iter (buffer, &start);
  while ((shown = g_queue_peek_head (&self->shown)) && shown->serial < oldest)
    shown_free (buffer, g_queue_pop_head (&self->shown));
  keep = g_queue_peek_head (&self->shown);
  if (keep)
    gtk_text_buffer_get_iter_at_mark (buffer, &end, keep->start);
  else
    gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
}

static void
rebuild (FlintXmlConsole *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter end;
  Shown *shown;

  while ((shown = g_queue_pop_head (&self->shown)))
    shown_free (buffer, shown);
  gtk_text_buffer_set_text (buffer, "", 0);
  for (guint i = 0; i < flint_stanza_log_get_n_entries (self->log); i++)
    append_entry (self, flint_stanza_log_get_entry (self->log, i));
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  scroll_to_end (self);
}

static void
on_filter_changed (FlintXmlConsole *self)
{
  rebuild (self);
}

static void
show_error (FlintXmlConsole *self, const char *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
send_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  FlintXmlConsole *self = FLINT_XML_CONSOLE (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (self->session == NULL)
    {
      show_error (self, _ ("No account is set up, so there is nowhere to send to."));
      return;
    }
  /* On failure the text stays in the box to be fixed. */
  if (!flint_session_send_raw (self->session, text, &error))
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  gtk_text_buffer_set_text (buffer, "", 0);
}

static void
clear_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  FlintXmlConsole *self = FLINT_XML_CONSOLE (widget);

  flint_stanza_log_clear (self->log);
  rebuild (self);
}

static void
find_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (FLINT_XML_CONSOLE (widget)->filter_entry));
}

static void
flint_xml_console_dispose (GObject *object)
{
  FlintXmlConsole *self = FLINT_XML_CONSOLE (object);

  /* Closed: stop listening, so the session pays nothing for the console. */
  if (self->log)
    {
      g_signal_handlers_disconnect_by_data (self->log, self);
      flint_stanza_log_detach (self->log);
    }
  g_queue_clear_full (&self->shown, g_free);
  g_clear_object (&self->log);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (flint_xml_console_parent_class)->dispose (object);
}

static void
flint_xml_console_class_init (FlintXmlConsoleClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_xml_console_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-xml-console.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, window_title);
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, filter_entry);
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, direction_drop);
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, kind_drop);
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, log_scroller);
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, log_view);
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, input_view);
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, FlintXmlConsole, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_install_action (widget_class, "console.send", NULL, send_activated);
  gtk_widget_class_install_action (widget_class, "console.clear", NULL, clear_activated);
  gtk_widget_class_install_action (widget_class, "console.find", NULL, find_activated);
}

static void
flint_xml_console_init (FlintXmlConsole *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_queue_init (&self->shown);
  buffer = gtk_text_view_get_buffer (self->log_view);
  gtk_text_buffer_create_tag (buffer, "sent", "weight", PANGO_WEIGHT_BOLD, "foreground",
                              "#1c71d8", NULL);
  gtk_text_buffer_create_tag (buffer, "received", "weight", PANGO_WEIGHT_BOLD,
                              "foreground", "#26a269", NULL);
  self->log = flint_stanza_log_new (MAX_ENTRIES);
  g_signal_connect (self->log, "entry-added", G_CALLBACK (on_entry_added), self);
  g_signal_connect (self->log, "entries-dropped", G_CALLBACK (on_entries_dropped), self);
}

FlintXmlConsole *
flint_xml_console_new (GtkApplication *app, FlintSession *session)
{
  FlintXmlConsole *self = g_object_new (FLINT_TYPE_XML_CONSOLE, "application", app, NULL);

  if (session)
    {
      self->session = g_object_ref (session);
      adw_window_title_set_subtitle (
        self->window_title, flint_account_get_jid (flint_session_get_account (session)));
      flint_stanza_log_attach (self->log, session);
    }
  return self;
}

char *
flint_xml_console_get_text (FlintXmlConsole *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

const char *
flint_xml_console_get_error (FlintXmlConsole *self)
{
  return gtk_revealer_get_reveal_child (self->error_revealer)
           ? gtk_label_get_text (self->error_label)
           : NULL;
}

guint
flint_xml_console_get_n_shown (FlintXmlConsole *self)
{
  return self->shown.length;
}

void
flint_xml_console_set_input (FlintXmlConsole *self, const char *xml)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->input_view), xml, -1);
}

void
flint_xml_console_set_filter (FlintXmlConsole *self,
                              const char *text,
                              int direction,
                              int kind)
{
  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), text ? text : "");
  gtk_drop_down_set_selected (self->direction_drop,
                              direction < 0 ? 0 : (direction == 0 ? 1 : 2));
  gtk_drop_down_set_selected (self->kind_drop, kind < 0 ? 0 : (guint) kind + 1);
  rebuild (self);
}

#include "config.h"

#define G_LOG_DOMAIN "flint-search-window"

#include <glib/gi18n.h>

#include "flint-json.h"
#include "flint-search-window.h"
#include "flint-widget.h"
#include "flint-window.h"

typedef enum
{
  RANGE_ANY,
  RANGE_TODAY,
  RANGE_WEEK,
  RANGE_MONTH,
  RANGE_YEAR,
  RANGE_OLDER,
} Range;

struct _FlintSearchWindow
{
  AdwWindow parent_instance;

  FlintHistory *history;
  FlintSearch *search;
  char *account;
  GStrv jids; /* the conversation dropdown's JIDs after "All" */

  GtkSearchEntry *entry;
  GtkDropDown *conversation_dropdown;
  GtkDropDown *date_dropdown;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkListView *list_view;
};

G_DEFINE_FINAL_TYPE (FlintSearchWindow, flint_search_window, ADW_TYPE_WINDOW)

static FlintWindow *
get_parent (FlintSearchWindow *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  return FLINT_IS_WINDOW (parent) ? FLINT_WINDOW (parent) : NULL;
}

static char *
display_name (FlintSearchWindow *self, const char *jid)
{
  FlintWindow *parent = get_parent (self);
  char *name = parent ? flint_window_get_display_name (parent, self->account, jid) : NULL;

  return name ? name : g_strdup (jid);
}

static const char *
visible_page (FlintSearchWindow *self)
{
  const char *query = flint_search_get_query (self->search);

  if (query == NULL || *query == '\0')
    return "start";
  if (flint_search_get_error (self->search))
    return "error";
  if (g_list_model_get_n_items (G_LIST_MODEL (self->search)) > 0)
    return "results";
  /* Keep what is shown until the first query has an answer. */
  if (flint_search_get_running (self->search))
    return gtk_stack_get_visible_child_name (self->stack);
  return "empty";
}

static void
update_page (FlintSearchWindow *self)
{
  adw_status_page_set_description (self->error_page,
                                   flint_search_get_error (self->search));
  gtk_stack_set_visible_child_name (self->stack, visible_page (self));
}

/* Older matches when the list is scrolled to its end. */
static void
on_edge_reached (GtkScrolledWindow *scroller,
                 GtkPositionType position,
                 FlintSearchWindow *self)
{
  if (position == GTK_POS_BOTTOM)
    flint_search_load_more (self->search);
}

/* ---- result rows --------------------------------------------------------- */

static char *
format_time (gint64 time)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  if (local == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return flint_format_clock (local);
  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* TRANSLATORS: the date of a search result from this year (strftime) */
    return g_date_time_format (local, _ ("%-d %b"));
  /* TRANSLATORS: the date of a search result from another year (strftime) */
  return g_date_time_format (local, _ ("%-d %b %Y"));
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintSearchWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *time = gtk_label_new (NULL);
  GtkWidget *text = gtk_label_new (NULL);

  gtk_widget_add_css_class (box, "search-result");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "heading");
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_add_css_class (time, "caption");
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (text), 2);
  gtk_label_set_ellipsize (GTK_LABEL (text), PANGO_ELLIPSIZE_END);
  gtk_label_set_use_markup (GTK_LABEL (text), TRUE);
  gtk_box_append (GTK_BOX (top), name);
  gtk_box_append (GTK_BOX (top), time);
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), text);
  gtk_list_item_set_child (item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintSearchWindow *self)
{
  FlintMessage *message = gtk_list_item_get_item (item);
  const FlintMessageRecord *record = flint_message_get_record (message);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *top = gtk_widget_get_first_child (box);
  GtkWidget *name = gtk_widget_get_first_child (top);
  GtkWidget *time = gtk_widget_get_next_sibling (name);
  GtkWidget *text = gtk_widget_get_next_sibling (top);
  g_autofree char *title = display_name (self, record->conversation);
  g_autofree char *when = format_time (record->time);
  const char *markup = flint_search_get_markup (self->search, message);
  g_autofree char *line = NULL;

  if (record->direction == FLINT_DIRECTION_OUTGOING)
    /* TRANSLATORS: a search result of a message you sent; %s is its text
     * (markup, keep it as it is) */
    line = g_strdup_printf (_ ("You: %s"), markup ? markup : "");
  gtk_label_set_text (GTK_LABEL (name), title);
  gtk_label_set_text (GTK_LABEL (time), when);
  gtk_label_set_markup (GTK_LABEL (text), line ? line : markup ? markup : "");
}

/* ---- filters ------------------------------------------------------------- */

static void
apply_range (FlintSearchWindow *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) midnight =
    g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                           g_date_time_get_day_of_month (now), 0, 0, 0);
  gint64 now_us = g_get_real_time ();
  gint64 since = 0, until = 0;

  switch ((Range) gtk_drop_down_get_selected (self->date_dropdown))
    {
      case RANGE_TODAY:
        since = g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
        break;
      case RANGE_WEEK:
        since = now_us - 7 * G_TIME_SPAN_DAY;
        break;
      case RANGE_MONTH:
        since = now_us - 30 * G_TIME_SPAN_DAY;
        break;
      case RANGE_YEAR:
        since = now_us - 365 * G_TIME_SPAN_DAY;
        break;
      case RANGE_OLDER:
        until = now_us - 365 * G_TIME_SPAN_DAY;
        break;
      case RANGE_ANY:
      default:
        break;
    }
  flint_search_set_range (self->search, since, until);
}

static void
on_date_selected (GtkDropDown *dropdown, GParamSpec *pspec, FlintSearchWindow *self)
{
  apply_range (self);
}

static void
update_placeholder (FlintSearchWindow *self)
{
  const char *jid = flint_search_get_conversation (self->search);
  g_autofree char *name = jid ? display_name (self, jid) : NULL;
  g_autofree char *text = NULL;

  if (name)
    /* TRANSLATORS: the search entry's placeholder; %s is a contact's name */
    text = g_strdup_printf (_ ("Search in %s"), name);
  g_object_set (self->entry, "placeholder-text", text ? text : _ ("Search messages"),
                NULL);
}

static void
on_conversation_selected (GtkDropDown *dropdown,
                          GParamSpec *pspec,
                          FlintSearchWindow *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  const char *jid = NULL;

  if (selected != GTK_INVALID_LIST_POSITION && selected > 0 && self->jids &&
      selected - 1 < g_strv_length (self->jids))
    jid = self->jids[selected - 1];
  flint_search_set_conversation (self->search, jid);
  update_placeholder (self);
}

/* The conversations with stored messages, by name; "jid" first if not in
 * the store yet. */
static void
fill_conversations (FlintSearchWindow *self, const char *jid)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) stored =
    flint_history_list_conversations (self->history, self->account, &error);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  if (stored == NULL)
    g_warning ("Could not list the conversations: %s", error->message);
  if (jid && (stored == NULL || !g_strv_contains ((const char *const *) stored, jid)))
    g_strv_builder_add (builder, jid);
  if (stored)
    g_strv_builder_addv (builder, (const char **) stored);
  g_strfreev (self->jids);
  self->jids = g_strv_builder_end (builder);

  gtk_string_list_append (names, _ ("All conversations"));
  for (guint i = 0; self->jids[i]; i++)
    {
      g_autofree char *name = display_name (self, self->jids[i]);

      gtk_string_list_append (names, name);
      if (jid && g_strcmp0 (self->jids[i], jid) == 0)
        selected = i + 1;
    }
  g_signal_handlers_block_by_func (self->conversation_dropdown, on_conversation_selected,
                                   self);
  gtk_drop_down_set_model (self->conversation_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->conversation_dropdown, selected);
  g_signal_handlers_unblock_by_func (self->conversation_dropdown,
                                     on_conversation_selected, self);
  on_conversation_selected (self->conversation_dropdown, NULL, self);
}

/* ---- entry and results ---------------------------------------------------- */

static void
on_search_changed (GtkSearchEntry *entry, FlintSearchWindow *self)
{
  flint_search_set_query (self->search, gtk_editable_get_text (GTK_EDITABLE (entry)));
  update_page (self);
}

static void
on_stop_search (GtkSearchEntry *entry, FlintSearchWindow *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

gboolean
flint_search_window_activate_result (FlintSearchWindow *self, guint position)
{
  g_autoptr (FlintMessage) message =
    g_list_model_get_item (G_LIST_MODEL (self->search), position);
  FlintWindow *parent = get_parent (self);

  if (message == NULL || parent == NULL)
    return FALSE;
  flint_window_show_message (parent, flint_message_get_record (message));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  gtk_window_present (GTK_WINDOW (parent));
  return TRUE;
}

static void
on_activate (GtkListView *view, guint position, FlintSearchWindow *self)
{
  flint_search_window_activate_result (self, position);
}

/* Enter in the entry opens the newest result. */
static void
on_entry_activate (GtkSearchEntry *entry, FlintSearchWindow *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->search)) > 0)
    flint_search_window_activate_result (self, 0);
}

static void
on_search_state (FlintSearch *search, GParamSpec *pspec, FlintSearchWindow *self)
{
  update_page (self);
}

/* ---- public ---------------------------------------------------------------- */

void
flint_search_window_open (FlintSearchWindow *self, const char *jid)
{
  g_return_if_fail (FLINT_IS_SEARCH_WINDOW (self));

  fill_conversations (self, jid);
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
}

void
flint_search_window_set_text (FlintSearchWindow *self, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
  /* Typing reaches the search after the entry's short delay; a test
   * setting the text wants it now. */
  on_search_changed (self->entry, self);
}

void
flint_search_window_describe_json (FlintSearchWindow *self, GString *out)
{
  GListModel *results = G_LIST_MODEL (self->search);
  guint n = g_list_model_get_n_items (results);

  g_string_append_printf (out, "{\"visible\": %s, \"running\": %s, \"page\": ",
                          gtk_widget_get_visible (GTK_WIDGET (self)) ? "true" : "false",
                          flint_search_get_running (self->search) ? "true" : "false");
  flint_json_append_string (out, gtk_stack_get_visible_child_name (self->stack));
  g_string_append (out, ", \"query\": ");
  flint_json_append_string (out, gtk_editable_get_text (GTK_EDITABLE (self->entry)));
  g_string_append (out, ", \"conversation\": ");
  flint_json_append_string (out, flint_search_get_conversation (self->search));
  g_string_append_printf (out, ", \"n_results\": %u, \"results\": [", n);
  for (guint i = 0; i < MIN (n, 20); i++)
    {
      g_autoptr (FlintMessage) message = g_list_model_get_item (results, i);

      g_string_append_printf (out,
                              "%s{\"id\": %" G_GINT64_FORMAT ", \"jid\": ", i ? ", " : "",
                              flint_message_get_id (message));
      flint_json_append_string (out, flint_message_get_record (message)->conversation);
      g_string_append (out, ", \"markup\": ");
      flint_json_append_string (out, flint_search_get_markup (self->search, message));
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
}

/* ---- object ---------------------------------------------------------------- */

static void
flint_search_window_dispose (GObject *object)
{
  FlintSearchWindow *self = FLINT_SEARCH_WINDOW (object);

  if (self->search)
    g_signal_handlers_disconnect_by_data (self->search, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_SEARCH_WINDOW);
  g_clear_object (&self->search);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (flint_search_window_parent_class)->dispose (object);
}

static void
flint_search_window_finalize (GObject *object)
{
  FlintSearchWindow *self = FLINT_SEARCH_WINDOW (object);

  g_free (self->account);
  g_strfreev (self->jids);
  G_OBJECT_CLASS (flint_search_window_parent_class)->finalize (object);
}

static void
flint_search_window_class_init (FlintSearchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_search_window_dispose;
  object_class->finalize = flint_search_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-search-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintSearchWindow, entry);
  gtk_widget_class_bind_template_child (widget_class, FlintSearchWindow,
                                        conversation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FlintSearchWindow, date_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FlintSearchWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintSearchWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, FlintSearchWindow, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_edge_reached);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close",
                                       NULL);
}

static void
flint_search_window_init (FlintSearchWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

FlintSearchWindow *
flint_search_window_new (GtkWindow *parent, FlintHistory *history, const char *account)
{
  FlintSearchWindow *self =
    g_object_new (FLINT_TYPE_SEARCH_WINDOW, "transient-for", parent, NULL);
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  self->history = g_object_ref (history);
  self->account = g_strdup (account);
  self->search = flint_search_new (flint_history_get_path (history), account);
  g_signal_connect (self->search, "notify::running", G_CALLBACK (on_search_state), self);
  g_signal_connect (self->search, "notify::error", G_CALLBACK (on_search_state), self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_single_selection_new (
                             g_object_ref (G_LIST_MODEL (self->search)))));
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_activate), self);

  g_signal_connect (self->entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (self->entry, "stop-search", G_CALLBACK (on_stop_search), self);
  g_signal_connect (self->entry, "activate", G_CALLBACK (on_entry_activate), self);
  gtk_search_entry_set_key_capture_widget (self->entry, GTK_WIDGET (self));
  g_signal_connect (self->conversation_dropdown, "notify::selected",
                    G_CALLBACK (on_conversation_selected), self);
  g_signal_connect (self->date_dropdown, "notify::selected",
                    G_CALLBACK (on_date_selected), self);
  return self;
}

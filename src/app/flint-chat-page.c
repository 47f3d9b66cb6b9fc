#include "config.h"

#define G_LOG_DOMAIN "flint-chat-page"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "flint-widget.h"
#include "flint-chat-page.h"
#include "flint-composer.h"
#include "flint-jid.h"
#include "flint-json.h"
#include "flint-application.h"
#include "flint-message-row.h"
#include "flint-paste-image.h"
#include "flint-file-card.h"
#include "flint-window.h"

#define GROUP_GAP (5 * 60 * G_USEC_PER_SEC)
#define PAGE_SIZE 50
#define PAUSED_AFTER_S 5
/* Rows loaded on each side of a message shown from search or a date. */
#define CONTEXT_ROWS 40
/* mark_unread brings at most this many unread rows in, within the bound of
 * the conversation's window. */
#define MAX_UNREAD_ROWS 500

struct _FlintChatPage
{
  GtkWidget parent_instance;

  FlintChat *chat;
  FlintConversation *conversation;
  char *title;
  char *own_name;
  gint64 marker_id;
  gboolean active;
  gboolean stick_to_bottom;
  double last_upper;
  guint settle_id;
  guint settle_frames;
  guint settle_stable;
  double last_page;
  guint load_idle;
  guint newer_idle;
  gint64 highlight_id;
  gint64 scroll_id; /* the message being brought into view, or 0 */
  guint scroll_tick;
  guint scroll_frames;
  guint follow_tick;          /* brings the view down once more on the next frame */
  GdkFrameClock *frame_clock; /* while mapped, for on_clock_layout */
  gulong layout_handler;
  gulong paint_handler;
  guint frames;       /* painted while mapped (for tests) */
  guint stale_frames; /* of those, following the bottom but not at it */
  guint changes;      /* items-changed of the conversation (for tests) */
  gint64 layout_frame;
  guint layout_moves;
  guint paused_id;
  char *sent_state;
  GPtrArray *list_items; /* the GtkListItems in use, for re-layout */

  GtkScrolledWindow *scroller;
  GtkListView *list_view;
  FlintComposer *composer;
  GtkCalendar *calendar;
  GtkPopover *date_popover;
  GtkRevealer *latest_revealer;
  GtkWidget *attach_button;
};

G_DEFINE_FINAL_TYPE (FlintChatPage, flint_chat_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_TYPING,
  PROP_CONVERSATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- chat states (XEP-0085) -------------------------------------------- */

static void
send_chat_state (FlintChatPage *self, const char *state)
{
  if (g_strcmp0 (self->sent_state, state) == 0)
    return;
  g_free (self->sent_state);
  self->sent_state = g_strdup (state);
  flint_chat_set_chat_state (self->chat, flint_conversation_get_jid (self->conversation),
                             state);
}

static gboolean
paused_timeout (gpointer user_data)
{
  FlintChatPage *self = user_data;

  self->paused_id = 0;
  send_chat_state (self, "paused");
  return G_SOURCE_REMOVE;
}

static void
on_buffer_changed (GtkTextBuffer *buffer, FlintChatPage *self)
{
  g_clear_handle_id (&self->paused_id, g_source_remove);
  if (gtk_text_buffer_get_char_count (buffer) == 0)
    {
      send_chat_state (self, "active");
      return;
    }
  send_chat_state (self, "composing");
  self->paused_id = g_timeout_add_seconds (PAUSED_AFTER_S, paused_timeout, self);
}

/* ---- message list ------------------------------------------------------ */

static gboolean
same_local_day (gint64 a, gint64 b)
{
  g_autoptr (GDateTime) la = flint_local_time (a);
  g_autoptr (GDateTime) lb = flint_local_time (b);

  if (la == NULL || lb == NULL)
    return la == lb;
  return g_date_time_get_year (la) == g_date_time_get_year (lb) &&
         g_date_time_get_day_of_year (la) == g_date_time_get_day_of_year (lb);
}

static void
layout_row (FlintChatPage *self, GtkListItem *item)
{
  FlintMessageRow *row = FLINT_MESSAGE_ROW (gtk_list_item_get_child (item));
  FlintMessage *message = gtk_list_item_get_item (item);
  guint position = gtk_list_item_get_position (item);
  g_autoptr (FlintMessage) prev = NULL;
  gboolean day, header;

  if (message == NULL || position == GTK_INVALID_LIST_POSITION)
    return;
  if (position > 0)
    prev = g_list_model_get_item (G_LIST_MODEL (self->conversation), position - 1);

  day = prev == NULL ||
        !same_local_day (flint_message_get_time (prev), flint_message_get_time (message));
  /* Consecutive messages of one sender within a few minutes share a header. */
  header =
    day || flint_message_get_direction (prev) != flint_message_get_direction (message) ||
    g_strcmp0 (flint_message_get_sender (prev), flint_message_get_sender (message)) ||
    flint_message_get_time (message) - flint_message_get_time (prev) > GROUP_GAP;
  flint_message_row_set_layout (row, day, header,
                                self->marker_id &&
                                  flint_message_get_id (message) == self->marker_id);
  if (self->highlight_id && flint_message_get_id (message) == self->highlight_id)
    gtk_widget_add_css_class (GTK_WIDGET (row), "highlighted");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "highlighted");
}

static void
relayout_rows (FlintChatPage *self)
{
  for (guint i = 0; i < self->list_items->len; i++)
    layout_row (self, g_ptr_array_index (self->list_items, i));
}

static void
on_position_changed (GtkListItem *item, GParamSpec *pspec, FlintChatPage *self)
{
  layout_row (self, item);
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintChatPage *self)
{
  GtkWidget *row = flint_message_row_new ();

  flint_message_row_set_resend_enabled (FLINT_MESSAGE_ROW (row), TRUE);
  gtk_list_item_set_child (item, row);
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  /* Older pages and delayed messages shift positions: the neighbour that
   * decides the header may change without a rebind. */
  g_signal_connect_object (item, "notify::position", G_CALLBACK (on_position_changed),
                           self, 0);
  g_ptr_array_add (self->list_items, item);
}

static void
teardown_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintChatPage *self)
{
  g_ptr_array_remove_fast (self->list_items, item);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintChatPage *self)
{
  FlintMessageRow *row = FLINT_MESSAGE_ROW (gtk_list_item_get_child (item));
  FlintMessage *message = gtk_list_item_get_item (item);
  const char *name = flint_message_get_direction (message) == FLINT_DIRECTION_OUTGOING
                       ? self->own_name
                       : self->title;

  flint_message_row_set_message (row, message, name);
  layout_row (self, item);
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintChatPage *self)
{
  flint_message_row_set_message (FLINT_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL,
                                 NULL);
}

static gboolean
load_older_idle (gpointer user_data)
{
  FlintChatPage *self = user_data;

  self->load_idle = 0;
  /* GtkListView keeps its anchor row in place when rows are prepended, so
   * what the user reads does not jump. */
  flint_conversation_load_older (self->conversation, PAGE_SIZE);
  return G_SOURCE_REMOVE;
}

static gboolean
load_newer_idle (gpointer user_data)
{
  FlintChatPage *self = user_data;

  self->newer_idle = 0;
  /* Appended rows leave the anchor row in place too; the rows dropped at
   * the top are far out of view. */
  flint_conversation_load_newer (self->conversation, PAGE_SIZE);
  return G_SOURCE_REMOVE;
}

/* "Jump to Latest" shows while the newest messages are not in view. */
static void
update_latest_button (FlintChatPage *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  double page = gtk_adjustment_get_page_size (adj);
  gboolean away =
    !flint_conversation_get_latest (self->conversation) ||
    gtk_adjustment_get_value (adj) < gtk_adjustment_get_upper (adj) - 2 * page;

  gtk_revealer_set_reveal_child (self->latest_revealer, away);
}
/* GtkListView estimates the height of rows it has not measured yet, so the
 * bottom moves while it lays out: follow it for a few frames, until it
 * holds still. */
static gboolean
settle_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  FlintChatPage *self = user_data;
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  if (gtk_adjustment_get_value (adj) < bottom)
    {
      gtk_adjustment_set_value (adj, bottom);
      self->settle_stable = 0;
    }
  else
    self->settle_stable++;
  if (++self->settle_frames > 90 || self->settle_stable >= 4)
    {
      self->settle_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
jump_to_bottom (FlintChatPage *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
                                   gtk_adjustment_get_page_size (adj));
}

static gboolean
follow_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  FlintChatPage *self = user_data;

  self->follow_tick = 0;
  if (self->stick_to_bottom)
    jump_to_bottom (self);
  return G_SOURCE_REMOVE;
}

/* While the view sticks to the bottom, a change of size only needs the
 * value moved along, once, on the next frame: the new upper comes while
 * the list allocates its rows (a row grew: a thumbnail loaded, a file
 * card appeared), and a value set in there moves the scrollbar but the
 * list, already allocated, keeps showing the old rows. One tick per
 * change, not a running one, so idle stays idle. */
static void
follow_bottom (FlintChatPage *self)
{
  if (self->follow_tick == 0)
    self->follow_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                      follow_tick, self, NULL);
}

/* After the window's layout, in the same frame: rows measured in it moved
 * the bottom while the view sticks to it. The list follows a value set
 * here within this frame (the frame clock runs layout again before it
 * paints), so a flood costs one painted frame per batch, not one at the
 * old bottom and more while the new one settles. Twice per frame at most;
 * follow_bottom() takes over past that. */
static void
on_clock_layout (GdkFrameClock *clock, FlintChatPage *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  gint64 frame = gdk_frame_clock_get_frame_counter (clock);
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  if (frame != self->layout_frame)
    {
      self->layout_frame = frame;
      self->layout_moves = 0;
    }
  if (!self->stick_to_bottom || self->settle_id || self->scroll_tick ||
      gtk_adjustment_get_value (adj) >= bottom)
    return;
  if (self->layout_moves >= 2)
    {
      follow_bottom (self);
      return;
    }
  self->layout_moves++;
  gtk_adjustment_set_value (adj, bottom);
}

/* For tests: a frame painted while the view follows the bottom but is not
 * there shows rows the user has already been moved past. */
static void
on_clock_after_paint (GdkFrameClock *clock, FlintChatPage *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  self->frames++;
  if (self->stick_to_bottom && self->settle_id == 0 && self->scroll_tick == 0 &&
      gtk_adjustment_get_value (adj) <
        gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 1)
    self->stale_frames++;
}

static void
disconnect_clock (FlintChatPage *self)
{
  if (self->frame_clock)
    {
      g_clear_signal_handler (&self->layout_handler, self->frame_clock);
      g_clear_signal_handler (&self->paint_handler, self->frame_clock);
    }
  g_clear_object (&self->frame_clock);
}

static void
flint_chat_page_map (GtkWidget *widget)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (widget);

  GTK_WIDGET_CLASS (flint_chat_page_parent_class)->map (widget);
  disconnect_clock (self);
  /* Connected after the window's own layout handler (it is realized
   * first), so this runs once the rows are allocated. */
  self->frame_clock = gtk_widget_get_frame_clock (widget);
  if (self->frame_clock)
    {
      g_object_ref (self->frame_clock);
      self->layout_handler = g_signal_connect (self->frame_clock, "layout",
                                               G_CALLBACK (on_clock_layout), self);
      self->paint_handler = g_signal_connect (self->frame_clock, "after-paint",
                                              G_CALLBACK (on_clock_after_paint), self);
    }
}

static void
flint_chat_page_unmap (GtkWidget *widget)
{
  disconnect_clock (FLINT_CHAT_PAGE (widget));
  GTK_WIDGET_CLASS (flint_chat_page_parent_class)->unmap (widget);
}

static void
scroll_to_bottom (FlintChatPage *self)
{
  if (self->scroll_tick)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->scroll_tick);
      self->scroll_tick = 0;
    }
  self->stick_to_bottom = TRUE;
  self->settle_frames = 0;
  self->settle_stable = 0;
  if (self->settle_id == 0)
    self->settle_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                    settle_tick, self, NULL);
}

/* Value changes while settling, or that come with a new upper or page size,
 * are layout (rows measured, older pages prepended, window resized), not the
 * user scrolling: they keep the view at the bottom if it was there. */
static void
on_value_changed (GtkAdjustment *adj, FlintChatPage *self)
{
  double value = gtk_adjustment_get_value (adj);
  double upper = gtk_adjustment_get_upper (adj);
  double page = gtk_adjustment_get_page_size (adj);
  gboolean layout = upper != self->last_upper || page != self->last_page;

  self->last_upper = upper;
  self->last_page = page;
  update_latest_button (self);
  if (self->settle_id || self->scroll_tick)
    return;
  if (layout)
    {
      /* While mapped, on_clock_layout() follows within the frame. */
      if (self->stick_to_bottom && value < upper - page && self->frame_clock == NULL)
        follow_bottom (self);
      return;
    }
  /* Away from the latest end, the bottom of the list is not the bottom
   * of the conversation. */
  self->stick_to_bottom =
    flint_conversation_get_latest (self->conversation) && value >= upper - page - 4;
  if (value < page / 2 && self->load_idle == 0 &&
      !flint_conversation_get_complete (self->conversation) && upper > page)
    self->load_idle = g_idle_add (load_older_idle, self);
  if (value > upper - page * 1.5 && self->newer_idle == 0 &&
      !flint_conversation_get_latest (self->conversation))
    self->newer_idle = g_idle_add (load_newer_idle, self);
}

/* Brings a message into view, again on the next frames while the list
 * measures the rows it only estimated (and pages load around it). */
static gboolean
scroll_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  FlintChatPage *self = user_data;
  int position = flint_conversation_get_position (self->conversation, self->scroll_id);

  /* The first tick comes before the new rows have been laid out once. */
  if (position >= 0 && self->scroll_frames > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                                (guint) position);
  if (position < 0 || ++self->scroll_frames > 12)
    {
      self->scroll_tick = 0;
      self->scroll_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
stop_settling (FlintChatPage *self)
{
  if (self->settle_id)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->settle_id);
      self->settle_id = 0;
    }
}

static void
scroll_to_message (FlintChatPage *self, gint64 id)
{
  stop_settling (self);
  self->stick_to_bottom = FALSE;
  self->scroll_id = id;
  self->scroll_frames = 0;
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                      scroll_tick, self, NULL);
}

/* Opens the window on the conversation around (time, id) and scrolls the
 * first row at or after it into view. */
static gint64
show_around (FlintChatPage *self, gint64 time, gint64 id)
{
  int position =
    flint_conversation_load_around (self->conversation, time, id, CONTEXT_ROWS);
  g_autoptr (FlintMessage) message = NULL;

  if (position < 0)
    return 0;
  message = g_list_model_get_item (G_LIST_MODEL (self->conversation), (guint) position);
  scroll_to_message (self, flint_message_get_id (message));
  update_latest_button (self);
  return flint_message_get_id (message);
}

static void
on_size_changed (GtkAdjustment *adj, GParamSpec *pspec, FlintChatPage *self)
{
  if (self->stick_to_bottom && self->settle_id == 0 && self->frame_clock == NULL)
    follow_bottom (self);
  /* Rows that do not fill the view cannot be scrolled up to ask for older
   * ones: load them now (after this frame is painted). */
  if (gtk_adjustment_get_page_size (adj) > 0 &&
      gtk_adjustment_get_upper (adj) <= gtk_adjustment_get_page_size (adj) &&
      self->load_idle == 0 && !flint_conversation_get_complete (self->conversation) &&
      g_list_model_get_n_items (G_LIST_MODEL (self->conversation)) > 0)
    self->load_idle = g_idle_add (load_older_idle, self);
}

static void
on_items_changed (
  GListModel *model, guint position, guint removed, guint added, FlintChatPage *self)
{
  self->changes++;
  /* A message of ours always brings the view down to it. */
  if (added && position + added == g_list_model_get_n_items (model))
    {
      g_autoptr (FlintMessage) last = g_list_model_get_item (model, position + added - 1);

      if (flint_message_get_direction (last) == FLINT_DIRECTION_OUTGOING)
        scroll_to_bottom (self);
      /* Incoming ones while stuck: the list itself anchors its new last row
       * to the bottom, so the next frame builds and measures only the rows
       * on screen there, in one layout. Moving the scroll value instead
       * takes a frame at the old rows, then one or more at the estimated
       * new bottom while the rows passed over are measured. */
      else if (self->stick_to_bottom && self->settle_id == 0 && self->scroll_tick == 0)
        gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item",
                                    "u", position + added - 1);
    }
}

/* ---- composer ---------------------------------------------------------- */

static void
show_toast (FlintChatPage *self, const char *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), FLINT_TYPE_WINDOW);

  if (window)
    flint_window_add_toast (FLINT_WINDOW (window), text);
}

static gboolean
on_send (FlintComposer *composer, const char *text, FlintChatPage *self)
{
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autoptr (GError) error = NULL;
  const char *jid = flint_conversation_get_jid (self->conversation);
  const char *correction = flint_composer_get_correction_id (composer);

  /* What is sent is shown at the bottom, where the conversation goes on. */
  flint_conversation_jump_to_latest (self->conversation);
  if (correction)
    record = flint_chat_correct (self->chat, jid, correction, text, &error);
  else
    record = flint_chat_send (self->chat, jid, text, &error);
  if (record == NULL)
    {
      show_toast (self, error ? error->message : _ ("The message could not be sent."));
      return FALSE;
    }
  g_clear_handle_id (&self->paused_id, g_source_remove);
  /* A sent message ends composing without another stanza (XEP-0085 5.2). */
  g_free (self->sent_state);
  self->sent_state = g_strdup ("active");
  scroll_to_bottom (self);
  return TRUE;
}

/* A failed message's Send Again button: the message's origin-id (or id). */
static void
resend_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (widget);
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autoptr (GError) error = NULL;

  record = flint_chat_resend (self->chat, flint_conversation_get_jid (self->conversation),
                              g_variant_get_string (parameter, NULL), &error);
  if (record == NULL)
    show_toast (self, error ? error->message : _ ("The message could not be sent."));
}

gboolean
flint_chat_page_send_text (FlintChatPage *self, const char *text)
{
  gboolean taken = FALSE;

  g_signal_emit_by_name (self->composer, "send", text, &taken);
  return taken;
}

static gboolean
on_composer_key (GtkEventControllerKey *keys,
                 guint keyval,
                 guint keycode,
                 GdkModifierType state,
                 FlintChatPage *self)
{
  GtkTextBuffer *buffer =
    gtk_text_view_get_buffer (flint_composer_get_text_view (self->composer));
  FlintMessage *last;
  const FlintMessageRecord *record;

  if (keyval != GDK_KEY_Up || (state & gtk_accelerator_get_default_mod_mask ()) != 0 ||
      gtk_text_buffer_get_char_count (buffer) > 0)
    return FALSE;
  /* Up in an empty field edits the last message sent (XEP-0308). */
  last = flint_conversation_get_last_outgoing (self->conversation);
  record = last ? flint_message_get_record (last) : NULL;
  if (record == NULL || record->message_id == NULL)
    return FALSE;
  flint_composer_begin_correction (self->composer, record->message_id, record->body);
  return TRUE;
}

/* The spelling language chosen in a conversation is kept for it. */
static char *
languages_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "flint", "conversations.ini", NULL);
}

static char *
language_group (FlintChatPage *self)
{
  return g_strdup_printf ("%s %s", flint_conversation_get_account (self->conversation),
                          flint_conversation_get_jid (self->conversation));
}

static void
load_language (FlintChatPage *self)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *path = languages_path ();
  g_autofree char *group = language_group (self);
  g_autofree char *language = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return;
  language = g_key_file_get_string (file, group, "spell-language", NULL);
  if (language && *language)
    flint_composer_set_language (self->composer, language);
}

static void
on_language_changed (FlintComposer *composer, GParamSpec *pspec, FlintChatPage *self)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = languages_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *group = language_group (self);
  const char *language = flint_composer_get_language (composer);
  g_autofree char *saved = NULL;

  g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  saved = g_key_file_get_string (file, group, "spell-language", NULL);
  if (g_strcmp0 (saved ? saved : "", language ? language : "") == 0)
    return;
  g_key_file_set_string (file, group, "spell-language", language ? language : "");
  g_mkdir_with_parents (dir, 0700);
  if (!g_key_file_save_to_file (file, path, &error))
    g_warning ("Could not save the spelling language: %s", error->message);
}

/* ---- public ------------------------------------------------------------ */

FlintConversation *
flint_chat_page_get_conversation (FlintChatPage *self)
{
  return self->conversation;
}

FlintComposer *
flint_chat_page_get_composer (FlintChatPage *self)
{
  return self->composer;
}

const char *
flint_chat_page_get_account (FlintChatPage *self)
{
  return flint_conversation_get_account (self->conversation);
}

const char *
flint_chat_page_get_jid (FlintChatPage *self)
{
  return flint_conversation_get_jid (self->conversation);
}

const char *
flint_chat_page_get_title (FlintChatPage *self)
{
  return self->title;
}

void
flint_chat_page_set_title (FlintChatPage *self, const char *title)
{
  g_return_if_fail (FLINT_IS_CHAT_PAGE (self));

  if (title == NULL || *title == '\0')
    title = flint_conversation_get_jid (self->conversation);
  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* The composer's text ranges flagged as misspelled, as character offsets
 * "start-end,start-end" (for tests; what a person sees underlined). */
char *
flint_chat_page_describe_misspelled (FlintChatPage *self)
{
  GtkTextBuffer *buffer =
    gtk_text_view_get_buffer (flint_composer_get_text_view (self->composer));
  GtkTextTag *tag =
    flint_spell_adapter_get_tag (flint_composer_get_spell_adapter (self->composer));
  GString *out = g_string_new (NULL);
  GtkTextIter iter;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (tag && (gtk_text_iter_starts_tag (&iter, tag) ||
                 gtk_text_iter_forward_to_tag_toggle (&iter, tag)))
    {
      int start = gtk_text_iter_get_offset (&iter);

      if (!gtk_text_iter_forward_to_tag_toggle (&iter, tag))
        gtk_text_buffer_get_end_iter (buffer, &iter);
      g_string_append_printf (out, "%s%d-%d", out->len ? "," : "", start,
                              gtk_text_iter_get_offset (&iter));
      if (gtk_text_iter_is_end (&iter))
        break;
    }
  return g_string_free (out, FALSE);
}

/* The spelling language of this conversation's composer ("" when none). */
const char *
flint_chat_page_get_language (FlintChatPage *self)
{
  return flint_composer_get_language (self->composer);
}

gboolean
flint_chat_page_get_typing (FlintChatPage *self)
{
  return g_strcmp0 (flint_conversation_get_peer_state (self->conversation),
                    "composing") == 0;
}

void
flint_chat_page_mark_unread (FlintChatPage *self, guint unread)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversation));
  g_autoptr (FlintMessage) first = NULL;

  if (unread == 0)
    return;
  /* Bring the first unread message in, within reason. */
  if (unread > n && unread <= MAX_UNREAD_ROWS)
    n += flint_conversation_load_older (self->conversation, unread - n);
  if (unread > n)
    return;
  first = g_list_model_get_item (G_LIST_MODEL (self->conversation), n - unread);
  self->marker_id = flint_message_get_id (first);
  relayout_rows (self);
}

/**
 * flint_chat_page_show_message:
 *
 * Shows the message (time, id) with the messages around it, highlighted
 * and scrolled into view: a search result.
 */
void
flint_chat_page_show_message (FlintChatPage *self, gint64 time, gint64 id)
{
  g_return_if_fail (FLINT_IS_CHAT_PAGE (self));

  if (show_around (self, time, id) != id)
    {
      show_toast (self, _ ("The message is no longer in the history."));
      self->highlight_id = 0;
    }
  else
    self->highlight_id = id;
  relayout_rows (self);
}

/* Shows the first message on or after local midnight of the date. */
void
flint_chat_page_jump_to_date (FlintChatPage *self, GDateTime *date)
{
  g_autoptr (GDateTime) midnight =
    g_date_time_new_local (g_date_time_get_year (date), g_date_time_get_month (date),
                           g_date_time_get_day_of_month (date), 0, 0, 0);

  g_return_if_fail (FLINT_IS_CHAT_PAGE (self));

  self->highlight_id = 0;
  show_around (self, g_date_time_to_unix (midnight) * G_USEC_PER_SEC, -1);
  relayout_rows (self);
}

gint64
flint_chat_page_get_highlighted (FlintChatPage *self)
{
  return self->highlight_id;
}

/* ---- actions ------------------------------------------------------------- */

static void
jump_to_latest_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (widget);

  self->highlight_id = 0;
  flint_conversation_jump_to_latest (self->conversation);
  relayout_rows (self);
  scroll_to_bottom (self);
}

static void
jump_to_date_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (widget);
  g_autoptr (GDateTime) date = gtk_calendar_get_date (self->calendar);

  gtk_popover_popdown (self->date_popover);
  flint_chat_page_jump_to_date (self, date);
}

static void
search_history_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (widget);
  GtkWidget *window = gtk_widget_get_ancestor (widget, FLINT_TYPE_WINDOW);

  if (window)
    flint_window_open_search (FLINT_WINDOW (window),
                              flint_conversation_get_jid (self->conversation));
}

static void
on_latest_changed (FlintConversation *conversation,
                   GParamSpec *pspec,
                   FlintChatPage *self)
{
  update_latest_button (self);
}

void
flint_chat_page_set_active (FlintChatPage *self, gboolean active)
{
  if (self->active == active)
    return;
  self->active = active;
  flint_conversation_set_active (self->conversation, active);
  send_chat_state (self, active ? "active" : "inactive");
}

void
flint_chat_page_focus_composer (FlintChatPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (flint_composer_get_text_view (self->composer)));
}

static void
on_peer_state (FlintConversation *conversation, GParamSpec *pspec, FlintChatPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TYPING]);
}

/* ---- object ------------------------------------------------------------ */

static void
flint_chat_page_get_property (GObject *object,
                              guint prop_id,
                              GValue *value,
                              GParamSpec *pspec)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (object);

  switch (prop_id)
    {
      case PROP_TITLE:
        g_value_set_string (value, self->title);
        break;
      case PROP_TYPING:
        g_value_set_boolean (value, flint_chat_page_get_typing (self));
        break;
      case PROP_CONVERSATION:
        g_value_set_object (value, self->conversation);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_chat_page_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (object);

  switch (prop_id)
    {
      case PROP_TITLE:
        flint_chat_page_set_title (self, g_value_get_string (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_chat_page_dispose (GObject *object)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (object);

  if (self->chat && self->active)
    send_chat_state (self, "inactive");
  g_clear_handle_id (&self->load_idle, g_source_remove);
  g_clear_handle_id (&self->newer_idle, g_source_remove);
  g_clear_handle_id (&self->paused_id, g_source_remove);
  stop_settling (self);
  if (self->scroll_tick)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->scroll_tick);
      self->scroll_tick = 0;
    }
  if (self->follow_tick)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->follow_tick);
      self->follow_tick = 0;
    }
  disconnect_clock (self);
  if (self->conversation)
    {
      g_signal_handlers_disconnect_by_data (self->conversation, self);
      if (self->active)
        flint_conversation_set_active (self->conversation, FALSE);
    }
  flint_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_CHAT_PAGE);
  g_clear_object (&self->conversation);
  g_clear_object (&self->chat);
  G_OBJECT_CLASS (flint_chat_page_parent_class)->dispose (object);
}

static void
flint_chat_page_finalize (GObject *object)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (object);

  g_free (self->title);
  g_free (self->own_name);
  g_free (self->sent_state);
  g_ptr_array_unref (self->list_items);
  G_OBJECT_CLASS (flint_chat_page_parent_class)->finalize (object);
}

/* Tab switches focus the page: send that to the composer, not to the first
 * message label (which would select its whole text). */
static gboolean
flint_chat_page_grab_focus (GtkWidget *widget)
{
  FlintChatPage *self = FLINT_CHAT_PAGE (widget);

  return gtk_widget_grab_focus (
    GTK_WIDGET (flint_composer_get_text_view (self->composer)));
}

static void
flint_chat_page_class_init (FlintChatPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_chat_page_dispose;
  object_class->finalize = flint_chat_page_finalize;
  object_class->get_property = flint_chat_page_get_property;
  object_class->set_property = flint_chat_page_set_property;
  widget_class->grab_focus = flint_chat_page_grab_focus;
  widget_class->map = flint_chat_page_map;
  widget_class->unmap = flint_chat_page_unmap;

  properties[PROP_TITLE] = g_param_spec_string (
    "title", NULL, NULL, NULL,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TYPING] = g_param_spec_boolean (
    "typing", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL, FLINT_TYPE_CONVERSATION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FLINT_TYPE_COMPOSER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-chat-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintChatPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, FlintChatPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, FlintChatPage, composer);
  gtk_widget_class_bind_template_child (widget_class, FlintChatPage, calendar);
  gtk_widget_class_bind_template_child (widget_class, FlintChatPage, date_popover);
  gtk_widget_class_bind_template_child (widget_class, FlintChatPage, latest_revealer);

  gtk_widget_class_install_action (widget_class, "chat.jump-to-latest", NULL,
                                   jump_to_latest_activated);
  gtk_widget_class_install_action (widget_class, "chat.jump-to-date", NULL,
                                   jump_to_date_activated);
  gtk_widget_class_install_action (widget_class, "chat.search-history", NULL,
                                   search_history_activated);
  gtk_widget_class_install_action (widget_class, "chat.resend", "s", resend_activated);
  /* While the focus is in the conversation, Ctrl+F searches it (the
   * window's Ctrl+F filters the contacts). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "chat.search-history", NULL);
  gtk_widget_class_bind_template_child (widget_class, FlintChatPage, attach_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
flint_chat_page_init (FlintChatPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->stick_to_bottom = TRUE;
  self->list_items = g_ptr_array_new ();
}

static void
on_composer_focus (GtkEventControllerFocus *focus, FlintChatPage *self)
{
  if (self->active && gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (
                        flint_composer_get_text_view (self->composer))) == 0)
    send_chat_state (self, "active");
}

static void
on_paste_image (FlintComposer *composer, GdkTexture *texture, FlintChatPage *self)
{
  GApplication *app = g_application_get_default ();

  if (FLINT_IS_APPLICATION (app))
    flint_paste_image_send (
      GTK_WIDGET (self), flint_application_get_transfer_center (FLINT_APPLICATION (app)),
      flint_conversation_get_account (self->conversation),
      flint_conversation_get_jid (self->conversation), texture);
}

/* The attach button, dropped files and pasted images go to the transfer
 * center. */
static void
attach_files_setup (FlintChatPage *self)
{
  GApplication *app = g_application_get_default ();
  FlintTransferCenter *center =
    FLINT_IS_APPLICATION (app)
      ? flint_application_get_transfer_center (FLINT_APPLICATION (app))
      : NULL;
  const char *account = flint_conversation_get_account (self->conversation);
  const char *jid = flint_conversation_get_jid (self->conversation);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->attach_button), "(ss)", account,
                                    jid);
  if (center)
    gtk_widget_add_controller (
      GTK_WIDGET (self), GTK_EVENT_CONTROLLER (
                           flint_transfer_center_drop_target_new (center, account, jid)));
  if (center)
    g_signal_connect_object (self->composer, "paste-image", G_CALLBACK (on_paste_image),
                             self, 0);
}

FlintChatPage *
flint_chat_page_new (FlintChat *chat, FlintConversation *conversation)
{
  FlintChatPage *self = g_object_new (FLINT_TYPE_CHAT_PAGE, NULL);
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  GtkTextView *view = flint_composer_get_text_view (self->composer);
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->chat = g_object_ref (chat);
  self->conversation = g_object_ref (conversation);
  self->own_name = g_strdup (_ ("You"));
  flint_chat_page_set_title (self, NULL);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (teardown_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (
                             g_object_ref (G_LIST_MODEL (conversation)))));

  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_value_changed), self, 0);
  g_signal_connect_object (adj, "notify::upper", G_CALLBACK (on_size_changed), self, 0);
  g_signal_connect_object (adj, "notify::page-size", G_CALLBACK (on_size_changed), self,
                           0);
  g_signal_connect (conversation, "items-changed", G_CALLBACK (on_items_changed), self);
  g_signal_connect (conversation, "notify::peer-state", G_CALLBACK (on_peer_state), self);
  g_signal_connect (conversation, "notify::latest", G_CALLBACK (on_latest_changed), self);

  load_language (self);
  g_signal_connect (self->composer, "notify::language", G_CALLBACK (on_language_changed),
                    self);
  g_signal_connect (self->composer, "send", G_CALLBACK (on_send), self);
  g_signal_connect (gtk_text_view_get_buffer (view), "changed",
                    G_CALLBACK (on_buffer_changed), self);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_composer_key), self);
  gtk_widget_add_controller (GTK_WIDGET (view), keys);
  g_signal_connect (focus, "enter", G_CALLBACK (on_composer_focus), self);
  gtk_widget_add_controller (GTK_WIDGET (view), focus);
  attach_files_setup (self);
  return self;
}

char *
flint_chat_page_get_draft (FlintChatPage *self)
{
  g_return_val_if_fail (FLINT_IS_CHAT_PAGE (self), NULL);

  return flint_composer_get_text (self->composer);
}

const char *
flint_chat_page_get_correction_id (FlintChatPage *self)
{
  g_return_val_if_fail (FLINT_IS_CHAT_PAGE (self), NULL);

  return flint_composer_get_correction_id (self->composer);
}

/* How far the view is from the bottom of the list, in pixels (for
 * app.test-dump): 0 when it shows the end. */
/* For tests: frames painted while mapped, how many of those showed the
 * view above the bottom it was following, and the model's changes. */
void
flint_chat_page_get_frames (FlintChatPage *self,
                            guint *frames,
                            guint *stale_frames,
                            guint *changes)
{
  *frames = self->frames;
  *stale_frames = self->stale_frames;
  *changes = self->changes;
}

double
flint_chat_page_get_scroll_gap (FlintChatPage *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  return gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) -
         gtk_adjustment_get_value (adj);
}

static void
collect_failed (GtkWidget *widget, GString *out)
{
  if (FLINT_IS_MESSAGE_ROW (widget))
    {
      FlintMessage *message = flint_message_row_get_message (FLINT_MESSAGE_ROW (widget));

      if (message && flint_message_row_get_can_resend (FLINT_MESSAGE_ROW (widget)) &&
          gtk_widget_get_mapped (widget))
        {
          const FlintMessageRecord *record = flint_message_get_record (message);

          if (out->len > 1)
            g_string_append (out, ", ");
          g_string_append (out, "{\"body\": ");
          flint_json_append_string (out, record->body);
          g_string_append (out, ", \"id\": ");
          flint_json_append_string (out, record->origin_id && *record->origin_id
                                           ? record->origin_id
                                           : record->message_id);
          g_string_append (out, "}");
        }
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_failed (child, out);
}

/* Our failed messages on screen, shown with their Send Again button, as
 * JSON (for app.test-dump). */
char *
flint_chat_page_describe_failed (FlintChatPage *self)
{
  GString *out = g_string_new ("[");

  collect_failed (GTK_WIDGET (self->list_view), out);
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* The file cards in the timeline on screen, as JSON (for app.test-dump). */
char *
flint_chat_page_describe_transfers (FlintChatPage *self)
{
  return flint_file_card_describe_in (GTK_WIDGET (self->list_view));
}

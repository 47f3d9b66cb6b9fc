#include "config.h"

#define G_LOG_DOMAIN "flint-message-row"

#include <glib/gi18n.h>

#include "flint-application.h"
#include "flint-widget.h"
#include "flint-file-card.h"
#include "flint-message-row.h"

struct _FlintMessageRow
{
  GtkWidget parent_instance;

  FlintMessage *message;
  gulong body_handler;
  gulong state_handler;
  gulong edited_handler;
  gulong file_handler;

  GtkWidget *day_label;
  GtkWidget *new_marker;
  GtkWidget *header;
  GtkLabel *sender_label;
  GtkLabel *time_label;
  GtkLabel *body_label;
  GtkWidget *edited_label;
  GtkImage *state_icon;
  GtkWidget *resend_button; /* on our failed messages: chat.resend */
  gboolean resend_enabled;  /* a chat page's row: it has chat.resend */
  GtkWidget *file_card;     /* made on the first file link the row shows */
};

G_DEFINE_FINAL_TYPE (FlintMessageRow, flint_message_row, GTK_TYPE_WIDGET)

char *
flint_linkify_markup (const char *text)
{
  static GRegex *links;
  g_autoptr (GMatchInfo) match = NULL;
  GString *out = g_string_new (NULL);
  const char *done = text;

  if (links == NULL)
    links = g_regex_new ("\\b(?:https?://|www\\.|xmpp:)[^\\s<>\"]+[^\\s<>\"'.,;:!?)\\]]",
                         G_REGEX_OPTIMIZE | G_REGEX_CASELESS, 0, NULL);

  g_regex_match (links, text, 0, &match);
  while (g_match_info_matches (match))
    {
      int start, end;
      g_autofree char *word = NULL;
      g_autofree char *before = NULL;
      g_autofree char *href = NULL;
      g_autofree char *url = NULL;
      g_autofree char *shown = NULL;

      g_match_info_fetch_pos (match, 0, &start, &end);
      before = g_markup_escape_text (done, text + start - done);
      word = g_strndup (text + start, (gsize) (end - start));
      /* A bare www. link needs a scheme to open in a browser. */
      href = g_ascii_strncasecmp (word, "www.", 4) == 0
               ? g_strconcat ("https://", word, NULL)
               : g_strdup (word);
      url = g_markup_escape_text (href, -1);
      shown = g_markup_escape_text (word, -1);
      g_string_append_printf (out, "%s<a href=\"%s\">%s</a>", before, url, shown);
      done = text + end;
      g_match_info_next (match, NULL);
    }
  {
    g_autofree char *rest = g_markup_escape_text (done, -1);
    g_string_append (out, rest);
  }
  return g_string_free (out, FALSE);
}

static FlintTransfer *
live_transfer (gint64 record_id)
{
  GApplication *app = g_application_get_default ();
  FlintTransferCenter *center =
    FLINT_IS_APPLICATION (app)
      ? flint_application_get_transfer_center (FLINT_APPLICATION (app))
      : NULL;

  return center ? flint_transfer_center_find_for_record (center, record_id) : NULL;
}

/* A file transfer's row is its file card (the body is the file name); a
 * body that is just a file link, or a message with an OOB link, also gets
 * a file card under it. */
static void
update_file_card (FlintMessageRow *self)
{
  g_autoptr (GVariant) file = flint_message_get_file (self->message);
  gboolean transfer =
    flint_message_get_kind (self->message) == FLINT_MESSAGE_KIND_FILE && file != NULL;
  g_autofree char *link = NULL;
  GtkWidget *body_box = gtk_widget_get_parent (GTK_WIDGET (self->body_label));

  if (!transfer)
    {
      link = flint_file_card_link_of (flint_file_lookup_string (file, "url"));
      if (link == NULL)
        link = flint_file_card_link_of (flint_message_get_body (self->message));
    }
  if ((transfer || link) && self->file_card == NULL)
    {
      self->file_card = flint_file_card_new ();
      gtk_widget_insert_after (self->file_card, gtk_widget_get_parent (body_box),
                               body_box);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->body_label), !transfer);
  if (self->file_card)
    gtk_widget_set_visible (self->file_card, transfer || link != NULL);
  if (transfer)
    flint_file_card_set_transfer (
      FLINT_FILE_CARD (self->file_card), g_steal_pointer (&file),
      live_transfer (flint_message_get_id (self->message)),
      flint_message_get_direction (self->message) == FLINT_DIRECTION_OUTGOING,
      flint_message_get_record (self->message)->account,
      flint_message_get_record (self->message)->conversation);
  else if (link)
    flint_file_card_set_link (FLINT_FILE_CARD (self->file_card), link,
                              flint_message_get_sender (self->message));
}

static void
update_body (FlintMessageRow *self)
{
  g_autofree char *markup =
    flint_linkify_markup (flint_message_get_body (self->message) ?: "");

  gtk_label_set_markup (self->body_label, markup);
  gtk_widget_set_visible (self->edited_label, flint_message_get_edited (self->message));
  update_file_card (self);
}

/* The delivery state of an outgoing message: its icon and words. */
static const char *
state_text (FlintMessageRow *self, const char **icon)
{
  *icon = NULL;
  if (self->message == NULL ||
      flint_message_get_direction (self->message) != FLINT_DIRECTION_OUTGOING)
    return NULL;
  switch (flint_message_get_state (self->message))
    {
      case FLINT_DELIVERY_PENDING:
        *icon = "content-loading-symbolic";
        return _ ("Waiting to be sent");
      case FLINT_DELIVERY_DELIVERED:
      case FLINT_DELIVERY_READ:
        *icon = "object-select-symbolic";
        return _ ("Delivered");
      case FLINT_DELIVERY_FAILED:
        *icon = "dialog-warning-symbolic";
        return _ ("Could not be sent");
      default:
        return NULL;
    }
}

/* The id chat.resend takes: what the history finds our message by. */
static const char *
resend_key (FlintMessageRow *self)
{
  const FlintMessageRecord *record = flint_message_get_record (self->message);

  return record->origin_id && *record->origin_id ? record->origin_id : record->message_id;
}

static void
update_state (FlintMessageRow *self)
{
  const char *icon;
  const char *text = state_text (self, &icon);
  gboolean failed = self->resend_enabled && self->message && text &&
                    flint_message_get_state (self->message) == FLINT_DELIVERY_FAILED &&
                    resend_key (self) != NULL;

  gtk_image_set_from_icon_name (self->state_icon, icon);
  if (text)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), icon != NULL);
  /* Rows are reused: the button names the message it shows now. The
   * action only with its target: GTK warns about an action whose
   * parameter the button lacks, on every row bound. */
  if (failed)
    {
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->resend_button),
                                              g_variant_new_string (resend_key (self)));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->resend_button),
                                      "chat.resend");
    }
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->resend_button), NULL);
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->resend_button), NULL);
    }
  gtk_widget_set_visible (self->resend_button, failed);
  if (self->message && flint_message_get_state (self->message) == FLINT_DELIVERY_FAILED &&
      text)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");
}

/* Tooltips are computed when asked for: gtk_widget_set_tooltip_text() on
 * every bound row asks the X server where the pointer is (a round trip),
 * which was a tenth of the CPU of a message flood. */
static gboolean
on_state_query_tooltip (GtkWidget *widget,
                        int x,
                        int y,
                        gboolean keyboard,
                        GtkTooltip *tooltip,
                        FlintMessageRow *self)
{
  const char *icon;
  const char *text = state_text (self, &icon);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static gboolean
on_time_query_tooltip (GtkWidget *widget,
                       int x,
                       int y,
                       gboolean keyboard,
                       GtkTooltip *tooltip,
                       FlintMessageRow *self)
{
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *full = NULL;

  if (self->message == NULL ||
      (local = flint_local_time (flint_message_get_time (self->message))) == NULL)
    return FALSE;
  full = g_date_time_format (local, "%c");
  gtk_tooltip_set_text (tooltip, full);
  return TRUE;
}

static void
on_message_notify (FlintMessage *message, GParamSpec *pspec, FlintMessageRow *self)
{
  if (g_strcmp0 (pspec->name, "state") == 0)
    update_state (self);
  else
    update_body (self);
}

static void
disconnect_message (FlintMessageRow *self)
{
  if (self->message == NULL)
    return;
  g_clear_signal_handler (&self->body_handler, self->message);
  g_clear_signal_handler (&self->state_handler, self->message);
  g_clear_signal_handler (&self->edited_handler, self->message);
  g_clear_signal_handler (&self->file_handler, self->message);
  g_clear_object (&self->message);
}

void
flint_message_row_set_message (FlintMessageRow *self,
                               FlintMessage *message,
                               const char *sender_name)
{
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *time = NULL;

  g_return_if_fail (FLINT_IS_MESSAGE_ROW (self));

  disconnect_message (self);
  if (message == NULL)
    return;
  self->message = g_object_ref (message);
  self->body_handler =
    g_signal_connect (message, "notify::body", G_CALLBACK (on_message_notify), self);
  self->state_handler =
    g_signal_connect (message, "notify::state", G_CALLBACK (on_message_notify), self);
  self->edited_handler =
    g_signal_connect (message, "notify::edited", G_CALLBACK (on_message_notify), self);
  self->file_handler =
    g_signal_connect (message, "notify::file", G_CALLBACK (on_message_notify), self);

  local = flint_local_time (flint_message_get_time (message));
  time = local ? flint_format_clock (local) : g_strdup ("");
  gtk_label_set_text (self->sender_label, sender_name);
  gtk_label_set_text (self->time_label, time);

  if (flint_message_get_direction (message) == FLINT_DIRECTION_OUTGOING)
    gtk_widget_add_css_class (GTK_WIDGET (self), "outgoing");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "outgoing");
  update_body (self);
  update_state (self);
}

static char *
day_text (FlintMessage *message)
{
  g_autoptr (GDateTime) day = flint_local_time (flint_message_get_time (message));
  g_autoptr (GDateTime) now = flint_local_time (g_get_real_time ());
  int days;

  if (day == NULL || now == NULL)
    return g_strdup ("");
  days = g_date_time_get_day_of_year (now) - g_date_time_get_day_of_year (day);
  if (g_date_time_get_year (now) == g_date_time_get_year (day))
    {
      if (days == 0)
        return g_strdup (_ ("Today"));
      if (days == 1)
        return g_strdup (_ ("Yesterday"));
      /* TRANSLATORS: a day separator in a conversation, see strftime(3) */
      return g_date_time_format (day, _ ("%A, %e %B"));
    }
  /* TRANSLATORS: a day separator for an older year, see strftime(3) */
  return g_date_time_format (day, _ ("%e %B %Y"));
}

void
flint_message_row_set_layout (FlintMessageRow *self,
                              gboolean day_separator,
                              gboolean header,
                              gboolean new_marker)
{
  g_return_if_fail (FLINT_IS_MESSAGE_ROW (self));

  if (day_separator && self->message)
    {
      g_autofree char *text = day_text (self->message);
      gtk_label_set_text (GTK_LABEL (self->day_label), text);
    }
  gtk_widget_set_visible (self->day_label, day_separator);
  gtk_widget_set_visible (self->new_marker, new_marker);
  gtk_widget_set_visible (self->header, header || day_separator || new_marker);
  if (header || day_separator || new_marker)
    gtk_widget_add_css_class (GTK_WIDGET (self), "first");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "first");
}

FlintMessage *
flint_message_row_get_message (FlintMessageRow *self)
{
  return self->message;
}

static void
flint_message_row_dispose (GObject *object)
{
  FlintMessageRow *self = FLINT_MESSAGE_ROW (object);

  disconnect_message (self);
  flint_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_MESSAGE_ROW);
  G_OBJECT_CLASS (flint_message_row_parent_class)->dispose (object);
}

static void
flint_message_row_class_init (FlintMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_message_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, day_label);
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, new_marker);
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, header);
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, body_label);
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, edited_label);
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, FlintMessageRow, resend_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagerow");
}

static void
flint_message_row_init (FlintMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->time_label), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->state_icon), TRUE);
  g_signal_connect (self->time_label, "query-tooltip", G_CALLBACK (on_time_query_tooltip),
                    self);
  g_signal_connect (self->state_icon, "query-tooltip",
                    G_CALLBACK (on_state_query_tooltip), self);
  flint_widget_set_lazy_tooltip (self->resend_button, _ ("Send Again"));
}

GtkWidget *
flint_message_row_new (void)
{
  return g_object_new (FLINT_TYPE_MESSAGE_ROW, NULL);
}

/* Rooms: the sender's XEP-0392 colour (NULL: the theme's), and a mention
 * of our nick highlighted. */
void
flint_message_row_set_sender_color (FlintMessageRow *self, const char *color)
{
  const char *text;
  g_autofree char *escaped = NULL;
  g_autofree char *markup = NULL;

  g_return_if_fail (FLINT_IS_MESSAGE_ROW (self));

  text = gtk_label_get_text (self->sender_label);
  if (color == NULL)
    {
      gtk_label_set_use_markup (self->sender_label, FALSE);
      gtk_label_set_text (self->sender_label, text);
      return;
    }
  escaped = g_markup_escape_text (text ? text : "", -1);
  markup = g_strdup_printf ("<span foreground=\"%s\">%s</span>", color, escaped);
  gtk_label_set_markup (self->sender_label, markup);
}

void
flint_message_row_set_mention (FlintMessageRow *self, gboolean mention)
{
  g_return_if_fail (FLINT_IS_MESSAGE_ROW (self));

  if (mention)
    gtk_widget_add_css_class (GTK_WIDGET (self), "mention");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "mention");
}

/* A room's system line (a kick, a ban, a new voice): no sender, dimmed. */
void
flint_message_row_set_status_line (FlintMessageRow *self, gboolean status)
{
  g_return_if_fail (FLINT_IS_MESSAGE_ROW (self));

  if (status)
    gtk_widget_add_css_class (GTK_WIDGET (self), "status-line");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "status-line");
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon),
                          !status &&
                            gtk_widget_get_visible (GTK_WIDGET (self->state_icon)));
  gtk_widget_set_visible (self->resend_button,
                          !status && gtk_widget_get_visible (self->resend_button));
}

/* A conversation's rows offer Send Again on our failed messages; a room's
 * do not (the room page has no chat.resend). */
void
flint_message_row_set_resend_enabled (FlintMessageRow *self, gboolean enabled)
{
  g_return_if_fail (FLINT_IS_MESSAGE_ROW (self));

  self->resend_enabled = enabled;
  if (self->message)
    update_state (self);
}

/* Shows our failed message with its Send Again button (for app.test-dump). */
gboolean
flint_message_row_get_can_resend (FlintMessageRow *self)
{
  g_return_val_if_fail (FLINT_IS_MESSAGE_ROW (self), FALSE);

  return gtk_widget_get_visible (self->resend_button) &&
         gtk_widget_get_visible (GTK_WIDGET (self->state_icon));
}

#include "config.h"

#define G_LOG_DOMAIN "flint-room-page"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "flint-color.h"
#include "flint-composer.h"
#include "flint-message-row.h"
#include "flint-room-config-window.h"
#include "flint-room-page.h"
#include "flint-window.h"

#define GROUP_GAP (5 * 60 * G_USEC_PER_SEC)
#define PAGE_SIZE 50

struct _FlintRoomPage
{
  GtkWidget parent_instance;

  FlintRoom *room;
  FlintConversation *conversation;
  GtkSorter *sorter;
  gboolean active;
  gboolean stick_to_bottom;
  guint load_idle;

  GtkRevealer *banner;
  GtkLabel *banner_label;
  GtkWidget *settings_button;
  GtkLabel *subject_label;
  GtkWidget *subject_button;
  GtkScrolledWindow *scroller;
  GtkListView *list_view;
  GtkListView *occupant_view;
  FlintComposer *composer;
};

G_DEFINE_FINAL_TYPE (FlintRoomPage, flint_room_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

/* ---- messages ----------------------------------------------------------- */

static void
layout_row (FlintRoomPage *self, GtkListItem *item)
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
        flint_message_get_time (message) / ((gint64) G_USEC_PER_SEC * 86400) !=
          flint_message_get_time (prev) / ((gint64) G_USEC_PER_SEC * 86400);
  header =
    day ||
    g_strcmp0 (flint_message_get_sender (prev), flint_message_get_sender (message)) ||
    flint_message_get_time (message) - flint_message_get_time (prev) > GROUP_GAP;
  flint_message_row_set_layout (row, day, header, FALSE);
}

static void
on_position_changed (GtkListItem *item, GParamSpec *pspec, FlintRoomPage *self)
{
  layout_row (self, item);
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintRoomPage *self)
{
  gtk_list_item_set_child (item, flint_message_row_new ());
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  g_signal_connect_object (item, "notify::position", G_CALLBACK (on_position_changed),
                           self, 0);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintRoomPage *self)
{
  FlintMessageRow *row = FLINT_MESSAGE_ROW (gtk_list_item_get_child (item));
  FlintMessage *message = gtk_list_item_get_item (item);
  const char *sender = flint_message_get_sender (message);
  gboolean outgoing = flint_message_get_direction (message) == FLINT_DIRECTION_OUTGOING;
  g_autofree char *color = outgoing ? NULL : flint_color_hex (sender, dark ());

  flint_message_row_set_message (row, message, sender);
  flint_message_row_set_sender_color (row, color);
  flint_message_row_set_mention (
    row, !outgoing && flint_room_mentions_nick (flint_message_get_body (message),
                                                flint_room_get_nick (self->room)));
  layout_row (self, item);
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintRoomPage *self)
{
  flint_message_row_set_message (FLINT_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL,
                                 NULL);
}

static void
jump_to_bottom (FlintRoomPage *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
                                   gtk_adjustment_get_page_size (adj));
}

static gboolean
load_older_idle (gpointer user_data)
{
  FlintRoomPage *self = user_data;

  self->load_idle = 0;
  flint_conversation_load_older (self->conversation, PAGE_SIZE);
  return G_SOURCE_REMOVE;
}

static void
on_value_changed (GtkAdjustment *adj, FlintRoomPage *self)
{
  double value = gtk_adjustment_get_value (adj);
  double upper = gtk_adjustment_get_upper (adj);
  double page = gtk_adjustment_get_page_size (adj);

  self->stick_to_bottom = value >= upper - page - 4;
  if (value < page / 2 && self->load_idle == 0 &&
      !flint_conversation_get_complete (self->conversation) && upper > page)
    self->load_idle = g_idle_add (load_older_idle, self);
}

/* Rows measured or added while at the bottom keep the view there. */
static void
on_size_changed (GtkAdjustment *adj, GParamSpec *pspec, FlintRoomPage *self)
{
  if (self->stick_to_bottom)
    jump_to_bottom (self);
}

/* ---- occupants ---------------------------------------------------------- */

static int
role_rank (const char *role)
{
  static const char *const order[] = { "moderator", "participant", "visitor" };

  for (int i = 0; i < (int) G_N_ELEMENTS (order); i++)
    if (g_strcmp0 (role, order[i]) == 0)
      return i;
  return 3;
}

static int
compare_occupants (gconstpointer a, gconstpointer b, gpointer user_data)
{
  FlintOccupant *x = (FlintOccupant *) a, *y = (FlintOccupant *) b;
  int r =
    role_rank (flint_occupant_get_role (x)) - role_rank (flint_occupant_get_role (y));
  g_autofree char *nx = NULL;
  g_autofree char *ny = NULL;

  if (r)
    return r < 0 ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  nx = g_utf8_collate_key (flint_occupant_get_nick (x), -1);
  ny = g_utf8_collate_key (flint_occupant_get_nick (y), -1);
  r = strcmp (nx, ny);
  return r < 0 ? GTK_ORDERING_SMALLER : r > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static const char *
role_title (const char *role)
{
  switch (role_rank (role))
    {
      case 0:
        return _ ("Moderators");
      case 1:
        return _ ("Participants");
      case 2:
        return _ ("Visitors");
      default:
        return _ ("Others");
    }
}

static const char *
affiliation_badge (const char *affiliation)
{
  if (g_strcmp0 (affiliation, "owner") == 0)
    return _ ("Owner");
  if (g_strcmp0 (affiliation, "admin") == 0)
    return _ ("Admin");
  if (g_strcmp0 (affiliation, "member") == 0)
    return _ ("Member");
  return NULL;
}

static void
on_occupant_position (GtkListItem *item, GParamSpec *pspec, FlintRoomPage *self);

static void
setup_occupant (GtkSignalListItemFactory *factory, GtkListItem *item, FlintRoomPage *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = gtk_label_new (NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *avatar = adw_avatar_new (24, NULL, TRUE);
  GtkWidget *nick = gtk_label_new (NULL);
  GtkWidget *badge = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_add_css_class (header, "occupant-role");
  gtk_label_set_xalign (GTK_LABEL (nick), 0);
  gtk_label_set_ellipsize (GTK_LABEL (nick), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (nick, TRUE);
  gtk_widget_add_css_class (badge, "affiliation-badge");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (box, "occupant-row");
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), nick);
  gtk_box_append (GTK_BOX (box), badge);
  gtk_box_append (GTK_BOX (outer), header);
  gtk_box_append (GTK_BOX (outer), box);
  g_object_set_data (G_OBJECT (outer), "header", header);
  g_object_set_data (G_OBJECT (outer), "avatar", avatar);
  g_object_set_data (G_OBJECT (outer), "nick", nick);
  g_object_set_data (G_OBJECT (outer), "badge", badge);
  gtk_list_item_set_child (item, outer);
  gtk_list_item_set_selectable (item, FALSE);
  /* The role heading depends on the neighbour above. */
  g_signal_connect_object (item, "notify::position", G_CALLBACK (on_occupant_position),
                           self, 0);
}

static void
fill_occupant (FlintRoomPage *self, GtkListItem *item)
{
  GtkWidget *outer = gtk_list_item_get_child (item);
  FlintOccupant *occupant = gtk_list_item_get_item (item);
  guint position = gtk_list_item_get_position (item);
  GtkSelectionModel *model = gtk_list_view_get_model (self->occupant_view);
  g_autoptr (FlintOccupant) prev = NULL;
  const char *badge;
  const char *show;
  g_autofree char *nick_text = NULL;
  g_autofree char *tooltip = NULL;

  if (occupant == NULL || position == GTK_INVALID_LIST_POSITION)
    return;
  if (position > 0)
    prev = g_list_model_get_item (G_LIST_MODEL (model), position - 1);
  /* The first of each role carries the role's heading. */
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (outer), "header"),
                          prev == NULL ||
                            role_rank (flint_occupant_get_role (prev)) !=
                              role_rank (flint_occupant_get_role (occupant)));
  gtk_label_set_text (g_object_get_data (G_OBJECT (outer), "header"),
                      role_title (flint_occupant_get_role (occupant)));
  adw_avatar_set_text (g_object_get_data (G_OBJECT (outer), "avatar"),
                       flint_occupant_get_nick (occupant));
  show = flint_occupant_get_show (occupant);
  if (show && *show)
    nick_text = g_strdup_printf ("%s (%s)", flint_occupant_get_nick (occupant), show);
  gtk_label_set_text (g_object_get_data (G_OBJECT (outer), "nick"),
                      nick_text ? nick_text : flint_occupant_get_nick (occupant));
  badge = affiliation_badge (flint_occupant_get_affiliation (occupant));
  gtk_label_set_text (g_object_get_data (G_OBJECT (outer), "badge"), badge);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (outer), "badge"), badge != NULL);
  if (flint_occupant_get_jid (occupant))
    tooltip = g_strdup (flint_occupant_get_jid (occupant));
  gtk_widget_set_tooltip_text (outer,
                               tooltip ? tooltip : flint_occupant_get_status (occupant));
}

/* A changed occupant: its row shows the change, and a new role or nick
 * moves it. */
static void
on_occupant_changed (FlintOccupant *occupant, GParamSpec *pspec, GtkListItem *item)
{
  FlintRoomPage *self = g_object_get_data (G_OBJECT (item), "flint-room-page");

  if (self == NULL)
    return;
  fill_occupant (self, item);
  if (g_strcmp0 (pspec->name, "role") == 0 || g_strcmp0 (pspec->name, "nick") == 0)
    gtk_sorter_changed (self->sorter, GTK_SORTER_CHANGE_DIFFERENT);
}

static void
on_occupant_position (GtkListItem *item, GParamSpec *pspec, FlintRoomPage *self)
{
  fill_occupant (self, item);
}

static void
bind_occupant (GtkSignalListItemFactory *factory, GtkListItem *item, FlintRoomPage *self)
{
  g_object_set_data (G_OBJECT (item), "flint-room-page", self);
  fill_occupant (self, item);
  g_signal_connect_object (gtk_list_item_get_item (item), "notify",
                           G_CALLBACK (on_occupant_changed), item, 0);
}

static void
unbind_occupant (GtkSignalListItemFactory *factory,
                 GtkListItem *item,
                 FlintRoomPage *self)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item),
                                        on_occupant_changed, item);
}

/* A private chat with the occupant (XEP-0045 §7.5), in its own tab. */
static void
on_occupant_activated (GtkListView *view, guint position, FlintRoomPage *self)
{
  g_autoptr (FlintOccupant) occupant =
    g_list_model_get_item (G_LIST_MODEL (gtk_list_view_get_model (view)), position);
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), FLINT_TYPE_WINDOW);
  g_autofree char *jid = NULL;

  if (occupant == NULL || window == NULL || flint_occupant_get_is_self (occupant))
    return;
  jid = g_strdup_printf ("%s/%s", flint_room_get_jid (self->room),
                         flint_occupant_get_nick (occupant));
  flint_window_open_chat (FLINT_WINDOW (window), flint_room_page_get_account (self), jid,
                          TRUE);
}

/* ---- state -------------------------------------------------------------- */

static void
update_subject (FlintRoomPage *self)
{
  const char *subject = flint_room_get_subject (self->room);
  FlintOccupant *me = flint_room_get_self_occupant (self->room);

  gtk_label_set_text (self->subject_label, subject ? subject : _ ("No subject"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->subject_label), subject);
  /* Moderators may change it in every room; others only where allowed,
   * which the room tells by refusing. */
  gtk_widget_set_visible (self->subject_button,
                          me &&
                            g_strcmp0 (flint_occupant_get_role (me), "moderator") == 0);
}

static void
update_state (FlintRoomPage *self)
{
  FlintRoomState state = flint_room_get_state (self->room);
  const GError *error = flint_room_get_error (self->room);
  const char *text = NULL;

  switch (state)
    {
      case FLINT_ROOM_JOINED:
        text = error ? error->message : NULL; /* e.g. a refused nick change */
        break;
      case FLINT_ROOM_JOINING:
        text = NULL;
        break;
      case FLINT_ROOM_FAILED:
        text = error ? error->message : _ ("You are not in this room.");
        break;
      case FLINT_ROOM_LEFT:
      default:
        text = _ ("You are not in this room.");
        break;
    }
  gtk_label_set_text (self->banner_label, text);
  gtk_revealer_set_reveal_child (self->banner, text != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.rejoin",
                                 state == FLINT_ROOM_FAILED || state == FLINT_ROOM_LEFT);
  update_subject (self);
}

/* ---- actions ------------------------------------------------------------ */

static void
show_toast (FlintRoomPage *self, const char *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), FLINT_TYPE_WINDOW);

  if (window)
    flint_window_add_toast (FLINT_WINDOW (window), text);
}

static gboolean
on_send (FlintComposer *composer, const char *text, FlintRoomPage *self)
{
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autoptr (GError) error = NULL;

  record = flint_room_send (self->room, text, &error);
  if (record == NULL)
    {
      show_toast (self, error ? error->message : _ ("The message could not be sent."));
      return FALSE;
    }
  self->stick_to_bottom = TRUE;
  jump_to_bottom (self);
  return TRUE;
}

static void
rejoin_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (widget);
  const char *suggested = flint_room_get_suggested_nick (self->room);
  const GError *error = flint_room_get_error (self->room);

  /* After "nick in use" the offered nick is the obvious next try. */
  if (suggested && error &&
      g_error_matches (error, FLINT_ERROR, FLINT_ERROR_MUC_NICK_IN_USE))
    flint_room_set_nick (self->room, suggested);
  flint_room_join (self->room);
}

static void
on_subject_response (AdwMessageDialog *dialog, const char *response, FlintRoomPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");

  if (g_strcmp0 (response, "set") == 0)
    flint_room_set_subject (self->room, gtk_editable_get_text (entry));
}

static void
change_subject_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog =
    adw_message_dialog_new (GTK_WINDOW (root), _ ("Change Subject"), NULL);
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), flint_room_get_subject (self->room)
                                                 ? flint_room_get_subject (self->room)
                                                 : "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "set", _ ("_Change"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "set",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "set");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_subject_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- object ------------------------------------------------------------- */

static void
on_name_changed (FlintRoom *room, GParamSpec *pspec, FlintRoomPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

FlintRoomPage *
flint_room_page_new (FlintRoom *room, FlintConversation *conversation)
{
  FlintRoomPage *self = g_object_new (FLINT_TYPE_ROOM_PAGE, NULL);
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkListItemFactory) occupant_factory = gtk_signal_list_item_factory_new ();
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  GtkSortListModel *sorted;

  self->room = g_object_ref (room);
  self->conversation = g_object_ref (conversation);
  self->stick_to_bottom = TRUE;
  flint_room_config_window_attach (GTK_WIDGET (self), self->settings_button, room);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (
                             g_object_ref (G_LIST_MODEL (conversation)))));
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_value_changed), self, 0);
  g_signal_connect_object (adj, "notify::upper", G_CALLBACK (on_size_changed), self, 0);
  g_signal_connect_object (adj, "notify::page-size", G_CALLBACK (on_size_changed), self,
                           0);

  self->sorter = GTK_SORTER (gtk_custom_sorter_new (compare_occupants, NULL, NULL));
  sorted = gtk_sort_list_model_new (g_object_ref (flint_room_get_occupants (room)),
                                    g_object_ref (self->sorter));
  g_signal_connect (occupant_factory, "setup", G_CALLBACK (setup_occupant), self);
  g_signal_connect (occupant_factory, "bind", G_CALLBACK (bind_occupant), self);
  g_signal_connect (occupant_factory, "unbind", G_CALLBACK (unbind_occupant), self);
  gtk_list_view_set_factory (self->occupant_view, occupant_factory);
  gtk_list_view_set_model (
    self->occupant_view,
    GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted))));

  gtk_list_view_set_single_click_activate (self->occupant_view, TRUE);
  g_signal_connect (self->occupant_view, "activate", G_CALLBACK (on_occupant_activated),
                    self);
  g_signal_connect (self->composer, "send", G_CALLBACK (on_send), self);
  g_signal_connect_object (room, "notify::state", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "notify::subject", G_CALLBACK (update_subject), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "notify::nick", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "notify::name", G_CALLBACK (on_name_changed), self, 0);
  g_signal_connect_object (flint_room_get_occupants (room), "items-changed",
                           G_CALLBACK (update_subject), self, G_CONNECT_SWAPPED);
  update_state (self);
  return self;
}

static void
flint_room_page_dispose (GObject *object)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (object);

  g_clear_handle_id (&self->load_idle, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_ROOM_PAGE);
  g_clear_object (&self->sorter);
  g_clear_object (&self->conversation);
  g_clear_object (&self->room);
  G_OBJECT_CLASS (flint_room_page_parent_class)->dispose (object);
}

static void
flint_room_page_get_property (GObject *object,
                              guint prop_id,
                              GValue *value,
                              GParamSpec *pspec)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (object);

  switch (prop_id)
    {
      case PROP_TITLE:
        g_value_set_string (value, flint_room_page_get_title (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_room_page_class_init (FlintRoomPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_room_page_dispose;
  object_class->get_property = flint_room_page_get_property;
  properties[PROP_TITLE] = g_param_spec_string (
    "title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FLINT_TYPE_COMPOSER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-room-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, banner);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, banner_label);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, settings_button);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, subject_label);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, subject_button);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, occupant_view);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, composer);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_install_action (widget_class, "room.rejoin", NULL, rejoin_activated);
  gtk_widget_class_install_action (widget_class, "room.change-subject", NULL,
                                   change_subject_activated);
}

static void
flint_room_page_init (FlintRoomPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

FlintRoom *
flint_room_page_get_room (FlintRoomPage *self)
{
  return self->room;
}

FlintConversation *
flint_room_page_get_conversation (FlintRoomPage *self)
{
  return self->conversation;
}

const char *
flint_room_page_get_account (FlintRoomPage *self)
{
  return flint_conversation_get_account (self->conversation);
}

const char *
flint_room_page_get_jid (FlintRoomPage *self)
{
  return flint_room_get_jid (self->room);
}

const char *
flint_room_page_get_title (FlintRoomPage *self)
{
  return flint_room_get_name (self->room);
}

void
flint_room_page_set_active (FlintRoomPage *self, gboolean active)
{
  self->active = active;
  flint_room_set_active (self->room, active);
  flint_conversation_set_active (self->conversation, active);
}

void
flint_room_page_focus_composer (FlintRoomPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (flint_composer_get_text_view (self->composer)));
}

gboolean
flint_room_page_send_text (FlintRoomPage *self, const char *text)
{
  gboolean taken = FALSE;

  g_signal_emit_by_name (self->composer, "send", text, &taken);
  return taken;
}

#include "config.h"

#define G_LOG_DOMAIN "flint-room-page"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "flint-color.h"
#include "flint-jid.h"
#include "flint-application.h"
#include "flint-composer.h"
#include "flint-contact-picker.h"
#include "flint-message-row.h"
#include "flint-room-config-window.h"
#include "flint-room-page.h"
#include "flint-widget.h"
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
  GtkMenuButton *room_menu_button;
  FlintComposer *composer;
  GtkWidget *occupant_menu; /* GtkPopoverMenu on occupant_view */
  FlintOccupant *me;        /* whose changes decide what we may do */
  gulong paint_handler;     /* after-paint once the occupants changed */
  gint64 occupants_painted; /* monotonic µs, for tests and benches */
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
  gboolean day, header, status;

  if (message == NULL || position == GTK_INVALID_LIST_POSITION)
    return;
  if (position > 0)
    prev = g_list_model_get_item (G_LIST_MODEL (self->conversation), position - 1);
  status = flint_message_get_record (message)->kind == FLINT_MESSAGE_KIND_STATUS;
  day = prev == NULL ||
        flint_message_get_time (message) / ((gint64) G_USEC_PER_SEC * 86400) !=
          flint_message_get_time (prev) / ((gint64) G_USEC_PER_SEC * 86400);
  header =
    day ||
    g_strcmp0 (flint_message_get_sender (prev), flint_message_get_sender (message)) ||
    flint_message_get_time (message) - flint_message_get_time (prev) > GROUP_GAP;
  flint_message_row_set_layout (row, day, header && !status, FALSE);
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
  gboolean status = flint_message_get_record (message)->kind == FLINT_MESSAGE_KIND_STATUS;
  g_autofree char *color = outgoing || status ? NULL : flint_color_hex (sender, dark ());

  flint_message_row_set_message (row, message, sender);
  flint_message_row_set_sender_color (row, color);
  flint_message_row_set_status_line (row, status);
  flint_message_row_set_mention (
    row, !outgoing && !status &&
           flint_room_mentions_nick (flint_message_get_body (message),
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

typedef struct
{
  char *nick;
  char *key;
} CollateKey;

static void
collate_key_free (gpointer data)
{
  CollateKey *k = data;

  g_free (k->nick);
  g_free (k->key);
  g_free (k);
}

/* The nick's collation key, kept on the occupant until the nick changes:
 * GTK 4.8's sort model sorts again on each insertion, so a 500-person join
 * compares nicks about a million times. */
static const char *
collate_key (FlintOccupant *occupant)
{
  static GQuark quark;
  const char *nick = flint_occupant_get_nick (occupant);
  CollateKey *k;

  if (quark == 0)
    quark = g_quark_from_static_string ("flint-collate-key");
  k = g_object_get_qdata (G_OBJECT (occupant), quark);
  if (k == NULL || g_strcmp0 (k->nick, nick) != 0)
    {
      k = g_new0 (CollateKey, 1);
      k->nick = g_strdup (nick);
      k->key = g_utf8_collate_key (nick ? nick : "", -1);
      g_object_set_qdata_full (G_OBJECT (occupant), quark, k, collate_key_free);
    }
  return k->key;
}

static int
compare_occupants (gconstpointer a, gconstpointer b, gpointer user_data)
{
  FlintOccupant *x = (FlintOccupant *) a, *y = (FlintOccupant *) b;
  int r =
    role_rank (flint_occupant_get_role (x)) - role_rank (flint_occupant_get_role (y));

  if (r)
    return r < 0 ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  r = strcmp (collate_key (x), collate_key (y));
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
static void on_occupant_pressed (
  GtkGestureClick *gesture, int n_press, double x, double y, GtkWidget *row);

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
  /* A click (any button) opens the occupant's menu. */
  {
    GtkGesture *click = gtk_gesture_click_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
    g_signal_connect (click, "pressed", G_CALLBACK (on_occupant_pressed), outer);
    gtk_widget_add_controller (outer, GTK_EVENT_CONTROLLER (click));
    g_object_set_data (G_OBJECT (outer), "flint-room-page", self);
    g_object_set_data (G_OBJECT (outer), "list-item", item);
  }
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
  /* Given when asked: a fixed tooltip text asks the X server for the
   * pointer on every bind, and each joining occupant rebinds the rows below
   * it (a 500-occupant join took 20 s). */
  flint_widget_set_lazy_tooltip (outer, flint_occupant_get_jid (occupant)
                                          ? flint_occupant_get_jid (occupant)
                                          : flint_occupant_get_status (occupant));
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

/* ---- the occupant menu: a private message and what we may do ---------- */

static void
add_item (GMenu *menu, const char *label, const char *action, const char *nick)
{
  g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_string (nick));
  g_menu_append_item (menu, item);
}

/* Only what our role and affiliation allow (XEP-0045 §5) is offered; the
 * room still has the last word, and says no with a toast. */
static GMenuModel *
occupant_menu_model (FlintRoomPage *self, FlintOccupant *occupant)
{
  GMenu *menu = g_menu_new ();
  g_autoptr (GMenu) chat = g_menu_new ();
  g_autoptr (GMenu) roles = g_menu_new ();
  g_autoptr (GMenu) affiliations = g_menu_new ();
  g_autoptr (GMenu) remove = g_menu_new ();
  const char *nick = flint_occupant_get_nick (occupant);
  static const struct
  {
    FlintRoomAction action;
    const char *label;
    const char *name;
    int section;
  } actions[] = {
    { FLINT_ROOM_ACTION_GRANT_VOICE, N_ ("Grant Voice"), "room.grant-voice", 0 },
    { FLINT_ROOM_ACTION_REVOKE_VOICE, N_ ("Revoke Voice"), "room.revoke-voice", 0 },
    { FLINT_ROOM_ACTION_MAKE_MEMBER, N_ ("Make Member"), "room.make-member", 1 },
    { FLINT_ROOM_ACTION_MAKE_ADMIN, N_ ("Make Admin"), "room.make-admin", 1 },
    { FLINT_ROOM_ACTION_MAKE_OWNER, N_ ("Make Owner"), "room.make-owner", 1 },
    { FLINT_ROOM_ACTION_REMOVE_AFFILIATION, N_ ("Remove Affiliation"),
      "room.remove-affiliation", 1 },
    { FLINT_ROOM_ACTION_KICK, N_ ("Kick…"), "room.kick", 2 },
    { FLINT_ROOM_ACTION_BAN, N_ ("Ban…"), "room.ban", 2 },
  };
  GMenu *sections[] = { roles, affiliations, remove };

  if (!flint_occupant_get_is_self (occupant))
    add_item (chat, _ ("Send Private Message"), "room.private-message", nick);
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (flint_room_can (self->room, actions[i].action, occupant))
      add_item (sections[actions[i].section], _ (actions[i].label), actions[i].name,
                nick);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (chat));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (roles));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (affiliations));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (remove));
  return G_MENU_MODEL (menu);
}

static void
show_occupant_menu (FlintRoomPage *self, FlintOccupant *occupant, GtkWidget *row)
{
  g_autoptr (GMenuModel) model = NULL;
  graphene_rect_t bounds;

  if (occupant == NULL)
    return;
  model = occupant_menu_model (self, occupant);
  if (g_menu_model_get_n_items (model) == 0)
    return;
  /* Empty sections count as items: nothing to show for ourselves as a
   * plain participant. */
  {
    guint n = 0;
    for (int i = 0; i < g_menu_model_get_n_items (model); i++)
      {
        g_autoptr (GMenuModel) section =
          g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
        n += section ? g_menu_model_get_n_items (section) : 0;
      }
    if (n == 0)
      return;
  }
  /* A new popover for each menu, sized for it. */
  g_clear_pointer (&self->occupant_menu, gtk_widget_unparent);
  self->occupant_menu = gtk_popover_menu_new_from_model (model);
  gtk_popover_set_position (GTK_POPOVER (self->occupant_menu), GTK_POS_BOTTOM);
  /* Parented to the page, whose size_allocate presents it: a popover
   * nobody presents keeps the size it had before its rows were styled. */
  gtk_widget_set_parent (self->occupant_menu, GTK_WIDGET (self));
  if (row && gtk_widget_compute_bounds (row, GTK_WIDGET (self), &bounds))
    gtk_popover_set_pointing_to (
      GTK_POPOVER (self->occupant_menu),
      &(GdkRectangle){ (int) bounds.origin.x, (int) bounds.origin.y,
                       (int) bounds.size.width, (int) bounds.size.height });
  gtk_popover_popup (GTK_POPOVER (self->occupant_menu));
}

static void
on_occupant_pressed (
  GtkGestureClick *gesture, int n_press, double x, double y, GtkWidget *row)
{
  FlintRoomPage *self = g_object_get_data (G_OBJECT (row), "flint-room-page");
  GtkListItem *item = g_object_get_data (G_OBJECT (row), "list-item");

  if (self == NULL || item == NULL)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  show_occupant_menu (self, gtk_list_item_get_item (item), row);
}

/* Keyboard: Enter on a row opens its menu beside it. */
static void
on_occupant_activated (GtkListView *view, guint position, FlintRoomPage *self)
{
  g_autoptr (FlintOccupant) occupant =
    g_list_model_get_item (G_LIST_MODEL (gtk_list_view_get_model (view)), position);

  show_occupant_menu (self, occupant, gtk_widget_get_focus_child (GTK_WIDGET (view)));
}

/* The row showing @occupant, if it is built (visible or near). */
static GtkWidget *
find_row (FlintRoomPage *self, FlintOccupant *occupant)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->occupant_view));
       child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *outer = gtk_widget_get_first_child (child);
      GtkListItem *item =
        outer ? g_object_get_data (G_OBJECT (outer), "list-item") : NULL;

      if (item && gtk_list_item_get_item (item) == (gpointer) occupant)
        return outer;
    }
  return NULL;
}

/* room.occupant-menu ("nick"): the occupant's menu, as a click opens it. */
static void
occupant_menu_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (widget);
  FlintOccupant *occupant =
    flint_room_find_occupant (self->room, g_variant_get_string (parameter, NULL));

  if (occupant)
    show_occupant_menu (self, occupant, find_row (self, occupant));
}

/* A private chat with the occupant (XEP-0045 §7.5), in its own tab. */
static void
private_message_activated (GtkWidget *widget,
                           const char *action_name,
                           GVariant *parameter)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (widget);
  GtkWidget *window = gtk_widget_get_ancestor (widget, FLINT_TYPE_WINDOW);
  const char *nick = g_variant_get_string (parameter, NULL);
  g_autofree char *jid = NULL;

  if (window == NULL || *nick == '\0')
    return;
  jid = g_strdup_printf ("%s/%s", flint_room_get_jid (self->room), nick);
  flint_window_open_chat (FLINT_WINDOW (window), flint_room_page_get_account (self), jid,
                          TRUE);
}

static void show_toast (FlintRoomPage *self, const char *text);

static void
on_moderated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlintRoomPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!flint_room_moderate_finish (FLINT_ROOM (source), result, &error))
    show_toast (self, error->message);
}

static void
moderate (FlintRoomPage *self,
          FlintRoomAction action,
          const char *nick,
          const char *reason)
{
  FlintOccupant *occupant = flint_room_find_occupant (self->room, nick);

  if (occupant == NULL && action != FLINT_ROOM_ACTION_DESTROY)
    {
      show_toast (self, flint_error_describe (FLINT_ERROR_MUC_NO_OCCUPANT));
      return;
    }
  flint_room_moderate_async (self->room, action, nick,
                             occupant ? flint_occupant_get_jid (occupant) : NULL, reason,
                             NULL, on_moderated, g_object_ref (self));
}

static void
role_action_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  static const struct
  {
    const char *name;
    FlintRoomAction action;
  } map[] = {
    { "room.grant-voice", FLINT_ROOM_ACTION_GRANT_VOICE },
    { "room.revoke-voice", FLINT_ROOM_ACTION_REVOKE_VOICE },
    { "room.make-member", FLINT_ROOM_ACTION_MAKE_MEMBER },
    { "room.make-admin", FLINT_ROOM_ACTION_MAKE_ADMIN },
    { "room.make-owner", FLINT_ROOM_ACTION_MAKE_OWNER },
    { "room.remove-affiliation", FLINT_ROOM_ACTION_REMOVE_AFFILIATION },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (action_name, map[i].name))
      moderate (FLINT_ROOM_PAGE (widget), map[i].action,
                g_variant_get_string (parameter, NULL), NULL);
}

/* A question with a text entry (a reason, an address), answered once. */
static GtkWidget *
ask (FlintRoomPage *self,
     const char *heading,
     const char *body,
     const char *placeholder,
     const char *response,
     const char *response_label,
     AdwResponseAppearance appearance,
     GCallback callback)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (root), heading, body);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  placeholder, -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    response, response_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              appearance);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), response);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect_object (dialog, "response", callback, self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_remove_response (AdwMessageDialog *dialog, const char *response, FlintRoomPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  const char *nick = g_object_get_data (G_OBJECT (dialog), "nick");
  const char *reason = gtk_editable_get_text (entry);

  if (g_str_equal (response, "kick"))
    moderate (self, FLINT_ROOM_ACTION_KICK, nick, reason);
  else if (g_str_equal (response, "ban"))
    moderate (self, FLINT_ROOM_ACTION_BAN, nick, reason);
  else if (g_str_equal (response, "destroy"))
    moderate (self, FLINT_ROOM_ACTION_DESTROY, NULL, reason);
}

static void
kick_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (widget);
  const char *nick = g_variant_get_string (parameter, NULL);
  gboolean ban = g_str_equal (action_name, "room.ban");
  g_autofree char *heading =
    ban ? g_strdup_printf (_ ("Ban %s?"), nick) : g_strdup_printf (_ ("Kick %s?"), nick);
  GtkWidget *dialog =
    ask (self, heading,
         ban ? _ ("They are removed from the room and cannot come back until an "
                  "administrator lifts the ban.")
             : _ ("They are removed from the room and may join it again."),
         _ ("Reason (optional)"), ban ? "ban" : "kick", ban ? _ ("_Ban") : _ ("_Kick"),
         ADW_RESPONSE_DESTRUCTIVE, G_CALLBACK (on_remove_response));

  g_object_set_data_full (G_OBJECT (dialog), "nick", g_strdup (nick), g_free);
}

static void
destroy_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ask (FLINT_ROOM_PAGE (widget), _ ("Destroy Room?"),
       _ ("Everyone is removed from the room and the server deletes it. This cannot be "
          "undone."),
       _ ("Reason (optional)"), "destroy", _ ("_Destroy"), ADW_RESPONSE_DESTRUCTIVE,
       G_CALLBACK (on_remove_response));
}

static void
on_invite_response (AdwMessageDialog *dialog, const char *response, FlintRoomPage *self)
{
  FlintContactPicker *picker = g_object_get_data (G_OBJECT (dialog), "picker");
  g_autofree char *jid = flint_contact_picker_dup_jid (picker);
  g_autofree char *text = NULL;

  if (!g_str_equal (response, "invite"))
    return;
  if (jid == NULL)
    {
      show_toast (self, flint_error_describe (FLINT_ERROR_INVALID_JID));
      return;
    }
  flint_room_invite (self->room, jid, NULL);
  /* TRANSLATORS: %s is a chat address */
  text = g_strdup_printf (_ ("Invitation sent to %s"), jid);
  show_toast (self, text);
}

static void
invite_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (widget);
  g_autofree char *heading =
    g_strdup_printf (_ ("Invite to %s"), flint_room_get_name (self->room));
  FlintRoster *roster = flint_application_get_roster (
    FLINT_APPLICATION (g_application_get_default ()), flint_room_page_get_account (self));
  GtkWidget *picker =
    flint_contact_picker_new (roster ? flint_roster_get_contacts (roster) : NULL);
  GtkWidget *dialog =
    ask (self, heading,
         _ ("Choose a contact or enter the chat address of the person to invite."),
         _ ("name@example.com"), "invite", _ ("_Invite"), ADW_RESPONSE_SUGGESTED,
         G_CALLBACK (on_invite_response));

  /* The picker's entry is the one tests and users type into. */
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), picker);
  g_object_set_data (G_OBJECT (dialog), "entry",
                     flint_contact_picker_get_entry (FLINT_CONTACT_PICKER (picker)));
  g_object_set_data (G_OBJECT (dialog), "picker", picker);
  gtk_widget_grab_focus (picker);
}

/* The room menu, made when opened: destroy only for owners. */
static void
create_room_menu (GtkMenuButton *button, gpointer user_data)
{
  FlintRoomPage *self = user_data;
  g_autoptr (GMenu) menu = g_menu_new ();

  g_menu_append (menu, _ ("Invite Contact…"), "room.invite");
  if (flint_room_can (self->room, FLINT_ROOM_ACTION_DESTROY, NULL))
    g_menu_append (menu, _ ("Destroy Room…"), "room.destroy");
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (menu));
}

/* When a change to the occupants reached the screen (the benches' "list
 * rendered"): the first frame painted after it. */
static void
on_after_paint (GdkFrameClock *clock, FlintRoomPage *self)
{
  self->occupants_painted = g_get_monotonic_time ();
  g_clear_signal_handler (&self->paint_handler, clock);
}

static void
on_occupants_changed (FlintRoomPage *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->occupant_view));

  if (clock && self->paint_handler == 0)
    self->paint_handler = g_signal_connect_object (clock, "after-paint",
                                                   G_CALLBACK (on_after_paint), self, 0);
}

/* ---- state -------------------------------------------------------------- */

static void update_subject (FlintRoomPage *self);

/* Our own role or affiliation changed: what we may do changed with it. */
static void
on_me_changed (FlintOccupant *me, GParamSpec *pspec, FlintRoomPage *self)
{
  update_subject (self);
}

static void
update_subject (FlintRoomPage *self)
{
  const char *subject = flint_room_get_subject (self->room);
  FlintOccupant *me = flint_room_get_self_occupant (self->room);

  if (me != self->me)
    {
      if (self->me)
        g_signal_handlers_disconnect_by_func (self->me, on_me_changed, self);
      g_set_object (&self->me, me);
      if (me)
        g_signal_connect_object (me, "notify", G_CALLBACK (on_me_changed), self, 0);
    }
  gtk_label_set_text (self->subject_label, subject ? subject : _ ("No subject"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->subject_label), subject);
  /* Moderators may change it in every room; others where the room's
   * configuration allows it. */
  gtk_widget_set_visible (self->subject_button,
                          flint_room_can_change_subject (self->room));
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

  g_signal_connect (self->occupant_view, "activate", G_CALLBACK (on_occupant_activated),
                    self);
  gtk_menu_button_set_create_popup_func (self->room_menu_button, create_room_menu, self,
                                         NULL);
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
  g_signal_connect_object (flint_room_get_occupants (room), "items-changed",
                           G_CALLBACK (on_occupants_changed), self, G_CONNECT_SWAPPED);
  update_state (self);
  return self;
}

static void
flint_room_page_dispose (GObject *object)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (object);

  g_clear_handle_id (&self->load_idle, g_source_remove);
  g_clear_pointer (&self->occupant_menu, gtk_widget_unparent);
  if (self->paint_handler)
    g_clear_signal_handler (&self->paint_handler, gtk_widget_get_frame_clock (
                                                    GTK_WIDGET (self->occupant_view)));
  if (self->me)
    g_signal_handlers_disconnect_by_func (self->me, on_me_changed, self);
  g_clear_object (&self->me);
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

/* The template's box fills the page; the occupant menu is presented. */
static void
flint_room_page_measure (GtkWidget *widget,
                         GtkOrientation orientation,
                         int for_size,
                         int *minimum,
                         int *natural,
                         int *minimum_baseline,
                         int *natural_baseline)
{
  gtk_widget_measure (gtk_widget_get_first_child (widget), orientation, for_size, minimum,
                      natural, minimum_baseline, natural_baseline);
}

static void
flint_room_page_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  FlintRoomPage *self = FLINT_ROOM_PAGE (widget);

  gtk_widget_allocate (gtk_widget_get_first_child (widget), width, height, baseline,
                       NULL);
  if (self->occupant_menu)
    gtk_popover_present (GTK_POPOVER (self->occupant_menu));
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
  gtk_widget_class_bind_template_child (widget_class, FlintRoomPage, room_menu_button);
  widget_class->measure = flint_room_page_measure;
  widget_class->size_allocate = flint_room_page_size_allocate;
  gtk_widget_class_install_action (widget_class, "room.rejoin", NULL, rejoin_activated);
  gtk_widget_class_install_action (widget_class, "room.change-subject", NULL,
                                   change_subject_activated);
  gtk_widget_class_install_action (widget_class, "room.occupant-menu", "s",
                                   occupant_menu_activated);
  gtk_widget_class_install_action (widget_class, "room.private-message", "s",
                                   private_message_activated);
  gtk_widget_class_install_action (widget_class, "room.grant-voice", "s",
                                   role_action_activated);
  gtk_widget_class_install_action (widget_class, "room.revoke-voice", "s",
                                   role_action_activated);
  gtk_widget_class_install_action (widget_class, "room.make-member", "s",
                                   role_action_activated);
  gtk_widget_class_install_action (widget_class, "room.make-admin", "s",
                                   role_action_activated);
  gtk_widget_class_install_action (widget_class, "room.make-owner", "s",
                                   role_action_activated);
  gtk_widget_class_install_action (widget_class, "room.remove-affiliation", "s",
                                   role_action_activated);
  gtk_widget_class_install_action (widget_class, "room.kick", "s", kick_activated);
  gtk_widget_class_install_action (widget_class, "room.ban", "s", kick_activated);
  gtk_widget_class_install_action (widget_class, "room.destroy", NULL, destroy_activated);
  gtk_widget_class_install_action (widget_class, "room.invite", NULL, invite_activated);
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

char *
flint_room_page_describe_menu (FlintRoomPage *self)
{
  GMenuModel *model;
  GString *out;

  if (self->occupant_menu == NULL || !gtk_widget_get_visible (self->occupant_menu))
    return NULL;
  model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (self->occupant_menu));
  out = g_string_new (NULL);
  for (int i = 0; model && i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr (GMenuModel) section =
        g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);

      for (int j = 0; section && j < g_menu_model_get_n_items (section); j++)
        {
          g_autofree char *action = NULL;

          if (g_menu_model_get_item_attribute (section, j, G_MENU_ATTRIBUTE_ACTION, "s",
                                               &action))
            g_string_append_printf (out, "%s%s", out->len ? "," : "", action);
        }
    }
  return g_string_free (out, FALSE);
}

gboolean
flint_room_page_get_subject_editable (FlintRoomPage *self)
{
  return gtk_widget_get_visible (self->subject_button);
}

gint64
flint_room_page_get_occupants_painted (FlintRoomPage *self)
{
  return self->occupants_painted;
}

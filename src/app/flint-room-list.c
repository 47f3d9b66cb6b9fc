#include "config.h"

#define G_LOG_DOMAIN "flint-room-list"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "flint-json.h"
#include "flint-room-list.h"
#include "flint-widget.h"

struct _FlintRoomList
{
  GtkWidget parent_instance;

  GPtrArray *sources; /* Source: one per account shown */
  FlintRoomListUnreadFunc unread_func;
  gpointer unread_data;
  guint refresh_idle;
  GPtrArray *watched; /* FlintRoom whose state we follow */

  GtkWidget *box;
  GtkListBox *list;
};

/* The rooms and bookmarks of one account. */
typedef struct
{
  char *account;
  FlintRooms *rooms;
  FlintBookmarks *bookmarks;
} Source;

static void
source_free (gpointer data)
{
  Source *source = data;

  g_free (source->account);
  g_clear_object (&source->rooms);
  g_clear_object (&source->bookmarks);
  g_free (source);
}

G_DEFINE_FINAL_TYPE (FlintRoomList, flint_room_list, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_ROOM_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, GtkWidget *row);
static void on_long_press (GtkWidget *row, double x, double y);

/* The account's source; NULL or unknown: the first. */
static Source *
find_source (FlintRoomList *self, const char *account)
{
  for (guint i = 0; account && i < self->sources->len; i++)
    {
      Source *source = g_ptr_array_index (self->sources, i);

      if (g_strcmp0 (source->account, account) == 0)
        return source;
    }
  return self->sources->len ? g_ptr_array_index (self->sources, 0) : NULL;
}

/* A menu action's target: "ACCOUNT JID", or a room's address alone (the
 * first account's). Returns the address; *source gets its account's. */
static const char *
parse_target (FlintRoomList *self, GVariant *parameter, Source **source)
{
  const char *target = g_variant_get_string (parameter, NULL);
  const char *space = strchr (target, ' ');
  g_autofree char *account = space ? g_strndup (target, (gsize) (space - target)) : NULL;

  *source = find_source (self, account);
  return space ? space + 1 : target;
}

static const char *
state_text (FlintRoom *room)
{
  if (room == NULL)
    return _ ("Not joined");
  switch (flint_room_get_state (room))
    {
      case FLINT_ROOM_JOINED:
        return NULL;
      case FLINT_ROOM_JOINING:
        return _ ("Joining…");
      case FLINT_ROOM_FAILED:
        return _ ("Could not join");
      case FLINT_ROOM_LEFT:
      default:
        return _ ("Not joined");
    }
}

static const char *
state_nick (FlintRoom *room)
{
  static const char *const nicks[] = { "left", "joining", "joined", "failed" };
  return room ? nicks[flint_room_get_state (room)] : "none";
}

static GtkWidget *
make_row (
  FlintRoomList *self, Source *source, const char *jid, const char *name, FlintRoom *room)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *avatar = adw_avatar_new (32, name ? name : jid, TRUE);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (name ? name : jid);
  const char *state = state_text (room);
  guint unread =
    self->unread_func ? self->unread_func (source->account, jid, self->unread_data) : 0;
  gboolean many = self->sources->len > 1;

  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (labels), title);
  if (state || many)
    {
      /* TRANSLATORS: a room's state, then the own account it is on */
      g_autofree char *text =
        state && many ? g_strdup_printf (_ ("%s · via %s"), state, source->account)
        : many        ? g_strdup_printf (_ ("via %s"), source->account)
                      : g_strdup (state);
      GtkWidget *sub = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (sub), 0);
      gtk_widget_add_css_class (sub, "caption");
      gtk_widget_add_css_class (sub, "dim-label");
      gtk_label_set_ellipsize (GTK_LABEL (sub), PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (labels), sub);
      if (state)
        gtk_widget_add_css_class (avatar, "dim-label");
    }
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), labels);
  if (unread)
    {
      g_autofree char *count = g_strdup_printf ("%u", unread);
      GtkWidget *badge = gtk_label_new (count);
      gtk_widget_add_css_class (badge, "unread-badge");
      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), badge);
    }
  /* Rows are made again on every change: no X round trip each. */
  flint_widget_set_lazy_tooltip (row, jid);
  {
    /* Right click (or a long press): edit, remove, leave. */
    GtkGesture *click = gtk_gesture_click_new ();
    GtkGesture *press = gtk_gesture_long_press_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
    g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), row);
    gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
    g_signal_connect_swapped (press, "pressed", G_CALLBACK (on_long_press), row);
    gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (press));
  }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "jid", g_strdup (jid), g_free);
  g_object_set_data_full (G_OBJECT (row), "account", g_strdup (source->account), g_free);
  g_object_set_data_full (
    G_OBJECT (row), "describe",
    many
      ? g_strdup_printf ("R:%s|%s|%u|%s", jid, state_nick (room), unread, source->account)
      : g_strdup_printf ("R:%s|%s|%u", jid, state_nick (room), unread),
    g_free);
  return row;
}

/* ---- the row menu ------------------------------------------------------- */

static void
on_long_press (GtkWidget *row, double x, double y)
{
  on_pressed (NULL, 1, x, y, row);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, GtkWidget *row)
{
  const char *jid = g_object_get_data (G_OBJECT (row), "jid");
  const char *account = g_object_get_data (G_OBJECT (row), "account");
  FlintRoomList *self =
    FLINT_ROOM_LIST (gtk_widget_get_ancestor (row, FLINT_TYPE_ROOM_LIST));
  Source *source = find_source (self, account);
  g_autoptr (GMenu) menu = g_menu_new ();
  gboolean bookmarked =
    source && source->bookmarks && flint_bookmarks_find (source->bookmarks, jid);
  FlintRoom *room =
    source && source->rooms ? flint_rooms_get_room (source->rooms, jid) : NULL;
  g_autofree char *target =
    account ? g_strdup_printf ("%s %s", account, jid) : g_strdup (jid);
  g_autofree char *edit = g_strdup_printf ("room-list.edit::%s", target);
  g_autofree char *remove = g_strdup_printf ("room-list.remove::%s", target);
  g_autofree char *leave = g_strdup_printf ("room-list.leave::%s", target);
  GtkWidget *popover;

  g_menu_append (menu, bookmarked ? _ ("_Edit Bookmark…") : _ ("_Add Bookmark…"), edit);
  if (bookmarked)
    g_menu_append (menu, _ ("_Remove Bookmark"), remove);
  if (room && flint_room_get_state (room) != FLINT_ROOM_LEFT &&
      flint_room_get_state (room) != FLINT_ROOM_FAILED)
    g_menu_append (menu, _ ("_Leave Room"), leave);
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, row);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover),
                               &(GdkRectangle){ (int) x, (int) y, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
on_edit_response (AdwMessageDialog *dialog, const char *response, FlintRoomList *self)
{
  FlintBookmark *b = g_object_get_data (G_OBJECT (dialog), "bookmark");
  Source *source = find_source (self, g_object_get_data (G_OBJECT (dialog), "account"));

  if (g_strcmp0 (response, "save") != 0 || source == NULL || source->bookmarks == NULL)
    return;
  flint_bookmark_set_name (
    b, gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "name")));
  flint_bookmark_set_nick (
    b, gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "nick")));
  flint_bookmark_set_password (
    b, gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "password")));
  flint_bookmark_set_autojoin (
    b, gtk_switch_get_active (g_object_get_data (G_OBJECT (dialog), "autojoin")));
  flint_bookmarks_set (source->bookmarks, b);
}

static GtkWidget *
entry_row (GtkWidget *group, GType type, const char *title, const char *text)
{
  GtkWidget *row = g_object_new (type, "title", title, NULL);

  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static void
edit_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomList *self = FLINT_ROOM_LIST (widget);
  Source *source = NULL;
  const char *jid = parse_target (self, parameter, &source);
  FlintBookmark *old =
    source && source->bookmarks ? flint_bookmarks_find (source->bookmarks, jid) : NULL;
  FlintRoom *room =
    source && source->rooms ? flint_rooms_get_room (source->rooms, jid) : NULL;
  g_autoptr (FlintBookmark) b = NULL;
  GtkWidget *dialog, *group, *row, *autojoin;

  if (source == NULL || source->bookmarks == NULL)
    return;
  b = old ? flint_bookmark_copy (old) : flint_bookmark_new (jid);
  if (old == NULL && room)
    {
      flint_bookmark_set_nick (b, flint_room_get_nick (room));
      flint_bookmark_set_password (b, flint_room_get_password (room));
      flint_bookmark_set_autojoin (b, TRUE);
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   old ? _ ("Edit Bookmark") : _ ("Add Bookmark"), jid);
  group = adw_preferences_group_new ();
  g_object_set_data (
    G_OBJECT (dialog), "name",
    entry_row (group, ADW_TYPE_ENTRY_ROW, _ ("Name"), flint_bookmark_get_name (b)));
  g_object_set_data (
    G_OBJECT (dialog), "nick",
    entry_row (group, ADW_TYPE_ENTRY_ROW, _ ("Nickname"), flint_bookmark_get_nick (b)));
  g_object_set_data (G_OBJECT (dialog), "password",
                     entry_row (group, ADW_TYPE_PASSWORD_ENTRY_ROW, _ ("Password"),
                                flint_bookmark_get_password (b)));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("Join at Sign-In"));
  autojoin = gtk_switch_new ();
  gtk_widget_set_valign (autojoin, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (autojoin), flint_bookmark_get_autojoin (b));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), autojoin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), autojoin);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  g_object_set_data (G_OBJECT (dialog), "autojoin", autojoin);
  g_object_set_data_full (G_OBJECT (dialog), "bookmark", g_steal_pointer (&b),
                          g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "account", g_strdup (source->account),
                          g_free);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), group);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "save", _ ("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_edit_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
remove_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomList *self = FLINT_ROOM_LIST (widget);
  Source *source = NULL;
  const char *jid = parse_target (self, parameter, &source);

  if (source && source->bookmarks)
    flint_bookmarks_remove (source->bookmarks, jid);
}

static void
leave_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomList *self = FLINT_ROOM_LIST (widget);
  Source *source = NULL;
  const char *jid = parse_target (self, parameter, &source);

  if (source && source->rooms)
    flint_rooms_leave (source->rooms, jid);
}

static void
on_room_state (FlintRoom *room, GParamSpec *pspec, FlintRoomList *self)
{
  flint_room_list_refresh (self);
}

static void
unwatch (FlintRoomList *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched, i), self);
  g_ptr_array_set_size (self->watched, 0);
}

/* Small lists (a person's rooms): rebuilt whole, at most once per idle. */
static gboolean
rebuild (gpointer user_data)
{
  FlintRoomList *self = user_data;
  guint n = 0;

  self->refresh_idle = 0;
  unwatch (self);
  for (GtkWidget *row; (row = gtk_widget_get_first_child (GTK_WIDGET (self->list)));)
    gtk_list_box_remove (self->list, row);
  for (guint k = 0; k < self->sources->len; k++)
    {
      Source *source = g_ptr_array_index (self->sources, k);
      GListModel *marks =
        source->bookmarks ? flint_bookmarks_get_bookmarks (source->bookmarks) : NULL;
      GListModel *rooms = source->rooms ? flint_rooms_get_rooms (source->rooms) : NULL;

      for (guint i = 0; marks && i < g_list_model_get_n_items (marks); i++, n++)
        {
          g_autoptr (FlintBookmark) b = g_list_model_get_item (marks, i);
          FlintRoom *room =
            source->rooms
              ? flint_rooms_get_room (source->rooms, flint_bookmark_get_jid (b))
              : NULL;

          gtk_list_box_append (self->list,
                               make_row (self, source, flint_bookmark_get_jid (b),
                                         flint_bookmark_get_name (b), room));
        }
      for (guint i = 0; rooms && i < g_list_model_get_n_items (rooms); i++)
        {
          g_autoptr (FlintRoom) room = g_list_model_get_item (rooms, i);

          g_signal_connect (room, "notify::state", G_CALLBACK (on_room_state), self);
          g_ptr_array_add (self->watched, g_object_ref (room));
          if (source->bookmarks &&
              flint_bookmarks_find (source->bookmarks, flint_room_get_jid (room)))
            continue;
          gtk_list_box_append (self->list,
                               make_row (self, source, flint_room_get_jid (room),
                                         flint_room_get_name (room), room));
          n++;
        }
    }
  gtk_widget_set_visible (self->box, n > 0);
  return G_SOURCE_REMOVE;
}

void
flint_room_list_refresh (FlintRoomList *self)
{
  g_return_if_fail (FLINT_IS_ROOM_LIST (self));
  if (self->refresh_idle == 0)
    self->refresh_idle = g_idle_add (rebuild, self);
}

static void
on_model_changed (
  GListModel *model, guint position, guint removed, guint added, FlintRoomList *self)
{
  flint_room_list_refresh (self);
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, FlintRoomList *self)
{
  g_signal_emit (self, signals[SIGNAL_ROOM_ACTIVATED], 0,
                 g_object_get_data (G_OBJECT (row), "jid"),
                 g_object_get_data (G_OBJECT (row), "account"));
}

void
flint_room_list_set_models (FlintRoomList *self,
                            FlintRooms *rooms,
                            FlintBookmarks *bookmarks)
{
  g_return_if_fail (FLINT_IS_ROOM_LIST (self));

  unwatch (self);
  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *source = g_ptr_array_index (self->sources, i);

      if (source->rooms)
        g_signal_handlers_disconnect_by_data (flint_rooms_get_rooms (source->rooms),
                                              self);
      if (source->bookmarks)
        g_signal_handlers_disconnect_by_data (
          flint_bookmarks_get_bookmarks (source->bookmarks), self);
    }
  g_ptr_array_set_size (self->sources, 0);
  if (rooms || bookmarks)
    flint_room_list_add_models (self, NULL, rooms, bookmarks);
  flint_room_list_refresh (self);
}

void
flint_room_list_add_models (FlintRoomList *self,
                            const char *account,
                            FlintRooms *rooms,
                            FlintBookmarks *bookmarks)
{
  Source *source = g_new0 (Source, 1);

  g_return_if_fail (FLINT_IS_ROOM_LIST (self));

  source->account = g_strdup (account);
  source->rooms = rooms ? g_object_ref (rooms) : NULL;
  source->bookmarks = bookmarks ? g_object_ref (bookmarks) : NULL;
  g_ptr_array_add (self->sources, source);
  if (rooms)
    g_signal_connect (flint_rooms_get_rooms (rooms), "items-changed",
                      G_CALLBACK (on_model_changed), self);
  if (bookmarks)
    g_signal_connect (flint_bookmarks_get_bookmarks (bookmarks), "items-changed",
                      G_CALLBACK (on_model_changed), self);
  flint_room_list_refresh (self);
}

void
flint_room_list_set_unread_func (FlintRoomList *self,
                                 FlintRoomListUnreadFunc func,
                                 gpointer user_data)
{
  self->unread_func = func;
  self->unread_data = user_data;
  flint_room_list_refresh (self);
}

char *
flint_room_list_describe (FlintRoomList *self)
{
  GString *out = g_string_new ("[");

  if (self->refresh_idle)
    {
      g_source_remove (self->refresh_idle);
      rebuild (self);
    }
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *d = g_object_get_data (G_OBJECT (row), "describe");

      if (d == NULL)
        continue;
      if (out->len > 1)
        g_string_append (out, ", ");
      flint_json_append_string (out, d);
    }
  g_string_append (out, "]");
  return g_string_free (out, FALSE);
}

static void
flint_room_list_dispose (GObject *object)
{
  FlintRoomList *self = FLINT_ROOM_LIST (object);

  if (self->sources)
    flint_room_list_set_models (self, NULL, NULL);
  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  g_clear_pointer (&self->sources, g_ptr_array_unref);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_ROOM_LIST);
  G_OBJECT_CLASS (flint_room_list_parent_class)->dispose (object);
}

static void
flint_room_list_class_init (FlintRoomListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_room_list_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-room-list.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintRoomList, box);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomList, list);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_install_action (widget_class, "room-list.edit", "s", edit_activated);
  gtk_widget_class_install_action (widget_class, "room-list.remove", "s",
                                   remove_activated);
  gtk_widget_class_install_action (widget_class, "room-list.leave", "s", leave_activated);
  signals[SIGNAL_ROOM_ACTIVATED] =
    g_signal_new ("room-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
flint_room_list_init (FlintRoomList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->sources = g_ptr_array_new_with_free_func (source_free);
  gtk_list_box_set_activate_on_single_click (self->list, TRUE);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
}

FlintRoomList *
flint_room_list_new (void)
{
  return g_object_new (FLINT_TYPE_ROOM_LIST, NULL);
}

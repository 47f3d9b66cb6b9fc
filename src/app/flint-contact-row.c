#include "config.h"

#define G_LOG_DOMAIN "flint-contact-row"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "flint-avatar-image.h"
#include "flint-widget.h"
#include "flint-contact-row.h"

struct _FlintContactRow
{
  GtkWidget parent_instance;

  FlintContact *contact;
  gulong notify_handler;
  char *avatar_path;

  AdwAvatar *avatar;
  GtkWidget *presence_dot;
  GtkLabel *name_label;
  GtkLabel *status_label;
  GtkLabel *unread_label;
  GtkWidget *menu;
};

G_DEFINE_FINAL_TYPE (FlintContactRow, flint_contact_row, GTK_TYPE_WIDGET)

static const char *const presence_classes[] = {
  [FLINT_PRESENCE_OFFLINE] = "offline",     [FLINT_PRESENCE_XA] = "xa",
  [FLINT_PRESENCE_AWAY] = "away",           [FLINT_PRESENCE_DND] = "dnd",
  [FLINT_PRESENCE_AVAILABLE] = "available", [FLINT_PRESENCE_CHAT] = "chat",
};

const char *
flint_presence_css_class (FlintPresence presence)
{
  if ((guint) presence >= G_N_ELEMENTS (presence_classes))
    return "offline";
  return presence_classes[presence];
}

const char *
flint_presence_label (FlintPresence presence)
{
  switch (presence)
    {
      case FLINT_PRESENCE_CHAT:
        return _ ("Free to Chat");
      case FLINT_PRESENCE_AVAILABLE:
        return _ ("Available");
      case FLINT_PRESENCE_DND:
        return _ ("Busy");
      case FLINT_PRESENCE_AWAY:
        return _ ("Away");
      case FLINT_PRESENCE_XA:
        return _ ("Extended Away");
      case FLINT_PRESENCE_OFFLINE:
      default:
        return _ ("Offline");
    }
}

static void
on_image_ready (GObject *owner, const char *path, GdkPaintable *image)
{
  FlintContactRow *self = FLINT_CONTACT_ROW (owner);

  /* The row may show someone else by now. */
  if (g_strcmp0 (path, self->avatar_path) == 0)
    adw_avatar_set_custom_image (self->avatar, image);
}

static void
update_avatar (FlintContactRow *self)
{
  const char *path = flint_contact_get_avatar_path (self->contact);
  g_autoptr (GdkPaintable) image = NULL;

  if (g_strcmp0 (path, self->avatar_path) == 0)
    return;
  g_free (self->avatar_path);
  self->avatar_path = g_strdup (path);
  /* Shared with every other row showing the same picture; NULL (none,
   * not decoded yet, or not an image) shows the initials meanwhile. */
  image = flint_avatar_image_lookup (path, G_OBJECT (self), on_image_ready);
  adw_avatar_set_custom_image (self->avatar, image);
}

static void
update (FlintContactRow *self)
{
  FlintContact *contact = self->contact;
  FlintPresence presence = flint_contact_get_presence (contact);
  const char *status = flint_contact_get_status (contact);
  guint unread = flint_contact_get_unread (contact);
  g_autofree char *count = NULL;
  g_autofree char *description = NULL;

  gtk_label_set_text (self->name_label, flint_contact_get_display_name (contact));
  adw_avatar_set_text (self->avatar, flint_contact_get_display_name (contact));
  update_avatar (self);

  /* Subscription states come first: they ask for something to be done. */
  if (flint_contact_get_blocked (contact))
    status = _ ("Blocked");
  else if (flint_contact_get_pending_in (contact))
    status = _ ("Wants to see your status");
  else if (flint_contact_get_pending_out (contact) &&
           !flint_contact_is_subscribed_to (contact))
    status = _ ("Waiting for approval");
  else if (status == NULL || *status == '\0')
    status = flint_presence_label (presence);
  gtk_label_set_text (self->status_label, status);

  for (guint i = 0; i < G_N_ELEMENTS (presence_classes); i++)
    gtk_widget_remove_css_class (self->presence_dot, presence_classes[i]);
  gtk_widget_add_css_class (self->presence_dot, flint_presence_css_class (presence));
  if (presence == FLINT_PRESENCE_OFFLINE)
    gtk_widget_add_css_class (GTK_WIDGET (self), "offline");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "offline");

  count = g_strdup_printf ("%u", unread);
  gtk_label_set_text (self->unread_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), unread > 0);

  /* TRANSLATORS: a contact in the list: name, presence, status */
  description =
    g_strdup_printf (_ ("%s, %s, %s"), flint_contact_get_display_name (contact),
                     flint_presence_label (presence), status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
}

static void
on_contact_notify (FlintContact *contact, GParamSpec *pspec, FlintContactRow *self)
{
  update (self);
}

void
flint_contact_row_set_contact (FlintContactRow *self, FlintContact *contact)
{
  g_return_if_fail (FLINT_IS_CONTACT_ROW (self));

  if (self->contact)
    {
      g_clear_signal_handler (&self->notify_handler, self->contact);
      g_clear_object (&self->contact);
    }
  if (contact == NULL)
    return;
  self->contact = g_object_ref (contact);
  self->notify_handler =
    g_signal_connect (contact, "notify", G_CALLBACK (on_contact_notify), self);
  update (self);
}

FlintContact *
flint_contact_row_get_contact (FlintContactRow *self)
{
  return self->contact;
}

/* ---- context menu ------------------------------------------------------ */

static void
add_item (GMenu *menu, const char *label, const char *action, const char *jid)
{
  g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_string (jid));
  g_menu_append_item (menu, item);
}

static void
popup_menu (FlintContactRow *self, double x, double y)
{
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autoptr (GMenu) first = g_menu_new ();
  g_autoptr (GMenu) second = g_menu_new ();
  const char *jid;
  GdkRectangle where = { (int) x, (int) y, 1, 1 };

  if (self->contact == NULL)
    return;
  jid = flint_contact_get_jid (self->contact);
  add_item (first, _ ("_Open Chat"), "roster.open", jid);
  add_item (first, _ ("Contact _Details"), "app.contact-details", jid);
  add_item (first, _ ("_Rename…"), "roster.rename", jid);
  add_item (first, _ ("_Groups…"), "roster.groups", jid);
  if (flint_contact_get_blocked (self->contact))
    add_item (second, _ ("_Unblock"), "roster.unblock", jid);
  else
    add_item (second, _ ("_Block"), "roster.block", jid);
  add_item (second, _ ("_Remove…"), "roster.remove", jid);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (first));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (second));

  if (self->menu == NULL)
    {
      self->menu = gtk_popover_menu_new_from_model (NULL);
      gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
      gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
    }
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->menu), G_MENU_MODEL (menu));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &where);
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
on_right_click (
  GtkGestureClick *gesture, int n_press, double x, double y, FlintContactRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_menu (self, x, y);
}

static void
on_long_press (GtkGestureLongPress *gesture, double x, double y, FlintContactRow *self)
{
  popup_menu (self, x, y);
}

static void
menu_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintContactRow *self = FLINT_CONTACT_ROW (widget);

  popup_menu (self, gtk_widget_get_width (widget) / 2.0,
              gtk_widget_get_height (widget) / 2.0);
}

/* ---- object ------------------------------------------------------------ */

static void
flint_contact_row_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  FlintContactRow *self = FLINT_CONTACT_ROW (widget);

  GTK_WIDGET_CLASS (flint_contact_row_parent_class)
    ->size_allocate (widget, width, height, baseline);
  if (self->menu)
    gtk_popover_present (GTK_POPOVER (self->menu));
}

static void
flint_contact_row_dispose (GObject *object)
{
  FlintContactRow *self = FLINT_CONTACT_ROW (object);

  flint_contact_row_set_contact (self, NULL);
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  flint_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_CONTACT_ROW);
  G_OBJECT_CLASS (flint_contact_row_parent_class)->dispose (object);
}

static void
flint_contact_row_finalize (GObject *object)
{
  g_free (FLINT_CONTACT_ROW (object)->avatar_path);
  G_OBJECT_CLASS (flint_contact_row_parent_class)->finalize (object);
}

static void
flint_contact_row_class_init (FlintContactRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_contact_row_dispose;
  object_class->finalize = flint_contact_row_finalize;
  widget_class->size_allocate = flint_contact_row_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-contact-row.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintContactRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, FlintContactRow, presence_dot);
  gtk_widget_class_bind_template_child (widget_class, FlintContactRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, FlintContactRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, FlintContactRow, unread_label);
  gtk_widget_class_bind_template_callback (widget_class, on_right_click);
  gtk_widget_class_bind_template_callback (widget_class, on_long_press);
  gtk_widget_class_install_action (widget_class, "row.menu", NULL, menu_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "row.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "row.menu", NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "contactrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
flint_contact_row_init (FlintContactRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
flint_contact_row_new (void)
{
  return g_object_new (FLINT_TYPE_CONTACT_ROW, NULL);
}

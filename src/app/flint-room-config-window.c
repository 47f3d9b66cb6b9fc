#include "config.h"

#define G_LOG_DOMAIN "flint-room-config-window"

#include <glib/gi18n.h>

#include "flint-room-config-window.h"
#include "flint-room-config.h"

struct _FlintRoomConfigWindow
{
  AdwWindow parent_instance;

  FlintRoom *room;
  char *jid;
  GCancellable *cancellable;

  GtkStack *stack;
  GtkSpinner *spinner;
  AdwStatusPage *error_page;
  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  FlintDataFormView *form_view;
};

G_DEFINE_FINAL_TYPE (FlintRoomConfigWindow, flint_room_config_window, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (FlintRoomConfigWindow *self, gboolean busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (
    GTK_WIDGET (self), "config.save",
    !busy && g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "form") == 0);
}

static void
show_error (FlintRoomConfigWindow *self, const char *text)
{
  if (text)
    gtk_label_set_text (self->error_label, text);
  gtk_revealer_set_reveal_child (self->error_revealer, text != NULL);
}

static void
on_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlintRoomConfigWindow *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintDataForm) form = flint_room_config_fetch_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (form == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      set_busy (self, FALSE);
      return;
    }
  flint_data_form_view_set_form (self->form_view, form);
  gtk_stack_set_visible_child_name (self->stack, "form");
  set_busy (self, FALSE);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlintRoomConfigWindow *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!flint_room_config_submit_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }
  set_busy (self, FALSE);
  {
    FlintDataFormField *name = flint_data_form_find_field (
      flint_data_form_view_get_form (self->form_view), "muc#roomconfig_roomname");

    /* The room's tab shows the new name at once. */
    if (name && flint_data_form_field_get_value (name) &&
        *flint_data_form_field_get_value (name))
      flint_room_set_name (self->room, flint_data_form_field_get_value (name));
  }
  g_signal_emit (self, signals[SIGNAL_SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomConfigWindow *self = FLINT_ROOM_CONFIG_WINDOW (widget);

  if (!flint_data_form_view_apply (self->form_view))
    {
      show_error (self, _ ("Some settings need your attention."));
      return;
    }
  show_error (self, NULL);
  set_busy (self, TRUE);
  flint_room_config_submit_async (flint_room_get_session (self->room), self->jid,
                                  flint_data_form_view_get_form (self->form_view),
                                  self->cancellable, on_saved, self);
}

/* config.set-form-field ("var=value"), for tests. */
static void
set_form_field_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomConfigWindow *self = FLINT_ROOM_CONFIG_WINDOW (widget);
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (parameter, NULL), "=", 2);

  if (parts[0] && parts[1])
    flint_data_form_view_set_text (self->form_view, parts[0], parts[1]);
}

static void
flint_room_config_window_dispose (GObject *object)
{
  FlintRoomConfigWindow *self = FLINT_ROOM_CONFIG_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->room);
  g_clear_pointer (&self->jid, g_free);
  G_OBJECT_CLASS (flint_room_config_window_parent_class)->dispose (object);
}

static void
flint_room_config_window_class_init (FlintRoomConfigWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_room_config_window_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/im/flint/Flint/flint-room-config-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintRoomConfigWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomConfigWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomConfigWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomConfigWindow,
                                        error_revealer);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomConfigWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomConfigWindow, form_view);
  gtk_widget_class_install_action (widget_class, "config.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "config.set-form-field", "s",
                                   set_form_field_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close",
                                       NULL);

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
flint_room_config_window_init (FlintRoomConfigWindow *self)
{
  g_type_ensure (FLINT_TYPE_DATA_FORM_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

FlintRoomConfigWindow *
flint_room_config_window_new (GtkWindow *parent, FlintRoom *room)
{
  FlintRoomConfigWindow *self =
    g_object_new (FLINT_TYPE_ROOM_CONFIG_WINDOW, "transient-for", parent, NULL);
  g_autofree char *title = NULL;

  g_return_val_if_fail (FLINT_IS_ROOM (room), NULL);

  self->room = g_object_ref (room);
  self->jid = g_strdup (flint_room_get_jid (room));
  /* The room's own title (name) is the form's: no need to repeat it. */
  flint_data_form_view_set_show_title (self->form_view, FALSE);
  /* TRANSLATORS: the window title, %s is the room's name */
  title = g_strdup_printf (_ ("Settings of %s"), flint_room_get_name (room));
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  set_busy (self, TRUE);
  flint_room_config_fetch_async (flint_room_get_session (room), self->jid,
                                 self->cancellable, on_fetched, self);
  return self;
}

FlintDataFormView *
flint_room_config_window_get_form_view (FlintRoomConfigWindow *self)
{
  return self->form_view;
}

char *
flint_room_config_window_describe (FlintRoomConfigWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  const char *error = NULL;

  if (g_strcmp0 (page, "error") == 0)
    error = adw_status_page_get_description (self->error_page);
  else if (gtk_revealer_get_reveal_child (self->error_revealer))
    error = gtk_label_get_text (self->error_label);
  return g_strdup_printf ("%s|%s|%s", page, error ? error : "",
                          gtk_spinner_get_spinning (self->spinner) ? "busy" : "");
}

/* ---- the room page's button --------------------------------------------- */

typedef struct
{
  GtkWidget *button; /* the binding lives as long as the button */
  FlintRoom *room;
  FlintOccupant *self_occupant;
  GSimpleAction *open;
} ButtonBinding;

static void update_button (ButtonBinding *b);

static void
on_affiliation (FlintOccupant *occupant, GParamSpec *pspec, ButtonBinding *b)
{
  update_button (b);
}

static void
update_button (ButtonBinding *b)
{
  gboolean owner;
  FlintOccupant *me = flint_room_get_state (b->room) == FLINT_ROOM_JOINED
                        ? flint_room_get_self_occupant (b->room)
                        : NULL;

  if (me != b->self_occupant)
    {
      if (b->self_occupant)
        g_signal_handlers_disconnect_by_data (b->self_occupant, b);
      g_set_object (&b->self_occupant, me);
      if (me)
        g_signal_connect (me, "notify::affiliation", G_CALLBACK (on_affiliation), b);
    }
  /* Only owners may configure (XEP-0045 §10.2): hidden for the others. */
  owner = me && g_strcmp0 (flint_occupant_get_affiliation (me), "owner") == 0;
  gtk_widget_set_visible (b->button, owner);
  g_simple_action_set_enabled (b->open, owner);
}

static void
on_room_changed (FlintRoom *room, GParamSpec *pspec, ButtonBinding *b)
{
  update_button (b);
}

static void
on_occupants_changed (
  GListModel *model, guint position, guint removed, guint added, ButtonBinding *b)
{
  update_button (b);
}

static void
open_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  ButtonBinding *b = user_data;
  GtkRoot *root = gtk_widget_get_root (b->button);
  FlintRoomConfigWindow *window = flint_room_config_window_new (
    GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, b->room);

  gtk_window_present (GTK_WINDOW (window));
}

static void
button_binding_free (gpointer data)
{
  ButtonBinding *b = data;

  g_signal_handlers_disconnect_by_data (b->room, b);
  g_signal_handlers_disconnect_by_data (flint_room_get_occupants (b->room), b);
  if (b->self_occupant)
    g_signal_handlers_disconnect_by_data (b->self_occupant, b);
  g_clear_object (&b->self_occupant);
  g_object_unref (b->room);
  g_signal_handlers_disconnect_by_data (b->open, b);
  g_simple_action_set_enabled (b->open, FALSE);
  g_object_unref (b->open);
  g_free (b);
}

void
flint_room_config_window_attach (GtkWidget *page, GtkWidget *button, FlintRoom *room)
{
  ButtonBinding *b = g_new0 (ButtonBinding, 1);
  g_autoptr (GSimpleActionGroup) group = g_simple_action_group_new ();

  g_return_if_fail (GTK_IS_WIDGET (page));
  g_return_if_fail (GTK_IS_BUTTON (button));
  g_return_if_fail (FLINT_IS_ROOM (room));

  b->button = button;
  b->room = g_object_ref (room);
  /* An action on the page (roomconfig.open): the button, the keyboard
   * and tests reach the page's own room from anywhere inside it. */
  b->open = g_simple_action_new ("open", NULL);
  g_signal_connect (b->open, "activate", G_CALLBACK (open_activated), b);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (b->open));
  gtk_widget_insert_action_group (page, "roomconfig", G_ACTION_GROUP (group));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "roomconfig.open");
  g_signal_connect (room, "notify::state", G_CALLBACK (on_room_changed), b);
  g_signal_connect (flint_room_get_occupants (room), "items-changed",
                    G_CALLBACK (on_occupants_changed), b);
  g_object_set_data_full (G_OBJECT (button), "flint-room-config-binding", b,
                          button_binding_free);
  update_button (b);
}

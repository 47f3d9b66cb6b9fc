#include "config.h"

#define G_LOG_DOMAIN "flint-join-dialog"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-data-form-view.h"
#include "flint-jid.h"
#include "flint-join-dialog.h"
#include "flint-room-config.h"

struct _FlintJoinDialog
{
  AdwWindow parent_instance;

  FlintRooms *rooms;
  FlintBookmarks *bookmarks;
  FlintRoom *room; /* the one being joined */
  GCancellable *cancellable;
  char *jid; /* the full room address being tried */
  gboolean create;
  gboolean create_mode; /* opened as "Create Room" */
  gboolean configure;   /* the new room waits for the user's configuration */
  gboolean configuring; /* the configuration page is up, not yet saved */

  AdwEntryRow *room_row;
  AdwEntryRow *nick_row;
  AdwEntryRow *password_row;
  GtkSwitch *bookmark_switch;
  GtkSpinner *spinner;
  GtkWidget *error_box;
  GtkLabel *error_label;
  GtkButton *nick_button;
  GtkWidget *create_button;
  GtkButton *join_button;
  GtkWidget *configure_row;
  AdwPreferencesGroup *details_group;
  GtkSwitch *configure_switch;
  GtkStack *stack;
  FlintDataFormView *form_view;
  GtkRevealer *config_error_revealer;
  GtkLabel *config_error_label;
};

G_DEFINE_FINAL_TYPE (FlintJoinDialog, flint_join_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_JOINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (FlintJoinDialog *self, gboolean busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "join.join", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "join.create", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "join.save-config", !busy);
}

typedef enum
{
  OFFER_NONE,
  OFFER_CREATE, /* the room does not exist */
  OFFER_JOIN,   /* creating, but the room exists */
} Offer;

static void
show_error (FlintJoinDialog *self, const char *text, const char *suggested, Offer offer)
{
  gboolean create = offer != OFFER_NONE;

  set_busy (self, FALSE);
  gtk_label_set_text (self->error_label, text);
  gtk_widget_set_visible (self->error_box, text != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->nick_button), suggested != NULL);
  if (suggested)
    {
      /* TRANSLATORS: %s is a nickname the room would accept */
      g_autofree char *label = g_strdup_printf (_ ("Use “%s”"), suggested);
      gtk_button_set_label (self->nick_button, label);
    }
  gtk_widget_set_visible (self->create_button, create);
  if (offer == OFFER_JOIN)
    {
      gtk_button_set_label (GTK_BUTTON (self->create_button), _ ("_Join It"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->create_button), "join.join");
    }
  else if (offer == OFFER_CREATE)
    {
      gtk_button_set_label (GTK_BUTTON (self->create_button), _ ("C_reate Room"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->create_button),
                                      "join.create");
      /* The user may want to set the new room up first. */
      gtk_widget_set_visible (self->configure_row, TRUE);
    }
}

static void
forget_room (FlintJoinDialog *self)
{
  if (self->room)
    g_signal_handlers_disconnect_by_data (self->room, self);
  g_clear_object (&self->room);
}

static void finish (FlintJoinDialog *self, FlintRoom *room);
static void fetch_config (FlintJoinDialog *self);

static void
on_room_state (FlintRoom *room, GParamSpec *pspec, FlintJoinDialog *self)
{
  const GError *error = flint_room_get_error (room);

  switch (flint_room_get_state (room))
    {
      case FLINT_ROOM_JOINED:
        /* We made the room and it waits for its configuration. */
        if (self->configure && flint_room_get_created (room))
          fetch_config (self);
        else
          finish (self, room);
        break;
      case FLINT_ROOM_FAILED:
        /* A password is what is missing: the field to type it in. */
        if (g_error_matches (error, FLINT_ERROR, FLINT_ERROR_MUC_PASSWORD))
          {
            gtk_widget_set_visible (GTK_WIDGET (self->password_row), TRUE);
            gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
          }
        show_error (self, error ? error->message : _ ("The room refused to let you in."),
                    flint_room_get_suggested_nick (room),
                    error &&
                        g_error_matches (error, FLINT_ERROR, FLINT_ERROR_MUC_NOT_FOUND)
                      ? OFFER_CREATE
                      : OFFER_NONE);
        forget_room (self);
        break;
      default:
        break;
    }
}

static void
finish (FlintJoinDialog *self, FlintRoom *room)
{
  g_autoptr (FlintRoom) joined = g_object_ref (room);

  if (gtk_switch_get_active (self->bookmark_switch) && self->bookmarks)
    {
      g_autoptr (FlintBookmark) b = flint_bookmark_new (flint_room_get_jid (room));
      FlintBookmark *old =
        flint_bookmarks_find (self->bookmarks, flint_room_get_jid (room));

      if (old)
        b = (g_object_unref (b), flint_bookmark_copy (old));
      if (flint_bookmark_get_name (b) == NULL &&
          g_strcmp0 (flint_room_get_name (room), flint_room_get_jid (room)) != 0)
        flint_bookmark_set_name (b, flint_room_get_name (room));
      flint_bookmark_set_nick (b, flint_room_get_nick (room));
      flint_bookmark_set_password (b, flint_room_get_password (room));
      flint_bookmark_set_autojoin (b, TRUE);
      flint_bookmarks_set (self->bookmarks, b);
    }
  forget_room (self);
  self->configuring = FALSE;
  set_busy (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_JOINED], 0, joined);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* ---- configuring a new room (XEP-0045 §10.1.3) --------------------------- */

static void
show_config_error (FlintJoinDialog *self, const char *text)
{
  set_busy (self, FALSE);
  if (text)
    gtk_label_set_text (self->config_error_label, text);
  gtk_revealer_set_reveal_child (self->config_error_revealer, text != NULL);
}

static void
on_instant_fallback (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!flint_room_config_submit_finish (result, &error))
    g_warning ("Could not open the new room with its defaults: %s", error->message);
}

static void
on_config_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlintJoinDialog *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintDataForm) form = flint_room_config_fetch_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->room == NULL)
    return;
  if (form == NULL)
    {
      /* Without a form the room would stay locked: open it with the
       * service's defaults, and say so. */
      g_warning ("No configuration form for %s: %s", self->jid, error->message);
      flint_room_config_submit_async (FLINT_SESSION (source), self->jid, NULL, NULL,
                                      on_instant_fallback, NULL);
      finish (self, self->room);
      return;
    }
  self->configuring = TRUE;
  flint_data_form_view_set_form (self->form_view, form);
  gtk_window_set_title (GTK_WINDOW (self), _ ("Set Up Room"));
  gtk_button_set_label (self->join_button, _ ("C_reate"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->join_button), "join.save-config");
  /* Room for the form: the dialog was sized for four rows. */
  gtk_widget_set_size_request (GTK_WIDGET (self->form_view), 520, 560);
  gtk_stack_set_visible_child_name (self->stack, "config");
  show_config_error (self, NULL);
}

static void
fetch_config (FlintJoinDialog *self)
{
  flint_room_config_fetch_async (flint_room_get_session (self->room), self->jid,
                                 self->cancellable, on_config_fetched, self);
}

static void
on_config_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlintJoinDialog *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!flint_room_config_submit_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_config_error (self, error->message);
      return;
    }
  if (self->room)
    {
      FlintDataFormField *name = flint_data_form_find_field (
        flint_data_form_view_get_form (self->form_view), "muc#roomconfig_roomname");

      /* The tab and the bookmark show the name just given. */
      if (name && flint_data_form_field_get_value (name) &&
          *flint_data_form_field_get_value (name))
        flint_room_set_name (self->room, flint_data_form_field_get_value (name));
      finish (self, self->room);
    }
}

static void
save_config_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintJoinDialog *self = FLINT_JOIN_DIALOG (widget);

  if (self->room == NULL || !self->configuring)
    return;
  if (!flint_data_form_view_apply (self->form_view))
    {
      show_config_error (self, _ ("Some settings need your attention."));
      return;
    }
  show_config_error (self, NULL);
  set_busy (self, TRUE);
  flint_room_config_submit_async (flint_room_get_session (self->room), self->jid,
                                  flint_data_form_view_get_form (self->form_view),
                                  self->cancellable, on_config_saved, self);
}

/* Closed before the new room was set up: the room goes (§10.1.3 cancel),
 * it would otherwise stay locked and empty. */
static gboolean
on_close_request (GtkWindow *window)
{
  FlintJoinDialog *self = FLINT_JOIN_DIALOG (window);

  if (self->configuring && self->room)
    {
      g_autofree char *jid = g_strdup (self->jid);

      flint_room_config_cancel (flint_room_get_session (self->room), jid, TRUE);
      forget_room (self);
      flint_rooms_close (self->rooms, jid);
      self->configuring = FALSE;
    }
  return GTK_WINDOW_CLASS (flint_join_dialog_parent_class)->close_request (window);
}

static void
join_now (FlintJoinDialog *self)
{
  const char *nick = gtk_editable_get_text (GTK_EDITABLE (self->nick_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autoptr (GError) error = NULL;
  FlintRoom *room;

  room =
    flint_rooms_join (self->rooms, self->jid, nick, *password ? password : NULL, &error);
  if (room == NULL)
    {
      show_error (self, error->message, NULL, OFFER_NONE);
      return;
    }
  forget_room (self);
  self->room = g_object_ref (room);
  /* Before the room answers: a new room then waits for its setup. */
  self->configure = self->create && gtk_switch_get_active (self->configure_switch);
  flint_room_set_configure_on_create (room, self->configure);
  g_signal_connect (room, "notify::state", G_CALLBACK (on_room_state), self);
  on_room_state (room, NULL, self);
}

static void
on_room_info (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlintJoinDialog *self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean exists =
    flint_rooms_room_info_finish (FLINT_ROOMS (source), result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error)
    {
      /* Some services do not answer disco#info for rooms: try joining. */
      g_debug ("No room info: %s", error->message);
      join_now (self);
      return;
    }
  if (!exists && !self->create)
    {
      show_error (self, flint_error_describe (FLINT_ERROR_MUC_NOT_FOUND), NULL,
                  OFFER_CREATE);
      return;
    }
  if (exists && self->create)
    {
      g_autofree char *text = g_strdup_printf (
        /* TRANSLATORS: %s is a room address */
        _ ("The room %s already exists. Choose another name, or join it."), self->jid);
      show_error (self, text, NULL, OFFER_JOIN);
      return;
    }
  join_now (self);
}

static void
check_room (FlintJoinDialog *self)
{
  flint_rooms_room_info_async (self->rooms, self->jid, self->cancellable, on_room_info,
                               self);
}

static void
on_service (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlintJoinDialog *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *service =
    flint_rooms_find_service_finish (FLINT_ROOMS (source), result, &error);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->room_row));
  g_autofree char *lower = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (service == NULL)
    {
      show_error (self, error->message, NULL, OFFER_NONE);
      return;
    }
  /* A name like "Team Chat" becomes team-chat@service. */
  {
    g_autofree char *stripped = g_strstrip (g_strdup (name));
    lower = g_utf8_strdown (stripped, -1);
  }
  g_strdelimit (lower, " \t/@", '-');
  g_free (self->jid);
  self->jid = g_strdup_printf ("%s@%s", lower, service);
  if (!flint_jid_is_valid_bare (self->jid))
    {
      show_error (self, flint_error_describe (FLINT_ERROR_INVALID_JID), NULL, OFFER_NONE);
      return;
    }
  check_room (self);
}

static void
start (FlintJoinDialog *self, gboolean create)
{
  g_autofree char *room =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->room_row))));
  g_autofree char *nick =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->nick_row))));

  show_error (self, NULL, NULL, OFFER_NONE);
  if (*room == '\0')
    {
      show_error (self, _ ("Enter the room’s address or name."), NULL, OFFER_NONE);
      return;
    }
  if (*nick == '\0')
    {
      show_error (self, _ ("Enter the nickname others see in the room."), NULL,
                  OFFER_NONE);
      return;
    }
  self->create = create;
  set_busy (self, TRUE);
  if (strchr (room, '@') == NULL)
    {
      flint_rooms_find_service_async (self->rooms, self->cancellable, on_service, self);
      return;
    }
  g_free (self->jid);
  self->jid = g_steal_pointer (&room);
  if (!flint_jid_is_valid_bare (self->jid))
    {
      show_error (self, flint_error_describe (FLINT_ERROR_INVALID_JID), NULL, OFFER_NONE);
      return;
    }
  check_room (self);
}

static void
join_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  start (FLINT_JOIN_DIALOG (widget), FALSE);
}

static void
create_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  start (FLINT_JOIN_DIALOG (widget), TRUE);
}

static void
use_suggested_nick_activated (GtkWidget *widget,
                              const char *action_name,
                              GVariant *parameter)
{
  FlintJoinDialog *self = FLINT_JOIN_DIALOG (widget);
  FlintRoom *room = self->jid ? flint_rooms_get_room (self->rooms, self->jid) : NULL;
  const char *suggested = room ? flint_room_get_suggested_nick (room) : NULL;

  if (suggested)
    gtk_editable_set_text (GTK_EDITABLE (self->nick_row), suggested);
  start (self, FALSE);
}

/* join.set-room ("address"), for the room browser and tests. */
static void
set_room_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  flint_join_dialog_set_room (FLINT_JOIN_DIALOG (widget),
                              g_variant_get_string (parameter, NULL));
}

/* join.set-configure ("true"/"false"), for tests. */
static void
set_configure_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  flint_join_dialog_set_configure (
    FLINT_JOIN_DIALOG (widget),
    g_str_equal (g_variant_get_string (parameter, NULL), "true"));
}

/* join.set-form-field ("var=value"): types into the setup form, for tests. */
static void
set_form_field_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintJoinDialog *self = FLINT_JOIN_DIALOG (widget);
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (parameter, NULL), "=", 2);

  if (parts[0] && parts[1])
    flint_data_form_view_set_text (self->form_view, parts[0], parts[1]);
}

static void
flint_join_dialog_dispose (GObject *object)
{
  FlintJoinDialog *self = FLINT_JOIN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  forget_room (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->rooms);
  g_clear_object (&self->bookmarks);
  g_clear_pointer (&self->jid, g_free);
  G_OBJECT_CLASS (flint_join_dialog_parent_class)->dispose (object);
}

static void
flint_join_dialog_class_init (FlintJoinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = flint_join_dialog_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-join-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, room_row);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, nick_row);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, bookmark_switch);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, nick_button);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, join_button);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, configure_row);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, details_group);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, configure_switch);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog, form_view);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog,
                                        config_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, FlintJoinDialog,
                                        config_error_label);
  gtk_widget_class_install_action (widget_class, "join.save-config", NULL,
                                   save_config_activated);
  gtk_widget_class_install_action (widget_class, "join.set-room", "s",
                                   set_room_activated);
  gtk_widget_class_install_action (widget_class, "join.set-configure", "s",
                                   set_configure_activated);
  gtk_widget_class_install_action (widget_class, "join.set-form-field", "s",
                                   set_form_field_activated);
  window_class->close_request = on_close_request;
  gtk_widget_class_install_action (widget_class, "join.join", NULL, join_activated);
  gtk_widget_class_install_action (widget_class, "join.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "join.use-suggested-nick", NULL,
                                   use_suggested_nick_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close",
                                       NULL);

  signals[SIGNAL_JOINED] =
    g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, FLINT_TYPE_ROOM);
}

static void
flint_join_dialog_init (FlintJoinDialog *self)
{
  g_type_ensure (FLINT_TYPE_DATA_FORM_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

FlintJoinDialog *
flint_join_dialog_new (GtkWindow *parent,
                       FlintRooms *rooms,
                       FlintBookmarks *bookmarks,
                       const char *default_nick)
{
  FlintJoinDialog *self =
    g_object_new (FLINT_TYPE_JOIN_DIALOG, "transient-for", parent, NULL);

  self->rooms = g_object_ref (rooms);
  self->bookmarks = bookmarks ? g_object_ref (bookmarks) : NULL;
  gtk_editable_set_text (GTK_EDITABLE (self->nick_row), default_nick ? default_nick : "");
  return self;
}

void
flint_join_dialog_set_room (FlintJoinDialog *self, const char *jid)
{
  gtk_editable_set_text (GTK_EDITABLE (self->room_row), jid ? jid : "");
}

/* For tests: "error text|nick button label or empty|create (or join)|busy|page". */
char *
flint_join_dialog_describe (FlintJoinDialog *self)
{
  gboolean error = gtk_widget_get_visible (self->error_box);
  const char *offer = "";

  if (gtk_widget_get_visible (self->create_button))
    offer =
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (self->create_button)),
                 "join.join") == 0
        ? "join"
        : "create";
  return g_strdup_printf ("%s|%s|%s|%s|%s",
                          error ? gtk_label_get_text (self->error_label) : "",
                          gtk_widget_get_visible (GTK_WIDGET (self->nick_button))
                            ? gtk_button_get_label (self->nick_button)
                            : "",
                          offer, gtk_spinner_get_spinning (self->spinner) ? "busy" : "",
                          gtk_stack_get_visible_child_name (self->stack));
}

/* Opened as "Create Room": the main button creates, and may set the room
 * up first. */
void
flint_join_dialog_set_create_mode (FlintJoinDialog *self, gboolean create)
{
  self->create_mode = create;
  gtk_window_set_title (GTK_WINDOW (self), create ? _ ("Create Room") : _ ("Join Room"));
  gtk_button_set_label (self->join_button, create ? _ ("C_reate") : _ ("_Join"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->join_button),
                                  create ? "join.create" : "join.join");
  gtk_widget_set_visible (self->configure_row, create);
  /* A new room gets its password in its configuration. */
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), !create);
  adw_preferences_group_set_description (
    self->details_group,
    create ? _ ("Enter a name for the new room, or a full address to create it on "
                "another room service.")
           : _ ("Enter a room address, or just its name to use your server’s room "
                "service."));
}

void
flint_join_dialog_set_password (FlintJoinDialog *self, const char *password)
{
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password ? password : "");
}

void
flint_join_dialog_set_configure (FlintJoinDialog *self, gboolean configure)
{
  gtk_switch_set_active (self->configure_switch, configure);
}

FlintDataFormView *
flint_join_dialog_get_form_view (FlintJoinDialog *self)
{
  return self->form_view;
}

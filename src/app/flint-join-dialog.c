#include "config.h"

#define G_LOG_DOMAIN "flint-join-dialog"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-jid.h"
#include "flint-join-dialog.h"

struct _FlintJoinDialog
{
  AdwWindow parent_instance;

  FlintRooms *rooms;
  FlintBookmarks *bookmarks;
  FlintRoom *room; /* the one being joined */
  GCancellable *cancellable;
  char *jid; /* the full room address being tried */
  gboolean create;

  AdwEntryRow *room_row;
  AdwEntryRow *nick_row;
  AdwEntryRow *password_row;
  GtkSwitch *bookmark_switch;
  GtkSpinner *spinner;
  GtkWidget *error_box;
  GtkLabel *error_label;
  GtkButton *nick_button;
  GtkWidget *create_button;
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
}

static void
show_error (FlintJoinDialog *self,
            const char *text,
            const char *suggested,
            gboolean create)
{
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
}

static void
forget_room (FlintJoinDialog *self)
{
  if (self->room)
    g_signal_handlers_disconnect_by_data (self->room, self);
  g_clear_object (&self->room);
}

static void
on_room_state (FlintRoom *room, GParamSpec *pspec, FlintJoinDialog *self)
{
  const GError *error = flint_room_get_error (room);

  switch (flint_room_get_state (room))
    {
      case FLINT_ROOM_JOINED:
        {
          g_autoptr (FlintRoom) joined = g_object_ref (room);

          if (gtk_switch_get_active (self->bookmark_switch) && self->bookmarks)
            {
              g_autoptr (FlintBookmark) b =
                flint_bookmark_new (flint_room_get_jid (room));
              FlintBookmark *old =
                flint_bookmarks_find (self->bookmarks, flint_room_get_jid (room));

              if (old)
                b = (g_object_unref (b), flint_bookmark_copy (old));
              flint_bookmark_set_nick (b, flint_room_get_nick (room));
              flint_bookmark_set_password (b, flint_room_get_password (room));
              flint_bookmark_set_autojoin (b, TRUE);
              flint_bookmarks_set (self->bookmarks, b);
            }
          forget_room (self);
          set_busy (self, FALSE);
          g_signal_emit (self, signals[SIGNAL_JOINED], 0, joined);
          gtk_window_destroy (GTK_WINDOW (self));
        }
        break;
      case FLINT_ROOM_FAILED:
        show_error (self, error ? error->message : _ ("The room refused to let you in."),
                    flint_room_get_suggested_nick (room),
                    error &&
                      g_error_matches (error, FLINT_ERROR, FLINT_ERROR_MUC_NOT_FOUND));
        forget_room (self);
        break;
      default:
        break;
    }
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
      show_error (self, error->message, NULL, FALSE);
      return;
    }
  forget_room (self);
  self->room = g_object_ref (room);
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
      show_error (self, flint_error_describe (FLINT_ERROR_MUC_NOT_FOUND), NULL, TRUE);
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
      show_error (self, error->message, NULL, FALSE);
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
      show_error (self, flint_error_describe (FLINT_ERROR_INVALID_JID), NULL, FALSE);
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

  show_error (self, NULL, NULL, FALSE);
  if (*room == '\0')
    {
      show_error (self, _ ("Enter the room’s address or name."), NULL, FALSE);
      return;
    }
  if (*nick == '\0')
    {
      show_error (self, _ ("Enter the nickname others see in the room."), NULL, FALSE);
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
      show_error (self, flint_error_describe (FLINT_ERROR_INVALID_JID), NULL, FALSE);
      return;
    }
  if (create)
    join_now (self);
  else
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

/* For tests: "error text|nick button label or empty|create|busy". */
char *
flint_join_dialog_describe (FlintJoinDialog *self)
{
  gboolean error = gtk_widget_get_visible (self->error_box);

  return g_strdup_printf ("%s|%s|%s|%s",
                          error ? gtk_label_get_text (self->error_label) : "",
                          gtk_widget_get_visible (GTK_WIDGET (self->nick_button))
                            ? gtk_button_get_label (self->nick_button)
                            : "",
                          gtk_widget_get_visible (self->create_button) ? "create" : "",
                          gtk_spinner_get_spinning (self->spinner) ? "busy" : "");
}

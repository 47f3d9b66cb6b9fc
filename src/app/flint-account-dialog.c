#include "config.h"

#define G_LOG_DOMAIN "flint-account-dialog"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-account-dialog.h"
#include "flint-defaults.h"
#include "flint-error.h"
#include "flint-jid.h"
#include "flint-secrets.h"

struct _FlintAccountDialog
{
  AdwWindow parent_instance;

  FlintApplication *app;
  FlintAccount *account;
  FlintSession *session;
  gulong state_handler;
  GCancellable *cancellable;

  AdwWindowTitle *window_title;
  GtkStack *sign_in_stack;
  GtkWidget *sign_in_button;
  AdwEntryRow *jid_row;
  AdwPasswordEntryRow *password_row;
  AdwEntryRow *host_row;
  AdwEntryRow *port_row;
  GtkWidget *advanced_group;
  GtkLabel *error_label;
  GtkLabel *hint_label;
};

G_DEFINE_FINAL_TYPE (FlintAccountDialog, flint_account_dialog, ADW_TYPE_WINDOW)

static void
show_error (FlintAccountDialog *self, const char *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (FlintAccountDialog *self, gboolean busy)
{
  gtk_stack_set_visible_child_name (self->sign_in_stack, busy ? "spinner" : "button");
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->jid_row), !busy && self->account == NULL);
}

static void
stop_watching (FlintAccountDialog *self)
{
  if (self->session)
    g_clear_signal_handler (&self->state_handler, self->session);
  g_clear_object (&self->session);
}

static void
on_session_state (FlintSession *session, GParamSpec *pspec, FlintAccountDialog *self)
{
  const GError *error = flint_session_get_error (session);

  switch (flint_session_get_state (session))
    {
      case FLINT_SESSION_ONLINE:
        stop_watching (self);
        gtk_window_close (GTK_WINDOW (self));
        break;
      case FLINT_SESSION_DISCONNECTED:
      case FLINT_SESSION_RECONNECTING:
        if (error == NULL)
          break;
        /* The main window asks about certificates itself. */
        if (g_error_matches (error, FLINT_ERROR, FLINT_ERROR_TLS_UNTRUSTED))
          {
            stop_watching (self);
            gtk_window_close (GTK_WINDOW (self));
            break;
          }
        set_busy (self, FALSE);
        show_error (self, error->message);
        break;
      default:
        break;
    }
}

static gboolean
parse_port (const char *text, guint *port)
{
  guint64 value = 0;

  *port = 0;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = (guint) value;
  return TRUE;
}

static void
on_password_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlintAccountDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!flint_secrets_store_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Sign-in goes on with the password in memory only. */
      gtk_label_set_text (self->hint_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->hint_label), TRUE);
    }
}

static void
sign_in_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintAccountDialog *self = FLINT_ACCOUNT_DIALOG (widget);
  const char *jid = gtk_editable_get_text (GTK_EDITABLE (self->jid_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *host = gtk_editable_get_text (GTK_EDITABLE (self->host_row));
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintAccount) account = NULL;
  FlintAccountStore *store = flint_application_get_accounts (self->app);
  guint port;

  show_error (self, NULL);
  if (self->account)
    account = g_object_ref (self->account);
  else
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (jid));
      FlintAccount *existing = flint_account_store_lookup (store, trimmed);

      account = existing ? g_object_ref (existing) : flint_account_new (trimmed, &error);
      if (account == NULL)
        {
          show_error (self, error->message);
          gtk_widget_grab_focus (GTK_WIDGET (self->jid_row));
          return;
        }
      if (!parse_port (gtk_editable_get_text (GTK_EDITABLE (self->port_row)), &port))
        {
          show_error (self, _ ("The port must be a number between 1 and 65535."));
          gtk_widget_grab_focus (GTK_WIDGET (self->port_row));
          return;
        }
      g_autofree char *host_trimmed = g_strstrip (g_strdup (host));
      flint_account_set_host (account, host_trimmed);
      flint_account_set_port (account, port);
    }
  if (*password == '\0')
    {
      show_error (self, _ ("Enter the password of this account."));
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->password_row));
      return;
    }

  if (flint_account_store_lookup (store, flint_account_get_jid (account)) == NULL &&
      !flint_account_store_add (store, account, &error))
    {
      show_error (self, error->message);
      return;
    }

  flint_secrets_store (flint_account_get_jid (account), password, self->cancellable,
                       on_password_stored, g_object_ref (self));

  set_busy (self, TRUE);
  stop_watching (self);
  self->session =
    g_object_ref (flint_application_start_account (self->app, account, password));
  self->state_handler = g_signal_connect (self->session, "notify::state",
                                          G_CALLBACK (on_session_state), self);
  on_session_state (self->session, NULL, self);
}

static void
flint_account_dialog_dispose (GObject *object)
{
  FlintAccountDialog *self = FLINT_ACCOUNT_DIALOG (object);

  stop_watching (self);
  g_clear_object (&self->account);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (flint_account_dialog_parent_class)->dispose (object);
}

static void
flint_account_dialog_class_init (FlintAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_account_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, sign_in_stack);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, jid_row);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, advanced_group);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlintAccountDialog, hint_label);

  gtk_widget_class_install_action (widget_class, "account.sign-in", NULL,
                                   sign_in_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close",
                                       NULL);
}

static void
flint_account_dialog_init (FlintAccountDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_widget (GTK_WINDOW (self), self->sign_in_button);
  /* Typing starts in the address field: with the focus on Cancel, the first
   * space typed closed the dialog. */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->jid_row));
}

FlintAccountDialog *
flint_account_dialog_new (FlintApplication *app, FlintAccount *account)
{
  FlintAccountDialog *self = g_object_new (FLINT_TYPE_ACCOUNT_DIALOG, NULL);

  self->app = app;
  if (account)
    {
      self->account = g_object_ref (account);
      gtk_window_set_title (GTK_WINDOW (self), _ ("Enter Password"));
      adw_window_title_set_title (self->window_title, _ ("Enter Password"));
      gtk_editable_set_text (GTK_EDITABLE (self->jid_row),
                             flint_account_get_jid (account));
      gtk_widget_set_sensitive (GTK_WIDGET (self->jid_row), FALSE);
      gtk_widget_set_visible (self->advanced_group, FALSE);
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->password_row));
    }
  else
    {
      /* The administrator's defaults prefill a new account; the user may
       * still change every field. */
      FlintDefaults *defaults = flint_defaults_get_default ();
      g_autofree char *port =
        flint_defaults_get_port (defaults)
          ? g_strdup_printf ("%u", flint_defaults_get_port (defaults))
          : NULL;

      if (flint_defaults_get_domain (defaults))
        {
          g_autofree char *at =
            g_strconcat ("@", flint_defaults_get_domain (defaults), NULL);

          gtk_editable_set_text (GTK_EDITABLE (self->jid_row), at);
          gtk_editable_set_position (GTK_EDITABLE (self->jid_row), 0);
        }
      if (flint_defaults_get_host (defaults))
        gtk_editable_set_text (GTK_EDITABLE (self->host_row),
                               flint_defaults_get_host (defaults));
      if (port)
        gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
    }
  if (!flint_application_get_secrets_available (app))
    {
      gtk_label_set_text (self->hint_label,
                          flint_error_describe (FLINT_ERROR_SECRETS_UNAVAILABLE));
      gtk_widget_set_visible (GTK_WIDGET (self->hint_label), TRUE);
    }
  return self;
}

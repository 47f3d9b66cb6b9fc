#include "config.h"

#define G_LOG_DOMAIN "flint-window"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-account-dialog.h"
#include "flint-error.h"
#include "flint-window.h"

struct _FlintWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  FlintSession *session;
  gulong state_handler;
  gulong error_handler;
  gulong cert_handler;

  AdwToastOverlay *toasts;
  AdwWindowTitle *window_title;
  GtkStack *stack;
  AdwStatusPage *status_page;
  GtkSpinner *spinner;
  GtkWidget *retry_button;
  GtkWidget *password_button;
  GtkWidget *certificate_button;
};

G_DEFINE_FINAL_TYPE (FlintWindow, flint_window, ADW_TYPE_APPLICATION_WINDOW)

static FlintApplication *
get_app (FlintWindow *self)
{
  return FLINT_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static gboolean
error_is (FlintSession *session, FlintErrorCode code)
{
  const GError *error = session ? flint_session_get_error (session) : NULL;

  return error && g_error_matches (error, FLINT_ERROR, code);
}

static void
update (FlintWindow *self)
{
  FlintSession *session = self->session;
  const GError *error = session ? flint_session_get_error (session) : NULL;
  const char *icon = NULL, *title = NULL;
  g_autofree char *description = NULL;
  gboolean busy = FALSE, retry = FALSE;

  if (session == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "welcome");
      adw_window_title_set_subtitle (self->window_title, NULL);
      return;
    }

  switch (flint_session_get_state (session))
    {
      case FLINT_SESSION_CONNECTING:
        icon = "network-transmit-receive-symbolic";
        title = _ ("Connecting…");
        busy = TRUE;
        break;
      case FLINT_SESSION_AUTHENTICATING:
        icon = "network-transmit-receive-symbolic";
        title = _ ("Signing In…");
        busy = TRUE;
        break;
      case FLINT_SESSION_ONLINE:
        icon = "user-available-symbolic";
        title = _ ("Online");
        /* TRANSLATORS: %s is the user's own chat address */
        description =
          g_strdup_printf (_ ("Signed in as %s."), flint_session_get_bound_jid (session));
        break;
      case FLINT_SESSION_RECONNECTING:
        icon = "network-offline-symbolic";
        title = _ ("Reconnecting…");
        retry = TRUE;
        break;
      case FLINT_SESSION_DISCONNECTED:
      default:
        icon = error ? "dialog-warning-symbolic" : "user-offline-symbolic";
        title = error ? _ ("Not Connected") : _ ("Offline");
        retry = !error_is (session, FLINT_ERROR_NO_PASSWORD) &&
                !error_is (session, FLINT_ERROR_TLS_UNTRUSTED);
        break;
    }
  if (error && flint_session_get_state (session) != FLINT_SESSION_ONLINE)
    description = g_strdup (error->message);

  adw_status_page_set_icon_name (self->status_page, icon);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (self->retry_button, retry);
  gtk_widget_set_visible (self->password_button,
                          error_is (session, FLINT_ERROR_NO_PASSWORD) ||
                            error_is (session, FLINT_ERROR_AUTH_FAILED));
  gtk_widget_set_visible (self->certificate_button,
                          error_is (session, FLINT_ERROR_TLS_UNTRUSTED) &&
                            flint_session_get_certificate (session));
  gtk_stack_set_visible_child_name (self->stack, "status");

  adw_window_title_set_subtitle (
    self->window_title, flint_account_get_jid (flint_session_get_account (session)));
}

/* ---- certificate decisions ---------------------------------------------- */

typedef struct
{
  FlintWindow *self;
  FlintSession *session;
  FlintCertificate *certificate;
} CertDecision;

static void
on_certificate_response (AdwMessageDialog *dialog,
                         const char *response,
                         gpointer user_data)
{
  CertDecision *decision = user_data;

  if (g_strcmp0 (response, "trust") == 0)
    flint_session_trust_certificate (decision->session, decision->certificate);
  g_object_unref (decision->session);
  g_object_unref (decision->certificate);
  g_free (decision);
}

/* The fingerprint in lines of eight bytes: fits the dialog, easy to read out. */
static char *
fingerprint_lines (FlintCertificate *certificate)
{
  g_autofree char *fingerprint = flint_certificate_format_fingerprint (certificate);
  GString *out = g_string_new (NULL);
  gsize len = strlen (fingerprint);

  for (gsize i = 0; i < len; i += 24)
    {
      if (out->len)
        g_string_append_c (out, '\n');
      g_string_append_len (out, fingerprint + i, (gssize) MIN (23, len - i));
    }
  return g_string_free (out, FALSE);
}

static char *
certificate_body (FlintSession *session, FlintCertificate *certificate)
{
  g_autofree char *fingerprint = fingerprint_lines (certificate);

  return g_markup_printf_escaped (
    _ ("The server %s presented a certificate that could not be verified (%s). Trust it "
       "only "
       "if its fingerprint matches the one your administrator gave you. Flint remembers "
       "the "
       "decision and asks again if the certificate changes.\n\n"
       "<b>Subject</b>  %s\n<b>Issuer</b>  %s\n<b>Valid</b>  %s – %s\n\n"
       "<b>SHA-256 fingerprint</b>\n<tt>%s</tt>"),
    flint_account_get_domain (flint_session_get_account (session)),
    flint_certificate_get_reason (certificate),
    flint_certificate_get_subject (certificate),
    flint_certificate_get_issuer (certificate),
    flint_certificate_get_not_before (certificate),
    flint_certificate_get_not_after (certificate), fingerprint);
}

void
flint_window_show_certificate (FlintWindow *self, FlintCertificate *certificate)
{
  GtkWidget *dialog;
  CertDecision *decision;
  g_autofree char *body = NULL;

  g_return_if_fail (FLINT_IS_WINDOW (self));
  if (self->session == NULL)
    return;

  body = certificate_body (self->session, certificate);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("Untrusted Certificate"), NULL);
  adw_message_dialog_set_body_use_markup (ADW_MESSAGE_DIALOG (dialog), TRUE);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "trust", _ ("_Trust and Connect"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  decision = g_new0 (CertDecision, 1);
  decision->self = self;
  decision->session = g_object_ref (self->session);
  decision->certificate = g_object_ref (certificate);
  g_signal_connect (dialog, "response", G_CALLBACK (on_certificate_response), decision);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_certificate_failed (FlintSession *session,
                       FlintCertificate *certificate,
                       FlintWindow *self)
{
  flint_window_show_certificate (self, certificate);
}

/* ---- session binding ---------------------------------------------------- */

static void
on_session_changed (FlintSession *session, GParamSpec *pspec, FlintWindow *self)
{
  update (self);
}

void
flint_window_set_session (FlintWindow *self, FlintSession *session)
{
  g_return_if_fail (FLINT_IS_WINDOW (self));

  if (self->session == session)
    return;
  if (self->session)
    {
      g_clear_signal_handler (&self->state_handler, self->session);
      g_clear_signal_handler (&self->error_handler, self->session);
      g_clear_signal_handler (&self->cert_handler, self->session);
      g_clear_object (&self->session);
    }
  if (session)
    {
      self->session = g_object_ref (session);
      self->state_handler = g_signal_connect (session, "notify::state",
                                              G_CALLBACK (on_session_changed), self);
      self->error_handler = g_signal_connect (session, "notify::error",
                                              G_CALLBACK (on_session_changed), self);
      self->cert_handler = g_signal_connect (session, "certificate-failed",
                                             G_CALLBACK (on_certificate_failed), self);
    }
  update (self);
}

FlintSession *
flint_window_get_session (FlintWindow *self)
{
  return self->session;
}

static void
on_session_added (FlintApplication *app, FlintSession *session, FlintWindow *self)
{
  if (self->session == NULL)
    flint_window_set_session (self, session);
}

void
flint_window_add_toast (FlintWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

/* A one-line summary for tests and the accessibility tree alike. */
char *
flint_window_describe_state (FlintWindow *self)
{
  return g_strdup_printf ("%s|%s|%s", gtk_stack_get_visible_child_name (self->stack),
                          adw_status_page_get_title (self->status_page) ?: "",
                          adw_status_page_get_description (self->status_page) ?: "");
}

/* ---- actions ------------------------------------------------------------ */

static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);

  if (self->session)
    flint_session_connect (self->session);
}

static void
add_account_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  FlintAccountDialog *dialog = flint_account_dialog_new (get_app (self), NULL);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
enter_password_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  FlintAccountDialog *dialog;

  if (self->session == NULL)
    return;
  dialog =
    flint_account_dialog_new (get_app (self), flint_session_get_account (self->session));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
review_certificate_activated (GtkWidget *widget,
                              const char *action_name,
                              GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  FlintCertificate *certificate =
    self->session ? flint_session_get_certificate (self->session) : NULL;

  if (certificate)
    flint_window_show_certificate (self, certificate);
}

/* ---- object ------------------------------------------------------------- */

static void
flint_window_dispose (GObject *object)
{
  FlintWindow *self = FLINT_WINDOW (object);

  flint_window_set_session (self, NULL);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (flint_window_parent_class)->dispose (object);
}

static void
flint_window_class_init (FlintWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, password_button);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, certificate_button);

  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_activated);
  gtk_widget_class_install_action (widget_class, "win.add-account", NULL,
                                   add_account_activated);
  gtk_widget_class_install_action (widget_class, "win.enter-password", NULL,
                                   enter_password_activated);
  gtk_widget_class_install_action (widget_class, "win.review-certificate", NULL,
                                   review_certificate_activated);
}

static void
flint_window_init (FlintWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);
}

FlintWindow *
flint_window_new (FlintApplication *app)
{
  FlintWindow *self = g_object_new (FLINT_TYPE_WINDOW, "application", app, NULL);

  FlintHistory *history = flint_application_get_history (app);
  const GError *problem = history ? flint_history_get_recovery_error (history) : NULL;

  g_signal_connect_object (app, "session-added", G_CALLBACK (on_session_added), self, 0);
  if (problem)
    flint_window_add_toast (self, problem->message);
  else if (history == NULL)
    flint_window_add_toast (self, flint_error_describe (FLINT_ERROR_DATABASE));
  flint_window_set_session (self, flint_application_get_main_session (app));
  return self;
}

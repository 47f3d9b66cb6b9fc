#include "config.h"

#define G_LOG_DOMAIN "flint-preferences"

#include <glib/gi18n.h>

#include "flint-account-dialog.h"
#include "flint-preferences-window.h"
#include "flint-secrets.h"
#include "flint-spell-checker.h"

struct _FlintPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  FlintApplication *app;
  GSettings *settings;
  GArray *retention_days; /* int per row of retention_model */
  GPtrArray *languages;   /* Enchant tag per row of language_model; "" = locale */
  GtkFileChooserNative *chooser;

  AdwComboRow *retention_row;
  GtkStringList *retention_model;
  AdwComboRow *style_row;
  GtkSwitch *compact_switch;
  GtkSwitch *notifications_switch;
  GtkWidget *sound_row;
  GtkSwitch *sound_switch;
  GtkWidget *mentions_row;
  GtkSwitch *mentions_switch;
  GtkSwitch *typing_switch;
  GtkSwitch *receipts_switch;
  GtkSwitch *idle_switch;
  GtkWidget *away_row;
  GtkSpinButton *away_spin;
  GtkWidget *xa_row;
  GtkSpinButton *xa_spin;
  GtkListBox *accounts_list;
  GtkSwitch *spell_switch;
  AdwComboRow *language_row;
  GtkStringList *language_model;
  AdwActionRow *folder_row;
  GtkSwitch *ask_switch;
};

G_DEFINE_FINAL_TYPE (FlintPreferencesWindow,
                     flint_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

/* The choices offered; 0 keeps messages forever. */
static const int retention_choices[] = { 0, 365, 180, 90, 30, 7 };

static char *
describe_days (int days)
{
  switch (days)
    {
      case 0:
        return g_strdup (_ ("Forever"));
      case 365:
        return g_strdup (_ ("One Year"));
      case 180:
        return g_strdup (_ ("Six Months"));
      case 90:
        return g_strdup (_ ("Three Months"));
      case 30:
        return g_strdup (_ ("One Month"));
      case 7:
        return g_strdup (_ ("One Week"));
      default:
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d Day", "%d Days", days),
                                days);
    }
}

static void
add_choice (FlintPreferencesWindow *self, int days)
{
  g_autofree char *label = describe_days (days);

  gtk_string_list_append (self->retention_model, label);
  g_array_append_val (self->retention_days, days);
}

static void
on_retention_selected (FlintPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->retention_row);

  if (selected < self->retention_days->len &&
      g_settings_get_int (self->settings, "history-retention-days") !=
        g_array_index (self->retention_days, int, selected))
    g_settings_set_int (self->settings, "history-retention-days",
                        g_array_index (self->retention_days, int, selected));
}

static void
show_retention (FlintPreferencesWindow *self)
{
  int days = g_settings_get_int (self->settings, "history-retention-days");
  guint i;

  for (i = 0; i < self->retention_days->len; i++)
    if (g_array_index (self->retention_days, int, i) == days)
      break;
  /* A value set elsewhere (gsettings) is shown as it is. */
  if (i == self->retention_days->len)
    add_choice (self, days);
  adw_combo_row_set_selected (self->retention_row, i);
}

/* ---- appearance: the combo row's position <-> the "color-scheme" key ----- */

static const char *const schemes[] = { "default", "light", "dark" };

static gboolean
scheme_to_position (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *scheme = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_str_equal (scheme, schemes[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
position_to_scheme (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint i = g_value_get_uint (value);

  return g_variant_new_string (schemes[i < G_N_ELEMENTS (schemes) ? i : 0]);
}

/* ---- spelling: the default language ------------------------------------ */

static gboolean
language_to_position (GValue *value, GVariant *variant, gpointer user_data)
{
  FlintPreferencesWindow *self = user_data;
  const char *tag = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < self->languages->len; i++)
    if (g_str_equal (tag, g_ptr_array_index (self->languages, i)))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  /* A dictionary that is gone: shown as the locale's. */
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
position_to_language (const GValue *value, const GVariantType *type, gpointer user_data)
{
  FlintPreferencesWindow *self = user_data;
  guint i = g_value_get_uint (value);

  if (i >= self->languages->len)
    return NULL;
  return g_variant_new_string (g_ptr_array_index (self->languages, i));
}

static void
fill_languages (FlintPreferencesWindow *self)
{
  g_auto (GStrv) tags = flint_spell_checker_list_languages ();

  gtk_string_list_append (self->language_model, _ ("Automatic"));
  g_ptr_array_add (self->languages, g_strdup (""));
  for (guint i = 0; tags && tags[i]; i++)
    {
      gtk_string_list_append (self->language_model, tags[i]);
      g_ptr_array_add (self->languages, g_strdup (tags[i]));
    }
}

/* ---- received files ------------------------------------------------------ */

static void
show_folder (FlintPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");
  const char *shown =
    *folder ? folder : g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  g_autofree char *display = shown ? g_filename_display_name (shown) : NULL;

  adw_action_row_set_subtitle (self->folder_row, display ? display : _ ("Home Folder"));
}

static void
on_folder_chosen (GtkNativeDialog *dialog, int response, FlintPreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path)
        g_settings_set_string (self->settings, "download-folder", path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_folder_activated (GtkWidget *widget, const char *name, GVariant *parameter)
{
  FlintPreferencesWindow *self = FLINT_PREFERENCES_WINDOW (widget);

  if (self->chooser)
    return;
  self->chooser = gtk_file_chooser_native_new (_ ("Download Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _ ("_Select"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- accounts ------------------------------------------------------------ */

static void
add_toast (FlintPreferencesWindow *self, const char *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

static void
save_accounts (FlintPreferencesWindow *self)
{
  g_autoptr (GError) error = NULL;

  if (!flint_account_store_save (flint_application_get_accounts (self->app), &error))
    add_toast (self, error->message);
}

static void
on_enabled_toggled (GtkSwitch *toggle, GParamSpec *pspec, FlintAccount *account)
{
  FlintPreferencesWindow *self =
    FLINT_PREFERENCES_WINDOW (gtk_widget_get_root (GTK_WIDGET (toggle)));
  gboolean enabled = gtk_switch_get_active (toggle);
  FlintSession *session;

  if (enabled == flint_account_get_enabled (account))
    return;
  flint_account_set_enabled (account, enabled);
  save_accounts (self);
  session = flint_application_get_session (self->app, flint_account_get_jid (account));
  if (enabled)
    flint_application_start_account (self->app, account, NULL);
  else if (session)
    flint_session_disconnect (session);
}

typedef struct
{
  FlintPreferencesWindow *self;
  char *jid;
} PasswordChange;

static void
on_password_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PasswordChange *change = user_data;
  g_autoptr (GError) error = NULL;

  if (flint_secrets_store_finish (result, &error))
    add_toast (change->self, _ ("Password changed"));
  else
    add_toast (change->self, error->message);
  g_object_unref (change->self);
  g_free (change->jid);
  g_free (change);
}

static void
on_password_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  FlintPreferencesWindow *self = user_data;
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  const char *jid = g_object_get_data (G_OBJECT (dialog), "jid");
  const char *password = gtk_editable_get_text (entry);
  FlintSession *session;
  PasswordChange *change;

  if (g_strcmp0 (response, "change") != 0 || *password == '\0')
    return;
  /* The running session signs in with it from its next connection on. */
  session = flint_application_get_session (self->app, jid);
  if (session)
    flint_session_set_password (session, password);
  change = g_new0 (PasswordChange, 1);
  change->self = g_object_ref (self);
  change->jid = g_strdup (jid);
  flint_secrets_store (jid, password, NULL, on_password_stored, change);
  gtk_editable_set_text (entry, "");
}

static void
change_password (GtkButton *button, FlintAccount *account)
{
  FlintPreferencesWindow *self =
    FLINT_PREFERENCES_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  GtkWidget *dialog =
    adw_message_dialog_new (GTK_WINDOW (self), _ ("Change Password"), NULL);
  GtkWidget *entry = gtk_password_entry_new ();

  adw_message_dialog_format_body (
    ADW_MESSAGE_DIALOG (dialog),
    _ ("The password Flint uses for %s. This does not change "
       "the password on the server."),
    flint_account_get_jid (account));
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("New password"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "change", _ ("C_hange"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "change",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "change");
  g_object_set_data_full (G_OBJECT (dialog), "jid",
                          g_strdup (flint_account_get_jid (account)), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_password_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* An account row's subtitle: host:port, or how the server is found. */
static char *
describe_server (FlintAccount *account)
{
  const char *host = flint_account_get_host (account);

  if (host == NULL || *host == '\0')
    return g_strdup (_ ("Server found from the address"));
  if (flint_account_get_port (account))
    return g_strdup_printf ("%s:%u", host, flint_account_get_port (account));
  return g_strdup (host);
}

static void
on_edit_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  FlintPreferencesWindow *self = user_data;
  FlintAccount *account = g_object_get_data (G_OBJECT (dialog), "account");
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
  GtkEditable *host = GTK_EDITABLE (gtk_widget_get_first_child (box));
  GtkSpinButton *port = GTK_SPIN_BUTTON (gtk_widget_get_next_sibling (GTK_WIDGET (host)));
  g_autofree char *trimmed = NULL;
  guint new_port;

  if (g_strcmp0 (response, "save") != 0)
    return;
  /* A port typed but not yet confirmed (Save clicked straight away). */
  gtk_spin_button_update (port);
  new_port = (guint) gtk_spin_button_get_value_as_int (port);
  trimmed = g_strstrip (g_strdup (gtk_editable_get_text (host)));
  if (g_strcmp0 (*trimmed ? trimmed : NULL, flint_account_get_host (account)) == 0 &&
      new_port == flint_account_get_port (account))
    return;
  flint_account_set_host (account, *trimmed ? trimmed : NULL);
  flint_account_set_port (account, new_port);
  save_accounts (self);
  {
    GtkWidget *row = g_object_get_data (G_OBJECT (dialog), "row");
    g_autofree char *server = describe_server (account);

    if (row)
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), server);
  }
  if (flint_application_reconnect_account (self->app, account))
    add_toast (self, _ ("Signing in again with the new server settings"));
  else
    add_toast (self, _ ("The new server settings apply from the next sign-in."));
}

static void
edit_account (GtkButton *button, FlintAccount *account)
{
  FlintPreferencesWindow *self =
    FLINT_PREFERENCES_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  GtkWidget *dialog =
    adw_message_dialog_new (GTK_WINDOW (self), flint_account_get_jid (account),
                            _ ("Leave the server empty to find it from the address."));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *host = gtk_entry_new ();
  GtkWidget *port = gtk_spin_button_new_with_range (0, 65535, 1);

  gtk_entry_set_placeholder_text (GTK_ENTRY (host), _ ("Server (optional)"));
  gtk_editable_set_text (GTK_EDITABLE (host), flint_account_get_host (account) ?: "");
  gtk_widget_set_hexpand (host, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (host), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Server"), -1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (port), flint_account_get_port (account));
  gtk_widget_set_tooltip_text (port, _ ("Port (0: automatic)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (port), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Port"), -1);
  gtk_box_append (GTK_BOX (box), host);
  gtk_box_append (GTK_BOX (box), port);
  /* For tests answering the dialog (app.test-respond "save|HOST|PORT"). */
  g_object_set_data (G_OBJECT (dialog), "entry", host);
  g_object_set_data (G_OBJECT (dialog), "entry2", port);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "save", _ ("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  g_object_set_data_full (G_OBJECT (dialog), "account", g_object_ref (account),
                          g_object_unref);
  g_object_set_data_full (
    G_OBJECT (dialog), "row",
    g_object_ref (gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ACTION_ROW)),
    g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_edit_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_remove_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  FlintPreferencesWindow *self = user_data;
  const char *jid = g_object_get_data (G_OBJECT (dialog), "jid");
  FlintSession *session;
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (response, "remove") != 0)
    return;
  session = flint_application_get_session (self->app, jid);
  if (session)
    flint_session_disconnect (session);
  if (!flint_account_store_remove (flint_application_get_accounts (self->app), jid,
                                   &error))
    {
      add_toast (self, error->message);
      return;
    }
  /* The stored password goes with the account; history stays. */
  if (!flint_secrets_clear_sync (jid, &error))
    g_debug ("Password of %s not removed: %s", jid, error->message);
}

static void
remove_account (GtkButton *button, FlintAccount *account)
{
  FlintPreferencesWindow *self =
    FLINT_PREFERENCES_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  GtkWidget *dialog =
    adw_message_dialog_new (GTK_WINDOW (self), _ ("Remove Account?"), NULL);

  adw_message_dialog_format_body (
    ADW_MESSAGE_DIALOG (dialog),
    _ ("Flint signs out of %s and forgets its password. The account on the server and "
       "the message history on this computer stay."),
    flint_account_get_jid (account));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "remove", _ ("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "jid",
                          g_strdup (flint_account_get_jid (account)), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
icon_button (const char *icon,
             const char *label,
             GCallback callback,
             FlintAccount *account)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
  g_signal_connect_object (button, "clicked", callback, account, 0);
  return button;
}

static GtkWidget *
create_account_row (gpointer item, gpointer user_data)
{
  FlintAccount *account = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  g_autofree char *server = describe_server (account);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 flint_account_get_jid (account));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), server);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), flint_account_get_enabled (account));
  gtk_widget_set_tooltip_text (toggle, _ ("Use this account"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Use this account"), -1);
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_enabled_toggled),
                           account, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             icon_button ("document-edit-symbolic", _ ("Edit Server"),
                                          G_CALLBACK (edit_account), account));
  adw_action_row_add_suffix (
    ADW_ACTION_ROW (row), icon_button ("dialog-password-symbolic", _ ("Change Password"),
                                       G_CALLBACK (change_password), account));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             icon_button ("user-trash-symbolic", _ ("Remove Account"),
                                          G_CALLBACK (remove_account), account));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  return row;
}

static void
add_account_activated (GtkWidget *widget, const char *name, GVariant *parameter)
{
  FlintPreferencesWindow *self = FLINT_PREFERENCES_WINDOW (widget);
  GtkWindow *dialog = GTK_WINDOW (flint_account_dialog_new (self->app, NULL));

  gtk_window_set_transient_for (dialog, GTK_WINDOW (self));
  gtk_window_present (dialog);
}

static void
flint_preferences_window_dispose (GObject *object)
{
  FlintPreferencesWindow *self = FLINT_PREFERENCES_WINDOW (object);

  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  g_clear_object (&self->app);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (flint_preferences_window_parent_class)->dispose (object);
}

static void
flint_preferences_window_finalize (GObject *object)
{
  FlintPreferencesWindow *self = FLINT_PREFERENCES_WINDOW (object);

  g_array_unref (self->retention_days);
  g_ptr_array_unref (self->languages);
  G_OBJECT_CLASS (flint_preferences_window_parent_class)->finalize (object);
}

#define BIND_CHILD(name)                                                                 \
  gtk_widget_class_bind_template_child (widget_class, FlintPreferencesWindow, name)

static void
flint_preferences_window_class_init (FlintPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_preferences_window_dispose;
  object_class->finalize = flint_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/im/flint/Flint/flint-preferences-window.ui");
  BIND_CHILD (retention_row);
  BIND_CHILD (retention_model);
  BIND_CHILD (style_row);
  BIND_CHILD (compact_switch);
  BIND_CHILD (notifications_switch);
  BIND_CHILD (sound_row);
  BIND_CHILD (sound_switch);
  BIND_CHILD (mentions_row);
  BIND_CHILD (mentions_switch);
  BIND_CHILD (typing_switch);
  BIND_CHILD (receipts_switch);
  BIND_CHILD (idle_switch);
  BIND_CHILD (away_row);
  BIND_CHILD (away_spin);
  BIND_CHILD (xa_row);
  BIND_CHILD (xa_spin);
  BIND_CHILD (accounts_list);
  BIND_CHILD (spell_switch);
  BIND_CHILD (language_row);
  BIND_CHILD (language_model);
  BIND_CHILD (folder_row);
  BIND_CHILD (ask_switch);

  gtk_widget_class_install_action (widget_class, "prefs.add-account", NULL,
                                   add_account_activated);
  gtk_widget_class_install_action (widget_class, "prefs.choose-folder", NULL,
                                   choose_folder_activated);
}

static void
bind_switch (FlintPreferencesWindow *self, const char *key, GtkSwitch *toggle)
{
  g_settings_bind (self->settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
}

static void
flint_preferences_window_init (FlintPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->retention_days = g_array_new (FALSE, FALSE, sizeof (int));
  self->languages = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (retention_choices); i++)
    add_choice (self, retention_choices[i]);
  show_retention (self);
  g_signal_connect_swapped (self->retention_row, "notify::selected",
                            G_CALLBACK (on_retention_selected), self);

  g_settings_bind_with_mapping (self->settings, "color-scheme", self->style_row,
                                "selected", G_SETTINGS_BIND_DEFAULT, scheme_to_position,
                                position_to_scheme, NULL, NULL);
  bind_switch (self, "compact-roster", self->compact_switch);
  bind_switch (self, "notifications", self->notifications_switch);
  bind_switch (self, "notification-sound", self->sound_switch);
  bind_switch (self, "notify-room-mentions-only", self->mentions_switch);
  g_object_bind_property (self->notifications_switch, "active", self->sound_row,
                          "sensitive", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->notifications_switch, "active", self->mentions_row,
                          "sensitive", G_BINDING_SYNC_CREATE);
  bind_switch (self, "send-chat-states", self->typing_switch);
  bind_switch (self, "send-receipts", self->receipts_switch);
  bind_switch (self, "auto-away", self->idle_switch);
  g_settings_bind (self->settings, "auto-away-minutes",
                   gtk_spin_button_get_adjustment (self->away_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-xa-minutes",
                   gtk_spin_button_get_adjustment (self->xa_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_object_bind_property (self->idle_switch, "active", self->away_row, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->idle_switch, "active", self->xa_row, "sensitive",
                          G_BINDING_SYNC_CREATE);

  bind_switch (self, "spell-checking", self->spell_switch);
  fill_languages (self);
  g_settings_bind_with_mapping (self->settings, "spell-language", self->language_row,
                                "selected", G_SETTINGS_BIND_DEFAULT, language_to_position,
                                position_to_language, self, NULL);
  g_object_bind_property (self->spell_switch, "active", self->language_row, "sensitive",
                          G_BINDING_SYNC_CREATE);

  bind_switch (self, "ask-download-folder", self->ask_switch);
  g_object_bind_property (self->ask_switch, "active", self->folder_row, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_signal_connect_object (self->settings, "changed::download-folder",
                           G_CALLBACK (show_folder), self, G_CONNECT_SWAPPED);
  show_folder (self);
}

FlintPreferencesWindow *
flint_preferences_window_new (FlintApplication *app, GtkWindow *parent)
{
  FlintPreferencesWindow *self =
    g_object_new (FLINT_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);

  self->app = g_object_ref (app);
  gtk_list_box_bind_model (
    self->accounts_list,
    flint_account_store_get_model (flint_application_get_accounts (app)),
    create_account_row, self, NULL);
  return self;
}

#include "config.h"

#define G_LOG_DOMAIN "flint-window"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-account-dialog.h"
#include "flint-add-contact-dialog.h"
#include "flint-avatar-image.h"
#include "flint-chat-page.h"
#include "flint-contact-row.h"
#include "flint-composer.h"
#include "flint-error.h"
#include "flint-history-actions.h"
#include "flint-jid.h"
#include "flint-preferences-window.h"
#include "flint-join-dialog.h"
#include "flint-room-browser.h"
#include "flint-room-list.h"
#include "flint-room-page.h"
#include "flint-roster-view.h"
#include "flint-account-chooser.h"
#include "flint-json.h"
#include "flint-window.h"

struct _FlintWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  FlintSession *session;
  /* Made for a tab moved out of another window: its composer gets the
   * keyboard once the tab is here. */
  gboolean focus_moved_tab;
  gulong state_handler;
  gulong error_handler;
  gulong cert_handler;

  FlintRoster *roster;
  FlintAvatars *avatars;
  FlintRooms *rooms;
  GPtrArray *rosters;        /* FlintRoster of each enabled account, in the roster pane */
  GPtrArray *all_rooms;      /* FlintRooms of every enabled account: tabs, invitations */
  GPtrArray *other_sessions; /* their sessions: certificate questions */
  gboolean restoring;
  AdwTabPage *menu_page; /* the tab whose context menu is open, or NULL */
  guint menu_idle;
  int drag_start_width;

  AdwToastOverlay *toasts;
  char *last_toast; /* for the tests' state dump */
  AdwLeaflet *leaflet;
  GtkWidget *sidebar;
  GtkWidget *pane_separator;
  GtkWidget *content;
  AdwWindowTitle *window_title;
  AdwWindowTitle *chat_title;
  AdwAvatar *own_avatar;
  GtkWidget *own_presence;
  FlintPresence shown_presence; /* what own_presence shows (auto-away included) */
  GtkRevealer *connection_revealer;
  GtkSpinner *bar_spinner;
  GtkLabel *bar_label;
  GtkWidget *bar_button;
  FlintRosterView *roster_view;
  FlintRoomList *room_list;
  AdwTabView *tab_view;
  GtkWidget *tab_bar;
  GtkStack *stack;
  AdwStatusPage *status_page;
  GtkSpinner *spinner;
  GtkWidget *retry_button;
  GtkWidget *password_button;
  GtkWidget *certificate_button;
  GtkWidget *conversation_menu_button;
  FlintSearchWindow *search_window;
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

/* Several accounts: tabs and the header say which one a conversation is on. */
static gboolean
many_accounts (FlintWindow *self)
{
  return self->rosters && self->rosters->len > 1;
}

static void
update_content (FlintWindow *self)
{
  const char *page;

  if (adw_tab_view_get_n_pages (self->tab_view) > 0)
    page = "chat";
  else
    page = self->session ? "status" : "welcome";
  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
update (FlintWindow *self)
{
  FlintSession *session = self->session;
  const GError *error = session ? flint_session_get_error (session) : NULL;
  const char *icon = NULL, *title = NULL;
  g_autofree char *description = NULL;
  gboolean busy = FALSE, retry = FALSE;
  FlintSessionState state;

  gtk_widget_set_visible (self->sidebar, session != NULL);
  gtk_widget_set_visible (self->pane_separator, session != NULL);
  if (session == NULL)
    {
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_revealer_set_reveal_child (self->connection_revealer, FALSE);
      update_content (self);
      if (flint_application_get_history_updating (get_app (self)))
        {
          /* The accounts start once the history is migrated. */
          adw_status_page_set_icon_name (self->status_page,
                                         "emblem-synchronizing-symbolic");
          adw_status_page_set_title (self->status_page, _ ("Updating History…"));
          adw_status_page_set_description (
            self->status_page,
            _ ("Your message history is being brought up to date for this version of "
               "Flint. A long history can take a minute or two."));
          gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
          gtk_spinner_set_spinning (self->spinner, TRUE);
          gtk_widget_set_visible (self->retry_button, FALSE);
          gtk_widget_set_visible (self->password_button, FALSE);
          gtk_widget_set_visible (self->certificate_button, FALSE);
          gtk_stack_set_visible_child_name (self->stack, "status");
        }
      return;
    }

  state = flint_session_get_state (session);
  switch (state)
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
  if (error && state != FLINT_SESSION_ONLINE)
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

  /* The roster pane keeps the connection state in view while chatting;
   * with several accounts each section header says its own. */
  gtk_revealer_set_reveal_child (self->connection_revealer,
                                 state != FLINT_SESSION_ONLINE && !many_accounts (self));
  gtk_label_set_text (self->bar_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->bar_label), description);
  gtk_widget_set_visible (GTK_WIDGET (self->bar_spinner), busy);
  gtk_spinner_set_spinning (self->bar_spinner, busy);
  gtk_widget_set_visible (self->bar_button, retry);
  update_content (self);

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

static void
show_certificate (FlintWindow *self, FlintSession *session, FlintCertificate *certificate)
{
  GtkWidget *dialog;
  CertDecision *decision;
  g_autofree char *body = NULL;

  body = certificate_body (session, certificate);
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
  decision->session = g_object_ref (session);
  decision->certificate = g_object_ref (certificate);
  g_signal_connect (dialog, "response", G_CALLBACK (on_certificate_response), decision);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
flint_window_show_certificate (FlintWindow *self, FlintCertificate *certificate)
{
  g_return_if_fail (FLINT_IS_WINDOW (self));
  if (self->session)
    show_certificate (self, self->session, certificate);
}

static void
on_certificate_failed (FlintSession *session,
                       FlintCertificate *certificate,
                       FlintWindow *self)
{
  show_certificate (self, session, certificate);
}

/* The same for the other accounts (a handler of its own: see drop_rosters). */
static void
on_other_certificate_failed (FlintSession *session,
                             FlintCertificate *certificate,
                             FlintWindow *self)
{
  show_certificate (self, session, certificate);
}

/* ---- own presence ------------------------------------------------------ */

/* Appearance preference: smaller contact rows (style.css). */
static void
update_compact (FlintWindow *self)
{
  if (g_settings_get_boolean (self->settings, "compact-roster"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "compact-roster");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "compact-roster");
}

/* The sessions of the enabled accounts: own presence is for all of them. */
static GPtrArray *
enabled_sessions (FlintWindow *self)
{
  GPtrArray *sessions = g_ptr_array_new ();
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GListModel *accounts;

  if (!FLINT_IS_APPLICATION (app))
    {
      if (self->session)
        g_ptr_array_add (sessions, self->session);
      return sessions;
    }
  accounts = flint_account_store_get_model (
    flint_application_get_accounts (FLINT_APPLICATION (app)));
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (FlintAccount) account = g_list_model_get_item (accounts, i);
      FlintSession *session = flint_application_get_session (
        FLINT_APPLICATION (app), flint_account_get_jid (account));

      if (session && flint_account_get_enabled (account))
        g_ptr_array_add (sessions, session);
    }
  return sessions;
}

/* The status, and with several accounts whose picture the header shows
 * (the first enabled account's) while the status goes to all of them. */
static void
update_own_tooltip (FlintWindow *self)
{
  g_autofree char *status = g_settings_get_string (self->settings, "status-message");
  const char *line = *status ? status : flint_presence_label (self->shown_presence);
  g_autoptr (GPtrArray) sessions = enabled_sessions (self);
  g_autofree char *text = NULL;

  if (sessions->len > 1 && self->session)
    /* TRANSLATORS: the header avatar's tooltip with several accounts: the
     * status (first line), then the account whose picture it is */
    text =
      g_strdup_printf (_ ("%s (all accounts)\nPicture of %s"), line,
                       flint_account_get_jid (flint_session_get_account (self->session)));
  gtk_widget_set_tooltip_text (
    GTK_WIDGET (gtk_widget_get_parent (gtk_widget_get_parent (self->own_presence))),
    text ? text : line);
}

static void
apply_presence (FlintWindow *self)
{
  g_autoptr (GPtrArray) sessions = NULL;
  g_autofree char *show = g_settings_get_string (self->settings, "presence");
  g_autofree char *status = g_settings_get_string (self->settings, "status-message");
  FlintPresence presence;

  if (g_strcmp0 (show, "offline") == 0)
    presence = FLINT_PRESENCE_OFFLINE;
  else
    presence = flint_presence_from_show (show);
  /* Auto-away only lowers "available" and "chat": "busy" stays busy. */
  if (presence == FLINT_PRESENCE_AVAILABLE || presence == FLINT_PRESENCE_CHAT)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
      FlintIdleMonitor *idle =
        FLINT_IS_APPLICATION (app)
          ? flint_application_get_idle_monitor (FLINT_APPLICATION (app))
          : NULL;
      FlintIdleState idle_state = idle ? flint_idle_monitor_get_state (idle) : 0;

      if (idle_state == FLINT_IDLE_AWAY)
        presence = FLINT_PRESENCE_AWAY;
      else if (idle_state == FLINT_IDLE_EXTENDED_AWAY)
        presence = FLINT_PRESENCE_XA;
    }
  for (guint i = FLINT_PRESENCE_OFFLINE; i <= FLINT_PRESENCE_CHAT; i++)
    gtk_widget_remove_css_class (self->own_presence, flint_presence_css_class (i));
  gtk_widget_add_css_class (self->own_presence, flint_presence_css_class (presence));
  self->shown_presence = presence;
  update_own_tooltip (self);

  sessions = enabled_sessions (self);
  for (guint i = 0; i < sessions->len; i++)
    flint_session_set_presence (g_ptr_array_index (sessions, i),
                                flint_presence_to_show (presence),
                                *status ? status : NULL, 0);
}

static void
on_presence_changed (GSettings *settings, const char *key, FlintWindow *self)
{
  g_autofree char *show = g_settings_get_string (settings, "presence");
  g_autoptr (GPtrArray) sessions = enabled_sessions (self);

  apply_presence (self);
  /* Offline is a choice: sign off, and sign in again on any other status. */
  for (guint i = 0; i < sessions->len; i++)
    {
      FlintSession *session = g_ptr_array_index (sessions, i);

      if (g_strcmp0 (show, "offline") == 0)
        {
          if (flint_session_get_state (session) != FLINT_SESSION_DISCONNECTED)
            flint_session_disconnect (session);
        }
      else if (flint_session_get_state (session) == FLINT_SESSION_DISCONNECTED &&
               g_strcmp0 (key, "presence") == 0)
        flint_session_connect (session);
    }
}

static void
on_status_response (AdwMessageDialog *dialog, const char *response, FlintWindow *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_strcmp0 (response, "set") == 0)
    g_settings_set_string (self->settings, "status-message",
                           gtk_editable_get_text (entry));
  else if (g_strcmp0 (response, "clear") == 0)
    g_settings_set_string (self->settings, "status-message", "");
}

static void
status_message_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  g_autofree char *status = g_settings_get_string (self->settings, "status-message");
  GtkWidget *dialog =
    adw_message_dialog_new (GTK_WINDOW (self), _ ("Status Message"),
                            _ ("Your contacts see it next to your name."));
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), status);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _ ("In a meeting until 3"));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "clear", _ ("C_lear"), "set", _ ("_Set"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "set",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "set");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_status_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- own avatar ---------------------------------------------------------- */

static void
on_own_avatar_set (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlintWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!flint_avatars_set_own_finish (FLINT_AVATARS (source), result, &error))
    flint_window_add_toast (self, error->message);
}

static void
on_avatar_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlintWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) image = flint_avatar_image_prepare_finish (result, &error);

  if (image == NULL)
    flint_window_add_toast (self, error->message);
  else if (self->avatars)
    flint_avatars_set_own_async (self->avatars, image, "image/png", on_own_avatar_set,
                                 g_object_ref (self));
}

/* win.set-avatar-file (path): what the file chooser ends in; tests use it
 * directly. */
static void
set_avatar_file_activated (GtkWidget *widget,
                           const char *action_name,
                           GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);

  if (self->avatars == NULL)
    return;
  if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    {
      flint_window_add_toast (self,
                              _ ("Your avatar can be changed once you are online."));
      return;
    }
  flint_avatar_image_prepare_async (g_variant_get_string (parameter, NULL), NULL,
                                    on_avatar_prepared, g_object_ref (self));
}

static void
on_avatar_chosen (GtkNativeDialog *chooser, int response, FlintWindow *self)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL &&
      (path = g_file_get_path (file)) != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.set-avatar-file", "s", path);
  g_object_unref (chooser);
}

static void
change_avatar_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
    _ ("Choose Your Avatar"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
    _ ("_Choose"), _ ("_Cancel"));
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _ ("Pictures"));
  gtk_file_filter_add_pixbuf_formats (filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_avatar_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
remove_avatar_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);

  if (self->avatars)
    flint_avatars_set_own_async (self->avatars, NULL, NULL, on_own_avatar_set,
                                 g_object_ref (self));
}

/* ---- chat tabs ----------------------------------------------------------- */

/* Tabs hold a FlintChatPage or a FlintRoomPage: these say which, and give
 * what both have. */
static FlintChatPage *
page_chat (AdwTabPage *page)
{
  GtkWidget *child = adw_tab_page_get_child (page);
  return FLINT_IS_CHAT_PAGE (child) ? FLINT_CHAT_PAGE (child) : NULL;
}

static FlintRoomPage *
page_room (AdwTabPage *page)
{
  GtkWidget *child = adw_tab_page_get_child (page);
  return FLINT_IS_ROOM_PAGE (child) ? FLINT_ROOM_PAGE (child) : NULL;
}

static const char *
page_account (AdwTabPage *page)
{
  return page_chat (page) ? flint_chat_page_get_account (page_chat (page))
                          : flint_room_page_get_account (page_room (page));
}

static const char *
page_jid (AdwTabPage *page)
{
  return page_chat (page) ? flint_chat_page_get_jid (page_chat (page))
                          : flint_room_page_get_jid (page_room (page));
}

static const char *
page_title (AdwTabPage *page)
{
  return page_chat (page) ? flint_chat_page_get_title (page_chat (page))
                          : flint_room_page_get_title (page_room (page));
}

/* room@service/nick of a room we know: a private chat, its own tab. */
static gboolean
is_occupant (FlintWindow *self, const char *jid)
{
  g_autofree char *resource = jid ? flint_jid_resource (jid) : NULL;

  return resource && *resource && self->rooms && flint_rooms_is_room (self->rooms, jid);
}

static gboolean
same_conversation (FlintWindow *self, const char *page_jid, const char *jid)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (!is_occupant (self, page_jid) && !is_occupant (self, jid))
    return flint_jid_equal_bare (page_jid, jid);
  a = flint_jid_normalize (page_jid);
  b = flint_jid_normalize (jid);
  return g_strcmp0 (a, b) == 0;
}

static AdwTabPage *
find_page (FlintWindow *self, const char *account, const char *jid)
{
  guint n = adw_tab_view_get_n_pages (self->tab_view);

  for (guint i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, (int) i);

      if (flint_jid_equal_bare (page_account (page), account) &&
          same_conversation (self, page_jid (page), jid))
        return page;
    }
  return NULL;
}

static FlintContact *
lookup_contact (FlintWindow *self, const char *account, const char *jid)
{
  FlintRoster *roster = flint_application_get_roster (get_app (self), account);

  return roster ? flint_roster_lookup (roster, jid) : NULL;
}

char *
flint_window_get_display_name (FlintWindow *self, const char *account, const char *jid)
{
  FlintContact *contact = lookup_contact (self, account, jid);

  return contact ? g_strdup (flint_contact_get_display_name (contact)) : NULL;
}

/* The tab's icon: the contact's picture in a circle like everywhere else,
 * at twice the tab icon's size (sharp on HiDPI); no icon without one. */
#define TAB_ICON_SIZE 32

static GdkTexture *
round_icon (GdkTexture *picture)
{
  int w = gdk_texture_get_width (picture), h = gdk_texture_get_height (picture);
  int side = MIN (w, h);
  cairo_surface_t *source = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_surface_t *target =
    cairo_image_surface_create (CAIRO_FORMAT_ARGB32, TAB_ICON_SIZE, TAB_ICON_SIZE);
  cairo_t *cr = cairo_create (target);
  g_autoptr (GBytes) bytes = NULL;
  int stride;

  /* GDK_MEMORY_DEFAULT is cairo's ARGB32. */
  gdk_texture_download (picture, cairo_image_surface_get_data (source),
                        (gsize) cairo_image_surface_get_stride (source));
  cairo_surface_mark_dirty (source);
  cairo_arc (cr, TAB_ICON_SIZE / 2.0, TAB_ICON_SIZE / 2.0, TAB_ICON_SIZE / 2.0, 0,
             2 * G_PI);
  cairo_clip (cr);
  cairo_scale (cr, (double) TAB_ICON_SIZE / side, (double) TAB_ICON_SIZE / side);
  cairo_set_source_surface (cr, source, -(w - side) / 2.0, -(h - side) / 2.0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (target);
  stride = cairo_image_surface_get_stride (target);
  bytes =
    g_bytes_new (cairo_image_surface_get_data (target), (gsize) stride * TAB_ICON_SIZE);
  cairo_surface_destroy (source);
  cairo_surface_destroy (target);
  return gdk_memory_texture_new (TAB_ICON_SIZE, TAB_ICON_SIZE, GDK_MEMORY_DEFAULT, bytes,
                                 (gsize) stride);
}

static void
set_tab_icon (AdwTabPage *page, GdkPaintable *image)
{
  g_autoptr (GdkTexture) icon =
    image && GDK_IS_TEXTURE (image) ? round_icon (GDK_TEXTURE (image)) : NULL;

  adw_tab_page_set_icon (page, icon ? G_ICON (icon) : NULL);
}

static void
on_tab_image_ready (GObject *owner, const char *path, GdkPaintable *image)
{
  AdwTabPage *page = ADW_TAB_PAGE (owner);

  if (g_strcmp0 (g_object_get_data (owner, "flint-avatar-path"), path) == 0)
    {
      set_tab_icon (page, image);
    }
}

static void
update_tab_icon (FlintWindow *self, AdwTabPage *page)
{
  /* Rooms have no avatar here: their tabs keep the room icon. */
  FlintAvatars *avatars =
    page_chat (page) ? flint_application_get_avatars (get_app (self), page_account (page))
                     : NULL;
  char *path = avatars ? flint_avatars_get_path (avatars, page_jid (page)) : NULL;
  g_autoptr (GdkPaintable) image = NULL;

  if (page_room (page))
    return;

  if (g_strcmp0 (g_object_get_data (G_OBJECT (page), "flint-avatar-path"), path) == 0)
    {
      g_free (path);
      return;
    }
  g_object_set_data_full (G_OBJECT (page), "flint-avatar-path", path, g_free);
  image = flint_avatar_image_lookup (path, G_OBJECT (page), on_tab_image_ready);
  set_tab_icon (page, image);
}

/* Title with the unread count, attention and the typing indicator. */
static void
update_tab (FlintWindow *self, AdwTabPage *page)
{
  FlintChatPage *chat = page_chat (page);
  guint unread =
    flint_application_get_unread (get_app (self), page_account (page), page_jid (page));
  g_autofree char *title = NULL;
  gboolean typing = chat && flint_chat_page_get_typing (chat);

  if (unread)
    title = g_strdup_printf ("(%u) %s", unread, page_title (page));
  else
    title = g_strdup (page_title (page));
  adw_tab_page_set_title (page, title);
  if (many_accounts (self))
    {
      /* TRANSLATORS: a tab's tooltip with several accounts: the peer's
       * address, then the own account the chat is on */
      g_autofree char *tooltip =
        g_strdup_printf (_ ("%s via %s"), page_jid (page), page_account (page));

      adw_tab_page_set_tooltip (page, tooltip);
    }
  else
    adw_tab_page_set_tooltip (page, page_jid (page));
  adw_tab_page_set_needs_attention (page, unread > 0);
  update_tab_icon (self, page);
  if (typing)
    {
      g_autoptr (GIcon) icon = g_themed_icon_new ("document-edit-symbolic");
      adw_tab_page_set_indicator_icon (page, icon);
      adw_tab_page_set_indicator_tooltip (page, _ ("Typing…"));
    }
  else
    adw_tab_page_set_indicator_icon (page, NULL);
}

static void
update_header (FlintWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);
  FlintChatPage *chat = page ? page_chat (page) : NULL;
  FlintContact *contact = NULL;
  const char *subtitle = NULL;

  if (page && page_room (page))
    {
      FlintRoom *room = flint_room_page_get_room (page_room (page));
      guint n = g_list_model_get_n_items (flint_room_get_occupants (room));
      /* TRANSLATORS: the room tab's subtitle */
      g_autofree char *people =
        g_strdup_printf (ngettext ("%u participant", "%u participants", n), n);

      adw_window_title_set_title (self->chat_title, flint_room_get_name (room));
      if (many_accounts (self))
        {
          g_autofree char *via =
            g_strdup_printf (_ ("%s · via %s"), people, page_account (page));

          adw_window_title_set_subtitle (self->chat_title, via);
          return;
        }
      adw_window_title_set_subtitle (self->chat_title, people);
      return;
    }
  if (chat == NULL)
    {
      adw_window_title_set_title (self->chat_title, NULL);
      adw_window_title_set_subtitle (self->chat_title, NULL);
      return;
    }
  contact = lookup_contact (self, flint_chat_page_get_account (chat),
                            flint_chat_page_get_jid (chat));
  if (flint_chat_page_get_typing (chat))
    subtitle = _ ("typing…");
  else if (contact)
    subtitle = flint_contact_get_status (contact) && *flint_contact_get_status (contact)
                 ? flint_contact_get_status (contact)
                 : flint_presence_label (flint_contact_get_presence (contact));
  adw_window_title_set_title (self->chat_title, flint_chat_page_get_title (chat));
  if (many_accounts (self))
    {
      /* TRANSLATORS: the chat header's subtitle with several accounts: the
       * contact's status, then the own account the chat is on */
      g_autofree char *via =
        subtitle ? g_strdup_printf (_ ("%s · via %s"), subtitle,
                                    flint_chat_page_get_account (chat))
                 /* TRANSLATORS: %s is the own account a chat is on */
                 : g_strdup_printf (_ ("via %s"), flint_chat_page_get_account (chat));

      adw_window_title_set_subtitle (self->chat_title, via);
      return;
    }
  adw_window_title_set_subtitle (self->chat_title, subtitle);
}

static void
update_title (FlintWindow *self)
{
  guint total = flint_application_get_total_unread (get_app (self));
  g_autofree char *title = NULL;

  if (total)
    /* TRANSLATORS: the window title with the number of unread messages */
    title = g_strdup_printf (_ ("(%u) Flint"), total);
  gtk_window_set_title (GTK_WINDOW (self), title ? title : _ ("Flint"));
}

static gboolean
content_visible (FlintWindow *self)
{
  return !adw_leaflet_get_folded (self->leaflet) ||
         adw_leaflet_get_visible_child (self->leaflet) == self->content;
}

gboolean
flint_window_is_showing_chat (FlintWindow *self, const char *account, const char *jid)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  return page && gtk_window_is_active (GTK_WINDOW (self)) && content_visible (self) &&
         flint_jid_equal_bare (page_account (page), account) &&
         same_conversation (self, page_jid (page), jid);
}

gboolean
flint_window_has_chat (FlintWindow *self, const char *account, const char *jid)
{
  return find_page (self, account, jid) != NULL;
}

/* The selected tab of the focused window is read as it arrives. */
static void
update_active (FlintWindow *self)
{
  AdwTabPage *selected = adw_tab_view_get_selected_page (self->tab_view);
  gboolean seen = gtk_window_is_active (GTK_WINDOW (self)) && content_visible (self);
  guint n = adw_tab_view_get_n_pages (self->tab_view);

  for (guint i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, (int) i);
      FlintChatPage *chat = page_chat (page);
      gboolean active = seen && page == selected;

      if (chat == NULL)
        {
          flint_room_page_set_active (page_room (page), active);
          if (active)
            flint_application_mark_read (get_app (self), page_account (page),
                                         page_jid (page));
          continue;
        }
      flint_chat_page_set_active (chat, active);
      if (active)
        flint_chat_page_mark_unread (
          chat, flint_application_get_unread (get_app (self),
                                              flint_chat_page_get_account (chat),
                                              flint_chat_page_get_jid (chat)));
      if (active)
        flint_application_mark_read (get_app (self), flint_chat_page_get_account (chat),
                                     flint_chat_page_get_jid (chat));
    }
}

/* The tabs of every window come back, in one window, at the next start. */
static void
save_tabs (FlintWindow *self)
{
  GVariantBuilder builder;
  g_autoptr (GList) windows = NULL;

  if (self->restoring)
    return;
  /* Oldest window first: the list is in focus order, newest first. */
  windows = g_list_reverse (
    g_list_copy (gtk_application_get_windows (GTK_APPLICATION (get_app (self)))));
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ss)"));
  for (GList *l = windows; l; l = l->next)
    {
      FlintWindow *window = l->data;

      if (!FLINT_IS_WINDOW (window) || window->tab_view == NULL)
        continue;
      for (int i = 0; i < adw_tab_view_get_n_pages (window->tab_view); i++)
        {
          FlintChatPage *chat =
            page_chat (adw_tab_view_get_nth_page (window->tab_view, i));

          /* Rooms come back from their bookmarks, joined. */
          if (chat == NULL)
            continue;

          g_variant_builder_add (&builder, "(ss)", flint_chat_page_get_account (chat),
                                 flint_chat_page_get_jid (chat));
        }
    }
  g_settings_set_value (self->settings, "open-chats", g_variant_builder_end (&builder));
}

static void
on_chat_notify (GtkWidget *chat, GParamSpec *pspec, FlintWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_page (self->tab_view, GTK_WIDGET (chat));

  if (page == NULL)
    return;
  update_tab (self, page);
  if (page == adw_tab_view_get_selected_page (self->tab_view))
    update_header (self);
}

static gboolean
focus_selected_composer (gpointer user_data)
{
  FlintWindow *self = user_data;
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page && page_chat (page))
    flint_chat_page_focus_composer (page_chat (page));
  else if (page)
    flint_room_page_focus_composer (page_room (page));
  return G_SOURCE_REMOVE;
}

static void
on_page_attached (AdwTabView *view, AdwTabPage *page, int position, FlintWindow *self)
{
  GtkWidget *chat = adw_tab_page_get_child (page);

  g_signal_connect_object (chat, "notify::title", G_CALLBACK (on_chat_notify), self, 0);
  if (page_chat (page))
    g_signal_connect_object (chat, "notify::typing", G_CALLBACK (on_chat_notify), self,
                             0);
  else
    g_signal_connect_object (
      flint_room_get_occupants (flint_room_page_get_room (page_room (page))),
      "items-changed", G_CALLBACK (update_header), self, G_CONNECT_SWAPPED);
  update_tab (self, page);
  update_content (self);
  save_tabs (self);
  /* A tab dragged or moved to a new window: typing goes on in it, once
   * the page is selected there and the window shown. */
  if (self->focus_moved_tab)
    {
      self->focus_moved_tab = FALSE;
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, focus_selected_composer,
                       g_object_ref (self), g_object_unref);
    }
}

static void
on_page_detached (AdwTabView *view, AdwTabPage *page, int position, FlintWindow *self)
{
  FlintChatPage *chat = page_chat (page);
  FlintRoomPage *room = page_room (page);

  g_signal_handlers_disconnect_by_data (adw_tab_page_get_child (page), self);
  if (chat)
    flint_chat_page_set_active (chat, FALSE);
  else
    {
      FlintRoom *r = flint_room_page_get_room (room);

      g_signal_handlers_disconnect_by_data (flint_room_get_occupants (r), self);
      flint_room_page_set_active (room, FALSE);
    }
  update_content (self);
  save_tabs (self);
  update_header (self);
}

/* Closing a room's tab leaves the room; moving it to another window does
 * not. The default handler then closes the page. */
static gboolean
on_close_page (AdwTabView *view, AdwTabPage *page, FlintWindow *self)
{
  FlintRoomPage *room = page_room (page);
  FlintRooms *rooms =
    room ? flint_application_get_rooms (get_app (self), page_account (page)) : NULL;

  if (rooms)
    flint_rooms_leave (rooms, flint_room_page_get_jid (room));
  return GDK_EVENT_PROPAGATE;
}

static void
on_selected_page (AdwTabView *view, GParamSpec *pspec, FlintWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (view);
  gboolean chat = page && page_chat (page);

  update_header (self);
  update_active (self);
  /* Rooms export their transcript too; clearing is for one-to-one chats
   * (a room's history comes back from the room). */
  gtk_widget_set_visible (self->conversation_menu_button, page != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-transcript",
                                 page != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print-transcript", page != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-history", chat);
}

static AdwTabView *
on_create_window (AdwTabView *view, FlintWindow *self)
{
  FlintWindow *window = flint_window_new (get_app (self));

  window->focus_moved_tab = TRUE;
  gtk_window_present (GTK_WINDOW (window));
  return window->tab_view;
}

static gboolean
forget_menu_page (gpointer user_data)
{
  FlintWindow *self = user_data;

  self->menu_page = NULL;
  self->menu_idle = 0;
  return G_SOURCE_REMOVE;
}

static void
on_setup_menu (AdwTabView *view, AdwTabPage *page, FlintWindow *self)
{
  g_clear_handle_id (&self->menu_idle, g_source_remove);
  /* NULL when the menu closes, which may be just before its item's action
   * runs: forget the page only once that is done. */
  if (page)
    self->menu_page = page;
  else
    self->menu_idle = g_idle_add (forget_menu_page, self);
}

/* The tab whose context menu is open, else the selected one. */
static AdwTabPage *
action_page (FlintWindow *self)
{
  return self->menu_page ? self->menu_page
                         : adw_tab_view_get_selected_page (self->tab_view);
}

static void
move_tab_to_new_window_activated (GtkWidget *widget,
                                  const char *action_name,
                                  GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  AdwTabPage *page = action_page (self);
  FlintWindow *window;

  if (page == NULL)
    return;
  window = flint_window_new (get_app (self));
  window->focus_moved_tab = TRUE;
  adw_tab_view_transfer_page (self->tab_view, page, window->tab_view, 0);
  gtk_window_present (GTK_WINDOW (window));
}

static void
bind_title (FlintWindow *self, FlintChatPage *chat)
{
  FlintContact *contact = lookup_contact (self, flint_chat_page_get_account (chat),
                                          flint_chat_page_get_jid (chat));

  if (contact == NULL || g_object_get_data (G_OBJECT (chat), "flint-title-contact"))
    return;
  g_object_bind_property (contact, "display-name", chat, "title", G_BINDING_SYNC_CREATE);
  g_object_set_data_full (G_OBJECT (chat), "flint-title-contact", g_object_ref (contact),
                          g_object_unref);
}

/* Tabs restored at start are opened before the roster arrives: they take
 * their contact's name once it is there. */
static void
bind_titles (FlintWindow *self)
{
  guint n = adw_tab_view_get_n_pages (self->tab_view);

  for (guint i = 0; i < n; i++)
    {
      FlintChatPage *chat =
        page_chat (adw_tab_view_get_nth_page (self->tab_view, (int) i));

      if (chat)
        bind_title (self, chat);
    }
}

static void
on_contacts_changed (
  GListModel *contacts, guint position, guint removed, guint added, FlintWindow *self)
{
  if (added)
    bind_titles (self);
}

void
flint_window_open_chat (FlintWindow *self,
                        const char *account,
                        const char *jid,
                        gboolean select)
{
  FlintApplication *app = get_app (self);
  AdwTabPage *page = find_page (self, account, jid);
  FlintConversation *conversation;
  FlintChat *chat;
  FlintChatPage *chat_page;

  if (page == NULL)
    {
      g_autofree char *bare =
        is_occupant (self, jid) ? flint_jid_normalize (jid) : flint_jid_bare (jid);

      conversation = flint_application_get_conversation (app, account, bare);
      chat = flint_application_get_chat (app, account);
      if (conversation == NULL || chat == NULL)
        {
          flint_window_add_toast (self, flint_error_describe (FLINT_ERROR_DATABASE));
          return;
        }
      chat_page = flint_chat_page_new (chat, conversation);
      bind_title (self, chat_page);
      if (is_occupant (self, jid))
        {
          g_autofree char *nick = flint_jid_resource (jid);
          FlintRoom *room = flint_rooms_get_room (self->rooms, jid);
          /* TRANSLATORS: a private chat's title: nick (room name) */
          g_autofree char *title =
            g_strdup_printf (_ ("%s (%s)"), nick, flint_room_get_name (room));

          flint_chat_page_set_title (chat_page, title);
        }
      page = adw_tab_view_append (self->tab_view, GTK_WIDGET (chat_page));
    }
  if (select)
    {
      adw_tab_view_set_selected_page (self->tab_view, page);
      adw_leaflet_set_visible_child (self->leaflet, self->content);
      /* Opening a chat is reading it, focused window or not. */
      if (page_chat (page))
        flint_chat_page_mark_unread (page_chat (page),
                                     flint_application_get_unread (app, account, jid));
      flint_application_mark_read (app, account, jid);
      if (page_chat (page))
        flint_chat_page_focus_composer (page_chat (page));
      else
        flint_room_page_focus_composer (page_room (page));
    }
}

/* Opens (or finds) the tab of a room, on the room's account. */
void
flint_window_open_room (FlintWindow *self, FlintRoom *room, gboolean select)
{
  FlintApplication *app = get_app (self);
  const char *account =
    flint_account_get_jid (flint_session_get_account (flint_room_get_session (room)));
  AdwTabPage *page;

  if (account == NULL)
    return;
  page = find_page (self, account, flint_room_get_jid (room));
  if (page == NULL)
    {
      FlintConversation *conversation =
        flint_application_get_conversation (app, account, flint_room_get_jid (room));

      if (conversation == NULL)
        {
          flint_window_add_toast (self, flint_error_describe (FLINT_ERROR_DATABASE));
          return;
        }
      /* The shared conversation hears the room once, whatever the tabs. */
      if (g_object_get_data (G_OBJECT (conversation), "flint-room") != room)
        {
          flint_conversation_add_source (conversation, G_OBJECT (room));
          g_object_set_data_full (G_OBJECT (conversation), "flint-room",
                                  g_object_ref (room), g_object_unref);
        }
      page = adw_tab_view_append (self->tab_view,
                                  GTK_WIDGET (flint_room_page_new (room, conversation)));
      {
        g_autoptr (GIcon) icon = g_themed_icon_new ("system-users-symbolic");
        adw_tab_page_set_icon (page, icon);
      }
    }
  if (select)
    {
      adw_tab_view_set_selected_page (self->tab_view, page);
      adw_leaflet_set_visible_child (self->leaflet, self->content);
      flint_application_mark_read (app, account, flint_room_get_jid (room));
      flint_room_page_focus_composer (page_room (page));
    }
}

/* A room joined anywhere (bookmark autojoin, the join dialog) gets a tab. */
static void
on_rooms_changed (
  GListModel *rooms, guint position, guint removed, guint added, FlintWindow *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (FlintRoom) room = g_list_model_get_item (rooms, i);
      flint_window_open_room (self, room, FALSE);
    }
}

static void
on_room_activated (FlintWindow *self, const char *jid, const char *account)
{
  FlintApplication *app = get_app (self);
  FlintRooms *rooms;
  FlintBookmarks *bookmarks;
  FlintBookmark *b;
  FlintRoom *room;
  g_autofree char *nick = NULL;
  g_autoptr (GError) error = NULL;

  if (self->session == NULL)
    return;
  if (account == NULL)
    account = flint_account_get_jid (flint_session_get_account (self->session));
  rooms = flint_application_get_rooms (app, account);
  if (rooms == NULL)
    return;
  room = flint_rooms_get_room (rooms, jid);
  if (room == NULL || flint_room_get_state (room) == FLINT_ROOM_LEFT)
    {
      bookmarks = flint_application_get_bookmarks (app, account);
      b = bookmarks ? flint_bookmarks_find (bookmarks, jid) : NULL;
      nick = b && flint_bookmark_get_nick (b) ? g_strdup (flint_bookmark_get_nick (b))
             : room                           ? g_strdup (flint_room_get_nick (room))
                                              : flint_jid_node (account);
      room = flint_rooms_join (rooms, jid, nick,
                               b ? flint_bookmark_get_password (b) : NULL, &error);
      if (room == NULL)
        {
          flint_window_add_toast (self, error->message);
          return;
        }
      if (b)
        flint_room_set_name (room, flint_bookmark_get_name (b));
    }
  flint_window_open_room (self, room, TRUE);
}

static guint
room_unread (const char *account, const char *jid, gpointer user_data)
{
  FlintWindow *self = user_data;

  if (account)
    return flint_application_get_unread (get_app (self), account, jid);
  if (self->session == NULL)
    return 0;
  return flint_application_get_unread (
    get_app (self), flint_account_get_jid (flint_session_get_account (self->session)),
    jid);
}

static void
on_contact_activated (FlintWindow *self, const char *jid, const char *account)
{
  if (account)
    flint_window_open_chat (self, account, jid, TRUE);
  else if (self->session)
    flint_window_open_chat (
      self, flint_account_get_jid (flint_session_get_account (self->session)), jid, TRUE);
}

static void
restore_tabs (FlintWindow *self)
{
  g_autoptr (GVariant) tabs = g_settings_get_value (self->settings, "open-chats");
  GVariantIter iter;
  const char *account, *jid;

  self->restoring = TRUE;
  g_variant_iter_init (&iter, tabs);
  while (g_variant_iter_next (&iter, "(&s&s)", &account, &jid))
    if (flint_application_get_session (get_app (self), account))
      flint_window_open_chat (self, account, jid, FALSE);
  self->restoring = FALSE;
}

/* ---- unread ------------------------------------------------------------- */

static void
on_unread_changed (FlintApplication *app,
                   const char *account,
                   const char *jid,
                   FlintWindow *self)
{
  AdwTabPage *page = find_page (self, account, jid);
  FlintContact *contact = lookup_contact (self, account, jid);

  if (page)
    update_tab (self, page);
  flint_room_list_refresh (self->room_list);
  if (contact)
    flint_contact_set_unread (contact, flint_application_get_unread (app, account, jid));
  update_title (self);
}

/* ---- session binding ---------------------------------------------------- */

static void
on_session_changed (FlintSession *session, GParamSpec *pspec, FlintWindow *self)
{
  update (self);
}

/* Contacts come with the roster, possibly after their messages. */
static void
on_roster_loaded (FlintRoster *roster, GParamSpec *pspec, FlintWindow *self)
{
  GListModel *contacts = flint_roster_get_contacts (roster);
  const char *account =
    flint_account_get_jid (flint_session_get_account (flint_roster_get_session (roster)));

  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr (FlintContact) contact = g_list_model_get_item (contacts, i);

      flint_contact_set_unread (
        contact, flint_application_get_unread (get_app (self), account,
                                               flint_contact_get_jid (contact)));
    }
}

static void
on_subscription_request (FlintRoster *roster,
                         const char *jid,
                         const char *nick,
                         FlintWindow *self)
{
  g_autofree char *text = NULL;

  /* TRANSLATORS: %s is a chat address; the request is shown above the contacts */
  text = g_strdup_printf (_ ("%s wants to see your status"), nick && *nick ? nick : jid);
  flint_window_add_toast (self, text);
}

static FlintJoinDialog *
join_room_with (FlintWindow *self, const char *jid, gboolean create);
static FlintJoinDialog *
join_room_as (FlintWindow *self, const char *account, const char *jid, gboolean create);

/* The account whose rooms these are. */
static const char *
rooms_account (FlintWindow *self, FlintRooms *rooms)
{
  GListModel *accounts =
    flint_account_store_get_model (flint_application_get_accounts (get_app (self)));

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (FlintAccount) account = g_list_model_get_item (accounts, i);

      if (flint_application_get_rooms (get_app (self), flint_account_get_jid (account)) ==
          rooms)
        return flint_account_get_jid (account);
    }
  return NULL;
}

/* An invitation to a room: Join opens the join dialog with the room filled
 * in; Decline tells a mediated inviter (XEP-0249 has no decline). */
static void
on_invitation_response (AdwMessageDialog *dialog, const char *response, FlintWindow *self)
{
  const char *room = g_object_get_data (G_OBJECT (dialog), "room");
  const char *inviter = g_object_get_data (G_OBJECT (dialog), "inviter");
  const char *password = g_object_get_data (G_OBJECT (dialog), "password");
  gboolean mediated = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "mediated"));

  const char *account = g_object_get_data (G_OBJECT (dialog), "account");
  FlintRooms *rooms = flint_application_get_rooms (get_app (self), account);

  if (g_str_equal (response, "join"))
    {
      FlintJoinDialog *join = join_room_as (self, account, room, FALSE);

      /* The invitation carries the password of a protected room. */
      if (join && password)
        flint_join_dialog_set_password (join, password);
    }
  else if (rooms)
    flint_rooms_decline (rooms, room, inviter, NULL, mediated);
}

static void
on_invitation (FlintRooms *rooms,
               const char *room,
               const char *inviter,
               const char *reason,
               const char *password,
               gboolean mediated,
               FlintWindow *self)
{
  g_autofree char *body = NULL;
  g_autofree char *who = NULL;
  g_autofree char *room_nick = flint_jid_resource (inviter);
  GtkWidget *dialog;
  FlintContact *contact = NULL;
  const char *account = rooms_account (self, rooms);
  FlintRoster *roster =
    account ? flint_application_get_roster (get_app (self), account) : self->roster;

  /* By name when we know them; an occupant JID by its nick. */
  if (roster)
    contact = flint_roster_lookup (roster, inviter);
  if (contact && flint_contact_get_name (contact) && *flint_contact_get_name (contact))
    who = g_strdup (flint_contact_get_name (contact));
  else if (room_nick && *room_nick)
    who = g_strdup (room_nick);
  else
    who = g_strdup (inviter);
  if (reason)
    /* TRANSLATORS: who invites, the room, and their message */
    body = g_strdup_printf (_ ("%s invites you to join %s: “%s”"), who, room, reason);
  else
    body = g_strdup_printf (_ ("%s invites you to join %s."), who, room);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("Room Invitation"), body);
  gtk_window_set_title (GTK_WINDOW (dialog), _ ("Room Invitation"));
  gtk_window_set_modal (GTK_WINDOW (dialog), FALSE);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "decline",
                                    _ ("_Decline"), "join", _ ("_Join…"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "join",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "join");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "decline");
  g_object_set_data_full (G_OBJECT (dialog), "room", g_strdup (room), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "inviter", g_strdup (inviter), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "password", g_strdup (password), g_free);
  g_object_set_data (G_OBJECT (dialog), "mediated", GINT_TO_POINTER (mediated));
  /* The invitation came to this account: joining or declining is its. */
  g_object_set_data_full (G_OBJECT (dialog), "account", g_strdup (account), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_invitation_response), self,
                           0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_own_image_ready (GObject *owner, const char *path, GdkPaintable *image)
{
  FlintWindow *self = FLINT_WINDOW (owner);
  g_autofree char *current =
    self->avatars ? flint_avatars_get_own_path (self->avatars) : NULL;

  if (g_strcmp0 (current, path) == 0)
    adw_avatar_set_custom_image (self->own_avatar, image);
}

static void
update_own_avatar (FlintWindow *self)
{
  g_autofree char *path =
    self->avatars ? flint_avatars_get_own_path (self->avatars) : NULL;
  g_autoptr (GdkPaintable) image =
    flint_avatar_image_lookup (path, G_OBJECT (self), on_own_image_ready);

  adw_avatar_set_custom_image (self->own_avatar, image);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-avatar", path != NULL);
}

static void
on_avatar_changed (FlintAvatars *avatars, const char *jid, FlintWindow *self)
{
  const char *account = flint_account_get_jid (flint_session_get_account (self->session));
  AdwTabPage *page = find_page (self, account, jid);

  if (flint_jid_equal_bare (jid, account))
    update_own_avatar (self);
  if (page)
    update_tab (self, page);
}

static gboolean
account_shown (FlintWindow *self, const char *account)
{
  for (guint i = 0; self->rosters && i < self->rosters->len; i++)
    if (flint_jid_equal_bare (
          flint_account_get_jid (flint_session_get_account (
            flint_roster_get_session (g_ptr_array_index (self->rosters, i)))),
          account))
      return TRUE;
  return FALSE;
}

static void sync_accounts (FlintWindow *self);

static void
drop_rosters (FlintWindow *self)
{
  for (guint i = 0; self->rosters && i < self->rosters->len; i++)
    {
      FlintRoster *old = g_ptr_array_index (self->rosters, i);

      g_signal_handlers_disconnect_by_data (old, self);
      g_signal_handlers_disconnect_by_data (flint_roster_get_contacts (old), self);
    }
  g_clear_pointer (&self->rosters, g_ptr_array_unref);
  for (guint i = 0; self->all_rooms && i < self->all_rooms->len; i++)
    {
      FlintRooms *rooms = g_ptr_array_index (self->all_rooms, i);

      g_signal_handlers_disconnect_by_data (flint_rooms_get_rooms (rooms), self);
      g_signal_handlers_disconnect_by_data (rooms, self);
    }
  g_clear_pointer (&self->all_rooms, g_ptr_array_unref);
  for (guint i = 0; self->other_sessions && i < self->other_sessions->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->other_sessions, i),
                                          on_other_certificate_failed, self);
  g_clear_pointer (&self->other_sessions, g_ptr_array_unref);
}

static void
on_account_enabled (FlintAccount *account, GParamSpec *pspec, FlintWindow *self)
{
  sync_accounts (self);
}

static void
on_accounts_changed (
  GListModel *accounts, guint position, guint removed, guint added, FlintWindow *self)
{
  sync_accounts (self);
}

/* The roster pane shows every enabled account that has a session; tabs of
 * an account that was disabled or removed close (its history stays). */
static void
sync_accounts (FlintWindow *self)
{
  FlintApplication *app = get_app (self);
  GListModel *accounts;
  g_autoptr (GPtrArray) rosters = g_ptr_array_new_with_free_func (g_object_unref);
  FlintSession *first = NULL;

  if (app == NULL)
    return;
  accounts = flint_account_store_get_model (flint_application_get_accounts (app));
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (FlintAccount) account = g_list_model_get_item (accounts, i);
      const char *jid = flint_account_get_jid (account);
      FlintSession *session = flint_application_get_session (app, jid);
      FlintRoster *roster = flint_application_get_roster (app, jid);

      g_signal_handlers_disconnect_by_func (account, on_account_enabled, self);
      g_signal_connect_object (account, "notify::enabled",
                               G_CALLBACK (on_account_enabled), self, 0);
      if (!flint_account_get_enabled (account) || session == NULL || roster == NULL)
        continue;
      if (first == NULL)
        first = session;
      g_ptr_array_add (rosters, g_object_ref (roster));
    }

  drop_rosters (self);
  self->rosters = g_ptr_array_ref (rosters);
  /* The other accounts' certificate questions come here too. */
  self->other_sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rosters->len; i++)
    {
      FlintSession *session = flint_roster_get_session (g_ptr_array_index (rosters, i));

      if (session == self->session)
        continue;
      g_ptr_array_add (self->other_sessions, g_object_ref (session));
      g_signal_connect (session, "certificate-failed",
                        G_CALLBACK (on_other_certificate_failed), self);
    }
  /* Rooms joined on any account get a tab. */
  self->all_rooms = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rosters->len; i++)
    {
      const char *account = flint_account_get_jid (flint_session_get_account (
        flint_roster_get_session (g_ptr_array_index (rosters, i))));
      FlintRooms *rooms = flint_application_get_rooms (app, account);
      GListModel *list;

      if (rooms == NULL)
        continue;
      list = flint_rooms_get_rooms (rooms);
      g_ptr_array_add (self->all_rooms, g_object_ref (rooms));
      g_signal_connect (list, "items-changed", G_CALLBACK (on_rooms_changed), self);
      g_signal_connect (rooms, "invitation", G_CALLBACK (on_invitation), self);
      on_rooms_changed (list, 0, 0, g_list_model_get_n_items (list), self);
    }
  for (guint i = 0; i < rosters->len; i++)
    {
      FlintRoster *roster = g_ptr_array_index (rosters, i);

      g_signal_connect (roster, "subscription-request",
                        G_CALLBACK (on_subscription_request), self);
      g_signal_connect (roster, "notify::loaded", G_CALLBACK (on_roster_loaded), self);
      g_signal_connect (flint_roster_get_contacts (roster), "items-changed",
                        G_CALLBACK (on_contacts_changed), self);
    }
  flint_roster_view_set_rosters (self->roster_view, (FlintRoster **) rosters->pdata,
                                 rosters->len);
  flint_room_list_set_models (self->room_list, NULL, NULL);
  for (guint i = 0; i < rosters->len; i++)
    {
      const char *account = flint_account_get_jid (flint_session_get_account (
        flint_roster_get_session (g_ptr_array_index (rosters, i))));

      flint_room_list_add_models (self->room_list, account,
                                  flint_application_get_rooms (app, account),
                                  flint_application_get_bookmarks (app, account));
    }

  /* Tabs of accounts no longer shown close, newest first. */
  for (int i = adw_tab_view_get_n_pages (self->tab_view) - 1; i >= 0; i--)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);

      if (!account_shown (self, page_account (page)))
        adw_tab_view_close_page (self->tab_view, page);
    }
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    update_tab (self, adw_tab_view_get_nth_page (self->tab_view, i));
  update_header (self);
  update_own_tooltip (self);

  update (self);
  /* The window's own account went away: another enabled one takes over. */
  if (first && self->session &&
      !account_shown (self,
                      flint_account_get_jid (flint_session_get_account (self->session))))
    flint_window_set_session (self, first);
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
  g_clear_object (&self->roster);
  if (self->avatars)
    {
      g_signal_handlers_disconnect_by_data (self->avatars, self);
      g_clear_object (&self->avatars);
    }
  g_clear_object (&self->rooms);
  flint_room_list_set_models (self->room_list, NULL, NULL);
  if (session)
    {
      const char *jid = flint_account_get_jid (flint_session_get_account (session));

      self->session = g_object_ref (session);
      self->state_handler = g_signal_connect (session, "notify::state",
                                              G_CALLBACK (on_session_changed), self);
      self->error_handler = g_signal_connect (session, "notify::error",
                                              G_CALLBACK (on_session_changed), self);
      self->cert_handler = g_signal_connect (session, "certificate-failed",
                                             G_CALLBACK (on_certificate_failed), self);
      self->roster = flint_application_get_roster (get_app (self), jid);
      if (self->roster)
        g_object_ref (self->roster);
      self->avatars = flint_application_get_avatars (get_app (self), jid);
      if (self->avatars)
        {
          g_object_ref (self->avatars);
          g_signal_connect (self->avatars, "avatar-changed",
                            G_CALLBACK (on_avatar_changed), self);
        }
      adw_avatar_set_text (self->own_avatar, jid);
      apply_presence (self);
      self->rooms = flint_application_get_rooms (get_app (self), jid);
      /* Its rooms' signals are followed with every account's (sync_accounts). */
      if (self->rooms)
        g_object_ref (self->rooms);
      flint_room_list_set_models (self->room_list, self->rooms,
                                  flint_application_get_bookmarks (get_app (self), jid));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.join-room",
                                     self->rooms != NULL);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.create-room",
                                     self->rooms != NULL);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.browse-rooms",
                                     self->rooms != NULL);
    }
  update_own_avatar (self);
  if (session)
    sync_accounts (self);
  else
    {
      drop_rosters (self);
      flint_roster_view_set_roster (self->roster_view, NULL);
    }
  update (self);
}

FlintSession *
flint_window_get_session (FlintWindow *self)
{
  return self->session;
}

const char *
flint_window_get_current_account (FlintWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page)
    return page_account (page);
  return self->session ? flint_account_get_jid (flint_session_get_account (self->session))
                       : NULL;
}

static void
on_session_added (FlintApplication *app, FlintSession *session, FlintWindow *self)
{
  if (self->session == NULL)
    flint_window_set_session (self, session);
  else
    sync_accounts (self);
}

/* An account was removed: the window lets go of its session and objects
 * (sync_accounts, run as the account left the store, dropped the rest). */
static void
on_session_removed (FlintApplication *app, FlintSession *session, FlintWindow *self)
{
  if (self->session == session)
    flint_window_set_session (self, flint_application_get_main_session (app));
  else
    sync_accounts (self);
  update_title (self);
}

/* The history migrated at start-up is ready and the accounts have
 * started: what flint_window_new() could not do yet. */
static void
on_history_ready (FlintApplication *app, FlintWindow *self)
{
  FlintHistory *history = flint_application_get_history (app);
  const GError *problem = history ? flint_history_get_recovery_error (history) : NULL;

  if (problem)
    flint_window_add_toast (self, problem->message);
  else if (history == NULL)
    flint_window_add_toast (self, flint_error_describe (FLINT_ERROR_DATABASE));
  if (self->session == NULL)
    flint_window_set_session (self, flint_application_get_main_session (app));
  /* Also when there is no account: set_session() did nothing then. */
  update (self);
  /* The first window, as in flint_window_new(). */
  if (g_list_last (gtk_application_get_windows (GTK_APPLICATION (app)))->data == self)
    restore_tabs (self);
}

void
flint_window_add_toast (FlintWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

/* A one-line summary for tests and the accessibility tree alike:
 * "page|title|description". */
char *
flint_window_describe_state (FlintWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (page, "chat") == 0)
    return g_strdup_printf ("chat|%s|%s",
                            adw_window_title_get_title (self->chat_title) ?: "",
                            adw_window_title_get_subtitle (self->chat_title) ?: "");
  GtkWidget *shown = gtk_stack_get_visible_child (self->stack);
  AdwStatusPage *status =
    ADW_IS_STATUS_PAGE (shown) ? ADW_STATUS_PAGE (shown) : self->status_page;

  return g_strdup_printf ("%s|%s|%s", page, adw_status_page_get_title (status) ?: "",
                          adw_status_page_get_description (status) ?: "");
}

/* The addresses of the window's tabs, in order, as a JSON array. */
void
flint_window_describe_tabs (FlintWindow *self, GString *out)
{
  g_string_append (out, "[");
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      if (i)
        g_string_append (out, ", ");
      flint_json_append_string (out,
                                page_jid (adw_tab_view_get_nth_page (self->tab_view, i)));
    }
  g_string_append (out, "]");
}

/* For tests: whether a tab icon really shows something in its middle
 * (an icon drawn wrong is transparent). */
static gboolean
icon_has_picture (GIcon *icon)
{
  g_autofree guchar *pixels = NULL;
  int w, h;

  if (icon == NULL || !GDK_IS_TEXTURE (icon))
    return FALSE;
  w = gdk_texture_get_width (GDK_TEXTURE (icon));
  h = gdk_texture_get_height (GDK_TEXTURE (icon));
  pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (GDK_TEXTURE (icon), pixels, (gsize) w * 4);
  /* ARGB32 in native byte order: alpha is the last byte here. */
  return pixels[((h / 2) * w + w / 2) * 4 + 3] != 0;
}

/* Widgets in list rows with a fixed tooltip text: setting one asks the X
 * server where the pointer is, a round trip for every row bound, so rows
 * answer query-tooltip instead. Tests keep the count at zero. */
static guint
count_row_tooltips (GtkWidget *widget, gboolean in_list)
{
  guint n = 0;

  in_list = in_list || GTK_IS_LIST_VIEW (widget) || GTK_IS_GRID_VIEW (widget);
  if (in_list && gtk_widget_get_tooltip_text (widget) != NULL)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    n += count_row_tooltips (child, in_list);
  return n;
}

/* More of the window for tests, as JSON members after the summary. */
void
flint_window_describe_json (FlintWindow *self, GString *out)
{
  AdwTabPage *selected = adw_tab_view_get_selected_page (self->tab_view);
  guint n = adw_tab_view_get_n_pages (self->tab_view);
  g_autofree char *roster = flint_roster_view_describe (self->roster_view);

  g_string_append (out, ", \"title\": ");
  flint_json_append_string (out, gtk_window_get_title (GTK_WINDOW (self)));
  g_string_append_printf (
    out, ", \"connection_bar\": %s",
    gtk_revealer_get_reveal_child (self->connection_revealer) ? "true" : "false");
  g_string_append (out, ", \"chat_subtitle\": ");
  flint_json_append_string (out, adw_window_title_get_subtitle (self->chat_title));
  g_string_append (out, ", \"last_toast\": ");
  flint_json_append_string (out, self->last_toast);
  g_string_append_printf (out, ", \"row_tooltips\": %u",
                          count_row_tooltips (GTK_WIDGET (self), FALSE));
  g_string_append_printf (out, ", \"active\": %s, \"folded\": %s, \"tabs\": [",
                          gtk_window_is_active (GTK_WINDOW (self)) ? "true" : "false",
                          adw_leaflet_get_folded (self->leaflet) ? "true" : "false");
  for (guint i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, (int) i);
      FlintChatPage *chat = page_chat (page);

      if (chat == NULL)
        {
          FlintRoomPage *room = page_room (page);

          g_string_append_printf (out, "%s{\"jid\": ", i ? ", " : "");
          flint_json_append_string (out, flint_room_page_get_jid (room));
          g_string_append (out, ", \"account\": ");
          flint_json_append_string (out, flint_room_page_get_account (room));
          g_string_append (out, ", \"title\": ");
          flint_json_append_string (out, adw_tab_page_get_title (page));
          {
            g_autofree char *menu = flint_room_page_describe_menu (room);

            g_string_append (out, ", \"menu\": ");
            flint_json_append_string (out, menu);
            g_string_append_printf (out,
                                    ", \"occupants_painted_at_us\": %" G_GINT64_FORMAT,
                                    flint_room_page_get_occupants_painted (room));
            g_string_append_printf (
              out, ", \"subject_editable\": %s",
              flint_room_page_get_subject_editable (room) ? "true" : "false");
          }
          g_string_append_printf (
            out,
            ", \"room\": true, \"selected\": %s, \"attention\": %s, \"messages\": %u}",
            page == selected ? "true" : "false",
            adw_tab_page_get_needs_attention (page) ? "true" : "false",
            g_list_model_get_n_items (
              G_LIST_MODEL (flint_room_page_get_conversation (room))));
          continue;
        }
      g_string_append_printf (out, "%s{\"jid\": ", i ? ", " : "");
      flint_json_append_string (out, flint_chat_page_get_jid (chat));
      g_string_append (out, ", \"account\": ");
      flint_json_append_string (out, flint_chat_page_get_account (chat));
      g_string_append (out, ", \"tooltip\": ");
      flint_json_append_string (out, adw_tab_page_get_tooltip (page));
      g_string_append (out, ", \"title\": ");
      flint_json_append_string (out, adw_tab_page_get_title (page));
      {
        const char *path = g_object_get_data (G_OBJECT (page), "flint-avatar-path");
        g_autofree char *avatar = path && icon_has_picture (adw_tab_page_get_icon (page))
                                    ? g_path_get_basename (path)
                                    : NULL;

        g_string_append (out, ", \"avatar\": ");
        flint_json_append_string (out, avatar);
      }
      g_string_append (out, ", \"language\": ");
      flint_json_append_string (out, flint_chat_page_get_language (chat));
      {
        g_autofree char *misspelled = flint_chat_page_describe_misspelled (chat);

        g_string_append (out, ", \"misspelled\": ");
        flint_json_append_string (out, misspelled);
      }
      {
        g_autofree char *draft = flint_chat_page_get_draft (chat);

        g_string_append (out, ", \"draft\": ");
        flint_json_append_string (out, draft);
        g_string_append (out, ", \"correcting\": ");
        flint_json_append_string (out, flint_chat_page_get_correction_id (chat));
      }
      {
        g_autofree char *inline_transfers = flint_chat_page_describe_transfers (chat);
        guint frames, stale_frames, changes;
        g_autofree char *failed = flint_chat_page_describe_failed (chat);

        flint_chat_page_get_frames (chat, &frames, &stale_frames, &changes);
        g_string_append_printf (out, ", \"failed\": %s", failed);
        /* Whole pixels: %f would follow the locale's decimal comma. */
        g_string_append_printf (
          out,
          ", \"transfers\": %s, \"scroll_gap\": %d, \"frames\": %u, "
          "\"stale_frames\": %u, \"changes\": %u",
          inline_transfers, (int) flint_chat_page_get_scroll_gap (chat), frames,
          stale_frames, changes);
      }
      g_string_append_printf (
        out, ", \"highlighted\": %" G_GINT64_FORMAT ", \"latest\": %s",
        flint_chat_page_get_highlighted (chat),
        flint_conversation_get_latest (flint_chat_page_get_conversation (chat))
          ? "true"
          : "false");
      g_string_append_printf (
        out, ", \"selected\": %s, \"attention\": %s, \"typing\": %s, \"messages\": %u}",
        page == selected ? "true" : "false",
        adw_tab_page_get_needs_attention (page) ? "true" : "false",
        flint_chat_page_get_typing (chat) ? "true" : "false",
        g_list_model_get_n_items (
          G_LIST_MODEL (flint_chat_page_get_conversation (chat))));
    }
  g_string_append_printf (out, "], \"roster\": %s", roster);
  /* The picture the header shows: its cache file's name (the SHA-1). */
  {
    g_autofree char *own =
      self->avatars ? flint_avatars_get_own_path (self->avatars) : NULL;
    g_autofree char *own_name = own ? g_path_get_basename (own) : NULL;

    g_string_append (out, ", \"own_avatar\": ");
    flint_json_append_string (
      out, adw_avatar_get_custom_image (self->own_avatar) ? own_name : NULL);
    g_string_append (out, ", \"own_tooltip\": ");
    flint_json_append_string (
      out, gtk_widget_get_tooltip_text (GTK_WIDGET (
             gtk_widget_get_parent (gtk_widget_get_parent (self->own_presence)))));
  }
  {
    g_autofree char *room_list = flint_room_list_describe (self->room_list);
    g_string_append_printf (out, ", \"room_list\": %s", room_list);
  }
  g_string_append_printf (out, ", \"sidebar_width\": %d",
                          gtk_widget_get_width (self->sidebar));
  /* Where the tab bar is in the window's X surface, for tests that drag
   * tabs with the pointer: [x, y, width, height]. */
  {
    graphene_rect_t bar;
    double sx, sy;

    gtk_native_get_surface_transform (GTK_NATIVE (self), &sx, &sy);
    if (!gtk_widget_compute_bounds (self->tab_bar, GTK_WIDGET (self), &bar))
      graphene_rect_init (&bar, 0, 0, 0, 0);
    g_string_append_printf (out, ", \"tab_bar\": [%d, %d, %d, %d]",
                            (int) (sx + bar.origin.x), (int) (sy + bar.origin.y),
                            (int) bar.size.width, (int) bar.size.height);
  }
  /* Without a compositor the window draws its own frame (style.css). */
  g_string_append_printf (
    out, ", \"solid_csd\": %s",
    gtk_widget_has_css_class (GTK_WIDGET (self), "solid-csd") ? "true" : "false");
  g_string_append (out, ", \"search\": ");
  if (self->search_window)
    flint_search_window_describe_json (self->search_window, out);
  else
    g_string_append (out, "null");
}

/* ---- history search ------------------------------------------------------ */

/* Opens the search of the current account's history, scoped to jid if not
 * NULL. */
void
flint_window_open_search (FlintWindow *self, const char *jid)
{
  FlintHistory *history = flint_application_get_history (get_app (self));

  if (history == NULL || self->session == NULL)
    return;
  if (self->search_window == NULL)
    self->search_window = flint_search_window_new (
      GTK_WINDOW (self), history,
      flint_account_get_jid (flint_session_get_account (self->session)));
  flint_search_window_open (self->search_window, jid);
}

FlintSearchWindow *
flint_window_get_search_window (FlintWindow *self)
{
  return self->search_window;
}

/* Opens the message's conversation around it, highlighted. */
void
flint_window_show_message (FlintWindow *self, const FlintMessageRecord *record)
{
  AdwTabPage *page;

  flint_window_open_chat (self, record->account, record->conversation, TRUE);
  page = find_page (self, record->account, record->conversation);
  if (page)
    flint_chat_page_show_message (page_chat (page), record->time, record->id);
}

static void
search_history_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  flint_window_open_search (FLINT_WINDOW (widget), NULL);
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

static void
on_add_contact_account (FlintAccountChooser *chooser,
                        GParamSpec *pspec,
                        FlintAddContactDialog *dialog)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  const char *account = flint_account_chooser_get_account (chooser);

  if (FLINT_IS_WINDOW (parent) && account)
    flint_add_contact_dialog_set_roster (
      dialog, flint_application_get_roster (get_app (FLINT_WINDOW (parent)), account));
}

static void
add_contact_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  const char *account = flint_window_get_current_account (self);
  FlintRoster *roster =
    account ? flint_application_get_roster (get_app (self), account) : self->roster;
  FlintAddContactDialog *dialog;
  FlintAccountChooser *chooser;

  if (roster == NULL)
    return;
  dialog = flint_add_contact_dialog_new (GTK_WINDOW (self), roster);
  chooser =
    flint_account_chooser_attach_form (GTK_WINDOW (dialog), get_app (self), account);
  if (chooser)
    g_signal_connect_object (chooser, "notify::account",
                             G_CALLBACK (on_add_contact_account), dialog, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
blocked_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  flint_roster_view_show_blocked (FLINT_WINDOW (widget)->roster_view);
}

static void
on_room_joined (FlintJoinDialog *dialog, FlintRoom *room, FlintWindow *self)
{
  flint_window_open_room (self, room, TRUE);
}

/* The join dialog, on @jid if given; with @create, set to create a room. */
static FlintJoinDialog *
join_room_as (FlintWindow *self, const char *account, const char *jid, gboolean create);

/* Another account chosen: the dialog opens again for it. */
static void
on_join_account (FlintAccountChooser *chooser, GParamSpec *pspec, FlintJoinDialog *dialog)
{
  FlintWindow *self = FLINT_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  g_autofree char *account = g_strdup (flint_account_chooser_get_account (chooser));
  g_autofree char *jid = g_strdup (g_object_get_data (G_OBJECT (dialog), "flint-jid"));
  gboolean create =
    GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "flint-create"));

  if (account == NULL)
    return;
  gtk_window_destroy (GTK_WINDOW (dialog));
  join_room_as (self, account, jid, create);
}

static FlintJoinDialog *
join_room_as (FlintWindow *self, const char *account, const char *jid, gboolean create)
{
  g_autofree char *nick = NULL;
  FlintRooms *rooms =
    account ? flint_application_get_rooms (get_app (self), account) : NULL;
  FlintJoinDialog *dialog;
  FlintAccountChooser *chooser;

  if (rooms == NULL)
    return NULL;
  nick = flint_jid_node (account);
  dialog = flint_join_dialog_new (
    GTK_WINDOW (self), rooms, flint_application_get_bookmarks (get_app (self), account),
    nick);
  if (jid)
    flint_join_dialog_set_room (dialog, jid);
  if (create)
    flint_join_dialog_set_create_mode (dialog, TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "flint-jid", g_strdup (jid), g_free);
  g_object_set_data (G_OBJECT (dialog), "flint-create", GINT_TO_POINTER (create));
  g_signal_connect_object (dialog, "joined", G_CALLBACK (on_room_joined), self, 0);
  chooser =
    flint_account_chooser_attach_form (GTK_WINDOW (dialog), get_app (self), account);
  if (chooser)
    g_signal_connect_object (chooser, "notify::account", G_CALLBACK (on_join_account),
                             dialog, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static FlintJoinDialog *
join_room_with (FlintWindow *self, const char *jid, gboolean create)
{
  if (self->session == NULL || self->rooms == NULL)
    return NULL;
  return join_room_as (self, flint_window_get_current_account (self), jid, create);
}

static void
create_room_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  join_room_with (FLINT_WINDOW (widget), NULL, TRUE);
}

static void
on_browser_joined (FlintRoomBrowser *browser, FlintRoom *room, FlintWindow *self)
{
  flint_window_open_room (self, room, TRUE);
  gtk_window_present (GTK_WINDOW (self));
}

static void browse_rooms_as (FlintWindow *self, const char *account);

/* Another account chosen: the browser opens again on its server. */
static void
on_browser_account (FlintAccountChooser *chooser,
                    GParamSpec *pspec,
                    FlintRoomBrowser *browser)
{
  FlintWindow *self = FLINT_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (browser)));
  g_autofree char *account = g_strdup (flint_account_chooser_get_account (chooser));

  if (account == NULL)
    return;
  gtk_window_destroy (GTK_WINDOW (browser));
  browse_rooms_as (self, account);
}

/* The public rooms of @account's server, joined as @account. */
static void
browse_rooms_as (FlintWindow *self, const char *account)
{
  FlintSession *session =
    account ? flint_application_get_session (get_app (self), account) : NULL;
  FlintRooms *rooms =
    account ? flint_application_get_rooms (get_app (self), account) : NULL;
  g_autofree char *nick = NULL;
  FlintRoomBrowser *browser;
  FlintAccountChooser *chooser;

  if (session == NULL || rooms == NULL)
    return;
  nick = flint_jid_node (account);
  browser = flint_room_browser_new (
    GTK_WINDOW (self), session, rooms,
    flint_application_get_bookmarks (get_app (self), account), nick);
  g_object_set_data_full (G_OBJECT (browser), "flint-account", g_strdup (account),
                          g_free);
  g_signal_connect_object (browser, "joined", G_CALLBACK (on_browser_joined), self, 0);
  chooser = flint_account_chooser_attach (GTK_WINDOW (browser), get_app (self), account);
  if (chooser)
    g_signal_connect_object (chooser, "notify::account", G_CALLBACK (on_browser_account),
                             browser, 0);
  gtk_window_present (GTK_WINDOW (browser));
}

static void
browse_rooms_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);

  if (self->session == NULL || self->rooms == NULL)
    return;
  /* The account of the selected tab, as Join Room does. */
  browse_rooms_as (self, flint_window_get_current_account (self));
}

static void
join_room_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  join_room_with (FLINT_WINDOW (widget), NULL, FALSE);
}

static void
search_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  g_object_set (self->roster_view, "search-mode", TRUE, NULL);
}

static void
back_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
close_tab_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  AdwTabPage *page = action_page (self);

  if (page)
    adw_tab_view_close_page (self->tab_view, page);
}

/* ---- history: transcripts, clearing, preferences -------------------------- */

static FlintChatPage *
selected_chat (FlintWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  return page ? page_chat (page) : NULL;
}

/* The account, address and title of the selected tab's conversation, a
 * chat or a room (both are in the history). */
static gboolean
selected_conversation (FlintWindow *self,
                       const char **account,
                       const char **jid,
                       const char **title)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page == NULL)
    return FALSE;
  *title = adw_tab_page_get_title (page);
  if (page_chat (page))
    {
      *account = flint_chat_page_get_account (page_chat (page));
      *jid = flint_chat_page_get_jid (page_chat (page));
      return TRUE;
    }
  if (page_room (page))
    {
      *account = flint_room_page_get_account (page_room (page));
      *jid = flint_room_page_get_jid (page_room (page));
      return TRUE;
    }
  return FALSE;
}

static void
export_transcript_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  const char *account, *jid, *title;

  if (selected_conversation (self, &account, &jid, &title))
    flint_history_actions_export (self, account, jid, title);
}

static void
contact_details_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  FlintChatPage *chat = selected_chat (FLINT_WINDOW (widget));

  if (chat)
    g_action_group_activate_action (
      G_ACTION_GROUP (gtk_window_get_application (GTK_WINDOW (widget))),
      "contact-details", g_variant_new_string (flint_chat_page_get_jid (chat)));
}

static void
print_transcript_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  const char *account, *jid, *title;
  g_autoptr (GFile) pdf = NULL;

  /* Tests only (FLINT_TEST_HOOKS=1, win.print-transcript-to): to a PDF. */
  if (param)
    pdf = g_file_new_for_path (g_variant_get_string (param, NULL));
  if (selected_conversation (self, &account, &jid, &title))
    flint_history_actions_print (self, account, jid, title, pdf);
}

/* Tests only (FLINT_TEST_HOOKS=1): "text|PATH" or "html|PATH", the whole
 * conversation of the selected tab, without the file dialog. */
static void
export_transcript_to_activated (GtkWidget *widget,
                                const char *action_name,
                                GVariant *param)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (param, NULL), "|", 2);
  g_autoptr (GFile) file = NULL;
  const char *account, *jid, *title;

  if (!selected_conversation (self, &account, &jid, &title) || parts[0] == NULL ||
      parts[1] == NULL)
    return;
  file = g_file_new_for_path (parts[1]);
  flint_history_actions_export_to (self, account, jid, title,
                                   g_str_equal (parts[0], "html") ? FLINT_TRANSCRIPT_HTML
                                                                  : FLINT_TRANSCRIPT_TEXT,
                                   0, file);
}

static void
clear_history_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  FlintChatPage *chat = selected_chat (self);

  if (chat)
    flint_history_actions_clear (self, flint_chat_page_get_account (chat),
                                 flint_chat_page_get_jid (chat),
                                 flint_chat_page_get_title (chat));
}

static void
preferences_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (widget));

  gtk_window_present (GTK_WINDOW (
    flint_preferences_window_new (FLINT_APPLICATION (app), GTK_WINDOW (widget))));
}

/* The conversation was started afresh (its history cleared): its tab, if
 * open, shows the new one, in the same place, with the same draft. */
void
flint_window_reload_chat (FlintWindow *self, const char *account, const char *jid)
{
  AdwTabPage *page = find_page (self, account, jid);
  AdwTabPage *reopened;
  gboolean selected;
  int position;
  g_autofree char *draft = NULL;

  if (page == NULL)
    return;
  selected = adw_tab_view_get_selected_page (self->tab_view) == page;
  position = adw_tab_view_get_page_position (self->tab_view, page);
  draft = flint_composer_get_text (flint_chat_page_get_composer (page_chat (page)));
  /* Not a change of the user's tabs: nothing to save. */
  self->restoring = TRUE;
  adw_tab_view_close_page (self->tab_view, page);
  flint_window_open_chat (self, account, jid, FALSE);
  self->restoring = FALSE;
  reopened = find_page (self, account, jid);
  if (reopened == NULL)
    return;
  adw_tab_view_reorder_page (self->tab_view, reopened, position);
  flint_composer_set_text (flint_chat_page_get_composer (page_chat (reopened)), draft);
  if (selected)
    adw_tab_view_set_selected_page (self->tab_view, reopened);
}

/* For tests and scripts: send text in the selected tab as if typed. */
static void
send_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintWindow *self = FLINT_WINDOW (widget);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page && page_chat (page))
    flint_chat_page_send_text (page_chat (page), g_variant_get_string (parameter, NULL));
  else if (page)
    flint_room_page_send_text (page_room (page), g_variant_get_string (parameter, NULL));
}

/* ---- pane width ------------------------------------------------------- */

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, FlintWindow *self)
{
  self->drag_start_width = gtk_widget_get_width (self->sidebar);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, FlintWindow *self)
{
  int width = CLAMP (self->drag_start_width + (int) dx, 240, 480);

  gtk_widget_set_size_request (self->sidebar, width, -1);
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, FlintWindow *self)
{
  int width;

  gtk_widget_get_size_request (self->sidebar, &width, NULL);
  g_settings_set_int (self->settings, "sidebar-width", width);
}

/* ---- object ------------------------------------------------------------- */

static void
on_is_active (FlintWindow *self)
{
  update_active (self);
}

static void
flint_window_dispose (GObject *object)
{
  FlintWindow *self = FLINT_WINDOW (object);

  flint_window_set_session (self, NULL);
  g_clear_handle_id (&self->menu_idle, g_source_remove);
  g_clear_pointer (&self->last_toast, g_free);
  if (self->search_window)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->search_window)));
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (flint_window_parent_class)->dispose (object);
}

static void
flint_window_class_init (FlintWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_window_dispose;

  g_type_ensure (FLINT_TYPE_ROSTER_VIEW);
  g_type_ensure (FLINT_TYPE_ROOM_LIST);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, pane_separator);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, content);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, chat_title);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, own_avatar);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, own_presence);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, connection_revealer);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, bar_spinner);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, bar_label);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, bar_button);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, roster_view);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, room_list);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, password_button);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow, certificate_button);
  gtk_widget_class_bind_template_child (widget_class, FlintWindow,
                                        conversation_menu_button);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_room_activated);

  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_activated);
  gtk_widget_class_install_action (widget_class, "win.add-account", NULL,
                                   add_account_activated);
  gtk_widget_class_install_action (widget_class, "win.enter-password", NULL,
                                   enter_password_activated);
  gtk_widget_class_install_action (widget_class, "win.review-certificate", NULL,
                                   review_certificate_activated);
  gtk_widget_class_install_action (widget_class, "win.change-avatar", NULL,
                                   change_avatar_activated);
  gtk_widget_class_install_action (widget_class, "win.set-avatar-file", "s",
                                   set_avatar_file_activated);
  gtk_widget_class_install_action (widget_class, "win.remove-avatar", NULL,
                                   remove_avatar_activated);
  gtk_widget_class_install_action (widget_class, "win.status-message", NULL,
                                   status_message_activated);
  gtk_widget_class_install_action (widget_class, "win.add-contact", NULL,
                                   add_contact_activated);
  gtk_widget_class_install_action (widget_class, "win.blocked-contacts", NULL,
                                   blocked_activated);
  gtk_widget_class_install_action (widget_class, "win.create-room", NULL,
                                   create_room_activated);
  gtk_widget_class_install_action (widget_class, "win.browse-rooms", NULL,
                                   browse_rooms_activated);
  gtk_widget_class_install_action (widget_class, "win.join-room", NULL,
                                   join_room_activated);
  /* A placeholder until preferences exist. */
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL,
                                   preferences_activated);
  gtk_widget_class_install_action (widget_class, "win.export-transcript", NULL,
                                   export_transcript_activated);
  gtk_widget_class_install_action (widget_class, "win.contact-details", NULL,
                                   contact_details_activated);
  gtk_widget_class_install_action (widget_class, "win.print-transcript", NULL,
                                   print_transcript_activated);
  gtk_widget_class_install_action (widget_class, "win.print-transcript-to", "s",
                                   print_transcript_activated);
  gtk_widget_class_install_action (widget_class, "win.export-transcript-to", "s",
                                   export_transcript_to_activated);
  gtk_widget_class_install_action (widget_class, "win.clear-history", NULL,
                                   clear_history_activated);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.search-history", NULL,
                                   search_history_activated);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "win.close-tab", NULL,
                                   close_tab_activated);
  gtk_widget_class_install_action (widget_class, "win.send", "s", send_activated);
  gtk_widget_class_install_action (widget_class, "win.move-tab-to-new-window", NULL,
                                   move_tab_to_new_window_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.search-history", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "win.close-tab", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-contact", NULL);
}

static void
flint_window_init (FlintWindow *self)
{
  g_autoptr (GAction) show_offline = NULL;
  g_autoptr (GAction) presence = NULL;
  GtkGesture *drag = gtk_gesture_drag_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);
  gtk_widget_set_size_request (self->sidebar,
                               g_settings_get_int (self->settings, "sidebar-width"), -1);

  show_offline = g_settings_create_action (self->settings, "show-offline");
  presence = g_settings_create_action (self->settings, "presence");
  g_action_map_add_action (G_ACTION_MAP (self), show_offline);
  g_action_map_add_action (G_ACTION_MAP (self), presence);
  g_signal_connect_object (self->settings, "changed::presence",
                           G_CALLBACK (on_presence_changed), self, 0);
  g_signal_connect_object (self->settings, "changed::status-message",
                           G_CALLBACK (on_presence_changed), self, 0);
  g_signal_connect_object (self->settings, "changed::compact-roster",
                           G_CALLBACK (update_compact), self, G_CONNECT_SWAPPED);
  update_compact (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.join-room", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.create-room", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.browse-rooms", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-transcript", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print-transcript", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-history", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-transcript-to",
                                 g_strcmp0 (g_getenv ("FLINT_TEST_HOOKS"), "1") == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print-transcript-to",
                                 g_strcmp0 (g_getenv ("FLINT_TEST_HOOKS"), "1") == 0);
  flint_room_list_set_unread_func (self->room_list, room_unread, self);

  /* The separator between the panes is a handle: drag it to resize. */
  gtk_widget_set_cursor_from_name (self->pane_separator, "col-resize");
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (self->pane_separator, GTK_EVENT_CONTROLLER (drag));

  g_signal_connect (self->tab_view, "page-attached", G_CALLBACK (on_page_attached), self);
  g_signal_connect (self->tab_view, "page-detached", G_CALLBACK (on_page_detached), self);
  g_signal_connect (self->tab_view, "notify::selected-page",
                    G_CALLBACK (on_selected_page), self);
  g_signal_connect (self->tab_view, "create-window", G_CALLBACK (on_create_window), self);
  g_signal_connect (self->tab_view, "setup-menu", G_CALLBACK (on_setup_menu), self);
  g_signal_connect (self->tab_view, "close-page", G_CALLBACK (on_close_page), self);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_is_active), NULL);
  g_signal_connect_swapped (self->leaflet, "notify::visible-child",
                            G_CALLBACK (update_active), self);
}

FlintWindow *
flint_window_new (FlintApplication *app)
{
  FlintWindow *self = g_object_new (FLINT_TYPE_WINDOW, "application", app, NULL);
  gboolean first = gtk_application_get_windows (GTK_APPLICATION (app))->next == NULL;

  FlintHistory *history = flint_application_get_history (app);
  const GError *problem = history ? flint_history_get_recovery_error (history) : NULL;

  g_signal_connect_object (app, "session-added", G_CALLBACK (on_session_added), self, 0);
  g_signal_connect_object (app, "session-removed", G_CALLBACK (on_session_removed), self,
                           0);
  g_signal_connect_object (app, "history-ready", G_CALLBACK (on_history_ready), self, 0);
  g_signal_connect_object (app, "unread-changed", G_CALLBACK (on_unread_changed), self,
                           0);
  if (flint_application_get_idle_monitor (app))
    g_signal_connect_object (flint_application_get_idle_monitor (app), "notify::state",
                             G_CALLBACK (apply_presence), self, G_CONNECT_SWAPPED);
  /* While the history is updating there is nothing to report or restore
   * yet: on_history_ready() does it. */
  if (problem)
    flint_window_add_toast (self, problem->message);
  else if (history == NULL && !flint_application_get_history_updating (app))
    flint_window_add_toast (self, flint_error_describe (FLINT_ERROR_DATABASE));
  g_signal_connect_object (
    flint_account_store_get_model (flint_application_get_accounts (app)), "items-changed",
    G_CALLBACK (on_accounts_changed), self, 0);
  flint_window_set_session (self, flint_application_get_main_session (app));
  if (flint_application_get_history_updating (app))
    update (self); /* no session: set_session() did nothing */
  if (first)
    restore_tabs (self);
  update_title (self);
  return self;
}

#include "config.h"

#define G_LOG_DOMAIN "flint-app"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "flint-application.h"
#include "flint-account-chooser.h"
#include "flint-tools.h"
#include "flint-avatars.h"
#include "flint-certificate.h"
#include "flint-chat.h"
#include "flint-disco.h"
#include "flint-history-jobs.h"
#include "flint-mam.h"
#include "flint-error.h"
#include "flint-history.h"
#include "flint-idle-monitor.h"
#include "flint-json.h"
#include "flint-preferences-window.h"
#include "flint-jid.h"
#include "flint-room-browser.h"
#include "flint-secrets.h"
#include "flint-transfer-center.h"
#include "flint-window.h"

struct _FlintApplication
{
  AdwApplication parent_instance;

  FlintAccountStore *accounts;
  FlintHistory *history;
  gboolean history_updating; /* migrating in a worker; see on_history_opened */
  GHashTable *sessions;
  GPtrArray *closing; /* sessions of removed accounts, signing off */
  guint closing_id;
  GPtrArray *made_sessions; /* a GWeakRef to every session made (test dump) */
  GHashTable *chats;
  GHashTable *discos;
  GHashTable *mams;
  GHashTable *avatars;
  GHashTable *rooms;     /* account -> FlintRooms */
  GHashTable *bookmarks; /* account -> FlintBookmarks */
  GHashTable *rosters;
  GHashTable *conversations;  /* "account jid" -> FlintConversation */
  GHashTable *unread;         /* "account jid" -> count */
  GHashTable *unread_pending; /* keys whose unread-changed is due */
  guint unread_flush_id;
  GHashTable *notices; /* "account jid" -> Notice: pending desktop notifications */
  char *last_notice;   /* the last notification's title, for tests */
  FlintTransferCenter *transfers;
  gboolean secrets_available;
  gboolean started;
  gboolean first_activation_done;
  guint present_id;
  gulong present_handler;
  FlintSession *present_session; /* whose sign-in present_handler waits for */
  /* For benches (test hooks only): monotonic µs of the first sign-in and of
   * the last presence handled. */
  gint64 online_at;
  gint64 last_presence_at;
  /* app.test-stall-watch: the longest the main loop was late for a 10 ms
   * timer while the watch ran (benches only, never on otherwise). */
  guint stall_id;
  gint64 stall_last;
  gint64 stall_max;
  /* Frames the active window painted while the stall watch ran. */
  GdkFrameClock *frame_clock;
  gulong paint_handler;
  guint frames;
  /* History retention (see apply_retention) */
  GSettings *settings;
  /* Auto-away: watches of the desktop's idle monitor (NULL without a bus) */
  FlintIdleMonitor *idle;
  guint retention_id;
  gboolean retention_running;
  guint notified; /* messages that called for a notification (test dump) */
  GCancellable *retention_cancel;
};

#define WINDOW_DELAY_MS 300

G_DEFINE_FINAL_TYPE (FlintApplication, flint_application, ADW_TYPE_APPLICATION)

enum
{
  SIGNAL_SESSION_ADDED,
  SIGNAL_SESSION_REMOVED,
  SIGNAL_UNREAD_CHANGED,
  SIGNAL_HISTORY_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The app's settings, made at first use: sessions may start before the
 * rest of start-up. */
static GSettings *
app_settings (FlintApplication *self)
{
  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);
  return self->settings;
}

/* ---- command line ------------------------------------------------------- */

/* --send takes two values (ADDRESS TEXT); GOption parses one, so the text is
 * taken from the remaining arguments in local_command_line. */
static char *send_text;

static char *
read_password (const char *jid)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  GString *line = g_string_new (NULL);
  int c;

  if (tty)
    {
      g_printerr (_ ("Password for %s: "), jid);
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
    }
  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      g_printerr ("\n");
    }
  if (line->len && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (line, FALSE);
}

static int
fail_cli (const char *message)
{
  /* TRANSLATORS: %s is an error message */
  g_printerr (_ ("flint: %s\n"), message);
  return 1;
}

static int
add_account_from_cli (GVariantDict *options)
{
  const char *jid = NULL, *host = NULL, *cert = NULL;
  gint32 port = 0;
  g_autofree char *pin = NULL;
  g_autofree char *password = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintAccount) account = NULL;
  g_autoptr (FlintAccountStore) store = NULL;
  FlintAccount *existing;

  g_variant_dict_lookup (options, "add-account", "&s", &jid);
  g_variant_dict_lookup (options, "host", "&s", &host);
  g_variant_dict_lookup (options, "port", "i", &port);
  g_variant_dict_lookup (options, "trust-cert-sha256", "&s", &cert);

  account = flint_account_new (jid, &error);
  if (account == NULL)
    return fail_cli (error->message);
  if (port < 0 || port > 65535)
    return fail_cli (_ ("The port must be a number between 1 and 65535."));
  if (cert)
    {
      pin = flint_fingerprint_normalize (cert);
      if (pin == NULL)
        return fail_cli (_ ("The certificate fingerprint must be a SHA-256 fingerprint: "
                            "64 hexadecimal digits, colons allowed."));
    }

  store = flint_account_store_new (NULL);
  if (!flint_account_store_load (store, &error))
    return fail_cli (error->message);

  password = read_password (flint_account_get_jid (account));
  if (*password == '\0')
    return fail_cli (_ ("No password was given on standard input."));

  /* The password goes first: an account Flint cannot sign in with is no use
   * to a provisioning script, and nothing else may hold the password. */
  if (!flint_secrets_store_sync (flint_account_get_jid (account), password, &error))
    {
      explicit_bzero (password, strlen (password));
      return fail_cli (error->message);
    }
  explicit_bzero (password, strlen (password));

  existing = flint_account_store_lookup (store, flint_account_get_jid (account));
  if (existing)
    account = g_object_ref (existing);
  flint_account_set_host (account, host);
  flint_account_set_port (account, (guint) port);
  if (pin)
    flint_account_set_trusted_cert (account, pin);
  if (!existing && !flint_account_store_add (store, account, &error))
    return fail_cli (error->message);
  if (existing && !flint_account_store_save (store, &error))
    return fail_cli (error->message);

  g_print (existing ? _ ("Updated account %s.\n") : _ ("Added account %s.\n"),
           flint_account_get_jid (account));
  return 0;
}

static gboolean
bus_name_has_owner (GDBusConnection *bus)
{
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
    bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    "NameHasOwner", g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  gboolean owned = FALSE;

  if (reply)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* flint --send JID TEXT: hands TEXT to the running instance's chat module
 * (which stores it, then sends it or keeps it pending until online) and
 * exits. Without a running instance one is started, detached, first. */
static int
send_from_cli (GVariantDict *options)
{
  g_autofree const char **args = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;
  GVariantBuilder params;
  const char *given = NULL;
  g_autofree char *from = NULL; /* --account's, as the store spells it */

  g_variant_dict_lookup (options, "send", "^a&s", &args);
  /* The TEXT is the argument after --send's own value. */
  if (args == NULL || g_strv_length ((char **) args) != 1 || send_text == NULL)
    return fail_cli (_ ("Usage: flint --send ADDRESS TEXT [--account ACCOUNT]"));
  if (!flint_jid_is_valid (args[0]) || strchr (args[0], '@') == NULL)
    return fail_cli (flint_error_describe (FLINT_ERROR_INVALID_JID));
  if (*send_text == '\0')
    return fail_cli (_ ("The message is empty."));
  /* --account picks one of the accounts set up in Flint (enabled). */
  if (g_variant_dict_lookup (options, "account", "&s", &given))
    {
      g_autoptr (FlintAccountStore) store = flint_account_store_new (NULL);
      FlintAccount *account = NULL;
      g_autofree char *message = NULL;

      if (!flint_account_store_load (store, &error) &&
          !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return fail_cli (error->message);
      g_clear_error (&error);
      account = flint_account_store_lookup (store, given);
      if (account == NULL)
        {
          message = g_strdup_printf (_ ("No account %s is set up in Flint."), given);
          return fail_cli (message);
        }
      if (!flint_account_get_enabled (account))
        {
          message = g_strdup_printf (
            _ ("The account %s is turned off. Turn it on in Preferences first."), given);
          return fail_cli (message);
        }
      from = g_strdup (flint_account_get_jid (account));
    }

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    return fail_cli (error->message);

  if (!bus_name_has_owner (bus))
    {
      /* Detached from the caller's terminal and pipes: a script waiting for
       * our output must not wait for the whole instance to quit. */
      g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
      const char *argv[] = { self_exe, NULL };
      gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

      if (!g_spawn_async (NULL, (char **) argv, NULL,
                          G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL |
                            G_SPAWN_STDERR_TO_DEV_NULL,
                          NULL, NULL, NULL, &error))
        return fail_cli (error->message);
      while (!bus_name_has_owner (bus))
        {
          if (g_get_monotonic_time () > deadline)
            return fail_cli (_ ("Flint did not start in time."));
          g_usleep (20 * 1000);
        }
    }

  g_variant_builder_init (&params, G_VARIANT_TYPE ("av"));
  if (from)
    g_variant_builder_add (&params, "v",
                           g_variant_new ("(sss)", from, args[0], send_text));
  else
    g_variant_builder_add (&params, "v", g_variant_new ("(ss)", args[0], send_text));
  /* A method call, not a signal: it returns once the instance has run the
   * action, i.e. once the message is stored and handed to the session. */
  reply = g_dbus_connection_call_sync (
    bus, APP_ID, "/im/flint/Flint", "org.gtk.Actions", "Activate",
    g_variant_new ("(sava{sv})", from ? "send-message-from" : "send-message", &params,
                   NULL),
    NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  if (reply == NULL)
    return fail_cli (error->message);
  return 0;
}

/* Takes TEXT out of "--send ADDRESS TEXT" before GOption sees it. */
static gboolean
flint_application_local_command_line (GApplication *app,
                                      char ***arguments,
                                      int *exit_status)
{
  char **argv = *arguments;

  for (guint i = 1; argv[i]; i++)
    {
      if (g_str_equal (argv[i], "--send") && argv[i + 1] && argv[i + 2])
        {
          g_free (send_text);
          send_text = argv[i + 2];
          /* shift the rest down over TEXT */
          for (guint j = i + 2; argv[j]; j++)
            argv[j] = argv[j + 1];
          break;
        }
    }
  return G_APPLICATION_CLASS (flint_application_parent_class)
    ->local_command_line (app, arguments, exit_status);
}

static int
flint_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("Flint %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_contains (options, "add-account"))
    return add_account_from_cli (options);
  if (g_variant_dict_contains (options, "send"))
    return send_from_cli (options);
  if (g_variant_dict_contains (options, "account"))
    return fail_cli (_ ("--account goes with --send."));
  if (g_variant_dict_contains (options, "host") ||
      g_variant_dict_contains (options, "port") ||
      g_variant_dict_contains (options, "trust-cert-sha256"))
    return fail_cli (_ ("--host, --port and --trust-cert-sha256 go with --add-account."));
  return -1;
}

/* ---- sessions ----------------------------------------------------------- */

typedef struct
{
  FlintApplication *app;
  FlintSession *session;
} PasswordLookup;

/* "Offline" in the status menu is remembered: Flint then starts signed off
 * and signs in when the user picks another status. */
static gboolean
chose_offline (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *show = g_settings_get_string (settings, "presence");

  return g_strcmp0 (show, "offline") == 0;
}

static void
on_password_found (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PasswordLookup *lookup = user_data;
  g_autoptr (GError) error = NULL;
  char *password = flint_secrets_lookup_finish (result, &error);
  const char *jid = flint_account_get_jid (flint_session_get_account (lookup->session));

  /* The account was removed meanwhile: its session is gone. */
  if (g_hash_table_lookup (lookup->app->sessions, jid) != lookup->session)
    {
      flint_password_free (password);
      g_object_unref (lookup->session);
      g_application_release (G_APPLICATION (lookup->app));
      g_free (lookup);
      return;
    }
  if (password)
    {
      flint_session_set_password (lookup->session, password);
      flint_password_free (password);
    }
  else if (g_error_matches (error, FLINT_ERROR, FLINT_ERROR_SECRETS_UNAVAILABLE))
    lookup->app->secrets_available = FALSE;
  /* Without a password connect() reports FLINT_ERROR_NO_PASSWORD and the
   * window asks for it. */
  if (!chose_offline ())
    flint_session_connect (lookup->session);

  g_object_unref (lookup->session);
  g_application_release (G_APPLICATION (lookup->app));
  g_free (lookup);
}

/* Remembered for the test dump: whether the last sign-in resumed the stream. */
static void
on_session_online (FlintSession *session, gboolean resumed, FlintApplication *self)
{
  g_object_set_data (G_OBJECT (session), "flint-resumed", GINT_TO_POINTER (resumed));
  if (self->online_at == 0)
    self->online_at = g_get_monotonic_time ();
}

static gboolean
note_presence_time (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintApplication *self = user_data;

  self->last_presence_at = g_get_monotonic_time ();
  return FALSE;
}

/* ---- conversations, unread counts, notifications ------------------------- */

static char *
conversation_key (FlintApplication *self, const char *account, const char *jid)
{
  g_autofree char *a = flint_jid_bare (account);
  g_autofree char *j = flint_jid_bare (jid);
  g_autofree char *resource = flint_jid_resource (jid);
  FlintRooms *rooms = a ? g_hash_table_lookup (self->rooms, a) : NULL;

  /* A private chat with an occupant (room/nick) is a conversation of its
   * own, not the room's. */
  if (resource && *resource && rooms && j && flint_rooms_is_room (rooms, j))
    {
      g_autofree char *full = flint_jid_normalize (jid);
      return g_strdup_printf ("%s %s", a, full);
    }
  return g_strdup_printf ("%s %s", a, j);
}

FlintConversation *
flint_application_get_conversation (FlintApplication *self,
                                    const char *account,
                                    const char *jid)
{
  g_autofree char *key = conversation_key (self, account, jid);
  FlintConversation *conversation = g_hash_table_lookup (self->conversations, key);

  if (conversation == NULL && self->history)
    {
      /* The key's JID: bare, or room/nick for an occupant. */
      const char *key_jid = strchr (key, ' ') + 1;

      conversation = flint_conversation_new (
        self->history, flint_application_get_chat (self, account), account, key_jid);
      FlintMam *mam = g_hash_table_lookup (self->mams, account);

      if (mam)
        flint_conversation_add_source (conversation, G_OBJECT (mam));
      g_hash_table_insert (self->conversations, g_steal_pointer (&key), conversation);
    }
  return conversation;
}

/* After the conversation's stored messages were deleted (Clear History):
 * forget its FlintConversation, so the next one reads the store afresh,
 * and have windows show that one in their open tabs. */
void
flint_application_reset_conversation (FlintApplication *self,
                                      const char *account,
                                      const char *jid)
{
  g_autofree char *key = conversation_key (self, account, jid);

  g_hash_table_remove (self->conversations, key);
  flint_application_mark_read (self, account, jid);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (FLINT_IS_WINDOW (l->data))
      flint_window_reload_chat (l->data, account, jid);
}

guint
flint_application_get_unread (FlintApplication *self,
                              const char *account,
                              const char *jid)
{
  g_autofree char *key = conversation_key (self, account, jid);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->unread, key));
}

guint
flint_application_get_total_unread (FlintApplication *self)
{
  GHashTableIter iter;
  gpointer count;
  guint total = 0;

  g_hash_table_iter_init (&iter, self->unread);
  while (g_hash_table_iter_next (&iter, NULL, &count))
    total += GPOINTER_TO_UINT (count);
  return total;
}

#define UNREAD_INTERVAL_MS 100

static gboolean
flush_unread (gpointer data)
{
  FlintApplication *self = data;
  g_autoptr (GHashTable) pending = g_steal_pointer (&self->unread_pending);
  GHashTableIter iter;
  const char *key;

  self->unread_flush_id = 0;
  self->unread_pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      /* The key is "ACCOUNT JID" (conversation_key). */
      const char *space = strchr (key, ' ');
      g_autofree char *account = space ? g_strndup (key, (gsize) (space - key)) : NULL;

      if (space)
        g_signal_emit (self, signals[SIGNAL_UNREAD_CHANGED], 0, account, space + 1);
    }
  return G_SOURCE_REMOVE;
}

static void
set_unread (FlintApplication *self, const char *account, const char *jid, guint count)
{
  g_autofree char *key = conversation_key (self, account, jid);

  if (GPOINTER_TO_UINT (g_hash_table_lookup (self->unread, key)) == count)
    return;
  if (count)
    g_hash_table_insert (self->unread, g_strdup (key), GUINT_TO_POINTER (count));
  else
    g_hash_table_remove (self->unread, key);

  /* Reading a chat updates the badges at once; a stream of new messages
   * updates them at most every UNREAD_INTERVAL_MS (each update relayouts
   * the tab, the roster row and the title, and costs a frame). */
  if (count == 0)
    {
      g_hash_table_remove (self->unread_pending, key);
      g_signal_emit (self, signals[SIGNAL_UNREAD_CHANGED], 0, account, jid);
      return;
    }
  g_hash_table_add (self->unread_pending, g_steal_pointer (&key));
  if (self->unread_flush_id == 0)
    self->unread_flush_id = g_timeout_add (UNREAD_INTERVAL_MS, flush_unread, self);
}

void
flint_application_mark_read (FlintApplication *self, const char *account, const char *jid)
{
  g_autofree char *id = g_strdup_printf ("message %s", jid);

  g_autofree char *key = conversation_key (self, account, jid);

  set_unread (self, account, jid, 0);
  g_hash_table_remove (self->notices, key);
  g_application_withdraw_notification (G_APPLICATION (self), id);
}

/* Whether a window shows this conversation to the user right now. */
static gboolean
chat_is_seen (FlintApplication *self, const char *account, const char *jid)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (FLINT_IS_WINDOW (l->data) &&
        flint_window_is_showing_chat (FLINT_WINDOW (l->data), account, jid))
      return TRUE;
  return FALSE;
}

/* A burst of messages from one person is one notification, refreshed at
 * most every NOTICE_INTERVAL_MS: a desktop notification per message would
 * flood the user's screen and cost a D-Bus round trip each. */
#define NOTICE_INTERVAL_MS 2000

typedef struct
{
  FlintApplication *app;
  FlintMessageRecord *latest;
  guint count;
  gint64 last_sent;
  guint timeout_id;
} Notice;

static void
notice_free (gpointer data)
{
  Notice *notice = data;

  g_clear_handle_id (&notice->timeout_id, g_source_remove);
  g_clear_pointer (&notice->latest, flint_message_record_free);
  g_free (notice);
}

static guint
n_enabled_accounts (FlintApplication *self)
{
  GListModel *accounts = flint_account_store_get_model (self->accounts);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (FlintAccount) account = g_list_model_get_item (accounts, i);

      n += flint_account_get_enabled (account);
    }
  return n;
}

static void
send_notice (Notice *notice)
{
  FlintApplication *self = notice->app;
  const FlintMessageRecord *record = notice->latest;
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *id =
    g_strdup_printf ("message %s %s", record->account, record->conversation);
  g_autofree char *target =
    g_strdup_printf ("%s %s", record->account, record->conversation);
  g_autofree char *name = NULL;
  g_autofree char *preview = NULL;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (FLINT_IS_WINDOW (window))
    name = flint_window_get_display_name (FLINT_WINDOW (window), record->account,
                                          record->conversation);
  if (name == NULL)
    name = g_strdup (record->conversation);
  if (n_enabled_accounts (self) > 1)
    {
      /* TRANSLATORS: a tab's tooltip with several accounts: the peer's
       * address, then the own account the chat is on */
      char *via = g_strdup_printf (_ ("%s via %s"), name, record->account);

      g_free (name);
      name = via;
    }
  g_free (self->last_notice);
  self->last_notice = g_strdup (name);
  if (notice->count > 1)
    preview = g_strdup_printf (
      ngettext ("%u new message", "%u new messages", notice->count), notice->count);
  else
    preview =
      g_utf8_substring (record->body, 0, MIN (g_utf8_strlen (record->body, -1), 200));

  notification = g_notification_new (name);
  g_notification_set_body (notification, preview);
  g_notification_set_category (notification, "im.received");
  g_notification_set_default_action_and_target (notification, "app.open-chat", "s",
                                                target);
  g_application_send_notification (G_APPLICATION (self), id, notification);
  notice->last_sent = g_get_monotonic_time ();
  /* The desktop's alert sound, once per notification shown (not per message
   * of a burst): GNotification has no sound of its own. */
  if (g_settings_get_boolean (app_settings (self), "notification-sound") &&
      gdk_display_get_default ())
    gdk_display_beep (gdk_display_get_default ());
}

static gboolean
on_notice_due (gpointer data)
{
  Notice *notice = data;

  notice->timeout_id = 0;
  send_notice (notice);
  return G_SOURCE_REMOVE;
}

static void
notify_message (FlintApplication *self, const FlintMessageRecord *record)
{
  g_autofree char *key = conversation_key (self, record->account, record->conversation);
  Notice *notice = g_hash_table_lookup (self->notices, key);
  gint64 now = g_get_monotonic_time ();
  gint64 due;

  if (!g_settings_get_boolean (app_settings (self), "notifications"))
    return;
  self->notified++;

  if (notice == NULL)
    {
      notice = g_new0 (Notice, 1);
      notice->app = self;
      g_hash_table_insert (self->notices, g_steal_pointer (&key), notice);
    }
  g_clear_pointer (&notice->latest, flint_message_record_free);
  notice->latest = flint_message_record_copy (record);
  /* Messages not yet seen: the count restarts when the chat is read. */
  notice->count++;
  if (notice->timeout_id)
    return;
  due = notice->last_sent + NOTICE_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
  if (notice->last_sent == 0 || due <= now)
    send_notice (notice);
  else
    notice->timeout_id =
      g_timeout_add ((guint) ((due - now) / 1000), on_notice_due, notice);
}

static void
hold_history (FlintSession *session, gboolean done, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!done)
    flint_history_hold (user_data);
  else if (!flint_history_release (user_data, &error))
    g_warning ("Could not store the messages just received: %s", error->message);
}

static void
on_message_stored (FlintChat *chat, FlintMessageRecord *record, FlintApplication *self)
{
  if (record->kind != FLINT_MESSAGE_KIND_CHAT ||
      record->direction != FLINT_DIRECTION_INCOMING || record->body == NULL ||
      chat_is_seen (self, record->account, record->conversation))
    return;
  set_unread (self, record->account, record->conversation,
              flint_application_get_unread (self, record->account, record->conversation) +
                1);
  notify_message (self, record);
}

/* What the archive catch-up stores was sent while we were away (or, since
 * the live path leaves delayed messages to a running catch-up, while we
 * signed in): unread and notified like live ones, except a fresh install's
 * first fetch of old history. */
static void
on_mam_message_stored (FlintMam *mam, FlintMessageRecord *record, FlintApplication *self)
{
  FlintChat *chat = g_hash_table_lookup (self->chats, record->account);
  gboolean delivered = chat && flint_chat_take_held (chat, record->stanza_id);

  if (delivered || !flint_mam_get_announcing_initial (mam))
    on_message_stored (NULL, record, self);
}

/* Room messages count as unread like chat ones; a mention of our nick is
 * also a notification (a busy room would flood the desktop otherwise). */
static void
on_room_message_stored (FlintRoom *room,
                        FlintMessageRecord *record,
                        FlintApplication *self)
{
  if (record->direction != FLINT_DIRECTION_INCOMING || record->body == NULL ||
      chat_is_seen (self, record->account, record->conversation))
    return;
  /* History the room replays on joining, its archive read after a join,
   * and its status lines are not news. */
  if (flint_room_get_state (room) != FLINT_ROOM_JOINED ||
      flint_room_get_replaying (room) || record->kind != FLINT_MESSAGE_KIND_GROUPCHAT)
    return;
  set_unread (self, record->account, record->conversation,
              flint_application_get_unread (self, record->account, record->conversation) +
                1);
  if (!g_settings_get_boolean (app_settings (self), "notify-room-mentions-only") ||
      flint_room_mentions_nick (record->body, flint_room_get_nick (room)))
    notify_message (self, record);
}

static void
on_rooms_changed (
  GListModel *rooms, guint position, guint removed, guint added, FlintApplication *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (FlintRoom) room = g_list_model_get_item (rooms, i);

      g_signal_connect_object (room, "message-stored",
                               G_CALLBACK (on_room_message_stored), self, 0);
    }
}

static gboolean
mam_catching_up (gpointer mam)
{
  return flint_mam_take_live_message (mam);
}

static gboolean
is_room (const char *bare_jid, gpointer rooms)
{
  return flint_rooms_is_room (rooms, bare_jid);
}

static void
free_weak_ref (gpointer ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

/* Tests check that a removed account's session is really let go. */
static guint
count_live_sessions (FlintApplication *self)
{
  guint n = 0;

  for (guint i = 0; i < self->made_sessions->len; i++)
    {
      g_autoptr (GObject) session =
        g_weak_ref_get (g_ptr_array_index (self->made_sessions, i));

      n += session != NULL;
    }
  return n;
}

FlintSession *
flint_application_start_account (FlintApplication *self,
                                 FlintAccount *account,
                                 const char *password)
{
  FlintSession *session =
    g_hash_table_lookup (self->sessions, flint_account_get_jid (account));

  if (session == NULL)
    {
      session = flint_session_new (account);
      {
        /* On the heap: a GWeakRef must not move. */
        GWeakRef *ref = g_new0 (GWeakRef, 1);

        g_weak_ref_init (ref, session);
        g_ptr_array_add (self->made_sessions, ref);
      }
      g_hash_table_insert (self->sessions, g_strdup (flint_account_get_jid (account)),
                           session);
      g_hash_table_insert (self->rosters, g_strdup (flint_account_get_jid (account)),
                           flint_roster_new (session));
      /* Answers disco#info and puts our XEP-0115 caps in every presence. */
      g_hash_table_insert (self->discos, g_strdup (flint_account_get_jid (account)),
                           flint_disco_new (session));
      /* vCard and PEP avatars, cached; sets each contact's avatar-path. */
      g_hash_table_insert (
        self->avatars, g_strdup (flint_account_get_jid (account)),
        flint_avatars_new (
          session, g_hash_table_lookup (self->rosters, flint_account_get_jid (account))));
      if (self->history)
        {
          FlintChat *chat = flint_chat_new (session, self->history);

          /* A flood read in one go is stored in one transaction. */
          flint_session_set_read_scope (session, hold_history,
                                        g_object_ref (self->history), g_object_unref);

          g_hash_table_insert (self->chats, g_strdup (flint_account_get_jid (account)),
                               chat);
          g_signal_connect (chat, "message-stored", G_CALLBACK (on_message_stored), self);
          /* Privacy preferences: the chat module honours them itself. */
          g_settings_bind (app_settings (self), "send-chat-states", chat,
                           "send-chat-states", G_SETTINGS_BIND_GET);
          g_settings_bind (app_settings (self), "send-receipts", chat, "send-receipts",
                           G_SETTINGS_BIND_GET);
          /* What the server archived while Flint was away (XEP-0313). */
          {
            FlintMam *mam = flint_mam_new (session, self->history);

            g_hash_table_insert (self->mams, g_strdup (flint_account_get_jid (account)),
                                 mam);
            flint_chat_set_catch_up_func (chat, mam_catching_up, mam);
            /* It also tells which of our unconfirmed messages the server got. */
            flint_chat_set_archive (chat, mam);
            g_signal_connect (mam, "message-stored", G_CALLBACK (on_mam_message_stored),
                              self);
          }
          {
            FlintRooms *rooms = flint_rooms_new (session, self->history);
            FlintDisco *disco =
              g_hash_table_lookup (self->discos, flint_account_get_jid (account));

            g_signal_connect_object (flint_rooms_get_rooms (rooms), "items-changed",
                                     G_CALLBACK (on_rooms_changed), self, 0);
            g_hash_table_insert (self->rooms, g_strdup (flint_account_get_jid (account)),
                                 rooms);
            /* Private messages with occupants are conversations of their own. */
            flint_chat_set_room_func (chat, is_room, rooms);
            g_hash_table_insert (self->bookmarks,
                                 g_strdup (flint_account_get_jid (account)),
                                 flint_bookmarks_new (session, disco, rooms));
          }
        }
      g_signal_connect (session, "online", G_CALLBACK (on_session_online), self);
      if (g_strcmp0 (g_getenv ("FLINT_TEST_HOOKS"), "1") == 0)
        flint_session_add_handler (session, "presence", NULL, NULL, note_presence_time,
                                   self, NULL);
      if (self->transfers)
        flint_transfer_center_add_session (
          self->transfers, session,
          g_hash_table_lookup (self->discos, flint_account_get_jid (account)),
          g_hash_table_lookup (self->chats, flint_account_get_jid (account)),
          g_hash_table_lookup (self->rosters, flint_account_get_jid (account)));
      g_signal_emit (self, signals[SIGNAL_SESSION_ADDED], 0, session);
    }

  if (password)
    {
      flint_session_set_password (session, password);
      flint_session_connect (session);
    }
  else if (flint_session_has_password (session))
    {
      if (!chose_offline ())
        flint_session_connect (session);
    }
  else
    {
      PasswordLookup *lookup = g_new0 (PasswordLookup, 1);

      lookup->app = self;
      lookup->session = g_object_ref (session);
      g_application_hold (G_APPLICATION (self));
      flint_secrets_lookup (flint_account_get_jid (account), NULL, on_password_found,
                            lookup);
    }
  return session;
}

/* Removes from @table every "ACCOUNT jid" key of @account. */
static void
remove_account_keys (GHashTable *table, const char *account)
{
  g_autofree char *prefix = g_strconcat (account, " ", NULL);
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
}

/* Sessions closing after their account was removed, kept until their
 * stream has shut (CLOSING_MS at most), so the server sees a polite sign-off. */
#define CLOSING_MS 2000

static gboolean
release_closing (gpointer data)
{
  FlintApplication *self = data;

  self->closing_id = 0;
  g_ptr_array_set_size (self->closing, 0);
  return G_SOURCE_REMOVE;
}

/* Tool windows and dialogs that act as @account (an XML console, a room
 * browser, a join dialog on it): nothing is left to act on. */
static void
close_account_windows (const char *account)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr (GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
      FlintAccountChooser *chooser = g_object_get_data (window, "flint-account-chooser");
      const char *own = g_object_get_data (window, "flint-account");

      if (FLINT_IS_WINDOW (window))
        continue;
      if (chooser)
        own = flint_account_chooser_get_account (chooser);
      if (own && flint_jid_equal_bare (own, account))
        g_ptr_array_add (doomed, g_object_ref (window));
    }
  for (guint i = 0; i < doomed->len; i++)
    gtk_window_destroy (g_ptr_array_index (doomed, i));
}

/* An account removed from the store takes its session and every object made
 * for it along: added again, it starts afresh with its new settings. */
static void
drop_account (FlintApplication *self, const char *jid)
{
  g_autoptr (FlintSession) session = NULL;
  g_autofree char *account = g_strdup (jid);
  gpointer key;

  if (!g_hash_table_steal_extended (self->sessions, account, &key, (gpointer *) &session))
    return;
  g_free (key);
  g_debug ("%s: account removed, dropping its session", account);
  flint_session_disconnect (session);
  close_account_windows (account);
  if (self->transfers)
    flint_transfer_center_remove_session (self->transfers, account);
  remove_account_keys (self->conversations, account);
  remove_account_keys (self->notices, account);
  remove_account_keys (self->unread, account);
  remove_account_keys (self->unread_pending, account);
  /* Dependants before what they use. */
  g_hash_table_remove (self->bookmarks, account);
  g_hash_table_remove (self->rooms, account);
  g_hash_table_remove (self->mams, account);
  g_hash_table_remove (self->chats, account);
  {
    FlintAvatars *avatars = g_hash_table_lookup (self->avatars, account);

    if (avatars)
      flint_avatars_save_now (avatars);
    g_hash_table_remove (self->avatars, account);
  }
  g_hash_table_remove (self->discos, account);
  g_hash_table_remove (self->rosters, account);
  g_signal_emit (self, signals[SIGNAL_SESSION_REMOVED], 0, session);
  if (!flint_session_is_closed (session))
    {
      g_ptr_array_add (self->closing, g_object_ref (session));
      if (self->closing_id == 0)
        self->closing_id = g_timeout_add (CLOSING_MS, release_closing, self);
    }
}

static void
on_accounts_changed (GListModel *accounts,
                     guint position,
                     guint removed,
                     guint added,
                     FlintApplication *self)
{
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *jid;
  FlintSession *session;

  if (removed == 0)
    return;
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, (gpointer *) &jid, (gpointer *) &session))
    if (flint_account_store_lookup (self->accounts, jid) !=
        flint_session_get_account (session))
      g_ptr_array_add (gone, g_strdup (jid));
  for (guint i = 0; i < gone->len; i++)
    drop_account (self, g_ptr_array_index (gone, i));
}

gboolean
flint_application_reconnect_account (FlintApplication *self, FlintAccount *account)
{
  FlintSession *session =
    g_hash_table_lookup (self->sessions, flint_account_get_jid (account));

  if (session == NULL || !flint_account_get_enabled (account) || chose_offline ())
    return FALSE;
  flint_session_reconnect (session);
  return TRUE;
}

static void
start_enabled_accounts (FlintApplication *self)
{
  GListModel *model = flint_account_store_get_model (self->accounts);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FlintAccount) account = g_list_model_get_item (model, i);

      if (flint_account_get_enabled (account))
        flint_application_start_account (self, account, NULL);
    }
}

FlintAccountStore *
flint_application_get_accounts (FlintApplication *self)
{
  return self->accounts;
}

FlintSession *
flint_application_get_session (FlintApplication *self, const char *jid)
{
  return g_hash_table_lookup (self->sessions, jid);
}

FlintSession *
flint_application_get_main_session (FlintApplication *self)
{
  GListModel *model = flint_account_store_get_model (self->accounts);

  /* The first enabled account; with none enabled, the first that ran. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr (FlintAccount) account = g_list_model_get_item (model, i);
        FlintSession *session =
          g_hash_table_lookup (self->sessions, flint_account_get_jid (account));

        if (session && (pass == 1 || flint_account_get_enabled (account)))
          return session;
      }
  return NULL;
}

FlintChat *
flint_application_get_chat (FlintApplication *self, const char *jid)
{
  return g_hash_table_lookup (self->chats, jid);
}

FlintAvatars *
flint_application_get_avatars (FlintApplication *self, const char *account_jid)
{
  return g_hash_table_lookup (self->avatars, account_jid);
}

FlintRooms *
flint_application_get_rooms (FlintApplication *self, const char *jid)
{
  g_return_val_if_fail (FLINT_IS_APPLICATION (self), NULL);
  return jid ? g_hash_table_lookup (self->rooms, jid) : NULL;
}

FlintBookmarks *
flint_application_get_bookmarks (FlintApplication *self, const char *jid)
{
  g_return_val_if_fail (FLINT_IS_APPLICATION (self), NULL);
  return jid ? g_hash_table_lookup (self->bookmarks, jid) : NULL;
}

FlintRoster *
flint_application_get_roster (FlintApplication *self, const char *account_jid)
{
  return g_hash_table_lookup (self->rosters, account_jid);
}

FlintTransferCenter *
flint_application_get_transfer_center (FlintApplication *self)
{
  return self->transfers;
}

FlintHistory *
flint_application_get_history (FlintApplication *self)
{
  return self->history;
}

gboolean
flint_application_get_history_updating (FlintApplication *self)
{
  return self->history_updating;
}

gboolean
flint_application_get_secrets_available (FlintApplication *self)
{
  return self->secrets_available;
}

/* ---- actions ------------------------------------------------------------ */

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static GtkWindow *main_window (FlintApplication *self);

static void
preferences_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkWindow *parent = main_window (user_data);
  GtkWidget *window = GTK_WIDGET (flint_preferences_window_new (user_data, parent));

  gtk_window_present (GTK_WINDOW (window));
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { "The Flint developers", NULL };
  const char *designers[] = { "The Flint developers", NULL };
  const char *libraries[] = {
    "GTK https://gtk.org", "libadwaita https://gnome.pages.gitlab.gnome.org/libadwaita/",
    "libstrophe https://strophe.im/libstrophe/", NULL
  };
  GtkWidget *about;

  about = g_object_new (
    ADW_TYPE_ABOUT_WINDOW, "application-name", _ ("Flint"), "application-icon", APP_ID,
    "version", PACKAGE_VERSION, "developer-name", _ ("The Flint developers"),
    "developers", developers, "designers", designers, "artists", designers, "website",
    "https://flint.im/", "issue-url", "https://flint.im/issues", "copyright",
    "© 2026 The Flint developers", "license-type", GTK_LICENSE_GPL_3_0, "comments",
    _ ("Chat with your colleagues over XMPP"), "transient-for",
    main_window (FLINT_APPLICATION (app)), "modal", TRUE, NULL);
  /* TRANSLATORS: put your names here, one per line */
  adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about),
                                           _ ("translator-credits"));
  adw_about_window_add_credit_section (ADW_ABOUT_WINDOW (about), _ ("Built With"),
                                       libraries);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about), "libstrophe",
                                      "© The libstrophe developers", GTK_LICENSE_MIT_X11,
                                      NULL);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about), "SQLite", NULL,
                                      GTK_LICENSE_CUSTOM,
                                      _ ("SQLite is in the public domain."));
  gtk_window_present (GTK_WINDOW (about));
}

/* FLINT_TEST_HOOKS=1 exports one more action for the UI tests: it writes
 * the window's state as JSON to the given path, so a test driving the real
 * binary over D-Bus can assert what a person would see. */
static void
json_member (GString *out, const char *key, const char *value)
{
  g_string_append_printf (out, "%s\"%s\": ", out->len > 1 ? ", " : "", key);
  flint_json_append_string (out, value);
}

/* The open message dialog, if any: tests answer it like a user would. */
static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* The most recently focused main window: a dialog may be the active one. */
static GtkWindow *
main_window (FlintApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (FLINT_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* "rooms": [{jid, state, nick, subject, occupants, unread}], "bookmarks":
 * [{jid, name, autojoin}] */
static void
describe_rooms (FlintApplication *self, FlintSession *session, GString *out)
{
  const char *account = flint_account_get_jid (flint_session_get_account (session));
  FlintRooms *rooms = flint_application_get_rooms (self, account);
  FlintBookmarks *bookmarks = flint_application_get_bookmarks (self, account);
  GListModel *list = rooms ? flint_rooms_get_rooms (rooms) : NULL;
  GListModel *marks = bookmarks ? flint_bookmarks_get_bookmarks (bookmarks) : NULL;
  GEnumClass *klass = g_type_class_ref (FLINT_TYPE_ROOM_STATE);

  g_string_append (out, ", \"rooms\": [");
  for (guint i = 0; list && i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FlintRoom) room = g_list_model_get_item (list, i);
      GEnumValue *state = g_enum_get_value (klass, flint_room_get_state (room));
      const GError *error = flint_room_get_error (room);

      g_string_append_printf (out, "%s{\"jid\": ", i ? ", " : "");
      flint_json_append_string (out, flint_room_get_jid (room));
      g_string_append (out, ", \"state\": ");
      flint_json_append_string (out, state ? state->value_nick : "");
      g_string_append (out, ", \"nick\": ");
      flint_json_append_string (out, flint_room_get_nick (room));
      g_string_append (out, ", \"subject\": ");
      flint_json_append_string (out, flint_room_get_subject (room));
      g_string_append (out, ", \"error\": ");
      flint_json_append_string (out, error ? error->message : NULL);
      g_string_append (out, ", \"people\": [");
      for (guint j = 0; j < g_list_model_get_n_items (flint_room_get_occupants (room));
           j++)
        {
          g_autoptr (FlintOccupant) o =
            g_list_model_get_item (flint_room_get_occupants (room), j);
          g_autofree char *d = g_strdup_printf ("%s|%s|%s", flint_occupant_get_nick (o),
                                                flint_occupant_get_role (o),
                                                flint_occupant_get_affiliation (o));

          if (j)
            g_string_append (out, ", ");
          flint_json_append_string (out, d);
        }
      g_string_append (out, "]");
      g_string_append_printf (
        out, ", \"occupants\": %u, \"unread\": %u}",
        g_list_model_get_n_items (flint_room_get_occupants (room)),
        flint_application_get_unread (self, account, flint_room_get_jid (room)));
    }
  g_string_append (out, "], \"bookmarks\": [");
  for (guint i = 0; marks && i < g_list_model_get_n_items (marks); i++)
    {
      g_autoptr (FlintBookmark) b = g_list_model_get_item (marks, i);

      g_string_append_printf (out, "%s{\"jid\": ", i ? ", " : "");
      flint_json_append_string (out, flint_bookmark_get_jid (b));
      g_string_append (out, ", \"name\": ");
      flint_json_append_string (out, flint_bookmark_get_name (b));
      g_string_append_printf (out, ", \"autojoin\": %s}",
                              flint_bookmark_get_autojoin (b) ? "true" : "false");
    }
  g_string_append (out, "]");
  g_type_class_unref (klass);
}

static void
test_dump_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FlintApplication *self = user_data;
  GtkWindow *window = main_window (self);
  FlintSession *session = flint_application_get_main_session (self);
  const GError *error = session ? flint_session_get_error (session) : NULL;
  g_autoptr (GString) out = g_string_new ("{");
  g_autofree char *state = NULL;
  g_autofree char *code = g_strdup_printf ("%d", error ? error->code : -1);

  if (FLINT_IS_WINDOW (window))
    state = flint_window_describe_state (FLINT_WINDOW (window));
  json_member (out, "window", state);
  if (session)
    {
      GEnumClass *klass = g_type_class_ref (FLINT_TYPE_SESSION_STATE);
      GEnumValue *value = g_enum_get_value (klass, flint_session_get_state (session));

      json_member (out, "state", value ? value->value_nick : "");
      json_member (out, "bound_jid", flint_session_get_bound_jid (session));
      g_type_class_unref (klass);
    }
  if (session)
    json_member (out, "resumed",
                 g_object_get_data (G_OBJECT (session), "flint-resumed") ? "1" : "0");
  json_member (out, "error_code", code);
  json_member (out, "last_notification", self->last_notice);
  json_member (out, "error", error ? error->message : NULL);
  g_string_append_printf (out, ", \"unread_total\": %u",
                          flint_application_get_total_unread (self));
  if (session)
    {
      FlintRoster *roster = flint_application_get_roster (
        self, flint_account_get_jid (flint_session_get_account (session)));
      GListModel *contacts = roster ? flint_roster_get_contacts (roster) : NULL;
      guint n = contacts ? g_list_model_get_n_items (contacts) : 0, online = 0;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (FlintContact) contact = g_list_model_get_item (contacts, i);

          online += flint_contact_get_presence (contact) != FLINT_PRESENCE_OFFLINE;
        }
      g_string_append_printf (out,
                              ", \"contacts\": %u, \"contacts_online\": %u"
                              ", \"online_at_us\": %" G_GINT64_FORMAT
                              ", \"last_presence_at_us\": %" G_GINT64_FORMAT,
                              n, online, self->online_at, self->last_presence_at);
    }
  /* Every account: "account_list": [{jid, enabled, state, contacts, online}] */
  {
    GListModel *accounts = flint_account_store_get_model (self->accounts);
    GEnumClass *klass = g_type_class_ref (FLINT_TYPE_SESSION_STATE);

    g_string_append (out, ", \"account_list\": [");
    for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
      {
        g_autoptr (FlintAccount) account = g_list_model_get_item (accounts, i);
        const char *jid = flint_account_get_jid (account);
        FlintSession *s = g_hash_table_lookup (self->sessions, jid);
        FlintRoster *roster = g_hash_table_lookup (self->rosters, jid);
        GListModel *contacts = roster ? flint_roster_get_contacts (roster) : NULL;
        GEnumValue *value =
          s ? g_enum_get_value (klass, flint_session_get_state (s)) : NULL;
        guint n = contacts ? g_list_model_get_n_items (contacts) : 0, online = 0;

        for (guint j = 0; j < n; j++)
          {
            g_autoptr (FlintContact) contact = g_list_model_get_item (contacts, j);

            online += flint_contact_get_presence (contact) != FLINT_PRESENCE_OFFLINE;
          }
        g_string_append_printf (out, "%s{\"jid\": ", i ? ", " : "");
        flint_json_append_string (out, jid);
        g_string_append (out, ", \"state\": ");
        flint_json_append_string (out, value ? value->value_nick : "none");
        g_string_append_printf (
          out, ", \"enabled\": %s, \"contacts\": %u, \"online\": %u}",
          flint_account_get_enabled (account) ? "true" : "false", n, online);
      }
    g_string_append (out, "]");
    g_type_class_unref (klass);
  }
  g_string_append_printf (
    out, ", \"idle_state\": %d, \"dark\": %s, \"notified\": %u, \"accounts\": %u",
    self->idle ? (int) flint_idle_monitor_get_state (self->idle) : -1,
    adw_style_manager_get_dark (adw_style_manager_get_default ()) ? "true" : "false",
    self->notified,
    g_list_model_get_n_items (flint_account_store_get_model (self->accounts)));
  g_string_append_printf (out, ", \"sessions_alive\": %u", count_live_sessions (self));
  g_string_append_printf (out, ", \"history_updating\": %s, \"history\": %s",
                          self->history_updating ? "true" : "false",
                          self->history ? "true" : "false");
  /* The main account's archive catch-up (XEP-0313) is under way. */
  {
    FlintMam *mam =
      session ? g_hash_table_lookup (
                  self->mams, flint_account_get_jid (flint_session_get_account (session)))
              : NULL;

    g_string_append_printf (out, ", \"catching_up\": %s",
                            mam && flint_mam_get_busy (mam) ? "true" : "false");
  }
  g_string_append_printf (
    out, ", \"compact\": %s",
    window && gtk_widget_has_css_class (GTK_WIDGET (window), "compact-roster") ? "true"
                                                                               : "false");
  /* The longest main-loop stall seen by app.test-stall-watch, in ms. */
  {
    /* JSON numbers take a dot whatever the locale (German writes 0,5). */
    char number[G_ASCII_DTOSTR_BUF_SIZE];

    g_string_append_printf (
      out, ", \"max_stall_ms\": %s",
      g_ascii_formatd (number, sizeof number, "%.1f", self->stall_max / 1000.0));
    g_string_append_printf (out, ", \"frames\": %u", self->frames);
  }
  {
    AdwMessageDialog *dialog = find_message_dialog ();

    json_member (out, "dialog", dialog ? adw_message_dialog_get_heading (dialog) : NULL);
    json_member (out, "dialog_body",
                 dialog ? adw_message_dialog_get_body (dialog) : NULL);
  }
  if (session)
    describe_rooms (self, session, out);
  if (FLINT_IS_WINDOW (window))
    flint_window_describe_json (FLINT_WINDOW (window), out);
  /* Every window's tabs, newest focused window first. */
  g_string_append (out, ", \"windows\": [");
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    {
      if (!FLINT_IS_WINDOW (l->data))
        continue;
      if (out->str[out->len - 1] != '[')
        g_string_append (out, ", ");
      flint_window_describe_tabs (l->data, out);
    }
  g_string_append (out, "]");
  if (self->transfers)
    flint_transfer_center_describe_json (self->transfers, out);
  flint_room_browser_describe_windows_json (out);
  g_string_append (out, "}\n");
  g_file_set_contents (g_variant_get_string (parameter, NULL), out->str,
                       (gssize) out->len, NULL);
}

static void
send_message (FlintApplication *self, const char *from, const char *to, const char *text)
{
  FlintChat *chat = from ? flint_application_get_chat (self, from) : NULL;
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autoptr (GError) error = NULL;

  if (chat == NULL)
    {
      g_warning ("Cannot send a message: account %s is not running",
                 from ? from : "(none)");
      return;
    }
  record = flint_chat_send (chat, to, text, &error);
  if (record == NULL)
    g_warning ("Cannot send a message: %s", error->message);
}

/* app.send-message (ADDRESS, TEXT): used by flint --send; sends from the
 * main account, or keeps the message pending until it is online. */
static void
send_message_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FlintApplication *self = user_data;
  FlintSession *session = flint_application_get_main_session (self);
  const char *to, *text;

  g_variant_get (parameter, "(&s&s)", &to, &text);
  send_message (
    self, session ? flint_account_get_jid (flint_session_get_account (session)) : NULL,
    to, text);
}

/* app.send-message-from (ACCOUNT, ADDRESS, TEXT): flint --send --account. */
static void
send_message_from_activated (GSimpleAction *action,
                             GVariant *parameter,
                             gpointer user_data)
{
  const char *from, *to, *text;

  g_variant_get (parameter, "(&s&s&s)", &from, &to, &text);
  send_message (user_data, from, to, text);
}

/* The default action of message notifications, and a way in for tests. */
static void
open_chat_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FlintApplication *self = user_data;
  FlintSession *session = flint_application_get_main_session (self);
  GtkWindow *window = NULL;
  const char *jid = g_variant_get_string (parameter, NULL);
  const char *space = strchr (jid, ' ');

  /* "ACCOUNT JID" (a notification's) names the account; a JID alone is the
   * main account's. */
  if (space)
    {
      g_autofree char *account = g_strndup (jid, (gsize) (space - jid));

      session = g_hash_table_lookup (self->sessions, account);
      jid = space + 1;
    }
  if (session == NULL || !flint_jid_is_valid (jid))
    return;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (FLINT_IS_WINDOW (l->data) &&
        flint_window_has_chat (
          FLINT_WINDOW (l->data),
          flint_account_get_jid (flint_session_get_account (session)), jid))
      window = l->data;
  if (window == NULL)
    window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (flint_window_new (self));
  {
    /* A room's address (a mention notification) opens the room's tab. */
    FlintRooms *rooms = flint_application_get_rooms (
      self, flint_account_get_jid (flint_session_get_account (session)));
    FlintRoom *room = rooms ? flint_rooms_get_room (rooms, jid) : NULL;

    if (room)
      flint_window_open_room (FLINT_WINDOW (window), room, TRUE);
    else
      flint_window_open_chat (FLINT_WINDOW (window),
                              flint_account_get_jid (flint_session_get_account (session)),
                              jid, TRUE);
  }
  gtk_window_present (window);
}

static gboolean
activate_from (GtkWidget *widget, const char *name, const char *value)
{
  if (value)
    return gtk_widget_activate_action (widget, name, "s", value);
  return gtk_widget_activate_action (widget, name, NULL);
}

/* Actions of a widget outside the focus chain (the roster's, say, while the
 * composer has the focus): tried from every widget below. */
static gboolean
activate_below (GtkWidget *widget, const char *name, const char *value)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (gtk_widget_get_first_child (child) == NULL)
        {
          if (activate_from (child, name, value))
            return TRUE;
        }
      else if (activate_below (child, name, value))
        return TRUE;
    }
  return FALSE;
}

/* app.test-activate ("win.add-account", or "spelling.language|en_GB" for an
 * action with a string value): runs an action as its button or menu item
 * would, looked up from the focused widget up to the window, for tests
 * driving the real UI. */
static void
test_activate_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkWindow *window = main_window (user_data);
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (parameter, NULL), "|", 2);
  GtkWidget *focus;

  if (window == NULL || parts[0] == NULL)
    return;
  focus = gtk_root_get_focus (GTK_ROOT (window));
  if (focus == NULL)
    focus = GTK_WIDGET (window);
  if (activate_from (focus, parts[0], parts[1]) ||
      activate_below (GTK_WIDGET (window), parts[0], parts[1]))
    return;
  /* Then dialogs and other windows (a room browser, a join dialog). */
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr (GtkWindow) other = g_list_model_get_item (toplevels, i);

        if (other != window && (activate_from (GTK_WIDGET (other), parts[0], parts[1]) ||
                                activate_below (GTK_WIDGET (other), parts[0], parts[1])))
          return;
      }
  }
  g_warning ("test-activate: no widget has the action %s", parts[0]);
}

static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found)
        return found;
    }
  return NULL;
}

/* app.test-respond ("rename|New Name"): types the text into the open message
 * dialog's entry, if given, and clicks the response's button; "save|A|B"
 * also types B into a second field the dialog names "entry2". */
static void
test_respond_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AdwMessageDialog *dialog = find_message_dialog ();
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (parameter, NULL), "|", 2);
  GtkWidget *extra, *button;

  if (dialog == NULL || parts[0] == NULL ||
      !adw_message_dialog_has_response (dialog, parts[0]))
    {
      g_warning ("test-respond: no dialog with response %s", parts[0]);
      return;
    }
  extra = adw_message_dialog_get_extra_child (dialog);
  /* A dialog whose entry sits inside a bigger extra child names it. */
  if (extra && !GTK_IS_EDITABLE (extra))
    extra = g_object_get_data (G_OBJECT (dialog), "entry");
  /* "save|HOST|PORT": a dialog with a second field names it "entry2". */
  if (parts[1] && g_object_get_data (G_OBJECT (dialog), "entry2"))
    {
      g_auto (GStrv) texts = g_strsplit (parts[1], "|", 2);

      if (texts[0] && texts[1])
        {
          gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "entry2"),
                                 texts[1]);
          g_free (parts[1]);
          parts[1] = g_strdup (texts[0]);
        }
    }
  if (parts[1] && extra && GTK_IS_EDITABLE (extra))
    gtk_editable_set_text (GTK_EDITABLE (extra), parts[1]);
  button = find_button (GTK_WIDGET (dialog),
                        adw_message_dialog_get_response_label (dialog, parts[0]));
  if (button)
    gtk_widget_activate (button);
}

/* The preferences row titled @title (mnemonic underscores ignored), below
 * @widget. */
static GtkWidget *
find_pref_row (GtkWidget *widget, const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget))
    {
      g_autofree char *plain =
        g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)));
      char *out = plain;

      for (const char *in = plain; *in; in++)
        if (*in != '_')
          *out++ = *in;
      *out = '\0';
      if (g_str_equal (plain, title))
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_pref_row (child, title);

      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_switch (GtkWidget *widget)
{
  if (GTK_IS_SWITCH (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_switch (child);

      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button_by_tooltip (GtkWidget *widget, const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_by_tooltip (child, tooltip);

      if (found)
        return found;
    }
  return NULL;
}

/* Icon-only buttons need a tooltip (for sighted mouse users) and an
 * accessible label (for screen readers): returns the ones that lack either,
 * as "Type icon-name (missing)". Buttons inside GTK's and libadwaita's own
 * composite widgets are theirs to label. */
static gboolean
is_toolkit_internal (GtkWidget *widget)
{
  for (GtkWidget *w = gtk_widget_get_parent (widget); w; w = gtk_widget_get_parent (w))
    if (GTK_IS_WINDOW_CONTROLS (w) || GTK_IS_SPIN_BUTTON (w) ||
        GTK_IS_PASSWORD_ENTRY (w) || ADW_IS_TAB_BAR (w) || GTK_IS_SEARCH_ENTRY (w) ||
        GTK_IS_SEARCH_BAR (w) || GTK_IS_POPOVER_MENU (w) || GTK_IS_CALENDAR (w) ||
        ADW_IS_COMBO_ROW (w) || ADW_IS_SPLIT_BUTTON (w) || GTK_IS_SHORTCUTS_WINDOW (w) ||
        GTK_IS_FILE_CHOOSER (w))
      return TRUE;
  return FALSE;
}

static void
audit_buttons (GtkWidget *widget, GString *out)
{
  if (GTK_IS_BUTTON (widget) && !is_toolkit_internal (widget))
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));
      GtkWidget *owner = widget;
      gboolean icon_only =
        gtk_button_get_label (GTK_BUTTON (widget)) == NULL &&
        (gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL || GTK_IS_IMAGE (child));

      /* A menu button's toggle: the menu button carries the labels. */
      if (GTK_IS_MENU_BUTTON (gtk_widget_get_parent (widget)))
        {
          owner = gtk_widget_get_parent (widget);
          icon_only = gtk_menu_button_get_label (GTK_MENU_BUTTON (owner)) == NULL &&
                      (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (owner)) != NULL ||
                       GTK_IS_IMAGE (child));
        }
      if (icon_only)
        {
          /* A fixed text, or one given when asked (rows in lists). */
          gboolean tooltip =
            gtk_widget_get_tooltip_text (owner) != NULL ||
            gtk_widget_get_tooltip_markup (owner) != NULL ||
            (gtk_widget_get_has_tooltip (owner) &&
             g_signal_has_handler_pending (
               owner, g_signal_lookup ("query-tooltip", GTK_TYPE_WIDGET), 0, FALSE));
          gboolean label = gtk_test_accessible_has_property (
                             GTK_ACCESSIBLE (owner), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
                           gtk_test_accessible_has_relation (
                             GTK_ACCESSIBLE (owner), GTK_ACCESSIBLE_RELATION_LABELLED_BY);

          if (!tooltip || !label)
            {
              const char *icon =
                GTK_IS_MENU_BUTTON (owner)
                  ? gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (owner))
                  : gtk_button_get_icon_name (GTK_BUTTON (owner));
              g_autofree char *d = g_strdup_printf (
                "%s %s in %s (%s%s)", G_OBJECT_TYPE_NAME (owner), icon ? icon : "?",
                G_OBJECT_TYPE_NAME (gtk_widget_get_root (owner)),
                tooltip ? "" : "no tooltip",
                label ? "" : (tooltip ? "no label" : ", no label"));

              if (out->str[out->len - 1] != '[')
                g_string_append (out, ", ");
              flint_json_append_string (out, d);
            }
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c;
       c = gtk_widget_get_next_sibling (c))
    audit_buttons (c, out);
}

/* app.test-audit-buttons (PATH, or "PATH|selfcheck"): writes the JSON list
 * of icon-only buttons without tooltip or accessible label in every open
 * window. Accessible properties are readable with GTK_A11Y=test only. */
static void
test_audit_buttons_activated (GSimpleAction *action,
                              GVariant *parameter,
                              gpointer user_data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr (GString) out = g_string_new ("[");
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (parameter, NULL), "|", 2);

  if (g_strcmp0 (parts[1], "selfcheck") == 0)
    {
      /* The audit of a window with one unlabelled icon button, to show the
       * test that the audit finds one. */
      GtkWidget *window = gtk_window_new ();

      gtk_window_set_child (GTK_WINDOW (window),
                            gtk_button_new_from_icon_name ("edit-copy-symbolic"));
      audit_buttons (window, out);
      gtk_window_destroy (GTK_WINDOW (window));
    }
  else
    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

        audit_buttons (window, out);
      }
  g_string_append (out, "]\n");
  g_file_set_contents (parts[0], out->str, (gssize) out->len, NULL);
}

/* app.test-pref ("Title|value"): sets the control of the open preferences
 * window's row as a user would: a switch to "true"/"false", a combo row to
 * the item at an index, a spin button to a number, or clicks the row's button
 * whose tooltip is the value. "page|NAME" shows a page. */
static void
test_pref_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (parameter, NULL), "|", 2);
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget *row = NULL;

  for (guint i = 0; row == NULL && i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (FLINT_IS_PREFERENCES_WINDOW (window))
        row = find_pref_row (window, parts[0]);
    }
  if (g_str_equal (parts[0], "page") && parts[1])
    {
      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

          if (FLINT_IS_PREFERENCES_WINDOW (window))
            adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window),
                                                          parts[1]);
        }
      return;
    }
  if (row == NULL || parts[1] == NULL)
    {
      g_warning ("test-pref: no preferences row %s", parts[0]);
      return;
    }
  {
    /* "ROW|Tooltip": clicks the row's button with that tooltip. */
    GtkWidget *button = find_button_by_tooltip (row, parts[1]);

    if (button)
      {
        gtk_widget_activate (button);
        return;
      }
  }
  if (ADW_IS_COMBO_ROW (row))
    adw_combo_row_set_selected (ADW_COMBO_ROW (row), (guint) atoi (parts[1]));
  else if (ADW_IS_ACTION_ROW (row))
    {
      GtkWidget *control = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row));

      if (control == NULL)
        control = find_switch (row);
      if (GTK_IS_SWITCH (control))
        gtk_switch_set_active (GTK_SWITCH (control), g_str_equal (parts[1], "true"));
      else if (GTK_IS_SPIN_BUTTON (control))
        gtk_spin_button_set_value (GTK_SPIN_BUTTON (control),
                                   g_ascii_strtod (parts[1], NULL));
    }
}

static gboolean
on_stall_tick (gpointer user_data)
{
  FlintApplication *self = user_data;
  gint64 now = g_get_monotonic_time ();

  self->stall_max = MAX (self->stall_max, now - self->stall_last);
  self->stall_last = now;
  return G_SOURCE_CONTINUE;
}

static void
on_after_paint (FlintApplication *self)
{
  self->frames++;
}

/* app.test-stall-watch (TRUE to start from zero, FALSE to stop). */
static void
test_stall_watch_activated (GSimpleAction *action,
                            GVariant *parameter,
                            gpointer user_data)
{
  FlintApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  g_clear_handle_id (&self->stall_id, g_source_remove);
  if (self->frame_clock)
    g_clear_signal_handler (&self->paint_handler, self->frame_clock);
  g_clear_object (&self->frame_clock);
  if (!g_variant_get_boolean (parameter))
    return;
  self->stall_max = 0;
  self->frames = 0;
  self->stall_last = g_get_monotonic_time ();
  self->stall_id = g_timeout_add_full (G_PRIORITY_HIGH, 10, on_stall_tick, self, NULL);
  if (window && gtk_widget_get_realized (GTK_WIDGET (window)))
    {
      self->frame_clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (window)));
      self->paint_handler = g_signal_connect_swapped (self->frame_clock, "after-paint",
                                                      G_CALLBACK (on_after_paint), self);
    }
}

static void
test_send_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window)
    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.send", parameter);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "open-chat", open_chat_activated, "s" },
  { "about", about_activated },
  { "preferences", preferences_activated },
  { "send-message", send_message_activated, "(ss)" },
  { "send-message-from", send_message_from_activated, "(sss)" },
};

/* ---- history retention -------------------------------------------------- */

static void apply_retention (FlintApplication *self);

static gboolean
retention_due (gpointer data)
{
  FlintApplication *self = data;

  self->retention_id = 0;
  apply_retention (self);
  return G_SOURCE_REMOVE;
}

static void
on_expired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlintApplication) self = user_data;
  g_autoptr (GError) error = NULL;
  guint deleted = 0;

  self->retention_running = FALSE;
  if (!flint_history_jobs_finish (result, &deleted, &error))
    g_warning ("Could not delete old messages: %s", error->message);
  else
    g_debug ("Retention deleted %u old messages", deleted);
}

/* The "history-retention-days" rule, in a worker (its own FlintHistory,
 * small transactions), now and then once a day: one long timeout, no
 * polling. */
static void
apply_retention (FlintApplication *self)
{
  int days =
    self->settings ? g_settings_get_int (self->settings, "history-retention-days") : 0;

  g_clear_handle_id (&self->retention_id, g_source_remove);
  if (days <= 0 || self->history == NULL)
    return;
  if (!self->retention_running)
    {
      gint64 before = g_get_real_time () - (gint64) days * 24 * 3600 * G_USEC_PER_SEC;

      self->retention_running = TRUE;
      flint_history_expire_async (flint_history_get_path (self->history), before,
                                  self->retention_cancel, on_expired,
                                  g_object_ref (self));
    }
  self->retention_id = g_timeout_add_seconds (24 * 3600, retention_due, self);
}

/* ---- appearance and idle -------------------------------------------------- */

static void
apply_color_scheme (FlintApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme value = ADW_COLOR_SCHEME_DEFAULT;

  if (g_strcmp0 (scheme, "light") == 0)
    value = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (scheme, "dark") == 0)
    value = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), value);
}

static void
apply_idle_settings (FlintApplication *self)
{
  gboolean on = g_settings_get_boolean (self->settings, "auto-away");

  flint_idle_monitor_set_away_minutes (
    self->idle, on ? g_settings_get_uint (self->settings, "auto-away-minutes") : 0);
  flint_idle_monitor_set_xa_minutes (
    self->idle, on ? g_settings_get_uint (self->settings, "auto-xa-minutes") : 0);
}

static void
start_idle_monitor (FlintApplication *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));

  if (bus == NULL)
    return;
  self->idle = flint_idle_monitor_new (bus);
  g_signal_connect_swapped (self->settings, "changed::auto-away",
                            G_CALLBACK (apply_idle_settings), self);
  g_signal_connect_swapped (self->settings, "changed::auto-away-minutes",
                            G_CALLBACK (apply_idle_settings), self);
  g_signal_connect_swapped (self->settings, "changed::auto-xa-minutes",
                            G_CALLBACK (apply_idle_settings), self);
  apply_idle_settings (self);
}

FlintIdleMonitor *
flint_application_get_idle_monitor (FlintApplication *self)
{
  return self->idle;
}

/* ---- life cycle --------------------------------------------------------- */

/* The history of an older Flint, migrated in a worker, is ready: what
 * start-up left for it happens now. */
static void
on_history_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (FlintApplication) self = data;
  g_autoptr (GError) error = NULL;

  self->history = flint_history_open_finish (result, &error);
  self->history_updating = FALSE;
  if (self->history == NULL)
    g_warning ("History unavailable: %s", error->message);
  else
    g_debug ("History updated");
  start_enabled_accounts (self);
  apply_retention (self);
  g_signal_emit (self, signals[SIGNAL_HISTORY_READY], 0);
  g_application_release (G_APPLICATION (self));
}

static void
flint_application_startup (GApplication *app)
{
  FlintApplication *self = FLINT_APPLICATION (app);
  g_autoptr (GError) error = NULL;
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };

  /* Accounts, history and sign-in come before GTK's own start-up (display,
   * theme, settings): the password lookup and the connection then run while
   * GTK initialises. */
  if (!flint_account_store_load (self->accounts, &error))
    g_warning ("%s", error->message);
  g_clear_error (&error);

  /* An older Flint's history is migrated in a worker (a minute for
   * millions of messages) while the window says so; the accounts, which
   * store what they receive, start once it is done. Held, so closing the
   * window meanwhile lets the migration finish rather than cutting it. */
  if (flint_history_needs_migration (NULL))
    {
      self->history_updating = TRUE;
      g_application_hold (app);
      flint_history_open_async (NULL, NULL, on_history_opened, g_object_ref (self));
    }
  else
    {
      /* A damaged store is backed up and replaced by flint_history_open();
       * the window tells the user. */
      self->history = flint_history_open (NULL, &error);
      if (self->history == NULL)
        g_warning ("History unavailable: %s", error->message);
    }

  self->started = TRUE;
  /* Before the sessions: each one gets its FlintTransfers as it starts. */
  self->transfers = flint_transfer_center_new (GTK_APPLICATION (app));
  if (!self->history_updating)
    start_enabled_accounts (self);

  g_signal_connect_swapped (app_settings (self), "changed::history-retention-days",
                            G_CALLBACK (apply_retention), self);
  apply_retention (self);

  G_APPLICATION_CLASS (flint_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  flint_tools_install (self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         preferences_accels);

  g_signal_connect_swapped (self->settings, "changed::color-scheme",
                            G_CALLBACK (apply_color_scheme), self);
  apply_color_scheme (self);
  start_idle_monitor (self);
  if (g_strcmp0 (g_getenv ("FLINT_TEST_HOOKS"), "1") == 0)
    {
      const GActionEntry test_actions[] = {
        { "test-dump", test_dump_activated, "s" },
        { "test-send", test_send_activated, "s" },
        { "test-activate", test_activate_activated, "s" },
        { "test-respond", test_respond_activated, "s" },
        { "test-stall-watch", test_stall_watch_activated, "b" },
        { "test-pref", test_pref_activated, "s" },
        { "test-audit-buttons", test_audit_buttons_activated, "s" },
      };
      g_action_map_add_action_entries (G_ACTION_MAP (app), test_actions,
                                       G_N_ELEMENTS (test_actions), app);
    }
}

static void
present_window (FlintApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->present_id || self->present_handler)
    {
      g_clear_handle_id (&self->present_id, g_source_remove);
      /* Its account may have been removed meanwhile: the handler is on the
       * session it was connected to, not on today's main one. */
      if (self->present_session)
        g_clear_signal_handler (&self->present_handler, self->present_session);
      g_clear_object (&self->present_session);
      g_application_release (G_APPLICATION (self));
    }
  if (window == NULL)
    window = GTK_WINDOW (flint_window_new (self));
  gtk_window_present (window);
}

static gboolean
present_window_timeout (gpointer user_data)
{
  FlintApplication *self = user_data;

  self->present_id = 0;
  present_window (self);
  return G_SOURCE_REMOVE;
}

static void
on_main_session_state (FlintSession *session, GParamSpec *pspec, FlintApplication *self)
{
  FlintSessionState state = flint_session_get_state (session);

  if (state == FLINT_SESSION_ONLINE || state == FLINT_SESSION_DISCONNECTED ||
      state == FLINT_SESSION_RECONNECTING)
    present_window (self);
}

static void
flint_application_activate (GApplication *app)
{
  FlintApplication *self = FLINT_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (!self->first_activation_done)
    {
      self->first_activation_done = TRUE;
      /* Realizing the first window (GL set-up, first frame) holds the main
       * loop for a good part of a second on slow machines, which would stall
       * the handshake behind it. Sign-in usually finishes sooner, so show the
       * window once the main account is online or has failed, or after
       * WINDOW_DELAY_MS at the latest. */
      if (window == NULL && flint_application_get_main_session (self))
        {
          g_application_hold (app);
          self->present_id =
            g_timeout_add (WINDOW_DELAY_MS, present_window_timeout, self);
          self->present_session =
            g_object_ref (flint_application_get_main_session (self));
          self->present_handler =
            g_signal_connect (self->present_session, "notify::state",
                              G_CALLBACK (on_main_session_state), self);
          return;
        }
    }
  present_window (self);
}

#define SHUTDOWN_MS 1000

static gboolean
shutdown_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
all_sessions_closed (FlintApplication *self)
{
  GHashTableIter iter;
  FlintSession *session;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &session))
    if (!flint_session_is_closed (session))
      return FALSE;
  for (guint i = 0; i < self->closing->len; i++)
    if (!flint_session_is_closed (g_ptr_array_index (self->closing, i)))
      return FALSE;
  return TRUE;
}

static void
save_avatars (const char *account, FlintAvatars *avatars, gpointer data)
{
  flint_avatars_save_now (avatars);
}

static void
flint_application_shutdown (GApplication *app)
{
  FlintApplication *self = FLINT_APPLICATION (app);
  GHashTableIter iter;
  FlintSession *session;
  gboolean timed_out = FALSE;
  guint timer;

  /* Sign off politely and let the streams close (so nothing is cut off
   * mid-stanza), but never hold up quitting for long. */
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &session))
    flint_session_disconnect (session);
  timer = g_timeout_add (SHUTDOWN_MS, shutdown_timeout, &timed_out);
  while (!timed_out && !all_sessions_closed (self))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timer);
  /* What the avatar index still has to write. */
  g_hash_table_foreach (self->avatars, (GHFunc) save_avatars, NULL);

  g_cancellable_cancel (self->retention_cancel);
  g_clear_handle_id (&self->retention_id, g_source_remove);
  /* Settings changed just before quitting (a group collapsed) are written
   * by the backend later: write them now. */
  g_settings_sync ();

  G_APPLICATION_CLASS (flint_application_parent_class)->shutdown (app);
}

static void
flint_application_finalize (GObject *object)
{
  FlintApplication *self = FLINT_APPLICATION (object);

  g_clear_handle_id (&self->stall_id, g_source_remove);
  if (self->frame_clock)
    g_clear_signal_handler (&self->paint_handler, self->frame_clock);
  g_clear_object (&self->frame_clock);
  g_clear_pointer (&self->conversations, g_hash_table_unref);
  g_clear_handle_id (&self->unread_flush_id, g_source_remove);
  g_clear_handle_id (&self->retention_id, g_source_remove);
  g_clear_object (&self->retention_cancel);
  g_clear_object (&self->idle);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->unread_pending, g_hash_table_unref);
  g_clear_pointer (&self->unread, g_hash_table_unref);
  g_clear_pointer (&self->notices, g_hash_table_unref);
  g_clear_pointer (&self->last_notice, g_free);
  g_clear_pointer (&self->chats, g_hash_table_unref);
  g_clear_object (&self->transfers);
  g_clear_pointer (&self->discos, g_hash_table_unref);
  g_clear_pointer (&self->mams, g_hash_table_unref);
  g_clear_pointer (&self->avatars, g_hash_table_unref);
  g_clear_pointer (&self->bookmarks, g_hash_table_unref);
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_pointer (&self->rosters, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_handle_id (&self->closing_id, g_source_remove);
  g_clear_pointer (&self->closing, g_ptr_array_unref);
  g_clear_object (&self->present_session);
  g_clear_pointer (&self->made_sessions, g_ptr_array_unref);
  g_clear_object (&self->history);
  g_clear_object (&self->accounts);
  G_OBJECT_CLASS (flint_application_parent_class)->finalize (object);
}

static void
flint_application_class_init (FlintApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = flint_application_finalize;
  app_class->handle_local_options = flint_application_handle_local_options;
  app_class->local_command_line = flint_application_local_command_line;
  app_class->startup = flint_application_startup;
  app_class->activate = flint_application_activate;
  app_class->shutdown = flint_application_shutdown;

  signals[SIGNAL_UNREAD_CHANGED] =
    g_signal_new ("unread-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_HISTORY_READY] =
    g_signal_new ("history-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SESSION_ADDED] =
    g_signal_new ("session-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_SESSION);
  /* After the account's objects left the application (account removed). */
  signals[SIGNAL_SESSION_REMOVED] =
    g_signal_new ("session-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_SESSION);
}

static void
flint_application_init (FlintApplication *self)
{
  const GOptionEntry entries[] = {
    { "add-account", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_ ("Set up an account, reading its password from standard input, then exit"),
      N_ ("ADDRESS") },
    { "host", 0, 0, G_OPTION_ARG_STRING, NULL, N_ ("Server host for --add-account"),
      N_ ("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, NULL, N_ ("Server port for --add-account"),
      N_ ("PORT") },
    { "trust-cert-sha256", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_ ("Trust the server certificate with this SHA-256 fingerprint"),
      N_ ("FINGERPRINT") },
    { "send", 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL,
      N_ ("Send a message through the running Flint (starting it if needed), then exit"),
      N_ ("ADDRESS TEXT") },
    { "account", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_ ("The account --send sends from (default: the first one turned on)"),
      N_ ("ACCOUNT") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Show the version and exit"), NULL },
    { NULL },
  };

  self->accounts = flint_account_store_new (NULL);
  g_signal_connect (flint_account_store_get_model (self->accounts), "items-changed",
                    G_CALLBACK (on_accounts_changed), self);
  self->closing = g_ptr_array_new_with_free_func (g_object_unref);
  self->made_sessions = g_ptr_array_new_with_free_func (free_weak_ref);
  self->sessions =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->chats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->discos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->mams = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->avatars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->bookmarks =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->rosters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->conversations =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->unread = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->unread_pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->notices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, notice_free);
  self->secrets_available = TRUE;
  self->retention_cancel = g_cancellable_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _ ("Chat with your colleagues over XMPP."));
}

FlintApplication *
flint_application_new (void)
{
  return g_object_new (FLINT_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, "resource-base-path",
                       "/im/flint/Flint", NULL);
}

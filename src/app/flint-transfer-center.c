/* FlintTransferCenter: the application side of file transfers.
 *
 * One FlintTransfers per account (created as each session starts), all of
 * them seen as one list by the transfer window; the app actions the window,
 * the conversation and the notifications use (accept, decline, cancel,
 * retry, open, show in folder, attach); the choice of method when sending
 * (SI to a resource that supports it, else HTTP upload, whose URL is then
 * sent as a message); every transfer as a row of its conversation's
 * timeline (a FLINT_MESSAGE_KIND_FILE record kept up to date, the upload's
 * link sent as that same row); and the download folder from GSettings. */
#include "config.h"

#define G_LOG_DOMAIN "flint-transfer-center"

#include <glib/gi18n.h>

#include "flint-file-card.h"
#include "flint-jid.h"
#include "flint-json.h"
#include "flint-message.h"
#include "flint-transfer-center.h"
#include "flint-transfers-window.h"

#define NS_FT "http://jabber.org/protocol/si/profile/file-transfer"

typedef struct
{
  FlintSession *session;
  FlintDisco *disco;
  FlintChat *chat;
  FlintRoster *roster;
  FlintTransfers *transfers;
} Entry;

struct _FlintTransferCenter
{
  GObject parent_instance;

  GtkApplication *app; /* weak: the app owns us */
  GHashTable *entries; /* account -> Entry */
  GListStore *models;  /* the FlintTransfers, one per account */
  GtkFlattenListModel *all;
  GSettings *settings;
  GHashTable *rows;      /* FlintTransfer -> TimelineRow */
  GHashTable *by_record; /* gint64 record id -> FlintTransfer (in rows) */
};

/* A transfer's item in its conversation's timeline: a file row in
 * FlintHistory, rewritten as the transfer moves on. */
typedef struct
{
  FlintChat *chat;
  FlintMessageRecord *record;
  gboolean link_sent;
} TimelineRow;

static void
timeline_row_free (TimelineRow *row)
{
  g_object_unref (row->chat);
  flint_message_record_free (row->record);
  g_free (row);
}

G_DEFINE_FINAL_TYPE (FlintTransferCenter, flint_transfer_center, G_TYPE_OBJECT)

static void
entry_free (Entry *entry)
{
  if (entry->transfers)
    g_object_set_data (G_OBJECT (entry->transfers), "flint-center-entry", NULL);
  g_clear_object (&entry->transfers);
  g_clear_object (&entry->session);
  g_clear_object (&entry->disco);
  g_clear_object (&entry->chat);
  g_clear_object (&entry->roster);
  g_free (entry);
}

static Entry *
entry_for_transfer (FlintTransferCenter *self, FlintTransfer *transfer, guint *index)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;
      GListModel *model = G_LIST_MODEL (entry->transfers);

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr (FlintTransfer) t = g_list_model_get_item (model, i);

          if (t == transfer)
            {
              if (index)
                *index = i;
              return entry;
            }
        }
    }
  return NULL;
}

static char *
download_folder (FlintTransferCenter *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");

  if (folder && *folder)
    return g_steal_pointer (&folder);
  if (g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD))
    return g_strdup (g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD));
  return g_strdup (g_get_home_dir ());
}

/* ---- notifications -------------------------------------------------------- */

static char *
notification_id (FlintTransfer *transfer)
{
  return g_strdup_printf ("transfer %u", flint_transfer_get_id (transfer));
}

static void
on_offer_received (FlintTransfers *transfers, FlintTransfer *transfer, gpointer data)
{
  FlintTransferCenter *self = data;
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *bare = flint_jid_bare (flint_transfer_get_peer (transfer));
  g_autofree char *title = g_strdup_printf (_ ("%s wants to send you a file"), bare);
  g_autofree char *size = g_format_size (flint_transfer_get_size (transfer));
  g_autofree char *body =
    g_strdup_printf ("%s (%s)", flint_transfer_get_file_name (transfer), size);
  g_autofree char *id = notification_id (transfer);
  guint tid = flint_transfer_get_id (transfer);

  if (self->app == NULL)
    return;
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_category (notification, "transfer");
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_add_button_with_target (notification, _ ("Accept"),
                                         "app.transfer-accept", "u", tid);
  g_notification_add_button_with_target (notification, _ ("Decline"),
                                         "app.transfer-decline", "u", tid);
  g_notification_set_default_action (notification, "app.show-transfers");
  g_application_send_notification (G_APPLICATION (self->app), id, notification);
}

static void
withdraw_notification (FlintTransferCenter *self, FlintTransfer *transfer)
{
  g_autofree char *id = notification_id (transfer);

  if (self->app)
    g_application_withdraw_notification (G_APPLICATION (self->app), id);
}

/* ---- sending ---------------------------------------------------------------- */

/* ---- the timeline ------------------------------------------------------- */

/* Keeps the transfer's file row up to date. An upload is only half the
 * job: its URL then goes to the contact, as that same row's message. */
static void
on_transfer_changed (FlintTransfer *transfer, GParamSpec *pspec, gpointer data)
{
  FlintTransferCenter *self = data;
  TimelineRow *row = g_hash_table_lookup (self->rows, transfer);
  g_autofree char *file = NULL;
  g_autoptr (GError) error = NULL;
  gboolean send;

  /* Progress is not stored: the card follows the live transfer for it. */
  if (row == NULL || g_strcmp0 (pspec->name, "bytes-done") == 0 ||
      g_strcmp0 (pspec->name, "speed") == 0 || g_strcmp0 (pspec->name, "fraction") == 0)
    return;
  file = flint_file_text_for_transfer (transfer);
  send = !row->link_sent &&
         flint_transfer_get_direction (transfer) == FLINT_TRANSFER_OUTGOING &&
         flint_transfer_get_method (transfer) == FLINT_TRANSFER_METHOD_HTTP &&
         flint_transfer_get_state (transfer) == FLINT_TRANSFER_COMPLETE &&
         flint_transfer_get_url (transfer) != NULL;
  if (!send && g_strcmp0 (file, row->record->file) == 0)
    return;
  g_free (row->record->file);
  row->record->file = g_steal_pointer (&file);
  if (send)
    {
      row->link_sent = TRUE;
      if (!flint_chat_send_file_row (row->chat, row->record, &error))
        g_warning ("Could not send the link of an uploaded file: %s", error->message);
    }
  else if (!flint_chat_update_file (row->chat, row->record, &error))
    g_warning ("Could not store a transfer's state: %s", error->message);
}

/* Every transfer is a row of its conversation, at the time it began;
 * except a link's download, which is shown by the link's own message. */
static void
add_to_timeline (FlintTransferCenter *self, Entry *entry, FlintTransfer *transfer)
{
  gboolean incoming = flint_transfer_get_direction (transfer) == FLINT_TRANSFER_INCOMING;
  const char *account =
    flint_account_get_jid (flint_session_get_account (entry->session));
  g_autoptr (GError) error = NULL;
  TimelineRow *row;

  if (entry->chat == NULL || g_hash_table_contains (self->rows, transfer) ||
      (incoming && flint_transfer_get_method (transfer) == FLINT_TRANSFER_METHOD_HTTP))
    return;
  row = g_new0 (TimelineRow, 1);
  row->chat = g_object_ref (entry->chat);
  row->record = flint_message_record_new ();
  row->record->account = g_strdup (account);
  row->record->conversation = flint_jid_bare (flint_transfer_get_peer (transfer));
  row->record->kind = FLINT_MESSAGE_KIND_FILE;
  row->record->direction = incoming ? FLINT_DIRECTION_INCOMING : FLINT_DIRECTION_OUTGOING;
  row->record->sender = g_strdup (incoming ? row->record->conversation : account);
  row->record->body = g_strdup (flint_transfer_get_file_name (transfer));
  row->record->file = flint_file_text_for_transfer (transfer);
  if (row->record->conversation == NULL ||
      !flint_chat_add_file (entry->chat, row->record, &error))
    {
      g_warning ("Could not put a transfer into its conversation: %s",
                 error ? error->message : "no contact");
      timeline_row_free (row);
      return;
    }
  g_hash_table_insert (self->rows, g_object_ref (transfer), row);
  g_hash_table_insert (self->by_record, g_memdup2 (&row->record->id, sizeof (gint64)),
                       transfer);
  g_signal_connect_object (transfer, "notify", G_CALLBACK (on_transfer_changed), self, 0);
}

static void
on_transfers_changed (
  GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  FlintTransferCenter *self = data;
  Entry *entry = g_object_get_data (G_OBJECT (model), "flint-center-entry");

  for (guint i = position; entry && i < position + added; i++)
    {
      g_autoptr (FlintTransfer) transfer = g_list_model_get_item (model, i);

      add_to_timeline (self, entry, transfer);
      if (flint_transfer_get_direction (transfer) == FLINT_TRANSFER_INCOMING &&
          flint_transfer_get_url (transfer))
        flint_file_card_download_started (transfer);
    }
}

/* The newest download of url in this run, or NULL. */
FlintTransfer *
flint_transfer_center_find_download (FlintTransferCenter *self, const char *url)
{
  GListModel *all = G_LIST_MODEL (self->all);

  for (guint i = g_list_model_get_n_items (all); i > 0; i--)
    {
      g_autoptr (FlintTransfer) t = g_list_model_get_item (all, i - 1);

      if (flint_transfer_get_direction (t) == FLINT_TRANSFER_INCOMING &&
          g_strcmp0 (flint_transfer_get_url (t), url) == 0)
        return t;
    }
  return NULL;
}

/* The live transfer a file row shows, or NULL (one of an earlier run). */
FlintTransfer *
flint_transfer_center_find_for_record (FlintTransferCenter *self, gint64 record_id)
{
  g_return_val_if_fail (FLINT_IS_TRANSFER_CENTER (self), NULL);

  return g_hash_table_lookup (self->by_record, &record_id);
}

/* A resource of jid that takes XEP-0096 files, or NULL. */
static char *
si_resource (Entry *entry, const char *jid)
{
  FlintContact *contact = entry->roster ? flint_roster_lookup (entry->roster, jid) : NULL;
  g_auto (GStrv) resources = contact ? flint_contact_get_resources (contact) : NULL;

  for (guint i = 0; resources && resources[i]; i++)
    if (entry->disco && flint_disco_peer_supports (entry->disco, resources[i], NS_FT))
      return g_strdup (resources[i]);
  return NULL;
}

static FlintTransfer *
send_one (FlintTransferCenter *self, Entry *entry, const char *jid, GFile *file)
{
  g_autofree char *full = si_resource (entry, jid);

  if (full)
    return flint_transfers_send_file (entry->transfers, full, file, NULL);
  return flint_transfers_upload_file (entry->transfers, jid, file);
}

void
flint_transfer_center_send_files (FlintTransferCenter *self,
                                  const char *account,
                                  const char *jid,
                                  GSList *files)
{
  Entry *entry = g_hash_table_lookup (self->entries, account);

  if (entry == NULL)
    return;
  for (GSList *l = files; l; l = l->next)
    send_one (self, entry, jid, l->data);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer data)
{
  FlintTransferCenter *self = data;
  GdkFileList *list = g_value_get_boxed (value);
  g_autoptr (GSList) files = list ? gdk_file_list_get_files (list) : NULL;

  if (files == NULL)
    return FALSE;
  flint_transfer_center_send_files (
    self, g_object_get_data (G_OBJECT (target), "flint-account"),
    g_object_get_data (G_OBJECT (target), "flint-jid"), files);
  return TRUE;
}

/* For the conversation: files dropped on it are sent to jid. */
GtkDropTarget *
flint_transfer_center_drop_target_new (FlintTransferCenter *self,
                                       const char *account,
                                       const char *jid)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_object_set_data_full (G_OBJECT (target), "flint-account", g_strdup (account), g_free);
  g_object_set_data_full (G_OBJECT (target), "flint-jid", g_strdup (jid), g_free);
  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop), self, 0);
  return target;
}

/* ---- user decisions ------------------------------------------------------- */

typedef struct
{
  FlintTransferCenter *self;
  FlintTransfer *transfer;
} FolderChoice;

static void
on_folder_chosen (GtkNativeDialog *dialog, int response, gpointer data)
{
  FolderChoice *choice = data;
  Entry *entry = entry_for_transfer (choice->self, choice->transfer, NULL);

  if (response == GTK_RESPONSE_ACCEPT && entry &&
      flint_transfer_get_state (choice->transfer) == FLINT_TRANSFER_OFFERED)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder ? g_file_get_path (folder) : NULL;

      if (path)
        flint_transfers_accept (entry->transfers, choice->transfer, path);
    }
  g_object_unref (choice->transfer);
  g_object_unref (choice->self);
  g_free (choice);
  g_object_unref (dialog);
}

static void
accept_in (FlintTransferCenter *self,
           FlintTransfer *transfer,
           GtkWindow *parent,
           gboolean ask)
{
  Entry *entry = entry_for_transfer (self, transfer, NULL);
  g_autofree char *folder = NULL;

  if (entry == NULL || flint_transfer_get_state (transfer) != FLINT_TRANSFER_OFFERED)
    return;
  withdraw_notification (self, transfer);
  if (ask || g_settings_get_boolean (self->settings, "ask-download-folder"))
    {
      GtkFileChooserNative *dialog = gtk_file_chooser_native_new (
        _ ("Save the File In"), parent, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
        _ ("_Save"), _ ("_Cancel"));
      FolderChoice *choice = g_new0 (FolderChoice, 1);

      choice->self = g_object_ref (self);
      choice->transfer = g_object_ref (transfer);
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
      g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), choice);
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
      return;
    }
  folder = download_folder (self);
  g_mkdir_with_parents (folder, 0700);
  flint_transfers_accept (entry->transfers, transfer, folder);
}

void
flint_transfer_center_accept (FlintTransferCenter *self,
                              FlintTransfer *transfer,
                              GtkWindow *parent)
{
  accept_in (self, transfer, parent, FALSE);
}

/* Accept, always asking for the folder (the offer card's "Save As…"). */
void
flint_transfer_center_save_as (FlintTransferCenter *self,
                               FlintTransfer *transfer,
                               GtkWindow *parent)
{
  accept_in (self, transfer, parent, TRUE);
}

void
flint_transfer_center_decline (FlintTransferCenter *self, FlintTransfer *transfer)
{
  Entry *entry = entry_for_transfer (self, transfer, NULL);

  if (entry == NULL)
    return;
  withdraw_notification (self, transfer);
  flint_transfers_decline (entry->transfers, transfer);
}

void
flint_transfer_center_cancel (FlintTransferCenter *self, FlintTransfer *transfer)
{
  Entry *entry = entry_for_transfer (self, transfer, NULL);

  if (entry == NULL)
    return;
  withdraw_notification (self, transfer);
  flint_transfers_cancel (entry->transfers, transfer);
}

/* A failed or cancelled outgoing transfer, once more: same file, same
 * contact, the method chosen afresh. */
void
flint_transfer_center_retry (FlintTransferCenter *self, FlintTransfer *transfer)
{
  Entry *entry = entry_for_transfer (self, transfer, NULL);
  g_autoptr (GFile) file = NULL;
  g_autofree char *bare = NULL;

  if (entry == NULL ||
      flint_transfer_get_direction (transfer) != FLINT_TRANSFER_OUTGOING ||
      !flint_transfer_is_finished (transfer) ||
      flint_transfer_get_state (transfer) == FLINT_TRANSFER_COMPLETE ||
      flint_transfer_get_local_path (transfer) == NULL)
    return;
  file = g_file_new_for_path (flint_transfer_get_local_path (transfer));
  bare = flint_jid_bare (flint_transfer_get_peer (transfer));
  send_one (self, entry, bare, file);
}

/* ---- app actions ------------------------------------------------------------ */

static FlintTransfer *
transfer_from (FlintTransferCenter *self, GVariant *parameter)
{
  return flint_transfer_center_find (self, g_variant_get_uint32 (parameter));
}

static void
accept_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransferCenter *self = data;
  FlintTransfer *transfer = transfer_from (self, parameter);

  if (transfer)
    flint_transfer_center_accept (
      self, transfer, gtk_application_get_active_window (GTK_APPLICATION (self->app)));
}

static void
save_as_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransferCenter *self = data;
  FlintTransfer *transfer = transfer_from (self, parameter);

  if (transfer)
    flint_transfer_center_save_as (
      self, transfer, gtk_application_get_active_window (GTK_APPLICATION (self->app)));
}

static void
decline_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransfer *transfer = transfer_from (data, parameter);

  if (transfer)
    flint_transfer_center_decline (data, transfer);
}

static void
cancel_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransfer *transfer = transfer_from (data, parameter);

  if (transfer)
    flint_transfer_center_cancel (data, transfer);
}

static void
retry_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransfer *transfer = transfer_from (data, parameter);

  if (transfer)
    flint_transfer_center_retry (data, transfer);
}

/* Opens a file we received or sent (a file row of any run). */
void
flint_transfer_center_open_path (const char *path)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *uri = NULL;
  g_autoptr (GError) error = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  if (!g_app_info_launch_default_for_uri (uri, NULL, &error))
    g_warning ("Could not open %s: %s", uri, error->message);
}

static void
open_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransfer *transfer = transfer_from (data, parameter);

  if (transfer)
    flint_transfer_center_open_path (flint_transfer_get_local_path (transfer));
}

/* The file manager's ShowItems selects the file in its folder; without a
 * file manager on the bus, the folder opens. */
/* Without a file manager that answers ShowItems, the folder opens instead. */
static void
on_items_shown (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GFile) file = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply =
    source ? g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error)
           : NULL;
  g_autoptr (GFile) parent = NULL;
  g_autofree char *parent_uri = NULL;

  if (reply)
    return;
  parent = g_file_get_parent (file);
  parent_uri = g_file_get_uri (parent);
  if (!g_app_info_launch_default_for_uri (parent_uri, NULL, &error))
    g_warning ("Could not show the folder %s: %s", parent_uri,
               error ? error->message : "no file manager");
}

/* Shows a file in its folder (a file row of any run). */
void
flint_transfer_center_show_path (const char *path)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *uri = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  const char *uris[2] = { NULL, NULL };

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  uris[0] = uri;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    {
      on_items_shown (NULL, NULL, g_steal_pointer (&file));
      return;
    }
  /* Asynchronous: a file manager slow to start must not freeze the window. */
  g_dbus_connection_call (
    bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
    "org.freedesktop.FileManager1", "ShowItems", g_variant_new ("(^ass)", uris, ""), NULL,
    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_items_shown, g_steal_pointer (&file));
}

static void
show_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransfer *transfer = transfer_from (data, parameter);

  if (transfer)
    flint_transfer_center_show_path (flint_transfer_get_local_path (transfer));
}

static void
show_transfers_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransferCenter *self = data;
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (self->app); l; l = l->next)
    if (FLINT_IS_TRANSFERS_WINDOW (l->data))
      window = l->data;
  if (window == NULL)
    window = GTK_WINDOW (flint_transfers_window_new (self->app, self));
  gtk_window_present (window);
}

typedef struct
{
  FlintTransferCenter *self;
  char *account;
  char *jid;
} AttachChoice;

static void
on_files_chosen (GtkNativeDialog *dialog, int response, gpointer data)
{
  AttachChoice *choice = data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GListModel) files =
        gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      GSList *list = NULL;

      for (guint i = g_list_model_get_n_items (files); i > 0; i--)
        list = g_slist_prepend (list, g_list_model_get_item (files, i - 1));
      flint_transfer_center_send_files (choice->self, choice->account, choice->jid, list);
      g_slist_free_full (list, g_object_unref);
    }
  g_object_unref (choice->self);
  g_free (choice->account);
  g_free (choice->jid);
  g_free (choice);
  g_object_unref (dialog);
}

/* app.transfer-attach ((account, jid)): the conversation's attach button. */
static void
attach_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransferCenter *self = data;
  AttachChoice *choice = g_new0 (AttachChoice, 1);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (
    _ ("Send Files"), gtk_application_get_active_window (self->app),
    GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Send"), _ ("_Cancel"));

  g_variant_get (parameter, "(ss)", &choice->account, &choice->jid);
  choice->self = g_object_ref (self);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_files_chosen), choice);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* app.test-send-file ("account|jid|path"): the attach button without the
 * file chooser, for tests driving the real binary. */
static void
test_send_file_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (parameter, NULL), "|", 3);
  g_autoptr (GFile) file = NULL;
  GSList list = { NULL, NULL };

  if (g_strv_length (parts) != 3)
    return;
  file = g_file_new_for_path (parts[2]);
  list.data = file;
  flint_transfer_center_send_files (data, parts[0], parts[1], &list);
}

/* app.transfer-download-link (from, url): a file card's Download button. */
static void
download_link_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  FlintTransferCenter *self = data;
  FlintTransfers *transfers = flint_transfer_center_get_any_transfers (self);
  const char *from = NULL, *url = NULL;
  g_autofree char *folder = download_folder (self);

  g_variant_get (parameter, "(&s&s)", &from, &url);
  if (transfers == NULL)
    return;
  g_mkdir_with_parents (folder, 0700);
  flint_transfers_download_url (transfers, from, url, folder);
}

/* Puts the image at path on the clipboard, as a screenshot tool would; the
 * test then pastes it with a real Ctrl+V. */
static void
test_clipboard_image_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture =
    gdk_texture_new_from_filename (g_variant_get_string (parameter, NULL), &error);

  if (texture == NULL)
    {
      g_warning ("test-clipboard-image: %s", error->message);
      return;
    }
  gdk_clipboard_set_texture (gdk_display_get_clipboard (gdk_display_get_default ()),
                             texture);
}

/* ---- the model and the test dump ----------------------------------------- */

void
flint_transfer_center_add_session (FlintTransferCenter *self,
                                   FlintSession *session,
                                   FlintDisco *disco,
                                   FlintChat *chat,
                                   FlintRoster *roster)
{
  const char *account = flint_account_get_jid (flint_session_get_account (session));
  Entry *entry;
  g_autofree char *folder = NULL;

  if (g_hash_table_contains (self->entries, account))
    return;
  entry = g_new0 (Entry, 1);
  entry->session = g_object_ref (session);
  entry->disco = disco ? g_object_ref (disco) : NULL;
  entry->chat = chat ? g_object_ref (chat) : NULL;
  entry->roster = roster ? g_object_ref (roster) : NULL;
  entry->transfers = flint_transfers_new (session);
  folder = download_folder (self);
  flint_transfers_set_download_folder (entry->transfers, folder);
  g_signal_connect_object (entry->transfers, "offer-received",
                           G_CALLBACK (on_offer_received), self, 0);
  g_object_set_data (G_OBJECT (entry->transfers), "flint-center-entry", entry);
  g_signal_connect_object (entry->transfers, "items-changed",
                           G_CALLBACK (on_transfers_changed), self, 0);
  g_hash_table_insert (self->entries, g_strdup (account), entry);
  g_list_store_append (self->models, entry->transfers);
}

void
flint_transfer_center_remove_session (FlintTransferCenter *self, const char *account)
{
  Entry *entry = g_hash_table_lookup (self->entries, account);
  guint position;

  if (entry == NULL)
    return;
  if (g_list_store_find (self->models, entry->transfers, &position))
    g_list_store_remove (self->models, position);
  g_hash_table_remove (self->entries, account);
}

FlintTransfers *
flint_transfer_center_get_transfers (FlintTransferCenter *self, const char *account)
{
  Entry *entry = g_hash_table_lookup (self->entries, account);

  return entry ? entry->transfers : NULL;
}

GListModel *
flint_transfer_center_get_model (FlintTransferCenter *self)
{
  return G_LIST_MODEL (self->all);
}

FlintTransfer *
flint_transfer_center_find (FlintTransferCenter *self, guint id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      FlintTransfer *t = flint_transfers_find (((Entry *) value)->transfers, id);

      if (t)
        return t;
    }
  return NULL;
}

static void
json_pair (GString *out, const char *key, const char *value, gboolean first)
{
  g_string_append_printf (out, "%s\"%s\": ", first ? "" : ", ", key);
  flint_json_append_string (out, value);
}

/* Link downloads and previews are plain HTTP: any account's manager does. */
FlintTransfers *
flint_transfer_center_get_any_transfers (FlintTransferCenter *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  if (g_hash_table_iter_next (&iter, NULL, &value))
    return ((Entry *) value)->transfers;
  return NULL;
}

/* "transfers": [...] for app.test-dump. */
void
flint_transfer_center_describe_json (FlintTransferCenter *self, GString *out)
{
  GListModel *model = G_LIST_MODEL (self->all);

  g_string_append (out, ", \"transfers\": [");
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FlintTransfer) t = g_list_model_get_item (model, i);
      const GError *error = flint_transfer_get_error (t);

      g_string_append_printf (out,
                              "%s{\"id\": %u, \"size\": %" G_GINT64_FORMAT
                              ", \"done\": %" G_GUINT64_FORMAT ", ",
                              i ? ", " : "", flint_transfer_get_id (t),
                              flint_transfer_get_size (t),
                              flint_transfer_get_bytes_done (t));
      json_pair (out, "direction",
                 flint_transfer_get_direction (t) == FLINT_TRANSFER_INCOMING ? "incoming"
                                                                             : "outgoing",
                 TRUE);
      json_pair (out, "peer", flint_transfer_get_peer (t), FALSE);
      json_pair (out, "name", flint_transfer_get_file_name (t), FALSE);
      json_pair (out, "method",
                 flint_transfer_method_to_string (flint_transfer_get_method (t)), FALSE);
      json_pair (out, "state",
                 flint_transfer_state_to_string (flint_transfer_get_state (t)), FALSE);
      json_pair (out, "error", error ? error->message : NULL, FALSE);
      json_pair (out, "path", flint_transfer_get_local_path (t), FALSE);
      json_pair (out, "url", flint_transfer_get_url (t), FALSE);
      g_string_append (out, "}");
    }
  g_string_append (out, "]");
  {
    g_autofree char *cards = flint_file_card_describe_all ();
    g_string_append_printf (out, ", \"file_cards\": %s", cards);
  }
}

/* ---- GObject ---------------------------------------------------------------- */

static void
flint_transfer_center_dispose (GObject *object)
{
  FlintTransferCenter *self = FLINT_TRANSFER_CENTER (object);

  if (self->app)
    g_object_remove_weak_pointer (G_OBJECT (self->app), (gpointer *) &self->app);
  self->app = NULL;
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->by_record, g_hash_table_unref);
  if (self->rows)
    {
      GHashTableIter iter;
      gpointer transfer;

      g_hash_table_iter_init (&iter, self->rows);
      while (g_hash_table_iter_next (&iter, &transfer, NULL))
        g_signal_handlers_disconnect_by_func (transfer, on_transfer_changed, self);
    }
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_object (&self->all);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (flint_transfer_center_parent_class)->dispose (object);
}

static void
flint_transfer_center_class_init (FlintTransferCenterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = flint_transfer_center_dispose;
}

static void
flint_transfer_center_init (FlintTransferCenter *self)
{
  self->entries =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  self->models = g_list_store_new (G_TYPE_LIST_MODEL);
  self->all = gtk_flatten_list_model_new (G_LIST_MODEL (self->models));
  self->settings = g_settings_new ("im.flint.Flint");
  self->rows = g_hash_table_new_full (NULL, NULL, g_object_unref,
                                      (GDestroyNotify) timeline_row_free);
  self->by_record = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

FlintTransferCenter *
flint_transfer_center_new (GtkApplication *app)
{
  FlintTransferCenter *self = g_object_new (FLINT_TYPE_TRANSFER_CENTER, NULL);
  const GActionEntry actions[] = {
    { "transfer-accept", accept_activated, "u" },
    { "transfer-save-as", save_as_activated, "u" },
    { "transfer-decline", decline_activated, "u" },
    { "transfer-cancel", cancel_activated, "u" },
    { "transfer-retry", retry_activated, "u" },
    { "transfer-open", open_activated, "u" },
    { "transfer-show", show_activated, "u" },
    { "transfer-attach", attach_activated, "(ss)" },
    { "transfer-download-link", download_link_activated, "(ss)" },
    { "show-transfers", show_transfers_activated },
  };

  self->app = app;
  g_object_add_weak_pointer (G_OBJECT (app), (gpointer *) &self->app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions),
                                   self);
  if (g_strcmp0 (g_getenv ("FLINT_TEST_HOOKS"), "1") == 0)
    {
      const GActionEntry test_actions[] = {
        { "test-send-file", test_send_file_activated, "s" },
        { "test-clipboard-image", test_clipboard_image_activated, "s" },
      };
      g_action_map_add_action_entries (G_ACTION_MAP (app), test_actions,
                                       G_N_ELEMENTS (test_actions), self);
    }
  return self;
}

/* FlintFileCard: a file link in a message shown as a file: its name, size
 * and type (one HEAD request), a Download button (the transfer center's
 * link download, with the safe-file rules), and for an image a thumbnail.
 * It also is a file transfer's row in the timeline: name, size, progress
 * while the live transfer runs, and the actions its state allows (Accept,
 * Save As and Decline; Cancel; Open and Show in Folder; Retry).
 * The image is fetched into memory only up to MAX_PREVIEW_BYTES and decoded
 * off the main thread at a bounded size. What was learned about a link is
 * kept for the run, so rows recycled by the list do not ask again. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-application.h"
#include "flint-file-card.h"
#include "flint-json.h"
#include "flint-message.h"
#include "flint-transfer-row.h"

#define MAX_PREVIEW_BYTES (8 * 1024 * 1024)
#define THUMB_WIDTH 320
#define THUMB_HEIGHT 240
#define MAX_CACHED 500

typedef struct
{
  gboolean probing;
  gboolean probed;
  gboolean failed;
  gint64 size;
  char *mime;
  gboolean thumb_tried;
  GdkTexture *thumb;
} LinkInfo;

struct _FlintFileCard
{
  GtkWidget parent_instance;

  char *url;
  char *from;
  GtkPicture *thumbnail;
  GtkImage *icon;
  GtkLabel *name_label;
  GtkLabel *details_label;
  GtkWidget *download_button;
  GtkWidget *accept_button;
  GtkWidget *save_button;
  GtkWidget *decline_button;
  GtkWidget *cancel_button;
  GtkWidget *retry_button;
  GtkWidget *open_button;
  GtkWidget *show_button;
  GtkProgressBar *progress;

  /* A transfer's row: what history keeps of it, and the live transfer
   * while this run has it (its progress is not stored). */
  GVariant *file;
  gboolean outgoing;
  FlintTransfer *transfer;
  gulong transfer_handler;
  char *path;    /* the file on disk Open and Show in Folder act on */
  char *account; /* a transfer row's conversation, for Send Again */
  char *jid;
};

G_DEFINE_FINAL_TYPE (FlintFileCard, flint_file_card, GTK_TYPE_WIDGET)

static GHashTable *infos; /* url -> LinkInfo */
static GList *cards;      /* the live FlintFileCards */

static void
link_info_free (LinkInfo *info)
{
  g_free (info->mime);
  g_clear_object (&info->thumb);
  g_free (info);
}

static LinkInfo *
info_for (const char *url)
{
  LinkInfo *info;

  if (infos == NULL)
    infos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) link_info_free);
  info = g_hash_table_lookup (infos, url);
  if (info == NULL)
    {
      if (g_hash_table_size (infos) >= MAX_CACHED)
        g_hash_table_remove_all (infos);
      info = g_new0 (LinkInfo, 1);
      info->size = -1;
      g_hash_table_insert (infos, g_strdup (url), info);
    }
  return info;
}

static void show_action (GtkWidget *button, const char *action, GVariant *target);
static gboolean file_exists (const char *path);

static void
set_path (FlintFileCard *self, const char *path)
{
  g_free (self->path);
  self->path = g_strdup (path);
}

static FlintTransferCenter *
center (void)
{
  GApplication *app = g_application_get_default ();

  return FLINT_IS_APPLICATION (app)
           ? flint_application_get_transfer_center (FLINT_APPLICATION (app))
           : NULL;
}

static FlintTransfers *
http_transfers (void)
{
  return center () ? flint_transfer_center_get_any_transfers (center ()) : NULL;
}

char *
flint_file_card_link_of (const char *body)
{
  g_autofree char *text = g_strstrip (g_strdup (body ? body : ""));
  g_autoptr (GUri) uri = NULL;
  g_autofree char *base = NULL;
  const char *dot;

  if (*text == '\0' || strpbrk (text, " \t\n\r") != NULL)
    return NULL;
  uri = g_uri_parse (text, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0 &&
       g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0))
    return NULL;
  base = g_path_get_basename (g_uri_get_path (uri));
  dot = strrchr (base, '.');
  if (dot == NULL || dot == base || strlen (dot + 1) < 1 || strlen (dot + 1) > 5)
    return NULL;
  for (const char *c = dot + 1; *c; c++)
    if (!g_ascii_isalnum (*c))
      return NULL;
  return g_steal_pointer (&text);
}

static char *
name_of (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *base = uri ? g_path_get_basename (g_uri_get_path (uri)) : NULL;
  char *name = base ? g_uri_unescape_string (base, NULL) : NULL;

  return name ? name : g_strdup (url);
}

static gboolean
previewable (const char *mime)
{
  const char *types[] = { "image/png", "image/jpeg", "image/gif", "image/webp" };

  for (guint i = 0; mime && i < G_N_ELEMENTS (types); i++)
    if (g_ascii_strcasecmp (mime, types[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The type's symbolic icon the theme has: the list a content type gives
 * also holds coloured icons, which show as pale pages among symbolic ones. */
static void
set_type_icon (FlintFileCard *self, const char *content_type)
{
  g_autoptr (GIcon) icon =
    content_type ? g_content_type_get_symbolic_icon (content_type) : NULL;
  GtkIconTheme *theme =
    gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  const char *const *names =
    G_IS_THEMED_ICON (icon) ? g_themed_icon_get_names (G_THEMED_ICON (icon)) : NULL;

  for (guint i = 0; names && names[i]; i++)
    if (g_str_has_suffix (names[i], "-symbolic") &&
        gtk_icon_theme_has_icon (theme, names[i]))
      {
        gtk_image_set_from_icon_name (self->icon, names[i]);
        return;
      }
  gtk_image_set_from_icon_name (self->icon, "text-x-generic-symbolic");
}

/* A link being downloaded (or downloaded) in this run: its progress and
 * Cancel, then Open and Show in Folder, in place of Download. */
static void
update_download (FlintFileCard *self)
{
  FlintTransfer *t = self->transfer;
  FlintTransferState state = t ? flint_transfer_get_state (t) : FLINT_TRANSFER_PENDING;
  const char *path = t ? flint_transfer_get_local_path (t) : NULL;
  gboolean running = t && !flint_transfer_is_finished (t);
  gboolean done = t && state == FLINT_TRANSFER_COMPLETE && file_exists (path);

  for (GtkWidget *b = self->accept_button; b; b = gtk_widget_get_next_sibling (b))
    if (b != self->download_button)
      gtk_widget_set_visible (b, FALSE);
  gtk_widget_set_visible (self->download_button, !running && !done);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), running);
  if (t == NULL)
    return;
  if (running || state == FLINT_TRANSFER_FAILED)
    {
      g_autofree char *status = flint_transfer_row_describe_status (t);

      gtk_label_set_text (self->details_label, status);
    }
  if (running)
    {
      gtk_progress_bar_set_fraction (self->progress, flint_transfer_get_fraction (t));
      show_action (self->cancel_button, "app.transfer-cancel",
                   g_variant_new_uint32 (flint_transfer_get_id (t)));
    }
  if (done)
    {
      set_path (self, path);
      show_action (self->open_button, "card.open", NULL);
      show_action (self->show_button, "card.show", NULL);
    }
}

static void
update (FlintFileCard *self)
{
  LinkInfo *info = info_for (self->url);
  g_autofree char *name = name_of (self->url);
  g_autofree char *details = NULL;
  g_autofree char *content_type = NULL;

  gtk_label_set_text (self->name_label, name);
  if (info->mime)
    content_type = g_content_type_from_mime_type (info->mime);
  if (!info->probed)
    details = g_strdup (_ ("Checking the file…"));
  else if (info->failed)
    details = g_strdup (_ ("The file is not available"));
  else
    {
      g_autofree char *size =
        info->size >= 0 ? g_format_size (info->size) : g_strdup (_ ("Size unknown"));
      g_autofree char *kind =
        content_type ? g_content_type_get_description (content_type) : NULL;

      details = kind ? g_strdup_printf ("%s · %s", size, kind) : g_strdup (size);
    }
  gtk_label_set_text (self->details_label, details);
  set_type_icon (self, content_type);
  gtk_picture_set_paintable (self->thumbnail, GDK_PAINTABLE (info->thumb));
  gtk_widget_set_visible (GTK_WIDGET (self->thumbnail), info->thumb != NULL);
  if (info->thumb)
    {
      int w = gdk_texture_get_width (info->thumb);
      int h = gdk_texture_get_height (info->thumb);

      gtk_widget_set_size_request (GTK_WIDGET (self->thumbnail), w, h);
    }
  gtk_widget_set_sensitive (self->download_button, !info->failed);
  update_download (self);
}

/* ---- requests ---------------------------------------------------------- */

/* One request about url for the card that asked; the card may show another
 * link by the time it ends (rows are recycled), so url is kept apart. */
typedef struct
{
  FlintFileCard *card;
  char *url;
} Request;

static Request *
request_new (FlintFileCard *card, const char *url)
{
  Request *request = g_new0 (Request, 1);

  request->card = g_object_ref (card);
  request->url = g_strdup (url);
  return request;
}

static void
request_free (Request *request)
{
  g_object_unref (request->card);
  g_free (request->url);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

/* Every card showing the link learns the news, not only the one that asked. */
static void
request_done (Request *request)
{
  for (GList *l = cards; l; l = l->next)
    if (FLINT_FILE_CARD (l->data)->url &&
        g_strcmp0 (FLINT_FILE_CARD (l->data)->url, request->url) == 0)
      update (l->data);
}

static void
on_size_prepared (GdkPixbufLoader *loader, int width, int height, gpointer data)
{
  double scale = MIN (1.0, MIN ((double) THUMB_WIDTH / MAX (width, 1),
                                (double) THUMB_HEIGHT / MAX (height, 1)));

  gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale)),
                              MAX (1, (int) (height * scale)));
}

/* The loader scales while it decodes: a large image never exists in
 * memory at full size. */
static void
decode_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GBytes *bytes = data;
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr (GError) error = NULL;
  GdkPixbuf *pixbuf;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), NULL);
  if (!gdk_pixbuf_loader_write_bytes (loader, bytes, &error) ||
      !gdk_pixbuf_loader_close (loader, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no image");
      return;
    }
  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
}

static void
on_decoded (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Request) request = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);

  if (texture == NULL)
    {
      g_debug ("no preview of %s: %s", request->url, error->message);
      return;
    }
  g_set_object (&info_for (request->url)->thumb, texture);
  request_done (request);
}

static void
on_fetched (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Request) request = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes =
    flint_transfers_fetch_small_finish (FLINT_TRANSFERS (source), result, &error);
  g_autoptr (GTask) task = NULL;

  if (bytes == NULL)
    {
      g_debug ("no preview of %s: %s", request->url, error->message);
      return;
    }
  task = g_task_new (NULL, NULL, on_decoded, g_steal_pointer (&request));
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, decode_in_thread);
}

static void
maybe_fetch_thumbnail (FlintFileCard *self, const char *url, LinkInfo *info)
{
  FlintTransfers *transfers = http_transfers ();

  if (info->thumb_tried || !info->probed || info->failed || !previewable (info->mime) ||
      info->size > MAX_PREVIEW_BYTES || transfers == NULL)
    return;
  info->thumb_tried = TRUE;
  flint_transfers_fetch_small_async (transfers, url, MAX_PREVIEW_BYTES, NULL, on_fetched,
                                     request_new (self, url));
}

static void
on_probed (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Request) request = data;
  g_autoptr (GError) error = NULL;
  LinkInfo *info = info_for (request->url);
  g_autofree char *mime = NULL;

  info->probed = TRUE;
  if (!flint_transfers_probe_url_finish (FLINT_TRANSFERS (source), result, &info->size,
                                         &mime, &error))
    {
      g_debug ("HEAD %s: %s", request->url, error->message);
      info->failed = TRUE;
    }
  g_free (info->mime);
  info->mime = g_steal_pointer (&mime);
  info->probing = FALSE;
  request_done (request);
  maybe_fetch_thumbnail (request->card, request->url, info);
}

/* ---- a transfer's row ----------------------------------------------------- */

static void
unbind_transfer (FlintFileCard *self)
{
  if (self->transfer)
    g_clear_signal_handler (&self->transfer_handler, self->transfer);
  g_clear_object (&self->transfer);
  for (GtkWidget *b = self->accept_button; b; b = gtk_widget_get_next_sibling (b))
    if (b != self->download_button)
      gtk_widget_set_visible (b, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
}

static void
show_action (GtkWidget *button, const char *action, GVariant *target)
{
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_visible (button, TRUE);
}

static FlintTransferState
stored_state (GVariant *file)
{
  const char *nick = flint_file_lookup_string (file, "state");
  GEnumClass *states = g_type_class_ref (FLINT_TYPE_TRANSFER_STATE);
  GEnumValue *value = nick ? g_enum_get_value_by_nick (states, nick) : NULL;
  FlintTransferState state =
    value ? (FlintTransferState) value->value : FLINT_TRANSFER_FAILED;

  g_type_class_unref (states);
  return state;
}

static gboolean
file_exists (const char *path)
{
  return path && g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
update_transfer (FlintFileCard *self)
{
  FlintTransfer *t = self->transfer;
  FlintTransferState state = t ? flint_transfer_get_state (t) : stored_state (self->file);
  const char *name =
    t ? flint_transfer_get_file_name (t) : flint_file_lookup_string (self->file, "name");
  const char *path =
    t ? flint_transfer_get_local_path (t) : flint_file_lookup_string (self->file, "path");
  const char *mime =
    t ? flint_transfer_get_mime_type (t) : flint_file_lookup_string (self->file, "mime");
  g_autofree char *content_type = NULL;
  g_autofree char *details = NULL;
  gboolean finished = state >= FLINT_TRANSFER_COMPLETE;
  gboolean running = !finished && state != FLINT_TRANSFER_OFFERED;
  GVariant *id = t ? g_variant_new_uint32 (flint_transfer_get_id (t)) : NULL;

  if (id)
    g_variant_ref_sink (id);
  gtk_label_set_text (self->name_label, name ? name : "");
  if (t)
    details = flint_transfer_row_describe_status (t);
  else if (!finished)
    /* An earlier run ended while it was on its way. */
    details = g_strdup (_ ("Interrupted"));
  else if (state == FLINT_TRANSFER_COMPLETE)
    {
      gint64 size = flint_file_lookup_size (self->file);
      g_autofree char *amount = size >= 0 ? g_format_size (size) : g_strdup ("?");

      details =
        g_strdup_printf (self->outgoing ? _ ("Sent (%s)") : _ ("Received (%s)"), amount);
    }
  else if (state == FLINT_TRANSFER_FAILED)
    details =
      g_strdup_printf (_ ("Failed: %s"), flint_file_lookup_string (self->file, "error")
                                           ?: _ ("Something went wrong."));
  else if (state == FLINT_TRANSFER_CANCELLED)
    details = g_strdup (_ ("Cancelled"));
  else
    details =
      g_strdup (self->outgoing ? _ ("The contact declined the file") : _ ("Declined"));
  gtk_label_set_text (self->details_label, details);

  content_type = name ? g_content_type_guess (name, NULL, 0, NULL) : NULL;
  if (mime)
    {
      g_free (content_type);
      content_type = g_content_type_from_mime_type (mime);
    }
  set_type_icon (self, content_type);

  gtk_widget_set_visible (GTK_WIDGET (self->progress), t && running);
  if (t && running)
    gtk_progress_bar_set_fraction (self->progress, flint_transfer_get_fraction (t));

  for (GtkWidget *b = self->accept_button; b; b = gtk_widget_get_next_sibling (b))
    gtk_widget_set_visible (b, FALSE);
  if (id && state == FLINT_TRANSFER_OFFERED && !self->outgoing)
    {
      show_action (self->accept_button, "app.transfer-accept", id);
      show_action (self->save_button, "app.transfer-save-as", id);
      show_action (self->decline_button, "app.transfer-decline", id);
    }
  else if (id && !finished)
    show_action (self->cancel_button, "app.transfer-cancel", id);
  else if (id && self->outgoing && state != FLINT_TRANSFER_COMPLETE && file_exists (path))
    show_action (self->retry_button, "app.transfer-retry", id);
  else if (!id && self->outgoing && state != FLINT_TRANSFER_COMPLETE &&
           file_exists (path) && self->account && self->jid)
    {
      /* A send of an earlier run that did not arrive: the same file again. */
      set_path (self, path);
      show_action (self->retry_button, "card.send-again", NULL);
    }
  if (state == FLINT_TRANSFER_COMPLETE && file_exists (path))
    {
      set_path (self, path);
      show_action (self->open_button, "card.open", NULL);
      show_action (self->show_button, "card.show", NULL);
    }
  g_clear_pointer (&id, g_variant_unref);
}

static void
on_transfer_notify (FlintTransfer *transfer, GParamSpec *pspec, FlintFileCard *self)
{
  /* Progress comes with every chunk: only the words and the bar change. */
  if (g_strcmp0 (pspec->name, "bytes-done") == 0 ||
      g_strcmp0 (pspec->name, "speed") == 0 || g_strcmp0 (pspec->name, "fraction") == 0)
    {
      g_autofree char *status = NULL;

      if (flint_transfer_get_state (transfer) != FLINT_TRANSFER_ACTIVE)
        return;
      status = flint_transfer_row_describe_status (transfer);
      gtk_label_set_text (self->details_label, status);
      gtk_progress_bar_set_fraction (self->progress,
                                     flint_transfer_get_fraction (transfer));
      return;
    }
  if (self->url)
    update (self);
  else
    update_transfer (self);
}

static void
bind_transfer (FlintFileCard *self, FlintTransfer *transfer)
{
  self->transfer = g_object_ref (transfer);
  self->transfer_handler =
    g_signal_connect (transfer, "notify", G_CALLBACK (on_transfer_notify), self);
}

/* A link's download began: the cards showing that link follow it. */
void
flint_file_card_download_started (FlintTransfer *transfer)
{
  for (GList *l = cards; l; l = l->next)
    {
      FlintFileCard *self = l->data;

      if (self->url == NULL ||
          g_strcmp0 (self->url, flint_transfer_get_url (transfer)) != 0)
        continue;
      unbind_transfer (self);
      bind_transfer (self, transfer);
      update (self);
    }
}

/* A transfer's row: @file what history keeps of it, @transfer the live
 * one when this run has it. */
void
flint_file_card_set_transfer (FlintFileCard *self,
                              GVariant *file,
                              FlintTransfer *transfer,
                              gboolean outgoing,
                              const char *account,
                              const char *jid)
{
  g_return_if_fail (FLINT_IS_FILE_CARD (self));
  g_return_if_fail (file != NULL);

  unbind_transfer (self);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->file, g_variant_unref);
  self->file = g_variant_ref_sink (file);
  self->outgoing = outgoing;
  g_free (self->account);
  self->account = g_strdup (account);
  g_free (self->jid);
  self->jid = g_strdup (jid);
  gtk_widget_set_visible (self->download_button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->thumbnail), FALSE);
  if (transfer)
    bind_transfer (self, transfer);
  update_transfer (self);
}

/* ---- the widget ---------------------------------------------------------- */

void
flint_file_card_set_link (FlintFileCard *self, const char *url, const char *from)
{
  FlintTransfers *transfers = http_transfers ();
  LinkInfo *info;

  g_return_if_fail (FLINT_IS_FILE_CARD (self));
  g_return_if_fail (url != NULL);

  unbind_transfer (self);
  g_clear_pointer (&self->file, g_variant_unref);
  g_free (self->url);
  self->url = g_strdup (url);
  g_free (self->from);
  self->from = g_strdup (from ? from : "");
  /* The target first: the action takes (ss), and a button with the name but
   * no target yet would be refused. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->download_button), "(ss)",
                                    self->from, self->url);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->download_button),
                                  "app.transfer-download-link");
  gtk_widget_set_visible (self->download_button, TRUE);
  {
    FlintTransfer *download =
      center () ? flint_transfer_center_find_download (center (), url) : NULL;

    if (download)
      bind_transfer (self, download);
  }
  info = info_for (url);
  update (self);
  if (!info->probed && !info->probing && transfers)
    {
      info->probing = TRUE;
      flint_transfers_probe_url_async (transfers, url, NULL, on_probed,
                                       request_new (self, url));
    }
  else
    maybe_fetch_thumbnail (self, url, info);
}

static void
describe_one (FlintFileCard *self, GString *out)
{
  const char *names[] = { "accept", "save-as", "decline", "cancel",
                          "retry",  "open",    "show",    "download" };
  GtkWidget *buttons[] = { self->accept_button,  self->save_button,
                           self->decline_button, self->cancel_button,
                           self->retry_button,   self->open_button,
                           self->show_button,    self->download_button };
  gboolean first = TRUE;

  g_string_append (out, "{\"url\": ");
  flint_json_append_string (out, self->url);
  g_string_append (out, ", \"name\": ");
  flint_json_append_string (out, gtk_label_get_text (self->name_label));
  g_string_append (out, ", \"details\": ");
  flint_json_append_string (out, gtk_label_get_text (self->details_label));
  g_string_append_printf (
    out, ", \"thumbnail\": %s, \"download\": %s, \"mapped\": %s",
    gtk_widget_get_visible (GTK_WIDGET (self->thumbnail)) ? "true" : "false",
    gtk_widget_get_sensitive (self->download_button) ? "true" : "false",
    gtk_widget_get_mapped (GTK_WIDGET (self)) ? "true" : "false");
  g_string_append_printf (
    out, ", \"transfer\": %s, \"id\": %u, \"progress\": %s, \"buttons\": [",
    self->file ? "true" : "false",
    self->transfer ? flint_transfer_get_id (self->transfer) : 0,
    gtk_widget_get_visible (GTK_WIDGET (self->progress)) ? "true" : "false");
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (gtk_widget_get_visible (buttons[i]) &&
        (self->url || buttons[i] != self->download_button))
      {
        g_string_append_printf (out, "%s\"%s\"", first ? "" : ", ", names[i]);
        first = FALSE;
      }
  g_string_append (out, "]}");
}

static gboolean
card_shown (FlintFileCard *self, GtkWidget *within)
{
  return (self->url || self->file) && gtk_widget_get_visible (GTK_WIDGET (self)) &&
         (within == NULL || gtk_widget_is_ancestor (GTK_WIDGET (self), within));
}

/* Every card on screen (within @within, when not NULL), as a JSON array,
 * in the order of the list rows that hold them. */
char *
flint_file_card_describe_in (GtkWidget *within)
{
  GString *out = g_string_new ("[");
  gboolean first = TRUE;

  for (GList *l = g_list_last (cards); l; l = l->prev)
    {
      if (!card_shown (l->data, within))
        continue;
      if (!first)
        g_string_append (out, ", ");
      first = FALSE;
      describe_one (l->data, out);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

char *
flint_file_card_describe_all (void)
{
  return flint_file_card_describe_in (NULL);
}

/* Widget actions, not app actions: the path is the card's own, never one
 * a caller on the session bus hands in. */
static void
open_activated (GtkWidget *widget, const char *name, GVariant *parameter)
{
  flint_transfer_center_open_path (FLINT_FILE_CARD (widget)->path);
}

static void
show_activated (GtkWidget *widget, const char *name, GVariant *parameter)
{
  flint_transfer_center_show_path (FLINT_FILE_CARD (widget)->path);
}

static void
send_again_activated (GtkWidget *widget, const char *name, GVariant *parameter)
{
  FlintFileCard *self = FLINT_FILE_CARD (widget);
  g_autoptr (GFile) file = NULL;
  GSList list = { NULL, NULL };

  if (self->path == NULL || self->account == NULL || self->jid == NULL ||
      center () == NULL)
    return;
  file = g_file_new_for_path (self->path);
  list.data = file;
  flint_transfer_center_send_files (center (), self->account, self->jid, &list);
}

static void
flint_file_card_dispose (GObject *object)
{
  FlintFileCard *self = FLINT_FILE_CARD (object);

  cards = g_list_remove (cards, object);
  unbind_transfer (self);
  g_clear_pointer (&self->file, g_variant_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), FLINT_TYPE_FILE_CARD);
  G_OBJECT_CLASS (flint_file_card_parent_class)->dispose (object);
}

static void
flint_file_card_finalize (GObject *object)
{
  FlintFileCard *self = FLINT_FILE_CARD (object);

  g_free (self->url);
  g_free (self->from);
  g_free (self->path);
  g_free (self->account);
  g_free (self->jid);
  G_OBJECT_CLASS (flint_file_card_parent_class)->finalize (object);
}

static void
flint_file_card_class_init (FlintFileCardClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_file_card_dispose;
  G_OBJECT_CLASS (klass)->finalize = flint_file_card_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-file-card.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, thumbnail);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, icon);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, details_label);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, download_button);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, accept_button);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, save_button);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, decline_button);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, retry_button);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, open_button);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, show_button);
  gtk_widget_class_bind_template_child (widget_class, FlintFileCard, progress);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "flint-file-card");
  gtk_widget_class_install_action (widget_class, "card.open", NULL, open_activated);
  gtk_widget_class_install_action (widget_class, "card.show", NULL, show_activated);
  gtk_widget_class_install_action (widget_class, "card.send-again", NULL,
                                   send_again_activated);
}

static void
flint_file_card_init (FlintFileCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cards = g_list_prepend (cards, self);
}

GtkWidget *
flint_file_card_new (void)
{
  return g_object_new (FLINT_TYPE_FILE_CARD, NULL);
}

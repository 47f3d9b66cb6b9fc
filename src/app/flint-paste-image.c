/* Sending a pasted image: the confirmation, the PNG and the hand-off to the
 * transfer center. */
#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <glib/gi18n.h>

#include "flint-paste-image.h"

#define PREVIEW_SIZE 240

typedef struct
{
  FlintTransferCenter *center;
  char *account;
  char *jid;
  GdkTexture *texture;
  char *path;
} Paste;

static void
paste_free (Paste *paste)
{
  g_clear_object (&paste->center);
  g_free (paste->account);
  g_free (paste->jid);
  g_clear_object (&paste->texture);
  g_free (paste->path);
  g_free (paste);
}

char *
flint_paste_image_file_name (GDateTime *now)
{
  /* Translators: the name of a pasted image sent as a file; %s is the date
   * and time. Keep ".png". */
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H.%M.%S");

  return g_strdup_printf (_ ("Pasted image %s.png"), date);
}

static void
save_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Paste *paste = data;
  g_autoptr (GBytes) png = gdk_texture_save_to_png_bytes (paste->texture);
  g_autoptr (GError) error = NULL;
  g_autofree char *folder =
    g_build_filename (g_get_user_cache_dir (), "flint", "pasted", NULL);

  if (g_mkdir_with_parents (folder, 0700) != 0 ||
      !g_file_set_contents (paste->path, g_bytes_get_data (png, NULL),
                            (gssize) g_bytes_get_size (png), &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _ ("The pasted image could not be saved in “%s”: %s"),
                               folder, error ? error->message : g_strerror (errno));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer data)
{
  Paste *paste = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = NULL;
  GSList files = { 0 };

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("%s", error->message);
      return;
    }
  file = g_file_new_for_path (paste->path);
  files.data = file;
  flint_transfer_center_send_files (paste->center, paste->account, paste->jid, &files);
}

static void
on_response (AdwMessageDialog *dialog, const char *response, Paste *paste)
{
  g_autoptr (GTask) task = NULL;

  if (g_strcmp0 (response, "send") != 0)
    {
      paste_free (paste);
      return;
    }
  task = g_task_new (NULL, NULL, on_saved, NULL);
  g_task_set_task_data (task, paste, (GDestroyNotify) paste_free);
  g_task_run_in_thread (task, save_in_thread);
}

void
flint_paste_image_send (GtkWidget *parent,
                        FlintTransferCenter *center,
                        const char *account,
                        const char *jid,
                        GdkTexture *texture)
{
  GtkRoot *root = gtk_widget_get_root (parent);
  Paste *paste = g_new0 (Paste, 1);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = flint_paste_image_file_name (now);
  g_autofree char *folder =
    g_build_filename (g_get_user_cache_dir (), "flint", "pasted", NULL);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  double scale = MIN (1.0, (double) PREVIEW_SIZE / MAX (MAX (width, height), 1));
  GtkWidget *dialog, *picture;

  paste->center = g_object_ref (center);
  paste->account = g_strdup (account);
  paste->jid = g_strdup (jid);
  paste->texture = g_object_ref (texture);
  paste->path = g_build_filename (folder, name, NULL);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _ ("Send the Pasted Image?"), NULL);
  adw_message_dialog_format_body (
    ADW_MESSAGE_DIALOG (dialog),
    /* Translators: a file name, its size in pixels, and a contact's address. */
    _ ("“%s” (%d × %d) will be sent to %s."), name, width, height, jid);
  /* The preview is scaled by the GPU from the texture already decoded. */
  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_set_size_request (picture, (int) (width * scale), (int) (height * scale));
  gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("The pasted image"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), picture);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "send", _ ("_Send"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "send");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), paste);
  gtk_window_present (GTK_WINDOW (dialog));
}

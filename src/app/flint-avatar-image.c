#include "config.h"

#define G_LOG_DOMAIN "flint-avatar-image"

#include <glib/gi18n.h>

#include "flint-avatar-image.h"

/* Larger than any avatar Flint draws (48 px at scale 2): images sent as
 * 1 MiB photos would otherwise sit in memory at full size. */
#define MAX_SIZE 128

static GHashTable *textures; /* path -> GdkTexture, not owned */

static void
forget_texture (gpointer path, GObject *where_the_texture_was)
{
  g_hash_table_remove (textures, path);
}

GdkPaintable *
flint_avatar_image_load (const char *path)
{
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError) error = NULL;
  GdkTexture *texture;
  char *key;

  if (path == NULL || *path == '\0')
    return NULL;
  if (textures == NULL)
    textures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  texture = g_hash_table_lookup (textures, path);
  if (texture)
    return g_object_ref (GDK_PAINTABLE (texture));

  /* Cache files are named by their SHA-1: one path is one picture for good. */
  pixbuf = gdk_pixbuf_new_from_file_at_size (path, MAX_SIZE, MAX_SIZE, &error);
  if (pixbuf == NULL)
    {
      g_debug ("Cannot show the avatar %s: %s", path, error->message);
      return NULL;
    }
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  key = g_strdup (path);
  g_hash_table_insert (textures, key, texture);
  g_object_weak_ref (G_OBJECT (texture), forget_texture, key);
  return GDK_PAINTABLE (texture);
}

/* ---- a picture chosen for our own avatar --------------------------------- */

/* Avatars are shown at 48 px at most; 192 px stays sharp at scale 4 and
 * keeps the PNG far below the 1 MiB others accept. */
#define OWN_SIZE 192

static void
prepare_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  const char *path = data;
  g_autoptr (GdkPixbuf) loaded = NULL;
  g_autoptr (GdkPixbuf) square = NULL;
  g_autoptr (GError) error = NULL;
  int width = 0, height = 0, w, h;
  char *buffer = NULL;
  gsize size = 0;

  if (gdk_pixbuf_get_file_info (path, &width, &height) == NULL || width <= 0 ||
      height <= 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               _ ("This file is not a picture Flint can read. "
                                  "Choose a PNG or JPEG picture."));
      return;
    }
  /* The shorter side becomes OWN_SIZE; the middle square is kept. */
  if (width < height)
    {
      w = MIN (width, OWN_SIZE);
      h = MAX (1, (int) ((double) height * w / width));
    }
  else
    {
      h = MIN (height, OWN_SIZE);
      w = MAX (1, (int) ((double) width * h / height));
    }
  loaded = gdk_pixbuf_new_from_file_at_scale (path, w, h, FALSE, &error);
  if (loaded)
    {
      g_autoptr (GdkPixbuf) oriented = gdk_pixbuf_apply_embedded_orientation (loaded);
      int side;

      g_set_object (&loaded, oriented);
      w = gdk_pixbuf_get_width (loaded);
      h = gdk_pixbuf_get_height (loaded);
      side = MIN (w, h);
      square =
        gdk_pixbuf_new_subpixbuf (loaded, (w - side) / 2, (h - side) / 2, side, side);
    }
  if (square == NULL ||
      !gdk_pixbuf_save_to_buffer (square, &buffer, &size, "png", &error, NULL))
    {
      g_debug ("Cannot use %s as an avatar: %s", path,
               error ? error->message : "no picture");
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               _ ("This file is not a picture Flint can read. "
                                  "Choose a PNG or JPEG picture."));
      return;
    }
  g_task_return_pointer (task, g_bytes_new_take (buffer, size),
                         (GDestroyNotify) g_bytes_unref);
}

void
flint_avatar_image_prepare_async (const char *path,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, flint_avatar_image_prepare_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, prepare_in_thread);
}

GBytes *
flint_avatar_image_prepare_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

#include "config.h"

#define G_LOG_DOMAIN "flint-avatar-image"

#include <glib/gi18n.h>

#include "flint-avatar-image.h"

/* Larger than any avatar Flint draws (48 px at scale 2): images sent as
 * 1 MiB photos would otherwise sit in memory at full size. */
#define MAX_SIZE 128
/* Recently shown pictures kept decoded after their last widget is gone,
 * so scrolling back through the roster does not decode them again. */
#define N_RECENT 64

typedef struct
{
  GWeakRef owner;
  FlintAvatarImageReady ready;
} Waiter;

static GHashTable *textures; /* path -> GdkTexture, not owned */
static GHashTable *waiting;  /* path -> GPtrArray of Waiter: being decoded */
static GHashTable *failed;   /* paths that are not pictures */
static GQueue recent = G_QUEUE_INIT;

static void
waiter_free (Waiter *waiter)
{
  g_weak_ref_clear (&waiter->owner);
  g_free (waiter);
}

static void
forget_texture (gpointer path, GObject *where_the_texture_was)
{
  g_hash_table_remove (textures, path);
}

static void
keep_recent (GdkTexture *texture)
{
  GList *link = g_queue_find (&recent, texture);

  if (link)
    {
      g_queue_unlink (&recent, link);
      g_queue_push_head_link (&recent, link);
    }
  else
    g_queue_push_head (&recent, g_object_ref (texture));
  while (recent.length > N_RECENT)
    g_object_unref (g_queue_pop_tail (&recent));
}

static void
decode_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  const char *path = data;
  GError *error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file_at_size (path, MAX_SIZE, MAX_SIZE, &error);

  if (pixbuf)
    g_task_return_pointer (task, pixbuf, g_object_unref);
  else
    g_task_return_error (task, error);
}

static void
on_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  const char *path = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (GPtrArray) waiters = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *key = NULL;

  g_hash_table_steal_extended (waiting, path, (gpointer *) &key, (gpointer *) &waiters);
  if (pixbuf == NULL)
    {
      g_debug ("Cannot show the avatar %s: %s", path, error->message);
      g_hash_table_add (failed, g_steal_pointer (&key));
      return;
    }
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  g_hash_table_insert (textures, key, texture);
  g_object_weak_ref (G_OBJECT (texture), forget_texture, key);
  key = NULL; /* the table's */
  keep_recent (texture);
  for (guint i = 0; waiters && i < waiters->len; i++)
    {
      Waiter *waiter = waiters->pdata[i];
      g_autoptr (GObject) owner = g_weak_ref_get (&waiter->owner);

      if (owner)
        waiter->ready (owner, path, GDK_PAINTABLE (texture));
    }
}

GdkPaintable *
flint_avatar_image_lookup (const char *path, GObject *owner, FlintAvatarImageReady ready)
{
  GdkTexture *texture;
  GPtrArray *waiters;
  Waiter *waiter;

  if (path == NULL || *path == '\0')
    return NULL;
  if (textures == NULL)
    {
      textures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
      failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  texture = g_hash_table_lookup (textures, path);
  if (texture)
    {
      keep_recent (texture);
      return g_object_ref (GDK_PAINTABLE (texture));
    }
  if (g_hash_table_contains (failed, path))
    return NULL;

  waiters = g_hash_table_lookup (waiting, path);
  if (waiters == NULL)
    {
      /* Decoding (and scaling) a large photo takes tens of milliseconds:
       * never on the main loop. Cache files are named by their SHA-1, so
       * one path is one picture for good. */
      g_autoptr (GTask) task = g_task_new (NULL, NULL, on_decoded, NULL);

      waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
      g_hash_table_insert (waiting, g_strdup (path), waiters);
      g_task_set_task_data (task, g_strdup (path), g_free);
      g_task_run_in_thread (task, decode_in_thread);
    }
  if (owner && ready)
    {
      waiter = g_new0 (Waiter, 1);
      g_weak_ref_init (&waiter->owner, owner);
      waiter->ready = ready;
      g_ptr_array_add (waiters, waiter);
    }
  return NULL;
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

#include "config.h"

#define G_LOG_DOMAIN "flint-avatar-image"

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

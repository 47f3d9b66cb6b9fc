#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The avatar image at @path (a file of the avatar cache) as a texture of at
 * most 128×128 pixels, or NULL when it cannot be decoded (the caller then
 * shows initials). One texture per file is shared by every widget showing
 * it for as long as one does, so 2,000 contacts with the same picture
 * decode it once. */
GdkPaintable *flint_avatar_image_load (const char *path);

G_END_DECLS

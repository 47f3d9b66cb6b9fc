#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The avatar image at @path (a file of the avatar cache) as a texture of at
 * most 128×128 pixels, or NULL when it cannot be decoded (the caller then
 * shows initials). One texture per file is shared by every widget showing
 * it for as long as one does, so 2,000 contacts with the same picture
 * decode it once. */
GdkPaintable *flint_avatar_image_load (const char *path);

/* A picture file made into our own avatar in a worker thread: turned
 * upright, the middle square kept, at most 192×192, as PNG bytes. The
 * error is translated text for the user. */
void flint_avatar_image_prepare_async (const char *path,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
GBytes *flint_avatar_image_prepare_finish (GAsyncResult *result, GError **error);

G_END_DECLS

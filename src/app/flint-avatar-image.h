#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*FlintAvatarImageReady) (GObject *owner,
                                       const char *path,
                                       GdkPaintable *image);

/* The avatar picture at @path (a file of the avatar cache) as a texture of
 * at most 128×128 pixels. Returns it (a new reference) when it is decoded
 * already; otherwise NULL, and it is decoded in a worker thread, after
 * which @ready is called with it if @owner is still alive. A file that is
 * not a picture stays NULL (the caller shows initials). One texture per
 * file is shared by every widget showing it, so 2,000 contacts with the
 * same picture decode it once. */
GdkPaintable *
flint_avatar_image_lookup (const char *path, GObject *owner, FlintAvatarImageReady ready);

/* A picture file made into our own avatar in a worker thread: turned
 * upright, the middle square kept, at most 192×192, as PNG bytes. The
 * error is translated text for the user. */
void flint_avatar_image_prepare_async (const char *path,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
GBytes *flint_avatar_image_prepare_finish (GAsyncResult *result, GError **error);

G_END_DECLS

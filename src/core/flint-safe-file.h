#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FLINT_TYPE_SAFE_FILE (flint_safe_file_get_type ())
G_DECLARE_FINAL_TYPE (FlintSafeFile, flint_safe_file, FLINT, SAFE_FILE, GObject)

FlintSafeFile *
flint_safe_file_create (const char *folder, const char *name, GError **error);

const char *flint_safe_file_get_folder (FlintSafeFile *self);
const char *flint_safe_file_get_name (FlintSafeFile *self);
char *flint_safe_file_get_path (FlintSafeFile *self);
char *flint_safe_file_get_part_path (FlintSafeFile *self);
guint64 flint_safe_file_get_written (FlintSafeFile *self);
gboolean flint_safe_file_is_finished (FlintSafeFile *self);

void flint_safe_file_write_async (FlintSafeFile *self,
                                  GBytes *bytes,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean
flint_safe_file_write_finish (FlintSafeFile *self, GAsyncResult *result, GError **error);

gboolean flint_safe_file_write (FlintSafeFile *self,
                                const void *data,
                                gsize size,
                                GCancellable *cancellable,
                                GError **error);

/* For a writer that hashes in another thread: every byte written must be
 * passed to flint_safe_file_hash, in order, before the commit. */
gboolean flint_safe_file_write_unhashed (FlintSafeFile *self,
                                         const void *data,
                                         gsize size,
                                         GCancellable *cancellable,
                                         GError **error);
void flint_safe_file_hash (FlintSafeFile *self, const void *data, gsize size);

/* For a zero-copy writer (a transfer without a hash): moves exactly size
 * bytes, already in the pipe pipe_fd, into the part with splice(2). These
 * bytes are not hashed, so the commit must not expect an MD5. */
gboolean flint_safe_file_write_from_pipe (FlintSafeFile *self,
                                          int pipe_fd,
                                          gsize size,
                                          GError **error);

gboolean flint_safe_file_commit (FlintSafeFile *self,
                                 gint64 expected_size,
                                 const char *expected_md5,
                                 GError **error);
void flint_safe_file_discard (FlintSafeFile *self);

G_END_DECLS

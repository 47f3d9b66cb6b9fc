/* FlintSafeFile: a received file written as "name.part" inside one folder
 * and renamed to "name" only when its size (and hash, when the sender gave
 * one) match; removed on any failure.
 *
 * Every path operation is relative to the folder's descriptor and the name
 * is one sanitised component, so nothing can be created outside the folder;
 * the part is created with O_EXCL | O_NOFOLLOW, so a symlink planted in the
 * folder is never followed, and the final rename never replaces an existing
 * file (RENAME_NOREPLACE, or link + unlink where that is unsupported): a
 * taken name becomes "name (1).ext". Writes go through GIO (async, or
 * blocking in a worker thread) or, for unhashed transfers, splice(2). */
#define _GNU_SOURCE /* renameat2, splice */
#include "config.h"

#define G_LOG_DOMAIN "flint-safe-file"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flint-error.h"
#include "flint-file-name.h"
#include "flint-md5.h"
#include "flint-safe-file.h"

#define MAX_NUMBER 999

struct _FlintSafeFile
{
  GObject parent_instance;

  char *folder;
  int dir_fd;
  char *name; /* the final name we aim for (may change at commit) */
  char *part; /* name + ".part" */
  GOutputStream *stream;
  FlintMd5 *md5;
  guint64 written;
  gboolean finished; /* committed or discarded */
};

G_DEFINE_FINAL_TYPE (FlintSafeFile, flint_safe_file, G_TYPE_OBJECT)

static void
flint_safe_file_finalize (GObject *object)
{
  FlintSafeFile *self = FLINT_SAFE_FILE (object);

  flint_safe_file_discard (self);
  if (self->dir_fd >= 0)
    close (self->dir_fd);
  g_free (self->folder);
  g_free (self->name);
  g_free (self->part);
  flint_md5_free (self->md5);
  G_OBJECT_CLASS (flint_safe_file_parent_class)->finalize (object);
}

static void
flint_safe_file_class_init (FlintSafeFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = flint_safe_file_finalize;
}

static void
flint_safe_file_init (FlintSafeFile *self)
{
  self->dir_fd = -1;
  self->md5 = flint_md5_new ();
}

static void
set_write_error (GError **error, const char *folder, int errsv)
{
  g_set_error (error, FLINT_ERROR, FLINT_ERROR_FILE_WRITE,
               _ ("The file could not be saved in “%s”: %s. Check that the folder "
                  "exists, is writable and has free space."),
               folder, g_strerror (errsv));
}

static gboolean
name_taken (int dir_fd, const char *name)
{
  struct stat st;

  return fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

/* Creates "name.part" (or "name (n).part") in folder, never following a
 * symlink and never reusing an existing file. */
FlintSafeFile *
flint_safe_file_create (const char *folder, const char *name, GError **error)
{
  g_autoptr (FlintSafeFile) self = g_object_new (FLINT_TYPE_SAFE_FILE, NULL);
  g_autofree char *safe = flint_file_name_sanitize (name);
  int fd = -1;

  self->folder = g_strdup (folder);
  /* The folder itself is the user's choice and may be a symlink. */
  self->dir_fd = open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (self->dir_fd < 0)
    {
      set_write_error (error, folder, errno);
      return NULL;
    }

  for (guint n = 0; n <= MAX_NUMBER && fd < 0; n++)
    {
      g_autofree char *candidate = flint_file_name_numbered (safe, n);
      g_autofree char *part = g_strconcat (candidate, ".part", NULL);

      if (name_taken (self->dir_fd, candidate))
        continue;
      fd = openat (self->dir_fd, part,
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST)
        {
          set_write_error (error, folder, errno);
          return NULL;
        }
      if (fd >= 0)
        {
          self->name = g_steal_pointer (&candidate);
          self->part = g_steal_pointer (&part);
        }
    }
  if (fd < 0)
    {
      set_write_error (error, folder, EEXIST);
      return NULL;
    }
  self->stream = g_unix_output_stream_new (fd, TRUE);
  g_debug ("writing %s/%s", folder, self->part);
  return g_steal_pointer (&self);
}

const char *
flint_safe_file_get_folder (FlintSafeFile *self)
{
  return self->folder;
}

const char *
flint_safe_file_get_name (FlintSafeFile *self)
{
  return self->name;
}

char *
flint_safe_file_get_path (FlintSafeFile *self)
{
  return g_build_filename (self->folder, self->name, NULL);
}

char *
flint_safe_file_get_part_path (FlintSafeFile *self)
{
  return g_build_filename (self->folder, self->part, NULL);
}

guint64
flint_safe_file_get_written (FlintSafeFile *self)
{
  return self->written;
}

gboolean
flint_safe_file_is_finished (FlintSafeFile *self)
{
  return self->finished;
}

/* ---- writing ------------------------------------------------------------- */

static void
on_written (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  FlintSafeFile *self = g_task_get_source_object (task);
  GBytes *bytes = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gsize n = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &n, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_FILE_WRITE,
                               _ ("The file could not be saved in “%s”: %s. Check that "
                                  "the folder is writable and has free space."),
                               self->folder, error->message);
      return;
    }
  flint_md5_update (self->md5, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  self->written += n;
  g_task_return_boolean (task, TRUE);
}

/* One write at a time: the caller waits for the finish before the next, which
 * is also what bounds the memory a fast sender can make us hold. */
void
flint_safe_file_write_async (FlintSafeFile *self,
                             GBytes *bytes,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  gsize size = 0;
  const void *data = g_bytes_get_data (bytes, &size);

  g_task_set_source_tag (task, flint_safe_file_write_async);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  if (self->finished || self->stream == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               "the file is already closed");
      g_object_unref (task);
      return;
    }
  if (size == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_output_stream_write_all_async (self->stream, data, size, G_PRIORITY_DEFAULT,
                                   cancellable, on_written, task);
}

gboolean
flint_safe_file_write_finish (FlintSafeFile *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The blocking form, for a worker thread that owns the file until it
 * returns: the main thread must not touch the file meanwhile. */
static gboolean
write_blocking (FlintSafeFile *self,
                const void *data,
                gsize size,
                gboolean hash,
                GCancellable *cancellable,
                GError **error)
{
  g_autoptr (GError) local = NULL;
  gsize n = 0;

  if (self->finished || self->stream == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "the file is already closed");
      return FALSE;
    }
  if (!g_output_stream_write_all (self->stream, data, size, &n, cancellable, &local))
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, FLINT_ERROR, FLINT_ERROR_FILE_WRITE,
                     _ ("The file could not be saved in “%s”: %s. Check that "
                        "the folder is writable and has free space."),
                     self->folder, local->message);
      return FALSE;
    }
  if (hash)
    flint_md5_update (self->md5, data, size);
  self->written += n;
  return TRUE;
}

gboolean
flint_safe_file_write (FlintSafeFile *self,
                       const void *data,
                       gsize size,
                       GCancellable *cancellable,
                       GError **error)
{
  return write_blocking (self, data, size, TRUE, cancellable, error);
}

gboolean
flint_safe_file_write_unhashed (FlintSafeFile *self,
                                const void *data,
                                gsize size,
                                GCancellable *cancellable,
                                GError **error)
{
  return write_blocking (self, data, size, FALSE, cancellable, error);
}

void
flint_safe_file_hash (FlintSafeFile *self, const void *data, gsize size)
{
  flint_md5_update (self->md5, data, size);
}

/* Where the file system cannot take a splice (EINVAL): through a buffer. */
static gboolean
copy_from_pipe (FlintSafeFile *self, int pipe_fd, gsize size, GError **error)
{
  g_autofree guchar *buf = g_malloc (64 * 1024);

  while (size > 0)
    {
      ssize_t n = read (pipe_fd, buf, MIN (size, 64 * 1024));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          set_write_error (error, self->folder, n < 0 ? errno : EIO);
          return FALSE;
        }
      if (!write_blocking (self, buf, n, FALSE, NULL, error))
        return FALSE;
      size -= n;
    }
  return TRUE;
}

gboolean
flint_safe_file_write_from_pipe (FlintSafeFile *self,
                                 int pipe_fd,
                                 gsize size,
                                 GError **error)
{
  int fd;

  if (self->finished || self->stream == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "the file is already closed");
      return FALSE;
    }
  /* The stream is unbuffered, so the descriptor's offset is where its
   * writes stopped and the two kinds of writes can mix. */
  fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (self->stream));
  while (size > 0)
    {
      ssize_t n = splice (pipe_fd, NULL, fd, NULL, size, SPLICE_F_MOVE);

      if (n > 0)
        {
          self->written += n;
          size -= n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EINVAL)
        return copy_from_pipe (self, pipe_fd, size, error);
      set_write_error (error, self->folder, n < 0 ? errno : EIO);
      return FALSE;
    }
  return TRUE;
}

/* ---- the end ------------------------------------------------------------- */

static int
rename_no_replace (int dir_fd, const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
  if (renameat2 (dir_fd, from, dir_fd, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;
#endif
  /* File systems without RENAME_NOREPLACE: link fails on an existing name. */
  if (linkat (dir_fd, from, dir_fd, to, 0) != 0)
    return -1;
  unlinkat (dir_fd, from, 0);
  return 0;
}

/* Closes the part, checks it, and gives it its final name: a name that was
 * taken meanwhile becomes "name (n).ext". expected_size < 0 and
 * expected_md5 == NULL skip those checks. On failure the part is removed. */
gboolean
flint_safe_file_commit (FlintSafeFile *self,
                        gint64 expected_size,
                        const char *expected_md5,
                        GError **error)
{
  g_autoptr (GError) close_error = NULL;
  g_autofree char *safe = NULL;

  g_return_val_if_fail (!self->finished, FALSE);
  if (!g_output_stream_close (self->stream, NULL, &close_error))
    {
      set_write_error (error, self->folder, EIO);
      flint_safe_file_discard (self);
      return FALSE;
    }
  if (expected_size >= 0 && self->written != (guint64) expected_size)
    {
      /* Sizes as text: a G_GUINT64_FORMAT inside the msgid hides it from
       * xgettext. */
      g_autofree char *got =
        g_format_size_full (self->written, G_FORMAT_SIZE_LONG_FORMAT);
      g_autofree char *want =
        g_format_size_full ((guint64) expected_size, G_FORMAT_SIZE_LONG_FORMAT);

      /* TRANSLATORS: the sizes are like "1.2 kB (1,234 bytes)" */
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_TRANSFER_CORRUPT,
                   _ ("The file arrived incomplete (%s of %s), so it was not kept. "
                      "Ask the sender to send it again."),
                   got, want);
      flint_safe_file_discard (self);
      return FALSE;
    }
  if (expected_md5 && *expected_md5 &&
      g_ascii_strcasecmp (flint_md5_get_string (self->md5), expected_md5) != 0)
    {
      flint_set_error (error, FLINT_ERROR_TRANSFER_CORRUPT);
      flint_safe_file_discard (self);
      return FALSE;
    }

  safe = g_strdup (self->name);
  for (guint n = 0; n <= MAX_NUMBER; n++)
    {
      g_autofree char *candidate = flint_file_name_numbered (safe, n);

      if (rename_no_replace (self->dir_fd, self->part, candidate) == 0)
        {
          g_free (self->name);
          self->name = g_steal_pointer (&candidate);
          self->finished = TRUE;
          g_clear_object (&self->stream);
          return TRUE;
        }
      if (errno != EEXIST)
        break;
    }
  set_write_error (error, self->folder, errno);
  flint_safe_file_discard (self);
  return FALSE;
}

/* Removes the part, if it is still there; safe to call more than once. */
void
flint_safe_file_discard (FlintSafeFile *self)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  if (self->stream && !g_output_stream_is_closed (self->stream))
    g_output_stream_close (self->stream, NULL, NULL);
  g_clear_object (&self->stream);
  if (self->dir_fd >= 0 && self->part)
    unlinkat (self->dir_fd, self->part, 0);
}

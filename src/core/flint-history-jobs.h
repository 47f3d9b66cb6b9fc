#pragma once

#include <gio/gio.h>

#include "flint-history.h"

G_BEGIN_DECLS

/* Deletions that may touch many rows, run in a worker thread through a
 * FlintHistory of its own on the history file @path, a small transaction
 * at a time so the main thread's writes never wait long. */

/* Clear history: every message of one conversation stored before
 * @stored_before (microseconds since the epoch; what arrives meanwhile
 * stays). */
void flint_history_clear_conversation_async (const char *path,
                                             const char *account,
                                             const char *conversation,
                                             gint64 stored_before,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
/* Retention: every message older than @before (microseconds since the
 * epoch), but outgoing ones still waiting to be sent. */
void flint_history_expire_async (const char *path,
                                 gint64 before,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
/* For both: *out_deleted gets how many messages went. */
gboolean
flint_history_jobs_finish (GAsyncResult *result, guint *out_deleted, GError **error);

G_END_DECLS

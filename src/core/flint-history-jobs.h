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

/* Opens (and so creates, migrates or recovers) the history at @path, or
 * the default file for %NULL, in a worker thread, as flint_history_open()
 * would: for a store that flint_history_needs_migration(), which keeps the
 * main loop free meanwhile. The FlintHistory is handed over to the thread
 * that called this, which must be the only one to use it. A migration is
 * one transaction per schema step, so if the process dies meanwhile the
 * file keeps its old version and the next open migrates again. */
void flint_history_open_async (const char *path,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
/* Returns: (transfer full) (nullable): the history, or %NULL (then @error
 * says why). Like flint_history_open(), a store started afresh because the
 * old one was damaged or newer is returned, with
 * flint_history_get_recovery_error() telling why; @error is not set then. */
FlintHistory *flint_history_open_finish (GAsyncResult *result, GError **error);

G_END_DECLS

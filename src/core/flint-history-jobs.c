#include "config.h"

#define G_LOG_DOMAIN "flint-history"

#include "flint-history-jobs.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Rows per transaction: about 10-20 ms each, so a live message stored on
 * the main thread meanwhile waits no longer than that for the lock. */
#define BATCH 500

typedef struct
{
  char *path;
  char *account; /* clear: the conversation; NULL: expire */
  char *conversation;
  gint64 before; /* clear: stored before; expire: time before */
} Job;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_free (job->account);
  g_free (job->conversation);
  g_free (job);
}

static void
job_run (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr (FlintHistory) history = NULL;
  g_autoptr (GError) error = NULL;
  guint total = 0, deleted;

  history = flint_history_open (job->path, &error);
  if (history == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error); /* a recovered store: the main thread reports it */

  do
    {
      gboolean ok =
        job->account
          ? flint_history_delete_conversation (history, job->account, job->conversation,
                                               job->before, BATCH, &deleted, &error)
          : flint_history_delete_older_than (history, job->before, BATCH, &deleted,
                                             &error);

      if (!ok)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      total += deleted;
    }
  while (deleted > 0 && !g_cancellable_is_cancelled (cancellable));

  g_debug ("Deleted %u messages", total);
  g_task_return_int (task, total);
}

static void
start (Job *job,
       GCancellable *cancellable,
       GAsyncReadyCallback callback,
       gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, flint_history_jobs_finish);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_run);
}

void
flint_history_clear_conversation_async (const char *path,
                                        const char *account,
                                        const char *conversation,
                                        gint64 stored_before,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  Job *job;

  g_return_if_fail (path != NULL && account != NULL && conversation != NULL);

  job = g_new0 (Job, 1);
  job->path = g_strdup (path);
  job->account = g_strdup (account);
  job->conversation = g_strdup (conversation);
  job->before = stored_before;
  start (job, cancellable, callback, user_data);
}

void
flint_history_expire_async (const char *path,
                            gint64 before,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  Job *job;

  g_return_if_fail (path != NULL);

  job = g_new0 (Job, 1);
  job->path = g_strdup (path);
  job->before = before;
  start (job, cancellable, callback, user_data);
}

gboolean
flint_history_jobs_finish (GAsyncResult *result, guint *out_deleted, GError **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (out_deleted)
    *out_deleted = (guint) n;
  return TRUE;
}

/* ---- opening in a worker ------------------------------------------------- */

static void
open_run (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  pid_t thread = (pid_t) syscall (SYS_gettid);
  int priority;
  gboolean lowered;
  FlintHistory *history;

  /* A migration keeps a CPU busy for seconds: the window's frames come
   * first. Linux applies the nice value per thread; the pool thread gets
   * its own back afterwards. */
  errno = 0;
  priority = getpriority (PRIO_PROCESS, thread);
  lowered =
    errno == 0 && setpriority (PRIO_PROCESS, thread, MIN (priority + 10, 19)) == 0;
  history = flint_history_open (data, &error);
  if (lowered)
    setpriority (PRIO_PROCESS, thread, priority);

  if (history == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A recovered store: the caller reads get_recovery_error(). */
  g_debug ("History opened in a worker in %.2f s",
           (g_get_monotonic_time () - start) / 1e6);
  g_task_return_pointer (task, history, g_object_unref);
}

void
flint_history_open_async (const char *path,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, flint_history_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  /* Cancelling does not stop a migration under way (it commits or not
   * as a whole); the store opened is then dropped. */
  g_task_run_in_thread (task, open_run);
}

FlintHistory *
flint_history_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, flint_history_open_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

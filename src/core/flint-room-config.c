#include "config.h"

#define G_LOG_DOMAIN "flint-room-config"

#include <glib/gi18n-lib.h>

#include "flint-error.h"
#include "flint-jid.h"
#include "flint-room-config.h"
#include "flint-stanza.h"

#define NS_MUC_OWNER "http://jabber.org/protocol/muc#owner"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"

GError *
flint_room_config_error_from_reply (xmpp_stanza_t *reply)
{
  xmpp_stanza_t *error = reply ? xmpp_stanza_get_child_by_name (reply, "error") : NULL;
  g_autofree char *text =
    error ? flint_stanza_child_text (error, "text", NS_STANZAS) : NULL;
  const char *condition = NULL;
  FlintErrorCode code = FLINT_ERROR_FAILED;
  const char *message;

  for (xmpp_stanza_t *c = error ? xmpp_stanza_get_children (error) : NULL; c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_ns (c), NS_STANZAS) == 0 &&
        g_strcmp0 (xmpp_stanza_get_name (c), "text") != 0)
      {
        condition = xmpp_stanza_get_name (c);
        break;
      }

  if (g_strcmp0 (condition, "forbidden") == 0 ||
      g_strcmp0 (condition, "not-authorized") == 0)
    {
      code = FLINT_ERROR_MUC_REFUSED;
      message = _ ("Only the room’s owners may change its configuration.");
    }
  else if (g_strcmp0 (condition, "item-not-found") == 0 ||
           g_strcmp0 (condition, "remote-server-not-found") == 0)
    {
      code = FLINT_ERROR_MUC_NOT_FOUND;
      message = _ ("This room no longer exists.");
    }
  else if (g_strcmp0 (condition, "not-acceptable") == 0 ||
           g_strcmp0 (condition, "bad-request") == 0)
    message = _ ("The room did not accept this configuration. Check the values and try "
                 "again.");
  else if (g_strcmp0 (condition, "service-unavailable") == 0 ||
           g_strcmp0 (condition, "feature-not-implemented") == 0)
    message = _ ("This room cannot be configured.");
  else
    message = _ ("The room could not be configured.");

  if (text && *text)
    return g_error_new (FLINT_ERROR, code, _ ("%s (The room said: “%s”)"), message, text);
  return g_error_new_literal (FLINT_ERROR, code, message);
}

static gboolean
check_ready (FlintSession *session, const char *room_jid, GTask *task)
{
  if (room_jid == NULL || !flint_jid_is_valid_bare (room_jid))
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_INVALID_JID, "%s",
                               flint_error_describe (FLINT_ERROR_INVALID_JID));
      return FALSE;
    }
  if (flint_session_get_state (session) != FLINT_SESSION_ONLINE)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED, "%s",
                               flint_error_describe (FLINT_ERROR_NOT_CONNECTED));
      return FALSE;
    }
  return TRUE;
}

static xmpp_stanza_t *
owner_iq (FlintSession *session, const char *type, const char *room_jid)
{
  xmpp_ctx_t *ctx = flint_session_get_context (session);
  g_autofree char *id = flint_session_new_id (session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, type, id);

  xmpp_stanza_set_to (iq, room_jid);
  flint_stanza_add_child (iq, "query", NS_MUC_OWNER, NULL);
  return iq;
}

/* A task that outlives its caller's interest: a cancelled task has already
 * returned, so a late reply is dropped. */
static gboolean
return_if_failed (GTask *task, xmpp_stanza_t *result, const GError *error)
{
  if (g_task_return_error_if_cancelled (task))
    return TRUE;
  if (result == NULL)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_TIMEOUT, "%s",
                               flint_error_describe (FLINT_ERROR_TIMEOUT));
      return TRUE;
    }
  if (error)
    {
      g_task_return_error (task, flint_room_config_error_from_reply (result));
      return TRUE;
    }
  return FALSE;
}

static void
on_fetched (FlintSession *session,
            xmpp_stanza_t *result,
            const GError *error,
            gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  xmpp_stanza_t *query;
  g_autoptr (FlintDataForm) form = NULL;
  g_autoptr (GError) parse_error = NULL;

  if (return_if_failed (task, result, error))
    return;
  query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_MUC_OWNER);
  form = flint_data_form_parse_child (query, &parse_error);
  if (form == NULL)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_FAILED, "%s",
                               _ ("The room sent no configuration form."));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&form), g_object_unref);
}

void
flint_room_config_fetch_async (FlintSession *session,
                               const char *room_jid,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task = g_task_new (session, cancellable, callback, user_data);
  xmpp_stanza_t *iq;

  g_task_set_source_tag (task, flint_room_config_fetch_async);
  if (!check_ready (session, room_jid, task))
    {
      g_object_unref (task);
      return;
    }
  iq = owner_iq (session, "get", room_jid);
  flint_session_send_iq (session, iq, on_fetched, task);
  xmpp_stanza_release (iq);
}

FlintDataForm *
flint_room_config_fetch_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_submitted (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer user_data)
{
  g_autoptr (GTask) task = user_data;

  if (return_if_failed (task, result, error))
    return;
  g_task_return_boolean (task, TRUE);
}

void
flint_room_config_submit_async (FlintSession *session,
                                const char *room_jid,
                                FlintDataForm *form,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task = g_task_new (session, cancellable, callback, user_data);
  xmpp_stanza_t *iq, *query, *x;

  g_task_set_source_tag (task, flint_room_config_submit_async);
  if (!check_ready (session, room_jid, task))
    {
      g_object_unref (task);
      return;
    }
  iq = owner_iq (session, "set", room_jid);
  query = xmpp_stanza_get_child_by_name (iq, "query");
  if (form)
    x = flint_data_form_to_submit (form, flint_session_get_context (session));
  else
    {
      x = flint_stanza_new (flint_session_get_context (session), "x", FLINT_NS_DATA_FORM);
      xmpp_stanza_set_type (x, "submit");
    }
  xmpp_stanza_add_child_ex (query, x, 0);
  flint_session_send_iq (session, iq, on_submitted, task);
  xmpp_stanza_release (iq);
}

gboolean
flint_room_config_submit_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
flint_room_config_cancel (FlintSession *session, const char *room_jid, gboolean destroy)
{
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *iq, *query;

  if (room_jid == NULL || flint_session_get_state (session) != FLINT_SESSION_ONLINE)
    return;
  ctx = flint_session_get_context (session);
  iq = owner_iq (session, "set", room_jid);
  query = xmpp_stanza_get_child_by_name (iq, "query");
  xmpp_stanza_add_child_ex (query, flint_data_form_new_cancel (ctx), 0);
  flint_session_send_iq (session, iq, NULL, NULL);
  xmpp_stanza_release (iq);
  if (!destroy)
    return;
  /* Not every service destroys a room whose setup was cancelled (Prosody
   * keeps it, locked): the owner destroys it (§10.9). */
  iq = owner_iq (session, "set", room_jid);
  query = xmpp_stanza_get_child_by_name (iq, "query");
  flint_stanza_add_child (query, "destroy", NULL, NULL);
  flint_session_send_iq (session, iq, NULL, NULL);
  xmpp_stanza_release (iq);
}

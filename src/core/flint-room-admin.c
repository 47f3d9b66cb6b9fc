/* FlintRoom, continued: moderation (XEP-0045 §8 moderator, §9 admin,
 * §10 owner use cases) and outgoing invitations (XEP-0249, XEP-0045 §7.8). */
#include "config.h"

#define G_LOG_DOMAIN "flint-room"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-jid.h"
#include "flint-room-private.h"
#include "flint-stanza.h"

#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_MUC_ADMIN "http://jabber.org/protocol/muc#admin"
#define NS_MUC_OWNER "http://jabber.org/protocol/muc#owner"
#define NS_CONFERENCE "jabber:x:conference"

/* ---- who may do what ----------------------------------------------------- */

static int
affiliation_rank (const char *affiliation)
{
  if (g_strcmp0 (affiliation, "owner") == 0)
    return 4;
  if (g_strcmp0 (affiliation, "admin") == 0)
    return 3;
  if (g_strcmp0 (affiliation, "member") == 0)
    return 2;
  if (g_strcmp0 (affiliation, "outcast") == 0)
    return 0;
  return 1; /* none */
}

/* §5.1.2 and §8.2: moderators change roles, never of someone with a
 * higher affiliation than theirs, and only admins and owners give or take
 * the moderator role (as Prosody's may_set_role). */
static gboolean
may_set_role (const char *my_role,
              const char *my_affiliation,
              const char *their_role,
              const char *their_affiliation,
              const char *new_role)
{
  int mine = affiliation_rank (my_affiliation);

  if (g_strcmp0 (my_role, "moderator") != 0)
    return FALSE;
  if (mine < affiliation_rank (their_affiliation))
    return FALSE;
  if ((g_strcmp0 (their_role, "moderator") == 0 || g_strcmp0 (new_role, "moderator") == 0) &&
      mine < 3)
    return FALSE;
  return TRUE;
}

/* §5.2.2: admins manage members and outcasts below them; owners manage
 * everyone, including admins and other owners. */
static gboolean
may_set_affiliation (const char *my_affiliation,
                     const char *their_affiliation,
                     const char *new_affiliation)
{
  int mine = affiliation_rank (my_affiliation);
  int theirs = affiliation_rank (their_affiliation);
  int wanted = affiliation_rank (new_affiliation);

  if (mine < 3 || theirs == wanted)
    return FALSE;
  if (mine == 4)
    return TRUE;
  return theirs < 3 && wanted < 3;
}

gboolean
flint_room_action_allowed (FlintRoomAction action,
                           const char *my_role,
                           const char *my_affiliation,
                           const char *their_role,
                           const char *their_affiliation)
{
  switch (action)
    {
      case FLINT_ROOM_ACTION_KICK:
        return may_set_role (my_role, my_affiliation, their_role, their_affiliation,
                             "none");
      case FLINT_ROOM_ACTION_GRANT_VOICE:
        return g_strcmp0 (their_role, "visitor") == 0 &&
               may_set_role (my_role, my_affiliation, their_role, their_affiliation,
                             "participant");
      case FLINT_ROOM_ACTION_REVOKE_VOICE:
        return g_strcmp0 (their_role, "participant") == 0 &&
               may_set_role (my_role, my_affiliation, their_role, their_affiliation,
                             "visitor");
      case FLINT_ROOM_ACTION_BAN:
        return may_set_affiliation (my_affiliation, their_affiliation, "outcast");
      case FLINT_ROOM_ACTION_MAKE_MEMBER:
        return may_set_affiliation (my_affiliation, their_affiliation, "member");
      case FLINT_ROOM_ACTION_MAKE_ADMIN:
        return may_set_affiliation (my_affiliation, their_affiliation, "admin");
      case FLINT_ROOM_ACTION_MAKE_OWNER:
        return may_set_affiliation (my_affiliation, their_affiliation, "owner");
      case FLINT_ROOM_ACTION_REMOVE_AFFILIATION:
        return affiliation_rank (their_affiliation) != 1 &&
               may_set_affiliation (my_affiliation, their_affiliation, "none");
      case FLINT_ROOM_ACTION_DESTROY:
        return affiliation_rank (my_affiliation) == 4;
      default:
        return FALSE;
    }
}

static gboolean
is_affiliation_action (FlintRoomAction action)
{
  return action == FLINT_ROOM_ACTION_BAN || action == FLINT_ROOM_ACTION_MAKE_MEMBER ||
         action == FLINT_ROOM_ACTION_MAKE_ADMIN ||
         action == FLINT_ROOM_ACTION_MAKE_OWNER ||
         action == FLINT_ROOM_ACTION_REMOVE_AFFILIATION;
}

gboolean
flint_room_can (FlintRoom *self, FlintRoomAction action, FlintOccupant *target)
{
  FlintOccupant *me;

  g_return_val_if_fail (FLINT_IS_ROOM (self), FALSE);

  me = flint_room_get_self_occupant (self);
  if (me == NULL || flint_room_get_state (self) != FLINT_ROOM_JOINED)
    return FALSE;
  if (action == FLINT_ROOM_ACTION_DESTROY)
    return flint_room_action_allowed (action, flint_occupant_get_role (me),
                                      flint_occupant_get_affiliation (me), NULL, NULL);
  if (target == NULL || flint_occupant_get_is_self (target))
    return FALSE;
  if (is_affiliation_action (action) && flint_occupant_get_jid (target) == NULL)
    return FALSE;
  return flint_room_action_allowed (
    action, flint_occupant_get_role (me), flint_occupant_get_affiliation (me),
    flint_occupant_get_role (target), flint_occupant_get_affiliation (target));
}

/* What a room answers an admin or owner request with (§8-§10). */
FlintErrorCode
flint_room_admin_error_from_condition (const char *condition)
{
  if (g_strcmp0 (condition, "not-allowed") == 0 ||
      g_strcmp0 (condition, "forbidden") == 0 ||
      g_strcmp0 (condition, "not-authorized") == 0)
    return FLINT_ERROR_MUC_NOT_ALLOWED;
  if (g_strcmp0 (condition, "item-not-found") == 0 ||
      g_strcmp0 (condition, "jid-malformed") == 0)
    return FLINT_ERROR_MUC_NO_OCCUPANT;
  if (g_strcmp0 (condition, "conflict") == 0)
    return FLINT_ERROR_MUC_LAST_OWNER;
  if (g_strcmp0 (condition, "remote-server-timeout") == 0)
    return FLINT_ERROR_TIMEOUT;
  return FLINT_ERROR_MUC_REFUSED;
}

/* ---- requests ------------------------------------------------------------ */

static void
on_admin_reply (FlintSession *session,
                xmpp_stanza_t *result,
                const GError *error,
                gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autofree char *text = NULL;
  g_autofree char *condition = NULL;
  FlintErrorCode code;

  if (result == NULL)
    {
      g_task_return_error (
        task, error
                ? g_error_copy (error)
                : g_error_new_literal (FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED,
                                       flint_error_describe (FLINT_ERROR_NOT_CONNECTED)));
      return;
    }
  if (g_strcmp0 (xmpp_stanza_get_type (result), "result") == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  condition = flint_room_error_condition (result, &text);
  code = flint_room_admin_error_from_condition (condition);
  g_debug ("Admin request refused: %s", condition ? condition : "?");
  if (text && *text && g_utf8_validate (text, -1, NULL))
    g_task_return_new_error (task, FLINT_ERROR, code, _ ("%s (The room said: “%s”)"),
                             flint_error_describe (code), text);
  else
    g_task_return_new_error (task, FLINT_ERROR, code, "%s", flint_error_describe (code));
}

void
flint_room_moderate_async (FlintRoom *self,
                           FlintRoomAction action,
                           const char *nick,
                           const char *jid,
                           const char *reason,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  FlintSession *session;
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *iq, *query, *el;
  g_autofree char *id = NULL;
  g_autofree char *bare = NULL;
  const char *role = NULL, *affiliation = NULL;

  g_return_if_fail (FLINT_IS_ROOM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, flint_room_moderate_async);
  session = flint_room_get_session (self);
  if (flint_session_get_state (session) != FLINT_SESSION_ONLINE)
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED, "%s",
                               flint_error_describe (FLINT_ERROR_NOT_CONNECTED));
      return;
    }
  switch (action)
    {
      case FLINT_ROOM_ACTION_KICK:
        role = "none";
        break;
      case FLINT_ROOM_ACTION_GRANT_VOICE:
        role = "participant";
        break;
      case FLINT_ROOM_ACTION_REVOKE_VOICE:
        role = "visitor";
        break;
      case FLINT_ROOM_ACTION_BAN:
        affiliation = "outcast";
        break;
      case FLINT_ROOM_ACTION_MAKE_MEMBER:
        affiliation = "member";
        break;
      case FLINT_ROOM_ACTION_MAKE_ADMIN:
        affiliation = "admin";
        break;
      case FLINT_ROOM_ACTION_MAKE_OWNER:
        affiliation = "owner";
        break;
      case FLINT_ROOM_ACTION_REMOVE_AFFILIATION:
        affiliation = "none";
        break;
      case FLINT_ROOM_ACTION_DESTROY:
      default:
        break;
    }
  if (role && (nick == NULL || *nick == '\0'))
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_MUC_NO_OCCUPANT, "%s",
                               flint_error_describe (FLINT_ERROR_MUC_NO_OCCUPANT));
      return;
    }
  if (affiliation)
    {
      bare = jid ? flint_jid_bare (jid) : NULL;
      if (bare == NULL || !flint_jid_is_valid_bare (bare))
        {
          g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_INVALID_JID, "%s",
                                   flint_error_describe (FLINT_ERROR_INVALID_JID));
          return;
        }
    }

  ctx = flint_session_get_context (session);
  id = flint_session_new_id (session);
  iq = xmpp_iq_new (ctx, "set", id);
  xmpp_stanza_set_to (iq, flint_room_get_jid (self));
  if (action == FLINT_ROOM_ACTION_DESTROY)
    {
      query = flint_stanza_add_child (iq, "query", NS_MUC_OWNER, NULL);
      el = flint_stanza_add_child (query, "destroy", NULL, NULL);
    }
  else
    {
      query = flint_stanza_add_child (iq, "query", NS_MUC_ADMIN, NULL);
      el = flint_stanza_add_child (query, "item", NULL, NULL);
      if (role)
        {
          xmpp_stanza_set_attribute (el, "nick", nick);
          xmpp_stanza_set_attribute (el, "role", role);
        }
      else
        {
          xmpp_stanza_set_attribute (el, "jid", bare);
          xmpp_stanza_set_attribute (el, "affiliation", affiliation);
        }
    }
  if (reason && *reason)
    flint_stanza_add_child (el, "reason", NULL, reason);
  flint_session_send_iq (session, iq, on_admin_reply, g_steal_pointer (&task));
  xmpp_stanza_release (iq);
}

gboolean
flint_room_moderate_finish (FlintRoom *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- invitations --------------------------------------------------------- */

void
flint_room_invite (FlintRoom *self, const char *jid, const char *reason)
{
  FlintSession *session;
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *message, *x;
  g_autofree char *id = NULL;

  g_return_if_fail (FLINT_IS_ROOM (self));
  g_return_if_fail (jid != NULL);

  session = flint_room_get_session (self);
  if (flint_session_get_state (session) != FLINT_SESSION_ONLINE ||
      !flint_jid_is_valid (jid))
    return;
  ctx = flint_session_get_context (session);
  id = flint_session_new_id (session);
  if (flint_room_get_members_only (self))
    {
      /* Mediated: the room relays it and (Prosody, when we may) makes the
       * invitee a member, which a direct invitation cannot. */
      xmpp_stanza_t *invite;

      message = xmpp_message_new (ctx, NULL, flint_room_get_jid (self), id);
      x = flint_stanza_add_child (message, "x", NS_MUC_USER, NULL);
      invite = flint_stanza_add_child (x, "invite", NULL, NULL);
      xmpp_stanza_set_attribute (invite, "to", jid);
      if (reason && *reason)
        flint_stanza_add_child (invite, "reason", NULL, reason);
    }
  else
    {
      message = xmpp_message_new (ctx, NULL, jid, id);
      x = flint_stanza_add_child (message, "x", NS_CONFERENCE, NULL);
      xmpp_stanza_set_attribute (x, "jid", flint_room_get_jid (self));
      if (reason && *reason)
        xmpp_stanza_set_attribute (x, "reason", reason);
      if (flint_room_get_password (self) && *flint_room_get_password (self))
        xmpp_stanza_set_attribute (x, "password", flint_room_get_password (self));
    }
  flint_session_send (session, message);
  xmpp_stanza_release (message);
}

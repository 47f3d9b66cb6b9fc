#pragma once

#include <gio/gio.h>

#include "flint-error.h"
#include "flint-history.h"
#include "flint-occupant.h"
#include "flint-session.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_ROOM_LEFT,
  FLINT_ROOM_JOINING,
  FLINT_ROOM_JOINED,
  FLINT_ROOM_FAILED,
} FlintRoomState;

GType flint_room_state_get_type (void);
#define FLINT_TYPE_ROOM_STATE (flint_room_state_get_type ())

#define FLINT_TYPE_ROOM (flint_room_get_type ())
G_DECLARE_FINAL_TYPE (FlintRoom, flint_room, FLINT, ROOM, GObject)

/* One XEP-0045 room of a session, made by FlintRooms. Joining sends the
 * presence to room/nick (password and a history request that starts
 * after the newest stored message); the room is "joined" when our own
 * presence (status 110) comes back, "failed" with a FLINT_ERROR_MUC_*
 * error (flint_room_get_error) when the room refuses us. Occupants are a
 * GListModel of FlintOccupant. Groupchat messages go to FlintHistory as
 * FLINT_MESSAGE_KIND_GROUPCHAT, each stored once: by the room's
 * <stanza-id by=room/>, our own echo by its origin-id.
 *
 * Properties: "jid", "nick", "password", "state", "subject", "name"
 * (bookmark or disco name, for display), "suggested-nick" (set with
 * FLINT_ERROR_MUC_NICK_IN_USE), "unread".
 * Signals: "message-stored" and "message-updated" (FlintMessageRecord),
 * as FlintChat's, so FlintConversation can show a room. Kicks, bans,
 * voice and affiliation changes, declined invitations and our own
 * removal are stored as FLINT_MESSAGE_KIND_STATUS lines (sender "").
 * "replaying" is TRUE while the room's archive (muc_mam) is being read
 * after a join: those messages are not news. */

const char *flint_room_get_jid (FlintRoom *self);
const char *flint_room_get_nick (FlintRoom *self);
const char *flint_room_get_password (FlintRoom *self);
const char *flint_room_get_subject (FlintRoom *self);
const char *flint_room_get_subject_by (FlintRoom *self);
const char *flint_room_get_name (FlintRoom *self);
void flint_room_set_name (FlintRoom *self, const char *name);
FlintRoomState flint_room_get_state (FlintRoom *self);
const GError *flint_room_get_error (FlintRoom *self);
const char *flint_room_get_suggested_nick (FlintRoom *self);
GListModel *flint_room_get_occupants (FlintRoom *self);
FlintOccupant *flint_room_find_occupant (FlintRoom *self, const char *nick);
FlintOccupant *flint_room_get_self_occupant (FlintRoom *self);
guint flint_room_get_unread (FlintRoom *self);
gboolean flint_room_get_replaying (FlintRoom *self);
void flint_room_set_active (FlintRoom *self, gboolean active);

/* Joins again (after a failure or a leave) with the current nick and
 * password. */
void flint_room_join (FlintRoom *self);
FlintMessageRecord *flint_room_send (FlintRoom *self, const char *body, GError **error);
void flint_room_set_nick (FlintRoom *self, const char *nick);
void flint_room_set_password (FlintRoom *self, const char *password);
void flint_room_set_subject (FlintRoom *self, const char *subject);
gboolean flint_room_mentions_nick (const char *body, const char *nick);

/* Room creation: when the join makes a new room (status 201), the room
 * takes the service's defaults at once (an instant room) unless
 * configure-on-create was set before the join; then the caller submits
 * the configuration (flint-room-config.h). "created" says our join made
 * the room. */
void flint_room_set_configure_on_create (FlintRoom *self, gboolean configure);
gboolean flint_room_get_created (FlintRoom *self);
/* The session the room belongs to (for owner requests). */
FlintSession *flint_room_get_session (FlintRoom *self);

/* ---- moderation (XEP-0045 §8-§10; flint-room-admin.c) ---------------- */

typedef enum
{
  FLINT_ROOM_ACTION_KICK,
  FLINT_ROOM_ACTION_BAN,
  FLINT_ROOM_ACTION_GRANT_VOICE,
  FLINT_ROOM_ACTION_REVOKE_VOICE,
  FLINT_ROOM_ACTION_MAKE_MEMBER,
  FLINT_ROOM_ACTION_MAKE_ADMIN,
  FLINT_ROOM_ACTION_MAKE_OWNER,
  FLINT_ROOM_ACTION_REMOVE_AFFILIATION,
  FLINT_ROOM_ACTION_DESTROY,
} FlintRoomAction;

/* Whether someone with my role/affiliation may do @action to an occupant
 * with theirs (XEP-0045 §5.1.2 and §5.2.2, as Prosody enforces them).
 * Role actions need the target's nick, affiliation actions its real JID;
 * DESTROY ignores the target. */
gboolean flint_room_action_allowed (FlintRoomAction action,
                                    const char *my_role,
                                    const char *my_affiliation,
                                    const char *their_role,
                                    const char *their_affiliation);
/* The same for this room, us and @target (NULL for DESTROY); FALSE when
 * not joined, for ourselves, and for affiliation actions on an occupant
 * whose real JID the room does not show us. */
gboolean flint_room_can (FlintRoom *self, FlintRoomAction action, FlintOccupant *target);

/* Sends the admin (or owner, for DESTROY) request. @nick names the
 * occupant for role actions, @jid the real JID for affiliation actions
 * (it may be someone not in the room); @reason is optional. Finishes
 * with a FLINT_ERROR_MUC_* error when the room refuses. */
void flint_room_moderate_async (FlintRoom *self,
                                FlintRoomAction action,
                                const char *nick,
                                const char *jid,
                                const char *reason,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean
flint_room_moderate_finish (FlintRoom *self, GAsyncResult *result, GError **error);

/* Invites @jid (XEP-0249 direct, or XEP-0045 mediated through the room
 * when the room is members-only, so the room lets the invitee in). */
void flint_room_invite (FlintRoom *self, const char *jid, const char *reason);
gboolean flint_room_get_members_only (FlintRoom *self);
/* Whether we may change the subject: moderators always, others where the
 * room's configuration allows it (muc#roominfo_changesubject). */
gboolean flint_room_can_change_subject (FlintRoom *self);

/* Pure helpers (unit tested). */
FlintErrorCode flint_room_admin_error_from_condition (const char *condition);
FlintErrorCode flint_room_error_from_condition (const char *condition);
char *flint_room_alternative_nick (const char *nick);

G_END_DECLS

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
 * as FlintChat's, so FlintConversation can show a room. */

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

/* Pure helpers (unit tested). */
FlintErrorCode flint_room_error_from_condition (const char *condition);
char *flint_room_alternative_nick (const char *nick);

G_END_DECLS

#pragma once

#include <strophe.h>

#include "flint-room.h"
#include "flint-session.h"

G_BEGIN_DECLS

/* Between FlintRooms and FlintRoom: the manager routes stanzas by room
 * JID and tells rooms when the connection comes and goes. */
FlintRoom *flint_room_new (FlintSession *session,
                           FlintHistory *history,
                           const char *jid,
                           const char *nick,
                           const char *password);
void flint_room_leave (FlintRoom *self);
gboolean flint_room_get_wanted (FlintRoom *self);
void flint_room_handle_presence (FlintRoom *self, xmpp_stanza_t *stanza);
void flint_room_handle_message (FlintRoom *self, xmpp_stanza_t *stanza);
void flint_room_connection_lost (FlintRoom *self);
gint64 flint_room_get_last_activity (FlintRoom *self);
void flint_room_self_ping (FlintRoom *self);
/* The XEP-0313 result wrapper (message from the room's bare JID); TRUE
 * when it answered our own archive query of this room. */
gboolean flint_room_handle_archive_result (FlintRoom *self, xmpp_stanza_t *stanza);

/* Shared with flint-room-admin.c. */
FlintSession *flint_room_get_session (FlintRoom *self);
void flint_room_add_status (FlintRoom *self, const char *text);
char *flint_room_error_condition (xmpp_stanza_t *stanza, char **out_text);

G_END_DECLS

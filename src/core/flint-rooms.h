#pragma once

#include "flint-history.h"
#include "flint-room.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ROOMS (flint_rooms_get_type ())
G_DECLARE_FINAL_TYPE (FlintRooms, flint_rooms, FLINT, ROOMS, GObject)

/* The rooms of one session: a GListModel of FlintRoom, stanzas from each
 * room routed to it, rooms the user is in joined again after a new
 * session (not after a XEP-0198 resumption, where they still stand), and
 * XEP-0410 self-pings of rooms that were quiet for "self-ping-interval"
 * seconds (default 300; 0 turns them off), to notice a room that dropped
 * us without telling (a restarted MUC service) and join it again. */
FlintRooms *flint_rooms_new (FlintSession *session, FlintHistory *history);

GListModel *flint_rooms_get_rooms (FlintRooms *self);
FlintRoom *flint_rooms_get_room (FlintRooms *self, const char *jid);
FlintRoom *flint_rooms_join (FlintRooms *self,
                             const char *jid,
                             const char *nick,
                             const char *password,
                             GError **error);
void flint_rooms_leave (FlintRooms *self, const char *jid);
void flint_rooms_close (FlintRooms *self, const char *jid);
void flint_rooms_set_self_ping_interval (FlintRooms *self, guint seconds);
gboolean flint_rooms_is_room (FlintRooms *self, const char *jid);
/* Signal "invitation" (room, inviter, reason, password, mediated): an
 * invitation to a room we are not in, XEP-0249 or XEP-0045 mediated. */
void flint_rooms_decline (FlintRooms *self,
                          const char *room,
                          const char *inviter,
                          const char *reason,
                          gboolean mediated);

/* The account server's first MUC service (disco#items, then disco#info
 * for a conference/text identity), found once per session. */
void flint_rooms_find_service_async (FlintRooms *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
char *
flint_rooms_find_service_finish (FlintRooms *self, GAsyncResult *result, GError **error);

/* Whether the room exists (disco#info): TRUE with its name (may be NULL),
 * FALSE without error when it does not, FALSE with an error otherwise. */
void flint_rooms_room_info_async (FlintRooms *self,
                                  const char *jid,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean flint_rooms_room_info_finish (FlintRooms *self,
                                       GAsyncResult *result,
                                       char **out_name,
                                       GError **error);

G_END_DECLS

#pragma once

#include <gtk/gtk.h>

#include "flint-bookmarks.h"
#include "flint-rooms.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ROOM_LIST (flint_room_list_get_type ())
G_DECLARE_FINAL_TYPE (FlintRoomList, flint_room_list, FLINT, ROOM_LIST, GtkWidget)

/* The "Rooms" section of the sidebar: bookmarked rooms and rooms joined
 * without a bookmark, each with its join state and unread count.
 *
 * Signal "room-activated" (const char *jid): open (and join) the room.
 * Unread counts come from flint_room_list_set_unread_func. */
typedef guint (*FlintRoomListUnreadFunc) (const char *jid, gpointer user_data);

FlintRoomList *flint_room_list_new (void);
void flint_room_list_set_models (FlintRoomList *self,
                                 FlintRooms *rooms,
                                 FlintBookmarks *bookmarks);
void flint_room_list_set_unread_func (FlintRoomList *self,
                                      FlintRoomListUnreadFunc func,
                                      gpointer user_data);
void flint_room_list_refresh (FlintRoomList *self);
/* For tests: "R:jid|state|unread" JSON strings, comma separated. */
char *flint_room_list_describe (FlintRoomList *self);

G_END_DECLS

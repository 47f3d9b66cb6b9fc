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
 * With the models of several accounts (add_models), each row says which
 * account it is on.
 *
 * Signal "room-activated" (const char *jid, const char *account_or_NULL):
 * open (and join) the room. Unread counts come from
 * flint_room_list_set_unread_func. */
typedef guint (*FlintRoomListUnreadFunc) (const char *account,
                                          const char *jid,
                                          gpointer user_data);

FlintRoomList *flint_room_list_new (void);
void flint_room_list_set_models (FlintRoomList *self,
                                 FlintRooms *rooms,
                                 FlintBookmarks *bookmarks);
/* One more account's rooms and bookmarks, after those given so far. */
void flint_room_list_add_models (FlintRoomList *self,
                                 const char *account,
                                 FlintRooms *rooms,
                                 FlintBookmarks *bookmarks);
void flint_room_list_set_unread_func (FlintRoomList *self,
                                      FlintRoomListUnreadFunc func,
                                      gpointer user_data);
void flint_room_list_refresh (FlintRoomList *self);
/* For tests: "R:jid|state|unread" JSON strings, comma separated. */
char *flint_room_list_describe (FlintRoomList *self);

G_END_DECLS

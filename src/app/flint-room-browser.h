#pragma once

#include <adwaita.h>

#include "flint-bookmarks.h"
#include "flint-rooms.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ROOM_BROWSER (flint_room_browser_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintRoomBrowser, flint_room_browser, FLINT, ROOM_BROWSER, AdwWindow)

/* Lists the public rooms of the account's server (FlintRoomDirectory):
 * name, address, description, people in it, a lock for password rooms;
 * a filter as the user types; Join (through the join dialog, which shows
 * any refusal) and Bookmark on each row. Details are fetched for the rows
 * on screen only. Signal "joined" (FlintRoom *) when a room let us in. */
FlintRoomBrowser *flint_room_browser_new (GtkWindow *parent,
                                          FlintSession *session,
                                          FlintRooms *rooms,
                                          FlintBookmarks *bookmarks,
                                          const char *default_nick);

/* For app.test-dump: "room_browser", "join_dialog" and "room_config"
 * members for whichever of these windows are open. */
void flint_room_browser_describe_windows_json (GString *out);

G_END_DECLS

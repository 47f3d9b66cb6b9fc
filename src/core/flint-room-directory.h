#pragma once

#include "flint-room-listing.h"
#include "flint-session.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_ROOM_DIRECTORY_IDLE,
  FLINT_ROOM_DIRECTORY_LOADING,
  FLINT_ROOM_DIRECTORY_READY,
  FLINT_ROOM_DIRECTORY_FAILED,
} FlintRoomDirectoryState;

GType flint_room_directory_state_get_type (void);
#define FLINT_TYPE_ROOM_DIRECTORY_STATE (flint_room_directory_state_get_type ())

#define FLINT_TYPE_ROOM_DIRECTORY (flint_room_directory_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintRoomDirectory, flint_room_directory, FLINT, ROOM_DIRECTORY, GObject)

/* The public rooms a user can browse: the MUC services of the account's
 * server (disco#items on the server, each item's disco#info for a
 * conference/text identity) and the rooms each lists (disco#items), as a
 * GListModel of FlintRoomListing sorted by name, added a service at a
 * time. Details of a room (description, occupants) cost one disco#info
 * each: they are fetched only for rooms asked for (the rows on screen),
 * at most a few at once, the newest request first, so a list of
 * thousands stays cheap. Property "state" (FlintRoomDirectoryState);
 * "error" set when FAILED. */
FlintRoomDirectory *flint_room_directory_new (FlintSession *session);

GListModel *flint_room_directory_get_rooms (FlintRoomDirectory *self);
FlintRoomDirectoryState flint_room_directory_get_state (FlintRoomDirectory *self);
const GError *flint_room_directory_get_error (FlintRoomDirectory *self);
/* (array zero-terminated=1) the services found so far. */
const char *const *flint_room_directory_get_services (FlintRoomDirectory *self);

/* Discovers the services of the account's server and lists their rooms
 * (forgetting what was listed before). */
void flint_room_directory_refresh (FlintRoomDirectory *self);
/* Lists the rooms of one given service (on any server). */
void flint_room_directory_load_service (FlintRoomDirectory *self, const char *service);
/* Asks for the room's details if not known yet. */
void flint_room_directory_request_info (FlintRoomDirectory *self,
                                        FlintRoomListing *listing);
/* For tests and benchmarks: disco#info requests sent so far. */
guint flint_room_directory_get_info_requests (FlintRoomDirectory *self);

G_END_DECLS

#pragma once

#include <gtk/gtk.h>

#include "flint-conversation.h"
#include "flint-room.h"

G_BEGIN_DECLS

#define FLINT_TYPE_ROOM_PAGE (flint_room_page_get_type ())
G_DECLARE_FINAL_TYPE (FlintRoomPage, flint_room_page, FLINT, ROOM_PAGE, GtkWidget)

/* One room tab: the subject bar, the messages (FlintMessageRow, senders in
 * their XEP-0392 colour, mentions of our nick highlighted), the composer,
 * and the occupants grouped by role with affiliation badges. A banner says
 * why the room is not joined and offers to join again.
 *
 * Property "title" (the room's name). */
FlintRoomPage *flint_room_page_new (FlintRoom *room, FlintConversation *conversation);

FlintRoom *flint_room_page_get_room (FlintRoomPage *self);
FlintConversation *flint_room_page_get_conversation (FlintRoomPage *self);
const char *flint_room_page_get_account (FlintRoomPage *self);
const char *flint_room_page_get_jid (FlintRoomPage *self);
const char *flint_room_page_get_title (FlintRoomPage *self);
void flint_room_page_set_active (FlintRoomPage *self, gboolean active);
void flint_room_page_focus_composer (FlintRoomPage *self);
gboolean flint_room_page_send_text (FlintRoomPage *self, const char *text);
/* For tests: the open occupant menu's actions ("room.kick,room.ban", NULL
 * when closed) and whether the subject button shows. */
char *flint_room_page_describe_menu (FlintRoomPage *self);
gboolean flint_room_page_get_subject_editable (FlintRoomPage *self);
/* Monotonic µs of the first frame painted after the occupants changed. */
gint64 flint_room_page_get_occupants_painted (FlintRoomPage *self);

G_END_DECLS

#pragma once

#include <gio/gio.h>

#include "flint-chat.h"
#include "flint-roster.h"

G_BEGIN_DECLS

/* Broadcast (Spark's "send a message to a group"): the same text to many
 * contacts, each one an ordinary chat message through FlintChat, so it is
 * stored, shown in that conversation and queued while offline like any
 * other. */

/* The bare JIDs of a roster group's members, sorted, NULL-terminated.
 * group NULL: everyone in the roster. */
char **flint_broadcast_group_members (FlintRoster *roster, const char *group);

/* Sends body to each distinct valid JID; returns how many were sent.
 * error (the first failure) is set when one or more could not be sent;
 * the others still are. */
guint flint_broadcast_send (FlintChat *chat,
                            const char *const *jids,
                            const char *body,
                            GError **error);

G_END_DECLS

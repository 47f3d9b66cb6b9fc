#pragma once

#include <gio/gio.h>

#include "flint-chat.h"
#include "flint-history.h"
#include "flint-message.h"

G_BEGIN_DECLS

#define FLINT_TYPE_CONVERSATION (flint_conversation_get_type ())
G_DECLARE_FINAL_TYPE (FlintConversation, flint_conversation, FLINT, CONVERSATION, GObject)

/* The messages of one 1:1 conversation as a GListModel of FlintMessage in
 * (time, id) order: the latest page from the store at once, older and
 * newer pages on request (keyset paging), live messages as they are
 * stored, and receipts and corrections applied to the rows in place.
 *
 * The model is a bounded window on the history: paging past the bound
 * drops rows at the far end. While the window does not reach the newest
 * message ("latest" is FALSE), live messages stay in the store (they
 * still count as unread) and come back with load_newer() or
 * jump_to_latest(). @jid is a bare JID, or room@service/nick for a
 * private chat with an occupant (kept whole). */
FlintConversation *flint_conversation_new (FlintHistory *history,
                                           FlintChat *chat,
                                           const char *account,
                                           const char *jid);

const char *flint_conversation_get_jid (FlintConversation *self);
const char *flint_conversation_get_account (FlintConversation *self);
guint flint_conversation_load_older (FlintConversation *self, guint count);
guint flint_conversation_load_newer (FlintConversation *self, guint count);
gboolean flint_conversation_get_latest (FlintConversation *self);
void flint_conversation_jump_to_latest (FlintConversation *self);
int flint_conversation_load_around (FlintConversation *self,
                                    gint64 time,
                                    gint64 id,
                                    guint context);
void flint_conversation_set_max_rows (FlintConversation *self, guint max_rows);
gboolean flint_conversation_get_complete (FlintConversation *self);
guint flint_conversation_get_unread (FlintConversation *self);
void flint_conversation_set_active (FlintConversation *self, gboolean active);
const char *flint_conversation_get_peer_state (FlintConversation *self);
void flint_conversation_add_source (FlintConversation *self, GObject *source);
FlintMessage *flint_conversation_find (FlintConversation *self, gint64 id);
int flint_conversation_get_position (FlintConversation *self, gint64 id);
FlintMessage *flint_conversation_get_last_outgoing (FlintConversation *self);

G_END_DECLS

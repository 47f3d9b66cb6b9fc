#pragma once

#include "flint-history.h"
#include "flint-mam.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_CHAT (flint_chat_get_type ())
G_DECLARE_FINAL_TYPE (FlintChat, flint_chat, FLINT, CHAT, GObject)

/* One-to-one messages of one account: parses incoming chat messages into
 * FlintHistory (each stored once however often it arrives) and sends
 * outgoing ones, keeping those that cannot go out yet as pending in the
 * store so they leave, once, when the session is next online.
 *
 * Also: XEP-0184 receipts (every outgoing message asks for one; received
 * ones move the stored state to DELIVERED), XEP-0085 chat states,
 * XEP-0280 carbons (enabled at each new session; copies of what our other
 * resources send or receive are stored like our own), XEP-0308 corrections.
 *
 * Signals:
 *  "message-stored" (FlintMessageRecord *record): newly in the store.
 *  "message-updated" (FlintMessageRecord *record): a stored message (same
 *    record->id) changed: its state (receipt, error) or its body (a
 *    correction). After a correction, record->correction_of holds the id
 *    of the correcting message: non-NULL there means "edited". The store
 *    itself does not keep that mark.
 *  "chat-state" (const char *bare_jid, const char *state): the peer is
 *    "active", "composing", "paused", "inactive" or "gone".
 *
 * Properties: "send-receipts" (default TRUE), "send-chat-states" (default
 * TRUE; FALSE also leaves <active/> off outgoing messages), and
 * "carbons-enabled" (read-only: the server accepted XEP-0280 for this
 * session). */
FlintChat *flint_chat_new (FlintSession *session, FlintHistory *history);

/* TRUE when @bare_jid is a room (FlintRooms knows it). */
typedef gboolean (*FlintChatRoomFunc) (const char *bare_jid, gpointer user_data);
void
flint_chat_set_room_func (FlintChat *self, FlintChatRoomFunc func, gpointer user_data);

/* TRUE while the archive catch-up (FlintMam) is running. */
typedef gboolean (*FlintChatCatchUpFunc) (gpointer user_data);
void flint_chat_set_catch_up_func (FlintChat *self,
                                   FlintChatCatchUpFunc func,
                                   gpointer user_data);

/* Asked about our messages a crash or a lost stream left unconfirmed. */
void flint_chat_set_archive (FlintChat *self, FlintMam *archive);

FlintMessageRecord *flint_chat_parse_message (FlintChat *self, xmpp_stanza_t *stanza);
FlintMessageRecord *
flint_chat_send (FlintChat *self, const char *to, const char *body, GError **error);
FlintMessageRecord *flint_chat_resend (FlintChat *self,
                                       const char *conversation,
                                       const char *message_id,
                                       GError **error);
FlintMessageRecord *flint_chat_send_file_link (FlintChat *self,
                                               const char *to,
                                               const char *url,
                                               GError **error);
gboolean
flint_chat_add_file (FlintChat *self, FlintMessageRecord *record, GError **error);
gboolean
flint_chat_update_file (FlintChat *self, FlintMessageRecord *record, GError **error);
gboolean
flint_chat_send_file_row (FlintChat *self, FlintMessageRecord *record, GError **error);
FlintMessageRecord *flint_chat_correct (FlintChat *self,
                                        const char *to,
                                        const char *original_message_id,
                                        const char *new_body,
                                        GError **error);
void flint_chat_set_chat_state (FlintChat *self, const char *jid, const char *state);

gboolean flint_chat_get_send_receipts (FlintChat *self);
void flint_chat_set_send_receipts (FlintChat *self, gboolean send_receipts);
gboolean flint_chat_get_send_chat_states (FlintChat *self);
void flint_chat_set_send_chat_states (FlintChat *self, gboolean send_chat_states);
gboolean flint_chat_get_carbons_enabled (FlintChat *self);

gboolean flint_chat_take_held (FlintChat *self, const char *stanza_id);

G_END_DECLS

#pragma once

#include "flint-history.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_CHAT (flint_chat_get_type ())
G_DECLARE_FINAL_TYPE (FlintChat, flint_chat, FLINT, CHAT, GObject)

/* One-to-one messages of one account: parses incoming chat messages into
 * FlintHistory (each stored once however often it arrives) and sends
 * outgoing ones, keeping those that cannot go out yet as pending in the
 * store so they leave, once, when the session is next online. */
FlintChat *flint_chat_new (FlintSession *session, FlintHistory *history);

FlintMessageRecord *flint_chat_parse_message (FlintChat *self, xmpp_stanza_t *stanza);
FlintMessageRecord *
flint_chat_send (FlintChat *self, const char *to, const char *body, GError **error);

G_END_DECLS

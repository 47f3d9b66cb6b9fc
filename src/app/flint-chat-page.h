#pragma once

#include <gtk/gtk.h>

#include "flint-chat.h"
#include "flint-composer.h"
#include "flint-conversation.h"

G_BEGIN_DECLS

#define FLINT_TYPE_CHAT_PAGE (flint_chat_page_get_type ())
G_DECLARE_FINAL_TYPE (FlintChatPage, flint_chat_page, FLINT, CHAT_PAGE, GtkWidget)

/* One tab: the messages of a FlintConversation and the composer.
 *
 * Properties: "title" (the peer's display name, set by the window from the
 * roster), "typing" (read-only: the peer is composing), "conversation". */
FlintChatPage *flint_chat_page_new (FlintChat *chat, FlintConversation *conversation);

FlintConversation *flint_chat_page_get_conversation (FlintChatPage *self);
FlintComposer *flint_chat_page_get_composer (FlintChatPage *self);
const char *flint_chat_page_get_account (FlintChatPage *self);
const char *flint_chat_page_get_jid (FlintChatPage *self);
const char *flint_chat_page_get_title (FlintChatPage *self);
void flint_chat_page_set_title (FlintChatPage *self, const char *title);
gboolean flint_chat_page_get_typing (FlintChatPage *self);
const char *flint_chat_page_get_language (FlintChatPage *self);
char *flint_chat_page_describe_misspelled (FlintChatPage *self);

/* The page is what the user looks at (selected tab in the focused window):
 * clears unread, sends chat states. */
void flint_chat_page_set_active (FlintChatPage *self, gboolean active);
/* Marks the last unread messages with a "New Messages" line. */
void flint_chat_page_mark_unread (FlintChatPage *self, guint unread);
void flint_chat_page_focus_composer (FlintChatPage *self);
/* What the composer holds; the id of the message being corrected, or NULL. */
char *flint_chat_page_get_draft (FlintChatPage *self);
const char *flint_chat_page_get_correction_id (FlintChatPage *self);
void flint_chat_page_show_message (FlintChatPage *self, gint64 time, gint64 id);
void flint_chat_page_jump_to_date (FlintChatPage *self, GDateTime *date);
/* The message shown highlighted (from search), or 0. */
gint64 flint_chat_page_get_highlighted (FlintChatPage *self);
/* For tests: send as if typed into the composer. */
gboolean flint_chat_page_send_text (FlintChatPage *self, const char *text);

char *flint_chat_page_describe_transfers (FlintChatPage *self);
char *flint_chat_page_describe_failed (FlintChatPage *self);
double flint_chat_page_get_scroll_gap (FlintChatPage *self);
void flint_chat_page_get_frames (FlintChatPage *self,
                                 guint *frames,
                                 guint *stale_frames,
                                 guint *changes);

G_END_DECLS

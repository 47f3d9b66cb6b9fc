#pragma once

#include <gtk/gtk.h>

#include "flint-message.h"

G_BEGIN_DECLS

#define FLINT_TYPE_MESSAGE_ROW (flint_message_row_get_type ())
G_DECLARE_FINAL_TYPE (FlintMessageRow, flint_message_row, FLINT, MESSAGE_ROW, GtkWidget)

/* One message in a conversation list. The chat page decides the layout from
 * the neighbours: whether it starts a new day, a new sender group, or the
 * unread part of the conversation. */
GtkWidget *flint_message_row_new (void);
void flint_message_row_set_message (FlintMessageRow *self,
                                    FlintMessage *message,
                                    const char *sender_name);
void flint_message_row_set_layout (FlintMessageRow *self,
                                   gboolean day_separator,
                                   gboolean header,
                                   gboolean new_marker);
FlintMessage *flint_message_row_get_message (FlintMessageRow *self);
void flint_message_row_set_sender_color (FlintMessageRow *self, const char *color);
void flint_message_row_set_mention (FlintMessageRow *self, gboolean mention);
void flint_message_row_set_status_line (FlintMessageRow *self, gboolean status);
void flint_message_row_set_resend_enabled (FlintMessageRow *self, gboolean enabled);
gboolean flint_message_row_get_can_resend (FlintMessageRow *self);

/* Escaped Pango markup with http(s), www. and xmpp: links as <a> tags. */
char *flint_linkify_markup (const char *text);

G_END_DECLS

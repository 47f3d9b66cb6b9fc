#pragma once

#include <glib-object.h>

#include "flint-history.h"

G_BEGIN_DECLS

#define FLINT_TYPE_MESSAGE (flint_message_get_type ())
G_DECLARE_FINAL_TYPE (FlintMessage, flint_message, FLINT, MESSAGE, GObject)

/* One stored message as a list item: GListModel items must be objects, and
 * widgets bind to the properties (body, state, edited) so a receipt or a
 * correction updates the row in place. */
FlintMessage *flint_message_new (const FlintMessageRecord *record);
const FlintMessageRecord *flint_message_get_record (FlintMessage *self);
void flint_message_update (FlintMessage *self, const FlintMessageRecord *record);

gint64 flint_message_get_id (FlintMessage *self);
const char *flint_message_get_body (FlintMessage *self);
const char *flint_message_get_sender (FlintMessage *self);
gint64 flint_message_get_time (FlintMessage *self);
FlintDirection flint_message_get_direction (FlintMessage *self);
FlintDeliveryState flint_message_get_state (FlintMessage *self);
gboolean flint_message_get_edited (FlintMessage *self);
int flint_message_compare (FlintMessage *a, FlintMessage *b);

/* @usec (Unix time in microseconds) in the local time zone, NULL if out of
 * range. The zone is read once: GLib 2.74 re-reads /etc/localtime on every
 * g_date_time_to_local() when TZ is unset, a file access per message row. */
GDateTime *flint_local_time (gint64 usec);

G_END_DECLS

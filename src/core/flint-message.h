#pragma once

#include <glib-object.h>

#include "flint-history.h"
#include "flint-transfer.h"

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
FlintMessageKind flint_message_get_kind (FlintMessage *self);
GVariant *flint_message_get_file (FlintMessage *self);
int flint_message_compare (FlintMessage *a, FlintMessage *b);

/* @usec (Unix time in microseconds) in the local time zone, NULL if out of
 * range. The zone is read once: GLib 2.74 re-reads /etc/localtime on every
 * g_date_time_to_local() when TZ is unset, a file access per message row. */
GDateTime *flint_local_time (gint64 usec);

/* A file row's or a file link's description (FlintMessageRecord.file): a
 * vardict with "name", "size" (x), "state", "method", "path", "url",
 * "mime", "error", "desc" (each optional). */
GVariant *flint_file_parse (const char *text);
const char *flint_file_lookup_string (GVariant *file, const char *key);
gint64 flint_file_lookup_size (GVariant *file);
char *flint_file_text_for_url (const char *url, const char *description);
char *flint_file_text_for_transfer (FlintTransfer *transfer);

G_END_DECLS

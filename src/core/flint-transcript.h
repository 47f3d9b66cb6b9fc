#pragma once

#include <gio/gio.h>

#include "flint-history.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_TRANSCRIPT_TEXT,
  FLINT_TRANSCRIPT_HTML,
} FlintTranscriptFormat;

#define FLINT_TYPE_TRANSCRIPT (flint_transcript_get_type ())
G_DECLARE_FINAL_TYPE (FlintTranscript, flint_transcript, FLINT, TRANSCRIPT, GObject)

/* A conversation written out as plain text or as one self-contained HTML
 * page: a heading per day, each message with its local time, its sender
 * and its text (all escaped in HTML), corrections marked as edited. Dates
 * and times follow the locale.
 *
 * flint_transcript_export_async() reads the history a page at a time in a
 * worker thread, through a FlintHistory of its own on the same file, and
 * writes each page as it goes: the whole conversation is never in memory.
 * The file appears only once complete (it replaces any old one then). */
FlintTranscript *flint_transcript_new (FlintTranscriptFormat format,
                                       const char *account,
                                       const char *conversation);

/* Names shown for the peer and for the account's own messages (NULL: the
 * bare JID). */
void flint_transcript_set_names (FlintTranscript *self,
                                 const char *peer_name,
                                 const char *own_name);
/* Only messages with from <= time < until (microseconds since the epoch;
 * 0 and G_MAXINT64: no bound). */
void flint_transcript_set_range (FlintTranscript *self, gint64 from, gint64 until);

/* The pieces, for the export and for tests: the start of the document,
 * each record in time order, the end. */
void flint_transcript_begin (FlintTranscript *self, GString *out);
void flint_transcript_add (FlintTranscript *self,
                           GString *out,
                           const FlintMessageRecord *record);
void flint_transcript_end (FlintTranscript *self, GString *out);

void flint_transcript_export_async (FlintTranscript *self,
                                    const char *history_path,
                                    GFile *file,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
/* *out_n_messages: how many messages the transcript holds. */
gboolean flint_transcript_export_finish (FlintTranscript *self,
                                         GAsyncResult *result,
                                         guint *out_n_messages,
                                         GError **error);

G_END_DECLS

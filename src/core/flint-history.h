#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The stored message history: one SQLite database per user, by default
 * $XDG_DATA_HOME/flint/history.db.
 *
 * FlintHistory is not thread-safe: call it on one thread at a time (the
 * main thread). Work that must leave the main thread needs its own
 * FlintHistory on the same file; SQLite's WAL mode lets one writer and
 * several readers share it. flint_history_open_async() (in
 * flint-history-jobs.h) opens one in a worker and hands it over. */

typedef enum
{
  FLINT_MESSAGE_KIND_CHAT,
  FLINT_MESSAGE_KIND_GROUPCHAT,
  FLINT_MESSAGE_KIND_STATUS, /* a room's system line: sender "", not news */
  FLINT_MESSAGE_KIND_FILE,   /* a file transfer: body is the file name */
} FlintMessageKind;

typedef enum
{
  FLINT_DIRECTION_INCOMING,
  FLINT_DIRECTION_OUTGOING,
} FlintDirection;

/* Stored as integers: append new states, never renumber. */
typedef enum
{
  FLINT_DELIVERY_RECEIVED,
  FLINT_DELIVERY_PENDING,
  FLINT_DELIVERY_SENT,
  FLINT_DELIVERY_ACKED,
  FLINT_DELIVERY_DELIVERED,
  FLINT_DELIVERY_READ,
  FLINT_DELIVERY_FAILED,
} FlintDeliveryState;

/* A stored message. All strings are owned by the record and freed by
 * flint_message_record_free(). Times are microseconds since the epoch. */
typedef struct
{
  gint64 id;          /* row id; 0 until stored */
  char *account;      /* bare JID of the account */
  char *conversation; /* bare JID of the contact or the room */
  FlintMessageKind kind;
  FlintDirection direction;
  char *sender; /* bare JID (chat) or nick (groupchat); "" when read
                 * back if it was NULL on insert */
  char *body;
  gint64 time;       /* ordering time: server/delay stamp, else local */
  gint64 local_time; /* when Flint received or stored it */
  char *stanza_id;   /* XEP-0359 <stanza-id/>, assigned by stanza_id_by */
  char *stanza_id_by;
  char *origin_id;  /* XEP-0359 <origin-id/> */
  char *message_id; /* the stanza's id attribute */
  FlintDeliveryState state;
  char *correction_of; /* XEP-0308: message_id this message corrects */
  char *file;          /* GVariant text of an a{sv}: the file the row is or links */
} FlintMessageRecord;

#define FLINT_TYPE_MESSAGE_RECORD (flint_message_record_get_type ())

GType flint_message_record_get_type (void) G_GNUC_CONST;
FlintMessageRecord *flint_message_record_new (void);
FlintMessageRecord *flint_message_record_copy (const FlintMessageRecord *record);
void flint_message_record_free (FlintMessageRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlintMessageRecord, flint_message_record_free)

#define FLINT_TYPE_HISTORY (flint_history_get_type ())

G_DECLARE_FINAL_TYPE (FlintHistory, flint_history, FLINT, HISTORY, GObject)

/* The schema version this code writes (PRAGMA user_version). */
#define FLINT_HISTORY_SCHEMA_VERSION 4

FlintHistory *flint_history_open (const char *path, GError **error);
gboolean flint_history_needs_migration (const char *path);
const char *flint_history_get_path (FlintHistory *self);
const GError *flint_history_get_recovery_error (FlintHistory *self);
const char *flint_history_get_backup_path (FlintHistory *self);

gboolean flint_history_insert (FlintHistory *self,
                               FlintMessageRecord *record,
                               gboolean *out_inserted,
                               GError **error);
gboolean flint_history_insert_batch (FlintHistory *self,
                                     GPtrArray *records,
                                     guint *out_n_inserted,
                                     GError **error);
void flint_history_hold (FlintHistory *self);
gboolean flint_history_release (FlintHistory *self, GError **error);
gboolean flint_history_set_state (FlintHistory *self,
                                  const char *account,
                                  const char *conversation,
                                  const char *message_id,
                                  FlintDeliveryState state,
                                  GError **error);
gboolean flint_history_set_file (FlintHistory *self,
                                 const FlintMessageRecord *record,
                                 GError **error);
gboolean flint_history_apply_correction (FlintHistory *self,
                                         const FlintMessageRecord *correction,
                                         gboolean *out_applied,
                                         GError **error);
/* Archive catch-ups store in the archive's order (see the .c file). */
void flint_history_begin_archive_run (FlintHistory *self,
                                      gint64 started,
                                      const char *account,
                                      const char *after);
void flint_history_end_archive_run (FlintHistory *self);

GPtrArray *flint_history_get_last (FlintHistory *self,
                                   const char *account,
                                   const char *conversation,
                                   guint limit,
                                   GError **error);
GPtrArray *flint_history_get_before (FlintHistory *self,
                                     const char *account,
                                     const char *conversation,
                                     gint64 time,
                                     gint64 id,
                                     guint limit,
                                     GError **error);
GPtrArray *flint_history_get_pending (FlintHistory *self, const char *account);
GPtrArray *flint_history_search (FlintHistory *self,
                                 const char *query,
                                 const char *account,
                                 const char *conversation,
                                 guint limit,
                                 GError **error);
GPtrArray *flint_history_get_after (FlintHistory *self,
                                    const char *account,
                                    const char *conversation,
                                    gint64 time,
                                    gint64 id,
                                    guint limit,
                                    GError **error);
GStrv flint_history_list_conversations (FlintHistory *self,
                                        const char *account,
                                        GError **error);

/* A search match: the stored message and its text (an excerpt of a long
 * one) as Pango markup, escaped, with the matched words in <b>. */
typedef struct
{
  FlintMessageRecord *record;
  char *markup;
} FlintSearchHit;

void flint_search_hit_free (FlintSearchHit *hit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlintSearchHit, flint_search_hit_free)

GPtrArray *flint_history_search_full (FlintHistory *self,
                                      const char *query,
                                      const char *account,
                                      const char *conversation,
                                      gint64 since,
                                      gint64 until,
                                      guint limit,
                                      GCancellable *cancellable,
                                      GError **error);
char *flint_history_markup_from_marked (const char *marked, gboolean trust_markers);
char *flint_history_get_last_stanza_id (FlintHistory *self,
                                        const char *account,
                                        const char *conversation);

/* Ranges and deletion: transcripts, clear history, retention. */
GPtrArray *flint_history_get_range (FlintHistory *self,
                                    const char *account,
                                    const char *conversation,
                                    gint64 time,
                                    gint64 id,
                                    gint64 until,
                                    guint limit,
                                    GError **error);
gboolean flint_history_delete_conversation (FlintHistory *self,
                                            const char *account,
                                            const char *conversation,
                                            gint64 stored_before,
                                            guint limit,
                                            guint *out_deleted,
                                            GError **error);
gboolean flint_history_delete_older_than (
  FlintHistory *self, gint64 time, guint limit, guint *out_deleted, GError **error);
gboolean flint_history_check_integrity (FlintHistory *self, GError **error);

/* Messages sent but never confirmed, and what settles them (issue 9). */
GPtrArray *flint_history_get_unconfirmed (
  FlintHistory *self, const char *account, gint64 since, guint window, GError **error);
char *flint_history_get_archive_id_before (FlintHistory *self,
                                           const char *account,
                                           gint64 local_time);
FlintMessageRecord *flint_history_find_outgoing (FlintHistory *self,
                                                 const char *account,
                                                 const char *conversation,
                                                 const char *id);
gboolean flint_history_move_state (FlintHistory *self,
                                   gint64 id,
                                   FlintDeliveryState from,
                                   FlintDeliveryState to,
                                   gboolean *out_moved,
                                   GError **error);

G_END_DECLS

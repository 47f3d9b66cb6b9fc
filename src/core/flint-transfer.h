#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  FLINT_TRANSFER_INCOMING,
  FLINT_TRANSFER_OUTGOING,
} FlintTransferDirection;

typedef enum
{
  FLINT_TRANSFER_METHOD_NONE,
  FLINT_TRANSFER_METHOD_SOCKS5,
  FLINT_TRANSFER_METHOD_SOCKS5_PROXY,
  FLINT_TRANSFER_METHOD_IBB,
  FLINT_TRANSFER_METHOD_HTTP,
} FlintTransferMethod;

/* pending: created, nothing sent yet; offered: waiting for the user (incoming)
 * or the peer (outgoing) to answer; negotiating: accepted, choosing and
 * opening a stream; active: bytes flowing. The last four are final. */
typedef enum
{
  FLINT_TRANSFER_PENDING,
  FLINT_TRANSFER_OFFERED,
  FLINT_TRANSFER_NEGOTIATING,
  FLINT_TRANSFER_ACTIVE,
  FLINT_TRANSFER_COMPLETE,
  FLINT_TRANSFER_FAILED,
  FLINT_TRANSFER_CANCELLED,
  FLINT_TRANSFER_DECLINED,
} FlintTransferState;

GType flint_transfer_direction_get_type (void);
GType flint_transfer_method_get_type (void);
GType flint_transfer_state_get_type (void);
#define FLINT_TYPE_TRANSFER_DIRECTION (flint_transfer_direction_get_type ())
#define FLINT_TYPE_TRANSFER_METHOD (flint_transfer_method_get_type ())
#define FLINT_TYPE_TRANSFER_STATE (flint_transfer_state_get_type ())

#define FLINT_TYPE_TRANSFER (flint_transfer_get_type ())
G_DECLARE_FINAL_TYPE (FlintTransfer, flint_transfer, FLINT, TRANSFER, GObject)

FlintTransfer *flint_transfer_new (FlintTransferDirection direction,
                                   const char *peer,
                                   const char *file_name,
                                   gint64 size);

guint flint_transfer_get_id (FlintTransfer *self);
FlintTransferDirection flint_transfer_get_direction (FlintTransfer *self);
const char *flint_transfer_get_peer (FlintTransfer *self);
const char *flint_transfer_get_file_name (FlintTransfer *self);
void flint_transfer_set_file_name (FlintTransfer *self, const char *file_name);
gint64 flint_transfer_get_size (FlintTransfer *self);
void flint_transfer_set_size (FlintTransfer *self, gint64 size);
const char *flint_transfer_get_description (FlintTransfer *self);
void flint_transfer_set_description (FlintTransfer *self, const char *description);
const char *flint_transfer_get_mime_type (FlintTransfer *self);
void flint_transfer_set_mime_type (FlintTransfer *self, const char *mime_type);
const char *flint_transfer_get_hash (FlintTransfer *self);
void flint_transfer_set_hash (FlintTransfer *self, const char *md5_hex);
/* The file on disk: the source when sending, the saved file when received. */
const char *flint_transfer_get_local_path (FlintTransfer *self);
void flint_transfer_set_local_path (FlintTransfer *self, const char *path);
const char *flint_transfer_get_url (FlintTransfer *self);
void flint_transfer_set_url (FlintTransfer *self, const char *url);

FlintTransferMethod flint_transfer_get_method (FlintTransfer *self);
void flint_transfer_set_method (FlintTransfer *self, FlintTransferMethod method);

FlintTransferState flint_transfer_get_state (FlintTransfer *self);
gboolean flint_transfer_is_finished (FlintTransfer *self);
gboolean flint_transfer_set_state (FlintTransfer *self, FlintTransferState state);
gboolean flint_transfer_fail (FlintTransfer *self, const GError *error);
const GError *flint_transfer_get_error (FlintTransfer *self);

guint64 flint_transfer_get_bytes_done (FlintTransfer *self);
void flint_transfer_set_bytes_done (FlintTransfer *self, guint64 bytes);
void flint_transfer_set_bytes_done_at (FlintTransfer *self, guint64 bytes, gint64 now_us);
double flint_transfer_get_speed (FlintTransfer *self);
gint64 flint_transfer_get_seconds_left (FlintTransfer *self);
double flint_transfer_get_fraction (FlintTransfer *self);

const char *flint_transfer_method_to_string (FlintTransferMethod method);
const char *flint_transfer_state_to_string (FlintTransferState state);

G_END_DECLS

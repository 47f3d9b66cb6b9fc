#pragma once

#include <gio/gio.h>

#include "flint-session.h"
#include "flint-transfer.h"

G_BEGIN_DECLS

#define FLINT_TYPE_TRANSFERS (flint_transfers_get_type ())
G_DECLARE_FINAL_TYPE (FlintTransfers, flint_transfers, FLINT, TRANSFERS, GObject)

/* Which stream methods we offer and accept; all on by default. Tests turn
 * some off to force a path (direct SOCKS5, the proxy, IBB). */
typedef enum
{
  FLINT_TRANSFER_USE_DIRECT = 1 << 0,
  FLINT_TRANSFER_USE_PROXY = 1 << 1,
  FLINT_TRANSFER_USE_IBB = 1 << 2,
  FLINT_TRANSFER_USE_ALL = 0x7,
} FlintTransferUse;

/* IBB data blocks we keep unacknowledged when sending. */
#define FLINT_TRANSFERS_IBB_WINDOW 16

FlintTransfers *flint_transfers_new (FlintSession *session);

void flint_transfers_set_download_folder (FlintTransfers *self, const char *folder);
const char *flint_transfers_get_download_folder (FlintTransfers *self);
void flint_transfers_set_use (FlintTransfers *self, FlintTransferUse use);
void flint_transfers_set_ibb_block_size (FlintTransfers *self, guint block_size);
/* How long an offer we sent waits for the contact's answer (5 minutes). */
void flint_transfers_set_offer_timeout (FlintTransfers *self, guint seconds);
/* Whether our offers carry the file's MD5 (XEP-0096 "hash", on by default).
 * Without it the file is not read twice before it goes, and the receiver
 * can move the bytes without looking at them; many clients send none. */
void flint_transfers_set_send_hash (FlintTransfers *self, gboolean send_hash);
const char *flint_transfers_get_proxy (FlintTransfers *self);
const char *flint_transfers_get_upload_service (FlintTransfers *self);

FlintTransfer *flint_transfers_find (FlintTransfers *self, guint id);

/* Incoming offers (state offered). folder NULL: the download folder. */
void flint_transfers_accept (FlintTransfers *self,
                             FlintTransfer *transfer,
                             const char *folder);
void flint_transfers_decline (FlintTransfers *self, FlintTransfer *transfer);
/* Either direction, any state before final; the peer is told. */
void flint_transfers_cancel (FlintTransfers *self, FlintTransfer *transfer);

/* XEP-0096 to a full JID. */
FlintTransfer *flint_transfers_send_file (FlintTransfers *self,
                                          const char *full_jid,
                                          GFile *file,
                                          const char *description);

/* XEP-0363: the transfer completes with its URL (flint_transfer_get_url),
 * which the caller then sends to @to. */
FlintTransfer *
flint_transfers_upload_file (FlintTransfers *self, const char *to, GFile *file);
/* A file link someone sent (XEP-0066 OOB or a plain HTTPS link). */
FlintTransfer *flint_transfers_download_url (FlintTransfers *self,
                                             const char *from,
                                             const char *url,
                                             const char *folder);

/* For a file link's card: HEAD for its size (-1: unknown) and type. */
void flint_transfers_probe_url_async (FlintTransfers *self,
                                      const char *url,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean flint_transfers_probe_url_finish (FlintTransfers *self,
                                           GAsyncResult *result,
                                           gint64 *size,
                                           char **mime_type,
                                           GError **error);
/* GET into memory, failing past max_bytes (an image to preview). */
void flint_transfers_fetch_small_async (FlintTransfers *self,
                                        const char *url,
                                        gsize max_bytes,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
GBytes *flint_transfers_fetch_small_finish (FlintTransfers *self,
                                            GAsyncResult *result,
                                            GError **error);

G_END_DECLS

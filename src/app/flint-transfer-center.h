#pragma once

#include <gtk/gtk.h>

#include "flint-chat.h"
#include "flint-disco.h"
#include "flint-roster.h"
#include "flint-session.h"
#include "flint-transfers.h"

G_BEGIN_DECLS

#define FLINT_TYPE_TRANSFER_CENTER (flint_transfer_center_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintTransferCenter, flint_transfer_center, FLINT, TRANSFER_CENTER, GObject)

FlintTransferCenter *flint_transfer_center_new (GtkApplication *app);

void flint_transfer_center_add_session (FlintTransferCenter *self,
                                        FlintSession *session,
                                        FlintDisco *disco,
                                        FlintChat *chat,
                                        FlintRoster *roster);
/* An account removed: its transfers leave the list with it. */
void flint_transfer_center_remove_session (FlintTransferCenter *self,
                                           const char *account);
FlintTransfers *flint_transfer_center_get_transfers (FlintTransferCenter *self,
                                                     const char *account);
FlintTransfers *flint_transfer_center_get_any_transfers (FlintTransferCenter *self);
/* Every transfer of every account, oldest first. */
GListModel *flint_transfer_center_get_model (FlintTransferCenter *self);
FlintTransfer *flint_transfer_center_find (FlintTransferCenter *self, guint id);
FlintTransfer *flint_transfer_center_find_download (FlintTransferCenter *self,
                                                    const char *url);
FlintTransfer *flint_transfer_center_find_for_record (FlintTransferCenter *self,
                                                      gint64 record_id);

/* Sends files to a contact: SI file transfer when one of its resources
 * supports it, else HTTP upload when the server offers it. */
void flint_transfer_center_send_files (FlintTransferCenter *self,
                                       const char *account,
                                       const char *jid,
                                       GSList *files);
GtkDropTarget *flint_transfer_center_drop_target_new (FlintTransferCenter *self,
                                                      const char *account,
                                                      const char *jid);

void flint_transfer_center_accept (FlintTransferCenter *self,
                                   FlintTransfer *transfer,
                                   GtkWindow *parent);
void flint_transfer_center_save_as (FlintTransferCenter *self,
                                    FlintTransfer *transfer,
                                    GtkWindow *parent);
void flint_transfer_center_decline (FlintTransferCenter *self, FlintTransfer *transfer);
void flint_transfer_center_cancel (FlintTransferCenter *self, FlintTransfer *transfer);
void flint_transfer_center_retry (FlintTransferCenter *self, FlintTransfer *transfer);

/* For file rows: not app actions, which any program on the session bus
 * could call with any path. */
void flint_transfer_center_open_path (const char *path);
void flint_transfer_center_show_path (const char *path);

void flint_transfer_center_describe_json (FlintTransferCenter *self, GString *out);

G_END_DECLS

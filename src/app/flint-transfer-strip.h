#pragma once

#include <gtk/gtk.h>

#include "flint-transfers.h"

G_BEGIN_DECLS

#define FLINT_TYPE_TRANSFER_STRIP (flint_transfer_strip_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintTransferStrip, flint_transfer_strip, FLINT, TRANSFER_STRIP, GtkWidget)

/* The transfers of one conversation (an account's transfers with jid, any
 * resource), shown inline above the composer; hidden while there are none. */
GtkWidget *flint_transfer_strip_new (FlintTransfers *transfers, const char *jid);

char *flint_transfer_strip_describe (FlintTransferStrip *self);

G_END_DECLS

#pragma once

#include <gtk/gtk.h>

#include "flint-transfer.h"

G_BEGIN_DECLS

#define FLINT_TYPE_TRANSFER_ROW (flint_transfer_row_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintTransferRow, flint_transfer_row, FLINT, TRANSFER_ROW, GtkListBoxRow)

GtkWidget *flint_transfer_row_new (FlintTransfer *transfer);
char *flint_transfer_row_describe_status (FlintTransfer *transfer);

/* A close button on a finished row, which emits "dismissed". */
void flint_transfer_row_set_dismissable (FlintTransferRow *self, gboolean dismissable);
void flint_transfer_row_describe_json (FlintTransferRow *self, GString *out);

G_END_DECLS

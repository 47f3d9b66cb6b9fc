#pragma once

#include <adwaita.h>

#include "flint-transfer-center.h"

G_BEGIN_DECLS

#define FLINT_TYPE_TRANSFERS_WINDOW (flint_transfers_window_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintTransfersWindow, flint_transfers_window, FLINT, TRANSFERS_WINDOW, AdwWindow)

FlintTransfersWindow *flint_transfers_window_new (GtkApplication *app,
                                                  FlintTransferCenter *center);

G_END_DECLS

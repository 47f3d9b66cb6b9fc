#pragma once

#include <gtk/gtk.h>

#include "flint-transfer-center.h"

G_BEGIN_DECLS

/* An image pasted into the composer: asks "send it to jid?" with a preview,
 * then writes it as "Pasted image <date>.png" in the cache folder (off the
 * main thread) and sends it as a file. */
void flint_paste_image_send (GtkWidget *parent,
                             FlintTransferCenter *center,
                             const char *account,
                             const char *jid,
                             GdkTexture *texture);

/* The name the file gets, for the local time now. */
char *flint_paste_image_file_name (GDateTime *now);

G_END_DECLS

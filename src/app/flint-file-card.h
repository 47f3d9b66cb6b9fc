#pragma once

#include <gtk/gtk.h>

#include "flint-transfer.h"

G_BEGIN_DECLS

#define FLINT_TYPE_FILE_CARD (flint_file_card_get_type ())
G_DECLARE_FINAL_TYPE (FlintFileCard, flint_file_card, FLINT, FILE_CARD, GtkWidget)

/* The link in a message body that is a file (the whole body is one http(s)
 * URL whose last path part has an extension, as XEP-0363 upload links and
 * XEP-0066 OOB bodies are), or NULL. */
char *flint_file_card_link_of (const char *body);

GtkWidget *flint_file_card_new (void);
/* from: who sent the link (the transfer's peer when downloaded). */
void flint_file_card_set_link (FlintFileCard *self, const char *url, const char *from);

/* A file transfer's row (see flint_message_get_file()); transfer: the live
 * one, for progress and the actions, or NULL after a restart. */
void flint_file_card_set_transfer (FlintFileCard *self,
                                   GVariant *file,
                                   FlintTransfer *transfer,
                                   gboolean outgoing,
                                   const char *account,
                                   const char *jid);

void flint_file_card_download_started (FlintTransfer *transfer);

/* Every card on screen, as a JSON array (for app.test-dump). */
char *flint_file_card_describe_all (void);
char *flint_file_card_describe_in (GtkWidget *within);

G_END_DECLS

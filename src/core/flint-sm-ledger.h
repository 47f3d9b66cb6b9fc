#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

/* Our own XEP-0198 account of the messages we sent, kept beside
 * libstrophe's. libstrophe 0.12 can resume a stream without sending again
 * what the server had not acknowledged, so a message written just before
 * the connection broke was lost while shown as sent. The ledger counts the
 * stanzas libstrophe sends (from its log, in the order the server counts
 * them), matches the server's acknowledgements, and hands back the
 * messages the server never got, to send again. When a stream ends
 * without the server saying how many stanzas it got, the messages with a
 * text are not sent again blindly: FlintChat asks the archive. Our own
 * requests (iq get/set) are followed too, and sent again on a resumed
 * stream that never got them. */
typedef struct _FlintSmLedger FlintSmLedger;

/* Called for each acknowledged message that has a <body> (receipts and
 * chat states are tracked, to send again, but have no state to report). */
typedef void (*FlintSmAckedFunc) (xmpp_stanza_t *message, gpointer user_data);

FlintSmLedger *flint_sm_ledger_new (FlintSmAckedFunc acked, gpointer user_data);
void flint_sm_ledger_free (FlintSmLedger *self);

void flint_sm_ledger_track (FlintSmLedger *self, xmpp_stanza_t *message);
void flint_sm_ledger_note_sent (FlintSmLedger *self, const char *xml);
void flint_sm_ledger_note_received (FlintSmLedger *self, const char *xml);
GPtrArray *flint_sm_ledger_take_lost (FlintSmLedger *self);
guint flint_sm_ledger_get_unacked (FlintSmLedger *self);
gboolean flint_sm_ledger_is_following (FlintSmLedger *self, const char *id);
gboolean flint_sm_ledger_is_counting (FlintSmLedger *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlintSmLedger, flint_sm_ledger_free)

G_END_DECLS

#pragma once

#include "flint-history.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_MAM (flint_mam_get_type ())
G_DECLARE_FINAL_TYPE (FlintMam, flint_mam, FLINT, MAM, GObject)

/* XEP-0313 message archive catch-up of one account's own (1:1) archive,
 * paged with XEP-0059 RSM, into FlintHistory.
 *
 * At each new (not resumed) session, if the server announces urn:xmpp:mam:2
 * on our bare JID, it fetches everything archived after the newest stored
 * stanza-id, one page at a time, each page stored in one transaction. With
 * no stored stanza-id at all (a fresh install) it fetches only the newest
 * 500 messages. Progress is kept in $XDG_DATA_HOME/flint/mam-ACCOUNT.ini
 * after each stored page, so an interrupted catch-up continues where it
 * stopped at the next session (or at a resumed one).
 *
 * Signals:
 *  "message-stored" (FlintMessageRecord *record): newly in the store, as
 *    FlintChat's signal of the same name (archived messages the store
 *    already had are not announced).
 *  "page-stored" (guint n_inserted): a page was committed.
 *  "catch-up-finished": the archive has been read to its end.
 *
 * Property: "busy" (read-only): a catch-up is under way. */
FlintMam *flint_mam_new (FlintSession *session, FlintHistory *history);

gboolean flint_mam_get_busy (FlintMam *self);
gboolean flint_mam_take_live_message (FlintMam *self);
gboolean flint_mam_get_announcing_initial (FlintMam *self);

/* Items asked per page (default 250; servers may send fewer: Prosody sends at most 50
 * unless configured otherwise). For tests. */
void flint_mam_set_page_size (FlintMam *self, guint page_size);
guint flint_mam_get_page_size (FlintMam *self);

/* The key file holding the catch-up cursor. */
const char *flint_mam_get_cursor_path (FlintMam *self);

/* Which of our outgoing messages (FlintMessageRecord) the server's archive
 * holds, by origin-id: the ones a crash or a lost stream left unconfirmed. */
void flint_mam_find_sent_async (FlintMam *self,
                                GPtrArray *records,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
GHashTable *
flint_mam_find_sent_finish (FlintMam *self, GAsyncResult *result, GError **error);

G_END_DECLS

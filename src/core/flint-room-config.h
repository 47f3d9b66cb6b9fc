#pragma once

#include "flint-data-form.h"
#include "flint-session.h"

G_BEGIN_DECLS

/* XEP-0045 §10.1-10.2: an owner's room configuration, over muc#owner.
 * Errors are FLINT_ERROR with translated text that names the cause:
 * FLINT_ERROR_MUC_REFUSED (not an owner), FLINT_ERROR_MUC_NOT_FOUND,
 * FLINT_ERROR_TIMEOUT, FLINT_ERROR_NOT_CONNECTED, FLINT_ERROR_FAILED
 * (with the room's own words when it gave some). */

/* The current configuration form of @room_jid. */
void flint_room_config_fetch_async (FlintSession *session,
                                    const char *room_jid,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
FlintDataForm *flint_room_config_fetch_finish (GAsyncResult *result, GError **error);

/* Sends @form's submit form; with @form NULL an empty one, which makes a
 * new room an instant room (§10.1.2) with the service's defaults. */
void flint_room_config_submit_async (FlintSession *session,
                                     const char *room_jid,
                                     FlintDataForm *form,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean flint_room_config_submit_finish (GAsyncResult *result, GError **error);

/* Cancels configuring (no answer awaited). With @destroy, for a room we
 * just made and never configured, the room is destroyed too: XEP-0045
 * §10.1.3 says the cancel does it, but not every service does. */
void
flint_room_config_cancel (FlintSession *session, const char *room_jid, gboolean destroy);

/* The FLINT_ERROR for an <iq type='error'/> answer to a muc#owner request
 * (pure, unit tested). */
GError *flint_room_config_error_from_reply (xmpp_stanza_t *reply);

G_END_DECLS

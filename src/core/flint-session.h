#pragma once

#include <gio/gio.h>
#include <strophe.h>

#include "flint-account.h"
#include "flint-certificate.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_SESSION_DISCONNECTED,
  FLINT_SESSION_CONNECTING,
  FLINT_SESSION_AUTHENTICATING,
  FLINT_SESSION_ONLINE,
  FLINT_SESSION_RECONNECTING,
} FlintSessionState;

GType flint_session_state_get_type (void);
#define FLINT_TYPE_SESSION_STATE (flint_session_state_get_type ())

#define FLINT_TYPE_SESSION (flint_session_get_type ())
G_DECLARE_FINAL_TYPE (FlintSession, flint_session, FLINT, SESSION, GObject)

/* Return TRUE to stop other handlers from seeing the stanza. An iq get/set
 * that no handler takes is answered with service-unavailable. */
typedef gboolean (*FlintStanzaHandler) (FlintSession *session,
                                        xmpp_stanza_t *stanza,
                                        gpointer user_data);

/* result is the reply (type result or error) or NULL on timeout/disconnect;
 * error is set unless the reply is a result. */
typedef void (*FlintIqCallback) (FlintSession *session,
                                 xmpp_stanza_t *result,
                                 const GError *error,
                                 gpointer user_data);

typedef void (*FlintSessionReadScope) (FlintSession *session,
                                       gboolean done,
                                       gpointer user_data);

FlintSession *flint_session_new (FlintAccount *account);

FlintAccount *flint_session_get_account (FlintSession *self);
FlintSessionState flint_session_get_state (FlintSession *self);
const GError *flint_session_get_error (FlintSession *self);
const char *flint_session_get_bound_jid (FlintSession *self);
xmpp_ctx_t *flint_session_get_context (FlintSession *self);
FlintCertificate *flint_session_get_certificate (FlintSession *self);

void flint_session_set_password (FlintSession *self, const char *password);
gboolean flint_session_has_password (FlintSession *self);
gboolean flint_session_is_closed (FlintSession *self);
void flint_session_connect (FlintSession *self);
void flint_session_disconnect (FlintSession *self);
/* Signs off and in again, with the account's current connection settings. */
void flint_session_reconnect (FlintSession *self);
void flint_session_trust_certificate (FlintSession *self, FlintCertificate *certificate);

void flint_session_set_presence (FlintSession *self,
                                 const char *show,
                                 const char *status,
                                 int priority);
void flint_session_set_presence_extension (FlintSession *self, xmpp_stanza_t *child);
void flint_session_remove_presence_extension (FlintSession *self,
                                              const char *name,
                                              const char *ns);

void flint_session_send (FlintSession *self, xmpp_stanza_t *stanza);
void flint_session_send_iq (FlintSession *self,
                            xmpp_stanza_t *iq,
                            FlintIqCallback callback,
                            gpointer user_data);
/* The XML console's way out: one well-formed element, sent as typed. */
gboolean flint_session_send_raw (FlintSession *self, const char *xml, GError **error);
/* The same with its own wait for the answer (flint_session_send_iq waits
 * 60 s): requests a person answers, like a file offer, need longer. */
void flint_session_send_iq_timeout (FlintSession *self,
                                    xmpp_stanza_t *iq,
                                    guint timeout_s,
                                    FlintIqCallback callback,
                                    gpointer user_data);
guint flint_session_get_outbox_length (FlintSession *self);
/* XEP-0198: whether our message @id is still on its way (handed to the
 * stream, unacknowledged, or to be sent again), and whether the current
 * stream counts stanzas at all. */
gboolean flint_session_is_following (FlintSession *self, const char *id);
gboolean flint_session_get_stream_management (FlintSession *self);

guint flint_session_add_handler (FlintSession *self,
                                 const char *name,
                                 const char *ns,
                                 const char *type,
                                 FlintStanzaHandler handler,
                                 gpointer user_data,
                                 GDestroyNotify destroy);
void flint_session_remove_handler (FlintSession *self, guint handler_id);

/* For tests and benchmarks: reconnect timing and keepalive. */
void
flint_session_set_reconnect_delays (FlintSession *self, guint first_ms, guint max_ms);
void flint_session_set_keepalive (FlintSession *self, guint interval_s, guint timeout_s);
void flint_session_set_read_scope (FlintSession *self,
                                   FlintSessionReadScope scope,
                                   gpointer user_data,
                                   GDestroyNotify destroy);

char *flint_session_new_id (FlintSession *self);
xmpp_stanza_t *flint_session_make_reply (xmpp_ctx_t *ctx,
                                         xmpp_stanza_t *request,
                                         const char *error_type,
                                         const char *condition);

G_END_DECLS

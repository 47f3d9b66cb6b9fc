#pragma once

#include "flint-session.h"

G_BEGIN_DECLS

/* Loopback mode, for fuzzing and hostile-input tests: the session is online
 * as bound_jid without any connection. Every stanza it would send goes to
 * sink; flint_session_receive() feeds it stanzas as if they came from the
 * server, through the same dispatch (handlers, IQ replies, built-in IQs). */
typedef void (*FlintSessionSink) (FlintSession *session,
                                  xmpp_stanza_t *stanza,
                                  gpointer user_data);

void flint_session_start_loopback (FlintSession *self,
                                   const char *bound_jid,
                                   FlintSessionSink sink,
                                   gpointer user_data);
void flint_session_receive (FlintSession *self, xmpp_stanza_t *stanza);

/* The connection's socket, -1 when there is none (tests of its options). */
int flint_session_get_socket (FlintSession *self);

G_END_DECLS

#pragma once

#include "flint-avatars.h"

G_BEGIN_DECLS

/* The session's presence handler, for benchmarks and tests that feed
 * stanzas without a server. Returns whether the stanza was consumed. */
gboolean flint_avatars_handle_presence (FlintAvatars *self, xmpp_stanza_t *presence);

G_END_DECLS

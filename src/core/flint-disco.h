#pragma once

#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_DISCO_NODE "https://flint.im"

#define FLINT_TYPE_DISCO (flint_disco_get_type ())
G_DECLARE_FINAL_TYPE (FlintDisco, flint_disco, FLINT, DISCO, GObject)

/* XEP-0030 service discovery and XEP-0115 entity capabilities of one
 * session: answers disco#info about us, puts our caps in every presence
 * the session sends, and learns what each peer (full JID) supports from
 * the caps in its presence, verifying each ver hash once and caching it
 * in memory and under $XDG_CACHE_HOME/flint/caps/. */
FlintDisco *flint_disco_new (FlintSession *session);

void flint_disco_add_feature (FlintDisco *self, const char *feature);
const char *const *flint_disco_get_features (FlintDisco *self);
const char *flint_disco_get_ver (FlintDisco *self);

gboolean
flint_disco_peer_supports (FlintDisco *self, const char *jid, const char *feature);
char **flint_disco_get_peer_features (FlintDisco *self, const char *full_jid);

/* XEP-0115 §5.1 verification string hash (SHA-1, base64) of a disco#info
 * <query/>, or NULL when §5.4 says not to trust it (duplicate identities,
 * features or form types, missing attributes). On success the query's
 * features are returned sorted in @out_features if not NULL. */
char *flint_disco_hash_query (xmpp_stanza_t *query, GPtrArray **out_features);

G_END_DECLS

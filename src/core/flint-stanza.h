#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

/* Small helpers over libstrophe stanzas that the modules share. */

char *flint_stanza_child_text (xmpp_stanza_t *stanza, const char *name, const char *ns);
gint64 flint_stanza_parse_stamp (const char *stamp);
gint64 flint_stanza_get_delay (xmpp_stanza_t *stanza);
xmpp_stanza_t *flint_stanza_new (xmpp_ctx_t *ctx, const char *name, const char *ns);
xmpp_stanza_t *flint_stanza_add_child (xmpp_stanza_t *parent,
                                       const char *name,
                                       const char *ns,
                                       const char *text);
char *flint_stanza_to_string (xmpp_stanza_t *stanza);

G_END_DECLS

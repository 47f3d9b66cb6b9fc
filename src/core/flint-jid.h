#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JIDs (RFC 7622) as plain UTF-8 strings. Node and domain compare
 * case-insensitively; flint_jid_normalize() gives the form Flint stores. */

gboolean flint_jid_is_valid (const char *jid);
gboolean flint_jid_is_valid_bare (const char *jid);
char *flint_jid_normalize (const char *jid);
char *flint_jid_bare (const char *jid);
char *flint_jid_domain (const char *jid);
char *flint_jid_node (const char *jid);
char *flint_jid_resource (const char *jid);
gboolean flint_jid_equal_bare (const char *a, const char *b);

G_END_DECLS

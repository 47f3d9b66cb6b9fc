#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bounds of what libstrophe's XML parser accepts from the server: deeper or
 * bigger stanzas end the stream with a parse error instead of exhausting the
 * stack or memory. */
#define FLINT_XML_MAX_DEPTH 100
#define FLINT_XML_MAX_STANZA_TEXT (8 * 1024 * 1024)

/* Makes sure the guard is linked in; call before the first connection. */
void flint_xml_guard_init (void);

/* How many streams the guard has stopped, for tests. */
guint flint_xml_guard_get_stopped (void);

G_END_DECLS

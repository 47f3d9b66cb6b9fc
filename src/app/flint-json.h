#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends value as a JSON string literal (for the test dump). */
void flint_json_append_string (GString *out, const char *value);

G_END_DECLS

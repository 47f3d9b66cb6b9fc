#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest name we write, in bytes: below NAME_MAX (255) with room for
 * " (999)" and ".part". */
#define FLINT_FILE_NAME_MAX_BYTES 200

char *flint_file_name_sanitize (const char *name);
char *flint_file_name_numbered (const char *name, guint n);

G_END_DECLS

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Finds the words of a UTF-8 chat message that are worth spell checking,
 * as byte offsets into the text. Pure functions, no state: the buffer
 * adapter calls them on whatever part of the text changed.
 *
 * A word is a run of letters (any script, with combining marks) that may
 * hold apostrophes (don't, l'été) and hyphens (well-known) between
 * letters. Never reported: words with digits, ALL-CAPS and camelCase words,
 * whole tokens that look like URLs, e-mail addresses, JIDs, domains, paths,
 * identifiers, @mentions and #tags, text in `backticks` or inside ```
 * fenced blocks, and the extra words (room occupants' nicks). */

/* Called for each word; return FALSE to stop scanning after this word. */
typedef gboolean (*FlintWordFunc) (const char *text,
                                   gsize start,
                                   gsize end,
                                   gpointer user_data);

GHashTable *
flint_word_scanner_new_extra_words (const char *const *words);

void
flint_word_scanner_expand (const char *text, gsize length, gsize *start, gsize *end);

gsize
flint_word_scanner_foreach (const char *text,
                            gsize length,
                            gsize from,
                            gsize to,
                            GHashTable *extra_words,
                            FlintWordFunc func,
                            gpointer user_data);

char **
flint_word_scanner_list (const char *text, GHashTable *extra_words);

G_END_DECLS

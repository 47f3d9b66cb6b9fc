#pragma once

#include <gtk/gtk.h>

#include "flint-spell-adapter.h"

G_BEGIN_DECLS

#define FLINT_TYPE_COMPOSER (flint_composer_get_type ())

G_DECLARE_FINAL_TYPE (FlintComposer, flint_composer, FLINT, COMPOSER, GtkWidget)

/* The message field of a conversation: text view with spell checking and a
 * send button. Enter sends, Shift+Enter starts a new line.
 *
 * Signal "send": gboolean (*send) (FlintComposer *self, const char *text)
 *   Emitted with the text (trailing white space removed, never empty).
 *   Return TRUE when the message was taken: the field is then cleared and
 *   a correction ends. Return FALSE to keep the text (e.g. offline).
 *   During a correction, flint_composer_get_correction_id() says which
 *   message the text replaces (XEP-0308).
 *
 * Properties: "language" (the Enchant tag in use, "" without dictionary;
 *   set it per conversation, NULL or "" for the default), "spell-checking"
 *   (bound to the GSettings key when the schema is installed),
 *   "correction-id" (read-only), "spell-hint" (read-only: why checking is
 *   off, for a banner or toast; NULL when it works). */

GtkWidget *flint_composer_new (void);

char *flint_composer_get_text (FlintComposer *self);
void flint_composer_set_text (FlintComposer *self, const char *text);
void flint_composer_set_extra_words (FlintComposer *self, const char *const *words);

const char *flint_composer_get_language (FlintComposer *self);
void flint_composer_set_language (FlintComposer *self, const char *language);
gboolean flint_composer_get_spell_checking (FlintComposer *self);
void flint_composer_set_spell_checking (FlintComposer *self, gboolean spell_checking);
const char *flint_composer_get_spell_hint (FlintComposer *self);

void flint_composer_begin_correction (FlintComposer *self,
                                      const char *message_id,
                                      const char *text);
void flint_composer_cancel_correction (FlintComposer *self);
const char *flint_composer_get_correction_id (FlintComposer *self);

GtkTextView *flint_composer_get_text_view (FlintComposer *self);
FlintSpellAdapter *flint_composer_get_spell_adapter (FlintComposer *self);

G_END_DECLS

#pragma once

#include <gtk/gtk.h>

#include "flint-spell-checker.h"

G_BEGIN_DECLS

#define FLINT_TYPE_SPELL_ADAPTER (flint_spell_adapter_get_type ())

G_DECLARE_FINAL_TYPE (
  FlintSpellAdapter, flint_spell_adapter, FLINT, SPELL_ADAPTER, GObject)

/* Checks the words of a GtkTextBuffer as they change and marks the wrong
 * ones with the "misspelled" tag. Only changed text is checked again, in
 * idle slices of a few milliseconds. The word being typed is left alone
 * until the cursor leaves it.
 *
 * The menu model holds the corrections of the word the menu was last
 * updated for (flint_spell_adapter_update_menu()); its items use the
 * actions "spelling.correct" (string: the replacement), "spelling.add" and
 * "spelling.ignore", which the widget owning the view provides by calling
 * flint_spell_adapter_correct() and friends. */

FlintSpellAdapter *flint_spell_adapter_new (GtkTextBuffer *buffer,
                                            FlintSpellChecker *checker);

GtkTextBuffer *flint_spell_adapter_get_buffer (FlintSpellAdapter *self);
FlintSpellChecker *flint_spell_adapter_get_checker (FlintSpellAdapter *self);
void flint_spell_adapter_set_checker (FlintSpellAdapter *self,
                                      FlintSpellChecker *checker);
gboolean flint_spell_adapter_get_enabled (FlintSpellAdapter *self);
void flint_spell_adapter_set_enabled (FlintSpellAdapter *self, gboolean enabled);
void flint_spell_adapter_set_extra_words (FlintSpellAdapter *self,
                                          const char *const *words);
GtkTextTag *flint_spell_adapter_get_tag (FlintSpellAdapter *self);

void flint_spell_adapter_invalidate_all (FlintSpellAdapter *self);
gboolean flint_spell_adapter_get_busy (FlintSpellAdapter *self);
gboolean flint_spell_adapter_run_slice (FlintSpellAdapter *self, gint64 budget_usec);

GMenuModel *flint_spell_adapter_get_menu_model (FlintSpellAdapter *self);
gboolean flint_spell_adapter_update_menu (FlintSpellAdapter *self,
                                          const GtkTextIter *iter);
const char *flint_spell_adapter_get_menu_word (FlintSpellAdapter *self);
gboolean flint_spell_adapter_correct (FlintSpellAdapter *self, const char *replacement);
void flint_spell_adapter_add_word (FlintSpellAdapter *self);
void flint_spell_adapter_ignore_word (FlintSpellAdapter *self);

G_END_DECLS

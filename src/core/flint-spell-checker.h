#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FLINT_SPELL_CHECKER_MAX_CORRECTIONS 5

#define FLINT_TYPE_SPELL_CHECKER (flint_spell_checker_get_type ())

G_DECLARE_FINAL_TYPE (
  FlintSpellChecker, flint_spell_checker, FLINT, SPELL_CHECKER, GObject)

/* One Enchant dictionary for one language. All checkers share one Enchant
 * broker, so personal words and ignored words are seen by every composer.
 * A checker without a dictionary accepts every word and gives a hint to
 * show instead of an error.
 *
 * Signals: "changed" when the set of accepted words changed (language,
 * added or ignored word): the text must be checked again. */

FlintSpellChecker *
flint_spell_checker_new (const char *language);

const char *
flint_spell_checker_get_language (FlintSpellChecker *self);
gboolean
flint_spell_checker_set_language (FlintSpellChecker *self,
                                  const char *language,
                                  GError **error);
gboolean
flint_spell_checker_get_available (FlintSpellChecker *self);
const char *
flint_spell_checker_get_hint (FlintSpellChecker *self);

gboolean
flint_spell_checker_check_word (FlintSpellChecker *self, const char *word, gssize length);
char **
flint_spell_checker_list_corrections (FlintSpellChecker *self,
                                      const char *word,
                                      gssize length);
void
flint_spell_checker_add_word (FlintSpellChecker *self, const char *word, gssize length);
void
flint_spell_checker_ignore_word (FlintSpellChecker *self,
                                 const char *word,
                                 gssize length);

char **
flint_spell_checker_list_languages (void);
char *
flint_spell_checker_get_default_language (void);
char *
flint_spell_language_get_name (const char *language);

G_END_DECLS

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "flint-error.h"
#include "flint-spell-checker.h"

/* Needs the en_US Hunspell dictionary (Debian: hunspell-en-us). Enchant
 * keeps personal words under $XDG_CONFIG_HOME/enchant, which main() points
 * at a fresh directory before the first broker exists. */

static char *tmp_home;

static gboolean
have_en_us (void)
{
  g_auto (GStrv) langs = flint_spell_checker_list_languages ();

  if (!g_strv_contains ((const char *const *) langs, "en_US"))
    {
      g_test_skip ("no en_US dictionary installed");
      return FALSE;
    }
  return TRUE;
}

static void
test_languages (void)
{
  g_autofree char *name = NULL;
  g_autofree char *other = NULL;
  g_autofree char *def = NULL;

  if (!have_en_us ())
    return;

  name = flint_spell_language_get_name ("en_US");
  g_assert_cmpstr (name, ==, "English (United States)");
  other = flint_spell_language_get_name ("xx_YY");
  g_assert_cmpstr (other, ==, "xx_YY");
  g_clear_pointer (&other, g_free);
  other = flint_spell_language_get_name ("de");
  g_assert_cmpstr (other, ==, "German");

  /* First locale language without a dictionary is passed over. */
  g_setenv ("LANGUAGE", "xx_YY:en_US", TRUE);
  def = flint_spell_checker_get_default_language ();
  g_assert_cmpstr (def, ==, "en_US");
  g_clear_pointer (&def, g_free);

  /* The C locale falls back to English. */
  g_setenv ("LANGUAGE", "", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  def = flint_spell_checker_get_default_language ();
  g_assert_cmpstr (def, ==, "en_US");
  g_unsetenv ("LC_ALL");
}

static void
test_check (void)
{
  g_autoptr (FlintSpellChecker) checker = NULL;

  if (!have_en_us ())
    return;

  checker = flint_spell_checker_new ("en_US.UTF-8");
  g_assert_true (flint_spell_checker_get_available (checker));
  g_assert_cmpstr (flint_spell_checker_get_language (checker), ==, "en_US");
  g_assert_null (flint_spell_checker_get_hint (checker));

  g_assert_true (flint_spell_checker_check_word (checker, "hello", -1));
  g_assert_false (flint_spell_checker_check_word (checker, "helo", -1));
  /* Cached answers stay right. */
  g_assert_false (flint_spell_checker_check_word (checker, "helo", -1));
  g_assert_true (flint_spell_checker_check_word (checker, "hello there", 5));
  g_assert_true (flint_spell_checker_check_word (checker, "don't", -1));
  g_assert_true (flint_spell_checker_check_word (checker, "don’t", -1));
  g_assert_true (flint_spell_checker_check_word (checker, "well-known", -1));
  g_assert_true (flint_spell_checker_check_word (checker, "state-of-the-art", -1));
  g_assert_false (flint_spell_checker_check_word (checker, "welll-known", -1));
  g_assert_true (flint_spell_checker_check_word (checker, "", 0));
}

static void
test_corrections (void)
{
  g_autoptr (FlintSpellChecker) checker = NULL;
  g_auto (GStrv) fixes = NULL;
  g_auto (GStrv) none = NULL;

  if (!have_en_us ())
    return;

  checker = flint_spell_checker_new ("en_US");
  fixes = flint_spell_checker_list_corrections (checker, "speling", -1);
  g_assert_nonnull (fixes);
  g_assert_cmpuint (g_strv_length (fixes), >=, 1);
  g_assert_cmpuint (g_strv_length (fixes), <=, FLINT_SPELL_CHECKER_MAX_CORRECTIONS);
  g_assert_true (g_strv_contains ((const char *const *) fixes, "spelling"));

  /* A common word has many neighbours; never more than five. */
  g_clear_pointer (&fixes, g_strfreev);
  fixes = flint_spell_checker_list_corrections (checker, "tha", -1);
  g_assert_cmpuint (g_strv_length (fixes), <=, FLINT_SPELL_CHECKER_MAX_CORRECTIONS);

  none = flint_spell_checker_list_corrections (checker, "", -1);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

static void
count_changed (FlintSpellChecker *checker, guint *count)
{
  (*count)++;
}

static void
test_personal_dictionary (void)
{
  g_autoptr (FlintSpellChecker) checker = NULL;
  g_autoptr (FlintSpellChecker) other = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  guint changed = 0;

  if (!have_en_us ())
    return;

  checker = flint_spell_checker_new ("en_US");
  other = flint_spell_checker_new ("en_US");
  g_signal_connect (other, "changed", G_CALLBACK (count_changed), &changed);

  g_assert_false (flint_spell_checker_check_word (checker, "Flintqwz", -1));
  g_assert_false (flint_spell_checker_check_word (other, "Flintqwz", -1));
  flint_spell_checker_add_word (checker, "Flintqwz", -1);
  g_assert_true (flint_spell_checker_check_word (checker, "Flintqwz", -1));
  /* The other composer is told and does not keep its cached answer. */
  g_assert_cmpuint (changed, ==, 1);
  g_assert_true (flint_spell_checker_check_word (other, "Flintqwz", -1));

  g_clear_object (&checker);
  g_clear_object (&other);

  /* On disk, in the personal list of the language. */
  path = g_build_filename (tmp_home, "config", "enchant", "en_US.dic", NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Flintqwz"));

  /* A new broker (a new Flint run) reads it back. */
  checker = flint_spell_checker_new ("en_US");
  g_assert_true (flint_spell_checker_check_word (checker, "Flintqwz", -1));
}

static void
test_ignore (void)
{
  g_autoptr (FlintSpellChecker) checker = NULL;
  g_autoptr (FlintSpellChecker) other = NULL;
  guint changed = 0;

  if (!have_en_us ())
    return;

  checker = flint_spell_checker_new ("en_US");
  other = flint_spell_checker_new ("en_US");
  g_signal_connect (other, "changed", G_CALLBACK (count_changed), &changed);

  g_assert_false (flint_spell_checker_check_word (checker, "zorblax", -1));
  flint_spell_checker_ignore_word (checker, "zorblax", -1);
  g_assert_true (flint_spell_checker_check_word (checker, "zorblax", -1));
  g_assert_true (flint_spell_checker_check_word (other, "zorblax", -1));
  g_assert_cmpuint (changed, ==, 1);

  /* Only for this session: after the last checker, it is gone. */
  g_clear_object (&checker);
  g_clear_object (&other);
  checker = flint_spell_checker_new ("en_US");
  g_assert_false (flint_spell_checker_check_word (checker, "zorblax", -1));
}

static void
test_no_dictionary (void)
{
  g_autoptr (FlintSpellChecker) checker = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) fixes = NULL;
  guint changed = 0;

  checker = flint_spell_checker_new ("xx_YY");
  g_assert_false (flint_spell_checker_get_available (checker));
  g_assert_null (flint_spell_checker_get_language (checker));
  g_assert_nonnull (flint_spell_checker_get_hint (checker));
  /* Without a dictionary nothing is flagged. */
  g_assert_true (flint_spell_checker_check_word (checker, "helo", -1));
  fixes = flint_spell_checker_list_corrections (checker, "helo", -1);
  g_assert_cmpuint (g_strv_length (fixes), ==, 0);
  flint_spell_checker_add_word (checker, "helo", -1);
  flint_spell_checker_ignore_word (checker, "helo", -1);

  g_signal_connect (checker, "changed", G_CALLBACK (count_changed), &changed);
  g_assert_false (flint_spell_checker_set_language (checker, "zz", &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_NO_DICTIONARY);

  if (have_en_us ())
    {
      g_assert_true (flint_spell_checker_set_language (checker, "en_US", NULL));
      g_assert_true (flint_spell_checker_get_available (checker));
      g_assert_null (flint_spell_checker_get_hint (checker));
      g_assert_false (flint_spell_checker_check_word (checker, "helo", -1));
      g_assert_cmpuint (changed, ==, 2);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
          !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int argc, char **argv)
{
  g_autofree char *config = NULL;
  int ret;

  tmp_home = g_dir_make_tmp ("flint-spell-XXXXXX", NULL);
  config = g_build_filename (tmp_home, "config", NULL);
  g_setenv ("HOME", tmp_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_HOME", tmp_home, TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/spell-checker/languages", test_languages);
  g_test_add_func ("/spell-checker/check", test_check);
  g_test_add_func ("/spell-checker/corrections", test_corrections);
  g_test_add_func ("/spell-checker/personal-dictionary", test_personal_dictionary);
  g_test_add_func ("/spell-checker/ignore", test_ignore);
  g_test_add_func ("/spell-checker/no-dictionary", test_no_dictionary);

  ret = g_test_run ();

  remove_tree (tmp_home);
  g_free (tmp_home);

  return ret;
}

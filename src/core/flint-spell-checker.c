#define G_LOG_DOMAIN "flint-spell"

#include "config.h"

#include <string.h>

#include <enchant.h>
#include <glib/gi18n-lib.h>

#include "flint-error.h"
#include "flint-spell-checker.h"

/* Enchant loads its providers and the personal word lists when the broker
 * is made, which takes a while and reads disk: one broker for the process,
 * kept while any checker lives. Enchant also shares a dictionary between
 * requests for the same language, so a word ignored in one composer is
 * ignored in all of them for this session. */
typedef struct
{
  EnchantBroker *broker;
  guint refs;
  GList *checkers;
} Shared;

static Shared shared;

/* Prose repeats a few hundred words over and over; remembering answers
 * makes rechecking a whole message after an edit nearly free. Bounded so a
 * long paste of unusual words does not grow it forever. */
#define WORD_CACHE_MAX 20000

#define CHECK_CORRECT GINT_TO_POINTER (1)
#define CHECK_WRONG GINT_TO_POINTER (2)

struct _FlintSpellChecker
{
  GObject parent_instance;

  EnchantDict *dict;
  char *language;
  char *hint;
  GHashTable *cache;
};

G_DEFINE_FINAL_TYPE (FlintSpellChecker, flint_spell_checker, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LANGUAGE,
  PROP_AVAILABLE,
  PROP_HINT,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static EnchantBroker *
shared_broker_ref (void)
{
  if (shared.refs++ == 0)
    shared.broker = enchant_broker_init ();
  return shared.broker;
}

static void
shared_broker_unref (void)
{
  g_return_if_fail (shared.refs > 0);

  if (--shared.refs == 0)
    g_clear_pointer (&shared.broker, enchant_broker_free);
}

/* "en_US.UTF-8@euro" -> "en_US"; "de-DE" -> "de_DE". */
static char *
normalize_tag (const char *language)
{
  char *tag = g_strdup (language);
  char *p;

  if ((p = strpbrk (tag, ".@")) != NULL)
    *p = '\0';
  g_strdelimit (tag, "-", '_');

  return tag;
}

static gboolean
language_is_c (const char *name)
{
  return g_str_equal (name, "C") || g_str_equal (name, "POSIX") ||
         g_str_has_prefix (name, "C.");
}

static char *
default_language_with (EnchantBroker *broker)
{
  const char *const *names = g_get_language_names ();
  gboolean c_locale = FALSE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *tag = NULL;

      if (language_is_c (names[i]))
        {
          c_locale = TRUE;
          continue;
        }
      tag = normalize_tag (names[i]);
      if (*tag != '\0' && enchant_broker_dict_exists (broker, tag))
        return g_steal_pointer (&tag);
    }

  /* The C locale speaks English: the messages Flint shows are English. */
  if (c_locale)
    {
      static const char *const english[] = { "en_US", "en_GB", "en" };

      for (guint i = 0; i < G_N_ELEMENTS (english); i++)
        if (enchant_broker_dict_exists (broker, english[i]))
          return g_strdup (english[i]);
    }

  return NULL;
}

static void
describe_dict (const char *const lang_tag,
               const char *const provider_name,
               const char *const provider_desc,
               const char *const provider_file,
               void *user_data)
{
  GPtrArray *tags = user_data;

  for (guint i = 0; i < tags->len; i++)
    if (g_str_equal (g_ptr_array_index (tags, i), lang_tag))
      return;
  g_ptr_array_add (tags, g_strdup (lang_tag));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/**
 * flint_spell_checker_list_languages:
 *
 * Returns: (transfer full): the Enchant tags of the installed dictionaries,
 *   sorted; empty when none is installed
 */
char **
flint_spell_checker_list_languages (void)
{
  GPtrArray *tags = g_ptr_array_new ();
  EnchantBroker *broker = shared_broker_ref ();

  enchant_broker_list_dicts (broker, describe_dict, tags);
  shared_broker_unref ();

  g_ptr_array_sort (tags, compare_strings);
  g_ptr_array_add (tags, NULL);

  return (char **) g_ptr_array_free (tags, FALSE);
}

/**
 * flint_spell_checker_get_default_language:
 *
 * Returns: (transfer full) (nullable): the installed dictionary that fits
 *   the user's locale, or %NULL when there is none
 */
char *
flint_spell_checker_get_default_language (void)
{
  EnchantBroker *broker = shared_broker_ref ();
  char *tag = default_language_with (broker);

  shared_broker_unref ();

  return tag;
}

static void
flint_spell_checker_clear_dict (FlintSpellChecker *self)
{
  if (self->dict != NULL)
    {
      enchant_broker_free_dict (shared.broker, self->dict);
      self->dict = NULL;
    }
  g_clear_pointer (&self->language, g_free);
  g_hash_table_remove_all (self->cache);
}

static void
flint_spell_checker_emit_changed_all (const char *language)
{
  for (GList *l = shared.checkers; l != NULL; l = l->next)
    {
      FlintSpellChecker *checker = l->data;

      if (g_strcmp0 (checker->language, language) == 0)
        {
          g_hash_table_remove_all (checker->cache);
          g_signal_emit (checker, signals[CHANGED], 0);
        }
    }
}

/**
 * flint_spell_checker_set_language:
 * @language: (nullable): an Enchant tag such as "en_US"; %NULL or "" for
 *   the language of the locale
 *
 * When no dictionary fits, the checker accepts every word, gets a hint and
 * @error says %FLINT_ERROR_NO_DICTIONARY; the caller may just show the hint.
 */
gboolean
flint_spell_checker_set_language (FlintSpellChecker *self,
                                  const char *language,
                                  GError **error)
{
  g_autofree char *tag = NULL;
  g_autofree char *hint = NULL;
  EnchantDict *dict = NULL;

  g_return_val_if_fail (FLINT_IS_SPELL_CHECKER (self), FALSE);

  if (language != NULL && *language != '\0')
    tag = normalize_tag (language);
  else
    tag = default_language_with (shared.broker);

  if (tag != NULL && g_strcmp0 (tag, self->language) == 0 && self->dict != NULL)
    return TRUE;

  if (tag != NULL)
    dict = enchant_broker_request_dict (shared.broker, tag);

  if (dict == NULL)
    {
      g_auto (GStrv) installed = flint_spell_checker_list_languages ();

      if (installed[0] == NULL)
        hint =
          g_strdup (_ ("Spell checking is off because no dictionary is installed. "
                       "Install a Hunspell dictionary package, such as hunspell-en-us, "
                       "to turn it on."));
      else
        hint = g_strdup (_ ("Spell checking is off because no dictionary is installed "
                            "for this language. Choose a language from the message "
                            "field’s menu, or install a Hunspell dictionary package."));
      g_debug ("No dictionary for %s", tag ? tag : "the locale");
    }

  flint_spell_checker_clear_dict (self);
  self->dict = dict;
  self->language = dict != NULL ? g_steal_pointer (&tag) : NULL;
  g_free (self->hint);
  self->hint = g_steal_pointer (&hint);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HINT]);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[CHANGED], 0);

  if (self->dict == NULL)
    {
      flint_set_error (error, FLINT_ERROR_NO_DICTIONARY);
      return FALSE;
    }

  return TRUE;
}

/**
 * flint_spell_checker_get_language:
 *
 * Returns: (nullable): the tag of the dictionary in use, %NULL without one
 */
const char *
flint_spell_checker_get_language (FlintSpellChecker *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_CHECKER (self), NULL);

  return self->language;
}

gboolean
flint_spell_checker_get_available (FlintSpellChecker *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_CHECKER (self), FALSE);

  return self->dict != NULL;
}

/**
 * flint_spell_checker_get_hint:
 *
 * Returns: (nullable): translated text saying why checking is off and what
 *   to do, or %NULL when a dictionary is in use
 */
const char *
flint_spell_checker_get_hint (FlintSpellChecker *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_CHECKER (self), NULL);

  return self->hint;
}

static gboolean
dict_check (EnchantDict *dict, const char *word, gsize length)
{
  return enchant_dict_check (dict, word, length) == 0;
}

/* Forms the dictionary may spell differently from the user. */
static gboolean
check_variants (EnchantDict *dict, const char *word, gsize length)
{
  if (dict_check (dict, word, length))
    return TRUE;

  /* Typographic apostrophe: most dictionaries list don't, not don’t. */
  if (g_strstr_len (word, length, "\xe2\x80\x99") != NULL)
    {
      g_autoptr (GString) ascii = g_string_new_len (word, length);

      g_string_replace (ascii, "\xe2\x80\x99", "'", 0);
      if (dict_check (dict, ascii->str, ascii->len))
        return TRUE;
    }

  /* A compound is right when each part is: Hunspell does this itself only
   * for some dictionaries. */
  if (memchr (word, '-', length) != NULL)
    {
      const char *p = word;
      const char *end = word + length;

      while (p < end)
        {
          const char *dash = memchr (p, '-', end - p);
          const char *part_end = dash ? dash : end;

          if (part_end > p && !check_variants (dict, p, part_end - p))
            return FALSE;
          p = part_end + 1;
        }
      return TRUE;
    }

  return FALSE;
}

/**
 * flint_spell_checker_check_word:
 *
 * Returns: %TRUE when @word is spelled right, or when there is no
 *   dictionary to tell
 */
gboolean
flint_spell_checker_check_word (FlintSpellChecker *self, const char *word, gssize length)
{
  char stack[128];
  char *key;
  gpointer cached;
  gboolean correct;

  g_return_val_if_fail (FLINT_IS_SPELL_CHECKER (self), TRUE);
  g_return_val_if_fail (word != NULL, TRUE);

  if (self->dict == NULL)
    return TRUE;

  if (length < 0)
    length = strlen (word);
  if (length == 0)
    return TRUE;

  /* The cache needs a terminated key; avoid the heap for usual words. */
  if ((gsize) length < sizeof stack)
    {
      memcpy (stack, word, length);
      stack[length] = '\0';
      key = stack;
    }
  else
    key = g_strndup (word, length);

  cached = g_hash_table_lookup (self->cache, key);
  if (cached != NULL)
    correct = cached == CHECK_CORRECT;
  else
    {
      correct = check_variants (self->dict, key, length);
      if (g_hash_table_size (self->cache) >= WORD_CACHE_MAX)
        g_hash_table_remove_all (self->cache);
      g_hash_table_insert (self->cache,
                           key == stack ? g_strdup (key) : g_steal_pointer (&key),
                           correct ? CHECK_CORRECT : CHECK_WRONG);
    }

  if (key != stack)
    g_free (key);

  return correct;
}

/**
 * flint_spell_checker_list_corrections:
 *
 * Returns: (transfer full): at most %FLINT_SPELL_CHECKER_MAX_CORRECTIONS
 *   suggestions, best first; empty when there are none
 */
char **
flint_spell_checker_list_corrections (FlintSpellChecker *self,
                                      const char *word,
                                      gssize length)
{
  GPtrArray *out = g_ptr_array_new ();

  g_return_val_if_fail (FLINT_IS_SPELL_CHECKER (self), NULL);
  g_return_val_if_fail (word != NULL, NULL);

  if (length < 0)
    length = strlen (word);

  if (self->dict != NULL && length > 0)
    {
      size_t n = 0;
      char **suggestions = enchant_dict_suggest (self->dict, word, length, &n);

      for (size_t i = 0; i < n && out->len < FLINT_SPELL_CHECKER_MAX_CORRECTIONS; i++)
        g_ptr_array_add (out, g_strdup (suggestions[i]));
      if (suggestions != NULL)
        enchant_dict_free_string_list (self->dict, suggestions);
    }

  g_ptr_array_add (out, NULL);

  return (char **) g_ptr_array_free (out, FALSE);
}

/**
 * flint_spell_checker_add_word:
 *
 * Adds @word to the personal dictionary of the language, which Enchant
 * keeps in $XDG_CONFIG_HOME/enchant, so it is right from now on.
 */
void
flint_spell_checker_add_word (FlintSpellChecker *self, const char *word, gssize length)
{
  g_return_if_fail (FLINT_IS_SPELL_CHECKER (self));
  g_return_if_fail (word != NULL);

  if (self->dict == NULL)
    return;

  enchant_dict_add (self->dict, word, length);
  flint_spell_checker_emit_changed_all (self->language);
}

/**
 * flint_spell_checker_ignore_word:
 *
 * Accepts @word until Flint quits, in every composer using this language.
 */
void
flint_spell_checker_ignore_word (FlintSpellChecker *self, const char *word, gssize length)
{
  g_return_if_fail (FLINT_IS_SPELL_CHECKER (self));
  g_return_if_fail (word != NULL);

  if (self->dict == NULL)
    return;

  enchant_dict_add_to_session (self->dict, word, length);
  flint_spell_checker_emit_changed_all (self->language);
}

/* Names for the dictionaries people install; other tags show as they are. */
static const struct
{
  const char *code;
  const char *name;
} languages[] = {
  { "af", N_ ("Afrikaans") },
  { "ar", N_ ("Arabic") },
  { "bg", N_ ("Bulgarian") },
  { "ca", N_ ("Catalan") },
  { "cs", N_ ("Czech") },
  { "cy", N_ ("Welsh") },
  { "da", N_ ("Danish") },
  { "de", N_ ("German") },
  { "el", N_ ("Greek") },
  { "en", N_ ("English") },
  { "eo", N_ ("Esperanto") },
  { "es", N_ ("Spanish") },
  { "et", N_ ("Estonian") },
  { "eu", N_ ("Basque") },
  { "fa", N_ ("Persian") },
  { "fi", N_ ("Finnish") },
  { "fr", N_ ("French") },
  { "ga", N_ ("Irish") },
  { "gl", N_ ("Galician") },
  { "he", N_ ("Hebrew") },
  { "hi", N_ ("Hindi") },
  { "hr", N_ ("Croatian") },
  { "hu", N_ ("Hungarian") },
  { "hy", N_ ("Armenian") },
  { "id", N_ ("Indonesian") },
  { "is", N_ ("Icelandic") },
  { "it", N_ ("Italian") },
  { "ko", N_ ("Korean") },
  { "lt", N_ ("Lithuanian") },
  { "lv", N_ ("Latvian") },
  { "nb", N_ ("Norwegian Bokmål") },
  { "nl", N_ ("Dutch") },
  { "nn", N_ ("Norwegian Nynorsk") },
  { "pl", N_ ("Polish") },
  { "pt", N_ ("Portuguese") },
  { "ro", N_ ("Romanian") },
  { "ru", N_ ("Russian") },
  { "sk", N_ ("Slovak") },
  { "sl", N_ ("Slovenian") },
  { "sr", N_ ("Serbian") },
  { "sv", N_ ("Swedish") },
  { "tr", N_ ("Turkish") },
  { "uk", N_ ("Ukrainian") },
  { "vi", N_ ("Vietnamese") },
};

static const struct
{
  const char *code;
  const char *name;
} territories[] = {
  { "AR", N_ ("Argentina") },      { "AT", N_ ("Austria") },
  { "AU", N_ ("Australia") },      { "BE", N_ ("Belgium") },
  { "BR", N_ ("Brazil") },         { "CA", N_ ("Canada") },
  { "CH", N_ ("Switzerland") },    { "CL", N_ ("Chile") },
  { "CO", N_ ("Colombia") },       { "DE", N_ ("Germany") },
  { "DK", N_ ("Denmark") },        { "ES", N_ ("Spain") },
  { "FI", N_ ("Finland") },        { "FR", N_ ("France") },
  { "GB", N_ ("United Kingdom") }, { "IE", N_ ("Ireland") },
  { "IN", N_ ("India") },          { "IT", N_ ("Italy") },
  { "LU", N_ ("Luxembourg") },     { "MX", N_ ("Mexico") },
  { "NL", N_ ("Netherlands") },    { "NO", N_ ("Norway") },
  { "NZ", N_ ("New Zealand") },    { "PL", N_ ("Poland") },
  { "PT", N_ ("Portugal") },       { "RU", N_ ("Russia") },
  { "SE", N_ ("Sweden") },         { "UA", N_ ("Ukraine") },
  { "US", N_ ("United States") },  { "ZA", N_ ("South Africa") },
};

/**
 * flint_spell_language_get_name:
 * @language: an Enchant tag such as "en_US"
 *
 * Returns: (transfer full): a name to show, such as "English (United States)"
 */
char *
flint_spell_language_get_name (const char *language)
{
  g_autofree char *tag = NULL;
  const char *lang_name = NULL;
  const char *territory_name = NULL;
  char *sep;

  g_return_val_if_fail (language != NULL, NULL);

  tag = normalize_tag (language);
  sep = strchr (tag, '_');
  if (sep != NULL)
    *sep++ = '\0';

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_str_equal (languages[i].code, tag))
      lang_name = _ (languages[i].name);

  if (lang_name == NULL)
    return g_strdup (language);
  if (sep == NULL)
    return g_strdup (lang_name);

  for (guint i = 0; i < G_N_ELEMENTS (territories); i++)
    if (g_str_equal (territories[i].code, sep))
      territory_name = _ (territories[i].name);

  /* TRANSLATORS: a spelling language: language (country), e.g. English (Canada) */
  return g_strdup_printf (_ ("%s (%s)"), lang_name,
                          territory_name ? territory_name : sep);
}

FlintSpellChecker *
flint_spell_checker_new (const char *language)
{
  FlintSpellChecker *self = g_object_new (FLINT_TYPE_SPELL_CHECKER, NULL);

  flint_spell_checker_set_language (self, language, NULL);

  return self;
}

static void
flint_spell_checker_finalize (GObject *object)
{
  FlintSpellChecker *self = FLINT_SPELL_CHECKER (object);

  shared.checkers = g_list_remove (shared.checkers, self);
  flint_spell_checker_clear_dict (self);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->hint, g_free);
  shared_broker_unref ();

  G_OBJECT_CLASS (flint_spell_checker_parent_class)->finalize (object);
}

static void
flint_spell_checker_get_property (GObject *object,
                                  guint prop_id,
                                  GValue *value,
                                  GParamSpec *pspec)
{
  FlintSpellChecker *self = FLINT_SPELL_CHECKER (object);

  switch (prop_id)
    {
      case PROP_LANGUAGE:
        g_value_set_string (value, self->language);
        break;
      case PROP_AVAILABLE:
        g_value_set_boolean (value, self->dict != NULL);
        break;
      case PROP_HINT:
        g_value_set_string (value, self->hint);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_spell_checker_set_property (GObject *object,
                                  guint prop_id,
                                  const GValue *value,
                                  GParamSpec *pspec)
{
  FlintSpellChecker *self = FLINT_SPELL_CHECKER (object);

  switch (prop_id)
    {
      case PROP_LANGUAGE:
        flint_spell_checker_set_language (self, g_value_get_string (value), NULL);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_spell_checker_class_init (FlintSpellCheckerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = flint_spell_checker_finalize;
  object_class->get_property = flint_spell_checker_get_property;
  object_class->set_property = flint_spell_checker_set_property;

  properties[PROP_LANGUAGE] = g_param_spec_string (
    "language", NULL, NULL, NULL,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AVAILABLE] = g_param_spec_boolean (
    "available", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HINT] = g_param_spec_string ("hint", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
flint_spell_checker_init (FlintSpellChecker *self)
{
  shared_broker_ref ();
  shared.checkers = g_list_prepend (shared.checkers, self);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

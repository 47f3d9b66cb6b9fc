#include <string.h>

#include <glib.h>

#include "flint-word-scanner.h"

/* Words the scanner reports, joined with '|', for compact expectations. */
static char *
scan (const char *text, const char *const *nicks)
{
  g_autoptr (GHashTable) extra =
    nicks ? flint_word_scanner_new_extra_words (nicks) : NULL;
  g_auto (GStrv) words = flint_word_scanner_list (text, extra);

  return g_strjoinv ("|", words);
}

#define assert_words(text, expected)                                                     \
  G_STMT_START                                                                           \
  {                                                                                      \
    g_autofree char *got_ = scan ((text), NULL);                                         \
    g_assert_cmpstr (got_, ==, (expected));                                              \
  }                                                                                      \
  G_STMT_END

static void
test_plain (void)
{
  assert_words ("", "");
  assert_words ("   \n\t ", "");
  assert_words ("Hello world", "Hello|world");
  assert_words ("Hello, world! How are you?", "Hello|world|How|are|you");
  assert_words ("(parenthesis) \"quoted\" «guillemets» “curly”",
                "parenthesis|quoted|guillemets|curly");
  assert_words ("end.Start", ""); /* looks like a domain: never guess */
  assert_words ("wait... what", "wait|what");
  assert_words ("and/or", "and|or");
  assert_words ("*bold* _italic_ ~strike~", "bold|italic|strike");
}

static void
test_unicode (void)
{
  assert_words ("Grüße aus Köln", "Grüße|aus|Köln");
  assert_words ("naïve café déjà vu", "naïve|café|déjà|vu");
  /* Decomposed é: the combining mark stays in the word. */
  assert_words ("cafe\xcc\x81 ok", "cafe\xcc\x81|ok");
  assert_words ("Привет мир", "Привет|мир");
  assert_words ("καλημέρα", "καλημέρα");
  assert_words ("emoji 👍 between 🎉words", "emoji|between|words");
  assert_words ("non\xc2\xa0"
                "breaking",
                "non|breaking");
  assert_words ("zero\xe2\x80\x8bwidth", "zero|width");
  /* No spaces between words: left alone. */
  assert_words ("日本語のテキスト and English", "and|English");
}

static void
test_apostrophes (void)
{
  assert_words ("don't can’t l'été aujourd’hui", "don't|can’t|l'été|aujourd’hui");
  assert_words ("'quoted' ‘single’", "quoted|single");
  assert_words ("James' book", "James|book");
  assert_words ("rock'n'roll", "rock'n'roll");
  assert_words ("it''s", "it|s");
}

static void
test_hyphens (void)
{
  assert_words ("a well-known state-of-the-art idea",
                "a|well-known|state-of-the-art|idea");
  assert_words ("trailing- -leading -- dash — em", "trailing|leading|dash|em");
  assert_words ("e-mail", "e-mail");
}

static void
test_numbers_and_case (void)
{
  assert_words ("Meet at 10:30 on 2024-05-01 in room 3", "Meet|at|on|in|room");
  assert_words ("the 3rd mp3 of 1990s", "the|of");
  assert_words ("NASA and the EU said OK", "and|the|said");
  assert_words ("I said A", "I|said|A");
  assert_words ("my iPhone and getElementById", "my|and");
  assert_words ("O'Neil Jean-Luc", "O'Neil|Jean-Luc");
}

static void
test_urls (void)
{
  assert_words ("see https://example.com/some/pathh?q=wrod#frag now", "see|now");
  assert_words ("(https://exmaple.org).", "");
  assert_words ("at www.exmaple.com today", "at|today");
  assert_words ("open xmpp:room@conference.exmaple.org?join", "open");
  assert_words ("mailto:bob@exmaple.org", "");
  assert_words ("visit exmaple.org or flint.im", "visit|or");
  assert_words ("edit /etc/hostss and ~/.confg and C:\\Windoze", "edit|and|and");
  assert_words ("call foo_bar() now", "call|now");
  assert_words ("the file REAMDE.md", "the|file");
}

static void
test_jids (void)
{
  assert_words ("write to alyce@exmaple.org please", "write|to|please");
  assert_words ("<alyce@exmaple.org/laptpo>", "");
  assert_words ("room tema@conference.exmaple.org, ok", "room|ok");
  assert_words ("ping @alyce and #genral", "ping|and");
}

static void
test_backticks (void)
{
  assert_words ("run `git comit -m fixx` now", "run|now");
  assert_words ("a`inlnie`b", "a|b");
  assert_words ("``code with ` tick`` after", "after");
  assert_words ("unclosed `backtik here", "unclosed|backtik|here");
  assert_words ("one `spna`\nline `two", "one|line|two");
  assert_words ("before\n```\nint mian (void) { retrun 0; }\n```\nafter", "before|after");
  assert_words ("```python\nimprot os\n", "");
  assert_words ("  ```\ncodez\n  ```\nprose", "prose");
}

static void
test_nicks (void)
{
  const char *nicks[] = { "Zoltan",          "Anna Lee",   "xXgamerXx",
                          "bob_the_builder", "Ærøskøbing", NULL };
  g_autofree char *got = NULL;

  got = scan ("Zoltan: hi zoltan, ask Anna Lee and xXgamerXx and bob_the_builder", nicks);
  g_assert_cmpstr (got, ==, "hi|ask|and|and");
  g_clear_pointer (&got, g_free);

  got = scan ("Zoltan's and Anna’s idea, ÆRØSKØBING ærøskøbing", nicks);
  g_assert_cmpstr (got, ==, "and|idea");
  g_clear_pointer (&got, g_free);

  /* Without the nicks, the same text is checked. */
  got = scan ("Zoltan ærøskøbing", NULL);
  g_assert_cmpstr (got, ==, "Zoltan|ærøskøbing");
}

typedef struct
{
  GArray *starts;
  guint stop_after;
} Collect;

static gboolean
collect (const char *text, gsize start, gsize end, gpointer user_data)
{
  Collect *c = user_data;

  g_array_append_val (c->starts, start);
  g_array_append_val (c->starts, end);
  return c->starts->len / 2 < c->stop_after;
}

static void
test_offsets (void)
{
  const char *text = "Ça va? `x` l'été, don't";
  Collect c = { g_array_new (FALSE, FALSE, sizeof (gsize)), G_MAXUINT };
  gsize ret;

  ret =
    flint_word_scanner_foreach (text, strlen (text), 0, strlen (text), NULL, collect, &c);
  g_assert_cmpuint (ret, ==, strlen (text));
  g_assert_cmpuint (c.starts->len, ==, 8);
  /* Byte offsets: Ç is two bytes, é two bytes. */
  g_assert_cmpuint (g_array_index (c.starts, gsize, 0), ==, 0);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 1), ==, 3);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 2), ==, 4);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 3), ==, 6);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 4), ==, 12);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 5), ==, 19);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 6), ==, 21);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 7), ==, 26);
  g_array_unref (c.starts);
}

static void
test_ranges_and_resume (void)
{
  const char *text = "alpha beta https://x.org/gamma delta epsilon";
  gsize len = strlen (text);
  Collect c = { g_array_new (FALSE, FALSE, sizeof (gsize)), 2 };
  gsize from, to, ret;

  /* Stop after two words, then resume where it stopped. */
  ret = flint_word_scanner_foreach (text, len, 0, len, NULL, collect, &c);
  g_assert_cmpuint (ret, ==, 10); /* end of "beta" */
  c.stop_after = G_MAXUINT;
  ret = flint_word_scanner_foreach (text, len, ret, len, NULL, collect, &c);
  g_assert_cmpuint (ret, ==, len);
  g_assert_cmpuint (c.starts->len, ==, 8);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 4), ==, 31); /* delta */

  /* A range inside the URL expands to the whole URL: no word. */
  g_array_set_size (c.starts, 0);
  from = 26, to = 27;
  flint_word_scanner_expand (text, len, &from, &to);
  g_assert_cmpuint (from, ==, 11);
  g_assert_cmpuint (to, ==, 30);
  ret = flint_word_scanner_foreach (text, len, from, to, NULL, collect, &c);
  g_assert_cmpuint (c.starts->len, ==, 0);
  g_assert_cmpuint (ret, ==, 30);

  /* An edit in the middle of a word gets the whole word. */
  from = 38, to = 38;
  flint_word_scanner_expand (text, len, &from, &to);
  g_assert_cmpuint (from, ==, 37);
  g_assert_cmpuint (to, ==, len);
  flint_word_scanner_foreach (text, len, from, to, NULL, collect, &c);
  g_assert_cmpuint (c.starts->len, ==, 2);
  g_assert_cmpuint (g_array_index (c.starts, gsize, 0), ==, 37);

  /* Resuming in the middle of a token keeps the token's rules: "bar" after
   * a stop inside "/foo/bar" is still part of a path. */
  g_array_set_size (c.starts, 0);
  ret = flint_word_scanner_foreach ("see /foo/bar", 12, 8, 12, NULL, collect, &c);
  g_assert_cmpuint (c.starts->len, ==, 0);
  g_array_unref (c.starts);
}

static void
test_fence_context (void)
{
  /* Scanning only the last line still knows it is inside a fence. */
  const char *text = "intro\n```\ncodez here\n";
  gsize len = strlen (text);
  Collect c = { g_array_new (FALSE, FALSE, sizeof (gsize)), G_MAXUINT };

  flint_word_scanner_foreach (text, len, 10, len, NULL, collect, &c);
  g_assert_cmpuint (c.starts->len, ==, 0);
  g_array_unref (c.starts);
}

static void
test_invalid_input (void)
{
  g_autoptr (GHashTable) extra = NULL;
  const char *nicks[] = { "", "\xff\xfe", "ok", NULL };

  extra = flint_word_scanner_new_extra_words (nicks);
  g_assert_cmpuint (g_hash_table_size (extra), ==, 1);
  assert_words ("`", "");
  assert_words ("```", "");
  assert_words ("'", "");
  assert_words ("-", "");
  assert_words ("@", "");
  assert_words ("a", "a");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/word-scanner/plain", test_plain);
  g_test_add_func ("/word-scanner/unicode", test_unicode);
  g_test_add_func ("/word-scanner/apostrophes", test_apostrophes);
  g_test_add_func ("/word-scanner/hyphens", test_hyphens);
  g_test_add_func ("/word-scanner/numbers-and-case", test_numbers_and_case);
  g_test_add_func ("/word-scanner/urls", test_urls);
  g_test_add_func ("/word-scanner/jids", test_jids);
  g_test_add_func ("/word-scanner/backticks", test_backticks);
  g_test_add_func ("/word-scanner/nicks", test_nicks);
  g_test_add_func ("/word-scanner/offsets", test_offsets);
  g_test_add_func ("/word-scanner/ranges-and-resume", test_ranges_and_resume);
  g_test_add_func ("/word-scanner/fence-context", test_fence_context);
  g_test_add_func ("/word-scanner/invalid-input", test_invalid_input);

  return g_test_run ();
}

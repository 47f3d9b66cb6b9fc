#define G_LOG_DOMAIN "flint-spell"

#include "config.h"

#include <string.h>

#include "flint-word-scanner.h"

/* Offsets are bytes, tokens are runs of non-space text. Every rule that needs
 * more than a word (URL, address, path) looks at the whole token, so scanning
 * always starts at a token boundary; rules that need the line (backtick
 * spans) or the text before it (``` fences) are recomputed from the text,
 * which is cheap next to a dictionary lookup. */

typedef struct
{
  const char *text;
  gsize length;
  gsize from;
  gsize to;
  GHashTable *extra_words;
  FlintWordFunc func;
  gpointer user_data;
  gboolean stopped;
  gsize stop_at;
} Scan;

static inline gboolean
is_space (gunichar c)
{
  /* Zero-width space separates words in some scripts and in pasted text. */
  return g_unichar_isspace (c) || c == 0x200B;
}

static inline gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

static inline gboolean
is_joiner (gunichar c)
{
  switch (c)
    {
      case '\'':   /* typewriter apostrophe */
      case 0x2019: /* right single quotation mark, the typographic apostrophe */
      case 0x02BC: /* modifier letter apostrophe */
      case '-':
      case 0x2010: /* hyphen */
        return TRUE;
      default:
        return FALSE;
    }
}

/* Scripts written without spaces between words: a dictionary of single
 * words cannot judge a run of them, so they are left alone. */
static gboolean
is_unspaced_script (gunichar c)
{
  if (c < 0x0E00)
    return FALSE;

  switch (g_unichar_get_script (c))
    {
      case G_UNICODE_SCRIPT_HAN:
      case G_UNICODE_SCRIPT_HIRAGANA:
      case G_UNICODE_SCRIPT_KATAKANA:
      case G_UNICODE_SCRIPT_THAI:
      case G_UNICODE_SCRIPT_LAO:
      case G_UNICODE_SCRIPT_KHMER:
      case G_UNICODE_SCRIPT_MYANMAR:
      case G_UNICODE_SCRIPT_TIBETAN:
        return TRUE;
      default:
        return FALSE;
    }
}

static inline gunichar
char_at (const char *text, gsize pos)
{
  return g_utf8_get_char (text + pos);
}

static inline gsize
next_pos (const char *text, gsize pos)
{
  return g_utf8_next_char (text + pos) - text;
}

static gsize
line_start_of (const char *text, gsize pos)
{
  while (pos > 0 && text[pos - 1] != '\n')
    pos--;
  return pos;
}

static gsize
line_end_of (const char *text, gsize length, gsize pos)
{
  const char *nl = memchr (text + pos, '\n', length - pos);

  return nl != NULL ? (gsize) (nl - text) : length;
}

/* A line whose text starts with ``` opens or closes a fenced block. */
static gboolean
is_fence_line (const char *text, gsize length, gsize line)
{
  gsize p = line;

  while (p < length && (text[p] == ' ' || text[p] == '\t'))
    p++;

  return p + 3 <= length && text[p] == '`' && text[p + 1] == '`' && text[p + 2] == '`';
}

static gboolean
in_fence_at (const char *text, gsize length, gsize line)
{
  gboolean in_fence = FALSE;
  gsize p = 0;

  while (p < line)
    {
      if (is_fence_line (text, length, p))
        in_fence = !in_fence;
      p = line_end_of (text, line, p) + 1;
    }

  return in_fence;
}

/* Code spans of a line as in Markdown: a run of n backticks up to the next
 * run of exactly n backticks on the same line. An unmatched run is plain
 * text. Spans are stored as pairs of offsets, including the backticks. */
static void
find_code_spans (const char *text, gsize line, gsize line_end, GArray *spans)
{
  gsize p = line;

  g_array_set_size (spans, 0);

  while (p < line_end)
    {
      const char *tick = memchr (text + p, '`', line_end - p);
      gsize open, run, q;

      if (tick == NULL)
        break;

      open = tick - text;
      for (run = 0; open + run < line_end && text[open + run] == '`'; run++)
        ;

      q = open + run;
      p = q;
      while (q < line_end)
        {
          gsize close, close_run;

          tick = memchr (text + q, '`', line_end - q);
          if (tick == NULL)
            break;
          close = tick - text;
          for (close_run = 0;
               close + close_run < line_end && text[close + close_run] == '`';
               close_run++)
            ;
          if (close_run == run)
            {
              gsize span[2] = { open, close + close_run };

              g_array_append_vals (spans, span, 2);
              p = close + close_run;
              break;
            }
          q = close + close_run;
        }
    }
}

static gboolean
has_ascii_ci_prefix (const char *s, gsize len, const char *prefix)
{
  gsize n = strlen (prefix);

  return len >= n && g_ascii_strncasecmp (s, prefix, n) == 0;
}

/* URI schemes that are written without "//". */
static gboolean
starts_with_scheme (const char *s, gsize len)
{
  static const char *const schemes[] = {
    "xmpp:", "mailto:", "tel:", "sip:",  "sips:", "geo:",  "magnet:",
    "urn:",  "news:",   "irc:", "ircs:", "file:", "data:", "aesgcm:",
  };

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (has_ascii_ci_prefix (s, len, schemes[i]) && len > strlen (schemes[i]))
      return TRUE;

  return FALSE;
}

/* Whole tokens that are names of things rather than prose. @core is the
 * token without its leading and trailing punctuation. */
static gboolean
token_is_skipped (const char *text, gsize ts, gsize te, gsize cs, gsize ce)
{
  gunichar prev = 0;

  if (g_strstr_len (text + ts, te - ts, "://") != NULL)
    return TRUE;

  /* Mentions, hashtags, paths. */
  for (gsize p = ts; p < cs; p++)
    if (text[p] == '@' || text[p] == '#' || text[p] == '/' || text[p] == '\\')
      return TRUE;

  if (has_ascii_ci_prefix (text + cs, ce - cs, "www.") ||
      starts_with_scheme (text + cs, ce - cs))
    return TRUE;

  for (gsize p = cs; p < ce; p = next_pos (text, p))
    {
      gunichar c = char_at (text, p);

      switch (c)
        {
          case '@': /* e-mail addresses and JIDs */
          case '_': /* identifiers */
          case '\\':
          case '=':
          case '|':
          case '{':
          case '}':
          case '$':
          case '<':
          case '>':
            return TRUE;

          case '.': /* domains, file names, e.g. */
          case ':': /* std::map, key:value */
            if (p + 1 < ce && is_word_char (prev) && is_word_char (char_at (text, p + 1)))
              return TRUE;
            break;

          default:
            break;
        }
      prev = c;
    }

  return FALSE;
}

static gboolean
is_extra_word (Scan *scan, gsize start, gsize end)
{
  g_autofree char *folded = NULL;
  gsize len;

  if (scan->extra_words == NULL || g_hash_table_size (scan->extra_words) == 0)
    return FALSE;

  folded = g_utf8_casefold (scan->text + start, end - start);
  if (g_hash_table_contains (scan->extra_words, folded))
    return TRUE;

  /* Possessives of nicks: Anna's, Anna’s. */
  len = strlen (folded);
  if (len > 2 && g_str_has_suffix (folded, "'s"))
    folded[len - 2] = '\0';
  else if (len > 4 && g_str_has_suffix (folded, "\xe2\x80\x99s"))
    folded[len - 4] = '\0';
  else
    return FALSE;

  return g_hash_table_contains (scan->extra_words, folded);
}

static gboolean
word_is_skipped (Scan *scan, gsize start, gsize end)
{
  const char *text = scan->text;
  guint n_letters = 0;
  gboolean has_lower = FALSE;
  gboolean prev_lower = FALSE;

  for (gsize p = start; p < end; p = next_pos (text, p))
    {
      gunichar c = char_at (text, p);

      if (g_unichar_isdigit (c) || is_unspaced_script (c))
        return TRUE;

      if (g_unichar_isalpha (c))
        {
          gboolean lower = g_unichar_islower (c);

          /* camelCase names: an upper-case letter right after a lower-case one. */
          if (prev_lower && (g_unichar_isupper (c) || g_unichar_istitle (c)))
            return TRUE;
          n_letters++;
          has_lower |= lower;
          prev_lower = lower;
        }
      else if (!g_unichar_ismark (c))
        prev_lower = FALSE;
    }

  /* ALL-CAPS words are acronyms or shouting; neither is in a dictionary. */
  if (n_letters >= 2 && !has_lower)
    return TRUE;

  return is_extra_word (scan, start, end);
}

/* Returns FALSE when the callback asked to stop. */
static gboolean
scan_words (Scan *scan, gsize cs, gsize ce)
{
  const char *text = scan->text;
  gsize p = cs;

  while (p < ce)
    {
      gsize start, end, q;

      if (!is_word_char (char_at (text, p)))
        {
          p = next_pos (text, p);
          continue;
        }

      start = p;
      end = q = next_pos (text, p);
      while (q < ce)
        {
          gunichar c = char_at (text, q);

          if (is_word_char (c))
            end = q = next_pos (text, q);
          else if (is_joiner (c) && next_pos (text, q) < ce &&
                   is_word_char (char_at (text, next_pos (text, q))))
            q = next_pos (text, q);
          else
            break;
        }
      p = end;

      if (start < scan->from || start >= scan->to)
        continue;
      if (word_is_skipped (scan, start, end))
        continue;

      if (!scan->func (text, start, end, scan->user_data))
        {
          scan->stopped = TRUE;
          scan->stop_at = end;
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
scan_token (Scan *scan, gsize ts, gsize te)
{
  const char *text = scan->text;
  gsize cs = ts;
  gsize ce = te;

  while (cs < te && !is_word_char (char_at (text, cs)))
    cs = next_pos (text, cs);
  if (cs == te)
    return TRUE;
  while (ce > cs)
    {
      gsize prev = g_utf8_find_prev_char (text, text + ce) - text;

      if (is_word_char (char_at (text, prev)))
        break;
      ce = prev;
    }

  if (token_is_skipped (text, ts, te, cs, ce))
    return TRUE;

  return scan_words (scan, cs, ce);
}

/* Scans the tokens of [@p, @line_end) that start before scan->to. Code spans
 * separate tokens like spaces do. Returns FALSE when scanning must stop. */
static gboolean
scan_line (Scan *scan, gsize p, gsize line_end, const GArray *spans)
{
  const char *text = scan->text;
  guint span = 0;

  while (p < line_end)
    {
      gsize ts;

      while (span < spans->len && g_array_index (spans, gsize, span + 1) <= p)
        span += 2;

      if (span < spans->len && g_array_index (spans, gsize, span) <= p)
        {
          p = g_array_index (spans, gsize, span + 1);
          continue;
        }
      if (is_space (char_at (text, p)))
        {
          p = next_pos (text, p);
          continue;
        }

      ts = p;
      if (ts >= scan->to)
        return FALSE;

      while (p < line_end && !is_space (char_at (text, p)) &&
             !(span < spans->len && g_array_index (spans, gsize, span) <= p))
        p = next_pos (text, p);

      scan->stop_at = MAX (scan->stop_at, p);
      if (!scan_token (scan, ts, p))
        return FALSE;
    }

  return TRUE;
}

/**
 * flint_word_scanner_foreach:
 * @text: UTF-8 text, the whole message (fences need the lines before)
 * @length: length of @text in bytes
 * @from: byte offset; words starting before it are not reported
 * @to: byte offset; words starting at or after it are not reported
 * @extra_words: (nullable): from flint_word_scanner_new_extra_words()
 * @func: called for each word in order, byte offsets into @text
 *
 * Reports the words to check that start in [@from, @to). Call
 * flint_word_scanner_expand() first so that @from does not cut a word; when
 * resuming after a stop, @from may be the returned offset.
 *
 * Returns: the offset up to which every word has been reported: the end of
 * the word whose callback returned %FALSE, else at least @to (more when the
 * last token ran past it).
 */
gsize
flint_word_scanner_foreach (const char *text,
                            gsize length,
                            gsize from,
                            gsize to,
                            GHashTable *extra_words,
                            FlintWordFunc func,
                            gpointer user_data)
{
  g_autoptr (GArray) spans = g_array_new (FALSE, FALSE, sizeof (gsize));
  Scan scan = { text,      length, from, MIN (to, length), extra_words, func,
                user_data, FALSE,  0 };
  gsize p, line;
  gboolean in_fence;

  g_return_val_if_fail (text != NULL, to);
  g_return_val_if_fail (func != NULL, to);

  if (from >= scan.to)
    return MAX (from, to);

  /* Back up to the start of the token, whose rules need all of it. */
  p = from;
  while (p > 0)
    {
      gsize prev = g_utf8_find_prev_char (text, text + p) - text;

      if (is_space (char_at (text, prev)))
        break;
      p = prev;
    }

  line = line_start_of (text, p);
  in_fence = in_fence_at (text, length, line);
  scan.stop_at = to;

  while (line < length && line < scan.to)
    {
      gsize line_end = line_end_of (text, length, line);

      if (is_fence_line (text, length, line))
        in_fence = !in_fence;
      else if (!in_fence)
        {
          if (memchr (text + line, '`', line_end - line) != NULL)
            find_code_spans (text, line, line_end, spans);
          else
            g_array_set_size (spans, 0);

          if (!scan_line (&scan, MAX (p, line), line_end, spans))
            break;
        }
      else
        scan.stop_at = MAX (scan.stop_at, line_end);

      line = line_end + 1;
    }

  return scan.stopped ? scan.stop_at : MIN (MAX (scan.stop_at, to), length);
}

/**
 * flint_word_scanner_expand:
 *
 * Widens [@start, @end) to whole tokens, so that an edit inside a word or
 * an address gets the whole of it checked again.
 */
void
flint_word_scanner_expand (const char *text, gsize length, gsize *start, gsize *end)
{
  gsize s = MIN (*start, length);
  gsize e = MIN (MAX (*end, s), length);

  while (s > 0)
    {
      gsize prev = g_utf8_find_prev_char (text, text + s) - text;

      if (is_space (char_at (text, prev)))
        break;
      s = prev;
    }
  while (e < length && !is_space (char_at (text, e)))
    e = next_pos (text, e);

  *start = s;
  *end = e;
}

/**
 * flint_word_scanner_new_extra_words:
 * @words: (nullable): words never to flag, such as the nicks of a room
 *
 * Builds the set flint_word_scanner_foreach() takes. Matching ignores case,
 * and each word of a multi-word nick ("Anna Lee") counts on its own.
 *
 * Returns: (transfer full): a set of case-folded strings
 */
GHashTable *
flint_word_scanner_new_extra_words (const char *const *words)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; words != NULL && words[i] != NULL; i++)
    {
      const char *w = words[i];
      const char *p = w;

      if (!g_utf8_validate (w, -1, NULL) || *w == '\0')
        continue;

      g_hash_table_add (set, g_utf8_casefold (w, -1));

      while (*p != '\0')
        {
          const char *start;

          while (*p != '\0' && !is_word_char (g_utf8_get_char (p)))
            p = g_utf8_next_char (p);
          start = p;
          while (*p != '\0')
            {
              gunichar c = g_utf8_get_char (p);
              const char *next = g_utf8_next_char (p);

              if (is_word_char (c) ||
                  (is_joiner (c) && is_word_char (g_utf8_get_char (next))))
                p = next;
              else
                break;
            }
          if (p > start)
            g_hash_table_add (set, g_utf8_casefold (start, p - start));
        }
    }

  return set;
}

static gboolean
collect_word (const char *text, gsize start, gsize end, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strndup (text + start, end - start));
  return TRUE;
}

/**
 * flint_word_scanner_list:
 *
 * Returns: (transfer full): the words of @text that would be checked
 */
char **
flint_word_scanner_list (const char *text, GHashTable *extra_words)
{
  GPtrArray *words = g_ptr_array_new ();
  gsize length = strlen (text);

  flint_word_scanner_foreach (text, length, 0, length, extra_words, collect_word, words);
  g_ptr_array_add (words, NULL);

  return (char **) g_ptr_array_free (words, FALSE);
}

#define G_LOG_DOMAIN "flint-spell"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "flint-spell-adapter.h"
#include "flint-word-scanner.h"

/* Each idle slice stops after this much work, well inside a 60 Hz frame,
 * so a large paste never stalls typing. */
#define SLICE_BUDGET_USEC 4000

/* A range of characters still to check. A zero-length range is a point
 * (a deletion) whose surrounding word must be checked again. */
typedef struct
{
  gint start;
  gint end;
} Region;

struct _FlintSpellAdapter
{
  GObject parent_instance;

  GtkTextBuffer *buffer;
  FlintSpellChecker *checker;
  GtkTextTag *tag;
  GHashTable *extra_words;

  /* Sorted, disjoint, in character offsets of the current text. */
  GArray *regions;
  guint idle_id;

  /* The whole text, fetched once per change: the scanner needs the lines
   * before a word for ``` fences, and byte offsets for everything else. */
  char *text;
  gsize text_len;
  gboolean text_valid;

  /* The word left unchecked because the cursor is in it. */
  GtkTextMark *skip_start;
  GtkTextMark *skip_end;
  gboolean has_skip;

  /* The word the menu is about. The menu has two sections that stay, so a
   * view can show them as sections of its own menu. */
  GMenu *menu;
  GMenu *fixes;
  GMenu *word_actions;
  GtkTextMark *menu_start;
  GtkTextMark *menu_end;
  char *menu_word;

  gboolean enabled;
};

G_DEFINE_FINAL_TYPE (FlintSpellAdapter, flint_spell_adapter, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BUFFER,
  PROP_CHECKER,
  PROP_ENABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_active (FlintSpellAdapter *self)
{
  return self->enabled && self->checker != NULL &&
         flint_spell_checker_get_available (self->checker);
}

/* Regions ---------------------------------------------------------------- */

static void
regions_add (FlintSpellAdapter *self, gint start, gint end)
{
  GArray *r = self->regions;
  guint i = 0;

  /* Skip regions that end before this one starts (touching ones merge). */
  while (i < r->len && g_array_index (r, Region, i).end < start)
    i++;

  if (i < r->len && g_array_index (r, Region, i).start <= end)
    {
      Region *first = &g_array_index (r, Region, i);

      first->start = MIN (first->start, start);
      first->end = MAX (first->end, end);
      while (i + 1 < r->len && g_array_index (r, Region, i + 1).start <= first->end)
        {
          first->end = MAX (first->end, g_array_index (r, Region, i + 1).end);
          g_array_remove_index (r, i + 1);
        }
    }
  else
    {
      Region region = { start, end };

      g_array_insert_val (r, i, region);
    }
}

static void
regions_inserted (FlintSpellAdapter *self, gint offset, gint n_chars)
{
  for (guint i = 0; i < self->regions->len; i++)
    {
      Region *region = &g_array_index (self->regions, Region, i);

      if (region->start >= offset)
        region->start += n_chars;
      if (region->end > offset || (region->end == offset && region->start > offset))
        region->end += n_chars;
    }
}

static inline gint
shift_deleted (gint pos, gint start, gint end)
{
  if (pos <= start)
    return pos;
  if (pos >= end)
    return pos - (end - start);
  return start;
}

static void
regions_deleted (FlintSpellAdapter *self, gint start, gint end)
{
  GArray *r = self->regions;

  for (guint i = 0; i < r->len; i++)
    {
      Region *region = &g_array_index (r, Region, i);

      region->start = shift_deleted (region->start, start, end);
      region->end = shift_deleted (region->end, start, end);
    }

  /* Deleting can make neighbours touch: merge them again. */
  for (guint i = 0; i + 1 < r->len;)
    {
      Region *a = &g_array_index (r, Region, i);
      Region *b = &g_array_index (r, Region, i + 1);

      if (b->start <= a->end)
        {
          a->end = MAX (a->end, b->end);
          g_array_remove_index (r, i + 1);
        }
      else
        i++;
    }
}

/* Marks [start, end] as checked. */
static void
regions_subtract (FlintSpellAdapter *self, gint start, gint end)
{
  GArray *r = self->regions;

  for (guint i = 0; i < r->len;)
    {
      Region region = g_array_index (r, Region, i);

      if (region.start == region.end)
        {
          if (region.start >= start && region.start <= end)
            {
              g_array_remove_index (r, i);
              continue;
            }
          i++;
          continue;
        }

      if (region.end <= start || region.start >= end)
        {
          i++;
          continue;
        }

      g_array_remove_index (r, i);
      if (region.end > end)
        {
          Region after = { end, region.end };

          g_array_insert_val (r, i, after);
        }
      if (region.start < start)
        {
          Region before = { region.start, start };

          g_array_insert_val (r, i, before);
          i++;
        }
    }
}

/* Checking --------------------------------------------------------------- */

static gboolean
flint_spell_adapter_idle (gpointer data)
{
  FlintSpellAdapter *self = data;

  if (flint_spell_adapter_run_slice (self, SLICE_BUDGET_USEC))
    return G_SOURCE_CONTINUE;

  self->idle_id = 0;
  return G_SOURCE_REMOVE;
}

static void
queue_check (FlintSpellAdapter *self)
{
  if (self->idle_id == 0 && self->regions->len > 0 && is_active (self))
    self->idle_id =
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flint_spell_adapter_idle, self, NULL);
}

static void
ensure_text (FlintSpellAdapter *self)
{
  GtkTextIter start, end;

  if (self->text_valid)
    return;

  g_free (self->text);
  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  /* Hidden text and embedded objects count as characters in offsets. */
  self->text = gtk_text_buffer_get_slice (self->buffer, &start, &end, TRUE);
  self->text_len = strlen (self->text);
  self->text_valid = TRUE;
}

/* Byte offsets come in increasing order, so characters are counted from
 * the last position rather than from the start of the text. */
typedef struct
{
  const char *text;
  gsize byte;
  gint chr;
} Cursor;

static gint
cursor_to_char (Cursor *c, gsize byte)
{
  if (byte >= c->byte)
    c->chr += g_utf8_strlen (c->text + c->byte, byte - c->byte);
  else
    c->chr -= g_utf8_strlen (c->text + byte, c->byte - byte);
  c->byte = byte;
  return c->chr;
}

/* One pass of the scanner over a region. Tags are changed word by word
 * inside the callback, so the time budget covers them too: on a long line
 * each tag change costs more than a dictionary lookup. */
typedef struct
{
  FlintSpellAdapter *self;
  gint64 deadline;
  gsize cursor;
  Cursor conv;
  /* Old tags are removed from [cstart, cleared) as the scan passes; the
   * next old toggle after that, G_MAXINT when none, saves useless calls. */
  gint cleared;
  gint next_toggle;
  gboolean has_skip;
  gint skip_start;
  gint skip_end;
} Slice;

static void
find_next_toggle (Slice *slice)
{
  FlintSpellAdapter *self = slice->self;
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, slice->cleared);
  if (gtk_text_iter_has_tag (&iter, self->tag))
    slice->next_toggle = slice->cleared;
  else if (gtk_text_iter_forward_to_tag_toggle (&iter, self->tag))
    slice->next_toggle = gtk_text_iter_get_offset (&iter);
  else
    slice->next_toggle = G_MAXINT;
}

static void
clear_to (Slice *slice, gint upto)
{
  FlintSpellAdapter *self = slice->self;

  if (upto <= slice->cleared)
    return;

  if (slice->next_toggle < upto)
    {
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_offset (self->buffer, &start, slice->cleared);
      gtk_text_buffer_get_iter_at_offset (self->buffer, &end, upto);
      gtk_text_buffer_remove_tag (self->buffer, self->tag, &start, &end);
      slice->cleared = upto;
      find_next_toggle (slice);
    }
  else
    slice->cleared = upto;
}

static gboolean
check_word_cb (const char *text, gsize start, gsize end, gpointer user_data)
{
  Slice *slice = user_data;
  FlintSpellAdapter *self = slice->self;
  gint ws = cursor_to_char (&slice->conv, start);
  gint we = cursor_to_char (&slice->conv, end);

  clear_to (slice, we);

  /* The word being typed: not judged before it is finished. */
  if (slice->cursor > start && slice->cursor <= end)
    {
      slice->has_skip = TRUE;
      slice->skip_start = ws;
      slice->skip_end = we;
    }
  else if (!flint_spell_checker_check_word (self->checker, text + start, end - start))
    {
      GtkTextIter wstart, wend;

      gtk_text_buffer_get_iter_at_offset (self->buffer, &wstart, ws);
      gtk_text_buffer_get_iter_at_offset (self->buffer, &wend, we);
      gtk_text_buffer_apply_tag (self->buffer, self->tag, &wstart, &wend);
    }

  return g_get_monotonic_time () < slice->deadline;
}

static void
remove_all_tags (FlintSpellAdapter *self)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->tag, &start, &end);
}

/**
 * flint_spell_adapter_run_slice:
 * @budget_usec: how long to work before returning
 *
 * Checks changed text for about @budget_usec. The idle handler calls this;
 * tests and benchmarks call it to drive checking themselves.
 *
 * Returns: %TRUE when unchecked text remains
 */
gboolean
flint_spell_adapter_run_slice (FlintSpellAdapter *self, gint64 budget_usec)
{
  GtkTextIter iter;
  gint cursor_char;
  gint64 deadline;

  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), FALSE);

  if (!is_active (self))
    {
      g_array_set_size (self->regions, 0);
      return FALSE;
    }

  deadline = g_get_monotonic_time () + budget_usec;
  ensure_text (self);

  gtk_text_buffer_get_iter_at_mark (self->buffer, &iter,
                                    gtk_text_buffer_get_insert (self->buffer));
  cursor_char = gtk_text_iter_get_offset (&iter);

  while (self->regions->len > 0)
    {
      Region region = g_array_index (self->regions, Region, 0);
      gint n_chars = gtk_text_buffer_get_char_count (self->buffer);
      Slice slice = { self, deadline, G_MAXSIZE };
      gsize bstart, bend, bstop;
      gint cstart, cstop;

      region.start = CLAMP (region.start, 0, n_chars);
      region.end = CLAMP (region.end, region.start, n_chars);

      bstart = g_utf8_offset_to_pointer (self->text, region.start) - self->text;
      bend = bstart +
             (g_utf8_offset_to_pointer (self->text + bstart, region.end - region.start) -
              (self->text + bstart));
      if (cursor_char >= region.start - 256 && cursor_char <= region.end + 256)
        slice.cursor = g_utf8_offset_to_pointer (self->text, cursor_char) - self->text;

      slice.conv = (Cursor){ self->text, bstart, region.start };
      flint_word_scanner_expand (self->text, self->text_len, &bstart, &bend);
      cstart = cursor_to_char (&slice.conv, bstart);
      slice.cleared = cstart;
      find_next_toggle (&slice);

      bstop = flint_word_scanner_foreach (self->text, self->text_len, bstart, bend,
                                          self->extra_words, check_word_cb, &slice);
      cstop = cursor_to_char (&slice.conv, bstop);
      clear_to (&slice, cstop);

      if (slice.has_skip)
        {
          gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, slice.skip_start);
          gtk_text_buffer_move_mark (self->buffer, self->skip_start, &iter);
          gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, slice.skip_end);
          gtk_text_buffer_move_mark (self->buffer, self->skip_end, &iter);
          self->has_skip = TRUE;
        }

      regions_subtract (self, cstart, cstop);

      if (g_get_monotonic_time () >= deadline)
        break;
    }

  return self->regions->len > 0;
}

/**
 * flint_spell_adapter_invalidate_all:
 *
 * Checks the whole text again, as after a change of language.
 */
void
flint_spell_adapter_invalidate_all (FlintSpellAdapter *self)
{
  g_return_if_fail (FLINT_IS_SPELL_ADAPTER (self));

  g_array_set_size (self->regions, 0);
  if (!is_active (self))
    {
      g_clear_handle_id (&self->idle_id, g_source_remove);
      remove_all_tags (self);
      return;
    }

  regions_add (self, 0, gtk_text_buffer_get_char_count (self->buffer));
  queue_check (self);
}

gboolean
flint_spell_adapter_get_busy (FlintSpellAdapter *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), FALSE);

  return self->regions->len > 0 && is_active (self);
}

/* Buffer signals ----------------------------------------------------------- */

/* Backticks change which text is code; a new line can start or end a ```
 * fence. Both can change the rest of the text, so recheck to the end (the
 * checker's cache makes that cheap). */
static gboolean
changes_context (const char *text, gssize len)
{
  return memchr (text, '`', len) != NULL || memchr (text, '\n', len) != NULL;
}

static void
recheck_to_end_from_line (FlintSpellAdapter *self, gint offset)
{
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, offset);
  gtk_text_iter_set_line_offset (&iter, 0);
  regions_add (self, gtk_text_iter_get_offset (&iter),
               gtk_text_buffer_get_char_count (self->buffer));
}

static void
on_insert_text_after (FlintSpellAdapter *self,
                      GtkTextIter *location,
                      const char *text,
                      int len,
                      GtkTextBuffer *buffer)
{
  gint n_chars, end;

  self->text_valid = FALSE;
  if (!is_active (self))
    return;

  n_chars = g_utf8_strlen (text, len);
  end = gtk_text_iter_get_offset (location);
  regions_inserted (self, end - n_chars, n_chars);
  regions_add (self, end - n_chars, end);
  if (changes_context (text, len))
    recheck_to_end_from_line (self, end - n_chars);
  queue_check (self);
}

static void
on_insert_object_after (FlintSpellAdapter *self, GtkTextIter *location, gpointer object)
{
  gint end = gtk_text_iter_get_offset (location);

  self->text_valid = FALSE;
  regions_inserted (self, end - 1, 1);
  regions_add (self, end - 1, end);
  queue_check (self);
}

static void
on_delete_range (FlintSpellAdapter *self,
                 GtkTextIter *start,
                 GtkTextIter *end,
                 GtkTextBuffer *buffer)
{
  gint s = gtk_text_iter_get_offset (start);
  gint e = gtk_text_iter_get_offset (end);
  gboolean context = FALSE;

  self->text_valid = FALSE;
  if (!is_active (self))
    return;

  /* Runs before the default handler: the text is still there to look at. */
  if (e - s == 1)
    {
      gunichar c = gtk_text_iter_get_char (start);

      context = c == '`' || c == '\n';
    }
  else if (e > s)
    {
      g_autofree char *gone = gtk_text_iter_get_slice (start, end);

      context = changes_context (gone, strlen (gone));
    }

  regions_deleted (self, MIN (s, e), MAX (s, e));
  regions_add (self, MIN (s, e), MIN (s, e));
  if (context)
    {
      GtkTextIter line = *start;

      gtk_text_iter_set_line_offset (&line, 0);
      regions_add (self, gtk_text_iter_get_offset (&line),
                   gtk_text_buffer_get_char_count (buffer) - (MAX (s, e) - MIN (s, e)));
    }
  queue_check (self);
}

static void
on_cursor_moved (FlintSpellAdapter *self, GParamSpec *pspec, GtkTextBuffer *buffer)
{
  GtkTextIter cursor, start, end;
  gint c;

  if (!self->has_skip)
    return;

  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  gtk_text_buffer_get_iter_at_mark (buffer, &start, self->skip_start);
  gtk_text_buffer_get_iter_at_mark (buffer, &end, self->skip_end);
  c = gtk_text_iter_get_offset (&cursor);

  /* Same rule as check_word_cb(): the cursor is in a word after its first
   * letter and up to its end. */
  if (c > gtk_text_iter_get_offset (&start) && c <= gtk_text_iter_get_offset (&end))
    return;

  self->has_skip = FALSE;
  regions_add (self, gtk_text_iter_get_offset (&start), gtk_text_iter_get_offset (&end));
  queue_check (self);
}

static void
on_checker_changed (FlintSpellAdapter *self, FlintSpellChecker *checker)
{
  flint_spell_adapter_invalidate_all (self);
}

/* Menu -------------------------------------------------------------------- */

/**
 * flint_spell_adapter_get_menu_model:
 *
 * Returns: (transfer none): a menu of two sections, corrections and word
 *   actions, empty until flint_spell_adapter_update_menu() finds a word
 */
GMenuModel *
flint_spell_adapter_get_menu_model (FlintSpellAdapter *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), NULL);

  return G_MENU_MODEL (self->menu);
}

const char *
flint_spell_adapter_get_menu_word (FlintSpellAdapter *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), NULL);

  return self->menu_word;
}

static void
clear_menu (FlintSpellAdapter *self)
{
  g_clear_pointer (&self->menu_word, g_free);
  g_menu_remove_all (self->fixes);
  g_menu_remove_all (self->word_actions);
}

/**
 * flint_spell_adapter_update_menu:
 * @iter: where the menu is opened: the click or the cursor
 *
 * Fills the menu model with corrections when @iter is on or right after a
 * flagged word, and empties it otherwise.
 *
 * Returns: %TRUE when the menu now offers corrections
 */
gboolean
flint_spell_adapter_update_menu (FlintSpellAdapter *self, const GtkTextIter *iter)
{
  g_auto (GStrv) corrections = NULL;
  GtkTextIter start, end;

  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), FALSE);

  g_menu_remove_all (self->fixes);
  g_menu_remove_all (self->word_actions);
  g_clear_pointer (&self->menu_word, g_free);

  if (!is_active (self))
    return FALSE;

  start = *iter;
  if (!gtk_text_iter_has_tag (&start, self->tag))
    {
      /* Just after the word, as when the cursor ends it. */
      if (!gtk_text_iter_ends_tag (&start, self->tag))
        return FALSE;
      gtk_text_iter_backward_char (&start);
    }
  end = start;
  if (!gtk_text_iter_starts_tag (&start, self->tag))
    gtk_text_iter_backward_to_tag_toggle (&start, self->tag);
  gtk_text_iter_forward_to_tag_toggle (&end, self->tag);

  self->menu_word = gtk_text_iter_get_slice (&start, &end);
  gtk_text_buffer_move_mark (self->buffer, self->menu_start, &start);
  gtk_text_buffer_move_mark (self->buffer, self->menu_end, &end);

  corrections = flint_spell_checker_list_corrections (self->checker, self->menu_word, -1);
  for (guint i = 0; corrections[i] != NULL; i++)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (corrections[i], NULL);

      g_menu_item_set_action_and_target_value (item, "spelling.correct",
                                               g_variant_new_string (corrections[i]));
      g_menu_append_item (self->fixes, item);
    }
  if (corrections[0] == NULL)
    /* No such action: shown greyed out. */
    g_menu_append (self->fixes, _ ("No Suggestions"), "spelling.no-suggestions");

  g_menu_append (self->word_actions, _ ("Add to Dictionary"), "spelling.add");
  g_menu_append (self->word_actions, _ ("Ignore"), "spelling.ignore");

  return TRUE;
}

/* The menu word, if the text there has not changed since the menu opened. */
static gboolean
get_menu_word_bounds (FlintSpellAdapter *self, GtkTextIter *start, GtkTextIter *end)
{
  g_autofree char *now = NULL;

  if (self->menu_word == NULL)
    return FALSE;

  gtk_text_buffer_get_iter_at_mark (self->buffer, start, self->menu_start);
  gtk_text_buffer_get_iter_at_mark (self->buffer, end, self->menu_end);
  now = gtk_text_iter_get_slice (start, end);

  return g_str_equal (now, self->menu_word);
}

/**
 * flint_spell_adapter_correct:
 *
 * Replaces the word of the menu with @replacement as one undo step.
 */
gboolean
flint_spell_adapter_correct (FlintSpellAdapter *self, const char *replacement)
{
  GtkTextIter start, end;

  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), FALSE);
  g_return_val_if_fail (replacement != NULL, FALSE);

  if (!get_menu_word_bounds (self, &start, &end))
    return FALSE;

  gtk_text_buffer_begin_user_action (self->buffer);
  gtk_text_buffer_delete (self->buffer, &start, &end);
  gtk_text_buffer_insert (self->buffer, &start, replacement, -1);
  gtk_text_buffer_end_user_action (self->buffer);

  clear_menu (self);

  return TRUE;
}

void
flint_spell_adapter_add_word (FlintSpellAdapter *self)
{
  g_autofree char *word = NULL;

  g_return_if_fail (FLINT_IS_SPELL_ADAPTER (self));

  if (self->menu_word == NULL || self->checker == NULL)
    return;

  /* The checker tells every adapter to check again. */
  word = g_steal_pointer (&self->menu_word);
  clear_menu (self);
  flint_spell_checker_add_word (self->checker, word, -1);
}

void
flint_spell_adapter_ignore_word (FlintSpellAdapter *self)
{
  g_autofree char *word = NULL;

  g_return_if_fail (FLINT_IS_SPELL_ADAPTER (self));

  if (self->menu_word == NULL || self->checker == NULL)
    return;

  word = g_steal_pointer (&self->menu_word);
  clear_menu (self);
  flint_spell_checker_ignore_word (self->checker, word, -1);
}

/* Properties ---------------------------------------------------------------- */

GtkTextBuffer *
flint_spell_adapter_get_buffer (FlintSpellAdapter *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), NULL);

  return self->buffer;
}

FlintSpellChecker *
flint_spell_adapter_get_checker (FlintSpellAdapter *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), NULL);

  return self->checker;
}

void
flint_spell_adapter_set_checker (FlintSpellAdapter *self, FlintSpellChecker *checker)
{
  g_return_if_fail (FLINT_IS_SPELL_ADAPTER (self));
  g_return_if_fail (!checker || FLINT_IS_SPELL_CHECKER (checker));

  if (self->checker == checker)
    return;

  if (self->checker != NULL)
    g_signal_handlers_disconnect_by_data (self->checker, self);
  g_set_object (&self->checker, checker);
  if (checker != NULL)
    g_signal_connect_object (checker, "changed", G_CALLBACK (on_checker_changed), self,
                             G_CONNECT_SWAPPED);

  flint_spell_adapter_invalidate_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKER]);
}

gboolean
flint_spell_adapter_get_enabled (FlintSpellAdapter *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), FALSE);

  return self->enabled;
}

void
flint_spell_adapter_set_enabled (FlintSpellAdapter *self, gboolean enabled)
{
  g_return_if_fail (FLINT_IS_SPELL_ADAPTER (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  self->has_skip = FALSE;
  flint_spell_adapter_invalidate_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

/**
 * flint_spell_adapter_set_extra_words:
 * @words: (nullable): words never flagged, such as the nicks of a room
 */
void
flint_spell_adapter_set_extra_words (FlintSpellAdapter *self, const char *const *words)
{
  g_return_if_fail (FLINT_IS_SPELL_ADAPTER (self));

  g_clear_pointer (&self->extra_words, g_hash_table_unref);
  if (words != NULL && words[0] != NULL)
    self->extra_words = flint_word_scanner_new_extra_words (words);

  flint_spell_adapter_invalidate_all (self);
}

GtkTextTag *
flint_spell_adapter_get_tag (FlintSpellAdapter *self)
{
  g_return_val_if_fail (FLINT_IS_SPELL_ADAPTER (self), NULL);

  return self->tag;
}

static void
flint_spell_adapter_set_buffer (FlintSpellAdapter *self, GtkTextBuffer *buffer)
{
  GtkTextTagTable *table;
  GtkTextIter start;

  g_return_if_fail (GTK_IS_TEXT_BUFFER (buffer));

  self->buffer = g_object_ref (buffer);
  table = gtk_text_buffer_get_tag_table (buffer);
  self->tag = gtk_text_tag_table_lookup (table, "misspelled");
  if (self->tag == NULL)
    self->tag = gtk_text_buffer_create_tag (buffer, "misspelled", "underline",
                                            PANGO_UNDERLINE_ERROR, NULL);
  g_object_ref (self->tag);

  gtk_text_buffer_get_start_iter (buffer, &start);
  self->skip_start = gtk_text_buffer_create_mark (buffer, NULL, &start, TRUE);
  /* Left gravity too: a space typed after the word is outside it. */
  self->skip_end = gtk_text_buffer_create_mark (buffer, NULL, &start, TRUE);
  self->menu_start = gtk_text_buffer_create_mark (buffer, NULL, &start, TRUE);
  self->menu_end = gtk_text_buffer_create_mark (buffer, NULL, &start, FALSE);

  g_signal_connect_object (buffer, "insert-text", G_CALLBACK (on_insert_text_after), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (buffer, "insert-paintable",
                           G_CALLBACK (on_insert_object_after), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (buffer, "insert-child-anchor",
                           G_CALLBACK (on_insert_object_after), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (buffer, "delete-range", G_CALLBACK (on_delete_range), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "notify::cursor-position",
                           G_CALLBACK (on_cursor_moved), self, G_CONNECT_SWAPPED);
}

FlintSpellAdapter *
flint_spell_adapter_new (GtkTextBuffer *buffer, FlintSpellChecker *checker)
{
  g_return_val_if_fail (GTK_IS_TEXT_BUFFER (buffer), NULL);
  g_return_val_if_fail (!checker || FLINT_IS_SPELL_CHECKER (checker), NULL);

  return g_object_new (FLINT_TYPE_SPELL_ADAPTER, "buffer", buffer, "checker", checker,
                       NULL);
}

static void
flint_spell_adapter_dispose (GObject *object)
{
  FlintSpellAdapter *self = FLINT_SPELL_ADAPTER (object);

  g_clear_handle_id (&self->idle_id, g_source_remove);

  if (self->buffer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->buffer, self);
      remove_all_tags (self);
      gtk_text_buffer_delete_mark (self->buffer, self->skip_start);
      gtk_text_buffer_delete_mark (self->buffer, self->skip_end);
      gtk_text_buffer_delete_mark (self->buffer, self->menu_start);
      gtk_text_buffer_delete_mark (self->buffer, self->menu_end);
      g_clear_object (&self->tag);
      g_clear_object (&self->buffer);
    }
  if (self->checker != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->checker, self);
      g_clear_object (&self->checker);
    }

  G_OBJECT_CLASS (flint_spell_adapter_parent_class)->dispose (object);
}

static void
flint_spell_adapter_finalize (GObject *object)
{
  FlintSpellAdapter *self = FLINT_SPELL_ADAPTER (object);

  g_clear_pointer (&self->regions, g_array_unref);
  g_clear_pointer (&self->extra_words, g_hash_table_unref);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->menu_word, g_free);
  g_clear_object (&self->menu);
  g_clear_object (&self->fixes);
  g_clear_object (&self->word_actions);

  G_OBJECT_CLASS (flint_spell_adapter_parent_class)->finalize (object);
}

static void
flint_spell_adapter_get_property (GObject *object,
                                  guint prop_id,
                                  GValue *value,
                                  GParamSpec *pspec)
{
  FlintSpellAdapter *self = FLINT_SPELL_ADAPTER (object);

  switch (prop_id)
    {
      case PROP_BUFFER:
        g_value_set_object (value, self->buffer);
        break;
      case PROP_CHECKER:
        g_value_set_object (value, self->checker);
        break;
      case PROP_ENABLED:
        g_value_set_boolean (value, self->enabled);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_spell_adapter_set_property (GObject *object,
                                  guint prop_id,
                                  const GValue *value,
                                  GParamSpec *pspec)
{
  FlintSpellAdapter *self = FLINT_SPELL_ADAPTER (object);

  switch (prop_id)
    {
      case PROP_BUFFER:
        flint_spell_adapter_set_buffer (self, g_value_get_object (value));
        break;
      case PROP_CHECKER:
        flint_spell_adapter_set_checker (self, g_value_get_object (value));
        break;
      case PROP_ENABLED:
        flint_spell_adapter_set_enabled (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_spell_adapter_class_init (FlintSpellAdapterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_spell_adapter_dispose;
  object_class->finalize = flint_spell_adapter_finalize;
  object_class->get_property = flint_spell_adapter_get_property;
  object_class->set_property = flint_spell_adapter_set_property;

  properties[PROP_BUFFER] = g_param_spec_object (
    "buffer", NULL, NULL, GTK_TYPE_TEXT_BUFFER,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHECKER] = g_param_spec_object (
    "checker", NULL, NULL, FLINT_TYPE_SPELL_CHECKER,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENABLED] = g_param_spec_boolean (
    "enabled", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_spell_adapter_init (FlintSpellAdapter *self)
{
  self->regions = g_array_new (FALSE, FALSE, sizeof (Region));
  self->menu = g_menu_new ();
  self->fixes = g_menu_new ();
  self->word_actions = g_menu_new ();
  g_menu_append_section (self->menu, NULL, G_MENU_MODEL (self->fixes));
  g_menu_append_section (self->menu, NULL, G_MENU_MODEL (self->word_actions));
  self->enabled = TRUE;
}

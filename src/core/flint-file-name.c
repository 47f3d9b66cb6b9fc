/* File names that came from the network, made safe to create in a folder.
 *
 * A peer chooses the name of the file it offers; we keep only what cannot
 * reach outside the chosen folder or surprise the user: the last path part,
 * valid UTF-8, no control or bidi-override characters, no leading dot (a
 * hidden ".bashrc" would be invisible in the file manager), no characters
 * or device names other systems refuse (the file may be copied to a USB
 * stick), and a byte length that fits every file system with room for
 * " (n)" and ".part". */
#include "config.h"

#include <string.h>

#include "flint-file-name.h"

#define FALLBACK_NAME "file"
/* An "extension" longer than this is just part of the name. */
#define MAX_EXTENSION_BYTES 16

static gboolean
is_unsafe_char (gunichar c)
{
  switch (g_unichar_type (c))
    {
      case G_UNICODE_CONTROL:    /* C0, DEL, C1 */
      case G_UNICODE_FORMAT:     /* bidi overrides, zero-width joiners */
      case G_UNICODE_UNASSIGNED: /* includes U+FFFE/FFFF */
      case G_UNICODE_SURROGATE:
      case G_UNICODE_PRIVATE_USE:
      case G_UNICODE_LINE_SEPARATOR:
      case G_UNICODE_PARAGRAPH_SEPARATOR:
        return TRUE;
      default:
        return FALSE;
    }
}

static gboolean
is_reserved_char (gunichar c)
{
  return c != 0 && strchr ("<>:\"|?*", (int) c) != NULL && c < 128;
}

/* The Windows device names, which a copy to a FAT or NTFS disk trips on. */
static gboolean
is_reserved_stem (const char *name)
{
  static const char *const reserved[] = { "CON", "PRN", "AUX", "NUL", NULL };
  const char *dot = strchr (name, '.');
  gsize len = dot ? (gsize) (dot - name) : strlen (name);

  for (guint i = 0; reserved[i]; i++)
    if (len == 3 && g_ascii_strncasecmp (name, reserved[i], 3) == 0)
      return TRUE;
  if (len == 4 &&
      (g_ascii_strncasecmp (name, "COM", 3) == 0 ||
       g_ascii_strncasecmp (name, "LPT", 3) == 0) &&
      name[3] >= '1' && name[3] <= '9')
    return TRUE;
  return FALSE;
}

/* The byte offset of the extension's dot, or -1: a dot that is not the
 * first character, followed by a short run of characters. */
static gssize
extension_offset (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name || dot[1] == '\0' || strlen (dot) > MAX_EXTENSION_BYTES)
    return -1;
  return dot - name;
}

/* Cuts a valid UTF-8 string to at most max bytes on a character boundary. */
static void
utf8_truncate (GString *s, gsize max)
{
  const char *end;

  if (s->len <= max)
    return;
  end = s->str + max;
  /* Step back to the start of the character that crosses max. */
  while (end > s->str && ((guchar) *end & 0xC0) == 0x80)
    end--;
  g_string_truncate (s, end - s->str);
}

static char *
cap_length (const char *name, gsize max)
{
  gssize ext = extension_offset (name);
  g_autoptr (GString) stem = NULL;

  if (strlen (name) <= max)
    return g_strdup (name);
  if (ext < 0)
    {
      stem = g_string_new (name);
      utf8_truncate (stem, max);
      return g_string_free (g_steal_pointer (&stem), FALSE);
    }
  stem = g_string_new_len (name, ext);
  utf8_truncate (stem, max - strlen (name + ext));
  g_string_append (stem, name + ext);
  return g_string_free (g_steal_pointer (&stem), FALSE);
}

/* Never NULL and never empty; always a single path component. */
char *
flint_file_name_sanitize (const char *name)
{
  g_autofree char *valid = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  const char *base;
  const char *p;
  gsize start, end;

  if (name == NULL)
    return g_strdup (FALLBACK_NAME);
  valid = g_utf8_make_valid (name, -1);

  /* The last non-empty component, with either separator. */
  base = valid;
  for (p = valid; *p; p++)
    if ((*p == '/' || *p == '\\') && p[1] != '\0' && p[1] != '/' && p[1] != '\\')
      base = p + 1;

  for (p = base; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '\\')
        continue;
      /* Tabs and newlines become spaces before the control check drops them. */
      if (g_unichar_isspace (c))
        g_string_append_c (out, ' ');
      else if (c == 0xFFFD || is_unsafe_char (c))
        continue;
      else if (is_reserved_char (c))
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }

  /* No leading dots or spaces (hidden files, "." and ".."), no trailing ones
   * (Windows drops them, making two names one). */
  for (start = 0; start < out->len && (out->str[start] == '.' || out->str[start] == ' ');
       start++)
    ;
  for (end = out->len;
       end > start && (out->str[end - 1] == '.' || out->str[end - 1] == ' '); end--)
    ;
  g_string_truncate (out, end);
  g_string_erase (out, 0, start);

  if (out->len == 0)
    return g_strdup (FALLBACK_NAME);
  if (is_reserved_stem (out->str))
    g_string_prepend_c (out, '_');
  {
    /* Cutting to length can leave spaces or dots at the new end: trimmed
     * as above, so that a clean name comes back unchanged. */
    char *capped = cap_length (out->str, FLINT_FILE_NAME_MAX_BYTES);
    gsize len = strlen (capped);

    while (len > 0 && (capped[len - 1] == '.' || capped[len - 1] == ' '))
      capped[--len] = '\0';
    if (len == 0)
      {
        g_free (capped);
        return g_strdup (FALLBACK_NAME);
      }
    return capped;
  }
}

/* "name (n).ext" for the n-th attempt at a free name; n = 0 gives name. */
char *
flint_file_name_numbered (const char *name, guint n)
{
  gssize ext = extension_offset (name);

  if (n == 0)
    return g_strdup (name);
  if (ext < 0)
    return g_strdup_printf ("%s (%u)", name, n);
  return g_strdup_printf ("%.*s (%u)%s", (int) ext, name, n, name + ext);
}

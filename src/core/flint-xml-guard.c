/* libstrophe 0.12 parses the stream with expat and has no limit on nesting
 * or size: it serialises every stanza it receives (for its debug log, even
 * when logging is off) with a recursive function, so a stanza nested 100,000
 * deep from a hostile server overflows the stack, and a 100 MB one is held
 * several times in memory.
 *
 * libstrophe calls expat through the PLT, so the definitions below, linked
 * into Flint, take the place of expat's when libstrophe installs its
 * handlers: each handler is wrapped to count the depth and the text of the
 * stanza being parsed, and XML_StopParser() ends the stream when a bound is
 * passed. libstrophe then reports a parse error and Flint reconnects as it
 * would after any broken stream. Everything else goes to the real expat. */

#define G_LOG_DOMAIN "flint-xml-guard"
#define _GNU_SOURCE

#include "flint-xml-guard.h"

#include <dlfcn.h>
#include <expat.h>

typedef struct
{
  XML_Parser parser;
  XML_StartElementHandler start;
  XML_EndElementHandler end;
  XML_CharacterDataHandler characters;
  int depth;
  gsize text; /* bytes of text in the stanza being parsed */
  gboolean stopped;
} Guard;

/* libstrophe's user data (its parser) -> Guard. Parsers live on the main
 * thread, like every libstrophe call in Flint, but tests may differ. */
static GHashTable *guards;
static GMutex guards_lock;
static guint stopped_count;

static Guard *
lookup (void *user_data)
{
  Guard *guard;

  g_mutex_lock (&guards_lock);
  guard = guards ? g_hash_table_lookup (guards, user_data) : NULL;
  g_mutex_unlock (&guards_lock);
  return guard;
}

static Guard *
ensure (XML_Parser parser)
{
  void *user_data = XML_GetUserData (parser);
  Guard *guard;

  g_mutex_lock (&guards_lock);
  if (guards == NULL)
    guards = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  guard = g_hash_table_lookup (guards, user_data);
  if (guard == NULL || guard->parser != parser)
    {
      guard = g_new0 (Guard, 1);
      guard->parser = parser;
      g_hash_table_replace (guards, user_data, guard);
    }
  g_mutex_unlock (&guards_lock);
  return guard;
}

static void
stop (Guard *guard, const char *why)
{
  if (guard->stopped)
    return;
  guard->stopped = TRUE;
  g_atomic_int_inc (&stopped_count);
  g_warning ("Ending the stream: %s", why);
  XML_StopParser (guard->parser, XML_FALSE);
}

static void
guard_start (void *user_data, const XML_Char *name, const XML_Char **attrs)
{
  Guard *guard = lookup (user_data);

  if (guard == NULL)
    return;
  if (guard->stopped)
    return;
  if (++guard->depth > FLINT_XML_MAX_DEPTH)
    {
      stop (guard, "a stanza nested too deep");
      return;
    }
  if (guard->start)
    guard->start (user_data, name, attrs);
}

static void
guard_end (void *user_data, const XML_Char *name)
{
  Guard *guard = lookup (user_data);

  if (guard == NULL || guard->stopped)
    return;
  guard->depth--;
  if (guard->depth <= 1)
    guard->text = 0; /* a stanza (child of the stream) ended */
  if (guard->end)
    guard->end (user_data, name);
}

static void
guard_characters (void *user_data, const XML_Char *s, int len)
{
  Guard *guard = lookup (user_data);

  if (guard == NULL || guard->stopped)
    return;
  guard->text += (gsize) MAX (len, 0);
  if (guard->text > FLINT_XML_MAX_STANZA_TEXT)
    {
      stop (guard, "a stanza too big");
      return;
    }
  if (guard->characters)
    guard->characters (user_data, s, len);
}

static void *
real (const char *name)
{
  void *symbol = dlsym (RTLD_NEXT, name);

  if (symbol == NULL)
    g_error ("expat has no %s", name);
  return symbol;
}

void
XML_SetElementHandler (XML_Parser parser,
                       XML_StartElementHandler start,
                       XML_EndElementHandler end)
{
  static void (*set) (XML_Parser, XML_StartElementHandler, XML_EndElementHandler);
  Guard *guard = ensure (parser);

  if (set == NULL)
    set = real ("XML_SetElementHandler");
  guard->start = start;
  guard->end = end;
  guard->depth = 0;
  guard->text = 0;
  guard->stopped = FALSE;
  set (parser, guard_start, guard_end);
}

void
XML_SetCharacterDataHandler (XML_Parser parser, XML_CharacterDataHandler handler)
{
  static void (*set) (XML_Parser, XML_CharacterDataHandler);
  Guard *guard = ensure (parser);

  if (set == NULL)
    set = real ("XML_SetCharacterDataHandler");
  guard->characters = handler;
  set (parser, guard_characters);
}

void
XML_ParserFree (XML_Parser parser)
{
  static void (*parser_free) (XML_Parser);
  void *user_data = XML_GetUserData (parser);

  if (parser_free == NULL)
    parser_free = real ("XML_ParserFree");
  g_mutex_lock (&guards_lock);
  if (guards)
    {
      Guard *guard = g_hash_table_lookup (guards, user_data);

      if (guard && guard->parser == parser)
        g_hash_table_remove (guards, user_data);
    }
  g_mutex_unlock (&guards_lock);
  parser_free (parser);
}

void
flint_xml_guard_init (void)
{
  /* Referenced from the session so that the linker keeps this file, and
   * with it the definitions above, in every program using the core. */
}

guint
flint_xml_guard_get_stopped (void)
{
  return g_atomic_int_get (&stopped_count);
}

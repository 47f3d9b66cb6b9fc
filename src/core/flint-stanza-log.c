/* FlintStanzaLog: what the XML console shows, bounded and with every secret
 * taken out before it is stored. */
#include "config.h"

#define G_LOG_DOMAIN "flint-stanza-log"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "flint-error.h"
#include "flint-stanza-log.h"

#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define REDACTED "[redacted]"

struct _FlintStanzaLog
{
  GObject parent_instance;

  guint max_entries;
  guint64 next_serial;
  GQueue entries;
  FlintSession *session;
  gulong handler_id;
};

G_DEFINE_FINAL_TYPE (FlintStanzaLog, flint_stanza_log, G_TYPE_OBJECT)

enum
{
  SIGNAL_ENTRY_ADDED,
  SIGNAL_ENTRIES_DROPPED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* A context of its own for parsing: the sessions' contexts log into the
 * console, and parsing there would log again. */
static xmpp_ctx_t *
parse_context (void)
{
  static xmpp_ctx_t *ctx;

  if (ctx == NULL)
    ctx = xmpp_ctx_new (NULL, NULL);
  return ctx;
}

static xmpp_stanza_t *
parse (const char *xml)
{
  while (g_ascii_isspace (*xml))
    xml++;
  if (*xml != '<' || g_str_has_prefix (xml, "</") || g_str_has_prefix (xml, "<?"))
    return NULL;
  return xmpp_stanza_new_from_string (parse_context (), xml);
}

static gboolean
is_secret (xmpp_stanza_t *element, xmpp_stanza_t *parent)
{
  const char *name = xmpp_stanza_get_name (element);
  const char *ns = xmpp_stanza_get_ns (element);

  if (name == NULL)
    return FALSE;
  if (g_strcmp0 (ns, NS_SASL) == 0 &&
      (g_str_equal (name, "auth") || g_str_equal (name, "response") ||
       g_str_equal (name, "challenge") || g_str_equal (name, "success")))
    return TRUE;
  /* jabber:iq:register, jabber:iq:auth, the MUC join <x/>, room configuration. */
  if (g_str_equal (name, "password") || g_str_equal (name, "digest"))
    return TRUE;
  /* A data form's value of a text-private field, or of a field named like a
   * password whatever its type. */
  if (g_str_equal (name, "value") && parent &&
      g_strcmp0 (xmpp_stanza_get_name (parent), "field") == 0)
    {
      const char *type = xmpp_stanza_get_attribute (parent, "type");
      const char *var = xmpp_stanza_get_attribute (parent, "var");
      g_autofree char *lower = var ? g_ascii_strdown (var, -1) : NULL;

      if (g_strcmp0 (type, "text-private") == 0)
        return TRUE;
      if (lower && (strstr (lower, "password") || strstr (lower, "secret") ||
                    strstr (lower, "passwd")))
        return TRUE;
    }
  return FALSE;
}

static void
append_escaped (GString *out, const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (out, escaped);
}

static int
compare_attributes (const void *a, const void *b)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;

  if (g_str_equal (x, "xmlns") != g_str_equal (y, "xmlns"))
    return g_str_equal (x, "xmlns") ? -1 : 1;
  return strcmp (x, y);
}

/* libstrophe's parser copies the inherited xmlns onto every child: write it
 * only where it changes. */
static void
append_start (GString *out, xmpp_stanza_t *element, xmpp_stanza_t *parent, gboolean empty)
{
  const char *parent_ns = parent ? xmpp_stanza_get_ns (parent) : NULL;
  int n = xmpp_stanza_get_attribute_count (element);
  g_autofree const char **attrs = g_new0 (const char *, (gsize) n * 2 + 2);

  g_string_append_c (out, '<');
  g_string_append (out, xmpp_stanza_get_name (element));
  n = xmpp_stanza_get_attributes (element, attrs, n * 2);
  /* The parser keeps attributes in a hash table: a stable order, xmlns first. */
  qsort (attrs, (gsize) n / 2, sizeof (char *) * 2, compare_attributes);
  for (int i = 0; i + 1 < n; i += 2)
    {
      if (parent_ns && g_str_equal (attrs[i], "xmlns") &&
          g_strcmp0 (attrs[i + 1], parent_ns) == 0)
        continue;
      g_string_append_printf (out, " %s=\"", attrs[i]);
      append_escaped (out, attrs[i + 1] ? attrs[i + 1] : "");
      g_string_append_c (out, '"');
    }
  g_string_append (out, empty ? "/>" : ">");
}

static gboolean
only_text_children (xmpp_stanza_t *element)
{
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (element); c;
       c = xmpp_stanza_get_next (c))
    if (!xmpp_stanza_is_text (c))
      return FALSE;
  return TRUE;
}

static gboolean
blank (const char *text)
{
  for (; text && *text; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* Writes element (compact, or indented by depth when pretty); returns
 * whether it hid anything. */
static gboolean
write_element (
  GString *out, xmpp_stanza_t *element, xmpp_stanza_t *parent, int depth, gboolean pretty)
{
  xmpp_stanza_t *children = xmpp_stanza_get_children (element);
  gboolean hid = FALSE;

  if (pretty && depth > 0)
    g_string_append_printf (out, "\n%*s", depth * 2, "");
  if (is_secret (element, parent))
    {
      append_start (out, element, parent, children == NULL);
      if (children == NULL)
        return FALSE;
      g_string_append (out, REDACTED);
      g_string_append_printf (out, "</%s>", xmpp_stanza_get_name (element));
      return TRUE;
    }
  append_start (out, element, parent, children == NULL);
  if (children == NULL)
    return FALSE;
  if (!pretty || only_text_children (element))
    {
      for (xmpp_stanza_t *c = children; c; c = xmpp_stanza_get_next (c))
        {
          if (xmpp_stanza_is_text (c))
            append_escaped (out, xmpp_stanza_get_text_ptr (c));
          else
            hid |= write_element (out, c, element, depth + 1, FALSE);
        }
    }
  else
    {
      for (xmpp_stanza_t *c = children; c; c = xmpp_stanza_get_next (c))
        {
          if (!xmpp_stanza_is_text (c))
            hid |= write_element (out, c, element, depth + 1, TRUE);
          else if (!blank (xmpp_stanza_get_text_ptr (c)))
            {
              g_autofree char *trimmed =
                g_strstrip (g_strdup (xmpp_stanza_get_text_ptr (c)));

              g_string_append_printf (out, "\n%*s", (depth + 1) * 2, "");
              append_escaped (out, trimmed);
            }
        }
      g_string_append_printf (out, "\n%*s", depth * 2, "");
    }
  g_string_append_printf (out, "</%s>", xmpp_stanza_get_name (element));
  return hid;
}

static gboolean
mentions_secret (const char *xml)
{
  g_autofree char *lower = g_ascii_strdown (xml, -1);

  return strstr (lower, "password") || strstr (lower, "text-private") ||
         strstr (lower, NS_SASL) || strstr (lower, "<digest");
}

char *
flint_stanza_log_redact (const char *xml)
{
  xmpp_stanza_t *stanza;
  g_autoptr (GString) out = NULL;
  gboolean hid;

  g_return_val_if_fail (xml != NULL, NULL);
  if (!mentions_secret (xml))
    return NULL;
  stanza = parse (xml);
  if (stanza == NULL)
    {
      /* A stream header or a fragment: no secret travels there, but what
       * cannot be read cannot be checked either. */
      if (g_str_has_prefix (xml, "<stream:stream") || g_str_has_prefix (xml, "<?xml"))
        return NULL;
      return g_strdup (REDACTED);
    }
  out = g_string_new (NULL);
  hid = write_element (out, stanza, NULL, 0, FALSE);
  xmpp_stanza_release (stanza);
  return hid ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

char *
flint_stanza_log_pretty (const char *xml)
{
  xmpp_stanza_t *stanza;
  GString *out;

  g_return_val_if_fail (xml != NULL, NULL);
  stanza = parse (xml);
  if (stanza == NULL)
    return g_strdup (xml);
  out = g_string_new (NULL);
  write_element (out, stanza, NULL, 0, TRUE);
  xmpp_stanza_release (stanza);
  return g_string_free (out, FALSE);
}

FlintStanzaKind
flint_stanza_log_classify (const char *xml)
{
  const char *p = xml;
  gsize len = 0;

  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != '<')
    return FLINT_STANZA_KIND_OTHER;
  while (p[len] && !g_ascii_isspace (p[len]) && p[len] != '>' && p[len] != '/')
    len++;
  if (len == 7 && strncmp (p, "message", 7) == 0)
    return FLINT_STANZA_KIND_MESSAGE;
  if (len == 8 && strncmp (p, "presence", 8) == 0)
    return FLINT_STANZA_KIND_PRESENCE;
  if (len == 2 && strncmp (p, "iq", 2) == 0)
    return FLINT_STANZA_KIND_IQ;
  return FLINT_STANZA_KIND_OTHER;
}

/* ---- validation of what the user types --------------------------------- */

typedef struct
{
  int depth;
  int roots;
} Shape;

static void
shape_start (GMarkupParseContext *context,
             const char *element,
             const char **names,
             const char **values,
             gpointer user_data,
             GError **error)
{
  Shape *shape = user_data;

  if (shape->depth++ == 0 && ++shape->roots > 1)
    g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED, "%s",
                 _ ("Send one element at a time."));
}

static void
shape_end (GMarkupParseContext *context,
           const char *element,
           gpointer user_data,
           GError **error)
{
  ((Shape *) user_data)->depth--;
}

static void
shape_text (GMarkupParseContext *context,
            const char *text,
            gsize len,
            gpointer user_data,
            GError **error)
{
  Shape *shape = user_data;

  if (shape->depth == 0)
    for (gsize i = 0; i < len; i++)
      if (!g_ascii_isspace (text[i]))
        {
          g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED, "%s",
                       _ ("There is text outside the element."));
          return;
        }
}

gboolean
flint_stanza_log_validate (const char *text, GError **error)
{
  const GMarkupParser parser = { shape_start, shape_end, shape_text, NULL, NULL };
  Shape shape = { 0, 0 };
  g_autoptr (GMarkupParseContext) context = NULL;
  g_autoptr (GError) local = NULL;

  if (text == NULL || blank (text))
    {
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED, "%s",
                   _ ("There is nothing to send. Type one XML element, e.g. an <iq/>."));
      return FALSE;
    }
  context = g_markup_parse_context_new (&parser, 0, &shape, NULL);
  if (!g_markup_parse_context_parse (context, text, -1, &local) ||
      !g_markup_parse_context_end_parse (context, &local))
    {
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                   _ ("This is not well-formed XML, so it was not sent: %s"),
                   local ? local->message : "");
      return FALSE;
    }
  if (shape.roots != 1)
    {
      g_set_error (error, FLINT_ERROR, FLINT_ERROR_FAILED, "%s",
                   _ ("Type one XML element to send."));
      return FALSE;
    }
  return TRUE;
}

/* ---- the log ------------------------------------------------------------ */

static void
entry_free (FlintStanzaLogEntry *entry)
{
  g_free (entry->xml);
  g_free (entry->pretty);
  g_free (entry);
}

gboolean
flint_stanza_log_entry_matches (const FlintStanzaLogEntry *entry,
                                const char *text,
                                int direction,
                                int kind)
{
  if (direction >= 0 && entry->outgoing != (direction == 1))
    return FALSE;
  if (kind >= 0 && (int) entry->kind != kind)
    return FALSE;
  if (text && *text)
    {
      g_autofree char *haystack = g_utf8_casefold (entry->xml, -1);
      g_autofree char *needle = g_utf8_casefold (text, -1);

      return strstr (haystack, needle) != NULL;
    }
  return TRUE;
}

void
flint_stanza_log_add (FlintStanzaLog *self, gboolean outgoing, const char *xml)
{
  FlintStanzaLogEntry *entry;
  char *redacted;
  guint dropped = 0;

  g_return_if_fail (FLINT_IS_STANZA_LOG (self));
  g_return_if_fail (xml != NULL);

  /* The session redacts already; this covers anything else fed in. */
  redacted = flint_stanza_log_redact (xml);
  entry = g_new0 (FlintStanzaLogEntry, 1);
  entry->serial = ++self->next_serial;
  entry->time_us = g_get_real_time ();
  entry->outgoing = outgoing;
  entry->xml = redacted ? redacted : g_strdup (xml);
  entry->kind = flint_stanza_log_classify (entry->xml);
  entry->pretty = flint_stanza_log_pretty (entry->xml);
  while (self->entries.length >= self->max_entries)
    {
      entry_free (g_queue_pop_head (&self->entries));
      dropped++;
    }
  if (dropped)
    g_signal_emit (self, signals[SIGNAL_ENTRIES_DROPPED], 0, dropped);
  g_queue_push_tail (&self->entries, entry);
  g_signal_emit (self, signals[SIGNAL_ENTRY_ADDED], 0, entry);
}

static void
on_stanza_log (FlintSession *session, gboolean outgoing, const char *xml, gpointer data)
{
  flint_stanza_log_add (data, outgoing, xml);
}

void
flint_stanza_log_attach (FlintStanzaLog *self, FlintSession *session)
{
  g_return_if_fail (FLINT_IS_STANZA_LOG (self));

  if (self->session == session)
    return;
  flint_stanza_log_detach (self);
  if (session == NULL)
    return;
  self->session = g_object_ref (session);
  self->handler_id =
    g_signal_connect (session, "stanza-log", G_CALLBACK (on_stanza_log), self);
}

void
flint_stanza_log_detach (FlintStanzaLog *self)
{
  g_return_if_fail (FLINT_IS_STANZA_LOG (self));

  if (self->session)
    g_clear_signal_handler (&self->handler_id, self->session);
  g_clear_object (&self->session);
}

void
flint_stanza_log_clear (FlintStanzaLog *self)
{
  guint n = self->entries.length;

  g_queue_clear_full (&self->entries, (GDestroyNotify) entry_free);
  if (n)
    g_signal_emit (self, signals[SIGNAL_ENTRIES_DROPPED], 0, n);
}

guint
flint_stanza_log_get_n_entries (FlintStanzaLog *self)
{
  return self->entries.length;
}

const FlintStanzaLogEntry *
flint_stanza_log_get_entry (FlintStanzaLog *self, guint index)
{
  return g_queue_peek_nth (&self->entries, index);
}

static void
flint_stanza_log_dispose (GObject *object)
{
  flint_stanza_log_detach (FLINT_STANZA_LOG (object));
  G_OBJECT_CLASS (flint_stanza_log_parent_class)->dispose (object);
}

static void
flint_stanza_log_finalize (GObject *object)
{
  FlintStanzaLog *self = FLINT_STANZA_LOG (object);

  g_queue_clear_full (&self->entries, (GDestroyNotify) entry_free);
  G_OBJECT_CLASS (flint_stanza_log_parent_class)->finalize (object);
}

static void
flint_stanza_log_class_init (FlintStanzaLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_stanza_log_dispose;
  object_class->finalize = flint_stanza_log_finalize;
  signals[SIGNAL_ENTRY_ADDED] =
    g_signal_new ("entry-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_ENTRIES_DROPPED] =
    g_signal_new ("entries-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
flint_stanza_log_init (FlintStanzaLog *self)
{
  g_queue_init (&self->entries);
}

FlintStanzaLog *
flint_stanza_log_new (guint max_entries)
{
  FlintStanzaLog *self = g_object_new (FLINT_TYPE_STANZA_LOG, NULL);

  self->max_entries = MAX (max_entries, 1);
  return self;
}

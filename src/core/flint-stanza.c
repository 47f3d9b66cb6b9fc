#include "config.h"

#include "flint-stanza.h"

#define NS_DELAY "urn:xmpp:delay"

/* The text of a child element as a new UTF-8 string, or NULL when there is
 * no such child (or its text is not UTF-8: network input). ns may be NULL. */
char *
flint_stanza_child_text (xmpp_stanza_t *stanza, const char *name, const char *ns)
{
  xmpp_stanza_t *child;
  char *text, *copy = NULL;

  if (stanza == NULL)
    return NULL;
  child = ns ? xmpp_stanza_get_child_by_name_and_ns (stanza, name, ns)
             : xmpp_stanza_get_child_by_name (stanza, name);
  if (child == NULL)
    return NULL;
  text = xmpp_stanza_get_text (child);
  if (text && g_utf8_validate (text, -1, NULL))
    copy = g_strdup (text);
  if (text)
    xmpp_free (xmpp_stanza_get_context (stanza), text);
  return copy;
}

/* An XEP-0082 timestamp in microseconds since the epoch, or 0. */
gint64
flint_stanza_parse_stamp (const char *stamp)
{
  g_autoptr (GDateTime) when = NULL;

  if (stamp == NULL)
    return 0;
  when = g_date_time_new_from_iso8601 (stamp, NULL);
  if (when == NULL)
    return 0;
  return g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when);
}

/* The XEP-0203 delayed-delivery time of a stanza, or 0 when it has none. */
gint64
flint_stanza_get_delay (xmpp_stanza_t *stanza)
{
  xmpp_stanza_t *delay =
    stanza ? xmpp_stanza_get_child_by_name_and_ns (stanza, "delay", NS_DELAY) : NULL;

  return delay ? flint_stanza_parse_stamp (xmpp_stanza_get_attribute (delay, "stamp"))
               : 0;
}

xmpp_stanza_t *
flint_stanza_new (xmpp_ctx_t *ctx, const char *name, const char *ns)
{
  xmpp_stanza_t *element = xmpp_stanza_new (ctx);

  xmpp_stanza_set_name (element, name);
  if (ns)
    xmpp_stanza_set_ns (element, ns);
  return element;
}

/* Appends <name xmlns=ns>text</name> (text and ns may be NULL) and returns
 * it; the parent holds the only reference. */
xmpp_stanza_t *
flint_stanza_add_child (xmpp_stanza_t *parent,
                        const char *name,
                        const char *ns,
                        const char *text)
{
  xmpp_ctx_t *ctx = xmpp_stanza_get_context (parent);
  xmpp_stanza_t *element = flint_stanza_new (ctx, name, ns);

  if (text)
    {
      xmpp_stanza_t *node = xmpp_stanza_new (ctx);

      xmpp_stanza_set_text (node, text);
      xmpp_stanza_add_child_ex (element, node, 0);
    }
  xmpp_stanza_add_child_ex (parent, element, 0);
  return element;
}

/* @stanza serialized, g_free-able; NULL if libstrophe cannot. */
char *
flint_stanza_to_string (xmpp_stanza_t *stanza)
{
  char *buf = NULL;
  size_t len = 0;
  char *text;

  if (stanza == NULL || xmpp_stanza_to_text (stanza, &buf, &len) != XMPP_EOK ||
      buf == NULL)
    return NULL;
  text = g_strndup (buf, len);
  xmpp_free (xmpp_stanza_get_context (stanza), buf);
  return text;
}

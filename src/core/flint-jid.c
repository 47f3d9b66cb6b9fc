#include "config.h"

#include <string.h>

#include "flint-jid.h"

#define PART_MAX 1023

/* Splits without allocating: node may be empty, resource may be NULL. */
static gboolean
split (const char *jid,
       const char **node,
       gsize *node_len,
       const char **domain,
       gsize *domain_len,
       const char **resource)
{
  const char *slash, *at;

  if (jid == NULL || *jid == '\0' || !g_utf8_validate (jid, -1, NULL))
    return FALSE;

  slash = strchr (jid, '/');
  at = memchr (jid, '@', slash ? (gsize) (slash - jid) : strlen (jid));

  *node = at ? jid : NULL;
  *node_len = at ? (gsize) (at - jid) : 0;
  *domain = at ? at + 1 : jid;
  *domain_len = slash ? (gsize) (slash - *domain) : strlen (*domain);
  *resource = slash ? slash + 1 : NULL;
  return TRUE;
}

static gboolean
valid_part (const char *s, gsize len, const char *forbidden)
{
  const char *p;

  if (len == 0 || len > PART_MAX)
    return FALSE;
  for (p = s; p < s + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        return FALSE;
      if (c < 128 && forbidden && strchr (forbidden, (int) c))
        return FALSE;
    }
  return TRUE;
}

static gboolean
validate (const char *jid, gboolean allow_resource)
{
  const char *node, *domain, *resource;
  gsize node_len, domain_len;

  if (!split (jid, &node, &node_len, &domain, &domain_len, &resource))
    return FALSE;
  /* RFC 7622 3.3.1: these may not appear in a localpart. */
  if (node && !valid_part (node, node_len, "\"&'/:<>@"))
    return FALSE;
  if (!valid_part (domain, domain_len, "@/\"&'<>:") || domain[0] == '.' ||
      domain[domain_len - 1] == '.')
    {
      /* An IPv6 literal is the one place a colon is allowed. */
      if (!(domain[0] == '[' && domain[domain_len - 1] == ']'))
        return FALSE;
    }
  if (resource)
    {
      gsize rlen = strlen (resource);

      if (!allow_resource || rlen == 0 || rlen > PART_MAX)
        return FALSE;
      for (const char *p = resource; *p; p = g_utf8_next_char (p))
        if (g_unichar_iscntrl (g_utf8_get_char (p)))
          return FALSE;
    }
  return TRUE;
}

gboolean
flint_jid_is_valid (const char *jid)
{
  return validate (jid, TRUE);
}

gboolean
flint_jid_is_valid_bare (const char *jid)
{
  return validate (jid, FALSE);
}

char *
flint_jid_normalize (const char *jid)
{
  const char *node, *domain, *resource;
  gsize node_len, domain_len;
  g_autofree char *n = NULL;
  g_autofree char *d = NULL;

  if (!split (jid, &node, &node_len, &domain, &domain_len, &resource))
    return NULL;
  n = node ? g_utf8_casefold (node, node_len) : NULL;
  d = g_utf8_casefold (domain, domain_len);
  return g_strconcat (n ? n : "", n ? "@" : "", d, resource ? "/" : "",
                      resource ? resource : "", NULL);
}

char *
flint_jid_bare (const char *jid)
{
  const char *node, *domain, *resource;
  gsize node_len, domain_len;
  g_autofree char *full = NULL;
  char *slash;

  if (!split (jid, &node, &node_len, &domain, &domain_len, &resource))
    return NULL;
  full = flint_jid_normalize (jid);
  slash = strchr (full, '/');
  if (slash)
    *slash = '\0';
  return g_steal_pointer (&full);
}

char *
flint_jid_domain (const char *jid)
{
  const char *node, *domain, *resource;
  gsize node_len, domain_len;

  if (!split (jid, &node, &node_len, &domain, &domain_len, &resource))
    return NULL;
  return g_utf8_casefold (domain, domain_len);
}

char *
flint_jid_node (const char *jid)
{
  const char *node, *domain, *resource;
  gsize node_len, domain_len;

  if (!split (jid, &node, &node_len, &domain, &domain_len, &resource) || !node)
    return NULL;
  return g_utf8_casefold (node, node_len);
}

char *
flint_jid_resource (const char *jid)
{
  const char *node, *domain, *resource;
  gsize node_len, domain_len;

  if (!split (jid, &node, &node_len, &domain, &domain_len, &resource) || !resource)
    return NULL;
  return g_strdup (resource);
}

gboolean
flint_jid_equal_bare (const char *a, const char *b)
{
  g_autofree char *ba = flint_jid_bare (a);
  g_autofree char *bb = flint_jid_bare (b);

  return ba && bb && g_str_equal (ba, bb);
}

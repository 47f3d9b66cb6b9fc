/* FlintDisco: XEP-0030 disco#info about us and XEP-0115 entity caps.
 *
 * Our side: a sorted feature list and one identity (client/pc "Flint");
 * the disco#info answer and the caps ver hash are both made from the same
 * <query/>, so they cannot disagree. Their side: each peer's presence names
 * a ver; a ver we know (memory, then the on-disk cache) resolves at once,
 * an unknown one is asked of that full JID once, and is cached only when
 * the answer hashes to the ver it claims (XEP-0115 §5.4), since others
 * will trust the cache for the same ver. */
#include "config.h"

#define G_LOG_DOMAIN "flint-disco"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "flint-disco.h"
#include "flint-jid.h"

#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_CAPS "http://jabber.org/protocol/caps"
#define NS_DATA "jabber:x:data"
/* A base64 SHA-1: 20 bytes make 28 characters with one '=' of padding. */
#define SHA1_VER_LENGTH 28
/* Bounds what one misbehaving peer can make us hash or store. */
#define MAX_INFO_CHILDREN 1000
#define MAX_NODE_LENGTH 1024

static const char *const default_features[] = {
  "http://jabber.org/protocol/bytestreams",
  "http://jabber.org/protocol/caps",
  "http://jabber.org/protocol/chatstates",
  "http://jabber.org/protocol/disco#info",
  "http://jabber.org/protocol/ibb",
  "http://jabber.org/protocol/si",
  "http://jabber.org/protocol/si/profile/file-transfer",
  "jabber:iq:version",
  "urn:xmpp:carbons:2",
  "urn:xmpp:message-correct:0",
  "urn:xmpp:ping",
  "urn:xmpp:receipts",
  "urn:xmpp:sid:0",
  /* XEP-0084 avatars as PEP notifications (FlintAvatars). */
  "urn:xmpp:avatar:metadata+notify",
};

typedef struct
{
  char *ver;
  char *node;           /* the peer's caps node, for the node#ver query */
  GHashTable *features; /* set of feature strings; NULL while unknown */
  gboolean queried;     /* asked once for this ver; never again */
} PeerCaps;

struct _FlintDisco
{
  GObject parent_instance;

  FlintSession *session;
  guint iq_handler;
  guint presence_handler;

  GPtrArray *features; /* sorted, NULL-terminated */
  char *ver;

  GHashTable *caps;      /* ver -> feature set (verified) */
  GHashTable *peers;     /* normalized full JID -> PeerCaps */
  GHashTable *in_flight; /* ver -> the full JID being asked */
  char *cache_dir;
};

G_DEFINE_FINAL_TYPE (FlintDisco, flint_disco, G_TYPE_OBJECT)

enum
{
  SIGNAL_PEER_FEATURES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- the XEP-0115 §5.1 hash --------------------------------------------- */

typedef struct
{
  const char *category;
  const char *type;
  const char *lang;
  const char *name;
} Identity;

static int
compare_identity (gconstpointer a, gconstpointer b)
{
  const Identity *x = *(Identity *const *) a;
  const Identity *y = *(Identity *const *) b;
  int c;

  /* By field, not by the joined string: "a-b" sorts after "a" here but
   * "a-b/" before "a/" as a string. */
  if ((c = strcmp (x->category, y->category)) != 0)
    return c;
  if ((c = strcmp (x->type, y->type)) != 0)
    return c;
  if ((c = strcmp (x->lang, y->lang)) != 0)
    return c;
  return strcmp (x->name, y->name);
}

static int
compare_string (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static const char *
attr_or_empty (xmpp_stanza_t *stanza, const char *name)
{
  const char *value = xmpp_stanza_get_attribute (stanza, name);

  return value ? value : "";
}

static gboolean
is_element (xmpp_stanza_t *stanza, const char *name, const char *ns)
{
  return xmpp_stanza_is_tag (stanza) &&
         g_strcmp0 (xmpp_stanza_get_name (stanza), name) == 0 &&
         (ns == NULL || g_strcmp0 (xmpp_stanza_get_ns (stanza), ns) == 0);
}

static char *
stanza_text (xmpp_stanza_t *stanza)
{
  char *text = xmpp_stanza_get_text (stanza);
  char *copy = g_strdup (text ? text : "");

  if (text)
    xmpp_free (xmpp_stanza_get_context (stanza), text);
  return copy;
}

/* Sorted duplicates are neighbours. */
static gboolean
has_duplicates (GPtrArray *sorted, GCompareFunc compare)
{
  for (guint i = 1; i < sorted->len; i++)
    if (compare (&sorted->pdata[i - 1], &sorted->pdata[i]) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  char *form_type;
  GString *text; /* this form's part of S */
} Form;

static void
form_free (Form *form)
{
  g_free (form->form_type);
  g_string_free (form->text, TRUE);
  g_free (form);
}

static int
compare_form (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Form *const *) a)->form_type, (*(Form *const *) b)->form_type);
}

typedef struct
{
  const char *var;
  GPtrArray *values;
} Field;

static void
field_free (Field *field)
{
  g_ptr_array_unref (field->values);
  g_free (field);
}

static int
compare_field (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Field *const *) a)->var, (*(Field *const *) b)->var);
}

/* One extended-information form (XEP-0128) as §5.1 step 6 writes it.
 * Returns FALSE when the whole answer is ill-formed; *out is NULL when the
 * form is only to be skipped (no FORM_TYPE, or one not hidden). */
static gboolean
parse_form (xmpp_stanza_t *x, Form **out)
{
  g_autoptr (GPtrArray) fields =
    g_ptr_array_new_with_free_func ((GDestroyNotify) field_free);
  g_autofree char *form_type = NULL;
  gboolean hidden = FALSE;
  Form *form;

  *out = NULL;
  for (xmpp_stanza_t *f = xmpp_stanza_get_children (x); f; f = xmpp_stanza_get_next (f))
    {
      const char *var;
      Field *field;

      if (!is_element (f, "field", NULL) ||
          (var = xmpp_stanza_get_attribute (f, "var")) == NULL)
        continue;
      field = g_new0 (Field, 1);
      field->var = var;
      field->values = g_ptr_array_new_with_free_func (g_free);
      for (xmpp_stanza_t *v = xmpp_stanza_get_children (f); v;
           v = xmpp_stanza_get_next (v))
        if (is_element (v, "value", NULL) && field->values->len < MAX_INFO_CHILDREN)
          g_ptr_array_add (field->values, stanza_text (v));

      if (g_str_equal (var, "FORM_TYPE"))
        {
          if (form_type != NULL || field->values->len == 0)
            {
              field_free (field);
              return FALSE;
            }
          for (guint i = 1; i < field->values->len; i++)
            if (strcmp (field->values->pdata[0], field->values->pdata[i]) != 0)
              {
                field_free (field);
                return FALSE;
              }
          form_type = g_strdup (field->values->pdata[0]);
          hidden = g_strcmp0 (xmpp_stanza_get_attribute (f, "type"), "hidden") == 0;
          field_free (field);
          continue;
        }
      g_ptr_array_add (fields, field);
    }

  if (form_type == NULL || !hidden)
    return TRUE;

  g_ptr_array_sort (fields, compare_field);
  form = g_new0 (Form, 1);
  form->text = g_string_new (form_type);
  g_string_append_c (form->text, '<');
  for (guint i = 0; i < fields->len; i++)
    {
      Field *field = fields->pdata[i];

      g_string_append (form->text, field->var);
      g_string_append_c (form->text, '<');
      g_ptr_array_sort (field->values, compare_string);
      for (guint j = 0; j < field->values->len; j++)
        {
          g_string_append (form->text, field->values->pdata[j]);
          g_string_append_c (form->text, '<');
        }
    }
  form->form_type = g_steal_pointer (&form_type);
  *out = form;
  return TRUE;
}

char *
flint_disco_hash_query (xmpp_stanza_t *query, GPtrArray **out_features)
{
  g_autoptr (GPtrArray) identities = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) features = g_ptr_array_new ();
  g_autoptr (GPtrArray) forms =
    g_ptr_array_new_with_free_func ((GDestroyNotify) form_free);
  g_autoptr (GString) s = g_string_new (NULL);
  g_autoptr (GChecksum) sha1 = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  guint n_children = 0;

  if (out_features)
    *out_features = NULL;
  if (query == NULL || !is_element (query, "query", NS_DISCO_INFO))
    return NULL;

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (query); c;
       c = xmpp_stanza_get_next (c))
    {
      if (!xmpp_stanza_is_tag (c))
        continue;
      if (++n_children > MAX_INFO_CHILDREN)
        return NULL;
      if (is_element (c, "identity", NULL))
        {
          Identity *identity = g_new0 (Identity, 1);
          const char *lang = xmpp_stanza_get_attribute (c, "xml:lang");

          /* libstrophe drops the xml: prefix of xml:lang. */
          identity->lang = lang ? lang : attr_or_empty (c, "lang");
          identity->category = xmpp_stanza_get_attribute (c, "category");
          identity->type = xmpp_stanza_get_attribute (c, "type");
          identity->name = attr_or_empty (c, "name");
          g_ptr_array_add (identities, identity);
          if (identity->category == NULL || identity->type == NULL)
            return NULL;
        }
      else if (is_element (c, "feature", NULL))
        {
          const char *var = xmpp_stanza_get_attribute (c, "var");

          if (var == NULL)
            return NULL;
          g_ptr_array_add (features, (gpointer) var);
        }
      else if (is_element (c, "x", NS_DATA))
        {
          Form *form = NULL;

          if (!parse_form (c, &form))
            return NULL;
          if (form)
            g_ptr_array_add (forms, form);
        }
    }

  g_ptr_array_sort (identities, compare_identity);
  g_ptr_array_sort (features, compare_string);
  g_ptr_array_sort (forms, compare_form);
  if (has_duplicates (identities, compare_identity) ||
      has_duplicates (features, compare_string) || has_duplicates (forms, compare_form))
    return NULL;

  for (guint i = 0; i < identities->len; i++)
    {
      Identity *identity = identities->pdata[i];

      g_string_append_printf (s, "%s/%s/%s/%s<", identity->category, identity->type,
                              identity->lang, identity->name);
    }
  for (guint i = 0; i < features->len; i++)
    {
      g_string_append (s, features->pdata[i]);
      g_string_append_c (s, '<');
    }
  for (guint i = 0; i < forms->len; i++)
    g_string_append_len (s, ((Form *) forms->pdata[i])->text->str,
                         (gssize) ((Form *) forms->pdata[i])->text->len);

  sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (sha1, (const guchar *) s->str, (gssize) s->len);
  g_checksum_get_digest (sha1, digest, &digest_len);

  if (out_features)
    {
      *out_features = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < features->len; i++)
        g_ptr_array_add (*out_features, g_strdup (features->pdata[i]));
    }
  return g_base64_encode (digest, digest_len);
}

/* ---- our own information ------------------------------------------------ */

static xmpp_stanza_t *
build_info_query (FlintDisco *self, const char *node)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *query = xmpp_stanza_new (ctx);
  xmpp_stanza_t *identity = xmpp_stanza_new (ctx);

  xmpp_stanza_set_name (query, "query");
  xmpp_stanza_set_ns (query, NS_DISCO_INFO);
  if (node)
    xmpp_stanza_set_attribute (query, "node", node);

  xmpp_stanza_set_name (identity, "identity");
  xmpp_stanza_set_attribute (identity, "category", "client");
  xmpp_stanza_set_attribute (identity, "type", "pc");
  xmpp_stanza_set_attribute (identity, "name", "Flint");
  xmpp_stanza_add_child_ex (query, identity, 0);

  for (guint i = 0; i < self->features->len; i++)
    {
      xmpp_stanza_t *feature = xmpp_stanza_new (ctx);

      xmpp_stanza_set_name (feature, "feature");
      xmpp_stanza_set_attribute (feature, "var", self->features->pdata[i]);
      xmpp_stanza_add_child_ex (query, feature, 0);
    }
  return query;
}

static GHashTable *
feature_set_new (GPtrArray *features)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; features && i < features->len; i++)
    g_hash_table_add (set, g_strdup (features->pdata[i]));
  return set;
}

/* Recomputes the ver and hands the session the <c/> for its presence
 * (which it sends again at once when online: caps changed, XEP-0115 §4). */
static void
update_caps (FlintDisco *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *query = build_info_query (self, NULL);
  g_autoptr (GPtrArray) features = NULL;
  xmpp_stanza_t *c;

  g_free (self->ver);
  self->ver = flint_disco_hash_query (query, &features);
  xmpp_stanza_release (query);
  g_return_if_fail (self->ver != NULL);

  /* Our own presence comes back to us: know our ver without asking. */
  g_hash_table_replace (self->caps, g_strdup (self->ver), feature_set_new (features));

  c = xmpp_stanza_new (ctx);
  xmpp_stanza_set_name (c, "c");
  xmpp_stanza_set_ns (c, NS_CAPS);
  xmpp_stanza_set_attribute (c, "hash", "sha-1");
  xmpp_stanza_set_attribute (c, "node", FLINT_DISCO_NODE);
  xmpp_stanza_set_attribute (c, "ver", self->ver);
  flint_session_set_presence_extension (self->session, c);
  xmpp_stanza_release (c);
}

void
flint_disco_add_feature (FlintDisco *self, const char *feature)
{
  guint lo = 0, hi;

  g_return_if_fail (FLINT_IS_DISCO (self));
  g_return_if_fail (feature != NULL && g_utf8_validate (feature, -1, NULL));

  hi = self->features->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      int c = strcmp (self->features->pdata[mid], feature);

      if (c == 0)
        return;
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_ptr_array_insert (self->features, (gint) lo, g_strdup (feature));
  update_caps (self);
}

const char *const *
flint_disco_get_features (FlintDisco *self)
{
  g_return_val_if_fail (FLINT_IS_DISCO (self), NULL);
  return (const char *const *) self->features->pdata;
}

const char *
flint_disco_get_ver (FlintDisco *self)
{
  g_return_val_if_fail (FLINT_IS_DISCO (self), NULL);
  return self->ver;
}

static gboolean
on_disco_info (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintDisco *self = user_data;
  xmpp_stanza_t *request =
    xmpp_stanza_get_child_by_name_and_ns (stanza, "query", NS_DISCO_INFO);
  const char *node = request ? xmpp_stanza_get_attribute (request, "node") : NULL;
  g_autofree char *our_node = g_strdup_printf ("%s#%s", FLINT_DISCO_NODE, self->ver);
  xmpp_stanza_t *reply;

  if (request == NULL)
    return FALSE;
  if (node && !g_str_equal (node, our_node))
    reply = flint_session_make_reply (flint_session_get_context (self->session), stanza,
                                      "cancel", "item-not-found");
  else
    {
      xmpp_stanza_t *query = build_info_query (self, node);

      reply = flint_session_make_reply (flint_session_get_context (self->session), stanza,
                                        NULL, NULL);
      xmpp_stanza_add_child_ex (reply, query, 0);
    }
  flint_session_send (self->session, reply);
  xmpp_stanza_release (reply);
  return TRUE;
}

/* ---- the on-disk cache -------------------------------------------------- */

/* base64 uses '/', which a file name cannot hold. */
static char *
cache_path (FlintDisco *self, const char *ver)
{
  g_autofree char *name = g_strdup (ver);

  g_strdelimit (name, "/", '_');
  g_strdelimit (name, "+", '-');
  return g_build_filename (self->cache_dir, name, NULL);
}

static GHashTable *
cache_load (FlintDisco *self, const char *ver)
{
  g_autofree char *path = cache_path (self, ver);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GHashTable *set;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_debug ("Ignoring the unreadable caps cache file %s", path);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", MAX_INFO_CHILDREN);
  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      g_hash_table_add (set, g_strdup (lines[i]));
  return set;
}

static void
cache_store (FlintDisco *self, const char *ver, GPtrArray *features)
{
  g_autofree char *path = cache_path (self, ver);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < features->len; i++)
    {
      /* A feature with a newline cannot round-trip; it is not a real one. */
      if (strchr (features->pdata[i], '\n'))
        continue;
      g_string_append (text, features->pdata[i]);
      g_string_append_c (text, '\n');
    }
  if (g_mkdir_with_parents (self->cache_dir, 0700) != 0 ||
      !g_file_set_contents (path, text->str, (gssize) text->len, &error))
    g_debug ("Could not cache caps %s: %s", ver,
             error ? error->message : g_strerror (errno));
}

/* ---- peers -------------------------------------------------------------- */

static void
peer_caps_free (PeerCaps *peer)
{
  g_free (peer->ver);
  g_free (peer->node);
  g_clear_pointer (&peer->features, g_hash_table_unref);
  g_free (peer);
}

static GHashTable *
lookup_caps (FlintDisco *self, const char *ver)
{
  GHashTable *set = g_hash_table_lookup (self->caps, ver);

  if (set == NULL && (set = cache_load (self, ver)) != NULL)
    g_hash_table_insert (self->caps, g_strdup (ver), set);
  return set;
}

static void
forget_peer (FlintDisco *self, const char *key)
{
  PeerCaps *peer = g_hash_table_lookup (self->peers, key);
  gboolean had_features = peer && peer->features;

  if (peer == NULL)
    return;
  g_hash_table_remove (self->peers, key);
  if (had_features)
    g_signal_emit (self, signals[SIGNAL_PEER_FEATURES_CHANGED], 0, key);
}

typedef struct
{
  GWeakRef disco;
  char *jid;
  char *ver;
} InfoQuery;

static void
info_query_free (InfoQuery *query)
{
  g_weak_ref_clear (&query->disco);
  g_free (query->jid);
  g_free (query->ver);
  g_free (query);
}

static void query_ver (FlintDisco *self, const char *ver);

/* Every peer waiting for @ver learns it; returns them for the signal. */
static GPtrArray *
resolve_ver (FlintDisco *self, const char *ver, GHashTable *set)
{
  GPtrArray *resolved = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *key;
  PeerCaps *peer;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &peer))
    if (peer->features == NULL && g_str_equal (peer->ver, ver))
      {
        peer->features = g_hash_table_ref (set);
        g_ptr_array_add (resolved, g_strdup (key));
      }
  return resolved;
}

static void
on_info_reply (FlintSession *session,
               xmpp_stanza_t *result,
               const GError *error,
               gpointer user_data)
{
  InfoQuery *query = user_data;
  g_autoptr (FlintDisco) self = g_weak_ref_get (&query->disco);
  g_autoptr (GPtrArray) features = NULL;
  g_autoptr (GPtrArray) resolved = NULL;
  g_autofree char *hash = NULL;
  xmpp_stanza_t *info;

  if (self == NULL)
    {
      info_query_free (query);
      return;
    }
  g_hash_table_remove (self->in_flight, query->ver);

  info = result && error == NULL
           ? xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_INFO)
           : NULL;
  hash = info ? flint_disco_hash_query (info, &features) : NULL;

  if (hash && g_str_equal (hash, query->ver))
    {
      GHashTable *set = feature_set_new (features);

      g_hash_table_replace (self->caps, g_strdup (query->ver), set);
      cache_store (self, query->ver, features);
      resolved = resolve_ver (self, query->ver, set);
    }
  else
    {
      PeerCaps *peer = g_hash_table_lookup (self->peers, query->jid);

      g_debug ("Caps %s of %s: %s", query->ver, query->jid,
               error  ? error->message
               : hash ? "the answer does not match its hash"
                      : "malformed answer");
      /* An answer that does not match may still describe this one peer,
       * but never goes into the cache other peers trust. */
      resolved = g_ptr_array_new_with_free_func (g_free);
      if (features && peer && peer->features == NULL &&
          g_str_equal (peer->ver, query->ver))
        {
          peer->features = feature_set_new (features);
          g_ptr_array_add (resolved, g_strdup (query->jid));
        }
      /* Someone else with the same ver may answer truthfully. */
      query_ver (self, query->ver);
    }

  for (guint i = 0; i < resolved->len; i++)
    g_signal_emit (self, signals[SIGNAL_PEER_FEATURES_CHANGED], 0, resolved->pdata[i]);
  info_query_free (query);
}

/* Asks one peer that advertises @ver and was not asked yet. */
static void
query_ver (FlintDisco *self, const char *ver)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  GHashTableIter iter;
  const char *key;
  PeerCaps *peer;
  InfoQuery *query;
  xmpp_stanza_t *iq, *q;
  g_autofree char *id = NULL;
  gboolean found = FALSE;

  if (g_hash_table_contains (self->in_flight, ver) ||
      flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &peer))
    if (peer->features == NULL && !peer->queried && g_str_equal (peer->ver, ver))
      {
        found = TRUE;
        break;
      }
  if (!found)
    return;

  peer->queried = TRUE;
  g_hash_table_insert (self->in_flight, g_strdup (ver), g_strdup (key));

  query = g_new0 (InfoQuery, 1);
  g_weak_ref_init (&query->disco, self);
  query->jid = g_strdup (key);
  query->ver = g_strdup (ver);

  id = flint_session_new_id (self->session);
  iq = xmpp_iq_new (ctx, "get", id);
  xmpp_stanza_set_to (iq, key);
  q = xmpp_stanza_new (ctx);
  xmpp_stanza_set_name (q, "query");
  xmpp_stanza_set_ns (q, NS_DISCO_INFO);
  if (peer->node)
    {
      /* XEP-0115 §6.2: some clients answer only about node#ver. */
      g_autofree char *node = g_strdup_printf ("%s#%s", peer->node, ver);
      xmpp_stanza_set_attribute (q, "node", node);
    }
  xmpp_stanza_add_child_ex (iq, q, 0);
  g_debug ("Asking %s for caps %s", key, ver);
  flint_session_send_iq (self->session, iq, on_info_reply, query);
  xmpp_stanza_release (iq);
}

static gboolean
valid_sha1_ver (const char *ver)
{
  if (ver == NULL || strlen (ver) != SHA1_VER_LENGTH || ver[SHA1_VER_LENGTH - 1] != '=')
    return FALSE;
  for (guint i = 0; i < SHA1_VER_LENGTH - 1; i++)
    if (!g_ascii_isalnum (ver[i]) && ver[i] != '+' && ver[i] != '/')
      return FALSE;
  return TRUE;
}

static gboolean
on_presence (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintDisco *self = user_data;
  const char *from = xmpp_stanza_get_from (stanza);
  const char *type = xmpp_stanza_get_type (stanza);
  g_autofree char *key = NULL;
  xmpp_stanza_t *c;
  const char *ver = NULL;
  const char *node = NULL;
  PeerCaps *peer;
  GHashTable *set;

  if (from == NULL || !flint_jid_is_valid (from) ||
      (key = flint_jid_normalize (from)) == NULL)
    return FALSE;
  if (type && !g_str_equal (type, "unavailable"))
    return FALSE; /* subscriptions and errors say nothing about features */

  c = type ? NULL : xmpp_stanza_get_child_by_name_and_ns (stanza, "c", NS_CAPS);
  if (c && g_strcmp0 (xmpp_stanza_get_attribute (c, "hash"), "sha-1") == 0)
    {
      ver = xmpp_stanza_get_attribute (c, "ver");
      node = xmpp_stanza_get_attribute (c, "node");
    }
  /* Legacy caps (no hash) and other hash functions are not trusted. */
  if (!valid_sha1_ver (ver))
    {
      forget_peer (self, key);
      return FALSE;
    }

  peer = g_hash_table_lookup (self->peers, key);
  if (peer && g_str_equal (peer->ver, ver))
    return FALSE;
  forget_peer (self, key);

  peer = g_new0 (PeerCaps, 1);
  peer->ver = g_strdup (ver);
  if (node && strlen (node) <= MAX_NODE_LENGTH)
    peer->node = g_strdup (node);
  g_hash_table_insert (self->peers, g_strdup (key), peer);
  if ((set = lookup_caps (self, ver)) != NULL)
    {
      peer->features = g_hash_table_ref (set);
      g_signal_emit (self, signals[SIGNAL_PEER_FEATURES_CHANGED], 0, key);
    }
  else
    query_ver (self, ver);
  return FALSE;
}

/* A new session starts with no presence known: everyone will send theirs
 * again, and only then do their features count. */
static void
on_online (FlintSession *session, gboolean resumed, FlintDisco *self)
{
  if (!resumed)
    {
      g_hash_table_remove_all (self->peers);
      g_hash_table_remove_all (self->in_flight);
    }
}

static PeerCaps *
find_peer (FlintDisco *self, const char *full_jid)
{
  g_autofree char *key = flint_jid_normalize (full_jid);

  return key ? g_hash_table_lookup (self->peers, key) : NULL;
}

/* A full JID asks about that resource; a bare JID about any of them. */
gboolean
flint_disco_peer_supports (FlintDisco *self, const char *jid, const char *feature)
{
  g_autofree char *resource = NULL;
  GHashTableIter iter;
  const char *key;
  PeerCaps *peer;

  g_return_val_if_fail (FLINT_IS_DISCO (self), FALSE);
  g_return_val_if_fail (feature != NULL, FALSE);

  if (jid == NULL || !flint_jid_is_valid (jid))
    return FALSE;
  resource = flint_jid_resource (jid);
  if (resource)
    {
      peer = find_peer (self, jid);
      return peer && peer->features && g_hash_table_contains (peer->features, feature);
    }
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &peer))
    if (peer->features && flint_jid_equal_bare (key, jid) &&
        g_hash_table_contains (peer->features, feature))
      return TRUE;
  return FALSE;
}

/* Returns: (transfer full) (nullable): the sorted features of @full_jid,
 * NULL while unknown */
char **
flint_disco_get_peer_features (FlintDisco *self, const char *full_jid)
{
  PeerCaps *peer;
  guint n = 0;
  char **features;

  g_return_val_if_fail (FLINT_IS_DISCO (self), NULL);

  peer = full_jid ? find_peer (self, full_jid) : NULL;
  if (peer == NULL || peer->features == NULL)
    return NULL;
  features = (char **) g_hash_table_get_keys_as_array (peer->features, &n);
  for (guint i = 0; i < n; i++)
    features[i] = g_strdup (features[i]);
  qsort (features, n, sizeof (char *), compare_string);
  return features;
}

/* ---- object ------------------------------------------------------------- */

static void
flint_disco_dispose (GObject *object)
{
  FlintDisco *self = FLINT_DISCO (object);

  if (self->session)
    {
      flint_session_remove_handler (self->session, self->iq_handler);
      flint_session_remove_handler (self->session, self->presence_handler);
      g_signal_handlers_disconnect_by_data (self->session, self);
      flint_session_remove_presence_extension (self->session, "c", NS_CAPS);
    }
  g_clear_object (&self->session);
  G_OBJECT_CLASS (flint_disco_parent_class)->dispose (object);
}

static void
flint_disco_finalize (GObject *object)
{
  FlintDisco *self = FLINT_DISCO (object);

  g_ptr_array_unref (self->features);
  g_hash_table_unref (self->caps);
  g_hash_table_unref (self->peers);
  g_hash_table_unref (self->in_flight);
  g_free (self->ver);
  g_free (self->cache_dir);
  G_OBJECT_CLASS (flint_disco_parent_class)->finalize (object);
}

static void
flint_disco_class_init (FlintDiscoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_disco_dispose;
  object_class->finalize = flint_disco_finalize;

  /* What a full JID supports became known, or is no longer (it went
   * offline or changed its caps). */
  signals[SIGNAL_PEER_FEATURES_CHANGED] =
    g_signal_new ("peer-features-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
flint_disco_init (FlintDisco *self)
{
  self->features =
    g_ptr_array_new_null_terminated (G_N_ELEMENTS (default_features), g_free, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (default_features); i++)
    g_ptr_array_add (self->features, g_strdup (default_features[i]));
  g_ptr_array_sort (self->features, compare_string);
  self->caps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_hash_table_unref);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) peer_caps_free);
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cache_dir = g_build_filename (g_get_user_cache_dir (), "flint", "caps", NULL);
}

FlintDisco *
flint_disco_new (FlintSession *session)
{
  FlintDisco *self;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);

  self = g_object_new (FLINT_TYPE_DISCO, NULL);
  self->session = g_object_ref (session);
  self->iq_handler = flint_session_add_handler (session, "iq", NS_DISCO_INFO, "get",
                                                on_disco_info, self, NULL);
  self->presence_handler =
    flint_session_add_handler (session, "presence", NULL, NULL, on_presence, self, NULL);
  g_signal_connect (session, "online", G_CALLBACK (on_online), self);
  update_caps (self);
  return self;
}

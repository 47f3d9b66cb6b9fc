/* FlintDiscoItem: a node of the service-discovery browser's tree (XEP-0030),
 * asked about only when someone looks. */
#include "config.h"

#define G_LOG_DOMAIN "flint-disco-item"

#include <glib/gi18n-lib.h>

#include "flint-disco-item.h"
#include "flint-stanza.h"

#define NS_INFO "http://jabber.org/protocol/disco#info"
#define NS_ITEMS "http://jabber.org/protocol/disco#items"
/* A hostile or broken server cannot make the tree grow without end. */
#define MAX_ITEMS 5000

struct _FlintDiscoItem
{
  GObject parent_instance;

  FlintSession *session;
  char *jid;
  char *node;
  char *name;

  FlintDiscoLoadState info_state;
  GPtrArray *identities;
  GStrv features;
  char *error;

  GListStore *children;
  FlintDiscoLoadState children_state;
  GListStore *commands;
  FlintDiscoLoadState commands_state;
};

G_DEFINE_FINAL_TYPE (FlintDiscoItem, flint_disco_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_INFO_STATE,
  PROP_CHILDREN_STATE,
  PROP_COMMANDS_STATE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
identity_free (FlintDiscoIdentity *identity)
{
  g_free (identity->category);
  g_free (identity->type);
  g_free (identity->name);
  g_free (identity);
}

static char *
utf8_attribute (xmpp_stanza_t *stanza, const char *name)
{
  const char *value = xmpp_stanza_get_attribute (stanza, name);

  return value && g_utf8_validate (value, -1, NULL) ? g_strdup (value) : NULL;
}

/* IQ callbacks hold the item weakly: a closed browser frees its tree. */
static GWeakRef *
weak_new (FlintDiscoItem *self)
{
  GWeakRef *ref = g_new (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  return ref;
}

static FlintDiscoItem *
weak_take (GWeakRef *ref)
{
  FlintDiscoItem *self = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  return self;
}

static void
set_error (FlintDiscoItem *self, const GError *error)
{
  g_free (self->error);
  self->error = g_strdup (error ? error->message
                                : _ ("The service did not answer. Try again later."));
}

static xmpp_stanza_t *
new_query (FlintDiscoItem *self, const char *ns, const char *node)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", NULL);
  xmpp_stanza_t *query = flint_stanza_new (ctx, "query", ns);
  g_autofree char *id = flint_session_new_id (self->session);

  xmpp_stanza_set_id (iq, id);
  xmpp_stanza_set_to (iq, self->jid);
  if (node)
    xmpp_stanza_set_attribute (query, "node", node);
  xmpp_stanza_add_child (iq, query);
  xmpp_stanza_release (query);
  return iq;
}

static void
on_info (FlintSession *session, xmpp_stanza_t *result, const GError *error, gpointer data)
{
  g_autoptr (FlintDiscoItem) self = weak_take (data);
  xmpp_stanza_t *query;
  g_autoptr (GPtrArray) features = NULL;

  if (self == NULL)
    return;
  query = result && error == NULL
            ? xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_INFO)
            : NULL;
  if (query == NULL)
    {
      set_error (self, error);
      self->info_state = FLINT_DISCO_LOAD_FAILED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INFO_STATE]);
      return;
    }
  features = g_ptr_array_new ();
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (query); c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_get_name (c);

      if (!xmpp_stanza_is_tag (c) || name == NULL)
        continue;
      if (g_str_equal (name, "identity") && self->identities->len < MAX_ITEMS)
        {
          FlintDiscoIdentity *identity = g_new0 (FlintDiscoIdentity, 1);

          identity->category = utf8_attribute (c, "category");
          identity->type = utf8_attribute (c, "type");
          identity->name = utf8_attribute (c, "name");
          g_ptr_array_add (self->identities, identity);
        }
      else if (g_str_equal (name, "feature") && features->len < MAX_ITEMS)
        {
          char *var = utf8_attribute (c, "var");

          if (var)
            g_ptr_array_add (features, var);
        }
    }
  g_ptr_array_add (features, NULL);
  g_strfreev (self->features);
  self->features = (GStrv) g_ptr_array_free (g_steal_pointer (&features), FALSE);
  self->info_state = FLINT_DISCO_LOAD_LOADED;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INFO_STATE]);
}

void
flint_disco_item_load_info (FlintDiscoItem *self)
{
  xmpp_stanza_t *iq;

  g_return_if_fail (FLINT_IS_DISCO_ITEM (self));

  if (self->info_state == FLINT_DISCO_LOAD_LOADING ||
      self->info_state == FLINT_DISCO_LOAD_LOADED)
    return;
  self->info_state = FLINT_DISCO_LOAD_LOADING;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INFO_STATE]);
  iq = new_query (self, NS_INFO, self->node);
  flint_session_send_iq (self->session, iq, on_info, weak_new (self));
  xmpp_stanza_release (iq);
}

typedef struct
{
  GWeakRef *ref;
  gboolean commands;
} ItemsRequest;

static void
on_items (FlintSession *session,
          xmpp_stanza_t *result,
          const GError *error,
          gpointer data)
{
  ItemsRequest *request = data;
  g_autoptr (FlintDiscoItem) self = weak_take (request->ref);
  gboolean commands = request->commands;
  GListStore *store;
  xmpp_stanza_t *query;
  g_autoptr (GPtrArray) found = NULL;

  g_free (request);
  if (self == NULL)
    return;
  store = commands ? self->commands : self->children;
  query = result && error == NULL
            ? xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_ITEMS)
            : NULL;
  if (query)
    {
      found = g_ptr_array_new_with_free_func (g_object_unref);
      for (xmpp_stanza_t *c = xmpp_stanza_get_children (query);
           c && found->len < MAX_ITEMS; c = xmpp_stanza_get_next (c))
        {
          g_autofree char *jid = NULL, *node = NULL, *name = NULL;

          if (!xmpp_stanza_is_tag (c) ||
              g_strcmp0 (xmpp_stanza_get_name (c), "item") != 0)
            continue;
          jid = utf8_attribute (c, "jid");
          node = utf8_attribute (c, "node");
          name = utf8_attribute (c, "name");
          if (jid == NULL)
            continue;
          g_ptr_array_add (found, flint_disco_item_new (self->session, jid, node, name));
        }
      g_list_store_splice (store, 0, 0, found->pdata, found->len);
    }
  else
    set_error (self, error);
  if (commands)
    {
      self->commands_state = query ? FLINT_DISCO_LOAD_LOADED : FLINT_DISCO_LOAD_FAILED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMMANDS_STATE]);
    }
  else
    {
      self->children_state = query ? FLINT_DISCO_LOAD_LOADED : FLINT_DISCO_LOAD_FAILED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHILDREN_STATE]);
    }
}

static void
load_items (FlintDiscoItem *self, gboolean commands)
{
  ItemsRequest *request = g_new0 (ItemsRequest, 1);
  xmpp_stanza_t *iq;

  request->ref = weak_new (self);
  request->commands = commands;
  iq = new_query (self, NS_ITEMS, commands ? FLINT_NS_COMMANDS : self->node);
  flint_session_send_iq (self->session, iq, on_items, request);
  xmpp_stanza_release (iq);
}

GListModel *
flint_disco_item_get_children (FlintDiscoItem *self)
{
  g_return_val_if_fail (FLINT_IS_DISCO_ITEM (self), NULL);

  return G_LIST_MODEL (self->children);
}

void
flint_disco_item_load_children (FlintDiscoItem *self)
{
  g_return_if_fail (FLINT_IS_DISCO_ITEM (self));

  if (self->children_state == FLINT_DISCO_LOAD_NONE ||
      self->children_state == FLINT_DISCO_LOAD_FAILED)
    {
      self->children_state = FLINT_DISCO_LOAD_LOADING;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHILDREN_STATE]);
      load_items (self, FALSE);
    }
}

GListModel *
flint_disco_item_get_commands (FlintDiscoItem *self)
{
  g_return_val_if_fail (FLINT_IS_DISCO_ITEM (self), NULL);

  if (self->commands_state == FLINT_DISCO_LOAD_NONE)
    {
      self->commands_state = FLINT_DISCO_LOAD_LOADING;
      load_items (self, TRUE);
    }
  return G_LIST_MODEL (self->commands);
}

FlintDiscoLoadState
flint_disco_item_get_children_state (FlintDiscoItem *self)
{
  return self->children_state;
}

FlintDiscoLoadState
flint_disco_item_get_commands_state (FlintDiscoItem *self)
{
  return self->commands_state;
}

FlintDiscoLoadState
flint_disco_item_get_info_state (FlintDiscoItem *self)
{
  return self->info_state;
}

GPtrArray *
flint_disco_item_get_identities (FlintDiscoItem *self)
{
  return self->identities;
}

const char *const *
flint_disco_item_get_features (FlintDiscoItem *self)
{
  static const char *const none[] = { NULL };

  return self->features ? (const char *const *) self->features : none;
}

gboolean
flint_disco_item_has_feature (FlintDiscoItem *self, const char *feature)
{
  return self->features &&
         g_strv_contains ((const char *const *) self->features, feature);
}

const char *
flint_disco_item_get_error (FlintDiscoItem *self)
{
  return self->error;
}

const char *
flint_disco_item_get_jid (FlintDiscoItem *self)
{
  return self->jid;
}

const char *
flint_disco_item_get_node (FlintDiscoItem *self)
{
  return self->node;
}

const char *
flint_disco_item_get_name (FlintDiscoItem *self)
{
  return self->name;
}

FlintSession *
flint_disco_item_get_session (FlintDiscoItem *self)
{
  return self->session;
}

char *
flint_disco_item_dup_title (FlintDiscoItem *self)
{
  if (self->name && *self->name)
    return g_strdup (self->name);
  for (guint i = 0; i < self->identities->len; i++)
    {
      FlintDiscoIdentity *identity = g_ptr_array_index (self->identities, i);

      if (identity->name && *identity->name)
        return g_strdup (identity->name);
    }
  if (self->node)
    return g_strdup_printf ("%s (%s)", self->jid, self->node);
  return g_strdup (self->jid);
}

static void
flint_disco_item_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  FlintDiscoItem *self = FLINT_DISCO_ITEM (object);

  switch (prop_id)
    {
      case PROP_INFO_STATE:
        g_value_set_int (value, self->info_state);
        break;
      case PROP_CHILDREN_STATE:
        g_value_set_int (value, self->children_state);
        break;
      case PROP_COMMANDS_STATE:
        g_value_set_int (value, self->commands_state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_disco_item_finalize (GObject *object)
{
  FlintDiscoItem *self = FLINT_DISCO_ITEM (object);

  g_clear_object (&self->session);
  g_free (self->jid);
  g_free (self->node);
  g_free (self->name);
  g_free (self->error);
  g_ptr_array_unref (self->identities);
  g_strfreev (self->features);
  g_clear_object (&self->children);
  g_clear_object (&self->commands);
  G_OBJECT_CLASS (flint_disco_item_parent_class)->finalize (object);
}

static void
flint_disco_item_class_init (FlintDiscoItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = flint_disco_item_finalize;
  object_class->get_property = flint_disco_item_get_property;
  properties[PROP_INFO_STATE] = g_param_spec_int (
    "info-state", NULL, NULL, 0, FLINT_DISCO_LOAD_FAILED, 0,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHILDREN_STATE] = g_param_spec_int (
    "children-state", NULL, NULL, 0, FLINT_DISCO_LOAD_FAILED, 0,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMMANDS_STATE] = g_param_spec_int (
    "commands-state", NULL, NULL, 0, FLINT_DISCO_LOAD_FAILED, 0,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_disco_item_init (FlintDiscoItem *self)
{
  self->identities = g_ptr_array_new_with_free_func ((GDestroyNotify) identity_free);
  self->children = g_list_store_new (FLINT_TYPE_DISCO_ITEM);
  self->commands = g_list_store_new (FLINT_TYPE_DISCO_ITEM);
}

FlintDiscoItem *
flint_disco_item_new (FlintSession *session,
                      const char *jid,
                      const char *node,
                      const char *name)
{
  FlintDiscoItem *self;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);
  g_return_val_if_fail (jid != NULL, NULL);

  self = g_object_new (FLINT_TYPE_DISCO_ITEM, NULL);
  self->session = g_object_ref (session);
  self->jid = g_strdup (jid);
  self->node = g_strdup (node);
  self->name = g_strdup (name);
  return self;
}

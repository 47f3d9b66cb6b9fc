#include "config.h"

#define G_LOG_DOMAIN "flint-roster"

#include <string.h>

#include "flint-contact.h"
#include "flint-jid.h"
#include "flint-roster-private.h"

typedef struct
{
  char *resource; /* "" for presence from the bare JID */
  char *full_jid;
  FlintPresence presence;
  char *status;
  int priority;
  guint64 serial; /* newer wins a tie */
} Resource;

struct _FlintContact
{
  GObject parent_instance;

  char *jid;
  char *name;
  char *display_name;
  char **groups;
  char *subscription;
  gboolean pending_out;
  gboolean pending_in;
  gboolean blocked;
  guint unread;
  char *avatar_path;

  /* Few per contact: an array beats a hash table here. */
  GPtrArray *resources;
  Resource *best;
  FlintPresence presence;
  char *name_key;
  char *sort_key;
};

G_DEFINE_FINAL_TYPE (FlintContact, flint_contact, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (FlintPresence,
                    flint_presence,
                    G_DEFINE_ENUM_VALUE (FLINT_PRESENCE_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (FLINT_PRESENCE_XA, "xa"),
                    G_DEFINE_ENUM_VALUE (FLINT_PRESENCE_AWAY, "away"),
                    G_DEFINE_ENUM_VALUE (FLINT_PRESENCE_DND, "dnd"),
                    G_DEFINE_ENUM_VALUE (FLINT_PRESENCE_AVAILABLE, "available"),
                    G_DEFINE_ENUM_VALUE (FLINT_PRESENCE_CHAT, "chat"))

enum
{
  PROP_0,
  PROP_JID,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_GROUPS,
  PROP_SUBSCRIPTION,
  PROP_PENDING_OUT,
  PROP_PENDING_IN,
  PROP_PRESENCE,
  PROP_STATUS,
  PROP_UNREAD,
  PROP_AVATAR_PATH,
  PROP_BLOCKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint64 presence_serial;

FlintPresence
flint_presence_from_show (const char *show)
{
  if (show == NULL)
    return FLINT_PRESENCE_AVAILABLE;
  if (g_str_equal (show, "chat"))
    return FLINT_PRESENCE_CHAT;
  if (g_str_equal (show, "away"))
    return FLINT_PRESENCE_AWAY;
  if (g_str_equal (show, "xa"))
    return FLINT_PRESENCE_XA;
  if (g_str_equal (show, "dnd"))
    return FLINT_PRESENCE_DND;
  return FLINT_PRESENCE_AVAILABLE;
}

const char *
flint_presence_to_show (FlintPresence presence)
{
  switch (presence)
    {
      case FLINT_PRESENCE_CHAT:
        return "chat";
      case FLINT_PRESENCE_AWAY:
        return "away";
      case FLINT_PRESENCE_XA:
        return "xa";
      case FLINT_PRESENCE_DND:
        return "dnd";
      case FLINT_PRESENCE_AVAILABLE:
      case FLINT_PRESENCE_OFFLINE:
      default:
        return NULL;
    }
}

static void
resource_free (Resource *r)
{
  g_free (r->resource);
  g_free (r->full_jid);
  g_free (r->status);
  g_free (r);
}

/* Priority first (RFC 6121 4.7.2.3), then show, then the most recent. */
static int
resource_compare (const Resource *a, const Resource *b)
{
  if (a->priority != b->priority)
    return a->priority > b->priority ? -1 : 1;
  if (a->presence != b->presence)
    return a->presence > b->presence ? -1 : 1;
  if (a->serial != b->serial)
    return a->serial > b->serial ? -1 : 1;
  return 0;
}

static int
resource_compare_indirect (gconstpointer a, gconstpointer b)
{
  return resource_compare (*(Resource *const *) a, *(Resource *const *) b);
}

static void
rebuild_sort_key (FlintContact *self)
{
  /* 'a' is the most available: plain strcmp() then gives the roster order. */
  char rank = (char) ('a' + (FLINT_PRESENCE_CHAT - self->presence));

  g_free (self->sort_key);
  self->sort_key = g_strdup_printf ("%c%s\001%s", rank, self->name_key, self->jid);
}

static gboolean
update_display_name (FlintContact *self)
{
  g_autofree char *node = NULL;
  g_autofree char *folded = NULL;
  const char *display;

  if (self->name && *self->name)
    display = self->name;
  else if ((node = flint_jid_node (self->jid)) != NULL && *node)
    display = node;
  else
    display = self->jid;

  if (g_strcmp0 (display, self->display_name) == 0)
    return FALSE;
  g_free (self->display_name);
  self->display_name = g_strdup (display);
  folded = g_utf8_casefold (display, -1);
  g_free (self->name_key);
  self->name_key = g_utf8_collate_key (folded, -1);
  rebuild_sort_key (self);
  return TRUE;
}

FlintContact *
flint_contact_new (const char *jid)
{
  return g_object_new (FLINT_TYPE_CONTACT, "jid", jid, NULL);
}

const char *
flint_contact_get_jid (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return self->jid;
}

const char *
flint_contact_get_name (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return self->name;
}

const char *
flint_contact_get_display_name (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return self->display_name;
}

const char *const *
flint_contact_get_groups (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return (const char *const *) self->groups;
}

const char *
flint_contact_get_subscription (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return self->subscription;
}

gboolean
flint_contact_get_pending_out (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), FALSE);
  return self->pending_out;
}

gboolean
flint_contact_get_pending_in (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), FALSE);
  return self->pending_in;
}

FlintPresence
flint_contact_get_presence (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), FLINT_PRESENCE_OFFLINE);
  return self->presence;
}

const char *
flint_contact_get_status (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return self->best ? self->best->status : NULL;
}

gboolean
flint_contact_get_blocked (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), FALSE);
  return self->blocked;
}

guint
flint_contact_get_unread (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), 0);
  return self->unread;
}

void
flint_contact_set_unread (FlintContact *self, guint unread)
{
  g_return_if_fail (FLINT_IS_CONTACT (self));
  if (self->unread == unread)
    return;
  self->unread = unread;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

const char *
flint_contact_get_avatar_path (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return self->avatar_path;
}

void
flint_contact_set_avatar_path (FlintContact *self, const char *path)
{
  g_return_if_fail (FLINT_IS_CONTACT (self));
  if (g_strcmp0 (self->avatar_path, path) == 0)
    return;
  g_free (self->avatar_path);
  self->avatar_path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVATAR_PATH]);
}

gboolean
flint_contact_is_subscribed_to (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), FALSE);
  return g_strcmp0 (self->subscription, "to") == 0 ||
         g_strcmp0 (self->subscription, "both") == 0;
}

gboolean
flint_contact_is_subscribed_from (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), FALSE);
  return g_strcmp0 (self->subscription, "from") == 0 ||
         g_strcmp0 (self->subscription, "both") == 0;
}

char **
flint_contact_get_resources (FlintContact *self)
{
  g_autoptr (GPtrArray) sorted = NULL;
  GStrvBuilder *builder;
  char **result;

  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);

  /* Not g_ptr_array_copy(): that would share the free function. */
  sorted = g_ptr_array_sized_new (self->resources->len);
  for (guint i = 0; i < self->resources->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (self->resources, i));
  g_ptr_array_sort (sorted, resource_compare_indirect);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < sorted->len; i++)
    g_strv_builder_add (builder, ((Resource *) g_ptr_array_index (sorted, i))->full_jid);
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

const char *
flint_contact_get_best_jid (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return self->best ? self->best->full_jid : NULL;
}

const char *
flint_contact_get_sort_key (FlintContact *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT (self), NULL);
  return self->sort_key;
}

int
flint_contact_compare (FlintContact *a, FlintContact *b)
{
  return strcmp (a->sort_key, b->sort_key);
}

/* ---- for the roster (flint-roster-private.h) ----------------------------- */

static gboolean
strv_equal0 (char **a, char **b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || !*a) && (b == NULL || !*b);
  return g_strv_equal ((const char *const *) a, (const char *const *) b);
}

FlintContactChange
flint_contact_set_item (FlintContact *self,
                        const char *name,
                        const char *const *groups,
                        const char *subscription,
                        gboolean pending_out)
{
  FlintContactChange change = 0;
  GObject *object = G_OBJECT (self);

  if (name && *name == '\0')
    name = NULL;
  g_object_freeze_notify (object);
  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      g_object_notify_by_pspec (object, properties[PROP_NAME]);
      if (update_display_name (self))
        {
          g_object_notify_by_pspec (object, properties[PROP_DISPLAY_NAME]);
          change |= FLINT_CONTACT_CHANGE_SORT;
        }
    }
  if (!strv_equal0 (self->groups, (char **) groups))
    {
      g_strfreev (self->groups);
      self->groups = g_strdupv ((char **) groups);
      g_object_notify_by_pspec (object, properties[PROP_GROUPS]);
      change |= FLINT_CONTACT_CHANGE_GROUPS;
    }
  if (g_strcmp0 (self->subscription, subscription) != 0)
    {
      g_free (self->subscription);
      self->subscription = g_strdup (subscription);
      g_object_notify_by_pspec (object, properties[PROP_SUBSCRIPTION]);
    }
  if (self->pending_out != !!pending_out)
    {
      self->pending_out = !!pending_out;
      g_object_notify_by_pspec (object, properties[PROP_PENDING_OUT]);
      change |= FLINT_CONTACT_CHANGE_VISIBILITY;
    }
  g_object_thaw_notify (object);
  return change;
}

gboolean
flint_contact_set_pending_in (FlintContact *self, gboolean pending_in)
{
  if (self->pending_in == !!pending_in)
    return FALSE;
  self->pending_in = !!pending_in;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_IN]);
  return TRUE;
}

void
flint_contact_set_blocked (FlintContact *self, gboolean blocked)
{
  if (self->blocked == !!blocked)
    return;
  self->blocked = !!blocked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCKED]);
}

gboolean
flint_contact_is_visible (FlintContact *self, gboolean show_offline)
{
  return show_offline || self->presence != FLINT_PRESENCE_OFFLINE || self->pending_in ||
         self->pending_out;
}

/* Picks the best resource again and says whether the presence (and so the
 * sort key) changed. old_status is the exposed status before the change. */
static gboolean
refresh_best (FlintContact *self, const char *old_status)
{
  Resource *best = NULL;
  FlintPresence presence;
  gboolean sort_changed = FALSE;

  for (guint i = 0; i < self->resources->len; i++)
    {
      Resource *r = g_ptr_array_index (self->resources, i);

      if (best == NULL || resource_compare (r, best) < 0)
        best = r;
    }
  self->best = best;
  presence = best ? best->presence : FLINT_PRESENCE_OFFLINE;

  g_object_freeze_notify (G_OBJECT (self));
  if (presence != self->presence)
    {
      self->presence = presence;
      rebuild_sort_key (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENCE]);
      sort_changed = TRUE;
    }
  if (g_strcmp0 (old_status, best ? best->status : NULL) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_object_thaw_notify (G_OBJECT (self));
  return sort_changed;
}

static Resource *
find_resource (FlintContact *self, const char *resource, guint *index)
{
  for (guint i = 0; i < self->resources->len; i++)
    {
      Resource *r = g_ptr_array_index (self->resources, i);

      if (g_str_equal (r->resource, resource))
        {
          if (index)
            *index = i;
          return r;
        }
    }
  return NULL;
}

gboolean
flint_contact_update_resource (FlintContact *self,
                               const char *resource,
                               FlintPresence presence,
                               const char *status,
                               int priority)
{
  g_autofree char *old_status = NULL;
  Resource *r;

  g_return_val_if_fail (presence != FLINT_PRESENCE_OFFLINE, FALSE);

  if (resource == NULL)
    resource = "";
  old_status = g_strdup (flint_contact_get_status (self));
  r = find_resource (self, resource, NULL);
  if (r == NULL)
    {
      r = g_new0 (Resource, 1);
      r->resource = g_strdup (resource);
      r->full_jid =
        *resource ? g_strconcat (self->jid, "/", resource, NULL) : g_strdup (self->jid);
      g_ptr_array_add (self->resources, r);
    }
  r->presence = presence;
  r->priority = priority;
  r->serial = ++presence_serial;
  if (g_strcmp0 (r->status, status) != 0)
    {
      g_free (r->status);
      r->status = g_strdup (status);
    }
  return refresh_best (self, old_status);
}

/* resource NULL: all of them (unavailable or error from the bare JID). */
gboolean
flint_contact_remove_resource (FlintContact *self, const char *resource)
{
  g_autofree char *old_status = NULL;
  guint index;

  if (resource == NULL && self->resources->len == 0)
    return FALSE;
  if (resource != NULL && find_resource (self, resource, &index) == NULL)
    return FALSE;

  old_status = g_strdup (flint_contact_get_status (self));
  self->best = NULL;
  if (resource == NULL)
    g_ptr_array_set_size (self->resources, 0);
  else
    g_ptr_array_remove_index_fast (self->resources, index);
  return refresh_best (self, old_status);
}

/* ---- object ------------------------------------------------------------- */

static void
flint_contact_finalize (GObject *object)
{
  FlintContact *self = FLINT_CONTACT (object);

  g_free (self->jid);
  g_free (self->name);
  g_free (self->display_name);
  g_strfreev (self->groups);
  g_free (self->subscription);
  g_free (self->avatar_path);
  g_ptr_array_unref (self->resources);
  g_free (self->name_key);
  g_free (self->sort_key);

  G_OBJECT_CLASS (flint_contact_parent_class)->finalize (object);
}

static void
flint_contact_constructed (GObject *object)
{
  FlintContact *self = FLINT_CONTACT (object);

  G_OBJECT_CLASS (flint_contact_parent_class)->constructed (object);

  if (self->jid == NULL)
    self->jid = g_strdup ("");
  update_display_name (self);
}

static void
flint_contact_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  FlintContact *self = FLINT_CONTACT (object);

  switch (prop_id)
    {
      case PROP_JID:
        g_value_set_string (value, self->jid);
        break;
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_DISPLAY_NAME:
        g_value_set_string (value, self->display_name);
        break;
      case PROP_GROUPS:
        g_value_set_boxed (value, self->groups);
        break;
      case PROP_SUBSCRIPTION:
        g_value_set_string (value, self->subscription);
        break;
      case PROP_PENDING_OUT:
        g_value_set_boolean (value, self->pending_out);
        break;
      case PROP_PENDING_IN:
        g_value_set_boolean (value, self->pending_in);
        break;
      case PROP_PRESENCE:
        g_value_set_enum (value, self->presence);
        break;
      case PROP_STATUS:
        g_value_set_string (value, flint_contact_get_status (self));
        break;
      case PROP_UNREAD:
        g_value_set_uint (value, self->unread);
        break;
      case PROP_AVATAR_PATH:
        g_value_set_string (value, self->avatar_path);
        break;
      case PROP_BLOCKED:
        g_value_set_boolean (value, self->blocked);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_contact_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  FlintContact *self = FLINT_CONTACT (object);

  switch (prop_id)
    {
      case PROP_JID:
        {
          const char *jid = g_value_get_string (value);
          /* Stored bare and normalized so lookups can compare strings. */
          self->jid = jid ? flint_jid_bare (jid) : NULL;
          if (self->jid == NULL)
            self->jid = g_strdup (jid ? jid : "");
        }
        break;
      case PROP_UNREAD:
        flint_contact_set_unread (self, g_value_get_uint (value));
        break;
      case PROP_AVATAR_PATH:
        flint_contact_set_avatar_path (self, g_value_get_string (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_contact_class_init (FlintContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro =
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw =
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = flint_contact_constructed;
  object_class->finalize = flint_contact_finalize;
  object_class->get_property = flint_contact_get_property;
  object_class->set_property = flint_contact_set_property;

  properties[PROP_JID] =
    g_param_spec_string ("jid", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                           G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL, ro);
  properties[PROP_GROUPS] = g_param_spec_boxed ("groups", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_SUBSCRIPTION] =
    g_param_spec_string ("subscription", NULL, NULL, "none", ro);
  properties[PROP_PENDING_OUT] =
    g_param_spec_boolean ("pending-out", NULL, NULL, FALSE, ro);
  properties[PROP_PENDING_IN] =
    g_param_spec_boolean ("pending-in", NULL, NULL, FALSE, ro);
  properties[PROP_PRESENCE] = g_param_spec_enum (
    "presence", NULL, NULL, FLINT_TYPE_PRESENCE, FLINT_PRESENCE_OFFLINE, ro);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, ro);
  properties[PROP_UNREAD] = g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_AVATAR_PATH] =
    g_param_spec_string ("avatar-path", NULL, NULL, NULL, rw);
  properties[PROP_BLOCKED] = g_param_spec_boolean ("blocked", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_contact_init (FlintContact *self)
{
  self->resources = g_ptr_array_new_with_free_func ((GDestroyNotify) resource_free);
  self->subscription = g_strdup ("none");
  self->presence = FLINT_PRESENCE_OFFLINE;
}

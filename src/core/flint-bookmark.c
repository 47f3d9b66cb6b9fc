#include "config.h"

#include "flint-bookmark.h"
#include "flint-jid.h"

struct _FlintBookmark
{
  GObject parent_instance;

  char *jid;
  char *name;
  char *nick;
  char *password;
  gboolean autojoin;
  char *extensions;
};

G_DEFINE_FINAL_TYPE (FlintBookmark, flint_bookmark, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_JID,
  PROP_NAME,
  PROP_NICK,
  PROP_PASSWORD,
  PROP_AUTOJOIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
flint_bookmark_finalize (GObject *object)
{
  FlintBookmark *self = FLINT_BOOKMARK (object);

  g_free (self->jid);
  g_free (self->name);
  g_free (self->nick);
  g_free (self->password);
  g_free (self->extensions);
  G_OBJECT_CLASS (flint_bookmark_parent_class)->finalize (object);
}

static void
flint_bookmark_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  FlintBookmark *self = FLINT_BOOKMARK (object);

  switch (prop_id)
    {
      case PROP_JID:
        g_value_set_string (value, self->jid);
        break;
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_NICK:
        g_value_set_string (value, self->nick);
        break;
      case PROP_PASSWORD:
        g_value_set_string (value, self->password);
        break;
      case PROP_AUTOJOIN:
        g_value_set_boolean (value, self->autojoin);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_bookmark_class_init (FlintBookmarkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = flint_bookmark_finalize;
  object_class->get_property = flint_bookmark_get_property;
  properties[PROP_JID] = g_param_spec_string ("jid", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, flags);
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, flags);
  properties[PROP_AUTOJOIN] = g_param_spec_boolean ("autojoin", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_bookmark_init (FlintBookmark *self)
{
}

FlintBookmark *
flint_bookmark_new (const char *jid)
{
  FlintBookmark *self = g_object_new (FLINT_TYPE_BOOKMARK, NULL);

  self->jid = flint_jid_normalize (jid);
  return self;
}

FlintBookmark *
flint_bookmark_copy (FlintBookmark *self)
{
  FlintBookmark *copy = flint_bookmark_new (self->jid);

  copy->name = g_strdup (self->name);
  copy->nick = g_strdup (self->nick);
  copy->password = g_strdup (self->password);
  copy->autojoin = self->autojoin;
  copy->extensions = g_strdup (self->extensions);
  return copy;
}

static void
set_string (FlintBookmark *self, char **field, const char *value, guint prop)
{
  if (value && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  if (prop)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

const char *
flint_bookmark_get_jid (FlintBookmark *self)
{
  return self->jid;
}

const char *
flint_bookmark_get_name (FlintBookmark *self)
{
  return self->name;
}

void
flint_bookmark_set_name (FlintBookmark *self, const char *name)
{
  set_string (self, &self->name, name, PROP_NAME);
}

const char *
flint_bookmark_get_nick (FlintBookmark *self)
{
  return self->nick;
}

void
flint_bookmark_set_nick (FlintBookmark *self, const char *nick)
{
  set_string (self, &self->nick, nick, PROP_NICK);
}

const char *
flint_bookmark_get_password (FlintBookmark *self)
{
  return self->password;
}

void
flint_bookmark_set_password (FlintBookmark *self, const char *password)
{
  set_string (self, &self->password, password, PROP_PASSWORD);
}

gboolean
flint_bookmark_get_autojoin (FlintBookmark *self)
{
  return self->autojoin;
}

void
flint_bookmark_set_autojoin (FlintBookmark *self, gboolean autojoin)
{
  autojoin = !!autojoin;
  if (self->autojoin == autojoin)
    return;
  self->autojoin = autojoin;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOJOIN]);
}

const char *
flint_bookmark_get_extensions (FlintBookmark *self)
{
  return self->extensions;
}

void
flint_bookmark_set_extensions (FlintBookmark *self, const char *xml)
{
  set_string (self, &self->extensions, xml, 0);
}

gboolean
flint_bookmark_equal (FlintBookmark *a, FlintBookmark *b)
{
  return g_strcmp0 (a->jid, b->jid) == 0 && g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->nick, b->nick) == 0 && g_strcmp0 (a->password, b->password) == 0 &&
         a->autojoin == b->autojoin && g_strcmp0 (a->extensions, b->extensions) == 0;
}

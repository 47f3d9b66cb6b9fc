#include "config.h"

#include "flint-occupant.h"

struct _FlintOccupant
{
  GObject parent_instance;

  char *nick;
  char *role;
  char *affiliation;
  char *jid;
  char *show;
  char *status;
  gboolean is_self;
};

G_DEFINE_FINAL_TYPE (FlintOccupant, flint_occupant, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NICK,
  PROP_ROLE,
  PROP_AFFILIATION,
  PROP_JID,
  PROP_SHOW,
  PROP_STATUS,
  PROP_IS_SELF,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
flint_occupant_finalize (GObject *object)
{
  FlintOccupant *self = FLINT_OCCUPANT (object);

  g_free (self->nick);
  g_free (self->role);
  g_free (self->affiliation);
  g_free (self->jid);
  g_free (self->show);
  g_free (self->status);
  G_OBJECT_CLASS (flint_occupant_parent_class)->finalize (object);
}

static void
flint_occupant_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  FlintOccupant *self = FLINT_OCCUPANT (object);

  switch (prop_id)
    {
      case PROP_NICK:
        g_value_set_string (value, self->nick);
        break;
      case PROP_ROLE:
        g_value_set_string (value, self->role);
        break;
      case PROP_AFFILIATION:
        g_value_set_string (value, self->affiliation);
        break;
      case PROP_JID:
        g_value_set_string (value, self->jid);
        break;
      case PROP_SHOW:
        g_value_set_string (value, self->show);
        break;
      case PROP_STATUS:
        g_value_set_string (value, self->status);
        break;
      case PROP_IS_SELF:
        g_value_set_boolean (value, self->is_self);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_occupant_class_init (FlintOccupantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = flint_occupant_finalize;
  object_class->get_property = flint_occupant_get_property;

  properties[PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, flags);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, flags);
  properties[PROP_AFFILIATION] =
    g_param_spec_string ("affiliation", NULL, NULL, NULL, flags);
  properties[PROP_JID] = g_param_spec_string ("jid", NULL, NULL, NULL, flags);
  properties[PROP_SHOW] = g_param_spec_string ("show", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  properties[PROP_IS_SELF] = g_param_spec_boolean ("is-self", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_occupant_init (FlintOccupant *self)
{
  self->role = g_strdup ("none");
  self->affiliation = g_strdup ("none");
  self->show = g_strdup ("");
}

FlintOccupant *
flint_occupant_new (const char *nick)
{
  FlintOccupant *self = g_object_new (FLINT_TYPE_OCCUPANT, NULL);

  self->nick = g_strdup (nick);
  return self;
}

const char *
flint_occupant_get_nick (FlintOccupant *self)
{
  g_return_val_if_fail (FLINT_IS_OCCUPANT (self), NULL);
  return self->nick;
}

const char *
flint_occupant_get_role (FlintOccupant *self)
{
  g_return_val_if_fail (FLINT_IS_OCCUPANT (self), NULL);
  return self->role;
}

const char *
flint_occupant_get_affiliation (FlintOccupant *self)
{
  g_return_val_if_fail (FLINT_IS_OCCUPANT (self), NULL);
  return self->affiliation;
}

const char *
flint_occupant_get_jid (FlintOccupant *self)
{
  g_return_val_if_fail (FLINT_IS_OCCUPANT (self), NULL);
  return self->jid;
}

const char *
flint_occupant_get_show (FlintOccupant *self)
{
  g_return_val_if_fail (FLINT_IS_OCCUPANT (self), NULL);
  return self->show;
}

const char *
flint_occupant_get_status (FlintOccupant *self)
{
  g_return_val_if_fail (FLINT_IS_OCCUPANT (self), NULL);
  return self->status;
}

gboolean
flint_occupant_get_is_self (FlintOccupant *self)
{
  g_return_val_if_fail (FLINT_IS_OCCUPANT (self), FALSE);
  return self->is_self;
}

static void
set_string (FlintOccupant *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
flint_occupant_update (FlintOccupant *self,
                       const char *role,
                       const char *affiliation,
                       const char *jid,
                       const char *show,
                       const char *status,
                       gboolean is_self)
{
  g_return_if_fail (FLINT_IS_OCCUPANT (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->role, role ? role : "none", PROP_ROLE);
  set_string (self, &self->affiliation, affiliation ? affiliation : "none",
              PROP_AFFILIATION);
  /* The real JID is not repeated in every presence: keep a known one. */
  if (jid)
    set_string (self, &self->jid, jid, PROP_JID);
  set_string (self, &self->show, show ? show : "", PROP_SHOW);
  set_string (self, &self->status, status, PROP_STATUS);
  if (is_self != self->is_self)
    {
      self->is_self = is_self;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_SELF]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
flint_occupant_set_nick (FlintOccupant *self, const char *nick)
{
  g_return_if_fail (FLINT_IS_OCCUPANT (self));
  set_string (self, &self->nick, nick, PROP_NICK);
}

#include "config.h"

#define G_LOG_DOMAIN "flint-room-listing"

#include <stdlib.h>
#include <string.h>

#include "flint-data-form.h"
#include "flint-jid.h"
#include "flint-room-listing.h"

#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_ROOMINFO "http://jabber.org/protocol/muc#roominfo"

struct _FlintRoomListing
{
  GObject parent_instance;

  char *jid;
  char *name;
  char *description;
  int occupants;
  gboolean password_protected;
  gboolean members_only;
  FlintRoomInfoState info_state;
  char *haystack; /* case-folded name, JID and description for the filter */
};

G_DEFINE_FINAL_TYPE (FlintRoomListing, flint_room_listing, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (FlintRoomInfoState,
                    flint_room_info_state,
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_INFO_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_INFO_LOADING, "loading"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_INFO_LOADED, "loaded"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_INFO_FAILED, "failed"))

enum
{
  PROP_0,
  PROP_JID,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_OCCUPANTS,
  PROP_PASSWORD_PROTECTED,
  PROP_MEMBERS_ONLY,
  PROP_INFO_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_haystack (FlintRoomListing *self)
{
  g_autofree char *all = g_strjoin ("\n", self->name, self->jid,
                                    self->description ? self->description : "", NULL);

  g_free (self->haystack);
  self->haystack = g_utf8_casefold (all, -1);
}

/* Text from the network for display: valid UTF-8, one line. */
static char *
clean (const char *text, gboolean one_line)
{
  char *copy;

  if (text == NULL)
    return NULL;
  copy = g_utf8_make_valid (text, -1);
  if (one_line)
    g_strdelimit (copy, "\r\n\t", ' ');
  g_strstrip (copy);
  if (*copy == '\0')
    g_clear_pointer (&copy, g_free);
  return copy;
}

static void
set_name (FlintRoomListing *self, const char *name)
{
  g_autofree char *cleaned = clean (name, TRUE);

  if (cleaned == NULL)
    cleaned = flint_jid_node (self->jid);
  if (cleaned == NULL)
    cleaned = g_strdup (self->jid);
  if (g_strcmp0 (cleaned, self->name) == 0)
    return;
  g_free (self->name);
  self->name = g_steal_pointer (&cleaned);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

FlintRoomListing *
flint_room_listing_new (const char *jid, const char *name)
{
  FlintRoomListing *self = g_object_new (FLINT_TYPE_ROOM_LISTING, NULL);

  self->jid = g_utf8_make_valid (jid ? jid : "", -1);
  set_name (self, name);
  update_haystack (self);
  return self;
}

const char *
flint_room_listing_get_jid (FlintRoomListing *self)
{
  return self->jid;
}

const char *
flint_room_listing_get_name (FlintRoomListing *self)
{
  return self->name;
}

const char *
flint_room_listing_get_description (FlintRoomListing *self)
{
  return self->description;
}

int
flint_room_listing_get_occupants (FlintRoomListing *self)
{
  return self->occupants;
}

gboolean
flint_room_listing_get_password_protected (FlintRoomListing *self)
{
  return self->password_protected;
}

gboolean
flint_room_listing_get_members_only (FlintRoomListing *self)
{
  return self->members_only;
}

FlintRoomInfoState
flint_room_listing_get_info_state (FlintRoomListing *self)
{
  return self->info_state;
}

void
flint_room_listing_set_info_state (FlintRoomListing *self, FlintRoomInfoState state)
{
  if (self->info_state == state)
    return;
  self->info_state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INFO_STATE]);
}

void
flint_room_listing_apply_info (FlintRoomListing *self, xmpp_stanza_t *query)
{
  const char *identity_name = NULL;
  gboolean password = FALSE, members = FALSE;
  g_autofree char *description = NULL;
  int occupants = -1;

  g_object_freeze_notify (G_OBJECT (self));
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_is_tag (c) ? xmpp_stanza_get_name (c) : NULL;

      if (g_strcmp0 (name, "identity") == 0 &&
          g_strcmp0 (xmpp_stanza_get_attribute (c, "category"), "conference") == 0 &&
          identity_name == NULL)
        identity_name = xmpp_stanza_get_attribute (c, "name");
      else if (g_strcmp0 (name, "feature") == 0)
        {
          const char *var = xmpp_stanza_get_attribute (c, "var");

          password |= g_strcmp0 (var, "muc_passwordprotected") == 0;
          members |= g_strcmp0 (var, "muc_membersonly") == 0;
        }
      else if (g_strcmp0 (name, "x") == 0 &&
               g_strcmp0 (xmpp_stanza_get_ns (c), FLINT_NS_DATA_FORM) == 0)
        {
          g_autoptr (FlintDataForm) form = flint_data_form_parse (c, NULL);
          FlintDataFormField *field;

          if (form == NULL ||
              g_strcmp0 (flint_data_form_get_namespace (form), NS_ROOMINFO))
            continue;
          field = flint_data_form_find_field (form, "muc#roominfo_description");
          if (field && flint_data_form_field_get_value (field))
            {
              g_free (description);
              description = clean (flint_data_form_field_get_value (field), FALSE);
            }
          field = flint_data_form_find_field (form, "muc#roominfo_occupants");
          if (field && flint_data_form_field_get_value (field))
            {
              guint64 n = 0;

              if (g_ascii_string_to_unsigned (flint_data_form_field_get_value (field), 10,
                                              0, G_MAXINT, &n, NULL))
                occupants = (int) n;
            }
          /* Some services name the room only here. */
          field = flint_data_form_find_field (form, "muc#roomconfig_roomname");
          if (identity_name == NULL && field && flint_data_form_field_get_value (field))
            {
              g_autofree char *cleaned =
                clean (flint_data_form_field_get_value (field), TRUE);

              if (cleaned)
                set_name (self, cleaned);
            }
        }
    }
  /* A blank name says nothing: the one from the listing stays. */
  {
    g_autofree char *cleaned = clean (identity_name, TRUE);

    if (cleaned)
      set_name (self, cleaned);
  }
  if (g_strcmp0 (description, self->description) != 0)
    {
      g_free (self->description);
      self->description = g_steal_pointer (&description);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
    }
  if (occupants != self->occupants)
    {
      self->occupants = occupants;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OCCUPANTS]);
    }
  if (password != self->password_protected)
    {
      self->password_protected = password;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD_PROTECTED]);
    }
  if (members != self->members_only)
    {
      self->members_only = members;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBERS_ONLY]);
    }
  update_haystack (self);
  flint_room_listing_set_info_state (self, FLINT_ROOM_INFO_LOADED);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
flint_room_listing_matches (FlintRoomListing *self, const char *needle)
{
  g_auto (GStrv) words = NULL;

  if (needle == NULL || *needle == '\0')
    return TRUE;
  words = g_strsplit_set (needle, " \t", -1);
  for (char **w = words; *w; w++)
    if (**w && strstr (self->haystack, *w) == NULL)
      return FALSE;
  return TRUE;
}

static void
flint_room_listing_finalize (GObject *object)
{
  FlintRoomListing *self = FLINT_ROOM_LISTING (object);

  g_free (self->jid);
  g_free (self->name);
  g_free (self->description);
  g_free (self->haystack);
  G_OBJECT_CLASS (flint_room_listing_parent_class)->finalize (object);
}

static void
flint_room_listing_get_property (GObject *object,
                                 guint prop_id,
                                 GValue *value,
                                 GParamSpec *pspec)
{
  FlintRoomListing *self = FLINT_ROOM_LISTING (object);

  switch (prop_id)
    {
      case PROP_JID:
        g_value_set_string (value, self->jid);
        break;
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_DESCRIPTION:
        g_value_set_string (value, self->description);
        break;
      case PROP_OCCUPANTS:
        g_value_set_int (value, self->occupants);
        break;
      case PROP_PASSWORD_PROTECTED:
        g_value_set_boolean (value, self->password_protected);
        break;
      case PROP_MEMBERS_ONLY:
        g_value_set_boolean (value, self->members_only);
        break;
      case PROP_INFO_STATE:
        g_value_set_enum (value, self->info_state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_room_listing_class_init (FlintRoomListingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = flint_room_listing_finalize;
  object_class->get_property = flint_room_listing_get_property;
  properties[PROP_JID] = g_param_spec_string ("jid", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_OCCUPANTS] =
    g_param_spec_int ("occupants", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_PASSWORD_PROTECTED] =
    g_param_spec_boolean ("password-protected", NULL, NULL, FALSE, flags);
  properties[PROP_MEMBERS_ONLY] =
    g_param_spec_boolean ("members-only", NULL, NULL, FALSE, flags);
  properties[PROP_INFO_STATE] = g_param_spec_enum (
    "info-state", NULL, NULL, FLINT_TYPE_ROOM_INFO_STATE, FLINT_ROOM_INFO_NONE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_room_listing_init (FlintRoomListing *self)
{
  self->occupants = -1;
}

#include "config.h"

#include "flint-message.h"

struct _FlintMessage
{
  GObject parent_instance;
  FlintMessageRecord *record;
  gboolean edited;
};

G_DEFINE_FINAL_TYPE (FlintMessage, flint_message, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BODY,
  PROP_SENDER,
  PROP_TIME,
  PROP_OUTGOING,
  PROP_STATE,
  PROP_EDITED,
  PROP_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
flint_message_finalize (GObject *object)
{
  FlintMessage *self = FLINT_MESSAGE (object);

  flint_message_record_free (self->record);
  G_OBJECT_CLASS (flint_message_parent_class)->finalize (object);
}

static void
flint_message_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  FlintMessage *self = FLINT_MESSAGE (object);

  switch (prop_id)
    {
      case PROP_BODY:
        g_value_set_string (value, self->record->body);
        break;
      case PROP_SENDER:
        g_value_set_string (value, self->record->sender);
        break;
      case PROP_TIME:
        g_value_set_int64 (value, self->record->time);
        break;
      case PROP_OUTGOING:
        g_value_set_boolean (value, self->record->direction == FLINT_DIRECTION_OUTGOING);
        break;
      case PROP_STATE:
        g_value_set_int (value, self->record->state);
        break;
      case PROP_EDITED:
        g_value_set_boolean (value, self->edited);
        break;
      case PROP_FILE:
        g_value_set_string (value, self->record->file);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_message_class_init (FlintMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = flint_message_finalize;
  object_class->get_property = flint_message_get_property;

  properties[PROP_BODY] = g_param_spec_string ("body", NULL, NULL, NULL, flags);
  properties[PROP_SENDER] = g_param_spec_string ("sender", NULL, NULL, NULL, flags);
  properties[PROP_TIME] =
    g_param_spec_int64 ("time", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_OUTGOING] = g_param_spec_boolean ("outgoing", NULL, NULL, FALSE, flags);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_EDITED] = g_param_spec_boolean ("edited", NULL, NULL, FALSE, flags);
  properties[PROP_FILE] = g_param_spec_string ("file", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_message_init (FlintMessage *self)
{
}

FlintMessage *
flint_message_new (const FlintMessageRecord *record)
{
  FlintMessage *self = g_object_new (FLINT_TYPE_MESSAGE, NULL);

  self->record = flint_message_record_copy (record);
  return self;
}

const FlintMessageRecord *
flint_message_get_record (FlintMessage *self)
{
  return self->record;
}

/* Takes the stored state of the same row: a receipt or a correction. */
void
flint_message_update (FlintMessage *self, const FlintMessageRecord *record)
{
  FlintMessageRecord *old = self->record;
  gboolean body_changed = g_strcmp0 (old->body, record->body) != 0;
  gboolean state_changed = old->state != record->state;
  gboolean file_changed = g_strcmp0 (old->file, record->file) != 0;

  self->record = flint_message_record_copy (record);
  flint_message_record_free (old);
  if (body_changed)
    {
      self->edited = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BODY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITED]);
    }
  if (state_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (file_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
}

FlintMessageKind
flint_message_get_kind (FlintMessage *self)
{
  return self->record->kind;
}

/* The file the message is or links, or NULL. Stored text is parsed with
 * care: a damaged file must not take the row down. */
GVariant *
flint_message_get_file (FlintMessage *self)
{
  return flint_file_parse (self->record->file);
}

GVariant *
flint_file_parse (const char *text)
{
  g_autoptr (GError) error = NULL;
  GVariant *file;

  if (text == NULL || *text == '\0')
    return NULL;
  file = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);
  if (file == NULL)
    g_debug ("Unreadable file description: %s", error->message);
  return file;
}

const char *
flint_file_lookup_string (GVariant *file, const char *key)
{
  const char *value = NULL;

  if (file == NULL || !g_variant_lookup (file, key, "&s", &value) || *value == '\0')
    return NULL;
  return value;
}

gint64
flint_file_lookup_size (GVariant *file)
{
  gint64 size = -1;

  if (file == NULL || !g_variant_lookup (file, "size", "x", &size))
    return -1;
  return size;
}

/* The description of a file a link points to (XEP-0066 OOB). */
char *
flint_file_text_for_url (const char *url, const char *description)
{
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr (GVariant) value = NULL;

  g_variant_dict_insert (&dict, "url", "s", url);
  if (description && *description)
    g_variant_dict_insert (&dict, "desc", "s", description);
  value = g_variant_ref_sink (g_variant_dict_end (&dict));
  return g_variant_print (value, TRUE);
}

/* What a transfer row keeps of a transfer, to show it after a restart. */
char *
flint_file_text_for_transfer (FlintTransfer *transfer)
{
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr (GVariant) value = NULL;
  const GError *error = flint_transfer_get_error (transfer);

  g_variant_dict_insert (&dict, "name", "s",
                         flint_transfer_get_file_name (transfer) ?: "");
  g_variant_dict_insert (&dict, "size", "x", flint_transfer_get_size (transfer));
  g_variant_dict_insert (
    &dict, "state", "s",
    flint_transfer_state_to_string (flint_transfer_get_state (transfer)));
  g_variant_dict_insert (
    &dict, "method", "s",
    flint_transfer_method_to_string (flint_transfer_get_method (transfer)));
  if (flint_transfer_get_local_path (transfer))
    g_variant_dict_insert (&dict, "path", "s", flint_transfer_get_local_path (transfer));
  if (flint_transfer_get_url (transfer))
    g_variant_dict_insert (&dict, "url", "s", flint_transfer_get_url (transfer));
  if (flint_transfer_get_mime_type (transfer))
    g_variant_dict_insert (&dict, "mime", "s", flint_transfer_get_mime_type (transfer));
  if (error)
    g_variant_dict_insert (&dict, "error", "s", error->message);
  value = g_variant_ref_sink (g_variant_dict_end (&dict));
  return g_variant_print (value, TRUE);
}

gint64
flint_message_get_id (FlintMessage *self)
{
  return self->record->id;
}

const char *
flint_message_get_body (FlintMessage *self)
{
  return self->record->body;
}

const char *
flint_message_get_sender (FlintMessage *self)
{
  return self->record->sender;
}

gint64
flint_message_get_time (FlintMessage *self)
{
  return self->record->time;
}

FlintDirection
flint_message_get_direction (FlintMessage *self)
{
  return self->record->direction;
}

FlintDeliveryState
flint_message_get_state (FlintMessage *self)
{
  return self->record->state;
}

gboolean
flint_message_get_edited (FlintMessage *self)
{
  return self->edited;
}

/* Conversation order: time, then row id for messages of the same moment. */
int
flint_message_compare (FlintMessage *a, FlintMessage *b)
{
  if (a->record->time != b->record->time)
    return a->record->time < b->record->time ? -1 : 1;
  if (a->record->id != b->record->id)
    return a->record->id < b->record->id ? -1 : 1;
  return 0;
}

GDateTime *
flint_local_time (gint64 usec)
{
  static gsize zone = 0;
  g_autoptr (GDateTime) utc = NULL;

  if (g_once_init_enter (&zone))
    g_once_init_leave (&zone, (gsize) g_time_zone_new_local ());
  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return utc ? g_date_time_to_timezone (utc, (GTimeZone *) zone) : NULL;
}

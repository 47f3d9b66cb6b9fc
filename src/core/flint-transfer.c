/* FlintTransfer: one file going to or coming from a peer, as the transfer
 * window and the conversation show it. It holds no protocol state (that is
 * FlintTransfers' job), only what a user sees: who, what, how far, how
 * fast, and how it ended.
 *
 * Progress can change thousands of times a second on a fast link, so
 * bytes-done is notified at most every NOTIFY_INTERVAL_US (and always at the
 * end); the speed is a smoothed rate over windows of SPEED_WINDOW_US. */
#include "config.h"

#define G_LOG_DOMAIN "flint-transfer"

#include <math.h>

#include "flint-transfer.h"

#define NOTIFY_INTERVAL_US (100 * 1000)
#define SPEED_WINDOW_US (500 * 1000)
#define SPEED_SMOOTHING 0.5

struct _FlintTransfer
{
  GObject parent_instance;

  guint id;
  FlintTransferDirection direction;
  char *peer;
  char *file_name;
  gint64 size;
  char *description;
  char *mime_type;
  char *hash;
  char *local_path;
  char *url;
  FlintTransferMethod method;
  FlintTransferState state;
  GError *error;

  guint64 bytes_done;
  gint64 last_notify_us;
  gint64 window_start_us;
  guint64 window_start_bytes;
  double speed;
};

G_DEFINE_FINAL_TYPE (FlintTransfer, flint_transfer, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (FlintTransferDirection,
                    flint_transfer_direction,
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_INCOMING, "incoming"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_OUTGOING, "outgoing"))

G_DEFINE_ENUM_TYPE (FlintTransferMethod,
                    flint_transfer_method,
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_METHOD_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_METHOD_SOCKS5, "socks5"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_METHOD_SOCKS5_PROXY,
                                         "socks5-proxy"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_METHOD_IBB, "ibb"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_METHOD_HTTP, "http"))

G_DEFINE_ENUM_TYPE (FlintTransferState,
                    flint_transfer_state,
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_OFFERED, "offered"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_NEGOTIATING, "negotiating"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_ACTIVE, "active"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_COMPLETE, "complete"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_CANCELLED, "cancelled"),
                    G_DEFINE_ENUM_VALUE (FLINT_TRANSFER_DECLINED, "declined"))

enum
{
  PROP_0,
  PROP_ID,
  PROP_DIRECTION,
  PROP_PEER,
  PROP_FILE_NAME,
  PROP_SIZE,
  PROP_METHOD,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_BYTES_DONE,
  PROP_SPEED,
  PROP_FRACTION,
  PROP_LOCAL_PATH,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void
flint_transfer_finalize (GObject *object)
{
  FlintTransfer *self = FLINT_TRANSFER (object);

  g_free (self->peer);
  g_free (self->file_name);
  g_free (self->description);
  g_free (self->mime_type);
  g_free (self->hash);
  g_free (self->local_path);
  g_free (self->url);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (flint_transfer_parent_class)->finalize (object);
}

static void
flint_transfer_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  FlintTransfer *self = FLINT_TRANSFER (object);

  switch (prop_id)
    {
      case PROP_ID:
        g_value_set_uint (value, self->id);
        break;
      case PROP_DIRECTION:
        g_value_set_enum (value, self->direction);
        break;
      case PROP_PEER:
        g_value_set_string (value, self->peer);
        break;
      case PROP_FILE_NAME:
        g_value_set_string (value, self->file_name);
        break;
      case PROP_SIZE:
        g_value_set_int64 (value, self->size);
        break;
      case PROP_METHOD:
        g_value_set_enum (value, self->method);
        break;
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_ERROR_MESSAGE:
        g_value_set_string (value, self->error ? self->error->message : NULL);
        break;
      case PROP_BYTES_DONE:
        g_value_set_uint64 (value, self->bytes_done);
        break;
      case PROP_SPEED:
        g_value_set_double (value, self->speed);
        break;
      case PROP_FRACTION:
        g_value_set_double (value, flint_transfer_get_fraction (self));
        break;
      case PROP_LOCAL_PATH:
        g_value_set_string (value, self->local_path);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_transfer_class_init (FlintTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = flint_transfer_finalize;
  object_class->get_property = flint_transfer_get_property;

  props[PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0, ro);
  props[PROP_DIRECTION] = g_param_spec_enum (
    "direction", NULL, NULL, FLINT_TYPE_TRANSFER_DIRECTION, FLINT_TRANSFER_INCOMING, ro);
  props[PROP_PEER] = g_param_spec_string ("peer", NULL, NULL, NULL, ro);
  props[PROP_FILE_NAME] = g_param_spec_string ("file-name", NULL, NULL, NULL, ro);
  props[PROP_SIZE] = g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1, ro);
  props[PROP_METHOD] = g_param_spec_enum (
    "method", NULL, NULL, FLINT_TYPE_TRANSFER_METHOD, FLINT_TRANSFER_METHOD_NONE, ro);
  props[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FLINT_TYPE_TRANSFER_STATE,
                                         FLINT_TRANSFER_PENDING, ro);
  props[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  props[PROP_BYTES_DONE] =
    g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  props[PROP_SPEED] = g_param_spec_double ("speed", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  props[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, ro);
  props[PROP_LOCAL_PATH] = g_param_spec_string ("local-path", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
flint_transfer_init (FlintTransfer *self)
{
  self->size = -1;
}

FlintTransfer *
flint_transfer_new (FlintTransferDirection direction,
                    const char *peer,
                    const char *file_name,
                    gint64 size)
{
  static guint next_id = 1;
  FlintTransfer *self = g_object_new (FLINT_TYPE_TRANSFER, NULL);

  self->id = next_id++;
  self->direction = direction;
  self->peer = g_strdup (peer);
  self->file_name = g_strdup (file_name);
  self->size = size < 0 ? -1 : size;
  return self;
}

guint
flint_transfer_get_id (FlintTransfer *self)
{
  return self->id;
}

FlintTransferDirection
flint_transfer_get_direction (FlintTransfer *self)
{
  return self->direction;
}

const char *
flint_transfer_get_peer (FlintTransfer *self)
{
  return self->peer;
}

const char *
flint_transfer_get_file_name (FlintTransfer *self)
{
  return self->file_name;
}

void
flint_transfer_set_file_name (FlintTransfer *self, const char *file_name)
{
  if (g_strcmp0 (self->file_name, file_name) == 0)
    return;
  g_free (self->file_name);
  self->file_name = g_strdup (file_name);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FILE_NAME]);
}

gint64
flint_transfer_get_size (FlintTransfer *self)
{
  return self->size;
}

/* For downloads, which learn the size only from the response. */
void
flint_transfer_set_size (FlintTransfer *self, gint64 size)
{
  if (self->size == size)
    return;
  self->size = size < 0 ? -1 : size;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SIZE]);
}

#define STRING_ACCESSORS(field)                                                          \
  const char *flint_transfer_get_##field (FlintTransfer *self) { return self->field; }   \
  void flint_transfer_set_##field (FlintTransfer *self, const char *value)               \
  {                                                                                      \
    g_free (self->field);                                                                \
    self->field = g_strdup (value);                                                      \
  }

STRING_ACCESSORS (description)
STRING_ACCESSORS (mime_type)
STRING_ACCESSORS (hash)
STRING_ACCESSORS (url)

const char *
flint_transfer_get_local_path (FlintTransfer *self)
{
  return self->local_path;
}

void
flint_transfer_set_local_path (FlintTransfer *self, const char *path)
{
  if (g_strcmp0 (self->local_path, path) == 0)
    return;
  g_free (self->local_path);
  self->local_path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOCAL_PATH]);
}

FlintTransferMethod
flint_transfer_get_method (FlintTransfer *self)
{
  return self->method;
}

void
flint_transfer_set_method (FlintTransfer *self, FlintTransferMethod method)
{
  if (self->method == method)
    return;
  self->method = method;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_METHOD]);
}

FlintTransferState
flint_transfer_get_state (FlintTransfer *self)
{
  return self->state;
}

gboolean
flint_transfer_is_finished (FlintTransfer *self)
{
  return self->state >= FLINT_TRANSFER_COMPLETE;
}

/* A final state is final: a late "complete" after a cancel (or the other way
 * round) is ignored, and FALSE says so. */
gboolean
flint_transfer_set_state (FlintTransfer *self, FlintTransferState state)
{
  if (flint_transfer_is_finished (self) || self->state == state)
    return FALSE;
  self->state = state;
  if (state == FLINT_TRANSFER_ACTIVE)
    {
      /* The speed window starts at the next progress update. */
      self->window_start_us = 0;
    }
  if (flint_transfer_is_finished (self))
    {
      self->speed = 0;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BYTES_DONE]);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FRACTION]);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SPEED]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  return TRUE;
}

/* Ends the transfer as failed with error's (translated) message. */
gboolean
flint_transfer_fail (FlintTransfer *self, const GError *error)
{
  if (flint_transfer_is_finished (self))
    return FALSE;
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ERROR_MESSAGE]);
  return flint_transfer_set_state (self, FLINT_TRANSFER_FAILED);
}

const GError *
flint_transfer_get_error (FlintTransfer *self)
{
  return self->error;
}

guint64
flint_transfer_get_bytes_done (FlintTransfer *self)
{
  return self->bytes_done;
}

void
flint_transfer_set_bytes_done (FlintTransfer *self, guint64 bytes)
{
  flint_transfer_set_bytes_done_at (self, bytes, g_get_monotonic_time ());
}

/* now_us lets tests drive the clock. */
void
flint_transfer_set_bytes_done_at (FlintTransfer *self, guint64 bytes, gint64 now_us)
{
  gint64 elapsed;
  gboolean at_end;

  self->bytes_done = bytes;
  if (self->window_start_us == 0 || now_us < self->window_start_us ||
      bytes < self->window_start_bytes)
    {
      self->window_start_us = now_us;
      self->window_start_bytes = bytes;
    }
  elapsed = now_us - self->window_start_us;
  if (elapsed >= SPEED_WINDOW_US)
    {
      double rate =
        (double) (bytes - self->window_start_bytes) * G_USEC_PER_SEC / elapsed;

      self->speed = self->speed > 0
                      ? SPEED_SMOOTHING * rate + (1 - SPEED_SMOOTHING) * self->speed
                      : rate;
      self->window_start_us = now_us;
      self->window_start_bytes = bytes;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SPEED]);
    }
  at_end = self->size >= 0 && bytes >= (guint64) self->size;
  if (at_end || now_us - self->last_notify_us >= NOTIFY_INTERVAL_US)
    {
      self->last_notify_us = now_us;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BYTES_DONE]);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FRACTION]);
    }
}

double
flint_transfer_get_speed (FlintTransfer *self)
{
  return self->speed;
}

/* -1 while unknown (no size or no speed yet). */
gint64
flint_transfer_get_seconds_left (FlintTransfer *self)
{
  if (self->size < 0 || self->speed <= 0 || flint_transfer_is_finished (self))
    return -1;
  if (self->bytes_done >= (guint64) self->size)
    return 0;
  return (gint64) ceil ((double) ((guint64) self->size - self->bytes_done) / self->speed);
}

double
flint_transfer_get_fraction (FlintTransfer *self)
{
  if (self->state == FLINT_TRANSFER_COMPLETE)
    return 1.0;
  if (self->size <= 0)
    return 0.0;
  return MIN (1.0, (double) self->bytes_done / (double) self->size);
}

static const char *
enum_nick (GType type, int value)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  return v ? v->value_nick : "unknown";
}

const char *
flint_transfer_method_to_string (FlintTransferMethod method)
{
  return enum_nick (FLINT_TYPE_TRANSFER_METHOD, method);
}

const char *
flint_transfer_state_to_string (FlintTransferState state)
{
  return enum_nick (FLINT_TYPE_TRANSFER_STATE, state);
}

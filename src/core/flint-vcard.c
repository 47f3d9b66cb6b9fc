/* FlintVCard: XEP-0054 vCards, shown for contacts and edited for ourselves. */
#include "config.h"

#define G_LOG_DOMAIN "flint-vcard"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "flint-error.h"
#include "flint-stanza.h"
#include "flint-vcard.h"

/* Where each field lives: an element path below <vCard/>. */
static const char *const paths[FLINT_VCARD_N_FIELDS][3] = {
  [FLINT_VCARD_FULL_NAME] = { "FN", NULL },
  [FLINT_VCARD_NICKNAME] = { "NICKNAME", NULL },
  [FLINT_VCARD_EMAIL] = { "EMAIL", "USERID", NULL },
  [FLINT_VCARD_PHONE] = { "TEL", "NUMBER", NULL },
  [FLINT_VCARD_ORGANIZATION] = { "ORG", "ORGNAME", NULL },
  [FLINT_VCARD_UNIT] = { "ORG", "ORGUNIT", NULL },
  [FLINT_VCARD_TITLE] = { "TITLE", NULL },
  [FLINT_VCARD_URL] = { "URL", NULL },
  [FLINT_VCARD_NOTE] = { "DESC", NULL },
};

/* Shown text is bounded: a vCard is not a place for megabytes of text. */
#define MAX_FIELD_CHARS 4096

struct _FlintVCard
{
  GObject parent_instance;

  xmpp_ctx_t *ctx;         /* of original, kept alive by it */
  xmpp_stanza_t *original; /* a copy of the parsed element, or NULL */
  char *values[FLINT_VCARD_N_FIELDS];
  gboolean edited[FLINT_VCARD_N_FIELDS];
  GBytes *photo;
  char *photo_type;
};

G_DEFINE_FINAL_TYPE (FlintVCard, flint_vcard, G_TYPE_OBJECT)

static xmpp_stanza_t *
find_path (xmpp_stanza_t *vcard, const char *const *path)
{
  xmpp_stanza_t *at = vcard;

  for (guint i = 0; at && path[i]; i++)
    at = xmpp_stanza_get_child_by_name (at, path[i]);
  return at;
}

static char *
text_of (xmpp_stanza_t *element)
{
  char *text = element ? xmpp_stanza_get_text (element) : NULL;
  char *copy = NULL;

  if (text && g_utf8_validate (text, -1, NULL))
    {
      copy = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), MAX_FIELD_CHARS));
      g_strstrip (copy);
    }
  if (text)
    xmpp_free (xmpp_stanza_get_context (element), text);
  return copy;
}

FlintVCard *
flint_vcard_parse (xmpp_stanza_t *vcard)
{
  FlintVCard *self = flint_vcard_new ();
  xmpp_stanza_t *photo;

  if (vcard == NULL)
    return self;
  self->original = xmpp_stanza_copy (vcard);
  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    self->values[f] = text_of (find_path (vcard, paths[f]));
  photo = xmpp_stanza_get_child_by_name (vcard, "PHOTO");
  if (photo)
    {
      xmpp_stanza_t *binval = xmpp_stanza_get_child_by_name (photo, "BINVAL");
      /* Taken whole, not through text_of(): a photo is long. */
      char *raw = binval ? xmpp_stanza_get_text (binval) : NULL;

      if (raw)
        {
          gsize len = 0;
          guchar *data;

          data = g_base64_decode (raw, &len);
          if (data && len > 0)
            self->photo = g_bytes_new_take (data, len);
          else
            g_free (data);
          xmpp_free (xmpp_stanza_get_context (binval), raw);
        }
      self->photo_type = text_of (xmpp_stanza_get_child_by_name (photo, "TYPE"));
    }
  return self;
}

const char *
flint_vcard_get (FlintVCard *self, FlintVCardField field)
{
  g_return_val_if_fail (FLINT_IS_VCARD (self) && field < FLINT_VCARD_N_FIELDS, NULL);
  return self->values[field];
}

void
flint_vcard_set (FlintVCard *self, FlintVCardField field, const char *value)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value ? value : ""));

  g_return_if_fail (FLINT_IS_VCARD (self) && field < FLINT_VCARD_N_FIELDS);
  if (g_strcmp0 (self->values[field] ? self->values[field] : "", trimmed) == 0)
    return;
  g_free (self->values[field]);
  self->values[field] = *trimmed ? g_steal_pointer (&trimmed) : NULL;
  self->edited[field] = TRUE;
}

GBytes *
flint_vcard_get_photo (FlintVCard *self)
{
  return self->photo;
}

const char *
flint_vcard_get_photo_type (FlintVCard *self)
{
  return self->photo_type;
}

gboolean
flint_vcard_is_empty (FlintVCard *self)
{
  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    if (self->values[f])
      return FALSE;
  return self->photo == NULL;
}

static void
add_text (xmpp_stanza_t *parent, const char *name, const char *text)
{
  flint_stanza_add_child (parent, name, NULL, text);
}

/* The element a field of the first kind shown lives in (EMAIL, TEL, ORG). */
static gboolean
replaced (FlintVCard *self, const char *name, gboolean *first_seen)
{
  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    {
      if (!self->edited[f] || !g_str_equal (paths[f][0], name))
        continue;
      if (paths[f][1] == NULL || g_str_equal (name, "ORG"))
        return TRUE;
      /* EMAIL and TEL: only the first one is the one shown and edited. */
      if (!*first_seen)
        {
          *first_seen = TRUE;
          return TRUE;
        }
    }
  return FALSE;
}

xmpp_stanza_t *
flint_vcard_to_stanza (FlintVCard *self, xmpp_ctx_t *ctx)
{
  xmpp_stanza_t *vcard = flint_stanza_new (ctx, "vCard", FLINT_NS_VCARD);
  xmpp_stanza_t *original = NULL;
  gboolean email_seen = FALSE, tel_seen = FALSE, org_edited;

  if (self->original)
    {
      /* Re-read in the caller's context, so it can be sent from there. */
      char *text = NULL;
      size_t len = 0;

      if (xmpp_stanza_to_text (self->original, &text, &len) == XMPP_EOK && text)
        {
          original = xmpp_stanza_new_from_string (ctx, text);
          xmpp_free (xmpp_stanza_get_context (self->original), text);
        }
    }
  /* What Flint does not edit is kept as it came, in its order. */
  for (xmpp_stanza_t *c = original ? xmpp_stanza_get_children (original) : NULL; c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_get_name (c);
      xmpp_stanza_t *copy;

      if (!xmpp_stanza_is_tag (c) || name == NULL)
        continue;
      if (g_str_equal (name, "EMAIL") ? replaced (self, name, &email_seen)
          : g_str_equal (name, "TEL") ? replaced (self, name, &tel_seen)
                                      : replaced (self, name, &(gboolean){ FALSE }))
        continue;
      copy = xmpp_stanza_copy (c);
      xmpp_stanza_add_child (vcard, copy);
      xmpp_stanza_release (copy);
    }
  if (original)
    xmpp_stanza_release (original);

  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    {
      const char *value = self->values[f];

      if (!self->edited[f] || value == NULL || paths[f][1] != NULL)
        continue;
      add_text (vcard, paths[f][0], value);
    }
  if (self->edited[FLINT_VCARD_EMAIL] && self->values[FLINT_VCARD_EMAIL])
    {
      xmpp_stanza_t *email = flint_stanza_add_child (vcard, "EMAIL", NULL, NULL);

      add_text (email, "INTERNET", NULL);
      add_text (email, "USERID", self->values[FLINT_VCARD_EMAIL]);
    }
  if (self->edited[FLINT_VCARD_PHONE] && self->values[FLINT_VCARD_PHONE])
    {
      xmpp_stanza_t *tel = flint_stanza_add_child (vcard, "TEL", NULL, NULL);

      add_text (tel, "WORK", NULL);
      add_text (tel, "VOICE", NULL);
      add_text (tel, "NUMBER", self->values[FLINT_VCARD_PHONE]);
    }
  org_edited = self->edited[FLINT_VCARD_ORGANIZATION] || self->edited[FLINT_VCARD_UNIT];
  if (org_edited &&
      (self->values[FLINT_VCARD_ORGANIZATION] || self->values[FLINT_VCARD_UNIT]))
    {
      xmpp_stanza_t *org = flint_stanza_add_child (vcard, "ORG", NULL, NULL);

      add_text (org, "ORGNAME",
                self->values[FLINT_VCARD_ORGANIZATION]
                  ? self->values[FLINT_VCARD_ORGANIZATION]
                  : "");
      if (self->values[FLINT_VCARD_UNIT])
        add_text (org, "ORGUNIT", self->values[FLINT_VCARD_UNIT]);
    }
  return vcard;
}

/* ---- fetch and publish ---------------------------------------------------- */

static void
on_fetched (FlintSession *session,
            xmpp_stanza_t *result,
            const GError *error,
            gpointer data)
{
  g_autoptr (GTask) task = data;
  xmpp_stanza_t *vcard;
  const char *type = result ? xmpp_stanza_get_type (result) : NULL;

  if (result == NULL)
    {
      g_task_return_error (
        task, error ? g_error_copy (error)
                    : g_error_new_literal (FLINT_ERROR, FLINT_ERROR_TIMEOUT,
                                           flint_error_describe (FLINT_ERROR_TIMEOUT)));
      return;
    }
  if (g_strcmp0 (type, "error") == 0)
    {
      xmpp_stanza_t *err = xmpp_stanza_get_child_by_name (result, "error");

      /* No vCard stored: an empty one, the user can fill it in. */
      if (err && (xmpp_stanza_get_child_by_name (err, "item-not-found") ||
                  xmpp_stanza_get_child_by_name (err, "service-unavailable")))
        {
          g_task_return_pointer (task, flint_vcard_new (), g_object_unref);
          return;
        }
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  vcard = xmpp_stanza_get_child_by_name_and_ns (result, "vCard", FLINT_NS_VCARD);
  g_task_return_pointer (task, flint_vcard_parse (vcard), g_object_unref);
}

void
flint_vcard_fetch_async (FlintSession *session,
                         const char *jid,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  xmpp_ctx_t *ctx = flint_session_get_context (session);
  GTask *task = g_task_new (session, cancellable, callback, user_data);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", NULL);
  xmpp_stanza_t *vcard = flint_stanza_new (ctx, "vCard", FLINT_NS_VCARD);
  g_autofree char *id = flint_session_new_id (session);

  g_task_set_source_tag (task, flint_vcard_fetch_async);
  g_task_set_check_cancellable (task, TRUE);
  xmpp_stanza_set_id (iq, id);
  if (jid)
    xmpp_stanza_set_to (iq, jid);
  xmpp_stanza_add_child (iq, vcard);
  xmpp_stanza_release (vcard);
  flint_session_send_iq (session, iq, on_fetched, task);
  xmpp_stanza_release (iq);
}

FlintVCard *
flint_vcard_fetch_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_published (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer data)
{
  g_autoptr (GTask) task = data;

  if (result == NULL || error)
    g_task_return_error (
      task, error ? g_error_copy (error)
                  : g_error_new_literal (FLINT_ERROR, FLINT_ERROR_TIMEOUT,
                                         flint_error_describe (FLINT_ERROR_TIMEOUT)));
  else
    g_task_return_boolean (task, TRUE);
}

void
flint_vcard_publish_async (FlintSession *session,
                           FlintVCard *vcard,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  xmpp_ctx_t *ctx = flint_session_get_context (session);
  GTask *task = g_task_new (session, cancellable, callback, user_data);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", NULL);
  xmpp_stanza_t *element = flint_vcard_to_stanza (vcard, ctx);
  g_autofree char *id = flint_session_new_id (session);

  g_task_set_source_tag (task, flint_vcard_publish_async);
  xmpp_stanza_set_id (iq, id);
  xmpp_stanza_add_child (iq, element);
  xmpp_stanza_release (element);
  flint_session_send_iq (session, iq, on_published, task);
  xmpp_stanza_release (iq);
}

gboolean
flint_vcard_publish_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
flint_vcard_finalize (GObject *object)
{
  FlintVCard *self = FLINT_VCARD (object);

  if (self->original)
    xmpp_stanza_release (self->original);
  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    g_free (self->values[f]);
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_free (self->photo_type);
  G_OBJECT_CLASS (flint_vcard_parent_class)->finalize (object);
}

static void
flint_vcard_class_init (FlintVCardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = flint_vcard_finalize;
}

static void
flint_vcard_init (FlintVCard *self)
{
}

FlintVCard *
flint_vcard_new (void)
{
  return g_object_new (FLINT_TYPE_VCARD, NULL);
}

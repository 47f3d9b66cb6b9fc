#pragma once

#include <gio/gio.h>
#include <strophe.h>

#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_NS_VCARD "vcard-temp"

/* The vCard fields Flint shows and edits. */
typedef enum
{
  FLINT_VCARD_FULL_NAME,
  FLINT_VCARD_NICKNAME,
  FLINT_VCARD_EMAIL,
  FLINT_VCARD_PHONE,
  FLINT_VCARD_ORGANIZATION,
  FLINT_VCARD_UNIT,
  FLINT_VCARD_TITLE,
  FLINT_VCARD_URL,
  FLINT_VCARD_NOTE,
  FLINT_VCARD_N_FIELDS
} FlintVCardField;

#define FLINT_TYPE_VCARD (flint_vcard_get_type ())
G_DECLARE_FINAL_TYPE (FlintVCard, flint_vcard, FLINT, VCARD, GObject)

/* An XEP-0054 vCard. Parsed from <vCard xmlns='vcard-temp'/>, it keeps the
 * whole element, so writing it back after an edit changes only the fields
 * edited: the photo, addresses and anything else Flint does not show stay
 * as they were. */
FlintVCard *flint_vcard_new (void);
FlintVCard *flint_vcard_parse (xmpp_stanza_t *vcard);

const char *flint_vcard_get (FlintVCard *self, FlintVCardField field);
/* NULL or "" removes the field. */
void flint_vcard_set (FlintVCard *self, FlintVCardField field, const char *value);
/* The decoded PHOTO/BINVAL, or NULL. */
GBytes *flint_vcard_get_photo (FlintVCard *self);
const char *flint_vcard_get_photo_type (FlintVCard *self);
gboolean flint_vcard_is_empty (FlintVCard *self);

/* The <vCard/> to publish (the caller releases it). */
xmpp_stanza_t *flint_vcard_to_stanza (FlintVCard *self, xmpp_ctx_t *ctx);

/* jid NULL: our own. Fails with the server's error text; an empty vCard
 * (item-not-found, or none stored) is an empty FlintVCard, not an error. */
void flint_vcard_fetch_async (FlintSession *session,
                              const char *jid,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
FlintVCard *flint_vcard_fetch_finish (GAsyncResult *result, GError **error);
void flint_vcard_publish_async (FlintSession *session,
                                FlintVCard *vcard,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean flint_vcard_publish_finish (GAsyncResult *result, GError **error);

G_END_DECLS

#pragma once

#include "flint-roster.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_AVATARS_MAX_BYTES (1024 * 1024)

#define FLINT_TYPE_AVATARS (flint_avatars_get_type ())
G_DECLARE_FINAL_TYPE (FlintAvatars, flint_avatars, FLINT, AVATARS, GObject)

/* Avatars of one account: XEP-0153 vCard photo hashes in presence (the
 * image fetched with a XEP-0054 vCard request) and XEP-0084 PEP metadata
 * notifications (the image fetched from the urn:xmpp:avatar:data node),
 * PEP winning where a contact has both. Each image is verified against
 * its SHA-1, fetched once however many contacts share it, and kept under
 * $XDG_CACHE_HOME/flint/avatars/<sha1>; which contact has which hash is
 * kept in an index there too, so avatars show at the next start before the
 * network answers. The roster's contacts get their avatar-path set.
 *
 * Our own avatar is fetched from our vCard at each new session and
 * announced in our presence (vcard-temp:x:update).
 *
 * Signal "avatar-changed" (const char *bare_jid): the image of that JID
 * (our own included) changed or went away. */
FlintAvatars *flint_avatars_new (FlintSession *session, FlintRoster *roster);

/* The cached image file of @jid (any form; the bare JID counts), or NULL. */
char *flint_avatars_get_path (FlintAvatars *self, const char *jid);
/* The SHA-1 (hex) of @jid's avatar, or NULL. */
const char *flint_avatars_get_hash (FlintAvatars *self, const char *jid);
char *flint_avatars_get_own_path (FlintAvatars *self);
const char *flint_avatars_get_cache_dir (FlintAvatars *self);

/* Publishes @image (PNG or JPEG bytes of @type, at most
 * FLINT_AVATARS_MAX_BYTES; NULL removes our avatar) as our XEP-0084 avatar
 * and our vCard photo. When either is accepted it becomes our own avatar
 * here too; the error (translated) says when neither was. */
void flint_avatars_set_own_async (FlintAvatars *self,
                                  GBytes *image,
                                  const char *type,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean
flint_avatars_set_own_finish (FlintAvatars *self, GAsyncResult *result, GError **error);

/* Writes the index now if a change is waiting to be written (at quit). */
void flint_avatars_save_now (FlintAvatars *self);

/* Images asked of the network so far (vCard and PEP data requests). For
 * tests. */
guint flint_avatars_get_n_fetches (FlintAvatars *self);

/* Decodes a base64 image (whitespace and line breaks allowed) and checks
 * that its SHA-1 is @expected_sha1 (hex, any case) when that is not NULL.
 * Returns NULL for bad base64, an empty or too large image (more than
 * FLINT_AVATARS_MAX_BYTES) or a hash mismatch; on success the hex SHA-1
 * is returned in @out_sha1 if not NULL. */
GBytes *
flint_avatars_decode (const char *base64, const char *expected_sha1, char **out_sha1);

/* Whether @hash is a SHA-1 in hex (40 digits). */
gboolean flint_avatars_is_sha1 (const char *hash);

G_END_DECLS

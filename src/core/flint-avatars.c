/* FlintAvatars: XEP-0153/0054 vCard and XEP-0084 PEP avatars.
 *
 * Presence (vcard-temp:x:update) and PEP metadata events only name a
 * SHA-1; the image is asked for once per hash (whoever else advertises the
 * same hash meanwhile waits for that one request), checked against the
 * hash, written atomically to the cache, and only then given to the
 * contacts waiting for it. A contact whose PEP metadata we have seen in
 * this session is no longer taken from its presence: clients that do both
 * keep PEP current and the vCard hash sometimes stale. */
#include "config.h"

#define G_LOG_DOMAIN "flint-avatars"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "flint-avatars-private.h"
#include "flint-error.h"
#include "flint-jid.h"
#include "flint-stanza.h"

#define NS_VCARD "vcard-temp"
#define NS_VCARD_UPDATE "vcard-temp:x:update"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_PUBSUB "http://jabber.org/protocol/pubsub"
#define NS_PUBSUB_EVENT "http://jabber.org/protocol/pubsub#event"
#define NS_AVATAR_DATA "urn:xmpp:avatar:data"
#define NS_AVATAR_METADATA "urn:xmpp:avatar:metadata"

#define SAVE_DELAY_MS 1000

struct _FlintAvatars
{
  GObject parent_instance;

  FlintSession *session;
  FlintRoster *roster;
  guint presence_handler;
  guint message_handler;

  char *account;    /* our bare JID, normalized */
  char *dir;        /* the image cache, shared by accounts */
  char *index_path; /* this account's jid -> hash index */

  GHashTable *hashes;   /* bare JID -> hash of the image it shows */
  GHashTable *pending;  /* bare JID -> advertised hash not cached yet */
  GHashTable *fetching; /* hashes being asked for */
  GHashTable *present;  /* hashes known to be on disk */
  GHashTable *pep_jids; /* JIDs whose PEP metadata we have seen */
  GHashTable *checking; /* JIDs whose PEP metadata we are asking for */
  GHashTable *refused;  /* "jid hash" whose vCard did not match: not again */
  GHashTable *disputed; /* JID -> the presence hash that made us check PEP */
  gboolean own_known;   /* whether hashes[account] is known to be current */
  guint save_id;
  guint n_fetches;
};

G_DEFINE_FINAL_TYPE (FlintAvatars, flint_avatars, G_TYPE_OBJECT)

enum
{
  SIGNAL_AVATAR_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- pure helpers -------------------------------------------------------- */

gboolean
flint_avatars_is_sha1 (const char *hash)
{
  if (hash == NULL || strlen (hash) != 40)
    return FALSE;
  for (guint i = 0; i < 40; i++)
    if (!g_ascii_isxdigit (hash[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

GBytes *
flint_avatars_decode (const char *base64, const char *expected_sha1, char **out_sha1)
{
  g_autoptr (GString) clean = NULL;
  g_autofree guchar *data = NULL;
  g_autofree char *sha1 = NULL;
  gsize len = 0, padding = 0;

  if (out_sha1)
    *out_sha1 = NULL;
  if (base64 == NULL)
    return NULL;

  clean = g_string_sized_new (strlen (base64));
  for (const char *p = base64; *p; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (*p == '=')
        padding++;
      else if (!is_base64_char (*p) || padding > 0)
        return NULL; /* a stray character, or data after the padding */
      g_string_append_c (clean, *p);
    }
  if (clean->len == 0 || clean->len % 4 != 0 || padding > 2)
    return NULL;
  /* Before decoding: 4 characters make 3 bytes. */
  if (clean->len / 4 * 3 - padding > FLINT_AVATARS_MAX_BYTES)
    return NULL;

  data = g_base64_decode (clean->str, &len);
  if (data == NULL || len == 0 || len > FLINT_AVATARS_MAX_BYTES)
    return NULL;
  sha1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1, data, len);
  if (expected_sha1 && g_ascii_strcasecmp (sha1, expected_sha1) != 0)
    return NULL;
  if (out_sha1)
    *out_sha1 = g_steal_pointer (&sha1);
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static char *
bare_key (const char *jid)
{
  g_autofree char *bare = NULL;

  if (jid == NULL || !flint_jid_is_valid (jid))
    return NULL;
  bare = flint_jid_bare (jid);
  return bare ? flint_jid_normalize (bare) : NULL;
}

static char *
element_text (xmpp_stanza_t *stanza)
{
  char *text = xmpp_stanza_get_text (stanza);
  char *copy = g_strdup (text ? text : "");

  if (text)
    xmpp_free (xmpp_stanza_get_context (stanza), text);
  return copy;
}

static char *
image_path (FlintAvatars *self, const char *hash)
{
  return g_build_filename (self->dir, hash, NULL);
}

/* ---- the index ----------------------------------------------------------- */

static void
load_index (FlintAvatars *self)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (self->index_path, &contents, NULL, NULL))
    return;
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_debug ("Ignoring the unreadable avatar index %s", self->index_path);
      return;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], " ", 2);
      g_autofree char *key = NULL;

      if (g_strv_length (fields) != 2 || !flint_avatars_is_sha1 (fields[1]) ||
          (key = bare_key (fields[0])) == NULL)
        continue;
      g_hash_table_replace (self->hashes, g_steal_pointer (&key),
                            g_ascii_strdown (fields[1], -1));
    }
  self->own_known = g_hash_table_contains (self->hashes, self->account);
}

static void
on_index_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_debug ("Could not save the avatar index: %s", error->message);
}

static GBytes *
index_contents (FlintAvatars *self)
{
  GString *text = g_string_new (NULL);
  GHashTableIter iter;
  const char *jid, *hash;

  g_hash_table_iter_init (&iter, self->hashes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &jid, (gpointer *) &hash))
    g_string_append_printf (text, "%s %s\n", jid, hash);
  return g_string_free_to_bytes (text);
}

static gboolean
save_index (gpointer data)
{
  FlintAvatars *self = data;
  g_autoptr (GBytes) contents = index_contents (self);
  g_autoptr (GFile) file = g_file_new_for_path (self->index_path);

  self->save_id = 0;
  /* Written beside and renamed over: never half an index. */
  g_file_replace_contents_bytes_async (file, contents, NULL, FALSE, G_FILE_CREATE_NONE,
                                       NULL, on_index_saved, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (FlintAvatars *self)
{
  if (self->save_id == 0)
    self->save_id = g_timeout_add (SAVE_DELAY_MS, save_index, self);
}

/* ---- showing ------------------------------------------------------------- */

static void
update_own_presence (FlintAvatars *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  const char *hash = g_hash_table_lookup (self->hashes, self->account);
  xmpp_stanza_t *x = flint_stanza_new (ctx, "x", NS_VCARD_UPDATE);

  /* XEP-0153 §4.2: an <x/> without <photo/> says we do not know yet. */
  if (self->own_known)
    flint_stanza_add_child (x, "photo", NULL, hash);
  flint_session_set_presence_extension (self->session, x);
  xmpp_stanza_release (x);
}

static void
apply_to_contact (FlintAvatars *self, FlintContact *contact)
{
  g_autofree char *path = flint_avatars_get_path (self, flint_contact_get_jid (contact));

  flint_contact_set_avatar_path (contact, path);
}

static void
changed (FlintAvatars *self, const char *jid)
{
  FlintContact *contact = self->roster ? flint_roster_lookup (self->roster, jid) : NULL;

  if (contact)
    apply_to_contact (self, contact);
  if (g_str_equal (jid, self->account))
    update_own_presence (self);
  schedule_save (self);
  g_signal_emit (self, signals[SIGNAL_AVATAR_CHANGED], 0, jid);
}

static void
set_hash (FlintAvatars *self, const char *jid, const char *hash)
{
  gboolean learnt_own = g_str_equal (jid, self->account) && !self->own_known;

  if (g_str_equal (jid, self->account))
    self->own_known = TRUE;
  g_hash_table_remove (self->pending, jid);
  if (hash == NULL)
    {
      /* Only a change counts: our own presence, echoed by the server with
       * an empty <photo/>, must not send presence again (a loop). */
      if (g_hash_table_remove (self->hashes, jid) || learnt_own)
        changed (self, jid);
      return;
    }
  if (g_strcmp0 (g_hash_table_lookup (self->hashes, jid), hash) == 0)
    return;
  g_hash_table_replace (self->hashes, g_strdup (jid), g_strdup (hash));
  changed (self, jid);
}

/* Every JID that waited for @hash now shows it. */
static void
resolve_pending (FlintAvatars *self, const char *hash)
{
  g_autoptr (GPtrArray) ready = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *jid, *wanted;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, (gpointer *) &jid, (gpointer *) &wanted))
    if (g_str_equal (wanted, hash))
      g_ptr_array_add (ready, g_strdup (jid));
  for (guint i = 0; i < ready->len; i++)
    set_hash (self, ready->pdata[i], hash);
}

static void
drop_pending (FlintAvatars *self, const char *hash)
{
  GHashTableIter iter;
  const char *wanted;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &wanted))
    if (g_str_equal (wanted, hash))
      g_hash_table_iter_remove (&iter);
}

static gboolean
is_cached (FlintAvatars *self, const char *hash)
{
  g_autofree char *path = NULL;

  if (g_hash_table_contains (self->present, hash))
    return TRUE;
  if (g_hash_table_contains (self->fetching, hash))
    return FALSE; /* being written */
  path = image_path (self, hash);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  g_hash_table_add (self->present, g_strdup (hash));
  return TRUE;
}

/* ---- storing ------------------------------------------------------------- */

typedef struct
{
  GWeakRef avatars;
  char *hash;
  char *path;
  GBytes *bytes;
} Store;

static void
store_free (Store *store)
{
  g_weak_ref_clear (&store->avatars);
  g_free (store->hash);
  g_free (store->path);
  g_bytes_unref (store->bytes);
  g_free (store);
}

/* g_file_set_contents() writes beside and renames over, even for a new
 * file (GIO's replace writes a new file in place): nobody ever reads half
 * an image under its hash, not even after a crash. */
static void
store_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Store *store = data;
  GError *error = NULL;
  gsize size = 0;
  const char *bytes = g_bytes_get_data (store->bytes, &size);

  if (g_file_set_contents (store->path, bytes, (gssize) size, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_image_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Store *store = g_task_get_task_data (G_TASK (result));
  g_autoptr (FlintAvatars) self = g_weak_ref_get (&store->avatars);
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (self == NULL)
    return;
  g_hash_table_remove (self->fetching, store->hash);
  if (ok)
    {
      g_hash_table_add (self->present, g_strdup (store->hash));
      resolve_pending (self, store->hash);
    }
  else
    {
      g_debug ("Could not cache avatar %s: %s", store->hash, error->message);
      drop_pending (self, store->hash);
    }
}

static void
store_image (FlintAvatars *self, const char *hash, GBytes *bytes)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, on_image_stored, NULL);
  Store *store = g_new0 (Store, 1);

  g_weak_ref_init (&store->avatars, self);
  store->hash = g_strdup (hash);
  store->path = image_path (self, hash);
  store->bytes = g_bytes_ref (bytes);
  g_task_set_task_data (task, store, (GDestroyNotify) store_free);
  /* Still "fetching" until it is on disk: nobody asks for it again. */
  g_hash_table_add (self->fetching, g_strdup (hash));
  g_task_run_in_thread (task, store_in_thread);
}

/* ---- fetching ------------------------------------------------------------ */

typedef enum
{
  SOURCE_VCARD,
  SOURCE_PEP,
} Source;

typedef struct
{
  GWeakRef avatars;
  char *jid;
  char *hash; /* NULL: our own vCard, whatever its photo */
  Source source;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_weak_ref_clear (&fetch->avatars);
  g_free (fetch->jid);
  g_free (fetch->hash);
  g_free (fetch);
}

static char *
photo_from_vcard (xmpp_stanza_t *result, gboolean *has_photo)
{
  xmpp_stanza_t *vcard = xmpp_stanza_get_child_by_name_and_ns (result, "vCard", NS_VCARD);
  xmpp_stanza_t *photo = vcard ? xmpp_stanza_get_child_by_name (vcard, "PHOTO") : NULL;
  xmpp_stanza_t *binval = photo ? xmpp_stanza_get_child_by_name (photo, "BINVAL") : NULL;

  *has_photo = binval != NULL;
  return binval ? element_text (binval) : NULL;
}

static char *
data_from_pubsub (xmpp_stanza_t *result)
{
  xmpp_stanza_t *pubsub =
    xmpp_stanza_get_child_by_name_and_ns (result, "pubsub", NS_PUBSUB);
  xmpp_stanza_t *items = pubsub ? xmpp_stanza_get_child_by_name (pubsub, "items") : NULL;
  xmpp_stanza_t *item = items ? xmpp_stanza_get_child_by_name (items, "item") : NULL;
  xmpp_stanza_t *data =
    item ? xmpp_stanza_get_child_by_name_and_ns (item, "data", NS_AVATAR_DATA) : NULL;

  return data ? element_text (data) : NULL;
}

static void
on_fetch_reply (FlintSession *session,
                xmpp_stanza_t *result,
                const GError *error,
                gpointer user_data)
{
  Fetch *fetch = user_data;
  g_autoptr (FlintAvatars) self = g_weak_ref_get (&fetch->avatars);
  g_autofree char *base64 = NULL;
  g_autofree char *hash = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gboolean has_photo = FALSE;

  if (self == NULL)
    {
      fetch_free (fetch);
      return;
    }
  if (fetch->hash)
    g_hash_table_remove (self->fetching, fetch->hash);

  if (error || result == NULL)
    {
      g_debug ("Avatar %s of %s: %s", fetch->hash ? fetch->hash : "(own vCard)",
               fetch->jid, error ? error->message : "no answer");
      if (fetch->hash)
        drop_pending (self, fetch->hash);
      fetch_free (fetch);
      return;
    }

  if (fetch->source == SOURCE_PEP)
    base64 = data_from_pubsub (result);
  else
    base64 = photo_from_vcard (result, &has_photo);

  if (fetch->hash == NULL && !has_photo)
    {
      /* Our own vCard has no photo: we have no avatar (unless PEP says
       * otherwise, which it then does on its own). */
      if (!g_hash_table_contains (self->pep_jids, fetch->jid))
        set_hash (self, fetch->jid, NULL);
      fetch_free (fetch);
      return;
    }

  bytes = flint_avatars_decode (base64, fetch->hash, &hash);
  if (bytes == NULL)
    {
      g_debug ("Ignoring avatar %s of %s: missing, malformed, too large or not "
               "matching its hash",
               fetch->hash ? fetch->hash : "(own vCard)", fetch->jid);
      if (fetch->hash)
        drop_pending (self, fetch->hash);
      /* Every presence repeats the hash: ask once per session, not each
       * time. (A PEP event is a new publication: that one is asked.) */
      if (fetch->hash && fetch->source == SOURCE_VCARD)
        g_hash_table_add (self->refused,
                          g_strdup_printf ("%s %s", fetch->jid, fetch->hash));
      fetch_free (fetch);
      return;
    }

  if (fetch->hash == NULL)
    {
      if (g_hash_table_contains (self->pep_jids, fetch->jid))
        {
          fetch_free (fetch);
          return;
        }
      g_hash_table_replace (self->pending, g_strdup (fetch->jid), g_strdup (hash));
    }
  if (is_cached (self, hash))
    resolve_pending (self, hash);
  else if (!g_hash_table_contains (self->fetching, hash))
    store_image (self, hash, bytes);
  /* else being written already: its end resolves the JIDs waiting. */
  fetch_free (fetch);
}

static void
send_fetch (FlintAvatars *self, const char *jid, const char *hash, Source source)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", id);
  Fetch *fetch = g_new0 (Fetch, 1);

  g_weak_ref_init (&fetch->avatars, self);
  fetch->jid = g_strdup (jid);
  fetch->hash = g_strdup (hash);
  fetch->source = source;
  if (hash)
    g_hash_table_add (self->fetching, g_strdup (hash));
  self->n_fetches++;

  xmpp_stanza_set_to (iq, jid);
  if (source == SOURCE_PEP)
    {
      xmpp_stanza_t *pubsub = flint_stanza_add_child (iq, "pubsub", NS_PUBSUB, NULL);
      xmpp_stanza_t *items = flint_stanza_add_child (pubsub, "items", NULL, NULL);
      xmpp_stanza_t *item = flint_stanza_add_child (items, "item", NULL, NULL);

      xmpp_stanza_set_attribute (items, "node", NS_AVATAR_DATA);
      xmpp_stanza_set_attribute (item, "id", hash);
    }
  else
    flint_stanza_add_child (iq, "vCard", NS_VCARD, NULL);
  g_debug ("Asking %s for avatar %s", jid, hash ? hash : "(own vCard)");
  flint_session_send_iq (self->session, iq, on_fetch_reply, fetch);
  xmpp_stanza_release (iq);
}

/* @jid advertises @hash (NULL: no avatar) through @source. */
static void
advertise (FlintAvatars *self, const char *jid, const char *hash, Source source)
{
  g_autofree char *lower = hash ? g_ascii_strdown (hash, -1) : NULL;

  if (lower == NULL)
    {
      set_hash (self, jid, NULL);
      return;
    }
  if (g_strcmp0 (g_hash_table_lookup (self->hashes, jid), lower) == 0 &&
      is_cached (self, lower))
    {
      if (g_str_equal (jid, self->account) && !self->own_known)
        set_hash (self, jid, lower);
      g_hash_table_remove (self->pending, jid);
      return;
    }
  if (is_cached (self, lower))
    {
      set_hash (self, jid, lower);
      return;
    }
  g_hash_table_replace (self->pending, g_strdup (jid), g_strdup (lower));
  if (g_hash_table_contains (self->fetching, lower) ||
      flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  send_fetch (self, jid, lower, source);
}

/* ---- stanzas in ---------------------------------------------------------- */

static void handle_metadata (FlintAvatars *self, const char *jid, xmpp_stanza_t *items);

typedef struct
{
  GWeakRef avatars;
  char *jid;
} Check;

static gboolean
is_item_not_found (xmpp_stanza_t *reply)
{
  xmpp_stanza_t *error = reply ? xmpp_stanza_get_child_by_name (reply, "error") : NULL;

  return error && xmpp_stanza_get_child_by_name (error, "item-not-found") != NULL;
}

static void
on_metadata_reply (FlintSession *session,
                   xmpp_stanza_t *result,
                   const GError *error,
                   gpointer user_data)
{
  Check *check = user_data;
  g_autoptr (FlintAvatars) self = g_weak_ref_get (&check->avatars);
  xmpp_stanza_t *pubsub =
    result ? xmpp_stanza_get_child_by_name_and_ns (result, "pubsub", NS_PUBSUB) : NULL;
  xmpp_stanza_t *items = pubsub ? xmpp_stanza_get_child_by_name (pubsub, "items") : NULL;

  if (self)
    {
      g_hash_table_remove (self->checking, check->jid);
      if (items && xmpp_stanza_get_child_by_name (items, "item"))
        handle_metadata (self, check->jid, items);
      else if (items || is_item_not_found (result))
        advertise (self, check->jid, NULL, SOURCE_PEP); /* the node is empty */
      else
        g_debug ("Avatar metadata of %s: %s", check->jid,
                 error ? error->message : "no answer");
    }
  g_weak_ref_clear (&check->avatars);
  g_free (check->jid);
  g_free (check);
}

/* What @jid's PEP metadata says now: asked when its presence disagrees
 * with it (Prosody purges the node without telling anyone when a vCard
 * loses its photo; the presence tells). */
static void
check_metadata (FlintAvatars *self, const char *jid)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = NULL;
  xmpp_stanza_t *iq, *pubsub, *items;
  Check *check;

  if (g_hash_table_contains (self->checking, jid) ||
      flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  g_hash_table_add (self->checking, g_strdup (jid));
  check = g_new0 (Check, 1);
  g_weak_ref_init (&check->avatars, self);
  check->jid = g_strdup (jid);

  id = flint_session_new_id (self->session);
  iq = xmpp_iq_new (ctx, "get", id);
  xmpp_stanza_set_to (iq, jid);
  pubsub = flint_stanza_add_child (iq, "pubsub", NS_PUBSUB, NULL);
  items = flint_stanza_add_child (pubsub, "items", NULL, NULL);
  xmpp_stanza_set_attribute (items, "node", NS_AVATAR_METADATA);
  xmpp_stanza_set_attribute (items, "max_items", "1");
  flint_session_send_iq (self->session, iq, on_metadata_reply, check);
  xmpp_stanza_release (iq);
}

static gboolean
on_presence (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintAvatars *self = user_data;
  g_autofree char *jid = NULL;
  g_autofree char *text = NULL;
  xmpp_stanza_t *x, *photo;

  if (xmpp_stanza_get_type (stanza) != NULL)
    return FALSE;
  /* A room occupant's bare JID is the room's. */
  if (xmpp_stanza_get_child_by_name_and_ns (stanza, "x", NS_MUC_USER))
    return FALSE;
  x = xmpp_stanza_get_child_by_name_and_ns (stanza, "x", NS_VCARD_UPDATE);
  photo = x ? xmpp_stanza_get_child_by_name (x, "photo") : NULL;
  if (photo == NULL || (jid = bare_key (xmpp_stanza_get_from (stanza))) == NULL)
    return FALSE; /* no XEP-0153, or the sender is not ready to tell */
  text = g_strstrip (element_text (photo));
  for (char *p = text; *p; p++)
    *p = g_ascii_tolower (*p);
  if (g_hash_table_contains (self->pep_jids, jid))
    {
      /* PEP wins, but a presence that disagrees makes us look again. */
      const char *wanted = g_hash_table_lookup (self->pending, jid);

      if (wanted == NULL)
        wanted = g_hash_table_lookup (self->hashes, jid);
      if (g_strcmp0 (wanted ? wanted : "", text) != 0 &&
          g_strcmp0 (g_hash_table_lookup (self->disputed, jid), text) != 0)
        {
          g_hash_table_replace (self->disputed, g_strdup (jid), g_strdup (text));
          check_metadata (self, jid);
        }
      return FALSE;
    }
  if (*text == '\0')
    advertise (self, jid, NULL, SOURCE_VCARD);
  else if (flint_avatars_is_sha1 (text))
    {
      g_autofree char *key = g_strdup_printf ("%s %s", jid, text);

      if (!g_hash_table_contains (self->refused, key))
        advertise (self, jid, text, SOURCE_VCARD);
    }
  else
    g_debug ("Ignoring the malformed photo hash of %s", jid);
  return FALSE;
}

/* One <items node='urn:xmpp:avatar:metadata'/> of @jid, from an event or
 * from our own query. */
static void
handle_metadata (FlintAvatars *self, const char *jid, xmpp_stanza_t *items)
{
  xmpp_stanza_t *item = xmpp_stanza_get_child_by_name (items, "item");
  xmpp_stanza_t *metadata =
    item ? xmpp_stanza_get_child_by_name_and_ns (item, "metadata", NS_AVATAR_METADATA)
         : NULL;
  xmpp_stanza_t *chosen = NULL;

  if (metadata == NULL)
    return; /* a retraction alone says nothing about what is current */
  g_hash_table_add (self->pep_jids, g_strdup (jid));
  g_hash_table_remove (self->disputed, jid);

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (metadata); c;
       c = xmpp_stanza_get_next (c))
    {
      const char *bytes, *id;

      if (!xmpp_stanza_is_tag (c) || g_strcmp0 (xmpp_stanza_get_name (c), "info") != 0)
        continue;
      id = xmpp_stanza_get_attribute (c, "id");
      bytes = xmpp_stanza_get_attribute (c, "bytes");
      /* Only images the data node holds (no url) that we can show. */
      if (!flint_avatars_is_sha1 (id) || xmpp_stanza_get_attribute (c, "url") ||
          (bytes && g_ascii_strtoull (bytes, NULL, 10) > FLINT_AVATARS_MAX_BYTES))
        continue;
      if (chosen == NULL ||
          g_strcmp0 (xmpp_stanza_get_attribute (c, "type"), "image/png") == 0)
        chosen = c;
    }
  if (chosen)
    advertise (self, jid, xmpp_stanza_get_attribute (chosen, "id"), SOURCE_PEP);
  else if (xmpp_stanza_get_child_by_name (metadata, "info") == NULL)
    advertise (self, jid, NULL, SOURCE_PEP); /* XEP-0084 §4.5: disabled */
  else
    g_debug ("No usable avatar in the metadata of %s", jid);
}

static gboolean
on_message (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintAvatars *self = user_data;
  xmpp_stanza_t *event =
    xmpp_stanza_get_child_by_name_and_ns (stanza, "event", NS_PUBSUB_EVENT);
  g_autofree char *jid = NULL;

  if (event == NULL || (jid = bare_key (xmpp_stanza_get_from (stanza))) == NULL)
    return FALSE;
  for (xmpp_stanza_t *child = xmpp_stanza_get_children (event); child;
       child = xmpp_stanza_get_next (child))
    {
      const char *name = xmpp_stanza_get_name (child);

      if (!xmpp_stanza_is_tag (child) ||
          g_strcmp0 (xmpp_stanza_get_attribute (child, "node"), NS_AVATAR_METADATA) != 0)
        continue;
      if (g_strcmp0 (name, "items") == 0)
        handle_metadata (self, jid, child);
      else if (g_strcmp0 (name, "purge") == 0 || g_strcmp0 (name, "delete") == 0)
        {
          /* The metadata is gone (Prosody purges it when a vCard loses its
           * photo): no avatar. */
          g_hash_table_add (self->pep_jids, g_strdup (jid));
          advertise (self, jid, NULL, SOURCE_PEP);
        }
      else
        continue;
      return TRUE;
    }
  return FALSE;
}

static void
on_online (FlintSession *session, gboolean resumed, FlintAvatars *self)
{
  GHashTableIter iter;
  const char *jid, *hash;
  g_autoptr (GPtrArray) retry = g_ptr_array_new_with_free_func (g_free);

  if (resumed)
    {
      /* What waited for the connection. */
      g_hash_table_iter_init (&iter, self->pending);
      while (g_hash_table_iter_next (&iter, (gpointer *) &jid, (gpointer *) &hash))
        g_ptr_array_add (retry, g_strdup (jid));
      for (guint i = 0; i < retry->len; i++)
        {
          g_autofree char *wanted =
            g_strdup (g_hash_table_lookup (self->pending, retry->pdata[i]));

          if (wanted && !g_hash_table_contains (self->fetching, wanted))
            send_fetch (self, retry->pdata[i], wanted,
                        g_hash_table_contains (self->pep_jids, retry->pdata[i])
                          ? SOURCE_PEP
                          : SOURCE_VCARD);
        }
      return;
    }
  /* Everyone sends their presence and metadata again. */
  g_hash_table_remove_all (self->pending);
  g_hash_table_remove_all (self->fetching);
  g_hash_table_remove_all (self->pep_jids);
  g_hash_table_remove_all (self->refused);
  g_hash_table_remove_all (self->disputed);
  /* XEP-0153 §4.1: learn our own photo from our vCard at each login. */
  send_fetch (self, self->account, NULL, SOURCE_VCARD);
}

static void
on_contacts_changed (
  GListModel *contacts, guint position, guint removed, guint added, FlintAvatars *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (FlintContact) contact = g_list_model_get_item (contacts, i);

      if (contact)
        apply_to_contact (self, contact);
    }
}

/* ---- our own avatar ------------------------------------------------------ */

/* Publishing: XEP-0084 data, then metadata (§4.1: data first, so nobody
 * sees metadata whose data is not there yet), then our vCard's PHOTO for
 * clients and servers without PEP (read first: the other fields stay).
 * Either way counts; only both failing is an error. */
typedef struct
{
  GBytes *image; /* NULL: remove */
  char *type;
  char *hash;
  char *base64;
  gboolean pep_ok;
  char *pep_error;
} Publish;

static void
publish_free (Publish *publish)
{
  g_clear_pointer (&publish->image, g_bytes_unref);
  g_free (publish->type);
  g_free (publish->hash);
  g_free (publish->base64);
  g_free (publish->pep_error);
  g_free (publish);
}

static xmpp_stanza_t *
new_iq (FlintAvatars *self, const char *type)
{
  g_autofree char *id = flint_session_new_id (self->session);

  return xmpp_iq_new (flint_session_get_context (self->session), type, id);
}

static xmpp_stanza_t *
pep_publish_iq (FlintAvatars *self, const char *node, const char *item_id)
{
  xmpp_stanza_t *iq = new_iq (self, "set");
  xmpp_stanza_t *pubsub = flint_stanza_add_child (iq, "pubsub", NS_PUBSUB, NULL);
  xmpp_stanza_t *publish = flint_stanza_add_child (pubsub, "publish", NULL, NULL);
  xmpp_stanza_t *item = flint_stanza_add_child (publish, "item", NULL, NULL);

  xmpp_stanza_set_attribute (publish, "node", node);
  xmpp_stanza_set_attribute (item, "id", item_id);
  return iq; /* the payload goes into <item/>: xmpp_stanza_get_children */
}

static xmpp_stanza_t *
iq_item (xmpp_stanza_t *iq)
{
  xmpp_stanza_t *pubsub = xmpp_stanza_get_children (iq);
  xmpp_stanza_t *publish = xmpp_stanza_get_children (pubsub);

  return xmpp_stanza_get_children (publish);
}

static void
publish_done (GTask *task, const char *vcard_error)
{
  FlintAvatars *self = g_task_get_source_object (task);
  Publish *publish = g_task_get_task_data (task);

  if (!publish->pep_ok && vcard_error)
    {
      g_debug ("Publishing our avatar: PEP: %s; vCard: %s", publish->pep_error,
               vcard_error);
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_FAILED, "%s",
                               _ ("Your server did not accept the new picture. "
                                  "Try again later, or try a smaller picture."));
      return;
    }
  if (publish->image)
    {
      g_hash_table_replace (self->pending, g_strdup (self->account),
                            g_strdup (publish->hash));
      if (is_cached (self, publish->hash))
        resolve_pending (self, publish->hash);
      /* else still being written: its end resolves it */
    }
  else
    set_hash (self, self->account, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
on_vcard_set (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer user_data)
{
  g_autoptr (GTask) task = user_data;

  publish_done (task, error ? error->message : result ? NULL : "no answer");
}

static void
on_vcard_read (FlintSession *session,
               xmpp_stanza_t *result,
               const GError *error,
               gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FlintAvatars *self = g_task_get_source_object (task);
  Publish *publish = g_task_get_task_data (task);
  xmpp_stanza_t *old =
    result && !error ? xmpp_stanza_get_child_by_name_and_ns (result, "vCard", NS_VCARD)
                     : NULL;
  xmpp_stanza_t *iq, *vcard;

  if (result == NULL || (error && !is_item_not_found (result)))
    {
      /* Without the old vCard a new one would lose its other fields. */
      publish_done (task, error ? error->message : "no answer");
      return;
    }
  iq = new_iq (self, "set");
  vcard = flint_stanza_add_child (iq, "vCard", NS_VCARD, NULL);
  for (xmpp_stanza_t *c = old ? xmpp_stanza_get_children (old) : NULL; c;
       c = xmpp_stanza_get_next (c))
    if (!xmpp_stanza_is_tag (c) || g_strcmp0 (xmpp_stanza_get_name (c), "PHOTO") != 0)
      xmpp_stanza_add_child_ex (vcard, xmpp_stanza_copy (c), 0); /* not shared */
  if (publish->image)
    {
      xmpp_stanza_t *photo = flint_stanza_add_child (vcard, "PHOTO", NULL, NULL);

      flint_stanza_add_child (photo, "TYPE", NULL, publish->type);
      flint_stanza_add_child (photo, "BINVAL", NULL, publish->base64);
    }
  flint_session_send_iq (self->session, iq, on_vcard_set, g_steal_pointer (&task));
  xmpp_stanza_release (iq);
}

static void
publish_vcard (GTask *task)
{
  FlintAvatars *self = g_task_get_source_object (task);
  xmpp_stanza_t *iq = new_iq (self, "get");

  flint_stanza_add_child (iq, "vCard", NS_VCARD, NULL);
  flint_session_send_iq (self->session, iq, on_vcard_read, task);
  xmpp_stanza_release (iq);
}

static void
on_metadata_published (FlintSession *session,
                       xmpp_stanza_t *result,
                       const GError *error,
                       gpointer user_data)
{
  GTask *task = user_data;
  Publish *publish = g_task_get_task_data (task);

  publish->pep_ok = result && !error;
  if (!publish->pep_ok)
    publish->pep_error = g_strdup (error ? error->message : "no answer");
  publish_vcard (task);
}

static void
publish_metadata (GTask *task)
{
  FlintAvatars *self = g_task_get_source_object (task);
  Publish *publish = g_task_get_task_data (task);
  xmpp_stanza_t *iq =
    pep_publish_iq (self, NS_AVATAR_METADATA, publish->image ? publish->hash : "current");
  xmpp_stanza_t *metadata =
    flint_stanza_add_child (iq_item (iq), "metadata", NS_AVATAR_METADATA, NULL);

  if (publish->image)
    {
      xmpp_stanza_t *info = flint_stanza_add_child (metadata, "info", NULL, NULL);
      g_autofree char *bytes =
        g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (publish->image));

      xmpp_stanza_set_attribute (info, "bytes", bytes);
      xmpp_stanza_set_attribute (info, "id", publish->hash);
      xmpp_stanza_set_attribute (info, "type", publish->type);
    }
  flint_session_send_iq (self->session, iq, on_metadata_published, task);
  xmpp_stanza_release (iq);
}

static void
on_data_published (FlintSession *session,
                   xmpp_stanza_t *result,
                   const GError *error,
                   gpointer user_data)
{
  GTask *task = user_data;
  Publish *publish = g_task_get_task_data (task);

  if (result && !error)
    {
      publish_metadata (task);
      return;
    }
  publish->pep_error = g_strdup (error ? error->message : "no answer");
  publish_vcard (task);
}

void
flint_avatars_set_own_async (FlintAvatars *self,
                             GBytes *image,
                             const char *type,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task;
  Publish *publish;

  g_return_if_fail (FLINT_IS_AVATARS (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, flint_avatars_set_own_async);
  if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    {
      g_task_return_error (
        task, g_error_new_literal (FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED,
                                   flint_error_describe (FLINT_ERROR_NOT_CONNECTED)));
      g_object_unref (task);
      return;
    }
  if (image && (g_bytes_get_size (image) == 0 ||
                g_bytes_get_size (image) > FLINT_AVATARS_MAX_BYTES))
    {
      g_task_return_new_error (task, FLINT_ERROR, FLINT_ERROR_FAILED, "%s",
                               _ ("This picture is too large for an avatar. "
                                  "Choose a picture smaller than 1 MB."));
      g_object_unref (task);
      return;
    }

  publish = g_new0 (Publish, 1);
  if (image)
    {
      gsize size = 0;
      const guchar *data = g_bytes_get_data (image, &size);

      publish->image = g_bytes_ref (image);
      publish->type = g_strdup (type ? type : "image/png");
      publish->hash = g_compute_checksum_for_data (G_CHECKSUM_SHA1, data, size);
      publish->base64 = g_base64_encode (data, size);
    }
  g_task_set_task_data (task, publish, (GDestroyNotify) publish_free);

  if (image)
    {
      xmpp_stanza_t *iq = pep_publish_iq (self, NS_AVATAR_DATA, publish->hash);

      /* Cached at once: our own notification, coming back before the
       * answer, then finds it there or being written, and fetches nothing. */
      if (!is_cached (self, publish->hash) &&
          !g_hash_table_contains (self->fetching, publish->hash))
        store_image (self, publish->hash, publish->image);

      flint_stanza_add_child (iq_item (iq), "data", NS_AVATAR_DATA, publish->base64);
      flint_session_send_iq (self->session, iq, on_data_published, task);
      xmpp_stanza_release (iq);
    }
  else
    publish_metadata (task);
}

gboolean
flint_avatars_set_own_finish (FlintAvatars *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- public -------------------------------------------------------------- */

gboolean
flint_avatars_handle_presence (FlintAvatars *self, xmpp_stanza_t *presence)
{
  g_return_val_if_fail (FLINT_IS_AVATARS (self), FALSE);
  return on_presence (self->session, presence, self);
}

const char *
flint_avatars_get_hash (FlintAvatars *self, const char *jid)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (FLINT_IS_AVATARS (self), NULL);
  key = bare_key (jid);
  return key ? g_hash_table_lookup (self->hashes, key) : NULL;
}

char *
flint_avatars_get_path (FlintAvatars *self, const char *jid)
{
  const char *hash = flint_avatars_get_hash (self, jid);

  return hash ? image_path (self, hash) : NULL;
}

char *
flint_avatars_get_own_path (FlintAvatars *self)
{
  g_return_val_if_fail (FLINT_IS_AVATARS (self), NULL);
  return flint_avatars_get_path (self, self->account);
}

const char *
flint_avatars_get_cache_dir (FlintAvatars *self)
{
  g_return_val_if_fail (FLINT_IS_AVATARS (self), NULL);
  return self->dir;
}

guint
flint_avatars_get_n_fetches (FlintAvatars *self)
{
  g_return_val_if_fail (FLINT_IS_AVATARS (self), 0);
  return self->n_fetches;
}

void
flint_avatars_save_now (FlintAvatars *self)
{
  g_autoptr (GBytes) contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize size = 0;
  const char *data;

  g_return_if_fail (FLINT_IS_AVATARS (self));
  if (self->save_id == 0)
    return;
  g_clear_handle_id (&self->save_id, g_source_remove);
  contents = index_contents (self);
  data = g_bytes_get_data (contents, &size);
  if (!g_file_set_contents (self->index_path, data ? data : "", (gssize) size, &error))
    g_debug ("Could not save the avatar index: %s", error->message);
}

/* ---- object -------------------------------------------------------------- */

static void
flint_avatars_dispose (GObject *object)
{
  FlintAvatars *self = FLINT_AVATARS (object);

  flint_avatars_save_now (self);
  if (self->roster)
    {
      g_signal_handlers_disconnect_by_data (flint_roster_get_contacts (self->roster),
                                            self);
      g_clear_object (&self->roster);
    }
  if (self->session)
    {
      flint_session_remove_handler (self->session, self->presence_handler);
      flint_session_remove_handler (self->session, self->message_handler);
      g_signal_handlers_disconnect_by_data (self->session, self);
      flint_session_remove_presence_extension (self->session, "x", NS_VCARD_UPDATE);
    }
  g_clear_object (&self->session);
  G_OBJECT_CLASS (flint_avatars_parent_class)->dispose (object);
}

static void
flint_avatars_finalize (GObject *object)
{
  FlintAvatars *self = FLINT_AVATARS (object);

  g_hash_table_unref (self->hashes);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->fetching);
  g_hash_table_unref (self->present);
  g_hash_table_unref (self->pep_jids);
  g_hash_table_unref (self->checking);
  g_hash_table_unref (self->refused);
  g_hash_table_unref (self->disputed);
  g_free (self->account);
  g_free (self->dir);
  g_free (self->index_path);
  G_OBJECT_CLASS (flint_avatars_parent_class)->finalize (object);
}

static void
flint_avatars_class_init (FlintAvatarsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_avatars_dispose;
  object_class->finalize = flint_avatars_finalize;

  signals[SIGNAL_AVATAR_CHANGED] =
    g_signal_new ("avatar-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
flint_avatars_init (FlintAvatars *self)
{
  self->hashes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->fetching = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pep_jids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->checking = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->disputed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

FlintAvatars *
flint_avatars_new (FlintSession *session, FlintRoster *roster)
{
  FlintAvatars *self;
  g_autofree char *index_name = NULL;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);
  g_return_val_if_fail (roster == NULL || FLINT_IS_ROSTER (roster), NULL);

  self = g_object_new (FLINT_TYPE_AVATARS, NULL);
  self->session = g_object_ref (session);
  self->account = bare_key (flint_account_get_jid (flint_session_get_account (session)));
  if (self->account == NULL)
    self->account =
      g_strdup (flint_account_get_jid (flint_session_get_account (session)));
  self->dir = g_build_filename (g_get_user_cache_dir (), "flint", "avatars", NULL);
  index_name = g_strdup_printf ("index-%s", self->account);
  g_strdelimit (index_name, "/\\", '_');
  self->index_path = g_build_filename (self->dir, index_name, NULL);
  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    g_debug ("Could not create %s: %s", self->dir, g_strerror (errno));
  load_index (self);

  self->presence_handler =
    flint_session_add_handler (session, "presence", NULL, NULL, on_presence, self, NULL);
  self->message_handler = flint_session_add_handler (session, "message", NS_PUBSUB_EVENT,
                                                     NULL, on_message, self, NULL);
  g_signal_connect (session, "online", G_CALLBACK (on_online), self);
  update_own_presence (self);

  if (roster)
    {
      GListModel *contacts = flint_roster_get_contacts (roster);

      self->roster = g_object_ref (roster);
      g_signal_connect (contacts, "items-changed", G_CALLBACK (on_contacts_changed),
                        self);
      on_contacts_changed (contacts, 0, 0, g_list_model_get_n_items (contacts), self);
    }
  return self;
}

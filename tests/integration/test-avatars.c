/* FlintAvatars against a real Prosody (tests/harness) and slixmpp peers
 * (tests/harness/peer.py): a contact's vCard photo and XEP-0084 avatar are
 * fetched, verified and cached; a change replaces it, a removal clears it;
 * a hash that does not match its data and bad base64 are ignored; our own
 * avatar comes from our vCard at login; after a restart the cached avatars
 * show at once and are not fetched again. */
#include "config.h"

#include <string.h>

#include "flint-avatars.h"
#include "flint-disco.h"
#include "flint-test-server.h"

static Server server;
static FlintAccount *account;
static FlintSession *session;
static FlintRoster *roster;
static FlintDisco *disco;
static FlintAvatars *avatars;
static Peer *bob;
static Peer *carol;
static char *cache;

#define WAIT_FOR(cond)                                                                   \
  G_STMT_START                                                                           \
  {                                                                                      \
    gint64 _end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;                         \
    while (!(cond) && g_get_monotonic_time () < _end)                                    \
      spin (20);                                                                         \
    g_assert_true (cond);                                                                \
  }                                                                                      \
  G_STMT_END

static char *
jid_of (const char *user)
{
  return g_strdup_printf ("%s@%s", user, server.domain);
}

static FlintContact *
lookup (const char *user)
{
  g_autofree char *jid = jid_of (user);

  return flint_roster_lookup (roster, jid);
}

/* Reads peer events until one holds both needles; returns it. */
static char *
peer_expect (Peer *peer, const char *needle1, const char *needle2)
{
  for (guint i = 0; i < 200; i++)
    {
      char *line = peer_read_line (peer, 15000);

      g_assert_nonnull (line);
      if (strstr (line, needle1) && (needle2 == NULL || strstr (line, needle2)))
        return line;
      g_free (line);
    }
  g_assert_not_reached ();
}

/* Some bytes standing for an image: the core never decodes them. */
static char *
image_base64 (const char *seed, char **out_sha1)
{
  g_autoptr (GString) data = g_string_new (NULL);

  for (guint i = 0; i < 300; i++)
    g_string_append_printf (data, "%s-%u;", seed, i);
  if (out_sha1)
    *out_sha1 =
      g_compute_checksum_for_data (G_CHECKSUM_SHA1, (guchar *) data->str, data->len);
  return g_base64_encode ((guchar *) data->str, data->len);
}

static char *
file_sha1 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA1, (guchar *) contents, len);
}

static void
peer_do (Peer *peer, const char *cmd, const char *json_fields)
{
  g_autofree char *line =
    g_strdup_printf ("{\"cmd\": \"%s\"%s%s}", cmd, json_fields ? ", " : "",
                     json_fields ? json_fields : "");
  g_autofree char *needle = g_strdup_printf ("\"%s\"", cmd);
  g_autofree char *answer = NULL;

  peer_command (peer, line);
  answer = peer_expect (peer, "\"cmd\"", needle);
  g_assert_null (strstr (answer, "\"error\""));
}

static void
seed_roster (void)
{
  const char *users[] = { "bob", "carol" };
  Peer *alice = peer_start (&server, "alice", "secret-a");

  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    {
      g_autofree char *jid = jid_of (users[u]);
      g_autofree char *add = g_strdup_printf (
        "{\"cmd\": \"roster_add\", \"jid\": \"%s\", \"subscribe\": true}", jid);

      peer_command (alice, add);
      g_free (peer_expect (alice, "\"done\"", "roster_add"));
    }
  /* The peers accept and ask back; alice's accepts: both ways. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *line = NULL;
      const char *p;
      guint both = 0;

      peer_command (alice, "{\"cmd\": \"roster_get\"}");
      line = peer_expect (alice, "\"done\"", "roster_get");
      for (p = line; (p = strstr (p, "\"subscription\": \"both\"")) != NULL; p++)
        both++;
      if (both == 2)
        break;
      g_assert_cmpuint (i, <, 99);
      spin (100);
    }
  /* Our own photo, before Flint signs in. */
  {
    g_autofree char *b64 = image_base64 ("alice", NULL);
    g_autofree char *fields = g_strdup_printf ("\"data\": \"%s\"", b64);

    peer_do (alice, "vcard_set_photo", fields);
  }
  peer_stop (alice);
}

static void
start_flint (void)
{
  session = session_new (account, "secret-a");
  roster = flint_roster_new (session);
  /* Our caps carry urn:xmpp:avatar:metadata+notify: PEP sends us events. */
  disco = flint_disco_new (session);
  avatars = flint_avatars_new (session, roster);
}

static void
stop_flint (void)
{
  flint_session_disconnect (session);
  wait_state (session, FLINT_SESSION_DISCONNECTED, FLINT_SESSION_DISCONNECTED, 5000);
  g_clear_object (&avatars);
  g_clear_object (&disco);
  g_clear_object (&roster);
  g_clear_object (&session);
}

static gboolean
has_path (FlintContact *contact, const char *sha1)
{
  const char *path = contact ? flint_contact_get_avatar_path (contact) : NULL;

  return path && sha1 && g_str_has_suffix (path, sha1);
}

static void
assert_cached (FlintContact *contact, const char *sha1)
{
  g_autofree char *expected = g_build_filename (cache, "flint", "avatars", sha1, NULL);
  g_autofree char *actual = file_sha1 (flint_contact_get_avatar_path (contact));

  g_assert_cmpstr (flint_contact_get_avatar_path (contact), ==, expected);
  g_assert_cmpstr (actual, ==, sha1);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_own_avatar (void)
{
  g_autofree char *sha1 = NULL;
  g_autofree char *b64 = image_base64 ("alice", &sha1);
  g_autofree char *path = NULL;
  g_autofree char *actual = NULL;

  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  WAIT_FOR (flint_roster_get_loaded (roster));
  /* XEP-0153 §4.1: our vCard is read at login. */
  WAIT_FOR (g_strcmp0 (flint_avatars_get_hash (avatars, flint_account_get_jid (account)),
                       sha1) == 0);
  path = flint_avatars_get_own_path (avatars);
  actual = file_sha1 (path);
  g_assert_cmpstr (actual, ==, sha1);
}

static void
test_vcard_photo (void)
{
  g_autofree char *sha1 = NULL;
  g_autofree char *b64 = image_base64 ("bob-1", &sha1);
  g_autofree char *fields = g_strdup_printf ("\"data\": \"%s\"", b64);
  FlintContact *contact = lookup ("bob");

  g_assert_nonnull (contact);
  peer_do (bob, "vcard_set_photo", fields);
  WAIT_FOR (has_path (contact, sha1));
  assert_cached (contact, sha1);
}

static void
test_pep_change_and_remove (void)
{
  g_autofree char *sha1 = NULL;
  g_autofree char *b64 = image_base64 ("bob-2", &sha1);
  g_autofree char *fields = g_strdup_printf ("\"data\": \"%s\"", b64);
  FlintContact *contact = lookup ("bob");

  peer_do (bob, "pep_avatar_publish", fields);
  WAIT_FOR (has_path (contact, sha1));
  assert_cached (contact, sha1);

  /* Empty metadata: the avatar is gone (XEP-0084 §4.5). */
  peer_do (bob, "pep_avatar_publish", "\"data\": \"\"");
  WAIT_FOR (flint_contact_get_avatar_path (contact) == NULL);
  g_assert_null (flint_avatars_get_hash (avatars, flint_contact_get_jid (contact)));

  /* A vCard losing its photo (Prosody purges the PEP node) clears it too. */
  peer_do (bob, "pep_avatar_publish", fields);
  WAIT_FOR (has_path (contact, sha1));
  peer_do (bob, "vcard_set_photo", "\"data\": \"\"");
  WAIT_FOR (flint_contact_get_avatar_path (contact) == NULL);
}

static void
test_forged_ignored (void)
{
  g_autofree char *real_sha1 = NULL;
  g_autofree char *b64 = image_base64 ("carol", &real_sha1);
  g_autofree char *forged =
    g_compute_checksum_for_string (G_CHECKSUM_SHA1, "something else", -1);
  g_autofree char *fields =
    g_strdup_printf ("\"data\": \"%s\", \"id\": \"%s\"", b64, forged);
  g_autofree char *forged_path =
    g_build_filename (cache, "flint", "avatars", forged, NULL);
  g_autofree char *bad_fields = NULL;
  FlintContact *contact = lookup ("carol");
  guint fetches = flint_avatars_get_n_fetches (avatars);

  /* A presence naming a photo her vCard does not have (she has none):
   * asked once, not again at the next presence with the same hash. */
  g_assert_nonnull (contact);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *raw = g_strdup_printf (
        "{\"cmd\": \"raw\", \"xml\": \"<presence xmlns='jabber:client'><x "
        "xmlns='vcard-temp:x:update'><photo>%s</photo></x></presence>\"}",
        forged);

      peer_command (carol, raw);
      if (i == 0)
        WAIT_FOR (flint_avatars_get_n_fetches (avatars) == fetches + 1);
      spin (300);
    }
  g_assert_cmpuint (flint_avatars_get_n_fetches (avatars), ==, fetches + 1);
  g_assert_null (flint_contact_get_avatar_path (contact));
  fetches = flint_avatars_get_n_fetches (avatars);

  /* Metadata naming a hash its data does not have. */
  peer_do (carol, "pep_avatar_publish", fields);
  WAIT_FOR (flint_avatars_get_n_fetches (avatars) > fetches);
  spin (1000);
  g_assert_null (flint_contact_get_avatar_path (contact));
  g_assert_false (g_file_test (forged_path, G_FILE_TEST_EXISTS));
  g_assert_null (flint_avatars_get_hash (avatars, flint_contact_get_jid (contact)));

  /* Data that is not base64, under the right hash. */
  fetches = flint_avatars_get_n_fetches (avatars);
  bad_fields = g_strdup_printf ("\"payload\": \"%s\", \"data\": \"%s\"",
                                "@@not base64 at all!!", b64);
  peer_do (carol, "pep_avatar_publish", bad_fields);
  WAIT_FOR (flint_avatars_get_n_fetches (avatars) > fetches);
  spin (1000);
  g_assert_null (flint_contact_get_avatar_path (contact));

  /* A good one after all that still works. */
  g_clear_pointer (&fields, g_free);
  fields = g_strdup_printf ("\"data\": \"%s\"", b64);
  peer_do (carol, "pep_avatar_publish", fields);
  WAIT_FOR (has_path (contact, real_sha1));
  assert_cached (contact, real_sha1);
}

static void
on_set_own (GObject *source, GAsyncResult *result, gpointer data)
{
  GError **error = data;

  if (!flint_avatars_set_own_finish (FLINT_AVATARS (source), result, error) &&
      *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NONE, "ok");
}

/* Sets our avatar and waits for the answer; FALSE with the message on error. */
static gboolean
set_own (GBytes *image, char **message)
{
  GError *error = NULL;
  gboolean ok;

  flint_avatars_set_own_async (avatars, image, "image/png", on_set_own, &error);
  WAIT_FOR (error != NULL);
  ok = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NONE);
  if (message)
    *message = g_strdup (error->message);
  g_error_free (error);
  return ok;
}

/* What bob gets asking for alice's vCard and avatar metadata. */
static char *
bob_asks (const char *payload)
{
  g_autofree char *alice = jid_of ("alice");
  g_autofree char *command =
    g_strdup_printf ("{\"cmd\": \"iq\", \"xml\": \"<iq xmlns='jabber:client' type='get' "
                     "to='%s'>%s</iq>\"}",
                     alice, payload);

  peer_command (bob, command);
  return peer_expect (bob, "\"done\"", "\"iq\"");
}

static void
test_set_own (void)
{
  g_autofree char *sha1 = NULL;
  g_autofree char *b64 = image_base64 ("alice-new", &sha1);
  g_autofree char *old_sha1 = NULL;
  g_autofree char *old_b64 = image_base64 ("alice", &old_sha1);
  g_autoptr (GBytes) image = g_bytes_new_take (NULL, 0);
  g_autoptr (GBytes) old_image = NULL;
  g_autoptr (GBytes) huge = NULL;
  g_autofree char *message = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *vcard = NULL;
  gsize len = 0;
  guchar *data;
  const char *own = flint_account_get_jid (account);
  guint fetches = flint_avatars_get_n_fetches (avatars);

  data = g_base64_decode (b64, &len);
  g_bytes_unref (image);
  image = g_bytes_new_take (data, len);
  data = g_base64_decode (old_b64, &len);
  old_image = g_bytes_new_take (data, len);

  g_assert_true (set_own (image, NULL));
  WAIT_FOR (g_strcmp0 (flint_avatars_get_hash (avatars, own), sha1) == 0);
  /* Our own notification came back: nothing was fetched for it. */
  g_assert_cmpuint (flint_avatars_get_n_fetches (avatars), ==, fetches);
  {
    g_autofree char *path = flint_avatars_get_own_path (avatars);
    g_autofree char *actual = file_sha1 (path);

    g_assert_cmpstr (actual, ==, sha1);
  }
  /* Others see it through PEP and the vCard. */
  meta = bob_asks ("<pubsub xmlns='http://jabber.org/protocol/pubsub'>"
                   "<items node='urn:xmpp:avatar:metadata'/></pubsub>");
  g_assert_nonnull (strstr (meta, sha1));
  vcard = bob_asks ("<vCard xmlns='vcard-temp'/>");
  g_assert_nonnull (strstr (vcard, "<FN>alice</FN>")); /* the other fields stay */
  g_assert_nonnull (strstr (vcard, b64));

  /* Removing it. */
  g_assert_true (set_own (NULL, NULL));
  WAIT_FOR (flint_avatars_get_hash (avatars, own) == NULL);
  g_clear_pointer (&meta, g_free);
  meta = bob_asks ("<pubsub xmlns='http://jabber.org/protocol/pubsub'>"
                   "<items node='urn:xmpp:avatar:metadata'/></pubsub>");
  g_assert_null (strstr (meta, sha1));

  /* Too large: refused before anything is sent. */
  huge = g_bytes_new_take (g_malloc0 (FLINT_AVATARS_MAX_BYTES + 1),
                           FLINT_AVATARS_MAX_BYTES + 1);
  g_assert_false (set_own (huge, &message));
  g_assert_nonnull (strstr (message, "1 MB"));

  /* Back to the first one, for the restart test. */
  g_assert_true (set_own (old_image, NULL));
  WAIT_FOR (g_strcmp0 (flint_avatars_get_hash (avatars, own), old_sha1) == 0);
}

static void
test_restart_uses_cache (void)
{
  g_autofree char *sha1 = NULL;
  g_autofree char *b64 = image_base64 ("bob-3", &sha1);
  g_autofree char *fields = g_strdup_printf ("\"data\": \"%s\"", b64);
  g_autofree char *carol_sha1 = NULL;
  g_autofree char *carol_b64 = image_base64 ("carol", &carol_sha1);
  g_autofree char *own_sha1 = NULL;
  g_autofree char *own_b64 = image_base64 ("alice", &own_sha1);
  g_autofree char *bob_jid = jid_of ("bob");

  peer_do (bob, "pep_avatar_publish", fields);
  WAIT_FOR (has_path (lookup ("bob"), sha1));
  stop_flint ();

  start_flint ();
  /* Before any network: from the index, for contacts and ourselves. */
  g_assert_cmpstr (flint_avatars_get_hash (avatars, bob_jid), ==, sha1);
  g_assert_cmpstr (flint_avatars_get_hash (avatars, flint_account_get_jid (account)), ==,
                   own_sha1);

  flint_session_connect (session);
  g_assert_true (wait_state (session, FLINT_SESSION_ONLINE, FLINT_SESSION_DISCONNECTED,
                             SIGN_IN_WAIT_MS));
  WAIT_FOR (flint_roster_get_loaded (roster));
  WAIT_FOR (lookup ("bob") &&
            flint_contact_get_presence (lookup ("bob")) != FLINT_PRESENCE_OFFLINE);
  WAIT_FOR (lookup ("carol") &&
            flint_contact_get_presence (lookup ("carol")) != FLINT_PRESENCE_OFFLINE);
  /* The contacts got their avatars as the roster came, from the cache. */
  WAIT_FOR (has_path (lookup ("bob"), sha1));
  WAIT_FOR (has_path (lookup ("carol"), carol_sha1));
  spin (1500);
  g_assert_true (has_path (lookup ("bob"), sha1));
  /* Only our own vCard was asked for (at every login); no image again. */
  g_assert_cmpuint (flint_avatars_get_n_fetches (avatars), ==, 1);
}

int
main (int argc, char **argv)
{
  int ret;

  cache = g_dir_make_tmp ("flint-avatars-cache-XXXXXX", NULL);
  /* Before anything reads it: the caches go to a throwaway dir. */
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_test_init (&argc, &argv, NULL);
  server_start (&server, TRUE);
  server_register (&server, "carol", "secret-c");
  /* Online first: their peers accept alice's requests and ask back. */
  bob = peer_start (&server, "bob", "secret-b");
  carol = peer_start (&server, "carol", "secret-c");
  seed_roster ();

  account = make_account (&server, "alice", TRUE);
  start_flint ();

  g_test_add_func ("/avatars/own", test_own_avatar);
  g_test_add_func ("/avatars/vcard-photo", test_vcard_photo);
  g_test_add_func ("/avatars/pep-change-and-remove", test_pep_change_and_remove);
  g_test_add_func ("/avatars/forged-ignored", test_forged_ignored);
  g_test_add_func ("/avatars/set-own", test_set_own);
  g_test_add_func ("/avatars/restart-uses-cache", test_restart_uses_cache);
  ret = g_test_run ();

  peer_stop (bob);
  peer_stop (carol);
  stop_flint ();
  g_clear_object (&account);
  server_do (&server, "prosody-stop");
  remove_tree (cache);
  g_free (cache);
  return ret;
}

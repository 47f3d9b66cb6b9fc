/* Times FlintAvatars the way a login with 2,000 contacts meets it: the
 * index read at start (before the network) and applied to a roster that is
 * already there or arrives afterwards, then every contact's presence naming
 * a photo that is already cached (the common case: nothing to fetch), then
 * decoding and checking one received 1 MiB image, then writing the index.
 * Prints Markdown list items with their budgets; exits 1 if one is missed. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

#include "flint-avatars-private.h"
#include "flint-roster-private.h"
#include "flint-roster.h"

#define N_CONTACTS 2000

static gboolean missed_budget;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static void
report (const char *what, double seconds, double budget)
{
  gboolean ok = seconds <= budget;

  if (!ok)
    missed_budget = TRUE;
  g_print ("- %s: %.2f ms (budget %.0f ms)%s\n", what, seconds * 1e3, budget * 1e3,
           ok ? "" : " **MISSED**");
}

static char *
hash_of (guint i)
{
  g_autofree char *seed = g_strdup_printf ("picture %u", i);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA1, seed, -1);
}

static void
remove_dir (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_dir (child);
      else
        g_unlink (child);
    }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}

static xmpp_stanza_t *
roster_result (xmpp_ctx_t *ctx)
{
  g_autoptr (GString) xml =
    g_string_new ("<iq type='result' id='r'><query xmlns='jabber:iq:roster'>");

  for (guint i = 0; i < N_CONTACTS; i++)
    g_string_append_printf (xml,
                            "<item jid='user%04u@example.com' name='Person %u' "
                            "subscription='both'><group>Team %02u</group></item>",
                            i, i, i % 20);
  g_string_append (xml, "</query></iq>");
  return xmpp_stanza_new_from_string (ctx, xml->str);
}

int
main (int argc, char **argv)
{
  g_autofree char *cache = g_dir_make_tmp ("flint-bench-avatars-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (cache, "flint", "avatars", NULL);
  g_autofree char *index = g_build_filename (dir, "index-me@example.com", NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) wrapped = g_string_new (NULL);
  g_autoptr (FlintAccount) account = NULL;
  g_autoptr (FlintSession) session = NULL;
  g_autofree guchar *big = NULL;
  g_autofree char *big_b64 = NULL;
  g_autofree char *big_sha1 = NULL;
  xmpp_stanza_t **presences;
  xmpp_stanza_t *result;
  xmpp_ctx_t *ctx;
  double start, t_new_with_roster, t_new_then_roster, t_flood, t_decode, t_save;
  guint with_path = 0;

  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_mkdir_with_parents (dir, 0700);
  /* The index and the cached files of 2,000 contacts, each with its own. */
  for (guint i = 0; i < N_CONTACTS; i++)
    {
      g_autofree char *hash = hash_of (i);
      g_autofree char *path = g_build_filename (dir, hash, NULL);

      g_string_append_printf (text, "user%04u@example.com %s\n", i, hash);
      g_file_set_contents (path, "x", 1, NULL);
    }
  g_file_set_contents (index, text->str, (gssize) text->len, NULL);

  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);
  account = flint_account_new ("me@example.com", NULL);
  session = flint_session_new (account);
  result = roster_result (ctx);

  /* Roster first (as after a reconnect), then the avatars. */
  {
    g_autoptr (FlintRoster) roster = flint_roster_new (session);
    g_autoptr (FlintAvatars) avatars = NULL;

    flint_roster_handle_roster_result (roster, result);
    start = cpu_seconds ();
    avatars = flint_avatars_new (session, roster);
    t_new_with_roster = cpu_seconds () - start;
  }

  /* Avatars first (as at start), then the roster result. */
  {
    g_autoptr (FlintRoster) roster = flint_roster_new (session);
    g_autoptr (FlintAvatars) avatars = NULL;
    GListModel *contacts;

    start = cpu_seconds ();
    avatars = flint_avatars_new (session, roster);
    flint_roster_handle_roster_result (roster, result);
    t_new_then_roster = cpu_seconds () - start;
    contacts = flint_roster_get_contacts (roster);
    for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
      {
        g_autoptr (FlintContact) contact = g_list_model_get_item (contacts, i);

        with_path += flint_contact_get_avatar_path (contact) != NULL;
      }

    /* Every contact's presence names its cached photo: the avatars' part
     * of the presence flood (the roster's is in bench-roster). */
    presences = g_new0 (xmpp_stanza_t *, N_CONTACTS);
    for (guint i = 0; i < N_CONTACTS; i++)
      {
        g_autofree char *hash = hash_of (i);
        g_autofree char *xml = g_strdup_printf (
          "<presence from='user%04u@example.com/work'><x xmlns='vcard-temp:x:update'>"
          "<photo>%s</photo></x></presence>",
          i, hash);

        presences[i] = xmpp_stanza_new_from_string (ctx, xml);
      }
    start = cpu_seconds ();
    for (guint i = 0; i < N_CONTACTS; i++)
      flint_avatars_handle_presence (avatars, presences[i]);
    t_flood = cpu_seconds () - start;
    g_assert_cmpuint (flint_avatars_get_n_fetches (avatars), ==, 0);

    /* A change makes the index due; write all 2,000 lines. */
    {
      xmpp_stanza_t *none = xmpp_stanza_new_from_string (
        ctx, "<presence from='user0000@example.com/work'>"
             "<x xmlns='vcard-temp:x:update'><photo/></x></presence>");

      flint_avatars_handle_presence (avatars, none);
      xmpp_stanza_release (none);
    }
    start = cpu_seconds ();
    flint_avatars_save_now (avatars);
    t_save = cpu_seconds () - start;
  }

  /* One received image at the size cap, wrapped at 76 columns. */
  big = g_malloc (FLINT_AVATARS_MAX_BYTES);
  for (guint i = 0; i < FLINT_AVATARS_MAX_BYTES; i++)
    big[i] = (guchar) (i * 7 + i / 255);
  big_b64 = g_base64_encode (big, FLINT_AVATARS_MAX_BYTES);
  big_sha1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1, big, FLINT_AVATARS_MAX_BYTES);
  for (const char *p = big_b64; *p; p += MIN (76, strlen (p)))
    {
      g_string_append_len (wrapped, p, MIN (76, (gssize) strlen (p)));
      g_string_append_c (wrapped, '\n');
    }
  start = cpu_seconds ();
  {
    g_autoptr (GBytes) bytes = flint_avatars_decode (wrapped->str, big_sha1, NULL);

    g_assert_nonnull (bytes);
  }
  t_decode = cpu_seconds () - start;

  g_print ("### Avatars (%u contacts, each with a cached picture, CPU time)\n\n",
           N_CONTACTS);
  report ("start: read the index, roster already loaded (2,000 paths set)",
          t_new_with_roster, 0.020);
  report ("start: read the index, then the roster result arrives (model included)",
          t_new_then_roster, 0.150);
  report ("2,000 presences naming cached photos (the avatars' part)", t_flood, 0.100);
  report ("write the index (2,000 lines)", t_save, 0.020);
  report ("decode and verify one 1 MiB image (wrapped base64)", t_decode, 0.030);
  g_print ("- contacts with an avatar after the roster result: %u of %u\n", with_path,
           N_CONTACTS);

  for (guint i = 0; i < N_CONTACTS; i++)
    xmpp_stanza_release (presences[i]);
  g_free (presences);
  xmpp_stanza_release (result);
  xmpp_ctx_free (ctx);
  remove_dir (cache);
  if (with_path != N_CONTACTS)
    return 1;
  return missed_budget ? 1 : 0;
}

/* Our own presence comes back from the server (RFC 6121 §4.4.2). Nothing in
 * it may make Flint send presence again: with 2,000 contacts each presence
 * costs the server 2,000 deliveries, and a loop costs CPU while idle.
 * Loopback session (no network): the sink counts what Flint would send. */

#include "config.h"

#include <glib/gstdio.h>
#include <strophe.h>

#include "flint-account.h"
#include "flint-avatars.h"
#include "flint-roster.h"
#include "flint-session-private.h"
#include "flint-session.h"
#include "flint-stanza.h"

#define OWN "alice@flint.test"
#define OWN_FULL OWN "/echo"

typedef struct
{
  char *dir;
  FlintSession *session;
  FlintRoster *roster;
  FlintAvatars *avatars;
  guint presences;
  char *vcard_id; /* our vCard request, to answer */
} Fixture;

static void
on_sent (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  Fixture *f = user_data;
  const char *name = xmpp_stanza_get_name (stanza);

  if (g_strcmp0 (name, "presence") == 0 && xmpp_stanza_get_to (stanza) == NULL)
    f->presences++;
  else if (g_strcmp0 (name, "iq") == 0 &&
           g_strcmp0 (xmpp_stanza_get_type (stanza), "get") == 0 &&
           xmpp_stanza_get_child_by_name_and_ns (stanza, "vCard", "vcard-temp") &&
           (xmpp_stanza_get_to (stanza) == NULL ||
            g_str_equal (xmpp_stanza_get_to (stanza), OWN)))
    {
      g_free (f->vcard_id);
      f->vcard_id = g_strdup (xmpp_stanza_get_id (stanza));
    }
}

static void
feed (Fixture *f, const char *xml)
{
  xmpp_stanza_t *stanza =
    xmpp_stanza_new_from_string (flint_session_get_context (f->session), xml);

  g_assert_nonnull (stanza);
  flint_session_receive (f->session, stanza);
  xmpp_stanza_release (stanza);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintAccount) account = NULL;

  account = flint_account_new (OWN, &error);
  g_assert_no_error (error);
  f->session = flint_session_new (account);
  f->roster = flint_roster_new (f->session);
  f->avatars = flint_avatars_new (f->session, f->roster);
  flint_session_start_loopback (f->session, OWN_FULL, on_sent, f);
  drain ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->avatars);
  g_clear_object (&f->roster);
  g_clear_object (&f->session);
  g_free (f->vcard_id);
}

/* A user without an avatar: the reflected <photo/> is empty. Before the
 * fix, each echo re-sent our presence, which came back again: a loop. */
static void
test_empty_photo_echo (Fixture *f, gconstpointer data)
{
  g_autofree char *reply = NULL;
  guint before;

  g_assert_nonnull (f->vcard_id);
  reply = g_strdup_printf ("<iq type='result' id='%s' to='" OWN_FULL "'>"
                           "<vCard xmlns='vcard-temp'/></iq>",
                           f->vcard_id);
  feed (f, reply);
  drain ();
  before = f->presences;
  for (int i = 0; i < 5; i++)
    {
      feed (f, "<presence from='" OWN_FULL "' to='" OWN_FULL "'>"
               "<x xmlns='vcard-temp:x:update'><photo/></x></presence>");
      drain ();
    }
  g_assert_cmpuint (f->presences, ==, before);
}

/* The session itself: an extension equal to the one carried already changes
 * nothing, so nothing goes out. */
static void
test_same_extension (Fixture *f, gconstpointer data)
{
  xmpp_ctx_t *ctx = flint_session_get_context (f->session);
  xmpp_stanza_t *x = flint_stanza_new (ctx, "x", "urn:example:echo");
  guint before;

  flint_stanza_add_child (x, "photo", NULL, "abc");
  flint_session_set_presence_extension (f->session, x);
  before = f->presences;
  flint_session_set_presence_extension (f->session, x);
  g_assert_cmpuint (f->presences, ==, before);
  xmpp_stanza_release (x);

  /* A different one still goes out. */
  x = flint_stanza_new (ctx, "x", "urn:example:echo");
  flint_stanza_add_child (x, "photo", NULL, "def");
  flint_session_set_presence_extension (f->session, x);
  g_assert_cmpuint (f->presences, ==, before + 1);
  xmpp_stanza_release (x);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-echo-XXXXXX", NULL);
  int status;

  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  xmpp_initialize ();
  g_test_add ("/presence-echo/empty-photo", Fixture, NULL, fixture_set_up,
              test_empty_photo_echo, fixture_tear_down);
  g_test_add ("/presence-echo/same-extension", Fixture, NULL, fixture_set_up,
              test_same_extension, fixture_tear_down);
  status = g_test_run ();
  xmpp_shutdown ();
  return status;
}

/* How many messages Flint asks the archive for per page (XEP-0313 with
 * XEP-0059). It asks for many; a server that refuses that many (rather than
 * sending fewer, as most do) is asked again for fewer, down to 50, and the
 * catch-up goes on. Loopback session: the test is the server. */

#include "config.h"

#include <glib/gstdio.h>
#include <strophe.h>

#include "flint-account.h"
#include "flint-chat.h"
#include "flint-history.h"
#include "flint-mam.h"
#include "flint-session-private.h"
#include "flint-session.h"
#include "flint-stanza.h"

#define OWN "alice@flint.test"
#define OWN_FULL OWN "/pages"
#define NS_MAM "urn:xmpp:mam:2"

typedef struct
{
  char *dir;
  FlintHistory *history;
  FlintSession *session;
  FlintMam *mam;
  FlintChat *chat;
  char *disco_id;     /* our disco#info to the own account, to answer */
  GPtrArray *queries; /* "iq-id queryid max" of each archive query sent */
} Fixture;

static void
on_sent (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  Fixture *f = user_data;
  xmpp_stanza_t *query;

  if (g_strcmp0 (xmpp_stanza_get_name (stanza), "iq") != 0)
    return;
  if (xmpp_stanza_get_child_by_name_and_ns (stanza, "query",
                                            "http://jabber.org/protocol/disco#info") &&
      g_strcmp0 (xmpp_stanza_get_to (stanza), OWN) == 0)
    {
      g_free (f->disco_id);
      f->disco_id = g_strdup (xmpp_stanza_get_id (stanza));
    }
  else if ((query = xmpp_stanza_get_child_by_name_and_ns (stanza, "query", NS_MAM)))
    {
      xmpp_stanza_t *set = xmpp_stanza_get_child_by_name_and_ns (
        query, "set", "http://jabber.org/protocol/rsm");
      g_autofree char *max = flint_stanza_child_text (set, "max", NULL);

      g_ptr_array_add (
        f->queries, g_strdup_printf ("%s %s %s", xmpp_stanza_get_id (stanza),
                                     xmpp_stanza_get_attribute (query, "queryid"), max));
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

/* The last query's iq id, queryid and max. */
static void
last_query (Fixture *f, char **id, char **queryid, guint *max)
{
  g_auto (GStrv) parts = NULL;

  g_assert_cmpuint (f->queries->len, >, 0);
  parts = g_strsplit (g_ptr_array_index (f->queries, f->queries->len - 1), " ", 3);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  *id = g_strdup (parts[0]);
  *queryid = g_strdup (parts[1]);
  *max = (guint) g_ascii_strtoull (parts[2], NULL, 10);
}

static void
refuse_last (Fixture *f, const char *condition)
{
  g_autofree char *id = NULL, *queryid = NULL, *xml = NULL;
  guint max;

  last_query (f, &id, &queryid, &max);
  xml = g_strdup_printf ("<iq type='error' id='%s' from='" OWN "' to='" OWN_FULL "'>"
                         "<error type='modify'><%s xmlns='urn:ietf:params:xml:ns:xmpp-"
                         "stanzas'/></error></iq>",
                         id, condition);
  feed (f, xml);
  drain ();
}

#define SEEDED GUINT_TO_POINTER (1)
#define SEEDED_EARLY GUINT_TO_POINTER (2) /* disco left for the test to answer */

/* As the app does: a delayed live copy is left to a running catch-up. */
static gboolean
take_live (gpointer mam)
{
  return flint_mam_take_live_message (mam);
}

static void answer_disco (Fixture *f);

/* Answers the last archive query with one message from bob (archive id
 * @archive_id) as the whole, complete page, then waits for the catch-up to
 * store it and end. */
static void
answer_last_with (Fixture *f, const char *archive_id, const char *body)
{
  g_autofree char *id = NULL, *queryid = NULL, *result = NULL, *fin = NULL;
  guint max;

  last_query (f, &id, &queryid, &max);
  result = g_strdup_printf (
    "<message to='" OWN_FULL "'><result xmlns='" NS_MAM "' queryid='%s' id='%s'>"
    "<forwarded xmlns='urn:xmpp:forward:0'>"
    "<delay xmlns='urn:xmpp:delay' stamp='2026-11-25T15:41:41Z'/>"
    "<message from='bob@flint.test/desk' to='" OWN "' type='chat' id='m1'>"
    "<body>%s</body></message></forwarded></result></message>",
    queryid, archive_id, body);
  feed (f, result);
  fin = g_strdup_printf ("<iq type='result' id='%s' from='" OWN "' to='" OWN_FULL "'>"
                         "<fin xmlns='" NS_MAM "' complete='true'>"
                         "<set xmlns='http://jabber.org/protocol/rsm'><first>%s</first>"
                         "<last>%s</last></set></fin></iq>",
                         id, archive_id, archive_id);
  feed (f, fin);
  for (gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       flint_mam_get_busy (f->mam) && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (flint_mam_get_busy (f->mam));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintAccount) account = NULL;
  g_autofree char *db = NULL;

  f->dir = g_dir_make_tmp ("flint-mam-page-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (f->dir, "history.db", NULL);
  f->history = flint_history_open (db, &error);
  g_assert_no_error (error);
  account = flint_account_new (OWN, &error);
  g_assert_no_error (error);
  f->queries = g_ptr_array_new_with_free_func (g_free);
  if (data == SEEDED || data == SEEDED_EARLY)
    {
      /* A message stored before: the catch-up pages forward after it. */
      g_autoptr (FlintMessageRecord) record = flint_message_record_new ();

      record->account = g_strdup (OWN);
      record->conversation = g_strdup ("bob@flint.test");
      record->direction = FLINT_DIRECTION_INCOMING;
      record->sender = g_strdup ("bob@flint.test");
      record->body = g_strdup ("Before");
      record->time = record->local_time = g_get_real_time () - 60 * G_USEC_PER_SEC;
      record->stanza_id = g_strdup ("S0");
      record->stanza_id_by = g_strdup (OWN);
      record->message_id = g_strdup ("m0");
      g_assert_true (flint_history_insert (f->history, record, NULL, &error));
      g_assert_no_error (error);
    }
  f->session = flint_session_new (account);
  f->mam = flint_mam_new (f->session, f->history);
  f->chat = flint_chat_new (f->session, f->history);
  flint_chat_set_catch_up_func (f->chat, take_live, f->mam);
  if (data && data != SEEDED && data != SEEDED_EARLY)
    flint_mam_set_page_size (f->mam, GPOINTER_TO_UINT (data));
  flint_session_start_loopback (f->session, OWN_FULL, on_sent, f);
  drain ();

  g_assert_nonnull (f->disco_id);
  if (data == SEEDED_EARLY)
    return;
  answer_disco (f);
}

/* The server archives. */
static void
answer_disco (Fixture *f)
{
  g_autofree char *reply = NULL;

  reply = g_strdup_printf ("<iq type='result' id='%s' from='" OWN "' to='" OWN_FULL "'>"
                           "<query xmlns='http://jabber.org/protocol/disco#info'>"
                           "<feature var='" NS_MAM "'/></query></iq>",
                           f->disco_id);
  feed (f, reply);
  drain ();
  g_assert_cmpuint (f->queries->len, ==, 1);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->chat);
  g_clear_object (&f->mam);
  g_clear_object (&f->session);
  g_clear_object (&f->history);
  g_ptr_array_unref (f->queries);
  g_free (f->disco_id);
  {
    g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)))
      {
        g_autofree char *path = g_build_filename (f->dir, name, NULL);
        g_remove (path);
      }
  }
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* Refused twice: asked again each time for a quarter, never below 50; the
 * page the server does send is stored and the catch-up ends. */
static void
test_refused_then_smaller (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL, *queryid = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  guint max;

  /* A fresh store asks for the newest 500 (at most its page size). */
  last_query (f, &id, &queryid, &max);
  g_assert_cmpuint (max, ==, 500);
  g_assert_true (flint_mam_get_busy (f->mam));

  refuse_last (f, "policy-violation");
  g_assert_cmpuint (f->queries->len, ==, 2);
  g_clear_pointer (&id, g_free);
  g_clear_pointer (&queryid, g_free);
  last_query (f, &id, &queryid, &max);
  g_assert_cmpuint (max, ==, 250);

  refuse_last (f, "resource-constraint");
  g_assert_cmpuint (f->queries->len, ==, 3);
  g_clear_pointer (&id, g_free);
  g_clear_pointer (&queryid, g_free);
  last_query (f, &id, &queryid, &max);
  g_assert_cmpuint (max, ==, 62);

  answer_last_with (f, "A1", "The minutes are up");
  g_assert_cmpuint (f->queries->len, ==, 3);
  rows = flint_history_get_last (f->history, OWN, "bob@flint.test", 10, NULL);
  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((FlintMessageRecord *) g_ptr_array_index (rows, 0))->body, ==,
                   "The minutes are up");
}

/* At 50 a refusal is an error like any other: no more asking. */
static void
test_refused_at_smallest (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL, *queryid = NULL;
  guint max;

  last_query (f, &id, &queryid, &max);
  g_assert_cmpuint (max, ==, 50);
  refuse_last (f, "policy-violation");
  g_assert_cmpuint (f->queries->len, ==, 1);
  g_assert_false (flint_mam_get_busy (f->mam));
}

/* Other errors are not about the size: not asked again. */
static void
test_other_error_not_retried (Fixture *f, gconstpointer data)
{
  refuse_last (f, "service-unavailable");
  g_assert_cmpuint (f->queries->len, ==, 1);
  g_assert_false (flint_mam_get_busy (f->mam));
}

static guint
stored_count (Fixture *f)
{
  g_autoptr (GPtrArray) rows =
    flint_history_get_last (f->history, OWN, "bob@flint.test", 10, NULL);

  g_assert_nonnull (rows);
  return rows->len;
}

/* A delayed copy of a message comes live while the catch-up's last page is
 * on its way; the message is left to the catch-up, so the catch-up must
 * read past it: one more page, not "finished" with the message in neither.
 * (The fault test lost b2-b6 this way after a resumed stream.) */
static void
test_live_message_during_last_page (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL, *queryid = NULL, *fin = NULL;
  guint max;

  g_assert_cmpuint (stored_count (f), ==, 1);
  feed (f, "<message from='bob@flint.test/desk' to='" OWN_FULL "' type='chat' id='m1'>"
           "<body>Live and late</body>"
           "<delay xmlns='urn:xmpp:delay' stamp='2026-11-25T15:41:41Z'/>"
           "<stanza-id xmlns='urn:xmpp:sid:0' id='S1' by='" OWN "'/></message>");
  drain ();
  g_assert_cmpuint (stored_count (f), ==, 1); /* left to the catch-up */

  /* The page asked for before it came: nothing after S0 then. */
  last_query (f, &id, &queryid, &max);
  fin = g_strdup_printf ("<iq type='result' id='%s' from='" OWN "' to='" OWN_FULL "'>"
                         "<fin xmlns='" NS_MAM "' complete='true'>"
                         "<set xmlns='http://jabber.org/protocol/rsm'/></fin></iq>",
                         id);
  feed (f, fin);
  drain ();
  g_assert_cmpuint (f->queries->len, ==, 2);

  answer_last_with (f, "S1", "Live and late");
  g_assert_cmpuint (f->queries->len, ==, 2);
  g_assert_cmpuint (stored_count (f), ==, 2);
}

/* The offline messages the server sends at sign-in come before the catch-up
 * has asked for its first page: left to it, they are stored by it, in the
 * archive's order (stored at once they came out of order: faults
 * test_kill9_during_catch_up). */
static void
test_live_message_before_first_page (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (f->queries->len, ==, 0);
  feed (f, "<message from='bob@flint.test/desk' to='" OWN_FULL "' type='chat' id='m1'>"
           "<body>Sent while away</body>"
           "<delay xmlns='urn:xmpp:delay' stamp='2026-11-25T15:41:41Z'/>"
           "<stanza-id xmlns='urn:xmpp:sid:0' id='S1' by='" OWN "'/></message>");
  drain ();
  g_assert_cmpuint (stored_count (f), ==, 1); /* left to the catch-up */

  answer_disco (f);
  answer_last_with (f, "S1", "Sent while away");
  g_assert_cmpuint (f->queries->len, ==, 1);
  g_assert_cmpuint (stored_count (f), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  xmpp_initialize ();

  g_test_add ("/mam-page/refused-then-smaller", Fixture, NULL, fixture_set_up,
              test_refused_then_smaller, fixture_tear_down);
  g_test_add ("/mam-page/refused-at-smallest", Fixture, GUINT_TO_POINTER (50),
              fixture_set_up, test_refused_at_smallest, fixture_tear_down);
  g_test_add ("/mam-page/other-error-not-retried", Fixture, NULL, fixture_set_up,
              test_other_error_not_retried, fixture_tear_down);
  g_test_add ("/mam-page/live-message-during-last-page", Fixture, SEEDED, fixture_set_up,
              test_live_message_during_last_page, fixture_tear_down);
  g_test_add ("/mam-page/live-message-before-first-page", Fixture, SEEDED_EARLY,
              fixture_set_up, test_live_message_before_first_page, fixture_tear_down);
  return g_test_run ();
}

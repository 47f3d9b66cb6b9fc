/* FlintSmLedger: our XEP-0198 account of sent messages, fed with the lines
 * libstrophe logs. */
#include "config.h"

#include <strophe.h>

#include "flint-sm-ledger.h"

static xmpp_ctx_t *ctx;

static xmpp_stanza_t *
message (const char *id)
{
  xmpp_stanza_t *m = xmpp_message_new (ctx, "chat", "bob@example.com", id);

  xmpp_message_set_body (m, id);
  return m;
}

/* Tracks and "sends" message @id, as transmit() and libstrophe's log do. */
static void
send_message (FlintSmLedger *ledger, const char *id)
{
  xmpp_stanza_t *m = message (id);
  g_autofree char *line = g_strdup_printf (
    "<message id=\"%s\" to=\"bob@example.com\" type=\"chat\"><body>%s</body></message>",
    id, id);

  flint_sm_ledger_track (ledger, m);
  xmpp_stanza_release (m);
  flint_sm_ledger_note_sent (ledger, line);
}

static void
on_acked (xmpp_stanza_t *m, gpointer data)
{
  g_ptr_array_add (data, g_strdup (xmpp_stanza_get_id (m)));
}

static char *
ids (GPtrArray *stanzas)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < stanzas->len; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "",
                            xmpp_stanza_get_id (stanzas->pdata[i]));
  return g_string_free (out, FALSE);
}

static char *
joined (GPtrArray *strings)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < strings->len; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", (char *) strings->pdata[i]);
  return g_string_free (out, FALSE);
}

/* Acknowledged messages are reported once; after a resumption the server's
 * h tells which messages never arrived, and only those come back. */
static void
test_resume (void)
{
  g_autoptr (GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (FlintSmLedger) ledger = flint_sm_ledger_new (on_acked, acked);
  g_autoptr (GPtrArray) lost = NULL;
  g_autofree char *text = NULL;

  flint_sm_ledger_note_sent (ledger, "<enable xmlns=\"urn:xmpp:sm:3\" resume=\"true\"/>");
  flint_sm_ledger_note_sent (ledger,
                             "<presence><priority>0</priority></presence>"); /* 1 */
  flint_sm_ledger_note_sent (ledger, "<iq id=\"r\" type=\"get\"/>");         /* 2 */
  send_message (ledger, "m1");                                               /* 3 */
  flint_sm_ledger_note_sent (ledger, "<r xmlns='urn:xmpp:sm:3'/>");
  send_message (ledger, "m2"); /* 4 */
  send_message (ledger, "m3"); /* 5 */
  flint_sm_ledger_note_sent (ledger, "<a h=\"7\" xmlns=\"urn:xmpp:sm:3\"/>");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 3);

  flint_sm_ledger_note_received (ledger, "<a h=\"3\" xmlns=\"urn:xmpp:sm:3\"/>");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 2);
  /* The stream breaks; the next one resumes. */
  flint_sm_ledger_note_sent (ledger,
                             "<resume h=\"9\" previd=\"x\" xmlns=\"urn:xmpp:sm:3\"/>");
  flint_sm_ledger_note_received (
    ledger, "<resumed h=\"4\" previd=\"x\" xmlns=\"urn:xmpp:sm:3\"/>");
  text = joined (acked);
  g_assert_cmpstr (text, ==, "m1 m2");
  lost = flint_sm_ledger_take_lost (ledger);
  g_clear_pointer (&text, g_free);
  text = ids (lost);
  g_assert_cmpstr (text, ==, "m3");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 0);

  /* Counting goes on from the server's h: m3 sent again is its 5th. */
  send_message (ledger, "m3");
  flint_sm_ledger_note_received (ledger, "<a h=\"5\" xmlns=\"urn:xmpp:sm:3\"/>");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 0);
  g_assert_cmpuint (acked->len, ==, 3);
}

/* A receipt (no body) is counted and sent again if lost, but its
 * acknowledgement is not reported: it has no delivery state. */
static void
test_receipts_not_reported (void)
{
  g_autoptr (GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (FlintSmLedger) ledger = flint_sm_ledger_new (on_acked, acked);
  xmpp_stanza_t *receipt = xmpp_message_new (ctx, "chat", "bob@example.com", "r1");
  g_autofree char *text = NULL;

  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  flint_sm_ledger_track (ledger, receipt);
  xmpp_stanza_release (receipt);
  flint_sm_ledger_note_sent (ledger, "<message id=\"r1\" to=\"bob@example.com\" "
                                     "type=\"chat\"><received xmlns=\"urn:xmpp:"
                                     "receipts\" id=\"x\"/></message>");
  send_message (ledger, "m1");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 2);
  flint_sm_ledger_note_received (ledger, "<a h='2' xmlns='urn:xmpp:sm:3'/>");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 0);
  text = joined (acked);
  g_assert_cmpstr (text, ==, "m1");
}

/* A new session (no resumption) loses whatever the old one left unacked.
 * The server said nothing of how much it got: a text sent again could
 * arrive twice, so those are not handed back (FlintChat asks the archive);
 * a receipt is. */
static void
test_new_session (void)
{
  g_autoptr (GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (FlintSmLedger) ledger = flint_sm_ledger_new (on_acked, acked);
  g_autoptr (GPtrArray) lost = NULL;
  g_autoptr (GPtrArray) again = NULL;
  xmpp_stanza_t *receipt = xmpp_message_new (ctx, "chat", "bob@example.com", "r1");
  g_autofree char *text = NULL;

  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  send_message (ledger, "m1");
  send_message (ledger, "m2");
  flint_sm_ledger_track (ledger, receipt);
  xmpp_stanza_release (receipt);
  flint_sm_ledger_note_sent (ledger, "<message id=\"r1\" to=\"bob@example.com\" "
                                     "type=\"chat\"><received xmlns=\"urn:xmpp:"
                                     "receipts\" id=\"x\"/></message>");
  flint_sm_ledger_note_received (ledger, "<a h='1' xmlns='urn:xmpp:sm:3'/>");
  g_assert_true (flint_sm_ledger_is_following (ledger, "m2"));
  flint_sm_ledger_note_sent (ledger, "<resume h='0' previd='x' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger, "<failed xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  lost = flint_sm_ledger_take_lost (ledger);
  text = ids (lost);
  g_assert_cmpstr (text, ==, "r1");
  g_assert_false (flint_sm_ledger_is_following (ledger, "m2"));
  /* Taken once. */
  again = flint_sm_ledger_take_lost (ledger);
  g_assert_cmpuint (again->len, ==, 0);

  /* Should libstrophe send m2 again itself, it is followed again. */
  flint_sm_ledger_note_sent (
    ledger, "<message id=\"m2\" to=\"bob@example.com\"><body>m2</body></message>");
  g_assert_true (flint_sm_ledger_is_following (ledger, "m2"));
  flint_sm_ledger_note_received (ledger, "<a h='1' xmlns='urn:xmpp:sm:3'/>");
  g_assert_false (flint_sm_ledger_is_following (ledger, "m2"));
  g_clear_pointer (&text, g_free);
  text = joined (acked);
  g_assert_cmpstr (text, ==, "m1 m2");
}

/* A failed resumption that says how much the server got (h): the rest
 * never arrived and is handed back, texts too. */
static void
test_failed_with_count (void)
{
  g_autoptr (FlintSmLedger) ledger = flint_sm_ledger_new (NULL, NULL);
  g_autoptr (GPtrArray) lost = NULL;
  g_autofree char *text = NULL;

  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  g_assert_true (flint_sm_ledger_is_counting (ledger));
  send_message (ledger, "m1");
  send_message (ledger, "m2");
  send_message (ledger, "m3");
  flint_sm_ledger_note_sent (ledger, "<resume h='0' previd='x' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (
    ledger, "<failed h='1' xmlns='urn:xmpp:sm:3'><item-not-found/></failed>");
  g_assert_false (flint_sm_ledger_is_counting (ledger));
  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  /* Followed until handed back to be sent again. */
  g_assert_true (flint_sm_ledger_is_following (ledger, "m3"));
  g_assert_false (flint_sm_ledger_is_following (ledger, "m1"));
  lost = flint_sm_ledger_take_lost (ledger);
  text = ids (lost);
  g_assert_cmpstr (text, ==, "m2 m3");
}

/* Our request written just before the link broke: sent again on the
 * resumed stream that still waits for its answer, not after a new session
 * (which failed it). Answers we send are never followed. */
static void
test_requests (void)
{
  g_autoptr (FlintSmLedger) ledger = flint_sm_ledger_new (NULL, NULL);
  g_autoptr (GPtrArray) lost = NULL;
  g_autoptr (GPtrArray) none = NULL;
  xmpp_stanza_t *query = xmpp_iq_new (ctx, "set", "q1");
  xmpp_stanza_t *answer = xmpp_iq_new (ctx, "result", "a1");
  g_autofree char *text = NULL;

  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  flint_sm_ledger_track (ledger, query);
  flint_sm_ledger_track (ledger, answer);
  flint_sm_ledger_note_sent (ledger, "<iq id=\"a1\" type=\"result\"/>");
  flint_sm_ledger_note_sent (ledger, "<iq id=\"q1\" type=\"set\"><query/></iq>");
  send_message (ledger, "m1");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 2);
  flint_sm_ledger_note_sent (ledger, "<resume h='0' previd='x' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger,
                                 "<resumed h='1' previd='x' xmlns='urn:xmpp:sm:3'/>");
  lost = flint_sm_ledger_take_lost (ledger);
  text = ids (lost);
  g_assert_cmpstr (text, ==, "q1 m1");

  /* The same after a failed resumption: the request is not sent again. */
  flint_sm_ledger_track (ledger, query);
  flint_sm_ledger_note_sent (ledger, "<iq id=\"q1\" type=\"set\"><query/></iq>");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 1);
  flint_sm_ledger_note_sent (ledger, "<resume h='0' previd='y' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger, "<failed h='1' xmlns='urn:xmpp:sm:3'/>");
  none = flint_sm_ledger_take_lost (ledger);
  g_assert_cmpuint (none->len, ==, 0);
  xmpp_stanza_release (query);
  xmpp_stanza_release (answer);
}

/* Handed to libstrophe as the stream died, never written (no "SENT" line:
 * libstrophe drops what it is given once the stream is down, and what it
 * could not write): the server never got them. On a new session the
 * messages go out again, in order, and the request does not (the new
 * session failed it); on a resumed stream the request goes too. Before,
 * they were followed for ever, so never sent again nor asked about: a
 * message "sent" that never reached anyone (issue 9, the killed server's
 * seed 25). */
static void
test_unwritten (void)
{
  g_autoptr (FlintSmLedger) ledger = flint_sm_ledger_new (NULL, NULL);
  g_autoptr (GPtrArray) lost = NULL;
  g_autoptr (GPtrArray) resumed = NULL;
  g_autoptr (GPtrArray) none = NULL;
  xmpp_stanza_t *u1 = message ("u1");
  xmpp_stanza_t *u2 = message ("u2");
  xmpp_stanza_t *query = xmpp_iq_new (ctx, "get", "q1");
  g_autofree char *text = NULL;

  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  send_message (ledger, "m1");
  flint_sm_ledger_track (ledger, u1);
  flint_sm_ledger_track (ledger, query);
  flint_sm_ledger_track (ledger, u2);
  g_assert_true (flint_sm_ledger_is_following (ledger, "u2"));
  flint_sm_ledger_note_sent (ledger, "<resume h='0' previd='x' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger, "<failed xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
  lost = flint_sm_ledger_take_lost (ledger);
  text = ids (lost);
  /* m1 was written: the archive is asked about it, not here. */
  g_assert_cmpstr (text, ==, "u1 u2");
  g_assert_false (flint_sm_ledger_is_following (ledger, "q1"));

  /* A resumed stream: the request waits for its answer there. */
  flint_sm_ledger_track (ledger, u1);
  flint_sm_ledger_track (ledger, query);
  flint_sm_ledger_note_sent (ledger, "<resume h='0' previd='y' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger,
                                 "<resumed h='0' previd='y' xmlns='urn:xmpp:sm:3'/>");
  resumed = flint_sm_ledger_take_lost (ledger);
  g_clear_pointer (&text, g_free);
  text = ids (resumed);
  g_assert_cmpstr (text, ==, "u1 q1");
  none = flint_sm_ledger_take_lost (ledger);
  g_assert_cmpuint (none->len, ==, 0);
  xmpp_stanza_release (u1);
  xmpp_stanza_release (u2);
  xmpp_stanza_release (query);
}

/* libstrophe sending a lost message again itself: we must not as well. */
static void
test_libstrophe_resends (void)
{
  g_autoptr (FlintSmLedger) ledger = flint_sm_ledger_new (NULL, NULL);
  g_autoptr (GPtrArray) lost = NULL;

  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3'/>");
  send_message (ledger, "m1");
  flint_sm_ledger_note_sent (ledger, "<resume h='0' previd='x' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger,
                                 "<resumed h='0' previd='x' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_sent (
    ledger, "<message id=\"m1\" to=\"bob@example.com\"><body>m1</body></message>");
  lost = flint_sm_ledger_take_lost (ledger);
  g_assert_cmpuint (lost->len, ==, 0);
  /* and it is followed as sent: acked by the next h. */
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 1);
  flint_sm_ledger_note_received (ledger, "<a h='1' xmlns='urn:xmpp:sm:3'/>");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 0);
}

/* Without XEP-0198 nothing is followed; junk h values change nothing. */
static void
test_no_sm_and_junk (void)
{
  g_autoptr (FlintSmLedger) ledger = flint_sm_ledger_new (NULL, NULL);

  send_message (ledger, "m1");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 0);
  flint_sm_ledger_note_sent (ledger, "<enable xmlns='urn:xmpp:sm:3'/>");
  send_message (ledger, "m2");
  flint_sm_ledger_note_received (ledger, "<a h='-1' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger, "<a h='99999999999' xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger, "<a xmlns='urn:xmpp:sm:3'/>");
  flint_sm_ledger_note_received (ledger, "<a h='");
  flint_sm_ledger_note_received (ledger, "<auth h='5'/>");
  g_assert_cmpuint (flint_sm_ledger_get_unacked (ledger), ==, 1);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);
  g_test_add_func ("/sm-ledger/resume", test_resume);
  g_test_add_func ("/sm-ledger/new-session", test_new_session);
  g_test_add_func ("/sm-ledger/failed-with-count", test_failed_with_count);
  g_test_add_func ("/sm-ledger/requests", test_requests);
  g_test_add_func ("/sm-ledger/unwritten", test_unwritten);
  g_test_add_func ("/sm-ledger/receipts-not-reported", test_receipts_not_reported);
  g_test_add_func ("/sm-ledger/libstrophe-resends", test_libstrophe_resends);
  g_test_add_func ("/sm-ledger/no-sm-and-junk", test_no_sm_and_junk);
  status = g_test_run ();
  xmpp_ctx_free (ctx);
  xmpp_shutdown ();
  return status;
}

/* The XML console's record: redaction, pretty printing, filters, bound. */
#include "config.h"

#include <string.h>

#include "flint-error.h"
#include "flint-stanza-log.h"

static void
assert_hidden (const char *xml, const char *secret)
{
  g_autofree char *out = flint_stanza_log_redact (xml);

  g_assert_nonnull (out);
  g_assert_null (strstr (out, secret));
  g_assert_nonnull (strstr (out, "[redacted]"));
}

static void
test_redact (void)
{
  assert_hidden ("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"
                 "AGFsaWNlAHMzY3JldA==</auth>",
                 "AGFsaWNlAHMzY3JldA==");
  assert_hidden ("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>Yz1iaXdz</response>",
                 "Yz1iaXdz");
  assert_hidden ("<iq type='set' id='r1'><query xmlns='jabber:iq:register'>"
                 "<username>alice</username><password>hunter2</password></query></iq>",
                 "hunter2");
  assert_hidden ("<iq type='set'><query xmlns='jabber:iq:auth'><username>a</username>"
                 "<password>hunter2</password><resource>r</resource></query></iq>",
                 "hunter2");
  assert_hidden ("<presence to='room@conf/me'><x xmlns='http://jabber.org/protocol/muc'>"
                 "<password>roomsecret</password></x></presence>",
                 "roomsecret");
  assert_hidden (
    "<iq type='set'><command xmlns='http://jabber.org/protocol/commands'>"
    "<x xmlns='jabber:x:data' type='submit'><field var='pw' type='text-private'>"
    "<value>s3cr3t</value></field></x></command></iq>",
    "s3cr3t");
  assert_hidden ("<iq type='set'><x xmlns='jabber:x:data' type='submit'>"
                 "<field var='muc#roomconfig_roomsecret'><value>s3cr3t</value></field>"
                 "<field var='password'><value>pw2</value></field></x></iq>",
                 "s3cr3t");
  /* Unreadable but suspicious: hidden whole. */
  assert_hidden ("<iq><password>oops</iq>", "oops");

  /* Nothing secret: left alone (NULL), including a form's public field. */
  g_assert_null (flint_stanza_log_redact ("<message to='a@b'><body>hi</body></message>"));
  g_assert_null (flint_stanza_log_redact (
    "<x xmlns='jabber:x:data'><field var='name' type='text-single'><value>Al</value>"
    "</field></x>"));
  g_assert_null (flint_stanza_log_redact ("<stream:stream xmlns='jabber:client'>"));
  /* The public parts of a redacted stanza stay. */
  {
    g_autofree char *out = flint_stanza_log_redact (
      "<iq type='set' id='r1'><query xmlns='jabber:iq:register'>"
      "<username>alice</username><password>hunter2</password></query></iq>");

    g_test_message ("%s", out);
    g_assert_nonnull (strstr (out, "<username>alice</username>"));
    g_assert_nonnull (strstr (out, "id=\"r1\""));
  }
}

static void
test_pretty (void)
{
  g_autofree char *p = flint_stanza_log_pretty (
    "<message to='a@b' type='chat'><body>a &amp; b</body><active "
    "xmlns='http://jabber.org/protocol/chatstates'/></message>");
  g_autofree char *raw = flint_stanza_log_pretty ("<stream:stream to='x'>");

  g_assert_cmpstr (p, ==,
                   "<message to=\"a@b\" type=\"chat\">\n"
                   "  <body>a &amp; b</body>\n"
                   "  <active xmlns=\"http://jabber.org/protocol/chatstates\"/>\n"
                   "</message>");
  g_assert_cmpstr (raw, ==, "<stream:stream to='x'>");
}

static void
test_classify_and_filter (void)
{
  g_autoptr (FlintStanzaLog) log = flint_stanza_log_new (3);
  const FlintStanzaLogEntry *e;

  g_assert_cmpint (flint_stanza_log_classify ("<message/>"), ==,
                   FLINT_STANZA_KIND_MESSAGE);
  g_assert_cmpint (flint_stanza_log_classify (" <presence to='x'/>"), ==,
                   FLINT_STANZA_KIND_PRESENCE);
  g_assert_cmpint (flint_stanza_log_classify ("<iq id='1'>"), ==, FLINT_STANZA_KIND_IQ);
  g_assert_cmpint (flint_stanza_log_classify ("<iqx/>"), ==, FLINT_STANZA_KIND_OTHER);
  g_assert_cmpint (flint_stanza_log_classify ("<r xmlns='urn:xmpp:sm:3'/>"), ==,
                   FLINT_STANZA_KIND_OTHER);

  flint_stanza_log_add (log, TRUE, "<message to='bob@x'><body>Hello</body></message>");
  flint_stanza_log_add (log, FALSE, "<presence from='carol@x'/>");
  flint_stanza_log_add (log, FALSE, "<iq type='result' id='1'/>");
  flint_stanza_log_add (log, TRUE, "<iq type='get' id='2'/>");
  /* Bounded: the oldest went. */
  g_assert_cmpuint (flint_stanza_log_get_n_entries (log), ==, 3);
  e = flint_stanza_log_get_entry (log, 0);
  g_assert_cmpint (e->kind, ==, FLINT_STANZA_KIND_PRESENCE);
  g_assert_false (e->outgoing);
  g_assert_true (flint_stanza_log_entry_matches (e, "CAROL", -1, -1));
  g_assert_false (flint_stanza_log_entry_matches (e, "bob", -1, -1));
  g_assert_false (flint_stanza_log_entry_matches (e, NULL, 1, -1));
  g_assert_true (flint_stanza_log_entry_matches (e, "", 0, FLINT_STANZA_KIND_PRESENCE));
  g_assert_false (flint_stanza_log_entry_matches (e, "", 0, FLINT_STANZA_KIND_IQ));

  /* Fed a secret directly, the log still hides it. */
  flint_stanza_log_add (log, TRUE,
                        "<iq type='set'><query xmlns='jabber:iq:register'>"
                        "<password>hunter2</password></query></iq>");
  e = flint_stanza_log_get_entry (log, 2);
  g_assert_null (strstr (e->xml, "hunter2"));
  g_assert_null (strstr (e->pretty, "hunter2"));
}

static void
test_validate (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flint_stanza_log_validate ("  <iq type='get' id='x'><ping "
                                            "xmlns='urn:xmpp:ping'/></iq>\n",
                                            NULL));
  g_assert_false (flint_stanza_log_validate ("<iq>", &error));
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (flint_stanza_log_validate ("<a/><b/>", &error));
  g_clear_error (&error);
  g_assert_false (flint_stanza_log_validate ("hello", &error));
  g_clear_error (&error);
  g_assert_false (flint_stanza_log_validate ("   ", &error));
  g_clear_error (&error);
  g_assert_false (flint_stanza_log_validate ("<a>&bogus;</a>", &error));
  g_assert_nonnull (error->message);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stanza-log/redact", test_redact);
  g_test_add_func ("/stanza-log/pretty", test_pretty);
  g_test_add_func ("/stanza-log/classify-and-filter", test_classify_and_filter);
  g_test_add_func ("/stanza-log/validate", test_validate);
  return g_test_run ();
}

/* XEP-0115 verification strings: the examples of §5.2 and §5.3, the
 * §5.4 rules for answers not to trust, and malformed input. */
#include "config.h"

#include <string.h>

#include "flint-disco.h"

static xmpp_ctx_t *ctx;

static const char exodus[] =
  "<query xmlns='http://jabber.org/protocol/disco#info'"
  " node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>"
  "<identity category='client' name='Exodus 0.9.1' type='pc'/>"
  "<feature var='http://jabber.org/protocol/caps'/>"
  "<feature var='http://jabber.org/protocol/disco#info'/>"
  "<feature var='http://jabber.org/protocol/disco#items'/>"
  "<feature var='http://jabber.org/protocol/muc'/>"
  "</query>";

static const char psi[] =
  "<query xmlns='http://jabber.org/protocol/disco#info'>"
  "<identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>"
  "<identity xml:lang='el' category='client' name='\xce\xa8 0.11' type='pc'/>"
  "<feature var='http://jabber.org/protocol/caps'/>"
  "<feature var='http://jabber.org/protocol/disco#info'/>"
  "<feature var='http://jabber.org/protocol/disco#items'/>"
  "<feature var='http://jabber.org/protocol/muc'/>"
  "<x xmlns='jabber:x:data' type='result'>"
  "<field var='FORM_TYPE' "
  "type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>"
  "<field var='ip_version'><value>ipv4</value><value>ipv6</value></field>"
  "<field var='os'><value>Mac</value></field>"
  "<field var='os_version'><value>10.5.1</value></field>"
  "<field var='software'><value>Psi</value></field>"
  "<field var='software_version'><value>0.11</value></field>"
  "</x>"
  "</query>";

static char *
hash_of (const char *xml)
{
  xmpp_stanza_t *query = xmpp_stanza_new_from_string (ctx, xml);
  char *hash;

  g_assert_nonnull (query);
  hash = flint_disco_hash_query (query, NULL);
  xmpp_stanza_release (query);
  return hash;
}

static void
test_exodus (void)
{
  xmpp_stanza_t *query = xmpp_stanza_new_from_string (ctx, exodus);
  g_autoptr (GPtrArray) features = NULL;
  g_autofree char *hash = flint_disco_hash_query (query, &features);

  g_assert_cmpstr (hash, ==, "QgayPKawpkPSDYmwT/WM94uAlu0=");
  g_assert_nonnull (features);
  g_assert_cmpuint (features->len, ==, 4);
  g_assert_cmpstr (features->pdata[0], ==, "http://jabber.org/protocol/caps");
  g_assert_cmpstr (features->pdata[3], ==, "http://jabber.org/protocol/muc");
  xmpp_stanza_release (query);
}

static void
test_extended_forms (void)
{
  g_autofree char *hash = hash_of (psi);

  g_assert_cmpstr (hash, ==, "q07IKJEyjvHSyhy//CH0CxmKi8w=");
}

/* The hash is of the sorted content: the order on the wire is irrelevant. */
static void
test_order_independent (void)
{
  g_autofree char *hash =
    hash_of ("<query xmlns='http://jabber.org/protocol/disco#info'>"
             "<feature var='http://jabber.org/protocol/muc'/>"
             "<feature var='http://jabber.org/protocol/disco#items'/>"
             "<feature var='http://jabber.org/protocol/caps'/>"
             "<identity category='client' name='Exodus 0.9.1' type='pc'/>"
             "<feature var='http://jabber.org/protocol/disco#info'/>"
             "</query>");

  g_assert_cmpstr (hash, ==, "QgayPKawpkPSDYmwT/WM94uAlu0=");
}

/* §5.4: answers a cache must not take. */
static void
test_untrusted (void)
{
  static const char *const bad[] = {
    /* duplicate feature */
    "<query xmlns='http://jabber.org/protocol/disco#info'>"
    "<identity category='client' type='pc'/>"
    "<feature var='a'/><feature var='a'/></query>",
    /* duplicate identity */
    "<query xmlns='http://jabber.org/protocol/disco#info'>"
    "<identity category='client' type='pc' name='x'/>"
    "<identity category='client' type='pc' name='x'/></query>",
    /* identity without category / type */
    "<query xmlns='http://jabber.org/protocol/disco#info'>"
    "<identity type='pc'/></query>",
    "<query xmlns='http://jabber.org/protocol/disco#info'>"
    "<identity category='client'/></query>",
    /* feature without var */
    "<query xmlns='http://jabber.org/protocol/disco#info'><feature/></query>",
    /* two forms of one FORM_TYPE */
    "<query xmlns='http://jabber.org/protocol/disco#info'>"
    "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'>"
    "<value>urn:a</value></field></x>"
    "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'>"
    "<value>urn:a</value></field></x></query>",
    /* a FORM_TYPE with two different values */
    "<query xmlns='http://jabber.org/protocol/disco#info'>"
    "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'>"
    "<value>urn:a</value><value>urn:b</value></field></x></query>",
    /* not a disco#info query */
    "<query xmlns='jabber:iq:roster'><feature var='a'/></query>",
    "<iq xmlns='jabber:client'/>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *hash = hash_of (bad[i]);

      g_assert_null (hash);
    }
  g_assert_null (flint_disco_hash_query (NULL, NULL));
}

/* Forms without a FORM_TYPE, or with one not hidden, are left out. */
static void
test_ignored_forms (void)
{
  g_autofree char *plain = hash_of (exodus);
  g_autofree char *no_type = NULL;
  g_autofree char *not_hidden = NULL;
  g_autoptr (GString) xml = g_string_new (exodus);

  g_string_truncate (xml, xml->len - strlen ("</query>"));
  g_string_append (xml, "<x xmlns='jabber:x:data' type='result'>"
                        "<field var='os'><value>Mac</value></field></x></query>");
  no_type = hash_of (xml->str);
  g_assert_cmpstr (no_type, ==, plain);

  g_string_assign (xml, exodus);
  g_string_truncate (xml, xml->len - strlen ("</query>"));
  g_string_append (xml, "<x xmlns='jabber:x:data' type='result'>"
                        "<field var='FORM_TYPE'><value>urn:a</value></field>"
                        "<field var='os'><value>Mac</value></field></x></query>");
  not_hidden = hash_of (xml->str);
  g_assert_cmpstr (not_hidden, ==, plain);
}

/* Random edits of real answers, and random trees: never a crash; an answer
 * is either hashed or refused. */
static void
test_malformed_never_crashes (void)
{
  static const char *const seeds[] = { exodus, psi };
  static const char *const pieces[] = {
    "<identity/>",
    "<feature/>",
    "<feature var=''/>",
    "<x xmlns='jabber:x:data'/>",
    "<field/>",
    "<field var='FORM_TYPE'/>",
    "<value/>",
    "</x>",
    "</query>",
    "<",
    ">",
    "'",
    "\xff",
    "&amp;",
    "<identity category='' type=''/>",
    "<x xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value/></field></x>",
  };
  GRand *rand = g_rand_new_with_seed (0x115);

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr (GString) xml =
        g_string_new (seeds[g_rand_int_range (rand, 0, G_N_ELEMENTS (seeds))]);
      guint edits = (guint) g_rand_int_range (rand, 1, 6);
      xmpp_stanza_t *query;

      for (guint e = 0; e < edits; e++)
        {
          gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) xml->len + 1);

          switch (g_rand_int_range (rand, 0, 3))
            {
              case 0:
                g_string_insert (
                  xml, (gssize) at,
                  pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
                break;
              case 1:
                if (at < xml->len)
                  {
                    gssize len = g_rand_int_range (rand, 1, 40);

                    g_string_erase (xml, (gssize) at,
                                    MIN ((gssize) (xml->len - at), len));
                  }
                break;
              default:
                if (at < xml->len)
                  xml->str[at] = (char) g_rand_int_range (rand, 1, 256);
                break;
            }
        }
      query = xmpp_stanza_new_from_string (ctx, xml->str);
      if (query)
        {
          g_autoptr (GPtrArray) features = NULL;
          g_autofree char *hash = flint_disco_hash_query (query, &features);

          if (hash)
            {
              g_assert_cmpuint (strlen (hash), ==, 28);
              g_assert_nonnull (features);
            }
          else
            g_assert_null (features);
          xmpp_stanza_release (query);
        }
    }
  g_rand_free (rand);
}

/* A huge answer is refused rather than hashed. */
static void
test_too_many_children (void)
{
  g_autoptr (GString) xml =
    g_string_new ("<query xmlns='http://jabber.org/protocol/disco#info'>");
  g_autofree char *hash = NULL;

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (xml, "<feature var='urn:f:%u'/>", i);
  g_string_append (xml, "</query>");
  hash = hash_of (xml->str);
  g_assert_null (hash);
}

/* Our own ver is the hash of what we answer, and follows added features. */
static void
test_own_caps (void)
{
  g_autoptr (FlintAccount) account = flint_account_new ("alice@flint.test", NULL);
  g_autoptr (FlintSession) session = flint_session_new (account);
  g_autoptr (FlintDisco) disco = flint_disco_new (session);
  g_autoptr (GString) xml =
    g_string_new ("<query xmlns='http://jabber.org/protocol/disco#info'>"
                  "<identity category='client' type='pc' name='Flint'/>");
  const char *const *features = flint_disco_get_features (disco);
  g_autofree char *expected = NULL;
  g_autofree char *first = NULL;
  guint n = 0;

  for (; features[n]; n++)
    {
      if (n > 0)
        g_assert_cmpint (strcmp (features[n - 1], features[n]), <, 0);
      g_string_append_printf (xml, "<feature var='%s'/>", features[n]);
    }
  g_string_append (xml, "</query>");
  g_assert_true (g_strv_contains (features, "urn:xmpp:receipts"));
  g_assert_true (g_strv_contains (features, "urn:xmpp:carbons:2"));
  g_assert_true (g_strv_contains (features, "http://jabber.org/protocol/disco#info"));
  expected = hash_of (xml->str);
  g_assert_cmpstr (flint_disco_get_ver (disco), ==, expected);

  first = g_strdup (flint_disco_get_ver (disco));
  flint_disco_add_feature (disco, "urn:xmpp:bookmarks:1+notify");
  flint_disco_add_feature (disco, "urn:xmpp:bookmarks:1+notify");
  features = flint_disco_get_features (disco);
  g_assert_cmpuint (g_strv_length ((char **) features), ==, n + 1);
  g_assert_true (g_strv_contains (features, "urn:xmpp:bookmarks:1+notify"));
  g_assert_cmpstr (flint_disco_get_ver (disco), !=, first);

  g_assert_false (
    flint_disco_peer_supports (disco, "bob@flint.test/x", "urn:xmpp:receipts"));
  g_assert_false (flint_disco_peer_supports (disco, "not a jid", "urn:xmpp:receipts"));
  g_assert_null (flint_disco_get_peer_features (disco, "bob@flint.test/x"));
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);

  g_test_add_func ("/caps/exodus", test_exodus);
  g_test_add_func ("/caps/extended-forms", test_extended_forms);
  g_test_add_func ("/caps/order-independent", test_order_independent);
  g_test_add_func ("/caps/untrusted", test_untrusted);
  g_test_add_func ("/caps/ignored-forms", test_ignored_forms);
  g_test_add_func ("/caps/malformed-never-crashes", test_malformed_never_crashes);
  g_test_add_func ("/caps/too-many-children", test_too_many_children);
  g_test_add_func ("/caps/own-caps", test_own_caps);
  ret = g_test_run ();

  xmpp_ctx_free (ctx);
  return ret;
}

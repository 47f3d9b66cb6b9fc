/* vCards: parsing, and writing back only what was edited. */
#include "config.h"

#include <string.h>

#include "flint-vcard.h"

static char *
to_text (xmpp_stanza_t *stanza)
{
  char *buf = NULL;
  size_t len = 0;
  char *copy;

  xmpp_stanza_to_text (stanza, &buf, &len);
  copy = g_strdup (buf);
  xmpp_free (xmpp_stanza_get_context (stanza), buf);
  return copy;
}

static void
test_round_trip (void)
{
  xmpp_ctx_t *ctx = xmpp_ctx_new (NULL, NULL);
  xmpp_stanza_t *in = xmpp_stanza_new_from_string (
    ctx, "<vCard xmlns='vcard-temp'><FN>Old Name</FN><EMAIL><INTERNET/><USERID>a@x"
         "</USERID></EMAIL><EMAIL><HOME/><USERID>home@x</USERID></EMAIL>"
         "<ADR><WORK/><LOCALITY>Berlin</LOCALITY></ADR>"
         "<ORG><ORGNAME>Acme</ORGNAME><ORGUNIT>Sales</ORGUNIT></ORG>"
         "<PHOTO><TYPE>image/png</TYPE><BINVAL>aGVsbG8=</BINVAL></PHOTO></vCard>");
  g_autoptr (FlintVCard) vcard = flint_vcard_parse (in);
  xmpp_stanza_t *out;
  g_autofree char *text = NULL;

  g_assert_cmpstr (flint_vcard_get (vcard, FLINT_VCARD_FULL_NAME), ==, "Old Name");
  g_assert_cmpstr (flint_vcard_get (vcard, FLINT_VCARD_EMAIL), ==, "a@x");
  g_assert_cmpstr (flint_vcard_get (vcard, FLINT_VCARD_UNIT), ==, "Sales");
  g_assert_null (flint_vcard_get (vcard, FLINT_VCARD_PHONE));
  g_assert_cmpuint (g_bytes_get_size (flint_vcard_get_photo (vcard)), ==, 5);
  g_assert_cmpstr (flint_vcard_get_photo_type (vcard), ==, "image/png");

  flint_vcard_set (vcard, FLINT_VCARD_FULL_NAME, "  New Name ");
  flint_vcard_set (vcard, FLINT_VCARD_PHONE, "+1 555");
  flint_vcard_set (vcard, FLINT_VCARD_EMAIL, "b@x");
  flint_vcard_set (vcard, FLINT_VCARD_UNIT, "");
  out = flint_vcard_to_stanza (vcard, ctx);
  text = to_text (out);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "<FN>New Name</FN>"));
  g_assert_null (strstr (text, "Old Name"));
  g_assert_nonnull (strstr (text, "<NUMBER>+1 555</NUMBER>"));
  g_assert_nonnull (strstr (text, "<USERID>b@x</USERID>"));
  g_assert_null (strstr (text, "<USERID>a@x</USERID>"));
  /* Kept: the second email, the address, the photo, the organisation. */
  g_assert_nonnull (strstr (text, "<USERID>home@x</USERID>"));
  g_assert_nonnull (strstr (text, "<LOCALITY>Berlin</LOCALITY>"));
  g_assert_nonnull (strstr (text, "<BINVAL>aGVsbG8=</BINVAL>"));
  g_assert_nonnull (strstr (text, "<ORGNAME>Acme</ORGNAME>"));
  g_assert_null (strstr (text, "Sales"));

  xmpp_stanza_release (out);
  xmpp_stanza_release (in);
  g_clear_object (&vcard);
  xmpp_ctx_free (ctx);
}

static void
test_empty_and_hostile (void)
{
  xmpp_ctx_t *ctx = xmpp_ctx_new (NULL, NULL);
  g_autoptr (FlintVCard) empty = flint_vcard_parse (NULL);
  xmpp_stanza_t *bad = xmpp_stanza_new_from_string (
    ctx, "<vCard xmlns='vcard-temp'><PHOTO><BINVAL>!!!not base64</BINVAL></PHOTO>"
         "<EMAIL/><ORG/></vCard>");
  g_autoptr (FlintVCard) vcard = flint_vcard_parse (bad);
  xmpp_stanza_t *out;

  g_assert_true (flint_vcard_is_empty (empty));
  g_assert_null (flint_vcard_get (vcard, FLINT_VCARD_EMAIL));
  /* A new card from nothing. */
  flint_vcard_set (empty, FLINT_VCARD_ORGANIZATION, "Acme");
  out = flint_vcard_to_stanza (empty, ctx);
  {
    g_autofree char *text = to_text (out);

    g_assert_nonnull (strstr (text, "<ORG><ORGNAME>Acme</ORGNAME></ORG>"));
  }
  xmpp_stanza_release (out);
  xmpp_stanza_release (bad);
  g_clear_object (&vcard);
  g_clear_object (&empty);
  xmpp_ctx_free (ctx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  xmpp_initialize ();
  g_test_add_func ("/vcard/round-trip", test_round_trip);
  g_test_add_func ("/vcard/empty-and-hostile", test_empty_and_hostile);
  return g_test_run ();
}

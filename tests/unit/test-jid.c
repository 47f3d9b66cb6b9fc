#include "config.h"

#include "flint-account.h"
#include "flint-certificate.h"
#include "flint-error.h"
#include "flint-jid.h"
#include "flint-session.h"

static void
test_valid (void)
{
  const char *valid[] = { "alice@example.com",
                          "example.com",
                          "alice@example.com/desk",
                          "Ren\xc3\xa9@b\xc3\xbcro.example/Laptop 2",
                          "a@[::1]",
                          "room@conference.example/nick with spaces" };
  const char *invalid[] = { "",
                            "@example.com",
                            "alice@",
                            "alice@example.com/",
                            "al ice@example.com",
                            "a\"b@example.com",
                            "alice@exa mple.com",
                            "alice@@example.com",
                            "alice@.example.com",
                            "alice@example.com/\x01",
                            "\xff\xfe@example.com" };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (flint_jid_is_valid (valid[i]));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_false (flint_jid_is_valid (invalid[i]));
    }
  g_assert_false (flint_jid_is_valid (NULL));
  g_assert_true (flint_jid_is_valid_bare ("alice@example.com"));
  g_assert_false (flint_jid_is_valid_bare ("alice@example.com/desk"));
}

static void
test_parts (void)
{
  g_autofree char *bare = flint_jid_bare ("Alice@Example.COM/Desk");
  g_autofree char *domain = flint_jid_domain ("Alice@Example.COM/Desk");
  g_autofree char *node = flint_jid_node ("Alice@Example.COM/Desk");
  g_autofree char *resource = flint_jid_resource ("Alice@Example.COM/Desk/with/slash");
  g_autofree char *none = flint_jid_resource ("alice@example.com");
  g_autofree char *server_node = flint_jid_node ("example.com");
  g_autofree char *normal = flint_jid_normalize ("Alice@Example.COM/Desk");
  g_autofree char *slash_in_resource = flint_jid_bare ("example.com/a@b");

  g_assert_cmpstr (bare, ==, "alice@example.com");
  g_assert_cmpstr (domain, ==, "example.com");
  g_assert_cmpstr (node, ==, "alice");
  /* The resource keeps its case and everything after the first slash. */
  g_assert_cmpstr (resource, ==, "Desk/with/slash");
  g_assert_null (none);
  g_assert_null (server_node);
  g_assert_cmpstr (normal, ==, "alice@example.com/Desk");
  /* An @ after the slash belongs to the resource, not the node. */
  g_assert_cmpstr (slash_in_resource, ==, "example.com");
  g_assert_true (flint_jid_equal_bare ("ALICE@example.com/x", "alice@EXAMPLE.com"));
  g_assert_false (flint_jid_equal_bare ("alice@example.com", "bob@example.com"));
  g_assert_false (flint_jid_equal_bare (NULL, "bob@example.com"));
}

static void
test_account_jid (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintAccount) account = flint_account_new ("Alice@Example.com", &error);
  g_autoptr (FlintAccount) server = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (flint_account_get_jid (account), ==, "alice@example.com");
  g_assert_cmpstr (flint_account_get_domain (account), ==, "example.com");
  g_assert_true (g_str_has_prefix (flint_account_get_resource (account), "flint-"));

  server = flint_account_new ("example.com", &error);
  g_assert_null (server);
  g_assert_error (error, FLINT_ERROR, FLINT_ERROR_INVALID_JID);
}

static void
test_fingerprint (void)
{
  const char *hex = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
                    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
  g_autofree char *normal = flint_fingerprint_normalize (hex);
  g_autofree char *bad = flint_fingerprint_normalize ("abcd");
  g_autofree char *not_hex = flint_fingerprint_normalize (
    "zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  g_autoptr (FlintCertificate) cert = NULL;
  g_autofree char *formatted = NULL;

  g_assert_cmpstr (normal, ==,
                   "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  g_assert_null (bad);
  g_assert_null (not_hex);

  cert = flint_certificate_new ("CN=x", "CN=x", "a", "b", normal, NULL, "self-signed");
  formatted = flint_certificate_format_fingerprint (cert);
  g_assert_cmpstr (formatted, ==, hex);
}

/* Server pushes come without from; libstrophe's own reply helper gives
 * NULL for those, which the session then sent (a crash). */
static void
test_reply_without_from (void)
{
  xmpp_ctx_t *ctx = xmpp_ctx_new (NULL, NULL);
  xmpp_stanza_t *push = xmpp_stanza_new_from_string (
    ctx, "<iq type='set' id='push1'><query xmlns='jabber:iq:roster'/></iq>");
  xmpp_stanza_t *ping = xmpp_stanza_new_from_string (
    ctx, "<iq type='get' id='p2' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>");
  xmpp_stanza_t *reply, *error;

  reply = flint_session_make_reply (ctx, push, NULL, NULL);
  g_assert_nonnull (reply);
  g_assert_cmpstr (xmpp_stanza_get_type (reply), ==, "result");
  g_assert_cmpstr (xmpp_stanza_get_id (reply), ==, "push1");
  g_assert_null (xmpp_stanza_get_to (reply));
  g_assert_null (xmpp_stanza_get_children (reply));
  xmpp_stanza_release (reply);

  reply = flint_session_make_reply (ctx, push, "cancel", "service-unavailable");
  g_assert_cmpstr (xmpp_stanza_get_type (reply), ==, "error");
  error = xmpp_stanza_get_child_by_name (reply, "error");
  g_assert_cmpstr (xmpp_stanza_get_type (error), ==, "cancel");
  g_assert_nonnull (xmpp_stanza_get_child_by_name_and_ns (
    error, "service-unavailable", "urn:ietf:params:xml:ns:xmpp-stanzas"));
  xmpp_stanza_release (reply);

  /* A get is answered with a result to its sender, never another get. */
  reply = flint_session_make_reply (ctx, ping, NULL, NULL);
  g_assert_cmpstr (xmpp_stanza_get_type (reply), ==, "result");
  g_assert_cmpstr (xmpp_stanza_get_to (reply), ==, "example.com");
  xmpp_stanza_release (reply);

  xmpp_stanza_release (push);
  xmpp_stanza_release (ping);
  xmpp_ctx_free (ctx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/jid/valid", test_valid);
  g_test_add_func ("/jid/parts", test_parts);
  g_test_add_func ("/jid/account", test_account_jid);
  g_test_add_func ("/jid/fingerprint", test_fingerprint);
  g_test_add_func ("/session/reply-without-from", test_reply_without_from);
  return g_test_run ();
}

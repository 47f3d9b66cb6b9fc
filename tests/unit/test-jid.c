#include "config.h"

#include "flint-account.h"
#include "flint-certificate.h"
#include "flint-error.h"
#include "flint-jid.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/jid/valid", test_valid);
  g_test_add_func ("/jid/parts", test_parts);
  g_test_add_func ("/jid/account", test_account_jid);
  g_test_add_func ("/jid/fingerprint", test_fingerprint);
  return g_test_run ();
}

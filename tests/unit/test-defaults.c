/* Enterprise defaults: parsing, bad files, and that they stay under the
 * user's own settings. */
#include "config.h"

#include <glib/gstdio.h>

#include "flint-defaults.h"
#include "flint-error.h"

#define PIN                                                                              \
  "AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:" \
  "23:45:67:89"
#define PIN_NORMAL "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define OWN "1111111111111111111111111111111111111111111111111111111111111111"

static const char *const good = "[Server]\n"
                                "Domain=corp.example\n"
                                "Host=xmpp.corp.example\n"
                                "Port=5223\n"
                                "CertificateSHA256=" PIN "\n"
                                "[Features]\n"
                                "Disabled=XML-Console; broadcast;;\n";

static void
test_parse (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintDefaults) d = flint_defaults_new_from_data (good, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (flint_defaults_get_domain (d), ==, "corp.example");
  g_assert_cmpstr (flint_defaults_get_host (d), ==, "xmpp.corp.example");
  g_assert_cmpuint (flint_defaults_get_port (d), ==, 5223);
  g_assert_cmpstr (flint_defaults_get_certificate (d), ==, PIN_NORMAL);
  g_assert_true (flint_defaults_is_disabled (d, "xml-console"));
  g_assert_true (flint_defaults_is_disabled (d, "broadcast"));
  g_assert_false (flint_defaults_is_disabled (d, "file-transfer"));
  g_assert_false (flint_defaults_is_disabled (d, ""));
}

static void
test_bad (void)
{
  const char *const bad[] = {
    "[Server]\nPort=70000\n",
    "[Server]\nPort=abc\n",
    "[Server]\nCertificateSHA256=not-a-fingerprint\n",
    "[Server]\nDomain=bad domain@@\n",
    "this is not a key file",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FlintDefaults) d = flint_defaults_new_from_data (bad[i], &error);

      g_assert_null (d);
      g_assert_nonnull (error);
    }
}

static void
test_under_user_settings (void)
{
  g_autoptr (FlintDefaults) d = flint_defaults_new_from_data (good, NULL);
  g_autoptr (FlintAccount) at_corp = flint_account_new ("ann@corp.example", NULL);
  g_autoptr (FlintAccount) trusted = flint_account_new ("bob@corp.example", NULL);
  g_autoptr (FlintAccount) elsewhere = flint_account_new ("cy@other.example", NULL);
  g_autoptr (FlintAccount) via_host = flint_account_new ("di@other.example", NULL);
  g_autoptr (FlintAccount) chosen = flint_account_new ("ed@corp.example", NULL);

  /* The pin covers the defaults' domain and host, unless the user trusts
   * a certificate of their own. */
  g_assert_cmpstr (flint_defaults_get_pin_for (d, at_corp), ==, PIN_NORMAL);
  flint_account_set_trusted_cert (trusted, OWN);
  g_assert_cmpstr (flint_defaults_get_pin_for (d, trusted), ==, OWN);
  g_assert_null (flint_defaults_get_pin_for (d, elsewhere));
  flint_account_set_host (via_host, "XMPP.corp.example");
  g_assert_cmpstr (flint_defaults_get_pin_for (d, via_host), ==, PIN_NORMAL);

  /* Host and port fill in only what the user left empty. */
  flint_defaults_apply_to_account (d, at_corp);
  g_assert_cmpstr (flint_account_get_host (at_corp), ==, "xmpp.corp.example");
  g_assert_cmpuint (flint_account_get_port (at_corp), ==, 5223);
  flint_account_set_host (chosen, "10.0.0.5");
  flint_account_set_port (chosen, 5999);
  flint_defaults_apply_to_account (d, chosen);
  g_assert_cmpstr (flint_account_get_host (chosen), ==, "10.0.0.5");
  g_assert_cmpuint (flint_account_get_port (chosen), ==, 5999);
  flint_defaults_apply_to_account (d, elsewhere);
  g_assert_null (flint_account_get_host (elsewhere));
}

static void
test_system_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("flint-defaults-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "defaults.conf", NULL);
  FlintDefaults *d;

  g_assert_true (g_file_set_contents (path, good, -1, NULL));
  g_setenv ("FLINT_DEFAULTS_FILE", path, TRUE);
  flint_defaults_reset_default ();
  d = flint_defaults_get_default ();
  g_assert_cmpstr (flint_defaults_get_domain (d), ==, "corp.example");

  /* Broken: an error to log (get_default then uses none); missing: none. */
  g_assert_true (g_file_set_contents (path, "[Server]\nPort=0\n", -1, NULL));
  {
    g_autoptr (GError) error = NULL;

    g_assert_null (flint_defaults_new_from_file (path, &error));
    g_assert_error (error, FLINT_ERROR, FLINT_ERROR_FAILED);
  }
  g_unlink (path);
  flint_defaults_reset_default ();
  d = flint_defaults_get_default ();
  g_assert_null (flint_defaults_get_host (d));
  g_assert_false (flint_defaults_is_disabled (d, "broadcast"));
  flint_defaults_reset_default ();
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/defaults/parse", test_parse);
  g_test_add_func ("/defaults/bad", test_bad);
  g_test_add_func ("/defaults/under-user-settings", test_under_user_settings);
  g_test_add_func ("/defaults/system-file", test_system_file);
  return g_test_run ();
}

#include "config.h"

#include "flint-json.h"

/* The test dump is read by Python's json module: non-ASCII must stay
 * UTF-8 (g_strescape made octal escapes, which JSON has not). */
static void
test_escape (void)
{
  g_autoptr (GString) out = g_string_new (NULL);

  flint_json_append_string (out, "Zo\xc3\xab \"M\xc3\xbcller\" \\ tab\there\n");
  g_assert_cmpstr (out->str, ==,
                   "\"Zo\xc3\xab \\\"M\xc3\xbcller\\\" \\\\ tab\\u0009here\\u000a\"");
  g_string_truncate (out, 0);
  flint_json_append_string (out, NULL);
  g_assert_cmpstr (out->str, ==, "\"\"");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/escape", test_escape);
  return g_test_run ();
}

/* Which message bodies are file links (and get a file card), and the name a
 * pasted image is sent under. App helpers that need no display. */
#include "config.h"

#include <glib.h>

#include "flint-file-card.h"
#include "flint-paste-image.h"

static void
test_links (void)
{
  const struct
  {
    const char *body;
    const char *link;
  } cases[] = {
    { "https://up.example.org/share/abc/report.pdf",
      "https://up.example.org/share/abc/report.pdf" },
    { "  https://up.example.org/a/Site%20plan.png\n",
      "https://up.example.org/a/Site%20plan.png" },
    { "http://127.0.0.1:5280/file_share/x/notes.txt",
      "http://127.0.0.1:5280/file_share/x/notes.txt" },
    { "HTTPS://EXAMPLE.ORG/A.JPG", "HTTPS://EXAMPLE.ORG/A.JPG" },
    /* not a file: text around it, no extension, other schemes, odd tails */
    { "see https://example.org/a.pdf", NULL },
    { "https://example.org/a.pdf and more", NULL },
    { "https://example.org/", NULL },
    { "https://example.org/readme", NULL },
    { "https://example.org/.hidden", NULL },
    { "https://example.org/archive.tarball-x", NULL },
    { "ftp://example.org/a.pdf", NULL },
    { "xmpp:bob@example.org", NULL },
    { "javascript:alert(1).js", NULL },
    { "https:///a.pdf", NULL },
    { "", NULL },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *link = flint_file_card_link_of (cases[i].body);

      g_test_message ("%s", cases[i].body ? cases[i].body : "(null)");
      g_assert_cmpstr (link, ==, cases[i].link);
    }
}

static void
test_paste_name (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) when = g_date_time_new (utc, 2026, 11, 25, 7, 5, 9);
  g_autofree char *name = flint_paste_image_file_name (when);

  g_assert_cmpstr (name, ==, "Pasted image 2026-11-25 07.05.09.png");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/file-link/links", test_links);
  g_test_add_func ("/file-link/paste-name", test_paste_name);
  return g_test_run ();
}

/* The composer's spell checking in a real window under Xvfb: typing,
 * the word under the cursor, the tagged ranges, the context menu, the
 * corrections, paste and the send signal. Needs the en_US Hunspell
 * dictionary. Run: xvfb-run -a -s "-screen 0 1280x800x24" test-composer-spell */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "flint-composer.h"

static AdwApplication *app;
static GtkWindow *window;
static FlintComposer *composer;
static char *tmp_home;

/* Runs the main loop for @ms milliseconds, so frames and idles happen. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
wait_checked (void)
{
  FlintSpellAdapter *adapter = flint_composer_get_spell_adapter (composer);
  gint64 give_up = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (flint_spell_adapter_get_busy (adapter) && g_get_monotonic_time () < give_up)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (flint_spell_adapter_get_busy (adapter));
  spin (20);
}

static GtkTextBuffer *
buffer (void)
{
  return gtk_text_view_get_buffer (flint_composer_get_text_view (composer));
}

/* Types like a person: one character at a time, the main loop running in
 * between so idle checking happens while typing. */
static void
type_text (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gtk_text_buffer_insert_interactive_at_cursor (buffer (), p,
                                                    g_utf8_next_char (p) - p, TRUE);
      spin (3);
    }
}

static void
place_cursor (int offset)
{
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (buffer (), &iter, offset);
  gtk_text_buffer_place_cursor (buffer (), &iter);
}

/* "start-end,start-end" in characters, and the same in bytes. */
static void
tagged_ranges (char **chars, char **bytes)
{
  GtkTextTag *tag =
    flint_spell_adapter_get_tag (flint_composer_get_spell_adapter (composer));
  g_autoptr (GString) c = g_string_new (NULL);
  g_autoptr (GString) b = g_string_new (NULL);
  g_autofree char *text = NULL;
  GtkTextIter iter, end;

  gtk_text_buffer_get_bounds (buffer (), &iter, &end);
  text = gtk_text_buffer_get_text (buffer (), &iter, &end, TRUE);

  while (!gtk_text_iter_is_end (&iter))
    {
      GtkTextIter stop;
      int s, e;

      if (!gtk_text_iter_has_tag (&iter, tag))
        {
          if (!gtk_text_iter_forward_to_tag_toggle (&iter, tag))
            break;
          continue;
        }
      stop = iter;
      gtk_text_iter_forward_to_tag_toggle (&stop, tag);
      s = gtk_text_iter_get_offset (&iter);
      e = gtk_text_iter_get_offset (&stop);
      g_string_append_printf (c, "%s%d-%d", c->len ? "," : "", s, e);
      g_string_append_printf (b, "%s%ld-%ld", b->len ? "," : "",
                              (long) (g_utf8_offset_to_pointer (text, s) - text),
                              (long) (g_utf8_offset_to_pointer (text, e) - text));
      iter = stop;
    }

  *chars = g_string_free (g_steal_pointer (&c), FALSE);
  *bytes = g_string_free (g_steal_pointer (&b), FALSE);
}

static void
collect_labels (GMenuModel *model, GString *out)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *label = NULL;
      g_autoptr (GMenuModel) section =
        g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        g_string_append_printf (out, "%s|", label);
      if (section != NULL)
        collect_labels (section, out);
    }
}

static char *
menu_labels (void)
{
  GString *out = g_string_new ("|");

  collect_labels (
    flint_spell_adapter_get_menu_model (flint_composer_get_spell_adapter (composer)),
    out);
  return g_string_free (out, FALSE);
}

/* Actions activated directly leave the menu open; a click would close it. */
static void
close_menus (void)
{
  GtkWidget *view = GTK_WIDGET (flint_composer_get_text_view (composer));

  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      gtk_popover_popdown (GTK_POPOVER (child));
  spin (50);
}

static void
reset (void)
{
  close_menus ();
  flint_composer_cancel_correction (composer);
  flint_composer_set_text (composer, NULL);
  flint_composer_set_extra_words (composer, NULL);
  wait_checked ();
}

static void
screenshot (const char *name)
{
  const char *root = g_getenv ("FLINT_BUILD_ROOT");
  g_autofree char *dir = g_build_filename (root ? root : FLINT_BUILD_ROOT, "meson-logs",
                                           "ui-screenshots", NULL);
  g_autofree char *file = g_build_filename (dir, name, NULL);
  const char *argv[] = { "import", "-window", "root", file, NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_mkdir_with_parents (dir, 0755);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                     NULL, &status, &error))
    g_test_message ("no screenshot: %s", error->message);
  else
    g_test_message ("screenshot: %s", file);
}

static void
test_typing (void)
{
  /* The em dash is 3 bytes: byte and character offsets differ after it. */
  const char *sentence = "This sentnce — has two speling mistakes.";
  g_autofree char *chars = NULL;
  g_autofree char *bytes = NULL;

  reset ();
  gtk_widget_grab_focus (GTK_WIDGET (composer));

  type_text ("This sentnce — has two speling");
  wait_checked ();
  /* The first typo is flagged as soon as the cursor left it; the word
   * being typed is not, whether right or wrong. */
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "5-12");
  g_clear_pointer (&chars, g_free);
  g_clear_pointer (&bytes, g_free);

  type_text (" mistakes.");
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "5-12,23-30");
  g_assert_cmpstr (bytes, ==, "5-12,25-32");
  g_clear_pointer (&chars, g_free);
  g_clear_pointer (&bytes, g_free);

  /* Moving the cursor into a flagged word does not unflag it; editing
   * does until the cursor leaves. */
  place_cursor (0);
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "5-12,23-30");
  g_clear_pointer (&chars, g_free);
  g_clear_pointer (&bytes, g_free);

  {
    g_autofree char *text = flint_composer_get_text (composer);
    g_assert_cmpstr (text, ==, sentence);
  }
}

static void
test_menu_and_correct (void)
{
  g_autofree char *labels = NULL;
  g_autofree char *chars = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *text = NULL;
  GtkWidget *popover = NULL;

  reset ();
  type_text ("This sentnce — has two speling mistakes.");
  place_cursor (0);
  wait_checked ();

  /* The menu key path: the menu is about the word at the cursor. */
  place_cursor (26);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.popup-menu", NULL);
  spin (400);

  g_assert_cmpstr (
    flint_spell_adapter_get_menu_word (flint_composer_get_spell_adapter (composer)), ==,
    "speling");
  labels = menu_labels ();
  g_test_message ("menu: %s", labels);
  g_assert_nonnull (strstr (labels, "|spelling|"));
  g_assert_nonnull (strstr (labels, "|Add to Dictionary|"));
  g_assert_nonnull (strstr (labels, "|Ignore|"));

  for (GtkWidget *child = gtk_widget_get_first_child (
         GTK_WIDGET (flint_composer_get_text_view (composer)));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      popover = child;
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (popover));

  screenshot ("composer-spell-menu.png");

  /* Choosing the suggestion replaces the word, as one undo step. */
  gtk_popover_popdown (GTK_POPOVER (popover));
  gtk_widget_activate_action (GTK_WIDGET (composer), "spelling.correct", "s", "spelling");
  text = flint_composer_get_text (composer);
  g_assert_cmpstr (text, ==, "This sentnce — has two spelling mistakes.");
  place_cursor (0);
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "5-12");
  g_clear_pointer (&chars, g_free);
  g_clear_pointer (&bytes, g_free);

  g_assert_true (gtk_text_buffer_get_can_undo (buffer ()));
  gtk_text_buffer_undo (buffer ());
  g_clear_pointer (&text, g_free);
  text = flint_composer_get_text (composer);
  g_assert_cmpstr (text, ==, "This sentnce — has two speling mistakes.");
}

static void
test_ignore_and_add (void)
{
  g_autofree char *chars = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *dic = NULL;
  g_autofree char *contents = NULL;

  reset ();
  type_text ("Flintqzx and zorblaxy ");
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "0-8,13-21");
  g_clear_pointer (&chars, g_free);
  g_clear_pointer (&bytes, g_free);

  place_cursor (15);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.popup-menu", NULL);
  spin (100);
  gtk_widget_activate_action (GTK_WIDGET (composer), "spelling.ignore", NULL);
  close_menus ();
  place_cursor (3);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.popup-menu", NULL);
  spin (100);
  gtk_widget_activate_action (GTK_WIDGET (composer), "spelling.add", NULL);
  close_menus ();
  place_cursor (22);
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "");

  dic = g_build_filename (tmp_home, "config", "enchant", "en_US.dic", NULL);
  g_assert_true (g_file_get_contents (dic, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Flintqzx"));
  g_assert_null (strstr (contents, "zorblaxy"));
}

static void
test_nicks (void)
{
  const char *nicks[] = { "Zsofiaa", "Brandonn Leee", NULL };
  g_autofree char *chars = NULL;
  g_autofree char *bytes = NULL;

  reset ();
  flint_composer_set_extra_words (composer, nicks);
  type_text (
    "Zsofiaa: ask Leee or mail brandonn@exmaple.org, run `mkae` then Zsofiaa's tset");
  place_cursor (0);
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  /* Only "tset". */
  g_assert_cmpstr (chars, ==, "74-78");
}

static void
test_paste_plain (void)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (composer));
  g_autofree char *text = NULL;
  g_autofree char *chars = NULL;
  g_autofree char *bytes = NULL;

  reset ();
  gdk_clipboard_set_text (clipboard, "pasted txet\r\nline two");
  spin (50);
  g_signal_emit_by_name (flint_composer_get_text_view (composer), "paste-clipboard");
  spin (200);
  text = flint_composer_get_text (composer);
  g_assert_cmpstr (text, ==, "pasted txet\nline two");
  place_cursor (0);
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "7-11");
}

static gboolean
on_send (FlintComposer *self, const char *text, gpointer user_data)
{
  GPtrArray *sent = user_data;
  const char *id = flint_composer_get_correction_id (self);

  g_ptr_array_add (sent, g_strdup_printf ("%s:%s", id ? id : "-", text));
  /* Refuse messages starting with "offline" to test that text stays. */
  return !g_str_has_prefix (text, "offline");
}

static void
test_send_and_correction (void)
{
  g_autoptr (GPtrArray) sent = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  gulong id;

  reset ();
  id = g_signal_connect (composer, "send", G_CALLBACK (on_send), sent);

  /* Blank: nothing sent. */
  flint_composer_set_text (composer, "  \n ");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_cmpuint (sent->len, ==, 0);

  flint_composer_set_text (composer, "hello there\n\n");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sent, 0), ==, "-:hello there");
  text = flint_composer_get_text (composer);
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);

  flint_composer_set_text (composer, "offline message");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  text = flint_composer_get_text (composer);
  g_assert_cmpstr (text, ==, "offline message");
  g_clear_pointer (&text, g_free);

  flint_composer_begin_correction (composer, "msg-42", "helo world");
  g_assert_cmpstr (flint_composer_get_correction_id (composer), ==, "msg-42");
  spin (300);
  screenshot ("composer-correction.png");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_cmpstr (g_ptr_array_index (sent, 2), ==, "msg-42:helo world");
  g_assert_null (flint_composer_get_correction_id (composer));

  flint_composer_begin_correction (composer, "msg-43", "draft");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.cancel-correction", NULL);
  g_assert_null (flint_composer_get_correction_id (composer));
  text = flint_composer_get_text (composer);
  g_assert_cmpstr (text, ==, "");

  g_signal_handler_disconnect (composer, id);
}

static void
test_language_and_toggle (void)
{
  g_autofree char *chars = NULL;
  g_autofree char *bytes = NULL;

  reset ();
  g_assert_cmpstr (flint_composer_get_language (composer), ==, "en_US");
  g_assert_null (flint_composer_get_spell_hint (composer));

  type_text ("a wrnog word ");
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "2-7");
  g_clear_pointer (&chars, g_free);
  g_clear_pointer (&bytes, g_free);

  /* The menu's toggle turns it off: no tag left. */
  gtk_widget_activate_action (GTK_WIDGET (composer), "spelling.enabled", NULL);
  g_assert_false (flint_composer_get_spell_checking (composer));
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "");
  g_clear_pointer (&chars, g_free);
  g_clear_pointer (&bytes, g_free);
  gtk_widget_activate_action (GTK_WIDGET (composer), "spelling.enabled", NULL);
  g_assert_true (flint_composer_get_spell_checking (composer));

  /* A language without dictionary: off with a hint, not an error. */
  flint_composer_set_language (composer, "xx_YY");
  g_assert_cmpstr (flint_composer_get_language (composer), ==, "");
  g_assert_nonnull (flint_composer_get_spell_hint (composer));
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "");
  g_clear_pointer (&chars, g_free);
  g_clear_pointer (&bytes, g_free);

  /* Chosen from the menu. */
  gtk_widget_activate_action (GTK_WIDGET (composer), "spelling.language", "s", "en_US");
  g_assert_cmpstr (flint_composer_get_language (composer), ==, "en_US");
  wait_checked ();
  tagged_ranges (&chars, &bytes);
  g_assert_cmpstr (chars, ==, "2-7");
  flint_composer_set_language (composer, NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
          !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int argc, char **argv)
{
  g_autofree char *config = NULL;
  GtkWidget *box;
  int ret;

  /* Personal words go to a scratch directory, never the real one. */
  tmp_home = g_dir_make_tmp ("flint-ui-spell-XXXXXX", NULL);
  config = g_build_filename (tmp_home, "config", NULL);
  g_setenv ("HOME", tmp_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("LANGUAGE", "en_US", TRUE);

  g_test_init (&argc, &argv, NULL);

  app = adw_application_new ("im.flint.Flint.TestComposer", G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, NULL))
    g_error ("cannot register the application");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);

  window = GTK_WINDOW (adw_application_window_new (GTK_APPLICATION (app)));
  gtk_window_set_default_size (window, 720, 780);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box),
                  g_object_new (ADW_TYPE_STATUS_PAGE, "title", "Conversation",
                                "icon-name", "user-available-symbolic", "vexpand", TRUE,
                                NULL));
  composer = FLINT_COMPOSER (flint_composer_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (composer));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_present (window);
  spin (500);

  if (!flint_spell_adapter_get_busy (flint_composer_get_spell_adapter (composer)) &&
      g_strcmp0 (flint_composer_get_language (composer), "en_US") != 0)
    {
      g_test_skip ("no en_US dictionary installed");
      return 77;
    }

  g_test_add_func ("/composer/typing", test_typing);
  g_test_add_func ("/composer/menu-and-correct", test_menu_and_correct);
  g_test_add_func ("/composer/ignore-and-add", test_ignore_and_add);
  g_test_add_func ("/composer/nicks", test_nicks);
  g_test_add_func ("/composer/paste-plain", test_paste_plain);
  g_test_add_func ("/composer/send-and-correction", test_send_and_correction);
  g_test_add_func ("/composer/language-and-toggle", test_language_and_toggle);

  ret = g_test_run ();

  gtk_window_destroy (window);
  g_object_unref (app);
  remove_tree (tmp_home);
  g_free (tmp_home);

  return ret;
}

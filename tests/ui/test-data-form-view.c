/* The data form renderer in a real window under Xvfb: every field type
 * gets its row with the form's values, what the user enters comes back in
 * the submit form, a required field left empty and an out-of-range number
 * show their errors inline (and clear when edited), hidden fields go back
 * unchanged, and a hostile form renders without crashing. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "flint-data-form-view.h"

static xmpp_ctx_t *ctx;

static const char FORM[] =
  "<x xmlns='jabber:x:data' type='form'>"
  "<title>Configure the room</title>"
  "<instructions>Fill in what you need.</instructions>"
  "<field type='hidden' var='FORM_TYPE'>"
  "<value>http://jabber.org/protocol/muc#roomconfig</value></field>"
  "<field type='fixed'><value>About</value></field>"
  "<field type='text-single' label='Title' var='name'><required/></field>"
  "<field type='text-multi' label='Description' var='desc'><value>a</value>"
  "<value>b</value></field>"
  "<field type='boolean' label='Persistent' var='persistent'><value>1</value></field>"
  "<field type='text-private' label='Password' var='secret'/>"
  "<field type='list-single' label='Who may see addresses' var='whois'>"
  "<option label='Moderators'><value>moderators</value></option>"
  "<option label='Anyone'><value>anyone</value></option><value>moderators</value></field>"
  "<field type='list-multi' label='Presence' var='roles'>"
  "<option label='Moderator'><value>moderator</value></option>"
  "<option label='Participant'><value>participant</value></option>"
  "<value>moderator</value></field>"
  "<field type='jid-multi' label='Owners' var='owners'><value>a@x.test</value></field>"
  "<field type='text-single' label='History' var='history'>"
  "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:integer'>"
  "<range min='0' max='50'/></validate><value>20</value></field>"
  "</x>";

static FlintDataForm *
parse (const char *xml)
{
  xmpp_stanza_t *x = xmpp_stanza_new_from_string (ctx, xml);
  FlintDataForm *form;

  g_assert_nonnull (x);
  form = flint_data_form_parse (x, NULL);
  xmpp_stanza_release (x);
  g_assert_nonnull (form);
  return form;
}

static char *
to_text (xmpp_stanza_t *stanza)
{
  char *buf = NULL;
  size_t len = 0;
  char *copy;

  g_assert_cmpint (xmpp_stanza_to_text (stanza, &buf, &len), ==, 0);
  copy = g_strndup (buf, len);
  xmpp_free (ctx, buf);
  return copy;
}

static void
spin (void)
{
  for (int i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static guint
count_type (GtkWidget *widget, GType type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_visible (widget);

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c;
       c = gtk_widget_get_next_sibling (c))
    n += count_type (c, type);
  return n;
}

static void
on_changed (FlintDataFormView *view, guint *count)
{
  (*count)++;
}

static void
test_render_and_submit (void)
{
  g_autoptr (FlintDataForm) form = parse (FORM);
  GtkWidget *window = gtk_window_new ();
  FlintDataFormView *view = flint_data_form_view_new (form);
  g_autofree char *errors = NULL;
  g_autofree char *text = NULL;
  xmpp_stanza_t *submit;
  guint changed = 0;

  g_signal_connect (view, "changed", G_CALLBACK (on_changed), &changed);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  spin ();

  /* One row of each kind: entry rows for title, password and history
   * (password is an AdwPasswordEntryRow, a subclass), one switch, one
   * combo, one expander, two text areas. */
  g_assert_cmpuint (count_type (GTK_WIDGET (view), ADW_TYPE_ENTRY_ROW), ==, 3);
  g_assert_cmpuint (count_type (GTK_WIDGET (view), ADW_TYPE_PASSWORD_ENTRY_ROW), ==, 1);
  g_assert_cmpuint (count_type (GTK_WIDGET (view), GTK_TYPE_SWITCH), ==, 1);
  g_assert_cmpuint (count_type (GTK_WIDGET (view), ADW_TYPE_COMBO_ROW), ==, 1);
  g_assert_cmpuint (count_type (GTK_WIDGET (view), ADW_TYPE_EXPANDER_ROW), ==, 1);
  g_assert_cmpuint (count_type (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW), ==, 2);
  g_assert_cmpuint (count_type (GTK_WIDGET (view), GTK_TYPE_CHECK_BUTTON), ==, 2);
  /* The fixed field is a section title. */
  g_assert_cmpuint (count_type (GTK_WIDGET (view), ADW_TYPE_PREFERENCES_GROUP), ==, 1);
  g_assert_cmpuint (changed, ==, 0);

  /* Required title empty, history out of range: both shown, nothing sent. */
  g_assert_true (flint_data_form_view_set_text (view, "history", "99"));
  g_assert_cmpuint (changed, >, 0);
  g_assert_null (flint_data_form_view_build_submit (view, ctx));
  errors = flint_data_form_view_describe_errors (view);
  g_assert_nonnull (strstr (errors, "name: This field is required."));
  g_assert_nonnull (strstr (errors, "history: Enter a number from 0 to 50."));
  g_clear_pointer (&errors, g_free);

  /* Editing a field clears its error, the other stays. */
  flint_data_form_view_set_text (view, "name", "Team");
  errors = flint_data_form_view_describe_errors (view);
  g_assert_null (strstr (errors, "name:"));
  g_assert_nonnull (strstr (errors, "history:"));
  g_clear_pointer (&errors, g_free);

  flint_data_form_view_set_text (view, "history", " 30 ");
  flint_data_form_view_set_text (view, "persistent", "0");
  flint_data_form_view_set_text (view, "secret", "pw");
  g_assert_true (flint_data_form_view_set_text (view, "whois", "anyone"));
  g_assert_false (flint_data_form_view_set_text (view, "whois", "nobody"));
  flint_data_form_view_set_text (view, "roles", "participant");
  flint_data_form_view_set_text (view, "owners", "a@x.test\n\n  b@x.test \n");
  flint_data_form_view_set_text (view, "desc", "line 1\nline 2\n");
  g_assert_false (flint_data_form_view_set_text (view, "FORM_TYPE", "x"));

  submit = flint_data_form_view_build_submit (view, ctx);
  g_assert_nonnull (submit);
  errors = flint_data_form_view_describe_errors (view);
  g_assert_cmpstr (errors, ==, "");
  text = to_text (submit);
  g_assert_cmpstr (
    text, ==,
    "<x xmlns=\"jabber:x:data\" type=\"submit\">"
    "<field var=\"FORM_TYPE\"><value>http://jabber.org/protocol/muc#roomconfig</value>"
    "</field>"
    "<field var=\"name\"><value>Team</value></field>"
    "<field var=\"desc\"><value>line 1</value><value>line 2</value></field>"
    "<field var=\"persistent\"><value>0</value></field>"
    "<field var=\"secret\"><value>pw</value></field>"
    "<field var=\"whois\"><value>anyone</value></field>"
    "<field var=\"roles\"><value>participant</value></field>"
    "<field var=\"owners\"><value>a@x.test</value><value>b@x.test</value></field>"
    "<field var=\"history\"><value>30</value></field>"
    "</x>");
  xmpp_stanza_release (submit);
  g_clear_pointer (&errors, g_free);

  /* A bad address in a jid-multi is named in its error. */
  flint_data_form_view_set_text (view, "owners", "a@x.test\nnot valid@@");
  g_assert_false (flint_data_form_view_apply (view));
  errors = flint_data_form_view_describe_errors (view);
  g_assert_nonnull (strstr (errors, "owners: “not valid@@”"));
  g_clear_pointer (&errors, g_free);

  gtk_window_destroy (GTK_WINDOW (window));
  spin ();
}

static void
test_hostile_form (void)
{
  GString *xml = g_string_new ("<x xmlns='jabber:x:data' type='form'>"
                               "<field/><field type='fixed'/><field type='list-single' "
                               "var='l'><value>ghost</value></field>"
                               "<field type='list-multi' var='m'/>"
                               "<field type='bogus' var='b'><value>1</value>"
                               "<value>2</value></field>");
  g_autoptr (FlintDataForm) form = NULL;
  GtkWidget *window = gtk_window_new ();
  FlintDataFormView *view;

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (xml, "<field type='fixed'><value>%s %u</value></field>",
                            i % 2 ? "A long explanation that goes on and on and on and "
                                    "on about nothing in particular at all"
                                  : "Section",
                            i);
  g_string_append (xml, "</x>");
  form = parse (xml->str);
  g_string_free (xml, TRUE);
  view = flint_data_form_view_new (form);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  spin ();
  /* The value the options lack is still chosen (and kept on submit); the
   * text field with two values fails "one value" only once edited. */
  g_assert_true (flint_data_form_view_set_text (view, "l", "ghost"));
  flint_data_form_view_set_text (view, "b", "x");
  g_assert_true (flint_data_form_view_apply (view));
  g_assert_cmpstr (
    flint_data_form_field_get_value (flint_data_form_find_field (form, "l")), ==,
    "ghost");
  /* Swapping the form rebuilds; NULL clears. */
  flint_data_form_view_set_form (view, NULL);
  g_assert_false (flint_data_form_view_apply (view));
  gtk_window_destroy (GTK_WINDOW (window));
  spin ();
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  adw_init ();
  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);
  g_test_add_func ("/data-form-view/render-and-submit", test_render_and_submit);
  g_test_add_func ("/data-form-view/hostile-form", test_hostile_form);
  rc = g_test_run ();
  xmpp_ctx_free (ctx);
  return rc;
}

/* XEP-0004 data forms: parsing every field type (a Prosody room
 * configuration form as it comes over the wire), XEP-0122 validation,
 * the submit form, result items, and hostile input that must not crash. */
#include "config.h"

#include <string.h>

#include "flint-data-form.h"

static xmpp_ctx_t *ctx;

static xmpp_stanza_t *
parse_xml (const char *xml)
{
  xmpp_stanza_t *s = xmpp_stanza_new_from_string (ctx, xml);

  g_assert_nonnull (s);
  return s;
}

static FlintDataForm *
form_from (const char *xml)
{
  xmpp_stanza_t *x = parse_xml (xml);
  g_autoptr (GError) error = NULL;
  FlintDataForm *form = flint_data_form_parse (x, &error);

  g_assert_no_error (error);
  g_assert_nonnull (form);
  xmpp_stanza_release (x);
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

/* Trimmed from what Prosody 0.12 sends for muc#owner. */
static const char ROOMCONFIG[] =
  "<x xmlns='jabber:x:data' type='form'>"
  "<title>Configuration for team@conference.flint.test</title>"
  "<instructions>Complete and submit this form to configure the room.</instructions>"
  "<field type='hidden' var='FORM_TYPE'>"
  "<value>http://jabber.org/protocol/muc#roomconfig</value></field>"
  "<field type='fixed'><value>Room information</value></field>"
  "<field type='text-single' label='Title' var='muc#roomconfig_roomname'/>"
  "<field type='text-multi' label='Description' var='muc#roomconfig_roomdesc'>"
  "<desc>A brief description of the room</desc><value>line one</value>"
  "<value>line two</value></field>"
  "<field type='boolean' label='Persistent (room should remain even when it is "
  "not occupied)' var='muc#roomconfig_persistentroom'><value>0</value></field>"
  "<field type='boolean' label='Include room information in public lists' "
  "var='muc#roomconfig_publicroom'><value>true</value></field>"
  "<field type='text-private' label='Password' var='muc#roomconfig_roomsecret'/>"
  "<field type='list-single' label='Allow members to invite new members' "
  "var='muc#roomconfig_whois'><option label='Moderators only'><value>moderators</value>"
  "</option><option label='Anyone'><value>anyone</value></option>"
  "<value>moderators</value></field>"
  "<field type='list-multi' label='Roles to receive presence' "
  "var='muc#roomconfig_presencebroadcast'>"
  "<option label='Moderator'><value>moderator</value></option>"
  "<option label='Participant'><value>participant</value></option>"
  "<option label='Visitor'><value>visitor</value></option>"
  "<value>moderator</value><value>participant</value></field>"
  "<field type='jid-multi' label='Owners' var='muc#roomconfig_roomowners'>"
  "<value>alice@flint.test</value></field>"
  "<field type='jid-single' label='Contact' var='contact'/>"
  "<field type='text-single' label='Maximum number of history messages returned by "
  "room' var='muc#roomconfig_historylength'>"
  "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:integer'>"
  "<range min='0' max='50'/></validate><value>20</value></field>"
  "<field type='x-future' label='Something new' "
  "var='x-future'><value>kept</value></field>"
  "</x>";

static void
test_parse_roomconfig (void)
{
  g_autoptr (FlintDataForm) form = form_from (ROOMCONFIG);
  FlintDataFormField *f;
  GPtrArray *options;

  g_assert_cmpstr (flint_data_form_get_form_type (form), ==, "form");
  g_assert_cmpstr (flint_data_form_get_title (form), ==,
                   "Configuration for team@conference.flint.test");
  g_assert_cmpuint (g_strv_length ((char **) flint_data_form_get_instructions (form)), ==,
                    1);
  g_assert_cmpstr (flint_data_form_get_namespace (form), ==,
                   "http://jabber.org/protocol/muc#roomconfig");
  g_assert_cmpuint (flint_data_form_get_n_fields (form), ==, 13);

  f = flint_data_form_get_field (form, 1);
  g_assert_cmpint (flint_data_form_field_get_field_type (f), ==,
                   FLINT_DATA_FORM_FIELD_FIXED);
  g_assert_null (flint_data_form_field_get_var (f));
  g_assert_cmpstr (flint_data_form_field_get_value (f), ==, "Room information");

  f = flint_data_form_find_field (form, "muc#roomconfig_roomdesc");
  g_assert_cmpint (flint_data_form_field_get_field_type (f), ==,
                   FLINT_DATA_FORM_FIELD_TEXT_MULTI);
  g_assert_cmpstr (flint_data_form_field_get_description (f), ==,
                   "A brief description of the room");
  g_assert_cmpuint (g_strv_length ((char **) flint_data_form_field_get_values (f)), ==,
                    2);

  f = flint_data_form_find_field (form, "muc#roomconfig_persistentroom");
  g_assert_false (flint_data_form_field_get_boolean (f));
  f = flint_data_form_find_field (form, "muc#roomconfig_publicroom");
  g_assert_true (flint_data_form_field_get_boolean (f));

  f = flint_data_form_find_field (form, "muc#roomconfig_roomsecret");
  g_assert_cmpint (flint_data_form_field_get_field_type (f), ==,
                   FLINT_DATA_FORM_FIELD_TEXT_PRIVATE);
  g_assert_null (flint_data_form_field_get_value (f));

  f = flint_data_form_find_field (form, "muc#roomconfig_whois");
  options = flint_data_form_field_get_options (f);
  g_assert_cmpuint (options->len, ==, 2);
  g_assert_cmpstr (((FlintDataFormOption *) options->pdata[1])->label, ==, "Anyone");
  g_assert_cmpstr (((FlintDataFormOption *) options->pdata[1])->value, ==, "anyone");

  f = flint_data_form_find_field (form, "muc#roomconfig_presencebroadcast");
  g_assert_cmpint (flint_data_form_field_get_field_type (f), ==,
                   FLINT_DATA_FORM_FIELD_LIST_MULTI);
  g_assert_cmpuint (flint_data_form_field_get_options (f)->len, ==, 3);

  f = flint_data_form_find_field (form, "muc#roomconfig_historylength");
  g_assert_cmpint (flint_data_form_field_get_datatype (f), ==,
                   FLINT_DATA_FORM_DATATYPE_INTEGER);
  g_assert_cmpstr (flint_data_form_field_get_range_min (f), ==, "0");
  g_assert_cmpstr (flint_data_form_field_get_range_max (f), ==, "50");

  /* A type from the future is shown as text and keeps its name. */
  f = flint_data_form_find_field (form, "x-future");
  g_assert_cmpint (flint_data_form_field_get_field_type (f), ==,
                   FLINT_DATA_FORM_FIELD_TEXT_SINGLE);
  g_assert_cmpstr (flint_data_form_field_get_type_name (f), ==, "x-future");
  g_assert_cmpstr (flint_data_form_field_get_value (f), ==, "kept");

  /* No label: the var stands in. */
  g_assert_cmpstr (
    flint_data_form_field_get_label (flint_data_form_find_field (form, "FORM_TYPE")), ==,
    "FORM_TYPE");
  g_assert_true (flint_data_form_validate (form, NULL, NULL));
}

static void
test_submit (void)
{
  g_autoptr (FlintDataForm) form = form_from (ROOMCONFIG);
  xmpp_stanza_t *x;
  g_autofree char *text = NULL;
  const char *values[] = { "moderator", "visitor", NULL };

  flint_data_form_field_set_value (
    flint_data_form_find_field (form, "muc#roomconfig_roomname"), "Team <&> Room");
  flint_data_form_field_set_boolean (
    flint_data_form_find_field (form, "muc#roomconfig_persistentroom"), TRUE);
  flint_data_form_field_set_values (
    flint_data_form_find_field (form, "muc#roomconfig_presencebroadcast"), values);
  x = flint_data_form_to_submit (form, ctx);
  text = to_text (x);

  g_assert_cmpstr (xmpp_stanza_get_type (x), ==, "submit");
  /* FORM_TYPE first, no fixed field, no labels or options. */
  g_assert_true (g_str_has_prefix (
    text, "<x xmlns=\"jabber:x:data\" type=\"submit\"><field var=\"FORM_TYPE\"><value>"
          "http://jabber.org/protocol/muc#roomconfig</value></field>"));
  g_assert_null (strstr (text, "Room information"));
  g_assert_null (strstr (text, "label="));
  g_assert_null (strstr (text, "<option"));
  g_assert_nonnull (strstr (text, "<field var=\"muc#roomconfig_roomname\"><value>Team "
                                  "&lt;&amp;&gt; Room</value></field>"));
  g_assert_nonnull (strstr (
    text, "<field var=\"muc#roomconfig_persistentroom\"><value>1</value></field>"));
  g_assert_nonnull (
    strstr (text, "<field var=\"muc#roomconfig_presencebroadcast\"><value>moderator"
                  "</value><value>visitor</value></field>"));
  /* Fields without values are still answered (empty), unknown ones kept. */
  g_assert_nonnull (strstr (text, "<field var=\"muc#roomconfig_roomsecret\"/>"));
  g_assert_nonnull (strstr (text, "<field var=\"x-future\"><value>kept</value></field>"));

  /* What we serialize parses back to the same values. */
  {
    g_autoptr (FlintDataForm) back = flint_data_form_parse (x, NULL);

    g_assert_nonnull (back);
    g_assert_cmpstr (flint_data_form_field_get_value (
                       flint_data_form_find_field (back, "muc#roomconfig_roomname")),
                     ==, "Team <&> Room");
    g_assert_cmpuint (g_strv_length ((char **) flint_data_form_field_get_values (
                        flint_data_form_find_field (back, "muc#roomconfig_roomdesc"))),
                      ==, 2);
  }
  xmpp_stanza_release (x);

  x = flint_data_form_new_cancel (ctx);
  g_assert_cmpstr (xmpp_stanza_get_type (x), ==, "cancel");
  xmpp_stanza_release (x);
}

static void
test_full_roundtrip (void)
{
  g_autoptr (FlintDataForm) form = form_from (ROOMCONFIG);
  xmpp_stanza_t *x = flint_data_form_to_stanza (form, ctx);
  g_autoptr (FlintDataForm) back = flint_data_form_parse (x, NULL);
  FlintDataFormField *a, *b;

  g_assert_cmpuint (flint_data_form_get_n_fields (back), ==,
                    flint_data_form_get_n_fields (form));
  g_assert_cmpstr (flint_data_form_get_title (back), ==,
                   flint_data_form_get_title (form));
  for (guint i = 0; i < flint_data_form_get_n_fields (form); i++)
    {
      a = flint_data_form_get_field (form, i);
      b = flint_data_form_get_field (back, i);
      g_assert_cmpstr (flint_data_form_field_get_type_name (a), ==,
                       flint_data_form_field_get_type_name (b));
      g_assert_cmpstr (flint_data_form_field_get_label (a), ==,
                       flint_data_form_field_get_label (b));
      g_assert_cmpuint (flint_data_form_field_get_options (a)->len, ==,
                        flint_data_form_field_get_options (b)->len);
    }
  xmpp_stanza_release (x);
}

static gboolean
check (FlintDataFormField *f, const char *value, int expected_code)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;

  flint_data_form_field_set_value (f, value);
  ok = flint_data_form_field_validate (f, &error);
  if (expected_code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, FLINT_DATA_FORM_ERROR, expected_code);
      g_assert_true (error->message && *error->message);
    }
  return ok;
}

static void
test_validation (void)
{
  g_autoptr (FlintDataForm) form = form_from (
    "<x xmlns='jabber:x:data' type='form'>"
    "<field var='n' type='text-single'><required/>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:integer'>"
    "<range min='1' max='10'/></validate></field>"
    "<field var='d' type='text-single'>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:decimal'/>"
    "</field>"
    "<field var='date' type='text-single'>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:date'/>"
    "</field>"
    "<field var='dt' type='text-single'>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:dateTime'/>"
    "</field>"
    "<field var='t' type='text-single'>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:time'/>"
    "</field>"
    "<field var='u' type='text-single'>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:anyURI'/>"
    "</field>"
    "<field var='re' type='text-single'>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:string'>"
    "<regex>[a-z]+</regex></validate></field>"
    "<field var='j' type='jid-single'/>"
    "<field var='jm' type='jid-multi'/>"
    "<field var='ls' type='list-single'><option><value>a</value></option>"
    "<option><value>b</value></option></field>"
    "<field var='lo' type='list-single'><option><value>a</value></option>"
    "<validate "
    "xmlns='http://jabber.org/protocol/xdata-validate'><open/></validate></field>"
    "<field var='lm' type='list-multi'><option><value>a</value></option>"
    "<option><value>b</value></option><option><value>c</value></option>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate'>"
    "<list-range min='1' max='2'/></validate></field>"
    "<field var='b' type='boolean'><required/></field>"
    "<field var='req' type='text-private'><required/></field>"
    "</x>");
  FlintDataFormField *f, *bad = NULL;
  g_autoptr (GError) error = NULL;

  f = flint_data_form_find_field (form, "n");
  g_assert_true (flint_data_form_field_get_required (f));
  check (f, NULL, FLINT_DATA_FORM_ERROR_REQUIRED);
  check (f, "", FLINT_DATA_FORM_ERROR_REQUIRED);
  check (f, "5", -1);
  check (f, "+7", -1);
  check (f, "1", -1);
  check (f, "10", -1);
  check (f, "0", FLINT_DATA_FORM_ERROR_INVALID);
  check (f, "11", FLINT_DATA_FORM_ERROR_INVALID);
  check (f, "5.5", FLINT_DATA_FORM_ERROR_INVALID);
  check (f, "five", FLINT_DATA_FORM_ERROR_INVALID);
  check (f, "-", FLINT_DATA_FORM_ERROR_INVALID);

  /* The whole form stops at the first bad field. */
  check (f, "", FLINT_DATA_FORM_ERROR_REQUIRED);
  g_assert_false (flint_data_form_validate (form, &bad, &error));
  g_assert_true (bad == f);
  g_clear_error (&error);
  check (f, "3", -1);

  f = flint_data_form_find_field (form, "d");
  check (f, "", -1); /* optional */
  check (f, "3.25", -1);
  check (f, "-1e3", -1);
  check (f, "3,25", FLINT_DATA_FORM_ERROR_INVALID);

  f = flint_data_form_find_field (form, "date");
  check (f, "2024-02-29", -1);
  check (f, "2023-02-29", FLINT_DATA_FORM_ERROR_INVALID);
  check (f, "yesterday", FLINT_DATA_FORM_ERROR_INVALID);

  f = flint_data_form_find_field (form, "dt");
  check (f, "2024-03-31T14:30:00Z", -1);
  check (f, "2024-03-31T14:30:00+02:00", -1);
  check (f, "2024-03-31", FLINT_DATA_FORM_ERROR_INVALID);

  f = flint_data_form_find_field (form, "t");
  check (f, "14:30:00", -1);
  check (f, "14:30:00.5Z", -1);
  check (f, "2pm", FLINT_DATA_FORM_ERROR_INVALID);

  f = flint_data_form_find_field (form, "u");
  check (f, "https://example.com/x?y=1", -1);
  check (f, "not a uri", FLINT_DATA_FORM_ERROR_INVALID);

  f = flint_data_form_find_field (form, "re");
  check (f, "abc", -1);
  check (f, "abc1", FLINT_DATA_FORM_ERROR_INVALID); /* anchored */

  f = flint_data_form_find_field (form, "j");
  check (f, "bob@example.com", -1);
  check (f, "bob@", FLINT_DATA_FORM_ERROR_INVALID);
  f = flint_data_form_find_field (form, "jm");
  {
    const char *two[] = { "a@example.com", "not valid@@", NULL };
    flint_data_form_field_set_values (f, two);
    g_assert_false (flint_data_form_field_validate (f, &error));
    g_assert_nonnull (strstr (error->message, "not valid@@"));
    g_clear_error (&error);
  }

  f = flint_data_form_find_field (form, "ls");
  check (f, "a", -1);
  check (f, "z", FLINT_DATA_FORM_ERROR_INVALID);
  f = flint_data_form_find_field (form, "lo");
  g_assert_true (flint_data_form_field_is_open (f));
  check (f, "z", -1);

  f = flint_data_form_find_field (form, "lm");
  check (f, NULL, FLINT_DATA_FORM_ERROR_INVALID); /* at least one */
  check (f, "b", -1);
  {
    const char *three[] = { "a", "b", "c", NULL };
    const char *stranger[] = { "a", "q", NULL };

    flint_data_form_field_set_values (f, three);
    g_assert_false (flint_data_form_field_validate (f, NULL));
    flint_data_form_field_set_values (f, stranger);
    g_assert_false (flint_data_form_field_validate (f, NULL));
  }

  /* A boolean always has a value (false by default). */
  f = flint_data_form_find_field (form, "b");
  check (f, NULL, -1);
  check (f, "true", -1);
  check (f, "maybe", FLINT_DATA_FORM_ERROR_INVALID);

  f = flint_data_form_find_field (form, "req");
  check (f, NULL, FLINT_DATA_FORM_ERROR_REQUIRED);
  check (f, "s3cret", -1);
}

static void
test_result_items (void)
{
  g_autoptr (FlintDataForm) form = form_from (
    "<x xmlns='jabber:x:data' type='result'>"
    "<field type='hidden' var='FORM_TYPE'><value>jabber:iq:search</value></field>"
    "<reported><field var='jid' label='JID' type='jid-single'/>"
    "<field var='email' label='Email'/></reported>"
    "<item><field var='jid'><value>a@x.test</value></field>"
    "<field var='email'><value>a@mail.test</value></field></item>"
    "<item><field var='jid'><value>b@x.test</value></field></item>"
    "</x>");

  g_assert_cmpstr (flint_data_form_get_form_type (form), ==, "result");
  g_assert_cmpuint (flint_data_form_get_n_reported (form), ==, 2);
  g_assert_cmpstr (
    flint_data_form_field_get_label (flint_data_form_get_reported (form, 1)), ==,
    "Email");
  g_assert_cmpuint (flint_data_form_get_n_items (form), ==, 2);
  g_assert_cmpstr (flint_data_form_get_item_values (form, 0, "email")[0], ==,
                   "a@mail.test");
  g_assert_cmpstr (flint_data_form_get_item_values (form, 1, "jid")[0], ==, "b@x.test");
  g_assert_null (flint_data_form_get_item_values (form, 1, "email")[0]);
  g_assert_null (flint_data_form_get_item_values (form, 1, NULL)[0]);
}

static void
test_malformed (void)
{
  static const char *const bad_forms[] = {
    "<x xmlns='jabber:x:data'/>",
    "<x xmlns='jabber:x:data' type='form'><field/><field type=''/><field var=''/></x>",
    "<x xmlns='jabber:x:data' type='form'><field var='a' type='list-single'>"
    "<option label='no value'/><option><value/></option></field></x>",
    "<x xmlns='jabber:x:data' type='form'><field var='a' type='text-single'>"
    "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:integer'>"
    "<range min='x' max=''/><list-range min='-5' max='zz'/><regex>([</regex>"
    "</validate><value>1</value></field></x>",
    "<x xmlns='jabber:x:data' type='form'><item/><reported/><item><field/></item>"
    "<title/><title>second</title><instructions/></x>",
    "<x xmlns='jabber:x:data' type='form'><field var='b' type='boolean'>"
    "<value>yes</value><value>no</value></field></x>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_forms); i++)
    {
      g_autoptr (FlintDataForm) form = form_from (bad_forms[i]);
      xmpp_stanza_t *submit = flint_data_form_to_submit (form, ctx);
      xmpp_stanza_t *full = flint_data_form_to_stanza (form, ctx);

      /* Nothing to assert beyond "it answers": validation returns either
       * way without crashing. */
      flint_data_form_validate (form, NULL, NULL);
      g_assert_nonnull (submit);
      g_assert_nonnull (full);
      xmpp_stanza_release (submit);
      xmpp_stanza_release (full);
    }

  /* An option without a value is dropped; the empty value is kept. */
  {
    g_autoptr (FlintDataForm) form = form_from (bad_forms[2]);
    g_assert_cmpuint (
      flint_data_form_field_get_options (flint_data_form_get_field (form, 0))->len, ==,
      1);
  }
  /* A broken regex is ignored rather than refusing every value. */
  {
    g_autoptr (FlintDataForm) form = form_from (bad_forms[3]);
    g_assert_true (flint_data_form_validate (form, NULL, NULL));
  }
  /* Fields without var are not sent back. */
  {
    g_autoptr (FlintDataForm) form = form_from (bad_forms[1]);
    xmpp_stanza_t *submit = flint_data_form_to_submit (form, ctx);
    g_autofree char *text = to_text (submit);

    g_assert_cmpuint (flint_data_form_get_n_fields (form), ==, 3);
    g_assert_cmpstr (text, ==,
                     "<x xmlns=\"jabber:x:data\" type=\"submit\"><field var=\"\"/></x>");
    xmpp_stanza_release (submit);
  }
  /* Not a data form at all. */
  {
    xmpp_stanza_t *other = parse_xml ("<x xmlns='jabber:x:oob'/>");
    g_autoptr (GError) error = NULL;

    g_assert_null (flint_data_form_parse (other, &error));
    g_assert_error (error, FLINT_DATA_FORM_ERROR, FLINT_DATA_FORM_ERROR_MALFORMED);
    g_clear_error (&error);
    g_assert_null (flint_data_form_parse (NULL, &error));
    g_assert_error (error, FLINT_DATA_FORM_ERROR, FLINT_DATA_FORM_ERROR_MALFORMED);
    g_assert_null (flint_data_form_parse_child (other, NULL));
    xmpp_stanza_release (other);
  }
}

/* The form inside an iq's <query/>, as services send it. */
static void
test_parse_child (void)
{
  xmpp_stanza_t *iq =
    parse_xml ("<iq type='result'><query xmlns='http://jabber.org/protocol/muc#owner'>"
               "<x xmlns='jabber:x:data' type='form'><field var='a'/></x></query></iq>");
  xmpp_stanza_t *query = xmpp_stanza_get_children (iq);
  g_autoptr (FlintDataForm) form = flint_data_form_parse_child (query, NULL);

  g_assert_nonnull (form);
  g_assert_cmpuint (flint_data_form_get_n_fields (form), ==, 1);
  xmpp_stanza_release (iq);
}

static void
test_huge (void)
{
  GString *xml = g_string_new ("<x xmlns='jabber:x:data' type='form'>");
  g_autoptr (FlintDataForm) form = NULL;

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (xml, "<field var='f%u'><value>%u</value></field>", i, i);
  g_string_append (xml, "</x>");
  form = form_from (xml->str);
  /* Capped: a form of thousands of fields is not meant for a person. */
  g_assert_cmpuint (flint_data_form_get_n_fields (form), ==, 2000);
  g_string_free (xml, TRUE);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);

  g_test_add_func ("/data-form/parse-roomconfig", test_parse_roomconfig);
  g_test_add_func ("/data-form/submit", test_submit);
  g_test_add_func ("/data-form/full-roundtrip", test_full_roundtrip);
  g_test_add_func ("/data-form/validation", test_validation);
  g_test_add_func ("/data-form/result-items", test_result_items);
  g_test_add_func ("/data-form/malformed", test_malformed);
  g_test_add_func ("/data-form/parse-child", test_parse_child);
  g_test_add_func ("/data-form/huge", test_huge);
  status = g_test_run ();
  xmpp_ctx_free (ctx);
  xmpp_shutdown ();
  return status;
}

#include "config.h"

#define G_LOG_DOMAIN "flint-data-form"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-data-form.h"
#include "flint-jid.h"
#include "flint-stanza.h"

/* Bounds against a hostile form: more than this is not meant for people. */
#define MAX_FIELDS 2000
#define MAX_VALUES 10000
#define MAX_OPTIONS 10000
#define MAX_ITEMS 100000

G_DEFINE_QUARK (flint - data - form - error - quark, flint_data_form_error)

struct _FlintDataFormField
{
  gatomicrefcount ref;
  FlintDataFormFieldType type;
  char *type_name;
  char *var;
  char *label;
  char *desc;
  gboolean required;
  GPtrArray *options; /* FlintDataFormOption */
  GStrv values;
  /* XEP-0122 */
  FlintDataFormDatatype datatype;
  char *range_min;
  char *range_max;
  char *regex;
  gboolean open;
  gboolean has_list_range;
  guint list_min;
  guint list_max;
};

struct _FlintDataForm
{
  GObject parent_instance;

  char *type;
  char *title;
  GStrv instructions;
  GPtrArray *fields;   /* FlintDataFormField */
  GPtrArray *reported; /* FlintDataFormField */
  GPtrArray *items;    /* GHashTable: var -> GStrv */
};

G_DEFINE_FINAL_TYPE (FlintDataForm, flint_data_form, G_TYPE_OBJECT)

static const char *const type_names[] = {
  [FLINT_DATA_FORM_FIELD_TEXT_SINGLE] = "text-single",
  [FLINT_DATA_FORM_FIELD_TEXT_PRIVATE] = "text-private",
  [FLINT_DATA_FORM_FIELD_TEXT_MULTI] = "text-multi",
  [FLINT_DATA_FORM_FIELD_BOOLEAN] = "boolean",
  [FLINT_DATA_FORM_FIELD_LIST_SINGLE] = "list-single",
  [FLINT_DATA_FORM_FIELD_LIST_MULTI] = "list-multi",
  [FLINT_DATA_FORM_FIELD_JID_SINGLE] = "jid-single",
  [FLINT_DATA_FORM_FIELD_JID_MULTI] = "jid-multi",
  [FLINT_DATA_FORM_FIELD_HIDDEN] = "hidden",
  [FLINT_DATA_FORM_FIELD_FIXED] = "fixed",
};

const char *
flint_data_form_field_type_to_string (FlintDataFormFieldType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_names))
    return "text-single";
  return type_names[type];
}

FlintDataFormFieldType
flint_data_form_field_type_from_string (const char *name)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (type_names); i++)
    if (g_str_equal (name, type_names[i]))
      return i;
  /* XEP-0004 §3.3: no type means text-single; an unknown one is best
   * shown as text too. */
  return FLINT_DATA_FORM_FIELD_TEXT_SINGLE;
}

/* ---- fields ------------------------------------------------------------- */

static void
option_free (FlintDataFormOption *option)
{
  g_free (option->label);
  g_free (option->value);
  g_free (option);
}

FlintDataFormField *
flint_data_form_field_new (FlintDataFormFieldType type, const char *var)
{
  FlintDataFormField *field = g_new0 (FlintDataFormField, 1);

  g_atomic_ref_count_init (&field->ref);
  field->type = type;
  field->type_name = g_strdup (flint_data_form_field_type_to_string (type));
  field->var = g_strdup (var);
  field->options = g_ptr_array_new_with_free_func ((GDestroyNotify) option_free);
  field->values = g_new0 (char *, 1);
  return field;
}

FlintDataFormField *
flint_data_form_field_ref (FlintDataFormField *field)
{
  g_return_val_if_fail (field != NULL, NULL);
  g_atomic_ref_count_inc (&field->ref);
  return field;
}

void
flint_data_form_field_unref (FlintDataFormField *field)
{
  g_return_if_fail (field != NULL);
  if (!g_atomic_ref_count_dec (&field->ref))
    return;
  g_free (field->type_name);
  g_free (field->var);
  g_free (field->label);
  g_free (field->desc);
  g_ptr_array_unref (field->options);
  g_strfreev (field->values);
  g_free (field->range_min);
  g_free (field->range_max);
  g_free (field->regex);
  g_free (field);
}

G_DEFINE_BOXED_TYPE (FlintDataFormField,
                     flint_data_form_field,
                     flint_data_form_field_ref,
                     flint_data_form_field_unref)

FlintDataFormFieldType
flint_data_form_field_get_field_type (FlintDataFormField *field)
{
  return field->type;
}

const char *
flint_data_form_field_get_type_name (FlintDataFormField *field)
{
  return field->type_name;
}

const char *
flint_data_form_field_get_var (FlintDataFormField *field)
{
  return field->var;
}

const char *
flint_data_form_field_get_label (FlintDataFormField *field)
{
  if (field->label && *field->label)
    return field->label;
  return field->var ? field->var : "";
}

void
flint_data_form_field_set_label (FlintDataFormField *field, const char *label)
{
  g_free (field->label);
  field->label = g_strdup (label);
}

const char *
flint_data_form_field_get_description (FlintDataFormField *field)
{
  return field->desc;
}

gboolean
flint_data_form_field_get_required (FlintDataFormField *field)
{
  return field->required;
}

void
flint_data_form_field_set_required (FlintDataFormField *field, gboolean required)
{
  field->required = required;
}

GPtrArray *
flint_data_form_field_get_options (FlintDataFormField *field)
{
  return field->options;
}

void
flint_data_form_field_add_option (FlintDataFormField *field,
                                  const char *label,
                                  const char *value)
{
  FlintDataFormOption *option = g_new0 (FlintDataFormOption, 1);

  option->value = g_strdup (value ? value : "");
  option->label = g_strdup (label && *label ? label : option->value);
  g_ptr_array_add (field->options, option);
}

const char *const *
flint_data_form_field_get_values (FlintDataFormField *field)
{
  return (const char *const *) field->values;
}

const char *
flint_data_form_field_get_value (FlintDataFormField *field)
{
  return field->values[0];
}

void
flint_data_form_field_set_values (FlintDataFormField *field, const char *const *values)
{
  GStrv copy = g_strdupv ((char **) values);

  g_strfreev (field->values);
  field->values = copy ? copy : g_new0 (char *, 1);
}

void
flint_data_form_field_set_value (FlintDataFormField *field, const char *value)
{
  const char *values[] = { value, NULL };

  flint_data_form_field_set_values (field, values);
}

static gboolean
parse_boolean (const char *value, gboolean *out)
{
  if (value == NULL)
    return FALSE;
  if (g_str_equal (value, "1") || g_str_equal (value, "true"))
    *out = TRUE;
  else if (g_str_equal (value, "0") || g_str_equal (value, "false"))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

gboolean
flint_data_form_field_get_boolean (FlintDataFormField *field)
{
  gboolean value = FALSE;

  parse_boolean (field->values[0], &value);
  return value;
}

void
flint_data_form_field_set_boolean (FlintDataFormField *field, gboolean value)
{
  flint_data_form_field_set_value (field, value ? "1" : "0");
}

FlintDataFormDatatype
flint_data_form_field_get_datatype (FlintDataFormField *field)
{
  return field->datatype;
}

const char *
flint_data_form_field_get_range_min (FlintDataFormField *field)
{
  return field->range_min;
}

const char *
flint_data_form_field_get_range_max (FlintDataFormField *field)
{
  return field->range_max;
}

gboolean
flint_data_form_field_is_open (FlintDataFormField *field)
{
  return field->open;
}

/* ---- validation --------------------------------------------------------- */

static FlintDataFormDatatype
datatype_from_string (const char *name)
{
  static const struct
  {
    const char *name;
    FlintDataFormDatatype type;
  } map[] = {
    { "xs:integer", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:int", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:long", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:short", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:byte", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:nonNegativeInteger", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:positiveInteger", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:unsignedInt", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:unsignedLong", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:unsignedShort", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:unsignedByte", FLINT_DATA_FORM_DATATYPE_INTEGER },
    { "xs:decimal", FLINT_DATA_FORM_DATATYPE_DECIMAL },
    { "xs:double", FLINT_DATA_FORM_DATATYPE_DECIMAL },
    { "xs:float", FLINT_DATA_FORM_DATATYPE_DECIMAL },
    { "xs:boolean", FLINT_DATA_FORM_DATATYPE_BOOLEAN },
    { "xs:date", FLINT_DATA_FORM_DATATYPE_DATE },
    { "xs:dateTime", FLINT_DATA_FORM_DATATYPE_DATETIME },
    { "xs:time", FLINT_DATA_FORM_DATATYPE_TIME },
    { "xs:anyURI", FLINT_DATA_FORM_DATATYPE_URI },
  };

  for (guint i = 0; name && i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (name, map[i].name))
      return map[i].type;
  return FLINT_DATA_FORM_DATATYPE_STRING;
}

static gboolean
is_integer (const char *s)
{
  if (*s == '+' || *s == '-')
    s++;
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static gboolean
parse_number (const char *s, double *out)
{
  char *end = NULL;

  if (s == NULL || *s == '\0' || g_ascii_isspace (*s))
    return FALSE;
  *out = g_ascii_strtod (s, &end);
  return end && *end == '\0';
}

static gboolean
is_time (const char *s)
{
  return g_regex_match_simple (
    "^[0-2][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]+)?(Z|[+-][0-2][0-9]:[0-5][0-9])?$", s, 0,
    0);
}

static gboolean
is_date (const char *s)
{
  g_autofree char *stamp = NULL;
  g_autoptr (GDateTime) dt = NULL;

  if (!g_regex_match_simple ("^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}$", s, 0, 0))
    return FALSE;
  stamp = g_strdup_printf ("%sT00:00:00Z", s);
  dt = g_date_time_new_from_iso8601 (stamp, NULL);
  return dt != NULL;
}

static gboolean
is_datetime (const char *s)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (s, utc);

  return dt != NULL && strchr (s, 'T') != NULL;
}

static gboolean
set_invalid (GError **error, const char *message)
{
  g_set_error_literal (error, FLINT_DATA_FORM_ERROR, FLINT_DATA_FORM_ERROR_INVALID,
                       message);
  return FALSE;
}

static gboolean
check_datatype (FlintDataFormField *field, const char *value, GError **error)
{
  double number = 0, bound = 0;

  switch (field->datatype)
    {
      case FLINT_DATA_FORM_DATATYPE_INTEGER:
        if (!is_integer (value))
          return set_invalid (error, _ ("Enter a whole number."));
        break;
      case FLINT_DATA_FORM_DATATYPE_DECIMAL:
        if (!parse_number (value, &number))
          return set_invalid (error, _ ("Enter a number."));
        break;
      case FLINT_DATA_FORM_DATATYPE_BOOLEAN:
        {
          gboolean b;

          if (!parse_boolean (value, &b))
            return set_invalid (error, _ ("Enter “true” or “false”."));
        }
        break;
      case FLINT_DATA_FORM_DATATYPE_DATE:
        if (!is_date (value))
          return set_invalid (error, _ ("Enter a date such as 2024-03-31."));
        break;
      case FLINT_DATA_FORM_DATATYPE_DATETIME:
        if (!is_datetime (value))
          return set_invalid (error,
                              _ ("Enter a date and time such as 2024-03-31T14:30:00Z."));
        break;
      case FLINT_DATA_FORM_DATATYPE_TIME:
        if (!is_time (value))
          return set_invalid (error, _ ("Enter a time such as 14:30:00."));
        break;
      case FLINT_DATA_FORM_DATATYPE_URI:
        if (strchr (value, ' ') || !g_uri_is_valid (value, G_URI_FLAGS_NONE, NULL))
          return set_invalid (error,
                              _ ("Enter a web address such as https://example.com/."));
        break;
      case FLINT_DATA_FORM_DATATYPE_STRING:
      default:
        break;
    }

  /* Ranges only mean something here for numbers. */
  if (field->datatype == FLINT_DATA_FORM_DATATYPE_INTEGER ||
      field->datatype == FLINT_DATA_FORM_DATATYPE_DECIMAL)
    {
      gboolean has_min = parse_number (field->range_min, &bound);
      double min = bound;
      gboolean has_max = parse_number (field->range_max, &bound);
      double max = bound;

      parse_number (value, &number);
      if ((has_min && number < min) || (has_max && number > max))
        {
          g_autofree char *message = NULL;

          if (has_min && has_max)
            /* TRANSLATORS: the lowest and the highest number allowed */
            message = g_strdup_printf (_ ("Enter a number from %s to %s."),
                                       field->range_min, field->range_max);
          else if (has_min)
            message = g_strdup_printf (_ ("Enter %s or more."), field->range_min);
          else
            message = g_strdup_printf (_ ("Enter %s or less."), field->range_max);
          return set_invalid (error, message);
        }
    }

  if (field->regex && *field->regex)
    {
      /* XML Schema patterns match the whole value. */
      g_autofree char *anchored = g_strdup_printf ("^(?:%s)$", field->regex);
      g_autoptr (GRegex) regex = g_regex_new (anchored, G_REGEX_DEFAULT, 0, NULL);

      if (regex && !g_regex_match (regex, value, 0, NULL))
        return set_invalid (error, _ ("This value does not have the expected form."));
    }
  return TRUE;
}

static gboolean
has_option (FlintDataFormField *field, const char *value)
{
  for (guint i = 0; i < field->options->len; i++)
    {
      FlintDataFormOption *option = g_ptr_array_index (field->options, i);

      if (g_strcmp0 (option->value, value) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
flint_data_form_field_validate (FlintDataFormField *field, GError **error)
{
  guint n = 0;

  g_return_val_if_fail (field != NULL, FALSE);

  if (field->type == FLINT_DATA_FORM_FIELD_FIXED ||
      field->type == FLINT_DATA_FORM_FIELD_HIDDEN)
    return TRUE;

  for (char **v = field->values; *v; v++)
    if (**v != '\0')
      n++;
  if (n == 0)
    {
      if (field->required && field->type != FLINT_DATA_FORM_FIELD_BOOLEAN)
        {
          g_set_error_literal (error, FLINT_DATA_FORM_ERROR,
                               FLINT_DATA_FORM_ERROR_REQUIRED,
                               _ ("This field is required."));
          return FALSE;
        }
      if (!field->has_list_range || field->list_min == 0)
        return TRUE;
    }

  for (char **v = field->values; *v; v++)
    {
      if (**v == '\0')
        continue;
      switch (field->type)
        {
          case FLINT_DATA_FORM_FIELD_BOOLEAN:
            {
              gboolean b;

              if (!parse_boolean (*v, &b))
                return set_invalid (error, _ ("Choose yes or no."));
            }
            break;
          case FLINT_DATA_FORM_FIELD_JID_SINGLE:
          case FLINT_DATA_FORM_FIELD_JID_MULTI:
            if (!flint_jid_is_valid (*v))
              {
                g_autofree char *message = g_strdup_printf (
                  /* TRANSLATORS: %s is what the user typed */
                  _ ("“%s” is not a valid address. Enter one such as "
                     "name@example.com."),
                  *v);
                return set_invalid (error, message);
              }
            break;
          case FLINT_DATA_FORM_FIELD_LIST_SINGLE:
          case FLINT_DATA_FORM_FIELD_LIST_MULTI:
            if (!field->open && field->options->len > 0 && !has_option (field, *v))
              return set_invalid (error, _ ("Choose one of the offered values."));
            break;
          default:
            break;
        }
      if (!check_datatype (field, *v, error))
        return FALSE;
    }

  if (field->type == FLINT_DATA_FORM_FIELD_LIST_SINGLE ||
      field->type == FLINT_DATA_FORM_FIELD_BOOLEAN ||
      field->type == FLINT_DATA_FORM_FIELD_JID_SINGLE ||
      field->type == FLINT_DATA_FORM_FIELD_TEXT_SINGLE ||
      field->type == FLINT_DATA_FORM_FIELD_TEXT_PRIVATE)
    if (n > 1)
      return set_invalid (error, _ ("Enter only one value."));

  if (field->has_list_range)
    {
      if (n < field->list_min)
        {
          g_autofree char *message =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Choose at least %u value.",
                                          "Choose at least %u values.", field->list_min),
                             field->list_min);
          return set_invalid (error, message);
        }
      if (field->list_max > 0 && n > field->list_max)
        {
          g_autofree char *message =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Choose at most %u value.",
                                          "Choose at most %u values.", field->list_max),
                             field->list_max);
          return set_invalid (error, message);
        }
    }
  return TRUE;
}

/* ---- parsing ------------------------------------------------------------ */

/* The element's text as valid UTF-8 ("" when empty). Bad bytes become
 * U+FFFD rather than losing the value. */
static char *
element_text (xmpp_stanza_t *element)
{
  char *text = xmpp_stanza_get_text (element);
  char *copy;

  if (text == NULL)
    return g_strdup ("");
  copy = g_utf8_make_valid (text, -1);
  xmpp_free (xmpp_stanza_get_context (element), text);
  return copy;
}

static gboolean
is_element (xmpp_stanza_t *c, const char *name)
{
  return xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_name (c), name) == 0;
}

/* Attribute text as valid UTF-8, or NULL. */
static char *
attr_dup (xmpp_stanza_t *element, const char *name)
{
  const char *value = xmpp_stanza_get_attribute (element, name);

  return value ? g_utf8_make_valid (value, -1) : NULL;
}

/* A bound that is not a plain number is no bound (0). */
static guint
parse_count (const char *text)
{
  guint64 n = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &n, NULL))
    return 0;
  return (guint) n;
}

static void
parse_validate (FlintDataFormField *field, xmpp_stanza_t *validate)
{
  const char *datatype = xmpp_stanza_get_attribute (validate, "datatype");

  field->datatype = datatype_from_string (datatype);
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (validate); c;
       c = xmpp_stanza_get_next (c))
    {
      if (is_element (c, "open"))
        field->open = TRUE;
      else if (is_element (c, "range"))
        {
          g_free (field->range_min);
          g_free (field->range_max);
          field->range_min = attr_dup (c, "min");
          field->range_max = attr_dup (c, "max");
        }
      else if (is_element (c, "regex"))
        {
          g_free (field->regex);
          field->regex = element_text (c);
        }
      else if (is_element (c, "list-range"))
        {
          guint min = parse_count (xmpp_stanza_get_attribute (c, "min"));
          guint max = parse_count (xmpp_stanza_get_attribute (c, "max"));

          field->has_list_range = min > 0 || max > 0;
          field->list_min = min;
          field->list_max = max;
        }
    }
}

static FlintDataFormField *
parse_field (xmpp_stanza_t *element)
{
  g_autofree char *type_name = attr_dup (element, "type");
  g_autofree char *var = attr_dup (element, "var");
  FlintDataFormField *field;
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  field =
    flint_data_form_field_new (flint_data_form_field_type_from_string (type_name), var);
  if (type_name)
    {
      g_free (field->type_name);
      field->type_name = g_steal_pointer (&type_name);
    }
  field->label = attr_dup (element, "label");

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (element); c;
       c = xmpp_stanza_get_next (c))
    {
      if (is_element (c, "value"))
        {
          if (values->len < MAX_VALUES)
            g_ptr_array_add (values, element_text (c));
        }
      else if (is_element (c, "desc"))
        {
          g_free (field->desc);
          field->desc = element_text (c);
        }
      else if (is_element (c, "required"))
        field->required = TRUE;
      else if (is_element (c, "option"))
        {
          xmpp_stanza_t *v = xmpp_stanza_get_child_by_name (c, "value");
          g_autofree char *label = attr_dup (c, "label");
          g_autofree char *value = v ? element_text (v) : NULL;

          /* An option without a value cannot be chosen: skip it. */
          if (value && field->options->len < MAX_OPTIONS)
            flint_data_form_field_add_option (field, label, value);
        }
      else if (is_element (c, "validate") &&
               g_strcmp0 (xmpp_stanza_get_ns (c), FLINT_NS_DATA_VALIDATE) == 0)
        parse_validate (field, c);
    }
  /* Multi-line text arrives one line per value; text-single should have
   * one but a sloppy service may send more: keep them all. */
  g_ptr_array_add (values, NULL);
  g_strfreev (field->values);
  field->values = (GStrv) g_ptr_array_free (g_steal_pointer (&values), FALSE);
  return field;
}

static void
parse_item (FlintDataForm *self, xmpp_stanza_t *element)
{
  GHashTable *item =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (element); c;
       c = xmpp_stanza_get_next (c))
    {
      FlintDataFormField *field;

      if (!is_element (c, "field"))
        continue;
      field = parse_field (c);
      if (field->var && !g_hash_table_contains (item, field->var))
        g_hash_table_insert (item, g_strdup (field->var), g_strdupv (field->values));
      flint_data_form_field_unref (field);
    }
  g_ptr_array_add (self->items, item);
}

FlintDataForm *
flint_data_form_parse (xmpp_stanza_t *x, GError **error)
{
  FlintDataForm *self;
  g_autoptr (GPtrArray) instructions = g_ptr_array_new ();
  const char *type;

  if (x == NULL || !xmpp_stanza_is_tag (x) ||
      g_strcmp0 (xmpp_stanza_get_name (x), "x") != 0 ||
      g_strcmp0 (xmpp_stanza_get_ns (x), FLINT_NS_DATA_FORM) != 0)
    {
      g_set_error_literal (error, FLINT_DATA_FORM_ERROR, FLINT_DATA_FORM_ERROR_MALFORMED,
                           _ ("The service sent a form Flint cannot read."));
      return NULL;
    }
  type = xmpp_stanza_get_type (x);
  self = flint_data_form_new (type && g_utf8_validate (type, -1, NULL) ? type : "form");

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (x); c; c = xmpp_stanza_get_next (c))
    {
      if (is_element (c, "title"))
        {
          g_free (self->title);
          self->title = element_text (c);
        }
      else if (is_element (c, "instructions"))
        g_ptr_array_add (instructions, element_text (c));
      else if (is_element (c, "field"))
        {
          if (self->fields->len < MAX_FIELDS)
            g_ptr_array_add (self->fields, parse_field (c));
        }
      else if (is_element (c, "reported"))
        {
          g_ptr_array_set_size (self->reported, 0);
          for (xmpp_stanza_t *f = xmpp_stanza_get_children (c); f;
               f = xmpp_stanza_get_next (f))
            if (is_element (f, "field") && self->reported->len < MAX_FIELDS)
              g_ptr_array_add (self->reported, parse_field (f));
        }
      else if (is_element (c, "item"))
        {
          if (self->items->len < MAX_ITEMS)
            parse_item (self, c);
        }
    }
  g_ptr_array_add (instructions, NULL);
  g_strfreev (self->instructions);
  self->instructions = (GStrv) g_ptr_array_free (g_steal_pointer (&instructions), FALSE);
  return self;
}

FlintDataForm *
flint_data_form_parse_child (xmpp_stanza_t *parent, GError **error)
{
  xmpp_stanza_t *x =
    parent ? xmpp_stanza_get_child_by_name_and_ns (parent, "x", FLINT_NS_DATA_FORM)
           : NULL;

  return x ? flint_data_form_parse (x, error) : NULL;
}

/* ---- form --------------------------------------------------------------- */

FlintDataForm *
flint_data_form_new (const char *type)
{
  FlintDataForm *self = g_object_new (FLINT_TYPE_DATA_FORM, NULL);

  self->type = g_strdup (type ? type : "form");
  return self;
}

const char *
flint_data_form_get_form_type (FlintDataForm *self)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);
  return self->type;
}

const char *
flint_data_form_get_title (FlintDataForm *self)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);
  return self->title;
}

void
flint_data_form_set_title (FlintDataForm *self, const char *title)
{
  g_return_if_fail (FLINT_IS_DATA_FORM (self));
  g_free (self->title);
  self->title = g_strdup (title);
}

const char *const *
flint_data_form_get_instructions (FlintDataForm *self)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);
  return (const char *const *) self->instructions;
}

const char *
flint_data_form_get_namespace (FlintDataForm *self)
{
  FlintDataFormField *field;

  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);
  field = flint_data_form_find_field (self, "FORM_TYPE");
  return field ? flint_data_form_field_get_value (field) : NULL;
}

guint
flint_data_form_get_n_fields (FlintDataForm *self)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), 0);
  return self->fields->len;
}

FlintDataFormField *
flint_data_form_get_field (FlintDataForm *self, guint index)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);
  g_return_val_if_fail (index < self->fields->len, NULL);
  return g_ptr_array_index (self->fields, index);
}

FlintDataFormField *
flint_data_form_find_field (FlintDataForm *self, const char *var)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);

  for (guint i = 0; var && i < self->fields->len; i++)
    {
      FlintDataFormField *field = g_ptr_array_index (self->fields, i);

      if (g_strcmp0 (field->var, var) == 0)
        return field;
    }
  return NULL;
}

void
flint_data_form_add_field (FlintDataForm *self, FlintDataFormField *field)
{
  g_return_if_fail (FLINT_IS_DATA_FORM (self));
  g_return_if_fail (field != NULL);
  g_ptr_array_add (self->fields, flint_data_form_field_ref (field));
}

guint
flint_data_form_get_n_reported (FlintDataForm *self)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), 0);
  return self->reported->len;
}

FlintDataFormField *
flint_data_form_get_reported (FlintDataForm *self, guint index)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);
  g_return_val_if_fail (index < self->reported->len, NULL);
  return g_ptr_array_index (self->reported, index);
}

guint
flint_data_form_get_n_items (FlintDataForm *self)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), 0);
  return self->items->len;
}

const char *const *
flint_data_form_get_item_values (FlintDataForm *self, guint index, const char *var)
{
  static const char *const empty[] = { NULL };
  GHashTable *item;
  const char *const *values;

  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), empty);
  g_return_val_if_fail (index < self->items->len, empty);
  item = g_ptr_array_index (self->items, index);
  values = var ? g_hash_table_lookup (item, var) : NULL;
  return values ? values : empty;
}

gboolean
flint_data_form_validate (FlintDataForm *self,
                          FlintDataFormField **out_field,
                          GError **error)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), FALSE);

  if (out_field)
    *out_field = NULL;
  for (guint i = 0; i < self->fields->len; i++)
    {
      FlintDataFormField *field = g_ptr_array_index (self->fields, i);

      if (!flint_data_form_field_validate (field, error))
        {
          if (out_field)
            *out_field = field;
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- serializing -------------------------------------------------------- */

static void
add_values (xmpp_stanza_t *element, FlintDataFormField *field)
{
  for (char **v = field->values; *v; v++)
    flint_stanza_add_child (element, "value", NULL, *v);
}

static xmpp_stanza_t *
new_form_element (xmpp_ctx_t *ctx, const char *type)
{
  xmpp_stanza_t *x = flint_stanza_new (ctx, "x", FLINT_NS_DATA_FORM);

  xmpp_stanza_set_type (x, type);
  return x;
}

static void
add_submit_field (xmpp_stanza_t *x, FlintDataFormField *field)
{
  xmpp_stanza_t *element = flint_stanza_add_child (x, "field", NULL, NULL);

  xmpp_stanza_set_attribute (element, "var", field->var);
  add_values (element, field);
}

xmpp_stanza_t *
flint_data_form_to_submit (FlintDataForm *self, xmpp_ctx_t *ctx)
{
  xmpp_stanza_t *x;
  FlintDataFormField *form_type;

  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);

  x = new_form_element (ctx, "submit");
  /* XEP-0068: FORM_TYPE goes first. */
  form_type = flint_data_form_find_field (self, "FORM_TYPE");
  if (form_type)
    add_submit_field (x, form_type);
  for (guint i = 0; i < self->fields->len; i++)
    {
      FlintDataFormField *field = g_ptr_array_index (self->fields, i);

      if (field == form_type || field->var == NULL ||
          field->type == FLINT_DATA_FORM_FIELD_FIXED)
        continue;
      add_submit_field (x, field);
    }
  return x;
}

static void
add_full_field (xmpp_stanza_t *parent, FlintDataFormField *field)
{
  xmpp_stanza_t *element = flint_stanza_add_child (parent, "field", NULL, NULL);

  if (field->var)
    xmpp_stanza_set_attribute (element, "var", field->var);
  xmpp_stanza_set_type (element, field->type_name);
  if (field->label)
    xmpp_stanza_set_attribute (element, "label", field->label);
  if (field->desc)
    flint_stanza_add_child (element, "desc", NULL, field->desc);
  if (field->required)
    flint_stanza_add_child (element, "required", NULL, NULL);
  add_values (element, field);
  for (guint i = 0; i < field->options->len; i++)
    {
      FlintDataFormOption *option = g_ptr_array_index (field->options, i);
      xmpp_stanza_t *o = flint_stanza_add_child (element, "option", NULL, NULL);

      xmpp_stanza_set_attribute (o, "label", option->label);
      flint_stanza_add_child (o, "value", NULL, option->value);
    }
}

xmpp_stanza_t *
flint_data_form_to_stanza (FlintDataForm *self, xmpp_ctx_t *ctx)
{
  xmpp_stanza_t *x;

  g_return_val_if_fail (FLINT_IS_DATA_FORM (self), NULL);

  x = new_form_element (ctx, self->type);
  if (self->title)
    flint_stanza_add_child (x, "title", NULL, self->title);
  for (char **line = self->instructions; *line; line++)
    flint_stanza_add_child (x, "instructions", NULL, *line);
  for (guint i = 0; i < self->fields->len; i++)
    add_full_field (x, g_ptr_array_index (self->fields, i));
  return x;
}

xmpp_stanza_t *
flint_data_form_new_cancel (xmpp_ctx_t *ctx)
{
  return new_form_element (ctx, "cancel");
}

/* ---- object ------------------------------------------------------------- */

static void
flint_data_form_finalize (GObject *object)
{
  FlintDataForm *self = FLINT_DATA_FORM (object);

  g_free (self->type);
  g_free (self->title);
  g_strfreev (self->instructions);
  g_ptr_array_unref (self->fields);
  g_ptr_array_unref (self->reported);
  g_ptr_array_unref (self->items);
  G_OBJECT_CLASS (flint_data_form_parent_class)->finalize (object);
}

static void
flint_data_form_class_init (FlintDataFormClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = flint_data_form_finalize;
}

static void
flint_data_form_init (FlintDataForm *self)
{
  self->instructions = g_new0 (char *, 1);
  self->fields =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_data_form_field_unref);
  self->reported =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_data_form_field_unref);
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
}

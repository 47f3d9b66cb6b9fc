#pragma once

#include <gio/gio.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FLINT_NS_DATA_FORM "jabber:x:data"
#define FLINT_NS_DATA_VALIDATE "http://jabber.org/protocol/xdata-validate"

#define FLINT_DATA_FORM_ERROR (flint_data_form_error_quark ())

typedef enum
{
  FLINT_DATA_FORM_ERROR_MALFORMED, /* not a jabber:x:data element */
  FLINT_DATA_FORM_ERROR_REQUIRED,  /* a required field has no value */
  FLINT_DATA_FORM_ERROR_INVALID,   /* a value the field does not take */
} FlintDataFormErrorCode;

GQuark flint_data_form_error_quark (void);

/* XEP-0004 field types. A type Flint does not know is kept as
 * FLINT_DATA_FORM_FIELD_TEXT_SINGLE (flint_data_form_field_get_type_name
 * still has the original): the user can still fill it in. */
typedef enum
{
  FLINT_DATA_FORM_FIELD_TEXT_SINGLE,
  FLINT_DATA_FORM_FIELD_TEXT_PRIVATE,
  FLINT_DATA_FORM_FIELD_TEXT_MULTI,
  FLINT_DATA_FORM_FIELD_BOOLEAN,
  FLINT_DATA_FORM_FIELD_LIST_SINGLE,
  FLINT_DATA_FORM_FIELD_LIST_MULTI,
  FLINT_DATA_FORM_FIELD_JID_SINGLE,
  FLINT_DATA_FORM_FIELD_JID_MULTI,
  FLINT_DATA_FORM_FIELD_HIDDEN,
  FLINT_DATA_FORM_FIELD_FIXED,
} FlintDataFormFieldType;

/* XEP-0122 datatypes Flint checks; anything else is taken as a string. */
typedef enum
{
  FLINT_DATA_FORM_DATATYPE_STRING,
  FLINT_DATA_FORM_DATATYPE_INTEGER, /* xs:integer, xs:int, xs:long, xs:short, ... */
  FLINT_DATA_FORM_DATATYPE_DECIMAL, /* xs:decimal, xs:double, xs:float */
  FLINT_DATA_FORM_DATATYPE_BOOLEAN,
  FLINT_DATA_FORM_DATATYPE_DATE,
  FLINT_DATA_FORM_DATATYPE_DATETIME,
  FLINT_DATA_FORM_DATATYPE_TIME,
  FLINT_DATA_FORM_DATATYPE_URI,
} FlintDataFormDatatype;

typedef struct
{
  char *label; /* never NULL: the value when the form gives no label */
  char *value;
} FlintDataFormOption;

/* One field: reference counted, owned by its form. Values are edited in
 * place (flint_data_form_field_set_values) before the form is submitted. */
typedef struct _FlintDataFormField FlintDataFormField;

GType flint_data_form_field_get_type (void);
#define FLINT_TYPE_DATA_FORM_FIELD (flint_data_form_field_get_type ())

FlintDataFormField *flint_data_form_field_new (FlintDataFormFieldType type,
                                               const char *var);
FlintDataFormField *flint_data_form_field_ref (FlintDataFormField *field);
void flint_data_form_field_unref (FlintDataFormField *field);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlintDataFormField, flint_data_form_field_unref)

FlintDataFormFieldType flint_data_form_field_get_field_type (FlintDataFormField *field);
const char *flint_data_form_field_get_type_name (FlintDataFormField *field);
const char *flint_data_form_field_get_var (FlintDataFormField *field);
/* The label, or the var when the form gives none (never NULL). */
const char *flint_data_form_field_get_label (FlintDataFormField *field);
void flint_data_form_field_set_label (FlintDataFormField *field, const char *label);
const char *flint_data_form_field_get_description (FlintDataFormField *field);
gboolean flint_data_form_field_get_required (FlintDataFormField *field);
void flint_data_form_field_set_required (FlintDataFormField *field, gboolean required);
/* (element-type FlintDataFormOption) */
GPtrArray *flint_data_form_field_get_options (FlintDataFormField *field);
void flint_data_form_field_add_option (FlintDataFormField *field,
                                       const char *label,
                                       const char *value);
const char *const *flint_data_form_field_get_values (FlintDataFormField *field);
/* The first value, or NULL. */
const char *flint_data_form_field_get_value (FlintDataFormField *field);
void flint_data_form_field_set_values (FlintDataFormField *field,
                                       const char *const *values);
void flint_data_form_field_set_value (FlintDataFormField *field, const char *value);
/* "1"/"true" are TRUE (XEP-0004 §3.3), anything else FALSE. */
gboolean flint_data_form_field_get_boolean (FlintDataFormField *field);
void flint_data_form_field_set_boolean (FlintDataFormField *field, gboolean value);

/* XEP-0122 */
FlintDataFormDatatype flint_data_form_field_get_datatype (FlintDataFormField *field);
/* The range's bounds as given (NULL when there is none). */
const char *flint_data_form_field_get_range_min (FlintDataFormField *field);
const char *flint_data_form_field_get_range_max (FlintDataFormField *field);
/* A list-single that takes values outside its options ("open" method). */
gboolean flint_data_form_field_is_open (FlintDataFormField *field);

/* Checks the field's current values: required, the datatype and range,
 * the regex, JIDs for jid-* fields, that list values are among the options
 * (unless open), list-range. The error is translated text about this one
 * field, to show beside it. */
gboolean flint_data_form_field_validate (FlintDataFormField *field, GError **error);

#define FLINT_TYPE_DATA_FORM (flint_data_form_get_type ())
G_DECLARE_FINAL_TYPE (FlintDataForm, flint_data_form, FLINT, DATA_FORM, GObject)

/* An XEP-0004 data form: the "form" a service sends (room configuration,
 * ad-hoc command step, search), the "submit" the user sends back, a
 * "result" (with XEP-0004 §3.4 reported fields and items, as user search
 * answers) or "cancel". */
FlintDataForm *flint_data_form_new (const char *type);
/* Parses <x xmlns='jabber:x:data'/>. Malformed parts (fields without var,
 * unknown types, non-UTF-8 text) are skipped or kept as text: only an
 * element that is not a data form at all is an error. */
FlintDataForm *flint_data_form_parse (xmpp_stanza_t *x, GError **error);
/* The first jabber:x:data child of @parent (a <query/>, <command/>), or
 * NULL without error when it has none. */
FlintDataForm *flint_data_form_parse_child (xmpp_stanza_t *parent, GError **error);

const char *
flint_data_form_get_form_type (FlintDataForm *self); /* "form", "submit", ... */
const char *flint_data_form_get_title (FlintDataForm *self);
void flint_data_form_set_title (FlintDataForm *self, const char *title);
/* (array zero-terminated=1) each <instructions/> element. */
const char *const *flint_data_form_get_instructions (FlintDataForm *self);
/* The hidden FORM_TYPE field's value (XEP-0068), or NULL. */
const char *flint_data_form_get_namespace (FlintDataForm *self);

guint flint_data_form_get_n_fields (FlintDataForm *self);
FlintDataFormField *flint_data_form_get_field (FlintDataForm *self, guint index);
/* The first field with this var, or NULL. */
FlintDataFormField *flint_data_form_find_field (FlintDataForm *self, const char *var);
/* Appends the field (the form takes a reference). */
void flint_data_form_add_field (FlintDataForm *self, FlintDataFormField *field);

/* Result forms: the <reported/> columns and the <item/> rows. */
guint flint_data_form_get_n_reported (FlintDataForm *self);
FlintDataFormField *flint_data_form_get_reported (FlintDataForm *self, guint index);
guint flint_data_form_get_n_items (FlintDataForm *self);
/* The values of @var in item @index (never NULL: empty when absent). */
const char *const *
flint_data_form_get_item_values (FlintDataForm *self, guint index, const char *var);

/* Validates every field; on failure @out_field (if not NULL) is the first
 * field that failed (transfer none). */
gboolean flint_data_form_validate (FlintDataForm *self,
                                   FlintDataFormField **out_field,
                                   GError **error);

/* The answer to this form: <x xmlns='jabber:x:data' type='submit'/> with
 * every field that has a var except fixed ones (hidden ones included,
 * FORM_TYPE first), each with its current values (XEP-0004 §3.2). The
 * caller owns the new element. */
xmpp_stanza_t *flint_data_form_to_submit (FlintDataForm *self, xmpp_ctx_t *ctx);
/* The whole form as an element of its own type (for tests and for
 * forms Flint sends itself). */
xmpp_stanza_t *flint_data_form_to_stanza (FlintDataForm *self, xmpp_ctx_t *ctx);
/* <x xmlns='jabber:x:data' type='cancel'/> */
xmpp_stanza_t *flint_data_form_new_cancel (xmpp_ctx_t *ctx);

/* Type names, both ways; an unknown name gives TEXT_SINGLE. */
const char *flint_data_form_field_type_to_string (FlintDataFormFieldType type);
FlintDataFormFieldType flint_data_form_field_type_from_string (const char *name);

G_END_DECLS

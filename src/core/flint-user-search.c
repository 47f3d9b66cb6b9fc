/* FlintUserSearch: XEP-0055 user directory search, data-form or legacy. */
#include "config.h"

#define G_LOG_DOMAIN "flint-user-search"

#include <glib/gi18n-lib.h>

#include "flint-jid.h"
#include "flint-stanza.h"
#include "flint-user-search.h"

/* A directory cannot flood the window. */
#define MAX_RESULTS 500

typedef struct
{
  char *jid;
  char *name;
  char *details;
} Result;

struct _FlintUserSearch
{
  GObject parent_instance;

  FlintSession *session;
  char *service;
  FlintUserSearchState state;
  char *error;
  FlintDataForm *form;
  gboolean legacy;
  char *instructions;
  GPtrArray *results;
  guint serial;
};

G_DEFINE_FINAL_TYPE (FlintUserSearch, flint_user_search, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
result_free (Result *result)
{
  g_free (result->jid);
  g_free (result->name);
  g_free (result->details);
  g_free (result);
}

static void
set_state (FlintUserSearch *self, FlintUserSearchState state)
{
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
fail (FlintUserSearch *self, const GError *error, const char *fallback)
{
  g_free (self->error);
  self->error = g_strdup (error ? error->message : fallback);
  set_state (self, FLINT_USER_SEARCH_FAILED);
}

/* Labels of the legacy fields (XEP-0055 §2.1). */
static const char *
legacy_label (const char *name)
{
  if (g_str_equal (name, "first"))
    return _ ("Given Name");
  if (g_str_equal (name, "last"))
    return _ ("Family Name");
  if (g_str_equal (name, "nick"))
    return _ ("Nickname");
  if (g_str_equal (name, "email"))
    return _ ("Email");
  return name;
}

static char *
element_text (xmpp_stanza_t *element)
{
  char *text = xmpp_stanza_get_text (element);
  char *copy = text && g_utf8_validate (text, -1, NULL) ? g_strdup (text) : NULL;

  if (text)
    xmpp_free (xmpp_stanza_get_context (element), text);
  return copy;
}

typedef struct
{
  GWeakRef ref;
  guint serial;
} Request;

static Request *
request_new (FlintUserSearch *self)
{
  Request *request = g_new0 (Request, 1);

  g_weak_ref_init (&request->ref, self);
  request->serial = ++self->serial;
  return request;
}

static FlintUserSearch *
request_take (Request *request)
{
  FlintUserSearch *self = g_weak_ref_get (&request->ref);
  guint serial = request->serial;

  g_weak_ref_clear (&request->ref);
  g_free (request);
  if (self && serial != self->serial)
    g_clear_object (&self);
  return self;
}

static void
on_form (FlintSession *session, xmpp_stanza_t *result, const GError *error, gpointer data)
{
  g_autoptr (FlintUserSearch) self = request_take (data);
  xmpp_stanza_t *query;
  g_autoptr (GError) form_error = NULL;

  if (self == NULL)
    return;
  query = result && error == NULL
            ? xmpp_stanza_get_child_by_name_and_ns (result, "query", FLINT_NS_SEARCH)
            : NULL;
  if (query == NULL)
    {
      fail (self, error, _ ("This address does not offer a user directory."));
      return;
    }
  g_clear_object (&self->form);
  g_clear_pointer (&self->instructions, g_free);
  self->form = flint_data_form_parse_child (query, &form_error);
  self->legacy = self->form == NULL;
  if (self->legacy)
    {
      self->form = flint_data_form_new ("form");
      for (xmpp_stanza_t *c = xmpp_stanza_get_children (query); c;
           c = xmpp_stanza_get_next (c))
        {
          const char *name = xmpp_stanza_get_name (c);

          if (!xmpp_stanza_is_tag (c) || name == NULL ||
              !g_utf8_validate (name, -1, NULL))
            continue;
          if (g_str_equal (name, "instructions"))
            self->instructions = element_text (c);
          else if (!g_str_equal (name, "key") &&
                   flint_data_form_get_n_fields (self->form) < 50)
            {
              g_autoptr (FlintDataFormField) field =
                flint_data_form_field_new (FLINT_DATA_FORM_FIELD_TEXT_SINGLE, name);
              g_autofree char *value = element_text (c);

              flint_data_form_field_set_label (field, legacy_label (name));
              if (value && *value)
                flint_data_form_field_set_value (field, value);
              flint_data_form_add_field (self->form, field);
            }
        }
    }
  if (flint_data_form_get_n_fields (self->form) == 0)
    {
      fail (self, NULL, _ ("The directory sent an empty search form."));
      return;
    }
  set_state (self, FLINT_USER_SEARCH_READY);
}

void
flint_user_search_load_form (FlintUserSearch *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", NULL);
  xmpp_stanza_t *query = flint_stanza_new (ctx, "query", FLINT_NS_SEARCH);
  g_autofree char *id = flint_session_new_id (self->session);

  xmpp_stanza_set_id (iq, id);
  xmpp_stanza_set_to (iq, self->service);
  xmpp_stanza_add_child (iq, query);
  xmpp_stanza_release (query);
  g_clear_pointer (&self->error, g_free);
  set_state (self, FLINT_USER_SEARCH_LOADING);
  flint_session_send_iq (self->session, iq, on_form, request_new (self));
  xmpp_stanza_release (iq);
}

static void
add_result (FlintUserSearch *self, const char *jid, GPtrArray *labels, GPtrArray *values)
{
  const char *first = NULL, *last = NULL, *nick = NULL, *full = NULL;
  g_autoptr (GString) details = g_string_new (NULL);
  Result *result;

  if (jid == NULL || !flint_jid_is_valid (jid) || self->results->len >= MAX_RESULTS)
    return;
  for (guint i = 0; i + 1 < values->len; i += 2)
    {
      const char *var = g_ptr_array_index (values, i);
      const char *value = g_ptr_array_index (values, i + 1);

      if (value == NULL || *value == '\0')
        continue;
      if (g_str_equal (var, "first") || g_str_equal (var, "given"))
        first = value;
      else if (g_str_equal (var, "last") || g_str_equal (var, "family"))
        last = value;
      else if (g_str_equal (var, "nick") || g_str_equal (var, "nickname"))
        nick = value;
      else if (g_str_equal (var, "fn") || g_str_equal (var, "name"))
        full = value;
      else if (!g_str_equal (var, "jid"))
        g_string_append_printf (details, "%s%s: %s", details->len ? ", " : "",
                                (const char *) g_ptr_array_index (labels, i / 2), value);
    }
  result = g_new0 (Result, 1);
  result->jid = g_strdup (jid);
  if (first || last)
    result->name =
      g_strjoin (" ", first ? first : last, first && last ? last : NULL, NULL);
  else
    result->name = g_strdup (full ? full : nick);
  if (nick && (first || last || full))
    {
      g_autofree char *nickname = g_strdup_printf (_ ("nickname %s"), nick);

      g_string_prepend (details, details->len ? ", " : "");
      g_string_prepend (details, nickname);
    }
  result->details = g_string_free (g_steal_pointer (&details), FALSE);
  g_ptr_array_add (self->results, result);
}

gboolean
flint_user_search_parse_results (FlintUserSearch *self, xmpp_stanza_t *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintDataForm) form = NULL;

  g_ptr_array_set_size (self->results, 0);
  form = flint_data_form_parse_child (query, &error);
  if (error)
    return FALSE;
  if (form)
    {
      for (guint i = 0; i < flint_data_form_get_n_items (form); i++)
        {
          g_autoptr (GPtrArray) labels = g_ptr_array_new ();
          g_autoptr (GPtrArray) values = g_ptr_array_new ();
          const char *const *jid = flint_data_form_get_item_values (form, i, "jid");

          for (guint r = 0; r < flint_data_form_get_n_reported (form); r++)
            {
              FlintDataFormField *column = flint_data_form_get_reported (form, r);
              const char *var = flint_data_form_field_get_var (column);
              const char *const *v;

              if (var == NULL)
                continue;
              v = flint_data_form_get_item_values (form, i, var);
              g_ptr_array_add (labels,
                               (gpointer) flint_data_form_field_get_label (column));
              g_ptr_array_add (values, (gpointer) var);
              g_ptr_array_add (values, (gpointer) (v[0] ? v[0] : NULL));
            }
          add_result (self, jid[0], labels, values);
        }
      return TRUE;
    }
  for (xmpp_stanza_t *item = xmpp_stanza_get_children (query); item;
       item = xmpp_stanza_get_next (item))
    {
      g_autoptr (GPtrArray) labels = g_ptr_array_new ();
      g_autoptr (GPtrArray) values = g_ptr_array_new ();
      g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
      const char *jid;

      if (!xmpp_stanza_is_tag (item) ||
          g_strcmp0 (xmpp_stanza_get_name (item), "item") != 0)
        continue;
      jid = xmpp_stanza_get_attribute (item, "jid");
      for (xmpp_stanza_t *c = xmpp_stanza_get_children (item); c;
           c = xmpp_stanza_get_next (c))
        {
          const char *name = xmpp_stanza_get_name (c);
          char *text;

          if (!xmpp_stanza_is_tag (c) || name == NULL ||
              !g_utf8_validate (name, -1, NULL))
            continue;
          text = element_text (c);
          g_ptr_array_add (texts, text);
          g_ptr_array_add (labels, (gpointer) legacy_label (name));
          g_ptr_array_add (values, (gpointer) name);
          g_ptr_array_add (values, text);
        }
      add_result (self, jid, labels, values);
    }
  return TRUE;
}

static void
on_results (FlintSession *session,
            xmpp_stanza_t *result,
            const GError *error,
            gpointer data)
{
  g_autoptr (FlintUserSearch) self = request_take (data);
  xmpp_stanza_t *query;

  if (self == NULL)
    return;
  query = result && error == NULL
            ? xmpp_stanza_get_child_by_name_and_ns (result, "query", FLINT_NS_SEARCH)
            : NULL;
  if (query == NULL || !flint_user_search_parse_results (self, query))
    {
      fail (self, error, _ ("The directory did not send results. Try again later."));
      return;
    }
  set_state (self, FLINT_USER_SEARCH_DONE);
}

void
flint_user_search_search (FlintUserSearch *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *iq, *query;
  g_autofree char *id = NULL;

  g_return_if_fail (FLINT_IS_USER_SEARCH (self));
  g_return_if_fail (self->form != NULL);

  iq = xmpp_iq_new (ctx, "set", NULL);
  query = flint_stanza_new (ctx, "query", FLINT_NS_SEARCH);
  id = flint_session_new_id (self->session);
  xmpp_stanza_set_id (iq, id);
  xmpp_stanza_set_to (iq, self->service);
  if (self->legacy)
    {
      for (guint i = 0; i < flint_data_form_get_n_fields (self->form); i++)
        {
          FlintDataFormField *field = flint_data_form_get_field (self->form, i);
          const char *value = flint_data_form_field_get_value (field);

          if (value && *value)
            flint_stanza_add_child (query, flint_data_form_field_get_var (field), NULL,
                                    value);
        }
    }
  else
    {
      xmpp_stanza_t *x = flint_data_form_to_submit (self->form, ctx);

      xmpp_stanza_add_child (query, x);
      xmpp_stanza_release (x);
    }
  xmpp_stanza_add_child (iq, query);
  xmpp_stanza_release (query);
  g_clear_pointer (&self->error, g_free);
  set_state (self, FLINT_USER_SEARCH_SEARCHING);
  flint_session_send_iq (self->session, iq, on_results, request_new (self));
  xmpp_stanza_release (iq);
}

const char *
flint_user_search_get_service (FlintUserSearch *self)
{
  return self->service;
}

FlintUserSearchState
flint_user_search_get_state (FlintUserSearch *self)
{
  return self->state;
}

const char *
flint_user_search_get_error (FlintUserSearch *self)
{
  return self->error;
}

FlintDataForm *
flint_user_search_get_form (FlintUserSearch *self)
{
  return self->form;
}

gboolean
flint_user_search_is_legacy (FlintUserSearch *self)
{
  return self->legacy;
}

const char *
flint_user_search_get_instructions (FlintUserSearch *self)
{
  return self->instructions;
}

guint
flint_user_search_get_n_results (FlintUserSearch *self)
{
  return self->results->len;
}

static Result *
get_result (FlintUserSearch *self, guint index)
{
  g_return_val_if_fail (index < self->results->len, NULL);
  return g_ptr_array_index (self->results, index);
}

const char *
flint_user_search_get_result_jid (FlintUserSearch *self, guint index)
{
  Result *result = get_result (self, index);

  return result ? result->jid : NULL;
}

const char *
flint_user_search_get_result_name (FlintUserSearch *self, guint index)
{
  Result *result = get_result (self, index);

  return result ? result->name : NULL;
}

const char *
flint_user_search_get_result_details (FlintUserSearch *self, guint index)
{
  Result *result = get_result (self, index);

  return result ? result->details : NULL;
}

static void
flint_user_search_get_property (GObject *object,
                                guint prop_id,
                                GValue *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_int (value, FLINT_USER_SEARCH (object)->state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_user_search_finalize (GObject *object)
{
  FlintUserSearch *self = FLINT_USER_SEARCH (object);

  g_clear_object (&self->session);
  g_clear_object (&self->form);
  g_free (self->service);
  g_free (self->error);
  g_free (self->instructions);
  g_ptr_array_unref (self->results);
  G_OBJECT_CLASS (flint_user_search_parent_class)->finalize (object);
}

static void
flint_user_search_class_init (FlintUserSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = flint_user_search_finalize;
  object_class->get_property = flint_user_search_get_property;
  properties[PROP_STATE] = g_param_spec_int (
    "state", NULL, NULL, 0, FLINT_USER_SEARCH_FAILED, 0,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_user_search_init (FlintUserSearch *self)
{
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) result_free);
}

FlintUserSearch *
flint_user_search_new (FlintSession *session, const char *service)
{
  FlintUserSearch *self;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);

  self = g_object_new (FLINT_TYPE_USER_SEARCH, NULL);
  self->session = g_object_ref (session);
  self->service = g_strdup (service);
  return self;
}

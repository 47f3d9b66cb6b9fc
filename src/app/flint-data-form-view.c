#include "config.h"

#define G_LOG_DOMAIN "flint-data-form-view"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-data-form-view.h"

/* A fixed field up to this long reads as a section title; longer ones are
 * an explanation under it. */
#define SECTION_TITLE_MAX 60

typedef struct
{
  FlintDataFormView *view;
  FlintDataFormField *field;
  GtkWidget *row;       /* what the user sees and edits */
  GtkWidget *error_row; /* hidden until the field has an error */
  GtkWidget *input;     /* the widget that takes the focus */
  GtkTextBuffer *buffer;
  GPtrArray *checks;  /* list-multi: a GtkCheckButton per option */
  gboolean has_blank; /* list-single: item 0 means "no value" */
  GPtrArray *choices; /* list-single: the value of each drop-down item */
} Binding;

struct _FlintDataFormView
{
  AdwBin parent_instance;

  FlintDataForm *form;
  GPtrArray *bindings; /* Binding, in field order */
  gboolean show_title;
  gboolean loading; /* filling widgets: their signals are not user edits */

  GtkLabel *title_label;
  GtkLabel *instructions_label;
  GtkBox *groups_box;
};

G_DEFINE_FINAL_TYPE (FlintDataFormView, flint_data_form_view, ADW_TYPE_BIN)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
binding_free (Binding *b)
{
  flint_data_form_field_unref (b->field);
  g_clear_pointer (&b->checks, g_ptr_array_unref);
  g_clear_pointer (&b->choices, g_ptr_array_unref);
  g_free (b);
}

/* ---- errors ------------------------------------------------------------- */

static void
set_error (Binding *b, const char *message)
{
  if (b->error_row == NULL)
    return;
  if (message)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (b->error_row), message);
      gtk_widget_add_css_class (b->row, "error");
    }
  else
    gtk_widget_remove_css_class (b->row, "error");
  gtk_widget_set_visible (b->error_row, message != NULL);
}

static void
edited (Binding *b)
{
  if (b->view->loading)
    return;
  set_error (b, NULL);
  g_signal_emit (b->view, signals[SIGNAL_CHANGED], 0);
}

static void
on_edited (GObject *object, GParamSpec *pspec, Binding *b)
{
  edited (b);
}

static void
on_edited_plain (gpointer object, Binding *b)
{
  edited (b);
}

/* ---- building rows ------------------------------------------------------ */

static AdwPreferencesGroup *
new_group (FlintDataFormView *self, const char *title, const char *description)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  if (title)
    adw_preferences_group_set_title (group, title);
  if (description)
    adw_preferences_group_set_description (group, description);
  gtk_box_append (self->groups_box, GTK_WIDGET (group));
  return group;
}

static void
describe_row (Binding *b)
{
  const char *desc = flint_data_form_field_get_description (b->field);
  const char *label = flint_data_form_field_get_label (b->field);

  /* Long labels are cut in entry rows: the tooltip has them whole. */
  if (desc && *desc)
    {
      g_autofree char *tip = g_strdup_printf ("%s\n%s", label, desc);
      gtk_widget_set_tooltip_text (b->row, tip);
    }
  else
    gtk_widget_set_tooltip_text (b->row, label);
}

static char *
row_title (FlintDataFormField *field)
{
  const char *label = flint_data_form_field_get_label (field);

  if (flint_data_form_field_get_required (field) &&
      flint_data_form_field_get_field_type (field) != FLINT_DATA_FORM_FIELD_BOOLEAN)
    /* TRANSLATORS: the label of a field that must be filled in */
    return g_strdup_printf (_ ("%s (required)"), label);
  return g_strdup (label);
}

static char *
join_values (FlintDataFormField *field)
{
  return g_strjoinv ("\n", (char **) flint_data_form_field_get_values (field));
}

static void
build_entry (Binding *b)
{
  g_autofree char *title = row_title (b->field);
  const char *value = flint_data_form_field_get_value (b->field);
  gboolean private =
    flint_data_form_field_get_field_type (b->field) == FLINT_DATA_FORM_FIELD_TEXT_PRIVATE;

  b->row = private ? adw_password_entry_row_new () : adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (b->row), title);
  gtk_editable_set_text (GTK_EDITABLE (b->row), value ? value : "");
  if (flint_data_form_field_get_field_type (b->field) == FLINT_DATA_FORM_FIELD_JID_SINGLE)
    adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (b->row), GTK_INPUT_PURPOSE_EMAIL);
  else if (flint_data_form_field_get_datatype (b->field) ==
           FLINT_DATA_FORM_DATATYPE_INTEGER)
    adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (b->row), GTK_INPUT_PURPOSE_NUMBER);
  b->input = b->row;
  g_signal_connect (b->row, "changed", G_CALLBACK (on_edited_plain), b);
}

static void
build_text_area (Binding *b)
{
  g_autofree char *title = row_title (b->field);
  g_autofree char *text = join_values (b->field);
  const char *desc = flint_data_form_field_get_description (b->field);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *view = gtk_text_view_new ();

  b->row = adw_preferences_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (b->row), title);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (b->row), FALSE);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  if (flint_data_form_field_get_field_type (b->field) == FLINT_DATA_FORM_FIELD_JID_MULTI)
    {
      GtkWidget *hint = gtk_label_new (_ ("One address per line"));

      gtk_label_set_xalign (GTK_LABEL (hint), 0);
      gtk_widget_add_css_class (hint, "caption");
      gtk_widget_add_css_class (hint, "dim-label");
      desc = NULL;
      gtk_box_append (GTK_BOX (box), hint);
    }
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_widget_set_size_request (view, -1, 60);
  gtk_widget_add_css_class (view, "flint-form-text");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title, -1);
  gtk_box_append (GTK_BOX (box), view);
  if (desc && *desc)
    {
      GtkWidget *hint = gtk_label_new (desc);

      gtk_label_set_xalign (GTK_LABEL (hint), 0);
      gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
      gtk_widget_add_css_class (hint, "caption");
      gtk_widget_add_css_class (hint, "dim-label");
      gtk_box_append (GTK_BOX (box), hint);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (b->row), box);
  b->buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_buffer_set_text (b->buffer, text, -1);
  b->input = view;
  g_signal_connect (b->buffer, "changed", G_CALLBACK (on_edited_plain), b);
}

static void
build_switch (Binding *b)
{
  GtkWidget *sw = gtk_switch_new ();
  const char *desc = flint_data_form_field_get_description (b->field);

  b->row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (b->row),
                                 flint_data_form_field_get_label (b->field));
  if (desc)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (b->row), desc);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (sw), flint_data_form_field_get_boolean (b->field));
  adw_action_row_add_suffix (ADW_ACTION_ROW (b->row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (b->row), sw);
  b->input = sw;
  g_signal_connect (sw, "notify::active", G_CALLBACK (on_edited), b);
}

static void
build_combo (Binding *b)
{
  GPtrArray *options = flint_data_form_field_get_options (b->field);
  const char *value = flint_data_form_field_get_value (b->field);
  const char *desc = flint_data_form_field_get_description (b->field);
  g_autofree char *title = row_title (b->field);
  GtkStringList *labels = gtk_string_list_new (NULL);
  guint selected = 0;

  b->choices = g_ptr_array_new_with_free_func (g_free);
  /* No value yet: a blank first item, so nothing is chosen for the user. */
  b->has_blank = value == NULL || *value == '\0';
  if (b->has_blank)
    {
      gtk_string_list_append (labels, flint_data_form_field_get_required (b->field)
                                        ? _ ("Choose…")
                                        : _ ("None"));
      g_ptr_array_add (b->choices, g_strdup (""));
    }
  for (guint i = 0; i < options->len; i++)
    {
      FlintDataFormOption *option = g_ptr_array_index (options, i);

      if (!b->has_blank && g_strcmp0 (option->value, value) == 0)
        selected = b->choices->len;
      gtk_string_list_append (labels, option->label);
      g_ptr_array_add (b->choices, g_strdup (option->value));
    }
  /* A value the options do not offer (an open list, an odd service) is
   * still what the room has now: keep it choosable. */
  if (!b->has_blank && selected == 0 &&
      (b->choices->len == 0 || g_strcmp0 (b->choices->pdata[0], value) != 0))
    {
      selected = b->choices->len;
      gtk_string_list_append (labels, value);
      g_ptr_array_add (b->choices, g_strdup (value));
    }

  b->row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (b->row), title);
  if (desc)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (b->row), desc);
  adw_combo_row_set_model (ADW_COMBO_ROW (b->row), G_LIST_MODEL (labels));
  adw_combo_row_set_selected (ADW_COMBO_ROW (b->row), selected);
  g_object_unref (labels);
  b->input = b->row;
  g_signal_connect (b->row, "notify::selected", G_CALLBACK (on_edited), b);
}

static void
build_checks (Binding *b)
{
  GPtrArray *options = flint_data_form_field_get_options (b->field);
  const char *const *values = flint_data_form_field_get_values (b->field);
  const char *desc = flint_data_form_field_get_description (b->field);
  g_autofree char *title = row_title (b->field);

  b->row = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (b->row), title);
  if (desc)
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (b->row), desc);
  b->checks = g_ptr_array_new ();
  for (guint i = 0; i < options->len; i++)
    {
      FlintDataFormOption *option = g_ptr_array_index (options, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), option->label);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   g_strv_contains (values, option->value));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (b->row), row);
      g_ptr_array_add (b->checks, check);
      g_signal_connect (check, "toggled", G_CALLBACK (on_edited_plain), b);
    }
  /* Few options: show them at once. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (b->row), options->len <= 5);
  b->input = b->row;
}

static void
clear (FlintDataFormView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box))))
    gtk_box_remove (self->groups_box, child);
  g_ptr_array_set_size (self->bindings, 0);
}

static void
build (FlintDataFormView *self)
{
  AdwPreferencesGroup *group = NULL;
  guint group_rows = 0;
  const char *title;
  const char *const *instructions;
  g_autofree char *joined = NULL;

  clear (self);
  if (self->form == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->title_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->instructions_label), FALSE);
      return;
    }
  self->loading = TRUE;
  title = flint_data_form_get_title (self->form);
  gtk_label_set_text (self->title_label, title ? title : "");
  gtk_widget_set_visible (GTK_WIDGET (self->title_label),
                          self->show_title && title && *title);
  instructions = flint_data_form_get_instructions (self->form);
  joined = g_strjoinv ("\n", (char **) instructions);
  gtk_label_set_text (self->instructions_label, joined);
  gtk_widget_set_visible (GTK_WIDGET (self->instructions_label), *joined != '\0');

  for (guint i = 0; i < flint_data_form_get_n_fields (self->form); i++)
    {
      FlintDataFormField *field = flint_data_form_get_field (self->form, i);
      Binding *b;

      switch (flint_data_form_field_get_field_type (field))
        {
          case FLINT_DATA_FORM_FIELD_HIDDEN:
            continue;
          case FLINT_DATA_FORM_FIELD_FIXED:
            {
              g_autofree char *text = join_values (field);

              if (*text == '\0')
                continue;
              if (g_utf8_strlen (text, -1) <= SECTION_TITLE_MAX && !strchr (text, '\n'))
                group = new_group (self, text, NULL);
              else if (group && group_rows == 0 &&
                       adw_preferences_group_get_description (group) == NULL)
                /* A section title and then its explanation. */
                adw_preferences_group_set_description (group, text);
              else
                group = new_group (self, NULL, text);
              group_rows = 0;
            }
            continue;
          default:
            break;
        }
      if (group == NULL)
        group = new_group (self, NULL, NULL);

      b = g_new0 (Binding, 1);
      b->view = self;
      b->field = flint_data_form_field_ref (field);
      switch (flint_data_form_field_get_field_type (field))
        {
          case FLINT_DATA_FORM_FIELD_TEXT_MULTI:
          case FLINT_DATA_FORM_FIELD_JID_MULTI:
            build_text_area (b);
            break;
          case FLINT_DATA_FORM_FIELD_BOOLEAN:
            build_switch (b);
            break;
          case FLINT_DATA_FORM_FIELD_LIST_SINGLE:
            build_combo (b);
            break;
          case FLINT_DATA_FORM_FIELD_LIST_MULTI:
            build_checks (b);
            break;
          default:
            build_entry (b);
            break;
        }
      describe_row (b);
      adw_preferences_group_add (group, b->row);
      group_rows++;

      b->error_row = adw_action_row_new ();
      adw_action_row_set_icon_name (ADW_ACTION_ROW (b->error_row),
                                    "dialog-error-symbolic");
      adw_action_row_set_title_lines (ADW_ACTION_ROW (b->error_row), 0);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (b->error_row), FALSE);
      gtk_widget_add_css_class (b->error_row, "flint-form-error");
      gtk_widget_set_visible (b->error_row, FALSE);
      adw_preferences_group_add (group, b->error_row);
      g_ptr_array_add (self->bindings, b);
    }
  self->loading = FALSE;
}

/* ---- reading back ------------------------------------------------------- */

static GStrv
split_lines (const char *text, gboolean strip)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *out = g_ptr_array_new ();

  for (char **l = lines; *l; l++)
    {
      char *line = strip ? g_strstrip (g_strdup (*l)) : g_strdup (*l);

      if (strip && *line == '\0')
        {
          g_free (line);
          continue;
        }
      g_ptr_array_add (out, line);
    }
  /* A trailing newline is not an empty last value. */
  if (!strip && out->len > 0 && *(char *) out->pdata[out->len - 1] == '\0')
    g_free (g_ptr_array_steal_index (out, out->len - 1));
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (out, FALSE);
}

static void
read_binding (Binding *b)
{
  FlintDataFormField *field = b->field;

  switch (flint_data_form_field_get_field_type (field))
    {
      case FLINT_DATA_FORM_FIELD_TEXT_MULTI:
      case FLINT_DATA_FORM_FIELD_JID_MULTI:
        {
          GtkTextIter start, end;
          g_autofree char *text = NULL;
          g_auto (GStrv) values = NULL;

          gtk_text_buffer_get_bounds (b->buffer, &start, &end);
          text = gtk_text_buffer_get_text (b->buffer, &start, &end, FALSE);
          values = split_lines (text, flint_data_form_field_get_field_type (field) ==
                                        FLINT_DATA_FORM_FIELD_JID_MULTI);
          flint_data_form_field_set_values (field, (const char *const *) values);
        }
        break;
      case FLINT_DATA_FORM_FIELD_BOOLEAN:
        flint_data_form_field_set_boolean (field,
                                           gtk_switch_get_active (GTK_SWITCH (b->input)));
        break;
      case FLINT_DATA_FORM_FIELD_LIST_SINGLE:
        {
          guint i = adw_combo_row_get_selected (ADW_COMBO_ROW (b->row));
          const char *value = i < b->choices->len ? b->choices->pdata[i] : "";

          if (*value == '\0')
            flint_data_form_field_set_values (field, NULL);
          else
            flint_data_form_field_set_value (field, value);
        }
        break;
      case FLINT_DATA_FORM_FIELD_LIST_MULTI:
        {
          GPtrArray *options = flint_data_form_field_get_options (field);
          g_autoptr (GPtrArray) values = g_ptr_array_new ();

          for (guint i = 0; i < b->checks->len; i++)
            if (gtk_check_button_get_active (b->checks->pdata[i]))
              g_ptr_array_add (values,
                               ((FlintDataFormOption *) options->pdata[i])->value);
          g_ptr_array_add (values, NULL);
          flint_data_form_field_set_values (field, (const char *const *) values->pdata);
        }
        break;
      default:
        {
          const char *text = gtk_editable_get_text (GTK_EDITABLE (b->row));
          g_autofree char *value = NULL;

          /* Spaces around an address or a number are never meant. */
          if (flint_data_form_field_get_field_type (field) ==
                FLINT_DATA_FORM_FIELD_JID_SINGLE ||
              flint_data_form_field_get_datatype (field) !=
                FLINT_DATA_FORM_DATATYPE_STRING)
            value = g_strstrip (g_strdup (text));
          else
            value = g_strdup (text);
          flint_data_form_field_set_value (field, value);
        }
        break;
    }
}

gboolean
flint_data_form_view_apply (FlintDataFormView *self)
{
  Binding *first = NULL;

  g_return_val_if_fail (FLINT_IS_DATA_FORM_VIEW (self), FALSE);

  if (self->form == NULL)
    return FALSE;
  for (guint i = 0; i < self->bindings->len; i++)
    {
      Binding *b = g_ptr_array_index (self->bindings, i);
      g_autoptr (GError) error = NULL;

      read_binding (b);
      if (!flint_data_form_field_validate (b->field, &error))
        {
          set_error (b, error->message);
          if (first == NULL)
            first = b;
        }
      else
        set_error (b, NULL);
    }
  if (first)
    {
      if (ADW_IS_EXPANDER_ROW (first->row))
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (first->row), TRUE);
      gtk_widget_grab_focus (first->input);
      return FALSE;
    }
  /* Hidden fields (and anything not shown) go back as they came. */
  return flint_data_form_validate (self->form, NULL, NULL);
}

xmpp_stanza_t *
flint_data_form_view_build_submit (FlintDataFormView *self, xmpp_ctx_t *ctx)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM_VIEW (self), NULL);

  if (!flint_data_form_view_apply (self))
    return NULL;
  return flint_data_form_to_submit (self->form, ctx);
}

/* ---- tests -------------------------------------------------------------- */

static Binding *
find_binding (FlintDataFormView *self, const char *var)
{
  for (guint i = 0; var && i < self->bindings->len; i++)
    {
      Binding *b = g_ptr_array_index (self->bindings, i);

      if (g_strcmp0 (flint_data_form_field_get_var (b->field), var) == 0)
        return b;
    }
  return NULL;
}

gboolean
flint_data_form_view_set_text (FlintDataFormView *self,
                               const char *var,
                               const char *value)
{
  Binding *b = find_binding (self, var);

  if (b == NULL)
    return FALSE;
  value = value ? value : "";
  switch (flint_data_form_field_get_field_type (b->field))
    {
      case FLINT_DATA_FORM_FIELD_TEXT_MULTI:
      case FLINT_DATA_FORM_FIELD_JID_MULTI:
        gtk_text_buffer_set_text (b->buffer, value, -1);
        break;
      case FLINT_DATA_FORM_FIELD_BOOLEAN:
        gtk_switch_set_active (GTK_SWITCH (b->input),
                               g_str_equal (value, "1") || g_str_equal (value, "true"));
        break;
      case FLINT_DATA_FORM_FIELD_LIST_SINGLE:
        for (guint i = 0; i < b->choices->len; i++)
          if (g_str_equal (b->choices->pdata[i], value))
            {
              adw_combo_row_set_selected (ADW_COMBO_ROW (b->row), i);
              return TRUE;
            }
        return FALSE;
      case FLINT_DATA_FORM_FIELD_LIST_MULTI:
        {
          g_auto (GStrv) values = g_strsplit (value, "\n", -1);
          GPtrArray *options = flint_data_form_field_get_options (b->field);

          for (guint i = 0; i < b->checks->len; i++)
            gtk_check_button_set_active (
              b->checks->pdata[i],
              g_strv_contains ((const char *const *) values,
                               ((FlintDataFormOption *) options->pdata[i])->value));
        }
        break;
      default:
        gtk_editable_set_text (GTK_EDITABLE (b->row), value);
        break;
    }
  return TRUE;
}

char *
flint_data_form_view_describe_errors (FlintDataFormView *self)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < self->bindings->len; i++)
    {
      Binding *b = g_ptr_array_index (self->bindings, i);

      if (gtk_widget_get_visible (b->error_row))
        g_string_append_printf (
          out, "%s%s: %s", out->len ? "\n" : "", flint_data_form_field_get_var (b->field),
          adw_preferences_row_get_title (ADW_PREFERENCES_ROW (b->error_row)));
    }
  return g_string_free (out, FALSE);
}

/* ---- object ------------------------------------------------------------- */

FlintDataFormView *
flint_data_form_view_new (FlintDataForm *form)
{
  FlintDataFormView *self = g_object_new (FLINT_TYPE_DATA_FORM_VIEW, NULL);

  flint_data_form_view_set_form (self, form);
  return self;
}

void
flint_data_form_view_set_form (FlintDataFormView *self, FlintDataForm *form)
{
  g_return_if_fail (FLINT_IS_DATA_FORM_VIEW (self));

  g_set_object (&self->form, form);
  build (self);
}

FlintDataForm *
flint_data_form_view_get_form (FlintDataFormView *self)
{
  g_return_val_if_fail (FLINT_IS_DATA_FORM_VIEW (self), NULL);
  return self->form;
}

void
flint_data_form_view_set_show_title (FlintDataFormView *self, gboolean show)
{
  const char *title;

  g_return_if_fail (FLINT_IS_DATA_FORM_VIEW (self));
  self->show_title = show;
  title = self->form ? flint_data_form_get_title (self->form) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->title_label), show && title && *title);
}

static void
flint_data_form_view_dispose (GObject *object)
{
  FlintDataFormView *self = FLINT_DATA_FORM_VIEW (object);

  /* Rows first: their signals point at the bindings. AdwBin unparents
   * its child itself (flint_widget_dispose_template would do it twice). */
  clear (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_DATA_FORM_VIEW);
  g_ptr_array_set_size (self->bindings, 0);
  g_clear_object (&self->form);
  G_OBJECT_CLASS (flint_data_form_view_parent_class)->dispose (object);
}

static void
flint_data_form_view_finalize (GObject *object)
{
  FlintDataFormView *self = FLINT_DATA_FORM_VIEW (object);

  g_ptr_array_unref (self->bindings);
  G_OBJECT_CLASS (flint_data_form_view_parent_class)->finalize (object);
}

static void
flint_data_form_view_class_init (FlintDataFormViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_data_form_view_dispose;
  object_class->finalize = flint_data_form_view_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-data-form-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintDataFormView, title_label);
  gtk_widget_class_bind_template_child (widget_class, FlintDataFormView,
                                        instructions_label);
  gtk_widget_class_bind_template_child (widget_class, FlintDataFormView, groups_box);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
flint_data_form_view_init (FlintDataFormView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->show_title = TRUE;
  self->bindings = g_ptr_array_new_with_free_func ((GDestroyNotify) binding_free);
}

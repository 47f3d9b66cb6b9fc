/* FlintCommandWindow: one ad-hoc command run, stage by stage. */
#include "config.h"

#define G_LOG_DOMAIN "flint-command-window"

#include <glib/gi18n.h>

#include "flint-command-window.h"
#include "flint-data-form-view.h"
#include "flint-json.h"

struct _FlintCommandWindow
{
  AdwWindow parent_instance;

  FlintAdhocCommand *command;
  FlintDataFormView *view;

  AdwWindowTitle *window_title;
  GtkWidget *cancel_button;
  GtkWidget *prev_button;
  GtkWidget *next_button;
  GtkWidget *complete_button;
  GtkWidget *close_button;
  GtkWidget *notes_box;
  GtkStack *stack;
  GtkSpinner *spinner;
  AdwBin *form_bin;
  AdwStatusPage *done_page;
};

G_DEFINE_FINAL_TYPE (FlintCommandWindow, flint_command_window, ADW_TYPE_WINDOW)

static void
show_notes (FlintCommandWindow *self, const char *error)
{
  const char *const *notes = flint_adhoc_command_get_notes (self->command);
  const char *const *types = flint_adhoc_command_get_note_types (self->command);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->notes_box)))
    gtk_box_remove (GTK_BOX (self->notes_box), child);
  for (guint i = 0; notes[i]; i++)
    {
      GtkWidget *label = gtk_label_new (notes[i]);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      if (g_strcmp0 (types[i], "error") == 0)
        gtk_widget_add_css_class (label, "error");
      else if (g_strcmp0 (types[i], "warn") == 0)
        gtk_widget_add_css_class (label, "warning");
      gtk_box_append (GTK_BOX (self->notes_box), label);
    }
  if (error)
    {
      GtkWidget *label = gtk_label_new (error);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "error");
      gtk_box_append (GTK_BOX (self->notes_box), label);
    }
  gtk_widget_set_visible (self->notes_box, notes[0] != NULL || error != NULL);
}

static void
update (FlintCommandWindow *self)
{
  FlintAdhocState state = flint_adhoc_command_get_state (self->command);
  FlintAdhocActions actions = flint_adhoc_command_get_actions (self->command);
  FlintDataForm *form = flint_adhoc_command_get_form (self->command);
  gboolean executing = state == FLINT_ADHOC_EXECUTING;
  gboolean finished = state == FLINT_ADHOC_COMPLETED || state == FLINT_ADHOC_CANCELED ||
                      state == FLINT_ADHOC_FAILED;

  gtk_spinner_set_spinning (self->spinner, state == FLINT_ADHOC_WAITING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "command.prev",
                                 executing && (actions & FLINT_ADHOC_ACTION_PREV));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "command.next",
                                 executing && (actions & FLINT_ADHOC_ACTION_NEXT));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "command.complete",
                                 executing && (actions & FLINT_ADHOC_ACTION_COMPLETE));
  gtk_widget_set_visible (self->prev_button,
                          !finished && (actions & FLINT_ADHOC_ACTION_PREV));
  gtk_widget_set_visible (self->next_button,
                          !finished && (actions & FLINT_ADHOC_ACTION_NEXT));
  gtk_widget_set_visible (
    self->complete_button,
    !finished && (actions & FLINT_ADHOC_ACTION_COMPLETE || state == FLINT_ADHOC_WAITING));
  gtk_widget_set_visible (self->cancel_button, !finished);
  gtk_widget_set_visible (self->close_button, finished);
  show_notes (self, state == FLINT_ADHOC_FAILED
                      ? flint_adhoc_command_get_error (self->command)
                      : NULL);

  if (state == FLINT_ADHOC_WAITING || state == FLINT_ADHOC_IDLE)
    {
      gtk_stack_set_visible_child_name (self->stack, "waiting");
      return;
    }
  if (form && flint_data_form_get_n_fields (form) > 0)
    {
      /* A completed command's result form is shown as it came. */
      flint_data_form_view_set_form (self->view, form);
      gtk_stack_set_visible_child_name (self->stack, "form");
      return;
    }
  adw_status_page_set_title (self->done_page, state == FLINT_ADHOC_COMPLETED ? _ ("Done")
                                              : state == FLINT_ADHOC_CANCELED
                                                ? _ ("Canceled")
                                                : _ ("The Command Failed"));
  adw_status_page_set_icon_name (self->done_page, state == FLINT_ADHOC_FAILED
                                                    ? "dialog-error-symbolic"
                                                    : "emblem-ok-symbolic");
  gtk_stack_set_visible_child_name (self->stack, finished ? "done" : "form");
}

static void
on_state (FlintAdhocCommand *command, GParamSpec *pspec, FlintCommandWindow *self)
{
  update (self);
}

static FlintDataForm *
filled_form (FlintCommandWindow *self, gboolean *ok)
{
  FlintDataForm *form = flint_adhoc_command_get_form (self->command);

  *ok = TRUE;
  if (form == NULL || flint_data_form_view_get_form (self->view) != form)
    return NULL;
  /* Errors are shown beside the fields; nothing is sent then. */
  *ok = flint_data_form_view_apply (self->view);
  return form;
}

static void
next_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  FlintCommandWindow *self = FLINT_COMMAND_WINDOW (widget);
  gboolean ok;
  FlintDataForm *form = filled_form (self, &ok);

  if (ok)
    flint_adhoc_command_next (self->command, form);
}

static void
complete_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  FlintCommandWindow *self = FLINT_COMMAND_WINDOW (widget);
  gboolean ok;
  FlintDataForm *form = filled_form (self, &ok);

  if (ok)
    flint_adhoc_command_complete (self->command, form);
}

static void
prev_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  flint_adhoc_command_prev (FLINT_COMMAND_WINDOW (widget)->command);
}

static void
cancel_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  FlintCommandWindow *self = FLINT_COMMAND_WINDOW (widget);
  FlintAdhocState state = flint_adhoc_command_get_state (self->command);

  if (state == FLINT_ADHOC_EXECUTING || state == FLINT_ADHOC_WAITING)
    flint_adhoc_command_cancel (self->command);
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
on_close_request (GtkWindow *window)
{
  FlintCommandWindow *self = FLINT_COMMAND_WINDOW (window);
  FlintAdhocState state = flint_adhoc_command_get_state (self->command);

  /* Closed mid-way: the service can drop its session. */
  if (state == FLINT_ADHOC_EXECUTING)
    flint_adhoc_command_cancel (self->command);
  return FALSE;
}

FlintAdhocCommand *
flint_command_window_get_command (FlintCommandWindow *self)
{
  return self->command;
}

gboolean
flint_command_window_set_text (FlintCommandWindow *self,
                               const char *var,
                               const char *value)
{
  return flint_data_form_view_set_text (self->view, var, value);
}

void
flint_command_window_describe_json (FlintCommandWindow *self, GString *out)
{
  FlintDataForm *form = flint_adhoc_command_get_form (self->command);
  const char *const *notes = flint_adhoc_command_get_notes (self->command);
  g_autofree char *errors = flint_data_form_view_describe_errors (self->view);

  g_string_append_printf (
    out, "{\"state\": %d, \"page\": ", flint_adhoc_command_get_state (self->command));
  flint_json_append_string (out, gtk_stack_get_visible_child_name (self->stack));
  g_string_append (out, ", \"title\": ");
  flint_json_append_string (out, adw_window_title_get_title (self->window_title));
  g_string_append (out, ", \"form_title\": ");
  flint_json_append_string (out, form ? flint_data_form_get_title (form) : NULL);
  g_string_append (out, ", \"fields\": [");
  for (guint i = 0; form && i < flint_data_form_get_n_fields (form); i++)
    {
      FlintDataFormField *field = flint_data_form_get_field (form, i);
      g_autofree char *values =
        g_strjoinv (",", (char **) flint_data_form_field_get_values (field));
      g_autofree char *d = g_strdup_printf (
        "%s|%s|%s|%s",
        flint_data_form_field_get_var (field) ? flint_data_form_field_get_var (field)
                                              : "",
        flint_data_form_field_get_type_name (field),
        flint_data_form_field_get_label (field), values);

      if (i)
        g_string_append (out, ", ");
      flint_json_append_string (out, d);
    }
  g_string_append (out, "], \"notes\": [");
  for (guint i = 0; notes[i]; i++)
    {
      if (i)
        g_string_append (out, ", ");
      flint_json_append_string (out, notes[i]);
    }
  g_string_append (out, "], \"error\": ");
  flint_json_append_string (out, flint_adhoc_command_get_error (self->command));
  g_string_append (out, ", \"field_errors\": ");
  flint_json_append_string (out, errors);
  g_string_append_printf (out, ", \"buttons\": \"%s%s%s%s%s\"}",
                          gtk_widget_get_visible (self->prev_button) ? "prev," : "",
                          gtk_widget_get_visible (self->next_button) ? "next," : "",
                          gtk_widget_get_visible (self->complete_button) ? "complete,"
                                                                         : "",
                          gtk_widget_get_visible (self->cancel_button) ? "cancel," : "",
                          gtk_widget_get_visible (self->close_button) ? "close," : "");
}

static void
flint_command_window_dispose (GObject *object)
{
  FlintCommandWindow *self = FLINT_COMMAND_WINDOW (object);

  if (self->command)
    g_signal_handlers_disconnect_by_data (self->command, self);
  g_clear_object (&self->command);
  G_OBJECT_CLASS (flint_command_window_parent_class)->dispose (object);
}

static void
flint_command_window_class_init (FlintCommandWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_command_window_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = on_close_request;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-command-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, prev_button);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow,
                                        complete_button);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, close_button);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, notes_box);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, form_bin);
  gtk_widget_class_bind_template_child (widget_class, FlintCommandWindow, done_page);
  gtk_widget_class_install_action (widget_class, "command.next", NULL, next_activated);
  gtk_widget_class_install_action (widget_class, "command.prev", NULL, prev_activated);
  gtk_widget_class_install_action (widget_class, "command.complete", NULL,
                                   complete_activated);
  gtk_widget_class_install_action (widget_class, "command.cancel", NULL,
                                   cancel_activated);
}

static void
flint_command_window_init (FlintCommandWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->view = flint_data_form_view_new (NULL);
  adw_bin_set_child (self->form_bin, GTK_WIDGET (self->view));
}

FlintCommandWindow *
flint_command_window_new (FlintSession *session,
                          const char *jid,
                          const char *node,
                          const char *name)
{
  FlintCommandWindow *self = g_object_new (FLINT_TYPE_COMMAND_WINDOW, NULL);

  self->command = flint_adhoc_command_new (session, jid, node, name);
  adw_window_title_set_title (self->window_title,
                              flint_adhoc_command_get_name (self->command));
  adw_window_title_set_subtitle (self->window_title, jid);
  gtk_window_set_title (GTK_WINDOW (self), flint_adhoc_command_get_name (self->command));
  g_signal_connect (self->command, "notify::state", G_CALLBACK (on_state), self);
  flint_adhoc_command_execute (self->command);
  update (self);
  return self;
}

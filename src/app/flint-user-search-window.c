/* FlintUserSearchWindow: find people in a user directory and add them. */
#include "config.h"

#define G_LOG_DOMAIN "flint-user-search-window"

#include <glib/gi18n.h>

#include "flint-data-form-view.h"
#include "flint-disco-item.h"
#include "flint-json.h"
#include "flint-user-search-window.h"
#include "flint-user-search.h"

struct _FlintUserSearchWindow
{
  AdwWindow parent_instance;

  FlintSession *session;
  FlintRoster *roster;
  FlintUserSearch *search;
  FlintDataFormView *view;
  GPtrArray
    *probes; /* FlintDiscoItem: the server's services, asked whether they search */

  GtkWidget *search_button;
  AdwEntryRow *service_row;
  GtkLabel *status_label;
  AdwBin *form_bin;
  GtkWidget *results_scroller;
  GtkListBox *results_list;
};

G_DEFINE_FINAL_TYPE (FlintUserSearchWindow, flint_user_search_window, ADW_TYPE_WINDOW)

static void
show_status (FlintUserSearchWindow *self, const char *text)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text && *text);
}

static void
on_add_clicked (GtkButton *button, FlintUserSearchWindow *self)
{
  const char *jid = g_object_get_data (G_OBJECT (button), "flint-jid");
  const char *name = g_object_get_data (G_OBJECT (button), "flint-name");
  g_autoptr (GError) error = NULL;

  if (self->roster == NULL || !flint_roster_add (self->roster, jid, name, NULL, &error))
    {
      show_status (self, error ? error->message : _ ("Set up an account first."));
      return;
    }
  gtk_button_set_label (button, _ ("Added"));
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  show_status (self, NULL);
}

static void
show_results (FlintUserSearchWindow *self)
{
  GtkWidget *child;
  guint n = flint_user_search_get_n_results (self->search);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_list))))
    gtk_list_box_remove (self->results_list, child);
  for (guint i = 0; i < n; i++)
    {
      const char *jid = flint_user_search_get_result_jid (self->search, i);
      const char *name = flint_user_search_get_result_name (self->search, i);
      const char *details = flint_user_search_get_result_details (self->search, i);
      g_autofree char *subtitle =
        details && *details ? g_strdup_printf ("%s · %s", jid, details) : g_strdup (jid);
      g_autofree char *tooltip = g_strdup_printf (_ ("Add %s to your contacts"), jid);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button;
      gboolean known = self->roster && flint_roster_lookup (self->roster, jid);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name ? name : jid);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      button = gtk_button_new_with_mnemonic (known ? _ ("In Contacts") : _ ("_Add"));
      gtk_widget_set_sensitive (button, !known);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, tooltip);
      g_object_set_data_full (G_OBJECT (button), "flint-jid", g_strdup (jid), g_free);
      g_object_set_data_full (G_OBJECT (button), "flint-name", g_strdup (name), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_add_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      g_object_set_data (G_OBJECT (row), "flint-button", button);
      gtk_list_box_append (self->results_list, row);
    }
  gtk_widget_set_visible (self->results_scroller, TRUE);
  if (n == 0)
    show_status (self, _ ("Nobody matches. Try fewer or shorter words."));
  else
    {
      g_autofree char *found = g_strdup_printf (
        g_dngettext (NULL, "%u person found.", "%u people found.", n), n);

      show_status (self, found);
    }
}

static void
on_search_state (FlintUserSearch *search, GParamSpec *pspec, FlintUserSearchWindow *self)
{
  FlintUserSearchState state = flint_user_search_get_state (search);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "search.run",
                                 state == FLINT_USER_SEARCH_READY ||
                                   state == FLINT_USER_SEARCH_DONE);
  switch (state)
    {
      case FLINT_USER_SEARCH_LOADING:
        show_status (self, _ ("Asking the directory for its search form…"));
        break;
      case FLINT_USER_SEARCH_READY:
        flint_data_form_view_set_form (self->view, flint_user_search_get_form (search));
        gtk_widget_set_visible (GTK_WIDGET (self->view), TRUE);
        show_status (self, flint_user_search_get_instructions (search));
        break;
      case FLINT_USER_SEARCH_SEARCHING:
        show_status (self, _ ("Searching…"));
        break;
      case FLINT_USER_SEARCH_DONE:
        show_results (self);
        break;
      case FLINT_USER_SEARCH_FAILED:
        show_status (self, flint_user_search_get_error (search));
        break;
      case FLINT_USER_SEARCH_IDLE:
      default:
        break;
    }
}

void
flint_user_search_window_set_service (FlintUserSearchWindow *self, const char *jid)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (jid ? jid : ""));

  if (self->session == NULL)
    {
      show_status (self, _ ("Set up an account first."));
      return;
    }
  if (*trimmed == '\0')
    return;
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->service_row)), trimmed) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->service_row), trimmed);
  if (self->search)
    g_signal_handlers_disconnect_by_data (self->search, self);
  g_clear_object (&self->search);
  gtk_widget_set_visible (self->results_scroller, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->view), FALSE);
  self->search = flint_user_search_new (self->session, trimmed);
  g_signal_connect (self->search, "notify::state", G_CALLBACK (on_search_state), self);
  flint_user_search_load_form (self->search);
}

static void
on_service_apply (FlintUserSearchWindow *self)
{
  flint_user_search_window_set_service (
    self, gtk_editable_get_text (GTK_EDITABLE (self->service_row)));
}

static void
run_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  FlintUserSearchWindow *self = FLINT_USER_SEARCH_WINDOW (widget);

  if (self->search == NULL || !flint_data_form_view_apply (self->view))
    return;
  flint_user_search_search (self->search);
}

/* ---- finding the server's directory ------------------------------------- */

static void
on_probe_info (FlintDiscoItem *item, GParamSpec *pspec, FlintUserSearchWindow *self)
{
  if (!flint_disco_item_has_feature (item, FLINT_NS_SEARCH) || self->search)
    return;
  flint_user_search_window_set_service (self, flint_disco_item_get_jid (item));
}

static void
on_server_items (FlintDiscoItem *root, GParamSpec *pspec, FlintUserSearchWindow *self)
{
  GListModel *children = flint_disco_item_get_children (root);

  if (flint_disco_item_get_children_state (root) != FLINT_DISCO_LOAD_LOADED)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (children) && i < 50; i++)
    {
      g_autoptr (FlintDiscoItem) child = g_list_model_get_item (children, i);

      g_ptr_array_add (self->probes, g_object_ref (child));
      g_signal_connect (child, "notify::info-state", G_CALLBACK (on_probe_info), self);
      flint_disco_item_load_info (child);
    }
}

static void
find_directory (FlintUserSearchWindow *self)
{
  FlintDiscoItem *root = flint_disco_item_new (
    self->session, flint_account_get_domain (flint_session_get_account (self->session)),
    NULL, NULL);

  g_ptr_array_add (self->probes, root);
  g_signal_connect (root, "notify::children-state", G_CALLBACK (on_server_items), self);
  flint_disco_item_load_children (root);
  show_status (self, _ ("Looking for the server's user directory…"));
}

/* ---- tests -------------------------------------------------------------- */

gboolean
flint_user_search_window_set_text (FlintUserSearchWindow *self,
                                   const char *var,
                                   const char *value)
{
  return flint_data_form_view_set_text (self->view, var, value);
}

gboolean
flint_user_search_window_add (FlintUserSearchWindow *self, const char *jid)
{
  for (guint i = 0; self->search && i < flint_user_search_get_n_results (self->search);
       i++)
    if (g_strcmp0 (flint_user_search_get_result_jid (self->search, i), jid) == 0)
      {
        GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->results_list, (int) i);
        GtkWidget *button =
          row ? g_object_get_data (G_OBJECT (row), "flint-button") : NULL;

        if (button == NULL || !gtk_widget_get_sensitive (button))
          return FALSE;
        g_signal_emit_by_name (button, "clicked");
        return TRUE;
      }
  return FALSE;
}

void
flint_user_search_window_describe_json (FlintUserSearchWindow *self, GString *out)
{
  FlintDataForm *form = self->search ? flint_user_search_get_form (self->search) : NULL;

  g_string_append (out, "{\"service\": ");
  flint_json_append_string (
    out, self->search ? flint_user_search_get_service (self->search) : NULL);
  g_string_append_printf (
    out, ", \"state\": %d, \"legacy\": %s",
    self->search ? (int) flint_user_search_get_state (self->search) : -1,
    self->search && flint_user_search_is_legacy (self->search) ? "true" : "false");
  g_string_append (out, ", \"status\": ");
  flint_json_append_string (out, gtk_widget_get_visible (GTK_WIDGET (self->status_label))
                                   ? gtk_label_get_text (self->status_label)
                                   : NULL);
  g_string_append (out, ", \"fields\": [");
  for (guint i = 0; form && i < flint_data_form_get_n_fields (form); i++)
    {
      FlintDataFormField *field = flint_data_form_get_field (form, i);

      if (i)
        g_string_append (out, ", ");
      flint_json_append_string (out, flint_data_form_field_get_var (field));
    }
  g_string_append (out, "], \"results\": [");
  for (guint i = 0; self->search && i < flint_user_search_get_n_results (self->search);
       i++)
    {
      const char *name = flint_user_search_get_result_name (self->search, i);
      g_autofree char *d = g_strdup_printf (
        "%s|%s|%s", flint_user_search_get_result_jid (self->search, i), name ? name : "",
        flint_user_search_get_result_details (self->search, i));

      if (i)
        g_string_append (out, ", ");
      flint_json_append_string (out, d);
    }
  g_string_append (out, "]}");
}

/* ---- life cycle --------------------------------------------------------- */

static void
flint_user_search_window_dispose (GObject *object)
{
  FlintUserSearchWindow *self = FLINT_USER_SEARCH_WINDOW (object);

  if (self->search)
    g_signal_handlers_disconnect_by_data (self->search, self);
  for (guint i = 0; self->probes && i < self->probes->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->probes, i), self);
  g_clear_pointer (&self->probes, g_ptr_array_unref);
  g_clear_object (&self->search);
  g_clear_object (&self->roster);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (flint_user_search_window_parent_class)->dispose (object);
}

static void
flint_user_search_window_class_init (FlintUserSearchWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_user_search_window_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/im/flint/Flint/flint-user-search-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintUserSearchWindow,
                                        search_button);
  gtk_widget_class_bind_template_child (widget_class, FlintUserSearchWindow, service_row);
  gtk_widget_class_bind_template_child (widget_class, FlintUserSearchWindow,
                                        status_label);
  gtk_widget_class_bind_template_child (widget_class, FlintUserSearchWindow, form_bin);
  gtk_widget_class_bind_template_child (widget_class, FlintUserSearchWindow,
                                        results_scroller);
  gtk_widget_class_bind_template_child (widget_class, FlintUserSearchWindow,
                                        results_list);
  gtk_widget_class_bind_template_callback (widget_class, on_service_apply);
  gtk_widget_class_install_action (widget_class, "search.run", NULL, run_activated);
}

static void
flint_user_search_window_init (FlintUserSearchWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->probes = g_ptr_array_new_with_free_func (g_object_unref);
  self->view = flint_data_form_view_new (NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->view), FALSE);
  adw_bin_set_child (self->form_bin, GTK_WIDGET (self->view));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "search.run", FALSE);
}

FlintUserSearchWindow *
flint_user_search_window_new (GtkApplication *app,
                              FlintSession *session,
                              FlintRoster *roster)
{
  FlintUserSearchWindow *self =
    g_object_new (FLINT_TYPE_USER_SEARCH_WINDOW, "application", app, NULL);

  if (roster)
    self->roster = g_object_ref (roster);
  if (session)
    {
      self->session = g_object_ref (session);
      find_directory (self);
    }
  else
    show_status (self, _ ("Set up an account first."));
  return self;
}

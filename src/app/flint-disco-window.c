/* FlintDiscoWindow: a tree of what the server and its components offer
 * (XEP-0030), with their ad-hoc commands (XEP-0050). */
#include "config.h"

#define G_LOG_DOMAIN "flint-disco-window"

#include <glib/gi18n.h>

#include "flint-command-window.h"
#include "flint-disco-item.h"
#include "flint-disco-window.h"
#include "flint-jid.h"
#include "flint-json.h"

struct _FlintDiscoWindow
{
  AdwWindow parent_instance;

  FlintSession *session;
  GListStore *roots;
  GtkTreeListModel *tree;
  GtkSingleSelection *selection;
  FlintDiscoItem *shown; /* the item whose details are shown */

  GtkEntry *address_entry;
  GtkListView *tree_view;
  GtkLabel *title_label;
  GtkLabel *address_label;
  GtkLabel *status_label;
  GtkWidget *identities_group;
  GtkListBox *identities_list;
  GtkWidget *commands_group;
  GtkListBox *commands_list;
  GtkWidget *features_group;
  GtkListBox *features_list;
};

G_DEFINE_FINAL_TYPE (FlintDiscoWindow, flint_disco_window, ADW_TYPE_WINDOW)

static GListModel *
create_children (gpointer item, gpointer user_data)
{
  return g_object_ref (flint_disco_item_get_children (FLINT_DISCO_ITEM (item)));
}

/* ---- rows of the tree --------------------------------------------------- */

static void
on_row_expanded (GtkTreeListRow *row, GParamSpec *pspec, gpointer data)
{
  g_autoptr (GObject) item = gtk_tree_list_row_get_item (row);

  /* Asked for only when opened: a big server is not walked in one go. */
  if (gtk_tree_list_row_get_expanded (row))
    flint_disco_item_load_children (FLINT_DISCO_ITEM (item));
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (list_item, expander);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  g_autoptr (GObject) object = gtk_tree_list_row_get_item (row);
  FlintDiscoItem *item = FLINT_DISCO_ITEM (object);
  g_autofree char *text = flint_disco_item_dup_title (item);
  g_autofree char *where = NULL;

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_text (GTK_LABEL (title), text);
  where = flint_disco_item_get_node (item)
            ? g_strdup_printf ("%s · %s", flint_disco_item_get_jid (item),
                               flint_disco_item_get_node (item))
            : g_strdup (flint_disco_item_get_jid (item));
  gtk_label_set_text (GTK_LABEL (subtitle), where);
  g_signal_connect (row, "notify::expanded", G_CALLBACK (on_row_expanded), NULL);
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);

  g_signal_handlers_disconnect_by_func (row, on_row_expanded, NULL);
}

/* ---- details ------------------------------------------------------------ */

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))))
    gtk_list_box_remove (list, child);
}

static void
run_command (FlintDiscoWindow *self, FlintDiscoItem *command)
{
  FlintCommandWindow *window = flint_command_window_new (
    self->session, flint_disco_item_get_jid (command),
    flint_disco_item_get_node (command), flint_disco_item_get_name (command));

  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_application (GTK_WINDOW (window),
                              gtk_window_get_application (GTK_WINDOW (self)));
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_run_clicked (GtkButton *button, FlintDiscoWindow *self)
{
  run_command (self, g_object_get_data (G_OBJECT (button), "flint-command"));
}

static void
show_commands (FlintDiscoWindow *self)
{
  GListModel *commands;

  clear_list (self->commands_list);
  if (self->shown == NULL ||
      flint_disco_item_get_commands_state (self->shown) != FLINT_DISCO_LOAD_LOADED)
    {
      gtk_widget_set_visible (self->commands_group, FALSE);
      return;
    }
  commands = flint_disco_item_get_commands (self->shown);
  gtk_widget_set_visible (self->commands_group, g_list_model_get_n_items (commands) > 0);
  for (guint i = 0; i < g_list_model_get_n_items (commands); i++)
    {
      g_autoptr (FlintDiscoItem) command = g_list_model_get_item (commands, i);
      g_autofree char *title = flint_disco_item_dup_title (command);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_ ("_Run"));
      g_autofree char *label = g_strdup_printf (_ ("Run %s"), title);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   flint_disco_item_get_node (command));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, label);
      g_object_set_data_full (G_OBJECT (button), "flint-command", g_object_ref (command),
                              g_object_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (on_run_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->commands_list, row);
    }
}

static void
add_text_row (GtkListBox *list, const char *title, const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_append (list, row);
}

static void
show_details (FlintDiscoWindow *self)
{
  FlintDiscoItem *item = self->shown;
  FlintDiscoLoadState state;
  g_autofree char *title = NULL;
  g_autofree char *where = NULL;

  clear_list (self->identities_list);
  clear_list (self->features_list);
  if (item == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->address_label, "");
      gtk_label_set_text (self->status_label, "");
      gtk_widget_set_visible (self->identities_group, FALSE);
      gtk_widget_set_visible (self->features_group, FALSE);
      show_commands (self);
      return;
    }
  state = flint_disco_item_get_info_state (item);
  title = flint_disco_item_dup_title (item);
  gtk_label_set_text (self->title_label, title);
  where = flint_disco_item_get_node (item)
            ? g_strdup_printf (_ ("%s, node %s"), flint_disco_item_get_jid (item),
                               flint_disco_item_get_node (item))
            : g_strdup (flint_disco_item_get_jid (item));
  gtk_label_set_text (self->address_label, where);
  gtk_label_set_text (self->status_label, state == FLINT_DISCO_LOAD_LOADING
                                            ? _ ("Asking the service…")
                                          : state == FLINT_DISCO_LOAD_FAILED
                                            ? flint_disco_item_get_error (item)
                                            : "");
  for (guint i = 0; i < flint_disco_item_get_identities (item)->len; i++)
    {
      FlintDiscoIdentity *identity =
        g_ptr_array_index (flint_disco_item_get_identities (item), i);
      g_autofree char *kind =
        g_strdup_printf ("%s / %s", identity->category ? identity->category : "?",
                         identity->type ? identity->type : "?");

      add_text_row (self->identities_list, identity->name ? identity->name : kind,
                    identity->name ? kind : NULL);
    }
  for (const char *const *f = flint_disco_item_get_features (item); *f; f++)
    add_text_row (self->features_list, *f, NULL);
  gtk_widget_set_visible (self->identities_group,
                          flint_disco_item_get_identities (item)->len > 0);
  gtk_widget_set_visible (self->features_group,
                          *flint_disco_item_get_features (item) != NULL);
  if (flint_disco_item_has_feature (item, FLINT_NS_COMMANDS))
    flint_disco_item_get_commands (item);
  show_commands (self);
}

static void
on_shown_changed (FlintDiscoItem *item, GParamSpec *pspec, FlintDiscoWindow *self)
{
  show_details (self);
}

static void
set_shown (FlintDiscoWindow *self, FlintDiscoItem *item)
{
  if (self->shown == item)
    return;
  if (self->shown)
    g_signal_handlers_disconnect_by_data (self->shown, self);
  g_set_object (&self->shown, item);
  if (item)
    {
      g_signal_connect (item, "notify::info-state", G_CALLBACK (on_shown_changed), self);
      g_signal_connect (item, "notify::commands-state", G_CALLBACK (on_shown_changed),
                        self);
      flint_disco_item_load_info (item);
    }
  show_details (self);
}

static void
on_selection_changed (GtkSingleSelection *selection,
                      GParamSpec *pspec,
                      FlintDiscoWindow *self)
{
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (selection);
  g_autoptr (GObject) item = row ? gtk_tree_list_row_get_item (row) : NULL;

  set_shown (self, item ? FLINT_DISCO_ITEM (item) : NULL);
}

void
flint_disco_window_browse (FlintDiscoWindow *self, const char *jid)
{
  g_autoptr (FlintDiscoItem) root = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (jid ? jid : ""));

  if (self->session == NULL)
    {
      gtk_label_set_text (self->status_label, _ ("Set up an account first."));
      return;
    }
  if (!flint_jid_is_valid (trimmed))
    {
      gtk_label_set_text (self->status_label,
                          _ ("This is not a valid address. Type a server or service "
                             "address, e.g. example.com."));
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), trimmed);
  root = flint_disco_item_new (self->session, trimmed, NULL, NULL);
  g_list_store_remove_all (self->roots);
  g_list_store_append (self->roots, root);
  gtk_single_selection_set_selected (self->selection, 0);
  set_shown (self, root);
  /* The top level is open at once: it is what the user asked to see. */
  {
    GtkTreeListRow *row = gtk_tree_list_model_get_row (self->tree, 0);

    if (row)
      {
        gtk_tree_list_row_set_expanded (row, TRUE);
        flint_disco_item_load_children (root);
        g_object_unref (row);
      }
  }
}

static void
on_browse (FlintDiscoWindow *self)
{
  flint_disco_window_browse (self,
                             gtk_editable_get_text (GTK_EDITABLE (self->address_entry)));
}

/* ---- tests -------------------------------------------------------------- */

static GtkTreeListRow *
find_row (FlintDiscoWindow *self, const char *jid, const char *node, guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));

  for (guint i = 0; i < n; i++)
    {
      GtkTreeListRow *row = gtk_tree_list_model_get_row (self->tree, i);
      g_autoptr (GObject) object = gtk_tree_list_row_get_item (row);
      FlintDiscoItem *item = FLINT_DISCO_ITEM (object);

      if (g_strcmp0 (flint_disco_item_get_jid (item), jid) == 0 &&
          g_strcmp0 (flint_disco_item_get_node (item), node && *node ? node : NULL) == 0)
        {
          if (position)
            *position = i;
          return row;
        }
      g_object_unref (row);
    }
  return NULL;
}

gboolean
flint_disco_window_expand (FlintDiscoWindow *self, const char *jid, const char *node)
{
  g_autoptr (GtkTreeListRow) row = find_row (self, jid, node, NULL);

  if (row == NULL)
    return FALSE;
  gtk_tree_list_row_set_expanded (row, TRUE);
  return TRUE;
}

gboolean
flint_disco_window_select (FlintDiscoWindow *self, const char *jid, const char *node)
{
  guint position = 0;
  g_autoptr (GtkTreeListRow) row = find_row (self, jid, node, &position);

  if (row == NULL)
    return FALSE;
  gtk_single_selection_set_selected (self->selection, position);
  return TRUE;
}

gboolean
flint_disco_window_run_command (FlintDiscoWindow *self, const char *node)
{
  GListModel *commands;

  if (self->shown == NULL)
    return FALSE;
  commands = flint_disco_item_get_commands (self->shown);
  for (guint i = 0; i < g_list_model_get_n_items (commands); i++)
    {
      g_autoptr (FlintDiscoItem) command = g_list_model_get_item (commands, i);

      if (g_strcmp0 (flint_disco_item_get_node (command), node) == 0)
        {
          run_command (self, command);
          return TRUE;
        }
    }
  return FALSE;
}

/* {"rows": ["depth|jid|node|title|expanded"], "selected": {...}} */
void
flint_disco_window_describe_json (FlintDiscoWindow *self, GString *out)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));

  g_string_append (out, "{\"rows\": [");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkTreeListRow) row = gtk_tree_list_model_get_row (self->tree, i);
      g_autoptr (GObject) object = gtk_tree_list_row_get_item (row);
      FlintDiscoItem *item = FLINT_DISCO_ITEM (object);
      g_autofree char *title = flint_disco_item_dup_title (item);
      g_autofree char *line = g_strdup_printf (
        "%u|%s|%s|%s|%d", gtk_tree_list_row_get_depth (row),
        flint_disco_item_get_jid (item),
        flint_disco_item_get_node (item) ? flint_disco_item_get_node (item) : "", title,
        gtk_tree_list_row_get_expanded (row));

      if (i)
        g_string_append (out, ", ");
      flint_json_append_string (out, line);
    }
  g_string_append (out, "], \"selected\": ");
  if (self->shown)
    {
      GListModel *commands = flint_disco_item_get_commands_state (self->shown)
                               ? flint_disco_item_get_commands (self->shown)
                               : NULL;
      GPtrArray *identities = flint_disco_item_get_identities (self->shown);

      g_string_append (out, "{\"jid\": ");
      flint_json_append_string (out, flint_disco_item_get_jid (self->shown));
      g_string_append_printf (out, ", \"info_state\": %d, \"commands_state\": %d",
                              flint_disco_item_get_info_state (self->shown),
                              flint_disco_item_get_commands_state (self->shown));
      g_string_append (out, ", \"identities\": [");
      for (guint i = 0; i < identities->len; i++)
        {
          FlintDiscoIdentity *id = g_ptr_array_index (identities, i);
          g_autofree char *d = g_strdup_printf ("%s/%s/%s", id->category, id->type,
                                                id->name ? id->name : "");

          if (i)
            g_string_append (out, ", ");
          flint_json_append_string (out, d);
        }
      g_string_append (out, "], \"features\": [");
      for (const char *const *f = flint_disco_item_get_features (self->shown); *f; f++)
        {
          if (f != flint_disco_item_get_features (self->shown))
            g_string_append (out, ", ");
          flint_json_append_string (out, *f);
        }
      g_string_append (out, "], \"commands\": [");
      for (guint i = 0; commands && i < g_list_model_get_n_items (commands); i++)
        {
          g_autoptr (FlintDiscoItem) c = g_list_model_get_item (commands, i);
          g_autofree char *title = flint_disco_item_dup_title (c);
          g_autofree char *d =
            g_strdup_printf ("%s|%s", flint_disco_item_get_node (c), title);

          if (i)
            g_string_append (out, ", ");
          flint_json_append_string (out, d);
        }
      g_string_append (out, "], \"status\": ");
      flint_json_append_string (out, gtk_label_get_text (self->status_label));
      g_string_append_printf (out, ", \"commands_visible\": %s}",
                              gtk_widget_get_visible (self->commands_group) ? "true"
                                                                            : "false");
    }
  else
    g_string_append (out, "null");
  g_string_append (out, "}");
}

/* ---- life cycle --------------------------------------------------------- */

static void
flint_disco_window_dispose (GObject *object)
{
  FlintDiscoWindow *self = FLINT_DISCO_WINDOW (object);

  if (self->shown)
    g_signal_handlers_disconnect_by_data (self->shown, self);
  g_clear_object (&self->shown);
  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  gtk_list_view_set_model (self->tree_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (flint_disco_window_parent_class)->dispose (object);
}

static void
flint_disco_window_class_init (FlintDiscoWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_disco_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-disco-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, address_entry);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, tree_view);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, address_label);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, identities_group);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, identities_list);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, commands_group);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, commands_list);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, features_group);
  gtk_widget_class_bind_template_child (widget_class, FlintDiscoWindow, features_list);
  gtk_widget_class_bind_template_callback (widget_class, on_browse);
}

static void
flint_disco_window_init (FlintDiscoWindow *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->roots = g_list_store_new (FLINT_TYPE_DISCO_ITEM);
  self->tree = gtk_tree_list_model_new (G_LIST_MODEL (self->roots), FALSE, FALSE,
                                        create_children, NULL, NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->tree));
  g_signal_connect (self->selection, "notify::selected-item",
                    G_CALLBACK (on_selection_changed), self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->tree_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->tree_view, GTK_SELECTION_MODEL (self->selection));
}

FlintDiscoWindow *
flint_disco_window_new (GtkApplication *app, FlintSession *session)
{
  FlintDiscoWindow *self =
    g_object_new (FLINT_TYPE_DISCO_WINDOW, "application", app, NULL);

  if (session)
    {
      self->session = g_object_ref (session);
      flint_disco_window_browse (
        self, flint_account_get_domain (flint_session_get_account (session)));
    }
  else
    gtk_label_set_text (self->status_label, _ ("Set up an account first."));
  return self;
}

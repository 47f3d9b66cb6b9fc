#include "config.h"

#define G_LOG_DOMAIN "flint-roster-view"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "flint-account-dialog.h"
#include "flint-application.h"
#include "flint-error.h"
#include "flint-widget.h"
#include "flint-contact-row.h"
#include "flint-json.h"
#include "flint-roster-view.h"

struct _FlintRosterView
{
  GtkWidget parent_instance;

  FlintRoster *roster; /* the first account's: what one account sees */
  GListStore *rosters; /* FlintRoster, one per enabled account */
  GSettings *settings;
  GtkTreeListModel *tree;
  GtkFilterListModel *found;
  GtkCustomFilter *filter;
  GtkSelectionModel *tree_selection;
  GtkSelectionModel *found_selection;
  char *search;
  GHashTable *seen_groups; /* group rows whose saved state was applied */
  gboolean search_mode;
  guint apply_idle;

  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkListBox *requests_box;
  GtkStack *stack;
  AdwStatusPage *empty_page;
  GtkListView *list_view;
};

G_DEFINE_FINAL_TYPE (FlintRosterView, flint_roster_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SEARCH_MODE,
  N_PROPS
};

enum
{
  SIGNAL_CONTACT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- models ------------------------------------------------------------ */

static GListModel *
create_children (gpointer item, gpointer user_data)
{
  if (FLINT_IS_ROSTER (item))
    return g_object_ref (flint_roster_get_groups (FLINT_ROSTER (item)));
  if (FLINT_IS_ROSTER_GROUP (item))
    return g_object_ref (G_LIST_MODEL (item));
  return NULL;
}

static gboolean
match_contact (gpointer item, gpointer user_data)
{
  FlintRosterView *self = user_data;
  FlintContact *contact = item;
  g_autofree char *name = NULL;

  if (self->search == NULL || *self->search == '\0')
    return TRUE;
  name = g_utf8_casefold (flint_contact_get_display_name (contact), -1);
  return strstr (name, self->search) != NULL ||
         strstr (flint_contact_get_jid (contact), self->search) != NULL;
}

/* The remembered name of a header: a group's name, or "account:" and the
 * account's address for an account's section. */
static char *
header_key (gpointer item)
{
  if (FLINT_IS_ROSTER (item))
    return g_strconcat ("account:",
                        flint_account_get_jid (flint_session_get_account (
                          flint_roster_get_session (FLINT_ROSTER (item)))),
                        NULL);
  if (FLINT_IS_ROSTER_GROUP (item))
    return g_strdup (flint_roster_group_get_name (FLINT_ROSTER_GROUP (item)));
  return NULL;
}

static const char *
roster_account (FlintRoster *roster)
{
  return flint_account_get_jid (
    flint_session_get_account (flint_roster_get_session (roster)));
}

/* The roster listing this very contact (the same address may be in two). */
static FlintRoster *
roster_of_contact (FlintRosterView *self, FlintContact *contact)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rosters)); i++)
    {
      g_autoptr (FlintRoster) roster =
        g_list_model_get_item (G_LIST_MODEL (self->rosters), i);

      if (flint_roster_lookup (roster, flint_contact_get_jid (contact)) == contact)
        return roster;
    }
  return self->roster;
}

/* For the contact menu, which names the address only: the first account
 * that has it. */
static FlintRoster *
roster_of_jid (FlintRosterView *self, const char *jid)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rosters)); i++)
    {
      g_autoptr (FlintRoster) roster =
        g_list_model_get_item (G_LIST_MODEL (self->rosters), i);

      if (flint_roster_lookup (roster, jid))
        return roster;
    }
  return self->roster;
}

static gboolean
group_collapsed (FlintRosterView *self, const char *name)
{
  g_auto (GStrv) collapsed = g_settings_get_strv (self->settings, "collapsed-groups");

  return g_strv_contains ((const char *const *) collapsed, name);
}

static void
on_group_expanded (GtkTreeListRow *row, GParamSpec *pspec, FlintRosterView *self)
{
  g_autoptr (GObject) item = gtk_tree_list_row_get_item (row);
  g_autofree char *name = header_key (item);
  g_auto (GStrv) collapsed = g_settings_get_strv (self->settings, "collapsed-groups");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) updated = NULL;

  for (guint i = 0; collapsed[i]; i++)
    if (g_strcmp0 (collapsed[i], name) != 0)
      g_strv_builder_add (builder, collapsed[i]);
  if (!gtk_tree_list_row_get_expanded (row))
    g_strv_builder_add (builder, name);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "collapsed-groups", (const char *const *) updated);
}

/* Groups start expanded (autoexpand); the ones the user collapsed last time
 * are collapsed once, when they first appear. Walks group rows only. */
static gboolean
apply_collapsed (gpointer user_data)
{
  FlintRosterView *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));

  self->apply_idle = 0;
  for (guint pos = 0; pos < n;)
    {
      g_autoptr (GtkTreeListRow) row = gtk_tree_list_model_get_row (self->tree, pos);
      g_autoptr (GObject) item = row ? gtk_tree_list_row_get_item (row) : NULL;
      g_autofree char *name = header_key (item);

      if (name == NULL)
        {
          pos++;
          continue;
        }
      if (!g_hash_table_contains (self->seen_groups, row))
        {
          g_hash_table_add (self->seen_groups, g_object_ref (row));
          if (group_collapsed (self, name))
            gtk_tree_list_row_set_expanded (row, FALSE);
          g_signal_connect_object (row, "notify::expanded",
                                   G_CALLBACK (on_group_expanded), self, 0);
        }
      /* An account's section: its groups follow, walk into them. */
      pos += 1 + (FLINT_IS_ROSTER_GROUP (item) && gtk_tree_list_row_get_expanded (row)
                    ? g_list_model_get_n_items (G_LIST_MODEL (item))
                    : 0);
      n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));
    }
  return G_SOURCE_REMOVE;
}

static void
update_empty (FlintRosterView *self)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (self->list_view));
  gboolean searching = self->search && *self->search;

  if (model && g_list_model_get_n_items (model) > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
      return;
    }
  adw_status_page_set_icon_name (self->empty_page, searching ? "edit-find-symbolic"
                                                             : "system-users-symbolic");
  adw_status_page_set_title (self->empty_page,
                             searching ? _ ("No Results") : _ ("No Contacts"));
  adw_status_page_set_description (
    self->empty_page, searching ? _ ("No contact matches the search.")
                                : _ ("Add the people you work with from the main menu."));
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
on_tree_changed (
  GListModel *model, guint position, guint removed, guint added, FlintRosterView *self)
{
  if (self->apply_idle == 0)
    self->apply_idle = g_idle_add (apply_collapsed, self);
  update_empty (self);
}

static void
on_found_changed (
  GListModel *model, guint position, guint removed, guint added, FlintRosterView *self)
{
  update_empty (self);
}

static void
on_search_changed (GtkSearchEntry *entry, FlintRosterView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  gboolean searching = *text != '\0';
  gboolean was_searching = self->search && *self->search;

  g_free (self->search);
  self->search = g_utf8_casefold (text, -1);
  if (self->roster == NULL)
    return;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  /* Searching shows every matching contact, outside their groups. */
  if (searching != was_searching)
    gtk_list_view_set_model (self->list_view,
                             searching ? self->found_selection : self->tree_selection);
  update_empty (self);
}

static void
on_stop_search (GtkSearchEntry *entry, FlintRosterView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

/* Enter in the search field opens the first match. */
static void
on_search_activate (GtkSearchEntry *entry, FlintRosterView *self)
{
  g_autoptr (FlintContact) contact = NULL;
  FlintRoster *roster;

  if (self->found == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->found)) == 0)
    return;
  contact = g_list_model_get_item (G_LIST_MODEL (self->found), 0);
  roster = roster_of_contact (self, contact);
  g_signal_emit (self, signals[SIGNAL_CONTACT_ACTIVATED], 0,
                 flint_contact_get_jid (contact),
                 roster ? roster_account (roster) : NULL);
}

/* ---- rows -------------------------------------------------------------- */

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintRosterView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);
  GtkWidget *reconnect = gtk_button_new_from_icon_name ("view-refresh-symbolic");

  /* Says what it does when asked: a fixed text costs an X round trip per bind. */
  flint_widget_set_lazy_tooltip (reconnect, NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "heading");
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "caption");
  gtk_widget_add_css_class (count, "numeric");
  gtk_box_append (GTK_BOX (header), name);
  gtk_box_append (GTK_BOX (header), count);
  gtk_widget_add_css_class (reconnect, "flat");
  gtk_widget_add_css_class (reconnect, "circular");
  gtk_widget_set_valign (reconnect, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (reconnect, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (reconnect),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Connect Again"), -1);
  /* The target first: an action with a parameter and no target warns. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (reconnect), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reconnect), "roster.reconnect");
  gtk_box_append (GTK_BOX (header), reconnect);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), header);
  gtk_widget_add_css_class (expander, "group-header");
  gtk_box_append (GTK_BOX (box), expander);
  gtk_box_append (GTK_BOX (box), flint_contact_row_new ());
  gtk_list_item_set_child (item, box);
}

/* What an account's section header says of its connection. */
static const char *
session_state_label (FlintSession *session)
{
  switch (flint_session_get_state (session))
    {
      case FLINT_SESSION_CONNECTING:
        return _ ("Connecting…");
      case FLINT_SESSION_AUTHENTICATING:
        return _ ("Signing In…");
      case FLINT_SESSION_ONLINE:
        return _ ("Online");
      case FLINT_SESSION_RECONNECTING:
        return _ ("Reconnecting…");
      case FLINT_SESSION_DISCONNECTED:
      default:
        return flint_session_get_error (session) ? _ ("Not Connected") : _ ("Offline");
    }
}

/* Signing in again needs a (new) password first. */
static gboolean
needs_password (FlintSession *session)
{
  const GError *error = flint_session_get_error (session);

  return error && error->domain == FLINT_ERROR &&
         (error->code == FLINT_ERROR_NO_PASSWORD ||
          error->code == FLINT_ERROR_AUTH_FAILED);
}

static void
update_section (GtkWidget *header)
{
  FlintSession *session = g_object_get_data (G_OBJECT (header), "flint-session");
  GtkWidget *state = gtk_widget_get_next_sibling (gtk_widget_get_first_child (header));
  const GError *error;
  FlintSessionState s;

  if (session == NULL)
    return;
  s = flint_session_get_state (session);
  error = flint_session_get_error (session);
  gtk_label_set_text (GTK_LABEL (state), session_state_label (session));
  if (error && s == FLINT_SESSION_DISCONNECTED)
    {
      gtk_widget_remove_css_class (state, "dim-label");
      gtk_widget_add_css_class (state, "error");
    }
  else
    {
      gtk_widget_remove_css_class (state, "error");
      gtk_widget_add_css_class (state, "dim-label");
    }
  flint_widget_update_tooltip (state, error && s != FLINT_SESSION_ONLINE ? error->message
                                                                         : NULL);
  {
    GtkWidget *button = gtk_widget_get_last_child (header);
    gboolean sign_in = needs_password (session);
    const char *label = sign_in ? _ ("Sign In…") : _ ("Connect Again");

    gtk_button_set_icon_name (GTK_BUTTON (button), sign_in ? "dialog-password-symbolic"
                                                           : "view-refresh-symbolic");
    gboolean shown = s == FLINT_SESSION_DISCONNECTED || s == FLINT_SESSION_RECONNECTING;

    flint_widget_set_lazy_tooltip (button, label);
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    gtk_widget_set_visible (button, shown);
  }
}

static void
unbind_section (GtkWidget *header)
{
  FlintSession *session = g_object_get_data (G_OBJECT (header), "flint-session");

  if (session)
    g_signal_handlers_disconnect_by_data (session, header);
  g_object_set_data (G_OBJECT (header), "flint-session", NULL);
}

static void
bind_section (GtkWidget *header, FlintRoster *roster)
{
  FlintSession *session = flint_roster_get_session (roster);

  unbind_section (header);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (header)),
                      roster_account (roster));
  g_object_set_data_full (G_OBJECT (header), "flint-session", g_object_ref (session),
                          g_object_unref);
  g_signal_connect_swapped (session, "notify::state", G_CALLBACK (update_section),
                            header);
  g_signal_connect_swapped (session, "notify::error", G_CALLBACK (update_section),
                            header);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (gtk_widget_get_last_child (header)),
                                    "s", roster_account (roster));
  update_section (header);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintRosterView *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *expander = gtk_widget_get_first_child (box);
  GtkWidget *contact_row = gtk_widget_get_last_child (box);
  gpointer object = gtk_list_item_get_item (item);
  GtkTreeListRow *row = GTK_IS_TREE_LIST_ROW (object) ? object : NULL;
  g_autoptr (GObject) inner =
    row ? gtk_tree_list_row_get_item (row) : g_object_ref (object);

  if (FLINT_IS_ROSTER (inner))
    {
      GtkWidget *header = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));

      bind_section (header, FLINT_ROSTER (inner));
      gtk_widget_add_css_class (expander, "account-header");
      gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
      gtk_widget_set_visible (expander, TRUE);
      gtk_widget_set_visible (contact_row, FALSE);
      flint_contact_row_set_contact (FLINT_CONTACT_ROW (contact_row), NULL);
      gtk_list_item_set_selectable (item, FALSE);
    }
  else if (FLINT_IS_ROSTER_GROUP (inner))
    {
      FlintRosterGroup *group = FLINT_ROSTER_GROUP (inner);
      GtkWidget *header = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
      g_autofree char *count =
        g_strdup_printf ("%u/%u", flint_roster_group_get_n_online (group),
                         flint_roster_group_get_n_contacts (group));
      const char *name = flint_roster_group_is_default (group)
                           ? _ ("Contacts")
                           : flint_roster_group_get_name (group);

      unbind_section (header);
      gtk_widget_remove_css_class (expander, "account-header");
      gtk_widget_remove_css_class (
        gtk_widget_get_next_sibling (gtk_widget_get_first_child (header)), "error");
      gtk_widget_add_css_class (
        gtk_widget_get_next_sibling (gtk_widget_get_first_child (header)), "dim-label");
      gtk_widget_set_visible (gtk_widget_get_last_child (header), FALSE);
      flint_widget_update_tooltip (
        gtk_widget_get_next_sibling (gtk_widget_get_first_child (header)), NULL);
      gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (header)), name);
      gtk_label_set_text (
        GTK_LABEL (gtk_widget_get_next_sibling (gtk_widget_get_first_child (header))),
        count);
      gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
      gtk_widget_set_visible (expander, TRUE);
      gtk_widget_set_visible (contact_row, FALSE);
      flint_contact_row_set_contact (FLINT_CONTACT_ROW (contact_row), NULL);
      gtk_list_item_set_selectable (item, FALSE);
    }
  else
    {
      gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
      gtk_widget_set_visible (expander, FALSE);
      gtk_widget_set_visible (contact_row, TRUE);
      flint_contact_row_set_contact (FLINT_CONTACT_ROW (contact_row),
                                     FLINT_CONTACT (inner));
      gtk_list_item_set_selectable (item, TRUE);
    }
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, FlintRosterView *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *expander = gtk_widget_get_first_child (box);

  unbind_section (gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander)));
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
  flint_contact_row_set_contact (FLINT_CONTACT_ROW (gtk_widget_get_last_child (box)),
                                 NULL);
}

static void
on_activate (GtkListView *list, guint position, FlintRosterView *self)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (list));
  g_autoptr (GObject) object = g_list_model_get_item (model, position);
  g_autoptr (GObject) inner = NULL;

  if (GTK_IS_TREE_LIST_ROW (object))
    {
      GtkTreeListRow *row = GTK_TREE_LIST_ROW (object);

      inner = gtk_tree_list_row_get_item (row);
      if (FLINT_IS_ROSTER_GROUP (inner) || FLINT_IS_ROSTER (inner))
        {
          gtk_tree_list_row_set_expanded (row, !gtk_tree_list_row_get_expanded (row));
          return;
        }
    }
  else
    inner = g_object_ref (object);
  if (FLINT_IS_CONTACT (inner))
    {
      FlintRoster *roster = roster_of_contact (self, FLINT_CONTACT (inner));

      g_signal_emit (self, signals[SIGNAL_CONTACT_ACTIVATED], 0,
                     flint_contact_get_jid (FLINT_CONTACT (inner)),
                     roster ? roster_account (roster) : NULL);
    }
}

/* ---- subscription requests -------------------------------------------- */

/* The request row for jid, or NULL. */
static GtkWidget *
find_request_row (FlintRosterView *self, const char *jid)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->requests_box));
       child; child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "jid"), jid) == 0)
      return child;
  return NULL;
}

static void
remove_request_row (FlintRosterView *self, const char *jid)
{
  GtkWidget *row = find_request_row (self, jid);

  if (row)
    gtk_list_box_remove (self->requests_box, row);
  gtk_widget_set_visible (GTK_WIDGET (self->requests_box),
                          gtk_widget_get_first_child (GTK_WIDGET (self->requests_box)) !=
                            NULL);
}

/* The account a request came to. */
static FlintRoster *
request_roster (FlintRosterView *self, const char *jid)
{
  GtkWidget *row = find_request_row (self, jid);

  return row ? g_object_get_data (G_OBJECT (row), "roster") : self->roster;
}

static void
accept_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);
  const char *jid = g_variant_get_string (parameter, NULL);
  FlintRoster *roster = request_roster (self, jid);

  /* Accepting also asks to see theirs: office contacts go both ways. */
  if (roster)
    flint_roster_approve (roster, jid, TRUE);
  remove_request_row (self, jid);
}

static void
deny_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);
  const char *jid = g_variant_get_string (parameter, NULL);
  FlintRoster *roster = request_roster (self, jid);

  if (roster)
    flint_roster_deny (roster, jid);
  remove_request_row (self, jid);
}

static void
reconnect_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);
  const char *account = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rosters)); i++)
    {
      g_autoptr (FlintRoster) roster =
        g_list_model_get_item (G_LIST_MODEL (self->rosters), i);

      FlintSession *session = flint_roster_get_session (roster);
      GtkRoot *root = gtk_widget_get_root (widget);
      GtkApplication *app =
        GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

      if (g_strcmp0 (roster_account (roster), account) != 0)
        continue;
      if (needs_password (session) && FLINT_IS_APPLICATION (app))
        {
          FlintAccountDialog *dialog = flint_account_dialog_new (
            FLINT_APPLICATION (app), flint_session_get_account (session));

          gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      else
        flint_session_connect (session);
    }
}

static void
add_request (FlintRosterView *self,
             FlintRoster *roster,
             const char *jid,
             const char *nick)
{
  GtkWidget *row, *accept, *deny;

  if (find_request_row (self, jid))
    return;

  row = adw_action_row_new ();
  accept = gtk_button_new_with_mnemonic (_ ("_Accept"));
  deny = gtk_button_new_from_icon_name ("window-close-symbolic");
  g_object_set_data_full (G_OBJECT (row), "jid", g_strdup (jid), g_free);
  g_object_set_data_full (G_OBJECT (row), "roster", g_object_ref (roster),
                          g_object_unref);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (accept), "roster.accept");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (accept), "s", jid);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (deny), "roster.deny");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (deny), "s", jid);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), nick && *nick ? nick : jid);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->rosters)) > 1)
    {
      /* TRANSLATORS: a contact request to one of several accounts; %s is the
       * account's address */
      g_autofree char *subtitle =
        g_strdup_printf (_ ("Wants to see your status on %s"), roster_account (roster));

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _ ("Wants to see your status"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_set_valign (accept, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (deny, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (accept, "suggested-action");
  gtk_widget_add_css_class (deny, "flat");
  gtk_widget_set_tooltip_text (deny, _ ("Deny"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (deny), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Deny"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), accept);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), deny);
  gtk_list_box_append (self->requests_box, row);
  gtk_widget_set_visible (GTK_WIDGET (self->requests_box), TRUE);
}

static void
on_subscription_request (FlintRoster *roster,
                         const char *jid,
                         const char *nick,
                         FlintRosterView *self)
{
  add_request (self, roster, jid, nick);
}

/* ---- contact actions --------------------------------------------------- */

static GtkWindow *
parent_window (FlintRosterView *self)
{
  return GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
}

static void
open_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);
  const char *jid = g_variant_get_string (parameter, NULL);
  FlintRoster *roster = roster_of_jid (self, jid);

  g_signal_emit (widget, signals[SIGNAL_CONTACT_ACTIVATED], 0, jid,
                 roster ? roster_account (roster) : NULL);
}

static void
on_entry_response (AdwMessageDialog *dialog, const char *response, FlintRosterView *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  const char *jid = g_object_get_data (G_OBJECT (dialog), "jid");
  const char *text = gtk_editable_get_text (entry);
  FlintRoster *roster = roster_of_jid (self, jid);

  if (roster == NULL)
    return;
  if (g_strcmp0 (response, "rename") == 0)
    flint_roster_rename (roster, jid, text);
  else if (g_strcmp0 (response, "groups") == 0)
    {
      g_auto (GStrv) parts = g_strsplit (text, ",", -1);
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) groups = NULL;

      for (guint i = 0; parts[i]; i++)
        {
          g_strstrip (parts[i]);
          if (*parts[i])
            g_strv_builder_add (builder, parts[i]);
        }
      groups = g_strv_builder_end (builder);
      flint_roster_set_groups (roster, jid, (const char *const *) groups);
    }
  else if (g_strcmp0 (response, "remove") == 0)
    flint_roster_remove (roster, jid);
}

static void
ask (FlintRosterView *self,
     const char *jid,
     const char *heading,
     const char *body,
     const char *response,
     const char *label,
     const char *text)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    response, label, NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), response);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  if (text)
    {
      GtkWidget *entry = gtk_entry_new ();

      gtk_editable_set_text (GTK_EDITABLE (entry), text);
      gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                                  ADW_RESPONSE_SUGGESTED);
    }
  else
    {
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog),
                                          gtk_label_new (NULL));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
    }
  g_object_set_data_full (G_OBJECT (dialog), "jid", g_strdup (jid), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_entry_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static FlintContact *
lookup (FlintRosterView *self, GVariant *parameter)
{
  const char *jid = g_variant_get_string (parameter, NULL);
  FlintRoster *roster = roster_of_jid (self, jid);

  return roster ? flint_roster_lookup (roster, jid) : NULL;
}

static void
rename_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);
  FlintContact *contact = lookup (self, parameter);

  if (contact)
    ask (self, flint_contact_get_jid (contact), _ ("Rename Contact"),
         flint_contact_get_jid (contact), "rename", _ ("_Rename"),
         flint_contact_get_display_name (contact));
}

static void
groups_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);
  FlintContact *contact = lookup (self, parameter);
  g_autofree char *groups = NULL;

  if (contact == NULL)
    return;
  groups = g_strjoinv (", ", (char **) flint_contact_get_groups (contact));
  ask (self, flint_contact_get_jid (contact), _ ("Contact Groups"),
       _ ("Separate groups with commas. A contact can be in several groups."), "groups",
       _ ("_Save"), groups);
}

static void
remove_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);
  FlintContact *contact = lookup (self, parameter);
  g_autofree char *heading = NULL;

  if (contact == NULL)
    return;
  /* TRANSLATORS: %s is a contact's name */
  heading = g_strdup_printf (_ ("Remove %s?"), flint_contact_get_display_name (contact));
  ask (self, flint_contact_get_jid (contact), heading,
       _ ("They are removed from your contacts and no longer see your status. The "
          "conversation history is kept."),
       "remove", _ ("_Remove"), NULL);
}

static void
block_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);
  FlintRoster *roster = roster_of_jid (self, g_variant_get_string (parameter, NULL));

  if (roster)
    flint_roster_block (roster, g_variant_get_string (parameter, NULL));
}

static void
unblock_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (widget);

  if (self->roster)
    flint_roster_unblock (self->roster, g_variant_get_string (parameter, NULL));
}

/* ---- blocked contacts -------------------------------------------------- */

static void
on_unblock_clicked (GtkButton *button, FlintRoster *roster)
{
  flint_roster_unblock (roster, g_object_get_data (G_OBJECT (button), "jid"));
}

static void
fill_blocked (GtkListBox *list, FlintRoster *roster)
{
  const char *const *blocked = flint_roster_get_blocked (roster);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))))
    gtk_list_box_remove (list, child);
  for (guint i = 0; blocked && blocked[i]; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_ ("_Unblock"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), blocked[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "jid", g_strdup (blocked[i]), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_unblock_clicked), roster,
                               0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (list, row);
    }
  if (blocked == NULL || blocked[0] == NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("Nobody is blocked"));
      gtk_list_box_append (list, row);
    }
}

void
flint_roster_view_show_blocked (FlintRosterView *self)
{
  GtkWidget *window, *box, *header, *page, *group, *list;

  if (self->roster == NULL)
    return;
  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), _ ("Blocked Contacts"));
  gtk_window_set_transient_for (GTK_WINDOW (window), parent_window (self));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 420);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  page = adw_preferences_page_new ();
  group = adw_preferences_group_new ();
  adw_preferences_group_set_description (
    ADW_PREFERENCES_GROUP (group),
    _ ("Blocked addresses cannot send you messages or see your status."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), list);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);
  fill_blocked (GTK_LIST_BOX (list), self->roster);
  g_signal_connect_object (self->roster, "blocklist-changed", G_CALLBACK (fill_blocked),
                           list, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

/* ---- public ------------------------------------------------------------ */

static gpointer
map_contacts (gpointer item, gpointer user_data)
{
  GListModel *contacts = flint_roster_get_contacts (FLINT_ROSTER (item));

  g_object_unref (item);
  return g_object_ref (contacts);
}

void
flint_roster_view_set_rosters (FlintRosterView *self, FlintRoster **rosters, guint n)
{
  GListModel *root;
  GtkMapListModel *contacts;

  g_return_if_fail (FLINT_IS_ROSTER_VIEW (self));

  if (n == g_list_model_get_n_items (G_LIST_MODEL (self->rosters)))
    {
      guint same = 0;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (FlintRoster) old =
            g_list_model_get_item (G_LIST_MODEL (self->rosters), i);

          same += old == rosters[i];
        }
      if (same == n)
        return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rosters)); i++)
    {
      g_autoptr (FlintRoster) old =
        g_list_model_get_item (G_LIST_MODEL (self->rosters), i);

      g_signal_handlers_disconnect_by_data (old, self);
    }
  if (self->tree)
    g_signal_handlers_disconnect_by_data (self->tree, self);
  if (self->found)
    g_signal_handlers_disconnect_by_data (self->found, self);
  gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->tree_selection);
  g_clear_object (&self->found_selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->found);
  g_clear_object (&self->roster);
  g_list_store_remove_all (self->rosters);
  g_hash_table_remove_all (self->seen_groups);
  while (gtk_widget_get_first_child (GTK_WIDGET (self->requests_box)))
    gtk_list_box_remove (self->requests_box,
                         gtk_widget_get_first_child (GTK_WIDGET (self->requests_box)));
  gtk_widget_set_visible (GTK_WIDGET (self->requests_box), FALSE);
  if (n == 0)
    {
      update_empty (self);
      return;
    }

  for (guint i = 0; i < n; i++)
    g_list_store_append (self->rosters, rosters[i]);
  self->roster = g_object_ref (rosters[0]);
  /* One account looks as it always did; several get a section each. */
  root = n == 1 ? g_object_ref (flint_roster_get_groups (self->roster))
                : g_object_ref (G_LIST_MODEL (self->rosters));
  self->tree = gtk_tree_list_model_new (root, FALSE, TRUE, create_children, NULL, NULL);
  contacts = gtk_map_list_model_new (g_object_ref (G_LIST_MODEL (self->rosters)),
                                     map_contacts, NULL, NULL);
  self->found = gtk_filter_list_model_new (
    G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (contacts))),
    g_object_ref (GTK_FILTER (self->filter)));
  self->tree_selection = GTK_SELECTION_MODEL (
    gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree))));
  gtk_single_selection_set_autoselect (GTK_SINGLE_SELECTION (self->tree_selection),
                                       FALSE);
  gtk_single_selection_set_can_unselect (GTK_SINGLE_SELECTION (self->tree_selection),
                                         TRUE);
  self->found_selection = GTK_SELECTION_MODEL (
    gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->found))));
  g_signal_connect (self->tree, "items-changed", G_CALLBACK (on_tree_changed), self);
  g_signal_connect (self->found, "items-changed", G_CALLBACK (on_found_changed), self);
  for (guint i = 0; i < n; i++)
    {
      const char *const *pending = flint_roster_get_pending_requests (rosters[i]);

      g_signal_connect (rosters[i], "subscription-request",
                        G_CALLBACK (on_subscription_request), self);
      flint_roster_set_show_offline (
        rosters[i], g_settings_get_boolean (self->settings, "show-offline"));
      for (guint j = 0; pending && pending[j]; j++)
        add_request (self, rosters[i], pending[j], NULL);
    }
  gtk_list_view_set_model (self->list_view, self->search && *self->search
                                              ? self->found_selection
                                              : self->tree_selection);
  on_tree_changed (G_LIST_MODEL (self->tree), 0, 0, 0, self);
}

void
flint_roster_view_set_roster (FlintRosterView *self, FlintRoster *roster)
{
  flint_roster_view_set_rosters (self, &roster, roster ? 1 : 0);
}

FlintRoster *
flint_roster_view_get_roster (FlintRosterView *self)
{
  return self->roster;
}

char *
flint_roster_view_describe (FlintRosterView *self)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (self->list_view));
  GString *out = g_string_new ("[");
  guint n = model ? MIN (g_list_model_get_n_items (model), 500) : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->requests_box));
       child; child = gtk_widget_get_next_sibling (child))
    g_string_append_printf (out, "%s\"R:%s\"", out->len > 1 ? ", " : "",
                            (char *) g_object_get_data (G_OBJECT (child), "jid"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) object = g_list_model_get_item (model, i);
      g_autoptr (GObject) inner =
        GTK_IS_TREE_LIST_ROW (object)
          ? gtk_tree_list_row_get_item (GTK_TREE_LIST_ROW (object))
          : g_object_ref (object);
      g_autofree char *text = NULL;

      if (FLINT_IS_ROSTER (inner))
        text = g_strdup_printf (
          "A:%s|%s|%u", roster_account (FLINT_ROSTER (inner)),
          session_state_label (flint_roster_get_session (FLINT_ROSTER (inner))),
          g_list_model_get_n_items (flint_roster_get_contacts (FLINT_ROSTER (inner))));
      else if (FLINT_IS_ROSTER_GROUP (inner))
        text = g_strdup_printf ("G:%s",
                                flint_roster_group_get_name (FLINT_ROSTER_GROUP (inner)));
      else
        {
          FlintContact *contact = FLINT_CONTACT (inner);

          const char *avatar = flint_contact_get_avatar_path (contact);
          g_autofree char *avatar_name = avatar ? g_path_get_basename (avatar) : NULL;

          /* The last field: the avatar's cache file name (its SHA-1). */
          text = g_strdup_printf (
            "C:%s|%s|%u|%s|%s", flint_contact_get_jid (contact),
            flint_presence_css_class (flint_contact_get_presence (contact)),
            flint_contact_get_unread (contact), flint_contact_get_subscription (contact),
            avatar_name ? avatar_name : "");
        }
      if (out->len > 1)
        g_string_append (out, ", ");
      flint_json_append_string (out, text);
    }
  g_string_append (out, "]");
  return g_string_free (out, FALSE);
}

/* ---- object ------------------------------------------------------------ */

static void
flint_roster_view_get_property (GObject *object,
                                guint prop_id,
                                GValue *value,
                                GParamSpec *pspec)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (object);

  switch (prop_id)
    {
      case PROP_SEARCH_MODE:
        g_value_set_boolean (value, gtk_search_bar_get_search_mode (self->search_bar));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_roster_view_set_property (GObject *object,
                                guint prop_id,
                                const GValue *value,
                                GParamSpec *pspec)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (object);

  switch (prop_id)
    {
      case PROP_SEARCH_MODE:
        gtk_search_bar_set_search_mode (self->search_bar, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_search_mode (GtkSearchBar *bar, GParamSpec *pspec, FlintRosterView *self)
{
  if (!gtk_search_bar_get_search_mode (bar))
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_MODE]);
}

static void
on_show_offline_changed (GSettings *settings, const char *key, FlintRosterView *self)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rosters)); i++)
    {
      g_autoptr (FlintRoster) roster =
        g_list_model_get_item (G_LIST_MODEL (self->rosters), i);

      flint_roster_set_show_offline (roster,
                                     g_settings_get_boolean (settings, "show-offline"));
    }
}

static void
flint_roster_view_dispose (GObject *object)
{
  FlintRosterView *self = FLINT_ROSTER_VIEW (object);

  g_clear_handle_id (&self->apply_idle, g_source_remove);
  if (self->list_view)
    flint_roster_view_set_roster (self, NULL);
  flint_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_ROSTER_VIEW);
  self->list_view = NULL;
  g_clear_object (&self->filter);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->seen_groups, g_hash_table_unref);
  g_clear_object (&self->rosters);
  G_OBJECT_CLASS (flint_roster_view_parent_class)->dispose (object);
}

static void
flint_roster_view_finalize (GObject *object)
{
  g_free (FLINT_ROSTER_VIEW (object)->search);
  G_OBJECT_CLASS (flint_roster_view_parent_class)->finalize (object);
}

static void
flint_roster_view_class_init (FlintRosterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_roster_view_dispose;
  object_class->finalize = flint_roster_view_finalize;
  object_class->get_property = flint_roster_view_get_property;
  object_class->set_property = flint_roster_view_set_property;

  properties[PROP_SEARCH_MODE] = g_param_spec_boolean (
    "search-mode", NULL, NULL, FALSE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CONTACT_ACTIVATED] =
    g_signal_new ("contact-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-roster-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintRosterView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, FlintRosterView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FlintRosterView, requests_box);
  gtk_widget_class_bind_template_child (widget_class, FlintRosterView, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintRosterView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, FlintRosterView, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_mode);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);

  gtk_widget_class_install_action (widget_class, "roster.open", "s", open_activated);
  gtk_widget_class_install_action (widget_class, "roster.accept", "s", accept_activated);
  gtk_widget_class_install_action (widget_class, "roster.deny", "s", deny_activated);
  gtk_widget_class_install_action (widget_class, "roster.reconnect", "s",
                                   reconnect_activated);
  gtk_widget_class_install_action (widget_class, "roster.rename", "s", rename_activated);
  gtk_widget_class_install_action (widget_class, "roster.groups", "s", groups_activated);
  gtk_widget_class_install_action (widget_class, "roster.remove", "s", remove_activated);
  gtk_widget_class_install_action (widget_class, "roster.block", "s", block_activated);
  gtk_widget_class_install_action (widget_class, "roster.unblock", "s",
                                   unblock_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
flint_roster_view_init (FlintRosterView *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
  self->seen_groups = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->rosters = g_list_store_new (FLINT_TYPE_ROSTER);
  self->filter = gtk_custom_filter_new (match_contact, self, NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  g_signal_connect_object (self->settings, "changed::show-offline",
                           G_CALLBACK (on_show_offline_changed), self, 0);
  update_empty (self);
}

FlintRosterView *
flint_roster_view_new (void)
{
  return g_object_new (FLINT_TYPE_ROSTER_VIEW, NULL);
}

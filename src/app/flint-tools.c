/* The tools of the main menu as application actions, and the hooks the UI
 * tests drive them through. */
#include "config.h"

#define G_LOG_DOMAIN "flint-tools"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "flint-account-chooser.h"
#include "flint-broadcast-window.h"
#include "flint-command-window.h"
#include "flint-contact-details-window.h"
#include "flint-defaults.h"
#include "flint-disco-window.h"
#include "flint-jid.h"
#include "flint-json.h"
#include "flint-tools.h"
#include "flint-user-search-window.h"
#include "flint-window.h"
#include "flint-xml-console.h"

static gpointer
find_window (FlintApplication *app, GType type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

/* Any toplevel, also dialogs created without the application. */
static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

/* ---- one tool window per account ----------------------------------------- */

typedef gpointer (*ToolOpenFunc) (FlintApplication *app, const char *account);

/* The account of the focused window's current tab, else the main one. */
static const char *
current_account (FlintApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  FlintSession *session = flint_application_get_main_session (app);

  if (FLINT_IS_WINDOW (window) &&
      flint_window_get_current_account (FLINT_WINDOW (window)))
    return flint_window_get_current_account (FLINT_WINDOW (window));
  return session ? flint_account_get_jid (flint_session_get_account (session)) : NULL;
}

static gpointer
find_tool (FlintApplication *app, GType type, const char *account)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) &&
        flint_jid_equal_bare (g_object_get_data (G_OBJECT (l->data), "flint-account"),
                              account))
      return l->data;
  return NULL;
}

/* Choosing another account opens (or shows) that account's window of the
 * same tool; this one stays with its own account. */
static void
on_tool_account (FlintAccountChooser *chooser, GParamSpec *pspec, GtkWindow *window)
{
  ToolOpenFunc open = g_object_get_data (G_OBJECT (window), "flint-tool-open");
  const char *own = g_object_get_data (G_OBJECT (window), "flint-account");
  g_autofree char *chosen = g_strdup (flint_account_chooser_get_account (chooser));
  GtkApplication *app = gtk_window_get_application (window);

  if (chosen == NULL || flint_jid_equal_bare (own, chosen) || app == NULL)
    return;
  flint_account_chooser_set_account (chooser, own);
  open (FLINT_APPLICATION (app), chosen);
}

static void
tag_tool (GtkWindow *window,
          FlintApplication *app,
          const char *account,
          ToolOpenFunc open)
{
  FlintAccountChooser *chooser;

  g_object_set_data_full (G_OBJECT (window), "flint-account", g_strdup (account), g_free);
  g_object_set_data (G_OBJECT (window), "flint-tool-open", open);
  chooser = flint_account_chooser_attach (window, app, account);
  if (chooser)
    g_signal_connect_object (chooser, "notify::account", G_CALLBACK (on_tool_account),
                             window, 0);
}

static gpointer
open_console_for (FlintApplication *app, const char *account)
{
  FlintXmlConsole *console = find_tool (app, FLINT_TYPE_XML_CONSOLE, account);

  if (console == NULL)
    {
      console = flint_xml_console_new (
        GTK_APPLICATION (app),
        account ? flint_application_get_session (app, account) : NULL);
      tag_tool (GTK_WINDOW (console), app, account, open_console_for);
    }
  gtk_window_present (GTK_WINDOW (console));
  return console;
}

static FlintXmlConsole *
open_console (FlintApplication *app)
{
  return open_console_for (app, current_account (app));
}

static void
xml_console_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  open_console (user_data);
}

static gpointer
open_disco_for (FlintApplication *app, const char *account)
{
  FlintDiscoWindow *window = find_tool (app, FLINT_TYPE_DISCO_WINDOW, account);

  if (window == NULL)
    {
      window = flint_disco_window_new (
        GTK_APPLICATION (app),
        account ? flint_application_get_session (app, account) : NULL);
      tag_tool (GTK_WINDOW (window), app, account, open_disco_for);
    }
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static FlintDiscoWindow *
open_disco (FlintApplication *app)
{
  return open_disco_for (app, current_account (app));
}

static void
service_discovery_activated (GSimpleAction *action,
                             GVariant *parameter,
                             gpointer user_data)
{
  open_disco (user_data);
}

static gpointer
open_search_for (FlintApplication *app, const char *account)
{
  FlintUserSearchWindow *window = find_tool (app, FLINT_TYPE_USER_SEARCH_WINDOW, account);

  if (window == NULL)
    {
      window = flint_user_search_window_new (
        GTK_APPLICATION (app),
        account ? flint_application_get_session (app, account) : NULL,
        account ? flint_application_get_roster (app, account) : NULL);
      tag_tool (GTK_WINDOW (window), app, account, open_search_for);
    }
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static FlintUserSearchWindow *
open_search (FlintApplication *app)
{
  return open_search_for (app, current_account (app));
}

static void
find_people_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  open_search (user_data);
}

static gpointer open_my_details_for (FlintApplication *app, const char *account);

/* One window per account and person (NULL: ourselves). */
static FlintContactDetailsWindow *
open_details_for (FlintApplication *app, const char *account, const char *jid)
{
  FlintSession *session = account ? flint_application_get_session (app, account) : NULL;
  FlintContactDetailsWindow *window = NULL;
  FlintRoster *roster;
  FlintContact *contact;

  if (session == NULL)
    return NULL;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (FLINT_IS_CONTACT_DETAILS_WINDOW (l->data) &&
        g_strcmp0 (flint_contact_details_window_get_jid (l->data), jid) == 0 &&
        flint_jid_equal_bare (g_object_get_data (G_OBJECT (l->data), "flint-account"),
                              account))
      window = l->data;
  if (window == NULL)
    {
      roster = flint_application_get_roster (app, account);
      contact = roster && jid ? flint_roster_lookup (roster, jid) : NULL;
      window = flint_contact_details_window_new (
        GTK_APPLICATION (app), session, jid,
        contact ? flint_contact_get_name (contact) : NULL);
      g_object_set_data_full (G_OBJECT (window), "flint-account", g_strdup (account),
                              g_free);
      /* My Details: which of my accounts is a choice. */
      if (jid == NULL)
        tag_tool (GTK_WINDOW (window), app, account, open_my_details_for);
    }
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static gpointer
open_my_details_for (FlintApplication *app, const char *account)
{
  return open_details_for (app, account, NULL);
}

static FlintContactDetailsWindow *
open_details (FlintApplication *app, const char *jid)
{
  return open_details_for (app, current_account (app), jid);
}

static void
contact_details_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  const char *jid = g_variant_get_string (parameter, NULL);

  if (flint_jid_is_valid (jid))
    open_details (user_data, jid);
}

static void
my_details_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  open_details (user_data, NULL);
}

static gpointer
open_broadcast_for (FlintApplication *app, const char *account)
{
  FlintBroadcastWindow *window = find_tool (app, FLINT_TYPE_BROADCAST_WINDOW, account);

  if (window == NULL)
    {
      window = flint_broadcast_window_new (
        GTK_APPLICATION (app),
        account ? flint_application_get_roster (app, account) : NULL,
        account ? flint_application_get_chat (app, account) : NULL);
      tag_tool (GTK_WINDOW (window), app, account, open_broadcast_for);
    }
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static FlintBroadcastWindow *
open_broadcast (FlintApplication *app)
{
  return open_broadcast_for (app, current_account (app));
}

static void
broadcast_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  open_broadcast (user_data);
}

/* ---- test hooks ---------------------------------------------------------- */

static void dump_rows (FlintApplication *app, const char *path, const char *type_name);
static gboolean set_row (GtkWidget *window, const char *title, const char *text);

static void
write_json (const char *path, GString *out)
{
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, out->str, (gssize) out->len, &error))
    g_warning ("test-tools: %s", error->message);
}

/* [{"type", "account", "chooser"}] of every window that acts as an account. */
static void
dump_tool_accounts (FlintApplication *app, const char *path)
{
  g_autoptr (GString) out = g_string_new ("[");
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
      FlintAccountChooser *chooser = g_object_get_data (window, "flint-account-chooser");
      const char *account = g_object_get_data (window, "flint-account");

      if (chooser == NULL && account == NULL)
        continue;
      if (out->len > 1)
        g_string_append (out, ", ");
      g_string_append (out, "{\"type\": ");
      flint_json_append_string (out, G_OBJECT_TYPE_NAME (window));
      g_string_append (out, ", \"account\": ");
      flint_json_append_string (out, account);
      g_string_append (out, ", \"chooser\": ");
      flint_json_append_string (out, chooser ? flint_account_chooser_get_account (chooser)
                                             : NULL);
      g_string_append (out, "}");
    }
  g_string_append (out, "]\n");
  write_json (path, out);
}

static void
dump_console (FlintApplication *app, const char *path)
{
  FlintXmlConsole *console = find_window (app, FLINT_TYPE_XML_CONSOLE);
  g_autoptr (GString) out = g_string_new ("{\"open\": ");
  g_autofree char *text = console ? flint_xml_console_get_text (console) : NULL;

  g_string_append (out, console ? "true" : "false");
  g_string_append (out, ", \"text\": ");
  flint_json_append_string (out, text);
  g_string_append (out, ", \"error\": ");
  flint_json_append_string (out, console ? flint_xml_console_get_error (console) : NULL);
  g_string_append_printf (out, ", \"shown\": %u}\n",
                          console ? flint_xml_console_get_n_shown (console) : 0);
  write_json (path, out);
}

static void
dump_disco (FlintApplication *app, const char *path)
{
  FlintDiscoWindow *disco = find_window (app, FLINT_TYPE_DISCO_WINDOW);
  FlintCommandWindow *command = find_window (app, FLINT_TYPE_COMMAND_WINDOW);
  g_autoptr (GString) out = g_string_new ("{\"browser\": ");

  if (disco)
    flint_disco_window_describe_json (disco, out);
  else
    g_string_append (out, "null");
  g_string_append (out, ", \"command\": ");
  if (command)
    flint_command_window_describe_json (command, out);
  else
    g_string_append (out, "null");
  g_string_append (out, "}\n");
  write_json (path, out);
}

static void
command_request (FlintApplication *app,
                 const char *verb,
                 const char *arg,
                 const char *arg2)
{
  FlintCommandWindow *command = find_window (app, FLINT_TYPE_COMMAND_WINDOW);

  if (command == NULL)
    {
      g_warning ("test-tools: no command window");
      return;
    }
  if (g_str_equal (verb, "command-set"))
    {
      if (!flint_command_window_set_text (command, arg, arg2 ? arg2 : ""))
        g_warning ("test-tools: no field %s", arg);
    }
  else
    {
      g_autofree char *action = g_strconcat ("command.", arg, NULL);

      gtk_widget_activate_action (GTK_WIDGET (command), action, NULL);
    }
}

/* app.test-tools ("verb|arg|..."): console-open, console-close,
 * console-dump|PATH, console-send|XML (typed, then the Send button's
 * action), console-filter|TEXT|DIRECTION|KIND; disco-open, disco-dump|PATH,
 * disco-browse|JID, disco-expand|JID|NODE, disco-select|JID|NODE,
 * disco-run|NODE (a command of the selected entity), command-set|VAR|VALUE,
 * command-action|next|prev|complete|cancel; search-open, search-dump|PATH,
 * search-service|JID, search-set|VAR|VALUE, search-run, search-add|JID;
 * details-open|JID (empty: ours), details-dump|PATH|JID,
 * details-set|FIELD|VALUE|JID, details-save|JID; broadcast-open,
 * broadcast-group|NAME, broadcast-toggle|JID, broadcast-text|TEXT,
 * broadcast-send, broadcast-dump|PATH; rows-dump|PATH|TYPE,
 * row-set|TITLE|TEXT|TYPE, window-action|ACTION|TYPE (any window type). */
static void
test_tools_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FlintApplication *app = user_data;
  g_auto (GStrv) parts = g_strsplit (g_variant_get_string (parameter, NULL), "|", 4);
  const char *verb = parts[0] ? parts[0] : "";
  const char *arg = parts[0] && parts[1] ? parts[1] : "";

  if (g_str_equal (verb, "console-open"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "xml-console", NULL);
  else if (g_str_equal (verb, "accounts-dump"))
    dump_tool_accounts (app, arg);
  else if (g_str_equal (verb, "choose-account"))
    {
      /* "choose-account|TYPE|ACCOUNT": picks ACCOUNT in the chooser of the
       * newest open window of type TYPE, as a user would. */
      GListModel *toplevels = gtk_window_get_toplevels ();

      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
          FlintAccountChooser *chooser =
            g_object_get_data (window, "flint-account-chooser");

          if (chooser && parts[2] && g_str_equal (G_OBJECT_TYPE_NAME (window), arg))
            {
              flint_account_chooser_set_account (chooser, parts[2]);
              break;
            }
        }
    }
  else if (g_str_equal (verb, "console-close"))
    {
      GtkWindow *console = find_window (app, FLINT_TYPE_XML_CONSOLE);

      if (console)
        gtk_window_destroy (console);
    }
  else if (g_str_equal (verb, "console-dump"))
    dump_console (app, arg);
  else if (g_str_equal (verb, "console-send"))
    {
      FlintXmlConsole *console = open_console (app);

      flint_xml_console_set_input (console, arg);
      gtk_widget_activate_action (GTK_WIDGET (console), "console.send", NULL);
    }
  else if (g_str_equal (verb, "console-filter") && g_strv_length (parts) == 4)
    flint_xml_console_set_filter (open_console (app), arg, atoi (parts[2]),
                                  atoi (parts[3]));
  else if (g_str_equal (verb, "disco-open"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "service-discovery", NULL);
  else if (g_str_equal (verb, "disco-dump"))
    dump_disco (app, arg);
  else if (g_str_equal (verb, "disco-browse"))
    flint_disco_window_browse (open_disco (app), arg);
  else if (g_str_equal (verb, "disco-expand") || g_str_equal (verb, "disco-select"))
    {
      FlintDiscoWindow *disco = open_disco (app);
      const char *node = parts[1] ? parts[2] : NULL;
      gboolean found = g_str_equal (verb, "disco-expand")
                         ? flint_disco_window_expand (disco, arg, node)
                         : flint_disco_window_select (disco, arg, node);

      if (!found)
        g_warning ("test-tools: no row %s", arg);
    }
  else if (g_str_equal (verb, "disco-run"))
    {
      if (!flint_disco_window_run_command (open_disco (app), arg))
        g_warning ("test-tools: no command %s", arg);
    }
  else if (g_str_equal (verb, "search-dump"))
    {
      FlintUserSearchWindow *search = find_window (app, FLINT_TYPE_USER_SEARCH_WINDOW);
      g_autoptr (GString) out = g_string_new (NULL);

      if (search)
        flint_user_search_window_describe_json (search, out);
      else
        g_string_append (out, "null");
      write_json (arg, out);
    }
  else if (g_str_equal (verb, "search-open"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "find-people", NULL);
  else if (g_str_equal (verb, "search-service"))
    flint_user_search_window_set_service (open_search (app), arg);
  else if (g_str_equal (verb, "search-set"))
    {
      if (!flint_user_search_window_set_text (open_search (app), arg,
                                              parts[1] && parts[2] ? parts[2] : ""))
        g_warning ("test-tools: no search field %s", arg);
    }
  else if (g_str_equal (verb, "search-run"))
    gtk_widget_activate_action (GTK_WIDGET (open_search (app)), "search.run", NULL);
  else if (g_str_equal (verb, "search-add"))
    {
      if (!flint_user_search_window_add (open_search (app), arg))
        g_warning ("test-tools: cannot add %s", arg);
    }
  else if (g_str_equal (verb, "rows-dump"))
    dump_rows (app, arg, parts[1] ? parts[2] : NULL);
  else if (g_str_equal (verb, "row-set"))
    {
      GType type = parts[1] && parts[2] && parts[3] ? g_type_from_name (parts[3]) : 0;
      GtkWidget *window = type ? find_toplevel (type) : NULL;

      if (window == NULL || !set_row (window, arg, parts[2]))
        g_warning ("test-tools: no row %s", arg);
    }
  else if (g_str_equal (verb, "window-action"))
    {
      GType type = parts[1] && parts[2] ? g_type_from_name (parts[2]) : 0;
      GtkWidget *window = type ? find_toplevel (type) : NULL;

      if (window == NULL || !gtk_widget_activate_action (window, arg, NULL))
        g_warning ("test-tools: no action %s", arg);
    }
  else if (g_str_equal (verb, "broadcast-open"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "broadcast", NULL);
  else if (g_str_equal (verb, "broadcast-group"))
    flint_broadcast_window_choose_group (open_broadcast (app), arg);
  else if (g_str_equal (verb, "broadcast-toggle"))
    {
      if (!flint_broadcast_window_toggle (open_broadcast (app), arg))
        g_warning ("test-tools: no contact %s", arg);
    }
  else if (g_str_equal (verb, "broadcast-text"))
    flint_broadcast_window_set_text (open_broadcast (app), arg);
  else if (g_str_equal (verb, "broadcast-send"))
    gtk_widget_activate_action (GTK_WIDGET (open_broadcast (app)), "broadcast.send",
                                NULL);
  else if (g_str_equal (verb, "broadcast-dump"))
    {
      FlintBroadcastWindow *window = find_window (app, FLINT_TYPE_BROADCAST_WINDOW);
      g_autoptr (GString) out = g_string_new (NULL);

      if (window)
        flint_broadcast_window_describe_json (window, out);
      else
        g_string_append (out, "null");
      write_json (arg, out);
    }
  else if (g_str_equal (verb, "details-open"))
    open_details (app, *arg ? arg : NULL);
  else if (g_str_equal (verb, "details-dump") || g_str_equal (verb, "details-set") ||
           g_str_equal (verb, "details-save"))
    {
      /* The last argument names the window: a JID, or "" for ours. */
      const char *who =
        g_str_equal (verb, "details-set")    ? (parts[1] && parts[2] ? parts[3] : NULL)
        : g_str_equal (verb, "details-dump") ? (parts[1] ? parts[2] : NULL)
                                             : arg;
      FlintContactDetailsWindow *details = NULL;

      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
        if (FLINT_IS_CONTACT_DETAILS_WINDOW (l->data) &&
            g_strcmp0 (flint_contact_details_window_get_jid (l->data),
                       who && *who ? who : NULL) == 0)
          details = l->data;
      if (g_str_equal (verb, "details-dump"))
        {
          g_autoptr (GString) out = g_string_new (NULL);

          if (details)
            flint_contact_details_window_describe_json (details, out);
          else
            g_string_append (out, "null");
          write_json (arg, out);
        }
      else if (details == NULL)
        g_warning ("test-tools: no details window for %s", who ? who : "(own)");
      else if (g_str_equal (verb, "details-set"))
        {
          if (!flint_contact_details_window_set_text (details, arg, parts[2]))
            g_warning ("test-tools: no details field %s", arg);
        }
      else
        gtk_widget_activate_action (GTK_WIDGET (details), "details.save", NULL);
    }
  else if (g_str_equal (verb, "command-set") || g_str_equal (verb, "command-action"))
    command_request (app, verb, arg, parts[1] ? parts[2] : NULL);
  else
    g_warning ("test-tools: unknown request %s", verb);
}

/* Features an administrator can switch off (FlintDefaults), and the
 * actions that reach them: a disabled action also hides its menu item
 * (hidden-when="action-disabled"). */
static const struct
{
  const char *feature;
  const char *actions[3];
} features[] = {
  { "xml-console", { "xml-console", NULL } },
  { "service-discovery", { "service-discovery", NULL } },
  { "user-search", { "find-people", NULL } },
  { "contact-details", { "contact-details", "my-details", NULL } },
  { "broadcast", { "broadcast", NULL } },
  { "file-transfer", { "show-transfers", "transfer-attach", NULL } },
};

static void
disable_features (FlintApplication *app)
{
  FlintDefaults *defaults = flint_defaults_get_default ();

  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    {
      if (!flint_defaults_is_disabled (defaults, features[i].feature))
        continue;
      for (guint j = 0; features[i].actions[j]; j++)
        {
          GAction *action =
            g_action_map_lookup_action (G_ACTION_MAP (app), features[i].actions[j]);

          if (G_IS_SIMPLE_ACTION (action))
            g_simple_action_set_enabled (G_SIMPLE_ACTION (action), FALSE);
        }
      g_debug ("%s is disabled by the system's defaults", features[i].feature);
    }
}

/* Tests: the text of every entry row of the first window of type_name, as
 * "title|text" lines in a JSON list. */
static void
dump_rows (FlintApplication *app, const char *path, const char *type_name)
{
  GType type = g_type_from_name (type_name);
  GtkWidget *window = type ? find_toplevel (type) : NULL;
  g_autoptr (GString) out = g_string_new ("[");

  for (GtkWidget *w = window; w;)
    {
      if (ADW_IS_ENTRY_ROW (w))
        {
          g_autofree char *line = g_strdup_printf (
            "%s|%s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)),
            gtk_editable_get_text (GTK_EDITABLE (w)));

          if (out->len > 1)
            g_string_append (out, ", ");
          flint_json_append_string (out, line);
        }
      /* Depth-first, without recursion. */
      if (gtk_widget_get_first_child (w) && !ADW_IS_ENTRY_ROW (w))
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w && w != window && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w && w != window ? gtk_widget_get_next_sibling (w) : NULL;
        }
    }
  g_string_append (out, "]\n");
  write_json (path, out);
}

static gboolean
set_row (GtkWidget *window, const char *title, const char *text)
{
  for (GtkWidget *c = gtk_widget_get_first_child (window); c;
       c = gtk_widget_get_next_sibling (c))
    {
      if (ADW_IS_PREFERENCES_ROW (c) && GTK_IS_EDITABLE (c) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (c)), title) == 0)
        {
          gtk_editable_set_text (GTK_EDITABLE (c), text);
          return TRUE;
        }
      if (set_row (c, title, text))
        return TRUE;
    }
  return FALSE;
}

void
flint_tools_install (FlintApplication *app)
{
  const GActionEntry actions[] = {
    { "xml-console", xml_console_activated },
    { "service-discovery", service_discovery_activated },
    { "find-people", find_people_activated },
    { "contact-details", contact_details_activated, "s" },
    { "my-details", my_details_activated },
    { "broadcast", broadcast_activated },
  };
  const char *console_accels[] = { "<Control><Shift>x", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.xml-console",
                                         console_accels);
  disable_features (app);
  if (g_strcmp0 (g_getenv ("FLINT_TEST_HOOKS"), "1") == 0)
    {
      const GActionEntry test_actions[] = {
        { "test-tools", test_tools_activated, "s" },
      };

      g_action_map_add_action_entries (G_ACTION_MAP (app), test_actions,
                                       G_N_ELEMENTS (test_actions), app);
    }
}

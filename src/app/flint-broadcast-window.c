/* FlintBroadcastWindow: Spark's broadcast, one message to many. */
#include "config.h"

#define G_LOG_DOMAIN "flint-broadcast-window"

#include <glib/gi18n.h>

#include "flint-broadcast-window.h"
#include "flint-broadcast.h"
#include "flint-json.h"

struct _FlintBroadcastWindow
{
  AdwWindow parent_instance;

  FlintRoster *roster;
  FlintChat *chat;
  GPtrArray *checks; /* GtkCheckButton, "flint-jid" set on each */
  GStrv groups;      /* the combo's entries after the first */
  gboolean choosing; /* a group is ticking boxes: the combo stays */

  GtkTextView *text_view;
  GtkLabel *status_label;
  AdwComboRow *group_row;
  AdwPreferencesGroup *contacts_group;
};

G_DEFINE_FINAL_TYPE (FlintBroadcastWindow, flint_broadcast_window, ADW_TYPE_WINDOW)

static void
show_status (FlintBroadcastWindow *self, const char *text, gboolean error)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text && *text);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static char **
checked_jids (FlintBroadcastWindow *self)
{
  GPtrArray *jids = g_ptr_array_new ();

  for (guint i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->checks, i);

      if (gtk_check_button_get_active (check))
        g_ptr_array_add (jids,
                         g_strdup (g_object_get_data (G_OBJECT (check), "flint-jid")));
    }
  g_ptr_array_add (jids, NULL);
  return (char **) g_ptr_array_free (jids, FALSE);
}

static void
on_check_toggled (GtkCheckButton *check, FlintBroadcastWindow *self)
{
  /* Ticked by hand: the choice is no longer "a group". */
  if (!self->choosing)
    adw_combo_row_set_selected (self->group_row, 0);
}

void
flint_broadcast_window_choose_group (FlintBroadcastWindow *self, const char *group)
{
  g_auto (GStrv) members = NULL;

  if (group == NULL)
    return;
  members = flint_broadcast_group_members (self->roster, group);
  self->choosing = TRUE;
  for (guint i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->checks, i);

      gtk_check_button_set_active (
        check, g_strv_contains ((const char *const *) members,
                                g_object_get_data (G_OBJECT (check), "flint-jid")));
    }
  for (guint i = 0; self->groups[i]; i++)
    if (g_str_equal (self->groups[i], group))
      adw_combo_row_set_selected (self->group_row, i + 1);
  self->choosing = FALSE;
}

static void
on_group_selected (AdwComboRow *row, GParamSpec *pspec, FlintBroadcastWindow *self)
{
  guint selected = adw_combo_row_get_selected (row);

  if (self->choosing || selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected - 1 >= g_strv_length (self->groups))
    return;
  flint_broadcast_window_choose_group (self, self->groups[selected - 1]);
}

static void
send_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  FlintBroadcastWindow *self = FLINT_BROADCAST_WINDOW (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_auto (GStrv) jids = checked_jids (self);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  GtkTextIter start, end;
  guint sent;

  if (self->chat == NULL)
    {
      show_status (self, _ ("Set up an account first."), TRUE);
      return;
    }
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  sent = flint_broadcast_send (self->chat, (const char *const *) jids, text, &error);
  if (error)
    {
      /* The text stays, to send again or copy. */
      show_status (self, error->message, TRUE);
      return;
    }
  {
    g_autofree char *done = g_strdup_printf (
      g_dngettext (NULL, "Sent to %u contact.", "Sent to %u contacts.", sent), sent);

    show_status (self, done, FALSE);
  }
  gtk_text_buffer_set_text (buffer, "", 0);
  g_object_set_data (G_OBJECT (self), "flint-sent", GUINT_TO_POINTER (sent));
}

gboolean
flint_broadcast_window_toggle (FlintBroadcastWindow *self, const char *jid)
{
  for (guint i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->checks, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (check), "flint-jid"), jid) == 0)
        {
          gtk_check_button_set_active (check, !gtk_check_button_get_active (check));
          return TRUE;
        }
    }
  return FALSE;
}

void
flint_broadcast_window_set_text (FlintBroadcastWindow *self, const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "",
                            -1);
}

void
flint_broadcast_window_describe_json (FlintBroadcastWindow *self, GString *out)
{
  g_auto (GStrv) jids = checked_jids (self);
  guint selected = adw_combo_row_get_selected (self->group_row);

  g_string_append (out, "{\"checked\": [");
  for (guint i = 0; jids[i]; i++)
    {
      if (i)
        g_string_append (out, ", ");
      flint_json_append_string (out, jids[i]);
    }
  g_string_append_printf (out, "], \"contacts\": %u, \"group\": ", self->checks->len);
  flint_json_append_string (out,
                            selected > 0 && selected - 1 < g_strv_length (self->groups)
                              ? self->groups[selected - 1]
                              : NULL);
  g_string_append (out, ", \"status\": ");
  flint_json_append_string (out, gtk_widget_get_visible (GTK_WIDGET (self->status_label))
                                   ? gtk_label_get_text (self->status_label)
                                   : NULL);
  g_string_append (out, "}");
}

static int
compare_contacts (gconstpointer a, gconstpointer b)
{
  FlintContact *x = *(FlintContact *const *) a, *y = *(FlintContact *const *) b;

  return g_utf8_collate (flint_contact_get_display_name (x),
                         flint_contact_get_display_name (y));
}

static void
fill (FlintBroadcastWindow *self)
{
  GListModel *contacts = flint_roster_get_contacts (self->roster);
  GListModel *groups = flint_roster_get_groups (self->roster);
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  GPtrArray *group_names = g_ptr_array_new ();
  g_autoptr (GPtrArray) sorted = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_string_list_append (names, _ ("Contacts Ticked Below"));
  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr (FlintRosterGroup) group = g_list_model_get_item (groups, i);

      if (flint_roster_group_is_default (group))
        continue;
      gtk_string_list_append (names, flint_roster_group_get_name (group));
      g_ptr_array_add (group_names, g_strdup (flint_roster_group_get_name (group)));
    }
  g_ptr_array_add (group_names, NULL);
  self->groups = (GStrv) g_ptr_array_free (group_names, FALSE);
  adw_combo_row_set_model (self->group_row, G_LIST_MODEL (names));

  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    g_ptr_array_add (sorted, g_list_model_get_item (contacts, i));
  g_ptr_array_sort (sorted, compare_contacts);
  for (guint i = 0; i < sorted->len; i++)
    {
      FlintContact *contact = g_ptr_array_index (sorted, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      const char *name = flint_contact_get_display_name (contact);
      const char *jid = flint_contact_get_jid (contact);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name ? name : jid);
      if (name && g_strcmp0 (name, jid) != 0)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), jid);
      g_object_set_data_full (G_OBJECT (check), "flint-jid", g_strdup (jid), g_free);
      gtk_accessible_update_property (
        GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, name ? name : jid, -1);
      g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled), self);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (self->contacts_group, row);
      g_ptr_array_add (self->checks, check);
    }
  if (self->checks->len == 0)
    show_status (self, _ ("Your contact list is empty."), FALSE);
}

static void
flint_broadcast_window_dispose (GObject *object)
{
  FlintBroadcastWindow *self = FLINT_BROADCAST_WINDOW (object);

  g_clear_pointer (&self->checks, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_strfreev);
  g_clear_object (&self->roster);
  g_clear_object (&self->chat);
  G_OBJECT_CLASS (flint_broadcast_window_parent_class)->dispose (object);
}

static void
flint_broadcast_window_class_init (FlintBroadcastWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_broadcast_window_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/im/flint/Flint/flint-broadcast-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintBroadcastWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, FlintBroadcastWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, FlintBroadcastWindow, group_row);
  gtk_widget_class_bind_template_child (widget_class, FlintBroadcastWindow,
                                        contacts_group);
  gtk_widget_class_install_action (widget_class, "broadcast.send", NULL, send_activated);
}

static void
flint_broadcast_window_init (FlintBroadcastWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->checks = g_ptr_array_new ();
}

FlintBroadcastWindow *
flint_broadcast_window_new (GtkApplication *app, FlintRoster *roster, FlintChat *chat)
{
  FlintBroadcastWindow *self =
    g_object_new (FLINT_TYPE_BROADCAST_WINDOW, "application", app, NULL);

  if (roster && chat)
    {
      self->roster = g_object_ref (roster);
      self->chat = g_object_ref (chat);
      fill (self);
    }
  else
    {
      self->groups = g_new0 (char *, 1);
      show_status (self, _ ("Set up an account first."), TRUE);
    }
  g_signal_connect (self->group_row, "notify::selected", G_CALLBACK (on_group_selected),
                    self);
  return self;
}

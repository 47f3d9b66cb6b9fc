#include "config.h"

#define G_LOG_DOMAIN "flint-add-contact"

#include <glib/gi18n.h>
#include <string.h>

#include "flint-add-contact-dialog.h"
#include "flint-jid.h"

struct _FlintAddContactDialog
{
  AdwWindow parent_instance;

  FlintRoster *roster;

  AdwEntryRow *jid_row;
  AdwEntryRow *name_row;
  AdwEntryRow *group_row;
  GtkLabel *error_label;
  GtkWidget *add_button;
};

G_DEFINE_FINAL_TYPE (FlintAddContactDialog, flint_add_contact_dialog, ADW_TYPE_WINDOW)

static const char *
check_jid (FlintAddContactDialog *self, const char *jid)
{
  if (*jid == '\0')
    return NULL;
  if (!flint_jid_is_valid_bare (jid) || strchr (jid, '@') == NULL)
    return _ ("Enter a chat address like name@example.com.");
  if (self->roster && flint_roster_lookup (self->roster, jid))
    return _ ("This address is already in your contacts.");
  return NULL;
}

static void
on_jid_changed (FlintAddContactDialog *self)
{
  g_autofree char *jid =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->jid_row))));
  const char *problem = check_jid (self, jid);

  gtk_label_set_text (self->error_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), problem != NULL);
  if (problem)
    gtk_widget_add_css_class (GTK_WIDGET (self->jid_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->jid_row), "error");
  gtk_widget_set_sensitive (self->add_button, *jid && problem == NULL);
}

static void
add_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintAddContactDialog *self = FLINT_ADD_CONTACT_DIALOG (widget);
  g_autofree char *jid =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->jid_row))));
  g_autofree char *name =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *group =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->group_row))));
  const char *groups[] = { group, NULL };
  g_autoptr (GError) error = NULL;

  if (!gtk_widget_get_sensitive (self->add_button) || self->roster == NULL)
    return;
  if (!flint_roster_add (self->roster, jid, *name ? name : NULL, *group ? groups : NULL,
                         &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_entry_activated (FlintAddContactDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "contact.add", NULL);
}

void
flint_add_contact_dialog_set_jid (FlintAddContactDialog *self, const char *jid)
{
  gtk_editable_set_text (GTK_EDITABLE (self->jid_row), jid ? jid : "");
}

static void
flint_add_contact_dialog_dispose (GObject *object)
{
  FlintAddContactDialog *self = FLINT_ADD_CONTACT_DIALOG (object);

  g_clear_object (&self->roster);
  G_OBJECT_CLASS (flint_add_contact_dialog_parent_class)->dispose (object);
}

static void
flint_add_contact_dialog_class_init (FlintAddContactDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_add_contact_dialog_dispose;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/im/flint/Flint/flint-add-contact-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintAddContactDialog, jid_row);
  gtk_widget_class_bind_template_child (widget_class, FlintAddContactDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, FlintAddContactDialog, group_row);
  gtk_widget_class_bind_template_child (widget_class, FlintAddContactDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlintAddContactDialog, add_button);
  gtk_widget_class_bind_template_callback (widget_class, on_jid_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_install_action (widget_class, "contact.add", NULL, add_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close",
                                       NULL);
}

static void
flint_add_contact_dialog_init (FlintAddContactDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Another account (the account chooser): the address is checked again. */
void
flint_add_contact_dialog_set_roster (FlintAddContactDialog *self, FlintRoster *roster)
{
  g_return_if_fail (FLINT_IS_ADD_CONTACT_DIALOG (self));

  g_set_object (&self->roster, roster);
  on_jid_changed (self);
}

FlintAddContactDialog *
flint_add_contact_dialog_new (GtkWindow *parent, FlintRoster *roster)
{
  FlintAddContactDialog *self =
    g_object_new (FLINT_TYPE_ADD_CONTACT_DIALOG, "transient-for", parent, NULL);

  flint_add_contact_dialog_set_roster (self, roster);
  /* Start in the address field, not on Cancel. */
  gtk_widget_grab_focus (GTK_WIDGET (self->jid_row));
  return self;
}

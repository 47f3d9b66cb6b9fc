/* FlintContactPicker: the address entry of "Invite to room" and the like,
 * with the roster below it so nobody has to remember an address. The list
 * is a GtkListView over a filter of the roster's contacts, so a roster of
 * thousands costs only the rows on screen. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "flint-contact-picker.h"
#include "flint-contact.h"
#include "flint-jid.h"
#include "flint-widget.h"

struct _FlintContactPicker
{
  GtkWidget parent_instance;

  GtkEntry *entry;
  GtkScrolledWindow *scroller;
  GtkListView *list;

  GtkCustomFilter *filter;
  GtkSortListModel *sorted;
  GtkFilterListModel *filtered;
  char *needle; /* casefolded text typed, or NULL */
};

G_DEFINE_FINAL_TYPE (FlintContactPicker, flint_contact_picker, GTK_TYPE_WIDGET)

static char *
fold (const char *text)
{
  g_autofree char *normal = g_utf8_normalize (text ? text : "", -1, G_NORMALIZE_ALL);

  return g_utf8_casefold (normal ? normal : "", -1);
}

static gboolean
contact_matches (gpointer item, gpointer user_data)
{
  FlintContactPicker *self = user_data;
  FlintContact *contact = item;
  g_autofree char *name = NULL;
  g_autofree char *jid = NULL;

  if (self->needle == NULL)
    return TRUE;
  name = fold (flint_contact_get_name (contact));
  jid = fold (flint_contact_get_jid (contact));
  return strstr (name, self->needle) != NULL || strstr (jid, self->needle) != NULL;
}

static const char *
shown_name (FlintContact *contact)
{
  const char *name = flint_contact_get_name (contact);

  return name && *name ? name : flint_contact_get_jid (contact);
}

static int
compare_contacts (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_utf8_collate (shown_name ((FlintContact *) a),
                         shown_name ((FlintContact *) b));
}

static void
on_entry_changed (FlintContactPicker *self)
{
  g_autofree char *text =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));

  g_clear_pointer (&self->needle, g_free);
  if (*text)
    self->needle = fold (text);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
on_list_activate (FlintContactPicker *self, guint position)
{
  g_autoptr (FlintContact) contact =
    g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  if (contact == NULL)
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), flint_contact_get_jid (contact));
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *avatar = adw_avatar_new (28, NULL, TRUE);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *jid = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (jid), 0);
  gtk_label_set_ellipsize (GTK_LABEL (jid), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (jid, "caption");
  gtk_widget_add_css_class (jid, "dim-label");
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), jid);
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), labels);
  g_object_set_data (G_OBJECT (box), "avatar", avatar);
  g_object_set_data (G_OBJECT (box), "name", name);
  g_object_set_data (G_OBJECT (box), "jid", jid);
  gtk_list_item_set_child (item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  FlintContact *contact = gtk_list_item_get_item (item);
  const char *jid = flint_contact_get_jid (contact);
  const char *shown = shown_name (contact);

  adw_avatar_set_text (g_object_get_data (G_OBJECT (box), "avatar"), shown);
  gtk_label_set_text (g_object_get_data (G_OBJECT (box), "name"), shown);
  gtk_label_set_text (g_object_get_data (G_OBJECT (box), "jid"), jid);
}

GtkWidget *
flint_contact_picker_new (GListModel *contacts)
{
  FlintContactPicker *self = g_object_new (FLINT_TYPE_CONTACT_PICKER, NULL);

  if (contacts)
    gtk_sort_list_model_set_model (self->sorted, contacts);
  gtk_widget_set_visible (GTK_WIDGET (self->scroller), contacts != NULL);
  return GTK_WIDGET (self);
}

char *
flint_contact_picker_dup_jid (FlintContactPicker *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (FLINT_IS_CONTACT_PICKER (self), NULL);
  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  if (strchr (text, '@') && flint_jid_is_valid_bare (text))
    return g_steal_pointer (&text);
  /* A name that picks out exactly one contact ("erin" is also a valid
   * server address, but the person is what was meant). */
  if (*text && gtk_sort_list_model_get_model (self->sorted) &&
      g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 1)
    {
      g_autoptr (FlintContact) contact =
        g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);

      return g_strdup (flint_contact_get_jid (contact));
    }
  if (flint_jid_is_valid_bare (text))
    return g_steal_pointer (&text);
  return NULL;
}

GtkEditable *
flint_contact_picker_get_entry (FlintContactPicker *self)
{
  g_return_val_if_fail (FLINT_IS_CONTACT_PICKER (self), NULL);
  return GTK_EDITABLE (self->entry);
}

static gboolean
flint_contact_picker_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (FLINT_CONTACT_PICKER (widget)->entry));
}

static void
flint_contact_picker_dispose (GObject *object)
{
  flint_widget_dispose_template (GTK_WIDGET (object), FLINT_TYPE_CONTACT_PICKER);
  G_OBJECT_CLASS (flint_contact_picker_parent_class)->dispose (object);
}

static void
flint_contact_picker_finalize (GObject *object)
{
  FlintContactPicker *self = FLINT_CONTACT_PICKER (object);

  g_clear_object (&self->filtered);
  g_clear_object (&self->sorted);
  g_free (self->needle);
  G_OBJECT_CLASS (flint_contact_picker_parent_class)->finalize (object);
}

static void
flint_contact_picker_class_init (FlintContactPickerClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_contact_picker_dispose;
  G_OBJECT_CLASS (klass)->finalize = flint_contact_picker_finalize;
  widget_class->grab_focus = flint_contact_picker_grab_focus;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-contact-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintContactPicker, entry);
  gtk_widget_class_bind_template_child (widget_class, FlintContactPicker, scroller);
  gtk_widget_class_bind_template_child (widget_class, FlintContactPicker, list);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "flint-contact-picker");
}

static void
flint_contact_picker_init (FlintContactPicker *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkSingleSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->filter = gtk_custom_filter_new (contact_matches, self, NULL);
  /* The models own the filter and the sorter. */
  self->sorted = gtk_sort_list_model_new (
    NULL, GTK_SORTER (gtk_custom_sorter_new (compare_contacts, NULL, NULL)));
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->sorted)),
                                              GTK_FILTER (self->filter));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_list_view_set_model (self->list, GTK_SELECTION_MODEL (selection));
  gtk_list_view_set_factory (self->list, factory);
  g_object_unref (selection);
  g_object_unref (factory);
}

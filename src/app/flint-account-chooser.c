#include "config.h"

#define G_LOG_DOMAIN "flint-account-chooser"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "flint-account-chooser.h"
#include "flint-jid.h"

struct _FlintAccountChooser
{
  GtkWidget parent_instance;

  GtkDropDown *drop_down;
  GtkStringList *accounts;
};

G_DEFINE_FINAL_TYPE (FlintAccountChooser, flint_account_chooser, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint
flint_account_chooser_count (FlintApplication *app)
{
  GListModel *accounts =
    flint_account_store_get_model (flint_application_get_accounts (app));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (FlintAccount) account = g_list_model_get_item (accounts, i);

      n += flint_account_get_enabled (account) &&
           flint_application_get_session (app, flint_account_get_jid (account));
    }
  return n;
}

static void
on_selected (GtkDropDown *drop_down, GParamSpec *pspec, FlintAccountChooser *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

const char *
flint_account_chooser_get_account (FlintAccountChooser *self)
{
  guint selected = gtk_drop_down_get_selected (self->drop_down);

  g_return_val_if_fail (FLINT_IS_ACCOUNT_CHOOSER (self), NULL);

  if (selected == GTK_INVALID_LIST_POSITION)
    return NULL;
  return gtk_string_list_get_string (self->accounts, selected);
}

void
flint_account_chooser_set_account (FlintAccountChooser *self, const char *account)
{
  g_return_if_fail (FLINT_IS_ACCOUNT_CHOOSER (self));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->accounts)); i++)
    if (flint_jid_equal_bare (gtk_string_list_get_string (self->accounts, i), account))
      gtk_drop_down_set_selected (self->drop_down, i);
}

FlintAccountChooser *
flint_account_chooser_new (FlintApplication *app, const char *account)
{
  FlintAccountChooser *self = g_object_new (FLINT_TYPE_ACCOUNT_CHOOSER, NULL);
  GListModel *accounts =
    flint_account_store_get_model (flint_application_get_accounts (app));

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (FlintAccount) a = g_list_model_get_item (accounts, i);

      if (flint_account_get_enabled (a) &&
          flint_application_get_session (app, flint_account_get_jid (a)))
        gtk_string_list_append (self->accounts, flint_account_get_jid (a));
    }
  g_signal_handlers_block_by_func (self->drop_down, on_selected, self);
  if (account)
    flint_account_chooser_set_account (self, account);
  g_signal_handlers_unblock_by_func (self->drop_down, on_selected, self);
  return self;
}

/* The first widget of @type below @widget, having @css_class if given. */
static GtkWidget *
find_below (GtkWidget *widget, GType type, const char *css_class)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (css_class == NULL || gtk_widget_has_css_class (widget, css_class)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_below (child, type, css_class);

      if (found)
        return found;
    }
  return NULL;
}

FlintAccountChooser *
flint_account_chooser_attach (GtkWindow *window,
                              FlintApplication *app,
                              const char *account)
{
  GtkWidget *header;
  FlintAccountChooser *chooser;

  if (flint_account_chooser_count (app) < 2)
    return NULL;
  header = find_below (GTK_WIDGET (window), ADW_TYPE_HEADER_BAR, NULL);
  if (header == NULL)
    return NULL;
  chooser = flint_account_chooser_new (app, account);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (chooser));
  g_object_set_data (G_OBJECT (window), "flint-account-chooser", chooser);
  return chooser;
}

FlintAccountChooser *
flint_account_chooser_attach_form (GtkWindow *window,
                                   FlintApplication *app,
                                   const char *account)
{
  GtkWidget *group, *list, *row;
  FlintAccountChooser *chooser;

  if (flint_account_chooser_count (app) < 2)
    return NULL;
  group = find_below (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP, NULL);
  list = group ? find_below (group, GTK_TYPE_LIST_BOX, "boxed-list") : NULL;
  if (list == NULL)
    return flint_account_chooser_attach (window, app, account);
  chooser = flint_account_chooser_new (app, account);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("Account"));
  gtk_widget_set_valign (GTK_WIDGET (chooser), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (chooser));
  gtk_list_box_prepend (GTK_LIST_BOX (list), row);
  g_object_set_data (G_OBJECT (window), "flint-account-chooser", chooser);
  return chooser;
}

static void
flint_account_chooser_get_property (GObject *object,
                                    guint prop_id,
                                    GValue *value,
                                    GParamSpec *pspec)
{
  switch (prop_id)
    {
      case PROP_ACCOUNT:
        g_value_set_string (
          value, flint_account_chooser_get_account (FLINT_ACCOUNT_CHOOSER (object)));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_account_chooser_dispose (GObject *object)
{
  FlintAccountChooser *self = FLINT_ACCOUNT_CHOOSER (object);

  if (self->drop_down)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->drop_down)));
  g_clear_object (&self->accounts);
  G_OBJECT_CLASS (flint_account_chooser_parent_class)->dispose (object);
}

static void
flint_account_chooser_class_init (FlintAccountChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_account_chooser_dispose;
  object_class->get_property = flint_account_chooser_get_property;
  properties[PROP_ACCOUNT] = g_param_spec_string (
    "account", NULL, NULL, NULL,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
flint_account_chooser_init (FlintAccountChooser *self)
{
  self->accounts = gtk_string_list_new (NULL);
  self->drop_down = GTK_DROP_DOWN (
    gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->accounts)), NULL));
  gtk_widget_set_parent (GTK_WIDGET (self->drop_down), GTK_WIDGET (self));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->drop_down), _ ("Account"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->drop_down),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Account"), -1);
  g_signal_connect (self->drop_down, "notify::selected", G_CALLBACK (on_selected), self);
}

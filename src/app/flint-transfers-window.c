/* FlintTransfersWindow: every transfer of every account, incoming and
 * outgoing, newest at the bottom, as Spark's transfer window shows them. */
#include "config.h"

#include <glib/gi18n.h>

#include "flint-transfer-row.h"
#include "flint-transfers-window.h"

struct _FlintTransfersWindow
{
  AdwWindow parent_instance;

  FlintTransferCenter *center;
  GtkStack *stack;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (FlintTransfersWindow, flint_transfers_window, ADW_TYPE_WINDOW)

static GtkWidget *
create_row (gpointer item, gpointer data)
{
  return flint_transfer_row_new (FLINT_TRANSFER (item));
}

static void
update_page (FlintTransfersWindow *self)
{
  GListModel *model = flint_transfer_center_get_model (self->center);

  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (model) ? "list" : "empty");
}

static void
on_items_changed (GListModel *model,
                  guint position,
                  guint removed,
                  guint added,
                  FlintTransfersWindow *self)
{
  update_page (self);
}

static void
flint_transfers_window_dispose (GObject *object)
{
  FlintTransfersWindow *self = FLINT_TRANSFERS_WINDOW (object);

  if (self->center)
    g_signal_handlers_disconnect_by_data (flint_transfer_center_get_model (self->center),
                                          self);
  g_clear_object (&self->center);
  G_OBJECT_CLASS (flint_transfers_window_parent_class)->dispose (object);
}

static void
flint_transfers_window_class_init (FlintTransfersWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_transfers_window_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/im/flint/Flint/flint-transfers-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintTransfersWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintTransfersWindow, list);
}

static void
flint_transfers_window_init (FlintTransfersWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

FlintTransfersWindow *
flint_transfers_window_new (GtkApplication *app, FlintTransferCenter *center)
{
  FlintTransfersWindow *self =
    g_object_new (FLINT_TYPE_TRANSFERS_WINDOW, "application", app, NULL);
  GListModel *model = flint_transfer_center_get_model (center);

  self->center = g_object_ref (center);
  gtk_list_box_bind_model (self->list, model, create_row, self, NULL);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), self);
  update_page (self);
  return self;
}

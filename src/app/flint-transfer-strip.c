/* FlintTransferStrip: a conversation's file transfers inline, between the
 * messages and the composer: an offer with Accept, Save As… and Decline,
 * files on their way with progress and Cancel, finished ones with Open and
 * Show in Folder, failed sends with Retry. The rows are the transfer
 * window's FlintTransferRow, filtered to this contact. */
#include "config.h"

#include <glib/gi18n.h>

#include "flint-jid.h"
#include "flint-json.h"
#include "flint-transfer-row.h"
#include "flint-transfer-strip.h"

struct _FlintTransferStrip
{
  GtkWidget parent_instance;

  GtkWidget *revealer;
  GtkListBox *list;
  GtkFilterListModel *model;
  GtkCustomFilter *filter;
  GHashTable *dismissed; /* transfer ids the user closed here */
  char *jid;             /* bare */
};

G_DEFINE_FINAL_TYPE (FlintTransferStrip, flint_transfer_strip, GTK_TYPE_WIDGET)

static gboolean
with_contact (gpointer item, gpointer data)
{
  FlintTransferStrip *self = data;
  g_autofree char *bare = flint_jid_bare (flint_transfer_get_peer (item));

  if (g_hash_table_contains (self->dismissed,
                             GUINT_TO_POINTER (flint_transfer_get_id (item))))
    return FALSE;
  return bare && g_ascii_strcasecmp (bare, self->jid) == 0;
}

static void
on_dismissed (FlintTransferRow *row, FlintTransferStrip *self)
{
  FlintTransfer *transfer = g_object_get_data (G_OBJECT (row), "flint-transfer");

  g_hash_table_add (self->dismissed, GUINT_TO_POINTER (flint_transfer_get_id (transfer)));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
}

static GtkWidget *
create_row (gpointer item, gpointer data)
{
  GtkWidget *row = flint_transfer_row_new (item);

  g_object_set_data_full (G_OBJECT (row), "flint-transfer", g_object_ref (item),
                          g_object_unref);
  flint_transfer_row_set_dismissable (FLINT_TRANSFER_ROW (row), TRUE);
  g_signal_connect_object (row, "dismissed", G_CALLBACK (on_dismissed), data, 0);
  return row;
}

static void
on_items_changed (
  GListModel *model, guint position, guint removed, guint added, FlintTransferStrip *self)
{
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->revealer),
                                 g_list_model_get_n_items (model) > 0);
}

static void
flint_transfer_strip_dispose (GObject *object)
{
  FlintTransferStrip *self = FLINT_TRANSFER_STRIP (object);

  if (self->model)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_TRANSFER_STRIP);
  G_OBJECT_CLASS (flint_transfer_strip_parent_class)->dispose (object);
}

static void
flint_transfer_strip_finalize (GObject *object)
{
  g_free (FLINT_TRANSFER_STRIP (object)->jid);
  g_hash_table_unref (FLINT_TRANSFER_STRIP (object)->dismissed);
  G_OBJECT_CLASS (flint_transfer_strip_parent_class)->finalize (object);
}

static void
flint_transfer_strip_class_init (FlintTransferStripClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_transfer_strip_dispose;
  G_OBJECT_CLASS (klass)->finalize = flint_transfer_strip_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-transfer-strip.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintTransferStrip, revealer);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferStrip, list);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "flint-transfer-strip");
}

static void
flint_transfer_strip_init (FlintTransferStrip *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->dismissed = g_hash_table_new (NULL, NULL);
}

GtkWidget *
flint_transfer_strip_new (FlintTransfers *transfers, const char *jid)
{
  FlintTransferStrip *self = g_object_new (FLINT_TYPE_TRANSFER_STRIP, NULL);

  self->jid = flint_jid_bare (jid);
  self->filter = gtk_custom_filter_new (with_contact, self, NULL);
  self->model = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (transfers)),
                                           GTK_FILTER (self->filter));
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->model), create_row, self,
                           NULL);
  g_signal_connect (self->model, "items-changed", G_CALLBACK (on_items_changed), self);
  on_items_changed (G_LIST_MODEL (self->model), 0, 0, 0, self);
  return GTK_WIDGET (self);
}

/* For app.test-dump: the rows on screen, each with its visible buttons. */
char *
flint_transfer_strip_describe (FlintTransferStrip *self)
{
  GString *out = g_string_new ("[");
  gboolean first = TRUE;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      if (!FLINT_IS_TRANSFER_ROW (row))
        continue;
      g_string_append (out, first ? "{" : ", {");
      first = FALSE;
      flint_transfer_row_describe_json (FLINT_TRANSFER_ROW (row), out);
      g_string_append_printf (out, ", \"mapped\": %s}",
                              gtk_widget_get_mapped (row) ? "true" : "false");
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

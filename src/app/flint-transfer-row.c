/* FlintTransferRow: one transfer in the transfer window: what, with whom,
 * how (SOCKS5, proxy, in-band, HTTP), how far and how fast, and the
 * buttons that make sense in its state. */
#include "config.h"

#include <glib/gi18n.h>

#include "flint-json.h"
#include "flint-transfer-row.h"

struct _FlintTransferRow
{
  GtkListBoxRow parent_instance;

  FlintTransfer *transfer;
  GtkImage *icon;
  GtkLabel *name_label;
  GtkLabel *direction_label;
  GtkProgressBar *progress;
  GtkLabel *status_label;
  GtkWidget *accept_button;
  GtkWidget *save_as_button;
  GtkWidget *decline_button;
  GtkWidget *open_button;
  GtkWidget *show_button;
  GtkWidget *retry_button;
  GtkWidget *cancel_button;
  GtkWidget *dismiss_button;
  gboolean dismissable;
};

G_DEFINE_FINAL_TYPE (FlintTransferRow, flint_transfer_row, GTK_TYPE_LIST_BOX_ROW)

enum
{
  DISMISSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
method_label (FlintTransferMethod method)
{
  switch (method)
    {
      case FLINT_TRANSFER_METHOD_SOCKS5:
        /* Translators: a transfer method, shown after the contact's address. */
        return _ ("direct connection");
      case FLINT_TRANSFER_METHOD_SOCKS5_PROXY:
        return _ ("through the server’s proxy");
      case FLINT_TRANSFER_METHOD_IBB:
        return _ ("in-band");
      case FLINT_TRANSFER_METHOD_HTTP:
        return _ ("HTTP upload");
      case FLINT_TRANSFER_METHOD_NONE:
      default:
        return NULL;
    }
}

static char *
format_duration (gint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf (
      ngettext ("%u second left", "%u seconds left", (guint) seconds), (guint) seconds);
  if (seconds < 3600)
    return g_strdup_printf (
      ngettext ("%u minute left", "%u minutes left", (guint) (seconds / 60)),
      (guint) ((seconds + 59) / 60));
  return g_strdup_printf (
    ngettext ("%u hour left", "%u hours left", (guint) (seconds / 3600)),
    (guint) ((seconds + 3599) / 3600));
}

/* The status line: progress, speed and time left while active; the
 * outcome, with the error's own words, at the end. */
char *
flint_transfer_row_describe_status (FlintTransfer *transfer)
{
  g_autofree char *done = g_format_size (flint_transfer_get_bytes_done (transfer));
  g_autofree char *total = flint_transfer_get_size (transfer) >= 0
                             ? g_format_size (flint_transfer_get_size (transfer))
                             : NULL;
  const GError *error = flint_transfer_get_error (transfer);
  gboolean incoming = flint_transfer_get_direction (transfer) == FLINT_TRANSFER_INCOMING;

  switch (flint_transfer_get_state (transfer))
    {
      case FLINT_TRANSFER_PENDING:
        return g_strdup (_ ("Preparing…"));
      case FLINT_TRANSFER_OFFERED:
        return g_strdup_printf (incoming ? _ ("Wants to send you %s")
                                         : _ ("Waiting for the contact to accept (%s)"),
                                total ? total : "?");
      case FLINT_TRANSFER_NEGOTIATING:
        return g_strdup (_ ("Connecting…"));
      case FLINT_TRANSFER_ACTIVE:
        {
          double speed = flint_transfer_get_speed (transfer);
          gint64 left = flint_transfer_get_seconds_left (transfer);
          g_autofree char *rate = speed > 0 ? g_format_size ((guint64) speed) : NULL;
          g_autofree char *eta = left >= 0 ? format_duration (left) : NULL;
          g_autofree char *amount =
            total ? g_strdup_printf (_ ("%s of %s"), done, total) : g_strdup (done);

          if (rate && eta)
            /* Translators: "1.2 MB of 3.0 MB — 800 kB/s — 3 seconds left" */
            return g_strdup_printf (_ ("%s — %s/s — %s"), amount, rate, eta);
          if (rate)
            return g_strdup_printf (_ ("%s — %s/s"), amount, rate);
          return g_steal_pointer (&amount);
        }
      case FLINT_TRANSFER_COMPLETE:
        return g_strdup_printf (incoming ? _ ("Received (%s)") : _ ("Sent (%s)"),
                                total ? total : done);
      case FLINT_TRANSFER_FAILED:
        return g_strdup_printf (_ ("Failed: %s"),
                                error ? error->message : _ ("Something went wrong."));
      case FLINT_TRANSFER_CANCELLED:
        return g_strdup (_ ("Cancelled"));
      case FLINT_TRANSFER_DECLINED:
        return g_strdup (incoming ? _ ("Declined") : _ ("The contact declined the file"));
      default:
        return g_strdup ("");
    }
}

static void
update (FlintTransferRow *self)
{
  FlintTransfer *t = self->transfer;
  FlintTransferState state = flint_transfer_get_state (t);
  gboolean incoming = flint_transfer_get_direction (t) == FLINT_TRANSFER_INCOMING;
  const char *method = method_label (flint_transfer_get_method (t));
  g_autofree char *who =
    g_strdup_printf (incoming ? _ ("From %s") : _ ("To %s"), flint_transfer_get_peer (t));
  g_autofree char *subtitle =
    method ? g_strdup_printf ("%s · %s", who, method) : g_strdup (who);
  g_autofree char *status = flint_transfer_row_describe_status (t);
  gboolean has_file = flint_transfer_get_local_path (t) != NULL &&
                      (state == FLINT_TRANSFER_COMPLETE || !incoming);

  gtk_label_set_text (self->name_label, flint_transfer_get_file_name (t));
  gtk_label_set_text (self->direction_label, subtitle);
  gtk_label_set_text (self->status_label, status);
  gtk_progress_bar_set_fraction (self->progress, flint_transfer_get_fraction (t));
  gtk_widget_set_visible (GTK_WIDGET (self->progress),
                          state == FLINT_TRANSFER_ACTIVE ||
                            state == FLINT_TRANSFER_NEGOTIATING);
  if (state == FLINT_TRANSFER_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");

  gtk_widget_set_visible (self->accept_button,
                          incoming && state == FLINT_TRANSFER_OFFERED);
  gtk_widget_set_visible (self->save_as_button,
                          incoming && state == FLINT_TRANSFER_OFFERED);
  gtk_widget_set_visible (self->decline_button,
                          incoming && state == FLINT_TRANSFER_OFFERED);
  gtk_widget_set_visible (self->cancel_button,
                          !flint_transfer_is_finished (t) &&
                            !(incoming && state == FLINT_TRANSFER_OFFERED));
  gtk_widget_set_visible (self->open_button,
                          has_file && state == FLINT_TRANSFER_COMPLETE);
  gtk_widget_set_visible (self->show_button,
                          has_file && state == FLINT_TRANSFER_COMPLETE);
  gtk_widget_set_visible (self->dismiss_button,
                          self->dismissable && flint_transfer_is_finished (t));
  gtk_widget_set_visible (
    self->retry_button,
    !incoming && (state == FLINT_TRANSFER_FAILED || state == FLINT_TRANSFER_CANCELLED));
}

static void
on_notify (FlintTransfer *transfer, GParamSpec *pspec, FlintTransferRow *self)
{
  update (self);
}

static void
flint_transfer_row_dispose (GObject *object)
{
  FlintTransferRow *self = FLINT_TRANSFER_ROW (object);

  if (self->transfer)
    g_signal_handlers_disconnect_by_data (self->transfer, self);
  g_clear_object (&self->transfer);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_TRANSFER_ROW);
  G_OBJECT_CLASS (flint_transfer_row_parent_class)->dispose (object);
}

static void
flint_transfer_row_class_init (FlintTransferRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_transfer_row_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-transfer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, icon);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, direction_label);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, progress);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, accept_button);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, save_as_button);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, decline_button);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, open_button);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, show_button);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FlintTransferRow, dismiss_button);
  /* The conversation's strip hides a finished transfer the user is done
   * with; the transfer window keeps them all. */
  signals[DISMISSED] =
    g_signal_new ("dismissed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
on_dismiss_clicked (GtkButton *button, FlintTransferRow *self)
{
  g_signal_emit (self, signals[DISMISSED], 0);
}

static void
flint_transfer_row_init (FlintTransferRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->dismiss_button, "clicked", G_CALLBACK (on_dismiss_clicked),
                    self);
}

void
flint_transfer_row_set_dismissable (FlintTransferRow *self, gboolean dismissable)
{
  self->dismissable = dismissable;
  update (self);
}

GtkWidget *
flint_transfer_row_new (FlintTransfer *transfer)
{
  FlintTransferRow *self = g_object_new (FLINT_TYPE_TRANSFER_ROW, NULL);
  GVariant *target = g_variant_new_uint32 (flint_transfer_get_id (transfer));
  GtkWidget *buttons[] = { self->accept_button,  self->save_as_button,
                           self->decline_button, self->open_button,
                           self->show_button,    self->retry_button,
                           self->cancel_button };
  gboolean incoming = flint_transfer_get_direction (transfer) == FLINT_TRANSFER_INCOMING;

  g_variant_ref_sink (target);
  self->transfer = g_object_ref (transfer);
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (buttons[i]), target);
  g_variant_unref (target);
  gtk_image_set_from_icon_name (self->icon, incoming ? "folder-download-symbolic"
                                                     : "document-send-symbolic");
  g_signal_connect (transfer, "notify", G_CALLBACK (on_notify), self);
  update (self);
  return GTK_WIDGET (self);
}

/* "id", "name", "status" and "buttons" (the visible ones) for test dumps. */
void
flint_transfer_row_describe_json (FlintTransferRow *self, GString *out)
{
  const struct
  {
    const char *name;
    GtkWidget *button;
  } buttons[] = {
    { "accept", self->accept_button },   { "save-as", self->save_as_button },
    { "decline", self->decline_button }, { "open", self->open_button },
    { "show", self->show_button },       { "retry", self->retry_button },
    { "cancel", self->cancel_button },   { "dismiss", self->dismiss_button },
  };
  gboolean first = TRUE;

  g_string_append_printf (
    out, "\"id\": %u, \"name\": ", flint_transfer_get_id (self->transfer));
  flint_json_append_string (out, gtk_label_get_text (self->name_label));
  g_string_append (out, ", \"status\": ");
  flint_json_append_string (out, gtk_label_get_text (self->status_label));
  g_string_append_printf (out, ", \"progress\": %s, \"buttons\": [",
                          gtk_widget_get_visible (GTK_WIDGET (self->progress)) ? "true"
                                                                               : "false");
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (gtk_widget_get_visible (buttons[i].button))
      {
        g_string_append_printf (out, "%s\"%s\"", first ? "" : ", ", buttons[i].name);
        first = FALSE;
      }
  g_string_append_c (out, ']');
  /* Where a test clicks the close button, in window coordinates. */
  if (gtk_widget_get_visible (self->dismiss_button) &&
      gtk_widget_get_mapped (self->dismiss_button))
    {
      GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));
      double x = 0, y = 0;

      if (gtk_widget_translate_coordinates (
            self->dismiss_button, root, gtk_widget_get_width (self->dismiss_button) / 2.0,
            gtk_widget_get_height (self->dismiss_button) / 2.0, &x, &y))
        g_string_append_printf (out, ", \"dismiss_at\": [%d, %d]", (int) x, (int) y);
    }
}

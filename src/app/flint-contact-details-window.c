/* FlintContactDetailsWindow: a vCard shown, or ours edited. */
#include "config.h"

#define G_LOG_DOMAIN "flint-contact-details"

#include <glib/gi18n.h>

#include "flint-contact-details-window.h"
#include "flint-json.h"
#include "flint-vcard.h"

static const struct
{
  const char *key;
  const char *label;
} fields[FLINT_VCARD_N_FIELDS] = {
  [FLINT_VCARD_FULL_NAME] = { "fn", N_ ("Full Name") },
  [FLINT_VCARD_NICKNAME] = { "nickname", N_ ("Nickname") },
  [FLINT_VCARD_EMAIL] = { "email", N_ ("Email") },
  [FLINT_VCARD_PHONE] = { "phone", N_ ("Phone") },
  [FLINT_VCARD_ORGANIZATION] = { "org", N_ ("Organization") },
  [FLINT_VCARD_UNIT] = { "unit", N_ ("Department") },
  [FLINT_VCARD_TITLE] = { "title", N_ ("Job Title") },
  [FLINT_VCARD_URL] = { "url", N_ ("Web Page") },
  [FLINT_VCARD_NOTE] = { "note", N_ ("About") },
};

struct _FlintContactDetailsWindow
{
  AdwWindow parent_instance;

  FlintSession *session;
  char *jid; /* NULL: our own */
  char *roster_name;
  FlintVCard *vcard;
  GCancellable *cancellable;
  GtkWidget *rows[FLINT_VCARD_N_FIELDS];
  gboolean loading;
  gboolean saving;

  AdwToastOverlay *toasts;
  AdwWindowTitle *window_title;
  GtkWidget *save_button;
  AdwAvatar *avatar;
  GtkLabel *name_label;
  GtkLabel *jid_label;
  GtkLabel *status_label;
  AdwPreferencesGroup *fields_group;
};

G_DEFINE_FINAL_TYPE (FlintContactDetailsWindow,
                     flint_contact_details_window,
                     ADW_TYPE_WINDOW)

static void
show_status (FlintContactDetailsWindow *self, const char *text)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text && *text);
}

static const char *
own_jid (FlintContactDetailsWindow *self)
{
  return flint_account_get_jid (flint_session_get_account (self->session));
}

static void
clear_rows (FlintContactDetailsWindow *self)
{
  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    if (self->rows[f])
      {
        adw_preferences_group_remove (self->fields_group, self->rows[f]);
        self->rows[f] = NULL;
      }
}

static void
show_vcard (FlintContactDetailsWindow *self)
{
  const char *fn = flint_vcard_get (self->vcard, FLINT_VCARD_FULL_NAME);
  const char *nick = flint_vcard_get (self->vcard, FLINT_VCARD_NICKNAME);
  const char *name = fn                                        ? fn
                     : self->roster_name && *self->roster_name ? self->roster_name
                     : nick                                    ? nick
                            : (self->jid ? self->jid : own_jid (self));
  GBytes *photo = flint_vcard_get_photo (self->vcard);
  gboolean any = FALSE;

  gtk_label_set_text (self->name_label, name);
  adw_avatar_set_text (self->avatar, name);
  adw_avatar_set_custom_image (self->avatar, NULL);
  if (photo)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GdkTexture) texture = gdk_texture_new_from_bytes (photo, &error);

      /* A photo that does not decode leaves the initials. */
      if (texture)
        adw_avatar_set_custom_image (self->avatar, GDK_PAINTABLE (texture));
    }
  clear_rows (self);
  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    {
      const char *value = flint_vcard_get (self->vcard, f);
      GtkWidget *row;

      if (self->jid == NULL)
        {
          row = adw_entry_row_new ();
          gtk_editable_set_text (GTK_EDITABLE (row), value ? value : "");
        }
      else
        {
          if (value == NULL)
            continue;
          row = adw_action_row_new ();
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
          gtk_widget_add_css_class (row, "property");
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ (fields[f].label));
      adw_preferences_group_add (self->fields_group, row);
      self->rows[f] = row;
      any = TRUE;
    }
  if (!any)
    show_status (self, _ ("This contact has not published any details."));
  else
    show_status (self, NULL);
}

static void
on_fetched (GObject *source, GAsyncResult *result, gpointer data)
{
  FlintContactDetailsWindow *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlintVCard) vcard = flint_vcard_fetch_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  if (vcard == NULL)
    {
      show_status (self, error->message);
      return;
    }
  g_set_object (&self->vcard, vcard);
  show_vcard (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.save", TRUE);
}

static void
on_published (GObject *source, GAsyncResult *result, gpointer data)
{
  FlintContactDetailsWindow *self = data;
  g_autoptr (GError) error = NULL;

  if (!flint_vcard_publish_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->saving = FALSE;
      /* What was typed stays in the rows, to save again. */
      show_status (self, error->message);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.save", TRUE);
      return;
    }
  self->saving = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.save", TRUE);
  show_status (self, NULL);
  {
    const char *fn = flint_vcard_get (self->vcard, FLINT_VCARD_FULL_NAME);

    gtk_label_set_text (self->name_label, fn ? fn : own_jid (self));
    adw_avatar_set_text (self->avatar, gtk_label_get_text (self->name_label));
  }
  adw_toast_overlay_add_toast (self->toasts,
                               adw_toast_new (_ ("Your details are saved")));
}

static void
save_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  FlintContactDetailsWindow *self = FLINT_CONTACT_DETAILS_WINDOW (widget);

  if (self->jid || self->vcard == NULL || self->saving)
    return;
  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    if (self->rows[f])
      flint_vcard_set (self->vcard, f,
                       gtk_editable_get_text (GTK_EDITABLE (self->rows[f])));
  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.save", FALSE);
  show_status (self, _ ("Saving…"));
  flint_vcard_publish_async (self->session, self->vcard, self->cancellable, on_published,
                             self);
}

const char *
flint_contact_details_window_get_jid (FlintContactDetailsWindow *self)
{
  return self->jid;
}

gboolean
flint_contact_details_window_set_text (FlintContactDetailsWindow *self,
                                       const char *field,
                                       const char *value)
{
  for (guint f = 0; f < FLINT_VCARD_N_FIELDS; f++)
    if (g_strcmp0 (fields[f].key, field) == 0 && self->rows[f] &&
        ADW_IS_ENTRY_ROW (self->rows[f]))
      {
        gtk_editable_set_text (GTK_EDITABLE (self->rows[f]), value ? value : "");
        return TRUE;
      }
  return FALSE;
}

void
flint_contact_details_window_describe_json (FlintContactDetailsWindow *self, GString *out)
{
  g_string_append (out, "{\"jid\": ");
  flint_json_append_string (out, self->jid);
  g_string_append_printf (out, ", \"loading\": %s, \"saving\": %s, \"photo\": %s",
                          self->loading ? "true" : "false",
                          self->saving ? "true" : "false",
                          adw_avatar_get_custom_image (self->avatar) ? "true" : "false");
  g_string_append (out, ", \"name\": ");
  flint_json_append_string (out, gtk_label_get_text (self->name_label));
  g_string_append (out, ", \"status\": ");
  flint_json_append_string (out, gtk_widget_get_visible (GTK_WIDGET (self->status_label))
                                   ? gtk_label_get_text (self->status_label)
                                   : NULL);
  g_string_append (out, ", \"fields\": {");
  for (guint f = 0, n = 0; f < FLINT_VCARD_N_FIELDS; f++)
    {
      const char *value;

      if (self->rows[f] == NULL)
        continue;
      value = ADW_IS_ENTRY_ROW (self->rows[f])
                ? gtk_editable_get_text (GTK_EDITABLE (self->rows[f]))
                : adw_action_row_get_subtitle (ADW_ACTION_ROW (self->rows[f]));
      g_string_append_printf (out, "%s\"%s\": ", n++ ? ", " : "", fields[f].key);
      flint_json_append_string (out, value);
    }
  g_string_append (out, "}}");
}

static void
flint_contact_details_window_dispose (GObject *object)
{
  FlintContactDetailsWindow *self = FLINT_CONTACT_DETAILS_WINDOW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->vcard);
  g_clear_object (&self->session);
  g_clear_pointer (&self->jid, g_free);
  g_clear_pointer (&self->roster_name, g_free);
  G_OBJECT_CLASS (flint_contact_details_window_parent_class)->dispose (object);
}

static void
flint_contact_details_window_class_init (FlintContactDetailsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = flint_contact_details_window_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/im/flint/Flint/flint-contact-details-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintContactDetailsWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, FlintContactDetailsWindow,
                                        window_title);
  gtk_widget_class_bind_template_child (widget_class, FlintContactDetailsWindow,
                                        save_button);
  gtk_widget_class_bind_template_child (widget_class, FlintContactDetailsWindow, avatar);
  gtk_widget_class_bind_template_child (widget_class, FlintContactDetailsWindow,
                                        name_label);
  gtk_widget_class_bind_template_child (widget_class, FlintContactDetailsWindow,
                                        jid_label);
  gtk_widget_class_bind_template_child (widget_class, FlintContactDetailsWindow,
                                        status_label);
  gtk_widget_class_bind_template_child (widget_class, FlintContactDetailsWindow,
                                        fields_group);
  gtk_widget_class_install_action (widget_class, "details.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "details.save", NULL);
}

static void
flint_contact_details_window_init (FlintContactDetailsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.save", FALSE);
}

FlintContactDetailsWindow *
flint_contact_details_window_new (GtkApplication *app,
                                  FlintSession *session,
                                  const char *jid,
                                  const char *roster_name)
{
  FlintContactDetailsWindow *self =
    g_object_new (FLINT_TYPE_CONTACT_DETAILS_WINDOW, "application", app, NULL);

  self->session = g_object_ref (session);
  self->jid = g_strdup (jid);
  self->roster_name = g_strdup (roster_name);
  adw_window_title_set_title (self->window_title,
                              jid ? _ ("Contact Details") : _ ("My Details"));
  gtk_window_set_title (GTK_WINDOW (self),
                        jid ? _ ("Contact Details") : _ ("My Details"));
  gtk_widget_set_visible (self->save_button, jid == NULL);
  gtk_label_set_text (self->jid_label, jid ? jid : own_jid (self));
  gtk_label_set_text (self->name_label, roster_name && *roster_name ? roster_name
                                        : jid                       ? jid
                                                                    : own_jid (self));
  adw_avatar_set_text (self->avatar, gtk_label_get_text (self->name_label));
  self->loading = TRUE;
  show_status (self, _ ("Asking for the details…"));
  flint_vcard_fetch_async (session, jid, self->cancellable, on_fetched, self);
  return self;
}

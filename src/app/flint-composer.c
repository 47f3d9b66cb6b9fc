#define G_LOG_DOMAIN "flint-composer"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "flint-widget.h"
#include "flint-composer.h"
#include "flint-spell-checker.h"

/* The field grows with the text up to this many lines, then scrolls. */
#define MAX_VISIBLE_LINES 6

struct _FlintComposer
{
  GtkWidget parent_instance;

  GtkRevealer *correction_revealer;
  GtkScrolledWindow *scroller;
  GtkTextView *text_view;
  GtkButton *send_button;

  GtkTextBuffer *buffer;
  FlintSpellChecker *checker;
  FlintSpellAdapter *adapter;
  GSettings *settings;
  GMenu *extra_menu;
  GMenu *spelling_section;

  char *requested_language;
  char *correction_id;
  gboolean spell_checking;
  gboolean preediting;
};

G_DEFINE_FINAL_TYPE (FlintComposer, flint_composer, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_LANGUAGE,
  PROP_SPELL_CHECKING,
  PROP_SPELL_HINT,
  PROP_CORRECTION_ID,
  N_PROPS
};

enum
{
  SEND,
  PASTE_IMAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GtkWidget *
flint_composer_new (void)
{
  return g_object_new (FLINT_TYPE_COMPOSER, NULL);
}

/* Text ----------------------------------------------------------------------- */

/**
 * flint_composer_get_text:
 *
 * Returns: (transfer full): the text of the field, as typed
 */
char *
flint_composer_get_text (FlintComposer *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (FLINT_IS_COMPOSER (self), NULL);

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  return gtk_text_buffer_get_text (self->buffer, &start, &end, FALSE);
}

/**
 * flint_composer_set_text:
 * @text: (nullable): the new text; the cursor goes to its end
 *
 * Not an undo step: this is the window loading a draft or clearing.
 */
void
flint_composer_set_text (FlintComposer *self, const char *text)
{
  GtkTextIter end;

  g_return_if_fail (FLINT_IS_COMPOSER (self));

  gtk_text_buffer_begin_irreversible_action (self->buffer);
  gtk_text_buffer_set_text (self->buffer, text ? text : "", -1);
  gtk_text_buffer_end_irreversible_action (self->buffer);
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  gtk_text_buffer_place_cursor (self->buffer, &end);
}

/**
 * flint_composer_set_extra_words:
 * @words: (nullable): words never flagged as misspelled: in a room, the
 *   nicks of its occupants
 */
void
flint_composer_set_extra_words (FlintComposer *self, const char *const *words)
{
  g_return_if_fail (FLINT_IS_COMPOSER (self));

  flint_spell_adapter_set_extra_words (self->adapter, words);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static void
flint_composer_send (FlintComposer *self)
{
  g_autofree char *text = flint_composer_get_text (self);
  gboolean taken = FALSE;

  g_strchomp (text);
  if (is_blank (text))
    return;

  g_signal_emit (self, signals[SEND], 0, text, &taken);
  if (!taken)
    return;

  flint_composer_set_text (self, NULL);
  if (self->correction_id != NULL)
    {
      g_clear_pointer (&self->correction_id, g_free);
      gtk_revealer_set_reveal_child (self->correction_revealer, FALSE);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CORRECTION_ID]);
    }
}

/* Corrections (XEP-0308) ------------------------------------------------------ */

/**
 * flint_composer_begin_correction:
 * @message_id: the id of the message to correct
 * @text: its text, to edit
 *
 * Shows "Editing message" over the field; the next send replaces that
 * message. Escape or the cancel button leaves it.
 */
void
flint_composer_begin_correction (FlintComposer *self,
                                 const char *message_id,
                                 const char *text)
{
  g_return_if_fail (FLINT_IS_COMPOSER (self));
  g_return_if_fail (message_id != NULL);

  g_free (self->correction_id);
  self->correction_id = g_strdup (message_id);
  flint_composer_set_text (self, text);
  gtk_revealer_set_reveal_child (self->correction_revealer, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CORRECTION_ID]);
}

/**
 * flint_composer_cancel_correction:
 *
 * Leaves correction mode and clears the field; nothing when not correcting.
 */
void
flint_composer_cancel_correction (FlintComposer *self)
{
  g_return_if_fail (FLINT_IS_COMPOSER (self));

  if (self->correction_id == NULL)
    return;

  g_clear_pointer (&self->correction_id, g_free);
  flint_composer_set_text (self, NULL);
  gtk_revealer_set_reveal_child (self->correction_revealer, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CORRECTION_ID]);
}

/**
 * flint_composer_get_correction_id:
 *
 * Returns: (nullable): the id of the message being corrected, or %NULL
 */
const char *
flint_composer_get_correction_id (FlintComposer *self)
{
  g_return_val_if_fail (FLINT_IS_COMPOSER (self), NULL);

  return self->correction_id;
}

/* Spelling ---------------------------------------------------------------------- */

static void
update_spelling_actions (FlintComposer *self)
{
  gboolean available = flint_spell_checker_get_available (self->checker);

  /* With no dictionary there is nothing to turn on. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "spelling.enabled", available);
}

static void
apply_language (FlintComposer *self)
{
  const char *language = self->requested_language;
  g_autofree char *from_settings = NULL;

  if ((language == NULL || *language == '\0') && self->settings != NULL)
    {
      from_settings = g_settings_get_string (self->settings, "spell-language");
      language = from_settings;
    }

  flint_spell_checker_set_language (self->checker, language, NULL);
  update_spelling_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPELL_HINT]);
}

/**
 * flint_composer_get_language:
 *
 * Returns: the Enchant tag of the dictionary in use, "" when there is none
 */
const char *
flint_composer_get_language (FlintComposer *self)
{
  const char *language;

  g_return_val_if_fail (FLINT_IS_COMPOSER (self), NULL);

  language = flint_spell_checker_get_language (self->checker);
  return language ? language : "";
}

/**
 * flint_composer_set_language:
 * @language: (nullable): an Enchant tag such as "de_DE", or %NULL / "" for
 *   the default (the spell-language setting, else the locale)
 */
void
flint_composer_set_language (FlintComposer *self, const char *language)
{
  g_return_if_fail (FLINT_IS_COMPOSER (self));

  if (language != NULL && *language == '\0')
    language = NULL;
  if (g_strcmp0 (language, self->requested_language) == 0 &&
      (language == NULL || g_strcmp0 (language, flint_composer_get_language (self)) == 0))
    return;

  g_free (self->requested_language);
  self->requested_language = g_strdup (language);
  apply_language (self);
}

gboolean
flint_composer_get_spell_checking (FlintComposer *self)
{
  g_return_val_if_fail (FLINT_IS_COMPOSER (self), FALSE);

  return self->spell_checking;
}

void
flint_composer_set_spell_checking (FlintComposer *self, gboolean spell_checking)
{
  g_return_if_fail (FLINT_IS_COMPOSER (self));

  spell_checking = !!spell_checking;
  if (self->spell_checking == spell_checking)
    return;

  self->spell_checking = spell_checking;
  flint_spell_adapter_set_enabled (self->adapter, spell_checking);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPELL_CHECKING]);
}

/**
 * flint_composer_get_spell_hint:
 *
 * Returns: (nullable): why spell checking is off and what to do, or %NULL
 */
const char *
flint_composer_get_spell_hint (FlintComposer *self)
{
  g_return_val_if_fail (FLINT_IS_COMPOSER (self), NULL);

  return flint_spell_checker_get_hint (self->checker);
}

static void
on_spell_language_setting (FlintComposer *self, const char *key, GSettings *settings)
{
  if (self->requested_language == NULL)
    apply_language (self);
}

/* The extra menu of the text view: the adapter's corrections, then a
 * Spelling submenu with the toggle and the installed languages. */
static void
build_extra_menu (FlintComposer *self)
{
  g_autoptr (GMenu) languages = g_menu_new ();
  g_autoptr (GMenu) spelling = g_menu_new ();
  g_autoptr (GMenu) toggle = g_menu_new ();
  g_auto (GStrv) tags = flint_spell_checker_list_languages ();

  GMenuModel *word_menu = flint_spell_adapter_get_menu_model (self->adapter);

  /* The adapter's sections as our own, so each gets a separator. */
  self->extra_menu = g_menu_new ();
  for (int i = 0; i < g_menu_model_get_n_items (word_menu); i++)
    {
      g_autoptr (GMenuModel) section =
        g_menu_model_get_item_link (word_menu, i, G_MENU_LINK_SECTION);

      if (section != NULL)
        g_menu_append_section (self->extra_menu, NULL, section);
    }

  g_menu_append (toggle, _ ("Check Spelling"), "spelling.enabled");
  g_menu_append_section (spelling, NULL, G_MENU_MODEL (toggle));

  for (guint i = 0; tags[i] != NULL; i++)
    {
      g_autofree char *name = flint_spell_language_get_name (tags[i]);
      g_autoptr (GMenuItem) item = g_menu_item_new (name, NULL);

      g_menu_item_set_action_and_target_value (item, "spelling.language",
                                               g_variant_new_string (tags[i]));
      g_menu_append_item (languages, item);
    }
  if (tags[0] == NULL)
    /* No such action: shown greyed out, as a hint. */
    g_menu_append (languages, _ ("No Dictionaries Installed"), "spelling.none-installed");
  g_menu_append_section (spelling, _ ("Language"), G_MENU_MODEL (languages));

  self->spelling_section = g_menu_new ();
  g_menu_append_submenu (self->spelling_section, _ ("_Spelling"),
                         G_MENU_MODEL (spelling));
  g_menu_append_section (self->extra_menu, NULL, G_MENU_MODEL (self->spelling_section));

  gtk_text_view_set_extra_menu (self->text_view, G_MENU_MODEL (self->extra_menu));
}

/* Menus and keys ---------------------------------------------------------------- */

static void
popup_menu_at_cursor (FlintComposer *self)
{
  GtkTextIter cursor;

  gtk_text_buffer_get_iter_at_mark (self->buffer, &cursor,
                                    gtk_text_buffer_get_insert (self->buffer));
  flint_spell_adapter_update_menu (self->adapter, &cursor);
  gtk_widget_activate_action (GTK_WIDGET (self->text_view), "menu.popup", NULL);
}

/* Right click: the menu is about the clicked word, so put the cursor there
 * first unless the click is in the selection (which the menu acts on). */
static void
on_secondary_pressed (
  FlintComposer *self, int n_press, double x, double y, GtkGestureClick *gesture)
{
  GtkTextIter iter, sel_start, sel_end;
  int bx, by;

  gtk_text_view_window_to_buffer_coords (self->text_view, GTK_TEXT_WINDOW_WIDGET, (int) x,
                                         (int) y, &bx, &by);
  gtk_text_view_get_iter_at_location (self->text_view, &iter, bx, by);

  if (!gtk_text_buffer_get_selection_bounds (self->buffer, &sel_start, &sel_end) ||
      !gtk_text_iter_in_range (&iter, &sel_start, &sel_end))
    gtk_text_buffer_place_cursor (self->buffer, &iter);

  flint_spell_adapter_update_menu (self->adapter, &iter);
}

static gboolean
on_key_pressed (FlintComposer *self,
                guint keyval,
                guint keycode,
                GdkModifierType state,
                GtkEventControllerKey *controller)
{
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();

  switch (keyval)
    {
      case GDK_KEY_Return:
      case GDK_KEY_KP_Enter:
      case GDK_KEY_ISO_Enter:
        /* An input method composing text needs Enter to commit it. */
        if (self->preediting)
          return FALSE;
        if (mods == GDK_SHIFT_MASK)
          {
            gtk_text_buffer_begin_user_action (self->buffer);
            gtk_text_buffer_delete_selection (self->buffer, TRUE, TRUE);
            gtk_text_buffer_insert_interactive_at_cursor (self->buffer, "\n", 1, TRUE);
            gtk_text_buffer_end_user_action (self->buffer);
            gtk_text_view_scroll_mark_onscreen (
              self->text_view, gtk_text_buffer_get_insert (self->buffer));
            return TRUE;
          }
        if (mods == 0)
          {
            flint_composer_send (self);
            return TRUE;
          }
        return FALSE;

      case GDK_KEY_Escape:
        if (self->correction_id != NULL && mods == 0)
          {
            flint_composer_cancel_correction (self);
            return TRUE;
          }
        return FALSE;

      case GDK_KEY_Menu:
      case GDK_KEY_F10:
        if ((keyval == GDK_KEY_Menu && mods == 0) ||
            (keyval == GDK_KEY_F10 && mods == GDK_SHIFT_MASK))
          {
            popup_menu_at_cursor (self);
            return TRUE;
          }
        return FALSE;

      default:
        return FALSE;
    }
}

static void
on_preedit_changed (FlintComposer *self, const char *preedit, GtkTextView *view)
{
  self->preediting = preedit != NULL && *preedit != '\0';
}

/* Paste ----------------------------------------------------------------------- */

static void
paste_text_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlintComposer) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text =
    gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_auto (GStrv) lines = NULL;
  g_autofree char *joined = NULL;

  if (text == NULL)
    {
      if (error != NULL)
        g_debug ("Nothing to paste: %s", error->message);
      return;
    }
  if (self->buffer == NULL)
    return;

  /* Windows line ends from other applications. */
  lines = g_strsplit (text, "\r\n", -1);
  joined = g_strjoinv ("\n", lines);

  gtk_text_buffer_begin_user_action (self->buffer);
  gtk_text_buffer_delete_selection (self->buffer, TRUE, TRUE);
  gtk_text_buffer_insert_interactive_at_cursor (self->buffer, joined, -1, TRUE);
  gtk_text_buffer_end_user_action (self->buffer);
  gtk_text_view_scroll_mark_onscreen (self->text_view,
                                      gtk_text_buffer_get_insert (self->buffer));
}

static void
paste_texture_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlintComposer) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture =
    gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);

  if (texture == NULL)
    {
      g_debug ("No image to paste: %s", error ? error->message : "empty");
      return;
    }
  g_signal_emit (self, signals[PASTE_IMAGE], 0, texture);
}

/* A message is plain text: paste only the text of the clipboard, never the
 * rich text or images GtkTextView would also accept from a GtkTextBuffer.
 * An image alone (a screenshot) goes to "paste-image", to be sent as a file. */
static void
on_paste_clipboard (FlintComposer *self, GtkTextView *view)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (view));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  g_signal_stop_emission_by_name (view, "paste-clipboard");
  if (g_signal_has_handler_pending (self, signals[PASTE_IMAGE], 0, FALSE) &&
      gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE) &&
      !gdk_content_formats_contain_gtype (formats, G_TYPE_STRING))
    {
      gdk_clipboard_read_texture_async (clipboard, NULL, paste_texture_ready,
                                        g_object_ref (self));
      return;
    }
  gdk_clipboard_read_text_async (clipboard, NULL, paste_text_ready, g_object_ref (self));
}

static void
on_insert_paintable (FlintComposer *self,
                     GtkTextIter *iter,
                     GdkPaintable *paintable,
                     GtkTextBuffer *buffer)
{
  g_signal_stop_emission_by_name (buffer, "insert-paintable");
}

static void
on_insert_child_anchor (FlintComposer *self,
                        GtkTextIter *iter,
                        GtkTextChildAnchor *anchor,
                        GtkTextBuffer *buffer)
{
  g_signal_stop_emission_by_name (buffer, "insert-child-anchor");
}

/* Actions ----------------------------------------------------------------------- */

static void
composer_send_action (GtkWidget *widget, const char *name, GVariant *param)
{
  flint_composer_send (FLINT_COMPOSER (widget));
}

static void
composer_cancel_correction_action (GtkWidget *widget, const char *name, GVariant *param)
{
  flint_composer_cancel_correction (FLINT_COMPOSER (widget));
}

static void
composer_popup_menu_action (GtkWidget *widget, const char *name, GVariant *param)
{
  popup_menu_at_cursor (FLINT_COMPOSER (widget));
}

static void
spelling_correct_action (GtkWidget *widget, const char *name, GVariant *param)
{
  flint_spell_adapter_correct (FLINT_COMPOSER (widget)->adapter,
                               g_variant_get_string (param, NULL));
}

static void
spelling_add_action (GtkWidget *widget, const char *name, GVariant *param)
{
  flint_spell_adapter_add_word (FLINT_COMPOSER (widget)->adapter);
}

static void
spelling_ignore_action (GtkWidget *widget, const char *name, GVariant *param)
{
  flint_spell_adapter_ignore_word (FLINT_COMPOSER (widget)->adapter);
}

/* Size --------------------------------------------------------------------- */

static void
update_max_height (FlintComposer *self)
{
  g_autoptr (PangoLayout) layout =
    gtk_widget_create_pango_layout (GTK_WIDGET (self->text_view), "Xg");
  int line_height = 0;

  pango_layout_get_pixel_size (layout, NULL, &line_height);
  gtk_scrolled_window_set_max_content_height (
    self->scroller, MAX_VISIBLE_LINES * MAX (line_height, 1) +
                      gtk_text_view_get_top_margin (self->text_view) +
                      gtk_text_view_get_bottom_margin (self->text_view));
}

static gboolean
flint_composer_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (FLINT_COMPOSER (widget)->text_view));
}

/* GObject -------------------------------------------------------------------- */

GtkTextView *
flint_composer_get_text_view (FlintComposer *self)
{
  g_return_val_if_fail (FLINT_IS_COMPOSER (self), NULL);

  return self->text_view;
}

FlintSpellAdapter *
flint_composer_get_spell_adapter (FlintComposer *self)
{
  g_return_val_if_fail (FLINT_IS_COMPOSER (self), NULL);

  return self->adapter;
}

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  /* g_settings_new() aborts on a missing schema; tests run without it. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "spell-checking") ||
      !g_settings_schema_has_key (schema, "spell-language"))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

static void
flint_composer_dispose (GObject *object)
{
  FlintComposer *self = FLINT_COMPOSER (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  if (self->buffer != NULL)
    g_signal_handlers_disconnect_by_data (self->buffer, self);
  g_clear_object (&self->adapter);
  g_clear_object (&self->checker);
  g_clear_object (&self->extra_menu);
  g_clear_object (&self->spelling_section);
  self->buffer = NULL;

  flint_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_COMPOSER);

  G_OBJECT_CLASS (flint_composer_parent_class)->dispose (object);
}

static void
flint_composer_finalize (GObject *object)
{
  FlintComposer *self = FLINT_COMPOSER (object);

  g_free (self->requested_language);
  g_free (self->correction_id);

  G_OBJECT_CLASS (flint_composer_parent_class)->finalize (object);
}

static void
flint_composer_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  FlintComposer *self = FLINT_COMPOSER (object);

  switch (prop_id)
    {
      case PROP_LANGUAGE:
        g_value_set_string (value, flint_composer_get_language (self));
        break;
      case PROP_SPELL_CHECKING:
        g_value_set_boolean (value, self->spell_checking);
        break;
      case PROP_SPELL_HINT:
        g_value_set_string (value, flint_composer_get_spell_hint (self));
        break;
      case PROP_CORRECTION_ID:
        g_value_set_string (value, self->correction_id);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_composer_set_property (GObject *object,
                             guint prop_id,
                             const GValue *value,
                             GParamSpec *pspec)
{
  FlintComposer *self = FLINT_COMPOSER (object);

  switch (prop_id)
    {
      case PROP_LANGUAGE:
        flint_composer_set_language (self, g_value_get_string (value));
        break;
      case PROP_SPELL_CHECKING:
        flint_composer_set_spell_checking (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_composer_class_init (FlintComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_composer_dispose;
  object_class->finalize = flint_composer_finalize;
  object_class->get_property = flint_composer_get_property;
  object_class->set_property = flint_composer_set_property;
  widget_class->grab_focus = flint_composer_grab_focus;

  properties[PROP_LANGUAGE] = g_param_spec_string (
    "language", NULL, NULL, "",
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPELL_CHECKING] = g_param_spec_boolean (
    "spell-checking", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPELL_HINT] = g_param_spec_string (
    "spell-hint", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CORRECTION_ID] = g_param_spec_string (
    "correction-id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SEND] = g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                g_signal_accumulator_true_handled, NULL, NULL,
                                G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  signals[PASTE_IMAGE] =
    g_signal_new ("paste-image", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, GDK_TYPE_TEXTURE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintComposer, correction_revealer);
  gtk_widget_class_bind_template_child (widget_class, FlintComposer, scroller);
  gtk_widget_class_bind_template_child (widget_class, FlintComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, FlintComposer, send_button);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL,
                                   composer_send_action);
  gtk_widget_class_install_action (widget_class, "composer.cancel-correction", NULL,
                                   composer_cancel_correction_action);
  gtk_widget_class_install_action (widget_class, "composer.popup-menu", NULL,
                                   composer_popup_menu_action);
  gtk_widget_class_install_action (widget_class, "spelling.correct", "s",
                                   spelling_correct_action);
  gtk_widget_class_install_action (widget_class, "spelling.add", NULL,
                                   spelling_add_action);
  gtk_widget_class_install_action (widget_class, "spelling.ignore", NULL,
                                   spelling_ignore_action);
  gtk_widget_class_install_property_action (widget_class, "spelling.enabled",
                                            "spell-checking");
  gtk_widget_class_install_property_action (widget_class, "spelling.language",
                                            "language");

  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
flint_composer_init (FlintComposer *self)
{
  GtkEventController *keys;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->buffer = gtk_text_view_get_buffer (self->text_view);
  self->spell_checking = TRUE;
  self->settings = settings_if_installed ();
  self->checker = g_object_new (FLINT_TYPE_SPELL_CHECKER, NULL);
  self->adapter = flint_spell_adapter_new (self->buffer, self->checker);
  apply_language (self);

  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "spell-checking", self, "spell-checking",
                       G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (self->settings, "changed::spell-language",
                               G_CALLBACK (on_spell_language_setting), self,
                               G_CONNECT_SWAPPED);
    }

  build_extra_menu (self);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_key_pressed), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), keys);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click),
                                              GTK_PHASE_CAPTURE);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_secondary_pressed), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), GTK_EVENT_CONTROLLER (click));

  g_signal_connect_object (self->text_view, "preedit-changed",
                           G_CALLBACK (on_preedit_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->text_view, "paste-clipboard",
                           G_CALLBACK (on_paste_clipboard), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "insert-paintable",
                           G_CALLBACK (on_insert_paintable), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "insert-child-anchor",
                           G_CALLBACK (on_insert_child_anchor), self, G_CONNECT_SWAPPED);

  update_max_height (self);
}

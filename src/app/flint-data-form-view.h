#pragma once

#include <adwaita.h>

#include "flint-data-form.h"

G_BEGIN_DECLS

#define FLINT_TYPE_DATA_FORM_VIEW (flint_data_form_view_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintDataFormView, flint_data_form_view, FLINT, DATA_FORM_VIEW, AdwBin)

/* Shows an XEP-0004 form as preference rows, scrollable: text fields as
 * entry rows (password rows for text-private), text-multi and jid-multi as
 * text areas (one value per line), booleans as switches, list-single as a
 * drop-down, list-multi as check boxes in an expander; fixed fields start
 * a section; hidden fields are kept unseen. The form's title and
 * instructions are shown above (unless "show-title" is FALSE).
 *
 * flint_data_form_view_apply() copies what the user entered into the form
 * and validates it, marking each bad field with its error inline and
 * focusing the first; then flint_data_form_to_submit() on the form gives
 * the answer. Signal "changed" when the user edits anything. */
FlintDataFormView *flint_data_form_view_new (FlintDataForm *form);
void flint_data_form_view_set_form (FlintDataFormView *self, FlintDataForm *form);
FlintDataForm *flint_data_form_view_get_form (FlintDataFormView *self);
void flint_data_form_view_set_show_title (FlintDataFormView *self, gboolean show);

/* Copies the entered values into the form; FALSE (with the errors shown)
 * when a field is missing or invalid. */
gboolean flint_data_form_view_apply (FlintDataFormView *self);
/* apply() then the <x type='submit'/> (caller owns it), or NULL. */
xmpp_stanza_t *flint_data_form_view_build_submit (FlintDataFormView *self,
                                                  xmpp_ctx_t *ctx);

/* For tests: types @value into the field @var as a user would (booleans
 * "1"/"0", list-multi values separated by newlines). FALSE when there
 * is no such visible field. */
gboolean flint_data_form_view_set_text (FlintDataFormView *self,
                                        const char *var,
                                        const char *value);
/* For tests: the errors shown, "var: message" per line ("" when none). */
char *flint_data_form_view_describe_errors (FlintDataFormView *self);

G_END_DECLS

#pragma once

#include <gio/gio.h>

#include "flint-data-form.h"
#include "flint-session.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_ADHOC_IDLE,
  FLINT_ADHOC_WAITING,   /* a request is out */
  FLINT_ADHOC_EXECUTING, /* a stage is shown; the user acts next */
  FLINT_ADHOC_COMPLETED,
  FLINT_ADHOC_CANCELED,
  FLINT_ADHOC_FAILED,
} FlintAdhocState;

typedef enum
{
  FLINT_ADHOC_ACTION_PREV = 1 << 0,
  FLINT_ADHOC_ACTION_NEXT = 1 << 1,
  FLINT_ADHOC_ACTION_COMPLETE = 1 << 2,
} FlintAdhocActions;

#define FLINT_TYPE_ADHOC_COMMAND (flint_adhoc_command_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintAdhocCommand, flint_adhoc_command, FLINT, ADHOC_COMMAND, GObject)

/* One run of an XEP-0050 ad-hoc command: execute, then next / prev /
 * complete with the stage's form, or cancel. "notify::state" after each
 * answer; the stage's form, notes and allowed actions are read then. */
FlintAdhocCommand *flint_adhoc_command_new (FlintSession *session,
                                            const char *jid,
                                            const char *node,
                                            const char *name);

void flint_adhoc_command_execute (FlintAdhocCommand *self);
/* form: the filled-in stage (its submit is sent), or NULL. */
void flint_adhoc_command_prev (FlintAdhocCommand *self);
void flint_adhoc_command_next (FlintAdhocCommand *self, FlintDataForm *form);
void flint_adhoc_command_complete (FlintAdhocCommand *self, FlintDataForm *form);
void flint_adhoc_command_cancel (FlintAdhocCommand *self);

FlintAdhocState flint_adhoc_command_get_state (FlintAdhocCommand *self);
const char *flint_adhoc_command_get_name (FlintAdhocCommand *self);
const char *flint_adhoc_command_get_node (FlintAdhocCommand *self);
const char *flint_adhoc_command_get_jid (FlintAdhocCommand *self);
/* The current stage's form (or the result form once completed), or NULL. */
FlintDataForm *flint_adhoc_command_get_form (FlintAdhocCommand *self);
FlintAdhocActions flint_adhoc_command_get_actions (FlintAdhocCommand *self);
/* The action the service suggests (XEP-0050 <actions execute=.../>). */
FlintAdhocActions flint_adhoc_command_get_default_action (FlintAdhocCommand *self);
/* Notes of the last answer, "info", "warn" or "error" in types. */
const char *const *flint_adhoc_command_get_notes (FlintAdhocCommand *self);
const char *const *flint_adhoc_command_get_note_types (FlintAdhocCommand *self);
const char *flint_adhoc_command_get_error (FlintAdhocCommand *self);

G_END_DECLS

/* FlintAdhocCommand: one session of an XEP-0050 command, its stages shown
 * through the data-form view. */
#include "config.h"

#define G_LOG_DOMAIN "flint-adhoc"

#include <glib/gi18n-lib.h>

#include "flint-adhoc-command.h"
#include "flint-disco-item.h"
#include "flint-stanza.h"

#define MAX_NOTES 50

struct _FlintAdhocCommand
{
  GObject parent_instance;

  FlintSession *session;
  char *jid;
  char *node;
  char *name;
  char *sessionid;

  FlintAdhocState state;
  FlintDataForm *form;
  FlintAdhocActions actions;
  FlintAdhocActions default_action;
  GStrv notes;
  GStrv note_types;
  char *error;
  guint serial; /* answers to an older request are dropped */
};

G_DEFINE_FINAL_TYPE (FlintAdhocCommand, flint_adhoc_command, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
set_state (FlintAdhocCommand *self, FlintAdhocState state)
{
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static FlintAdhocActions
action_from_name (const char *name)
{
  if (g_strcmp0 (name, "prev") == 0)
    return FLINT_ADHOC_ACTION_PREV;
  if (g_strcmp0 (name, "next") == 0)
    return FLINT_ADHOC_ACTION_NEXT;
  if (g_strcmp0 (name, "complete") == 0)
    return FLINT_ADHOC_ACTION_COMPLETE;
  return 0;
}

typedef struct
{
  GWeakRef ref;
  guint serial;
} Request;

static void
parse_command (FlintAdhocCommand *self, xmpp_stanza_t *command)
{
  const char *status = xmpp_stanza_get_attribute (command, "status");
  const char *sessionid = xmpp_stanza_get_attribute (command, "sessionid");
  xmpp_stanza_t *actions = xmpp_stanza_get_child_by_name (command, "actions");
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) form_error = NULL;

  if (sessionid && g_utf8_validate (sessionid, -1, NULL))
    {
      g_free (self->sessionid);
      self->sessionid = g_strdup (sessionid);
    }
  g_clear_object (&self->form);
  self->form = flint_data_form_parse_child (command, &form_error);
  if (form_error)
    g_debug ("Command %s: %s", self->node, form_error->message);

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (command); c && notes->len < MAX_NOTES;
       c = xmpp_stanza_get_next (c))
    {
      char *text;

      if (!xmpp_stanza_is_tag (c) || g_strcmp0 (xmpp_stanza_get_name (c), "note") != 0)
        continue;
      text = xmpp_stanza_get_text (c);
      if (text && g_utf8_validate (text, -1, NULL))
        {
          const char *type = xmpp_stanza_get_attribute (c, "type");

          g_ptr_array_add (notes, g_strdup (text));
          g_ptr_array_add (types, g_strdup (g_strcmp0 (type, "warn") == 0    ? "warn"
                                            : g_strcmp0 (type, "error") == 0 ? "error"
                                                                             : "info"));
        }
      if (text)
        xmpp_free (xmpp_stanza_get_context (command), text);
    }
  g_ptr_array_add (notes, NULL);
  g_ptr_array_add (types, NULL);
  g_strfreev (self->notes);
  g_strfreev (self->note_types);
  self->notes = (GStrv) g_ptr_array_free (g_steal_pointer (&notes), FALSE);
  self->note_types = (GStrv) g_ptr_array_free (g_steal_pointer (&types), FALSE);

  self->actions = 0;
  self->default_action = 0;
  if (actions)
    {
      for (xmpp_stanza_t *c = xmpp_stanza_get_children (actions); c;
           c = xmpp_stanza_get_next (c))
        if (xmpp_stanza_is_tag (c))
          self->actions |= action_from_name (xmpp_stanza_get_name (c));
      self->default_action =
        action_from_name (xmpp_stanza_get_attribute (actions, "execute"));
      self->actions |= self->default_action;
    }
  else
    {
      /* XEP-0050 §3.4: without <actions/>, "execute" finishes the stage. */
      self->actions = FLINT_ADHOC_ACTION_COMPLETE;
      self->default_action = FLINT_ADHOC_ACTION_COMPLETE;
    }

  if (g_strcmp0 (status, "completed") == 0)
    set_state (self, FLINT_ADHOC_COMPLETED);
  else if (g_strcmp0 (status, "canceled") == 0)
    set_state (self, FLINT_ADHOC_CANCELED);
  else
    set_state (self, FLINT_ADHOC_EXECUTING);
}

static void
on_reply (FlintSession *session,
          xmpp_stanza_t *result,
          const GError *error,
          gpointer data)
{
  Request *request = data;
  g_autoptr (FlintAdhocCommand) self = g_weak_ref_get (&request->ref);
  guint serial = request->serial;
  xmpp_stanza_t *command;

  g_weak_ref_clear (&request->ref);
  g_free (request);
  if (self == NULL || serial != self->serial)
    return;
  command =
    result && error == NULL
      ? xmpp_stanza_get_child_by_name_and_ns (result, "command", FLINT_NS_COMMANDS)
      : NULL;
  if (command == NULL)
    {
      g_free (self->error);
      self->error =
        g_strdup (error ? error->message : _ ("The service did not answer the command."));
      set_state (self, FLINT_ADHOC_FAILED);
      return;
    }
  parse_command (self, command);
}

static void
send_action (FlintAdhocCommand *self, const char *action, FlintDataForm *form)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", NULL);
  xmpp_stanza_t *command = flint_stanza_new (ctx, "command", FLINT_NS_COMMANDS);
  g_autofree char *id = flint_session_new_id (self->session);
  Request *request = g_new0 (Request, 1);

  xmpp_stanza_set_id (iq, id);
  xmpp_stanza_set_to (iq, self->jid);
  xmpp_stanza_set_attribute (command, "node", self->node);
  if (self->sessionid)
    xmpp_stanza_set_attribute (command, "sessionid", self->sessionid);
  if (action)
    xmpp_stanza_set_attribute (command, "action", action);
  if (form)
    {
      xmpp_stanza_t *x = flint_data_form_to_submit (form, ctx);

      xmpp_stanza_add_child (command, x);
      xmpp_stanza_release (x);
    }
  xmpp_stanza_add_child (iq, command);
  xmpp_stanza_release (command);

  g_clear_pointer (&self->error, g_free);
  g_weak_ref_init (&request->ref, self);
  request->serial = ++self->serial;
  set_state (self, FLINT_ADHOC_WAITING);
  flint_session_send_iq (self->session, iq, on_reply, request);
  xmpp_stanza_release (iq);
}

void
flint_adhoc_command_execute (FlintAdhocCommand *self)
{
  g_return_if_fail (FLINT_IS_ADHOC_COMMAND (self));

  g_clear_pointer (&self->sessionid, g_free);
  send_action (self, "execute", NULL);
}

void
flint_adhoc_command_prev (FlintAdhocCommand *self)
{
  send_action (self, "prev", NULL);
}

void
flint_adhoc_command_next (FlintAdhocCommand *self, FlintDataForm *form)
{
  send_action (self, "next", form);
}

void
flint_adhoc_command_complete (FlintAdhocCommand *self, FlintDataForm *form)
{
  /* Without <actions/> the stage is finished by "execute". */
  send_action (self,
               self->default_action == FLINT_ADHOC_ACTION_COMPLETE &&
                   self->actions == FLINT_ADHOC_ACTION_COMPLETE
                 ? "execute"
                 : "complete",
               form);
}

void
flint_adhoc_command_cancel (FlintAdhocCommand *self)
{
  g_return_if_fail (FLINT_IS_ADHOC_COMMAND (self));

  if (self->sessionid == NULL ||
      (self->state != FLINT_ADHOC_EXECUTING && self->state != FLINT_ADHOC_WAITING))
    {
      self->serial++;
      set_state (self, FLINT_ADHOC_CANCELED);
      return;
    }
  send_action (self, "cancel", NULL);
}

FlintAdhocState
flint_adhoc_command_get_state (FlintAdhocCommand *self)
{
  return self->state;
}

const char *
flint_adhoc_command_get_name (FlintAdhocCommand *self)
{
  return self->name ? self->name : self->node;
}

const char *
flint_adhoc_command_get_node (FlintAdhocCommand *self)
{
  return self->node;
}

const char *
flint_adhoc_command_get_jid (FlintAdhocCommand *self)
{
  return self->jid;
}

FlintDataForm *
flint_adhoc_command_get_form (FlintAdhocCommand *self)
{
  return self->form;
}

FlintAdhocActions
flint_adhoc_command_get_actions (FlintAdhocCommand *self)
{
  return self->actions;
}

FlintAdhocActions
flint_adhoc_command_get_default_action (FlintAdhocCommand *self)
{
  return self->default_action;
}

const char *const *
flint_adhoc_command_get_notes (FlintAdhocCommand *self)
{
  static const char *const none[] = { NULL };

  return self->notes ? (const char *const *) self->notes : none;
}

const char *const *
flint_adhoc_command_get_note_types (FlintAdhocCommand *self)
{
  static const char *const none[] = { NULL };

  return self->note_types ? (const char *const *) self->note_types : none;
}

const char *
flint_adhoc_command_get_error (FlintAdhocCommand *self)
{
  return self->error;
}

static void
flint_adhoc_command_get_property (GObject *object,
                                  guint prop_id,
                                  GValue *value,
                                  GParamSpec *pspec)
{
  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_int (value, FLINT_ADHOC_COMMAND (object)->state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_adhoc_command_finalize (GObject *object)
{
  FlintAdhocCommand *self = FLINT_ADHOC_COMMAND (object);

  g_clear_object (&self->session);
  g_clear_object (&self->form);
  g_free (self->jid);
  g_free (self->node);
  g_free (self->name);
  g_free (self->sessionid);
  g_free (self->error);
  g_strfreev (self->notes);
  g_strfreev (self->note_types);
  G_OBJECT_CLASS (flint_adhoc_command_parent_class)->finalize (object);
}

static void
flint_adhoc_command_class_init (FlintAdhocCommandClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = flint_adhoc_command_finalize;
  object_class->get_property = flint_adhoc_command_get_property;
  properties[PROP_STATE] = g_param_spec_int (
    "state", NULL, NULL, 0, FLINT_ADHOC_FAILED, 0,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_adhoc_command_init (FlintAdhocCommand *self)
{
}

FlintAdhocCommand *
flint_adhoc_command_new (FlintSession *session,
                         const char *jid,
                         const char *node,
                         const char *name)
{
  FlintAdhocCommand *self;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);

  self = g_object_new (FLINT_TYPE_ADHOC_COMMAND, NULL);
  self->session = g_object_ref (session);
  self->jid = g_strdup (jid);
  self->node = g_strdup (node);
  self->name = g_strdup (name);
  return self;
}

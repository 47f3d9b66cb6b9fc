/* Broadcast: one message to a group or a selection of contacts. */
#include "config.h"

#define G_LOG_DOMAIN "flint-broadcast"

#include <glib/gi18n-lib.h>

#include "flint-broadcast.h"
#include "flint-error.h"
#include "flint-jid.h"
#include "flint-history.h"

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

char **
flint_broadcast_group_members (FlintRoster *roster, const char *group)
{
  GListModel *contacts = flint_roster_get_contacts (roster);
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr (FlintContact) contact = g_list_model_get_item (contacts, i);
      const char *const *groups = flint_contact_get_groups (contact);

      if (group == NULL || (groups && g_strv_contains (groups, group)))
        g_ptr_array_add (found, g_strdup (flint_contact_get_jid (contact)));
    }
  g_ptr_array_sort (found, compare_strings);
  g_ptr_array_add (found, NULL);
  return (char **) g_ptr_array_free (found, FALSE);
}

static gboolean
blank (const char *text)
{
  for (; *text; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

guint
flint_broadcast_send (FlintChat *chat,
                      const char *const *jids,
                      const char *body,
                      GError **error)
{
  g_autoptr (GHashTable) seen =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GError) first = NULL;
  guint sent = 0, failed = 0;

  g_return_val_if_fail (FLINT_IS_CHAT (chat), 0);

  if (body == NULL || blank (body))
    {
      g_set_error_literal (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                           _ ("Type a message to send."));
      return 0;
    }
  for (guint i = 0; jids && jids[i]; i++)
    {
      g_autofree char *bare = flint_jid_normalize (jids[i]);
      g_autoptr (FlintMessageRecord) record = NULL;
      g_autoptr (GError) local = NULL;

      if (bare == NULL || !g_hash_table_add (seen, g_strdup (bare)))
        continue;
      record = flint_chat_send (chat, bare, body, &local);
      if (record)
        sent++;
      else
        {
          failed++;
          if (first == NULL)
            first = g_steal_pointer (&local);
        }
    }
  if (sent == 0 && failed == 0)
    {
      g_set_error_literal (error, FLINT_ERROR, FLINT_ERROR_FAILED,
                           _ ("Choose at least one contact to send to."));
      return 0;
    }
  if (first)
    g_set_error (error, FLINT_ERROR, first->code,
                 g_dngettext (NULL, "%u message could not be sent: %s",
                              "%u messages could not be sent: %s", failed),
                 failed, first->message);
  return sent;
}

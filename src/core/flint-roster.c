#include "config.h"

#define G_LOG_DOMAIN "flint-roster"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-error.h"
#include "flint-jid.h"
#include "flint-roster-private.h"
#include "flint-roster.h"
#include "flint-stanza.h"

#define NS_ROSTER "jabber:iq:roster"
#define NS_BLOCKING "urn:xmpp:blocking"
#define NS_NICK "http://jabber.org/protocol/nick"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"

/* Presence from JIDs not (yet) in the roster is kept only this many, and
 * only until the roster arrives: enough for a roster result that is slower
 * than the first presences, not a store for strangers. */
#define MAX_STRAYS 5000

struct _FlintRoster
{
  GObject parent_instance;

  FlintSession *session;
  char *own_jid;

  GListStore *contacts;
  GHashTable *by_jid; /* bare JID -> FlintContact, roster items only */
  GListStore *groups;
  GHashTable *groups_by_name;
  char *default_group;

  /* Contacts not in the roster whose presence is worth keeping: before the
   * roster arrived, and those we just asked to add. */
  GHashTable *strays;
  GHashTable *adding;

  GHashTable *requests; /* JID -> nick ("" if none) */
  GPtrArray *request_list;

  GHashTable *blocked;
  GPtrArray *blocked_list;
  gboolean can_block;

  gboolean loaded;
  gboolean session_loaded; /* the roster of this session arrived */
  gboolean show_offline;
  guint batch;
  guint burst_id; /* idle that ends a presence burst */
  guint burst_count;
  gboolean burst_batch;
  GPtrArray *new_groups;

  guint presence_handler;
  guint push_handler;
  guint block_handler;
  gulong online_handler;
  gulong state_handler;
};

G_DEFINE_FINAL_TYPE (FlintRoster, flint_roster, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_LOADED,
  PROP_SHOW_OFFLINE,
  PROP_CAN_BLOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SUBSCRIPTION_REQUEST,
  SIGNAL_SUBSCRIPTION_CHANGED,
  SIGNAL_BLOCKLIST_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- helpers ------------------------------------------------------------ */

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static int
compare_groups (gconstpointer a, gconstpointer b, gpointer data)
{
  return flint_roster_group_compare ((FlintRosterGroup *) a, (FlintRosterGroup *) b);
}

/* A bare JID as stored, or NULL when jid is not one we accept. */
static char *
bare_or_null (const char *jid)
{
  if (jid == NULL || !flint_jid_is_valid (jid))
    return NULL;
  return flint_jid_bare (jid);
}

/* RFC 6121 2.1.6: only our own account (or the server on its behalf, with
 * no from) may change the roster or the blocklist. */
static gboolean
from_own_account (FlintRoster *self, xmpp_stanza_t *stanza)
{
  const char *from = xmpp_stanza_get_from (stanza);
  g_autofree char *bare = NULL;

  if (from == NULL)
    return TRUE;
  if (strchr (from, '/'))
    return FALSE;
  bare = flint_jid_bare (from);
  return bare && g_str_equal (bare, self->own_jid);
}

static const char *const *
contact_group_names (FlintRoster *self, FlintContact *contact, const char *fallback[2])
{
  const char *const *groups = flint_contact_get_groups (contact);

  if (groups && groups[0])
    return groups;
  fallback[0] = self->default_group;
  fallback[1] = NULL;
  return fallback;
}

static FlintRosterGroup *
lookup_group (FlintRoster *self, const char *name, gboolean create)
{
  FlintRosterGroup *group = g_hash_table_lookup (self->groups_by_name, name);

  if (group || !create)
    return group;
  group = flint_roster_group_new (name, g_str_equal (name, self->default_group));
  flint_roster_group_set_show_offline (group, self->show_offline);
  g_hash_table_insert (self->groups_by_name, g_strdup (name), group);
  if (self->batch > 0)
    {
      /* Listed once it is filled, so nobody sees a half-built group. */
      flint_roster_group_freeze (group);
      g_ptr_array_add (self->new_groups, g_object_ref (group));
    }
  else
    g_list_store_insert_sorted (self->groups, group, compare_groups, NULL);
  return group;
}

static void
drop_group_if_empty (FlintRoster *self, FlintRosterGroup *group)
{
  guint position;

  if (self->batch > 0 || flint_roster_group_get_n_contacts (group) > 0)
    return;
  if (g_list_store_find (self->groups, group, &position))
    g_list_store_remove (self->groups, position);
  g_hash_table_remove (self->groups_by_name, flint_roster_group_get_name (group));
}

static void
update_groups (FlintRoster *self, FlintContact *contact)
{
  const char *fallback[2];
  const char *const *names = contact_group_names (self, contact, fallback);

  for (guint i = 0; names[i]; i++)
    {
      FlintRosterGroup *group = g_hash_table_lookup (self->groups_by_name, names[i]);

      if (group)
        flint_roster_group_update (group, contact);
    }
}

static void
begin_batch (FlintRoster *self)
{
  GHashTableIter iter;
  FlintRosterGroup *group;

  if (self->batch++ > 0)
    return;
  g_hash_table_iter_init (&iter, self->groups_by_name);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &group))
    flint_roster_group_freeze (group);
}

static void
end_batch (FlintRoster *self)
{
  g_autoptr (GPtrArray) groups = NULL;
  g_autoptr (GPtrArray) fresh = NULL;
  GHashTableIter iter;
  gpointer group;

  g_return_if_fail (self->batch > 0);
  if (--self->batch > 0)
    return;

  groups = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->groups_by_name);
  while (g_hash_table_iter_next (&iter, NULL, &group))
    g_ptr_array_add (groups, g_object_ref (group));

  /* New groups were frozen too: thaw everything, then list the new ones. */
  for (guint i = 0; i < groups->len; i++)
    flint_roster_group_thaw (g_ptr_array_index (groups, i));
  fresh = g_steal_pointer (&self->new_groups);
  self->new_groups = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < fresh->len; i++)
    {
      group = g_ptr_array_index (fresh, i);
      if (flint_roster_group_get_n_contacts (group) > 0 &&
          g_hash_table_lookup (self->groups_by_name,
                               flint_roster_group_get_name (group)) == group)
        g_list_store_insert_sorted (self->groups, group, compare_groups, NULL);
    }
  for (guint i = 0; i < groups->len; i++)
    drop_group_if_empty (self, g_ptr_array_index (groups, i));
}

static void
set_groups_of (FlintRoster *self, FlintContact *contact, const char *const *old_names)
{
  const char *fallback[2];
  const char *const *names = contact_group_names (self, contact, fallback);

  for (guint i = 0; old_names && old_names[i]; i++)
    if (!g_strv_contains (names, old_names[i]))
      {
        FlintRosterGroup *group =
          g_hash_table_lookup (self->groups_by_name, old_names[i]);

        if (group)
          {
            flint_roster_group_remove (group, contact);
            drop_group_if_empty (self, group);
          }
      }
  for (guint i = 0; names[i]; i++)
    flint_roster_group_add (lookup_group (self, names[i], TRUE), contact);
}

static void
requests_changed (FlintRoster *self)
{
  GHashTableIter iter;
  const char *jid;

  g_ptr_array_set_size (self->request_list, 0);
  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, (gpointer *) &jid, NULL))
    g_ptr_array_add (self->request_list, (gpointer) jid);
  g_ptr_array_sort (self->request_list, compare_strings);
  g_ptr_array_add (self->request_list, NULL);
}

static void
forget_request (FlintRoster *self, const char *jid)
{
  FlintContact *contact = g_hash_table_lookup (self->by_jid, jid);

  if (g_hash_table_remove (self->requests, jid))
    requests_changed (self);
  if (contact && flint_contact_set_pending_in (contact, FALSE))
    update_groups (self, contact);
}

/* ---- roster items ------------------------------------------------------- */

static FlintContact *
adopt_contact (FlintRoster *self, const char *jid)
{
  FlintContact *contact = NULL;
  gpointer stray_key, stray;

  /* Presence that came before the item is not lost. A steal hands back the
   * key as well: it is ours to free (found by LeakSanitizer). */
  if (g_hash_table_steal_extended (self->strays, jid, &stray_key, &stray))
    {
      g_free (stray_key);
      contact = stray;
    }
  else
    contact = flint_contact_new (jid);
  g_hash_table_remove (self->adding, jid);
  g_hash_table_insert (self->by_jid, g_strdup (flint_contact_get_jid (contact)), contact);
  flint_contact_set_blocked (contact, g_hash_table_contains (self->blocked, jid));
  flint_contact_set_pending_in (contact, g_hash_table_contains (self->requests, jid));
  return contact;
}

static void
remove_contact (FlintRoster *self, FlintContact *contact, gboolean from_store)
{
  const char *fallback[2];
  const char *const *names;
  g_autoptr (FlintContact) keep = g_object_ref (contact);
  guint position;

  /* Observers holding the object learn it is gone. */
  flint_contact_set_item (contact, flint_contact_get_name (contact),
                          flint_contact_get_groups (contact), "remove", FALSE);
  names = contact_group_names (self, contact, fallback);
  for (guint i = 0; names[i]; i++)
    {
      FlintRosterGroup *group = g_hash_table_lookup (self->groups_by_name, names[i]);

      if (group)
        {
          flint_roster_group_remove (group, contact);
          drop_group_if_empty (self, group);
        }
    }
  if (from_store && g_list_store_find (self->contacts, contact, &position))
    g_list_store_remove (self->contacts, position);
  g_hash_table_remove (self->by_jid, flint_contact_get_jid (contact));
}

/* Applies one <item/>; returns the contact, NULL if removed or invalid. */
static FlintContact *
apply_item (FlintRoster *self, xmpp_stanza_t *item, gboolean *is_new)
{
  g_autofree char *jid = bare_or_null (xmpp_stanza_get_attribute (item, "jid"));
  const char *subscription = xmpp_stanza_get_attribute (item, "subscription");
  const char *name = xmpp_stanza_get_attribute (item, "name");
  const char *ask = xmpp_stanza_get_attribute (item, "ask");
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) old_groups = NULL;
  FlintContact *contact;
  FlintContactChange change;

  *is_new = FALSE;
  if (jid == NULL || strchr (jid, '/'))
    return NULL;
  if (subscription == NULL)
    subscription = "none";
  if (!g_str_equal (subscription, "none") && !g_str_equal (subscription, "to") &&
      !g_str_equal (subscription, "from") && !g_str_equal (subscription, "both") &&
      !g_str_equal (subscription, "remove"))
    subscription = "none";

  contact = g_hash_table_lookup (self->by_jid, jid);
  if (g_str_equal (subscription, "remove"))
    {
      if (contact)
        remove_contact (self, contact, self->batch == 0);
      return NULL;
    }
  if (name && !g_utf8_validate (name, -1, NULL))
    name = NULL;

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (item); c;
       c = xmpp_stanza_get_next (c))
    {
      char *text;

      if (!xmpp_stanza_is_tag (c) || g_strcmp0 (xmpp_stanza_get_name (c), "group") != 0)
        continue;
      text = xmpp_stanza_get_text (c);
      if (text && *text && g_utf8_validate (text, -1, NULL))
        {
          const char *group = text;
          gboolean seen = FALSE;

          for (guint i = 0; i < groups->len && !seen; i++)
            seen = g_str_equal (g_ptr_array_index (groups, i), group);
          if (!seen)
            g_ptr_array_add (groups, g_strdup (group));
        }
      if (text)
        xmpp_free (xmpp_stanza_get_context (item), text);
    }
  g_ptr_array_add (groups, NULL);

  if (contact == NULL)
    {
      contact = adopt_contact (self, jid);
      *is_new = TRUE;
    }
  else
    {
      const char *fallback[2];
      old_groups = g_strdupv ((char **) contact_group_names (self, contact, fallback));
    }

  change = flint_contact_set_item (contact, name, (const char *const *) groups->pdata,
                                   subscription, g_strcmp0 (ask, "subscribe") == 0);
  /* Approved from another client of ours: the request is answered. */
  if (flint_contact_is_subscribed_from (contact))
    forget_request (self, jid);
  if (*is_new || (change & FLINT_CONTACT_CHANGE_GROUPS))
    set_groups_of (self, contact, (const char *const *) old_groups);
  else if (change)
    update_groups (self, contact);
  return contact;
}

void
flint_roster_handle_roster_result (FlintRoster *self, xmpp_stanza_t *iq)
{
  xmpp_stanza_t *query = xmpp_stanza_get_child_by_name_and_ns (iq, "query", NS_ROSTER);
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  FlintContact *contact;
  guint n_old;
  gboolean same;

  g_return_if_fail (FLINT_IS_ROSTER (self));

  /* Without a query (roster versioning said "unchanged") we keep ours. */
  if (query)
    {
      begin_batch (self);
      for (xmpp_stanza_t *item = xmpp_stanza_get_children (query); item;
           item = xmpp_stanza_get_next (item))
        {
          gboolean is_new;

          if (!xmpp_stanza_is_tag (item) ||
              g_strcmp0 (xmpp_stanza_get_name (item), "item"))
            continue;
          /* A result never removes; a "remove" item there is malformed. */
          if (g_strcmp0 (xmpp_stanza_get_attribute (item, "subscription"), "remove") == 0)
            continue;
          contact = apply_item (self, item, &is_new);
          if (contact && !g_hash_table_contains (seen, contact))
            {
              g_hash_table_add (seen, contact);
              g_ptr_array_add (order, contact);
            }
        }
      g_hash_table_iter_init (&iter, self->by_jid);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &contact))
        if (!g_hash_table_contains (seen, contact))
          g_ptr_array_add (gone, g_object_ref (contact));
      for (guint i = 0; i < gone->len; i++)
        remove_contact (self, g_ptr_array_index (gone, i), FALSE);
      end_batch (self);

      /* One change for the whole list, and none when it is the same. */
      n_old = g_list_model_get_n_items (G_LIST_MODEL (self->contacts));
      same = n_old == order->len;
      for (guint i = 0; same && i < n_old; i++)
        {
          g_autoptr (FlintContact) old =
            g_list_model_get_item (G_LIST_MODEL (self->contacts), i);
          same = old == g_ptr_array_index (order, i);
        }
      if (!same)
        g_list_store_splice (self->contacts, 0, n_old, order->pdata, order->len);
    }

  self->session_loaded = TRUE;
  g_hash_table_remove_all (self->strays);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
}

gboolean
flint_roster_handle_push (FlintRoster *self, xmpp_stanza_t *iq)
{
  xmpp_stanza_t *query = xmpp_stanza_get_child_by_name_and_ns (iq, "query", NS_ROSTER);
  xmpp_stanza_t *item = NULL;
  guint n_items = 0;
  FlintContact *contact;
  gboolean is_new;

  g_return_val_if_fail (FLINT_IS_ROSTER (self), FALSE);

  if (query == NULL || g_strcmp0 (xmpp_stanza_get_type (iq), "set") != 0)
    return FALSE;
  if (!from_own_account (self, iq))
    {
      g_debug ("Ignoring a roster push from %s", xmpp_stanza_get_from (iq));
      return FALSE;
    }
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (query); c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_name (c), "item") == 0)
      {
        item = c;
        n_items++;
      }
  /* RFC 6121 2.1.6: exactly one item. */
  if (n_items != 1)
    return FALSE;

  contact = apply_item (self, item, &is_new);
  if (contact && is_new)
    g_list_store_append (self->contacts, contact);
  return TRUE;
}

/* ---- presence ----------------------------------------------------------- */

static FlintContact *
presence_target (FlintRoster *self, const char *bare)
{
  FlintContact *contact = g_hash_table_lookup (self->by_jid, bare);

  if (contact)
    return contact;
  contact = g_hash_table_lookup (self->strays, bare);
  if (contact)
    return contact;
  if ((self->session_loaded && !g_hash_table_contains (self->adding, bare)) ||
      g_hash_table_size (self->strays) >= MAX_STRAYS)
    return NULL;
  contact = flint_contact_new (bare);
  g_hash_table_insert (self->strays, g_strdup (bare), contact);
  return contact;
}

static void
on_subscribe (FlintRoster *self, const char *bare, xmpp_stanza_t *presence)
{
  FlintContact *contact = g_hash_table_lookup (self->by_jid, bare);
  g_autofree char *nick = flint_stanza_child_text (presence, "nick", NS_NICK);

  /* Already approved: the server answers for us (RFC 6121 3.1.3). */
  if (contact && flint_contact_is_subscribed_from (contact))
    return;
  if (contact && flint_contact_set_pending_in (contact, TRUE))
    update_groups (self, contact);
  if (g_hash_table_contains (self->requests, bare))
    return;
  g_hash_table_insert (self->requests, g_strdup (bare), g_strdup (nick ? nick : ""));
  requests_changed (self);
  g_signal_emit (self, signals[SIGNAL_SUBSCRIPTION_REQUEST], 0, bare,
                 nick && *nick ? nick : NULL);
}

static gboolean
on_burst_idle (gpointer user_data)
{
  FlintRoster *self = user_data;

  self->burst_id = 0;
  self->burst_count = 0;
  if (self->burst_batch)
    {
      self->burst_batch = FALSE;
      end_batch (self);
    }
  return G_SOURCE_REMOVE;
}

/* Presence changes that arrive together (a whole office signing in at 9, or
 * the server's presences at login) reorder the groups once, when the main
 * loop is next idle and before the next frame, instead of moving one row at
 * a time: at 500 contacts that took the list seconds. A lone change still
 * moves just its row. */
static void
note_presence_burst (FlintRoster *self)
{
  if (self->burst_id == 0)
    self->burst_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_burst_idle, self, NULL);
  if (++self->burst_count == 2 && !self->burst_batch)
    {
      self->burst_batch = TRUE;
      begin_batch (self);
    }
}

void
flint_roster_handle_presence (FlintRoster *self, xmpp_stanza_t *presence)
{
  const char *from = xmpp_stanza_get_from (presence);
  const char *type = xmpp_stanza_get_type (presence);
  g_autofree char *bare = NULL;
  g_autofree char *resource = NULL;
  FlintContact *contact;
  gboolean changed;

  g_return_if_fail (FLINT_IS_ROSTER (self));

  if ((bare = bare_or_null (from)) == NULL || g_str_equal (bare, self->own_jid))
    return;
  /* Room occupants are the MUC module's. */
  if (xmpp_stanza_get_child_by_name_and_ns (presence, "x", NS_MUC_USER))
    return;
  resource = flint_jid_resource (from);

  if (type && g_str_equal (type, "subscribe"))
    {
      on_subscribe (self, bare, presence);
      return;
    }
  if (type && g_str_equal (type, "unsubscribe"))
    {
      forget_request (self, bare);
      g_signal_emit (self, signals[SIGNAL_SUBSCRIPTION_CHANGED], 0, bare);
      return;
    }
  if (type && (g_str_equal (type, "subscribed") || g_str_equal (type, "unsubscribed")))
    {
      g_signal_emit (self, signals[SIGNAL_SUBSCRIPTION_CHANGED], 0, bare);
      return;
    }

  if (type == NULL)
    {
      g_autofree char *show = flint_stanza_child_text (presence, "show", NULL);
      g_autofree char *status = flint_stanza_child_text (presence, "status", NULL);
      g_autofree char *priority_text =
        flint_stanza_child_text (presence, "priority", NULL);
      gint64 priority = priority_text ? g_ascii_strtoll (priority_text, NULL, 10) : 0;

      if ((contact = presence_target (self, bare)) == NULL)
        return;
      changed =
        flint_contact_update_resource (contact, resource, flint_presence_from_show (show),
                                       status, (int) CLAMP (priority, -128, 127));
    }
  else if (g_str_equal (type, "unavailable") || g_str_equal (type, "error"))
    {
      if ((contact = g_hash_table_lookup (self->by_jid, bare)) == NULL &&
          (contact = g_hash_table_lookup (self->strays, bare)) == NULL)
        return;
      /* An error, or unavailable from the bare JID, ends every resource. */
      changed = flint_contact_remove_resource (
        contact, g_str_equal (type, "error") ? NULL : resource);
    }
  else
    return; /* probe, or nonsense */

  if (changed && g_hash_table_lookup (self->by_jid, bare) == contact)
    {
      note_presence_burst (self);
      update_groups (self, contact);
    }
}

void
flint_roster_mark_all_offline (FlintRoster *self)
{
  GHashTableIter iter;
  FlintContact *contact;

  begin_batch (self);
  g_hash_table_iter_init (&iter, self->by_jid);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &contact))
    if (flint_contact_remove_resource (contact, NULL))
      update_groups (self, contact);
  end_batch (self);
  g_hash_table_remove_all (self->strays);
}

/* ---- blocking ----------------------------------------------------------- */

static void
rebuild_blocked_list (FlintRoster *self)
{
  GHashTableIter iter;
  const char *jid;

  g_ptr_array_set_size (self->blocked_list, 0);
  g_hash_table_iter_init (&iter, self->blocked);
  while (g_hash_table_iter_next (&iter, (gpointer *) &jid, NULL))
    g_ptr_array_add (self->blocked_list, (gpointer) jid);
  g_ptr_array_sort (self->blocked_list, compare_strings);
  g_ptr_array_add (self->blocked_list, NULL);
}

static void
blocklist_changed (FlintRoster *self)
{
  GHashTableIter iter;
  const char *jid;
  FlintContact *contact;

  rebuild_blocked_list (self);
  g_hash_table_iter_init (&iter, self->by_jid);
  while (g_hash_table_iter_next (&iter, (gpointer *) &jid, (gpointer *) &contact))
    flint_contact_set_blocked (contact, g_hash_table_contains (self->blocked, jid));
  g_signal_emit (self, signals[SIGNAL_BLOCKLIST_CHANGED], 0);
}

static void
set_can_block (FlintRoster *self, gboolean can_block)
{
  if (self->can_block == can_block)
    return;
  self->can_block = can_block;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_BLOCK]);
}

/* Applies <block/>, <unblock/> or <blocklist/> items; TRUE if anything
 * changed. */
static gboolean
apply_block_items (FlintRoster *self, xmpp_stanza_t *element, gboolean block)
{
  gboolean changed = FALSE;
  gboolean any = FALSE;

  for (xmpp_stanza_t *item = xmpp_stanza_get_children (element); item;
       item = xmpp_stanza_get_next (item))
    {
      const char *attr;
      g_autofree char *jid = NULL;

      if (!xmpp_stanza_is_tag (item) || g_strcmp0 (xmpp_stanza_get_name (item), "item"))
        continue;
      attr = xmpp_stanza_get_attribute (item, "jid");
      if (attr == NULL || !flint_jid_is_valid (attr))
        continue;
      jid = flint_jid_normalize (attr);
      any = TRUE;
      if (block)
        changed |= g_hash_table_add (self->blocked, g_steal_pointer (&jid));
      else
        changed |= g_hash_table_remove (self->blocked, jid);
    }
  /* XEP-0191 3.4: an unblock without items unblocks everyone. */
  if (!block && !any && g_hash_table_size (self->blocked) > 0)
    {
      g_hash_table_remove_all (self->blocked);
      changed = TRUE;
    }
  return changed;
}

void
flint_roster_handle_blocklist (FlintRoster *self, xmpp_stanza_t *iq)
{
  xmpp_stanza_t *list =
    xmpp_stanza_get_child_by_name_and_ns (iq, "blocklist", NS_BLOCKING);
  g_autoptr (GHashTable) old = g_steal_pointer (&self->blocked);
  gboolean changed;
  GHashTableIter iter;
  const char *jid;

  self->blocked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (list)
    apply_block_items (self, list, TRUE);
  set_can_block (self, TRUE);

  changed = g_hash_table_size (old) != g_hash_table_size (self->blocked);
  g_hash_table_iter_init (&iter, old);
  while (!changed && g_hash_table_iter_next (&iter, (gpointer *) &jid, NULL))
    changed = !g_hash_table_contains (self->blocked, jid);
  /* The list pointed into the old table. */
  if (changed)
    blocklist_changed (self);
  else
    rebuild_blocked_list (self);
}

static xmpp_stanza_t *new_element (FlintRoster *self, const char *name, const char *ns);

static void
send_result (FlintRoster *self, xmpp_stanza_t *iq)
{
  xmpp_stanza_t *reply =
    flint_session_make_reply (flint_session_get_context (self->session), iq, NULL, NULL);

  flint_session_send (self->session, reply);
  xmpp_stanza_release (reply);
}

static void
send_bad_request (FlintRoster *self, xmpp_stanza_t *iq)
{
  xmpp_stanza_t *reply = flint_session_make_reply (
    flint_session_get_context (self->session), iq, "modify", "bad-request");

  flint_session_send (self->session, reply);
  xmpp_stanza_release (reply);
}

static gboolean
on_block_push (FlintSession *session, xmpp_stanza_t *iq, gpointer user_data)
{
  FlintRoster *self = user_data;
  xmpp_stanza_t *block = xmpp_stanza_get_child_by_name_and_ns (iq, "block", NS_BLOCKING);
  xmpp_stanza_t *unblock =
    xmpp_stanza_get_child_by_name_and_ns (iq, "unblock", NS_BLOCKING);

  if ((block == NULL && unblock == NULL) || !from_own_account (self, iq))
    return FALSE;
  if (apply_block_items (self, block ? block : unblock, block != NULL))
    blocklist_changed (self);
  set_can_block (self, TRUE);
  send_result (self, iq);
  return TRUE;
}

/* ---- session ------------------------------------------------------------ */

static gboolean
on_roster_push (FlintSession *session, xmpp_stanza_t *iq, gpointer user_data)
{
  FlintRoster *self = user_data;

  /* A forger gets the session's service-unavailable, as if we had no
   * roster; our server gets bad-request for a malformed push. */
  if (!from_own_account (self, iq))
    return FALSE;
  if (flint_roster_handle_push (self, iq))
    send_result (self, iq);
  else
    send_bad_request (self, iq);
  return TRUE;
}

static gboolean
on_presence (FlintSession *session, xmpp_stanza_t *presence, gpointer user_data)
{
  const char *type = xmpp_stanza_get_type (presence);

  flint_roster_handle_presence (user_data, presence);
  /* Other modules (rooms, avatars, caps) may want ordinary presence too. */
  return type && (g_str_equal (type, "subscribe") || g_str_equal (type, "unsubscribe") ||
                  g_str_equal (type, "subscribed") || g_str_equal (type, "unsubscribed"));
}

static void
on_roster_result (FlintSession *session,
                  xmpp_stanza_t *result,
                  const GError *error,
                  gpointer user_data)
{
  g_autoptr (FlintRoster) self = user_data;

  if (error)
    {
      g_debug ("Roster request failed: %s", error->message);
      return;
    }
  flint_roster_handle_roster_result (self, result);
}

static void
on_blocklist_result (FlintSession *session,
                     xmpp_stanza_t *result,
                     const GError *error,
                     gpointer user_data)
{
  g_autoptr (FlintRoster) self = user_data;

  if (error)
    {
      /* An error reply means no XEP-0191 here; a timeout says nothing. */
      if (result)
        set_can_block (self, FALSE);
      return;
    }
  flint_roster_handle_blocklist (self, result);
}

static xmpp_stanza_t *
new_element (FlintRoster *self, const char *name, const char *ns)
{
  return flint_stanza_new (flint_session_get_context (self->session), name, ns);
}

static void
fetch (FlintRoster *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *iq;

  iq = xmpp_iq_new (ctx, "get", NULL);
  xmpp_stanza_add_child_ex (iq, new_element (self, "query", NS_ROSTER), 0);
  flint_session_send_iq (self->session, iq, on_roster_result, g_object_ref (self));
  xmpp_stanza_release (iq);

  iq = xmpp_iq_new (ctx, "get", NULL);
  xmpp_stanza_add_child_ex (iq, new_element (self, "blocklist", NS_BLOCKING), 0);
  flint_session_send_iq (self->session, iq, on_blocklist_result, g_object_ref (self));
  xmpp_stanza_release (iq);
}

static void
on_online (FlintSession *session, gboolean resumed, FlintRoster *self)
{
  /* A resumed stream kept the server's roster and presence state. */
  if (resumed)
    return;
  self->session_loaded = FALSE;
  flint_roster_mark_all_offline (self);
  fetch (self);
}

static void
on_state (FlintSession *session, GParamSpec *pspec, FlintRoster *self)
{
  if (flint_session_get_state (session) != FLINT_SESSION_DISCONNECTED)
    return;
  self->session_loaded = FALSE;
  g_hash_table_remove_all (self->adding);
  flint_roster_mark_all_offline (self);
}

/* ---- actions ------------------------------------------------------------ */

static void
on_action_done (FlintSession *session,
                xmpp_stanza_t *result,
                const GError *error,
                gpointer user_data)
{
  if (error)
    g_message ("Roster change failed: %s", error->message);
}

static void
send_item (FlintRoster *self,
           const char *jid,
           const char *name,
           const char *const *groups,
           gboolean remove)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", NULL);
  xmpp_stanza_t *query = new_element (self, "query", NS_ROSTER);
  xmpp_stanza_t *item = new_element (self, "item", NULL);

  xmpp_stanza_set_attribute (item, "jid", jid);
  if (remove)
    xmpp_stanza_set_attribute (item, "subscription", "remove");
  else if (name && *name)
    xmpp_stanza_set_attribute (item, "name", name);
  for (guint i = 0; !remove && groups && groups[i]; i++)
    {
      xmpp_stanza_t *group, *text;

      if (*groups[i] == '\0' || g_str_equal (groups[i], self->default_group))
        continue;
      group = new_element (self, "group", NULL);
      text = xmpp_stanza_new (ctx);
      xmpp_stanza_set_text (text, groups[i]);
      xmpp_stanza_add_child_ex (group, text, 0);
      xmpp_stanza_add_child_ex (item, group, 0);
    }
  xmpp_stanza_add_child_ex (query, item, 0);
  xmpp_stanza_add_child_ex (iq, query, 0);
  flint_session_send_iq (self->session, iq, on_action_done, NULL);
  xmpp_stanza_release (iq);
}

static void
send_presence_type (FlintRoster *self, const char *jid, const char *type)
{
  xmpp_stanza_t *presence = xmpp_presence_new (flint_session_get_context (self->session));

  xmpp_stanza_set_type (presence, type);
  xmpp_stanza_set_to (presence, jid);
  flint_session_send (self->session, presence);
  xmpp_stanza_release (presence);
}

static gboolean
is_online (FlintRoster *self)
{
  return flint_session_get_state (self->session) == FLINT_SESSION_ONLINE;
}

gboolean
flint_roster_add (FlintRoster *self,
                  const char *jid,
                  const char *name,
                  const char *const *groups,
                  GError **error)
{
  g_autofree char *bare = NULL;

  g_return_val_if_fail (FLINT_IS_ROSTER (self), FALSE);

  if ((bare = bare_or_null (jid)) == NULL || !flint_jid_is_valid_bare (bare))
    {
      flint_set_error (error, FLINT_ERROR_INVALID_JID);
      return FALSE;
    }
  if (!is_online (self))
    {
      flint_set_error (error, FLINT_ERROR_NOT_CONNECTED);
      return FALSE;
    }
  if (!g_hash_table_contains (self->by_jid, bare))
    g_hash_table_add (self->adding, g_strdup (bare));
  send_item (self, bare, name, groups, FALSE);
  send_presence_type (self, bare, "subscribe");
  return TRUE;
}

static FlintContact *
lookup_for_action (FlintRoster *self, const char *jid)
{
  FlintContact *contact = flint_roster_lookup (self, jid);

  if (contact == NULL)
    g_debug ("%s is not in the roster", jid);
  return contact;
}

void
flint_roster_rename (FlintRoster *self, const char *jid, const char *name)
{
  FlintContact *contact;

  g_return_if_fail (FLINT_IS_ROSTER (self));
  if ((contact = lookup_for_action (self, jid)) == NULL)
    return;
  send_item (self, flint_contact_get_jid (contact), name,
             flint_contact_get_groups (contact), FALSE);
}

void
flint_roster_set_groups (FlintRoster *self, const char *jid, const char *const *groups)
{
  FlintContact *contact;

  g_return_if_fail (FLINT_IS_ROSTER (self));
  if ((contact = lookup_for_action (self, jid)) == NULL)
    return;
  send_item (self, flint_contact_get_jid (contact), flint_contact_get_name (contact),
             groups, FALSE);
}

void
flint_roster_remove (FlintRoster *self, const char *jid)
{
  FlintContact *contact;

  g_return_if_fail (FLINT_IS_ROSTER (self));
  if ((contact = lookup_for_action (self, jid)) == NULL)
    return;
  send_item (self, flint_contact_get_jid (contact), NULL, NULL, TRUE);
}

void
flint_roster_approve (FlintRoster *self, const char *jid, gboolean add_back)
{
  g_autofree char *bare = NULL;
  g_autofree char *nick = NULL;
  FlintContact *contact;

  g_return_if_fail (FLINT_IS_ROSTER (self));
  if ((bare = bare_or_null (jid)) == NULL)
    return;
  nick = g_strdup (g_hash_table_lookup (self->requests, bare));
  send_presence_type (self, bare, "subscribed");
  forget_request (self, bare);
  if (!add_back)
    return;

  contact = g_hash_table_lookup (self->by_jid, bare);
  if (contact == NULL)
    {
      g_hash_table_add (self->adding, g_strdup (bare));
      send_item (self, bare, nick, NULL, FALSE);
    }
  if (contact == NULL || (!flint_contact_is_subscribed_to (contact) &&
                          !flint_contact_get_pending_out (contact)))
    send_presence_type (self, bare, "subscribe");
}

void
flint_roster_deny (FlintRoster *self, const char *jid)
{
  g_autofree char *bare = NULL;

  g_return_if_fail (FLINT_IS_ROSTER (self));
  if ((bare = bare_or_null (jid)) == NULL)
    return;
  send_presence_type (self, bare, "unsubscribed");
  forget_request (self, bare);
}

static void
on_block_done (FlintSession *session,
               xmpp_stanza_t *result,
               const GError *error,
               gpointer user_data)
{
  g_autoptr (FlintRoster) self = user_data;

  if (error)
    g_message ("Blocking change failed: %s", error->message);
}

static void
send_block (FlintRoster *self, const char *jid, gboolean block)
{
  g_autofree char *normalized = NULL;
  xmpp_stanza_t *iq, *element, *item;

  if (jid == NULL || !flint_jid_is_valid (jid))
    return;
  normalized = flint_jid_normalize (jid);
  iq = xmpp_iq_new (flint_session_get_context (self->session), "set", NULL);
  element = new_element (self, block ? "block" : "unblock", NS_BLOCKING);
  item = new_element (self, "item", NULL);
  xmpp_stanza_set_attribute (item, "jid", normalized);
  xmpp_stanza_add_child_ex (element, item, 0);
  xmpp_stanza_add_child_ex (iq, element, 0);
  /* The server's push to every resource (this one too) updates the list. */
  flint_session_send_iq (self->session, iq, on_block_done, g_object_ref (self));
  xmpp_stanza_release (iq);
}

void
flint_roster_block (FlintRoster *self, const char *jid)
{
  g_return_if_fail (FLINT_IS_ROSTER (self));
  send_block (self, jid, TRUE);
}

void
flint_roster_unblock (FlintRoster *self, const char *jid)
{
  g_return_if_fail (FLINT_IS_ROSTER (self));
  send_block (self, jid, FALSE);
}

/* ---- getters ------------------------------------------------------------ */

FlintRoster *
flint_roster_new (FlintSession *session)
{
  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);
  return g_object_new (FLINT_TYPE_ROSTER, "session", session, NULL);
}

FlintSession *
flint_roster_get_session (FlintRoster *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER (self), NULL);
  return self->session;
}

gboolean
flint_roster_get_loaded (FlintRoster *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER (self), FALSE);
  return self->loaded;
}

GListModel *
flint_roster_get_contacts (FlintRoster *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER (self), NULL);
  return G_LIST_MODEL (self->contacts);
}

GListModel *
flint_roster_get_groups (FlintRoster *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER (self), NULL);
  return G_LIST_MODEL (self->groups);
}

FlintContact *
flint_roster_lookup (FlintRoster *self, const char *jid)
{
  g_autofree char *bare = NULL;

  g_return_val_if_fail (FLINT_IS_ROSTER (self), NULL);
  if ((bare = bare_or_null (jid)) == NULL)
    return NULL;
  return g_hash_table_lookup (self->by_jid, bare);
}

gboolean
flint_roster_get_show_offline (FlintRoster *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER (self), FALSE);
  return self->show_offline;
}

void
flint_roster_set_show_offline (FlintRoster *self, gboolean show_offline)
{
  GHashTableIter iter;
  FlintRosterGroup *group;

  g_return_if_fail (FLINT_IS_ROSTER (self));
  if (self->show_offline == !!show_offline)
    return;
  self->show_offline = !!show_offline;
  g_hash_table_iter_init (&iter, self->groups_by_name);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &group))
    flint_roster_group_set_show_offline (group, self->show_offline);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_OFFLINE]);
}

const char *const *
flint_roster_get_pending_requests (FlintRoster *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER (self), NULL);
  return (const char *const *) self->request_list->pdata;
}

gboolean
flint_roster_get_can_block (FlintRoster *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER (self), FALSE);
  return self->can_block;
}

const char *const *
flint_roster_get_blocked (FlintRoster *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER (self), NULL);
  return (const char *const *) self->blocked_list->pdata;
}

/* ---- object ------------------------------------------------------------- */

static void
flint_roster_constructed (GObject *object)
{
  FlintRoster *self = FLINT_ROSTER (object);
  FlintSession *session = self->session;

  G_OBJECT_CLASS (flint_roster_parent_class)->constructed (object);

  self->own_jid =
    flint_jid_bare (flint_account_get_jid (flint_session_get_account (session)));
  if (self->own_jid == NULL)
    self->own_jid = g_strdup ("");
  self->presence_handler =
    flint_session_add_handler (session, "presence", NULL, NULL, on_presence, self, NULL);
  self->push_handler = flint_session_add_handler (session, "iq", NS_ROSTER, "set",
                                                  on_roster_push, self, NULL);
  self->block_handler = flint_session_add_handler (session, "iq", NS_BLOCKING, "set",
                                                   on_block_push, self, NULL);
  self->online_handler =
    g_signal_connect (session, "online", G_CALLBACK (on_online), self);
  self->state_handler =
    g_signal_connect (session, "notify::state", G_CALLBACK (on_state), self);
  if (flint_session_get_state (session) == FLINT_SESSION_ONLINE)
    fetch (self);
}

static void
flint_roster_dispose (GObject *object)
{
  FlintRoster *self = FLINT_ROSTER (object);

  if (self->burst_id)
    {
      g_clear_handle_id (&self->burst_id, g_source_remove);
      on_burst_idle (self);
    }
  if (self->session)
    {
      flint_session_remove_handler (self->session, self->presence_handler);
      flint_session_remove_handler (self->session, self->push_handler);
      flint_session_remove_handler (self->session, self->block_handler);
      g_clear_signal_handler (&self->online_handler, self->session);
      g_clear_signal_handler (&self->state_handler, self->session);
      g_clear_object (&self->session);
    }
  G_OBJECT_CLASS (flint_roster_parent_class)->dispose (object);
}

static void
flint_roster_finalize (GObject *object)
{
  FlintRoster *self = FLINT_ROSTER (object);

  g_free (self->own_jid);
  g_object_unref (self->contacts);
  g_hash_table_unref (self->by_jid);
  g_object_unref (self->groups);
  g_hash_table_unref (self->groups_by_name);
  g_free (self->default_group);
  g_hash_table_unref (self->strays);
  g_hash_table_unref (self->adding);
  g_hash_table_unref (self->requests);
  g_ptr_array_unref (self->request_list);
  g_hash_table_unref (self->blocked);
  g_ptr_array_unref (self->blocked_list);
  g_ptr_array_unref (self->new_groups);

  G_OBJECT_CLASS (flint_roster_parent_class)->finalize (object);
}

static void
flint_roster_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  FlintRoster *self = FLINT_ROSTER (object);

  switch (prop_id)
    {
      case PROP_SESSION:
        g_value_set_object (value, self->session);
        break;
      case PROP_LOADED:
        g_value_set_boolean (value, self->loaded);
        break;
      case PROP_SHOW_OFFLINE:
        g_value_set_boolean (value, self->show_offline);
        break;
      case PROP_CAN_BLOCK:
        g_value_set_boolean (value, self->can_block);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_roster_set_property (GObject *object,
                           guint prop_id,
                           const GValue *value,
                           GParamSpec *pspec)
{
  FlintRoster *self = FLINT_ROSTER (object);

  switch (prop_id)
    {
      case PROP_SESSION:
        self->session = g_value_dup_object (value);
        break;
      case PROP_SHOW_OFFLINE:
        flint_roster_set_show_offline (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_roster_class_init (FlintRosterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro =
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = flint_roster_constructed;
  object_class->dispose = flint_roster_dispose;
  object_class->finalize = flint_roster_finalize;
  object_class->get_property = flint_roster_get_property;
  object_class->set_property = flint_roster_set_property;

  properties[PROP_SESSION] = g_param_spec_object (
    "session", NULL, NULL, FLINT_TYPE_SESSION,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  properties[PROP_SHOW_OFFLINE] = g_param_spec_boolean (
    "show-offline", NULL, NULL, FALSE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_BLOCK] = g_param_spec_boolean ("can-block", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SUBSCRIPTION_REQUEST] =
    g_signal_new ("subscription-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_SUBSCRIPTION_CHANGED] =
    g_signal_new ("subscription-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_BLOCKLIST_CHANGED] =
    g_signal_new ("blocklist-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
flint_roster_init (FlintRoster *self)
{
  self->contacts = g_list_store_new (FLINT_TYPE_CONTACT);
  self->by_jid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->groups = g_list_store_new (FLINT_TYPE_ROSTER_GROUP);
  self->groups_by_name =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  /* Translators: the roster heading for contacts that are in no group. */
  self->default_group = g_strdup (_ ("Contacts"));
  self->strays = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->adding = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->request_list = g_ptr_array_new ();
  g_ptr_array_add (self->request_list, NULL);
  self->blocked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->blocked_list = g_ptr_array_new ();
  g_ptr_array_add (self->blocked_list, NULL);
  self->new_groups = g_ptr_array_new_with_free_func (g_object_unref);
}

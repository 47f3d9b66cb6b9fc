#include "config.h"

#define G_LOG_DOMAIN "flint-roster"

#include <string.h>

#include "flint-roster-group.h"
#include "flint-roster-private.h"

/* The sequence orders members by the key they had when last placed, never
 * by the contact's live key: a contact whose key changed is still found and
 * moved without the tree ever seeing an inconsistent order. */
typedef struct
{
  FlintContact *contact;
  GSequenceIter *iter; /* NULL while hidden */
  char *key;
  gboolean online;
} Member;

struct _FlintRosterGroup
{
  GObject parent_instance;

  char *name;
  gboolean is_default;
  char *name_key;
  gboolean show_offline;

  GSequence *items;    /* of Member, visible ones only */
  GHashTable *members; /* FlintContact -> Member, all of them */
  guint n_online;

  /* Sequential get_item() (a list view scrolling) stays O(1). */
  guint cached_pos;
  GSequenceIter *cached_iter;

  guint freeze;
  gboolean dirty;
  guint frozen_n_items;
  guint frozen_n_online;
  guint frozen_n_contacts;
};

static void flint_roster_group_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FlintRosterGroup,
                               flint_roster_group,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      flint_roster_group_list_model_init))

enum
{
  PROP_0,
  PROP_NAME,
  PROP_N_ONLINE,
  PROP_N_ITEMS,
  PROP_N_CONTACTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
member_free (Member *m)
{
  g_object_unref (m->contact);
  g_free (m->key);
  g_free (m);
}

static int
member_compare (gconstpointer a, gconstpointer b, gpointer data)
{
  return strcmp (((const Member *) a)->key, ((const Member *) b)->key);
}

/* ---- GListModel --------------------------------------------------------- */

static GType
get_item_type (GListModel *model)
{
  return FLINT_TYPE_CONTACT;
}

static guint
get_n_items (GListModel *model)
{
  return (guint) g_sequence_get_length (FLINT_ROSTER_GROUP (model)->items);
}

static gpointer
get_item (GListModel *model, guint position)
{
  FlintRosterGroup *self = FLINT_ROSTER_GROUP (model);
  GSequenceIter *iter;

  if (position >= (guint) g_sequence_get_length (self->items))
    return NULL;
  if (self->cached_iter && position == self->cached_pos)
    iter = self->cached_iter;
  else if (self->cached_iter && position == self->cached_pos + 1)
    iter = g_sequence_iter_next (self->cached_iter);
  else if (self->cached_iter && position + 1 == self->cached_pos)
    iter = g_sequence_iter_prev (self->cached_iter);
  else
    iter = g_sequence_get_iter_at_pos (self->items, (int) position);
  self->cached_iter = iter;
  self->cached_pos = position;
  return g_object_ref (((Member *) g_sequence_get (iter))->contact);
}

static void
flint_roster_group_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* ---- changes ------------------------------------------------------------ */

static void
announce (FlintRosterGroup *self, guint position, guint removed, guint added)
{
  self->cached_iter = NULL;
  if (self->freeze > 0)
    {
      self->dirty = TRUE;
      return;
    }
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
set_online (FlintRosterGroup *self, Member *m, gboolean online)
{
  if (m->online == online)
    return;
  m->online = online;
  if (online)
    self->n_online++;
  else
    self->n_online--;
  if (self->freeze == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ONLINE]);
}

static guint
insert_member (FlintRosterGroup *self, Member *m)
{
  g_free (m->key);
  m->key = g_strdup (flint_contact_get_sort_key (m->contact));
  m->iter = g_sequence_insert_sorted (self->items, m, member_compare, NULL);
  return (guint) g_sequence_iter_get_position (m->iter);
}

static guint
remove_member (FlintRosterGroup *self, Member *m)
{
  guint position = (guint) g_sequence_iter_get_position (m->iter);

  g_sequence_remove (m->iter);
  m->iter = NULL;
  return position;
}

/* Moves a visible member to where its new key belongs, announcing the span
 * it crossed in one items-changed (a selection on it survives the move). */
static void
move_member (FlintRosterGroup *self, Member *m)
{
  const char *key = flint_contact_get_sort_key (m->contact);
  GSequenceIter *prev, *next;
  guint old_pos, new_pos;

  if (strcmp (key, m->key) == 0)
    return;

  /* Still between its neighbours: only the remembered key changes. */
  prev = g_sequence_iter_is_begin (m->iter) ? NULL : g_sequence_iter_prev (m->iter);
  next = g_sequence_iter_next (m->iter);
  if ((prev == NULL || strcmp (((Member *) g_sequence_get (prev))->key, key) < 0) &&
      (g_sequence_iter_is_end (next) ||
       strcmp (key, ((Member *) g_sequence_get (next))->key) < 0))
    {
      g_free (m->key);
      m->key = g_strdup (key);
      return;
    }

  old_pos = remove_member (self, m);
  new_pos = insert_member (self, m);
  if (old_pos == new_pos)
    return;
  announce (self, MIN (old_pos, new_pos),
            MAX (old_pos, new_pos) - MIN (old_pos, new_pos) + 1,
            MAX (old_pos, new_pos) - MIN (old_pos, new_pos) + 1);
}

static void
update_member (FlintRosterGroup *self, Member *m)
{
  gboolean visible = flint_contact_is_visible (m->contact, self->show_offline);

  set_online (self, m, flint_contact_get_presence (m->contact) != FLINT_PRESENCE_OFFLINE);
  if (m->iter && !visible)
    announce (self, remove_member (self, m), 1, 0);
  else if (m->iter == NULL && visible)
    announce (self, insert_member (self, m), 0, 1);
  else if (m->iter)
    move_member (self, m);
}

void
flint_roster_group_add (FlintRosterGroup *self, FlintContact *contact)
{
  Member *m = g_hash_table_lookup (self->members, contact);

  if (m)
    {
      update_member (self, m);
      return;
    }
  m = g_new0 (Member, 1);
  m->contact = g_object_ref (contact);
  g_hash_table_insert (self->members, contact, m);
  if (self->freeze == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CONTACTS]);
  update_member (self, m);
}

void
flint_roster_group_remove (FlintRosterGroup *self, FlintContact *contact)
{
  Member *m = g_hash_table_lookup (self->members, contact);

  if (m == NULL)
    return;
  set_online (self, m, FALSE);
  if (m->iter)
    announce (self, remove_member (self, m), 1, 0);
  g_hash_table_remove (self->members, contact);
  if (self->freeze == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CONTACTS]);
}

void
flint_roster_group_update (FlintRosterGroup *self, FlintContact *contact)
{
  Member *m = g_hash_table_lookup (self->members, contact);

  if (m)
    update_member (self, m);
}

void
flint_roster_group_set_show_offline (FlintRosterGroup *self, gboolean show_offline)
{
  GHashTableIter iter;
  Member *m;

  if (self->show_offline == !!show_offline)
    return;
  self->show_offline = !!show_offline;
  flint_roster_group_freeze (self);
  g_hash_table_iter_init (&iter, self->members);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &m))
    update_member (self, m);
  flint_roster_group_thaw (self);
}

void
flint_roster_group_freeze (FlintRosterGroup *self)
{
  if (self->freeze++ > 0)
    return;
  self->dirty = FALSE;
  self->frozen_n_items = (guint) g_sequence_get_length (self->items);
  self->frozen_n_online = self->n_online;
  self->frozen_n_contacts = g_hash_table_size (self->members);
}

void
flint_roster_group_thaw (FlintRosterGroup *self)
{
  guint n_items;

  g_return_if_fail (self->freeze > 0);
  if (--self->freeze > 0)
    return;

  n_items = (guint) g_sequence_get_length (self->items);
  g_object_freeze_notify (G_OBJECT (self));
  if (self->dirty)
    {
      self->dirty = FALSE;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, self->frozen_n_items, n_items);
      if (n_items != self->frozen_n_items)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  if (self->n_online != self->frozen_n_online)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ONLINE]);
  if (g_hash_table_size (self->members) != self->frozen_n_contacts)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CONTACTS]);
  g_object_thaw_notify (G_OBJECT (self));
}

int
flint_roster_group_compare (FlintRosterGroup *a, FlintRosterGroup *b)
{
  if (a->is_default != b->is_default)
    return a->is_default ? 1 : -1;
  return strcmp (a->name_key, b->name_key);
}

/* ---- public ------------------------------------------------------------- */

FlintRosterGroup *
flint_roster_group_new (const char *name, gboolean is_default)
{
  FlintRosterGroup *self = g_object_new (FLINT_TYPE_ROSTER_GROUP, "name", name, NULL);
  g_autofree char *folded = g_utf8_casefold (self->name, -1);
  g_autofree char *collated = g_utf8_collate_key (folded, -1);

  self->is_default = is_default;
  self->name_key = g_strdup_printf ("%s\001%s", collated, self->name);
  return self;
}

const char *
flint_roster_group_get_name (FlintRosterGroup *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER_GROUP (self), NULL);
  return self->name;
}

gboolean
flint_roster_group_is_default (FlintRosterGroup *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER_GROUP (self), FALSE);
  return self->is_default;
}

guint
flint_roster_group_get_n_online (FlintRosterGroup *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER_GROUP (self), 0);
  return self->n_online;
}

guint
flint_roster_group_get_n_contacts (FlintRosterGroup *self)
{
  g_return_val_if_fail (FLINT_IS_ROSTER_GROUP (self), 0);
  return g_hash_table_size (self->members);
}

/* ---- object ------------------------------------------------------------- */

static void
flint_roster_group_finalize (GObject *object)
{
  FlintRosterGroup *self = FLINT_ROSTER_GROUP (object);

  g_sequence_free (self->items);
  g_hash_table_unref (self->members);
  g_free (self->name);
  g_free (self->name_key);

  G_OBJECT_CLASS (flint_roster_group_parent_class)->finalize (object);
}

static void
flint_roster_group_get_property (GObject *object,
                                 guint prop_id,
                                 GValue *value,
                                 GParamSpec *pspec)
{
  FlintRosterGroup *self = FLINT_ROSTER_GROUP (object);

  switch (prop_id)
    {
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_N_ONLINE:
        g_value_set_uint (value, self->n_online);
        break;
      case PROP_N_ITEMS:
        g_value_set_uint (value, get_n_items (G_LIST_MODEL (self)));
        break;
      case PROP_N_CONTACTS:
        g_value_set_uint (value, g_hash_table_size (self->members));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_roster_group_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  FlintRosterGroup *self = FLINT_ROSTER_GROUP (object);

  switch (prop_id)
    {
      case PROP_NAME:
        self->name = g_value_dup_string (value);
        if (self->name == NULL)
          self->name = g_strdup ("");
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_roster_group_class_init (FlintRosterGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro =
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = flint_roster_group_finalize;
  object_class->get_property = flint_roster_group_get_property;
  object_class->set_property = flint_roster_group_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                           G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ONLINE] =
    g_param_spec_uint ("n-online", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_CONTACTS] =
    g_param_spec_uint ("n-contacts", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_roster_group_init (FlintRosterGroup *self)
{
  self->items = g_sequence_new (NULL);
  self->members = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) member_free);
}

#pragma once

#include <gio/gio.h>

#include "flint-session.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_DISCO_LOAD_NONE,
  FLINT_DISCO_LOAD_LOADING,
  FLINT_DISCO_LOAD_LOADED,
  FLINT_DISCO_LOAD_FAILED,
} FlintDiscoLoadState;

typedef struct
{
  char *category;
  char *type;
  char *name; /* may be NULL */
} FlintDiscoIdentity;

#define FLINT_NS_COMMANDS "http://jabber.org/protocol/commands"

#define FLINT_TYPE_DISCO_ITEM (flint_disco_item_get_type ())
G_DECLARE_FINAL_TYPE (FlintDiscoItem, flint_disco_item, FLINT, DISCO_ITEM, GObject)

/* One entity (JID + node) of the service-discovery tree. Everything is
 * asked for lazily and once: disco#info when flint_disco_item_load_info()
 * is called, disco#items by flint_disco_item_load_children(), the
 * XEP-0050 command list when the commands model is. Properties
 * "info-state", "children-state", "commands-state" say how far each got;
 * the models fill in when the answers come. */
FlintDiscoItem *flint_disco_item_new (FlintSession *session,
                                      const char *jid,
                                      const char *node,
                                      const char *name);

const char *flint_disco_item_get_jid (FlintDiscoItem *self);
const char *flint_disco_item_get_node (FlintDiscoItem *self);
const char *flint_disco_item_get_name (FlintDiscoItem *self);
/* The name, else the first identity's name, else the JID (and node). */
char *flint_disco_item_dup_title (FlintDiscoItem *self);

void flint_disco_item_load_info (FlintDiscoItem *self);
FlintDiscoLoadState flint_disco_item_get_info_state (FlintDiscoItem *self);
/* (element-type FlintDiscoIdentity) */
GPtrArray *flint_disco_item_get_identities (FlintDiscoItem *self);
const char *const *flint_disco_item_get_features (FlintDiscoItem *self);
gboolean flint_disco_item_has_feature (FlintDiscoItem *self, const char *feature);
const char *flint_disco_item_get_error (FlintDiscoItem *self); /* last failure */

/* The children model, empty until flint_disco_item_load_children(). */
GListModel *flint_disco_item_get_children (FlintDiscoItem *self);
void flint_disco_item_load_children (FlintDiscoItem *self);
FlintDiscoLoadState flint_disco_item_get_children_state (FlintDiscoItem *self);
/* The ad-hoc commands this entity offers (items of its commands node). */
GListModel *flint_disco_item_get_commands (FlintDiscoItem *self);
FlintDiscoLoadState flint_disco_item_get_commands_state (FlintDiscoItem *self);

FlintSession *flint_disco_item_get_session (FlintDiscoItem *self);

G_END_DECLS

#include "config.h"

#define G_LOG_DOMAIN "flint-bookmarks"

#include <glib/gi18n-lib.h>

#include "flint-bookmarks.h"
#include "flint-error.h"
#include "flint-jid.h"
#include "flint-stanza.h"

#define NS_BOOKMARKS "urn:xmpp:bookmarks:1"
#define NS_BOOKMARKS_COMPAT "urn:xmpp:bookmarks:1#compat"
#define NS_LEGACY "storage:bookmarks"
#define NS_PRIVATE "jabber:iq:private"
#define NS_PUBSUB "http://jabber.org/protocol/pubsub"
#define NS_PUBSUB_EVENT "http://jabber.org/protocol/pubsub#event"
#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_DATA "jabber:x:data"

struct _FlintBookmarks
{
  GObject parent_instance;

  FlintSession *session;
  FlintRooms *rooms;
  GListStore *bookmarks;
  FlintBookmarksStorage storage;
  gboolean loaded;
  guint generation; /* bumps per session: late answers of an old one are dropped */
  GPtrArray *legacy_extras; /* XML of <storage/> children that are not conferences */
  guint message_handler;
  gulong online_handler;
};

G_DEFINE_FINAL_TYPE (FlintBookmarks, flint_bookmarks, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORAGE,
  PROP_LOADED,
  N_PROPS
};

enum
{
  SIGNAL_SAVE_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void fetch (FlintBookmarks *self);

static const char *
account_jid (FlintBookmarks *self)
{
  return flint_account_get_jid (flint_session_get_account (self->session));
}

static xmpp_ctx_t *
ctx_of (FlintBookmarks *self)
{
  return flint_session_get_context (self->session);
}

/* ---- XML text <-> stanzas ----------------------------------------------- */

static void
add_text_child (xmpp_ctx_t *ctx, xmpp_stanza_t *parent, const char *xml)
{
  xmpp_stanza_t *child = xml ? xmpp_stanza_new_from_string (ctx, xml) : NULL;

  if (child == NULL)
    return;
  xmpp_stanza_add_child (parent, child);
  xmpp_stanza_release (child);
}

static gboolean
parse_bool (const char *value)
{
  return g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "1") == 0;
}

/* ---- parsing ------------------------------------------------------------ */

/* XEP-0402 <item id=room><conference/></item> */
static FlintBookmark *
parse_item (FlintBookmarks *self, xmpp_stanza_t *item)
{
  const char *jid = xmpp_stanza_get_attribute (item, "id");
  xmpp_stanza_t *conference =
    xmpp_stanza_get_child_by_name_and_ns (item, "conference", NS_BOOKMARKS);
  xmpp_stanza_t *extensions;
  g_autofree char *nick = NULL;
  g_autofree char *password = NULL;
  g_autofree char *ext = NULL;
  FlintBookmark *bookmark;

  if (jid == NULL || !flint_jid_is_valid_bare (jid) || conference == NULL)
    return NULL;
  bookmark = flint_bookmark_new (jid);
  flint_bookmark_set_name (bookmark, xmpp_stanza_get_attribute (conference, "name"));
  flint_bookmark_set_autojoin (
    bookmark, parse_bool (xmpp_stanza_get_attribute (conference, "autojoin")));
  nick = flint_stanza_child_text (conference, "nick", NULL);
  password = flint_stanza_child_text (conference, "password", NULL);
  flint_bookmark_set_nick (bookmark, nick);
  flint_bookmark_set_password (bookmark, password);
  extensions = xmpp_stanza_get_child_by_name (conference, "extensions");
  if (extensions)
    {
      ext = flint_stanza_to_string (extensions);
      flint_bookmark_set_extensions (bookmark, ext);
    }
  return bookmark;
}

/* XEP-0048 <conference jid=…/>: what Flint does not know goes into a
 * XEP-0402-style <extensions/> so both storages keep it the same way. */
static FlintBookmark *
parse_legacy (FlintBookmarks *self, xmpp_stanza_t *conference)
{
  xmpp_ctx_t *ctx = ctx_of (self);
  const char *jid = xmpp_stanza_get_attribute (conference, "jid");
  g_autofree char *nick = NULL;
  g_autofree char *password = NULL;
  xmpp_stanza_t *holder = NULL;
  FlintBookmark *bookmark;

  if (jid == NULL || !flint_jid_is_valid_bare (jid))
    return NULL;
  bookmark = flint_bookmark_new (jid);
  flint_bookmark_set_name (bookmark, xmpp_stanza_get_attribute (conference, "name"));
  flint_bookmark_set_autojoin (
    bookmark, parse_bool (xmpp_stanza_get_attribute (conference, "autojoin")));
  nick = flint_stanza_child_text (conference, "nick", NULL);
  password = flint_stanza_child_text (conference, "password", NULL);
  flint_bookmark_set_nick (bookmark, nick);
  flint_bookmark_set_password (bookmark, password);

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (conference); c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_get_name (c);
      xmpp_stanza_t *copy;

      if (!xmpp_stanza_is_tag (c) || g_strcmp0 (name, "nick") == 0 ||
          g_strcmp0 (name, "password") == 0)
        continue;
      if (holder == NULL)
        holder = flint_stanza_new (ctx, "extensions", NS_BOOKMARKS);
      copy = xmpp_stanza_copy (c);
      xmpp_stanza_add_child (holder, copy);
      xmpp_stanza_release (copy);
    }
  if (holder)
    {
      g_autofree char *ext = flint_stanza_to_string (holder);
      flint_bookmark_set_extensions (bookmark, ext);
      xmpp_stanza_release (holder);
    }
  return bookmark;
}

/* ---- the model ---------------------------------------------------------- */

static gboolean
find_position (FlintBookmarks *self, const char *jid, guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->bookmarks));
  g_autofree char *normal = jid ? flint_jid_normalize (jid) : NULL;

  for (guint i = 0; normal && i < n; i++)
    {
      g_autoptr (FlintBookmark) b =
        g_list_model_get_item (G_LIST_MODEL (self->bookmarks), i);

      if (g_strcmp0 (flint_bookmark_get_jid (b), normal) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static char *
default_nick (FlintBookmarks *self)
{
  char *node = flint_jid_node (account_jid (self));
  return node ? node : g_strdup (account_jid (self));
}

static void
autojoin (FlintBookmarks *self, FlintBookmark *bookmark)
{
  g_autofree char *nick = NULL;
  g_autoptr (GError) error = NULL;
  FlintRoom *room;

  if (self->rooms == NULL)
    return;
  room = flint_rooms_get_room (self->rooms, flint_bookmark_get_jid (bookmark));
  if (room)
    flint_room_set_name (room, flint_bookmark_get_name (bookmark));
  if (!flint_bookmark_get_autojoin (bookmark))
    return;
  nick = flint_bookmark_get_nick (bookmark)
           ? g_strdup (flint_bookmark_get_nick (bookmark))
           : default_nick (self);
  room = flint_rooms_join (self->rooms, flint_bookmark_get_jid (bookmark), nick,
                           flint_bookmark_get_password (bookmark), &error);
  if (room == NULL)
    g_warning ("Bookmark %s not joined: %s", flint_bookmark_get_jid (bookmark),
               error->message);
  else
    flint_room_set_name (room, flint_bookmark_get_name (bookmark));
}

/* Puts @bookmark in the list (replacing one with its JID). Returns TRUE
 * when that changed anything. */
static gboolean
put (FlintBookmarks *self, FlintBookmark *bookmark)
{
  guint position;

  if (find_position (self, flint_bookmark_get_jid (bookmark), &position))
    {
      g_autoptr (FlintBookmark) old =
        g_list_model_get_item (G_LIST_MODEL (self->bookmarks), position);

      if (flint_bookmark_equal (old, bookmark))
        return FALSE;
      g_list_store_splice (self->bookmarks, position, 1, (gpointer *) &bookmark, 1);
      return TRUE;
    }
  g_list_store_append (self->bookmarks, bookmark);
  return TRUE;
}

static void
replace_all (FlintBookmarks *self, GPtrArray *list)
{
  g_list_store_splice (self->bookmarks, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->bookmarks)),
                       list->pdata, list->len);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  for (guint i = 0; i < list->len; i++)
    autojoin (self, g_ptr_array_index (list, i));
}

/* ---- reading ------------------------------------------------------------ */

typedef struct
{
  GWeakRef self;
  guint generation;
  FlintBookmark *retry; /* a publish to try again without options */
} Call;

static Call *
call_new (FlintBookmarks *self)
{
  Call *call = g_new0 (Call, 1);

  g_weak_ref_init (&call->self, self);
  call->generation = self->generation;
  return call;
}

/* Takes the call; returns the object if the answer is still wanted. */
static FlintBookmarks *
call_finish (Call *call)
{
  FlintBookmarks *self = g_weak_ref_get (&call->self);
  guint generation = call->generation;

  g_weak_ref_clear (&call->self);
  g_clear_object (&call->retry);
  g_free (call);
  if (self && self->generation != generation)
    g_clear_object (&self);
  return self;
}

static void
on_pep_items (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer user_data)
{
  g_autoptr (FlintBookmarks) self = call_finish (user_data);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  xmpp_stanza_t *pubsub, *items;

  if (self == NULL)
    return;
  /* An error (item-not-found: no bookmarks yet) is an empty list. */
  if (result && g_strcmp0 (xmpp_stanza_get_type (result), "result") == 0)
    {
      pubsub = xmpp_stanza_get_child_by_name_and_ns (result, "pubsub", NS_PUBSUB);
      items = pubsub ? xmpp_stanza_get_child_by_name (pubsub, "items") : NULL;
      for (xmpp_stanza_t *item = items ? xmpp_stanza_get_children (items) : NULL; item;
           item = xmpp_stanza_get_next (item))
        {
          FlintBookmark *b;

          if (!xmpp_stanza_is_tag (item) ||
              g_strcmp0 (xmpp_stanza_get_name (item), "item") != 0)
            continue;
          b = parse_item (self, item);
          if (b)
            g_ptr_array_add (list, b);
        }
    }
  else if (result == NULL)
    return; /* disconnected: the next session reads them again */
  g_debug ("%u bookmarks from PEP", list->len);
  replace_all (self, list);
}

static void
on_private (FlintSession *session,
            xmpp_stanza_t *result,
            const GError *error,
            gpointer user_data)
{
  g_autoptr (FlintBookmarks) self = call_finish (user_data);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  xmpp_stanza_t *query, *storage;

  if (self == NULL || result == NULL)
    return;
  g_ptr_array_set_size (self->legacy_extras, 0);
  query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_PRIVATE);
  storage =
    query ? xmpp_stanza_get_child_by_name_and_ns (query, "storage", NS_LEGACY) : NULL;
  for (xmpp_stanza_t *c = storage ? xmpp_stanza_get_children (storage) : NULL; c;
       c = xmpp_stanza_get_next (c))
    {
      FlintBookmark *b;

      if (!xmpp_stanza_is_tag (c))
        continue;
      if (g_strcmp0 (xmpp_stanza_get_name (c), "conference") == 0 &&
          (b = parse_legacy (self, c)))
        g_ptr_array_add (list, b);
      else
        /* <url/> bookmarks and anything newer: written back as they were. */
        g_ptr_array_add (self->legacy_extras, flint_stanza_to_string (c));
    }
  g_debug ("%u bookmarks from private storage", list->len);
  replace_all (self, list);
}

static void
fetch (FlintBookmarks *self)
{
  xmpp_ctx_t *ctx = ctx_of (self);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", id);

  if (self->storage == FLINT_BOOKMARKS_STORAGE_PEP)
    {
      xmpp_stanza_t *pubsub = flint_stanza_add_child (iq, "pubsub", NS_PUBSUB, NULL);
      xmpp_stanza_t *items = flint_stanza_add_child (pubsub, "items", NULL, NULL);

      xmpp_stanza_set_attribute (items, "node", NS_BOOKMARKS);
      flint_session_send_iq (self->session, iq, on_pep_items, call_new (self));
    }
  else
    {
      xmpp_stanza_t *query = flint_stanza_add_child (iq, "query", NS_PRIVATE, NULL);

      flint_stanza_add_child (query, "storage", NS_LEGACY, NULL);
      flint_session_send_iq (self->session, iq, on_private, call_new (self));
    }
  xmpp_stanza_release (iq);
}

static void
set_storage (FlintBookmarks *self, FlintBookmarksStorage storage)
{
  if (self->storage == storage)
    return;
  self->storage = storage;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORAGE]);
}

static void
on_account_info (FlintSession *session,
                 xmpp_stanza_t *result,
                 const GError *error,
                 gpointer user_data)
{
  g_autoptr (FlintBookmarks) self = call_finish (user_data);
  xmpp_stanza_t *query;
  gboolean compat = FALSE;

  if (self == NULL || result == NULL)
    return;
  query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_INFO);
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_name (c), "feature") == 0 &&
        g_strcmp0 (xmpp_stanza_get_attribute (c, "var"), NS_BOOKMARKS_COMPAT) == 0)
      compat = TRUE;
  set_storage (self,
               compat ? FLINT_BOOKMARKS_STORAGE_PEP : FLINT_BOOKMARKS_STORAGE_PRIVATE);
  fetch (self);
}

static void
on_online (FlintSession *session, gboolean resumed, FlintBookmarks *self)
{
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *iq;
  g_autofree char *id = NULL;

  if (resumed && self->loaded)
    return;
  self->generation++;
  ctx = ctx_of (self);
  id = flint_session_new_id (self->session);
  iq = xmpp_iq_new (ctx, "get", id);
  xmpp_stanza_set_to (iq, account_jid (self));
  flint_stanza_add_child (iq, "query", NS_DISCO_INFO, NULL);
  flint_session_send_iq (self->session, iq, on_account_info, call_new (self));
  xmpp_stanza_release (iq);
}

/* XEP-0402 §3.3: notifications from our own account's PEP. */
static gboolean
on_message (FlintSession *session, xmpp_stanza_t *stanza, gpointer user_data)
{
  FlintBookmarks *self = user_data;
  const char *from = xmpp_stanza_get_from (stanza);
  xmpp_stanza_t *event =
    xmpp_stanza_get_child_by_name_and_ns (stanza, "event", NS_PUBSUB_EVENT);
  xmpp_stanza_t *items = event ? xmpp_stanza_get_child_by_name (event, "items") : NULL;

  if (items == NULL ||
      g_strcmp0 (xmpp_stanza_get_attribute (items, "node"), NS_BOOKMARKS) != 0)
    return FALSE;
  if (from && !flint_jid_equal_bare (from, account_jid (self)))
    {
      g_debug ("Ignoring bookmarks from %s", from);
      return TRUE;
    }
  if (self->storage != FLINT_BOOKMARKS_STORAGE_PEP)
    return TRUE;
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (items); c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_get_name (c);

      if (!xmpp_stanza_is_tag (c))
        continue;
      if (g_strcmp0 (name, "item") == 0)
        {
          g_autoptr (FlintBookmark) b = parse_item (self, c);
          g_autoptr (FlintBookmark) before = NULL;

          if (b == NULL)
            continue;
          before = flint_bookmarks_find (self, flint_bookmark_get_jid (b));
          if (before)
            g_object_ref (before);
          if (put (self, b) && (before == NULL || !flint_bookmark_get_autojoin (before)))
            autojoin (self, b);
        }
      else if (g_strcmp0 (name, "retract") == 0)
        {
          guint position;

          if (find_position (self, xmpp_stanza_get_attribute (c, "id"), &position))
            g_list_store_remove (self->bookmarks, position);
        }
    }
  return TRUE;
}

/* ---- writing ------------------------------------------------------------ */

static xmpp_stanza_t *
build_conference (FlintBookmarks *self, FlintBookmark *b, gboolean legacy)
{
  xmpp_ctx_t *ctx = ctx_of (self);
  xmpp_stanza_t *conference =
    flint_stanza_new (ctx, "conference", legacy ? NULL : NS_BOOKMARKS);

  if (legacy)
    xmpp_stanza_set_attribute (conference, "jid", flint_bookmark_get_jid (b));
  if (flint_bookmark_get_name (b))
    xmpp_stanza_set_attribute (conference, "name", flint_bookmark_get_name (b));
  xmpp_stanza_set_attribute (conference, "autojoin",
                             flint_bookmark_get_autojoin (b) ? "true" : "false");
  if (flint_bookmark_get_nick (b))
    flint_stanza_add_child (conference, "nick", NULL, flint_bookmark_get_nick (b));
  if (flint_bookmark_get_password (b))
    flint_stanza_add_child (conference, "password", NULL,
                            flint_bookmark_get_password (b));
  if (flint_bookmark_get_extensions (b))
    {
      xmpp_stanza_t *ext =
        xmpp_stanza_new_from_string (ctx, flint_bookmark_get_extensions (b));

      if (ext && legacy)
        {
          /* XEP-0048 has no <extensions/>: its children go in directly. */
          for (xmpp_stanza_t *c = xmpp_stanza_get_children (ext); c;
               c = xmpp_stanza_get_next (c))
            if (xmpp_stanza_is_tag (c))
              {
                xmpp_stanza_t *copy = xmpp_stanza_copy (c);
                xmpp_stanza_add_child (conference, copy);
                xmpp_stanza_release (copy);
              }
        }
      else if (ext)
        xmpp_stanza_add_child (conference, ext);
      if (ext)
        xmpp_stanza_release (ext);
    }
  return conference;
}

static void publish (FlintBookmarks *self, FlintBookmark *b, gboolean with_options);
static void configure_node (FlintBookmarks *self, FlintBookmark *b);

static gboolean
precondition_not_met (xmpp_stanza_t *result)
{
  xmpp_stanza_t *error = xmpp_stanza_get_child_by_name (result, "error");

  return error &&
         xmpp_stanza_get_child_by_name_and_ns (
           error, "precondition-not-met", "http://jabber.org/protocol/pubsub#errors");
}

static void
on_saved (FlintSession *session,
          xmpp_stanza_t *result,
          const GError *error,
          gpointer user_data)
{
  Call *call = user_data;
  g_autoptr (FlintBookmark) retry = call->retry ? g_object_ref (call->retry) : NULL;
  g_autoptr (FlintBookmarks) self = call_finish (call);

  if (self == NULL || result == NULL || error == NULL)
    return;
  if (retry && precondition_not_met (result))
    {
      /* The node exists with another configuration (another client made
       * it). Publishing into it as it is could lose bookmarks (a node with
       * max_items 1 keeps only the last): set XEP-0402's configuration on
       * the node first, then publish again (once). */
      g_debug ("Bookmarks node configured otherwise; configuring it");
      configure_node (self, retry);
      return;
    }
  g_debug ("Bookmarks not saved: %s", error->message);
  {
    g_autoptr (GError) refused = g_error_new (
      FLINT_ERROR, FLINT_ERROR_FAILED,
      _ ("The server did not save the change to your bookmarks: %s"), error->message);
    g_signal_emit (self, signals[SIGNAL_SAVE_FAILED], 0, refused);
  }
  /* Show what the server really has. */
  fetch (self);
}

static void
add_field (xmpp_stanza_t *x, const char *var, const char *value, const char *type)
{
  xmpp_stanza_t *field = flint_stanza_add_child (x, "field", NULL, NULL);

  xmpp_stanza_set_attribute (field, "var", var);
  if (type)
    xmpp_stanza_set_attribute (field, "type", type);
  flint_stanza_add_child (field, "value", NULL, value);
}

static void
publish (FlintBookmarks *self, FlintBookmark *b, gboolean with_options)
{
  xmpp_ctx_t *ctx = ctx_of (self);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", id);
  xmpp_stanza_t *pubsub = flint_stanza_add_child (iq, "pubsub", NS_PUBSUB, NULL);
  xmpp_stanza_t *pub = flint_stanza_add_child (pubsub, "publish", NULL, NULL);
  xmpp_stanza_t *item = flint_stanza_add_child (pub, "item", NULL, NULL);
  xmpp_stanza_t *conference = build_conference (self, b, FALSE);
  Call *call = call_new (self);

  xmpp_stanza_set_attribute (pub, "node", NS_BOOKMARKS);
  xmpp_stanza_set_attribute (item, "id", flint_bookmark_get_jid (b));
  xmpp_stanza_add_child (item, conference);
  xmpp_stanza_release (conference);
  if (with_options)
    {
      xmpp_stanza_t *options =
        flint_stanza_add_child (pubsub, "publish-options", NULL, NULL);
      xmpp_stanza_t *x = flint_stanza_add_child (options, "x", NS_DATA, NULL);

      /* XEP-0402 §3.2: private, persistent, one item per room. */
      xmpp_stanza_set_type (x, "submit");
      add_field (x, "FORM_TYPE", "http://jabber.org/protocol/pubsub#publish-options",
                 "hidden");
      add_field (x, "pubsub#persist_items", "true", NULL);
      add_field (x, "pubsub#max_items", "max", NULL);
      add_field (x, "pubsub#send_last_published_item", "never", NULL);
      add_field (x, "pubsub#access_model", "whitelist", NULL);
      call->retry = g_object_ref (b);
    }
  flint_session_send_iq (self->session, iq, on_saved, call);
  xmpp_stanza_release (iq);
}

static void
on_configured (FlintSession *session,
               xmpp_stanza_t *result,
               const GError *error,
               gpointer user_data)
{
  Call *call = user_data;
  g_autoptr (FlintBookmark) b = call->retry ? g_object_ref (call->retry) : NULL;
  g_autoptr (FlintBookmarks) self = call_finish (call);

  if (self == NULL || result == NULL)
    return;
  if (error)
    {
      g_autoptr (GError) refused = g_error_new (
        FLINT_ERROR, FLINT_ERROR_FAILED,
        _ ("The server did not save the change to your bookmarks: %s"), error->message);
      g_signal_emit (self, signals[SIGNAL_SAVE_FAILED], 0, refused);
      fetch (self);
      return;
    }
  /* Options now match; no retry this time. */
  publish (self, b, FALSE);
}

static void
configure_node (FlintBookmarks *self, FlintBookmark *b)
{
  xmpp_ctx_t *ctx = ctx_of (self);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", id);
  xmpp_stanza_t *pubsub = flint_stanza_add_child (
    iq, "pubsub", "http://jabber.org/protocol/pubsub#owner", NULL);
  xmpp_stanza_t *configure = flint_stanza_add_child (pubsub, "configure", NULL, NULL);
  xmpp_stanza_t *x = flint_stanza_add_child (configure, "x", NS_DATA, NULL);
  Call *call = call_new (self);

  xmpp_stanza_set_attribute (configure, "node", NS_BOOKMARKS);
  xmpp_stanza_set_type (x, "submit");
  add_field (x, "FORM_TYPE", "http://jabber.org/protocol/pubsub#node_config", "hidden");
  add_field (x, "pubsub#persist_items", "true", NULL);
  add_field (x, "pubsub#max_items", "max", NULL);
  add_field (x, "pubsub#send_last_published_item", "never", NULL);
  add_field (x, "pubsub#access_model", "whitelist", NULL);
  call->retry = g_object_ref (b);
  flint_session_send_iq (self->session, iq, on_configured, call);
  xmpp_stanza_release (iq);
}

static void
retract (FlintBookmarks *self, const char *jid)
{
  xmpp_ctx_t *ctx = ctx_of (self);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", id);
  xmpp_stanza_t *pubsub = flint_stanza_add_child (iq, "pubsub", NS_PUBSUB, NULL);
  xmpp_stanza_t *r = flint_stanza_add_child (pubsub, "retract", NULL, NULL);
  xmpp_stanza_t *item = flint_stanza_add_child (r, "item", NULL, NULL);

  xmpp_stanza_set_attribute (r, "node", NS_BOOKMARKS);
  xmpp_stanza_set_attribute (r, "notify", "true");
  xmpp_stanza_set_attribute (item, "id", jid);
  flint_session_send_iq (self->session, iq, on_saved, call_new (self));
  xmpp_stanza_release (iq);
}

/* XEP-0048 has no per-item writes: the whole list goes each time. */
static void
store_private (FlintBookmarks *self)
{
  xmpp_ctx_t *ctx = ctx_of (self);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", id);
  xmpp_stanza_t *query = flint_stanza_add_child (iq, "query", NS_PRIVATE, NULL);
  xmpp_stanza_t *storage = flint_stanza_add_child (query, "storage", NS_LEGACY, NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->bookmarks));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintBookmark) b =
        g_list_model_get_item (G_LIST_MODEL (self->bookmarks), i);
      xmpp_stanza_t *conference = build_conference (self, b, TRUE);

      xmpp_stanza_add_child (storage, conference);
      xmpp_stanza_release (conference);
    }
  for (guint i = 0; i < self->legacy_extras->len; i++)
    add_text_child (ctx, storage, g_ptr_array_index (self->legacy_extras, i));
  flint_session_send_iq (self->session, iq, on_saved, call_new (self));
  xmpp_stanza_release (iq);
}

/* ---- API ---------------------------------------------------------------- */

FlintBookmarks *
flint_bookmarks_new (FlintSession *session, FlintDisco *disco, FlintRooms *rooms)
{
  FlintBookmarks *self;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);

  self = g_object_new (FLINT_TYPE_BOOKMARKS, NULL);
  self->session = g_object_ref (session);
  self->rooms = rooms ? g_object_ref (rooms) : NULL;
  if (disco)
    flint_disco_add_feature (disco, NS_BOOKMARKS "+notify");
  self->message_handler =
    flint_session_add_handler (session, "message", NULL, NULL, on_message, self, NULL);
  self->online_handler =
    g_signal_connect (session, "online", G_CALLBACK (on_online), self);
  return self;
}

GListModel *
flint_bookmarks_get_bookmarks (FlintBookmarks *self)
{
  g_return_val_if_fail (FLINT_IS_BOOKMARKS (self), NULL);
  return G_LIST_MODEL (self->bookmarks);
}

/* Returns: (transfer none) (nullable) */
FlintBookmark *
flint_bookmarks_find (FlintBookmarks *self, const char *jid)
{
  guint position;
  g_autoptr (FlintBookmark) b = NULL;

  g_return_val_if_fail (FLINT_IS_BOOKMARKS (self), NULL);
  if (!find_position (self, jid, &position))
    return NULL;
  b = g_list_model_get_item (G_LIST_MODEL (self->bookmarks), position);
  return b; /* the store keeps its reference */
}

/* Adds or changes the bookmark with @bookmark's JID (a copy is kept). */
void
flint_bookmarks_set (FlintBookmarks *self, FlintBookmark *bookmark)
{
  g_autoptr (FlintBookmark) copy = NULL;
  FlintBookmark *before;
  gboolean was_autojoin;

  g_return_if_fail (FLINT_IS_BOOKMARKS (self));
  g_return_if_fail (FLINT_IS_BOOKMARK (bookmark));

  copy = flint_bookmark_copy (bookmark);
  before = flint_bookmarks_find (self, flint_bookmark_get_jid (copy));
  was_autojoin = before && flint_bookmark_get_autojoin (before);
  if (before && flint_bookmark_get_extensions (before) &&
      !flint_bookmark_get_extensions (copy))
    /* An edit in Flint never loses what another client stored. */
    flint_bookmark_set_extensions (copy, flint_bookmark_get_extensions (before));
  if (!put (self, copy))
    return;
  if (!was_autojoin)
    autojoin (self, copy);
  if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  if (self->storage == FLINT_BOOKMARKS_STORAGE_PEP)
    publish (self, copy, TRUE);
  else if (self->storage == FLINT_BOOKMARKS_STORAGE_PRIVATE)
    store_private (self);
}

void
flint_bookmarks_remove (FlintBookmarks *self, const char *jid)
{
  guint position;
  g_autofree char *normal = NULL;

  g_return_if_fail (FLINT_IS_BOOKMARKS (self));

  if (!find_position (self, jid, &position))
    return;
  normal = flint_jid_normalize (jid);
  g_list_store_remove (self->bookmarks, position);
  if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  if (self->storage == FLINT_BOOKMARKS_STORAGE_PEP)
    retract (self, normal);
  else if (self->storage == FLINT_BOOKMARKS_STORAGE_PRIVATE)
    store_private (self);
}

FlintBookmarksStorage
flint_bookmarks_get_storage (FlintBookmarks *self)
{
  g_return_val_if_fail (FLINT_IS_BOOKMARKS (self), FLINT_BOOKMARKS_STORAGE_UNKNOWN);
  return self->storage;
}

gboolean
flint_bookmarks_get_loaded (FlintBookmarks *self)
{
  g_return_val_if_fail (FLINT_IS_BOOKMARKS (self), FALSE);
  return self->loaded;
}

static void
flint_bookmarks_dispose (GObject *object)
{
  FlintBookmarks *self = FLINT_BOOKMARKS (object);

  if (self->session)
    {
      flint_session_remove_handler (self->session, self->message_handler);
      g_clear_signal_handler (&self->online_handler, self->session);
    }
  g_clear_object (&self->session);
  g_clear_object (&self->rooms);
  G_OBJECT_CLASS (flint_bookmarks_parent_class)->dispose (object);
}

static void
flint_bookmarks_finalize (GObject *object)
{
  FlintBookmarks *self = FLINT_BOOKMARKS (object);

  g_clear_object (&self->bookmarks);
  g_ptr_array_unref (self->legacy_extras);
  G_OBJECT_CLASS (flint_bookmarks_parent_class)->finalize (object);
}

static void
flint_bookmarks_get_property (GObject *object,
                              guint prop_id,
                              GValue *value,
                              GParamSpec *pspec)
{
  FlintBookmarks *self = FLINT_BOOKMARKS (object);

  switch (prop_id)
    {
      case PROP_STORAGE:
        g_value_set_int (value, self->storage);
        break;
      case PROP_LOADED:
        g_value_set_boolean (value, self->loaded);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_bookmarks_class_init (FlintBookmarksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = flint_bookmarks_dispose;
  object_class->finalize = flint_bookmarks_finalize;
  object_class->get_property = flint_bookmarks_get_property;
  properties[PROP_STORAGE] = g_param_spec_int ("storage", NULL, NULL, 0, 2, 0, flags);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SAVE_FAILED] =
    g_signal_new ("save-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
flint_bookmarks_init (FlintBookmarks *self)
{
  self->bookmarks = g_list_store_new (FLINT_TYPE_BOOKMARK);
  self->legacy_extras = g_ptr_array_new_with_free_func (g_free);
}

#include "config.h"

#define G_LOG_DOMAIN "flint-room-directory"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-error.h"
#include "flint-jid.h"
#include "flint-room-directory.h"
#include "flint-stanza.h"

#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"

/* disco#info requests in flight at once: enough to fill a screen quickly,
 * few enough not to flood the service while scrolling. */
#define MAX_INFO_IN_FLIGHT 8
/* A listing far bigger than anyone browses: the rest is left out. */
#define MAX_ROOMS 20000

struct _FlintRoomDirectory
{
  GObject parent_instance;

  FlintSession *session;
  GListStore *rooms;
  GHashTable *known; /* room JID -> TRUE: a room listed twice shows once */
  GPtrArray *services;
  FlintRoomDirectoryState state;
  GError *error;
  guint generation; /* replies to an older refresh are dropped */
  guint pending;    /* disco requests of this generation in flight */
  guint failed;     /* services that did not list their rooms */
  char *failed_service;
  GQueue info_queue; /* FlintRoomListing, newest request at the tail */
  guint info_in_flight;
  guint info_requests;
};

G_DEFINE_FINAL_TYPE (FlintRoomDirectory, flint_room_directory, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (FlintRoomDirectoryState,
                    flint_room_directory_state,
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_DIRECTORY_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_DIRECTORY_LOADING, "loading"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_DIRECTORY_READY, "ready"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_DIRECTORY_FAILED, "failed"))

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What a reply needs to find its way back (the directory may be gone). */
typedef struct
{
  GWeakRef directory;
  guint generation;
  FlintRoomListing *listing;
  char *jid;
} Request;

static Request *
request_new (FlintRoomDirectory *self, const char *jid, FlintRoomListing *listing)
{
  Request *r = g_new0 (Request, 1);

  g_weak_ref_init (&r->directory, self);
  r->generation = self->generation;
  r->jid = g_strdup (jid);
  r->listing = listing ? g_object_ref (listing) : NULL;
  return r;
}

static void
request_free (Request *r)
{
  g_weak_ref_clear (&r->directory);
  g_clear_object (&r->listing);
  g_free (r->jid);
  g_free (r);
}

/* The directory if the reply is still wanted, else NULL (and frees r). */
static FlintRoomDirectory *
request_take (Request *r)
{
  FlintRoomDirectory *self = g_weak_ref_get (&r->directory);

  if (self && self->generation != r->generation)
    g_clear_object (&self);
  return self;
}

static void
set_state (FlintRoomDirectory *self, FlintRoomDirectoryState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
send_disco (FlintRoomDirectory *self,
            const char *to,
            const char *ns,
            FlintIqCallback callback,
            Request *request)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", id);

  xmpp_stanza_set_to (iq, to);
  flint_stanza_add_child (iq, "query", ns, NULL);
  flint_session_send_iq (self->session, iq, callback, request);
  xmpp_stanza_release (iq);
}

static void
check_done (FlintRoomDirectory *self)
{
  if (self->pending > 0 || self->state != FLINT_ROOM_DIRECTORY_LOADING)
    return;
  if (self->services->len == 1) /* only the NULL terminator */
    {
      g_clear_error (&self->error);
      self->error = g_error_new_literal (
        FLINT_ERROR, FLINT_ERROR_MUC_NOT_FOUND,
        _ ("Your server offers no rooms. Enter the address of a room service such as "
           "conference.example.com."));
      set_state (self, FLINT_ROOM_DIRECTORY_FAILED);
      return;
    }
  if (self->failed > 0 && self->failed == self->services->len - 1)
    {
      g_clear_error (&self->error);
      self->error =
        g_error_new (FLINT_ERROR, FLINT_ERROR_MUC_NOT_FOUND,
                     /* TRANSLATORS: %s is the address of a room service */
                     _ ("The room service %s did not list its rooms. Check its address, "
                        "or try again later."),
                     self->failed_service);
      set_state (self, FLINT_ROOM_DIRECTORY_FAILED);
      return;
    }
  set_state (self, FLINT_ROOM_DIRECTORY_READY);
}

static xmpp_stanza_t *
reply_query (xmpp_stanza_t *result, const GError *error, const char *ns)
{
  if (result == NULL || error != NULL)
    return NULL;
  return xmpp_stanza_get_child_by_name_and_ns (result, "query", ns);
}

/* ---- rooms of a service ------------------------------------------------- */

static int
compare_listings (gconstpointer a, gconstpointer b)
{
  FlintRoomListing *x = *(FlintRoomListing **) a;
  FlintRoomListing *y = *(FlintRoomListing **) b;
  g_autofree char *kx = g_utf8_collate_key (flint_room_listing_get_name (x), -1);
  g_autofree char *ky = g_utf8_collate_key (flint_room_listing_get_name (y), -1);
  int c = g_strcmp0 (kx, ky);

  return c ? c
           : g_strcmp0 (flint_room_listing_get_jid (x), flint_room_listing_get_jid (y));
}

static void
on_service_items (FlintSession *session,
                  xmpp_stanza_t *result,
                  const GError *error,
                  gpointer user_data)
{
  Request *r = user_data;
  g_autoptr (FlintRoomDirectory) self = request_take (r);
  xmpp_stanza_t *query = reply_query (result, error, NS_DISCO_ITEMS);
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  if (self == NULL)
    {
      request_free (r);
      return;
    }
  self->pending--;
  if (query == NULL)
    {
      g_debug ("No rooms from %s: %s", r->jid, error ? error->message : "no answer");
      self->failed++;
      g_free (self->failed_service);
      self->failed_service = g_strdup (r->jid);
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->rooms));
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    {
      const char *jid;
      g_autofree char *normal = NULL;

      if (!xmpp_stanza_is_tag (c) || g_strcmp0 (xmpp_stanza_get_name (c), "item") != 0)
        continue;
      jid = xmpp_stanza_get_attribute (c, "jid");
      /* Rooms are bare JIDs with a node; anything else is not a room. */
      if (jid == NULL || !flint_jid_is_valid_bare (jid) ||
          !g_utf8_validate (jid, -1, NULL))
        continue;
      normal = flint_jid_normalize (jid);
      if (normal == NULL || g_hash_table_contains (self->known, normal) ||
          n + found->len >= MAX_ROOMS)
        continue;
      {
        g_autofree char *node = flint_jid_node (normal);

        if (node == NULL || *node == '\0')
          continue;
      }
      g_hash_table_add (self->known, g_strdup (normal));
      g_ptr_array_add (
        found, flint_room_listing_new (normal, xmpp_stanza_get_attribute (c, "name")));
    }
  /* One items-changed for the whole service, already in order: the view
   * lays out once. Services keep their own block. */
  g_ptr_array_sort (found, compare_listings);
  g_list_store_splice (self->rooms, n, 0, found->pdata, found->len);
  g_debug ("%u rooms from %s", found->len, r->jid);
  request_free (r);
  check_done (self);
}

static void
add_service (FlintRoomDirectory *self, const char *service)
{
  for (guint i = 0; i + 1 < self->services->len; i++)
    if (g_str_equal (self->services->pdata[i], service))
      return;
  g_ptr_array_insert (self->services, (int) self->services->len - 1, g_strdup (service));
  self->pending++;
  send_disco (self, service, NS_DISCO_ITEMS, on_service_items,
              request_new (self, service, NULL));
}

/* ---- services of the server --------------------------------------------- */

static gboolean
is_muc_service (xmpp_stanza_t *query)
{
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_is_tag (c) ? xmpp_stanza_get_name (c) : NULL;

      if (g_strcmp0 (name, "identity") == 0 &&
          g_strcmp0 (xmpp_stanza_get_attribute (c, "category"), "conference") == 0 &&
          g_strcmp0 (xmpp_stanza_get_attribute (c, "type"), "text") == 0)
        return TRUE;
    }
  return FALSE;
}

static void
on_candidate_info (FlintSession *session,
                   xmpp_stanza_t *result,
                   const GError *error,
                   gpointer user_data)
{
  Request *r = user_data;
  g_autoptr (FlintRoomDirectory) self = request_take (r);

  if (self == NULL)
    {
      request_free (r);
      return;
    }
  self->pending--;
  if (is_muc_service (reply_query (result, error, NS_DISCO_INFO)))
    add_service (self, r->jid);
  request_free (r);
  check_done (self);
}

static void
on_server_items (FlintSession *session,
                 xmpp_stanza_t *result,
                 const GError *error,
                 gpointer user_data)
{
  Request *r = user_data;
  g_autoptr (FlintRoomDirectory) self = request_take (r);
  xmpp_stanza_t *query = reply_query (result, error, NS_DISCO_ITEMS);

  if (self == NULL)
    {
      request_free (r);
      return;
    }
  self->pending--;
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    {
      const char *jid =
        xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_name (c), "item") == 0
          ? xmpp_stanza_get_attribute (c, "jid")
          : NULL;

      /* Services are domains; a node or a node attribute is something else. */
      if (jid == NULL || !flint_jid_is_valid_bare (jid) || strchr (jid, '@') ||
          xmpp_stanza_get_attribute (c, "node"))
        continue;
      self->pending++;
      send_disco (self, jid, NS_DISCO_INFO, on_candidate_info,
                  request_new (self, jid, NULL));
    }
  request_free (r);
  check_done (self);
}

static gboolean
start (FlintRoomDirectory *self)
{
  self->generation++;
  self->pending = 0;
  self->failed = 0;
  g_clear_error (&self->error);
  g_queue_clear_full (&self->info_queue, g_object_unref);
  g_hash_table_remove_all (self->known);
  g_ptr_array_set_size (self->services, 0);
  g_ptr_array_add (self->services, NULL);
  g_list_store_remove_all (self->rooms);
  if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    {
      self->error =
        g_error_new_literal (FLINT_ERROR, FLINT_ERROR_NOT_CONNECTED,
                             flint_error_describe (FLINT_ERROR_NOT_CONNECTED));
      set_state (self, FLINT_ROOM_DIRECTORY_FAILED);
      return FALSE;
    }
  set_state (self, FLINT_ROOM_DIRECTORY_LOADING);
  return TRUE;
}

void
flint_room_directory_refresh (FlintRoomDirectory *self)
{
  g_autofree char *domain = NULL;

  g_return_if_fail (FLINT_IS_ROOM_DIRECTORY (self));

  if (!start (self))
    return;
  domain =
    flint_jid_domain (flint_account_get_jid (flint_session_get_account (self->session)));
  self->pending++;
  send_disco (self, domain, NS_DISCO_ITEMS, on_server_items,
              request_new (self, domain, NULL));
}

void
flint_room_directory_load_service (FlintRoomDirectory *self, const char *service)
{
  g_return_if_fail (FLINT_IS_ROOM_DIRECTORY (self));

  if (!start (self))
    return;
  if (service == NULL || !flint_jid_is_valid_bare (service))
    {
      self->error = g_error_new_literal (FLINT_ERROR, FLINT_ERROR_INVALID_JID,
                                         flint_error_describe (FLINT_ERROR_INVALID_JID));
      set_state (self, FLINT_ROOM_DIRECTORY_FAILED);
      return;
    }
  add_service (self, service);
}

/* ---- room details ------------------------------------------------------- */

static void pump_info (FlintRoomDirectory *self);

static void
on_room_info (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer user_data)
{
  Request *r = user_data;
  g_autoptr (FlintRoomDirectory) self = g_weak_ref_get (&r->directory);
  xmpp_stanza_t *query = reply_query (result, error, NS_DISCO_INFO);

  if (query)
    flint_room_listing_apply_info (r->listing, query);
  else
    flint_room_listing_set_info_state (r->listing, FLINT_ROOM_INFO_FAILED);
  if (self)
    {
      /* Counted across refreshes: these were sent, whatever the list is now. */
      self->info_in_flight--;
      pump_info (self);
    }
  request_free (r);
}

static void
pump_info (FlintRoomDirectory *self)
{
  while (self->info_in_flight < MAX_INFO_IN_FLIGHT &&
         !g_queue_is_empty (&self->info_queue))
    {
      g_autoptr (FlintRoomListing) listing = g_queue_pop_tail (&self->info_queue);

      if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
        {
          flint_room_listing_set_info_state (listing, FLINT_ROOM_INFO_NONE);
          continue;
        }
      self->info_in_flight++;
      self->info_requests++;
      send_disco (self, flint_room_listing_get_jid (listing), NS_DISCO_INFO, on_room_info,
                  request_new (self, flint_room_listing_get_jid (listing), listing));
    }
}

void
flint_room_directory_request_info (FlintRoomDirectory *self, FlintRoomListing *listing)
{
  g_return_if_fail (FLINT_IS_ROOM_DIRECTORY (self));
  g_return_if_fail (FLINT_IS_ROOM_LISTING (listing));

  if (flint_room_listing_get_info_state (listing) != FLINT_ROOM_INFO_NONE)
    return;
  /* LOADING from the moment it is queued: asked once only. */
  flint_room_listing_set_info_state (listing, FLINT_ROOM_INFO_LOADING);
  g_queue_push_tail (&self->info_queue, g_object_ref (listing));
  pump_info (self);
}

guint
flint_room_directory_get_info_requests (FlintRoomDirectory *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM_DIRECTORY (self), 0);
  return self->info_requests;
}

/* ---- object ------------------------------------------------------------- */

FlintRoomDirectory *
flint_room_directory_new (FlintSession *session)
{
  FlintRoomDirectory *self;

  g_return_val_if_fail (FLINT_IS_SESSION (session), NULL);
  self = g_object_new (FLINT_TYPE_ROOM_DIRECTORY, NULL);
  self->session = g_object_ref (session);
  return self;
}

GListModel *
flint_room_directory_get_rooms (FlintRoomDirectory *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM_DIRECTORY (self), NULL);
  return G_LIST_MODEL (self->rooms);
}

FlintRoomDirectoryState
flint_room_directory_get_state (FlintRoomDirectory *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM_DIRECTORY (self), FLINT_ROOM_DIRECTORY_IDLE);
  return self->state;
}

const GError *
flint_room_directory_get_error (FlintRoomDirectory *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM_DIRECTORY (self), NULL);
  return self->error;
}

const char *const *
flint_room_directory_get_services (FlintRoomDirectory *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM_DIRECTORY (self), NULL);
  return (const char *const *) self->services->pdata;
}

static void
flint_room_directory_dispose (GObject *object)
{
  FlintRoomDirectory *self = FLINT_ROOM_DIRECTORY (object);

  g_queue_clear_full (&self->info_queue, g_object_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->rooms);
  G_OBJECT_CLASS (flint_room_directory_parent_class)->dispose (object);
}

static void
flint_room_directory_finalize (GObject *object)
{
  FlintRoomDirectory *self = FLINT_ROOM_DIRECTORY (object);

  g_hash_table_unref (self->known);
  g_ptr_array_unref (self->services);
  g_clear_error (&self->error);
  g_free (self->failed_service);
  G_OBJECT_CLASS (flint_room_directory_parent_class)->finalize (object);
}

static void
flint_room_directory_get_property (GObject *object,
                                   guint prop_id,
                                   GValue *value,
                                   GParamSpec *pspec)
{
  FlintRoomDirectory *self = FLINT_ROOM_DIRECTORY (object);

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_room_directory_class_init (FlintRoomDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = flint_room_directory_dispose;
  object_class->finalize = flint_room_directory_finalize;
  object_class->get_property = flint_room_directory_get_property;
  properties[PROP_STATE] = g_param_spec_enum (
    "state", NULL, NULL, FLINT_TYPE_ROOM_DIRECTORY_STATE, FLINT_ROOM_DIRECTORY_IDLE,
    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flint_room_directory_init (FlintRoomDirectory *self)
{
  self->rooms = g_list_store_new (FLINT_TYPE_ROOM_LISTING);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->services = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->services, NULL);
  g_queue_init (&self->info_queue);
}

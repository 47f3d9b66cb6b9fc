#pragma once

#include <gio/gio.h>

#include "flint-data-form.h"
#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_NS_SEARCH "jabber:iq:search"

typedef enum
{
  FLINT_USER_SEARCH_IDLE,
  FLINT_USER_SEARCH_LOADING, /* asking the directory for its form */
  FLINT_USER_SEARCH_READY,   /* the form can be filled in */
  FLINT_USER_SEARCH_SEARCHING,
  FLINT_USER_SEARCH_DONE, /* results are in */
  FLINT_USER_SEARCH_FAILED,
} FlintUserSearchState;

#define FLINT_TYPE_USER_SEARCH (flint_user_search_get_type ())
G_DECLARE_FINAL_TYPE (FlintUserSearch, flint_user_search, FLINT, USER_SEARCH, GObject)

/* XEP-0055 against one directory service: its search form (a data form,
 * or the legacy fields turned into one, so one renderer shows both), then
 * searches whose results are read by index. "notify::state" says when. */
FlintUserSearch *flint_user_search_new (FlintSession *session, const char *service);

const char *flint_user_search_get_service (FlintUserSearch *self);
FlintUserSearchState flint_user_search_get_state (FlintUserSearch *self);
const char *flint_user_search_get_error (FlintUserSearch *self);

void flint_user_search_load_form (FlintUserSearch *self);
FlintDataForm *flint_user_search_get_form (FlintUserSearch *self);
gboolean flint_user_search_is_legacy (FlintUserSearch *self);
/* The legacy form's <instructions/> (data forms carry their own). */
const char *flint_user_search_get_instructions (FlintUserSearch *self);

/* Searches with the form's current values. */
void flint_user_search_search (FlintUserSearch *self);

guint flint_user_search_get_n_results (FlintUserSearch *self);
const char *flint_user_search_get_result_jid (FlintUserSearch *self, guint index);
/* A name made of the given/family names, nickname or full name fields,
 * or NULL. */
const char *flint_user_search_get_result_name (FlintUserSearch *self, guint index);
/* The other columns, "Label: value" joined with ", ". */
const char *flint_user_search_get_result_details (FlintUserSearch *self, guint index);

/* Pure parsing, for tests: the results of a <query xmlns='jabber:iq:search'/>. */
gboolean flint_user_search_parse_results (FlintUserSearch *self, xmpp_stanza_t *query);

G_END_DECLS

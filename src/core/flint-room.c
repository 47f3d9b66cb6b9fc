#include "config.h"

#define G_LOG_DOMAIN "flint-room"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "flint-jid.h"
#include "flint-room-private.h"
#include "flint-stanza.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_MUC_OWNER "http://jabber.org/protocol/muc#owner"
#define NS_SID "urn:xmpp:sid:0"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_PING "urn:xmpp:ping"
#define NS_DATA "jabber:x:data"
#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_MAM "urn:xmpp:mam:2"
#define NS_RSM "http://jabber.org/protocol/rsm"
#define NS_FORWARD "urn:xmpp:forward:0"

/* History asked for on a first join: enough to see what the room is
 * talking about, not a flood. Later joins ask for what came after the
 * newest stored message. */
#define FIRST_JOIN_HISTORY 50
/* An archive catch-up after a rejoin stops after this many pages of
 * ARCHIVE_PAGE: a room that talked for days is read as far as history
 * paging goes, not all at once. */
#define ARCHIVE_PAGE 100
#define ARCHIVE_MAX_PAGES 20

struct _FlintRoom
{
  GObject parent_instance;

  FlintSession *session;
  FlintHistory *history;
  char *jid;
  char *nick;
  char *pending_nick; /* a nick change on its way */
  char *password;
  char *subject;
  char *subject_by;
  char *name;
  char *suggested_nick;
  FlintRoomState state;
  GError *error;
  gboolean wanted; /* the user wants to be in the room: rejoin it */
  gboolean active;
  guint unread;
  gint64 last_activity; /* monotonic µs of the last stanza from the room */
  gboolean ping_in_flight;
  gboolean configure_on_create; /* a new room waits for its configuration */
  gboolean created;             /* the room was made by our join (201) */

  GListStore *occupants;
  GHashTable *by_nick; /* nick -> FlintOccupant (in occupants) */

  /* From the room's disco#info, asked after each join. */
  gboolean info_known;
  gboolean members_only;
  gboolean has_archive;    /* urn:xmpp:mam:2 */
  gboolean others_subject; /* muc#roominfo_changesubject */
  /* The archive catch-up after a join: after this stanza-id. */
  char *archive_after;
  char *archive_query;
  guint archive_pages;
  GPtrArray *archive_page; /* FlintMessageRecord of the current page */
  gboolean replaying;
};

G_DEFINE_FINAL_TYPE (FlintRoom, flint_room, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (FlintRoomState,
                    flint_room_state,
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_LEFT, "left"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_JOINING, "joining"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_JOINED, "joined"),
                    G_DEFINE_ENUM_VALUE (FLINT_ROOM_FAILED, "failed"))

enum
{
  PROP_0,
  PROP_JID,
  PROP_NICK,
  PROP_PASSWORD,
  PROP_SUBJECT,
  PROP_NAME,
  PROP_STATE,
  PROP_SUGGESTED_NICK,
  PROP_UNREAD,
  PROP_REPLAYING,
  PROP_MEMBERS_ONLY,
  N_PROPS
};

enum
{
  SIGNAL_MESSAGE_STORED,
  SIGNAL_MESSAGE_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
account_jid (FlintRoom *self)
{
  return flint_account_get_jid (flint_session_get_account (self->session));
}

/* ---- pure helpers ------------------------------------------------------- */

/* XEP-0045 §7.2: the error conditions a room answers a join with. */
FlintErrorCode
flint_room_error_from_condition (const char *condition)
{
  static const struct
  {
    const char *condition;
    FlintErrorCode code;
  } map[] = {
    { "conflict", FLINT_ERROR_MUC_NICK_IN_USE },
    { "not-authorized", FLINT_ERROR_MUC_PASSWORD },
    { "registration-required", FLINT_ERROR_MUC_MEMBERS_ONLY },
    { "forbidden", FLINT_ERROR_MUC_BANNED },
    { "item-not-found", FLINT_ERROR_MUC_NOT_FOUND },
    { "remote-server-not-found", FLINT_ERROR_MUC_NOT_FOUND },
    { "not-allowed", FLINT_ERROR_MUC_CREATION_FORBIDDEN },
    { "service-unavailable", FLINT_ERROR_MUC_FULL },
    { "not-acceptable", FLINT_ERROR_MUC_NICK_RESERVED },
    { "jid-malformed", FLINT_ERROR_INVALID_JID },
    { "remote-server-timeout", FLINT_ERROR_TIMEOUT },
  };

  for (guint i = 0; condition && i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (condition, map[i].condition))
      return map[i].code;
  return FLINT_ERROR_MUC_REFUSED;
}

/* "alice" -> "alice_", "alice_" -> "alice_2", "alice_2" -> "alice_3". */
char *
flint_room_alternative_nick (const char *nick)
{
  const char *underscore;
  guint64 n = 0;
  char *end = NULL;

  g_return_val_if_fail (nick != NULL, NULL);

  underscore = strrchr (nick, '_');
  if (underscore && underscore[1] == '\0')
    return g_strdup_printf ("%s2", nick);
  if (underscore && g_ascii_isdigit (underscore[1]))
    {
      n = g_ascii_strtoull (underscore + 1, &end, 10);
      if (end && *end == '\0' && n > 0 && n < G_MAXUINT32)
        return g_strdup_printf ("%.*s_%" G_GUINT64_FORMAT, (int) (underscore - nick),
                                nick, n + 1);
    }
  return g_strdup_printf ("%s_", nick);
}

/* A mention is the nick as a whole word, any case: "bob:" and "@Bob" are,
 * "bobby" is not. */
gboolean
flint_room_mentions_nick (const char *body, const char *nick)
{
  g_autofree char *b = NULL;
  g_autofree char *n = NULL;
  size_t len;

  if (body == NULL || nick == NULL || *nick == '\0')
    return FALSE;
  b = g_utf8_casefold (body, -1);
  n = g_utf8_casefold (nick, -1);
  len = strlen (n);
  for (const char *p = strstr (b, n); p; p = strstr (p + 1, n))
    {
      gboolean start_ok = p == b;
      gboolean end_ok = p[len] == '\0';

      if (!start_ok)
        {
          const char *prev = g_utf8_find_prev_char (b, p);
          gunichar c = g_utf8_get_char (prev);
          start_ok = !g_unichar_isalnum (c) && c != '_';
        }
      if (!end_ok)
        {
          gunichar c = g_utf8_get_char (p + len);
          end_ok = !g_unichar_isalnum (c) && c != '_';
        }
      if (start_ok && end_ok)
        return TRUE;
    }
  return FALSE;
}

/* ---- state -------------------------------------------------------------- */

static void
set_string (FlintRoom *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_state (FlintRoom *self, FlintRoomState state)
{
  if (self->state == state)
    return;
  g_debug ("Room %s: %d -> %d", self->jid, self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
clear_occupants (FlintRoom *self)
{
  g_hash_table_remove_all (self->by_nick);
  g_list_store_remove_all (self->occupants);
}

/* A system line in the room (kicks, bans, voice, affiliations): stored, so
 * it stays where it happened in the history. */
void
flint_room_add_status (FlintRoom *self, const char *text)
{
  g_autoptr (FlintMessageRecord) record = flint_message_record_new ();
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();

  g_return_if_fail (FLINT_IS_ROOM (self));

  record->account = g_strdup (account_jid (self));
  record->conversation = g_strdup (self->jid);
  record->kind = FLINT_MESSAGE_KIND_STATUS;
  record->direction = FLINT_DIRECTION_INCOMING;
  record->sender = g_strdup ("");
  record->body = g_strdup (text);
  record->time = now;
  record->local_time = now;
  record->state = FLINT_DELIVERY_RECEIVED;
  if (!flint_history_insert (self->history, record, NULL, &error))
    {
      g_warning ("Could not store a room's status line: %s", error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, record);
}

/* "text" or "text: reason", the reason as the room gave it. */
static void
add_status_reason (FlintRoom *self, const char *text, const char *reason)
{
  g_autofree char *line = NULL;

  if (reason && *reason && g_utf8_validate (reason, -1, NULL))
    /* TRANSLATORS: a room's status line and the moderator's reason */
    line = g_strdup_printf (_ ("%s (“%s”)"), text, reason);
  flint_room_add_status (self, line ? line : text);
}

static void
fail (FlintRoom *self, FlintErrorCode code, const char *server_text)
{
  g_clear_error (&self->error);
  if (server_text && *server_text)
    /* The room's own words help (a reason for a ban, a rule): keep them. */
    self->error = g_error_new (FLINT_ERROR, code, _ ("%s (The room said: “%s”)"),
                               flint_error_describe (code), server_text);
  else
    self->error = g_error_new_literal (FLINT_ERROR, code, flint_error_describe (code));
}

char *
flint_room_error_condition (xmpp_stanza_t *stanza, char **out_text)
{
  xmpp_stanza_t *error = xmpp_stanza_get_child_by_name (stanza, "error");

  if (out_text)
    *out_text = NULL;
  if (error == NULL)
    return NULL;
  if (out_text)
    *out_text = flint_stanza_child_text (error, "text", NS_STANZAS);
  for (xmpp_stanza_t *c = xmpp_stanza_get_children (error); c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_ns (c), NS_STANZAS) == 0 &&
        g_strcmp0 (xmpp_stanza_get_name (c), "text") != 0)
      return g_strdup (xmpp_stanza_get_name (c));
  return NULL;
}

/* ---- joining ------------------------------------------------------------ */

static char *
format_since (gint64 usec)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
send_join_presence (FlintRoom *self, const char *nick)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *to = g_strdup_printf ("%s/%s", self->jid, nick);
  xmpp_stanza_t *presence = xmpp_presence_new (ctx);
  xmpp_stanza_t *x = flint_stanza_add_child (presence, "x", NS_MUC, NULL);
  xmpp_stanza_t *history = flint_stanza_add_child (x, "history", NULL, NULL);
  g_autoptr (GPtrArray) last = NULL;

  xmpp_stanza_set_to (presence, to);
  if (self->password && *self->password)
    flint_stanza_add_child (x, "password", NULL, self->password);

  /* Where the archive catch-up starts once we are in. */
  g_free (self->archive_after);
  self->archive_after =
    flint_history_get_last_stanza_id (self->history, account_jid (self), self->jid);
  self->archive_pages = 0;
  last = flint_history_get_last (self->history, account_jid (self), self->jid, 1, NULL);
  if (self->archive_after && self->info_known && self->has_archive)
    /* The archive gives all we missed, in pages: no discussion history
     * on top of it. */
    xmpp_stanza_set_attribute (history, "maxstanzas", "0");
  else if (last && last->len > 0)
    {
      FlintMessageRecord *newest = g_ptr_array_index (last, 0);
      /* Whole seconds, rounded down: the newest message may come again,
       * and the store's dedup drops it. */
      g_autofree char *since = format_since (newest->time);

      if (since)
        xmpp_stanza_set_attribute (history, "since", since);
    }
  else
    {
      g_autofree char *n = g_strdup_printf ("%d", FIRST_JOIN_HISTORY);
      xmpp_stanza_set_attribute (history, "maxstanzas", n);
    }
  flint_session_send (self->session, presence);
  xmpp_stanza_release (presence);
}

void
flint_room_join (FlintRoom *self)
{
  g_return_if_fail (FLINT_IS_ROOM (self));

  self->wanted = TRUE;
  if (flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  if (self->state == FLINT_ROOM_JOINING || self->state == FLINT_ROOM_JOINED)
    return;
  g_clear_error (&self->error);
  set_string (self, &self->suggested_nick, NULL, PROP_SUGGESTED_NICK);
  clear_occupants (self);
  self->created = FALSE;
  self->last_activity = g_get_monotonic_time ();
  set_state (self, FLINT_ROOM_JOINING);
  send_join_presence (self, self->nick);
}

void
flint_room_leave (FlintRoom *self)
{
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *presence;
  g_autofree char *to = NULL;

  g_return_if_fail (FLINT_IS_ROOM (self));

  self->wanted = FALSE;
  if (self->state == FLINT_ROOM_LEFT || self->state == FLINT_ROOM_FAILED)
    return;
  if (flint_session_get_state (self->session) == FLINT_SESSION_ONLINE)
    {
      ctx = flint_session_get_context (self->session);
      to = g_strdup_printf ("%s/%s", self->jid, self->nick);
      presence = xmpp_presence_new (ctx);
      xmpp_stanza_set_type (presence, "unavailable");
      xmpp_stanza_set_to (presence, to);
      flint_session_send (self->session, presence);
      xmpp_stanza_release (presence);
    }
  clear_occupants (self);
  set_state (self, FLINT_ROOM_LEFT);
}

gboolean
flint_room_get_wanted (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), FALSE);
  return self->wanted;
}

/* The stream is gone: the room no longer counts us in, but we still want
 * to be there once we are back (unless XEP-0198 resumes the session, in
 * which case the manager does not call this). */
void
flint_room_connection_lost (FlintRoom *self)
{
  g_return_if_fail (FLINT_IS_ROOM (self));

  self->ping_in_flight = FALSE;
  g_clear_pointer (&self->pending_nick, g_free);
  g_clear_pointer (&self->archive_query, g_free);
  clear_occupants (self);
  if (self->state != FLINT_ROOM_FAILED)
    set_state (self, FLINT_ROOM_LEFT);
}

/* Someone else changed the room's data form defaults: an instant room
 * (XEP-0045 §10.1.2), so that others can join the room we just made. */
static void
accept_instant_room (FlintRoom *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", id);
  xmpp_stanza_t *query = flint_stanza_add_child (iq, "query", NS_MUC_OWNER, NULL);
  xmpp_stanza_t *x = flint_stanza_add_child (query, "x", NS_DATA, NULL);

  xmpp_stanza_set_type (x, "submit");
  xmpp_stanza_set_to (iq, self->jid);
  flint_session_send_iq (self->session, iq, NULL, NULL);
  xmpp_stanza_release (iq);
}

static void request_info (FlintRoom *self);

/* ---- presence ----------------------------------------------------------- */

static gboolean
has_status (xmpp_stanza_t *x, const char *code)
{
  for (xmpp_stanza_t *c = x ? xmpp_stanza_get_children (x) : NULL; c;
       c = xmpp_stanza_get_next (c))
    if (xmpp_stanza_is_tag (c) && g_strcmp0 (xmpp_stanza_get_name (c), "status") == 0 &&
        g_strcmp0 (xmpp_stanza_get_attribute (c, "code"), code) == 0)
      return TRUE;
  return FALSE;
}

static void
remove_occupant (FlintRoom *self, const char *nick)
{
  FlintOccupant *occupant = g_hash_table_lookup (self->by_nick, nick);
  guint position;

  if (occupant == NULL)
    return;
  if (g_list_store_find (self->occupants, occupant, &position))
    g_list_store_remove (self->occupants, position);
  g_hash_table_remove (self->by_nick, nick);
}

/* Someone else removed by the room: 301, 307, 321, 322 (XEP-0045 §9.1,
 * §8.2, §9.3-§9.4, §9.9). */
static void
announce_removal (FlintRoom *self,
                  xmpp_stanza_t *x,
                  xmpp_stanza_t *item,
                  const char *nick)
{
  g_autofree char *reason = item ? flint_stanza_child_text (item, "reason", NULL) : NULL;
  g_autofree char *text = NULL;

  if (self->state != FLINT_ROOM_JOINED)
    return;
  if (has_status (x, "301"))
    text = g_strdup_printf (_ ("%s was banned from the room"), nick);
  else if (has_status (x, "307"))
    text = g_strdup_printf (_ ("%s was kicked from the room"), nick);
  else if (has_status (x, "321"))
    text = g_strdup_printf (_ ("%s was removed from the room: their affiliation changed"),
                            nick);
  else if (has_status (x, "322"))
    text =
      g_strdup_printf (_ ("%s was removed from the room: it is now members-only"), nick);
  if (text)
    add_status_reason (self, text, reason);
}

/* A role or affiliation that changed while we are in (§8.3-§8.6, §9). */
static void
announce_change (FlintRoom *self, FlintOccupant *occupant, xmpp_stanza_t *item)
{
  const char *nick = flint_occupant_get_nick (occupant);
  const char *role = xmpp_stanza_get_attribute (item, "role");
  const char *affiliation = xmpp_stanza_get_attribute (item, "affiliation");
  const char *old_role = flint_occupant_get_role (occupant);
  const char *old_affiliation = flint_occupant_get_affiliation (occupant);
  g_autofree char *reason = flint_stanza_child_text (item, "reason", NULL);
  gboolean me = flint_occupant_get_is_self (occupant);

  if (affiliation && g_strcmp0 (affiliation, old_affiliation) != 0)
    {
      g_autofree char *text = NULL;

      if (g_strcmp0 (affiliation, "owner") == 0)
        text = me ? g_strdup (_ ("You are now an owner of the room"))
                  : g_strdup_printf (_ ("%s is now an owner of the room"), nick);
      else if (g_strcmp0 (affiliation, "admin") == 0)
        text = me ? g_strdup (_ ("You are now an administrator of the room"))
                  : g_strdup_printf (_ ("%s is now an administrator of the room"), nick);
      else if (g_strcmp0 (affiliation, "member") == 0)
        text = me ? g_strdup (_ ("You are now a member of the room"))
                  : g_strdup_printf (_ ("%s is now a member of the room"), nick);
      else if (g_strcmp0 (affiliation, "none") == 0)
        text = me ? g_strdup (_ ("You no longer have an affiliation with the room"))
                  : g_strdup_printf (_ ("%s no longer has an affiliation with the room"),
                                     nick);
      if (text)
        add_status_reason (self, text, reason);
    }
  /* Admins and owners are moderators by it: one line says both. */
  if (role && g_strcmp0 (role, old_role) != 0 &&
      !(g_strcmp0 (role, "moderator") == 0 &&
        (g_strcmp0 (affiliation, "admin") == 0 ||
         g_strcmp0 (affiliation, "owner") == 0) &&
        g_strcmp0 (affiliation, old_affiliation) != 0))
    {
      g_autofree char *text = NULL;

      if (g_strcmp0 (role, "moderator") == 0)
        text = me ? g_strdup (_ ("You are now a moderator"))
                  : g_strdup_printf (_ ("%s is now a moderator"), nick);
      else if (g_strcmp0 (role, "visitor") == 0)
        text = me ? g_strdup (_ ("You may no longer speak in the room"))
                  : g_strdup_printf (_ ("%s may no longer speak in the room"), nick);
      else if (g_strcmp0 (role, "participant") == 0 &&
               g_strcmp0 (old_role, "visitor") == 0)
        text = me ? g_strdup (_ ("You may now speak in the room"))
                  : g_strdup_printf (_ ("%s may now speak in the room"), nick);
      else if (g_strcmp0 (role, "participant") == 0 &&
               g_strcmp0 (old_role, "moderator") == 0)
        text = me ? g_strdup (_ ("You are no longer a moderator"))
                  : g_strdup_printf (_ ("%s is no longer a moderator"), nick);
      if (text)
        add_status_reason (self, text, reason);
    }
}

static void
handle_presence_error (FlintRoom *self, xmpp_stanza_t *stanza, const char *nick)
{
  g_autofree char *text = NULL;
  g_autofree char *condition = flint_room_error_condition (stanza, &text);
  FlintErrorCode code = flint_room_error_from_condition (condition);

  g_debug ("Room %s refused %s: %s", self->jid, nick, condition ? condition : "?");
  if (self->pending_nick && g_strcmp0 (nick, self->pending_nick) == 0 &&
      self->state == FLINT_ROOM_JOINED)
    {
      /* A refused nick change: we are still in, with the old nick. */
      g_clear_pointer (&self->pending_nick, g_free);
      fail (self, code, text);
      if (code == FLINT_ERROR_MUC_NICK_IN_USE)
        {
          g_autofree char *alt = flint_room_alternative_nick (nick);
          set_string (self, &self->suggested_nick, alt, PROP_SUGGESTED_NICK);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
      return;
    }
  if (self->state != FLINT_ROOM_JOINING)
    return;
  fail (self, code, text);
  if (code == FLINT_ERROR_MUC_NICK_IN_USE || code == FLINT_ERROR_MUC_NICK_RESERVED)
    {
      g_autofree char *alt = flint_room_alternative_nick (self->nick);
      set_string (self, &self->suggested_nick, alt, PROP_SUGGESTED_NICK);
    }
  /* Not again by itself: the user has to change something. */
  self->wanted = FALSE;
  clear_occupants (self);
  set_state (self, FLINT_ROOM_FAILED);
}

static void
handle_self_unavailable (FlintRoom *self, xmpp_stanza_t *x)
{
  xmpp_stanza_t *destroy = x ? xmpp_stanza_get_child_by_name (x, "destroy") : NULL;
  xmpp_stanza_t *item = x ? xmpp_stanza_get_child_by_name (x, "item") : NULL;
  g_autofree char *reason = item ? flint_stanza_child_text (item, "reason", NULL) : NULL;
  FlintErrorCode code = 0;

  if (destroy)
    code = FLINT_ERROR_MUC_DESTROYED;
  else if (has_status (x, "301"))
    code = FLINT_ERROR_MUC_BANNED;
  else if (has_status (x, "307") || has_status (x, "321") || has_status (x, "322"))
    code = FLINT_ERROR_MUC_KICKED;
  else if (has_status (x, "332"))
    code = FLINT_ERROR_MUC_NOT_JOINED; /* the service is shutting down */

  clear_occupants (self);
  if (code == 0)
    {
      /* Our own leave coming back. */
      set_state (self, FLINT_ROOM_LEFT);
      return;
    }
  fail (self, code, reason);
  /* Why we left stays in the room's history, not only in the banner. */
  flint_room_add_status (self, self->error->message);
  if (code != FLINT_ERROR_MUC_NOT_JOINED)
    self->wanted = FALSE;
  set_state (self,
             code == FLINT_ERROR_MUC_NOT_JOINED ? FLINT_ROOM_LEFT : FLINT_ROOM_FAILED);
}

void
flint_room_handle_presence (FlintRoom *self, xmpp_stanza_t *stanza)
{
  const char *from = xmpp_stanza_get_from (stanza);
  const char *type = xmpp_stanza_get_type (stanza);
  g_autofree char *nick = flint_jid_resource (from);
  xmpp_stanza_t *x = xmpp_stanza_get_child_by_name_and_ns (stanza, "x", NS_MUC_USER);
  xmpp_stanza_t *item = x ? xmpp_stanza_get_child_by_name (x, "item") : NULL;
  gboolean is_self;
  FlintOccupant *occupant;

  g_return_if_fail (FLINT_IS_ROOM (self));

  self->last_activity = g_get_monotonic_time ();
  if (nick == NULL || *nick == '\0')
    {
      /* An error from the room itself (no nick): a join we sent badly. */
      if (g_strcmp0 (type, "error") == 0)
        handle_presence_error (self, stanza, self->nick);
      return;
    }
  if (g_strcmp0 (type, "error") == 0)
    {
      handle_presence_error (self, stanza, nick);
      return;
    }

  is_self = has_status (x, "110") ||
            (g_strcmp0 (nick, self->nick) == 0 && self->state == FLINT_ROOM_JOINING);

  if (g_strcmp0 (type, "unavailable") == 0)
    {
      /* 303: a nick change, the new nick in the item. */
      const char *new_nick = item ? xmpp_stanza_get_attribute (item, "nick") : NULL;

      if (has_status (x, "303") && new_nick && *new_nick)
        {
          occupant = g_hash_table_lookup (self->by_nick, nick);
          if (occupant)
            {
              /* by_nick borrows the list's reference: nothing to take. */
              g_hash_table_remove (self->by_nick, nick);
              flint_occupant_set_nick (occupant, new_nick);
              g_hash_table_replace (self->by_nick, g_strdup (new_nick), occupant);
            }
          if (is_self)
            {
              g_clear_pointer (&self->pending_nick, g_free);
              set_string (self, &self->nick, new_nick, PROP_NICK);
            }
          return;
        }
      if (is_self && self->state != FLINT_ROOM_JOINING)
        handle_self_unavailable (self, x);
      else
        {
          announce_removal (self, x, item, nick);
          remove_occupant (self, nick);
        }
      return;
    }
  if (type != NULL)
    return;

  /* Available: a new occupant or a change of role, affiliation, show. */
  {
    g_autofree char *show = flint_stanza_child_text (stanza, "show", NULL);
    g_autofree char *status = flint_stanza_child_text (stanza, "status", NULL);
    const char *jid = item ? xmpp_stanza_get_attribute (item, "jid") : NULL;

    gboolean is_new = FALSE;

    occupant = g_hash_table_lookup (self->by_nick, nick);
    if (occupant == NULL)
      {
        occupant = flint_occupant_new (nick);
        g_hash_table_replace (self->by_nick, g_strdup (nick), occupant);
        is_new = TRUE;
      }
    else if (self->state == FLINT_ROOM_JOINED && item)
      announce_change (self, occupant, item);
    /* Filled in before the list shows it: a view never sees a half-made
     * occupant. */
    flint_occupant_update (occupant,
                           item ? xmpp_stanza_get_attribute (item, "role") : NULL,
                           item ? xmpp_stanza_get_attribute (item, "affiliation") : NULL,
                           jid, show, status, is_self);
    if (is_new)
      {
        g_list_store_append (self->occupants, occupant);
        g_object_unref (occupant);
      }
  }

  if (!is_self)
    return;
  /* 210: the room gave us another nick than the one we asked for. */
  if (g_strcmp0 (nick, self->nick) != 0)
    {
      g_clear_pointer (&self->pending_nick, g_free);
      set_string (self, &self->nick, nick, PROP_NICK);
    }
  if (self->state != FLINT_ROOM_JOINED)
    {
      /* 201: we made the room. Prosody keeps a new room locked until its
       * owner configures it; unless a configuration is on its way, take
       * the defaults. */
      if (has_status (x, "201"))
        {
          self->created = TRUE;
          if (!self->configure_on_create)
            accept_instant_room (self);
        }
      g_clear_error (&self->error);
      set_state (self, FLINT_ROOM_JOINED);
      /* Members-only, the subject rule, and the archive to catch up from. */
      request_info (self);
    }
}

/* ---- messages ----------------------------------------------------------- */

static void
store (FlintRoom *self, FlintMessageRecord *record, gboolean is_echo)
{
  g_autoptr (GError) error = NULL;
  gboolean inserted = FALSE;

  if (!flint_history_insert (self->history, record, &inserted, &error))
    {
      g_warning ("Could not store a room message: %s", error->message);
      return;
    }
  if (inserted)
    {
      if (record->direction == FLINT_DIRECTION_INCOMING && !self->active)
        {
          self->unread++;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
        }
      g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, record);
    }
  else if (is_echo)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, record);
}

static void
handle_message_error (FlintRoom *self, xmpp_stanza_t *stanza)
{
  const char *id = xmpp_stanza_get_id (stanza);
  g_autoptr (GError) error = NULL;

  if (id == NULL)
    return;
  if (!flint_history_set_state (self->history, account_jid (self), self->jid, id,
                                FLINT_DELIVERY_FAILED, &error))
    g_warning ("Could not mark a room message failed: %s", error->message);
}

/* A groupchat message with a body as a record (live, or from the room's
 * archive with @delay from its <forwarded/>), or NULL. */
static FlintMessageRecord *
parse_groupchat (FlintRoom *self, xmpp_stanza_t *stanza, gint64 delay)
{
  g_autofree char *nick = flint_jid_resource (xmpp_stanza_get_from (stanza));
  g_autofree char *body = flint_stanza_child_text (stanza, "body", NULL);
  g_autoptr (FlintMessageRecord) record = NULL;
  gint64 now = g_get_real_time ();
  gboolean is_echo;

  if (body == NULL || !g_utf8_validate (body, -1, NULL) || nick == NULL ||
      *nick == '\0' || !g_utf8_validate (nick, -1, NULL))
    return NULL;

  record = flint_message_record_new ();
  record->account = g_strdup (account_jid (self));
  record->conversation = g_strdup (self->jid);
  record->kind = FLINT_MESSAGE_KIND_GROUPCHAT;
  record->sender = g_strdup (nick);
  record->body = g_steal_pointer (&body);
  record->local_time = now;
  record->time = delay ? delay : flint_stanza_get_delay (stanza);
  if (record->time == 0)
    record->time = now;
  record->message_id = g_strdup (xmpp_stanza_get_id (stanza));

  for (xmpp_stanza_t *c = xmpp_stanza_get_children (stanza); c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_get_name (c);
      const char *id;

      if (!xmpp_stanza_is_tag (c) || g_strcmp0 (xmpp_stanza_get_ns (c), NS_SID) != 0)
        continue;
      id = xmpp_stanza_get_attribute (c, "id");
      if (id == NULL || *id == '\0')
        continue;
      if (g_strcmp0 (name, "origin-id") == 0 && record->origin_id == NULL)
        record->origin_id = g_strdup (id);
      /* Only the room's own archive id counts here (XEP-0359 §5). */
      else if (g_strcmp0 (name, "stanza-id") == 0 && record->stanza_id == NULL &&
               flint_jid_equal_bare (xmpp_stanza_get_attribute (c, "by"), self->jid))
        {
          record->stanza_id = g_strdup (id);
          record->stanza_id_by = g_strdup (self->jid);
        }
    }

  /* Our own message as the room echoes it (or from the room's history).
   * It carries our origin-id: the store matches it to what we sent. */
  is_echo = g_strcmp0 (nick, self->nick) == 0;
  record->direction = is_echo ? FLINT_DIRECTION_OUTGOING : FLINT_DIRECTION_INCOMING;
  record->state = is_echo ? FLINT_DELIVERY_DELIVERED : FLINT_DELIVERY_RECEIVED;
  return g_steal_pointer (&record);
}

static void request_archive_page (FlintRoom *self);

void
flint_room_handle_message (FlintRoom *self, xmpp_stanza_t *stanza)
{
  const char *from = xmpp_stanza_get_from (stanza);
  const char *type = xmpp_stanza_get_type (stanza);
  g_autofree char *nick = flint_jid_resource (from);
  g_autofree char *subject = NULL;
  g_autoptr (FlintMessageRecord) record = NULL;
  xmpp_stanza_t *subject_el;
  xmpp_stanza_t *x;

  g_return_if_fail (FLINT_IS_ROOM (self));

  self->last_activity = g_get_monotonic_time ();
  if (g_strcmp0 (type, "error") == 0)
    {
      handle_message_error (self, stanza);
      return;
    }
  if (g_strcmp0 (type, "groupchat") != 0)
    return;

  /* 104: the configuration changed (members-only, who may set the
   * subject): ask again. */
  x = xmpp_stanza_get_child_by_name_and_ns (stanza, "x", NS_MUC_USER);
  if (x && has_status (x, "104") && self->state == FLINT_ROOM_JOINED)
    request_info (self);

  subject_el = xmpp_stanza_get_child_by_name (stanza, "subject");
  if (subject_el && xmpp_stanza_get_child_by_name (stanza, "body") == NULL)
    {
      /* XEP-0045 §8.1: a subject without a body; an empty one clears it. */
      subject = xmpp_stanza_get_text (subject_el);
      if (subject && !g_utf8_validate (subject, -1, NULL))
        return;
      set_string (self, &self->subject_by, nick, PROP_SUBJECT);
      set_string (self, &self->subject, subject && *subject ? subject : NULL,
                  PROP_SUBJECT);
      return;
    }
  record = parse_groupchat (self, stanza, 0);
  if (record)
    store (self, record, record->direction == FLINT_DIRECTION_OUTGOING);
}

/* ---- the room's disco#info and archive (XEP-0313 on the room) ---------- */

static void
on_info (FlintSession *session,
         xmpp_stanza_t *result,
         const GError *error,
         gpointer user_data)
{
  g_autoptr (FlintRoom) self = g_weak_ref_get (user_data);
  xmpp_stanza_t *query;
  gboolean members_only = FALSE, archive = FALSE, others_subject = FALSE;

  g_weak_ref_clear (user_data);
  g_free (user_data);
  if (self == NULL || result == NULL ||
      g_strcmp0 (xmpp_stanza_get_type (result), "result") != 0)
    return;
  query = xmpp_stanza_get_child_by_name_and_ns (result, "query", NS_DISCO_INFO);
  for (xmpp_stanza_t *c = query ? xmpp_stanza_get_children (query) : NULL; c;
       c = xmpp_stanza_get_next (c))
    {
      const char *name = xmpp_stanza_is_tag (c) ? xmpp_stanza_get_name (c) : NULL;

      if (g_strcmp0 (name, "feature") == 0)
        {
          const char *var = xmpp_stanza_get_attribute (c, "var");

          members_only |= g_strcmp0 (var, "muc_membersonly") == 0;
          archive |= g_strcmp0 (var, NS_MAM) == 0;
        }
      else if (g_strcmp0 (name, "x") == 0 &&
               g_strcmp0 (xmpp_stanza_get_ns (c), NS_DATA) == 0)
        for (xmpp_stanza_t *f = xmpp_stanza_get_children (c); f;
             f = xmpp_stanza_get_next (f))
          /* XEP-0045 names it muc#roominfo_changesubject; Prosody 0.12
           * sends its configuration name. */
          if (xmpp_stanza_is_tag (f) && (g_strcmp0 (xmpp_stanza_get_attribute (f, "var"),
                                                    "muc#roominfo_changesubject") == 0 ||
                                         g_strcmp0 (xmpp_stanza_get_attribute (f, "var"),
                                                    "muc#roomconfig_changesubject") == 0))
            {
              g_autofree char *v = flint_stanza_child_text (f, "value", NULL);
              others_subject = g_strcmp0 (v, "1") == 0 || g_strcmp0 (v, "true") == 0;
            }
    }
  self->info_known = TRUE;
  self->has_archive = archive;
  self->others_subject = others_subject;
  if (self->members_only != members_only)
    {
      self->members_only = members_only;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBERS_ONLY]);
    }
  /* The subject button's rule may have changed with it. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBJECT]);
  if (archive && self->archive_after && self->archive_query == NULL &&
      self->state == FLINT_ROOM_JOINED)
    request_archive_page (self);
}

static void
request_info (FlintRoom *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = flint_session_new_id (self->session);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "get", id);
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  xmpp_stanza_set_to (iq, self->jid);
  flint_stanza_add_child (iq, "query", NS_DISCO_INFO, NULL);
  flint_session_send_iq (self->session, iq, on_info, ref);
  xmpp_stanza_release (iq);
}

gboolean
flint_room_handle_archive_result (FlintRoom *self, xmpp_stanza_t *stanza)
{
  xmpp_stanza_t *result = xmpp_stanza_get_child_by_name_and_ns (stanza, "result", NS_MAM);
  xmpp_stanza_t *forwarded, *inner, *delay;
  FlintMessageRecord *record;
  const char *id;

  g_return_val_if_fail (FLINT_IS_ROOM (self), FALSE);

  if (result == NULL || self->archive_query == NULL ||
      g_strcmp0 (xmpp_stanza_get_attribute (result, "queryid"), self->archive_query) != 0)
    return FALSE;
  forwarded = xmpp_stanza_get_child_by_name_and_ns (result, "forwarded", NS_FORWARD);
  inner = forwarded ? xmpp_stanza_get_child_by_name (forwarded, "message") : NULL;
  delay = forwarded ? xmpp_stanza_get_child_by_name (forwarded, "delay") : NULL;
  id = xmpp_stanza_get_attribute (result, "id");
  if (inner == NULL || id == NULL || *id == '\0' ||
      !flint_jid_equal_bare (xmpp_stanza_get_from (inner), self->jid))
    return TRUE;
  record = parse_groupchat (
    self, inner,
    delay ? flint_stanza_parse_stamp (xmpp_stanza_get_attribute (delay, "stamp")) : 0);
  if (record == NULL)
    return TRUE;
  /* The archive's id is the room's stanza-id (XEP-0313 §4.1.2). */
  g_free (record->stanza_id);
  g_free (record->stanza_id_by);
  record->stanza_id = g_strdup (id);
  record->stanza_id_by = g_strdup (self->jid);
  g_ptr_array_add (self->archive_page, record);
  return TRUE;
}

static void
on_archive_page (FlintSession *session,
                 xmpp_stanza_t *result,
                 const GError *error,
                 gpointer user_data)
{
  g_autoptr (FlintRoom) self = g_weak_ref_get (user_data);
  xmpp_stanza_t *fin, *set;
  g_autofree char *last = NULL;
  gboolean complete;

  g_weak_ref_clear (user_data);
  g_free (user_data);
  if (self == NULL)
    return;
  g_clear_pointer (&self->archive_query, g_free);
  if (result == NULL || g_strcmp0 (xmpp_stanza_get_type (result), "result") != 0)
    {
      g_ptr_array_set_size (self->archive_page, 0);
      return;
    }
  /* Stored in order; the store drops what it has (by stanza-id, or our own
   * by origin-id), and only the new ones are announced. */
  self->replaying = TRUE;
  for (guint i = 0; i < self->archive_page->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (self->archive_page, i);
      store (self, record, FALSE);
    }
  self->replaying = FALSE;
  g_ptr_array_set_size (self->archive_page, 0);

  fin = xmpp_stanza_get_child_by_name_and_ns (result, "fin", NS_MAM);
  set = fin ? xmpp_stanza_get_child_by_name_and_ns (fin, "set", NS_RSM) : NULL;
  last = set ? flint_stanza_child_text (set, "last", NULL) : NULL;
  complete =
    fin == NULL || g_strcmp0 (xmpp_stanza_get_attribute (fin, "complete"), "true") == 0;
  self->archive_pages++;
  if (complete || last == NULL || *last == '\0' ||
      self->archive_pages >= ARCHIVE_MAX_PAGES || self->state != FLINT_ROOM_JOINED)
    {
      g_clear_pointer (&self->archive_after, g_free);
      return;
    }
  g_free (self->archive_after);
  self->archive_after = g_steal_pointer (&last);
  request_archive_page (self);
}

static void
request_archive_page (FlintRoom *self)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  g_autofree char *id = flint_session_new_id (self->session);
  g_autofree char *max = g_strdup_printf ("%d", ARCHIVE_PAGE);
  xmpp_stanza_t *iq = xmpp_iq_new (ctx, "set", id);
  xmpp_stanza_t *query = flint_stanza_add_child (iq, "query", NS_MAM, NULL);
  xmpp_stanza_t *set = flint_stanza_add_child (query, "set", NS_RSM, NULL);
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_free (self->archive_query);
  self->archive_query = flint_session_new_id (self->session);
  g_ptr_array_set_size (self->archive_page, 0);
  xmpp_stanza_set_to (iq, self->jid);
  xmpp_stanza_set_attribute (query, "queryid", self->archive_query);
  flint_stanza_add_child (set, "max", NULL, max);
  flint_stanza_add_child (set, "after", NULL, self->archive_after);
  g_weak_ref_init (ref, self);
  flint_session_send_iq (self->session, iq, on_archive_page, ref);
  xmpp_stanza_release (iq);
}

/* ---- sending ------------------------------------------------------------ */

static void
transmit (FlintRoom *self, FlintMessageRecord *record)
{
  xmpp_ctx_t *ctx = flint_session_get_context (self->session);
  xmpp_stanza_t *message =
    xmpp_message_new (ctx, "groupchat", self->jid, record->message_id);
  xmpp_stanza_t *origin = flint_stanza_add_child (message, "origin-id", NS_SID, NULL);
  g_autoptr (GError) error = NULL;

  xmpp_message_set_body (message, record->body);
  xmpp_stanza_set_attribute (origin, "id", record->origin_id);
  flint_session_send (self->session, message);
  xmpp_stanza_release (message);
  record->state = FLINT_DELIVERY_SENT;
  if (!flint_history_set_state (self->history, record->account, record->conversation,
                                record->message_id, FLINT_DELIVERY_SENT, &error))
    g_warning ("Could not update a room message's state: %s", error->message);
}

/* What was typed while the room was not joined goes out once it is. */
static void
flush_pending (FlintRoom *self)
{
  g_autoptr (GPtrArray) pending =
    flint_history_get_pending (self->history, account_jid (self));

  for (guint i = 0; pending && i < pending->len; i++)
    {
      FlintMessageRecord *record = g_ptr_array_index (pending, i);

      if (record->kind == FLINT_MESSAGE_KIND_GROUPCHAT &&
          g_strcmp0 (record->conversation, self->jid) == 0)
        {
          transmit (self, record);
          g_signal_emit (self, signals[SIGNAL_MESSAGE_UPDATED], 0, record);
        }
    }
}

FlintMessageRecord *
flint_room_send (FlintRoom *self, const char *body, GError **error)
{
  g_autoptr (FlintMessageRecord) record = NULL;
  g_autofree char *id = NULL;
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  g_return_val_if_fail (body != NULL, NULL);

  id = flint_session_new_id (self->session);
  record = flint_message_record_new ();
  record->account = g_strdup (account_jid (self));
  record->conversation = g_strdup (self->jid);
  record->kind = FLINT_MESSAGE_KIND_GROUPCHAT;
  record->direction = FLINT_DIRECTION_OUTGOING;
  record->sender = g_strdup (self->nick);
  record->body = g_strdup (body);
  record->time = now;
  record->local_time = now;
  record->message_id = g_strdup (id);
  record->origin_id = g_strdup (id);
  record->state = FLINT_DELIVERY_PENDING;

  /* Stored first: if the room is not joined yet it leaves on joining. */
  if (!flint_history_insert (self->history, record, NULL, error))
    return NULL;
  if (self->state == FLINT_ROOM_JOINED &&
      flint_session_get_state (self->session) == FLINT_SESSION_ONLINE)
    transmit (self, record);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_STORED], 0, record);
  return g_steal_pointer (&record);
}

void
flint_room_set_nick (FlintRoom *self, const char *nick)
{
  g_return_if_fail (FLINT_IS_ROOM (self));
  g_return_if_fail (nick != NULL && *nick != '\0');

  if (self->state == FLINT_ROOM_JOINED)
    {
      /* XEP-0045 §7.6: presence to the new nick; the nick changes when the
       * room answers with 303. */
      xmpp_ctx_t *ctx = flint_session_get_context (self->session);
      g_autofree char *to = g_strdup_printf ("%s/%s", self->jid, nick);
      xmpp_stanza_t *presence = xmpp_presence_new (ctx);

      g_free (self->pending_nick);
      self->pending_nick = g_strdup (nick);
      xmpp_stanza_set_to (presence, to);
      flint_session_send (self->session, presence);
      xmpp_stanza_release (presence);
      return;
    }
  set_string (self, &self->nick, nick, PROP_NICK);
}

void
flint_room_set_password (FlintRoom *self, const char *password)
{
  g_return_if_fail (FLINT_IS_ROOM (self));
  set_string (self, &self->password, password, PROP_PASSWORD);
}

void
flint_room_set_subject (FlintRoom *self, const char *subject)
{
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *message;

  g_return_if_fail (FLINT_IS_ROOM (self));

  if (self->state != FLINT_ROOM_JOINED)
    return;
  ctx = flint_session_get_context (self->session);
  message = xmpp_message_new (ctx, "groupchat", self->jid, NULL);
  flint_stanza_add_child (message, "subject", NULL, subject ? subject : "");
  flint_session_send (self->session, message);
  xmpp_stanza_release (message);
}

/* ---- XEP-0410 self-ping ------------------------------------------------- */

static void
on_self_ping (FlintSession *session,
              xmpp_stanza_t *result,
              const GError *error,
              gpointer user_data)
{
  g_autoptr (FlintRoom) self = g_weak_ref_get (user_data);
  g_autofree char *condition = NULL;

  g_weak_ref_clear (user_data);
  g_free (user_data);
  if (self == NULL)
    return;
  self->ping_in_flight = FALSE;
  if (result == NULL || self->state != FLINT_ROOM_JOINED)
    return; /* timeout or disconnect: the session's own handling covers it */
  if (g_strcmp0 (xmpp_stanza_get_type (result), "result") == 0)
    {
      self->last_activity = g_get_monotonic_time ();
      return;
    }
  condition = flint_room_error_condition (result, NULL);
  /* XEP-0410 §3: these mean we are still in, the occupant's client just
   * does not answer pings. */
  if (g_strcmp0 (condition, "service-unavailable") == 0 ||
      g_strcmp0 (condition, "feature-not-implemented") == 0)
    {
      self->last_activity = g_get_monotonic_time ();
      return;
    }
  /* remote-server-timeout and the like: the room may be back later. */
  if (g_strcmp0 (condition, "remote-server-timeout") == 0 ||
      g_strcmp0 (condition, "remote-server-not-found") == 0)
    return;
  g_debug ("Self-ping of %s: %s, joining again", self->jid, condition);
  clear_occupants (self);
  set_state (self, FLINT_ROOM_LEFT);
  flint_room_join (self);
}

void
flint_room_self_ping (FlintRoom *self)
{
  xmpp_ctx_t *ctx;
  xmpp_stanza_t *iq;
  g_autofree char *id = NULL;
  g_autofree char *to = NULL;
  GWeakRef *ref;

  g_return_if_fail (FLINT_IS_ROOM (self));

  if (self->state != FLINT_ROOM_JOINED || self->ping_in_flight ||
      flint_session_get_state (self->session) != FLINT_SESSION_ONLINE)
    return;
  ctx = flint_session_get_context (self->session);
  id = flint_session_new_id (self->session);
  to = g_strdup_printf ("%s/%s", self->jid, self->nick);
  iq = xmpp_iq_new (ctx, "get", id);
  xmpp_stanza_set_to (iq, to);
  flint_stanza_add_child (iq, "ping", NS_PING, NULL);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  self->ping_in_flight = TRUE;
  flint_session_send_iq (self->session, iq, on_self_ping, ref);
  xmpp_stanza_release (iq);
}

gint64
flint_room_get_last_activity (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), 0);
  return self->last_activity;
}

/* ---- object ------------------------------------------------------------- */

FlintRoom *
flint_room_new (FlintSession *session,
                FlintHistory *history,
                const char *jid,
                const char *nick,
                const char *password)
{
  FlintRoom *self = g_object_new (FLINT_TYPE_ROOM, NULL);

  self->session = g_object_ref (session);
  self->history = g_object_ref (history);
  self->jid = flint_jid_normalize (jid);
  self->nick = g_strdup (nick);
  self->password = g_strdup (password);
  return self;
}

static void
on_state_changed (FlintRoom *self)
{
  if (self->state == FLINT_ROOM_JOINED)
    flush_pending (self);
}

static void
flint_room_finalize (GObject *object)
{
  FlintRoom *self = FLINT_ROOM (object);

  g_clear_object (&self->session);
  g_clear_object (&self->history);
  g_free (self->jid);
  g_free (self->nick);
  g_free (self->pending_nick);
  g_free (self->password);
  g_free (self->subject);
  g_free (self->subject_by);
  g_free (self->name);
  g_free (self->suggested_nick);
  g_free (self->archive_after);
  g_free (self->archive_query);
  g_ptr_array_unref (self->archive_page);
  g_clear_error (&self->error);
  g_clear_object (&self->occupants);
  g_hash_table_unref (self->by_nick);
  G_OBJECT_CLASS (flint_room_parent_class)->finalize (object);
}

static void
flint_room_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlintRoom *self = FLINT_ROOM (object);

  switch (prop_id)
    {
      case PROP_JID:
        g_value_set_string (value, self->jid);
        break;
      case PROP_NICK:
        g_value_set_string (value, self->nick);
        break;
      case PROP_PASSWORD:
        g_value_set_string (value, self->password);
        break;
      case PROP_SUBJECT:
        g_value_set_string (value, self->subject);
        break;
      case PROP_NAME:
        g_value_set_string (value, flint_room_get_name (self));
        break;
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_SUGGESTED_NICK:
        g_value_set_string (value, self->suggested_nick);
        break;
      case PROP_UNREAD:
        g_value_set_uint (value, self->unread);
        break;
      case PROP_REPLAYING:
        g_value_set_boolean (value, self->replaying);
        break;
      case PROP_MEMBERS_ONLY:
        g_value_set_boolean (value, self->members_only);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flint_room_class_init (FlintRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = flint_room_finalize;
  object_class->get_property = flint_room_get_property;

  properties[PROP_JID] = g_param_spec_string ("jid", NULL, NULL, NULL, flags);
  properties[PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, flags);
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, flags);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FLINT_TYPE_ROOM_STATE,
                                              FLINT_ROOM_LEFT, flags);
  properties[PROP_SUGGESTED_NICK] =
    g_param_spec_string ("suggested-nick", NULL, NULL, NULL, flags);
  properties[PROP_UNREAD] =
    g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_REPLAYING] =
    g_param_spec_boolean ("replaying", NULL, NULL, FALSE, flags);
  properties[PROP_MEMBERS_ONLY] =
    g_param_spec_boolean ("members-only", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_MESSAGE_STORED] =
    g_signal_new ("message-stored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_MESSAGE_RECORD);
  signals[SIGNAL_MESSAGE_UPDATED] =
    g_signal_new ("message-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, FLINT_TYPE_MESSAGE_RECORD);
}

static void
flint_room_init (FlintRoom *self)
{
  self->occupants = g_list_store_new (FLINT_TYPE_OCCUPANT);
  self->by_nick = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->archive_page =
    g_ptr_array_new_with_free_func ((GDestroyNotify) flint_message_record_free);
  g_signal_connect (self, "notify::state", G_CALLBACK (on_state_changed), NULL);
}

/* ---- accessors ---------------------------------------------------------- */

const char *
flint_room_get_jid (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->jid;
}

const char *
flint_room_get_nick (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->nick;
}

const char *
flint_room_get_password (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->password;
}

const char *
flint_room_get_subject (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->subject;
}

const char *
flint_room_get_subject_by (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->subject_by;
}

/* The bookmark's or the user's name for the room, else the JID's node. */
const char *
flint_room_get_name (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->name && *self->name ? self->name : self->jid;
}

void
flint_room_set_name (FlintRoom *self, const char *name)
{
  g_return_if_fail (FLINT_IS_ROOM (self));
  set_string (self, &self->name, name, PROP_NAME);
}

FlintRoomState
flint_room_get_state (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), FLINT_ROOM_LEFT);
  return self->state;
}

const GError *
flint_room_get_error (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->error;
}

const char *
flint_room_get_suggested_nick (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->suggested_nick;
}

GListModel *
flint_room_get_occupants (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return G_LIST_MODEL (self->occupants);
}

FlintOccupant *
flint_room_find_occupant (FlintRoom *self, const char *nick)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return nick ? g_hash_table_lookup (self->by_nick, nick) : NULL;
}

FlintOccupant *
flint_room_get_self_occupant (FlintRoom *self)
{
  return flint_room_find_occupant (self, self->nick);
}

guint
flint_room_get_unread (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), 0);
  return self->unread;
}

void
flint_room_set_active (FlintRoom *self, gboolean active)
{
  g_return_if_fail (FLINT_IS_ROOM (self));
  self->active = active;
  if (active && self->unread)
    {
      self->unread = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
    }
}

/* ---- creation (XEP-0045 §10.1) ------------------------------------------ */

void
flint_room_set_configure_on_create (FlintRoom *self, gboolean configure)
{
  g_return_if_fail (FLINT_IS_ROOM (self));
  self->configure_on_create = configure;
}

gboolean
flint_room_get_created (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), FALSE);
  return self->created;
}

gboolean
flint_room_get_replaying (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), FALSE);
  return self->replaying;
}

gboolean
flint_room_get_members_only (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), FALSE);
  return self->members_only;
}

gboolean
flint_room_can_change_subject (FlintRoom *self)
{
  FlintOccupant *me;

  g_return_val_if_fail (FLINT_IS_ROOM (self), FALSE);

  me = flint_room_get_self_occupant (self);
  if (me == NULL || self->state != FLINT_ROOM_JOINED)
    return FALSE;
  if (g_strcmp0 (flint_occupant_get_role (me), "moderator") == 0)
    return TRUE;
  return self->others_subject && g_strcmp0 (flint_occupant_get_role (me), "visitor") != 0;
}

FlintSession *
flint_room_get_session (FlintRoom *self)
{
  g_return_val_if_fail (FLINT_IS_ROOM (self), NULL);
  return self->session;
}

/* The roster model without a server: roster results, pushes and presence
 * fed as parsed stanzas, then grouping, order, offline hiding, resources
 * and the signals a list view would see. */
#include "config.h"

#include <string.h>

#include "flint-roster-private.h"
#include "flint-roster.h"

#define ME "me@example.com"

static xmpp_ctx_t *ctx;

typedef struct
{
  FlintAccount *account;
  FlintSession *session;
  FlintRoster *roster;
} Fixture;

static xmpp_stanza_t *
parse (const char *xml)
{
  xmpp_stanza_t *stanza = xmpp_stanza_new_from_string (ctx, xml);

  g_assert_nonnull (stanza);
  return stanza;
}

static void
feed_result (FlintRoster *roster, const char *items)
{
  g_autofree char *xml =
    g_strdup_printf ("<iq type='result' id='r1' to='" ME "/flint'>"
                     "<query xmlns='jabber:iq:roster'>%s</query></iq>",
                     items);
  xmpp_stanza_t *iq = parse (xml);

  flint_roster_handle_roster_result (roster, iq);
  xmpp_stanza_release (iq);
}

static gboolean
feed_push (FlintRoster *roster, const char *from, const char *items)
{
  g_autofree char *attr = from ? g_strdup_printf (" from='%s'", from) : g_strdup ("");
  g_autofree char *xml =
    g_strdup_printf ("<iq type='set' id='p1'%s to='" ME "/flint'>"
                     "<query xmlns='jabber:iq:roster'>%s</query></iq>",
                     attr, items);
  xmpp_stanza_t *iq = parse (xml);
  gboolean accepted = flint_roster_handle_push (roster, iq);

  xmpp_stanza_release (iq);
  return accepted;
}

static void
feed_presence (FlintRoster *roster, const char *xml)
{
  xmpp_stanza_t *presence = parse (xml);

  flint_roster_handle_presence (roster, presence);
  xmpp_stanza_release (presence);
  /* Each presence on its own, as if the main loop ran in between; a burst
   * within one iteration is coalesced (test_presence_burst). */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
feed_presence_no_loop (FlintRoster *roster, const char *xml)
{
  xmpp_stanza_t *presence = parse (xml);

  flint_roster_handle_presence (roster, presence);
  xmpp_stanza_release (presence);
}

static void
available (FlintRoster *roster, const char *from, const char *show, int priority)
{
  g_autofree char *show_xml =
    show ? g_strdup_printf ("<show>%s</show>", show) : g_strdup ("");
  g_autofree char *xml = g_strdup_printf (
    "<presence from='%s'>%s<priority>%d</priority></presence>", from, show_xml, priority);

  feed_presence (roster, xml);
}

static void
unavailable (FlintRoster *roster, const char *from)
{
  g_autofree char *xml =
    g_strdup_printf ("<presence from='%s' type='unavailable'/>", from);

  feed_presence (roster, xml);
}

static FlintRosterGroup *
group_named (FlintRoster *roster, const char *name)
{
  GListModel *groups = flint_roster_get_groups (roster);

  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr (FlintRosterGroup) group = g_list_model_get_item (groups, i);

      if (g_str_equal (flint_roster_group_get_name (group), name))
        return group; /* the roster keeps its own reference */
    }
  return NULL;
}

/* The JIDs of a model's items, joined with spaces. */
static char *
jids_of (GListModel *model)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FlintContact) contact = g_list_model_get_item (model, i);
      g_autofree char *node = g_strdup (flint_contact_get_jid (contact));

      *strchr (node, '@') = '\0';
      g_string_append_printf (out, "%s%s", i ? " " : "", node);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
group_names (FlintRoster *roster)
{
  GListModel *groups = flint_roster_get_groups (roster);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr (FlintRosterGroup) group = g_list_model_get_item (groups, i);
      g_string_append_printf (out, "%s%s", i ? "," : "",
                              flint_roster_group_get_name (group));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_items(model, expected)                                                    \
  G_STMT_START                                                                           \
  {                                                                                      \
    g_autofree char *_got = jids_of (G_LIST_MODEL (model));                              \
    g_assert_cmpstr (_got, ==, expected);                                                \
  }                                                                                      \
  G_STMT_END

/* Records items-changed and replays it on a shadow list: if the signals
 * are right the shadow always equals the model. */
typedef struct
{
  GListModel *model;
  GPtrArray *shadow;
  guint signals;
  guint last_position, last_removed, last_added;
} Watch;

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, Watch *w)
{
  w->signals++;
  w->last_position = position;
  w->last_removed = removed;
  w->last_added = added;
  g_assert_cmpuint (position + removed, <=, w->shadow->len);
  g_ptr_array_remove_range (w->shadow, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (w->shadow, (int) (position + i),
                        g_list_model_get_item (model, position + i));
}

static Watch *
watch (gpointer model)
{
  Watch *w = g_new0 (Watch, 1);

  w->model = model;
  w->shadow = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (w->shadow, g_list_model_get_item (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), w);
  return w;
}

static void
watch_check (Watch *w)
{
  g_assert_cmpuint (w->shadow->len, ==, g_list_model_get_n_items (w->model));
  for (guint i = 0; i < w->shadow->len; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (w->model, i);
      g_assert_true (item == g_ptr_array_index (w->shadow, i));
    }
}

static void
watch_free (Watch *w)
{
  watch_check (w);
  g_signal_handlers_disconnect_by_data (w->model, w);
  g_ptr_array_unref (w->shadow);
  g_free (w);
}

#define ROSTER_ITEMS                                                                     \
  "<item jid='alice@example.com' name='Alice' subscription='both'>"                      \
  "<group>Team</group><group>Friends</group></item>"                                     \
  "<item jid='Bob@Example.com' subscription='to'><group>Team</group></item>"             \
  "<item jid='carol@example.com' name='carol c' subscription='from'/>"                   \
  "<item jid='dave@example.com' subscription='none' ask='subscribe'>"                    \
  "<group>Friends</group></item>"                                                        \
  "<item jid='not a jid@@' subscription='both'/>"                                        \
  "<item jid='gone@example.com' subscription='remove'/>"

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->account = flint_account_new (ME, NULL);
  f->session = flint_session_new (f->account);
  f->roster = flint_roster_new (f->session);
  if (data)
    feed_result (f->roster, data);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->roster);
  g_object_unref (f->session);
  g_object_unref (f->account);
}

static void
test_groups (Fixture *f, gconstpointer data)
{
  FlintContact *bob = flint_roster_lookup (f->roster, "bob@example.com/phone");
  FlintRosterGroup *team;
  g_autofree char *names = group_names (f->roster);

  g_assert_true (flint_roster_get_loaded (f->roster));
  assert_items (flint_roster_get_contacts (f->roster), "alice bob carol dave");
  g_assert_cmpstr (names, ==, "Friends,Team,Contacts");

  g_assert_nonnull (bob);
  g_assert_cmpstr (flint_contact_get_jid (bob), ==, "bob@example.com");
  g_assert_null (flint_contact_get_name (bob));
  g_assert_cmpstr (flint_contact_get_display_name (bob), ==, "bob");
  g_assert_cmpstr (flint_contact_get_subscription (bob), ==, "to");
  g_assert_true (flint_contact_is_subscribed_to (bob));
  g_assert_cmpint (flint_contact_get_presence (bob), ==, FLINT_PRESENCE_OFFLINE);
  g_assert_null (flint_roster_lookup (f->roster, "gone@example.com"));
  g_assert_true (
    flint_contact_get_pending_out (flint_roster_lookup (f->roster, "dave@example.com")));

  /* Offline hidden by default; a pending subscription still shows. */
  team = group_named (f->roster, "Team");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (team)), ==, 0);
  g_assert_cmpuint (flint_roster_group_get_n_contacts (team), ==, 2);
  assert_items (group_named (f->roster, "Friends"), "dave");
  assert_items (group_named (f->roster, "Contacts"), "");

  flint_roster_set_show_offline (f->roster, TRUE);
  assert_items (team, "alice bob");
  assert_items (group_named (f->roster, "Friends"), "alice dave");
  assert_items (group_named (f->roster, "Contacts"), "carol");
  g_assert_true (flint_roster_group_is_default (group_named (f->roster, "Contacts")));
}

static void
test_presence_sort (Fixture *f, gconstpointer data)
{
  FlintRosterGroup *team = group_named (f->roster, "Team");
  FlintContact *alice = flint_roster_lookup (f->roster, "alice@example.com");
  Watch *w;

  flint_roster_set_show_offline (f->roster, TRUE);
  w = watch (team);

  available (f->roster, "bob@example.com/x", NULL, 0);
  assert_items (team, "bob alice");
  /* One signal for the move, covering the rows it crossed. */
  g_assert_cmpuint (w->signals, ==, 1);
  g_assert_cmpuint (w->last_position, ==, 0);
  g_assert_cmpuint (w->last_removed, ==, 2);
  g_assert_cmpuint (w->last_added, ==, 2);
  g_assert_cmpuint (flint_roster_group_get_n_online (team), ==, 1);

  available (f->roster, "alice@example.com/x", "away", 0);
  assert_items (team, "bob alice");
  g_assert_cmpuint (w->signals, ==, 1); /* same place: nothing to say */
  g_assert_cmpint (flint_contact_get_presence (alice), ==, FLINT_PRESENCE_AWAY);

  available (f->roster, "alice@example.com/x", "chat", 0);
  assert_items (team, "alice bob");
  g_assert_cmpuint (w->signals, ==, 2);
  g_assert_cmpuint (flint_roster_group_get_n_online (team), ==, 2);

  available (f->roster, "bob@example.com/x", "dnd", 0);
  available (f->roster, "alice@example.com/x", "xa", 0);
  assert_items (team, "bob alice");
  watch_free (w);
}

/* Presences read in one go (the server's presences at login) reorder each
 * group once, when the main loop is next idle. */
static void
test_presence_burst (Fixture *f, gconstpointer data)
{
  FlintRosterGroup *team = group_named (f->roster, "Team");
  Watch *w;

  flint_roster_set_show_offline (f->roster, TRUE);
  w = watch (team);

  feed_presence_no_loop (f->roster, "<presence from='bob@example.com/x'/>");
  g_assert_cmpuint (w->signals, ==, 1); /* a lone change moves at once */
  feed_presence_no_loop (
    f->roster, "<presence from='alice@example.com/x'><show>chat</show></presence>");
  feed_presence_no_loop (
    f->roster, "<presence from='bob@example.com/x'><show>dnd</show></presence>");
  g_assert_cmpuint (w->signals, ==, 1); /* the rest wait for the idle */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (w->signals, ==, 2);
  assert_items (team, "alice bob");
  g_assert_cmpuint (flint_roster_group_get_n_online (team), ==, 2);
  watch_free (w);
}

static void
test_resources (Fixture *f, gconstpointer data)
{
  FlintContact *alice = flint_roster_lookup (f->roster, "alice@example.com");
  g_auto (GStrv) resources = NULL;

  feed_presence (f->roster,
                 "<presence from='alice@example.com/phone'><show>away</show>"
                 "<status>on the phone</status><priority>5</priority></presence>");
  feed_presence (f->roster,
                 "<presence from='alice@example.com/desk'>"
                 "<status>at my desk</status><priority>1</priority></presence>");
  /* Priority decides before show. */
  g_assert_cmpint (flint_contact_get_presence (alice), ==, FLINT_PRESENCE_AWAY);
  g_assert_cmpstr (flint_contact_get_status (alice), ==, "on the phone");
  g_assert_cmpstr (flint_contact_get_best_jid (alice), ==, "alice@example.com/phone");
  resources = flint_contact_get_resources (alice);
  g_assert_cmpuint (g_strv_length (resources), ==, 2);
  g_assert_cmpstr (resources[0], ==, "alice@example.com/phone");
  g_assert_cmpstr (resources[1], ==, "alice@example.com/desk");

  unavailable (f->roster, "alice@example.com/phone");
  g_assert_cmpint (flint_contact_get_presence (alice), ==, FLINT_PRESENCE_AVAILABLE);
  g_assert_cmpstr (flint_contact_get_status (alice), ==, "at my desk");

  /* Equal priority: the more available show wins. */
  available (f->roster, "alice@example.com/tablet", "dnd", 1);
  g_assert_cmpstr (flint_contact_get_best_jid (alice), ==, "alice@example.com/desk");

  unavailable (f->roster, "alice@example.com");
  g_assert_cmpint (flint_contact_get_presence (alice), ==, FLINT_PRESENCE_OFFLINE);
  g_assert_null (flint_contact_get_status (alice));
  g_assert_null (flint_contact_get_best_jid (alice));

  available (f->roster, "alice@example.com/desk", NULL, 0);
  feed_presence (f->roster,
                 "<presence from='alice@example.com' type='error'>"
                 "<error type='cancel'><remote-server-not-found "
                 "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
  g_assert_cmpint (flint_contact_get_presence (alice), ==, FLINT_PRESENCE_OFFLINE);
}

static void
test_offline_hiding (Fixture *f, gconstpointer data)
{
  FlintRosterGroup *team = group_named (f->roster, "Team");
  Watch *w = watch (team);

  available (f->roster, "bob@example.com/x", NULL, 0);
  g_assert_cmpuint (w->signals, ==, 1);
  g_assert_cmpuint (w->last_added, ==, 1);
  g_assert_cmpuint (w->last_removed, ==, 0);
  available (f->roster, "alice@example.com/x", "away", 0);
  assert_items (team, "bob alice");
  unavailable (f->roster, "bob@example.com/x");
  assert_items (team, "alice");
  g_assert_cmpuint (w->signals, ==, 3);
  g_assert_cmpuint (w->last_removed, ==, 1);
  g_assert_cmpuint (w->last_added, ==, 0);

  /* Showing offline contacts again: one change for the group. */
  flint_roster_set_show_offline (f->roster, TRUE);
  g_assert_cmpuint (w->signals, ==, 4);
  assert_items (team, "alice bob");
  watch_free (w);
}

static void
test_mark_all_offline (Fixture *f, gconstpointer data)
{
  FlintRosterGroup *team = group_named (f->roster, "Team");
  Watch *w;

  available (f->roster, "bob@example.com/x", NULL, 0);
  available (f->roster, "alice@example.com/x", NULL, 0);
  w = watch (team);
  flint_roster_mark_all_offline (f->roster);
  g_assert_cmpuint (w->signals, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (team)), ==, 0);
  g_assert_cmpuint (flint_roster_group_get_n_online (team), ==, 0);
  watch_free (w);
}

static void
test_foreign_push (Fixture *f, gconstpointer data)
{
  const char *item = "<item jid='mallory@evil.example' name='Trust me'/>";

  g_assert_false (feed_push (f->roster, "mallory@evil.example", item));
  g_assert_false (feed_push (f->roster, "mallory@evil.example/res", item));
  g_assert_false (feed_push (f->roster, "example.com", item));
  /* Another resource of ours is not the server either. */
  g_assert_false (feed_push (f->roster, ME "/other", item));
  g_assert_null (flint_roster_lookup (f->roster, "mallory@evil.example"));
  /* More than one item is malformed (RFC 6121 2.1.6). */
  g_assert_false (feed_push (f->roster, NULL,
                             "<item jid='x@example.com'/><item jid='y@example.com'/>"));
  g_assert_null (flint_roster_lookup (f->roster, "x@example.com"));

  g_assert_true (feed_push (f->roster, "ME@example.com", item));
  g_assert_nonnull (flint_roster_lookup (f->roster, "mallory@evil.example"));
  g_assert_true (feed_push (f->roster, NULL, "<item jid='x@example.com'/>"));
  g_assert_nonnull (flint_roster_lookup (f->roster, "x@example.com"));
}

static void
test_push_updates (Fixture *f, gconstpointer data)
{
  g_autoptr (FlintContact) carol =
    g_object_ref (flint_roster_lookup (f->roster, "carol@example.com"));
  FlintContact *bob = flint_roster_lookup (f->roster, "bob@example.com");
  Watch *contacts = watch (flint_roster_get_contacts (f->roster));
  Watch *groups = watch (flint_roster_get_groups (f->roster));
  g_autofree char *names = NULL;

  flint_roster_set_show_offline (f->roster, TRUE);
  g_assert_true (
    feed_push (f->roster, NULL,
               "<item jid='bob@example.com' name='Bobby' subscription='both'>"
               "<group>Ops</group></item>"));
  g_assert_cmpstr (flint_contact_get_display_name (bob), ==, "Bobby");
  g_assert_cmpstr (flint_contact_get_groups (bob)[0], ==, "Ops");
  names = group_names (f->roster);
  g_assert_cmpstr (names, ==, "Friends,Ops,Team,Contacts");
  assert_items (group_named (f->roster, "Team"), "alice");
  assert_items (group_named (f->roster, "Ops"), "bob");

  /* Copy to a second group, then back to none. */
  g_assert_true (
    feed_push (f->roster, NULL,
               "<item jid='bob@example.com' name='Bobby' subscription='both'>"
               "<group>Ops</group><group>Team</group></item>"));
  assert_items (group_named (f->roster, "Team"), "alice bob");
  assert_items (group_named (f->roster, "Ops"), "bob");
  g_assert_true (
    feed_push (f->roster, NULL, "<item jid='bob@example.com' subscription='both'/>"));
  g_clear_pointer (&names, g_free);
  names = group_names (f->roster);
  g_assert_cmpstr (names, ==, "Friends,Team,Contacts");
  assert_items (group_named (f->roster, "Contacts"), "bob carol");

  g_assert_true (
    feed_push (f->roster, NULL, "<item jid='carol@example.com' subscription='remove'/>"));
  g_assert_null (flint_roster_lookup (f->roster, "carol@example.com"));
  g_assert_cmpstr (flint_contact_get_subscription (carol), ==, "remove");
  assert_items (flint_roster_get_contacts (f->roster), "alice bob dave");
  assert_items (group_named (f->roster, "Contacts"), "bob");

  g_assert_true (
    feed_push (f->roster, NULL, "<item jid='new@example.com' name='Newbie'/>"));
  assert_items (flint_roster_get_contacts (f->roster), "alice bob dave new");
  watch_free (contacts);
  watch_free (groups);
}

static void
test_result_replaces (Fixture *f, gconstpointer data)
{
  Watch *contacts = watch (flint_roster_get_contacts (f->roster));
  Watch *groups = watch (flint_roster_get_groups (f->roster));
  FlintContact *alice = flint_roster_lookup (f->roster, "alice@example.com");

  /* The same roster again (a reconnect): no change to announce. */
  feed_result (f->roster, ROSTER_ITEMS);
  g_assert_cmpuint (contacts->signals, ==, 0);
  g_assert_cmpuint (groups->signals, ==, 0);

  feed_result (f->roster,
               "<item jid='alice@example.com' name='Alice'><group>Team</group></item>"
               "<item jid='zed@example.com'><group>New</group></item>");
  g_assert_true (flint_roster_lookup (f->roster, "alice@example.com") == alice);
  assert_items (flint_roster_get_contacts (f->roster), "alice zed");
  {
    g_autofree char *names = group_names (f->roster);
    g_assert_cmpstr (names, ==, "New,Team");
  }
  watch_free (contacts);
  watch_free (groups);
}

static void
on_request (FlintRoster *roster, const char *jid, const char *nick, GPtrArray *seen)
{
  g_ptr_array_add (seen, g_strdup_printf ("%s|%s", jid, nick ? nick : "-"));
}

static void
test_subscription_request (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  FlintContact *bob = flint_roster_lookup (f->roster, "bob@example.com");
  FlintRosterGroup *team = group_named (f->roster, "Team");

  g_signal_connect (f->roster, "subscription-request", G_CALLBACK (on_request), seen);
  feed_presence (f->roster,
                 "<presence from='eve@example.com' type='subscribe'>"
                 "<nick xmlns='http://jabber.org/protocol/nick'>Eve</nick></presence>");
  feed_presence (f->roster, "<presence from='eve@example.com' type='subscribe'/>");
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "eve@example.com|Eve");
  g_assert_cmpstr (flint_roster_get_pending_requests (f->roster)[0], ==,
                   "eve@example.com");

  /* carol already sees our presence: nothing to ask. */
  feed_presence (f->roster, "<presence from='carol@example.com/x' type='subscribe'/>");
  g_assert_cmpuint (seen->len, ==, 1);

  /* bob asks: pending-in shows him although he is offline. */
  feed_presence (f->roster, "<presence from='bob@example.com' type='subscribe'/>");
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_true (flint_contact_get_pending_in (bob));
  assert_items (team, "bob");

  /* He cancels his request. */
  feed_presence (f->roster, "<presence from='bob@example.com' type='unsubscribe'/>");
  g_assert_false (flint_contact_get_pending_in (bob));
  assert_items (team, "");
  g_assert_cmpstr (flint_roster_get_pending_requests (f->roster)[0], ==,
                   "eve@example.com");
  g_assert_null (flint_roster_get_pending_requests (f->roster)[1]);
}

static void
test_early_presence (Fixture *f, gconstpointer data)
{
  FlintContact *alice;

  /* Presence that beats the roster result is kept for it. */
  available (f->roster, "alice@example.com/x", "away", 0);
  available (f->roster, "stranger@example.com/x", NULL, 0);
  feed_result (f->roster, ROSTER_ITEMS);
  alice = flint_roster_lookup (f->roster, "alice@example.com");
  g_assert_cmpint (flint_contact_get_presence (alice), ==, FLINT_PRESENCE_AWAY);
  assert_items (group_named (f->roster, "Team"), "alice");
  g_assert_null (flint_roster_lookup (f->roster, "stranger@example.com"));

  /* After it, strangers are not tracked. */
  available (f->roster, "other@example.com/x", NULL, 0);
  g_assert_true (feed_push (f->roster, NULL, "<item jid='other@example.com'/>"));
  g_assert_cmpint (
    flint_contact_get_presence (flint_roster_lookup (f->roster, "other@example.com")), ==,
    FLINT_PRESENCE_OFFLINE);
}

static void
test_ignores (Fixture *f, gconstpointer data)
{
  FlintContact *alice = flint_roster_lookup (f->roster, "alice@example.com");

  /* A room occupant whose nick looks like a contact's JID. */
  feed_presence (f->roster,
                 "<presence from='alice@example.com/x'>"
                 "<x xmlns='http://jabber.org/protocol/muc#user'/></presence>");
  g_assert_cmpint (flint_contact_get_presence (alice), ==, FLINT_PRESENCE_OFFLINE);
  /* Garbage. */
  feed_presence (f->roster, "<presence/>");
  feed_presence (f->roster, "<presence from='@@'/>");
  feed_presence (f->roster, "<presence from='alice@example.com/x' type='probe'/>");
  feed_presence (f->roster,
                 "<presence from='alice@example.com/x'><priority>banana</priority>"
                 "<show>weird</show></presence>");
  g_assert_cmpint (flint_contact_get_presence (alice), ==, FLINT_PRESENCE_AVAILABLE);
}

static void
on_blocklist_changed (FlintRoster *roster, guint *count)
{
  (*count)++;
}

static void
test_blocklist (Fixture *f, gconstpointer data)
{
  xmpp_stanza_t *iq =
    parse ("<iq type='result' id='b1'><blocklist xmlns='urn:xmpp:blocking'>"
           "<item jid='Dave@example.com'/><item jid='spam.example'/>"
           "</blocklist></iq>");
  guint changed = 0;
  const char *const *blocked;

  g_signal_connect (f->roster, "blocklist-changed", G_CALLBACK (on_blocklist_changed),
                    &changed);
  flint_roster_handle_blocklist (f->roster, iq);
  flint_roster_handle_blocklist (f->roster, iq);
  xmpp_stanza_release (iq);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_true (flint_roster_get_can_block (f->roster));
  blocked = flint_roster_get_blocked (f->roster);
  g_assert_cmpstr (blocked[0], ==, "dave@example.com");
  g_assert_cmpstr (blocked[1], ==, "spam.example");
  g_assert_null (blocked[2]);
  g_assert_true (
    flint_contact_get_blocked (flint_roster_lookup (f->roster, "dave@example.com")));
  g_assert_false (
    flint_contact_get_blocked (flint_roster_lookup (f->roster, "bob@example.com")));
}

/* Many random moves: the signals always describe the model exactly and the
 * order always holds. */
static void
test_random_moves (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) items = g_string_new (NULL);
  static const char *const shows[] = { NULL, "away", "xa", "dnd", "chat", "off" };
  GRand *rand = g_rand_new_with_seed (42);
  FlintRosterGroup *group;
  Watch *w;

  for (guint i = 0; i < 300; i++)
    g_string_append_printf (items,
                            "<item jid='u%03u@example.com' name='User %u'>"
                            "<group>All</group></item>",
                            i, g_rand_int_range (rand, 0, 50));
  feed_result (f->roster, items->str);
  group = group_named (f->roster, "All");
  w = watch (group);
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *from =
        g_strdup_printf ("u%03d@example.com/r%d", g_rand_int_range (rand, 0, 300),
                         g_rand_int_range (rand, 0, 2));
      const char *show = shows[g_rand_int_range (rand, 0, G_N_ELEMENTS (shows))];

      if (i == 1500)
        flint_roster_set_show_offline (f->roster, TRUE);
      if (show && g_str_equal (show, "off"))
        unavailable (f->roster, from);
      else
        available (f->roster, from, show, g_rand_int_range (rand, -1, 2));
    }
  watch_check (w);
  for (guint i = 1; i < g_list_model_get_n_items (G_LIST_MODEL (group)); i++)
    {
      g_autoptr (FlintContact) a = g_list_model_get_item (G_LIST_MODEL (group), i - 1);
      g_autoptr (FlintContact) b = g_list_model_get_item (G_LIST_MODEL (group), i);
      g_assert_cmpint (flint_contact_compare (a, b), <, 0);
    }
  watch_free (w);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);

#define ADD(path, func, data)                                                            \
  g_test_add ("/roster-model/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("groups", test_groups, ROSTER_ITEMS);
  ADD ("presence-sort", test_presence_sort, ROSTER_ITEMS);
  ADD ("presence-burst", test_presence_burst, ROSTER_ITEMS);
  ADD ("resources", test_resources, ROSTER_ITEMS);
  ADD ("offline-hiding", test_offline_hiding, ROSTER_ITEMS);
  ADD ("mark-all-offline", test_mark_all_offline, ROSTER_ITEMS);
  ADD ("foreign-push-ignored", test_foreign_push, ROSTER_ITEMS);
  ADD ("push-updates", test_push_updates, ROSTER_ITEMS);
  ADD ("result-replaces", test_result_replaces, ROSTER_ITEMS);
  ADD ("subscription-request", test_subscription_request, ROSTER_ITEMS);
  ADD ("early-presence", test_early_presence, NULL);
  ADD ("ignores", test_ignores, ROSTER_ITEMS);
  ADD ("blocklist", test_blocklist, ROSTER_ITEMS);
  ADD ("random-moves", test_random_moves, NULL);
#undef ADD

  ret = g_test_run ();
  xmpp_ctx_free (ctx);
  return ret;
}

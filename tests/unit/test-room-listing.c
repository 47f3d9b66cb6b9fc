/* What the room browser shows of a room: disco#info (identity, muc_*
 * features, the muc#roominfo form) read into a FlintRoomListing, hostile
 * or partial answers included, and the filter's word matching. */
#include "config.h"

#include "flint-room-listing.h"

static xmpp_ctx_t *ctx;

static void
apply (FlintRoomListing *l, const char *xml)
{
  xmpp_stanza_t *query = xmpp_stanza_new_from_string (ctx, xml);

  g_assert_nonnull (query);
  flint_room_listing_apply_info (l, query);
  xmpp_stanza_release (query);
}

static void
test_info (void)
{
  g_autoptr (FlintRoomListing) l = flint_room_listing_new ("team@conf.test", NULL);

  /* No name yet: the node. */
  g_assert_cmpstr (flint_room_listing_get_name (l), ==, "team");
  g_assert_cmpint (flint_room_listing_get_occupants (l), ==, -1);
  g_assert_cmpint (flint_room_listing_get_info_state (l), ==, FLINT_ROOM_INFO_NONE);
  apply (l, "<query xmlns='http://jabber.org/protocol/disco#info'>"
            "<identity category='conference' type='text' name='Team Room'/>"
            "<feature var='http://jabber.org/protocol/muc'/>"
            "<feature var='muc_passwordprotected'/>"
            "<x xmlns='jabber:x:data' type='result'>"
            "<field var='FORM_TYPE' type='hidden'>"
            "<value>http://jabber.org/protocol/muc#roominfo</value></field>"
            "<field var='muc#roominfo_description'><value>Line one\nline two</value>"
            "</field><field var='muc#roominfo_occupants'><value>12</value></field>"
            "</x></query>");
  g_assert_cmpstr (flint_room_listing_get_name (l), ==, "Team Room");
  g_assert_cmpstr (flint_room_listing_get_description (l), ==, "Line one\nline two");
  g_assert_cmpint (flint_room_listing_get_occupants (l), ==, 12);
  g_assert_true (flint_room_listing_get_password_protected (l));
  g_assert_false (flint_room_listing_get_members_only (l));
  g_assert_cmpint (flint_room_listing_get_info_state (l), ==, FLINT_ROOM_INFO_LOADED);

  /* Words in any order and case (the needle comes case-folded), in the
   * name, address or description. */
  g_assert_true (flint_room_listing_matches (l, "team"));
  g_assert_true (flint_room_listing_matches (l, "two  room"));
  g_assert_true (flint_room_listing_matches (l, "conf.test"));
  g_assert_false (flint_room_listing_matches (l, "team three"));
  g_assert_true (flint_room_listing_matches (l, ""));
  g_assert_true (flint_room_listing_matches (l, NULL));
}

static void
test_hostile_info (void)
{
  g_autoptr (FlintRoomListing) l = flint_room_listing_new ("x@conf.test", "Listed Name");

  /* An odd answer: another form type, a bad count, a name made of
   * whitespace, an identity of another category. */
  apply (l, "<query xmlns='http://jabber.org/protocol/disco#info'>"
            "<identity category='client' type='pc' name='Not a room'/>"
            "<identity category='conference' type='text' name='  \n '/>"
            "<x xmlns='jabber:x:data' type='result'>"
            "<field var='FORM_TYPE' type='hidden'><value>urn:other</value></field>"
            "<field var='muc#roominfo_occupants'><value>12</value></field></x>"
            "<x xmlns='jabber:x:data' type='result'>"
            "<field var='FORM_TYPE' type='hidden'>"
            "<value>http://jabber.org/protocol/muc#roominfo</value></field>"
            "<field var='muc#roominfo_occupants'><value>-3</value></field>"
            "<field var='muc#roominfo_description'><value>   </value></field></x>"
            "<x xmlns='jabber:x:data'/><feature/><identity/></query>");
  /* A blank name is no name: the listed one stays. */
  g_assert_cmpstr (flint_room_listing_get_name (l), ==, "Listed Name");
  g_assert_cmpint (flint_room_listing_get_occupants (l), ==, -1);
  g_assert_null (flint_room_listing_get_description (l));

  /* Empty and missing queries leave it readable. */
  apply (l, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
  flint_room_listing_apply_info (l, NULL);
  g_assert_cmpint (flint_room_listing_get_info_state (l), ==, FLINT_ROOM_INFO_LOADED);

  /* A listed name with line breaks shows on one line. */
  {
    g_autoptr (FlintRoomListing) m = flint_room_listing_new ("y@conf.test", "A\nB\tC");
    g_assert_cmpstr (flint_room_listing_get_name (m), ==, "A B C");
  }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  xmpp_initialize ();
  ctx = xmpp_ctx_new (NULL, NULL);
  g_test_add_func ("/room-listing/info", test_info);
  g_test_add_func ("/room-listing/hostile-info", test_hostile_info);
  rc = g_test_run ();
  xmpp_ctx_free (ctx);
  xmpp_shutdown ();
  return rc;
}

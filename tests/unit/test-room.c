/* Pure parts of rooms: XEP-0392 colours against the XEP's test vectors,
 * the join error mapping, alternative nicks and mention matching. */
#include "config.h"

#include "flint-color.h"
#include <string.h>

#include "flint-room.h"

static void
test_color_vectors (void)
{
  static const struct
  {
    const char *id;
    double angle, r, g, b;
  } v[] = {
    { "Romeo", 327.255249, 0.865, 0.000, 0.686 },
    { "juliet@capulet.lit", 209.410400, 0.000, 0.515, 0.573 },
    { "\xf0\x9f\x98\xba", 331.199341, 0.872, 0.000, 0.659 },
    { "council", 359.994507, 0.918, 0.000, 0.394 },
    { "Board", 171.430664, 0.000, 0.527, 0.457 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    {
      double r, g, b;

      g_assert_cmpfloat_with_epsilon (flint_color_angle (v[i].id), v[i].angle, 1e-5);
      flint_color_rgb (v[i].id, 50, &r, &g, &b);
      g_assert_cmpfloat_with_epsilon (r, v[i].r, 0.001);
      g_assert_cmpfloat_with_epsilon (g, v[i].g, 0.001);
      g_assert_cmpfloat_with_epsilon (b, v[i].b, 0.001);
    }
}

static void
test_color_hex (void)
{
  g_autofree char *light = flint_color_hex ("Romeo", FALSE);
  g_autofree char *dark = flint_color_hex ("Romeo", TRUE);

  /* 0.865*255 = 220.6, 0.686*255 = 174.9 */
  g_assert_cmpstr (light, ==, "#dd00af");
  g_assert_cmpstr (dark, !=, light);
  g_assert_cmpuint (strlen (dark), ==, 7);
}

static void
test_error_mapping (void)
{
  g_assert_cmpint (flint_room_error_from_condition ("conflict"), ==,
                   FLINT_ERROR_MUC_NICK_IN_USE);
  g_assert_cmpint (flint_room_error_from_condition ("not-authorized"), ==,
                   FLINT_ERROR_MUC_PASSWORD);
  g_assert_cmpint (flint_room_error_from_condition ("registration-required"), ==,
                   FLINT_ERROR_MUC_MEMBERS_ONLY);
  g_assert_cmpint (flint_room_error_from_condition ("forbidden"), ==,
                   FLINT_ERROR_MUC_BANNED);
  g_assert_cmpint (flint_room_error_from_condition ("item-not-found"), ==,
                   FLINT_ERROR_MUC_NOT_FOUND);
  g_assert_cmpint (flint_room_error_from_condition ("not-allowed"), ==,
                   FLINT_ERROR_MUC_CREATION_FORBIDDEN);
  g_assert_cmpint (flint_room_error_from_condition ("service-unavailable"), ==,
                   FLINT_ERROR_MUC_FULL);
  g_assert_cmpint (flint_room_error_from_condition ("not-acceptable"), ==,
                   FLINT_ERROR_MUC_NICK_RESERVED);
  g_assert_cmpint (flint_room_error_from_condition ("jid-malformed"), ==,
                   FLINT_ERROR_INVALID_JID);
  g_assert_cmpint (flint_room_error_from_condition ("undefined-condition"), ==,
                   FLINT_ERROR_MUC_REFUSED);
  g_assert_cmpint (flint_room_error_from_condition (NULL), ==, FLINT_ERROR_MUC_REFUSED);
  /* Each has its own text. */
  g_assert_cmpstr (flint_error_describe (FLINT_ERROR_MUC_NICK_IN_USE), !=,
                   flint_error_describe (FLINT_ERROR_FAILED));
}

static void
test_alternative_nick (void)
{
  static const char *cases[][2] = {
    { "alice", "alice_" }, { "alice_", "alice_2" }, { "alice_2", "alice_3" },
    { "a_b", "a_b_" },     { "_", "_2" },           { "x_9x", "x_9x_" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *alt = flint_room_alternative_nick (cases[i][0]);
      g_assert_cmpstr (alt, ==, cases[i][1]);
    }
}

static void
test_mentions (void)
{
  g_assert_true (flint_room_mentions_nick ("bob: hi", "bob"));
  g_assert_true (flint_room_mentions_nick ("hi @Bob!", "bob"));
  g_assert_true (flint_room_mentions_nick ("BOB", "bob"));
  g_assert_true (flint_room_mentions_nick ("ask Zoë please", "zoë"));
  g_assert_false (flint_room_mentions_nick ("bobby: hi", "bob"));
  g_assert_false (flint_room_mentions_nick ("kebob", "bob"));
  g_assert_false (flint_room_mentions_nick ("bob_2 there", "bob"));
  g_assert_false (flint_room_mentions_nick (NULL, "bob"));
  g_assert_false (flint_room_mentions_nick ("bob", ""));
}

/* XEP-0045 §5.1.2 / §5.2.2 as Prosody enforces them. */
static void
test_actions_allowed (void)
{
#define CAN(action, mr, ma, tr, ta)                                                      \
  flint_room_action_allowed (FLINT_ROOM_ACTION_##action, mr, ma, tr, ta)
  /* A participant may do nothing. */
  for (FlintRoomAction a = FLINT_ROOM_ACTION_KICK; a <= FLINT_ROOM_ACTION_DESTROY; a++)
    g_assert_false (
      flint_room_action_allowed (a, "participant", "member", "participant", "none"));
  /* A moderator without affiliation: kick and voice of plain occupants,
   * never of admins or owners, no moderator changes, no affiliations. */
  g_assert_true (CAN (KICK, "moderator", "none", "participant", "none"));
  g_assert_true (CAN (KICK, "moderator", "none", "visitor", "none"));
  g_assert_false (CAN (KICK, "moderator", "none", "visitor", "member"));
  g_assert_false (CAN (KICK, "moderator", "none", "moderator", "admin"));
  g_assert_false (CAN (KICK, "moderator", "none", "moderator", "none"));
  g_assert_true (CAN (REVOKE_VOICE, "moderator", "none", "participant", "none"));
  g_assert_false (CAN (REVOKE_VOICE, "moderator", "none", "visitor", "none"));
  g_assert_true (CAN (GRANT_VOICE, "moderator", "none", "visitor", "none"));
  g_assert_false (CAN (GRANT_VOICE, "moderator", "none", "participant", "none"));
  g_assert_false (CAN (BAN, "moderator", "none", "participant", "none"));
  g_assert_false (CAN (MAKE_MEMBER, "moderator", "member", "participant", "none"));
  /* An admin: members and outcasts below, not admins or owners. */
  g_assert_true (CAN (BAN, "moderator", "admin", "participant", "member"));
  g_assert_true (CAN (MAKE_MEMBER, "moderator", "admin", "participant", "none"));
  g_assert_false (CAN (MAKE_MEMBER, "moderator", "admin", "participant", "member"));
  g_assert_true (CAN (REMOVE_AFFILIATION, "moderator", "admin", "participant", "member"));
  g_assert_false (CAN (REMOVE_AFFILIATION, "moderator", "admin", "participant", "none"));
  g_assert_false (CAN (MAKE_ADMIN, "moderator", "admin", "participant", "member"));
  g_assert_false (CAN (BAN, "moderator", "admin", "moderator", "admin"));
  g_assert_false (CAN (KICK, "moderator", "admin", "moderator", "owner"));
  /* §8.2: not kicked by a lower affiliation; an equal one may. */
  g_assert_true (CAN (KICK, "moderator", "admin", "moderator", "admin"));
  g_assert_false (CAN (KICK, "moderator", "member", "participant", "admin"));
  g_assert_false (CAN (DESTROY, "moderator", "admin", NULL, NULL));
  /* An owner: everything, on anyone, but not what is already so. */
  g_assert_true (CAN (MAKE_OWNER, "moderator", "owner", "moderator", "admin"));
  g_assert_true (CAN (MAKE_ADMIN, "moderator", "owner", "participant", "none"));
  g_assert_false (CAN (MAKE_ADMIN, "moderator", "owner", "moderator", "admin"));
  g_assert_true (CAN (BAN, "moderator", "owner", "moderator", "admin"));
  g_assert_true (CAN (REMOVE_AFFILIATION, "moderator", "owner", "moderator", "owner"));
  g_assert_true (CAN (DESTROY, "moderator", "owner", NULL, NULL));
  g_assert_true (CAN (KICK, "moderator", "owner", "moderator", "admin"));
  /* Unknown strings are the lowest rank, never a crash. */
  g_assert_false (CAN (KICK, NULL, NULL, NULL, NULL));
  g_assert_false (CAN (BAN, "moderator", "bogus", "participant", "none"));
#undef CAN
}

static void
test_admin_errors (void)
{
  g_assert_cmpint (flint_room_admin_error_from_condition ("not-allowed"), ==,
                   FLINT_ERROR_MUC_NOT_ALLOWED);
  g_assert_cmpint (flint_room_admin_error_from_condition ("forbidden"), ==,
                   FLINT_ERROR_MUC_NOT_ALLOWED);
  g_assert_cmpint (flint_room_admin_error_from_condition ("item-not-found"), ==,
                   FLINT_ERROR_MUC_NO_OCCUPANT);
  g_assert_cmpint (flint_room_admin_error_from_condition ("conflict"), ==,
                   FLINT_ERROR_MUC_LAST_OWNER);
  g_assert_cmpint (flint_room_admin_error_from_condition ("bad-request"), ==,
                   FLINT_ERROR_MUC_REFUSED);
  g_assert_cmpint (flint_room_admin_error_from_condition (NULL), ==,
                   FLINT_ERROR_MUC_REFUSED);
  g_assert_cmpstr (flint_error_describe (FLINT_ERROR_MUC_NOT_ALLOWED), !=,
                   flint_error_describe (FLINT_ERROR_FAILED));
  g_assert_cmpstr (flint_error_describe (FLINT_ERROR_MUC_LAST_OWNER), !=,
                   flint_error_describe (FLINT_ERROR_FAILED));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/room/color-vectors", test_color_vectors);
  g_test_add_func ("/room/color-hex", test_color_hex);
  g_test_add_func ("/room/error-mapping", test_error_mapping);
  g_test_add_func ("/room/alternative-nick", test_alternative_nick);
  g_test_add_func ("/room/mentions", test_mentions);
  g_test_add_func ("/room/actions-allowed", test_actions_allowed);
  g_test_add_func ("/room/admin-errors", test_admin_errors);
  return g_test_run ();
}

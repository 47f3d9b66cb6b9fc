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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/room/color-vectors", test_color_vectors);
  g_test_add_func ("/room/color-hex", test_color_hex);
  g_test_add_func ("/room/error-mapping", test_error_mapping);
  g_test_add_func ("/room/alternative-nick", test_alternative_nick);
  g_test_add_func ("/room/mentions", test_mentions);
  return g_test_run ();
}

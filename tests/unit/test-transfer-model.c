/* FlintTransfer as the transfer window sees it: final states stay final,
 * the speed estimate follows the bytes, time left follows from both, and a
 * fast transfer does not flood its listeners with notifications. */
#include "config.h"

#include "flint-transfer.h"

static void
count_notify (GObject *object, GParamSpec *pspec, guint *count)
{
  (*count)++;
}

static void
test_states (void)
{
  g_autoptr (FlintTransfer) t =
    flint_transfer_new (FLINT_TRANSFER_INCOMING, "bob@x/r", "a.txt", 10);
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
  g_autoptr (FlintTransfer) u =
    flint_transfer_new (FLINT_TRANSFER_OUTGOING, "bob@x/r", "b.txt", 10);

  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_PENDING);
  g_assert_cmpuint (flint_transfer_get_id (t), !=, flint_transfer_get_id (u));
  g_assert_true (flint_transfer_set_state (t, FLINT_TRANSFER_OFFERED));
  g_assert_true (flint_transfer_set_state (t, FLINT_TRANSFER_ACTIVE));
  g_assert_false (flint_transfer_is_finished (t));
  g_assert_true (flint_transfer_set_state (t, FLINT_TRANSFER_CANCELLED));
  g_assert_true (flint_transfer_is_finished (t));
  /* A late completion or failure after a cancel changes nothing. */
  g_assert_false (flint_transfer_set_state (t, FLINT_TRANSFER_COMPLETE));
  g_assert_false (flint_transfer_fail (t, error));
  g_assert_cmpint (flint_transfer_get_state (t), ==, FLINT_TRANSFER_CANCELLED);
  g_assert_null (flint_transfer_get_error (t));

  g_assert_true (flint_transfer_fail (u, error));
  g_assert_cmpint (flint_transfer_get_state (u), ==, FLINT_TRANSFER_FAILED);
  g_assert_cmpstr (flint_transfer_get_error (u)->message, ==, "boom");
  g_assert_cmpstr (flint_transfer_state_to_string (FLINT_TRANSFER_DECLINED), ==,
                   "declined");
  g_assert_cmpstr (flint_transfer_method_to_string (FLINT_TRANSFER_METHOD_SOCKS5_PROXY),
                   ==, "socks5-proxy");
}

static void
test_speed (void)
{
  g_autoptr (FlintTransfer) t =
    flint_transfer_new (FLINT_TRANSFER_INCOMING, "bob@x/r", "a.bin", 10000000);
  gint64 t0 = 1000000000;

  flint_transfer_set_state (t, FLINT_TRANSFER_ACTIVE);
  flint_transfer_set_bytes_done_at (t, 0, t0);
  g_assert_cmpfloat (flint_transfer_get_speed (t), ==, 0);
  g_assert_cmpint (flint_transfer_get_seconds_left (t), ==, -1);
  /* 1 MB in one second. */
  flint_transfer_set_bytes_done_at (t, 1000000, t0 + G_USEC_PER_SEC);
  g_assert_cmpfloat_with_epsilon (flint_transfer_get_speed (t), 1e6, 1);
  g_assert_cmpint (flint_transfer_get_seconds_left (t), ==, 9);
  g_assert_cmpfloat_with_epsilon (flint_transfer_get_fraction (t), 0.1, 1e-9);
  /* Then 3 MB/s: the estimate moves towards it, smoothed. */
  flint_transfer_set_bytes_done_at (t, 4000000, t0 + 2 * G_USEC_PER_SEC);
  g_assert_cmpfloat (flint_transfer_get_speed (t), >, 1e6);
  g_assert_cmpfloat (flint_transfer_get_speed (t), <, 3e6);
  g_assert_cmpint (flint_transfer_get_seconds_left (t), >, 2);
  g_assert_cmpint (flint_transfer_get_seconds_left (t), <, 6);
  flint_transfer_set_state (t, FLINT_TRANSFER_COMPLETE);
  g_assert_cmpfloat (flint_transfer_get_fraction (t), ==, 1.0);
  g_assert_cmpint (flint_transfer_get_seconds_left (t), ==, -1);
}

static void
test_notify_throttle (void)
{
  g_autoptr (FlintTransfer) t =
    flint_transfer_new (FLINT_TRANSFER_INCOMING, "bob@x/r", "a.bin", 100000);
  guint count = 0;
  gint64 t0 = 5000000000;

  g_signal_connect (t, "notify::bytes-done", G_CALLBACK (count_notify), &count);
  /* 1000 updates within 50 ms: one notification, then the last one. */
  for (guint i = 1; i <= 1000; i++)
    flint_transfer_set_bytes_done_at (t, i * 99, t0 + i * 50);
  g_assert_cmpuint (count, ==, 1);
  flint_transfer_set_bytes_done_at (t, 100000, t0 + 60000);
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (flint_transfer_get_bytes_done (t), ==, 100000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transfer/states", test_states);
  g_test_add_func ("/transfer/speed", test_speed);
  g_test_add_func ("/transfer/notify-throttle", test_notify_throttle);
  return g_test_run ();
}

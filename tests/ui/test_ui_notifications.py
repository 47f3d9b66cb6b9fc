#!/usr/bin/python3
"""A burst of messages from one contact is one desktop notification,
refreshed with a count, not one notification per message. The calls are
watched on the test session bus with dbus-monitor."""

import subprocess
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


class NotificationTest(unittest.TestCase):
    def test_burst_is_coalesced(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            monitor = desktop.spawn(["dbus-monitor", "--session",
                                     "type='method_call',member='Notify'",
                                     "type='method_call',member='AddNotification'"],
                                    stdout=subprocess.PIPE)
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start()
            app.wait_state("online", timeout=30)
            bob = fh.Peer.start(prosody, "bob", "bob-pw")
            self.addCleanup(bob.quit)
            for i in range(30):
                bob.command("send", wait=(i == 29), to=prosody.jid("alice"),
                            body="burst %d" % i, id="burst-%d" % i, type="chat")
            time.sleep(3.5)
            monitor.terminate()
            out = monitor.communicate(timeout=10)[0].decode()
            calls = out.count("member=Notify") + out.count("member=AddNotification")
            self.assertGreaterEqual(calls, 1, out[-2000:])
            self.assertLessEqual(calls, 3, out[-4000:])
            self.assertIn('"burst 0"', out)
            self.assertIn('"30 new messages"', out)
            self.assertEqual(app.dump().get("unread_total"), 30)


if __name__ == "__main__":
    unittest.main(verbosity=2)

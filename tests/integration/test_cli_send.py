#!/usr/bin/python3
"""flint --send ADDRESS TEXT: through the running instance, or starting one."""

import unittest

import flint_harness as fh
from flint_app import FlintApp


class CliSendTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody()
        cls.prosody.start()
        cls.prosody.register("alice", "alice-pw")
        cls.prosody.register("bob", "bob-pw")

    @classmethod
    def tearDownClass(cls):
        cls.prosody._cleanup()

    def setUp(self):
        self.desktop = fh.Desktop().start()
        self.addCleanup(self.desktop._cleanup)
        self.app = FlintApp(self.desktop)
        self.addCleanup(self.app.stop)
        self.app.add_account(self.prosody, "alice", "alice-pw")
        self.bob = fh.Peer.start(self.prosody, "bob", "bob-pw")
        self.addCleanup(self.bob.quit)

    def test_bad_address(self):
        r = self.app.run(["--send", "not an address", "hi"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"not a valid address", r.stderr)
        r = self.app.run(["--send", self.prosody.jid("bob")])
        self.assertEqual(r.returncode, 1)

    def test_send_through_running_instance(self):
        self.app.start()
        self.app.wait_state("online", timeout=30)
        r = self.app.run(["--send", self.prosody.jid("bob"), "hello from a script"])
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = self.bob.wait_for({"event": "message", "body": "hello from a script"}, timeout=15)
        self.assertTrue(ev["from"].startswith(self.prosody.jid("alice") + "/"))
        self.bob.expect_none({"event": "message", "body": "hello from a script"}, within=1.0)
        rows = self.app.history_rows(
            "SELECT direction, conversation FROM messages WHERE body = 'hello from a script'")
        self.assertEqual(rows, [(1, self.prosody.jid("bob"))])

    def test_send_starts_flint(self):
        r = self.app.run(["--send", self.prosody.jid("bob"), "started for this"], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.bob.wait_for({"event": "message", "body": "started for this"}, timeout=30)
        # The instance it started keeps running: quit it through D-Bus.
        self.app.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)

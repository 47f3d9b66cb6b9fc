#!/usr/bin/python3
"""flint --send ADDRESS TEXT [--account ACCOUNT]: through the running instance,
or starting one; from the first account or the one chosen."""

import os
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
        cls.prosody.register("ops", "ops-pw")

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

    def test_send_from_chosen_account(self):
        self.app.add_account(self.prosody, "ops", "ops-pw")
        ops = self.prosody.jid("ops")
        bob = self.prosody.jid("bob")
        # An account Flint does not have: a clear error, nothing sent.
        r = self.app.run(["--send", bob, "lost", "--account", "nobody@flint.test"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"No account nobody@flint.test is set up", r.stderr)
        r = self.app.run(["--account", ops])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"--account goes with --send", r.stderr)
        # One turned off in Preferences: said so.
        conf = os.path.join(self.app.config_dir, "accounts.conf")
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            head, _, tail = text.partition("[account %s]" % ops)
            f.write(head + "[account %s]" % ops + tail.replace("enabled=true",
                                                               "enabled=false", 1))
        r = self.app.run(["--send", bob, "lost", "--account", ops])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"is turned off", r.stderr)
        with open(conf, "w") as f:
            f.write(text)
        self.app.start()
        self.app.wait_for(lambda d: [a["state"] for a in d.get("account_list", [])]
                          == ["online", "online"], timeout=60, what="both online")
        r = self.app.run(["--send", bob, "from ops", "--account", ops])
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = self.bob.wait_for({"event": "message", "body": "from ops"}, timeout=15)
        self.assertTrue(ev["from"].startswith(ops + "/"), ev["from"])
        # Without --account: the first account, as before.
        r = self.app.run(["--send", bob, "from the first"])
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = self.bob.wait_for({"event": "message", "body": "from the first"}, timeout=15)
        self.assertTrue(ev["from"].startswith(self.prosody.jid("alice") + "/"), ev["from"])
        self.bob.expect_none({"event": "message", "body": "lost"}, within=0.5)
        rows = self.app.history_rows(
            "SELECT account FROM messages WHERE body = 'from ops'")
        self.assertEqual(rows, [(ops,)])

    def test_send_starts_flint(self):
        r = self.app.run(["--send", self.prosody.jid("bob"), "started for this"], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.bob.wait_for({"event": "message", "body": "started for this"}, timeout=30)
        # The instance it started keeps running: quit it through D-Bus.
        self.app.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)

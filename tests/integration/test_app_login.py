#!/usr/bin/python3
"""The real flint binary: provisioning from the command line, automatic
sign-in, and where the password may (not) be."""

import os
import subprocess
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

PASSWORD = "correct-horse-battery-7"


class AppLoginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody()
        cls.prosody.start()
        cls.prosody.register("alice", PASSWORD)
        cls.prosody.register("bob", "bob-pw")

    @classmethod
    def tearDownClass(cls):
        cls.prosody._cleanup()

    def setUp(self):
        self.desktop = fh.Desktop().start()
        self.app = FlintApp(self.desktop)

    def tearDown(self):
        self.app.stop()
        self.desktop._cleanup()

    def test_add_account_rejects_bad_input(self):
        r = self.app.run(["--add-account", "not a jid"], input=PASSWORD + "\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"not a valid address", r.stderr)

        r = self.app.run(["--add-account", self.prosody.jid("alice"),
                          "--trust-cert-sha256", "1234"], input=PASSWORD + "\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"SHA-256", r.stderr)

        r = self.app.run(["--add-account", self.prosody.jid("alice")], input="\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"No password", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.app.config_dir, "accounts.conf")))

    def test_no_secret_service_fails_clearly(self):
        # A session bus without any Secret Service on it.
        r = self.app.run(["--add-account", self.prosody.jid("alice")], input=PASSWORD + "\n",
                         env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"keyring", r.stderr)
        # Never a plaintext fallback.
        self.assertFalse(os.path.exists(os.path.join(self.app.config_dir, "accounts.conf")))

    def test_provision_then_sign_in_automatically(self):
        r = self.app.add_account(self.prosody, "alice", PASSWORD)
        self.assertIn(b"Added account", r.stdout)

        # The password is in the keyring and nowhere in Flint's files.
        r = self.desktop.run(["secret-tool", "lookup", "jid", self.prosody.jid("alice")])
        self.assertEqual(r.stdout.decode().strip(), PASSWORD)

        bob = fh.Peer.start(self.prosody, "bob", "bob-pw")
        bob.roster_add(self.prosody.jid("alice"), subscribe=True)
        self.app.start()
        dump = self.app.wait_state("online", timeout=30)
        self.assertTrue(dump["bound_jid"].startswith(self.prosody.jid("alice") + "/"))
        self.assertIn("Online", dump["window"])

        for base in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            for dirpath, _, files in os.walk(self.desktop.env[base]):
                if "keyrings" in dirpath:
                    continue  # gnome-keyring's own encrypted store
                for name in files:
                    with open(os.path.join(dirpath, name), "rb") as f:
                        self.assertNotIn(PASSWORD.encode(), f.read(),
                                         "password found in " + os.path.join(dirpath, name))
        self.assertNotIn(PASSWORD, self.app.log_text())
        bob.quit()

    def test_no_keyring_at_sign_in_asks_for_the_password(self):
        # An account set up earlier, but this session has no Secret Service.
        desktop = fh.Desktop(keyring=False).start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        os.makedirs(app.config_dir, exist_ok=True)
        with open(os.path.join(app.config_dir, "accounts.conf"), "w") as f:
            f.write("[account %s]\nhost=127.0.0.1\nport=%d\ntrusted-cert-sha256=%s\n"
                    % (self.prosody.jid("alice"), self.prosody.c2s_port,
                       self.prosody.cert_sha256))
        app.start()
        dump = app.wait_for(lambda d: d.get("error_code") == "12", timeout=30)
        self.assertEqual(dump["state"], "disconnected")
        self.assertIn("No password is stored", dump["error"])
        desktop.wait_for_window("Flint", timeout=10)
        time.sleep(0.5)
        desktop.screenshot("login-no-keyring.png")

    def test_wrong_password_is_shown(self):
        self.app.add_account(self.prosody, "alice", "not-the-password")
        self.app.start()
        dump = self.app.wait_for(lambda d: d.get("state") == "disconnected"
                                 and d.get("error"), timeout=30)
        self.assertIn("did not accept the password", dump["error"])
        self.assertIn("Not Connected", dump["window"])

    def test_untrusted_certificate_is_refused(self):
        self.app.add_account(self.prosody, "alice", PASSWORD, pin=False)
        self.app.start()
        dump = self.app.wait_for(lambda d: d.get("state") == "disconnected"
                                 and d.get("error"), timeout=30)
        self.assertIn("certificate", dump["error"])
        time.sleep(0.5)
        self.desktop.screenshot("login-untrusted-certificate.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

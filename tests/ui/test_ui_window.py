#!/usr/bin/python3
"""The real window under Xvfb: first run, online in light and dark, and the
certificate dialog. Screenshots go to the build's meson-logs/ui-screenshots."""

import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


class WindowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody()
        cls.prosody.start()
        cls.prosody.register("alice", "alice-pw")

    @classmethod
    def tearDownClass(cls):
        cls.prosody._cleanup()

    def run_app(self, env=None, account=True, pin=True):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        if account:
            app.add_account(self.prosody, "alice", "alice-pw", pin=pin)
        app.start(env=env)
        return desktop, app

    def test_first_run_shows_welcome(self):
        desktop, app = self.run_app(account=False)
        dump = app.wait_for(lambda d: d.get("window", "").startswith("welcome"), timeout=20)
        self.assertNotIn("state", dump)
        time.sleep(0.5)
        desktop.screenshot("window-welcome.png")

    def test_online_light_and_dark(self):
        for scheme in ("prefer-light", "prefer-dark"):
            desktop, app = self.run_app(env={"ADW_DEBUG_COLOR_SCHEME": scheme})
            dump = app.wait_state("online", timeout=30)
            self.assertTrue(dump["window"].startswith("status|Online|Signed in as alice@"))
            time.sleep(0.5)
            desktop.screenshot("window-online-%s.png" % scheme.split("-")[1])
            app.stop()

    def test_certificate_dialog(self):
        desktop, app = self.run_app(pin=False)
        dump = app.wait_for(lambda d: d.get("error_code") == "7", timeout=30)
        self.assertEqual(dump["state"], "disconnected")
        time.sleep(1.0)
        desktop.screenshot("window-certificate-dialog.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

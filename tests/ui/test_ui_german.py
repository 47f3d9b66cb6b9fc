#!/usr/bin/python3
"""Flint speaks German in a German session (LANGUAGE=de, LANG=de_DE.UTF-8):
the welcome page, the signed-in page, a plural form and a date in the
conversation are German, and so are the preferences. The de_DE locale is
compiled into a temporary directory (localedef, LOCPATH), so the test needs
no system locale set up. Screenshots: german-welcome.png, german-chat.png,
german-preferences.png."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


def call(desktop, action, value=None):
    arg = "[<'%s'>]" % value if value is not None else "[]"
    r = desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                     "--object-path", "/im/flint/Flint", "--method",
                     "org.gtk.Actions.Activate", action, arg, "{}"], timeout=10)
    assert r.returncode == 0, r.stderr


def tab(dump, jid):
    return next((t for t in dump.get("tabs", []) if t.get("jid") == jid), None)


class GermanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("localedef") is None or not os.path.exists(
                "/usr/share/i18n/locales/de_DE"):
            raise unittest.SkipTest("needs localedef and the locales package")
        cls.locales = tempfile.mkdtemp(prefix="flint-locale-")
        r = subprocess.run(["localedef", "--no-archive", "-i", "de_DE", "-f", "UTF-8",
                            os.path.join(cls.locales, "de_DE.UTF-8")],
                           capture_output=True, text=True)
        # localedef warns (exit 1) on some harmless things; the files count.
        if not os.path.exists(os.path.join(cls.locales, "de_DE.UTF-8", "LC_MESSAGES")):
            raise AssertionError("localedef failed: " + r.stderr)
        cls.env = {"LANGUAGE": "de", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8",
                   "LOCPATH": cls.locales}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.locales, True)

    def test_welcome_in_german(self):
        with fh.Desktop() as desktop:
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.start(env=self.env)
            dump = app.wait_for(lambda d: (d.get("window") or "").startswith("welcome"),
                                timeout=30, what="welcome page")
            self.assertEqual(dump["window"].split("|")[1], "Willkommen bei Flint")
            desktop.wait_for_window("Flint", timeout=20)
            time.sleep(2.5)  # the first frame under llvmpipe on a busy machine
            desktop.screenshot("german-welcome.png")

    def test_signed_in_in_german(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            bob_jid = prosody.jid("bob")
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start(env=self.env)
            dump = app.wait_state("online", timeout=90)
            self.assertTrue(dump["window"].startswith("status|Online|Angemeldet als "),
                            dump["window"])
            bob = fh.Peer.start(prosody, "bob", "bob-pw")
            self.addCleanup(bob.quit)
            bob.send(prosody.jid("alice"), "Hallo Alice, hast du kurz Zeit?")
            call(desktop, "open-chat", bob_jid)
            app.wait_for(lambda d: (tab(d, bob_jid) or {}).get("selected"), timeout=15)
            time.sleep(2.5)
            desktop.screenshot("german-chat.png")

            call(desktop, "preferences")
            desktop.wait_for_window("Einstellungen", timeout=20)
            time.sleep(2.5)
            desktop.screenshot("german-preferences.png")
            titles = [name for _, name in desktop.windows()]
            self.assertIn("Einstellungen", titles)


if __name__ == "__main__":
    unittest.main(verbosity=2)

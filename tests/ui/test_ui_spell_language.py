#!/usr/bin/python3
"""The spelling language chosen in a conversation (the composer's Spelling
menu) is remembered for that conversation only, and comes back at the next
start."""

import os
import shutil
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


def call(desktop, action, value):
    desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                 "--object-path", "/im/flint/Flint", "--method",
                 "org.gtk.Actions.Activate", action, "[<'%s'>]" % value, "{}"], timeout=10)


def tab(dump, jid):
    return next((t for t in dump.get("tabs", []) if t.get("jid") == jid), None)


class SpellLanguageTest(unittest.TestCase):
    def test_language_per_conversation(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            bob, carol = prosody.jid("bob"), prosody.jid("carol")
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start()
            app.wait_state("online", timeout=30)

            call(desktop, "open-chat", bob)
            dump = app.wait_for(lambda d: (tab(d, bob) or {}).get("selected"), timeout=15)
            default = tab(dump, bob)["language"]
            self.assertTrue(default.startswith("en"), dump)
            # As the Spelling submenu of Bob's composer does.
            call(desktop, "test-activate", "spelling.language|en_GB")
            app.wait_for(lambda d: (tab(d, bob) or {}).get("language") == "en_GB", timeout=10)

            call(desktop, "open-chat", carol)
            dump = app.wait_for(lambda d: (tab(d, carol) or {}).get("selected"), timeout=15)
            self.assertEqual(tab(dump, carol)["language"], default)

            ini = os.path.join(app.config_dir, "conversations.ini")
            with open(ini) as f:
                saved = f.read()
            self.assertIn("en_GB", saved)
            self.assertIn(bob, saved)
            self.assertNotIn(carol, saved)
            app.stop()

            # Next start: both tabs come back, each with its own language.
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.start()
            dump = app.wait_for(lambda d: tab(d, bob) and tab(d, carol), timeout=30,
                                what="restored tabs")
            self.assertEqual(tab(dump, bob)["language"], "en_GB")
            self.assertEqual(tab(dump, carol)["language"], default)

    @unittest.skipUnless(shutil.which("xdotool"), "needs xdotool for real key events")
    def test_typing_flags_the_typos(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            bob = prosody.jid("bob")
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start()
            app.wait_state("online", timeout=30)
            call(desktop, "open-chat", bob)
            app.wait_for(lambda d: (tab(d, bob) or {}).get("selected"), timeout=15)
            window = desktop.wait_for_window("Flint", timeout=10)[0]
            desktop.run(["xdotool", "windowfocus", "--sync", window], timeout=10)
            time.sleep(0.3)
            # Typed into the composer, which has the focus in a new tab.
            desktop.run(["xdotool", "type", "--delay", "25",
                         "This sentnce has two speling mistakes."], timeout=30)
            dump = app.wait_for(lambda d: (tab(d, bob) or {}).get("misspelled") == "5-12,21-28",
                                timeout=10, what="the two typos underlined")
            self.assertEqual(tab(dump, bob)["misspelled"], "5-12,21-28")
            time.sleep(0.3)
            desktop.screenshot("spell-typed-in-chat.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

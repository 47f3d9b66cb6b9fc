#!/usr/bin/python3
"""A flood of incoming messages into the open conversation (issue 3), with
the real app, a real Prosody and a slixmpp peer: the view follows it to the
newest message, and no frame painted meanwhile shows the view above the
bottom it follows (each would be a whole window drawn for rows the user has
already been moved past: the flood's cost on a software renderer). A single
message after the flood is shown at the bottom as well."""

import unittest

import flint_harness as fh
from flint_app import FlintApp

FLOOD = 300


class FloodTest(unittest.TestCase):
    def activate(self, app, action, param):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", action,
             "[<%s>]" % param, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def tab(self, dump, jid):
        tabs = [t for t in dump.get("tabs", []) if t["jid"] == jid]
        return tabs[0] if tabs else None

    def test_flood_follows_without_stale_frames(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start()
            me = app.wait_state("online", timeout=90)["bound_jid"]
            bob = fh.Peer.start(prosody, "bob", "bob-pw", resource="peer")
            self.addCleanup(bob.quit)
            bob_jid = prosody.jid("bob")

            self.activate(app, "open-chat", "'%s'" % bob_jid)
            bob.command("send", wait=True, to=me, body="first")
            app.wait_for(lambda d: (self.tab(d, bob_jid) or {}).get("messages", 0) >= 1
                         and self.tab(d, bob_jid)["frames"] > 0, timeout=30,
                         what="the conversation open and painted")
            before = self.tab(app.dump(), bob_jid)

            for i in range(FLOOD):
                bob.command("send", wait=(i == FLOOD - 1), to=me,
                            body="flood message %d with a few more words to wrap" % i,
                            id="flood-%d" % i, type="chat")
            dump = app.wait_for(
                lambda d: self.tab(d, bob_jid)["messages"] >= FLOOD + 1
                and self.tab(d, bob_jid)["latest"] and self.tab(d, bob_jid)["scroll_gap"] == 0,
                timeout=60, what="the whole flood shown at the bottom")
            tab = self.tab(dump, bob_jid)
            self.assertGreater(tab["frames"], before["frames"], "no frame painted")
            self.assertEqual(tab["stale_frames"], before["stale_frames"],
                             "frames painted above the bottom during the flood: %s" % tab)

            # After a quiet moment one message comes on its own: at the
            # bottom in the first frame that shows it.
            bob.command("send", wait=True, to=me, body="and one more", id="single",
                        type="chat")
            dump = app.wait_for(
                lambda d: self.tab(d, bob_jid)["messages"] >= FLOOD + 2
                and self.tab(d, bob_jid)["scroll_gap"] == 0,
                timeout=30, what="the single message shown at the bottom")
            self.assertEqual(self.tab(dump, bob_jid)["stale_frames"], before["stale_frames"])


if __name__ == "__main__":
    unittest.main()

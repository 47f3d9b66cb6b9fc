#!/usr/bin/python3
"""Archive catch-up in the real app: what the user sent from another device
while Flint was closed is in Flint's history, once, and in the conversation."""

import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


class MamAppTest(unittest.TestCase):
    def test_other_device_messages_appear(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            bob = fh.Peer.start(prosody, "bob", "bob-pw")
            self.addCleanup(bob.quit)
            phone = fh.Peer.start(prosody, "alice", "alice-pw", resource="phone")
            for i in range(3):
                phone.send(prosody.jid("bob"), "from my phone %d" % i, id="phone-%d" % i)
            bob.wait_for({"event": "message", "body": "from my phone 2"}, timeout=15)
            phone.quit()

            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start()
            app.wait_state("online", timeout=30)
            deadline = time.monotonic() + 20
            rows = []
            while time.monotonic() < deadline and len(rows) < 3:
                rows = app.history_rows(
                    "SELECT body, direction, conversation FROM messages "
                    "WHERE body LIKE 'from my phone %' ORDER BY time, id")
                time.sleep(0.2)
            self.assertEqual(rows, [("from my phone %d" % i, 1, prosody.jid("bob"))
                                    for i in range(3)])

            desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                         "--object-path", "/im/flint/Flint", "--method",
                         "org.gtk.Actions.Activate", "open-chat",
                         "[<'%s'>]" % prosody.jid("bob"), "{}"], timeout=10)
            dump = app.wait_for(lambda d: any(t.get("jid") == prosody.jid("bob")
                                              and t.get("messages") == 3
                                              for t in d.get("tabs", [])),
                                timeout=15, what="the three archived messages in the tab")
            self.assertTrue(dump["tabs"])
            # Closed, so that Bob's next messages are not read as they come.
            desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                         "--object-path", "/im/flint/Flint", "--method",
                         "org.gtk.Actions.Activate", "test-activate",
                         "[<'win.close-tab'>]", "{}"], timeout=10)
            app.wait_for(lambda d: not d.get("tabs"), timeout=10, what="no tab")
            app.stop()

            # While Flint is closed, Bob writes; the phone is online, so the
            # server does not keep them as offline messages: only the
            # archive brings them. They are news here: unread.
            phone = fh.Peer.start(prosody, "alice", "alice-pw", resource="phone")
            for i in range(2):
                bob.send(prosody.jid("alice"), "while you were out %d" % i)
            phone.wait_for({"event": "message", "body": "while you were out 1"}, timeout=15)
            phone.quit()
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.start()
            dump = app.wait_for(lambda d: d.get("unread_total", 0) >= 2, timeout=30,
                                what="the two archived messages counted unread")
            self.assertEqual(dump["unread_total"], 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)

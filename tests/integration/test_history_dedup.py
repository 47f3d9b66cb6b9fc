#!/usr/bin/python3
"""A chat message received twice with the same id is stored once."""

import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


class HistoryDedupTest(unittest.TestCase):
    def test_same_id_twice_stored_once(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app = FlintApp(desktop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start()
            try:
                app.wait_state("online", timeout=30)
                bob = fh.Peer.start(prosody, "bob", "bob-pw")
                alice = prosody.jid("alice")
                bob.send(alice, "hello twice", id="dup-1")
                bob.send(alice, "hello twice", id="dup-1")
                bob.send(alice, "marker", id="marker-1")

                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    if app.history_rows("SELECT 1 FROM messages WHERE body = 'marker'"):
                        break
                    time.sleep(0.1)
                rows = app.history_rows(
                    "SELECT conversation, sender, direction, message_id FROM messages "
                    "WHERE body = 'hello twice'")
                self.assertEqual(len(rows), 1, rows)
                self.assertEqual(rows[0][0], prosody.jid("bob"))
                self.assertEqual(rows[0][3], "dup-1")
                self.assertEqual(len(app.history_rows(
                    "SELECT 1 FROM messages WHERE body = 'marker'")), 1)
                bob.quit()
            finally:
                app.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)

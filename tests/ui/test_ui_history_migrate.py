#!/usr/bin/python3
"""Start-up with the history of an older Flint (schema version 1, before
full-text search) big enough that migrating it takes seconds: the window
shows "Updating History…" and keeps answering (the main loop never stalls
for long) while a worker migrates; then the account signs in, the old
messages are in the conversation and a live message is stored.

Screenshots (light and dark) go to the artifact dir as
history-updating-{light,dark}.png."""

import os
import sqlite3
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

# About 2-4 s of migration on the test machine (the full-text rebuild).
N_MESSAGES = int(os.environ.get("FLINT_TEST_MIGRATE_N", "300000"))

V1_SCHEMA = """
CREATE TABLE messages (id INTEGER PRIMARY KEY, account TEXT NOT NULL,
 conversation TEXT NOT NULL, kind INTEGER NOT NULL DEFAULT 0,
 direction INTEGER NOT NULL DEFAULT 0, sender TEXT NOT NULL DEFAULT '',
 body TEXT, time INTEGER NOT NULL, local_time INTEGER NOT NULL,
 stanza_id TEXT, stanza_id_by TEXT, origin_id TEXT, message_id TEXT,
 state INTEGER NOT NULL DEFAULT 0, correction_of TEXT);
CREATE INDEX messages_conversation ON messages (account, conversation, time, id);
CREATE UNIQUE INDEX messages_stanza_id ON messages
  (account, conversation, stanza_id, stanza_id_by) WHERE stanza_id IS NOT NULL;
CREATE UNIQUE INDEX messages_origin_id ON messages
  (account, conversation, origin_id, direction, sender) WHERE origin_id IS NOT NULL;
CREATE INDEX messages_message_id ON messages
  (account, conversation, message_id) WHERE message_id IS NOT NULL;
CREATE INDEX messages_archive ON messages
  (account, stanza_id_by, time) WHERE stanza_id IS NOT NULL;
CREATE INDEX messages_pending ON messages
  (account, time, id) WHERE direction = 1 AND state = 1;
"""


def make_v1_store(path, account, partner, n):
    """n old messages in 100 conversations, the last 20 with partner."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    base = int(time.time() - 30 * 86400) * 1000000
    db.execute(
        "INSERT INTO messages (account, conversation, sender, body, time, local_time,"
        " origin_id) WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
        " WHERE i < ?1) SELECT ?2, 'c' || (i % 100) || '@old.example', 'c' || (i % 100)"
        " || '@old.example', 'old message ' || i || ' about topic' || (i % 997),"
        " ?3 + i * 1000000, ?3 + i * 1000000, 'o' || i FROM n",
        (n - 20, account, base))
    for i in range(20):
        db.execute(
            "INSERT INTO messages (account, conversation, sender, body, time, local_time,"
            " origin_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (account, partner, partner, "before the update %d" % i,
             base + (n + i) * 1000000, base + (n + i) * 1000000, "partner-%d" % i))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


class HistoryMigrateTest(unittest.TestCase):
    def run_scheme(self, scheme):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            alice, bob_jid = prosody.jid("alice"), prosody.jid("bob")
            bob = fh.Peer.start(prosody, "bob", "bob-pw")
            self.addCleanup(bob.quit)

            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            make_v1_store(app.history_path, alice, bob_jid, N_MESSAGES)

            started = time.monotonic()
            app.start(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-" + scheme})
            dump = app.wait_for(lambda d: d.get("history_updating"), timeout=30,
                                what="the history updating")
            self.assertTrue(dump["window"].startswith("status|Updating History…|"),
                            dump["window"])
            self.assertFalse(dump["history"])
            # No account signs in before its history can be stored.
            self.assertNotIn("state", dump)
            time.sleep(0.3)
            desktop.screenshot("history-updating-%s.png" % scheme)
            # The window's first frames (the GL set-up on llvmpipe takes a
            # second or more) are not the migration's: watch after them.
            time.sleep(1.0)
            watching = (app.dump() or {}).get("history_updating", False)
            if watching:
                desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                             "--object-path", "/im/flint/Flint", "--method",
                             "org.gtk.Actions.Activate", "test-stall-watch", "[<true>]",
                             "{}"], timeout=10)
            # Still answering while the worker migrates.
            answered = 0
            while True:
                dump = app.dump()
                self.assertIsNotNone(dump, "the app stopped answering during the update")
                if not dump["history_updating"]:
                    break
                answered += 1
                self.assertLess(time.monotonic() - started, 180, "the update never ended")
                time.sleep(0.1)
            updating_s = time.monotonic() - started
            stall = dump["max_stall_ms"]
            print("%s: updated %d messages in about %.1f s; %d dumps answered meanwhile; "
                  "longest main-loop stall %s" % (
                      scheme, N_MESSAGES, updating_s, answered,
                      "%.1f ms" % stall if watching else "not measured (over too soon)"))
            if watching:
                self.assertGreater(answered, 0)
                # The migration's seconds never block the main loop (a loaded
                # machine or a sanitizer build may stall it for a frame or two).
                self.assertLess(stall, 1000.0)

            app.wait_state("online", timeout=60)
            self.assertEqual(app.history_rows("PRAGMA user_version")[0][0], 4)  # the current schema version
            self.assertEqual(app.history_rows("SELECT count(*) FROM messages")[0][0],
                             N_MESSAGES)
            self.assertEqual(app.history_rows(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'topic5'")[0][0],
                len([i for i in range(1, N_MESSAGES - 19) if i % 997 == 5]))

            # Old messages in the conversation; a new one is stored.
            desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                         "--object-path", "/im/flint/Flint", "--method",
                         "org.gtk.Actions.Activate", "open-chat", "[<'%s'>]" % bob_jid,
                         "{}"], timeout=10)
            app.wait_for(lambda d: any(t.get("jid") == bob_jid and t.get("messages", 0) >= 20
                                       for t in d.get("tabs", [])),
                         timeout=20, what="the old messages in Bob's tab")
            bob.send(alice, "after the update", id="after-1")
            deadline = time.monotonic() + 20
            rows = []
            while time.monotonic() < deadline and not rows:
                rows = app.history_rows(
                    "SELECT body FROM messages WHERE body = 'after the update'")
                time.sleep(0.2)
            self.assertEqual(rows, [("after the update",)])
            app.stop()

    def test_light(self):
        self.run_scheme("light")

    def test_dark(self):
        self.run_scheme("dark")


if __name__ == "__main__":
    unittest.main(verbosity=2)

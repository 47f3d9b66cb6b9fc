#!/usr/bin/python3
"""XEP-0198: a dropped connection resumes the stream; messages sent either
way while it was down arrive exactly once. A TcpProxy between Flint and
Prosody cuts and refuses the connection under the test's control."""

import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


class ResumeTest(unittest.TestCase):
    def test_cut_resumes_and_delivers_once(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop, \
                fh.TcpProxy(prosody.host, prosody.c2s_port) as proxy:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.run(["--add-account", prosody.jid("alice"), "--host", "127.0.0.1",
                     "--port", str(proxy.port), "--trust-cert-sha256", prosody.cert_sha256],
                    input="alice-pw\n")
            app.start()
            first = app.wait_state("online", timeout=30)
            self.assertEqual(first["resumed"], "0")
            bob = fh.Peer.start(prosody, "bob", "bob-pw")
            self.addCleanup(bob.quit)
            alice = prosody.jid("alice")

            # Down, and staying down while both sides send.
            proxy.refuse(True, how="unlisten")
            proxy.cut()
            app.wait_for(lambda d: d.get("state") in ("reconnecting", "connecting"), timeout=20)
            r = app.run(["--send", prosody.jid("bob"), "sent while cut off"])
            self.assertEqual(r.returncode, 0, r.stderr)
            bob.send(alice, "to alice while cut off", id="bob-while-cut")
            time.sleep(0.5)
            bob.expect_none({"event": "message", "body": "sent while cut off"}, within=0.5)

            proxy.refuse(False)
            back = app.wait_for(lambda d: d.get("state") == "online" and d.get("resumed") == "1",
                                timeout=30)
            self.assertEqual(back["bound_jid"], first["bound_jid"])

            bob.wait_for({"event": "message", "body": "sent while cut off"}, timeout=15)
            bob.send(alice, "marker", id="marker-after-resume")
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not app.history_rows(
                    "SELECT 1 FROM messages WHERE body = 'marker'"):
                time.sleep(0.1)
            bob.expect_none({"event": "message", "body": "sent while cut off"}, within=1.0)
            self.assertEqual(len(app.history_rows(
                "SELECT 1 FROM messages WHERE body = 'to alice while cut off'")), 1)
            # Sent (2), acked by the server (3), or delivered (4) once the
            # peer's receipt is back.
            states = app.history_rows(
                "SELECT state FROM messages WHERE body = 'sent while cut off'")
            self.assertEqual(len(states), 1)
            self.assertIn(states[0][0], (2, 3, 4))


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""Self-test of the real-server harness: Prosody, peers, CLI, Desktop.

Run: /usr/bin/python3 tests/harness/selftest.py [-v]
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flint_harness as fh  # noqa: E402

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flint_harness.py")


class ProsodyPeerTest(unittest.TestCase):
    def test_message_dup_id_and_restart(self):
        with fh.Prosody() as p:
            self.assertTrue(p.running())
            self.assertEqual(len(p.cert_sha256), 64)
            p.register("alice", "pw-a")
            p.register("bob", "pw-b")
            a = fh.Peer.start(p, "alice", "pw-a", resource="ra")
            b = fh.Peer.start(p, "bob", "pw-b", resource="rb")
            self.assertEqual(a.full_jid, "alice@flint.test/ra")

            a.send(b.full_jid, "hello bob", id="m1")
            ev = b.wait_for({"event": "message", "id": "m1"})
            self.assertEqual(ev["body"], "hello bob")
            self.assertEqual(ev["from"], a.full_jid)
            self.assertTrue(ev["receipt_request"])
            self.assertEqual(ev["origin_id"], "m1")
            a.wait_for({"event": "receipt", "id": "m1"})

            # Same id twice: the server delivers both (dedup is the client's job).
            a.send(b.full_jid, "dup", id="same-id")
            a.send(b.full_jid, "dup", id="same-id")
            b.wait_for({"event": "message", "id": "same-id"})
            b.wait_for({"event": "message", "id": "same-id"})

            # Raw XML and chat states.
            a.raw('<message to="%s" type="chat" id="raw1"><body>raw</body></message>'
                  % b.full_jid)
            self.assertEqual(b.wait_for({"event": "message", "id": "raw1"})["body"], "raw")
            a.chatstate(b.full_jid, "composing")
            b.wait_for({"event": "chatstate", "state": "composing"})

            # Subscription, auto-accepted by bob; presence with show/status.
            a.roster_add("bob@flint.test", name="Bob", subscribe=True)
            a.wait_for({"event": "presence", "type": "subscribed", "from": "bob@flint.test"})
            b.presence(show="away", status="gone fishing")
            ev = a.wait_for({"event": "presence", "from": b.full_jid, "show": "away"})
            self.assertEqual(ev["status"], "gone fishing")
            roster = a.command("roster_get")["roster"]
            self.assertEqual(roster["bob@flint.test"]["name"], "Bob")

            # Restart: same ports, same accounts.
            port = p.c2s_port
            a.quit()
            p.restart()
            self.assertEqual(p.c2s_port, port)
            b.wait_for("disconnected", timeout=10)
            b.quit()
            c = fh.Peer.start(p, "alice", "pw-a", resource="again")
            c.send("alice@flint.test/again", "to myself", id="self1")
            c.wait_for({"event": "message", "id": "self1"})
            c.quit()

            # Kill leaves nothing listening.
            p.kill()
            self.assertFalse(p.running())
            self.assertFalse(fh.port_open(port))

    def test_components(self):
        """MUC (unlocked rooms), HTTP upload reachable on 127.0.0.1, proxy65 address."""
        import re
        import urllib.request
        with fh.Prosody() as p:
            p.register("gina", "pw")
            p.register("hank", "pw")
            g = fh.Peer.start(p, "gina", "pw")
            h = fh.Peer.start(p, "hank", "pw")
            room = "room1@" + p.muc_domain
            g.command("join_muc", room=room, nick="Gina")
            h.command("join_muc", room=room, nick="Hank")   # no locking: joins at once
            g.send(room, "hello room", type="groupchat", id="g1")
            ev = h.wait_for({"event": "message", "id": "g1"})
            self.assertEqual(ev["from"], room + "/Gina")
            r = g.command("iq", xml='<iq type="get" to="upload.%s"><request '
                          'xmlns="urn:xmpp:http:upload:0" filename="x.txt" size="5" '
                          'content-type="text/plain"/></iq>' % p.domain)
            self.assertEqual(r["type"], "result", r)
            put = re.search(r'put url="([^"]+)"', r["reply"]).group(1).replace("&amp;", "&")
            get = re.search(r'get url="([^"]+)"', r["reply"]).group(1).replace("&amp;", "&")
            auth = re.search(r'Authorization">([^<]+)<', r["reply"]).group(1)
            self.assertTrue(put.startswith("http://127.0.0.1:%d/" % p.http_port), put)
            req = urllib.request.Request(put, data=b"hello", method="PUT", headers={
                "Content-Type": "text/plain", "Authorization": auth})
            with urllib.request.urlopen(req, timeout=10) as resp:
                self.assertIn(resp.status, (200, 201))
            with urllib.request.urlopen(get, timeout=10) as resp:
                self.assertEqual(resp.read(), b"hello")
            r = g.command("iq", xml='<iq type="get" to="proxy.%s"><query '
                          'xmlns="http://jabber.org/protocol/bytestreams"/></iq>' % p.domain)
            self.assertIn('port="%d"' % p.proxy_port, r["reply"])
            g.quit()
            h.quit()

    def test_bad_password_fails(self):
        with fh.Prosody(muc=False, upload=False, proxy65=False) as p:
            p.register("carol", "right")
            with self.assertRaises(RuntimeError):
                fh.Peer.start(p, "carol", "wrong", ready_timeout=20)

    def test_no_tls_server(self):
        with fh.Prosody(tls=False, smacks=False, muc=False, upload=False, proxy65=False) as p:
            p.register("dave", "pw")
            with open(p.config_path) as f:
                self.assertNotIn('"tls"', f.read())
            # A peer that insists on STARTTLS must not log in ...
            with self.assertRaises(RuntimeError):
                fh.Peer(p.jid("dave"), "pw", port=p.c2s_port, ready_timeout=10)
            # ... one that allows plaintext does.
            d = fh.Peer.start(p, "dave", "pw")
            d.quit()

    def test_cli(self):
        wd = tempfile.mkdtemp(prefix="flint-cli-")
        try:
            r = subprocess.run([fh.PYTHON, HARNESS, "prosody-start", wd, "--user", "eve:pw"],
                               stdout=subprocess.PIPE, timeout=60, check=True)
            lines = r.stdout.decode().strip().splitlines()
            self.assertEqual(len(lines), 1)
            info = json.loads(lines[0])
            for k in ("domain", "host", "c2s_port", "http_port", "proxy_port",
                      "cert_sha256", "pid", "workdir"):
                self.assertIn(k, info)
            self.assertTrue(fh.port_open(info["c2s_port"]))
            subprocess.run([fh.PYTHON, HARNESS, "register", wd, "frank", "pw"],
                           timeout=60, check=True)
            f = fh.Peer(p_jid("frank", info), "pw", port=info["c2s_port"])
            f.quit()
            r = subprocess.run([fh.PYTHON, HARNESS, "prosody-restart", wd],
                               stdout=subprocess.PIPE, timeout=60, check=True)
            info2 = json.loads(r.stdout)
            self.assertEqual(info2["c2s_port"], info["c2s_port"])
            self.assertNotEqual(info2["pid"], info["pid"])
            e = fh.Peer(p_jid("eve", info), "pw", port=info["c2s_port"])
            e.quit()
            subprocess.run([fh.PYTHON, HARNESS, "prosody-kill", wd], timeout=60, check=True)
            self.assertFalse(fh.port_open(info["c2s_port"]))
        finally:
            subprocess.run([fh.PYTHON, HARNESS, "prosody-stop", wd], timeout=60)
            subprocess.run(["rm", "-rf", wd])


def p_jid(user, info):
    return "%s@%s" % (user, info["domain"])


class DesktopTest(unittest.TestCase):
    def test_desktop_secret_and_screenshot(self):
        with fh.Desktop() as d:
            self.assertTrue(d.env["DISPLAY"].startswith(":"))
            self.assertTrue(d.env["DBUS_SESSION_BUS_ADDRESS"].startswith("unix:"))
            self.assertTrue(d.secret_roundtrip(), "libsecret store/lookup failed")
            shot = d.screenshot(os.path.join(d.basedir, "root.png"))
            self.assertGreater(os.path.getsize(shot), 0)
            pids = [pr.pid for pr in d.procs]
        for pid in pids:
            self.assertFalse(fh._pid_alive(pid), "process %d outlived Desktop" % pid)


if __name__ == "__main__":
    t0 = time.monotonic()
    prog = unittest.main(exit=False)
    sys.stderr.write("selftest: %.1f s\n" % (time.monotonic() - t0))
    sys.exit(0 if prog.result.wasSuccessful() else 1)

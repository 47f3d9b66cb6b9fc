#!/usr/bin/python3
"""Self-test of the real-server harness: Prosody, peers, CLI, TcpProxy, Desktop.

Run: /usr/bin/python3 tests/harness/selftest.py [-v]
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
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

    @unittest.skipUnless(fh.sql_storage_available(), fh.SQL_STORAGE_MISSING)
    def test_sql_storage(self):
        import sqlite3
        with fh.Prosody(storage="sql", muc=False, upload=False, proxy65=False) as p:
            p.register("erin", "pw")
            p.register("fred", "pw")
            e = fh.Peer.start(p, "erin", "pw")
            e.send(p.jid("fred"), "kept in SQL", id="sql-1")
            e.command("ping")
            e.quit()
            self.assertEqual(p.sql_path, os.path.join(p.data_dir, "prosody.sqlite"))
            db = sqlite3.connect("file:%s?mode=ro" % p.sql_path, uri=True, timeout=5)
            try:
                mode = db.execute("PRAGMA journal_mode").fetchone()[0]
                archived = db.execute("SELECT count(*) FROM prosodyarchive WHERE store = "
                                      "'archive' AND value LIKE '%kept in SQL%'").fetchone()[0]
            finally:
                db.close()
            self.assertEqual(mode, "wal")
            # Erin's copy and Fred's.
            self.assertEqual(archived, 2)
            # No flat files (accounts, archives): all of it is in the database.
            self.assertEqual({n for n in os.listdir(p.data_dir)
                              if not n.startswith("prosody.sqlite")}, set())

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


class _EchoServer:
    """Threaded echo server on a free loopback port; .received counts bytes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            while True:
                d = c.recv(1 << 20)
                if not d:
                    break
                with self._lock:
                    self.received += len(d)
                c.sendall(d)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.sock.close()


def _recv_exact(sock, n, timeout=10):
    sock.settimeout(timeout)
    buf = bytearray()
    while len(buf) < n:
        d = sock.recv(n - len(buf))
        if not d:
            break
        buf += d
    return bytes(buf)


def _recv_until_closed(sock, timeout=5):
    """Bytes read until EOF or reset; (data, how) with how "eof" or "reset"."""
    sock.settimeout(timeout)
    buf = bytearray()
    while True:
        try:
            d = sock.recv(65536)
        except ConnectionResetError:
            return bytes(buf), "reset"
        if not d:
            return bytes(buf), "eof"
        buf += d


class TcpProxyTest(unittest.TestCase):
    def setUp(self):
        self.echo = _EchoServer()
        self.px = fh.TcpProxy("127.0.0.1", self.echo.port).start()
        self.addCleanup(self.echo.close)
        self.addCleanup(self.px.stop)

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.px.port), timeout=5)

    def connect_outcome(self):
        """How a new connection ends: "reset" (possibly already in connect(),
        since the RST can beat connect()'s poll) or "eof"."""
        try:
            c = self.connect()
        except ConnectionResetError:
            return "reset"
        with c:
            data, how = _recv_until_closed(c)
        self.assertEqual(data, b"")
        return how

    def test_exact_bytes_and_throughput(self):
        data = os.urandom(4 * 1024 * 1024)
        with self.connect() as c:
            threading.Thread(target=lambda: (c.sendall(data), c.shutdown(socket.SHUT_WR)),
                             daemon=True).start()
            got, how = _recv_until_closed(c, timeout=20)
        self.assertEqual(how, "eof")           # our EOF went up, the echo's came back
        self.assertTrue(got == data, "relayed bytes differ")
        self.assertEqual(self.px.bytes_up, len(data))
        self.assertEqual(self.px.bytes_down, len(data))
        self.px.wait_for(lambda p: p.connections == 0, 5)
        # Throughput: 64 MiB each way must take well under a second per 100 MB.
        n = 64 * 1024 * 1024
        chunk = b"x" * (1 << 20)
        with self.connect() as c:
            t0 = time.monotonic()
            threading.Thread(target=lambda: [c.sendall(chunk) for _ in range(n >> 20)],
                             daemon=True).start()
            got = 0
            c.settimeout(20)
            while got < n:
                got += len(c.recv(1 << 20))
            mbs = n / (time.monotonic() - t0) / 1e6
        sys.stderr.write("[proxy %.0f MB/s each way] " % mbs)
        self.assertGreater(mbs, 100)

    def test_cut_and_reconnect(self):
        c = self.connect()
        c.sendall(b"ping")
        self.assertEqual(_recv_exact(c, 4), b"ping")
        self.px.wait_for(lambda p: p.connections == 1)
        self.assertEqual(self.px.cut(), 1)
        self.assertEqual(self.px.connections, 0)
        _, how = _recv_until_closed(c)
        self.assertEqual(how, "reset")
        c.close()
        with self.connect() as c2:
            c2.sendall(b"again")
            self.assertEqual(_recv_exact(c2, 5), b"again")
        self.assertEqual(self.px.accepted, 2)
        self.assertEqual(self.px.cuts, 1)

    def test_stall_holds_then_releases(self):
        c = self.connect()
        c.sendall(b"a")
        self.assertEqual(_recv_exact(c, 1), b"a")
        self.px.stall()
        up0 = self.px.bytes_up
        c.sendall(b"held-1")
        c2 = self.connect()                       # accepted, but stalled too
        c2.sendall(b"held-2")
        for s in (c, c2):
            s.settimeout(0.4)
            with self.assertRaises(socket.timeout):
                s.recv(100)
        self.assertEqual(self.px.bytes_up, up0)
        self.assertEqual(self.px.connections, 2)
        self.px.stall(False)
        self.assertEqual(_recv_exact(c, 6), b"held-1")
        self.assertEqual(_recv_exact(c2, 6), b"held-2")
        # An EOF sent while stalled is held too, then passed on.
        self.px.stall()
        c.shutdown(socket.SHUT_WR)
        c.settimeout(0.3)
        with self.assertRaises(socket.timeout):
            c.recv(1)
        self.px.stall(False)
        self.assertEqual(_recv_until_closed(c), (b"", "eof"))
        c.close()
        c2.close()

    def test_stall_one_direction(self):
        c = self.connect()
        c.sendall(b"a")
        self.assertEqual(_recv_exact(c, 1), b"a")
        # Down held: the echo server gets the bytes, the client not its echo.
        self.px.stall(direction="down")
        up0, down0 = self.px.bytes_up, self.px.bytes_down
        c.sendall(b"went-up")
        self.px.wait_for(lambda p: p.bytes_up == up0 + 7, 5)
        c.settimeout(0.4)
        with self.assertRaises(socket.timeout):
            c.recv(100)
        self.assertEqual(self.px.bytes_down, down0)
        self.px.stall(False)
        self.assertEqual(_recv_exact(c, 7), b"went-up")
        # Up held: nothing reaches the server.
        self.px.stall(direction="up")
        up0 = self.px.bytes_up
        c.sendall(b"held")
        with self.assertRaises(socket.timeout):
            c.recv(100)
        self.assertEqual(self.px.bytes_up, up0)
        self.px.stall(False)
        self.assertEqual(_recv_exact(c, 4), b"held")
        with self.assertRaises(ValueError):
            self.px.stall(direction="sideways")
        c.close()

    def test_refuse(self):
        old = self.connect()
        self.px.refuse()
        self.assertEqual(self.connect_outcome(), "reset")   # accepted, then reset
        old.sendall(b"still")                     # existing connection untouched
        self.assertEqual(_recv_exact(old, 5), b"still")
        self.px.refuse(True, how="close")
        self.assertEqual(self.connect_outcome(), "eof")     # accepted, then closed
        self.px.refuse(True, how="unlisten")
        with self.assertRaises(ConnectionRefusedError):
            self.connect()
        self.px.refuse(False)
        with self.connect() as c:
            c.sendall(b"back")
            self.assertEqual(_recv_exact(c, 4), b"back")
        self.assertEqual(self.px.refused, 2)
        old.close()

    def test_rate_and_cut_after(self):
        self.px.set_rate(50000)
        with self.connect() as c:
            t0 = time.monotonic()
            c.sendall(b"r" * 25000)
            self.assertEqual(len(_recv_exact(c, 25000)), 25000)
            dt = time.monotonic() - t0
        self.assertGreater(dt, 0.4)               # 25 kB at 50 kB/s, each way
        self.assertLess(dt, 3.0)
        self.px.set_rate(None)
        # cut exactly after 1000 more bytes upstream; a plain close shows the cut point
        up0 = self.px.bytes_up
        self.px.cut_after(1000, direction="up", reset=False)
        self.assertTrue(self.px.cut_pending)
        with self.connect() as c:
            c.sendall(os.urandom(5000))
            got, how = _recv_until_closed(c)
        self.assertEqual(self.px.bytes_up - up0, 1000)
        self.assertLessEqual(len(got), 1000)
        self.assertFalse(self.px.cut_pending)
        self.assertEqual(self.px.cuts, 1)
        self.assertEqual(self.px.connections, 0)
        # one-shot: the next connection is not cut
        with self.connect() as c:
            c.sendall(b"z" * 3000)
            self.assertEqual(len(_recv_exact(c, 3000)), 3000)
        # reset=True (default) and direction "any"
        self.px.cut_after(100)
        with self.connect() as c:
            c.sendall(b"y" * 500)
            got, how = _recv_until_closed(c)
        self.assertEqual(how, "reset")
        self.assertEqual(self.px.cuts, 2)

    def test_peer_through_proxy(self):
        with fh.Prosody(muc=False, upload=False, proxy65=False) as p, \
                fh.TcpProxy(p.host, p.c2s_port) as px:
            p.register("paula", "pw")
            peer = fh.Peer(p.jid("paula"), "pw", host=px.listen_host, port=px.port,
                           resource="px")
            self.assertEqual(px.connections, 1)
            peer.send(peer.full_jid, "via proxy", id="px1")
            self.assertEqual(peer.wait_for({"event": "message", "id": "px1"})["body"],
                             "via proxy")
            self.assertGreater(px.bytes_up, 0)
            self.assertGreater(px.bytes_down, 0)
            px.cut()
            peer.wait_for("disconnected", timeout=10)
            peer.kill()
            again = fh.Peer(p.jid("paula"), "pw", host=px.listen_host, port=px.port)
            again.quit()
            self.assertEqual(px.accepted, 2)


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

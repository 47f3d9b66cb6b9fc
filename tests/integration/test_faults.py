#!/usr/bin/python3
"""Fault matrix: the real flint binary, a real Prosody and a slixmpp peer
exchange messages while the network, the server or Flint itself fails.

Kinds of fault:
  proxy      a TcpProxy between Flint and Prosody cuts (RST or FIN), cuts
             after a random number of bytes, stalls or slows the link at
             random points of a two-way exchange
  server     Prosody is SIGKILLed and restarted in the middle of a burst
  kill9      Flint is SIGKILLed during an incoming flood (ours sent during
             it), during an archive catch-up and during a file transfer,
             and with messages "sent" but never acknowledged (the server
             got them, or never did, or keeps no archive to tell), then
             started again

After each: every message either side sent is in Flint's history exactly
once, in the order it was sent, and in a final delivery state; messages
queued while offline reached the peer exactly once (the peer counts them);
a transfer ends failed or complete, and a partial file never has the final
name.

Random points are drawn from one seed (FLINT_FAULT_SEED, else the clock),
printed at the start so a failing run can be replayed. FLINT_FAULT_ROUNDS
sets the number of proxy rounds (default 6). A sanitizer build (FLINT_SANITIZED=1)
runs two proxy rounds and skips the killed server, the kill during a
catch-up and during a transfer (the flood runs at half size), to keep CI
time down; the whole matrix runs in the normal build."""

import hashlib
import os
import random
import sys
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp, APP_ID, OBJECT_PATH

SEED = int(os.environ.get("FLINT_FAULT_SEED") or (time.time_ns() % 1000000007))
# A sanitizer build runs a smaller matrix (the same kinds, fewer rounds).
SANITIZED = os.environ.get("FLINT_SANITIZED") == "1"
ROUNDS = int(os.environ.get("FLINT_FAULT_ROUNDS") or (2 if SANITIZED else 6))
SCALE = 2 if SANITIZED else 1
RNG = random.Random(SEED)
KINDS = (os.environ.get("FLINT_FAULT_KINDS") or "cut-reset cut-close cut-after stall slow").split()
# Counted over the whole run, printed at the end (the issue note's figures).
FAULTS = {}

# FlintDeliveryState
PENDING, SENT, ACKED, DELIVERED, READ, FAILED = 1, 2, 3, 4, 5, 6


def log(*args):
    print("[faults]", *args, file=sys.stderr, flush=True)


def count_fault(kind):
    FAULTS[kind] = FAULTS.get(kind, 0) + 1
    log("fault:", kind)


def wait_until(pred, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))


class Exchange:
    """Both sides of one conversation and what each side sent, in order."""

    def __init__(self, test, prosody, desktop, app, peer_user="bob"):
        self.test = test
        self.prosody = prosody
        self.desktop = desktop
        self.app = app
        self.alice = prosody.jid("alice")
        self.bob = prosody.jid(peer_user)
        self.peers = []          # every bob process of the run (restarts add one)
        self.from_bob = []       # bodies bob sent, in order
        self.from_flint = []     # bodies Flint was asked to send, in order
        self.queued_offline = set()  # of those, sent while Flint was offline
        self.resent = 0          # in-flight messages the peer got twice
        # Strict: every message of ours reached the peer exactly once and
        # ends acknowledged or better, none left "sent" (issue 9: after a
        # kill -9 the archive settles what XEP-0198 no longer follows).
        self.strict = False
        self.sent_at = {}        # body -> when app.send-message returned
        # When the server itself is killed: a message it had taken (in our
        # archive, so acknowledged) may die with it before it reached the
        # peer's connection. Flint rightly does not send it again (it cannot
        # tell that from a delivered one). It is not lost if the server
        # kept it in the peer's own archive too, where the peer's client
        # finds it: verify() checks that, and counts such messages.
        self.server_crash_ok = False
        self.server_lost = set()

    # ---- sending
    def flint_send(self, body, offline=False):
        """app.send-message over D-Bus, as `flint --send` does."""
        r = self.desktop.run(["gdbus", "call", "--session", "--dest", APP_ID,
                              "--object-path", OBJECT_PATH, "--method",
                              "org.gtk.Actions.Activate", "send-message",
                              "[<('%s', '%s')>]" % (self.bob, body), "{}"], timeout=20)
        self.test.assertEqual(r.returncode, 0, r.stderr)
        self.sent_at[body] = time.monotonic()
        self.from_flint.append(body)
        if offline:
            self.queued_offline.add(body)

    def bob_send(self, body, wait=True):
        self.peers[-1].command("send", wait=wait, to=self.alice, body=body)
        self.from_bob.append(body)

    def start_bob(self):
        peer = fh.Peer.start(self.prosody, "bob", "bob-pw")
        self.peers.append(peer)
        self.test.addCleanup(peer.quit)
        return peer

    # ---- what arrived
    def bob_events(self):
        events = []
        for peer in self.peers:
            events += [e for e in list(peer.events)
                       if e.get("event") == "message" and e.get("body")]
        return events

    def bob_received(self):
        return [e.get("body") for e in self.bob_events()]

    def history(self):
        return self.app.history_rows(
            "SELECT direction, body, state FROM messages WHERE conversation = ? "
            "ORDER BY time, id", (self.bob,))

    def lost_by_server(self):
        """Ours the peer lacks that the server took (acknowledged, with an
        id of our archive) before it was killed."""
        if not self.server_crash_ok:
            return set()
        got = set(self.bob_received())
        return {b for b, st, sid in self.app.history_rows(
                    "SELECT body, state, stanza_id FROM messages WHERE conversation = ? "
                    "AND direction = 1", (self.bob,))
                if b not in got and st == ACKED and sid}

    def settled(self):
        rows = self.history()
        incoming = [b for d, b, _ in rows if d == 0]
        outgoing = [(b, s) for d, b, s in rows if d == 1]
        got = self.bob_received()
        return (set(self.from_bob) <= set(incoming)
                and set(self.from_flint) <= {b for b, _ in outgoing}
                and all(s not in ((PENDING, SENT) if self.strict else (PENDING,))
                        for _, s in outgoing)
                and set(self.from_flint) - self.lost_by_server() <= set(got))

    def verify(self, what, timeout=90):
        try:
            return self._verify(what, timeout)
        except AssertionError:
            self.report(what)
            raise

    def _verify(self, what, timeout):
        wait_until(self.settled, timeout, "everything delivered (%s)" % what, 0.25)
        time.sleep(1.5)   # anything that would arrive twice arrives now
        rows = self.history()
        incoming = [b for d, b, _ in rows if d == 0]
        outgoing = [b for d, b, _ in rows if d == 1]
        states = {b: s for d, b, s in rows if d == 1}
        msg = "%s (seed %d)" % (what, SEED)
        # Exactly once, in the order sent.
        self.test.assertEqual(incoming, self.from_bob, "incoming history: " + msg)
        self.test.assertEqual(outgoing, self.from_flint, "outgoing history: " + msg)
        # Went out exactly once: what was queued while offline, once on the
        # wire; what was in flight when the server or the link died may
        # be sent again (the server never acknowledged it), with the same
        # origin-id, which receivers (Flint too) take as one message.
        got = [(e.get("body"), e.get("origin_id")) for e in self.bob_events()
               if e.get("body") in set(self.from_flint)]
        self.server_lost = self.lost_by_server()
        if self.server_lost:
            archived = set(self.peers[-1].command(
                "archive_bodies", timeout=30, **{"with": self.alice})["bodies"])
            self.test.assertEqual(sorted(self.server_lost - archived), [],
                                  "taken by the server, yet neither delivered nor in the "
                                  "peer's archive: " + msg)
        self.test.assertEqual(sorted({b for b, _ in got}),
                              sorted(set(self.from_flint) - self.server_lost),
                              "peer got: " + msg)
        self.resent = 0
        for body in self.from_flint:
            if body in self.server_lost:
                continue
            copies = [o for b, o in got if b == body]
            if body in self.queued_offline or self.strict:
                self.test.assertEqual(len(copies), 1, "%r sent %d times: %s"
                                      % (body, len(copies), msg))
            self.test.assertEqual(len(set(copies)), 1, "%r: one origin-id: %s" % (body, msg))
            self.resent += len(copies) - 1
        # Final states: sent at least; never failed; the peer's receipts
        # make most of them delivered.
        final = (ACKED, DELIVERED, READ) if self.strict else (SENT, ACKED, DELIVERED, READ)
        bad = {b: s for b, s in states.items() if s not in final}
        self.test.assertEqual(bad, {}, "delivery states: " + msg)
        delivered = sum(1 for s in states.values() if s in (DELIVERED, READ))
        log("%s: %d in, %d out (%d delivered, %d in-flight resent%s), all once and in order"
            % (what, len(incoming), len(outgoing), delivered, self.resent,
               ", %d taken by the server, not delivered in its crash but in the peer's "
               "archive: %s"
               % (len(self.server_lost), sorted(self.server_lost)) if self.server_lost else ""))
        return delivered

    def report(self, what):
        rows = self.history()
        log("FAILED %s; seed %d" % (what, SEED))
        log("bob sent %d, history has %d incoming" % (
            len(self.from_bob), sum(1 for r in rows if r[0] == 0)))
        log("missing incoming:", [b for b in self.from_bob
                                  if b not in {r[1] for r in rows if r[0] == 0}][:20])
        log("outgoing states:", [(r[1], r[2]) for r in rows if r[0] == 1][-30:])
        log("rows:", self.app.history_rows(
            "SELECT direction, body, state, time, local_time, stanza_id, message_id "
            "FROM messages WHERE conversation = ? ORDER BY time, id", (self.bob,))[-40:])
        got = self.bob_received()
        log("not at peer:", [b for b in self.from_flint if b not in set(got)][:20])
        path = os.path.join(fh.artifact_dir(), "faults-flint-%d.log" % SEED)
        with open(path, "w") as f:
            f.write(self.app.log_text())
        log("flint's log:", path)


class FaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        log("seed %d, %d proxy rounds" % (SEED, ROUNDS))

    @classmethod
    def tearDownClass(cls):
        log("fault runs survived: %s (total %d)"
            % (", ".join("%s %d" % kv for kv in sorted(FAULTS.items())), sum(FAULTS.values())))

    def start_world(self, via_proxy=False, **prosody_args):
        prosody = fh.Prosody(**prosody_args)
        prosody.start()
        self.addCleanup(prosody._cleanup)
        prosody.register("alice", "alice-pw")
        prosody.register("bob", "bob-pw")
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        proxy = None
        port = prosody.c2s_port
        if via_proxy:
            proxy = fh.TcpProxy(prosody.host, prosody.c2s_port).start()
            self.addCleanup(proxy.stop)
            port = proxy.port
        app = FlintApp(desktop)
        if os.environ.get("FLINT_DEBUG_STROPHE"):
            start = app.start
            app.start = lambda env=None, args=(): start(
                env=dict(env or {}, FLINT_DEBUG_STROPHE="1"), args=args)
        self.addCleanup(app.stop)
        app.run(["--add-account", prosody.jid("alice"), "--host", "127.0.0.1",
                 "--port", str(port), "--trust-cert-sha256", prosody.cert_sha256],
                input="alice-pw\n")
        return prosody, desktop, proxy, app

    def kill9(self, app):
        app.proc.kill()
        app.proc.wait(10)
        app.proc = None

    # ---- (a) the network fails under a two-way exchange ----------------
    def test_proxy_faults(self):
        prosody, desktop, proxy, app = self.start_world(via_proxy=True)
        app.start()
        app.wait_state("online", timeout=60)
        ex = Exchange(self, prosody, desktop, app)
        ex.start_bob()
        n = 0
        for rnd in range(ROUNDS):
            kind = RNG.choice(KINDS)
            before = RNG.randint(0, 4)
            during = RNG.randint(1, 5)
            log("round %d: %s after %d messages each way" % (rnd, kind, before))
            for _ in range(before):
                n += 1
                ex.flint_send("a%d" % n)
                ex.bob_send("b%d" % n)
            accepted = proxy.accepted
            if kind == "cut-reset":
                proxy.cut(reset=True)
            elif kind == "cut-close":
                proxy.cut(reset=False)
            elif kind == "cut-after":
                proxy.cut_after(RNG.randint(0, 3000), RNG.choice(["any", "up", "down"]),
                                reset=RNG.random() < 0.5)
            elif kind == "stall":
                proxy.stall(True)
            else:
                proxy.set_rate(RNG.choice([64, 256, 1024]))
            for _ in range(during):
                n += 1
                ex.flint_send("a%d" % n)
                ex.bob_send("b%d" % n)
            time.sleep(RNG.uniform(0.0, 2.0))
            if kind == "stall":
                proxy.stall(False)
            elif kind == "slow":
                time.sleep(RNG.uniform(0.0, 2.0))
                proxy.set_rate(None)
            elif kind == "cut-after" and proxy.cut_pending:
                # Not enough traffic to reach the point: cut now.
                proxy.cut_after(None)
                proxy.cut(reset=True)
            count_fault("proxy-" + kind)
            if kind.startswith("cut"):
                proxy.wait_for(lambda px: px.accepted > accepted, timeout=60)
            app.wait_state("online", timeout=60)
            ex.verify("proxy round %d (%s)" % (rnd, kind))

    # ---- (b) the server dies and comes back -----------------------------
    def test_server_killed_and_restarted(self):
        if SANITIZED:
            self.skipTest("runs in the normal build")
        prosody, desktop, _, app = self.start_world()
        app.start()
        app.wait_state("online", timeout=60)
        ex = Exchange(self, prosody, desktop, app)
        ex.server_crash_ok = True
        ex.strict = True
        ex.start_bob()
        for i in range(5):
            ex.flint_send("before %d" % i)
            ex.bob_send("bob before %d" % i)
        ex.verify("server: before the kill")
        # Kill in the middle of a burst from Flint: some of it reached the
        # server, some may be in Flint's socket.
        cut = RNG.randint(1, 9)
        for i in range(10):
            if i == cut:
                prosody.kill()
                count_fault("server-kill9")
            ex.flint_send("burst %d" % i)
        app.wait_for(lambda d: d.get("state") != "online", timeout=30)
        for i in range(3):
            ex.flint_send("while down %d" % i, offline=True)
        ex.peers[-1].kill()
        prosody.start()
        ex.start_bob()
        app.wait_state("online", timeout=90)
        for i in range(5):
            ex.flint_send("after %d" % i)
            ex.bob_send("bob after %d" % i)
        ex.verify("server killed after %d of a burst of 10" % cut)

    # ---- (c) Flint is killed ---------------------------------------------
    def test_kill9_during_flood(self):
        prosody, desktop, _, app = self.start_world()
        app.start()
        app.wait_state("online", timeout=60)
        ex = Exchange(self, prosody, desktop, app)
        ex.start_bob()
        ex.strict = True
        total = 400 // SCALE
        kill_at = RNG.randint(50 // SCALE, 300 // SCALE)
        # Ours go out during the flood: those the kill leaves "sent" and
        # unacknowledged are settled after the restart by the archive.
        for i in range(total):
            if i % 40 == 0 and i < kill_at:
                ex.flint_send("mine %d" % i)
            if i == kill_at:
                self.kill9(app)
                count_fault("flint-kill9-flood")
            ex.bob_send("flood %d" % i, wait=False)
        ex.peers[-1].command("ping")  # the flood has left bob
        # What the kill left to settle: ours not acknowledged, and which of
        # them the server had passed on.
        at_peer = set(ex.bob_received())
        lag = {e["body"]: round(e["_t"] - ex.sent_at[e["body"]], 3) for e in ex.bob_events()
               if e.get("body") in ex.sent_at}
        log("from app.send-message to the peer during the flood (s): %s" % lag)
        left = [(b, st, b in at_peer) for d, b, st in ex.history() if d == 1 and st < ACKED]
        log("at the kill: %d of ours at the peer; left unacknowledged (body, state, at "
            "peer): %s" % (len(at_peer & set(ex.from_flint)), left))
        app.start()
        app.wait_state("online", timeout=90)
        ex.verify("kill -9 after %d of a %d-message flood" % (kill_at, total), timeout=120)

    # ---- (d) killed with messages "sent" and never acknowledged --------
    def unacked_then_kill9(self, server_gets_them):
        """Flint sends three messages through a proxy that holds the server's
        answers (the server gets them, the acknowledgements never come back)
        or holds Flint's bytes (the server never gets them), then is killed.
        After the restart each reaches the peer exactly once and ends
        acknowledged (or delivered): the archive tells which ones the server
        had; the others go out again."""
        prosody, desktop, proxy, app = self.start_world(via_proxy=True)
        app.start()
        app.wait_state("online", timeout=60)
        ex = Exchange(self, prosody, desktop, app)
        ex.strict = True
        bob = ex.start_bob()
        if server_gets_them:
            # An archived message stored before ours: the archive is read
            # from its id rather than from a time.
            ex.bob_send("hello first")
            ex.verify("before the stall")
        proxy.stall(direction="down" if server_gets_them else "up")
        mine = ["unacked %d" % i for i in range(3)]
        for body in mine:
            ex.flint_send(body)
        if server_gets_them:
            wait_until(lambda: set(mine) <= set(ex.bob_received()), 30,
                       "our messages at the peer")
        else:
            up = proxy.bytes_up
            time.sleep(1.0)
            self.assertEqual(proxy.bytes_up, up, "bytes passed a stalled proxy")
            bob.expect_none(lambda e: e.get("event") == "message"
                            and e.get("body") in mine, within=0.5)
        # The situation of issue 9: "sent", never acknowledged.
        states = {b: st for d, b, st in ex.history() if d == 1}
        self.assertEqual([states.get(b) for b in mine], [SENT] * 3, states)
        self.kill9(app)
        count_fault("flint-kill9-unacked-" + ("server-got" if server_gets_them
                                              else "server-never-got"))
        # Whatever the proxy held dies with the connection.
        proxy.cut(reset=True)
        proxy.stall(False)
        app.start(env={"G_MESSAGES_DEBUG": "flint-chat flint-mam"})
        app.wait_state("online", timeout=90)
        ex.verify("kill -9 with 3 unacknowledged messages the server %s"
                  % ("got" if server_gets_them else "never got"))
        log_text = app.log_text()
        if server_gets_them:
            self.assertIn("is in the archive: the server got it", log_text)
        else:
            self.assertIn("never reached the server: sending it again", log_text)

    def test_kill9_unacked_server_got_them(self):
        self.unacked_then_kill9(True)

    def test_kill9_unacked_server_never_got_them(self):
        self.unacked_then_kill9(False)

    # ---- (e) no archive to ask: failed, then sent again by the user -------
    def test_kill9_unacked_no_archive(self):
        """A server without an archive (no mod_mam; XEP-0198 on): Flint is
        killed with two messages "sent" that never reached the server.
        After the restart nothing can tell whether the server got them, so
        both are marked failed, not sent again, and their rows in the
        conversation show it with a Send Again button. That button's
        action (chat.resend, as the button fires it) sends one again, with
        the same ids; the peer gets it exactly once and it ends acknowledged
        or delivered; the other stays failed across a restart (dark style)
        until it too is sent again."""
        prosody, desktop, proxy, app = self.start_world(
            via_proxy=True, extra_global='modules_disabled = { "s2s", "dialback", "mam" }')
        app.start()
        app.wait_state("online", timeout=60)
        ex = Exchange(self, prosody, desktop, app)
        bob = ex.start_bob()
        ex.bob_send("hello without an archive")
        wait_until(lambda: "hello without an archive" in
                   [b for d, b, _ in ex.history() if d == 0], 30, "bob's message")
        proxy.stall(direction="up")
        mine = ["no archive %d" % i for i in range(2)]
        for body in mine:
            ex.flint_send(body)
        wait_until(lambda: [st for d, b, st in ex.history() if d == 1 and b in mine]
                   == [SENT] * 2, 30, "both sent")
        bob.expect_none(lambda e: e.get("event") == "message" and e.get("body") in mine,
                        within=0.5)
        self.kill9(app)
        count_fault("flint-kill9-unacked-no-archive")
        proxy.cut(reset=True)
        proxy.stall(False)

        app.start(env={"G_MESSAGES_DEBUG": "flint-chat"})
        app.wait_state("online", timeout=90)
        states = lambda: {b: st for d, b, st in ex.history() if d == 1}
        wait_until(lambda: all(states().get(b) == FAILED for b in mine), 30,
                   "both failed: %r" % states())
        self.assertIn("no archive tells whether the server got it: failed", app.log_text())
        # Not sent again on their own.
        bob.expect_none(lambda e: e.get("event") == "message" and e.get("body") in mine,
                        within=1.0)

        def failed_rows(dump):
            tabs = [t for t in dump.get("tabs", []) if t.get("jid") == ex.bob]
            return tabs[0].get("failed") if tabs else None

        self.activate(desktop, "open-chat", "'%s'" % ex.bob)
        dump = app.wait_for(lambda d: [r["body"] for r in failed_rows(d) or []] == mine,
                            timeout=30, what="both rows shown as failed")
        ids = {r["body"]: r["id"] for r in failed_rows(dump)}
        time.sleep(1.5)  # the tab's transition has ended
        desktop.screenshot("faults-failed-light.png")

        def send_again(body):
            self.activate(desktop, "test-activate", "'chat.resend|%s'" % ids[body])
            got = bob.wait_for(lambda e: e.get("event") == "message"
                               and e.get("body") == body, timeout=30)
            self.assertEqual(got.get("origin_id"), ids[body], got)
            wait_until(lambda: states().get(body) in (ACKED, DELIVERED, READ), 30,
                       "%r acknowledged: %r" % (body, states()))
            bob.expect_none(lambda e: e.get("event") == "message"
                            and e.get("body") == body, within=1.5)

        send_again(mine[0])
        app.wait_for(lambda d: [r["body"] for r in failed_rows(d) or []] == mine[1:],
                     timeout=30, what="only the other row failed")
        self.assertEqual(states()[mine[1]], FAILED)

        # Still failed after a restart, and shown so in the dark style.
        app.stop()
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"})
        app.wait_state("online", timeout=90)
        self.activate(desktop, "open-chat", "'%s'" % ex.bob)
        app.wait_for(lambda d: d.get("dark") and
                     [r["body"] for r in failed_rows(d) or []] == mine[1:],
                     timeout=30, what="the failed row after a restart")
        time.sleep(1.0)
        desktop.screenshot("faults-failed-dark.png")
        send_again(mine[1])
        app.wait_for(lambda d: failed_rows(d) == [], timeout=30, what="no failed row")
        # Each of ours reached the peer exactly once, in order, in history once.
        self.assertEqual([b for b in ex.bob_received() if b in mine], mine)
        self.assertEqual([b for d, b, _ in ex.history() if d == 1], mine)
        # The rows' button names its action only with a target (GTK warns
        # on every row bound otherwise).
        self.assertNotIn("parameter type mismatch", app.log_text())
        log("no archive: %d failed after kill -9, each sent again once by the user" % len(mine))

    def test_kill9_during_catch_up(self):
        if SANITIZED:
            self.skipTest("runs in the normal build")
        prosody, desktop, _, app = self.start_world()
        app.start()
        app.wait_state("online", timeout=60)
        ex = Exchange(self, prosody, desktop, app)
        ex.start_bob()
        ex.bob_send("online first")
        ex.verify("catch-up: first message")
        app.stop()
        total = 600 // SCALE
        for i in range(total):
            ex.bob_send("archived %d" % i, wait=False)
        ex.peers[-1].command("ping")
        app.start()
        # Kill once part of the archive is stored.
        target = RNG.randint(1, total // 2)
        count = lambda: app.history_rows(
            "SELECT count(*) FROM messages WHERE body LIKE 'archived %'")[0][0]
        got = wait_until(lambda: count() >= target and count(), 90,
                         "%d archived messages stored" % target, 0.02)
        self.kill9(app)
        count_fault("flint-kill9-catch-up")
        log("killed with %d of %d archived messages stored" % (got, total))
        app.start()
        app.wait_state("online", timeout=90)
        ex.verify("kill -9 during the catch-up at %d of %d" % (got, total), timeout=120)

    def test_kill9_during_transfer(self):
        if SANITIZED:
            self.skipTest("runs in the normal build")
        prosody, desktop, _, app = self.start_world()
        folder = desktop.download_folder()
        app.start()
        me = app.wait_state("online", timeout=60)["bound_jid"]
        ex = Exchange(self, prosody, desktop, app)
        bob = ex.start_bob()
        size = 3000000 // SCALE
        bob.command("si_send_file", wait=False, to=me, name="report.bin", size=size, seed=5,
                    method="ibb")
        offer = app.wait_for(lambda d: [t for t in d.get("transfers", [])
                                        if t["name"] == "report.bin"
                                        and t["state"] == "offered"],
                             timeout=30, what="the offer")
        tid = [t for t in offer["transfers"] if t["name"] == "report.bin"][0]["id"]
        self.activate(desktop, "transfer-accept", "uint32 %d" % tid)
        # Kill at a random point of the transfer.
        cut = RNG.randint(1, size // 2)
        dump = app.wait_for(lambda d: any(t["id"] == tid and (t["done"] >= cut or t["state"]
                                                             in ("complete", "failed"))
                                          for t in d.get("transfers", [])),
                            timeout=60, what="%d bytes received" % cut)
        done = [t for t in dump["transfers"] if t["id"] == tid][0]
        self.assertEqual(done["state"], "active", done)
        self.kill9(app)
        count_fault("flint-kill9-transfer")
        log("killed at %d of %d bytes" % (done["done"], size))

        def check_folder(when):
            names = os.listdir(folder)
            # Never a partial file under the final name: a .part, or nothing.
            self.assertNotIn("report.bin", names, "%s: %r" % (when, names))
            for name in names:
                self.assertTrue(name.endswith(".part"), "%s: %r" % (when, names))
        check_folder("after kill -9")
        app.start()
        dump = app.wait_state("online", timeout=90)
        bob.wait_for(lambda e: e.get("cmd") == "si_send_file"
                     and e.get("event") in ("done", "error"), timeout=60)
        check_folder("after the restart")
        self.assertFalse([t for t in dump.get("transfers", [])
                          if t["name"] == "report.bin" and t["state"] not in
                          ("failed", "cancelled", "declined")], dump.get("transfers"))

        # The same file again, to the end: byte for byte under its name.
        data = random.Random(5).randbytes(size)
        bob.command("si_send_file", wait=False, to=me, name="report.bin", size=size, seed=5,
                    method="socks5-direct")
        offer = app.wait_for(lambda d: [t for t in d.get("transfers", [])
                                        if t["name"] == "report.bin"
                                        and t["state"] == "offered"],
                             timeout=30, what="the second offer")
        tid = [t for t in offer["transfers"] if t["name"] == "report.bin"][0]["id"]
        self.activate(desktop, "transfer-accept", "uint32 %d" % tid)
        dump = app.wait_for(lambda d: any(t["id"] == tid and t["state"] in ("complete", "failed")
                                          for t in d.get("transfers", [])),
                            timeout=90, what="the second transfer")
        got = [t for t in dump["transfers"] if t["id"] == tid][0]
        self.assertEqual(got["state"], "complete", got)
        with open(got["path"], "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(),
                             hashlib.sha256(data).hexdigest())
        log("transfer after kill -9: %s complete and intact; folder %s"
            % (os.path.basename(got["path"]), sorted(os.listdir(folder))))

    def activate(self, desktop, action, param):
        r = desktop.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path",
                         OBJECT_PATH, "--method", "org.gtk.Actions.Activate", action,
                         "[<%s>]" % param, "{}"], timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)

if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""File transfers in the conversation's timeline (issue 6), with the real
app, a real Prosody and a slixmpp peer: an SI offer is a row of the
conversation between the messages around it, accepted from its card, then
offering Open and Show in Folder; a running transfer shows its progress and
Cancel; after a restart the same rows are there (once each) from history,
Open still offered. An XEP-0066 link whose body is not the URL keeps its
file card across a restart; a thumbnail that loads while the conversation is
at the bottom keeps it at the bottom."""

import hashlib
import os
import random
import struct
import time
import unittest
import zlib

import flint_harness as fh
from flint_app import FlintApp


def test_bytes(n, seed):
    return random.Random(seed).randbytes(n)


def write_png(path, width, height):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\x00" + b"".join(bytes((x % 256, y % 256, 160))
                                        for x in range(width))
                    for y in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class TimelineTest(unittest.TestCase):
    def start_app(self, prosody, desktop, scheme, add=True):
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        if add:
            app.add_account(prosody, "alice", "alice-pw")
        # The transfers' debug lines: a failure's log tail shows which side stopped.
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": scheme, "G_MESSAGES_DEBUG": "flint-transfers"})
        dump = app.wait_state("online", timeout=90)
        return app, dump["bound_jid"]

    def setup_world(self, prosody, desktop, scheme):
        prosody.register("alice", "alice-pw")
        prosody.register("bob", "bob-pw")
        self.folder = desktop.download_folder()
        app, me = self.start_app(prosody, desktop, scheme)
        bob = fh.Peer.start(prosody, "bob", "bob-pw", resource="peer")
        self.addCleanup(bob.quit)
        self.addCleanup(bob.report)
        return app, bob, me

    def cards(self, dump, jid, name=None, url=None):
        tabs = [t for t in dump.get("tabs", []) if t["jid"] == jid]
        return [c for c in (tabs[0].get("transfers", []) if tabs else [])
                if (name is None or c["name"] == name) and (url is None or c["url"] == url)]

    def tab(self, dump, jid):
        return [t for t in dump.get("tabs", []) if t["jid"] == jid][0]

    def timeline(self, scheme):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            app, bob, me = self.setup_world(prosody, desktop, scheme)
            bob_jid = prosody.jid("bob")
            app.activate("open-chat", "'%s'" % bob_jid)
            bob.command("send", to=me, body="Here is the report")
            app.wait_for(lambda d: self.tab(d, bob_jid)["messages"] >= 1, timeout=20,
                         what="first message")

            # The offer (in-band, IBB) is a row of the conversation with
            # Accept, Save As and Decline.
            bob.command("si_send_file", wait=False, to=me, name="Report 2027.pdf",
                        size=150000, seed=5, method="ibb")
            dump = app.wait_for(lambda d: self.cards(d, bob_jid, "Report 2027.pdf"),
                                timeout=20, what="offer row")
            card = self.cards(dump, bob_jid, "Report 2027.pdf")[0]
            self.assertTrue(card["transfer"])
            self.assertEqual(card["buttons"], ["accept", "save-as", "decline"])
            self.assertIn("kB", card["details"])
            self.assertEqual(self.tab(dump, bob_jid)["messages"], 2)

            # Accepted from the card's action: it follows the transfer to the
            # end and then offers Open and Show in Folder.
            app.activate("transfer-accept", "uint32 %d" % card["id"])
            dump = app.wait_for(
                lambda d: [c for c in self.cards(d, bob_jid, "Report 2027.pdf")
                           if c["buttons"] == ["open", "show"]],
                timeout=30, what="received row")
            saved = os.path.join(self.folder, "Report 2027.pdf")
            with open(saved, "rb") as f:
                self.assertEqual(hashlib.md5(f.read()).hexdigest(),
                                 hashlib.md5(test_bytes(150000, 5)).hexdigest())
            bob.command("send", to=me, body="Thanks!")

            # A transfer on its way: progress and Cancel (the sender stops
            # after 300 kB and waits).
            bob.command("si_send_file", wait=False, to=me, name="Site walk.mkv",
                        size=3000000, seed=7, method="socks5-direct",
                        pause_after=300000)
            dump = app.wait_for(lambda d: self.cards(d, bob_jid, "Site walk.mkv"),
                                timeout=20, what="second offer")
            running = self.cards(dump, bob_jid, "Site walk.mkv")[0]
            app.activate("transfer-accept", "uint32 %d" % running["id"])
            dump = app.wait_for(
                lambda d: [c for c in self.cards(d, bob_jid, "Site walk.mkv")
                           if c["progress"] and "of" in c["details"]],
                timeout=30, what="running row")
            self.assertEqual(self.cards(dump, bob_jid, "Site walk.mkv")[0]["buttons"],
                             ["cancel"])
            time.sleep(1.0)
            desktop.screenshot("timeline-transfers-%s.png" % scheme)
            app.activate("transfer-cancel", "uint32 %d" % running["id"])
            dump = app.wait_for(
                lambda d: [c for c in self.cards(d, bob_jid, "Site walk.mkv")
                           if c["details"] == "Cancelled"],
                timeout=20, what="cancelled row")

            # Exactly one row per transfer, in the order of the story.
            self.assertEqual(len(self.cards(dump, bob_jid, "Report 2027.pdf")), 1)
            self.assertEqual(len(self.cards(dump, bob_jid, "Site walk.mkv")), 1)
            self.assertEqual(self.tab(dump, bob_jid)["messages"], 4)
            rows = app.history_rows(
                "SELECT kind, body FROM messages WHERE conversation = ? ORDER BY time, id",
                (bob_jid,))
            self.assertEqual([tuple(r) for r in rows],
                             [(0, "Here is the report"), (3, "Report 2027.pdf"),
                              (0, "Thanks!"), (3, "Site walk.mkv")])
            app.stop()

            # After a restart the rows come from history: still once each,
            # Open still offered for the file that is there.
            app, me = self.start_app(prosody, desktop, scheme, add=False)
            app.activate("open-chat", "'%s'" % bob_jid)
            dump = app.wait_for(
                lambda d: [c for c in self.cards(d, bob_jid, "Report 2027.pdf")
                           if c["buttons"] == ["open", "show"]]
                and self.cards(d, bob_jid, "Site walk.mkv"),
                timeout=30, what="rows after restart")
            self.assertEqual(len(self.cards(dump, bob_jid, "Report 2027.pdf")), 1)
            self.assertIn("Received", self.cards(dump, bob_jid, "Report 2027.pdf")[0]["details"])
            late = self.cards(dump, bob_jid, "Site walk.mkv")
            self.assertEqual(len(late), 1)
            self.assertEqual(late[0]["details"], "Cancelled")
            self.assertEqual(late[0]["buttons"], [])
            self.assertEqual(self.tab(dump, bob_jid)["messages"], 4)

    def test_timeline_light(self):
        self.timeline("prefer-light")

    def test_timeline_dark(self):
        self.timeline("prefer-dark")

    def upload_url(self, app, bob, prosody, desktop, name, make):
        src = os.path.join(desktop.env["HOME"], name)
        make(src)
        app.activate("test-send-file",
                      "'%s|%s|%s'" % (prosody.jid("alice"), prosody.jid("bob"), src))
        msg = bob.wait_for(lambda e: e.get("event") == "message" and
                           (e.get("body") or "").endswith(name.replace(" ", "%20")),
                           timeout=30)
        return msg["body"]

    def test_upload_is_one_row(self):
        """An HTTP upload's link goes out as the upload's own row: one card,
        no link message beside it; Bob gets the URL with OOB."""
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            app, bob, me = self.setup_world(prosody, desktop, "prefer-light")
            bob_jid = prosody.jid("bob")
            app.activate("open-chat", "'%s'" % bob_jid)

            def text(path):
                with open(path, "w") as f:
                    f.write("Minutes\n" * 500)
            url = self.upload_url(app, bob, prosody, desktop, "minutes.txt", text)
            dump = app.wait_for(
                lambda d: [c for c in self.cards(d, bob_jid, "minutes.txt")
                           if "Sent" in c["details"]],
                timeout=20, what="sent row")
            self.assertEqual(len(self.cards(dump, bob_jid)), 1)
            self.assertEqual(self.tab(dump, bob_jid)["messages"], 1)
            rows = app.history_rows(
                "SELECT kind, body, file FROM messages WHERE conversation = ?", (bob_jid,))
            self.assertEqual(len(rows), 1)
            self.assertEqual(rows[0][0], 3)
            self.assertEqual(rows[0][1], "minutes.txt")
            self.assertIn(url, rows[0][2])

            # Over the server's upload limit (16 MiB here): the send fails,
            # its row offers Retry, and still does after a restart (the
            # file is still there to send again).
            big = os.path.join(desktop.env["HOME"], "scan.pdf")
            with open(big, "wb") as f:
                f.truncate(17 * 1024 * 1024)
            app.activate("test-send-file",
                          "'%s|%s|%s'" % (prosody.jid("alice"), bob_jid, big))
            dump = app.wait_for(
                lambda d: [c for c in self.cards(d, bob_jid, "scan.pdf")
                           if c["details"].startswith("Failed")],
                timeout=30, what="refused upload row")
            self.assertEqual(self.cards(dump, bob_jid, "scan.pdf")[0]["buttons"], ["retry"])
            app.stop()
            app, me = self.start_app(prosody, desktop, "prefer-light", add=False)
            app.activate("open-chat", "'%s'" % bob_jid)
            dump = app.wait_for(lambda d: self.cards(d, bob_jid, "scan.pdf") and
                                self.cards(d, bob_jid, "minutes.txt"),
                                timeout=30, what="rows after restart")
            failed = self.cards(dump, bob_jid, "scan.pdf")
            self.assertEqual(len(failed), 1)
            self.assertTrue(failed[0]["details"].startswith("Failed"), failed)
            self.assertEqual(failed[0]["buttons"], ["retry"])
            sent = self.cards(dump, bob_jid, "minutes.txt")
            self.assertEqual(len(sent), 1)
            self.assertIn("Sent", sent[0]["details"])
            self.assertEqual(self.tab(dump, bob_jid)["messages"], 2)

    def test_oob_link_survives_restart(self):
        """A link sent as XEP-0066 OOB beside a text body: the card shows, and
        is still there after a restart (history keeps the OOB data)."""
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            app, bob, me = self.setup_world(prosody, desktop, "prefer-light")
            bob_jid = prosody.jid("bob")
            app.activate("open-chat", "'%s'" % bob_jid)
            url = "http://%s:%d/no-such-upload/slides.odp" % (prosody.host,
                                                              prosody.http_port)
            bob.command("send", to=me, body="The slides from today", oob=url,
                        oob_desc="Slides")
            app.wait_for(lambda d: self.cards(d, bob_jid, url=url), timeout=20,
                         what="OOB card")
            # A download pending at exit.
            app.activate("transfer-download-link", "('%s', '%s')" % (bob_jid, url))
            app.stop()
            app, me = self.start_app(prosody, desktop, "prefer-light", add=False)
            app.activate("open-chat", "'%s'" % bob_jid)
            dump = app.wait_for(lambda d: self.cards(d, bob_jid, url=url), timeout=20,
                                what="OOB card after restart")
            card = self.cards(dump, bob_jid, url=url)[0]
            self.assertEqual(card["name"], "slides.odp")
            self.assertEqual(self.tab(dump, bob_jid)["messages"], 1)

    def test_thumbnail_keeps_bottom(self):
        """A thumbnail that loads while the view is at the bottom grows its
        row; the view follows, the end stays in sight."""
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            app, bob, me = self.setup_world(prosody, desktop, "prefer-light")
            bob_jid = prosody.jid("bob")
            app.activate("open-chat", "'%s'" % bob_jid)
            url = self.upload_url(app, bob, prosody, desktop, "Site plan.png",
                                  lambda p: write_png(p, 480, 300))
            for i in range(30):
                bob.command("send", to=me, body="Line %d of the minutes" % i)
            app.wait_for(lambda d: self.tab(d, bob_jid)["messages"] >= 31 and
                         self.tab(d, bob_jid)["scroll_gap"] == 0,
                         timeout=30, what="at the bottom")
            bob.command("send", to=me, body=url)
            app.wait_for(lambda d: [c for c in self.cards(d, bob_jid, url=url)
                                    if c["thumbnail"]],
                         timeout=30, what="thumbnail")
            # The dump answers between frames: the end is in sight once the
            # card at the bottom is mapped and the view is at its end.
            def at_end(d):
                card = self.cards(d, bob_jid, url=url)
                return card and card[0]["mapped"] and self.tab(d, bob_jid)["scroll_gap"] == 0
            try:
                dump = app.wait_for(at_end, timeout=15, what="the thumbnail row in sight")
            finally:
                desktop.screenshot("timeline-thumbnail-bottom.png")
            self.assertTrue(self.cards(dump, bob_jid, url=url)[0]["thumbnail"])


if __name__ == "__main__":
    unittest.main(verbosity=2)

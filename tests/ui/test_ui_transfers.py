#!/usr/bin/python3
"""File transfers in the real app (issue 6): an incoming XEP-0096 offer from
a slixmpp peer shows in the transfer window, is accepted through the same
app action as the notification's Accept button, and lands byte for byte in
the download folder from GSettings; a hostile sender ends as a failed row
with a message and no file; a file sent to a contact whose client has no SI
goes by HTTP upload and its link arrives as a message the contact can
fetch. Screenshots of the transfer window in light and dark."""

import hashlib
import os
import shutil
import struct
import subprocess
import zlib
import random
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


def test_bytes(n, seed):
    return random.Random(seed).randbytes(n)


def write_png(path, width, height):
    """A plain RGB PNG with a gradient, written without any image library."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\x00" + b"".join(bytes((x % 256, y % 256, 128))
                                        for x in range(width))
                    for y in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# A stand-in file manager on the test session bus: answers ShowItems and
# writes the URIs it was asked to show to argv[1].
FAKE_FILE_MANAGER = r"""
import sys
from gi.repository import Gio, GLib
XML = ('<node><interface name="org.freedesktop.FileManager1">'
       '<method name="ShowItems"><arg type="as" direction="in"/>'
       '<arg type="s" direction="in"/></method></interface></node>')
def call(conn, sender, path, iface, method, params, inv):
    with open(sys.argv[1], "a") as f:
        f.write("".join(u + "\n" for u in params.unpack()[0]))
    inv.return_value(None)
def acquired(conn, name):
    conn.register_object("/org/freedesktop/FileManager1",
                         Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0], call)
    print("ready", flush=True)
Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.FileManager1",
                 Gio.BusNameOwnerFlags.NONE, None, acquired, None)
GLib.MainLoop().run()
"""


class TransferWindowTest(unittest.TestCase):
    def start(self, prosody, desktop, scheme):
        folder = desktop.download_folder()
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(prosody, "alice", "alice-pw")
        # The transfers' debug lines: a failure's log tail shows which side stopped.
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": scheme, "G_MESSAGES_DEBUG": "flint-transfers"})
        # Generous: SCRAM under ASan on a loaded machine takes its time.
        dump = app.wait_state("online", timeout=90)
        bob = fh.Peer.start(prosody, "bob", "bob-pw", resource="peer")
        self.addCleanup(bob.quit)
        self.addCleanup(bob.report)
        return app, bob, folder, dump["bound_jid"]

    def offered(self, app, name):
        def pred(d):
            return [t for t in d.get("transfers", [])
                    if t["name"] == name and t["state"] == "offered"]
        return app.wait_for(pred, timeout=20, what="offer of " + name)

    def transfer(self, dump, tid):
        return [t for t in dump["transfers"] if t["id"] == tid][0]

    def test_receive_fail_and_upload(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app, bob, folder, me = self.start(prosody, desktop, "prefer-light")

            # An offer: shown in the window with Accept and Decline.
            bob.command("si_send_file", wait=False, to=me, name="Quarterly report.pdf",
                        size=200000, seed=3, method="socks5-direct", desc="Q3 figures")
            dump = self.offered(app, "Quarterly report.pdf")
            offer = [t for t in dump["transfers"] if t["name"] == "Quarterly report.pdf"][0]
            self.assertEqual(offer["direction"], "incoming")
            self.assertEqual(offer["size"], 200000)
            app.activate("show-transfers")
            time.sleep(1.0)
            desktop.screenshot("transfers-offer-light.png")

            # Accept (the notification's button runs the same action).
            app.activate("transfer-accept", "uint32 %d" % offer["id"])
            dump = app.wait_for(
                lambda d: self.transfer(d, offer["id"])["state"] in ("complete", "failed"),
                timeout=30, what="received")
            got = self.transfer(dump, offer["id"])
            self.assertEqual(got["state"], "complete", got)
            self.assertEqual(got["method"], "socks5")
            self.assertEqual(got["path"], os.path.join(folder, "Quarterly report.pdf"))
            with open(got["path"], "rb") as f:
                self.assertEqual(hashlib.md5(f.read()).hexdigest(),
                                 hashlib.md5(test_bytes(200000, 3)).hexdigest())
            bob.wait_for(lambda e: e.get("cmd") == "si_send_file" and e["event"] == "done",
                         timeout=20)

            # A hostile sender: failed with a message, nothing in the folder.
            bob.command("si_send_file", wait=False, to=me, name="../../evil.sh", size=20000,
                        method="ibb", hostile="bad_base64")
            dump = self.offered(app, "evil.sh")
            bad = [t for t in dump["transfers"] if t["name"] == "evil.sh"][0]
            app.activate("transfer-accept", "uint32 %d" % bad["id"])
            dump = app.wait_for(lambda d: self.transfer(d, bad["id"])["state"] == "failed",
                                timeout=30, what="hostile transfer failed")
            self.assertIn("invalid data", self.transfer(dump, bad["id"])["error"])
            self.assertEqual(sorted(os.listdir(folder)), ["Quarterly report.pdf"])
            self.assertFalse(os.path.exists(os.path.join(desktop.env["HOME"], "evil.sh")))

            # Bob's client offers no SI in its caps: the file goes by HTTP
            # upload, and the link arrives as a message Bob can fetch.
            src = os.path.join(desktop.env["HOME"], "minutes.txt")
            data = b"Minutes of the meeting\n" * 1000
            with open(src, "wb") as f:
                f.write(data)
            app.activate("test-send-file",
                          "'%s|%s|%s'" % (prosody.jid("alice"), prosody.jid("bob"), src))
            msg = bob.wait_for(lambda e: e.get("event") == "message" and
                               (e.get("body") or "").startswith("http"), timeout=30)
            # The link is also an XEP-0066 OOB element, so Bob's client
            # shows it as a file.
            self.assertIn("jabber:x:oob", msg["xml"])
            self.assertIn("<url>%s</url>" % msg["body"], msg["xml"])
            fetched = bob.command("http_get", url=msg["body"], timeout=30)
            self.assertEqual(fetched["md5"], hashlib.md5(data).hexdigest())
            dump = app.wait_for(lambda d: any(t["name"] == "minutes.txt" and
                                              t["state"] == "complete"
                                              for t in d["transfers"]),
                                timeout=10, what="upload complete")
            up = [t for t in dump["transfers"] if t["name"] == "minutes.txt"][0]
            self.assertEqual(up["method"], "http")
            self.assertEqual(up["url"], msg["body"])
            time.sleep(1.0)
            app.activate("show-transfers")
            time.sleep(1.0)
            desktop.screenshot("transfers-done-light.png")

    def test_dark(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app, bob, folder, me = self.start(prosody, desktop, "prefer-dark")
            bob.command("si_send_file", wait=False, to=me, name="holiday.jpg", size=50000,
                        method="ibb")
            dump = self.offered(app, "holiday.jpg")
            app.activate("show-transfers")
            bob.command("si_send_file", wait=False, to=me, name="slides.odp", size=30000,
                        method="ibb")
            dump = self.offered(app, "slides.odp")
            first = [t for t in dump["transfers"] if t["name"] == "holiday.jpg"][0]
            app.activate("transfer-accept", "uint32 %d" % first["id"])
            app.wait_for(lambda d: self.transfer(d, first["id"])["state"] == "complete",
                         timeout=30, what="received")
            time.sleep(1.0)
            desktop.screenshot("transfers-dark.png")


    def inline(self, dump, jid, name):
        """The transfer cards of the conversation's timeline named name."""
        tabs = [t for t in dump.get("tabs", []) if t["jid"] == jid]
        return [r for r in (tabs[0].get("transfers", []) if tabs else [])
                if r["name"] == name and r["transfer"]]

    def inline_cards(self, scheme):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app, bob, folder, me = self.start(prosody, desktop, scheme)
            bob_jid = prosody.jid("bob")
            app.activate("open-chat", "'%s'" % bob_jid)

            # An offer shows in the conversation's timeline with Accept, Save
            # As and Decline, not only in the transfer window.
            bob.command("si_send_file", wait=False, to=me, name="Budget 2027.ods",
                        size=150000, seed=5, method="socks5-direct")
            dump = app.wait_for(
                lambda d: [r for r in self.inline(d, bob_jid, "Budget 2027.ods")
                           if r["mapped"]],
                timeout=20, what="inline offer card")
            card = self.inline(dump, bob_jid, "Budget 2027.ods")[0]
            self.assertEqual(card["buttons"], ["accept", "save-as", "decline"])
            self.assertIn("kB", card["details"])
            time.sleep(1.0)
            desktop.screenshot("transfers-inline-offer-%s.png" % scheme)

            # Accepted from the card's action: the card follows the transfer
            # to the end and then offers Open and Show in Folder.
            app.activate("transfer-accept", "uint32 %d" % card["id"])
            dump = app.wait_for(
                lambda d: [r for r in self.inline(d, bob_jid, "Budget 2027.ods")
                           if "open" in r["buttons"]],
                timeout=30, what="inline card complete")
            card = self.inline(dump, bob_jid, "Budget 2027.ods")[0]
            self.assertEqual(card["buttons"], ["open", "show"])
            with open(os.path.join(folder, "Budget 2027.ods"), "rb") as f:
                self.assertEqual(hashlib.md5(f.read()).hexdigest(),
                                 hashlib.md5(test_bytes(150000, 5)).hexdigest())

            # A second offer, declined from the card: Bob is told, and the
            # row stays in the conversation's story, without actions.
            bob.command("si_send_file", wait=False, to=me, name="spam.exe", size=1000,
                        method="ibb")
            dump = app.wait_for(lambda d: self.inline(d, bob_jid, "spam.exe"),
                                timeout=20, what="second offer card")
            card = self.inline(dump, bob_jid, "spam.exe")[0]
            app.activate("transfer-decline", "uint32 %d" % card["id"])
            bob.wait_for(lambda e: e.get("event") == "si_declined", timeout=20)
            dump = app.wait_for(
                lambda d: self.inline(d, bob_jid, "spam.exe")[0]["buttons"] == [],
                timeout=10, what="declined card")
            self.assertEqual(self.inline(dump, bob_jid, "spam.exe")[0]["details"],
                             "Declined")
            # Exactly one card per transfer.
            self.assertEqual(len(self.inline(dump, bob_jid, "spam.exe")), 1)
            self.assertEqual(len(self.inline(dump, bob_jid, "Budget 2027.ods")), 1)
            time.sleep(1.0)
            desktop.screenshot("transfers-inline-done-%s.png" % scheme)

    @unittest.skipUnless(shutil.which("xdotool"), "needs xdotool for a real Ctrl+V")
    def test_paste_image(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app, bob, folder, me = self.start(prosody, desktop, "prefer-light")
            bob_jid = prosody.jid("bob")
            app.activate("open-chat", "'%s'" % bob_jid)
            # A 320x200 image on the clipboard, as after a screenshot.
            src = os.path.join(desktop.env["HOME"], "shot.png")
            write_png(src, 320, 200)
            app.activate("test-clipboard-image", "'%s'" % src)
            wid = desktop.wait_for_window("Flint")[0]
            desktop.run(["xdotool", "windowactivate", "--sync", wid], timeout=10)
            desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
            time.sleep(0.5)
            desktop.run(["xdotool", "key", "ctrl+v"], timeout=10)
            # A confirmation first: nothing is sent yet.
            time.sleep(1.5)
            desktop.screenshot("transfers-paste-confirm-light.png")
            self.assertFalse([t for t in app.dump().get("transfers", [])
                              if t["name"].startswith("Pasted image")])
            desktop.run(["xdotool", "key", "Return"], timeout=10)
            # Bob has no SI: it goes by HTTP upload as "Pasted image <date>.png".
            msg = bob.wait_for(lambda e: e.get("event") == "message" and
                               (e.get("body") or "").startswith("http"), timeout=30)
            self.assertIn("jabber:x:oob", msg["xml"])
            self.assertRegex(msg["body"], r"Pasted%20image%20\d{4}-\d\d-\d\d%20[\d.]+\.png$")
            dump = app.wait_for(lambda d: [t for t in d["transfers"]
                                           if t["name"].startswith("Pasted image") and
                                           t["state"] == "complete"],
                                timeout=10, what="pasted image sent")
            fetched = bob.command("http_get", url=msg["body"], timeout=30)
            self.assertGreater(fetched["size"], 100)
            # The PNG Bob gets has the pasted image's size (IHDR).
            self.assertEqual(fetched["head"][:16], "89504e470d0a1a0a")
            self.assertEqual(fetched["head"][32:48], "%08x%08x" % (320, 200))

    def file_cards(self, scheme):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app, bob, folder, me = self.start(prosody, desktop, scheme)
            bob_jid = prosody.jid("bob")
            app.activate("open-chat", "'%s'" % bob_jid)
            src = os.path.join(desktop.env["HOME"], "Site plan.png")
            write_png(src, 480, 300)
            with open(src, "rb") as f:
                png_md5 = hashlib.md5(f.read()).hexdigest()
            # Alice's upload: her own message is the link, shown as a card.
            app.activate("test-send-file",
                          "'%s|%s|%s'" % (prosody.jid("alice"), bob_jid, src))
            msg = bob.wait_for(lambda e: e.get("event") == "message" and
                               (e.get("body") or "").startswith("http"), timeout=30)
            url = msg["body"]
            # Bob sends it back, and a link to a file that is not there (the
            # cards are checked whether scrolled into view or not).
            missing = url.rsplit("/", 2)[0] + "/no-such-upload/minutes.pdf"
            bob.command("send", to=me, body=url)
            bob.command("send", to=me, body=missing)

            def cards(d):
                got = {c["url"]: c for c in d.get("file_cards", [])}
                return (got if url in got and got[url]["thumbnail"] and missing in got
                        and not got[missing]["download"] else None)
            try:
                dump = app.wait_for(cards, timeout=30, what="file cards")
            finally:
                desktop.screenshot("transfers-file-cards-%s.png" % scheme)
            by_url = {}
            for c in dump["file_cards"]:
                by_url.setdefault(c["url"], c)
            card = by_url[url]
            self.assertEqual(card["name"], "Site plan.png")
            self.assertIn("PNG", card["details"])
            self.assertRegex(card["details"], r"\d")
            self.assertIn("not available", by_url[missing]["details"])
            time.sleep(1.0)
            desktop.screenshot("transfers-file-cards-%s.png" % scheme)

            # Download (the card's button action): saved under the safe-file
            # rules in the download folder, byte for byte.
            app.activate("transfer-download-link", "('%s', '%s')" % (bob_jid, url))
            dump = app.wait_for(lambda d: [t for t in d["transfers"]
                                           if t.get("url") == url and
                                           t["direction"] == "incoming" and
                                           t["state"] in ("complete", "failed")],
                                timeout=30, what="link downloaded")
            down = [t for t in dump["transfers"]
                    if t.get("url") == url and t["direction"] == "incoming"][0]
            self.assertEqual(down["state"], "complete", down)
            self.assertEqual(down["path"], os.path.join(folder, "Site plan.png"))
            with open(down["path"], "rb") as f:
                self.assertEqual(hashlib.md5(f.read()).hexdigest(), png_md5)
            # The link's card follows its download: Open and Show in Folder
            # in place of Download (no strip above the composer any more).
            dump = app.wait_for(lambda d: [c for c in d["file_cards"] if c["url"] == url and
                                           c["buttons"] == ["open", "show"]],
                                timeout=10, what="link card offers Open")

    def test_file_cards_light(self):
        self.file_cards("prefer-light")

    def test_file_cards_dark(self):
        self.file_cards("prefer-dark")

    def test_retry_and_show_in_folder(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            app, bob, folder, me = self.start(prosody, desktop, "prefer-light")
            bob_jid = prosody.jid("bob")
            shown = os.path.join(desktop.env["HOME"], "shown.txt")
            fm = subprocess.Popen(["/usr/bin/python3", "-c", FAKE_FILE_MANAGER, shown],
                                  env=desktop.env, stdout=subprocess.PIPE)
            self.addCleanup(fm.stdout.close)
            self.addCleanup(fm.wait)
            self.addCleanup(fm.kill)
            self.assertEqual(fm.stdout.readline().strip(), b"ready")
            app.activate("open-chat", "'%s'" % bob_jid)

            # Over the server's upload limit (16 MiB here): the send fails and
            # its card offers Retry.
            src = os.path.join(desktop.env["HOME"], "scan.pdf")
            with open(src, "wb") as f:
                f.truncate(17 * 1024 * 1024)
            app.activate("test-send-file",
                          "'%s|%s|%s'" % (prosody.jid("alice"), bob_jid, src))
            dump = app.wait_for(lambda d: [t for t in d["transfers"]
                                           if t["name"] == "scan.pdf" and
                                           t["state"] == "failed"],
                                timeout=30, what="upload refused")
            failed = [t for t in dump["transfers"] if t["name"] == "scan.pdf"][0]
            card = [r for r in self.inline(dump, bob_jid, "scan.pdf")
                    if r["id"] == failed["id"]][0]
            self.assertIn("retry", card["buttons"])

            # The file shrinks (a smaller scan); Retry sends it again.
            data = b"%PDF-1.4 small scan\n" * 2000
            with open(src, "wb") as f:
                f.write(data)
            app.activate("transfer-retry", "uint32 %d" % failed["id"])
            msg = bob.wait_for(lambda e: e.get("event") == "message" and
                               (e.get("body") or "").endswith("scan.pdf"), timeout=30)
            fetched = bob.command("http_get", url=msg["body"], timeout=30)
            self.assertEqual(fetched["md5"], hashlib.md5(data).hexdigest())
            dump = app.wait_for(lambda d: [t for t in d["transfers"]
                                           if t["name"] == "scan.pdf" and
                                           t["state"] == "complete"],
                                timeout=10, what="retried upload")
            done = [t for t in dump["transfers"]
                    if t["name"] == "scan.pdf" and t["state"] == "complete"][0]
            self.assertNotEqual(done["id"], failed["id"])

            # Show in Folder asks the file manager over D-Bus for that file.
            app.activate("transfer-show", "uint32 %d" % done["id"])
            deadline = time.monotonic() + 10
            # The fake file manager writes the line after creating the file:
            # wait for a whole line, not just the file.
            text = ""
            while time.monotonic() < deadline and not text.endswith("\n"):
                time.sleep(0.1)
                if os.path.exists(shown):
                    with open(shown) as f:
                        text = f.read()
            self.assertEqual(text.split(), ["file://" + src])

    def test_inline_cards_light(self):
        self.inline_cards("prefer-light")

    def test_inline_cards_dark(self):
        self.inline_cards("prefer-dark")


if __name__ == "__main__":
    unittest.main(verbosity=2)

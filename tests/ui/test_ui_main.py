#!/usr/bin/python3
"""The main window against a real server (issue 3): the roster with groups
and presence, an incoming message (unread counts, window title), opening the
chat tab through app.open-chat (the notification's action), replying by
typing into the composer, and screenshots in light, dark and narrow."""

import os
import re
import shutil
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

HAVE_XDOTOOL = shutil.which("xdotool") is not None


def contact_rows(dump):
    return [r for r in dump.get("roster", []) if r.startswith("C:")]


def row_for(dump, jid):
    for r in contact_rows(dump):
        if r[2:].split("|")[0] == jid:
            return r[2:].split("|")
    return None


class MainWindowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody()
        cls.prosody.start()
        for user in ("alice", "bob", "carol", "dave"):
            cls.prosody.register(user, user + "-pw")
        cls.alice = cls.prosody.jid("alice")
        cls.bob_jid = cls.prosody.jid("bob")
        cls.carol_jid = cls.prosody.jid("carol")
        cls.bob = fh.Peer.start(cls.prosody, "bob", "bob-pw")
        cls.carol = fh.Peer.start(cls.prosody, "carol", "carol-pw")
        # Alice's roster, made by another client of hers: bob in Team, carol
        # in Friends, subscriptions both ways (the peers accept and return).
        setup = fh.Peer.start(cls.prosody, "alice", "alice-pw", resource="setup")
        setup.roster_add(cls.bob_jid, name="Bob Builder", groups=["Team"], subscribe=True)
        setup.roster_add(cls.carol_jid, name="Carol", groups=["Friends"], subscribe=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            roster = setup.command("roster_get")["roster"]
            subs = [roster.get(j, {}).get("subscription") for j in (cls.bob_jid, cls.carol_jid)]
            if subs == ["both", "both"]:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("subscriptions not mutual: %r" % roster)
        setup.quit()
        cls.bob.presence(status="Building things")
        cls.carol.presence(show="away", status="Lunch")

    @classmethod
    def tearDownClass(cls):
        cls.bob.quit()
        cls.carol.quit()
        cls.prosody._cleanup()

    def run_app(self, env=None, settings=None):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        if settings:
            path = os.path.join(desktop.env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, "keyfile"), "w") as f:
                f.write("[im/flint/Flint]\n")
                for key, value in settings.items():
                    f.write("%s=%s\n" % (key, value))
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, "alice", "alice-pw")
        app.start(env=env)
        return desktop, app

    def wait_roster(self, app):
        def ready(d):
            bob, carol = row_for(d, self.bob_jid), row_for(d, self.carol_jid)
            return (d.get("state") == "online" and bob and carol and bob[1] == "available"
                    and carol[1] == "away")
        return app.wait_for(ready, timeout=30, what="roster with presence")

    def activate(self, app, action, param):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", action,
             "[<'%s'>]" % param, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_roster_message_and_reply(self):
        desktop, app = self.run_app(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-light"})
        dump = self.wait_roster(app)
        self.assertTrue(dump["window"].startswith("status|Online|Signed in as alice@"),
                        dump["window"])
        self.assertIn("G:Team", dump["roster"])
        self.assertIn("G:Friends", dump["roster"])
        # Groups in name order, each contact under its group.
        roster = dump["roster"]
        self.assertLess(roster.index("G:Friends"), roster.index("G:Team"))
        self.assertEqual(roster[roster.index("G:Team") + 1].split("|")[0], "C:" + self.bob_jid)
        self.assertEqual(row_for(dump, self.bob_jid)[3], "both")

        # Someone new asks to see Alice's status: a request row on top.
        dave = fh.Peer.start(self.prosody, "dave", "dave-pw")
        self.addCleanup(dave.quit)
        dave.subscribe(self.alice)
        dump = app.wait_for(lambda d: "R:" + self.prosody.jid("dave") in d.get("roster", []),
                            timeout=15, what="subscription request")

        # An incoming message: unread in the roster, the total in the title.
        self.bob.send(self.alice, "Hi Alice, got a minute? https://example.com/plan")
        # Badges follow the count within a moment (updates are coalesced).
        dump = app.wait_for(lambda d: d.get("unread_total") == 1
                            and row_for(d, self.bob_jid)[2] == "1"
                            and d.get("title") == "(1) Flint", timeout=20, what="unread count")
        self.assertEqual(row_for(dump, self.bob_jid)[2], "1")
        self.assertEqual(dump["title"], "(1) Flint")
        time.sleep(0.5)
        desktop.screenshot("main-unread-light.png")

        if HAVE_XDOTOOL:
            wid = desktop.wait_for_window("Flint")[0]
            desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
            # Ctrl+F filters all contacts as you type.
            desktop.run(["xdotool", "key", "ctrl+f"], timeout=10)
            time.sleep(0.3)
            desktop.run(["xdotool", "type", "--delay", "30", "car"], timeout=10)
            dump = app.wait_for(lambda d: [r.split("|")[0] for r in d["roster"]
                                           if not r.startswith("R:")] == ["C:" + self.carol_jid],
                                timeout=10, what="search for carol")
            desktop.screenshot("main-search-light.png")
            desktop.run(["xdotool", "key", "Escape"], timeout=10)
            app.wait_for(lambda d: "G:Team" in d["roster"], timeout=10, what="search ended")
            # The contact menu on a right click.
            time.sleep(0.5)
            desktop.run(["xdotool", "mousemove", "150", "265", "click", "3"], timeout=10)
            time.sleep(0.8)
            desktop.screenshot("main-contact-menu-light.png")
            desktop.run(["xdotool", "key", "Escape"], timeout=10)

        # The notification's action opens the tab and reads it.
        self.activate(app, "open-chat", self.bob_jid)
        dump = app.wait_for(lambda d: any(t["jid"] == self.bob_jid and t["selected"]
                                          for t in d.get("tabs", [])),
                            timeout=10, what="bob's tab")
        self.assertTrue(dump["window"].startswith("chat|Bob Builder|"), dump["window"])
        dump = app.wait_for(lambda d: d.get("unread_total") == 0, timeout=10,
                            what="read after opening")
        self.assertEqual(dump["title"], "Flint")
        self.assertGreaterEqual(dump["tabs"][0]["messages"], 1)

        # Typing shows on the tab, then the reply goes out.
        self.bob.chatstate(self.alice, "composing")
        app.wait_for(lambda d: d["tabs"][0]["typing"], timeout=10, what="typing indicator")
        reply = "Sure, on my way"
        if HAVE_XDOTOOL:
            wid = desktop.wait_for_window("Flint")[0]
            desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
            time.sleep(0.3)
            desktop.run(["xdotool", "type", "--delay", "20", reply], timeout=20)
            time.sleep(0.3)
            desktop.run(["xdotool", "key", "Return"], timeout=10)
        else:
            self.activate(app, "test-send", reply)
        msg = self.bob.wait_for(lambda e: e.get("event") == "message" and e.get("body") == reply,
                                timeout=15)
        self.assertEqual(msg["from"].split("/")[0], self.alice)
        app.wait_for(lambda d: d["tabs"][0]["messages"] >= 2, timeout=10, what="reply shown")
        if HAVE_XDOTOOL:
            # Typing sent XEP-0085 composing before the message.
            self.bob.wait_for(lambda e: e.get("event") == "chatstate"
                              and e.get("state") == "composing", timeout=5)
        self.bob.send(self.alice, "Great, see you in room 4.")
        time.sleep(1.0)
        desktop.screenshot("main-chat-light.png")
        if HAVE_XDOTOOL:
            # Ctrl+W closes the tab; the connection state shows again.
            desktop.run(["xdotool", "key", "ctrl+w"], timeout=10)
            dump = app.wait_for(lambda d: not d["tabs"], timeout=10, what="tab closed")
            self.assertTrue(dump["window"].startswith("status|Online|"), dump["window"])

    @unittest.skipUnless(HAVE_XDOTOOL, "needs xdotool to scroll")
    def test_older_messages_load_on_scroll(self):
        desktop, app = self.run_app()
        self.wait_roster(app)
        for i in range(120):
            self.carol.send(self.alice, "Message number %d" % i)
        app.wait_for(lambda d: d.get("unread_total", 0) >= 120, timeout=30,
                     what="120 unread")
        self.activate(app, "open-chat", self.carol_jid)
        # All unread messages are brought in, under a "New Messages" line.
        dump = app.wait_for(lambda d: d.get("tabs") and d["tabs"][0]["messages"] >= 120,
                            timeout=10, what="carol's tab with all unread")
        time.sleep(1.5)
        desktop.screenshot("main-many-messages-light.png")
        # Roster and message rows answer query-tooltip; none sets a fixed text.
        self.assertEqual(app.dump()["row_tooltips"], 0)

        # Print…: the conversation laid out in pages (exported to a PDF here,
        # the print dialog needs a printer).
        pdf = os.path.join(desktop.env["HOME"], "carol.pdf")
        self.activate(app, "test-activate", "win.print-transcript-to|" + pdf)
        deadline = time.monotonic() + 20
        data = b""
        while time.monotonic() < deadline:
            if os.path.exists(pdf):
                with open(pdf, "rb") as f:
                    data = f.read()
                if data.rstrip().endswith(b"%%EOF"):
                    break
            time.sleep(0.2)
        self.assertTrue(data.startswith(b"%PDF-"), data[:20])
        # 120 messages under their day heading do not fit on one page.
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        self.assertGreaterEqual(pages, 2, "pages: %d" % pages)
        app.stop()

        # At the next start the tab shows the latest page only; older ones
        # come when scrolled to the top.
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-light"})
        dump = app.wait_for(lambda d: d.get("tabs") and d["tabs"][0]["selected"]
                            and d.get("state") == "online", timeout=30, what="restored tab")
        self.assertLess(dump["tabs"][0]["messages"], 120)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            desktop.run(["xdotool", "mousemove", "640", "300", "click", "--repeat", "15",
                         "--delay", "30", "4"], timeout=20)
            dump = app.dump()
            if dump and dump["tabs"][0]["messages"] >= 120:
                break
        self.assertGreaterEqual(dump["tabs"][0]["messages"], 120)

    def test_large_roster(self):
        """2,000 contacts in 20 groups: the list is virtualized, so the window
        answers at once and scrolls through it."""
        self.prosody.register("big", "big-pw")
        # Straight into the server's store: 2,000 roster sets through the
        # server took over 90 s on a loaded machine.
        self.prosody.write_roster("big", [
            ("user%04d@example.org" % i, "User %04d" % i, ["Group %02d" % (i % 20)], "none")
            for i in range(2000)])
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, "big", "big-pw")
        app.start()
        dump = app.wait_for(lambda d: d.get("state") == "online" and
                            len(contact_rows(d)) >= 400, timeout=60, what="big roster")
        self.assertEqual(dump["roster"][0], "G:Group 00")
        # The UI thread stays responsive: a dump round trip is quick.
        for _ in range(5):
            t = time.monotonic()
            self.assertIsNotNone(app.dump())
            self.assertLess(time.monotonic() - t, 1.0)
        if HAVE_XDOTOOL:
            t = time.monotonic()
            desktop.run(["xdotool", "mousemove", "150", "400", "click", "--repeat", "60",
                         "--delay", "10", "5"], timeout=30)
            self.assertIsNotNone(app.dump())
            time.sleep(0.5)
            desktop.screenshot("main-large-roster.png")

    def test_dark_and_narrow(self):
        desktop, app = self.run_app(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"})
        self.wait_roster(app)
        self.activate(app, "open-chat", self.carol_jid)
        app.wait_for(lambda d: d.get("tabs") and d["tabs"][0]["selected"], timeout=10,
                     what="carol's tab")
        self.carol.send(self.alice, "Dark mode looks good")
        app.wait_for(lambda d: d["tabs"][0]["messages"] >= 1, timeout=10, what="message")
        time.sleep(0.8)
        desktop.screenshot("main-chat-dark.png")

        # Ctrl+N: the add contact dialog checks the address as it is typed.
        if HAVE_XDOTOOL:
            wid = desktop.wait_for_window("Flint")[0]
            desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
            desktop.run(["xdotool", "key", "ctrl+n"], timeout=10)
            dialog = desktop.wait_for_window("Add Contact", timeout=10)[0]
            desktop.run(["xdotool", "windowfocus", "--sync", dialog], timeout=10)
            time.sleep(0.5)
            desktop.run(["xdotool", "type", "--delay", "20", "bob@"], timeout=10)
            time.sleep(0.5)
            desktop.screenshot("main-add-contact-dark.png")
            desktop.run(["xdotool", "key", "Escape"], timeout=10)
        app.stop()

        # The open tab comes back at the next start.
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"})
        dump = app.wait_for(lambda d: d.get("tabs"), timeout=30, what="restored tab")
        self.assertEqual([t["jid"] for t in dump["tabs"]], [self.carol_jid])
        # It opens before the roster arrives, and takes the contact's name
        # when it does (it kept showing the address before).
        app.wait_for(lambda d: d.get("state") == "online" and d.get("contacts", 0) >= 1,
                     timeout=30, what="roster")
        dump = app.wait_for(lambda d: d["tabs"][0]["title"] == "Carol", timeout=5,
                            what="the restored tab named after the contact")
        app.stop()

        # Narrow (window size from GSettings before start): the panes fold.
        desktop, app = self.run_app(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-light"},
                                    settings={"window-width": "400", "window-height": "640"})
        self.wait_roster(app)
        # The leaflet folds once the window has its first allocation.
        dump = app.wait_for(lambda d: d.get("folded"), timeout=10, what="folded panes")
        self.assertTrue(dump["folded"], dump)
        time.sleep(0.8)
        desktop.screenshot("main-narrow-roster.png")
        self.activate(app, "open-chat", self.carol_jid)
        app.wait_for(lambda d: d.get("tabs") and d["tabs"][0]["selected"], timeout=10,
                     what="carol's tab")
        self.carol.send(self.alice, "A longer message to see how the text wraps when "
                        "the window is narrow, with a link: www.example.org/handbook")
        app.wait_for(lambda d: d["tabs"][0]["messages"] >= 1, timeout=10, what="message")
        time.sleep(0.8)
        desktop.screenshot("main-narrow-chat.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""Contact management, correcting the last message, switching tabs and the
remembered Offline status, driven through the real window (issue 3).

Dialogs are answered through app.test-respond, which fills the dialog's entry
and clicks the response's button; what the server then holds is read from
another client of the same user, so every step is checked end to end."""

import os
import shutil
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

HAVE_XDOTOOL = shutil.which("xdotool") is not None
BLOCKLIST_GET = "<iq type='get'><blocklist xmlns='urn:xmpp:blocking'/></iq>"


def contact(dump, jid):
    """[presence, unread, subscription] of jid's first row, or None."""
    for r in dump.get("roster", []):
        if r.startswith("C:") and r[2:].split("|")[0] == jid:
            return r[2:].split("|")[1:]
    return None


def groups_of(dump, jid):
    """The groups under which jid is listed, in order."""
    found, group = [], None
    for r in dump.get("roster", []):
        if r.startswith("G:"):
            group = r[2:]
        elif r.startswith("C:") and r[2:].split("|")[0] == jid:
            found.append(group)
    return found


class ContactsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody()
        cls.prosody.start()
        for user in ("alice", "bob", "carol", "dave"):
            cls.prosody.register(user, user + "-pw")
        cls.alice = cls.prosody.jid("alice")
        cls.bob_jid = cls.prosody.jid("bob")
        cls.carol_jid = cls.prosody.jid("carol")
        cls.dave_jid = cls.prosody.jid("dave")
        cls.bob = fh.Peer.start(cls.prosody, "bob", "bob-pw")
        cls.carol = fh.Peer.start(cls.prosody, "carol", "carol-pw")
        # Alice's other device: makes her roster and reads back what Flint did.
        cls.other = fh.Peer.start(cls.prosody, "alice", "alice-pw", resource="other")
        cls.other.roster_add(cls.bob_jid, name="Bob", groups=["Team"], subscribe=True)
        cls.wait_roster_entry(cls.bob_jid, lambda e: e["subscription"] == "both")

    @classmethod
    def tearDownClass(cls):
        for peer in (cls.bob, cls.carol, cls.other):
            peer.quit()
        cls.prosody._cleanup()

    @classmethod
    def wait_roster_entry(cls, jid, pred, timeout=15):
        """Alice's roster item for jid as the server has it, once pred holds."""
        deadline = time.monotonic() + timeout
        entry = None
        while time.monotonic() < deadline:
            entry = cls.other.command("roster_get")["roster"].get(jid)
            if pred(entry):
                return entry
            time.sleep(0.2)
        raise AssertionError("roster item %s never matched: %r" % (jid, entry))

    def blocklist(self):
        reply = self.other.command("iq", xml=BLOCKLIST_GET)
        self.assertEqual(reply["type"], "result", reply)
        return reply["reply"]

    def run_app(self, settings=None, env=None, desktop=None):
        if desktop is None:
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
        if not os.path.exists(os.path.join(desktop.env["XDG_CONFIG_HOME"], "flint",
                                           "accounts.conf")):
            app.add_account(self.prosody, "alice", "alice-pw")
        app.start(env=env)
        return desktop, app

    def action(self, app, name, param=None, method="test-activate"):
        value = name if param is None else "%s|%s" % (name, param)
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", method,
             "[<'%s'>]" % value.replace("'", "\\'"), "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def open_chat(self, app, jid):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "open-chat",
             "[<'%s'>]" % jid, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def respond(self, app, response, text=None):
        self.action(app, response, text, method="test-respond")

    def test_manage_contacts(self):
        desktop, app = self.run_app(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-light"})
        app.wait_for(lambda d: d.get("state") == "online" and contact(d, self.bob_jid)
                     and contact(d, self.bob_jid)[0] == "available", timeout=30,
                     what="roster with bob online")

        # A request from someone new: accepted with "add back".
        dave = fh.Peer.start(self.prosody, "dave", "dave-pw")
        self.addCleanup(dave.quit)
        dave.subscribe(self.alice)
        app.wait_for(lambda d: "R:" + self.dave_jid in d["roster"], timeout=15,
                     what="request row")
        time.sleep(1.0)
        desktop.screenshot("contacts-request-light.png")
        self.action(app, "roster.accept", self.dave_jid)
        dump = app.wait_for(lambda d: "R:" + self.dave_jid not in d["roster"]
                            and contact(d, self.dave_jid)
                            and contact(d, self.dave_jid)[2] == "both", timeout=15,
                            what="dave accepted both ways")
        self.assertEqual(contact(dump, self.dave_jid)[0], "available")
        self.wait_roster_entry(self.dave_jid, lambda e: e and e["subscription"] == "both")

        # Rename through the dialog: the server's roster has the new name.
        self.action(app, "roster.rename", self.bob_jid)
        app.wait_for(lambda d: d.get("dialog") == "Rename Contact", timeout=10,
                     what="rename dialog")
        desktop.screenshot("contacts-rename-light.png")
        self.respond(app, "rename", "Robert Builder")
        app.wait_for(lambda d: not d.get("dialog"), timeout=10, what="dialog closed")
        self.wait_roster_entry(self.bob_jid, lambda e: e["name"] == "Robert Builder")

        # Two groups: listed under both, on the server too.
        self.action(app, "roster.groups", self.bob_jid)
        app.wait_for(lambda d: d.get("dialog") == "Contact Groups", timeout=10,
                     what="groups dialog")
        self.respond(app, "groups", "Team, Leads")
        app.wait_for(lambda d: groups_of(d, self.bob_jid) == ["Leads", "Team"], timeout=15,
                     what="bob in Leads and Team")
        self.wait_roster_entry(self.bob_jid, lambda e: sorted(e["groups"]) == ["Leads", "Team"])

        # A roster push from the other device shows at once.
        self.other.roster_add(self.carol_jid, name="Carol", groups=["Friends"])
        app.wait_for(lambda d: groups_of(d, self.carol_jid) == ["Friends"], timeout=15,
                     what="carol pushed in from the other device")

        # Cancelling the removal keeps her; confirming removes her everywhere.
        self.action(app, "roster.remove", self.carol_jid)
        app.wait_for(lambda d: d.get("dialog") == "Remove Carol?", timeout=10,
                     what="remove confirmation")
        desktop.screenshot("contacts-remove-light.png")
        self.respond(app, "cancel")
        app.wait_for(lambda d: not d.get("dialog"), timeout=10, what="dialog closed")
        time.sleep(0.5)
        self.assertIsNotNone(contact(app.dump(), self.carol_jid))
        self.action(app, "roster.remove", self.carol_jid)
        app.wait_for(lambda d: d.get("dialog") == "Remove Carol?", timeout=10,
                     what="remove confirmation")
        self.respond(app, "remove")
        app.wait_for(lambda d: contact(d, self.carol_jid) is None, timeout=15,
                     what="carol removed")
        self.wait_roster_entry(self.carol_jid, lambda e: e is None)

        # Blocking (XEP-0191): on the server's list, and dave's messages stop.
        self.assertNotIn(self.dave_jid, self.blocklist())
        self.action(app, "roster.block", self.dave_jid)
        deadline = time.monotonic() + 10
        while self.dave_jid not in self.blocklist():
            self.assertLess(time.monotonic(), deadline, "dave never blocked")
            time.sleep(0.2)
        dave.send(self.alice, "can you see this?")
        time.sleep(1.5)
        self.assertEqual(app.history_rows("SELECT body FROM messages WHERE body = ?",
                                          ("can you see this?",)), [])
        self.action(app, "win.blocked-contacts")
        time.sleep(0.8)
        desktop.screenshot("contacts-blocked-light.png")
        self.action(app, "roster.unblock", self.dave_jid)
        deadline = time.monotonic() + 10
        while self.dave_jid in self.blocklist():
            self.assertLess(time.monotonic(), deadline, "dave never unblocked")
            time.sleep(0.2)
        dave.send(self.alice, "and now?")
        app.wait_for(lambda d: contact(d, self.dave_jid) and contact(d, self.dave_jid)[1] == "1",
                     timeout=15, what="dave's message after unblocking")

    @unittest.skipUnless(HAVE_XDOTOOL, "needs xdotool for real key events")
    def test_correct_last_message_and_switch_tabs(self):
        desktop, app = self.run_app(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"})
        app.wait_for(lambda d: d.get("state") == "online" and contact(d, self.bob_jid),
                     timeout=30, what="online")
        self.open_chat(app, self.bob_jid)
        app.wait_for(lambda d: [t["jid"] for t in d["tabs"]] == [self.bob_jid], timeout=10,
                     what="bob's tab")
        wid = desktop.wait_for_window("Flint")[0]
        desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
        time.sleep(0.3)
        desktop.run(["xdotool", "type", "--delay", "20", "Helo Bob"], timeout=20)
        desktop.run(["xdotool", "key", "Return"], timeout=10)
        sent = self.bob.wait_for(lambda e: e.get("event") == "message"
                                 and e.get("body") == "Helo Bob", timeout=15)

        # Up in the empty composer takes the last message back for editing.
        app.wait_for(lambda d: d["tabs"][0]["draft"] == "", timeout=10, what="composer cleared")
        desktop.run(["xdotool", "key", "Up"], timeout=10)
        dump = app.wait_for(lambda d: d["tabs"][0]["draft"] == "Helo Bob", timeout=10,
                            what="last message back in the composer")
        self.assertEqual(dump["tabs"][0]["correcting"], sent["id"])
        time.sleep(0.8)  # the "Editing message" bar slides in
        desktop.screenshot("contacts-correcting-dark.png")
        desktop.run(["xdotool", "key", "ctrl+a"], timeout=10)
        desktop.run(["xdotool", "type", "--delay", "20", "Hello Bob"], timeout=20)
        desktop.run(["xdotool", "key", "Return"], timeout=10)
        fixed = self.bob.wait_for(lambda e: e.get("event") == "message"
                                  and e.get("body") == "Hello Bob", timeout=15)
        self.assertEqual(fixed["replace"], sent["id"])
        app.wait_for(lambda d: d["tabs"][0]["draft"] == "" and not d["tabs"][0]["correcting"],
                     timeout=10, what="correction sent")
        # One message in the conversation, with the corrected text.
        rows = app.history_rows(
            "SELECT body FROM messages WHERE conversation = ? AND correction_of IS NULL",
            (self.bob_jid,))
        self.assertEqual(rows, [("Hello Bob",)])

        # A second tab; Alt+1, Ctrl+Page_Down and Ctrl+W move between them.
        self.open_chat(app, self.carol_jid)
        app.wait_for(lambda d: [t["jid"] for t in d["tabs"] if t["selected"]]
                     == [self.carol_jid], timeout=10, what="carol's tab selected")
        desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)

        def selected(d):
            return [t["jid"] for t in d["tabs"] if t["selected"]]

        desktop.run(["xdotool", "key", "alt+1"], timeout=10)
        app.wait_for(lambda d: selected(d) == [self.bob_jid], timeout=10, what="Alt+1")
        desktop.run(["xdotool", "key", "ctrl+Page_Down"], timeout=10)
        app.wait_for(lambda d: selected(d) == [self.carol_jid], timeout=10,
                     what="Ctrl+Page_Down")
        desktop.run(["xdotool", "key", "ctrl+Page_Up"], timeout=10)
        app.wait_for(lambda d: selected(d) == [self.bob_jid], timeout=10, what="Ctrl+Page_Up")
        desktop.run(["xdotool", "key", "ctrl+w"], timeout=10)
        app.wait_for(lambda d: [t["jid"] for t in d["tabs"]] == [self.carol_jid], timeout=10,
                     what="Ctrl+W closed bob's tab")

        # The tab menu's "Move to New Window": one tab per window, and both
        # remembered for the next start.
        self.open_chat(app, self.bob_jid)
        app.wait_for(lambda d: selected(d) == [self.bob_jid], timeout=10, what="bob again")
        self.action(app, "win.move-tab-to-new-window")
        dump = app.wait_for(lambda d: sorted(d["windows"]) == [[self.bob_jid], [self.carol_jid]],
                            timeout=10, what="bob's tab in a window of its own")
        time.sleep(0.8)
        desktop.screenshot("contacts-two-windows-dark.png")
        keyfile = os.path.join(desktop.env["XDG_CONFIG_HOME"], "glib-2.0", "settings", "keyfile")
        deadline = time.monotonic() + 10
        while True:
            with open(keyfile) as f:
                saved = [l for l in f if l.startswith("open-chats=")]
            if saved and self.bob_jid in saved[0] and self.carol_jid in saved[0]:
                break
            self.assertLess(time.monotonic(), deadline, "open tabs not saved: %r" % saved)
            time.sleep(0.2)

    def test_offline_is_remembered(self):
        desktop, app = self.run_app()
        app.wait_state("online", timeout=30)
        self.action(app, "win.presence", "offline")
        app.wait_for(lambda d: d.get("state") == "disconnected", timeout=10,
                     what="signed off")
        app.stop()

        # Next start: still offline, no connection at all.
        app2 = FlintApp(desktop)
        self.addCleanup(app2.stop)
        app2.start()
        dump = app2.wait_for(lambda d: d.get("window", "").startswith("status|"), timeout=20,
                             what="window")
        time.sleep(2.0)
        dump = app2.dump()
        self.assertEqual(dump["state"], "disconnected", dump)
        self.assertTrue(dump["window"].startswith("status|Offline|"), dump["window"])
        self.assertEqual(dump["error_code"], "-1")
        desktop.screenshot("contacts-offline-light.png")

        # Any other status signs in again.
        self.action(app2, "win.presence", "available")
        app2.wait_state("online", timeout=30)


if __name__ == "__main__":
    unittest.main(verbosity=2)

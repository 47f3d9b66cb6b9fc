#!/usr/bin/python3
"""Two accounts side by side (issue 8, item 7), driven through the real window
against a real Prosody: a roster section per account, one tab per account for
the same peer, replies leaving from the tab's account, own presence reaching
the peer on both, and an account disabled in Preferences signing off at once
(its section and tab gone, its history kept)."""

import json
import os
import shutil
import tempfile
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


def call(desktop, action, value=None):
    arg = "[<'%s'>]" % value if value is not None else "[]"
    r = desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                     "--object-path", "/im/flint/Flint", "--method",
                     "org.gtk.Actions.Activate", action, arg, "{}"], timeout=10)
    assert r.returncode == 0, r.stderr


BOOKMARK = ("<iq xmlns='jabber:client' type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub'>"
            "<publish node='urn:xmpp:bookmarks:1'><item id='{room}'>"
            "<conference xmlns='urn:xmpp:bookmarks:1' name='Ops Room' autojoin='true'>"
            "<nick>ops</nick></conference></item></publish>"
            "<publish-options><x xmlns='jabber:x:data' type='submit'>"
            "<field var='FORM_TYPE' type='hidden'>"
            "<value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
            "<field var='pubsub#persist_items'><value>true</value></field>"
            "<field var='pubsub#access_model'><value>whitelist</value></field>"
            "</x></publish-options></pubsub></iq>")


HAVE_XDOTOOL = shutil.which("xdotool") is not None


def tools(desktop, request):
    r = desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                     "--object-path", "/im/flint/Flint", "--method",
                     "org.gtk.Actions.Activate", "test-tools",
                     "[<%s>]" % json.dumps(request), "{}"], timeout=30)
    assert r.returncode == 0, r.stderr


def tool_windows(desktop):
    """[{type, account, chooser}] of the windows that act as one account."""
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    os.unlink(path)
    tools(desktop, "accounts-dump|" + path)
    deadline = time.monotonic() + 10
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    with open(path) as f:
        data = json.load(f)
    os.unlink(path)
    return data


def wait_tools(desktop, pred, timeout=10):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = tool_windows(desktop)
        if pred(last):
            return last
        time.sleep(0.1)
    raise AssertionError("tool windows never matched: %r" % last)


def chat_tabs(dump):
    return [t for t in dump.get("tabs", []) if not t.get("room")]


def sections(dump):
    """{account: (state, contacts)} from the roster's section headers."""
    out = {}
    for r in dump.get("roster", []):
        if r.startswith("A:"):
            jid, state, n = r[2:].split("|")
            out[jid] = (state, int(n))
    return out


def section_of(dump, jid):
    """The accounts under whose section jid is listed, in order."""
    found, account = [], None
    for r in dump.get("roster", []):
        if r.startswith("A:"):
            account = r[2:].split("|")[0]
        elif r.startswith("C:") and r[2:].split("|")[0] == jid:
            found.append(account)
    return found


def flint_resource(event, account):
    """The event comes from Flint's session of account (not the set-up device)."""
    bare, _, resource = event.get("from", "").partition("/")
    return bare == account and resource != "setup"


def account_state(dump, jid):
    for a in dump.get("account_list", []):
        if a["jid"] == jid:
            return a
    return None


class AccountsTest(unittest.TestCase):
    def setUp(self):
        self.prosody = fh.Prosody()
        self.prosody.start()
        self.addCleanup(self.prosody._cleanup)
        for user in ("alice", "ops", "bob", "carol"):
            self.prosody.register(user, user + "-pw")
        self.alice = self.prosody.jid("alice")
        self.ops = self.prosody.jid("ops")
        self.bob_jid = self.prosody.jid("bob")
        self.carol_jid = self.prosody.jid("carol")
        self.room = "opsroom@" + self.prosody.muc_domain
        self.bob = fh.Peer.start(self.prosody, "bob", "bob-pw")
        self.addCleanup(self.bob.quit)
        carol = fh.Peer.start(self.prosody, "carol", "carol-pw")
        self.addCleanup(carol.quit)
        # Each account's other device makes its roster: Bob on both, Carol
        # on ops only (peers accept subscriptions by themselves).
        for user, contacts in (("alice", [self.bob_jid]),
                               ("ops", [self.bob_jid, self.carol_jid])):
            other = fh.Peer.start(self.prosody, user, user + "-pw", resource="setup")
            for jid in contacts:
                other.roster_add(jid, subscribe=True)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                roster = other.command("roster_get")["roster"]
                if all(roster.get(j, {}).get("subscription") == "both" for j in contacts):
                    break
                time.sleep(0.2)
            if user == "ops":
                # Ops has a room it joins at sign-in.
                reply = other.command("iq", xml=BOOKMARK.format(room=self.room))
                assert reply["type"] == "result", reply
            other.quit()

    def start_app(self, desktop):
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, "alice", "alice-pw")
        app.add_account(self.prosody, "ops", "ops-pw")
        app.start()
        return app

    def test_two_accounts_side_by_side(self):
        with fh.Desktop() as desktop:
            app = self.start_app(desktop)

            # A section per account, each with its own contacts.
            dump = app.wait_for(
                lambda d: sections(d).get(self.alice) == ("Online", 1)
                and sections(d).get(self.ops) == ("Online", 2)
                and len(section_of(d, self.bob_jid)) == 2,
                timeout=90, what="both sections online")
            self.assertEqual(section_of(dump, self.bob_jid), [self.alice, self.ops])
            self.assertEqual(section_of(dump, self.carol_jid), [self.ops])
            # Section rows set no fixed tooltip (rows answer query-tooltip).
            self.assertEqual(dump["row_tooltips"], 0)
            self.assertEqual([a["state"] for a in dump["account_list"]],
                             ["online", "online"])
            # Ops's room: joined, listed as ops's, in a tab of ops.
            dump = app.wait_for(
                lambda d: "R:%s|joined|0|%s" % (self.room, self.ops) in d.get("room_list", [])
                and any(t.get("room") for t in d.get("tabs", [])),
                timeout=30, what="ops's room")
            self.assertEqual([(t["jid"], t["account"]) for t in dump["tabs"] if t.get("room")],
                             [(self.room, self.ops)])

            # The same peer writes to both accounts: each is unread on its own.
            self.bob.send(self.alice, "to alice")
            self.bob.send(self.ops, "to ops")
            dump = app.wait_for(lambda d: d.get("unread_total") == 2, timeout=20,
                                what="two unread")
            self.assertIn("via", dump.get("last_notification") or "")

            # Opening each (as its notification does) gives two tabs.
            call(desktop, "open-chat", "%s %s" % (self.alice, self.bob_jid))
            call(desktop, "open-chat", "%s %s" % (self.ops, self.bob_jid))
            dump = app.wait_for(lambda d: len(chat_tabs(d)) == 2, timeout=10,
                                what="two tabs")
            self.assertEqual(len(dump["windows"]), 1, dump["windows"])
            self.assertTrue(dump["window"].startswith("chat|"), dump["window"])
            tabs = chat_tabs(dump)
            self.assertEqual([t["account"] for t in tabs], [self.alice, self.ops])
            self.assertTrue(all(t["jid"] == self.bob_jid for t in tabs))
            self.assertEqual(tabs[1]["tooltip"], "%s via %s" % (self.bob_jid, self.ops))
            self.assertEqual(tabs[0]["tooltip"], "%s via %s" % (self.bob_jid, self.alice))
            self.assertIn("via " + self.ops, dump["chat_subtitle"])
            for tab in tabs:
                self.assertGreaterEqual(tab["messages"], 1, tab)
            time.sleep(1.0)
            desktop.screenshot("accounts-light.png")

            # Replies leave from the selected tab's account.
            call(desktop, "test-send", "reply from ops")
            msg = self.bob.wait_for(lambda e: e.get("event") == "message"
                                    and e.get("body") == "reply from ops", timeout=15)
            self.assertEqual(msg["from"].split("/")[0], self.ops)
            call(desktop, "open-chat", "%s %s" % (self.alice, self.bob_jid))
            app.wait_for(lambda d: any(t["selected"] and t["account"] == self.alice
                                       for t in d.get("tabs", [])), timeout=10,
                         what="alice's tab selected")
            call(desktop, "test-send", "reply from alice")
            msg = self.bob.wait_for(lambda e: e.get("event") == "message"
                                    and e.get("body") == "reply from alice", timeout=15)
            self.assertEqual(msg["from"].split("/")[0], self.alice)

            # Tools act as the current tab's account, with a chooser for the
            # other: the XML console opens for alice (her tab is selected).
            call(desktop, "xml-console")
            wait_tools(desktop, lambda w: {"type": "FlintXmlConsole", "account": self.alice,
                                           "chooser": self.alice} in w)
            desktop.screenshot("accounts-console-chooser.png")
            # Choosing ops opens ops's console; alice's stays hers.
            tools(desktop, "choose-account|FlintXmlConsole|" + self.ops)
            w = wait_tools(desktop, lambda w: {"type": "FlintXmlConsole", "account": self.ops,
                                               "chooser": self.ops} in w)
            self.assertIn({"type": "FlintXmlConsole", "account": self.alice,
                           "chooser": self.alice}, w)
            # What the console sends leaves from its account: with ops's tab
            # selected, the console used is ops's.
            call(desktop, "open-chat", "%s %s" % (self.ops, self.bob_jid))
            app.wait_for(lambda d: any(t["selected"] and t["account"] == self.ops
                                       for t in d.get("tabs", [])), timeout=10,
                         what="ops's tab selected")
            tools(desktop, "console-send|<message to='%s' type='chat'><body>raw from ops"
                  "</body></message>" % self.bob_jid)
            msg = self.bob.wait_for(lambda e: e.get("event") == "message"
                                    and e.get("body") == "raw from ops", timeout=15)
            self.assertEqual(msg["from"].split("/")[0], self.ops)
            # Add Contact starts on the current account and can switch.
            call(desktop, "test-activate", "win.add-contact")
            wait_tools(desktop, lambda w: {"type": "FlintAddContactDialog", "account": "",
                                           "chooser": self.ops} in w)
            time.sleep(0.5)
            desktop.screenshot("accounts-add-contact.png")

            tools(desktop, "choose-account|FlintAddContactDialog|" + self.alice)
            wait_tools(desktop, lambda w: {"type": "FlintAddContactDialog", "account": "",
                                           "chooser": self.alice} in w)

            # An invitation to ops (alice's tab is not selected) is answered
            # as ops: the join dialog opens on ops.
            self.bob.command("invite", to=self.ops, room="bobroom@" + self.prosody.muc_domain)
            app.wait_for(lambda d: d.get("dialog") == "Room Invitation", timeout=15,
                         what="invitation")
            call(desktop, "test-respond", "join")
            wait_tools(desktop, lambda w: {"type": "FlintJoinDialog", "account": "",
                                           "chooser": self.ops} in w)

            # The status menu sets presence on both accounts.
            call(desktop, "test-activate", "win.presence|dnd")
            seen = set()
            deadline = time.monotonic() + 15
            while seen != {self.alice, self.ops} and time.monotonic() < deadline:
                try:
                    e = self.bob.wait_for(lambda e: e.get("event") == "presence"
                                          and e.get("show") == "dnd"
                                          and not e["from"].endswith("/setup"), timeout=1)
                    seen.add(e["from"].split("/")[0])
                except fh.PeerTimeout:
                    pass
            self.assertEqual(seen, {self.alice, self.ops})

            # Dark style, for a look.
            desktop.run(["gsettings", "set", "im.flint.Flint", "color-scheme", "dark"],
                        timeout=10)
            app.wait_for(lambda d: d.get("dark"), timeout=10, what="dark style")
            time.sleep(0.5)
            desktop.screenshot("accounts-dark.png")

            # Disabling ops in Preferences signs it off at once: the peer sees
            # it go, its section and tab leave, alice stays.
            call(desktop, "preferences")
            desktop.wait_for_window("Preferences", timeout=20)
            call(desktop, "test-pref", "page|accounts")
            t0 = time.monotonic()
            call(desktop, "test-pref", self.ops + "|false")
            self.bob.wait_for(lambda e: e.get("event") == "presence"
                              and flint_resource(e, self.ops)
                              and e.get("type") == "unavailable", timeout=10)
            self.assertLess(time.monotonic() - t0, 10)
            dump = app.wait_for(lambda d: len(d.get("tabs", [])) == 1
                                and self.ops not in sections(d)
                                and not any(self.room in r for r in d.get("room_list", []))
                                and account_state(d, self.ops)["state"] == "disconnected",
                                timeout=10, what="ops gone")
            self.assertEqual(dump["tabs"][0]["account"], self.alice)
            # One account left: the pane looks as with one account.
            self.assertEqual(sections(dump), {})
            self.assertIn("C:" + self.bob_jid,
                          [r.split("|")[0] for r in dump["roster"]])
            self.assertEqual(account_state(dump, self.alice)["state"], "online")
            # Its history is kept.
            rows = app.history_rows(
                "SELECT count(*) FROM messages WHERE account = ?", (self.ops,))
            self.assertGreaterEqual(rows[0][0], 2)
            # And it stays off: nothing signs it in again behind our back.
            mark = time.monotonic()
            self.bob.expect_none(lambda e: e.get("event") == "presence"
                                 and flint_resource(e, self.ops) and e["_t"] > mark
                                 and e.get("type") == "available", within=2.0)

            # Enabling it again connects it and brings its section back.
            mark = time.monotonic()
            call(desktop, "test-pref", self.ops + "|true")
            app.wait_for(lambda d: sections(d).get(self.ops, ("", 0))[0] == "Online",
                         timeout=60, what="ops back")
            self.bob.wait_for(lambda e: e.get("event") == "presence"
                              and flint_resource(e, self.ops) and e["_t"] > mark
                              and e.get("type") == "available", timeout=10)

            # Disabling the first account: ops becomes the window's account,
            # with its room; alice's chat tab goes.
            dump = app.wait_for(lambda d: any(t.get("room") for t in d.get("tabs", [])),
                                timeout=30, what="ops's room back")
            call(desktop, "test-pref", self.alice + "|false")
            dump = app.wait_for(lambda d: (d.get("bound_jid") or "").startswith(self.ops)
                                and not sections(d)
                                and account_state(d, self.alice)["state"] == "disconnected",
                                timeout=15, what="ops is the window's account")
            self.assertEqual([(t["jid"], t["account"]) for t in dump["tabs"]],
                             [(self.room, self.ops)])
            self.assertIn("R:%s|joined|0" % self.room, dump["room_list"])
            self.assertTrue(dump["window"].startswith("chat|"), dump["window"])
            call(desktop, "test-pref", self.alice + "|true")
            app.wait_for(lambda d: sections(d).get(self.alice, ("",))[0] == "Online"
                         and sections(d).get(self.ops, ("",))[0] == "Online",
                         timeout=60, what="both back")

            # Removing it signs it off at once too, and its section goes.
            call(desktop, "test-pref", self.ops + "|Remove Account")
            app.wait_for(lambda d: d.get("dialog") == "Remove Account?", timeout=10,
                         what="remove dialog")
            call(desktop, "test-respond", "remove")
            self.bob.wait_for(lambda e: e.get("event") == "presence"
                              and flint_resource(e, self.ops)
                              and e.get("type") == "unavailable", timeout=10)
            dump = app.wait_for(lambda d: d.get("accounts") == 1 and not sections(d),
                                timeout=10, what="ops removed")
            self.assertEqual([a["jid"] for a in dump["account_list"]], [self.alice])
            mark = time.monotonic()
            self.bob.expect_none(lambda e: e.get("event") == "presence"
                                 and flint_resource(e, self.ops) and e["_t"] > mark
                                 and e.get("type") == "available", within=2.0)

    def test_account_in_error_has_its_own_sign_in(self):
        with fh.Desktop() as desktop:
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(self.prosody, "alice", "wrong-pw")
            app.add_account(self.prosody, "ops", "ops-pw")
            app.start()
            # Alice (the first account) fails on her own: her section says so,
            # ops is unaffected, and no pane-wide bar claims all is offline.
            dump = app.wait_for(
                lambda d: sections(d).get(self.ops, ("",))[0] == "Online"
                and sections(d).get(self.alice, ("",))[0] == "Not Connected"
                and section_of(d, self.bob_jid) == [self.ops],
                timeout=90, what="alice refused, ops online with its contacts")
            self.assertEqual(account_state(dump, self.alice)["state"], "disconnected")
            self.assertFalse(dump["connection_bar"])
            self.assertEqual(section_of(dump, self.bob_jid), [self.ops])
            time.sleep(0.5)
            desktop.screenshot("accounts-error.png")
            # Her section's button asks for the password, for her.
            call(desktop, "test-activate", "roster.reconnect|" + self.alice)
            desktop.wait_for_window("Enter Password", timeout=10)

        if not HAVE_XDOTOOL:
            return
        with fh.Desktop() as desktop:
            # A section collapses like a group, and stays so at the next start.
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(self.prosody, "alice", "alice-pw")
            app.add_account(self.prosody, "ops", "ops-pw")
            app.start()
            app.wait_for(lambda d: sections(d).get(self.alice, ("",))[0] == "Online"
                         and section_of(d, self.bob_jid) == [self.alice, self.ops]
                         and len(d.get("room_list", [])) == 1,
                         timeout=90, what="both sections")
            wid = desktop.wait_for_window("Flint")[0]
            desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
            time.sleep(0.3)
            # The arrow of alice's section header, under the one-room list.
            time.sleep(0.5)
            desktop.run(["xdotool", "mousemove", "27", "185", "click", "1"], timeout=10)
            dump = app.wait_for(lambda d: section_of(d, self.bob_jid) == [self.ops],
                                timeout=10, what="alice's section collapsed")
            desktop.screenshot("accounts-collapsed.png")
            self.assertIn("A:%s|Online|1" % self.alice, dump["roster"])
            # Two chats with bob, one per account, come back with their account.
            call(desktop, "open-chat", "%s %s" % (self.alice, self.bob_jid))
            call(desktop, "open-chat", "%s %s" % (self.ops, self.bob_jid))
            app.wait_for(lambda d: len(chat_tabs(d)) == 2, timeout=10, what="two tabs")
            app.stop()
            app.start()
            dump = app.wait_for(lambda d: sections(d).get(self.ops, ("",))[0] == "Online"
                                and section_of(d, self.bob_jid) == [self.ops]
                                and self.alice in sections(d),
                                timeout=90, what="still collapsed after a restart")
            self.assertEqual([(t["jid"], t["account"]) for t in chat_tabs(dump)],
                             [(self.bob_jid, self.alice), (self.bob_jid, self.ops)])

            # The search looks through every account's contacts.
            wid = desktop.wait_for_window("Flint")[0]
            desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
            desktop.run(["xdotool", "key", "ctrl+f"], timeout=10)
            time.sleep(0.3)
            desktop.run(["xdotool", "type", "--delay", "30", "bo"], timeout=10)
            dump = app.wait_for(lambda d: [r.split("|")[0] for r in d["roster"]
                                           if not r.startswith("R:")]
                                == ["C:" + self.bob_jid] * 2,
                                timeout=10, what="bob found on both accounts")
            desktop.run(["xdotool", "key", "BackSpace", "BackSpace"], timeout=10)
            desktop.run(["xdotool", "type", "--delay", "30", "car"], timeout=10)
            app.wait_for(lambda d: [r.split("|")[0] for r in d["roster"]
                                    if not r.startswith("R:")] == ["C:" + self.carol_jid],
                         timeout=10, what="carol found")


if __name__ == "__main__":
    unittest.main(verbosity=2)

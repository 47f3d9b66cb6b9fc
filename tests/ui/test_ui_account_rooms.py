#!/usr/bin/python3
"""Two accounts on two servers (issue 8): the room browser lists the rooms
of the chosen account's server and joins as that account; the header
avatar's tooltip says whose picture it is and that the status is for all.
Real binary, two real Prosody servers, slixmpp peers making the rooms."""

import json
import os
import tempfile
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


def call(desktop, action, value=None):
    arg = "[<%s>]" % json.dumps(value) if value is not None else "[]"
    r = desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                     "--object-path", "/im/flint/Flint", "--method",
                     "org.gtk.Actions.Activate", action, arg, "{}"], timeout=10)
    assert r.returncode == 0, r.stderr


def tool_windows(desktop):
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    os.unlink(path)
    call(desktop, "test-tools", "accounts-dump|" + path)
    deadline = time.monotonic() + 10
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    with open(path) as f:
        data = json.load(f)
    os.unlink(path)
    return data


class AccountRoomsTest(unittest.TestCase):
    def setUp(self):
        self.one = fh.Prosody(domain="one.test")
        self.one.start()
        self.addCleanup(self.one._cleanup)
        self.two = fh.Prosody(domain="two.test")
        self.two.start()
        self.addCleanup(self.two._cleanup)
        self.one.register("alice", "alice-pw")
        self.one.register("maker", "maker-pw")
        self.two.register("ops", "ops-pw")
        self.two.register("maker", "maker-pw")
        self.alice = self.one.jid("alice")
        self.ops = self.two.jid("ops")
        # One public room on the first server, three on the second.
        for server, count in ((self.one, 1), (self.two, 3)):
            maker = fh.Peer.start(server, "maker", "maker-pw")
            self.addCleanup(maker.quit)
            maker.command("make_rooms", service=server.muc_domain, count=count,
                          prefix=server.domain.split(".")[0], stay=True, timeout=60)

    def browser(self, d):
        return d.get("room_browser") or {}

    def test_browser_and_avatar_follow_the_account(self):
        with fh.Desktop() as desktop:
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(self.one, "alice", "alice-pw")
            app.add_account(self.two, "ops", "ops-pw")
            app.start()
            dump = app.wait_for(lambda d: [a["state"] for a in d.get("account_list", [])]
                                == ["online", "online"], timeout=60, what="both online")

            # The header shows the first account's picture, the status is
            # everyone's: the tooltip says both.
            self.assertEqual(dump["own_tooltip"],
                             "Available (all accounts)\nPicture of %s" % self.alice)

            # The browser starts on the window's account: the first server.
            call(desktop, "test-activate", "win.browse-rooms")
            dump = app.wait_for(lambda d: self.browser(d).get("page") == "list",
                                timeout=30, what="first server's rooms")
            self.assertEqual(self.browser(dump)["account"], self.alice)
            self.assertEqual(self.browser(dump)["rooms"], 1)
            self.assertIn({"type": "FlintRoomBrowser", "account": self.alice,
                           "chooser": self.alice}, tool_windows(desktop))
            time.sleep(0.5)
            desktop.screenshot("account-rooms-browser.png")

            # Choosing ops browses ops's server.
            call(desktop, "test-tools", "choose-account|FlintRoomBrowser|" + self.ops)
            dump = app.wait_for(lambda d: self.browser(d).get("account") == self.ops
                                and self.browser(d).get("page") == "list"
                                and self.browser(d).get("rooms") == 3,
                                timeout=30, what="second server's rooms")
            self.assertIn({"type": "FlintRoomBrowser", "account": self.ops,
                           "chooser": self.ops}, tool_windows(desktop))
            self.assertEqual(len([w for w in tool_windows(desktop)
                                  if w["type"] == "FlintRoomBrowser"]), 1)
            desktop.run(["gsettings", "set", "im.flint.Flint", "color-scheme", "dark"],
                        timeout=10)
            app.wait_for(lambda d: d.get("dark"), timeout=10, what="dark style")
            time.sleep(0.5)
            desktop.screenshot("account-rooms-browser-dark.png")

            # Joining from it joins as ops.
            room = "two1@" + self.two.muc_domain
            call(desktop, "test-activate", "browser.join|" + room)
            dump = app.wait_for(
                lambda d: any(t.get("room") and t["jid"] == room for t in d.get("tabs", []))
                and any(r.startswith("R:%s|joined|" % room) for r in d.get("room_list", [])),
                timeout=30, what="room joined")
            tab = [t for t in dump["tabs"] if t.get("jid") == room][0]
            self.assertEqual(tab["account"], self.ops)
            self.assertIn("R:%s|joined|0|%s" % (room, self.ops), dump["room_list"])
            call(desktop, "test-activate", "browser.close")

            # With one account left the tooltip is the status alone.
            call(desktop, "preferences")
            desktop.wait_for_window("Preferences", timeout=20)
            call(desktop, "test-pref", "page|accounts")
            call(desktop, "test-pref", self.ops + "|false")
            app.wait_for(lambda d: d.get("own_tooltip") == "Available", timeout=15,
                         what="single-account tooltip")


if __name__ == "__main__":
    unittest.main(verbosity=2)

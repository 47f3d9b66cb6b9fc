#!/usr/bin/python3
"""Rooms in the real app under Xvfb: a bookmark with autojoin (stored by
another client of the account) is joined at sign-in and gets a tab and a
row in the Rooms section; the room's history and subject show; a message
typed in the room reaches the other occupants and is stored once; a
mention of our nick is counted and highlighted. Screenshots light and dark."""

import subprocess
import os
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

BOOKMARK = ("<iq xmlns='jabber:client' type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub'>"
            "<publish node='urn:xmpp:bookmarks:1'><item id='{room}'>"
            "<conference xmlns='urn:xmpp:bookmarks:1' name='Team Room' autojoin='true'>"
            "<nick>alice</nick></conference></item></publish>"
            "<publish-options><x xmlns='jabber:x:data' type='submit'>"
            "<field var='FORM_TYPE' type='hidden'>"
            "<value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
            "<field var='pubsub#persist_items'><value>true</value></field>"
            "<field var='pubsub#access_model'><value>whitelist</value></field>"
            "</x></publish-options></pubsub></iq>")


def room_of(dump, jid):
    for r in dump.get("rooms", []):
        if r["jid"] == jid:
            return r
    return None


def tab_of(dump, jid):
    for t in dump.get("tabs", []):
        if t["jid"] == jid:
            return t
    return None


class RoomsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody().start()
        for user in ("alice", "bob", "carol", "dave"):
            cls.prosody.register(user, user + "-pw")
        cls.room = "team@" + cls.prosody.muc_domain
        other = fh.Peer.start(cls.prosody, "alice", "alice-pw", resource="phone")
        reply = other.command("iq", xml=BOOKMARK.format(room=cls.room))
        assert reply.get("type") == "result", reply
        other.quit()
        cls.bob = fh.Peer.start(cls.prosody, "bob", "bob-pw")
        cls.carol = fh.Peer.start(cls.prosody, "carol", "carol-pw")
        cls.dave = fh.Peer.start(cls.prosody, "dave", "dave-pw")
        cls.bob.command("join_muc", room=cls.room, nick="bob")
        cls.carol.command("join_muc", room=cls.room, nick="carol")
        cls.dave.command("join_muc", room=cls.room, nick="dave")
        cls.bob.command("send", type="groupchat", to=cls.room, chatstate=None,
                        subject="Release 2.4 — freeze on Friday", origin_id=False)
        for who, text in ((cls.bob, "Morning all, the build is green again."),
                          (cls.carol, "Great, I will tag the release candidate."),
                          (cls.dave, "Docs are updated for the new sync settings.")):
            who.command("send", type="groupchat", to=cls.room, body=text, chatstate=None)

    @classmethod
    def tearDownClass(cls):
        for p in (cls.bob, cls.carol, cls.dave):
            p.quit()
        cls.prosody._cleanup()

    def run_app(self, scheme):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, "alice", "alice-pw")
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": scheme})
        return desktop, app

    def open_room(self, app):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "open-chat",
             "[<'%s'>]" % self.room, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        return app.wait_for(lambda d: (tab_of(d, self.room) or {}).get("selected"),
                            timeout=10, what="room tab selected")

    def send(self, app, text):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "test-send",
             "[<'%s'>]" % text, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_autojoin_send_receive(self):
        desktop, app = self.run_app("prefer-light")
        dump = app.wait_for(lambda d: (room_of(d, self.room) or {}).get("state") == "joined",
                            timeout=30, what="autojoined room")
        room = room_of(dump, self.room)
        self.assertEqual(room["nick"], "alice")
        self.assertEqual(room["subject"], "Release 2.4 — freeze on Friday")
        self.assertEqual(room["occupants"], 4)
        self.assertIn("bob|moderator|owner", room["people"])
        self.assertIn("carol|participant|none", room["people"])
        self.assertEqual([b["jid"] for b in dump["bookmarks"]], [self.room])
        self.assertTrue(dump["bookmarks"][0]["autojoin"])
        # A tab (not selected: autojoin does not steal focus) and a Rooms row.
        dump = app.wait_for(lambda d: tab_of(d, self.room) is not None, timeout=10,
                            what="room tab")
        self.assertTrue(tab_of(dump, self.room)["room"])
        self.assertIn("R:%s|joined|0" % self.room, dump["room_list"])

        dump = self.open_room(app)
        # The history the room gave on joining: three messages, stored once.
        dump = app.wait_for(lambda d: tab_of(d, self.room)["messages"] >= 3, timeout=10,
                            what="room history")
        self.assertEqual(tab_of(dump, self.room)["messages"], 3)
        # Rows in the occupant list (and every other list) carry no fixed
        # tooltip text: each one set cost an X round trip per bound row,
        # which made a 500-occupant join take 20 s.
        self.assertEqual(dump["row_tooltips"], 0)

        # We speak: every occupant gets it once; our echo is not a second row.
        self.send(app, "Thanks! I will review the changelog today.")
        for peer in (self.bob, self.carol):
            ev = peer.wait_for(lambda e: e.get("event") == "message" and
                               e.get("body") == "Thanks! I will review the changelog today.",
                               timeout=10)
            self.assertEqual(ev["from"], self.room + "/alice")
        time.sleep(1.0)
        rows = app.history_rows("SELECT body, sender, direction FROM messages "
                                "WHERE conversation = ? ORDER BY time, id", (self.room,))
        self.assertEqual(len(rows), 4, rows)
        self.assertEqual(rows[-1], ("Thanks! I will review the changelog today.", "alice", 1))

        # Someone mentions us while we look at another tab: counted in the
        # Rooms section and the tab, and a desktop notification.
        monitor = desktop.spawn(["dbus-monitor", "--session",
                                 "type='method_call',member='Notify'",
                                 "type='method_call',member='AddNotification'"],
                                stdout=subprocess.PIPE)
        time.sleep(0.5)
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "open-chat",
             "[<'%s'>]" % self.prosody.jid("bob"), "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        app.wait_for(lambda d: (tab_of(d, self.prosody.jid("bob")) or {}).get("selected"),
                     timeout=10, what="bob's tab")
        self.bob.command("send", type="groupchat", to=self.room, chatstate=None,
                         body="alice: can you also check the migration notes?")
        dump = app.wait_for(lambda d: "R:%s|joined|1" % self.room in d["room_list"],
                            timeout=10, what="mention counted")
        self.assertEqual(room_of(dump, self.room)["unread"], 1)
        self.assertTrue(tab_of(dump, self.room)["attention"])
        time.sleep(2.5)
        monitor.terminate()
        out = monitor.communicate(timeout=10)[0].decode()
        self.assertIn("migration notes", out)

        # Back in the room: read, the mention highlighted.
        dump = self.open_room(app)
        dump = app.wait_for(lambda d: room_of(d, self.room)["unread"] == 0, timeout=10,
                            what="read")
        self.assertEqual(tab_of(dump, self.room)["messages"], 5)
        time.sleep(0.8)
        desktop.screenshot("rooms-light.png")

        # The conversation menu exports a room's transcript too.
        out = os.path.join(fh.artifact_dir(), "room-transcript.txt")
        if os.path.exists(out):
            os.unlink(out)
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "test-activate",
             "[<'win.export-transcript-to|text|%s'>]" % out, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        deadline = time.monotonic() + 10
        while not os.path.exists(out) and time.monotonic() < deadline:
            time.sleep(0.2)
        with open(out) as f:
            self.assertIn("migration notes", f.read())

    def test_dark_and_join_dialog(self):
        desktop, app = self.run_app("prefer-dark")
        app.wait_for(lambda d: (room_of(d, self.room) or {}).get("state") == "joined",
                     timeout=30, what="autojoined room")
        self.open_room(app)
        dump = app.wait_for(lambda d: tab_of(d, self.room)["messages"] >= 3, timeout=10,
                            what="room history")
        time.sleep(0.8)
        dump = app.dump()
        self.assertIn("bob|moderator|owner", room_of(dump, self.room)["people"], dump)
        desktop.screenshot("rooms-dark.png")
        # Main menu → Join Room…: the dialog.
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "test-activate",
             "[<'win.join-room'>]", "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        desktop.wait_for_window("Join Room", timeout=10)
        time.sleep(0.6)
        desktop.screenshot("rooms-join-dialog-dark.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

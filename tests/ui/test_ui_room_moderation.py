#!/usr/bin/python3
"""Moderating a busy room in the real app under Xvfb. Alice's bookmark
(autojoin) makes her the room's owner; four slixmpp peers join. Through the
room page's own actions (as the occupant menu and its dialogs run them):
make an admin and a member, take a voice, kick with a reason; each is seen
by the peer (its presence, the 307 with the reason) and stored as a status
line. The occupant menu offers only what an owner may do to that person.
A refused request shows the room's refusal as a toast. Invitations arrive
as a dialog: Decline sends a mediated decline back to the inviter, Join
opens the Join Room dialog. Screenshots of the busy room (roles grouped,
affiliation badges, nick colours, a mention, the menu open) light and dark."""

import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

BOOKMARK = ("<iq xmlns='jabber:client' type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub'>"
            "<publish node='urn:xmpp:bookmarks:1'><item id='{room}'>"
            "<conference xmlns='urn:xmpp:bookmarks:1' name='Release Team' autojoin='true'>"
            "<nick>alice</nick></conference></item></publish>"
            "<publish-options><x xmlns='jabber:x:data' type='submit'>"
            "<field var='FORM_TYPE' type='hidden'>"
            "<value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
            "<field var='pubsub#persist_items'><value>true</value></field>"
            "<field var='pubsub#access_model'><value>whitelist</value></field>"
            "</x></publish-options></pubsub></iq>")

PEERS = ("bob", "carol", "dave", "erin")
DELETE_BOOKMARKS = ("<iq xmlns='jabber:client' type='set'>"
                    "<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>"
                    "<delete node='urn:xmpp:bookmarks:1'/></pubsub></iq>")


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


class RoomModerationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody().start()
        for user in ("alice",) + PEERS:
            cls.prosody.register(user, user + "-pw")

    @classmethod
    def tearDownClass(cls):
        cls.prosody._cleanup()

    def setUp(self):
        # A room of its own per test: alice creates it (owner) at sign-in.
        self.room = "%s@%s" % (self._testMethodName.replace("_", "")[:20],
                               self.prosody.muc_domain)
        other = fh.Peer.start(self.prosody, "alice", "alice-pw", resource="phone")
        # Only this test's room: rooms an earlier test joined (and so
        # bookmarked) would be autojoined too.
        other.command("iq", xml=DELETE_BOOKMARKS)
        reply = other.command("iq", xml=BOOKMARK.format(room=self.room))
        self.assertEqual(reply.get("type"), "result", reply)
        other.quit()

    def run_app(self, scheme):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, "alice", "alice-pw")
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": scheme})
        return desktop, app

    def gdbus(self, app, action, arg):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", action,
             "[<'%s'>]" % arg, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def fill_room(self, app):
        """Alice joined (owner); the peers join and talk; alice's tab open."""
        app.wait_for(lambda d: (room_of(d, self.room) or {}).get("state") == "joined",
                     timeout=30, what="autojoined room")
        peers = {}
        for name in PEERS:
            p = fh.Peer.start(self.prosody, name, name + "-pw")
            self.addCleanup(p.quit)
            p.command("join_muc", room=self.room, nick=name)
            peers[name] = p
        app.wait_for(lambda d: room_of(d, self.room)["occupants"] == 5, timeout=15,
                     what="five occupants")
        self.gdbus(app, "open-chat", self.room)
        app.wait_for(lambda d: (tab_of(d, self.room) or {}).get("selected"), timeout=10,
                     what="room tab selected")
        for who, text in (("bob", "Morning! The release branch is cut."),
                          ("carol", "I am going through the changelog now."),
                          ("dave", "alice: can you approve the translations PR?"),
                          ("erin", "The nightly build passed on all runners.")):
            peers[who].command("send", type="groupchat", to=self.room, body=text,
                               chatstate=None)
        app.wait_for(lambda d: tab_of(d, self.room)["messages"] >= 4, timeout=10,
                     what="messages")
        return peers

    def status_lines(self, app):
        return [r[0] for r in app.history_rows(
            "SELECT body FROM messages WHERE conversation = ? AND kind = 2 ORDER BY time, id",
            (self.room,))]

    def test_moderate_busy_room(self):
        desktop, app = self.run_app("prefer-light")
        peers = self.fill_room(app)
        self.assertTrue(tab_of(app.dump(), self.room)["subject_editable"])

        # Owner's menu for a plain participant: everything but voice-grant.
        self.gdbus(app, "test-activate", "room.occupant-menu|dave")
        dump = app.wait_for(lambda d: tab_of(d, self.room)["menu"], timeout=5,
                            what="occupant menu")
        menu = tab_of(dump, self.room)["menu"].split(",")
        self.assertEqual(menu, ["room.private-message", "room.revoke-voice",
                                "room.make-member", "room.make-admin", "room.make-owner",
                                "room.kick", "room.ban"])
        time.sleep(0.8)
        desktop.screenshot("room-moderation-menu-light.png")
        app.desktop.run(["xdotool", "key", "Escape"], timeout=10)

        # Bob an admin (and so a moderator), carol a member, erin silenced:
        # each seen by the peer and by us.
        self.gdbus(app, "test-activate", "room.make-admin|bob")
        self.gdbus(app, "test-activate", "room.make-member|carol")
        self.gdbus(app, "test-activate", "room.revoke-voice|erin")
        peers["erin"].wait_for(lambda e: e.get("event") == "presence" and
                               e.get("from") == self.room + "/erin" and
                               (e.get("muc") or {}).get("role") == "visitor", timeout=10)
        peers["carol"].wait_for(lambda e: e.get("event") == "presence" and
                                e.get("from") == self.room + "/carol" and
                                (e.get("muc") or {}).get("affiliation") == "member",
                                timeout=10)
        dump = app.wait_for(
            lambda d: {"bob|moderator|admin", "carol|participant|member",
                       "erin|visitor|none"} <= set(room_of(d, self.room)["people"]),
            timeout=10, what="roles and affiliations")
        lines = self.status_lines(app)
        for expected in ("bob is now an administrator of the room",
                         "carol is now a member of the room",
                         "erin may no longer speak in the room"):
            self.assertIn(expected, lines)

        # The menu follows bob's new affiliation: no more "Make Admin",
        # no voice changes for a moderator.
        self.gdbus(app, "test-activate", "room.occupant-menu|bob")
        dump = app.wait_for(lambda d: "room.make-owner" in (tab_of(d, self.room)["menu"] or ""),
                            timeout=5, what="bob's menu")
        menu = tab_of(dump, self.room)["menu"].split(",")
        self.assertNotIn("room.make-admin", menu)
        self.assertNotIn("room.revoke-voice", menu)
        self.assertIn("room.ban", menu)
        self.assertIn("room.remove-affiliation", menu)
        app.desktop.run(["xdotool", "key", "Escape"], timeout=10)
        self.gdbus(app, "test-activate", "room.occupant-menu|erin")
        dump = app.wait_for(lambda d: "room.grant-voice" in (tab_of(d, self.room)["menu"] or ""),
                            timeout=5, what="erin's menu")
        app.desktop.run(["xdotool", "key", "Escape"], timeout=10)

        # The room refuses to lose its last owner (the menu never offers
        # it; the action is run directly): the refusal is a toast.
        self.gdbus(app, "test-activate", "room.remove-affiliation|alice")
        dump = app.wait_for(lambda d: d.get("last_toast"), timeout=10, what="refusal toast")
        self.assertIn("at least one owner", dump["last_toast"])
        self.assertIn("alice|moderator|owner", room_of(dump, self.room)["people"])

        # Kick with a reason: dave sees the 307 and the reason.
        self.gdbus(app, "test-activate", "room.kick|dave")
        app.wait_for(lambda d: d.get("dialog") == "Kick dave?", timeout=5, what="kick dialog")
        self.gdbus(app, "test-respond", "kick|Please take this to the translators room")
        ev = peers["dave"].wait_for(lambda e: e.get("event") == "presence" and
                                    e.get("type") == "unavailable" and
                                    "307" in ((e.get("muc") or {}).get("codes") or []),
                                    timeout=10)
        self.assertEqual(ev["from"], self.room + "/dave")
        app.wait_for(lambda d: not any(p.startswith("dave|")
                                       for p in room_of(d, self.room)["people"]),
                     timeout=10, what="dave gone")
        self.assertIn("dave was kicked from the room (“Please take this to the translators room”)",
                      self.status_lines(app))
        time.sleep(0.8)
        desktop.screenshot("room-moderation-light.png")

    def test_invitations_and_dark(self):
        # Alice's contacts, for the invite dialog's list.
        self.prosody.write_roster("alice", [
            (self.prosody.jid("dave"), "Dave Dupont", ["Team"], "both"),
            (self.prosody.jid("erin"), "Erin Eriksen", ["Team"], "both")])
        self.addCleanup(self.prosody.write_roster, "alice", [])
        desktop, app = self.run_app("prefer-dark")
        peers = self.fill_room(app)
        self.gdbus(app, "test-activate", "room.make-admin|bob")
        self.gdbus(app, "test-activate", "room.make-member|carol")
        self.gdbus(app, "test-activate", "room.revoke-voice|erin")
        app.wait_for(lambda d: "erin|visitor|none" in room_of(d, self.room)["people"],
                     timeout=10, what="erin a visitor")
        time.sleep(0.8)
        desktop.screenshot("room-moderation-dark.png")

        # Out: the room menu's Invite… sends dave a direct invitation.
        self.gdbus(app, "test-activate", "room.invite")
        app.wait_for(lambda d: d.get("dialog") == "Invite to Release Team", timeout=5,
                     what="invite dialog")
        self.gdbus(app, "test-respond", "invite|" + self.prosody.jid("dave"))
        ev = peers["dave"].wait_for(lambda e: e.get("event") == "invite", timeout=10)
        self.assertEqual((ev["kind"], ev["room"]), ("direct", self.room))
        # The dialog lists the contacts; typing a name picks the one it matches.
        self.gdbus(app, "test-activate", "room.invite")
        app.wait_for(lambda d: d.get("dialog") == "Invite to Release Team", timeout=5,
                     what="invite dialog")
        time.sleep(0.6)
        desktop.screenshot("room-invite-picker-dark.png")
        self.gdbus(app, "test-respond", "invite|erin")
        ev = peers["erin"].wait_for(lambda e: e.get("event") == "invite", timeout=10)
        self.assertEqual((ev["kind"], ev["room"]), ("direct", self.room))
        # Bad input is a toast, not a stanza.
        self.gdbus(app, "test-activate", "room.invite")
        app.wait_for(lambda d: d.get("dialog") == "Invite to Release Team", timeout=5,
                     what="invite dialog")
        self.gdbus(app, "test-respond", "invite|not an address")
        app.wait_for(lambda d: "not a valid address" in (d.get("last_toast") or ""),
                     timeout=5, what="the bad address toast")

        # A private message to an occupant opens a tab to room/nick, with
        # that conversation only (it once showed the room's messages).
        self.gdbus(app, "test-activate", "room.private-message|carol")
        dump = app.wait_for(lambda d: (tab_of(d, self.room + "/carol") or {}).get("selected"),
                            timeout=10, what="private chat tab")
        self.assertEqual(tab_of(dump, self.room + "/carol")["messages"], 0)
        self.assertEqual(tab_of(dump, self.room)["messages"], 7)
        self.gdbus(app, "test-send", "a word in private")
        ev = peers["carol"].wait_for(lambda e: e.get("event") == "message" and
                                     e.get("body") == "a word in private", timeout=10)
        self.assertEqual((ev["type"], ev["from"]), ("chat", self.room + "/alice"))
        dump = app.wait_for(lambda d: tab_of(d, self.room + "/carol")["messages"] == 1,
                            timeout=10, what="the private message in its tab")
        self.assertEqual(tab_of(dump, self.room)["messages"], 7)

        # A mediated invitation to another room: declined, and bob is told.
        side = "side@" + self.prosody.muc_domain
        peers["bob"].command("join_muc", room=side, nick="bob")
        peers["bob"].command("invite", to=self.prosody.jid("alice"), room=side,
                             reason="quick sync?", direct=False)
        dump = app.wait_for(lambda d: d.get("dialog") == "Room Invitation", timeout=10,
                            what="invitation dialog")
        time.sleep(0.6)
        desktop.screenshot("room-invitation-dark.png")
        self.gdbus(app, "test-respond", "decline")
        ev = peers["bob"].wait_for(lambda e: e.get("event") == "decline", timeout=10)
        self.assertEqual(ev["room"], side)
        # Not stored as a chat message from the room or from bob.
        rows = app.history_rows("SELECT body FROM messages WHERE conversation IN (?, ?)",
                                (side, self.prosody.jid("bob")))
        self.assertEqual(rows, [])

        # A direct invitation to a protected room: Join opens the join
        # dialog for that room with the invitation's password in it, so
        # joining does not ask for it.
        vault = "vault0@" + self.prosody.muc_domain
        peers["carol"].command("make_rooms", service=self.prosody.muc_domain, prefix="vault",
                               count=1, name="Vault", password="s3cret-pw")
        peers["carol"].command("invite", to=self.prosody.jid("alice"), room=vault,
                               password="s3cret-pw")
        app.wait_for(lambda d: d.get("dialog") == "Room Invitation", timeout=10,
                     what="invitation to the protected room")
        self.gdbus(app, "test-respond", "join")
        desktop.wait_for_window("Join Room", timeout=10)
        self.gdbus(app, "test-activate", "join.join")
        app.wait_for(lambda d: (room_of(d, vault) or {}).get("state") == "joined",
                     timeout=15, what="joined the protected room")


if __name__ == "__main__":
    unittest.main(verbosity=2)

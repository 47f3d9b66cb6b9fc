#!/usr/bin/python3
"""Avatars in the real window (issue 3 items 1, 2, 4, 5): our own vCard photo
in the header bar, a contact's XEP-0084 avatar in the roster and on its chat
tab, initials for a contact without one, a change from the contact showing
live, a removal going back to initials, and the cached pictures after a
restart; screenshots light and dark."""

import base64
import hashlib
import os
import struct
import time
import unittest
import zlib

import flint_harness as fh
from flint_app import FlintApp


def make_png(size, top, bottom):
    """A size×size PNG fading from colour top to bottom (RGB tuples)."""
    rows = []
    for y in range(size):
        t = y / (size - 1)
        rgb = bytes(int(a + (b - a) * t) for a, b in zip(top, bottom))
        rows.append(b"\0" + rgb * size)
    raw = zlib.compress(b"".join(rows))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw)
            + chunk(b"IEND", b""))


def make_png_wide(width, height):
    """A width×height PNG: red left third, white middle, blue right third."""
    row = b"\0"
    for x in range(width):
        row += bytes((200, 40, 40) if x < width // 3 else
                     (250, 250, 250) if x < 2 * width // 3 else (40, 40, 200))
    raw = zlib.compress(row * height)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw)
            + chunk(b"IEND", b""))


def picture(top, bottom):
    png = make_png(96, top, bottom)
    return base64.b64encode(png).decode(), hashlib.sha1(png).hexdigest()


OWN_B64, OWN_SHA1 = picture((230, 97, 0), (192, 28, 40))       # orange to red
BOB_B64, BOB_SHA1 = picture((53, 132, 228), (26, 95, 180))     # blues
BOB2_B64, BOB2_SHA1 = picture((51, 209, 122), (38, 162, 105))  # greens


def row_for(dump, jid):
    for r in dump.get("roster", []):
        if r.startswith("C:") and r[2:].split("|")[0] == jid:
            return r[2:].split("|")
    return None


def row_avatar(dump, jid):
    row = row_for(dump, jid)
    return row[4] if row and len(row) > 4 else None


def tab_for(dump, jid):
    for tab in dump.get("tabs", []):
        if tab.get("jid") == jid:
            return tab
    return None


class AvatarWindowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody()
        cls.prosody.start()
        for user in ("alice", "bob", "carol"):
            cls.prosody.register(user, user + "-pw")
        cls.bob_jid = cls.prosody.jid("bob")
        cls.carol_jid = cls.prosody.jid("carol")
        cls.bob = fh.Peer.start(cls.prosody, "bob", "bob-pw")
        cls.carol = fh.Peer.start(cls.prosody, "carol", "carol-pw")
        setup = fh.Peer.start(cls.prosody, "alice", "alice-pw", resource="setup")
        setup.roster_add(cls.bob_jid, name="Bob Builder", subscribe=True)
        setup.roster_add(cls.carol_jid, name="Carol Singer", subscribe=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            roster = setup.command("roster_get")["roster"]
            subs = [roster.get(j, {}).get("subscription") for j in (cls.bob_jid, cls.carol_jid)]
            if subs == ["both", "both"]:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("subscriptions not mutual: %r" % roster)
        # Our own photo, set from another client of ours.
        setup.command("vcard_set_photo", data=OWN_B64, presence=False)
        setup.quit()
        cls.bob.command("pep_avatar_publish", data=BOB_B64)

    @classmethod
    def tearDownClass(cls):
        cls.bob.quit()
        cls.carol.quit()
        cls.prosody._cleanup()

    def activate(self, app, action, param):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", action,
             "[<'%s'>]" % param, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_avatars_live_and_cached(self):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, "alice", "alice-pw")
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-light",
                       "G_MESSAGES_DEBUG": "flint-avatars flint-avatar-image"})

        def shown(d):
            return (d.get("state") == "online" and d.get("own_avatar") == OWN_SHA1
                    and row_avatar(d, self.bob_jid) == BOB_SHA1
                    and row_avatar(d, self.carol_jid) == "")
        dump = app.wait_for(shown, timeout=30, what="own and bob's avatars")
        cache = os.path.join(desktop.env["XDG_CACHE_HOME"], "flint", "avatars")
        for sha1 in (OWN_SHA1, BOB_SHA1):
            with open(os.path.join(cache, sha1), "rb") as f:
                self.assertEqual(hashlib.sha1(f.read()).hexdigest(), sha1)

        # The chat tab shows bob's picture.
        self.activate(app, "open-chat", self.bob_jid)
        dump = app.wait_for(lambda d: (tab_for(d, self.bob_jid) or {}).get("avatar") == BOB_SHA1,
                            timeout=10, what="bob's tab icon")
        self.activate(app, "open-chat", self.carol_jid)
        dump = app.wait_for(lambda d: tab_for(d, self.carol_jid) is not None, timeout=10,
                            what="carol's tab")
        self.assertEqual(tab_for(dump, self.carol_jid)["avatar"], "")
        self.activate(app, "open-chat", self.bob_jid)
        time.sleep(1.0)
        desktop.screenshot("avatars-light.png")

        # bob changes his picture: roster row and tab follow.
        self.bob.command("pep_avatar_publish", data=BOB2_B64)
        app.wait_for(lambda d: row_avatar(d, self.bob_jid) == BOB2_SHA1
                     and tab_for(d, self.bob_jid)["avatar"] == BOB2_SHA1,
                     timeout=15, what="bob's new avatar")
        time.sleep(0.5)
        desktop.screenshot("avatars-changed-light.png")

        # ... and removes it: initials again, no tab icon.
        self.bob.command("pep_avatar_publish", data="")
        app.wait_for(lambda d: row_avatar(d, self.bob_jid) == ""
                     and tab_for(d, self.bob_jid)["avatar"] == "",
                     timeout=15, what="bob's avatar removed")
        self.bob.command("pep_avatar_publish", data=BOB2_B64)
        app.wait_for(lambda d: row_avatar(d, self.bob_jid) == BOB2_SHA1, timeout=15,
                     what="bob's avatar back")
        app.stop()

        # The next start shows the cached pictures (dark this time).
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"})
        app.wait_for(lambda d: d.get("own_avatar") == OWN_SHA1, timeout=30,
                     what="own avatar from the cache")
        app.wait_for(lambda d: d.get("state") == "online"
                     and row_avatar(d, self.bob_jid) == BOB2_SHA1
                     and (tab_for(d, self.bob_jid) or {}).get("avatar") == BOB2_SHA1,
                     timeout=30, what="bob's avatar after the restart")
        time.sleep(1.0)
        desktop.screenshot("avatars-dark.png")

        # Choosing a new picture of our own (a wide one: its middle square is
        # kept): the header shows it and contacts can fetch it.
        wide = os.path.join(desktop.basedir, "wide.png")
        with open(wide, "wb") as f:
            f.write(make_png_wide(300, 120))
        not_a_picture = os.path.join(desktop.basedir, "notes.png")
        with open(not_a_picture, "w") as f:
            f.write("not a picture at all")
        self.activate(app, "test-activate", "win.set-avatar-file|" + not_a_picture)
        time.sleep(1.0)
        self.assertEqual(app.dump()["own_avatar"], OWN_SHA1)
        self.activate(app, "test-activate", "win.set-avatar-file|" + wide)
        dump = app.wait_for(lambda d: d.get("own_avatar") not in ("", OWN_SHA1), timeout=15,
                            what="our new avatar")
        new_sha1 = dump["own_avatar"]
        with open(os.path.join(cache, new_sha1), "rb") as f:
            data = f.read()
        self.assertEqual(hashlib.sha1(data).hexdigest(), new_sha1)
        self.assertEqual(struct.unpack(">II", data[16:24]), (120, 120))
        reply = self.bob.command(
            "iq", xml="<iq xmlns='jabber:client' type='get' to='%s'><pubsub "
            "xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:avatar:metadata'/>"
            "</pubsub></iq>" % self.prosody.jid("alice"))["reply"]
        self.assertIn(new_sha1, reply)
        time.sleep(0.5)
        desktop.screenshot("avatars-own-changed-dark.png")

        # And removing it: initials in the header.
        self.activate(app, "test-activate", "win.remove-avatar")
        app.wait_for(lambda d: d.get("own_avatar") == "", timeout=15,
                     what="our avatar removed")


if __name__ == "__main__":
    unittest.main(verbosity=2)

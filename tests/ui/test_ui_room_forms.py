#!/usr/bin/python3
"""Room browser, room creation with its configuration form, and the owner's
room settings, in the real app under Xvfb against Prosody, light and dark:

- Browse Rooms lists the 300 public rooms a peer made, fetches details only
  for the rows on screen, filters as the user types, and joins a room from
  the list (a tab opens).
- Create Room with "Set Up Room Before Opening" shows the room's
  configuration form (Prosody's muc#roomconfig) in the data form renderer;
  a bad number is refused inline; the room is then created with the chosen
  name and description (the peer's disco#info shows them).
- The owner's settings button opens the same form with the room's current
  values; a change is saved and seen by the peer.
Screenshots: room-browser-*.png, room-setup-*.png, room-setup-error-light.png,
room-settings-*.png."""

import os
import re
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

N_ROOMS = 300
# A sanitizer build under load is several times slower.
SLOW = 4 if os.environ.get("FLINT_SANITIZED") == "1" else 1


def tab_of(dump, jid):
    for t in dump.get("tabs", []):
        if t["jid"] == jid:
            return t
    return None


class RoomFormsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody().start()
        for user in ("alice", "bob"):
            cls.prosody.register(user, user + "-pw")
        cls.muc = cls.prosody.muc_domain
        cls.bob = fh.Peer.start(cls.prosody, "bob", "bob-pw")
        t0 = time.monotonic()
        cls.bob.command("make_rooms", service=cls.muc, prefix="team", count=N_ROOMS,
                        name="Team {i:03d}", description="Work of team number {i}",
                        stay=False, timeout=300)
        print("peer made %d rooms in %.1f s" % (N_ROOMS, time.monotonic() - t0))

    @classmethod
    def tearDownClass(cls):
        cls.bob.quit()
        cls.prosody._cleanup()

    def run_app(self, scheme):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, "alice", "alice-pw")
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": scheme})
        app.wait_state("online", timeout=90 * SLOW)
        return desktop, app

    def activate(self, app, action, value=None):
        arg = action if value is None else "%s|%s" % (action, value)
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "test-activate",
             "[<'%s'>]" % arg, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def disco_info(self, room):
        reply = self.bob.command("iq", xml="<iq xmlns='jabber:client' type='get' to='%s'>"
                                 "<query xmlns='http://jabber.org/protocol/disco#info'/>"
                                 "</iq>" % room)
        self.assertEqual(reply["type"], "result", reply)
        return reply["reply"]

    # ---- the browser --------------------------------------------------------
    def browse(self, desktop, app, scheme):
        self.activate(app, "win.browse-rooms")
        dump = app.wait_for(lambda d: (d.get("room_browser") or {}).get("page") == "list"
                            and d["room_browser"]["rooms"] >= N_ROOMS,
                            timeout=30 * SLOW, what="rooms listed")
        b = dump["room_browser"]
        print("%s: %d rooms listed in %.1f ms" % (scheme, b["rooms"], b["list_ms"]))
        self.assertEqual(b["shown"], b["rooms"])
        self.assertIn("%d rooms on %s" % (b["rooms"], self.muc), b["subtitle"])
        # Details come for the rows on screen: some, not all 300.
        dump = app.wait_for(lambda d: d["room_browser"]["info_loaded"] >= 5, timeout=15 * SLOW,
                            what="row details")
        time.sleep(1.5)
        b = app.dump()["room_browser"]
        print("%s: details asked for %d rooms, %d loaded" % (scheme, b["info_requests"],
                                                              b["info_loaded"]))
        self.assertGreaterEqual(b["info_loaded"], 5)
        self.assertLess(b["info_requests"], 30, b)
        desktop.screenshot("room-browser-%s.png" % scheme)

        # The list view gets the rooms a page at a time as one scrolls
        # (GTK 4.8 would build 200 rows otherwise); the end is reachable.
        self.assertLess(b["in_view"], b["rooms"], b)
        for _ in range(30):
            in_view = app.dump()["room_browser"]["in_view"]
            if in_view == b["rooms"]:
                break
            self.activate(app, "browser.scroll-to-end")
            app.wait_for(lambda d: d["room_browser"]["in_view"] > in_view, timeout=30 * SLOW,
                         what="more rows while scrolling")
        self.assertEqual(app.dump()["room_browser"]["in_view"], b["rooms"])

        # Filter as one types (name, address, and descriptions already known).
        self.activate(app, "browser.set-filter", "TEAM 250")
        dump = app.wait_for(lambda d: d["room_browser"]["shown"] == 1, timeout=10 * SLOW,
                            what="filtered")
        self.assertIn("1 of %d rooms" % dump["room_browser"]["rooms"],
                      dump["room_browser"]["subtitle"])
        self.activate(app, "browser.set-filter", "no such room at all")
        dump = app.wait_for(lambda d: d["room_browser"]["page"] == "empty", timeout=10 * SLOW,
                            what="nothing matches")
        self.activate(app, "browser.set-filter", "")
        app.wait_for(lambda d: d["room_browser"]["shown"] == d["room_browser"]["rooms"],
                     timeout=10 * SLOW, what="filter cleared")

        # Join from the list: the join dialog does it, a tab opens.
        room = "team250@" + self.muc
        self.activate(app, "browser.join", room)
        dump = app.wait_for(lambda d: (tab_of(d, room) or {}).get("selected"), timeout=20 * SLOW,
                            what="joined room tab")
        self.assertTrue(tab_of(dump, room)["room"])
        self.activate(app, "browser.close")
        app.wait_for(lambda d: "room_browser" not in d, timeout=10 * SLOW, what="browser closed")

    # ---- creating with the form ----------------------------------------------
    def create_configured(self, desktop, app, scheme, name):
        room = "%s@%s" % (name.lower().replace(" ", "-"), self.muc)
        self.activate(app, "win.create-room")
        dump = app.wait_for(lambda d: (d.get("join_dialog") or {}).get("title")
                            == "Create Room", timeout=10 * SLOW, what="create dialog")
        self.activate(app, "join.set-room", name)
        self.activate(app, "join.set-configure", "true")
        time.sleep(0.3)
        desktop.screenshot("room-create-%s.png" % scheme)
        self.activate(app, "join.create")
        dump = app.wait_for(lambda d: (d.get("join_dialog") or {}).get("state", "")
                            .endswith("|config"), timeout=20 * SLOW, what="setup form")
        self.assertEqual(dump["join_dialog"]["title"], "Set Up Room")
        time.sleep(0.8)
        desktop.screenshot("room-setup-%s.png" % scheme)

        # A bad number: refused inline, nothing sent.
        self.activate(app, "join.set-form-field", "muc#roomconfig_historylength=lots")
        self.activate(app, "join.save-config")
        dump = app.wait_for(lambda d: "historylength" in
                            (d.get("join_dialog") or {}).get("form_errors", ""),
                            timeout=10 * SLOW, what="inline error")
        self.assertIn("muc#roomconfig_historylength: Enter a whole number.",
                      dump["join_dialog"]["form_errors"])
        if scheme == "prefer-light":
            time.sleep(0.5)
            desktop.screenshot("room-setup-error-light.png")

        self.activate(app, "join.set-form-field", "muc#roomconfig_historylength=40")
        self.activate(app, "join.set-form-field", "muc#roomconfig_roomname=%s" % name)
        self.activate(app, "join.set-form-field",
                      "muc#roomconfig_roomdesc=Where %s happens" % name)
        self.activate(app, "join.save-config")
        dump = app.wait_for(lambda d: "join_dialog" not in d
                            and (tab_of(d, room) or {}).get("selected"),
                            timeout=20 * SLOW, what="created room tab")
        # The tab and the bookmark carry the name just given.
        self.assertEqual(tab_of(dump, room)["title"], name)
        self.assertIn({"jid": room, "name": name, "autojoin": True}, dump["bookmarks"])
        info = self.disco_info(room)
        self.assertIn('name="%s"' % name, info)
        self.assertIn("Where %s happens" % name, info)
        return room

    def edit_settings(self, desktop, app, scheme, room, name):
        self.activate(app, "roomconfig.open")
        dump = app.wait_for(lambda d: (d.get("room_config") or {}).get("state", "")
                            .startswith("form|"), timeout=20 * SLOW, what="settings form")
        time.sleep(0.8)
        desktop.screenshot("room-settings-%s.png" % scheme)
        self.activate(app, "config.set-form-field",
                      "muc#roomconfig_roomdesc=Moved to Thursdays")
        self.activate(app, "config.save")
        app.wait_for(lambda d: "room_config" not in d, timeout=20 * SLOW, what="settings saved")
        self.assertIn("Moved to Thursdays", self.disco_info(room))

    def test_light(self):
        desktop, app = self.run_app("prefer-light")
        self.browse(desktop, app, "light")
        room = self.create_configured(desktop, app, "prefer-light", "Design Review")
        self.edit_settings(desktop, app, "light", room, "Design Review")

    def test_dark(self):
        desktop, app = self.run_app("prefer-dark")
        self.browse(desktop, app, "dark")
        room = self.create_configured(desktop, app, "prefer-dark", "Release Planning")
        self.edit_settings(desktop, app, "dark", room, "Release Planning")


if __name__ == "__main__":
    unittest.main(verbosity=2)

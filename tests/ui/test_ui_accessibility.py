#!/usr/bin/python3
"""Every icon-only button in Flint's windows has a tooltip and an accessible
label. The real app opens its windows (main window with a contact, a chat
and a room tab, preferences, transfers, history search, add-contact and
shortcuts), then its widget tree is walked through a test hook; GTK's test
accessibility backend (GTK_A11Y=test) makes the accessible labels readable."""

import json
import os
import tempfile
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp
from test_ui_rooms import BOOKMARK, tab_of, room_of


def call(desktop, action, value=None):
    arg = "[<'%s'>]" % value if value is not None else "[]"
    r = desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                     "--object-path", "/im/flint/Flint", "--method",
                     "org.gtk.Actions.Activate", action, arg, "{}"], timeout=10)
    assert r.returncode == 0, r.stderr


def audit(desktop, suffix=""):
    fd, path = tempfile.mkstemp(prefix="flint-audit-", suffix=".json")
    os.close(fd)
    os.unlink(path)
    call(desktop, "test-audit-buttons", path + suffix)
    deadline = time.monotonic() + 10
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    with open(path) as f:
        found = json.load(f)
    os.unlink(path)
    return found


class AccessibilityTest(unittest.TestCase):
    def test_icon_buttons_are_labelled(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            for user in ("alice", "bob"):
                prosody.register(user, user + "-pw")
            bob_jid = prosody.jid("bob")
            room = "team@" + prosody.muc_domain
            other = fh.Peer.start(prosody, "alice", "alice-pw", resource="phone")
            self.assertEqual(other.command("iq", xml=BOOKMARK.format(room=room))["type"],
                             "result")
            other.roster_add(bob_jid, name="Bob", groups=["Team"])
            other.quit()

            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start(env={"GTK_A11Y": "test"})
            app.wait_state("online", timeout=90)
            app.wait_for(lambda d: (room_of(d, room) or {}).get("state") == "joined",
                         timeout=30, what="joined room")

            # The audit does find an unlabelled button.
            self.assertEqual(len(audit(desktop, "|selfcheck")), 1)

            call(desktop, "open-chat", room)
            app.wait_for(lambda d: (tab_of(d, room) or {}).get("selected"), timeout=15)
            call(desktop, "open-chat", bob_jid)
            app.wait_for(lambda d: (tab_of(d, bob_jid) or {}).get("selected"), timeout=15)
            self.assertEqual(audit(desktop), [])

            for action in ("preferences", "show-transfers", "about"):
                call(desktop, action)
            call(desktop, "test-activate", "win.search-history")
            call(desktop, "test-activate", "win.show-help-overlay")
            call(desktop, "test-activate", "win.add-contact")
            time.sleep(1.0)
            self.assertEqual(audit(desktop), [])
            desktop.screenshot("accessibility-windows.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

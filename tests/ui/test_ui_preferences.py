#!/usr/bin/python3
"""Preferences round-trips: each control of the real preferences window
changes its GSettings key, and Flint behaves accordingly against a real
Prosody and slixmpp peers (typing notifications, receipts, dark style,
notifications, auto-away through a stand-in idle monitor on the bus)."""

import os
import subprocess
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


def gsettings_get(desktop, key):
    r = desktop.run(["gsettings", "get", "im.flint.Flint", key], timeout=10)
    return r.stdout.decode().strip()


def tab(dump, jid):
    return next((t for t in dump.get("tabs", []) if t.get("jid") == jid), None)


class PreferencesTest(unittest.TestCase):
    def test_round_trips(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            prosody.register("bob", "bob-pw")
            alice, bob_jid = prosody.jid("alice"), prosody.jid("bob")
            idle = desktop.spawn(["/usr/bin/python3",
                                  os.path.join(fh.source_root(), "tests", "harness",
                                               "fake_idle_monitor.py")],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self.addCleanup(idle.kill)
            self.assertEqual(idle.stdout.readline().strip(), b"ready")

            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start()
            app.wait_state("online", timeout=90)
            bob = fh.Peer.start(prosody, "bob", "bob-pw")
            self.addCleanup(bob.quit)
            # Alice's second resource sees the presence Flint sends.
            mirror = fh.Peer.start(prosody, "alice", "alice-pw", resource="mirror",
                                   extra_args=("--no-auto-receipts",))
            self.addCleanup(mirror.quit)

            call(desktop, "preferences")
            desktop.wait_for_window("Preferences", timeout=20)
            time.sleep(1.0)
            desktop.screenshot("preferences-general.png")

            # -- typing notifications (XEP-0085) --------------------------------
            call(desktop, "open-chat", bob_jid)
            app.wait_for(lambda d: (tab(d, bob_jid) or {}).get("selected"), timeout=15)
            call(desktop, "test-send", "with chat states")
            m = bob.wait_for({"event": "message", "body": "with chat states"}, timeout=15)
            self.assertEqual(m["chatstate"], "active")
            call(desktop, "test-pref", "Send Typing Notifications|false")
            self.assertEqual(gsettings_get(desktop, "send-chat-states"), "false")
            call(desktop, "test-send", "without chat states")
            m = bob.wait_for({"event": "message", "body": "without chat states"}, timeout=15)
            self.assertFalse(m["chatstate"], m)
            # Nor a standalone one (composing, paused...) after it.
            bob.expect_none(lambda e: e.get("event") == "chatstate" and e["_t"] >= m["_t"],
                            within=1.0)

            # -- receipts (XEP-0184) -------------------------------------------
            bob.send(alice, "receipt please", id="r-on")
            bob.wait_for({"event": "receipt", "id": "r-on"}, timeout=15)
            call(desktop, "test-pref", "Send Receipts|false")
            self.assertEqual(gsettings_get(desktop, "send-receipts"), "false")
            time.sleep(0.3)
            bob.send(alice, "no receipt please", id="r-off")
            app.wait_for(lambda d: True, timeout=5)
            bob.expect_none(lambda e: e.get("event") == "receipt" and e.get("id") == "r-off"
                            and e.get("from") != mirror.full_jid, within=2.0)
            # Set back through GSettings: the module follows the key.
            desktop.run(["gsettings", "set", "im.flint.Flint", "send-receipts", "true"])
            time.sleep(0.5)
            bob.send(alice, "receipt again", id="r-again")
            bob.wait_for({"event": "receipt", "id": "r-again"}, timeout=15)

            # -- style ---------------------------------------------------------
            self.assertFalse(app.dump()["dark"])
            call(desktop, "test-pref", "Style|2")
            self.assertEqual(gsettings_get(desktop, "color-scheme"), "'dark'")
            app.wait_for(lambda d: d["dark"], timeout=5, what="dark style")
            time.sleep(0.5)
            desktop.screenshot("preferences-dark.png")
            call(desktop, "test-pref", "Style|0")
            app.wait_for(lambda d: not d["dark"], timeout=5, what="light style")

            # -- compact contact list -------------------------------------------
            self.assertFalse(app.dump()["compact"])
            call(desktop, "test-pref", "Compact Contact List|true")
            self.assertEqual(gsettings_get(desktop, "compact-roster"), "true")
            app.wait_for(lambda d: d["compact"], timeout=5, what="compact list")

            # -- notifications -------------------------------------------------
            call(desktop, "open-chat", alice)  # bob's tab is no longer in view
            before = app.dump()["notified"]
            bob.send(alice, "notify me", id="n-on")
            app.wait_for(lambda d: d["notified"] == before + 1, timeout=10)
            call(desktop, "test-pref", "Show Notifications|false")
            self.assertEqual(gsettings_get(desktop, "notifications"), "false")
            bob.send(alice, "do not notify me", id="n-off")
            bob.wait_for({"event": "receipt", "id": "n-off"}, timeout=15)
            time.sleep(0.3)
            self.assertEqual(app.dump()["notified"], before + 1)

            # -- idle: away after N minutes, extended away after M --------------
            call(desktop, "test-pref", "Away After|3")
            call(desktop, "test-pref", "Extended Away After|20")
            self.assertEqual(gsettings_get(desktop, "auto-away-minutes"), "uint32 3")
            time.sleep(0.5)
            idle.stdin.write(b"idle 180000\n")
            idle.stdin.flush()
            app.wait_for(lambda d: d["idle_state"] == 1, timeout=10, what="away")
            mirror.wait_for(lambda e: e.get("event") == "presence" and
                            e.get("from", "").startswith(alice + "/") and
                            e.get("from") != mirror.full_jid and e.get("show") == "away",
                            timeout=10)
            idle.stdin.write(b"idle 1200000\n")
            idle.stdin.flush()
            app.wait_for(lambda d: d["idle_state"] == 2, timeout=10, what="extended away")
            mirror.wait_for(lambda e: e.get("event") == "presence" and
                            e.get("from") != mirror.full_jid and e.get("show") == "xa",
                            timeout=10)
            idle.stdin.write(b"active\n")
            idle.stdin.flush()
            app.wait_for(lambda d: d["idle_state"] == 0, timeout=10, what="back")
            mirror.wait_for(lambda e: e.get("event") == "presence" and
                            e.get("from") != mirror.full_jid and
                            e.get("type") == "available" and not e.get("show"),
                            timeout=10)
            # Switched off: idling changes nothing.
            call(desktop, "test-pref", "Change Status When Idle|false")
            time.sleep(0.5)
            idle.stdin.write(b"idle 3600000\n")
            idle.stdin.flush()
            time.sleep(1.0)
            self.assertEqual(app.dump()["idle_state"], 0)

    def test_accounts_page(self):
        with fh.Prosody() as prosody, fh.Desktop() as desktop:
            prosody.register("alice", "alice-pw")
            alice = prosody.jid("alice")
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.add_account(prosody, "alice", "alice-pw")
            app.start()
            app.wait_state("online", timeout=90)
            call(desktop, "preferences")
            desktop.wait_for_window("Preferences", timeout=20)
            call(desktop, "test-pref", "page|accounts")
            accounts_ini = os.path.join(app.config_dir, "accounts.conf")

            # Disable: Flint signs out and remembers it; enable: back online.
            call(desktop, "test-pref", alice + "|false")
            app.wait_state("disconnected", timeout=15)
            with open(accounts_ini) as f:
                self.assertRegex(f.read(), r"(?i)enabled\s*=\s*false")
            time.sleep(0.5)
            desktop.screenshot("preferences-accounts.png")
            call(desktop, "test-pref", alice + "|true")
            app.wait_state("online", timeout=90)

            # Change the password through the Secret Service.
            call(desktop, "test-pref", alice + "|Change Password")
            app.wait_for(lambda d: d.get("dialog") == "Change Password", timeout=10)
            call(desktop, "test-respond", "change|new-secret")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                r = desktop.run(["secret-tool", "lookup", "jid", alice], timeout=20)
                if r.stdout.decode() == "new-secret":
                    break
                time.sleep(0.2)
            self.assertEqual(r.stdout.decode(), "new-secret")

            # Remove: the account and its stored password are gone.
            call(desktop, "test-pref", alice + "|Remove Account")
            app.wait_for(lambda d: d.get("dialog") == "Remove Account?", timeout=10)
            call(desktop, "test-respond", "remove")
            app.wait_for(lambda d: d.get("accounts") == 0, timeout=10, what="no accounts")
            r = desktop.run(["secret-tool", "lookup", "jid", alice], timeout=20)
            self.assertEqual(r.stdout.decode(), "")
            with open(accounts_ini) as f:
                self.assertNotIn(alice, f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""The try-it demo (tests/harness/flint_demo.py, scripts/flint-dev demo)
comes up populated: twelve colleagues in Flint's roster with seven online,
the bookmarked room joined with its talkers and subject, Ana's message
unread, and Ana answers a message with a reply and a file offer. Runs the
demo's world against Flint under Xvfb; screenshot demo.png."""

import json
import os
import select
import subprocess
import time
import unittest

import flint_harness as fh
import flint_demo
from flint_app import FlintApp


def call(desktop, action, value=None):
    arg = "[<'%s'>]" % value if value is not None else "[]"
    r = desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                     "--object-path", "/im/flint/Flint", "--method",
                     "org.gtk.Actions.Activate", action, arg, "{}"], timeout=10)
    assert r.returncode == 0, r.stderr


def room_of(dump, jid):
    return next((r for r in dump.get("rooms", []) if r["jid"] == jid), None)


def tab(dump, jid):
    return next((t for t in dump.get("tabs", []) if t.get("jid") == jid), None)


class DemoTest(unittest.TestCase):
    def test_demo_world(self):
        with fh.Prosody(domain=flint_demo.DOMAIN) as prosody, fh.Desktop() as desktop:
            t0 = time.monotonic()
            world = flint_demo.build_world(prosody, log=lambda *a: None)
            self.addCleanup(world.quit)
            built = time.monotonic() - t0
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            r = app.run(["--add-account", world.me, "--host", prosody.host, "--port",
                         str(prosody.c2s_port), "--trust-cert-sha256", prosody.cert_sha256],
                        input=world.password + "\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            # The user's session bus, with a notification server on it: the
            # demo's Flint lives on a private bus and the relay carries its
            # notifications over.
            host = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                                     "--print-address=1"], stdout=subprocess.PIPE, text=True)
            self.addCleanup(host.wait)
            self.addCleanup(host.terminate)
            host_bus = host.stdout.readline().strip()
            server = subprocess.Popen(
                ["/usr/bin/python3", os.path.join(fh.source_root(), "tests", "harness",
                                                  "fake_notifications.py")],
                env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=host_bus,
                         PYTHONPATH=os.path.join(fh.source_root(), "tests", "harness")),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.addCleanup(server.wait)
            self.addCleanup(server.terminate)
            self.assertEqual(server.stdout.readline().strip(), "ready")
            self.assertIsNotNone(flint_demo.start_notify_relay(desktop, host_bus))
            app.start(env=flint_demo.FLINT_ENV)
            app.wait_state("online", timeout=90)
            online = sum(1 for c in flint_demo.COLLEAGUES if c[3])
            dump = app.wait_for(lambda d: d.get("contacts") == len(flint_demo.COLLEAGUES)
                                and d.get("contacts_online") == online, timeout=30,
                                what="the roster with presence")
            dump = app.wait_for(lambda d: (room_of(d, world.room) or {}).get("state")
                                == "joined", timeout=30, what="the room joined")
            room = room_of(dump, world.room)
            self.assertEqual(room["subject"], "Release 2.4: code freeze on Friday")
            self.assertEqual(room["occupants"], 4)  # Ana, Ben, Chen and Sam
            app.wait_for(lambda d: d.get("unread_total", 0) >= 1, timeout=15,
                         what="Ana's message unread")

            # Ana's message shows on the user's desktop; clicking it opens
            # her conversation.
            ready, _, _ = select.select([server.stdout], [], [], 30)
            self.assertTrue(ready, "no notification reached the user's desktop in 30 s")
            shown = json.loads(server.stdout.readline())
            self.assertEqual(shown["summary"], "Ana Lima")
            self.assertIn("default", shown["actions"])
            server.stdin.write("invoke %d default\n" % shown["id"])
            server.stdin.flush()
            ana = prosody.jid("ana")
            app.wait_for(lambda d: (tab(d, ana) or {}).get("selected"), timeout=15,
                         what="Ana's tab opened from the notification")
            call(desktop, "test-send", "Hi Ana, how is the release going?")
            dump = app.wait_for(
                lambda d: any(t.get("name") == "Release 2.4 checklist.txt"
                              for t in d.get("transfers", [])),
                timeout=30, what="Ana's file offer")
            self.assertTrue(world.sent_file.is_set())
            time.sleep(2.0)
            desktop.screenshot("demo.png")
            print("world built in %.1f s" % built)


if __name__ == "__main__":
    unittest.main(verbosity=2)

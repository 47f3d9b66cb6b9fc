#!/usr/bin/python3
"""The real window under Xvfb: first run, online in light and dark, and the
certificate dialog. Screenshots go to the build's meson-logs/ui-screenshots."""

import subprocess
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


def pixel(path, x, y):
    """The (r, g, b) of one pixel of a PNG (ImageMagick)."""
    fmt = ",".join("%%[fx:int(255*p{%d,%d}.%s)]" % (x, y, c) for c in "rgb")
    out = subprocess.run(["convert", path, "-format", fmt, "info:"],
                         check=True, capture_output=True, text=True).stdout
    return tuple(int(v) for v in out.split(","))


def shot_when_shown(desktop, name):
    """A screenshot once the window has been painted at the screen's origin
    (no window manager places it elsewhere); the last try if it never is."""
    for _ in range(40):
        shot = desktop.screenshot(name)
        if pixel(shot, 0, 340) != (0, 0, 0):
            break
        time.sleep(0.25)
    return shot


class WindowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody()
        cls.prosody.start()
        cls.prosody.register("alice", "alice-pw")

    @classmethod
    def tearDownClass(cls):
        cls.prosody._cleanup()

    def run_app(self, env=None, account=True, pin=True):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        if account:
            app.add_account(self.prosody, "alice", "alice-pw", pin=pin)
        app.start(env=env)
        return desktop, app

    def test_first_run_shows_welcome(self):
        desktop, app = self.run_app(account=False)
        dump = app.wait_for(lambda d: d.get("window", "").startswith("welcome"), timeout=20)
        self.assertNotIn("state", dump)
        time.sleep(0.5)
        desktop.screenshot("window-welcome.png")

    def test_online_light_and_dark(self):
        edges = {}
        for scheme, env in (("light", {"ADW_DEBUG_COLOR_SCHEME": "prefer-light"}),
                            ("dark", {"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"}),
                            ("high-contrast", {"ADW_DEBUG_COLOR_SCHEME": "prefer-light",
                                               "ADW_DEBUG_HIGH_CONTRAST": "1"})):
            desktop, app = self.run_app(env=env)
            dump = app.wait_state("online", timeout=30)
            self.assertTrue(dump["window"].startswith("status|Online|Signed in as alice@"))
            # No compositor under Xvfb: the window draws its own frame.
            self.assertTrue(dump["solid_csd"])
            time.sleep(0.5)
            shot = shot_when_shown(desktop, "window-online-%s.png" % scheme)
            # No window manager: the window sits at the screen's origin.
            # The frame is a 1px edge line, then a band in the header bar's
            # colour, then the window. It is Flint's border and outline,
            # not libadwaita's three inset shadows over the whole window
            # (GL on llvmpipe shaded every pixel for each: 14.5 ms a frame
            # at this size); those also draw a faint line at x = 4.
            column = [pixel(shot, x, 340) for x in range(7)]
            self.assertNotEqual(column[0], column[1])
            self.assertEqual(column[1], column[3])
            self.assertNotEqual(column[3], column[5])
            self.assertEqual(column[4], column[5], column)
            self.assertEqual(column[5], column[6])
            edges[scheme] = sum(column[0])
            app.stop()
        # High contrast draws the edge line stronger, as libadwaita does.
        self.assertLess(edges["high-contrast"], edges["light"] - 100)

    def test_certificate_dialog(self):
        desktop, app = self.run_app(pin=False)
        dump = app.wait_for(lambda d: d.get("error_code") == "7", timeout=30)
        self.assertEqual(dump["state"], "disconnected")
        time.sleep(1.0)
        desktop.screenshot("window-certificate-dialog.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

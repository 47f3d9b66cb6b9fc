#!/usr/bin/python3
"""The first-run account dialog, typed into with real key events (xdotool):
a bad address is refused inline; a good one is saved (password in the
keyring only) and a server that cannot be found is reported inline, with
the dialog left open to correct it."""

import os
import shutil
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp


@unittest.skipUnless(shutil.which("xdotool"), "needs xdotool for real key events")
class AccountDialogTest(unittest.TestCase):
    def test_first_run_dialog(self):
        with fh.Desktop() as desktop:
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.start()
            app.wait_for(lambda d: d.get("window", "").startswith("welcome"), timeout=20)
            desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                         "--object-path", "/im/flint/Flint", "--method",
                         "org.gtk.Actions.Activate", "test-activate",
                         "[<'win.add-account'>]", "{}"], timeout=10)
            dialog = desktop.wait_for_window("Add Account", timeout=10)[0]
            desktop.run(["xdotool", "windowfocus", "--sync", dialog], timeout=10)
            time.sleep(0.5)

            def key(*keys):
                desktop.run(["xdotool", "key", "--delay", "30"] + list(keys), timeout=10)

            def type_text(text):
                desktop.run(["xdotool", "type", "--delay", "20", text], timeout=20)

            # The address field has the focus: a bad address, a password, Enter.
            type_text("not an address")
            key("Tab")
            type_text("hunter2-secret")
            key("Return")
            time.sleep(0.8)
            desktop.screenshot("account-dialog-bad-address.png")
            self.assertTrue(desktop.windows() and
                            any("Add Account" in name for _, name in desktop.windows()),
                            "the dialog stays open on a bad address")
            conf = os.path.join(app.config_dir, "accounts.conf")
            self.assertFalse(os.path.exists(conf))

            # Correct the address: saved, password in the keyring, and the
            # unknown server reported inline while the dialog stays open.
            # The refused address is selected in its field, ready to be retyped.
            type_text("alice@no-such-host.invalid")
            key("Return")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not os.path.exists(conf):
                time.sleep(0.1)
            self.assertTrue(os.path.exists(conf))
            with open(conf) as f:
                text = f.read()
            self.assertIn("[account alice@no-such-host.invalid]", text)
            self.assertNotIn("hunter2-secret", text)
            # The keyring write is asynchronous.
            secret = ""
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and secret != "hunter2-secret":
                r = desktop.run(["secret-tool", "lookup", "jid", "alice@no-such-host.invalid"])
                secret = r.stdout.decode().strip()
                time.sleep(0.1)
            self.assertEqual(secret, "hunter2-secret")
            dump = app.wait_for(lambda d: d.get("error_code") == "3", timeout=30,
                                what="host not found")
            self.assertIn("could not be found", dump["error"])
            time.sleep(0.8)
            self.assertTrue(any("Add Account" in name for _, name in desktop.windows()))
            desktop.screenshot("account-dialog-host-not-found.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

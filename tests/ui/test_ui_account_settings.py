#!/usr/bin/python3
"""An account's connection settings take effect in the running app (issue 8):
an account added with a wrong port fails; removed and added again with the
right port it signs in (the old session, with the old port, is not reused);
and a port edited in Preferences reconnects the account through the new
port at once. Real binary, real Prosody, a TcpProxy as the second port."""

import os
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


def account_state(dump, jid):
    for a in dump.get("account_list", []):
        if a["jid"] == jid:
            return a
    return None


class AccountSettingsTest(unittest.TestCase):
    def setUp(self):
        self.prosody = fh.Prosody()
        self.prosody.start()
        self.addCleanup(self.prosody._cleanup)
        self.prosody.register("alice", "alice-pw")
        self.alice = self.prosody.jid("alice")

    def add_in_dialog(self, desktop, port):
        call(desktop, "test-activate", "win.add-account")
        desktop.wait_for_window("Add Account", timeout=20)
        for title, text in (("Chat Address", self.alice), ("Password", "alice-pw"),
                            ("Server Host", self.prosody.host), ("Port", str(port))):
            call(desktop, "test-tools", "row-set|%s|%s|FlintAccountDialog" % (title, text))
        call(desktop, "test-tools", "window-action|account.sign-in|FlintAccountDialog")

    def test_readd_and_edit_take_effect(self):
        with fh.Desktop() as desktop:
            # The server's self-signed certificate is the administrator's
            # pinned one, so no certificate question comes in between.
            defaults = os.path.join(desktop.basedir, "defaults.conf")
            with open(defaults, "w") as f:
                f.write("[Server]\nDomain=%s\nCertificateSHA256=%s\n"
                        % (self.prosody.domain, self.prosody.cert_sha256))
            app = FlintApp(desktop)
            self.addCleanup(app.stop)
            app.start(env={"FLINT_DEFAULTS_FILE": defaults})
            app.wait_for(lambda d: (d.get("window") or "").startswith("welcome"),
                         timeout=30, what="welcome")

            # A port nothing listens on: the sign-in fails, the dialog says so.
            wrong = fh.free_port()
            self.add_in_dialog(desktop, wrong)
            dump = app.wait_for(lambda d: account_state(d, self.alice) is not None
                                and d.get("error"), timeout=30, what="sign-in failed")
            self.assertNotEqual(account_state(dump, self.alice)["state"], "online")
            call(desktop, "test-tools", "window-action|window.close|FlintAccountDialog")

            # Removed in Preferences.
            call(desktop, "preferences")
            desktop.wait_for_window("Preferences", timeout=20)
            call(desktop, "test-pref", "page|accounts")
            call(desktop, "test-pref", self.alice + "|Remove Account")
            app.wait_for(lambda d: d.get("dialog") == "Remove Account?", timeout=10,
                         what="remove dialog")
            call(desktop, "test-respond", "remove")
            app.wait_for(lambda d: d.get("accounts") == 0, timeout=10, what="removed")
            # Its session is let go (once its stream has closed), nothing
            # holds on to it.
            app.wait_for(lambda d: d.get("sessions_alive") == 0, timeout=15,
                         what="the removed account's session freed")

            # Added again with the right port: online.
            self.add_in_dialog(desktop, self.prosody.c2s_port)
            dump = app.wait_for(lambda d: (account_state(d, self.alice) or {}).get("state")
                                == "online", timeout=30, what="online with the right port")
            self.assertEqual(dump["state"], "online")
            self.assertEqual(dump["sessions_alive"], 1)
            self.assertTrue((dump.get("bound_jid") or "").startswith(self.alice + "/"))

            # The port edited in Preferences: Flint signs in again through it
            # at once (no restart).
            with fh.TcpProxy(self.prosody.host, self.prosody.c2s_port) as px:
                call(desktop, "test-pref", self.alice + "|Edit Server")
                app.wait_for(lambda d: d.get("dialog") == self.alice, timeout=10,
                             what="edit dialog")
                call(desktop, "test-respond",
                     "save|%s|%d" % (self.prosody.host, px.port))
                px.wait_for(lambda x: x.accepted >= 1, timeout=30)
                app.wait_for(lambda d: (account_state(d, self.alice) or {}).get("state")
                             == "online" and px.connections >= 1,
                             timeout=30, what="online through the new port")
                conf = os.path.join(app.config_dir, "accounts.conf")
                with open(conf) as f:
                    self.assertIn("%d" % px.port, f.read())
                app.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)

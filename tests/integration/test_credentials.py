#!/usr/bin/python3
"""Credentials and TLS in the real app (issue 9): the password, plain or in
its SASL PLAIN base64 form, is in no file Flint writes and not in its log,
even with every stanza logged; a changed server certificate is refused
(its fingerprint shown) until the user trusts it again; a server that does
not offer STARTTLS gets no password, and Flint says why, unless the account
explicitly allows plaintext.

test-session covers the same rules in FlintSession alone; these drive the
real binary (test_app_login checks the plain password after a SCRAM
sign-in, where the password never goes on the wire)."""

import base64
import os
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp
from hostile_server import HostileServer

PASSWORD = "Tr0ub4dor&3-correct-horse"
# FlintErrorCode values shown in app.test-dump.
TLS_REQUIRED_TEXT = "does not offer an encrypted connection"


def secret_forms(user, domain, password):
    """The password as it could leak: itself, and the SASL PLAIN message
    (authzid or not) base64-encoded; plus the password's base64 at each of
    the three alignments inside a longer base64 text."""
    forms = {password.encode()}
    for authzid in ("", "%s@%s" % (user, domain)):
        raw = ("%s\0%s\0%s" % (authzid, user, password)).encode()
        forms.add(base64.b64encode(raw))
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + password.encode())
        # Drop the characters that mix in the neighbours' bits.
        start = (pad * 4 + 2) // 3
        forms.add(enc[start:len(enc) - 4])
    return forms


class CredentialsTest(unittest.TestCase):
    def desktop(self, **kw):
        d = fh.Desktop(**kw).start()
        self.addCleanup(d._cleanup)
        return d

    def app(self, desktop):
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        return app

    def write_account(self, app, jid, port, pin=None, plaintext=False):
        os.makedirs(app.config_dir, exist_ok=True)
        with open(os.path.join(app.config_dir, "accounts.conf"), "w") as f:
            f.write("[account %s]\nhost=127.0.0.1\nport=%d\n" % (jid, port))
            if pin:
                f.write("trusted-cert-sha256=%s\n" % pin)
            if plaintext:
                f.write("allow-plaintext=true\n")

    def read_pin(self, app):
        with open(os.path.join(app.config_dir, "accounts.conf")) as f:
            for line in f:
                if line.startswith("trusted-cert-sha256="):
                    return line.strip().split("=", 1)[1]
        return None

    # ---- the password stays in the keyring --------------------------------
    def test_password_in_no_file_and_no_log(self):
        # The hostile server offers only SASL PLAIN, so the password itself
        # (base64) goes over the (TLS) wire: the worst case for leaks.
        srv = HostileServer().start()
        self.addCleanup(srv.stop)
        desktop = self.desktop()
        app = self.app(desktop)
        app.add_account(srv, "alice", PASSWORD)
        app.start(env={"FLINT_DEBUG_STROPHE": "1", "G_MESSAGES_DEBUG": "all"})
        # Everything logged is slow in a sanitizer build.
        srv.wait_bound(timeout=120)
        app.wait_state("online", timeout=60)
        app.run(["--send", "bob@flint.test", "hello"])  # some traffic in the log
        time.sleep(1.0)
        forms = secret_forms("alice", "flint.test", PASSWORD)
        # The test can fail: what the server got contains one of the forms.
        self.assertTrue(srv.auths and any(f in srv.auths[0].encode() for f in forms),
                        srv.auths)
        log = app.log_text().encode()
        self.assertIn(b"[redacted]", log)   # the stanzas were logged
        checked = 0
        for base in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            for dirpath, _, files in os.walk(desktop.env[base]):
                if "keyrings" in dirpath:
                    continue  # gnome-keyring's own encrypted store
                for name in files:
                    path = os.path.join(dirpath, name)
                    with open(path, "rb") as f:
                        data = f.read()
                    checked += 1
                    for form in forms:
                        self.assertNotIn(form, data, "%r in %s" % (form, path))
        self.assertGreater(checked, 2)  # accounts.conf, history.db, settings...
        for form in forms:
            self.assertNotIn(form, log, "%r in flint's log" % form)

    # ---- a changed certificate -------------------------------------------
    def test_changed_certificate_refused_until_trusted(self):
        first = fh.Prosody()
        first.start()
        self.addCleanup(first._cleanup)
        second = fh.Prosody()   # same domain, its own certificate
        second.start()
        self.addCleanup(second._cleanup)
        self.assertNotEqual(first.cert_sha256, second.cert_sha256)
        for p in (first, second):
            p.register("alice", PASSWORD)
        desktop = self.desktop()
        app = self.app(desktop)
        app.add_account(first, "alice", PASSWORD)
        app.start()
        app.wait_state("online", timeout=30)
        app.stop()

        # The same server name now answers with another certificate.
        self.write_account(app, first.jid("alice"), second.c2s_port, pin=first.cert_sha256)
        app.start()
        dump = app.wait_for(lambda d: d.get("state") == "disconnected"
                            and d.get("dialog") == "Untrusted Certificate",
                            timeout=30, what="the certificate dialog")
        self.assertIn("certificate", dump["error"])
        fingerprint = ":".join(second.cert_sha256[i:i + 2].upper()
                               for i in range(0, 64, 2))
        body = dump["dialog_body"].replace("\n", ":").replace("::", ":")
        self.assertIn(fingerprint, body, dump["dialog_body"])
        time.sleep(0.5)
        desktop.screenshot("credentials-changed-certificate.png")

        # Cancel: still refused, the old pin kept, also after a restart.
        desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                     "--object-path", "/im/flint/Flint", "--method",
                     "org.gtk.Actions.Activate", "test-respond", "[<'cancel'>]", "{}"],
                    timeout=10)
        time.sleep(1.0)
        dump = app.dump()
        self.assertEqual(dump["state"], "disconnected")
        self.assertEqual(self.read_pin(app), first.cert_sha256)
        app.stop()
        app.start()
        dump = app.wait_for(lambda d: d.get("dialog") == "Untrusted Certificate",
                            timeout=30, what="the dialog again")
        self.assertEqual(dump["state"], "disconnected")

        # Trust: signed in, and the new certificate is the pin.
        desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                     "--object-path", "/im/flint/Flint", "--method",
                     "org.gtk.Actions.Activate", "test-respond", "[<'trust'>]", "{}"],
                    timeout=10)
        app.wait_state("online", timeout=30)
        self.assertEqual(self.read_pin(app), second.cert_sha256)

    # ---- no STARTTLS --------------------------------------------------------
    def test_no_starttls_gets_no_password(self):
        srv = HostileServer(tls=False).start()
        self.addCleanup(srv.stop)
        desktop = self.desktop()
        app = self.app(desktop)
        app.add_account(srv, "alice", PASSWORD)
        app.start()
        dump = app.wait_for(lambda d: d.get("state") == "disconnected" and d.get("error"),
                            timeout=30, what="the refusal")
        self.assertIn(TLS_REQUIRED_TEXT, dump["error"])
        self.assertIn("Ask your administrator", dump["error"])
        self.assertGreaterEqual(srv.connections, 1)
        self.assertEqual(srv.auths, [], "the password went over a plaintext stream")
        time.sleep(0.5)
        desktop.screenshot("credentials-no-starttls.png")

    def test_plaintext_only_when_allowed(self):
        srv = HostileServer(tls=False).start()
        self.addCleanup(srv.stop)
        desktop = self.desktop()
        app = self.app(desktop)
        app.add_account(srv, "alice", PASSWORD)   # password into the keyring
        self.write_account(app, srv.jid("alice"), srv.port, plaintext=True)
        app.start()
        srv.wait_bound(timeout=60)
        app.wait_state("online", timeout=60)
        self.assertEqual(len(srv.auths), 1)
        # Allowed explicitly: the PLAIN message went, as the user chose.
        self.assertTrue(base64.b64decode(srv.auths[0]).endswith(
            ("\0alice\0" + PASSWORD).encode()))


if __name__ == "__main__":
    unittest.main(verbosity=2)

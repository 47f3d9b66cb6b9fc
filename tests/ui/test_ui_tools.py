#!/usr/bin/python3
"""Power-user tools driven through the real window (issue 8): the XML console
(redaction of authentication, raw XML out to a real peer, filters, bad XML
refused with a clear error); the service-discovery browser with Prosody's
ad-hoc commands run through the data-form renderer."""

import base64
import json
import os
import tempfile
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

PASSWORD = "Sup3r-Secret-Pa55word"


class ToolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Alice is the server's admin: Prosody offers her its XEP-0133 commands.
        cls.prosody = fh.Prosody(extra_modules=("adhoc", "admin_adhoc"),
                                 extra_global='admins = { "alice@flint.test" }')
        cls.prosody.start()
        cls.prosody.register("alice", PASSWORD)
        cls.prosody.register("bob", "bob-pw")
        cls.alice = cls.prosody.jid("alice")
        cls.bob_jid = cls.prosody.jid("bob")
        cls.bob = fh.Peer.start(cls.prosody, "bob", "bob-pw")

    @classmethod
    def tearDownClass(cls):
        cls.bob.quit()
        cls.prosody._cleanup()

    def start_app(self, port=None, env=None, extra_env=None):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        args = ["--add-account", self.alice, "--host", self.prosody.host, "--port",
                str(port or self.prosody.c2s_port), "--trust-cert-sha256",
                self.prosody.cert_sha256]
        r = app.run(args, input=PASSWORD + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        e = {"ADW_DEBUG_COLOR_SCHEME": "prefer-light"}
        e.update(extra_env or {})
        app.start(env=e)
        app.wait_state("online", timeout=60)
        return desktop, app

    def tools(self, app, request):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "test-tools",
             "[<%s>]" % json.dumps(request), "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def tools_dump(self, app, what):
        fd, path = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        os.unlink(path)
        self.tools(app, "%s-dump|%s" % (what, path))
        deadline = time.monotonic() + 10
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.05)
        with open(path) as f:
            data = json.load(f)
        os.unlink(path)
        return data

    def wait_tool(self, app, what, pred, timeout=20, desc="tool state"):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.tools_dump(app, what)
            if pred(last):
                return last
            time.sleep(0.2)
        raise AssertionError("timed out waiting for %s: %r" % (desc, last))

    def activate(self, app, action):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", action, "[]", "{}"],
            timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_xml_console(self):
        px = fh.TcpProxy(self.prosody.host, self.prosody.c2s_port).start()
        self.addCleanup(px.stop)
        desktop, app = self.start_app(port=px.port)
        # The main menu's item (app.xml-console, Ctrl+Shift+X).
        self.activate(app, "xml-console")
        desktop.wait_for_window("XML Console", timeout=20)
        self.assertNotIn("<auth", self.tools_dump(app, "console")["text"])
        # Idle means quiet: our own presence coming back once made Flint send
        # presence again, for ever (the avatars module answered every
        # reflection of its empty <photo/>).
        time.sleep(1.0)
        shown = self.tools_dump(app, "console")["shown"]
        time.sleep(2.0)
        self.assertLessEqual(self.tools_dump(app, "console")["shown"], shown + 2)
        # A dropped link: Flint signs in again (SASL, then resumption)
        # while the console is open.
        px.cut()
        px.wait_for(lambda x: x.accepted >= 2, timeout=60)
        data = self.wait_tool(app, "console", lambda d: "<auth" in d["text"]
                              and "<success" in d["text"] and "<resumed" in d["text"],
                              timeout=60, desc="SASL in the console")
        app.wait_state("online", timeout=30)
        text = data["text"]
        self.assertIn("[redacted]", text)
        self.assertIn("Sent at", text)
        self.assertIn("Received at", text)
        plain = base64.b64encode(b"\0alice\0" + PASSWORD.encode()).decode()
        for secret in (PASSWORD, base64.b64encode(PASSWORD.encode()).decode(), plain,
                       base64.b64encode(PASSWORD.encode()).decode()[:12]):
            self.assertNotIn(secret, text)

        # Raw XML reaches the peer, and shows in the log, pretty-printed.
        self.tools(app, "console-send|<message to='%s' type='chat'><body>raw hello "
                   "console</body></message>" % self.bob_jid)
        ev = self.bob.wait_for({"event": "message", "body": "raw hello console"}, timeout=15)
        self.assertEqual(ev["from"].split("/")[0], self.alice)
        data = self.wait_tool(app, "console", lambda d: "raw hello console" in d["text"])
        self.assertIn("\n  <body>raw hello console</body>\n", data["text"])
        self.assertFalse(data["error"])

        # A room password typed in the console is hidden in the log too.
        self.tools(app, "console-send|<presence to='team@%s/alice'><x xmlns="
                   "'http://jabber.org/protocol/muc'><password>Room-Pa55-77</password>"
                   "</x></presence>" % self.prosody.muc_domain)
        data = self.wait_tool(app, "console", lambda d: "team@" in d["text"])
        self.assertNotIn("Room-Pa55-77", data["text"])

        # Bad XML is refused with a clear error and never reaches the peer.
        self.tools(app, "console-send|<message to='%s'><body>broken</message>"
                   % self.bob_jid)
        data = self.wait_tool(app, "console", lambda d: d["error"])
        self.assertIn("not well-formed", data["error"])
        self.bob.expect_none({"event": "message", "body": "broken"}, within=1.5)
        desktop.screenshot("tools-console-light.png")

        # Filters: text, direction (1 = sent) and kind (0 = messages).
        self.tools(app, "console-filter|raw hello|1|0")
        data = self.tools_dump(app, "console")
        self.assertEqual(data["shown"], 1, data["text"][-3000:])
        self.tools(app, "console-filter|raw hello|0|0")
        self.assertEqual(self.tools_dump(app, "console")["shown"], 0)
        self.tools(app, "console-filter||-1|1")
        data = self.tools_dump(app, "console")
        self.assertGreater(data["shown"], 0)
        self.assertNotIn("<message", data["text"])
        self.tools(app, "console-close")
        self.assertFalse(self.tools_dump(app, "console")["open"])

    def test_console_dark(self):
        desktop, app = self.start_app(extra_env={"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"})
        self.tools(app, "console-send|<iq type='get' id='v1' to='%s'><query "
                   "xmlns='jabber:iq:version'/></iq>" % self.prosody.domain)
        self.wait_tool(app, "console", lambda d: "jabber:iq:version" in d["text"]
                       and "Received at" in d["text"])
        self.tools(app, "console-open")
        app.desktop.wait_for_window("XML Console", timeout=20)
        time.sleep(1.0)
        desktop.screenshot("tools-console-dark.png")


    def test_service_discovery(self):
        desktop, app = self.start_app()
        dom = self.prosody.domain
        self.activate(app, "service-discovery")
        desktop.wait_for_window("Service Discovery", timeout=20)
        # The server at the top, its components below once it answered.
        data = self.wait_tool(app, "disco", lambda d: d["browser"] and any(
            r.split("|")[1] == self.prosody.muc_domain for r in d["browser"]["rows"])
            and d["browser"]["selected"]["info_state"] == 2, desc="server items")
        browser = data["browser"]
        self.assertTrue(browser["rows"][0].startswith("0|%s||" % dom), browser["rows"])
        self.assertIn("1|upload.%s|" % dom, "\n".join(browser["rows"]))
        selected = browser["selected"]
        self.assertEqual(selected["jid"], dom)
        self.assertIn("server/im/Prosody", selected["identities"])
        self.assertIn("http://jabber.org/protocol/commands", selected["features"])
        # The admin's commands, listed from the commands node.
        data = self.wait_tool(app, "disco", lambda d: d["browser"]["selected"]["commands"],
                              desc="command list")
        commands = data["browser"]["selected"]["commands"]
        self.assertIn("http://jabber.org/protocol/admin#add-user|Add User", commands)
        self.assertTrue(data["browser"]["selected"]["commands_visible"])

        # A component: selected, its own identity and features.
        self.tools(app, "disco-select|%s" % self.prosody.muc_domain)
        data = self.wait_tool(app, "disco", lambda d: d["browser"]["selected"]["jid"]
                              == self.prosody.muc_domain
                              and d["browser"]["selected"]["info_state"] == 2)
        self.assertTrue(any(i.startswith("conference/text/")
                            for i in data["browser"]["selected"]["identities"]))
        self.assertIn("http://jabber.org/protocol/muc", data["browser"]["selected"]["features"])
        desktop.screenshot("tools-disco.png")

        # Run "Add User" through the form renderer: a bad stage first.
        self.tools(app, "disco-select|%s" % dom)
        self.wait_tool(app, "disco", lambda d: d["browser"]["selected"]["jid"] == dom
                       and d["browser"]["selected"]["commands"])
        self.tools(app, "disco-run|http://jabber.org/protocol/admin#add-user")
        data = self.wait_tool(app, "disco", lambda d: d["command"]
                              and d["command"]["page"] == "form", desc="add-user form")
        cmd = data["command"]
        self.assertEqual(cmd["title"], "Add User")
        self.assertIn("complete", cmd["buttons"])
        self.assertTrue(any(f.startswith("password|text-private|") for f in cmd["fields"]),
                        cmd["fields"])
        desktop.screenshot("tools-command-form.png")
        self.tools(app, "command-set|accountjid|carol@%s" % dom)
        self.tools(app, "command-set|password|Carol-Pw-1")
        self.tools(app, "command-set|password-verify|Carol-Pw-1")
        self.tools(app, "command-action|complete")
        data = self.wait_tool(app, "disco", lambda d: d["command"]["state"] == 3,
                              desc="command completed")
        self.assertIn("Account successfully created", data["command"]["notes"])
        self.assertEqual(data["command"]["buttons"], "close,")
        desktop.screenshot("tools-command-done.png")
        # The account exists for real: carol signs in.
        carol = fh.Peer.start(self.prosody, "carol", "Carol-Pw-1")
        carol.quit()

        # Cancel mid-way: the window closes and the service is told.
        self.tools(app, "command-action|cancel")
        self.tools(app, "disco-run|http://jabber.org/protocol/admin#add-user")
        self.wait_tool(app, "disco", lambda d: d["command"] and d["command"]["page"] == "form")
        self.tools(app, "command-action|cancel")
        self.wait_tool(app, "disco", lambda d: d["command"] is None, desc="window closed")

        # An address that is not there: a clear error, no crash.
        self.tools(app, "disco-browse|nowhere.%s" % dom)
        data = self.wait_tool(app, "disco", lambda d: d["browser"]["selected"]["info_state"]
                              == 3, desc="error for a missing service")
        self.assertTrue(data["browser"]["selected"]["status"])


if __name__ == "__main__":
    unittest.main(verbosity=2)

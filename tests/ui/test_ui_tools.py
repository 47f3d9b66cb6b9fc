#!/usr/bin/python3
"""Power-user tools driven through the real window (issue 8): the XML console
(redaction of authentication, raw XML out to a real peer, filters, bad XML
refused with a clear error); the service-discovery browser with Prosody's
ad-hoc commands run through the data-form renderer."""

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

PASSWORD = "Sup3r-Secret-Pa55word"
# Sanitizer builds (scripts/flint-dev sets FLINT_SANITIZED=1) run slower.
SLOW = 3 if os.environ.get("FLINT_SANITIZED") == "1" else 1
# A 2x2 PNG for vCard photos.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000"
    "001049444154789c637820ad02440c100a002262047dc61671270000000049454e44ae426082")).decode()


class ToolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Alice is the server's admin: Prosody offers her its XEP-0133 commands.
        # Two user directories (XEP-0055) as components: a data-form one and
        # a legacy-fields one (Prosody 0.12 has no vjud).
        component_port = fh.free_port()
        extra = "\n".join([
            'admins = { "alice@flint.test" }',
            'component_ports = { %d }' % component_port,
            'component_interfaces = { "127.0.0.1" }',
            'Component "search.flint.test"',
            '    component_secret = "search-secret"',
            'Component "people.flint.test"',
            '    component_secret = "search-secret"'])
        cls.prosody = fh.Prosody(extra_modules=("adhoc", "admin_adhoc"), extra_global=extra)
        cls.prosody.start()
        directory = os.path.join(cls.prosody.workdir, "directory.json")
        with open(directory, "w") as f:
            json.dump([
                {"jid": "dave@flint.test", "first": "Dave", "last": "Smith", "nick": "ds",
                 "email": "dave@example.com"},
                {"jid": "erin@flint.test", "first": "Erin", "last": "Smithers",
                 "nick": "erin", "email": "erin@example.com"},
                {"jid": "frank@flint.test", "first": "Frank", "last": "Jones",
                 "nick": "fj", "email": "frank@example.com"}], f)
        cls.directories = []
        for domain, mode in (("search.flint.test", "form"), ("people.flint.test", "legacy")):
            proc = subprocess.Popen(
                ["/usr/bin/python3", os.path.join(os.path.dirname(fh.__file__),
                                                  "search_service.py"),
                 domain, "search-secret", "127.0.0.1", str(component_port), mode, directory],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            if proc.stdout.readline().strip() != "ready":
                raise AssertionError("the %s directory did not connect" % domain)
            cls.directories.append(proc)
        cls.prosody.register("alice", PASSWORD)
        cls.prosody.register("bob", "bob-pw")
        cls.alice = cls.prosody.jid("alice")
        cls.bob_jid = cls.prosody.jid("bob")
        cls.bob = fh.Peer.start(cls.prosody, "bob", "bob-pw")

    @classmethod
    def tearDownClass(cls):
        for proc in cls.directories:
            proc.kill()
            proc.wait()
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

    def tools(self, app, request, timeout=30):
        # Generous: a sanitizer build can hold the main loop for seconds
        # (libstrophe's TLS handshake blocks it while signing in).
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "test-tools",
             "[<%s>]" % json.dumps(request), "{}"], timeout=timeout)
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
        deadline = time.monotonic() + timeout * SLOW
        last = None
        while time.monotonic() < deadline:
            try:
                last = self.tools_dump(app, what)
            except subprocess.TimeoutExpired:
                continue  # busy: ask again
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


    def roster_entry(self, other, jid, timeout=15):
        deadline = time.monotonic() + timeout
        entry = None
        while time.monotonic() < deadline:
            entry = other.command("roster_get")["roster"].get(jid)
            if entry:
                return entry
            time.sleep(0.2)
        raise AssertionError("%s never reached the roster" % jid)

    def test_user_search(self):
        desktop, app = self.start_app()
        other = fh.Peer.start(self.prosody, "alice", PASSWORD, resource="other")
        self.addCleanup(other.quit)
        self.activate(app, "find-people")
        desktop.wait_for_window("Find People", timeout=20)
        # A directory of the server is found by itself (disco), with its form.
        data = self.wait_tool(app, "search", lambda d: d and d["state"] == 2,
                              desc="the directory's form")
        self.assertIn(data["service"], ("search.flint.test", "people.flint.test"))
        self.tools(app, "search-service|search.flint.test")
        data = self.wait_tool(app, "search", lambda d: d["service"] == "search.flint.test"
                              and d["state"] == 2, desc="the data-form directory")
        self.assertFalse(data["legacy"])
        self.assertEqual(data["fields"], ["FORM_TYPE", "first", "last", "nick", "email"])
        self.tools(app, "search-set|last|smith")
        self.tools(app, "search-run")
        data = self.wait_tool(app, "search", lambda d: d["state"] == 4, desc="results")
        jids = [r.split("|")[0] for r in data["results"]]
        self.assertEqual(jids, ["dave@flint.test", "erin@flint.test"])
        self.assertTrue(data["results"][0].startswith("dave@flint.test|Dave Smith|"),
                        data["results"])
        self.assertIn("Email: dave@example.com", data["results"][0])
        time.sleep(1.0)
        desktop.screenshot("tools-search.png")
        # One click: Erin is in Alice's roster on the server, asked to share presence.
        self.tools(app, "search-add|erin@flint.test")
        entry = self.roster_entry(other, "erin@flint.test")
        self.assertEqual(entry["name"], "Erin Smithers")

        # The legacy directory: its fields become a form, results parsed alike.
        self.tools(app, "search-service|people.flint.test")
        data = self.wait_tool(app, "search", lambda d: d["service"] == "people.flint.test"
                              and d["state"] == 2, desc="legacy form")
        self.assertTrue(data["legacy"])
        self.assertEqual(data["fields"], ["first", "last", "nick", "email"])
        self.assertIn("Fill in one or more fields", data["status"])
        self.tools(app, "search-set|nick|fj")
        self.tools(app, "search-run")
        data = self.wait_tool(app, "search", lambda d: d["state"] == 4, desc="legacy results")
        self.assertEqual(len(data["results"]), 1, data["results"])
        self.assertTrue(data["results"][0].startswith("frank@flint.test|Frank Jones|"))
        self.tools(app, "search-add|frank@flint.test")
        self.roster_entry(other, "frank@flint.test")

        # Nobody found, and an address that is no directory: said clearly.
        self.tools(app, "search-set|nick|nobody-at-all")
        self.tools(app, "search-run")
        data = self.wait_tool(app, "search", lambda d: d["state"] == 4 and not d["results"])
        self.assertIn("Nobody matches", data["status"])
        self.tools(app, "search-service|%s" % self.prosody.muc_domain)
        data = self.wait_tool(app, "search", lambda d: d["state"] == 5, desc="failure")
        self.assertTrue(data["status"])


    def activate_with(self, app, action, value):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", action,
             "[<%s>]" % json.dumps(value), "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_contact_details(self):
        bob_vcard = ("<iq type='set'><vCard xmlns='vcard-temp'><FN>Bob Builder</FN>"
                     "<NICKNAME>bobby</NICKNAME><EMAIL><INTERNET/><USERID>bob@example.com"
                     "</USERID></EMAIL><TEL><WORK/><VOICE/><NUMBER>+49 30 1234</NUMBER></TEL>"
                     "<ORG><ORGNAME>Flint GmbH</ORGNAME><ORGUNIT>Sales</ORGUNIT></ORG>"
                     "<PHOTO><TYPE>image/png</TYPE><BINVAL>%s</BINVAL></PHOTO></vCard></iq>"
                     % PNG)
        self.assertEqual(self.bob.command("iq", xml=bob_vcard)["type"], "result")
        other = fh.Peer.start(self.prosody, "alice", PASSWORD, resource="other")
        self.addCleanup(other.quit)
        own = ("<iq type='set'><vCard xmlns='vcard-temp'><FN>Alice A.</FN><EMAIL><INTERNET/>"
               "<USERID>alice@example.com</USERID></EMAIL><ADR><WORK/><LOCALITY>Berlin"
               "</LOCALITY></ADR><PHOTO><TYPE>image/png</TYPE><BINVAL>%s</BINVAL></PHOTO>"
               "</vCard></iq>" % PNG)
        self.assertEqual(other.command("iq", xml=own)["type"], "result")

        desktop, app = self.start_app()
        # A contact's card (the roster's and the conversation's Contact Details).
        self.activate_with(app, "contact-details", self.bob_jid)
        data = self.wait_tool_args(app, "details-dump", self.bob_jid,
                                   lambda d: d and not d["loading"], "bob's vCard")
        self.assertEqual(data["name"], "Bob Builder")
        self.assertTrue(data["photo"])
        # (Prosody's vcard_legacy stores vCard4 and gives back no ORGUNIT.)
        self.assertEqual(data["fields"], {
            "fn": "Bob Builder", "nickname": "bobby", "email": "bob@example.com",
            "phone": "+49 30 1234", "org": "Flint GmbH"})
        desktop.screenshot("tools-contact-details.png")

        # Our own: edited and saved; what Flint does not show is kept.
        self.activate(app, "my-details")
        data = self.wait_tool_args(app, "details-dump", "",
                                   lambda d: d and not d["loading"], "own vCard")
        self.assertEqual(data["fields"]["fn"], "Alice A.")
        self.assertEqual(data["fields"]["email"], "alice@example.com")
        self.tools(app, "details-set|fn|Alice Anders|")
        self.tools(app, "details-set|phone|+49 30 9876|")
        self.tools(app, "details-set|title|Engineer|")
        self.tools(app, "details-save|")
        self.wait_tool_args(app, "details-dump", "", lambda d: not d["saving"]
                            and not d["status"], "saved")
        reply = other.command("iq", xml="<iq type='get'><vCard xmlns='vcard-temp'/></iq>")
        xml = reply["reply"]
        for part in ("<FN>Alice Anders</FN>", "<NUMBER>+49 30 9876</NUMBER>",
                     "<TITLE>Engineer</TITLE>", "<USERID>alice@example.com</USERID>",
                     "<LOCALITY>Berlin</LOCALITY>", PNG):
            self.assertIn(part, xml)
        self.assertNotIn("Alice A.<", xml)
        data = self.wait_tool_args(app, "details-dump", "", lambda d: True, "own")
        self.assertEqual(data["name"], "Alice Anders")
        time.sleep(1.0)
        desktop.screenshot("tools-my-details.png")

    def wait_tool_args(self, app, verb, who, pred, desc, timeout=20):
        deadline = time.monotonic() + timeout * SLOW
        last = None
        while time.monotonic() < deadline:
            fd, path = tempfile.mkstemp(suffix=".json")
            os.close(fd)
            os.unlink(path)
            self.tools(app, "%s|%s|%s" % (verb, path, who))
            end = time.monotonic() + 5
            while not os.path.exists(path) and time.monotonic() < end:
                time.sleep(0.05)
            with open(path) as f:
                last = json.load(f)
            os.unlink(path)
            if pred(last):
                return last
            time.sleep(0.2)
        raise AssertionError("timed out waiting for %s: %r" % (desc, last))


    def test_broadcast(self):
        dom = self.prosody.domain
        peers = {}
        for user in ("gina", "hank", "ivan"):
            self.prosody.register(user, user + "-pw")
            peers[user] = fh.Peer.start(self.prosody, user, user + "-pw")
            self.addCleanup(peers[user].quit)
        other = fh.Peer.start(self.prosody, "alice", PASSWORD, resource="other")
        self.addCleanup(other.quit)
        other.roster_add("gina@" + dom, name="Gina", groups=["Team"])
        other.roster_add("hank@" + dom, name="Hank", groups=["Team", "Ops"])
        other.roster_add("ivan@" + dom, name="Ivan", groups=["Ops"])
        desktop, app = self.start_app()
        app.wait_for(lambda d: d.get("contacts") == 3, timeout=30, what="roster")

        self.activate(app, "broadcast")
        desktop.wait_for_window("Broadcast Message", timeout=20)
        self.tools(app, "broadcast-group|Team")
        data = self.tools_dump(app, "broadcast")
        self.assertEqual(sorted(data["checked"]), ["gina@" + dom, "hank@" + dom])
        self.assertEqual(data["group"], "Team")
        # Nothing typed: refused, clearly.
        self.tools(app, "broadcast-send")
        self.assertIn("Type a message", self.tools_dump(app, "broadcast")["status"])
        self.tools(app, "broadcast-text|Stand-up moves to 10:30")
        desktop.screenshot("tools-broadcast.png")
        self.tools(app, "broadcast-send")
        for user in ("gina", "hank"):
            peers[user].wait_for({"event": "message", "body": "Stand-up moves to 10:30"},
                                 timeout=15)
        peers["ivan"].expect_none({"event": "message"}, within=1.0)
        self.assertIn("Sent to 2 contacts", self.tools_dump(app, "broadcast")["status"])

        # A selection by hand: Ivan added, Gina taken off.
        self.tools(app, "broadcast-toggle|ivan@" + dom)
        self.tools(app, "broadcast-toggle|gina@" + dom)
        data = self.tools_dump(app, "broadcast")
        self.assertEqual(sorted(data["checked"]), ["hank@" + dom, "ivan@" + dom])
        self.assertIsNone(data["group"] or None)
        self.tools(app, "broadcast-text|Lunch at noon")
        self.tools(app, "broadcast-send")
        for user in ("hank", "ivan"):
            peers[user].wait_for({"event": "message", "body": "Lunch at noon"}, timeout=15)
        peers["gina"].expect_none({"event": "message", "body": "Lunch at noon"}, within=1.0)
        # Stored like any message: each in its own conversation.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = app.history_rows(
                "SELECT conversation FROM messages WHERE body = ? ORDER BY conversation",
                ("Lunch at noon",))
            if len(rows) == 2:
                break
            time.sleep(0.2)
        self.assertEqual(rows, [("hank@" + dom,), ("ivan@" + dom,)])


    def action_enabled(self, app, name):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Describe", name], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.decode().startswith("((true,")

    def write_defaults(self, desktop, cert, disabled=""):
        path = os.path.join(desktop.basedir, "defaults.conf")
        with open(path, "w") as f:
            f.write("[Server]\nDomain=%s\nHost=%s\nPort=%d\nCertificateSHA256=%s\n"
                    "[Features]\nDisabled=%s\n" % (self.prosody.domain, self.prosody.host,
                                                    self.prosody.c2s_port, cert, disabled))
        return path

    def test_enterprise_defaults(self):
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        path = self.write_defaults(desktop, self.prosody.cert_sha256.upper(),
                                   "xml-console; Broadcast;file-transfer")
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.start(env={"FLINT_DEFAULTS_FILE": path})
        app.wait_for(lambda d: d.get("window") is not None, timeout=30, what="window")
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", "test-activate",
             "[<'win.add-account'>]", "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        desktop.wait_for_window("Add Account", timeout=20)
        # The account dialog comes prefilled from the defaults.
        fd, dump = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        os.unlink(dump)
        self.tools(app, "rows-dump|%s|FlintAccountDialog" % dump)
        deadline = time.monotonic() + 5
        while not os.path.exists(dump) and time.monotonic() < deadline:
            time.sleep(0.05)
        with open(dump) as f:
            rows = json.load(f)
        self.assertIn("Chat Address|@%s" % self.prosody.domain, rows)
        self.assertIn("Server Host|%s" % self.prosody.host, rows)
        self.assertIn("Port|%d" % self.prosody.c2s_port, rows)
        desktop.screenshot("tools-defaults-account.png")
        # Sign in: the self-signed certificate is accepted because it is the
        # pinned one (the user trusted nothing themselves).
        self.tools(app, "row-set|Chat Address|%s|FlintAccountDialog" % self.alice)
        self.tools(app, "row-set|Password|%s|FlintAccountDialog" % PASSWORD)
        self.tools(app, "window-action|account.sign-in|FlintAccountDialog")
        app.wait_state("online", timeout=60)
        # Disabled features: their actions are off (and their menu items hidden).
        self.assertFalse(self.action_enabled(app, "xml-console"))
        self.assertFalse(self.action_enabled(app, "broadcast"))
        self.assertFalse(self.action_enabled(app, "show-transfers"))
        self.assertFalse(self.action_enabled(app, "transfer-attach"))
        self.assertTrue(self.action_enabled(app, "service-discovery"))
        self.assertTrue(self.action_enabled(app, "find-people"))
        self.activate(app, "xml-console")
        time.sleep(0.5)
        self.assertFalse(self.tools_dump(app, "console")["open"])
        app.stop()

        # Another certificate than the pinned one is refused, clearly.
        desktop2 = fh.Desktop().start()
        self.addCleanup(desktop2._cleanup)
        path2 = self.write_defaults(desktop2, "ab" * 32)
        app2 = FlintApp(desktop2)
        self.addCleanup(app2.stop)
        app2.add_account(self.prosody, "alice", PASSWORD, pin=False)
        app2.start(env={"FLINT_DEFAULTS_FILE": path2})
        data = app2.wait_for(lambda d: d.get("error_code") == "7", timeout=60,
                             what="untrusted certificate")
        self.assertTrue(data["error"])
        self.assertNotEqual(data["state"], "online")


    def test_system_proxy(self):
        socks = Socks5Proxy()
        self.addCleanup(socks.stop)
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        # GNOME's proxy settings (org.gnome.system.proxy) through the keyfile
        # backend, with the schema beside Flint's.
        schemas = os.path.join(desktop.basedir, "schemas")
        os.makedirs(schemas)
        for name in ("org.gnome.system.proxy.gschema.xml", "org.gnome.desktop.enums.xml"):
            shutil.copy(os.path.join("/usr/share/glib-2.0/schemas", name), schemas)
        shutil.copy(os.path.join(fh.source_root(), "data", "im.flint.Flint.gschema.xml"),
                    schemas)
        subprocess.run(["glib-compile-schemas", schemas], check=True)
        settings = os.path.join(desktop.env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
        os.makedirs(settings, exist_ok=True)
        with open(os.path.join(settings, "keyfile"), "a") as f:
            f.write("[system/proxy]\nmode='manual'\nignore-hosts=@as []\n"
                    "[system/proxy/socks]\nhost='127.0.0.1'\nport=%d\n" % socks.port)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, "alice", PASSWORD)
        # The GNOME resolver only answers on a GNOME desktop.
        app.start(env={"GSETTINGS_SCHEMA_DIR": schemas, "GIO_USE_PROXY_RESOLVER": "gnome",
                       "XDG_CURRENT_DESKTOP": "GNOME"})
        app.wait_state("online", timeout=60)
        self.assertGreaterEqual(socks.connections, 1)
        self.assertIn(("127.0.0.1", self.prosody.c2s_port), socks.targets)
        # A message goes out through the proxy, and the proxy saw only TLS.
        self.tools(app, "console-send|<message to='%s' type='chat'><body>through the "
                   "proxy 4711</body></message>" % self.bob_jid)
        self.bob.wait_for({"event": "message", "body": "through the proxy 4711"}, timeout=15)
        seen = bytes(socks.upstream)
        self.assertIn(b"<starttls", seen)
        self.assertNotIn(b"through the proxy 4711", seen)
        self.assertNotIn(PASSWORD.encode(), seen)


class Socks5Proxy:
    """A SOCKS5 proxy (no authentication, CONNECT only) that counts what it
    carries and keeps the bytes sent upstream."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.targets = []
        self.upstream = bytearray()
        self.running = True
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def stop(self):
        self.running = False
        self.server.close()

    def accept_loop(self):
        while self.running:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(client,), daemon=True).start()

    @staticmethod
    def read(sock, n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    def handle(self, client):
        try:
            _, n = self.read(client, 2)
            self.read(client, n)
            client.sendall(b"\x05\x00")
            _, cmd, _, kind = self.read(client, 4)
            if kind == 1:
                host = socket.inet_ntoa(self.read(client, 4))
            elif kind == 3:
                host = self.read(client, self.read(client, 1)[0]).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, self.read(client, 16))
            port = struct.unpack(">H", self.read(client, 2))[0]
            upstream = socket.create_connection((host, port), timeout=10)
            upstream.settimeout(None)
            self.connections += 1
            self.targets.append((host, port))
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") +
                           struct.pack(">H", 0))
        except OSError:
            client.close()
            return

        def pump(src, dst, keep):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    if keep:
                        self.upstream += data
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pump, args=(client, upstream, True), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client, False), daemon=True).start()


if __name__ == "__main__":
    unittest.main(verbosity=2)

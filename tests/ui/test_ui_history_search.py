#!/usr/bin/python3
"""History search and browsing (issue 4, items 1 and 3) on the real binary:
messages from two peers in the history; Ctrl+Shift+F opens the search of all
conversations, typing shows results as you type with the words highlighted
and message text escaped; Enter opens the conversation at that message,
highlighted, with context, away from the latest end; a live message then
waits in the store until "Jump to Latest"; Ctrl+F in a conversation searches
only it; an unmatched query shows the "no results" page. Light and dark
screenshots."""

import shutil
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

HAVE_XDOTOOL = shutil.which("xdotool") is not None

SECRET = "quarterly <b>budget</b> & plan"


class HistorySearchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prosody = fh.Prosody()
        cls.prosody.start()
        for user in ("bob", "carol"):
            cls.prosody.register(user, user + "-pw")
        cls.bob_jid = cls.prosody.jid("bob")
        cls.carol_jid = cls.prosody.jid("carol")
        cls.bob = fh.Peer.start(cls.prosody, "bob", "bob-pw")
        cls.carol = fh.Peer.start(cls.prosody, "carol", "carol-pw")
        cls.n_users = 0

    @classmethod
    def tearDownClass(cls):
        cls.bob.quit()
        cls.carol.quit()
        cls.prosody._cleanup()

    def activate(self, app, action, param):
        r = app.desktop.run(
            ["gdbus", "call", "--session", "--dest", "im.flint.Flint", "--object-path",
             "/im/flint/Flint", "--method", "org.gtk.Actions.Activate", action,
             "[<'%s'>]" % param, "{}"], timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def key(self, desktop, *keys):
        desktop.run(["xdotool", "key", "--delay", "50"] + list(keys), timeout=10)

    def type(self, desktop, text):
        desktop.run(["xdotool", "type", "--delay", "40", text], timeout=20)

    def focus_main(self, desktop):
        wid = desktop.wait_for_window("Flint")[0]
        desktop.run(["xdotool", "windowactivate", "--sync", wid], timeout=10)
        desktop.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
        time.sleep(0.3)

    def run_app(self, scheme):
        # A user of its own: the server's archive of another test's user
        # would add its messages to this history.
        HistorySearchTest.n_users += 1
        user = "alice%d" % self.n_users
        self.prosody.register(user, user + "-pw")
        self.alice = self.prosody.jid(user)
        setup = fh.Peer.start(self.prosody, user, user + "-pw", resource="setup")
        setup.roster_add(self.bob_jid, name="Bob Builder")
        setup.roster_add(self.carol_jid, name="Carol")
        setup.quit()
        desktop = fh.Desktop().start()
        self.addCleanup(desktop._cleanup)
        app = FlintApp(desktop)
        self.addCleanup(app.stop)
        app.add_account(self.prosody, user, user + "-pw")
        app.start(env={"ADW_DEBUG_COLOR_SCHEME": scheme})
        app.wait_for(lambda d: d.get("state") == "online", timeout=30, what="online")
        # History: carol mentions the budget first, then bob, then 100 more
        # messages from bob, so the match is far from his latest page.
        self.carol.send(self.alice, "The budget meeting moved to Friday")
        time.sleep(0.2)
        self.bob.send(self.alice, SECRET)
        for i in range(100):
            self.bob.send(self.alice, "filler line %d" % i)
        app.wait_for(lambda d: d.get("unread_total", 0) >= 102, timeout=60,
                     what="102 messages stored")
        return desktop, app

    def search_results(self, app, n, what):
        return app.wait_for(lambda d: d.get("search") and not d["search"]["running"]
                            and d["search"]["n_results"] == n
                            and d["search"]["page"] == ("results" if n else "empty"),
                            timeout=15, what=what)

    @unittest.skipUnless(HAVE_XDOTOOL, "needs xdotool to type")
    def test_search_and_open_result(self):
        desktop, app = self.run_app("prefer-light")
        self.focus_main(desktop)

        # Ctrl+Shift+F: the search of every conversation.
        self.key(desktop, "ctrl+shift+f")
        dump = app.wait_for(lambda d: d.get("search") and d["search"]["visible"],
                            timeout=10, what="search window")
        self.assertEqual(dump["search"]["conversation"], "")
        self.assertEqual(dump["search"]["page"], "start")
        time.sleep(0.5)
        desktop.screenshot("history-search-start-light.png")

        # Results as the user types: the last word is a prefix.
        self.type(desktop, "budg")
        dump = self.search_results(app, 2, "two results for 'budg'")
        results = dump["search"]["results"]
        self.assertEqual(dump["search"]["query"], "budg")
        # Newest first: bob's message, then carol's.
        self.assertEqual([r["jid"] for r in results], [self.bob_jid, self.carol_jid])
        # The message's own tags are text, only the hit is bold.
        self.assertEqual(results[0]["markup"],
                         "quarterly &lt;b&gt;<b>budget</b>&lt;/b&gt; &amp; plan")
        self.assertEqual(results[1]["markup"],
                         "The <b>budget</b> meeting moved to Friday")
        time.sleep(0.5)
        desktop.screenshot("history-search-results-light.png")

        # A word that is nowhere: the "no results" page.
        self.type(desktop, "zzz")
        self.search_results(app, 0, "no results for 'budgzzz'")
        time.sleep(0.5)
        desktop.screenshot("history-search-empty-light.png")
        self.key(desktop, "BackSpace", "BackSpace", "BackSpace")
        dump = self.search_results(app, 2, "results again")
        target = dump["search"]["results"][0]["id"]

        # Enter opens bob's conversation at that message, highlighted, with
        # the newer messages not all loaded (the window is detached).
        self.key(desktop, "Return")
        dump = app.wait_for(lambda d: any(t["jid"] == self.bob_jid and t["selected"]
                                          and t["highlighted"] == target
                                          for t in d.get("tabs", [])),
                            timeout=10, what="bob's tab at the result")
        self.assertFalse(dump["search"]["visible"])
        tab = [t for t in dump["tabs"] if t["jid"] == self.bob_jid][0]
        self.assertFalse(tab["latest"])
        # The message with context around it, not the whole history.
        self.assertGreater(tab["messages"], 10)
        self.assertLess(tab["messages"], 101)
        time.sleep(1.0)
        desktop.screenshot("history-result-highlighted-light.png")

        # A live message while detached waits in the store ...
        n_before = tab["messages"]
        self.bob.send(self.alice, "live while away")
        time.sleep(1.0)
        dump = app.dump()
        tab = [t for t in dump["tabs"] if t["jid"] == self.bob_jid][0]
        self.assertEqual(tab["messages"], n_before)
        self.assertFalse(tab["latest"])
        self.assertEqual(app.history_rows(
            "SELECT count(*) FROM messages WHERE body = 'live while away'")[0][0], 1)
        # ... and "Jump to Latest" brings the latest page with it.
        self.focus_main(desktop)
        self.activate(app, "test-activate", "chat.jump-to-latest")
        dump = app.wait_for(lambda d: d["tabs"][0]["latest"]
                            and d["tabs"][0]["highlighted"] == 0, timeout=10,
                            what="latest page")
        # A screenful (20), and the page before it if that does not fill
        # the view.
        self.assertIn(dump["tabs"][0]["messages"], (20, 70))

        # Jump to Date: the calendar button over the messages; today (the
        # calendar's date) opens at the first message of today, the oldest
        # here, with the window after it and no more before.
        wid = desktop.wait_for_window("Flint")[0]
        geometry = desktop.run(["xdotool", "getwindowgeometry", "--shell", wid],
                               timeout=10).stdout.decode()
        width = int(dict(line.split("=") for line in geometry.split())["WIDTH"])
        desktop.run(["xdotool", "mousemove", "--window", wid, str(width - 80), "80",
                     "click", "1"], timeout=10)
        time.sleep(0.8)
        desktop.screenshot("history-jump-to-date-light.png")
        self.activate(app, "test-activate", "chat.jump-to-date")
        dump = app.wait_for(lambda d: not d["tabs"][0]["latest"], timeout=10,
                            what="window at today's first message")
        self.assertEqual(dump["tabs"][0]["messages"], 41)
        self.activate(app, "test-activate", "chat.jump-to-latest")
        app.wait_for(lambda d: d["tabs"][0]["latest"], timeout=10, what="latest again")

        # Ctrl+F in the conversation searches only it (focus in the composer).
        self.focus_main(desktop)
        height = int(dict(line.split("=") for line in geometry.split())["HEIGHT"])
        desktop.run(["xdotool", "mousemove", "--window", wid, str(width - 350),
                     str(height - 40), "click", "1"], timeout=10)
        time.sleep(0.5)
        self.key(desktop, "ctrl+f")
        dump = app.wait_for(lambda d: d["search"]["visible"]
                            and d["search"]["conversation"] == self.bob_jid,
                            timeout=10, what="search scoped to bob")
        self.key(desktop, "ctrl+a")
        self.type(desktop, "budget")
        dump = self.search_results(app, 1, "bob's result only")
        self.assertEqual(dump["search"]["results"][0]["id"], target)
        # Escape closes the search; the roster's Ctrl+F is untouched.
        self.key(desktop, "Escape")
        app.wait_for(lambda d: not d["search"]["visible"], timeout=10, what="search closed")

    @unittest.skipUnless(HAVE_XDOTOOL, "needs xdotool to type")
    def test_dark(self):
        desktop, app = self.run_app("prefer-dark")
        self.focus_main(desktop)
        self.key(desktop, "ctrl+shift+f")
        app.wait_for(lambda d: d.get("search") and d["search"]["visible"], timeout=10,
                     what="search window")
        # 100 matches: the first 50, then the older ones when the list is
        # scrolled to its end.
        self.type(desktop, "filler")
        self.search_results(app, 50, "the first page of 'filler'")
        wid = desktop.wait_for_window("Search Messages")[0]
        geometry = desktop.run(["xdotool", "getwindowgeometry", "--shell", wid],
                               timeout=10).stdout.decode()
        g = dict(line.split("=") for line in geometry.split())
        x, y = int(g["X"]) + int(g["WIDTH"]) // 2, int(g["Y"]) + int(g["HEIGHT"]) * 2 // 3
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            desktop.run(["xdotool", "mousemove", str(x), str(y), "click", "--repeat", "20",
                         "--delay", "20", "5"], timeout=20)
            dump = app.dump()
            if dump and dump["search"]["n_results"] == 100:
                break
        self.assertEqual(dump["search"]["n_results"], 100)
        self.key(desktop, "ctrl+a")
        self.type(desktop, "budget")
        dump = self.search_results(app, 2, "two results")
        time.sleep(0.5)
        desktop.screenshot("history-search-results-dark.png")
        self.key(desktop, "Return")
        target = dump["search"]["results"][0]["id"]
        app.wait_for(lambda d: any(t["highlighted"] == target for t in d.get("tabs", [])),
                     timeout=10, what="highlighted result")
        time.sleep(1.0)
        desktop.screenshot("history-result-highlighted-dark.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)

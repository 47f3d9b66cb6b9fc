#!/usr/bin/python3
"""Try Flint in seconds: a throwaway Prosody with a small office in it.

    scripts/flint-dev demo          (or: /usr/bin/python3 tests/harness/flint_demo.py)

You are Sam Taylor (sam@acme.test). Twelve colleagues in four groups, seven
of them online with a status; the bookmarked "Engineering" room is joined at
sign-in and has a subject and a conversation going; Ana Lima has written to
you, answers what you write and sends you a file. Flint runs on your display
with its own temporary configuration, data, cache, session bus and keyring;
when you quit it, the server, the colleagues and every file go away.

build_world(prosody) is also used by tests/ui/test_demo.py under Xvfb."""

import os
import secrets
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flint_harness as fh  # noqa: E402

DOMAIN = "acme.test"
ME = ("sam", "Sam Taylor")
# (user, name, group, presence or None when offline, status)
COLLEAGUES = [
    ("ana", "Ana Lima", "Engineering", "available", "Reviewing the release branch"),
    ("ben", "Ben Okafor", "Engineering", "away", "Lunch, back at 1"),
    ("chen", "Chen Wei", "Engineering", "dnd", "Focus time until 3"),
    ("dana", "Dana Kowalski", "Engineering", None, ""),
    ("eva", "Eva Novak", "Design", "available", ""),
    ("farid", "Farid Haddad", "Design", "chat", "Happy to help with mock-ups"),
    ("grace", "Grace Kim", "Design", None, ""),
    ("hugo", "Hugo Martin", "Sales", "xa", "Customer visit in Lyon"),
    ("ines", "Ines Duarte", "Sales", None, ""),
    ("jonas", "Jonas Berg", "Sales", None, ""),
    ("kira", "Kira Sato", "Management", "available", "Planning Q3"),
    ("leo", "Leo Fischer", "Management", None, ""),
]
ROOM_NAME = "Engineering"
ROOM_TALK = [
    ("ana", "Morning! The 2.4 branch is cut."),
    ("ben", "Great. I am running the upgrade tests on it now."),
    ("chen", "Docs for the new sync settings are in review."),
    ("ana", "Sam, could you look at the release notes today?"),
]
FILE_TEXT = ("Release 2.4 checklist\n\n"
             "[x] Branch cut\n[ ] Upgrade tests\n[ ] Release notes\n[ ] Announce\n")

BOOKMARK = ("<iq xmlns='jabber:client' type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub'>"
            "<publish node='urn:xmpp:bookmarks:1'><item id='{room}'>"
            "<conference xmlns='urn:xmpp:bookmarks:1' name='{name}' autojoin='true'>"
            "<nick>{nick}</nick></conference></item></publish>"
            "<publish-options><x xmlns='jabber:x:data' type='submit'>"
            "<field var='FORM_TYPE' type='hidden'>"
            "<value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
            "<field var='pubsub#persist_items'><value>true</value></field>"
            "<field var='pubsub#access_model'><value>whitelist</value></field>"
            "</x></publish-options></pubsub></iq>")


class World:
    """The colleagues online (slixmpp peers) and the bots that answer."""

    def __init__(self, prosody, password):
        self.prosody = prosody
        self.password = password
        self.me = prosody.jid(ME[0])
        self.room = "engineering@" + prosody.muc_domain
        self.peers = {}
        self.threads = []
        self.sent_file = threading.Event()

    def quit(self):
        for peer in self.peers.values():
            peer.quit(timeout=5)

    # Ana answers each chat message; the first answer comes with a file.
    def _ana(self):
        ana = self.peers["ana"]
        replies = ["Thanks, Sam! Here is the checklist we talked about.",
                   "Sounds good. I will update the board.",
                   "Perfect, see you at the stand-up."]
        n = 0
        while True:
            try:
                ev = ana.wait_for(lambda e: e.get("event") == "message" and
                                  e.get("type") == "chat" and e.get("body") and
                                  e.get("from", "").startswith(self.me + "/"),
                                  timeout=24 * 3600)
            except (fh.PeerTimeout, RuntimeError):
                return
            try:
                ana.chatstate(self.me, "composing")
                ana.send(self.me, replies[min(n, len(replies) - 1)])
                if n == 0:
                    ana.command("si_send_file", wait=False, to=ev["from"],
                                name="Release 2.4 checklist.txt", data=FILE_TEXT,
                                method="socks5-proxy", desc="What is left before Friday")
                    self.sent_file.set()
            except (RuntimeError, OSError, ValueError):
                return
            n += 1

    # Ben answers in the room when Sam writes there.
    def _ben(self):
        ben = self.peers["ben"]
        while True:
            try:
                ben.wait_for(lambda e: e.get("event") == "message" and
                             e.get("type") == "groupchat" and e.get("body") and
                             e.get("from") == self.room + "/" + ME[1].split()[0] and
                             not e.get("delay"),
                             timeout=24 * 3600)
                ben.send(self.room, "👍 Noted, thanks Sam.", type="groupchat", chatstate=None)
            except (fh.PeerTimeout, RuntimeError, OSError, ValueError):
                return

    def start_bots(self):
        for fn in (self._ana, self._ben):
            t = threading.Thread(target=fn, daemon=True)
            t.start()
            self.threads.append(t)


def build_world(prosody, log=print):
    """Registers everyone, fills Sam's roster (mutual subscriptions, names,
    groups), bookmarks the room with autojoin, brings the online colleagues
    up with their status and the room conversation. Returns the World; its
    password is Sam's."""
    password = secrets.token_urlsafe(12)
    world = World(prosody, password)
    prosody.register(ME[0], password)
    for user, *_ in COLLEAGUES:
        prosody.register(user, user + "-demo")

    log("Signing in %d colleagues…" % len(COLLEAGUES))
    for user, name, group, show, status in COLLEAGUES:
        world.peers[user] = fh.Peer.start(prosody, user, user + "-demo", resource="desk")
    setup = fh.Peer.start(prosody, ME[0], password, resource="setup")
    for user, name, group, show, status in COLLEAGUES:
        setup.roster_add(prosody.jid(user), name=name, groups=[group], subscribe=True)
        world.peers[user].roster_add(world.me, name=ME[1], groups=["Colleagues"],
                                     subscribe=True)
    # Both ways "both": the peers accept each other's requests themselves.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        roster = setup.command("roster_get")["roster"]
        if all(roster.get(prosody.jid(u), {}).get("subscription") == "both"
               for u, *_ in COLLEAGUES):
            break
        time.sleep(0.2)
    reply = setup.command("iq", xml=BOOKMARK.format(room=world.room, name=ROOM_NAME,
                                                    nick=ME[1].split()[0]))
    if reply.get("type") != "result":
        raise RuntimeError("bookmark not stored: %r" % reply)
    setup.quit()

    for user, name, group, show, status in COLLEAGUES:
        peer = world.peers[user]
        if show is None:
            peer.quit()
            del world.peers[user]
        elif show != "available" or status:
            peer.presence(show=None if show == "available" else show, status=status or None)

    for user in ("ana", "ben", "chen"):
        world.peers[user].command("join_muc", room=world.room,
                                  nick=dict((u, n) for u, n, *_ in COLLEAGUES)[user].split()[0])
    world.peers["ana"].command("send", type="groupchat", to=world.room, chatstate=None,
                               subject="Release 2.4: code freeze on Friday", origin_id=False)
    for user, text in ROOM_TALK:
        world.peers[user].command("send", type="groupchat", to=world.room, body=text,
                                  chatstate=None)
    world.peers["ana"].send(world.me, "Hi Sam, welcome to Flint! Write me something: "
                            "I answer, and I have a file for you.")
    world.start_bots()
    return world


# Flint's notifications go out through the relay below, which speaks the
# freedesktop notification protocol.
FLINT_ENV = {"GNOTIFICATION_BACKEND": "freedesktop"}


def start_notify_relay(desktop, host_bus):
    """Pass the demo's desktop notifications (private bus) on to the
    notification server of host_bus, the user's session bus; returns the
    relay's Popen once it listens, or None when there is no host bus."""
    if not host_bus:
        return None
    relay = desktop.spawn(["/usr/bin/python3",
                           os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "notify_relay.py"), host_bus],
                          stdout=subprocess.PIPE, text=True)
    if relay.stdout.readline().strip() != "ready":
        return None
    return relay


def main():
    root = fh.source_root()
    binary = fh.flint_binary()
    if not os.path.exists(binary):
        print("Build Flint first (scripts/flint-dev run, or ninja -C build).", file=sys.stderr)
        return 1
    os.environ.setdefault("GSETTINGS_SCHEMA_DIR", os.path.join(fh.build_root(), "data"))
    host_bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    with fh.Prosody(domain=DOMAIN) as prosody, \
            fh.Desktop(host_display=True, keyring_password=secrets.token_urlsafe(12)) as desktop:
        print("Demo server %s on 127.0.0.1:%d" % (prosody.domain, prosody.c2s_port))
        world = build_world(prosody)
        try:
            r = desktop.run([binary, "--add-account", world.me, "--host", prosody.host,
                             "--port", str(prosody.c2s_port), "--trust-cert-sha256",
                             prosody.cert_sha256], input=world.password + "\n")
            if r.returncode != 0:
                print(r.stderr.decode(), file=sys.stderr)
                return 1
            print("Starting Flint as %s. Quit Flint to end the demo." % world.me)
            if start_notify_relay(desktop, host_bus) is None:
                print("(No session bus of yours found: notifications stay in Flint.)")
            flint = desktop.spawn([binary], env=FLINT_ENV, stdout=None, stderr=None)
            flint.wait()
        finally:
            world.quit()
        print("Demo over: server, colleagues and files removed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

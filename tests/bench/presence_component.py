#!/usr/bin/python3
"""An XEP-0114 component standing in for thousands of online contacts, so a
bench can give a 2,000-contact roster presence for everyone without 2,000
logins: every address at its domain accepts subscription requests, asks back,
and answers the server's presence probes with an available presence (the way
a server hands a user their contacts' presence at login).

    presence_component.py DOMAIN SECRET HOST PORT

Prints "ready" once connected; with FLINT_COMPONENT_LOG=FILE, writes one line
per probe answered to FILE: "probe MONOTONIC-SECONDS ADDRESS"."""

import asyncio
import os
import sys
import time

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import StanzaPath


class Bots(slixmpp.ComponentXMPP):
    def __init__(self, domain, secret, host, port):
        super().__init__(domain, secret, host, port)
        # slixmpp's component roster answers probes and subscriptions by
        # itself, and loops with the server; presence is handled here alone.
        self.remove_handler("Presence")
        self.register_handler(Callback("bots presence", StanzaPath("presence"),
                                       self.on_presence))
        self.add_event_handler("session_start", self.on_start)
        # Probe log to a file: a pipe nobody reads yet would fill and stall us.
        path = os.environ.get("FLINT_COMPONENT_LOG")
        self.log = open(path, "w", buffering=1) if path else None

    def on_start(self, _):
        print("ready", flush=True)

    def on_presence(self, pres):
        me, them, kind = pres["to"].bare, pres["from"].bare, pres["type"]
        if kind == "subscribe":
            self.send_presence(pfrom=me, pto=them, ptype="subscribed")
            self.send_presence(pfrom=me, pto=them, ptype="subscribe")
        elif kind == "probe":
            self.send_presence(pfrom=me, pto=them, pstatus="In the office")
            if self.log:
                self.log.write("probe %.6f %s\n" % (time.monotonic(), me))


def main():
    domain, secret, host, port = sys.argv[1:5]
    bots = Bots(domain, secret, host, int(port))
    bots.connect()
    asyncio.get_event_loop().run_forever()


if __name__ == "__main__":
    main()

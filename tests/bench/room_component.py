#!/usr/bin/python3
"""An XEP-0114 component that fills a room with occupants, for the rooms
bench: N addresses at its domain join ROOM without N logins.

    room_component.py DOMAIN SECRET HOST PORT ROOM N ADMIN

bot0000 creates ROOM (owner) and makes ADMIN (a bare JID) an admin. The
server sends every join to everyone in the room (N*N/2 presences here), so
this component speaks the protocol over a plain socket and does not parse
what it receives: it only counts the self-presences (status 110) and looks
for its iq results. Prints "ready", then "joined" once every bot is in.
Commands on stdin, one per line, each answered with its name once done:
  kick NICK   bot0000 kicks NICK from the room
  storm SHOW  every bot but bot0000 changes its presence (SHOW, a status)"""

import asyncio
import hashlib
import re
import sys

SELF = re.compile(rb"code=['\"]110['\"]")


class RoomBots:
    def __init__(self, domain, secret, host, port, room, n, admin):
        self.domain, self.secret, self.host, self.port = domain, secret, host, int(port)
        self.room, self.n, self.admin = room, int(n), admin
        self.tail = b""
        self.joined = 0
        self.waiting = {}  # iq id -> future
        self.all_in = asyncio.Event()
        self.owner_in = asyncio.Event()

    def bot(self, i):
        return "bot%04d@%s/r" % (i, self.domain)

    def presence(self, i, show=None):
        if show is None:
            extra = ("<x xmlns='http://jabber.org/protocol/muc'>"
                     "<history maxstanzas='0'/></x>")
        else:
            extra = "<show>%s</show><status>In a meeting (%s)</status>" % (show, show)
        self.writer.write(("<presence from='%s' to='%s/bot%04d'>%s</presence>"
                           % (self.bot(i), self.room, i, extra)).encode())

    async def iq(self, ident, payload):
        fut = asyncio.get_event_loop().create_future()
        self.waiting[ident] = fut
        self.writer.write(("<iq type='set' id='%s' from='%s' to='%s'>%s</iq>"
                           % (ident, self.bot(0), self.room, payload)).encode())
        await self.writer.drain()
        await asyncio.wait_for(fut, 30)

    async def reader_loop(self):
        while True:
            data = await self.reader.read(65536)
            if not data:
                return
            buf = self.tail + data
            ends = [m.end() for m in SELF.finditer(buf)]
            self.joined += len(ends)
            for ident, fut in list(self.waiting.items()):
                if ident.encode() in buf and not fut.done():
                    fut.set_result(True)
                    del self.waiting[ident]
            # A match split across two reads: keep what could start one
            # (shorter than a whole match, so none is counted twice).
            self.tail = buf[max(ends[-1] if ends else 0, len(buf) - 9):]
            if self.joined >= 1:
                self.owner_in.set()
            if self.joined >= self.n:
                self.all_in.set()

    async def run(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(("<stream:stream xmlns='jabber:component:accept' "
                           "xmlns:stream='http://etherx.jabber.org/streams' to='%s'>"
                           % self.domain).encode())
        head = b""
        while b"id=" not in head or b">" not in head[head.find(b"id="):]:
            head += await self.reader.read(4096)
        sid = re.search(rb"id=['\"]([^'\"]+)['\"]", head).group(1).decode()
        digest = hashlib.sha1((sid + self.secret).encode()).hexdigest()
        self.writer.write(("<handshake>%s</handshake>" % digest).encode())
        reply = b""
        while b"handshake" not in reply and b"error" not in reply:
            reply += await self.reader.read(4096)
        if b"error" in reply:
            raise SystemExit("handshake refused: %r" % reply)
        print("ready", flush=True)
        asyncio.ensure_future(self.reader_loop())
        self.presence(0)
        await asyncio.wait_for(self.owner_in.wait(), 30)
        await self.iq("admin1", "<query xmlns='http://jabber.org/protocol/muc#admin'>"
                                "<item affiliation='admin' jid='%s'/></query>" % self.admin)
        for i in range(1, self.n):
            self.presence(i)
            if i % 50 == 0:
                await self.writer.drain()
        while not self.all_in.is_set():
            try:
                await asyncio.wait_for(self.all_in.wait(), 5)
            except asyncio.TimeoutError:
                print("%d of %d in" % (self.joined, self.n), file=sys.stderr, flush=True)
        print("joined", flush=True)
        loop = asyncio.get_event_loop()
        count = 0
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            words = line.split()
            count += 1
            if words[:1] == ["kick"]:
                await self.iq("kick%d" % count,
                              "<query xmlns='http://jabber.org/protocol/muc#admin'>"
                              "<item nick='%s' role='none'/></query>" % words[1])
                print("kick", flush=True)
            elif words[:1] == ["storm"]:
                for i in range(1, self.n):
                    self.presence(i, words[1] if len(words) > 1 else "away")
                await self.writer.drain()
                print("storm", flush=True)


def main():
    bots = RoomBots(*sys.argv[1:8])
    asyncio.get_event_loop().run_until_complete(bots.run())


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A controllable XMPP peer for Flint's tests (slixmpp 1.8).

/usr/bin/python3 peer.py --jid a@flint.test --password pw --host 127.0.0.1 --port N
                         [--resource R] [--no-auto-accept] [--no-auto-receipts]
                         [--no-presence] [--carbons] [--allow-plain] [--trace]
                         [--priority P] [--debug]

stdin:  one JSON command per line ({"cmd": ..., "seq": optional number}).
stdout: one JSON event per line.  Every command is answered by
        {"event":"done","cmd":..,"seq":..,...} or {"event":"error","kind":"command",...}.
stderr: slixmpp logging (the Peer class sends it to a log file).

See README.md for the command and event formats.
"""

import argparse
import asyncio
import base64
import hashlib
import random
import json
import os
import logging
import ssl
import sys
import threading
import time
import uuid

import slixmpp
from slixmpp.xmlstream import ET
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath, StanzaPath

NS_CHATSTATES = "http://jabber.org/protocol/chatstates"
NS_SI = "http://jabber.org/protocol/si"
NS_FT = "http://jabber.org/protocol/si/profile/file-transfer"
NS_FNEG = "http://jabber.org/protocol/feature-neg"
NS_DATA = "jabber:x:data"
NS_BYTESTREAMS = "http://jabber.org/protocol/bytestreams"
NS_IBB = "http://jabber.org/protocol/ibb"


def test_bytes(n, seed=1):
    """Reproducible content for transfer tests."""
    return random.Random(seed).randbytes(n)


def s5_dst(sid, initiator, target):
    return hashlib.sha1((sid + str(initiator) + str(target)).encode()).hexdigest()


async def s5_connect(host, port, dst):
    """SOCKS5 CONNECT to dst (XEP-0065); returns (reader, writer)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 5)
    writer.write(b"\x05\x01\x00")
    await writer.drain()
    if await reader.readexactly(2) != b"\x05\x00":
        raise ConnectionError("socks5 method refused")
    d = dst.encode()
    writer.write(b"\x05\x01\x00\x03" + bytes([len(d)]) + d + b"\x00\x00")
    await writer.drain()
    r = await reader.readexactly(5)
    if r[1] != 0:
        raise ConnectionError("socks5 connect refused: %d" % r[1])
    await reader.readexactly({1: 5, 4: 17, 3: r[4] + 2}[r[3]])
    return reader, writer


def emit(ev):
    try:
        sys.stdout.write(json.dumps(ev, default=str) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        # The test that reads us is gone (crashed): an orphaned peer would
        # hold its stderr open and make meson wait for the full timeout.
        os._exit(0)


def jid_str(j):
    return str(j) if j else None


class PeerClient(slixmpp.ClientXMPP):
    def __init__(self, args):
        jid = args.jid
        if args.resource and "/" not in jid:
            jid = jid + "/" + args.resource
        super().__init__(jid, args.password)
        self.args = args
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        for p in ("xep_0030", "xep_0085", "xep_0115", "xep_0184", "xep_0199", "xep_0280",
                  "xep_0308", "xep_0359", "xep_0045", "xep_0249", "xep_0203", "xep_0313",
                  "xep_0333", "xep_0054", "xep_0092"):
            try:
                self.register_plugin(p)
            except Exception as e:  # a missing optional plugin is not fatal
                logging.warning("plugin %s: %s", p, e)
        self["xep_0184"].auto_ack = not args.no_auto_receipts
        self["xep_0184"].auto_request = False
        self["xep_0199"].enable_keepalive = False
        if args.allow_plain:
            self["feature_mechanisms"].unencrypted_plain = True
        self.auto_authorize = None if args.no_auto_accept else True
        self.auto_subscribe = not args.no_auto_accept
        self.ready = False

        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", lambda *_: self.fail("auth_failed"))
        self.add_event_handler("connection_failed", lambda e: self.fail("connection_failed", str(e)))
        self.add_event_handler("disconnected", self.on_disconnected)
        self.add_event_handler("session_resumed", lambda *_: emit({"event": "resumed"}))
        self.add_event_handler("carbon_received", lambda m: self.on_carbon(m, "received"))
        self.add_event_handler("carbon_sent", lambda m: self.on_carbon(m, "sent"))
        self.add_event_handler("groupchat_direct_invite", self.on_direct_invite)
        self.register_handler(Callback("peer-message", StanzaPath("message"), self.on_message))
        self.register_handler(Callback("peer-presence", StanzaPath("presence"), self.on_presence))
        # File transfer (XEP-0096 over XEP-0065/0047), by hand so tests control
        # every byte (the slixmpp plugins pick methods and streamhosts themselves).
        self.si_offers = {}     # sid -> offer iq (to answer)
        self.si_incoming = {}   # sid -> state of a file we receive
        for name, path, fn in (
                ("peer-si", "{jabber:client}iq/{%s}si" % NS_SI, self.on_si_offer),
                ("peer-s5b", "{jabber:client}iq/{%s}query" % NS_BYTESTREAMS, self.on_s5b_request),
                ("peer-ibb-open", "{jabber:client}iq/{%s}open" % NS_IBB, self.on_ibb_open),
                ("peer-ibb-data", "{jabber:client}iq/{%s}data" % NS_IBB, self.on_ibb_data),
                ("peer-ibb-close", "{jabber:client}iq/{%s}close" % NS_IBB, self.on_ibb_close)):
            self.register_handler(Callback(name, MatchXPath(path), fn))
        if args.trace:
            self.add_filter("in", self.trace_in)
            self.add_filter("out", self.trace_out)

    # ---- tracing
    def trace_in(self, stanza):
        emit({"event": "xml", "dir": "in", "xml": str(stanza)})
        return stanza

    def trace_out(self, stanza):
        emit({"event": "xml", "dir": "out", "xml": str(stanza)})
        return stanza

    # ---- lifecycle
    def fail(self, kind, detail=None):
        emit({"event": "failed" if not self.ready else "error", "kind": kind, "detail": detail})
        if not self.ready:
            self.loop.call_soon(self.loop.stop)

    async def on_session_start(self, _):
        # slixmpp 1.8.3 accepts force_starttls but never enforces it: do it here.
        if not self.args.allow_plain and "starttls" not in self.features:
            self.fail("no_tls", "server did not negotiate STARTTLS")
            self.abort()
            return
        try:
            await self.get_roster(timeout=15)
        except Exception as e:
            logging.warning("roster fetch: %s", e)
        if not self.args.no_presence:
            self.send_presence(ppriority=self.args.priority)
        if self.args.carbons:
            try:
                await self["xep_0280"].enable(timeout=10)
            except Exception as e:
                emit({"event": "error", "kind": "carbons", "detail": str(e)})
        self.ready = True
        emit({"event": "ready", "jid": str(self.boundjid)})

    def on_disconnected(self, reason):
        emit({"event": "disconnected", "reason": str(reason) if reason else None})
        if getattr(self, "quitting", False) or not self.ready:
            self.loop.call_soon(self.loop.stop)

    # ---- incoming
    @staticmethod
    def message_fields(msg):
        d = {"from": jid_str(msg["from"]), "to": jid_str(msg["to"]),
             "id": msg["id"] or None, "type": msg["type"],
             "body": msg["body"] if msg.xml.find("{jabber:client}body") is not None else None}
        d["receipt_request"] = msg.xml.find("{urn:xmpp:receipts}request") is not None
        oid = msg.xml.find("{urn:xmpp:sid:0}origin-id")
        d["origin_id"] = oid.get("id") if oid is not None else None
        sids = msg.xml.findall("{urn:xmpp:sid:0}stanza-id")
        d["stanza_id"] = sids[0].get("id") if sids else None
        d["stanza_id_by"] = sids[0].get("by") if sids else None
        rep = msg.xml.find("{urn:xmpp:message-correct:0}replace")
        d["replace"] = rep.get("id") if rep is not None else None
        th = msg.xml.find("{jabber:client}thread")
        d["thread"] = th.text if th is not None else None
        subj = msg.xml.find("{jabber:client}subject")
        d["subject"] = subj.text if subj is not None else None
        d["delay"] = msg.xml.find("{urn:xmpp:delay}delay") is not None
        d["chatstate"] = None
        for child in msg.xml:
            if child.tag.startswith("{%s}" % NS_CHATSTATES):
                d["chatstate"] = child.tag.split("}", 1)[1]
        return d

    def on_message(self, msg):
        # Carbon wrappers are reported by on_carbon; MAM results are not live messages.
        if msg.xml.find("{urn:xmpp:carbons:2}received") is not None or \
                msg.xml.find("{urn:xmpp:carbons:2}sent") is not None:
            return
        if msg.xml.find("{urn:xmpp:mam:2}result") is not None:
            return
        f = self.message_fields(msg)
        if msg["type"] == "error":
            err = msg["error"]
            emit({"event": "error", "kind": "message", "from": f["from"], "id": f["id"],
                  "condition": err["condition"], "text": err["text"], "xml": str(msg)})
            return
        rcv = msg.xml.find("{urn:xmpp:receipts}received")
        if rcv is not None:
            emit({"event": "receipt", "id": rcv.get("id"), "from": f["from"]})
        if f["chatstate"]:
            emit({"event": "chatstate", "from": f["from"], "state": f["chatstate"],
                  "type": f["type"]})
        mk = msg.xml.find("{urn:xmpp:chat-markers:0}displayed")
        if mk is not None:
            emit({"event": "marker", "marker": "displayed", "id": mk.get("id"), "from": f["from"]})
        inv = msg.xml.find("{http://jabber.org/protocol/muc#user}x/{http://jabber.org/protocol/muc#user}invite")
        if inv is not None:
            emit({"event": "invite", "kind": "mediated", "room": f["from"],
                  "from": inv.get("from"), "xml": str(msg)})
        dec = msg.xml.find("{http://jabber.org/protocol/muc#user}x/{http://jabber.org/protocol/muc#user}decline")
        if dec is not None:
            r = dec.find("{http://jabber.org/protocol/muc#user}reason")
            emit({"event": "decline", "room": f["from"], "from": dec.get("from"),
                  "reason": r.text if r is not None else None, "xml": str(msg)})
        if f["body"] is not None or f["subject"] is not None:
            f["event"] = "message"
            f["xml"] = str(msg)
            emit(f)

    def on_carbon(self, msg, direction):
        inner = msg["carbon_received"] if direction == "received" else msg["carbon_sent"]
        f = self.message_fields(inner)
        f.update(event="carbon", direction=direction, xml=str(inner))
        emit(f)

    def on_direct_invite(self, msg):
        x = msg.xml.find("{jabber:x:conference}x")
        emit({"event": "invite", "kind": "direct", "from": jid_str(msg["from"]),
              "room": x.get("jid") if x is not None else None,
              "reason": x.get("reason") if x is not None else None})

    def on_presence(self, pres):
        show = pres.xml.find("{jabber:client}show")
        status = pres.xml.find("{jabber:client}status")
        prio = pres.xml.find("{jabber:client}priority")
        ev = {"event": "presence", "from": jid_str(pres["from"]), "to": jid_str(pres["to"]),
              "type": pres.xml.get("type") or "available",
              "show": show.text if show is not None else None,
              "status": status.text if status is not None else None,
              "priority": int(prio.text) if prio is not None and prio.text else 0}
        mu = pres.xml.find("{http://jabber.org/protocol/muc#user}x")
        if mu is not None:
            item = mu.find("{http://jabber.org/protocol/muc#user}item")
            ev["muc"] = {"affiliation": item.get("affiliation") if item is not None else None,
                         "role": item.get("role") if item is not None else None,
                         "jid": item.get("jid") if item is not None else None,
                         "codes": [s.get("code") for s in
                                   mu.findall("{http://jabber.org/protocol/muc#user}status")]}
        if ev["type"] == "error":
            ev["condition"] = pres["error"]["condition"]
        emit(ev)

    # ---- commands
    async def run_command(self, c):
        name = c.get("cmd")
        seq = c.get("seq")
        done = {"event": "done", "cmd": name, "seq": seq}
        try:
            handler = getattr(self, "cmd_" + str(name), None)
            if handler is None:
                raise ValueError("unknown command %r" % name)
            res = handler(c)
            if asyncio.iscoroutine(res):
                res = await res
            if isinstance(res, dict):
                done.update(res)
            emit(done)
        except Exception as e:
            emit({"event": "error", "kind": "command", "cmd": name, "seq": seq,
                  "detail": "%s: %s" % (type(e).__name__, e)})

    def cmd_send(self, c):
        mtype = c.get("type") or "chat"
        msg = self.make_message(mto=c["to"], mbody=c.get("body"), mtype=mtype,
                                msubject=c.get("subject"))
        mid = c.get("id") or ("peer-" + uuid.uuid4().hex[:12])
        msg["id"] = mid
        if c.get("receipt", mtype != "groupchat"):
            msg["request_receipt"] = True
        oid = c.get("origin_id", True)
        if oid:
            msg["origin_id"]["id"] = mid if oid is True else oid
        if c.get("replace"):
            msg["replace"]["id"] = c["replace"]
        if c.get("thread"):
            msg["thread"] = c["thread"]
        if c.get("chatstate", "active"):
            msg["chat_state"] = c.get("chatstate", "active")
        if c.get("markable"):
            msg.append(ET.Element("{urn:xmpp:chat-markers:0}markable"))
        if c.get("oob"):  # XEP-0066: a file link beside the body
            x = ET.Element("{jabber:x:oob}x")
            ET.SubElement(x, "{jabber:x:oob}url").text = c["oob"]
            if c.get("oob_desc"):
                ET.SubElement(x, "{jabber:x:oob}desc").text = c["oob_desc"]
            msg.append(x)
        msg.send()
        return {"id": mid}

    def cmd_presence(self, c):
        self.send_presence(pto=c.get("to"), ptype=c.get("type"), pshow=c.get("show"),
                           pstatus=c.get("status"), ppriority=c.get("priority"))

    def cmd_subscribe(self, c):
        self.send_presence(pto=c["to"], ptype="subscribe")

    def cmd_unsubscribe(self, c):
        self.send_presence(pto=c["to"], ptype="unsubscribe")

    def cmd_subscribed(self, c):       # accept a pending request by hand
        self.send_presence(pto=c["to"], ptype="subscribed")

    def cmd_unsubscribed(self, c):     # refuse / revoke
        self.send_presence(pto=c["to"], ptype="unsubscribed")

    async def cmd_roster_add(self, c):
        await self.update_roster(c["jid"], name=c.get("name") or "",
                                 groups=c.get("groups") or [], timeout=15)
        if c.get("subscribe"):
            self.send_presence(pto=c["jid"], ptype="subscribe")

    async def cmd_roster_remove(self, c):
        await self.del_roster_item(c["jid"])

    async def cmd_roster_get(self, c):
        await self.get_roster(timeout=15)
        items = {}
        for j in self.client_roster:
            if str(j) == self.boundjid.bare:
                continue
            it = self.client_roster[j]
            items[str(j)] = {"name": it["name"], "subscription": it["subscription"],
                             "groups": list(it["groups"]), "ask": it["pending_out"]}
        return {"roster": items}

    def cmd_chatstate(self, c):
        msg = self.make_message(mto=c["to"], mtype=c.get("type") or "chat")
        msg["chat_state"] = c["state"]
        msg.send()

    def cmd_receipt(self, c):          # manual receipt (with --no-auto-receipts)
        msg = self.make_message(mto=c["to"])
        msg["receipt"] = c["id"]
        msg.send()

    def cmd_displayed(self, c):        # XEP-0333 displayed marker
        msg = self.make_message(mto=c["to"], mtype=c.get("type") or "chat")
        el = ET.Element("{urn:xmpp:chat-markers:0}displayed", id=c["id"])
        msg.append(el)
        msg.send()

    def cmd_raw(self, c):
        self.send_raw(c["xml"])

    async def cmd_join_muc(self, c):
        await self["xep_0045"].join_muc_wait(c["room"], c["nick"], password=c.get("password"),
                                             maxstanzas=c.get("maxstanzas", 0), timeout=15)

    def cmd_leave_muc(self, c):
        self["xep_0045"].leave_muc(c["room"], c["nick"])

    def cmd_decline(self, c):
        """Decline a mediated invitation (XEP-0045 §7.8.2) through the room."""
        msg = self.make_message(mto=c["room"])
        x = ET.SubElement(msg.xml, "{http://jabber.org/protocol/muc#user}x")
        d = ET.SubElement(x, "{http://jabber.org/protocol/muc#user}decline", to=c["to"])
        if c.get("reason"):
            ET.SubElement(d, "{http://jabber.org/protocol/muc#user}reason").text = c["reason"]
        msg.send()

    def cmd_invite(self, c):
        if c.get("direct", True):
            self["xep_0249"].send_invitation(c["to"], c["room"], reason=c.get("reason"),
                                             password=c.get("password"))
        else:
            self["xep_0045"].invite(c["room"], c["to"], reason=c.get("reason") or "")

    async def cmd_ping(self, c):
        t0 = time.monotonic()
        await self["xep_0199"].ping(c.get("to") or self.boundjid.host, timeout=c.get("timeout", 10))
        return {"rtt": time.monotonic() - t0}

    async def cmd_make_rooms(self, c):
        """Create count rooms prefix0..prefixN-1 on service, each named
        name (with {i}) and described description (with {i}), persistent and
        public, configured by this peer as owner; stay=True keeps the peer
        in each (1 occupant), else it leaves; password= protects them.
        For room browser tests."""
        service, prefix, count = c["service"], c.get("prefix", "room"), int(c["count"])
        name, desc = c.get("name", "Room {i}"), c.get("description", "")
        stay = c.get("stay", True)

        def field(var, value):
            return "<field var='%s'><value>%s</value></field>" % (var, value)

        async def make(i):
            room = "%s%d@%s" % (prefix, i, service)
            await self["xep_0045"].join_muc_wait(room, "maker", maxstanzas=0, timeout=30)
            form = ("<x xmlns='jabber:x:data' type='submit'>" +
                    field("FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig") +
                    field("muc#roomconfig_roomname", name.format(i=i)) +
                    field("muc#roomconfig_roomdesc", desc.format(i=i)) +
                    field("muc#roomconfig_persistentroom", "1") +
                    field("muc#roomconfig_publicroom", "1") +
                    (field("muc#roomconfig_passwordprotectedroom", "1") +
                     field("muc#roomconfig_roomsecret", c["password"])
                     if c.get("password") else "") + "</x>")
            iq = self.Iq(xml=ET.fromstring(
                "<iq xmlns='jabber:client' type='set' to='%s'>"
                "<query xmlns='http://jabber.org/protocol/muc#owner'>%s</query></iq>"
                % (room, form)))
            iq["id"] = self.new_id()
            await iq.send(timeout=30)
            if not stay:
                self["xep_0045"].leave_muc(room, "maker")

        batch = int(c.get("batch", 25))
        for start in range(0, count, batch):
            await asyncio.gather(*(make(i) for i in range(start, min(count, start + batch))))
        return {"count": count}

    async def cmd_carbons(self, c):
        if c.get("enable", True):
            await self["xep_0280"].enable(timeout=10)
        else:
            await self["xep_0280"].disable(timeout=10)

    # ---- file transfer: receiving (Flint sends)
    def on_si_offer(self, iq):
        if iq["type"] != "set":
            return
        si = iq.xml.find("{%s}si" % NS_SI)
        f = si.find("{%s}file" % NS_FT) if si is not None else None
        methods = [v.text for v in si.iter("{%s}value" % NS_DATA)] if si is not None else []
        sid = si.get("id") if si is not None else None
        self.si_offers[sid] = iq
        emit({"event": "si_offer", "from": jid_str(iq["from"]), "sid": sid,
              "name": f.get("name") if f is not None else None,
              "size": int(f.get("size")) if f is not None and f.get("size") else None,
              "hash": f.get("hash") if f is not None else None,
              "desc": f.findtext("{%s}desc" % NS_FT) if f is not None else None,
              "methods": methods})

    def cmd_si_accept(self, c):
        """Accept offer sid choosing method "socks5" or "ibb"; refuse_socks5
        makes every streamhost fail; cancel_after closes after that many bytes."""
        iq = self.si_offers.pop(c["sid"])
        method = NS_BYTESTREAMS if c.get("method", "socks5") == "socks5" else NS_IBB
        self.si_incoming[c["sid"]] = {"from": iq["from"], "data": bytearray(),
                                      "refuse_socks5": c.get("refuse_socks5", False),
                                      "cancel_after": c.get("cancel_after"),
                                      "seq": 0, "done": False}
        reply = iq.reply(clear=True)
        reply.xml.append(ET.fromstring(
            "<si xmlns='%s'><feature xmlns='%s'><x xmlns='%s' type='submit'>"
            "<field var='stream-method'><value>%s</value></field></x></feature></si>"
            % (NS_SI, NS_FNEG, NS_DATA, method)))
        reply.send()

    def cmd_si_decline(self, c):
        iq = self.si_offers.pop(c["sid"])
        err = iq.reply(clear=True)
        err["type"] = "error"
        err.xml.append(ET.fromstring(
            "<error xmlns='jabber:client' type='cancel'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
            "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Offer declined</text></error>"))
        err.send()

    def _si_finish(self, sid, method, extra=None):
        st = self.si_incoming.get(sid)
        if st is None or st["done"]:
            return
        st["done"] = True
        ev = {"event": "si_received", "sid": sid, "method": method,
              "size": len(st["data"]), "md5": hashlib.md5(st["data"]).hexdigest()}
        ev.update(extra or {})
        emit(ev)

    def _iq_error(self, iq, condition, etype="cancel"):
        err = iq.reply(clear=True)
        err["type"] = "error"
        err.xml.append(ET.fromstring(
            "<error xmlns='jabber:client' type='%s'><%s xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
            % (etype, condition)))
        err.send()

    def on_s5b_request(self, iq):
        if iq["type"] != "set":
            return
        q = iq.xml.find("{%s}query" % NS_BYTESTREAMS)
        if q.find("{%s}activate" % NS_BYTESTREAMS) is not None:
            return
        asyncio.ensure_future(self._s5b_receive(iq, q))

    async def _s5b_receive(self, iq, q):
        sid = q.get("sid")
        st = self.si_incoming.get(sid)
        if st is None or st["refuse_socks5"]:
            emit({"event": "s5b_refused", "sid": sid})
            self._iq_error(iq, "item-not-found")
            return
        dst = s5_dst(sid, iq["from"], self.boundjid)
        hosts = [(h.get("jid"), h.get("host"), h.get("port"))
                 for h in q.findall("{%s}streamhost" % NS_BYTESTREAMS)]
        emit({"event": "s5b_streamhosts", "sid": sid, "hosts": hosts})
        for jid, host, port in hosts:
            try:
                reader, writer = await s5_connect(host, port, dst)
            except Exception as e:
                emit({"event": "s5b_connect_failed", "host": host, "port": port, "detail": str(e)})
                continue
            reply = iq.reply(clear=True)
            reply.xml.append(ET.fromstring(
                "<query xmlns='%s' sid='%s'><streamhost-used jid='%s'/></query>"
                % (NS_BYTESTREAMS, sid, jid)))
            reply.send()
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                st["data"] += chunk
                if st["cancel_after"] is not None and len(st["data"]) >= st["cancel_after"]:
                    writer.close()
                    emit({"event": "si_cancelled", "sid": sid, "size": len(st["data"])})
                    st["done"] = True
                    return
            writer.close()
            self._si_finish(sid, "socks5", {"streamhost": jid})
            return
        self._iq_error(iq, "item-not-found")

    def on_ibb_open(self, iq):
        if iq["type"] != "set":
            return
        o = iq.xml.find("{%s}open" % NS_IBB)
        st = self.si_incoming.get(o.get("sid"))
        if st is None:
            self._iq_error(iq, "not-acceptable")
            return
        st["block_size"] = int(o.get("block-size"))
        emit({"event": "ibb_open", "sid": o.get("sid"), "block_size": st["block_size"]})
        iq.reply(clear=True).send()

    def on_ibb_data(self, iq):
        if iq["type"] != "set":
            return
        d = iq.xml.find("{%s}data" % NS_IBB)
        sid = d.get("sid")
        st = self.si_incoming.get(sid)
        if st is None or st["done"]:
            self._iq_error(iq, "item-not-found")
            return
        if int(d.get("seq")) != st["seq"]:
            self._iq_error(iq, "unexpected-request")
            return
        st["seq"] = (st["seq"] + 1) % 65536
        st["data"] += base64.b64decode(d.text or "")
        if st["cancel_after"] is not None and len(st["data"]) >= st["cancel_after"]:
            st["done"] = True
            self._iq_error(iq, "not-acceptable")
            emit({"event": "si_cancelled", "sid": sid, "size": len(st["data"])})
            return
        iq.reply(clear=True).send()

    def on_ibb_close(self, iq):
        if iq["type"] != "set":
            return
        sid = iq.xml.find("{%s}close" % NS_IBB).get("sid")
        iq.reply(clear=True).send()
        if sid in self.si_incoming:
            self._si_finish(sid, "ibb")
        else:
            emit({"event": "ibb_closed", "sid": sid})

    # ---- file transfer: sending (Flint receives)
    async def cmd_si_send_file(self, c):
        """Offer a file over XEP-0096 and send it once accepted.
        data: text, or size (+ seed): reproducible bytes.
        method: "socks5-direct" | "socks5-proxy" | "ibb" (what we do once the
        receiver picks bytestreams; it may also pick IBB itself).
        Hostile knobs: size_claim, hash, hostile ("wrong_seq" | "bad_base64" |
        "oversize"), stop_after (bytes, then close early), vanish_after (IBB:
        bytes, then unavailable presence and no close), pause_after (SOCKS5:
        bytes, then wait until the receiver hangs up), dead_host (offer an
        unreachable streamhost first)."""
        data = c["data"].encode() if "data" in c else test_bytes(c.get("size", 0), c.get("seed", 1))
        sid = c.get("sid") or uuid.uuid4().hex
        to = c["to"]
        size = c.get("size_claim", len(data))
        md5 = c.get("hash", hashlib.md5(data).hexdigest())
        want = c.get("method", "socks5-direct")
        methods = [NS_IBB] if want == "ibb" else [NS_BYTESTREAMS, NS_IBB]
        opts = "".join("<option><value>%s</value></option>" % m for m in methods)
        xml = ("<iq xmlns='jabber:client' type='set' to='%s'><si xmlns='%s' id='%s' "
               "profile='%s' mime-type='application/octet-stream'>"
               "<file xmlns='%s' size='%d'%s><desc>%s</desc></file>"
               "<feature xmlns='%s'><x xmlns='%s' type='form'><field var='stream-method' "
               "type='list-single'>%s</field></x></feature></si></iq>") % (
            to, NS_SI, sid, NS_FT, NS_FT, size,
            "" if md5 is None else " hash='%s'" % md5, c.get("desc", ""), NS_FNEG, NS_DATA, opts)
        iq = self.Iq(xml=ET.fromstring(xml))
        f = iq.xml.find("{%s}si/{%s}file" % (NS_SI, NS_FT))
        f.set("name", c.get("name", "file.bin"))  # set here: any characters, escaped by ET
        iq["id"] = self.new_id()
        try:
            reply = await iq.send(timeout=c.get("timeout", 60))
        except slixmpp.exceptions.IqError as e:
            cond = e.iq["error"]["condition"]
            emit({"event": "si_declined", "sid": sid, "condition": cond})
            return {"result": "declined", "sid": sid, "condition": cond}
        chosen = [v.text for v in reply.xml.iter("{%s}value" % NS_DATA)]
        emit({"event": "si_accepted", "sid": sid, "method": chosen})
        if NS_BYTESTREAMS in chosen and want != "ibb":
            ok = await self._s5b_send(to, sid, data, c)
            if ok is not None:
                return ok
            # No streamhost worked: fall back to IBB with the same sid.
        return await self._ibb_send(to, sid, data, c)

    async def _s5b_send(self, to, sid, data, c):
        dst = s5_dst(sid, self.boundjid, to)
        want = c.get("method", "socks5-direct")
        hosts = []
        if c.get("dead_host"):
            hosts.append((str(self.boundjid), "127.0.0.1", 1))
        ready = asyncio.get_event_loop().create_future()
        server = None
        if want == "socks5-direct":
            async def serve(reader, writer):
                try:
                    head = await reader.readexactly(2)
                    await reader.readexactly(head[1])
                    writer.write(b"\x05\x00")
                    h = await reader.readexactly(5)
                    addr = (await reader.readexactly(h[4] + 2))[:h[4]]
                    ok = addr.decode() == dst
                    writer.write(b"\x05" + (b"\x00" if ok else b"\x02") + b"\x00\x03" +
                                 bytes([len(addr)]) + addr + b"\x00\x00")
                    await writer.drain()
                    if ok and not ready.done():
                        ready.set_result((reader, writer))
                    elif not ok:
                        writer.close()
                except Exception as e:
                    emit({"event": "s5b_serve_error", "detail": str(e)})
            server = await asyncio.start_server(serve, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            hosts.append((str(self.boundjid), "127.0.0.1", port))
        else:
            proxy = "proxy." + self.boundjid.domain
            q = self.Iq(sto=proxy, stype="get")
            q.xml.append(ET.fromstring("<query xmlns='%s'/>" % NS_BYTESTREAMS))
            r = await q.send(timeout=10)
            sh = r.xml.find("{%s}query/{%s}streamhost" % (NS_BYTESTREAMS, NS_BYTESTREAMS))
            hosts.append((sh.get("jid") or proxy, sh.get("host"), sh.get("port")))
        body = "".join("<streamhost jid='%s' host='%s' port='%s'/>" % h for h in hosts)
        req = self.Iq(xml=ET.fromstring(
            "<iq xmlns='jabber:client' type='set' to='%s'><query xmlns='%s' sid='%s' "
            "mode='tcp'>%s</query></iq>" % (to, NS_BYTESTREAMS, sid, body)))
        req["id"] = self.new_id()
        try:
            used = await req.send(timeout=30)
        except slixmpp.exceptions.IqError as e:
            emit({"event": "s5b_failed", "sid": sid, "condition": e.iq["error"]["condition"]})
            if server:
                server.close()
            return None
        used_jid = used.xml.find("{%s}query/{%s}streamhost-used" % (NS_BYTESTREAMS, NS_BYTESTREAMS)).get("jid")
        if want == "socks5-direct":
            reader, writer = await asyncio.wait_for(ready, 10)
        else:
            reader, writer = await s5_connect(hosts[-1][1], hosts[-1][2], dst)
            act = self.Iq(xml=ET.fromstring(
                "<iq xmlns='jabber:client' type='set' to='%s'><query xmlns='%s' sid='%s'>"
                "<activate>%s</activate></query></iq>" % (hosts[-1][0], NS_BYTESTREAMS, sid, to)))
            act["id"] = self.new_id()
            await act.send(timeout=10)
        stop = c.get("stop_after")
        payload = data if stop is None else data[:stop]
        t0 = time.monotonic()
        pause = c.get("pause_after")  # send this much, then wait for the receiver
        if pause is not None:
            writer.write(payload[:pause])
            await writer.drain()
            try:
                left = await asyncio.wait_for(reader.read(), 30)
            except (asyncio.TimeoutError, ConnectionError):
                left = None
            writer.close()
            if server:
                server.close()
            return {"result": "closed by receiver" if left == b"" else "still open",
                    "sid": sid, "method": "socks5", "bytes": pause}
        for i in range(0, len(payload), 65536):
            writer.write(payload[i:i + 65536])
            await writer.drain()
        if c.get("extra"):
            writer.write(c["extra"].encode())
            await writer.drain()
        writer.close()
        if server:
            server.close()
        return {"result": "sent", "sid": sid, "method": "socks5", "streamhost": used_jid,
                "bytes": len(payload), "seconds": time.monotonic() - t0}

    async def _ibb_send(self, to, sid, data, c):
        bs = c.get("block_size", 4096)
        hostile = c.get("hostile")
        stop = c.get("stop_after")

        async def iq_set(inner):
            q = self.Iq(xml=ET.fromstring(
                "<iq xmlns='jabber:client' type='set' to='%s'>%s</iq>" % (to, inner)))
            q["id"] = self.new_id()
            try:
                await q.send(timeout=30)
                return None
            except slixmpp.exceptions.IqError as e:
                return e.iq["error"]["condition"]

        err = await iq_set("<open xmlns='%s' sid='%s' block-size='%d' stanza='iq'/>" % (NS_IBB, sid, bs))
        if err:
            return {"result": "refused", "sid": sid, "condition": err}
        payload = data if stop is None else data[:stop]
        seq = 0
        t0 = time.monotonic()
        blocks = [payload[i:i + bs] for i in range(0, len(payload), bs)]
        for n, block in enumerate(blocks):
            text = base64.b64encode(block).decode()
            use_seq = seq
            if hostile == "wrong_seq" and n == 1:
                use_seq = seq + 1
            if hostile == "bad_base64" and n == 1:
                text = "!!not*base64!!"
            if hostile == "oversize" and n == 1:
                text = base64.b64encode(block + b"x" * (bs + 1)).decode()
            err = await iq_set("<data xmlns='%s' sid='%s' seq='%d'>%s</data>" % (NS_IBB, sid, use_seq, text))
            if err:
                emit({"event": "ibb_data_error", "sid": sid, "seq": use_seq, "condition": err})
                return {"result": "error", "sid": sid, "condition": err, "block": n}
            seq = (seq + 1) % 65536
            if c.get("vanish_after") is not None and (n + 1) * bs >= c["vanish_after"]:
                # Goes offline mid-stream, without a close: the client quit.
                self.send_presence(ptype="unavailable")
                return {"result": "vanished", "sid": sid, "method": "ibb",
                        "bytes": (n + 1) * bs}
        if c.get("extra"):
            err = await iq_set("<data xmlns='%s' sid='%s' seq='%d'>%s</data>" % (
                NS_IBB, sid, seq, base64.b64encode(c["extra"].encode()).decode()))
            if err:
                return {"result": "error", "sid": sid, "condition": err, "block": len(blocks)}
        await iq_set("<close xmlns='%s' sid='%s'/>" % (NS_IBB, sid))
        return {"result": "sent", "sid": sid, "method": "ibb", "bytes": len(payload),
                "seconds": time.monotonic() - t0}

    async def cmd_http_get(self, c):
        """Fetch url (plain HTTP or HTTPS without verification); size, md5 and
        the first 32 bytes in hex ("head")."""
        import urllib.request

        def fetch():
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            with urllib.request.urlopen(c["url"], timeout=30, context=ctx) as r:
                return r.status, r.read()
        status, data = await asyncio.get_event_loop().run_in_executor(None, fetch)
        return {"status": status, "size": len(data), "md5": hashlib.md5(data).hexdigest(),
                "head": data[:32].hex()}

    async def cmd_iq(self, c):
        """Send a raw <iq/> (xml) and return the reply XML."""
        iq = self.Iq(xml=ET.fromstring(c["xml"]))
        if not iq["id"]:
            iq["id"] = self.new_id()
        try:
            reply = await iq.send(timeout=c.get("timeout", 10))
            return {"reply": str(reply), "type": reply["type"]}
        except slixmpp.exceptions.IqError as e:
            return {"reply": str(e.iq), "type": "error"}

    async def cmd_archive_bodies(self, c):
        """The bodies in our own archive (XEP-0313), oldest first, optionally
        only those exchanged with c["with"]: what a client of ours would
        catch up with after a server crash."""
        bodies, after = [], None
        for _ in range(100):
            rsm = {"max": 50}
            if after:
                rsm["after"] = after
            iq = await self["xep_0313"].retrieve(
                with_jid=slixmpp.JID(c["with"]) if c.get("with") else None,
                rsm=rsm, timeout=c.get("timeout", 15))
            for result in iq["mam"]["results"]:
                body = result["mam_result"]["forwarded"]["stanza"]["body"]
                if body:
                    bodies.append(body)
            after = iq["mam_fin"]["rsm"]["last"]
            if iq["mam_fin"]["complete"] or not after:
                break
        return {"bodies": bodies}

    # ---- avatars (XEP-0054/0153, XEP-0084), for tests/integration/test-avatars.c
    async def _iq_set(self, xml):
        iq = self.Iq(xml=ET.fromstring(xml))
        iq["type"] = "set"
        iq["id"] = self.new_id()
        await iq.send(timeout=15)

    @staticmethod
    def _photo(c):
        """(raw bytes, base64 text, sha1 hex) of c["data"] (base64; "" = none)."""
        import base64
        import hashlib
        b64 = c.get("data") or ""
        raw = base64.b64decode(b64) if b64 else b""
        return raw, b64, hashlib.sha1(raw).hexdigest() if raw else ""

    async def cmd_vcard_set_photo(self, c):
        """Set our vCard's PHOTO (data: base64, "" removes it) and, unless
        presence=false, send presence with its XEP-0153 hash (photo_hash
        overrides the hash announced, for forged-hash tests; "binval" sends
        that text as BINVAL instead of data)."""
        raw, b64, sha1 = self._photo(c)
        binval = c.get("binval", b64)
        photo = ""
        if binval:
            photo = ("<PHOTO><TYPE>%s</TYPE><BINVAL>%s</BINVAL></PHOTO>"
                     % (c.get("type", "image/png"), binval))
        await self._iq_set("<iq xmlns='jabber:client'><vCard xmlns='vcard-temp'>"
                           "<FN>%s</FN>%s</vCard></iq>" % (self.boundjid.user, photo))
        announced = c.get("photo_hash", sha1)
        if c.get("presence", True):
            self.send_raw("<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'>"
                          "<photo>%s</photo></x></presence>" % announced)
        return {"sha1": sha1, "announced": announced}

    async def cmd_pep_avatar_publish(self, c):
        """Publish an XEP-0084 avatar (data: base64; "" publishes empty
        metadata = no avatar; id overrides the id announced; payload
        overrides the text of the data item, for malformed-data tests)."""
        raw, b64, sha1 = self._photo(c)
        item_id = c.get("id", sha1)
        b64 = c.get("payload", b64)
        if raw:
            await self._iq_set(
                "<iq xmlns='jabber:client'><pubsub xmlns='http://jabber.org/protocol/pubsub'>"
                "<publish node='urn:xmpp:avatar:data'><item id='%s'>"
                "<data xmlns='urn:xmpp:avatar:data'>%s</data></item></publish></pubsub></iq>"
                % (item_id, b64))
            info = ("<info bytes='%d' id='%s' type='%s' height='64' width='64'/>"
                    % (len(raw), item_id, c.get("type", "image/png")))
        else:
            info, item_id = "", "current"
        await self._iq_set(
            "<iq xmlns='jabber:client'><pubsub xmlns='http://jabber.org/protocol/pubsub'>"
            "<publish node='urn:xmpp:avatar:metadata'><item id='%s'>"
            "<metadata xmlns='urn:xmpp:avatar:metadata'>%s</metadata></item></publish>"
            "</pubsub></iq>" % (item_id, info))
        return {"sha1": sha1}

    def cmd_quit(self, c):
        self.quitting = True
        emit({"event": "done", "cmd": "quit", "seq": c.get("seq")})
        self.disconnect(wait=c.get("wait", 2.0))
        self.loop.call_later(3.0, self.loop.stop)

    def cmd_drop(self, c):
        """Close the TCP connection without </stream:stream> (abrupt loss)."""
        self.quitting = True
        emit({"event": "done", "cmd": "drop", "seq": c.get("seq")})
        self.abort()
        self.loop.call_soon(self.loop.stop)


def stdin_thread(loop, client):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            c = json.loads(line)
        except ValueError as e:
            emit({"event": "error", "kind": "parse", "detail": str(e), "line": line})
            continue
        asyncio.run_coroutine_threadsafe(client.run_command(c), loop)
    # EOF: the controlling test went away; leave cleanly.
    if not getattr(client, "quitting", False):
        asyncio.run_coroutine_threadsafe(client.run_command({"cmd": "quit"}), loop)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jid", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5222)
    ap.add_argument("--resource")
    ap.add_argument("--priority", type=int, default=None)
    ap.add_argument("--no-auto-accept", action="store_true",
                    help="do not accept/return subscription requests automatically")
    ap.add_argument("--no-auto-receipts", action="store_true")
    ap.add_argument("--no-presence", action="store_true", help="no initial presence")
    ap.add_argument("--carbons", action="store_true", help="enable XEP-0280 at login")
    ap.add_argument("--allow-plain", action="store_true",
                    help="allow a server without STARTTLS (and PLAIN without TLS)")
    ap.add_argument("--trace", action="store_true", help="emit every stanza as an xml event")
    ap.add_argument("--debug", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    client = PeerClient(args)
    loop = client.loop
    client.connect((args.host, args.port), force_starttls=not args.allow_plain)
    t = threading.Thread(target=stdin_thread, args=(loop, client), daemon=True)
    t.start()
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass
    emit({"event": "exit"})


if __name__ == "__main__":
    main()

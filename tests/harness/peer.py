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
from slixmpp.xmlstream.matcher import StanzaPath

NS_CHATSTATES = "http://jabber.org/protocol/chatstates"


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

    def cmd_invite(self, c):
        if c.get("direct", True):
            self["xep_0249"].send_invitation(c["to"], c["room"], reason=c.get("reason"))
        else:
            self["xep_0045"].invite(c["room"], c["to"], reason=c.get("reason") or "")

    async def cmd_ping(self, c):
        t0 = time.monotonic()
        await self["xep_0199"].ping(c.get("to") or self.boundjid.host, timeout=c.get("timeout", 10))
        return {"rtt": time.monotonic() - t0}

    async def cmd_carbons(self, c):
        if c.get("enable", True):
            await self["xep_0280"].enable(timeout=10)
        else:
            await self["xep_0280"].disable(timeout=10)

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

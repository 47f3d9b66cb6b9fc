#!/usr/bin/python3
"""A minimal XMPP server on raw sockets, under the test's full control, for
hostile-input tests: it negotiates STARTTLS (self-signed certificate, pinned
by the client), SASL PLAIN (any password) and resource binding, answers the
client's IQs with empty results, and then sends whatever bytes the test
wants: oversized or malformed stanzas, forged pushes, floods.

    srv = HostileServer(domain="flint.test").start()
    ... point the client at srv.host, srv.port, pin srv.cert_sha256 ...
    srv.wait_bound(timeout=20)        # the client is signed in
    srv.send("<message .../>")        # str or bytes, as-is
    srv.received                      # stanzas (ElementTree) from the client
    srv.stop()

One client at a time; each new connection starts over (reconnects work)."""

import base64
import hashlib
import os
import queue
import select
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

NS_STREAM = "http://etherx.jabber.org/streams"
NS_CLIENT = "jabber:client"


class HostileServer:
    def __init__(self, domain="flint.test", host="127.0.0.1", tls=True):
        self.domain = domain
        self.host = host
        # tls=False: no STARTTLS offered, SASL PLAIN on the open stream (a
        # downgrade). auths: the raw <auth/> texts the client sent.
        self.tls = tls
        self.auths = []
        self.port = 0
        self.received = []
        self.bound_jid = None
        self.connections = 0
        self.auto_reply = True
        self._dir = tempfile.mkdtemp(prefix="flint-hostile-")
        self._conn = None
        self._outgoing = queue.Queue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._lock = threading.Lock()
        self._bound = threading.Event()
        self._stop = False
        self._make_cert()

    # ---- setup
    def _make_cert(self):
        self.cert_path = os.path.join(self._dir, "cert.pem")
        self.key_path = os.path.join(self._dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                        "-keyout", self.key_path, "-out", self.cert_path, "-subj",
                        "/CN=" + self.domain, "-addext", "subjectAltName=DNS:" + self.domain],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(self.cert_path) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        self.cert_sha256 = hashlib.sha256(der).hexdigest()

    def start(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((self.host, 0))
        self._listener.listen(4)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()
        return self

    def stop(self):
        self._stop = True
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            if self._conn:
                try:
                    self._conn.close()
                except OSError:
                    pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def jid(self, user):
        return "%s@%s" % (user, self.domain)

    @property
    def c2s_port(self):  # FlintApp.add_account() takes a server like fh.Prosody
        return self.port

    # ---- what tests call
    def wait_bound(self, timeout=20):
        if not self._bound.wait(timeout):
            raise AssertionError("the client never bound a resource")
        return self.bound_jid

    def send(self, data):
        """Queues bytes for the client; the server's own thread writes them
        (an SSL socket must not be read and written from two threads)."""
        if isinstance(data, str):
            data = data.encode()
        if not self.connected():
            raise AssertionError("no client connected")
        self._outgoing.put(data)
        self._wake_w.send(b"!")

    def connected(self):
        with self._lock:
            return self._conn is not None

    def wait_for(self, pred, timeout=10):
        """The first stanza from the client matching pred (an Element test)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            items = list(self.received)
            for el in items[seen:]:
                if pred(el):
                    return el
            seen = len(items)
            time.sleep(0.05)
        raise AssertionError("no matching stanza from the client")

    # ---- the server side of a stream
    def _accept_loop(self):
        while not self._stop:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _read_until(self, sock, parser, want):
        """Feeds bytes to parser until an event of the wanted kind arrives."""
        while True:
            for event, el in parser.read_events():
                if want(event, el):
                    return el
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("client closed")
            parser.feed(data)

    def _open_stream(self, sock, features):
        parser = ET.XMLPullParser(events=("start", "end"))
        self._read_until(sock, parser, lambda ev, el: ev == "start"
                         and el.tag == "{%s}stream" % NS_STREAM)
        sock.sendall(("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                      "xmlns:stream='http://etherx.jabber.org/streams' id='%s' from='%s' "
                      "version='1.0' xml:lang='en'><stream:features>%s</stream:features>"
                      % (os.urandom(6).hex(), self.domain, features)).encode())
        return parser

    def _next_element(self, sock, parser, depth, serving=False):
        """The next complete child of the stream root. While serving, also
        writes what send() queued."""
        while True:
            for event, el in parser.read_events():
                if event == "start":
                    depth[0] += 1
                elif event == "end":
                    depth[0] -= 1
                    if depth[0] == 1:
                        return el
            if serving:
                self._flush(sock)
                if not (isinstance(sock, ssl.SSLSocket) and sock.pending()):
                    ready, _, _ = select.select([sock, self._wake_r], [], [])
                    if self._wake_r in ready:
                        self._wake_r.recv(4096)
                    if sock not in ready:
                        continue
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("client closed")
            parser.feed(data)

    def _flush(self, sock):
        while True:
            try:
                data = self._outgoing.get_nowait()
            except queue.Empty:
                return
            sock.sendall(data)

    def _serve(self, sock):
        try:
            if self.tls:
                parser = self._open_stream(
                    sock,
                    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>")
                depth = [1]
                self._next_element(sock, parser, depth)  # <starttls/>
                sock.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(self.cert_path, self.key_path)
                sock = ctx.wrap_socket(sock, server_side=True)

            parser = self._open_stream(
                sock, "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                "<mechanism>PLAIN</mechanism></mechanisms>")
            depth = [1]
            auth = self._next_element(sock, parser, depth)
            self.auths.append(auth.text or "")
            user = "user"
            try:
                user = base64.b64decode(auth.text or "").split(b"\0")[1].decode()
            except Exception:
                pass
            sock.sendall(b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")

            parser = self._open_stream(
                sock, "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>")
            depth = [1]
            with self._lock:
                self._conn = sock
            while True:
                el = self._next_element(sock, parser, depth, serving=True)
                self.received.append(el)
                self._answer(sock, el, user)
        except (ConnectionError, OSError, ssl.SSLError, ET.ParseError):
            pass
        finally:
            with self._lock:
                if self._conn is sock:
                    self._conn = None
            try:
                sock.close()
            except OSError:
                pass

    def _answer(self, sock, el, user):
        tag = el.tag.split("}")[-1]
        if tag != "iq" or el.get("type") not in ("get", "set"):
            return
        iq_id = el.get("id", "")
        bind = el.find("{urn:ietf:params:xml:ns:xmpp-bind}bind")
        if bind is not None:
            res = bind.findtext("{urn:ietf:params:xml:ns:xmpp-bind}resource") or "res"
            self.bound_jid = "%s@%s/%s" % (user, self.domain, res)
            sock.sendall(("<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:"
                          "xmpp-bind'><jid>%s</jid></bind></iq>"
                          % (iq_id, self.bound_jid)).encode())
            self._bound.set()
            return
        if not self.auto_reply:
            return
        to = el.get("to")
        if el.find("{jabber:iq:roster}query") is not None:
            body = "<query xmlns='jabber:iq:roster'/>"
        else:
            body = ""
        sock.sendall(("<iq type='result' id='%s'%s>%s</iq>"
                      % (iq_id, " from='%s'" % to if to else "", body)).encode())

#!/usr/bin/python3
"""Flint next to the packaged Dino and Gajim (issue 9), measured side by side
in one run against one local Prosody:
- exec to online: from exec until a peer subscribed to the account (Bob)
  receives the client's available presence from the server;
- RSS of the client's process with a 2,000-contact roster, every contact
  online (presence_component.py), once the process has gone idle;
- CPU-seconds (utime + stime from /proc/PID/stat) of the client's process
  for 2,000 incoming chat messages from Bob with his conversation open: from
  just before the first is sent until all of them are in the client's own
  message store and the process has gone idle again.
Each client gets its own account (so no client sees another's archive), its
own Desktop (Xvfb, HOME/XDG dirs, private D-Bus session bus, keyring) and
trusts the server's self-signed certificate without a dialog:
- Flint: the certificate pinned with --add-account --trust-cert-sha256;
- Dino 0.4: no pinning and no host/port setting: the server's domain is
  "localhost" and Prosody also listens on 127.0.0.1:5222 (Dino's fallback
  after its SRV lookups), and Dino runs in its own mount namespace where the
  system CA bundle is replaced by the server's certificate (GnuTLS reads
  /etc/ssl/certs/ca-certificates.crt);
- Gajim 1.7: the certificate in its own trust store (cert_store), the
  account written into settings.sqlite with a custom host and port.
Dino and Gajim are installed with apt-get when missing and this runs as
root; otherwise their columns say why they were not measured."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (big_roster, component_config, cpu_s, disable_cursor_blink,  # noqa: E402
                      machine, read_probes, rss_mb, start_presence_component, wait_idle)
import flint_harness as fh  # noqa: E402
from flint_app import FlintApp  # noqa: E402

CONTACTS = int(os.environ.get("FLINT_BENCH_CONTACTS", "2000"))
FLOOD = int(os.environ.get("FLINT_BENCH_FLOOD", "2000"))
DOMAIN = "localhost"
BOTS = "bots.localhost"
PASSWORD = "bench-pw"
DINO_PORT = 5222
FLOOD_TIMEOUT = int(os.environ.get("FLINT_BENCH_FLOOD_TIMEOUT", "240"))
ONLINE_TIMEOUT = int(os.environ.get("FLINT_BENCH_ONLINE_TIMEOUT", "120"))


class Skip(Exception):
    """A figure that cannot be measured, with the reason for the table."""


def package_version(name):
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", name],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else None


def ensure_rivals():
    """Installs dino-im and gajim when missing (root only); returns a reason
    per missing package."""
    missing = [p for p in ("dino-im", "gajim") if not package_version(p)]
    if missing and os.geteuid() == 0:
        print("installing %s for the bench..." % " ".join(missing), file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y"] + missing,
                       stdout=sys.stderr, stderr=sys.stderr, env=env)
    return {p: "not installed (run the bench as root to install it, or "
               "`apt-get install %s`)" % p
            for p in ("dino-im", "gajim") if not package_version(p)}


def sql_count(path, sql):
    """One number from a client's SQLite store, or 0 while it does not exist.
    Read-write open: a read-only reader cannot join a WAL database whose
    -shm it may not create."""
    if not os.path.exists(path):
        return 0
    db = sqlite3.connect(path, timeout=5)
    try:
        return db.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        db.close()


class Client:
    name = "?"
    user = "?"

    def __init__(self, desktop, prosody):
        self.desktop = desktop
        self.prosody = prosody
        self.proc = None
        self.log = os.path.join(desktop.basedir, "%s.log" % self.user)

    @property
    def jid(self):
        return self.prosody.jid(self.user)

    def spawn(self, argv, env=None):
        with open(self.log, "ab") as log:
            self.proc = self.desktop.spawn(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        return self.proc

    def log_tail(self, n=1500):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Flint(Client):
    name = "Flint"
    user = "aliceflint"

    def version(self):
        r = subprocess.run(["git", "-C", fh.source_root(), "rev-parse", "--short", "HEAD"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return r.stdout.strip() or "?"

    def setup(self):
        self.app = FlintApp(self.desktop)
        self.app.add_account(self.prosody, self.user, PASSWORD)

    def start(self):
        self.proc = self.app.start()
        self.log = self.proc.log_path
        return self.proc

    def open_chat(self, jid):
        self.desktop.run(["gdbus", "call", "--session", "--dest", "im.flint.Flint",
                          "--object-path", "/im/flint/Flint", "--method",
                          "org.gtk.Actions.Activate", "open-chat", "[<'%s'>]" % jid, "{}"],
                         timeout=10)

    def stored(self):
        return sql_count(self.app.history_path,
                         "SELECT count(*) FROM messages WHERE body LIKE 'flood %'")

    def stop(self):
        self.app.stop()


class Dino(Client):
    name = "Dino"
    user = "alicedino"

    def version(self):
        return package_version("dino-im")

    @property
    def db_path(self):
        return os.path.join(self.desktop.env["XDG_DATA_HOME"], "dino", "dino.db")

    def setup(self):
        if os.geteuid() != 0:
            raise Skip("needs root: Dino 0.4 cannot pin a certificate, so the bench "
                       "trusts the server's in a private mount namespace (unshare -m)")
        if not self.prosody.dino_port:
            raise Skip("127.0.0.1:%d was taken: Dino 0.4 has no host or port setting and "
                       "connects to DOMAIN:5222 after its SRV lookups" % DINO_PORT)
        # A first start creates Dino's database; then the account goes in.
        self.spawn(["dino-im"])
        deadline = time.monotonic() + 60
        while sql_count(self.db_path, "SELECT count(*) FROM _meta WHERE name = 'version'") < 1:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise Skip("its first start did not create %s: %s"
                           % (self.db_path, self.log_tail(300)))
            time.sleep(0.2)
        time.sleep(1)
        self.stop()
        db = sqlite3.connect(self.db_path, timeout=5)
        with db:
            # The password is stored in plain text by Dino itself: a throwaway
            # bench account only.
            db.execute("INSERT INTO account (bare_jid, resourcepart, password, enabled) "
                       "VALUES (?, 'dino', ?, 1)", (self.jid, PASSWORD))
        db.close()
        self.ca = os.path.join(self.desktop.basedir, "server-ca.pem")
        shutil.copy(self.prosody.cert_path, self.ca)

    def start(self):
        # The system CA bundle replaced by the server's certificate, for this
        # process tree only (a private mount namespace); exec keeps the pid.
        return self.spawn(["unshare", "--mount", "--", "sh", "-c",
                           'mount --bind "$0" /etc/ssl/certs/ca-certificates.crt && exec dino-im',
                           self.ca])

    def open_chat(self, jid):
        # A second instance hands the URI to the running one over D-Bus.
        self.desktop.run(["dino-im", "xmpp:%s?message" % jid], timeout=20)
        # Its window title stays "Dino": the screenshots show the conversation.

    def stored(self):
        return sql_count(self.db_path, "SELECT count(*) FROM message WHERE body LIKE 'flood %'")


class Gajim(Client):
    name = "Gajim"
    user = "alicegajim"
    account = "bench"

    def version(self):
        return package_version("gajim")

    def setup(self):
        config = os.path.join(self.desktop.env["XDG_CONFIG_HOME"], "gajim")
        data = os.path.join(self.desktop.env["XDG_DATA_HOME"], "gajim")
        os.makedirs(config, exist_ok=True)
        os.makedirs(os.path.join(data, "cert_store"), exist_ok=True)
        # Gajim's own trust store: certificates there are accepted without asking.
        shutil.copy(self.prosody.cert_path, os.path.join(data, "cert_store", "bench-server"))
        # Its settings database, made with its own schema (from the installed
        # package, so its version matches).
        r = subprocess.run(["/usr/bin/python3", "-c",
                            "import sys; from gajim.common.settings import CREATE_SQL; "
                            "sys.stdout.write(CREATE_SQL)"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        if r.returncode != 0:
            raise Skip("could not read Gajim's settings schema: " + r.stderr[-300:])
        db = sqlite3.connect(os.path.join(config, "settings.sqlite"))
        with db:
            db.executescript(r.stdout)
            # No keyring (the password is in the settings, plain text: a
            # throwaway account), no update check, no first-run hints.
            db.execute("UPDATE settings SET settings = ? WHERE name = 'app'",
                       (json.dumps({"use_keyring": False, "check_for_update": False,
                                    "show_help_start_chat": False}),))
            db.execute("INSERT INTO account_settings (account, settings) VALUES (?, ?)",
                       (self.account, json.dumps({
                           "account": {"name": self.user, "hostname": DOMAIN,
                                       "password": PASSWORD, "savepass": True,
                                       "resource": "gajim", "active": True,
                                       "autoconnect": True, "use_custom_host": True,
                                       "custom_host": self.prosody.host,
                                       "custom_port": self.prosody.c2s_port,
                                       "custom_type": "START TLS"},
                           "contact": {}, "group_chat": {}})))
        db.close()
        self.logs_db = os.path.join(data, "logs.db")

    def start(self):
        if os.geteuid() != 0:
            return self.spawn(["gajim"])
        # Gajim refuses to start as root (its main() checks the effective
        # uid first thing); nothing else in it or nbxmpp looks at the uid, so
        # the bench enters the same main() with only that answer changed.
        return self.spawn(["/usr/bin/python3", "-c",
                           "import os, sys; os.geteuid = lambda: 65534; "
                           "sys.argv[0] = 'gajim'; "
                           "from gajim.gajim import main; sys.exit(main())"])

    def open_chat(self, jid):
        # Gajim's open-chat action selects an existing chat, but for a contact
        # without one it opens the Start Chat dialog with the contact found
        # and selected: Return there opens the chat, as a user would.
        def activate():
            self.desktop.run(["gdbus", "call", "--session", "--dest", "org.gajim.Gajim",
                              "--object-path", "/org/gajim/Gajim", "--method",
                              "org.gtk.Actions.Activate", "open-chat",
                              "[<['%s', '%s']>]" % (self.account, jid), "{}"], timeout=20)
        activate()
        wait_idle(self.proc.pid, quiet_s=1.0, timeout=30)
        before = self.desktop.windows()
        self.desktop.run(["xdotool", "key", "Return"], timeout=20)
        wait_idle(self.proc.pid, quiet_s=1.0, timeout=30)
        after = [w[1] for w in self.desktop.windows()]
        if any("Start" in name for name in after):
            raise Skip("its Start Chat dialog did not open the chat (windows: %r, before "
                       "Return: %r)" % (after, [w[1] for w in before]))

    def stored(self):
        return sql_count(self.logs_db, "SELECT count(*) FROM logs WHERE message LIKE 'flood %'")


def measure(client, bob, probe_log, figures):
    """Fills figures (a dict) for one client; raises Skip or another error to
    say why the rest could not be measured."""
    client.setup()
    disable_cursor_blink(client.desktop)
    t0 = time.monotonic()
    proc = client.start()

    def online(ev):
        return (ev.get("event") == "presence" and ev.get("type") == "available"
                and ev.get("from", "").split("/")[0] == client.jid)
    try:
        ev = bob.wait_for(online, timeout=ONLINE_TIMEOUT)
    except fh.PeerTimeout:
        print("%s not online; Bob's events: %r\nclient log: %s\nserver log: %s"
              % (client.name, bob.events[-5:], client.log_tail(3000),
                 client.prosody.log_text()[-3000:]), file=sys.stderr)
        raise Skip("not online within %d s (exit status %s): %s"
                   % (ONLINE_TIMEOUT, proc.poll(), client.log_tail(600)))
    figures["online"] = "%.2f s" % (ev["_t"] - t0)

    deadline = time.monotonic() + 120
    while len([p for p in read_probes(probe_log, t0) if p > 0]) < CONTACTS:
        if time.monotonic() > deadline:
            raise Skip("the server probed only %d of %d contacts in 120 s"
                       % (len([p for p in read_probes(probe_log, t0) if p > 0]), CONTACTS))
        time.sleep(0.2)
    settled = wait_idle(proc.pid, quiet_s=3.0, timeout=180)
    if settled is None:
        raise Skip("did not go idle within 180 s of the last presence (%s)"
                   % ("exited" if proc.poll() is not None else "still busy"))
    figures["rss"] = "%.1f MB" % rss_mb(proc.pid)
    figures["login_cpu"] = "%.2f s" % cpu_s(proc.pid)
    figures["settle"] = "%.1f s" % (time.monotonic() - t0)

    client.open_chat(bob.full_jid.split("/")[0])
    time.sleep(1.0)
    if wait_idle(proc.pid, quiet_s=2.0, timeout=60) is None:
        raise Skip("did not go idle after opening the conversation")
    shot = client.desktop.screenshot("rivals-%s-chat.png" % client.name.lower())
    figures["shots"] = [shot]

    cpu0 = cpu_s(proc.pid)
    t1 = time.monotonic()
    for i in range(FLOOD):
        bob.command("send", wait=(i % 250 == 249 or i == FLOOD - 1), timeout=60,
                    to=client.jid, body="flood message %d" % i, id="flood-%d" % i, type="chat")
    sent = time.monotonic() - t1
    deadline = time.monotonic() + FLOOD_TIMEOUT
    stored = client.stored()
    while stored < FLOOD and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.25)
        stored = client.stored()
    all_stored = time.monotonic() - t1
    if stored < FLOOD:
        raise Skip("only %d of %d messages in its store %.0f s after the first was sent "
                   "(%.1f CPU-s so far)" % (stored, FLOOD, all_stored, cpu_s(proc.pid) - cpu0))
    if wait_idle(proc.pid, quiet_s=2.0, timeout=FLOOD_TIMEOUT) is None:
        raise Skip("all %d messages stored after %.1f s, but still busy %.0f s after the "
                   "first was sent (%.1f CPU-s so far)"
                   % (FLOOD, all_stored, time.monotonic() - t1, cpu_s(proc.pid) - cpu0))
    cpu = cpu_s(proc.pid) - cpu0
    figures["flood"] = "%.2f CPU-s" % cpu
    figures["flood_detail"] = ("sent in %.1f s; all %d in its store %.1f s and idle "
                               "%.1f s after the first was sent"
                               % (sent, stored, all_stored, time.monotonic() - t1))
    figures["rss_after"] = "%.1f MB" % rss_mb(proc.pid)
    figures["shots"].append(client.desktop.screenshot("rivals-%s-flood.png" % client.name.lower()))


def main():
    os.nice(10)  # the machine is shared; CPU-seconds do not depend on priority
    started = time.monotonic()
    nproc, model, load_before = machine()
    renderer = os.environ.get("GSK_RENDERER", "") or "default (GL)"
    missing = ensure_rivals()
    component_port = fh.free_port()
    dino_port_free = not fh.port_open(DINO_PORT)
    extra = component_config(BOTS, component_port)
    # Dino's only way in (see above); the harness port stays for the others.
    prosody = fh.Prosody(domain=DOMAIN, muc=False, upload=False, proxy65=False,
                         log_level=os.environ.get("FLINT_BENCH_PROSODY_LOG", "info"),
                         extra_global=extra)
    if dino_port_free:
        with open(prosody.config_path) as f:
            text = f.read()
        text = text.replace("c2s_ports = { %d }" % prosody.c2s_port,
                            "c2s_ports = { %d, %d }" % (prosody.c2s_port, DINO_PORT))
        with open(prosody.config_path, "w") as f:
            f.write(text)
    prosody.dino_port = DINO_PORT if dino_port_free else None
    kinds = [("Flint", Flint, None), ("Dino", Dino, missing.get("dino-im")),
             ("Gajim", Gajim, missing.get("gajim"))]
    # FLINT_BENCH_CLIENTS=flint,gajim measures only those.
    only = os.environ.get("FLINT_BENCH_CLIENTS")
    if only:
        kinds = [k for k in kinds if k[0].lower() in only.lower().split(",")]
    results = []
    with prosody:
        component, probe_log = start_presence_component(prosody, BOTS, component_port)
        prosody.register("bob", "bob-pw")
        for _, cls, _ in kinds:
            prosody.register(cls.user, PASSWORD)
            prosody.write_roster(cls.user, big_roster(BOTS, CONTACTS)
                                 + [(prosody.jid("bob"), "Bob", ["Team"], "both")])
        prosody.write_roster("bob", [(prosody.jid(cls.user), cls.name, [], "both")
                                     for _, cls, _ in kinds])
        bob = fh.Peer.start(prosody, "bob", "bob-pw", resource="watch")
        for name, cls, why_not in kinds:
            figures = {}
            version = None
            if why_not:
                figures["error"] = why_not
            else:
                print("measuring %s..." % name, file=sys.stderr)
                with fh.Desktop() as desktop:
                    client = cls(desktop, prosody)
                    version = client.version()
                    try:
                        measure(client, bob, probe_log, figures)
                    except Skip as e:
                        figures["error"] = str(e)
                    except Exception as e:  # noqa: BLE001 - the table says what failed
                        figures["error"] = "%s: %s" % (type(e).__name__, e)
                    finally:
                        try:
                            client.stop()
                        except Exception as e:  # noqa: BLE001
                            figures.setdefault("error", "stopping it failed: %s" % e)
            results.append((name, version, figures))
        bob.quit()
        component.terminate()
        component.wait()

    load_after = machine()[2]
    print("Side by side against one local Prosody %s (c2s STARTTLS, self-signed "
          "certificate trusted by each client without a dialog), each client in its own "
          "Xvfb desktop, HOME/XDG dirs and D-Bus session bus; %d-contact roster, all "
          "online; %d-message flood from one contact into an open conversation. "
          "Machine: %d CPUs, %s; GSK_RENDERER %s for the GTK 4 clients (Flint, Dino; "
          "Gajim 1.7 is GTK 3); cursor blinking off; run under nice 10; load average "
          "before %s, after %s; %.0f s in all." % (
              package_version("prosody") or "?", CONTACTS, FLOOD, nproc, model, renderer,
              load_before, load_after, time.monotonic() - started))
    print()
    head = ["%s %s" % (n, v or "") for n, v, _ in results]
    print("| | " + " | ".join(h.strip() for h in head) + " |")
    print("|---|" + "---|" * len(results))
    rows = [("exec to online (Bob sees the presence)", "online"),
            ("RSS, %d contacts online, idle" % CONTACTS, "rss"),
            ("CPU from exec to idle after login", "login_cpu"),
            ("exec to idle after login (3 s quiet included)", "settle"),
            ("CPU for %d incoming messages" % FLOOD, "flood"),
            ("RSS after the flood", "rss_after")]
    for label, key in rows:
        cells = []
        for _, _, f in results:
            if key in f:
                cells.append(f[key])
            elif "error" in f:
                cells.append("not measured: see below")
            else:
                cells.append("-")
        print("| %s | %s |" % (label, " | ".join(cells)))
    print()
    failed = False
    for name, _, f in results:
        if "flood_detail" in f:
            print("- %s flood: %s." % (name, f["flood_detail"]))
        if "error" in f:
            print("- %s: %s" % (name, " ".join(f["error"].split())))
            failed = failed or name == "Flint"
        for shot in f.get("shots", []):
            print("- %s screenshot: %s" % (name, shot), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

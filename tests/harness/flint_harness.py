#!/usr/bin/python3
"""Real-server test harness for Flint.

Stdlib only (the peer subprocess, peer.py, uses slixmpp).  Run with
/usr/bin/python3 (the first python3 on PATH may lack slixmpp).

Pieces:
  free_port()            a free loopback TCP port
  Prosody                a throwaway Prosody server (own config, data, cert, ports)
  Peer                   a slixmpp client in a subprocess (peer.py), driven by JSON lines
  Desktop                Xvfb + private D-Bus session + unlocked gnome-keyring + isolated env
  TcpProxy               a loopback TCP relay that can cut, stall, refuse and throttle
  flint_binary(), artifact_dir(), source_root(), build_root()

Everything started here is registered for cleanup at interpreter exit (and on
SIGTERM/SIGINT/SIGHUP, which meson sends on timeout), so no Prosody, peer, Xvfb,
dbus-daemon or keyring daemon outlives a failing test.

Command-line interface (for C tests): see main() or README.md.
"""

import atexit
import errno
import hashlib
import json
import os
import pwd
import queue
import shutil
import signal
import socket
import sqlite3
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
HERE = os.path.dirname(os.path.abspath(__file__))
PEER_SCRIPT = os.path.join(HERE, "peer.py")
STATE_FILE = "harness-state.json"

# --------------------------------------------------------------------------
# Cleanup registry
# --------------------------------------------------------------------------

_cleanups = []          # objects with a _cleanup() method, newest last
_scratch_tmp = None     # see scratch_dir()
_cleanup_lock = threading.RLock()


def _register(obj):
    with _cleanup_lock:
        _cleanups.append(obj)


def _unregister(obj):
    with _cleanup_lock:
        try:
            _cleanups.remove(obj)
        except ValueError:
            pass


def cleanup_all():
    """Stop everything the harness started in this process (newest first)."""
    with _cleanup_lock:
        objs = list(reversed(_cleanups))
    for obj in objs:
        try:
            obj._cleanup()
        except Exception as e:  # never let one failure block the rest
            sys.stderr.write("harness cleanup of %r failed: %s\n" % (obj, e))
        _unregister(obj)
    if _scratch_tmp is not None:
        shutil.rmtree(_scratch_tmp, ignore_errors=True)


atexit.register(cleanup_all)


def _on_signal(signum, frame):
    cleanup_all()
    # Re-raise with the default action so the exit status says "killed by signal".
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_signal_handlers():
    if threading.current_thread() is not threading.main_thread():
        return
    for s in (signal.SIGTERM, signal.SIGHUP):
        try:
            if signal.getsignal(s) in (signal.SIG_DFL, None):
                signal.signal(s, _on_signal)
        except (ValueError, OSError):
            pass


_install_signal_handlers()


def _kill_group(proc_or_pid, sig=signal.SIGKILL):
    """Send sig to the process group led by pid (we start children with
    start_new_session=True so pid == pgid), falling back to the pid."""
    pid = proc_or_pid.pid if hasattr(proc_or_pid, "pid") else proc_or_pid
    if not pid:
        return
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _terminate(proc, timeout=5.0):
    """SIGTERM the process group of a Popen, wait, then SIGKILL."""
    if proc is None:
        return
    if proc.poll() is None:
        _kill_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    _kill_group(proc, signal.SIGKILL)  # also reaps stragglers in the group
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass


# --------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------

def source_root():
    return os.environ.get("FLINT_SOURCE_ROOT") or os.path.normpath(os.path.join(HERE, "..", ".."))


def build_root():
    return os.environ.get("FLINT_BUILD_ROOT") or os.path.join(source_root(), "build")


def flint_binary():
    """Path of the flint executable: $FLINT_BINARY, else BUILD/src/flint."""
    return os.environ.get("FLINT_BINARY") or os.path.join(build_root(), "src", "flint")


_artifact_tmp = None


def scratch_dir():
    """A per-process temp dir for harness logs (peer stderr); removed at exit."""
    global _scratch_tmp
    if _scratch_tmp is None:
        _scratch_tmp = tempfile.mkdtemp(prefix="flint-harness-")
    return _scratch_tmp


def artifact_dir(sub=None):
    """Directory for screenshots/logs a test wants to keep.

    FLINT_BUILD_ROOT/meson-logs/ui-screenshots when FLINT_BUILD_ROOT is set,
    else one temp dir per process (kept, so it can be looked at after a failure).
    """
    global _artifact_tmp
    if os.environ.get("FLINT_BUILD_ROOT"):
        d = os.path.join(os.environ["FLINT_BUILD_ROOT"], "meson-logs", "ui-screenshots")
    else:
        if _artifact_tmp is None:
            _artifact_tmp = tempfile.mkdtemp(prefix="flint-artifacts-")
        d = _artifact_tmp
    if sub:
        d = os.path.join(d, sub)
    os.makedirs(d, exist_ok=True)
    return d


# --------------------------------------------------------------------------
# Ports
# --------------------------------------------------------------------------

_handed_out = set()
_port_lock = threading.Lock()


def free_port(host=HOST):
    """A currently free TCP port on loopback, chosen by the kernel (never a
    fixed well-known port) and never handed out twice by this process."""
    with _port_lock:
        for _ in range(50):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind((host, 0))
                port = s.getsockname()[1]
            finally:
                s.close()
            if port not in _handed_out:
                _handed_out.add(port)
                return port
    raise RuntimeError("no free port found")


def port_open(port, host=HOST, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_port(port, host=HOST, timeout=20.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port, host):
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------
# Prosody
# --------------------------------------------------------------------------

def _am_root():
    return os.geteuid() == 0


def _prosody_ids():
    try:
        pw = pwd.getpwnam("prosody")
        return pw.pw_uid, pw.pw_gid
    except KeyError:
        return None


def _chown_tree(path):
    ids = _prosody_ids()
    if not (_am_root() and ids):
        return
    uid, gid = ids
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for n in dirs + files:
            try:
                os.lchown(os.path.join(root, n), uid, gid)
            except FileNotFoundError:
                pass


_HAVE_SETPRIV = shutil.which("setpriv") is not None


def _wrap(argv, as_prosody=False, die_with_parent=True):
    """Prefix argv with setpriv so the child gets SIGKILL when the process (in
    fact: the thread) that started it dies, even by SIGKILL, and optionally
    runs as the prosody user.  Falls back to plain argv without setpriv."""
    pre = []
    if _HAVE_SETPRIV:
        if die_with_parent:
            pre += ["--pdeathsig", "KILL"]
        if as_prosody and _am_root() and _prosody_ids():
            uid, gid = _prosody_ids()
            pre += ["--reuid", str(uid), "--regid", str(gid), "--clear-groups"]
    return (["setpriv"] + pre + ["--"] + list(argv)) if pre else list(argv)


def _as_prosody_kwargs():
    """Popen kwargs to run a command as the prosody user when we are root
    (Prosody refuses to run as root)."""
    if _am_root() and _prosody_ids():
        uid, gid = _prosody_ids()
        return dict(user=uid, group=gid, extra_groups=[])
    return {}


def _pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False


def _pid_is_prosody(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return b"prosody" in f.read()
    except OSError:
        return False


SQL_STORAGE_MISSING = ("Prosody's SQL storage needs the Lua DBI SQLite driver: "
                       "apt-get install lua-dbi-sqlite3")


def sql_storage_available():
    """Whether mod_storage_sql can reach SQLite (Debian: lua-dbi-sqlite3)."""
    import glob
    return bool(glob.glob("/usr/lib/*/lua/5.*/dbd/sqlite3.so")
                or glob.glob("/usr/local/lib/lua/5.*/dbd/sqlite3.so"))


class Prosody:
    """A throwaway Prosody 0.12 server in `workdir`.

    Prosody(workdir=None, domain="flint.test", muc=True, tls=True, smacks=True,
            upload=True, proxy65=True, log_level="debug", extra_global="",
            extra_modules=(), muc_room_locking=False)

    tls=False builds a plaintext-only server (no mod_tls, no STARTTLS offered,
    c2s_require_encryption=false, PLAIN allowed) to test downgrade refusal.
    smacks=False leaves out mod_smacks (XEP-0198).
    storage="sql" keeps everything (accounts, rosters, archives) in an SQLite
    database through mod_storage_sql, as a real deployment would; it needs
    Debian's lua-dbi-sqlite3 (sql_storage_available() says whether it is
    there). The default "internal" keeps Prosody's flat files, which reread a
    whole archive for each MAM query. write_roster() needs "internal".
    sql_database: the SQLite file (default data_dir/prosody.sqlite); it is
    made in WAL mode first, as an admin would (Prosody 0.12 keeps SQLite's
    rollback journal otherwise: several fsyncs per stored message).

    Attributes: domain, host, c2s_port, http_port, proxy_port, cert_sha256,
    cert_path, key_path, config_path, data_dir, log_path, workdir, pid.
    """

    def __init__(self, workdir=None, domain="flint.test", muc=True, tls=True,
                 smacks=True, upload=True, proxy65=True, log_level="debug",
                 extra_global="", extra_modules=(), muc_room_locking=False,
                 bookmarks=True, storage="internal", sql_database=None,
                 max_lifetime=None, _load=False):
        self._tmp_owned = workdir is None
        if workdir is None:
            workdir = tempfile.mkdtemp(prefix="flint-prosody-")
        self.workdir = os.path.abspath(workdir)
        self.host = HOST
        self.proc = None
        self.pid = None
        self._detached = False
        if _load:
            return
        self.domain = domain
        self.muc = muc
        self.tls = tls
        self.smacks = smacks
        self.upload = upload
        self.proxy65 = proxy65
        self.log_level = log_level
        self.extra_global = extra_global
        self.extra_modules = list(extra_modules)
        # False: no mod_bookmarks, so XEP-0048 in private storage is all there is
        # (what older servers offer).
        self.bookmarks = bookmarks
        if storage not in ("internal", "sql"):
            raise ValueError("storage must be \"internal\" or \"sql\"")
        if storage == "sql" and not sql_storage_available():
            raise RuntimeError(SQL_STORAGE_MISSING)
        self.storage = storage
        self.sql_database = sql_database
        self.muc_room_locking = muc_room_locking
        self.max_lifetime = max_lifetime
        self.c2s_port = free_port()
        self.http_port = free_port() if upload else None
        self.proxy_port = free_port() if proxy65 else None
        self._setup()
        _register(self)

    # ---- paths
    @property
    def config_path(self):
        return os.path.join(self.workdir, "prosody.cfg.lua")

    @property
    def data_dir(self):
        return os.path.join(self.workdir, "data")

    @property
    def sql_path(self):
        return getattr(self, "sql_database", None) or os.path.join(self.data_dir,
                                                                     "prosody.sqlite")

    @property
    def log_path(self):
        return os.path.join(self.workdir, "prosody.log")

    @property
    def out_path(self):
        return os.path.join(self.workdir, "prosody.out")

    @property
    def pid_path(self):
        return os.path.join(self.workdir, "prosody.pid")

    @property
    def cert_path(self):
        return os.path.join(self.workdir, "cert.pem")

    @property
    def key_path(self):
        return os.path.join(self.workdir, "key.pem")

    def jid(self, user, resource=None):
        j = "%s@%s" % (user, self.domain)
        return j + "/" + resource if resource else j

    @property
    def muc_domain(self):
        return "conference." + self.domain

    # ---- setup
    def _setup(self):
        os.makedirs(self.data_dir, exist_ok=True)
        os.makedirs(os.path.join(self.workdir, "certs"), exist_ok=True)
        os.chmod(self.workdir, 0o755)
        self._make_cert()
        with open(self.config_path, "w") as f:
            f.write(self._config_text())
        if self.storage == "sql" and not os.path.exists(self.sql_path):
            db = sqlite3.connect(self.sql_path)
            db.execute("PRAGMA journal_mode = WAL")
            db.close()
            ids = _prosody_ids()
            if _am_root() and ids:
                os.chown(self.sql_path, *ids)
        self._save_state()
        _chown_tree(self.workdir)

    def _make_cert(self):
        d = self.domain
        san = ",".join("DNS:" + h for h in (d, "conference." + d, "proxy." + d, "upload." + d))
        cmd = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650",
               "-keyout", self.key_path, "-out", self.cert_path,
               "-subj", "/CN=" + d, "-addext", "subjectAltName=" + san]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("openssl failed: " + r.stdout.decode(errors="replace"))
        with open(self.cert_path) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        self.cert_sha256 = hashlib.sha256(der).hexdigest()
        os.chmod(self.key_path, 0o600)

    def _config_text(self):
        mods = ["roster", "saslauth", "disco", "carbons", "mam", "bookmarks", "pep",
                "private", "vcard4", "vcard_legacy", "blocklist", "offline", "ping",
                "version", "presence", "posix"]
        if not getattr(self, "bookmarks", True):
            mods.remove("bookmarks")
        if self.tls:
            mods.insert(2, "tls")
        if self.smacks:
            mods.append("smacks")
        if self.upload:
            mods.append("http")
        mods += self.extra_modules
        q = lambda s: '"%s"' % s
        lines = [
            "-- generated by tests/harness/flint_harness.py",
            'pidfile = %s' % q(self.pid_path),
            'data_path = %s' % q(self.data_dir),
            'certificates = %s' % q(os.path.join(self.workdir, "certs")),
            'interfaces = { "127.0.0.1" }',
            'local_interfaces = { "127.0.0.1" }',
            'c2s_ports = { %d }' % self.c2s_port,
            'c2s_direct_tls_ports = { }',
            's2s_ports = { }',
            's2s_direct_tls_ports = { }',
            'component_ports = { }',
            'https_ports = { }',
            'modules_enabled = { %s }' % ", ".join(q(m) for m in mods),
            'modules_disabled = { "s2s", "dialback" }',
            'authentication = "internal_hashed"',
            'storage = %s' % q(getattr(self, "storage", "internal")),
            'allow_registration = false',
            'ssl = { key = %s; certificate = %s; }' % (q(self.key_path), q(self.cert_path)),
            'log = { { levels = { min = %s }, to = "file", filename = %s } }'
            % (q(self.log_level), q(self.log_path)),
            'archive_expires_after = "never"',
            'default_archive_policy = true',
            'limits = { c2s = { rate = "10mb/s"; }; }',
        ]
        if getattr(self, "storage", "internal") == "sql":
            # Relative to data_path.
            lines.append('sql = { driver = "SQLite3"; database = %s; }'
                         % q(self.sql_path))
        if self.tls:
            lines.append('c2s_require_encryption = true')
        else:
            lines += ['c2s_require_encryption = false',
                      'allow_unencrypted_plain_auth = true']
        if self.upload:
            lines += ['http_ports = { %d }' % self.http_port,
                      'http_interfaces = { "127.0.0.1" }',
                      'http_default_host = "upload.%s"' % self.domain,
                      'http_external_url = "http://127.0.0.1:%d/"' % self.http_port]
        if self.proxy65:
            lines += ['proxy65_ports = { %d }' % self.proxy_port,
                      'proxy65_interfaces = { "127.0.0.1" }']
        if self.extra_global:
            lines.append(self.extra_global)
        lines += ['', 'VirtualHost %s' % q(self.domain)]
        if self.muc:
            lines += ['', 'Component %s "muc"' % q("conference." + self.domain),
                      '    modules_enabled = { "muc_mam" }',
                      '    muc_room_locking = %s' % ("true" if self.muc_room_locking else "false"),
                      '    muc_room_default_public = true',
                      '    muc_room_default_persistent = true']
        if self.proxy65:
            lines += ['', 'Component %s "proxy65"' % q("proxy." + self.domain),
                      '    proxy65_address = "127.0.0.1"']
        if self.upload:
            lines += ['', 'Component %s "http_file_share"' % q("upload." + self.domain),
                      '    http_file_share_size_limit = 16*1024*1024']
        return "\n".join(lines) + "\n"

    # ---- state file (lets the CLI find a server started by another process)
    def info(self):
        return {"domain": self.domain, "host": self.host, "c2s_port": self.c2s_port,
                "http_port": self.http_port, "proxy_port": self.proxy_port,
                "cert_sha256": self.cert_sha256, "pid": self.pid,
                "workdir": self.workdir}

    def _save_state(self):
        st = self.info()
        st.update(tls=self.tls, smacks=self.smacks, muc=self.muc, upload=self.upload,
                  proxy65=self.proxy65, max_lifetime=self.max_lifetime,
                  storage=self.storage, sql_database=self.sql_database)
        path = os.path.join(self.workdir, STATE_FILE)
        with open(path + ".tmp", "w") as f:
            json.dump(st, f)
        os.replace(path + ".tmp", path)

    @classmethod
    def load(cls, workdir):
        """Attach to a server set up (and maybe started) by another process."""
        self = cls(workdir, _load=True)
        with open(os.path.join(self.workdir, STATE_FILE)) as f:
            st = json.load(f)
        for k in ("domain", "c2s_port", "http_port", "proxy_port", "cert_sha256", "pid",
                  "tls", "smacks", "muc", "upload", "proxy65", "max_lifetime",
                  "storage", "sql_database"):
            setattr(self, k, st.get(k))
        self._detached = True   # do not stop it at our exit unless asked
        return self

    # ---- lifecycle
    def start(self, timeout=20.0):
        if self.running():
            return self
        # A stale pidfile makes prosody refuse to start.
        try:
            os.unlink(self.pid_path)
        except FileNotFoundError:
            pass
        t0 = time.monotonic()
        out = open(self.out_path, "ab")
        argv = ["prosody", "-F", "--config", self.config_path]
        if _HAVE_SETPRIV:
            argv, kw = _wrap(argv, as_prosody=True, die_with_parent=not self._detached), {}
        else:
            kw = _as_prosody_kwargs()
        if self.max_lifetime:
            # Safety net for servers left running by the CLI: SIGTERM after
            # max_lifetime seconds, SIGKILL 5 s later.  `timeout` forwards SIGTERM.
            argv = ["timeout", "-k", "5", str(int(self.max_lifetime))] + argv
        self.proc = subprocess.Popen(
            argv, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True, env=self._env(), **kw)
        out.close()
        self.pid = self.proc.pid
        ports = [self.c2s_port] + [p for p in (self.http_port, self.proxy_port) if p]
        ok = all(wait_port(p, timeout=max(0.1, timeout - (time.monotonic() - t0)),
                           proc=self.proc) for p in ports)
        if not ok:
            code = self.proc.poll()
            _terminate(self.proc)
            self.proc = None
            self.pid = None
            raise RuntimeError("prosody did not start (exit %s, ports %s)\n--- stdout ---\n%s\n"
                               "--- log ---\n%s" % (code, ports, self._read(self.out_path),
                                                   self.log_text()[-8000:]))
        self.start_seconds = time.monotonic() - t0
        self._save_state()
        return self

    def _env(self):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        env["HOME"] = self.workdir
        return env

    def running(self):
        if self.proc is not None:
            return self.proc.poll() is None
        return bool(self.pid) and _pid_alive(self.pid) and _pid_is_prosody(self.pid)

    def _wait_gone(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None:
                if self.proc.poll() is not None:
                    return True
            elif not self.running():
                return True
            time.sleep(0.05)
        return False

    def stop(self, timeout=10.0):
        """SIGTERM and wait (SIGKILL after timeout)."""
        if self.pid and self.running():
            _kill_group(self.pid, signal.SIGTERM)
            if not self._wait_gone(timeout):
                _kill_group(self.pid, signal.SIGKILL)
                self._wait_gone(5)
        self._reap()

    def kill(self):
        """SIGKILL the server (simulates a crash; the data dir stays)."""
        if self.pid and self.running():
            _kill_group(self.pid, signal.SIGKILL)
            self._wait_gone(5)
        self._reap()

    def _reap(self):
        if self.proc is not None:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.proc = None
        self.pid = None
        if os.path.isdir(self.workdir):
            self._save_state()

    def restart(self, timeout=20.0):
        """Stop and start again: same ports, same data, same cert."""
        self.stop()
        # Ports were only just released; prosody uses SO_REUSEADDR, but make sure
        # nothing else grabbed them in between.
        return self.start(timeout)

    def shell(self, command, timeout=20.0):
        """Runs one prosodyctl shell command (needs extra_modules=["admin_shell"]);
        returns its output. "> lua" runs Lua inside the server, which lets a test
        do what a real server does without telling (forget a room's occupants)."""
        r = subprocess.run(["prosodyctl", "--config", self.config_path, "shell", command],
                           cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, env=self._env(),
                           **_as_prosody_kwargs())
        out = r.stdout.decode(errors="replace")
        if r.returncode != 0:
            raise RuntimeError("prosodyctl shell failed: " + out)
        return out

    def register(self, user, password):
        """Create an account (prosodyctl register USER DOMAIN PASS)."""
        r = subprocess.run(["prosodyctl", "--config", self.config_path, "register",
                            user, self.domain, password],
                           cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60, env=self._env(),
                           **_as_prosody_kwargs())
        if r.returncode != 0:
            raise RuntimeError("prosodyctl register %s failed (%d): %s"
                               % (user, r.returncode, r.stdout.decode(errors="replace")))
        return self.jid(user)

    def write_roster(self, user, items):
        """Replace USER's roster in Prosody's file store (read when the user
        next logs in): items are (jid, name, [groups], subscription). Asking
        the server item by item takes minutes for thousands of contacts."""
        def lua(text):
            return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')
        host_dir = os.path.join(self.data_dir, self.domain.replace(".", "%2e"))
        accounts = os.path.join(host_dir, "accounts")
        roster_dir = os.path.join(host_dir, "roster")
        os.makedirs(roster_dir, exist_ok=True)
        lines = ["return {", "\t[false] = { version = 1; pending = {} };"]
        for jid, name, groups, subscription in items:
            lines.append("\t[%s] = { subscription = %s; name = %s; groups = { %s } };" % (
                lua(jid), lua(subscription), lua(name),
                " ".join("[%s] = true;" % lua(g) for g in groups)))
        lines.append("};")
        path = os.path.join(roster_dir, user + ".dat")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        st = os.stat(accounts)
        for p in (roster_dir, path):
            os.chown(p, st.st_uid, st.st_gid)

    def log_text(self):
        return self._read(self.log_path)

    @staticmethod
    def _read(path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def detach(self):
        """Leave the server running when this process exits (used by the CLI)."""
        self._detached = True
        _unregister(self)

    def remove(self):
        """Stop and delete the workdir."""
        self.stop()
        _unregister(self)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _cleanup(self):
        if self._detached:
            return
        self.stop(timeout=5)
        if self._tmp_owned:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        if not self.running():
            self.start()
        return self

    def __exit__(self, *exc):
        self._cleanup()
        _unregister(self)
        return False

    def __repr__(self):
        return "<Prosody %s c2s=%s pid=%s>" % (getattr(self, "domain", "?"),
                                             getattr(self, "c2s_port", "?"), self.pid)


# --------------------------------------------------------------------------
# Peer (slixmpp in a subprocess)
# --------------------------------------------------------------------------

class PeerTimeout(AssertionError):
    pass


class Peer:
    """A slixmpp client in a subprocess (peer.py), controlled by JSON lines.

    p = Peer.start(prosody, "alice", "pw", resource="peer")   # waits for "ready"
    p.send("bob@flint.test", "hi", id="m1")
    ev = p.wait_for("message", timeout=10)                      # kind
    ev = p.wait_for({"event": "message", "body": "hi"})          # subset match
    ev = p.wait_for(lambda e: e["event"] == "receipt")           # predicate
    p.quit()

    wait_for() returns the oldest matching event it has not returned before, so
    two identical messages are two wait_for() calls.  p.events holds every event.
    """

    def __init__(self, jid, password, host=HOST, port=5222, resource=None,
                 extra_args=(), log_path=None, ready_timeout=30.0, wait_ready=True):
        self.jid = jid
        self.password = password
        self.resource = resource
        self.events = []
        self._consumed = set()
        self._cond = threading.Condition()
        self._seq = 0
        self._closed = False
        argv = [PYTHON, PEER_SCRIPT, "--jid", jid, "--password", password,
                "--host", host, "--port", str(port)]
        if resource:
            argv += ["--resource", resource]
        argv += list(extra_args)
        if log_path is None:
            fd, log_path = tempfile.mkstemp(prefix="peer-%s-" % jid.replace("/", "_"),
                                            suffix=".log", dir=scratch_dir())
            os.close(fd)
        self.log_path = log_path
        self._log = open(log_path, "ab")
        t0 = time.monotonic()
        self._spawn(argv)
        _register(self)
        self.ready_event = None
        if wait_ready:
            try:
                self.ready_event = self.wait_for(
                    lambda e: e["event"] in ("ready", "failed"), timeout=ready_timeout)
            except PeerTimeout:
                # The peer died before saying anything (seen once in a
                # sanitizer run, its log lost): one more try, and the
                # error carries its stderr if that dies too.
                if self.proc.poll() is None or self.events:
                    raise
                sys.stderr.write("peer %s exited at start (code %s), again:\n%s\n"
                                 % (jid, self.proc.returncode, self.stderr_text()[-2000:]))
                self._reader.join(5)
                for f in (self.proc.stdin, self.proc.stdout):
                    try:
                        f.close()
                    except (OSError, BrokenPipeError):
                        pass
                self._spawn(argv)
                try:
                    self.ready_event = self.wait_for(
                        lambda e: e["event"] in ("ready", "failed"), timeout=ready_timeout)
                except PeerTimeout as e:
                    raise PeerTimeout("%s\nstderr:\n%s" % (e, self.stderr_text()[-4000:]))
            if self.ready_event["event"] != "ready":
                err = self.stderr_text()[-4000:]
                self._cleanup()
                raise RuntimeError("peer %s failed to log in: %r\n%s"
                                   % (jid, self.ready_event, err))
            self.full_jid = self.ready_event.get("jid")
        self.login_seconds = time.monotonic() - t0

    @classmethod
    def start(cls, prosody, user, password, resource=None, **kw):
        """Log in as user@prosody.domain to a running Prosody."""
        extra = list(kw.pop("extra_args", ()))
        if not getattr(prosody, "tls", True):
            extra.append("--allow-plain")
        return cls(prosody.jid(user), password, host=prosody.host, port=prosody.c2s_port,
                   resource=resource, extra_args=extra, **kw)

    # ---- I/O
    def _spawn(self, argv):
        with self._cond:
            self.events = []
            self._consumed = set()
            self._closed = False
        self.proc = subprocess.Popen(_wrap(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log, start_new_session=True)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def _read_loop(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                ev = {"event": "noise", "text": line}
            ev.setdefault("event", "unknown")
            ev["_t"] = time.monotonic()
            with self._cond:
                self.events.append(ev)
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def stderr_text(self):
        try:
            if not self._log.closed:
                self._log.flush()
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @staticmethod
    def _matcher(pred):
        if pred is None:
            return lambda e: True
        if isinstance(pred, str):
            return lambda e: e.get("event") == pred
        if isinstance(pred, dict):
            return lambda e: all(e.get(k) == v for k, v in pred.items())
        return pred

    def wait_for(self, pred=None, timeout=10.0, consume=True):
        """Oldest not-yet-returned event matching pred (kind string, dict subset,
        or callable); raises PeerTimeout after timeout seconds."""
        match = self._matcher(pred)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i, ev in enumerate(self.events):
                    if i in self._consumed:
                        continue
                    try:
                        ok = match(ev)
                    except (KeyError, TypeError):
                        ok = False
                    if ok:
                        if consume:
                            self._consumed.add(i)
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or (self._closed and self.proc.poll() is not None):
                    raise PeerTimeout("peer %s: no event matching %r within %.1fs; events: %s"
                                      % (self.jid, pred, timeout,
                                         json.dumps(self.events[-20:], default=str)))
                self._cond.wait(min(left, 0.5))

    def report(self, n=15):
        """Print the last n events to stderr: a test's output shows what the
        contact last did (meson prints it only for a failed test)."""
        with self._cond:
            last = self.events[-n:]
        sys.stderr.write("peer %s, last events:\n%s\n" % (
            self.jid, "\n".join(json.dumps(e, default=str)[:300] for e in last)))

    def expect_none(self, pred, within=1.0):
        """Assert that no new event matching pred arrives within `within` s."""
        try:
            ev = self.wait_for(pred, timeout=within)
        except PeerTimeout:
            return
        raise AssertionError("peer %s: unexpected event %r" % (self.jid, ev))

    def command(self, cmd, wait=True, timeout=15.0, **args):
        """Send a command; with wait=True wait for its {"event":"done"} (or
        "error") and return it."""
        if self.proc.poll() is not None:
            raise RuntimeError("peer %s has exited (%s)" % (self.jid, self.proc.returncode))
        with self._cond:
            self._seq += 1
            seq = self._seq
        msg = dict(args)
        msg["cmd"] = cmd
        msg["seq"] = seq
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()
        if not wait:
            return None
        ev = self.wait_for(lambda e: e.get("seq") == seq and e["event"] in ("done", "error"),
                           timeout=timeout)
        if ev["event"] == "error":
            raise RuntimeError("peer %s: command %r failed: %r" % (self.jid, msg, ev))
        return ev

    # ---- convenience wrappers
    def send(self, to, body, id=None, type="chat", **kw):
        """Send a message; returns the id used."""
        ev = self.command("send", to=to, body=body, id=id, type=type, **kw)
        return ev.get("id")

    def presence(self, show=None, status=None, **kw):
        return self.command("presence", show=show, status=status, **kw)

    def subscribe(self, to):
        return self.command("subscribe", to=to)

    def roster_add(self, jid, name=None, groups=None, subscribe=False):
        return self.command("roster_add", jid=jid, name=name, groups=groups or [],
                            subscribe=subscribe)

    def raw(self, xml):
        return self.command("raw", xml=xml)

    def chatstate(self, to, state):
        return self.command("chatstate", to=to, state=state)

    def quit(self, timeout=10.0):
        if self.proc.poll() is None:
            try:
                self.command("quit", wait=False)
                self.proc.stdin.close()
            except (BrokenPipeError, OSError, RuntimeError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self._cleanup()

    def kill(self):
        """Vanish without closing the stream (like a dropped network)."""
        _kill_group(self.proc, signal.SIGKILL)
        self._cleanup()

    def _cleanup(self):
        _terminate(self.proc, timeout=3)
        self._reader.join(5)   # EOF after the process is gone
        for f in (self.proc.stdin, self.proc.stdout, self._log):
            try:
                f.close()
            except (OSError, BrokenPipeError):
                pass
        _unregister(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()
        return False

    def __repr__(self):
        return "<Peer %s pid=%s>" % (self.jid, self.proc.pid)


# --------------------------------------------------------------------------
# Desktop: Xvfb + D-Bus session + gnome-keyring + isolated env
# --------------------------------------------------------------------------

class Desktop:
    """An isolated desktop session for GUI tests.

    d = Desktop(); d.start()        (or: with Desktop() as d:)
    d.env                            dict for the app
    d.run(argv, input=None, timeout=60)  subprocess.run in that env
    d.spawn(argv, **popen_kw)        Popen in that env (own process group; killed by stop())
    d.screenshot(path)               `import -window root path`
    d.start_wm()                     optional Openbox window manager (off by default)
    d.stop()
    """

    def __init__(self, width=1280, height=800, depth=24, keyring=True,
                 keyring_password="flint-test", basedir=None, renderer=None,
                 gsettings_backend="keyfile", host_display=False):
        # host_display=True: no Xvfb; apps show on the caller's own display
        # (X11 or Wayland) and keep its language, with everything else
        # (bus, keyring, config, data) private as usual. For the demo.
        self.host_display = host_display
        self.size = (width, height, depth)
        self.keyring = keyring
        self.keyring_password = keyring_password
        self.renderer = renderer
        self.gsettings_backend = gsettings_backend
        self._tmp_owned = basedir is None
        self.basedir = basedir or tempfile.mkdtemp(prefix="flint-desktop-")
        self.procs = []       # Popen objects we own, in start order
        self.env = None
        self.display = None
        self.xvfb = self.dbus = self.gkd = self.wm = None
        self._started = False

    def start(self, timeout=20.0):
        if self._started:
            return self
        _register(self)
        self._started = True
        try:
            self._start(timeout)
        except Exception:
            self.stop()
            raise
        return self

    def _start(self, timeout):
        b = self.basedir
        home = os.path.join(b, "home")
        runtime = os.path.join(b, "runtime")
        for d in (home, runtime, os.path.join(home, ".config"),
                  os.path.join(home, ".local", "share"), os.path.join(home, ".cache")):
            os.makedirs(d, exist_ok=True)
        os.chmod(runtime, 0o700)
        if self.host_display:
            self._start_env(b, home, runtime, timeout)
            return
        # Xvfb with -displayfd picks a free display number itself.
        rfd, wfd = os.pipe()
        w, h, dep = self.size
        self._xvfb_log = open(os.path.join(b, "xvfb.log"), "ab")
        self.xvfb = subprocess.Popen(
            _wrap(["Xvfb", "-displayfd", str(wfd), "-screen", "0", "%dx%dx%d" % (w, h, dep),
                   "-nolisten", "tcp", "-noreset"]),
            pass_fds=(wfd,), stdin=subprocess.DEVNULL, stdout=self._xvfb_log,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(self.xvfb)
        os.close(wfd)
        num = self._read_line(rfd, timeout, self.xvfb, "Xvfb")
        os.close(rfd)
        self.display = ":" + num.strip()
        self._start_env(b, home, runtime, timeout)

    def _start_env(self, b, home, runtime, timeout):
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": home,
            "USER": os.environ.get("USER", "root"),
            "LOGNAME": os.environ.get("LOGNAME", os.environ.get("USER", "root")),
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
            "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "XDG_RUNTIME_DIR": runtime,
            "DISPLAY": self.display,
            "GSETTINGS_BACKEND": self.gsettings_backend,
            "NO_AT_BRIDGE": "1",
            "GDK_BACKEND": "x11",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "GTK_A11Y": "none",
        }
        for k in ("GSETTINGS_SCHEMA_DIR", "FLINT_BINARY", "FLINT_SOURCE_ROOT",
                  "FLINT_BUILD_ROOT", "G_DEBUG", "G_MESSAGES_DEBUG", "GSK_RENDERER",
                  "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "LD_LIBRARY_PATH",
                  "XDG_DATA_DIRS", "GSK_RENDERER", "ASAN_OPTIONS", "UBSAN_OPTIONS",
                  "LSAN_OPTIONS", "G_SLICE"):
            if os.environ.get(k):
                env[k] = os.environ[k]
        if self.renderer:
            env["GSK_RENDERER"] = self.renderer
        if self.host_display:
            self.display = os.environ.get("DISPLAY")
            env.pop("DISPLAY")
            env.pop("GDK_BACKEND")
            if self.display:
                env["DISPLAY"] = self.display
                env["XAUTHORITY"] = os.environ.get(
                    "XAUTHORITY", os.path.join(os.path.expanduser("~"), ".Xauthority"))
            wayland = os.environ.get("WAYLAND_DISPLAY")
            if wayland:
                # Absolute: our XDG_RUNTIME_DIR is private.
                env["WAYLAND_DISPLAY"] = os.path.join(
                    os.environ.get("XDG_RUNTIME_DIR", ""), wayland)
            for k in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
                env.pop(k, None)
                if os.environ.get(k):
                    env[k] = os.environ[k]
            env.pop("GTK_A11Y")
            env.pop("NO_AT_BRIDGE")

        # Private session bus (not forked: we own the pid).
        bus = os.path.join(runtime, "bus")
        self._dbus_log = open(os.path.join(b, "dbus.log"), "ab")
        rfd, wfd = os.pipe()
        self.dbus = subprocess.Popen(
            _wrap(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                   "--address=unix:path=" + bus, "--print-address=%d" % wfd]),
            pass_fds=(wfd,), env=env, stdin=subprocess.DEVNULL, stdout=self._dbus_log,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(self.dbus)
        os.close(wfd)
        addr = self._read_line(rfd, timeout, self.dbus, "dbus-daemon").strip()
        os.close(rfd)
        env["DBUS_SESSION_BUS_ADDRESS"] = addr
        self.env = env

        if self.keyring:
            self._gkd_log = open(os.path.join(b, "gnome-keyring.log"), "ab")
            self.gkd = subprocess.Popen(
                _wrap(["gnome-keyring-daemon", "--foreground", "--unlock",
                       "--components=secrets"]),
                env=env, stdin=subprocess.PIPE, stdout=self._gkd_log,
                stderr=subprocess.STDOUT, start_new_session=True)
            self.procs.append(self.gkd)
            self.gkd.stdin.write(self.keyring_password.encode())
            self.gkd.stdin.close()
            # Ready when org.freedesktop.secrets is owned on our bus.
            deadline = time.monotonic() + timeout
            while True:
                r = subprocess.run(
                    ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                     "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
                     "string:org.freedesktop.secrets"],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
                if b"boolean true" in r.stdout:
                    break
                if self.gkd.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gnome-keyring-daemon did not come up:\n" +
                                       Prosody._read(os.path.join(b, "gnome-keyring.log")))
                time.sleep(0.05)

    @staticmethod
    def _read_line(fd, timeout, proc, what):
        import select
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("%s did not report readiness in %.0fs" % (what, timeout))
            r, _, _ = select.select([fd], [], [], min(left, 0.2))
            if r:
                chunk = os.read(fd, 256)
                if not chunk:
                    break
                buf += chunk
            elif proc.poll() is not None:
                break
        if not buf.strip():
            raise RuntimeError("%s exited early (code %s)" % (what, proc.poll()))
        return buf.decode().split("\n")[0]

    def run(self, argv, input=None, timeout=60, check=False, **kw):
        """subprocess.run(argv) in the desktop env; captures stdout/stderr (text)."""
        if isinstance(input, str):
            input = input.encode()
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        env = dict(self.env)
        env.update(kw.pop("env", {}) or {})
        r = subprocess.run(argv, input=input, timeout=timeout, env=env, **kw)
        if check and r.returncode != 0:
            raise subprocess.CalledProcessError(r.returncode, argv, r.stdout, r.stderr)
        return r

    def spawn(self, argv, env=None, **kw):
        """Popen(argv) in the desktop env (new process group; stop() kills it)."""
        e = dict(self.env)
        e.update(env or {})
        kw.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen(_wrap(argv), env=e, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def spawn_flint(self, args=(), log_path=None, env=None):
        """Start the flint binary with output to a log file; returns the Popen
        (attribute .log_path)."""
        if log_path is None:
            log_path = os.path.join(artifact_dir(), "flint-%d-%d.log" % (os.getpid(), len(self.procs)))
        log = open(log_path, "ab")
        p = self.spawn([flint_binary()] + list(args), env=env, stdout=log,
                       stderr=subprocess.STDOUT)
        log.close()
        p.log_path = log_path
        return p

    def download_folder(self, name="Incoming"):
        """Makes HOME/name and sets it as Flint's download folder (the
        GSettings keyfile of this desktop); returns its path."""
        folder = os.path.join(self.env["HOME"], name)
        os.makedirs(folder, exist_ok=True)
        settings = os.path.join(self.env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
        os.makedirs(settings, exist_ok=True)
        with open(os.path.join(settings, "keyfile"), "w") as f:
            f.write("[im/flint/Flint]\ndownload-folder='%s'\n" % folder)
        return folder

    def screenshot(self, path=None):
        """Grab the whole screen (ImageMagick import); returns the path."""
        if path is None:
            path = os.path.join(artifact_dir(), "shot-%d-%d.png" % (os.getpid(), int(time.time() * 1000)))
        elif not os.path.isabs(path) and os.sep not in path:
            path = os.path.join(artifact_dir(), path)
        r = self.run(["import", "-window", "root", path], timeout=30)
        if r.returncode != 0:
            raise RuntimeError("import failed: " + r.stderr.decode(errors="replace"))
        return path

    def windows(self):
        """Top-level-ish X windows with a name: list of (window_id_hex, name)."""
        import re
        r = self.run(["xwininfo", "-root", "-tree"], timeout=20)
        out = []
        for line in r.stdout.decode(errors="replace").splitlines():
            m = re.match(r'\s*(0x[0-9a-f]+) "(.*)":', line)
            if m:
                out.append((m.group(1), m.group(2)))
        return out

    def wait_for_window(self, name_contains, timeout=30.0, proc=None):
        """Wait until a window whose name contains name_contains exists; returns
        (id, name).  Raises if proc (a Popen) exits first or on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for w in self.windows():
                if name_contains in w[1]:
                    return w
            if proc is not None and proc.poll() is not None:
                raise RuntimeError("process exited (%s) before window %r appeared"
                                   % (proc.returncode, name_contains))
            if time.monotonic() > deadline:
                raise AssertionError("no window %r within %.0fs; windows: %r"
                                     % (name_contains, timeout, self.windows()))
            time.sleep(0.1)

    def secret_roundtrip(self):
        """Self-check: store and look up a secret through libsecret."""
        val = "s3cret-%d" % os.getpid()
        r = self.run(["secret-tool", "store", "--label", "x", "service", "test"],
                     input=val, timeout=20)
        if r.returncode != 0:
            raise RuntimeError("secret-tool store failed: %r" % (r.stderr,))
        r = self.run(["secret-tool", "lookup", "service", "test"], timeout=20)
        return r.stdout.decode().strip() == val

    # A minimal Openbox setup: new windows get focus, a click focuses and
    # raises, Openbox's Smart placement, one desktop, the default theme.
    OPENBOX_RC = """<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <focus><focusNew>yes</focusNew><followMouse>no</followMouse></focus>
  <placement><policy>Smart</policy></placement>
  <desktops><number>1</number></desktops>
  <keyboard/>
  <mouse>
    <context name="Client">
      <mousebind button="Left" action="Press"><action name="Focus"/><action name="Raise"/></mousebind>
    </context>
    <context name="Titlebar">
      <mousebind button="Left" action="Press"><action name="Focus"/><action name="Raise"/></mousebind>
      <mousebind button="Left" action="Drag"><action name="Move"/></mousebind>
    </context>
  </mouse>
</openbox_config>
"""

    def start_wm(self, timeout=20.0):
        """Optional: run Openbox as the window manager (GUI tests run without
        one unless they call this).  Its config and log live in the desktop's
        own dirs.  Returns once the WM has announced itself on the root window
        (_NET_SUPPORTING_WM_CHECK)."""
        if self.host_display:
            raise RuntimeError("start_wm() is for the private Xvfb display only")
        cfg = os.path.join(self.env["XDG_CONFIG_HOME"], "openbox")
        os.makedirs(cfg, exist_ok=True)
        rc = os.path.join(cfg, "rc.xml")
        with open(rc, "w") as f:
            f.write(self.OPENBOX_RC)
        self._wm_log = open(os.path.join(self.basedir, "openbox.log"), "ab")
        self.wm = self.spawn(["openbox", "--sm-disable", "--config-file", rc],
                             stdout=self._wm_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            r = self.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], timeout=10)
            if b"window id #" in r.stdout:
                return self.wm
            if self.wm.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("openbox did not come up (exit %s):\n%s" % (
                    self.wm.poll(), Prosody._read(os.path.join(self.basedir, "openbox.log"))))
            time.sleep(0.05)

    def stop(self):
        for p in reversed(self.procs):
            _terminate(p, timeout=3)
        self.procs = []
        for f in ("_xvfb_log", "_dbus_log", "_gkd_log", "_wm_log"):
            fh = getattr(self, f, None)
            if fh:
                fh.close()
        self._started = False
        _unregister(self)

    def _cleanup(self):
        self.stop()
        if self._tmp_owned:
            shutil.rmtree(self.basedir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self._cleanup()
        return False


# --------------------------------------------------------------------------
# TcpProxy: a controllable TCP relay for fault-injection tests
# --------------------------------------------------------------------------

class _Pipe:
    """One direction of a proxied connection: bytes read from src, held in
    buf, written to dst."""

    __slots__ = ("name", "buf", "eof", "reset", "shut", "tokens", "stamp")

    def __init__(self, name):
        self.name = name          # "up" (client -> target) or "down"
        self.buf = bytearray()
        self.eof = False          # src said EOF (or reset): nothing more to read
        self.reset = False        # src was reset: reset dst once buf is flushed
        self.shut = False         # EOF passed on to dst (shutdown(SHUT_WR))
        self.tokens = 0.0
        self.stamp = time.monotonic()


class _ProxyConn:
    __slots__ = ("c", "s", "connecting", "up", "down", "masks", "closed")

    def __init__(self, csock, ssock):
        self.c = csock
        self.s = ssock
        self.connecting = True
        self.up = _Pipe("up")
        self.down = _Pipe("down")
        self.masks = {}
        self.closed = False


class TcpProxy:
    """A TCP relay on a free loopback port with fault injection.

    with fh.TcpProxy("127.0.0.1", prosody.c2s_port) as px:   # started
        connect the client to (px.listen_host, px.port)
        px.cut()                    # RST every current connection, keep listening
        px.stall(); px.stall(False) # hold / release all bytes (both directions)
        px.stall(direction="down")  # hold one direction only (server -> client)
        px.refuse(); px.refuse(False)  # new connections are accepted and reset
        px.set_rate(2000)           # bytes/s per direction per connection; None = off
        px.cut_after(5000)          # one-shot cut once 5000 more bytes have passed

    One selector thread does all socket work; the control methods are thread-safe
    and take effect before they return.  Counters: connections (open now),
    accepted, refused, cuts, bytes_up (client -> target), bytes_down (target ->
    client), all counting bytes handed to the receiving side.
    """

    CHUNK = 256 * 1024
    BUF_CAP = 4 * 1024 * 1024      # per direction; reading pauses above this
    BURST_SECONDS = 0.02           # token-bucket depth when throttled

    def __init__(self, target_host, target_port, listen_host=HOST):
        self.target_host = target_host
        self.target_port = int(target_port)
        self.listen_host = listen_host
        self.port = None
        self.bytes_up = 0
        self.bytes_down = 0
        self.accepted = 0
        self.refused = 0
        self.cuts = 0
        self.target_failures = 0   # upstream connects that failed (client was reset)
        self._conns = set()
        self._stalled = False
        self._stall_dirs = frozenset()   # "up" / "down": the directions held
        self._refuse = None        # None or "reset" | "close" | "unlisten"
        self._rate = None
        self._cut_after = None     # [remaining, direction, reset]
        self._cmds = queue.Queue()
        self._sel = None
        self._lsock = None
        self._wake_r = self._wake_w = None
        self._thread = None
        self._quit = False
        self._registered = False

    # ---- public API -----------------------------------------------------

    @property
    def connections(self):
        return len(self._conns)

    @property
    def address(self):
        return (self.listen_host, self.port)

    def start(self):
        if self._thread is not None:
            return self
        import selectors
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel.register(self._wake_r, 1, ("wake", None))   # EVENT_READ
        self.port = free_port(self.listen_host)
        if self._refuse != "unlisten":
            self._listen()
        self._quit = False
        self._thread = threading.Thread(target=self._loop, name="TcpProxy:%d" % self.port,
                                        daemon=True)
        self._thread.start()
        _register(self)
        self._registered = True
        return self

    def stop(self):
        """Close the listener and every connection (RST); idempotent."""
        t = self._thread
        if t is not None:
            self._quit = True
            self._wake()
            if t is not threading.current_thread():
                t.join(10)
            self._thread = None
        if self._registered:
            _unregister(self)
            self._registered = False

    def cut(self, reset=True):
        """Abruptly close every current connection, both sides (reset=True: RST
        via SO_LINGER 0; False: plain close, pending bytes then FIN).  Keeps
        listening.  Returns the number of connections cut."""
        return self._call(lambda: self._cut_all(reset))

    def stall(self, on=True, direction="both"):
        """While stalled nothing is forwarded either way (bytes are read and held
        up to BUF_CAP per direction, EOFs are held too); new connections are
        accepted, connected to the target, and stalled as well.
        direction="up" (client -> target) or "down" holds that direction only
        (the other one flows); stall(False) releases both."""
        if direction not in ("both", "up", "down"):
            raise ValueError("direction must be both, up or down")

        def f():
            if not on:
                self._stall_dirs = frozenset()
            elif direction == "both":
                self._stall_dirs = frozenset(("up", "down"))
            else:
                self._stall_dirs = frozenset((direction,))
            self._stalled = bool(self._stall_dirs)
        self._call(f)

    def _held(self, p):
        return p.name in self._stall_dirs

    def refuse(self, on=True, how="reset"):
        """While refusing, new connections fail; existing ones are untouched.
        how="reset": accepted then reset (client sees ECONNRESET / EOF);
        "close": accepted then closed (EOF); "unlisten": the listening socket is
        closed so connects get ECONNREFUSED (reopened on the same port by
        refuse(False))."""
        if how not in ("reset", "close", "unlisten"):
            raise ValueError("how must be reset, close or unlisten")

        def f():
            old = self._refuse
            self._refuse = how if on else None
            if old == "unlisten" and self._refuse != "unlisten":
                self._listen()
            elif self._refuse == "unlisten" and old != "unlisten":
                self._unlisten()
        self._call(f)

    def set_rate(self, bytes_per_second=None):
        """Throttle each direction of each connection to bytes_per_second
        (token bucket, about 20 ms deep); None removes the limit."""
        if bytes_per_second is not None and bytes_per_second <= 0:
            raise ValueError("rate must be > 0 or None")

        def f():
            self._rate = None if bytes_per_second is None else float(bytes_per_second)
            now = time.monotonic()
            for c in self._conns:
                for p in (c.up, c.down):
                    p.tokens = 0.0
                    p.stamp = now
        self._call(f)

    def cut_after(self, nbytes, direction="any", reset=True):
        """Arm a one-shot cut(reset) once nbytes more bytes have been forwarded
        in direction "up", "down" or "any" (summed over all connections).  The
        cut happens exactly at that byte: forwarding stops at nbytes.  nbytes=0
        cuts when the next byte would pass.  cut_after(None) disarms."""
        if direction not in ("any", "up", "down"):
            raise ValueError("direction must be any, up or down")

        def f():
            self._cut_after = None if nbytes is None else [int(nbytes), direction, reset]
        self._call(f)

    @property
    def cut_pending(self):
        return self._cut_after is not None

    def wait_for(self, pred, timeout=10.0, interval=0.01):
        """Poll pred(self) until true; raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            if pred(self):
                return True
            if time.monotonic() >= deadline:
                raise TimeoutError("TcpProxy.wait_for timed out (%s)" % self.info())
            time.sleep(interval)

    def info(self):
        return {"port": self.port, "target": "%s:%d" % (self.target_host, self.target_port),
                "connections": self.connections, "accepted": self.accepted,
                "refused": self.refused, "cuts": self.cuts, "bytes_up": self.bytes_up,
                "bytes_down": self.bytes_down, "stalled": self._stalled,
                "refuse": self._refuse, "rate": self._rate,
                "cut_after": list(self._cut_after) if self._cut_after else None}

    def _cleanup(self):
        self.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def __repr__(self):
        return "<TcpProxy :%s -> %s:%d>" % (self.port, self.target_host, self.target_port)

    # ---- plumbing (everything below runs on the proxy thread) -------------

    def _wake(self):
        try:
            self._wake_w.send(b"x")
        except (BlockingIOError, OSError):
            pass

    def _call(self, fn):
        if self._thread is None or threading.current_thread() is self._thread:
            return fn()
        box = {}
        done = threading.Event()
        self._cmds.put((fn, box, done))
        self._wake()
        if not done.wait(10):
            raise RuntimeError("TcpProxy thread did not answer")
        if "exc" in box:
            raise box["exc"]
        return box.get("result")

    def _run_cmds(self):
        while True:
            try:
                fn, box, done = self._cmds.get_nowait()
            except queue.Empty:
                return
            try:
                box["result"] = fn()
            except Exception as e:
                box["exc"] = e
            done.set()

    def _listen(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            ls.bind((self.listen_host, self.port))
        except OSError:
            ls.close()
            raise
        ls.listen(128)
        ls.setblocking(False)
        self._lsock = ls
        self._sel.register(ls, 1, ("listen", None))

    def _unlisten(self):
        if self._lsock is not None:
            try:
                self._sel.unregister(self._lsock)
            except (KeyError, ValueError):
                pass
            self._lsock.close()
            self._lsock = None

    @staticmethod
    def _close(sock, reset):
        if sock is None:
            return
        if reset:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        try:
            sock.close()
        except OSError:
            pass

    def _drop(self, conn, reset):
        if conn.closed:
            return
        conn.closed = True
        self._conns.discard(conn)       # counters first: the peers may look at once
        for sk in (conn.c, conn.s):
            if conn.masks.get(sk):
                try:
                    self._sel.unregister(sk)
                except (KeyError, ValueError):
                    pass
            self._close(sk, reset)

    def _cut_all(self, reset):
        conns = list(self._conns)
        self.cuts += 1
        for conn in conns:
            self._drop(conn, reset)
        return len(conns)

    def _accept(self):
        while self._lsock is not None:
            try:
                cs, _ = self._lsock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self.accepted += 1
            if self._refuse is not None:
                self.refused += 1
                self._close(cs, self._refuse != "close")
                continue
            cs.setblocking(False)
            cs.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            ss = socket.socket(socket.AF_INET if ":" not in self.target_host
                               else socket.AF_INET6, socket.SOCK_STREAM)
            ss.setblocking(False)
            ss.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _ProxyConn(cs, ss)
            err = ss.connect_ex((self.target_host, self.target_port))
            self._conns.add(conn)
            if err not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK):
                self.target_failures += 1
                self._drop(conn, True)
                continue
            now = time.monotonic()
            conn.up.stamp = conn.down.stamp = now

    def _burst(self):
        return max(1.0, self._rate * self.BURST_SECONDS)

    def _refill(self, p, now):
        if self._rate is None:
            return
        p.tokens = min(self._burst(), p.tokens + (now - p.stamp) * self._rate)
        p.stamp = now

    def _write_wait(self, p, now):
        """0 if p may write now, else seconds until it may (None: nothing to do)."""
        if self._held(p) or p.shut:
            return None
        if not p.buf:
            return 0 if p.eof else None
        if self._rate is None:
            return 0
        self._refill(p, now)
        need = max(1.0, min(len(p.buf), self._burst()))
        if p.tokens >= need:
            return 0
        return (need - p.tokens) / self._rate

    def _interest(self, now):
        """Update selector registrations; return the select timeout."""
        timeout = 1.0
        for conn in list(self._conns):
            up, down = conn.up, conn.down
            cm = 0
            sm = 0
            if not up.eof and len(up.buf) < self.BUF_CAP:
                cm |= 1
            if conn.connecting:
                sm = 2
            else:
                if not down.eof and len(down.buf) < self.BUF_CAP:
                    sm |= 1
                for p, is_c in ((down, True), (up, False)):
                    w = self._write_wait(p, now)
                    if w == 0:
                        if is_c:
                            cm |= 2
                        else:
                            sm |= 2
                    elif w is not None:
                        timeout = min(timeout, w)
            for sk, m in ((conn.c, cm), (conn.s, sm)):
                old = conn.masks.get(sk, 0)
                if m == old:
                    continue
                if old == 0:
                    self._sel.register(sk, m, ("conn", conn))
                elif m == 0:
                    self._sel.unregister(sk)
                else:
                    self._sel.modify(sk, m, ("conn", conn))
                conn.masks[sk] = m
        return max(0.0, timeout)

    def _read(self, conn, src, p):
        try:
            data = src.recv(min(self.CHUNK, self.BUF_CAP - len(p.buf)))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            p.eof = p.reset = True
            return
        if not data:
            p.eof = True
        else:
            p.buf += data

    def _write(self, conn, p, dst, now):
        if p.buf:
            lim = len(p.buf)
            if self._rate is not None:
                self._refill(p, now)
                lim = min(lim, int(p.tokens))
            ca = self._cut_after
            if ca is not None and ca[1] in ("any", p.name):
                if ca[0] <= 0:
                    self._cut_after = None
                    self._cut_all(ca[2])
                    return
                lim = min(lim, ca[0])
            if lim <= 0:
                return
            mv = memoryview(p.buf)[:lim]
            try:
                sent = dst.send(mv)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self._drop(conn, True)
                return
            finally:
                mv.release()
            del p.buf[:sent]
            if p.name == "up":
                self.bytes_up += sent
            else:
                self.bytes_down += sent
            if self._rate is not None:
                p.tokens -= sent
            if ca is not None and ca[1] in ("any", p.name):
                ca[0] -= sent
                if ca[0] <= 0:
                    self._cut_after = None
                    self._cut_all(ca[2])
                    return
        if not p.buf and p.eof and not p.shut:
            if p.reset:
                self._drop(conn, True)
                return
            p.shut = True
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            if conn.up.shut and conn.down.shut:
                self._drop(conn, False)

    def _on_conn(self, conn, sk, mask, now):
        if conn.closed:
            return
        if sk is conn.s and conn.connecting:
            err = conn.s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.target_failures += 1
                self._drop(conn, True)
            else:
                conn.connecting = False
            return
        if sk is conn.c:
            src_p, dst_p, other = conn.up, conn.down, conn.s
        else:
            src_p, dst_p, other = conn.down, conn.up, conn.c
        if mask & 1:
            self._read(conn, sk, src_p)
        if mask & 2 and not conn.closed and not self._held(dst_p):
            self._write(conn, dst_p, sk, now)
        # A fresh EOF with nothing buffered can be passed on at once.
        if not conn.closed and not self._held(src_p) and src_p.eof and not src_p.buf \
                and not src_p.shut and not conn.connecting:
            self._write(conn, src_p, other, now)

    def _loop(self):
        sel = self._sel
        try:
            while not self._quit:
                timeout = self._interest(time.monotonic())
                for key, mask in sel.select(timeout):
                    kind, conn = key.data
                    if kind == "wake":
                        try:
                            while self._wake_r.recv(4096):
                                pass
                        except (BlockingIOError, InterruptedError):
                            pass
                        self._run_cmds()
                    elif kind == "listen":
                        self._accept()
                    else:
                        self._on_conn(conn, key.fileobj, mask, time.monotonic())
                self._run_cmds()
        finally:
            for conn in list(self._conns):
                self._drop(conn, True)
            self._unlisten()
            self._quit = True
            self._run_cmds()
            for s in (self._wake_r, self._wake_w):
                try:
                    s.close()
                except OSError:
                    pass
            sel.close()


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

USAGE = """usage:
  flint_harness.py prosody-start WORKDIR [--domain D] [--no-tls] [--no-smacks] [--no-muc]
                                         [--user NAME:PASS ...] [--max-lifetime SECS]
  flint_harness.py prosody-stop WORKDIR
  flint_harness.py prosody-kill WORKDIR
  flint_harness.py prosody-restart WORKDIR
  flint_harness.py prosody-info WORKDIR
  flint_harness.py register WORKDIR USER PASS
prosody-start/-restart/-info print one JSON line:
  {"domain","host","c2s_port","http_port","proxy_port","cert_sha256","pid","workdir"}
"""


def _print_info(p):
    print(json.dumps(p.info()), flush=True)


def main(argv=None):
    import argparse
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="flint_harness.py", usage=USAGE)
    ap.add_argument("command", choices=["prosody-start", "prosody-stop", "prosody-kill",
                                        "prosody-restart", "prosody-info", "register",
                                        "prosody-shell"])
    ap.add_argument("workdir")
    ap.add_argument("rest", nargs="*")
    ap.add_argument("--domain", default="flint.test")
    ap.add_argument("--no-tls", action="store_true")
    ap.add_argument("--no-smacks", action="store_true")
    ap.add_argument("--no-muc", action="store_true")
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--no-bookmarks", action="store_true",
                    help="no mod_bookmarks: XEP-0048 in private storage only")
    ap.add_argument("--module", action="append", default=[],
                    help="an extra global module (e.g. admin_shell for prosody-shell)")
    ap.add_argument("--muc-room-locking", action="store_true",
                    help="new rooms stay locked until their owner configures them")
    ap.add_argument("--storage", choices=["internal", "sql"], default="internal",
                    help="sql: mod_storage_sql on SQLite (needs lua-dbi-sqlite3)")
    ap.add_argument("--sql-database", default=None,
                    help="with --storage sql: the SQLite file (default in the data dir)")
    ap.add_argument("--max-lifetime", type=int, default=1800,
                    help="kill the server after this many seconds (0: never)")
    a = ap.parse_args(argv)
    wd = os.path.abspath(a.workdir)
    if a.command == "prosody-start":
        os.makedirs(wd, exist_ok=True)
        if os.path.exists(os.path.join(wd, STATE_FILE)):
            Prosody.load(wd).stop()     # never orphan a server started here before
        p = Prosody(wd, domain=a.domain, tls=not a.no_tls, smacks=not a.no_smacks,
                    muc=not a.no_muc, max_lifetime=a.max_lifetime or None,
                    extra_modules=a.module, bookmarks=not a.no_bookmarks,
                    muc_room_locking=a.muc_room_locking, storage=a.storage,
                    sql_database=a.sql_database)
        p.detach()
        try:
            for u in a.user:
                name, _, pw = u.partition(":")
                p.register(name, pw)
            p.start()
        except Exception as e:
            p.kill()
            sys.stderr.write("%s\n" % e)
            return 1
        _print_info(p)
        return 0
    p = Prosody.load(wd)
    if a.command == "prosody-stop":
        p.stop()
    elif a.command == "prosody-kill":
        p.kill()
    elif a.command == "prosody-restart":
        p.stop()
        p.start()
        _print_info(p)
    elif a.command == "prosody-info":
        _print_info(p)
    elif a.command == "prosody-shell":
        if len(a.rest) != 1:
            ap.error("prosody-shell WORKDIR COMMAND (needs --module admin_shell at start)")
        sys.stdout.write(p.shell(a.rest[0]))
    elif a.command == "register":
        if len(a.rest) != 2:
            ap.error("register WORKDIR USER PASS")
        p.register(a.rest[0], a.rest[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())

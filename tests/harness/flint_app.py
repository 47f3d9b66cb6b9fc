#!/usr/bin/python3
"""Drives the real flint binary for integration and UI tests.

FlintApp(desktop) runs `flint` in a Desktop (Xvfb, private D-Bus, unlocked
keyring) with FLINT_TEST_HOOKS=1, so its state can be read over D-Bus through
the app.test-dump action (GApplication exports its actions on the bus).
"""

import json
import os
import sqlite3
import subprocess
import tempfile
import time

import flint_harness as fh

APP_ID = "im.flint.Flint"
OBJECT_PATH = "/im/flint/Flint"


class FlintApp:
    def __init__(self, desktop):
        self.desktop = desktop
        self.proc = None

    # ---- command line -----------------------------------------------------
    def run(self, args, input=None, timeout=60, env=None):
        return self.desktop.run([fh.flint_binary()] + list(args), input=input,
                                timeout=timeout, env=env)

    def add_account(self, prosody, user, password, pin=True, extra=()):
        args = ["--add-account", prosody.jid(user), "--host", prosody.host,
                "--port", str(prosody.c2s_port)]
        if pin:
            args += ["--trust-cert-sha256", prosody.cert_sha256]
        r = self.run(args + list(extra), input=password + "\n")
        if r.returncode != 0:
            raise AssertionError("--add-account failed: %s %s" % (r.stdout, r.stderr))
        return r

    # ---- the running app ----------------------------------------------------
    def start(self, env=None, args=()):
        e = {"FLINT_TEST_HOOKS": "1"}
        e.update(env or {})
        self.t_start = time.monotonic()
        self.proc = self.desktop.spawn_flint(args=args, env=e)
        return self.proc

    def activate(self, action, param=None, timeout=10):
        """Activates an app action over D-Bus; param is GVariant text
        ("'bob@flint.test'", "uint32 3", "true") or None."""
        arg = "[]" if param is None else "[<%s>]" % param
        r = self.desktop.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path",
                              OBJECT_PATH, "--method", "org.gtk.Actions.Activate", action,
                              arg, "{}"], timeout=timeout)
        if r.returncode != 0:
            raise AssertionError("action %s failed: %s" % (action, r.stderr))

    def dump(self, timeout=5.0):
        """The window state as a dict, or None while the app is not on the bus."""
        fd, path = tempfile.mkstemp(prefix="flint-dump-", suffix=".json")
        os.close(fd)
        os.unlink(path)
        try:
            r = self.desktop.run(
                ["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", OBJECT_PATH,
                 "--method", "org.gtk.Actions.Activate", "test-dump", "[<'%s'>]" % path, "{}"],
                timeout=timeout)
        except subprocess.TimeoutExpired:
            return None  # busy (e.g. a sanitizer build): the caller polls again
        if r.returncode != 0:
            return None
        deadline = time.monotonic() + timeout
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.02)
        try:
            with open(path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None
        finally:
            if os.path.exists(path):
                os.unlink(path)

    def wait_for(self, pred, timeout=20.0, what="state"):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError("flint exited with %s; log:\n%s"
                                     % (self.proc.returncode, self.log_text()[-4000:]))
            last = self.dump()
            if last is not None and pred(last):
                return last
            time.sleep(0.1)
        raise AssertionError("timed out waiting for %s; last dump: %r; log:\n%s"
                             % (what, last, self.log_text()[-4000:]))

    def wait_state(self, state, timeout=20.0):
        return self.wait_for(lambda d: d.get("state") == state, timeout, "state " + state)

    def log_text(self):
        path = getattr(self.proc, "log_path", None)
        if not path or not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return f.read()

    def stop(self, timeout=10.0):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.desktop.run(["gdbus", "call", "--session", "--dest", APP_ID,
                                  "--object-path", OBJECT_PATH, "--method",
                                  "org.gtk.Actions.Activate", "quit", "[]", "{}"],
                                 timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        log = self.log_text()
        self.proc = None
        # In a sanitizer build any report fails the test (system libraries'
        # known leaks are suppressed by tests/sanitizers/lsan.supp).
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in log:
                start = log.index(marker)
                # The whole report too: the message shows only its start.
                saved = os.path.join(os.environ.get("FLINT_BUILD_ROOT", "/tmp"), "meson-logs",
                                     "sanitizer-%d.log" % os.getpid())
                try:
                    with open(saved, "a") as f:
                        f.write(log[start:])
                except OSError:
                    saved = "(not saved)"
                raise AssertionError("sanitizer report in flint's log (whole report in %s):\n%s"
                                     % (saved, log[start:start + 6000]))

    # ---- files ------------------------------------------------------------
    @property
    def config_dir(self):
        return os.path.join(self.desktop.env["XDG_CONFIG_HOME"], "flint")

    @property
    def history_path(self):
        return os.path.join(self.desktop.env["XDG_DATA_HOME"], "flint", "history.db")

    def history_rows(self, sql, params=()):
        if not os.path.exists(self.history_path):
            return []
        db = sqlite3.connect("file:%s?mode=ro" % self.history_path, uri=True, timeout=5)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

#!/usr/bin/python3
"""Flint installed into a temporary prefix (meson install --destdir) runs from
there: every file a desktop reads is in place and valid, and the installed
D-Bus service file starts the installed binary when the desktop activates
im.flint.Flint (DBusActivatable), which then shows its window."""

import glob
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import flint_harness as fh
from flint_app import FlintApp

APP_ID = "im.flint.Flint"


def meson_prefix(build):
    out = subprocess.run(["meson", "introspect", "--buildoptions", build],
                         capture_output=True, text=True, check=True).stdout
    import json
    opts = {o["name"]: o["value"] for o in json.loads(out)}
    return opts["prefix"], opts["datadir"], opts["bindir"], opts["localedir"]


class InstalledTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="flint-install-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        build = fh.build_root()
        r = subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet",
                            "--destdir", self.tmp], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        prefix, datadir, bindir, localedir = meson_prefix(build)
        root = self.tmp + prefix
        self.share = os.path.join(root, datadir)
        self.bin = os.path.join(root, bindir, "flint")
        self.locale = os.path.join(root, localedir)

    def test_files_in_place_and_valid(self):
        share = self.share
        self.assertTrue(os.access(self.bin, os.X_OK), self.bin)
        desktop = os.path.join(share, "applications", APP_ID + ".desktop")
        metainfo = os.path.join(share, "metainfo", APP_ID + ".metainfo.xml")
        schema = os.path.join(share, "glib-2.0", "schemas", APP_ID + ".gschema.xml")
        service = os.path.join(share, "dbus-1", "services", APP_ID + ".service")
        icon = os.path.join(share, "icons", "hicolor", "scalable", "apps", APP_ID + ".svg")
        symbolic = os.path.join(share, "icons", "hicolor", "symbolic", "apps",
                                APP_ID + "-symbolic.svg")
        mo = os.path.join(self.locale, "de", "LC_MESSAGES", "flint.mo")
        for path in (desktop, metainfo, schema, service, icon, symbolic, mo):
            self.assertTrue(os.path.isfile(path), "not installed: " + path)

        with open(desktop) as f:
            text = f.read()
        self.assertIn("DBusActivatable=true", text)
        self.assertIn("Icon=" + APP_ID, text)
        # The translated name and comment were merged in from de.po.
        self.assertIn("Comment[de]=", text)
        with open(service) as f:
            self.assertIn("Exec=" + self.bin[len(self.tmp):] + " --gapplication-service",
                          f.read())
        with open(metainfo) as f:
            text = f.read()
        self.assertIn("<screenshots>", text)
        self.assertIn("<release ", text)
        for tool in (["desktop-file-validate", desktop],
                     ["appstreamcli", "validate", "--no-net", metainfo],
                     ["glib-compile-schemas", "--strict", "--dry-run", os.path.dirname(schema)]):
            if shutil.which(tool[0]) is None:
                self.skipTest(tool[0] + " is not installed")
            r = subprocess.run(tool, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, " ".join(tool) + ":\n" + r.stdout + r.stderr)
        # Icons are SVG documents of the right size.
        for path, size in ((icon, "128"), (symbolic, "16")):
            with open(path) as f:
                head = f.read(400)
            self.assertIn("<svg", head)
            self.assertIn('width="%s"' % size, head)

    def test_installed_binary_runs_by_dbus_activation(self):
        share = self.share
        schemas = os.path.join(share, "glib-2.0", "schemas")
        # What the distribution's trigger (or meson's post-install outside a
        # destdir) does: compile the installed schemas.
        subprocess.run(["glib-compile-schemas", "--strict", schemas], check=True)
        # The installed service file, pointed at the destdir (its Exec names
        # the final prefix), with the test hooks switched on.
        services = os.path.join(self.tmp, "services", "dbus-1", "services")
        os.makedirs(services)
        with open(os.path.join(share, "dbus-1", "services", APP_ID + ".service")) as f:
            text = f.read()
        exec_line = [l for l in text.splitlines() if l.startswith("Exec=")][0]
        installed_exec = exec_line[len("Exec="):].split()[0]
        text = text.replace(exec_line, "Exec=/usr/bin/env FLINT_TEST_HOOKS=1 " +
                            self.tmp + exec_line[len("Exec="):])
        with open(os.path.join(services, APP_ID + ".service"), "w") as f:
            f.write(text)
        self.assertTrue(os.path.exists(self.tmp + installed_exec))

        saved = {k: os.environ.get(k) for k in ("GSETTINGS_SCHEMA_DIR", "XDG_DATA_DIRS",
                                                "FLINT_BINARY")}
        os.environ["GSETTINGS_SCHEMA_DIR"] = schemas
        os.environ["XDG_DATA_DIRS"] = ":".join(
            [os.path.dirname(os.path.dirname(services)), share, "/usr/share"])
        os.environ["FLINT_BINARY"] = self.bin
        try:
            with fh.Desktop() as desktop:
                app = FlintApp(desktop)
                # As GNOME Shell does for a DBusActivatable launcher.
                r = desktop.run(["gdbus", "call", "--session", "--dest", APP_ID,
                                 "--object-path", "/im/flint/Flint", "--method",
                                 "org.freedesktop.Application.Activate", "{}"], timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                dump = app.wait_for(lambda d: (d.get("window") or "").startswith("welcome"),
                                    timeout=30, what="the welcome page")
                self.assertIn("welcome", dump["window"])
                # The installed binary is the one running.
                pids = desktop.run(["pgrep", "-f", self.bin]).stdout.split()
                self.assertTrue(pids, "no process runs " + self.bin)
                self.assertTrue(desktop.wait_for_window("Flint", timeout=20))
                desktop.screenshot("installed-run.png")
                desktop.run(["gdbus", "call", "--session", "--dest", APP_ID,
                             "--object-path", "/im/flint/Flint", "--method",
                             "org.gtk.Actions.Activate", "quit", "[]", "{}"], timeout=20)
                for _ in range(100):
                    if desktop.run(["pgrep", "-f", self.bin]).returncode != 0:
                        break
                    time.sleep(0.1)
                else:
                    self.fail("the installed Flint did not quit")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


if __name__ == "__main__":
    unittest.main()

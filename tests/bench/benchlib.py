#!/usr/bin/python3
"""Pieces shared by the benches that run real clients (bench-ui.py,
bench-rivals.py): process figures from /proc, the presence component that
gives a big roster presence for everyone, and the machine's description."""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import flint_harness as fh  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def cpu_s(pid):
    """utime + stime of one process, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def wait_idle(pid, quiet_s=2.0, below_s=0.03, timeout=60.0, step=0.25):
    """Waits until the process used less than below_s CPU-seconds over the
    last quiet_s seconds; returns the seconds waited, or None on timeout
    (or when the process is gone). Sampling /proc from the bench costs the
    measured process nothing."""
    t0 = time.monotonic()
    samples = []
    while time.monotonic() - t0 < timeout:
        try:
            now = (time.monotonic(), cpu_s(pid))
        except OSError:
            return None
        samples.append(now)
        while len(samples) > 1 and now[0] - samples[1][0] >= quiet_s:
            samples.pop(0)
        if now[0] - samples[0][0] >= quiet_s and now[1] - samples[0][1] < below_s:
            return now[0] - t0
        time.sleep(step)
    return None


def component_config(domain, port, secret="bench-secret"):
    """Prosody global config for an XEP-0114 component at DOMAIN on PORT."""
    return "\n".join([
        'component_ports = { %d }' % port,
        'component_interfaces = { "127.0.0.1" }',
        'Component "%s"' % domain,
        '    component_secret = "%s"' % secret])


def start_presence_component(prosody, domain, port, secret="bench-secret", log_name="probes.log"):
    """Starts presence_component.py for DOMAIN (user names at it must be
    alphanumeric: Prosody escapes other characters in its file store, which
    Prosody.write_roster does not); returns (Popen, probe log path) once it
    is connected."""
    log = os.path.join(prosody.workdir, log_name)
    # Through the harness's wrapper: it dies with the bench, whatever happens.
    component = subprocess.Popen(
        fh._wrap(["/usr/bin/python3", os.path.join(HERE, "presence_component.py"),
                  domain, secret, "127.0.0.1", str(port)]),
        stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, FLINT_COMPONENT_LOG=log))
    if component.stdout.readline().strip() != "ready":
        raise SystemExit("the presence component did not connect")
    return component, log


def read_probes(path, t0):
    """Probe answer times from the component's log, in seconds after t0."""
    try:
        with open(path) as f:
            return [float(l.split()[1]) - t0 for l in f if l.startswith("probe ")]
    except OSError:
        return []


def big_roster(domain, count):
    """COUNT contacts at the component DOMAIN in 20 groups, subscribed both ways."""
    return [("user%04d@%s" % (i, domain), "User %04d" % i, ["Group %02d" % (i % 20)], "both")
            for i in range(count)]


def disable_cursor_blink(desktop):
    """GTK fades the text cursor with a per-frame animation for 10 s after a
    text view gets focus; on Mesa's software GL each frame is expensive, which
    would swamp idle and flood figures. Off for GTK 3 and 4 alike."""
    for d in ("gtk-3.0", "gtk-4.0"):
        gtk_dir = os.path.join(desktop.env["XDG_CONFIG_HOME"], d)
        os.makedirs(gtk_dir, exist_ok=True)
        with open(os.path.join(gtk_dir, "settings.ini"), "w") as f:
            f.write("[Settings]\ngtk-cursor-blink=false\n")


def machine():
    """(CPU count, CPU model, load average) of this machine."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return os.cpu_count(), model, load

#!/usr/bin/python3
"""A stand-in for GNOME Shell's org.gnome.Mutter.IdleMonitor on a test
session bus. Watches are kept as the real one keeps them; the test makes
time pass by writing lines on stdin:
    idle MS      the user has been idle MS ms: idle watches up to MS fire
    active       the user touched the mouse: user-active watches fire (once)
Prints "ready" once the name is owned, and "watches N" after each change."""

import sys
import threading

from gi.repository import Gio, GLib

XML = """
<node>
  <interface name="org.gnome.Mutter.IdleMonitor">
    <method name="GetIdletime"><arg type="t" direction="out"/></method>
    <method name="AddIdleWatch">
      <arg type="t" name="interval" direction="in"/><arg type="u" direction="out"/>
    </method>
    <method name="AddUserActiveWatch"><arg type="u" direction="out"/></method>
    <method name="RemoveWatch"><arg type="u" name="id" direction="in"/></method>
    <method name="ResetIdletime"/>
    <signal name="WatchFired"><arg type="u" name="id"/></signal>
  </interface>
</node>"""
PATH = "/org/gnome/Mutter/IdleMonitor/Core"

watches = {}  # id -> interval ms, or None for a user-active watch
next_id = [1]
conn = [None]
idle_ms = [0]


def say(text):
    print(text, flush=True)


def on_call(connection, sender, path, iface, method, params, invocation):
    if method == "AddIdleWatch":
        wid = next_id[0]
        next_id[0] += 1
        watches[wid] = params.unpack()[0]
        invocation.return_value(GLib.Variant("(u)", (wid,)))
    elif method == "AddUserActiveWatch":
        wid = next_id[0]
        next_id[0] += 1
        watches[wid] = None
        invocation.return_value(GLib.Variant("(u)", (wid,)))
    elif method == "RemoveWatch":
        watches.pop(params.unpack()[0], None)
        invocation.return_value(None)
    elif method == "GetIdletime":
        invocation.return_value(GLib.Variant("(t)", (idle_ms[0],)))
    else:
        invocation.return_value(None)
    say("watches %d" % len(watches))


def fire(wid):
    conn[0].emit_signal(None, PATH, "org.gnome.Mutter.IdleMonitor", "WatchFired",
                        GLib.Variant("(u)", (wid,)))


def command(line):
    words = line.split()
    if not words:
        return False
    if words[0] == "idle":
        idle_ms[0] = int(words[1])
        for wid, interval in sorted(watches.items(), key=lambda w: w[1] or 0):
            if interval is not None and interval <= idle_ms[0]:
                fire(wid)
    elif words[0] == "active":
        idle_ms[0] = 0
        for wid in [w for w, i in watches.items() if i is None]:
            del watches[wid]
            fire(wid)
    conn[0].flush_sync(None)
    say("done")
    return False


def read_stdin(loop):
    for line in sys.stdin:
        GLib.idle_add(command, line)
    GLib.idle_add(loop.quit)


def main():
    loop = GLib.MainLoop()
    node = Gio.DBusNodeInfo.new_for_xml(XML)
    conn[0] = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    conn[0].register_object(PATH, node.interfaces[0], on_call, None, None)

    def acquired(*args):
        say("ready")
    Gio.bus_own_name_on_connection(conn[0], "org.gnome.Mutter.IdleMonitor",
                                   Gio.BusNameOwnerFlags.NONE, acquired, None)
    threading.Thread(target=read_stdin, args=(loop,), daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()

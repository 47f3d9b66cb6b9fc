#!/usr/bin/python3
"""A stand-in desktop notification server (org.freedesktop.Notifications)
on the session bus in DBUS_SESSION_BUS_ADDRESS, for tests. Prints "ready",
then a JSON line per notification shown: {"id", "app", "summary", "body",
"actions"}. A line "invoke ID ACTION" on stdin clicks it (ActionInvoked)."""

import json
import sys
import threading

from gi.repository import Gio, GLib

import notify_relay

PATH = notify_relay.PATH
NAME = notify_relay.NAME


def main():
    conn = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    loop = GLib.MainLoop()
    next_id = [1]

    def on_call(connection, sender, path, iface, method, params, invocation):
        if method == "Notify":
            app, replaces, _icon, summary, body, actions, _hints, _timeout = params.unpack()
            nid = replaces or next_id[0]
            next_id[0] += 0 if replaces else 1
            print(json.dumps({"id": nid, "app": app, "summary": summary, "body": body,
                              "actions": actions}), flush=True)
            invocation.return_value(GLib.Variant("(u)", (nid,)))
        elif method == "GetCapabilities":
            invocation.return_value(GLib.Variant("(as)", (["actions", "body"],)))
        elif method == "GetServerInformation":
            invocation.return_value(GLib.Variant("(ssss)", ("fake", "flint", "1", "1.2")))
        else:
            nid = params.unpack()[0]
            conn.emit_signal(None, PATH, NAME, "NotificationClosed",
                             GLib.Variant("(uu)", (nid, 3)))
            invocation.return_value(None)

    def read_commands():
        for line in sys.stdin:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "invoke":
                GLib.idle_add(lambda p=parts: conn.emit_signal(
                    None, PATH, NAME, "ActionInvoked",
                    GLib.Variant("(us)", (int(p[1]), p[2]))) and False)
        GLib.idle_add(loop.quit)

    node = Gio.DBusNodeInfo.new_for_xml(notify_relay.XML)
    conn.register_object(PATH, node.interfaces[0], on_call, None, None)
    Gio.bus_own_name_on_connection(conn, NAME, Gio.BusNameOwnerFlags.NONE,
                                   lambda *a: print("ready", flush=True),
                                   lambda *a: loop.quit())
    threading.Thread(target=read_commands, daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Carries desktop notifications from a private session bus to the user's.

    notify_relay.py HOST_BUS_ADDRESS

The demo runs Flint on a bus of its own (its own keyring, nothing left in
the user's), where no notification server listens, so a message from Ana
never showed on the desktop. This process owns org.freedesktop.Notifications
on the private bus (DBUS_SESSION_BUS_ADDRESS), passes every call on to the
server on HOST_BUS_ADDRESS and passes the server's ActionInvoked and
NotificationClosed signals back, so clicking a notification opens the
conversation. Flint must use GLib's freedesktop backend
(GNOTIFICATION_BACKEND=freedesktop). Prints "ready" once the name is owned."""

import sys

from gi.repository import Gio, GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
  </interface>
</node>"""
OUT = {"GetCapabilities": "(as)", "Notify": "(u)", "CloseNotification": "()",
       "GetServerInformation": "(ssss)"}


def main():
    host = Gio.DBusConnection.new_for_address_sync(
        sys.argv[1], Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    private = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    loop = GLib.MainLoop()
    ours = set()  # ids of the notifications we passed on

    def on_call(conn, sender, path, iface, method, params, invocation):
        def done(source, result):
            try:
                reply = host.call_finish(result)
            except GLib.Error as e:
                invocation.return_gerror(e)
                return
            if method == "Notify":
                ours.add(reply.unpack()[0])
            invocation.return_value(reply)
        host.call(NAME, PATH, NAME, method, params, GLib.VariantType(OUT[method]),
                  Gio.DBusCallFlags.NONE, 10000, None, done)

    def on_host_signal(conn, sender, path, iface, signal, params):
        if params.unpack()[0] not in ours:
            return  # another application's notification
        if signal == "NotificationClosed":
            ours.discard(params.unpack()[0])
        private.emit_signal(None, PATH, NAME, signal, params)

    host.signal_subscribe(None, NAME, None, PATH, None, Gio.DBusSignalFlags.NONE,
                          on_host_signal)
    node = Gio.DBusNodeInfo.new_for_xml(XML)
    private.register_object(PATH, node.interfaces[0], on_call, None, None)
    Gio.bus_own_name_on_connection(private, NAME, Gio.BusNameOwnerFlags.NONE,
                                   lambda *a: print("ready", flush=True),
                                   lambda *a: loop.quit())
    loop.run()


if __name__ == "__main__":
    main()

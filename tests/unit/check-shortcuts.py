#!/usr/bin/python3
"""Fails when a keyboard shortcut defined in the sources is missing from the
shortcuts window (ui/gtk/help-overlay.ui): widget class bindings
(gtk_widget_class_add_binding_action) and application accelerators
(gtk_application_set_accels_for_action)."""
import os
import re
import sys
import xml.etree.ElementTree as ET

root = sys.argv[1]
MODS = {"GDK_CONTROL_MASK": "<control>", "GDK_SHIFT_MASK": "<shift>", "GDK_ALT_MASK": "<alt>"}


def norm(accel):
    mods = sorted(m.lower() for m in re.findall(r"<[^>]+>", accel))
    key = re.sub(r"<[^>]+>", "", accel).lower()
    return "".join(mods) + key


defined = {}  # normalized accel -> where
app_accels = {}  # action -> [normalized]
for dirpath, _, files in os.walk(os.path.join(root, "src", "app")):
    for name in files:
        if not name.endswith(".c"):
            continue
        text = open(os.path.join(dirpath, name), encoding="utf-8").read()
        for m in re.finditer(r"gtk_widget_class_add_binding_action\s*\(\s*\w+,\s*GDK_KEY_(\w+),\s*([^,]+),", text):
            key, mods = m.group(1), m.group(2)
            accel = "".join(MODS.get(x.strip(), "") for x in mods.split("|")) + key
            defined[norm(accel)] = name
        # const char *quit_accels[] = { "<Control>q", NULL }; ... set_accels_for_action (app, "app.quit", quit_accels)
        arrays = {m.group(1): re.findall(r'"([^"]+)"', m.group(2))
                  for m in re.finditer(r"(\w+)\[\]\s*=\s*\{([^}]*)\}", text)}
        for m in re.finditer(r'gtk_application_set_accels_for_action\s*\([^,]+,\s*"([^"]+)",\s*(\w+)\)', text):
            for accel in arrays.get(m.group(2), []):
                defined[norm(accel)] = name
                app_accels.setdefault(m.group(1), []).append(norm(accel))

listed = set()
actions = set()
tree = ET.parse(os.path.join(root, "ui", "gtk", "help-overlay.ui"))
for obj in tree.iter("object"):
    if obj.get("class") != "GtkShortcutsShortcut":
        continue
    for prop in obj.findall("property"):
        if prop.get("name") == "accelerator":
            for accel in prop.text.split():
                listed.add(norm(accel))
        elif prop.get("name") == "action-name":
            actions.add(prop.text)
for action, accels in app_accels.items():
    if action in actions:
        listed.update(accels)
listed.add(norm("<control>question"))  # win.show-help-overlay, set by GtkApplication

missing = sorted(a for a in defined if a not in listed)
for a in missing:
    print("shortcut %s (%s) is not in ui/gtk/help-overlay.ui" % (a, defined[a]))
print("%d shortcuts defined, all listed" % len(defined) if not missing else "")
sys.exit(1 if missing or not defined else 0)

#!/usr/bin/python3
"""Fails when a source file with translatable strings is missing from po/POTFILES.in."""
import os
import re
import sys

root = sys.argv[1]
listed = set()
with open(os.path.join(root, "po", "POTFILES.in")) as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            listed.add(line)

missing = []
c_pattern = re.compile(r'\b(_|N_|C_|NC_|ngettext|g_dngettext)\s*\(')
ui_pattern = re.compile(r'translatable="yes"')
for sub in ("src", "ui", "data"):
    for dirpath, _, files in os.walk(os.path.join(root, sub)):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if name.endswith(".c"):
                pat = c_pattern
            elif name.endswith(".ui"):
                pat = ui_pattern
            else:
                continue
            with open(path, encoding="utf-8") as fh:
                if pat.search(fh.read()) and rel not in listed:
                    missing.append(rel)

stale = [p for p in listed if not os.path.exists(os.path.join(root, p))]
for p in missing:
    print(f"missing from po/POTFILES.in: {p}")
for p in stale:
    print(f"listed in po/POTFILES.in but gone: {p}")
sys.exit(1 if missing or stale else 0)

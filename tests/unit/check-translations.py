#!/usr/bin/python3
"""Every translation in po/LINGUAS is complete for the strings in the
sources: a fresh template is extracted (xgettext with the keywords of
meson's glib preset, over po/POTFILES.in), merged into each .po in a
scratch directory, and msgfmt must count no untranslated or fuzzy message.
Update a translation with `ninja -C build flint-update-po`, then translate
what it marks."""
import os
import re
import subprocess
import sys
import tempfile

root = sys.argv[1]
po = os.path.join(root, "po")
keywords = ["--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
            "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3",
            "--keyword=g_dpgettext2:2c,3"]
with open(os.path.join(po, "LINGUAS")) as f:
    languages = [w for line in f for w in line.split("#")[0].split()]
if not languages:
    print("no translations listed in po/LINGUAS")
    sys.exit(1)

failed = False
with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, "flint.pot")
    subprocess.run(["xgettext", "--from-code=UTF-8", "--add-comments", *keywords,
                    "--files-from=" + os.path.join(po, "POTFILES.in"), "--directory=" + root,
                    "--output=" + pot], check=True, capture_output=True)
    for lang in languages:
        merged = os.path.join(tmp, lang + ".po")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                        os.path.join(po, lang + ".po"), pot], check=True)
        r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, merged],
                           capture_output=True, text=True)
        stats = r.stderr.strip()
        print("%s: %s" % (lang, stats))
        if r.returncode != 0 or re.search(r"untranslated|fuzzy", stats):
            failed = True
            out = subprocess.run(["msgattrib", "--untranslated", merged],
                                 capture_output=True, text=True).stdout
            print("\n".join(l for l in out.splitlines() if l.startswith("msgid"))[:4000])
sys.exit(1 if failed else 0)

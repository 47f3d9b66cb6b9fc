#!/usr/bin/python3
"""In-band file receive (XEP-0047) in the real app: a slixmpp contact sends
a file over IBB one 4096-byte block at a time, waiting for each block's
acknowledgement before the next (the way a simple sender works, and the
worst case for round trips). The figure is the sender's own clock from
<open/> to the answer to <close/>; Flint acknowledges a block only once it
is on disk. FLINT_BENCH_IBB_KB sets the size (default 1024 kB).

Prints Markdown list items; exits 1 if the file is not byte-exact."""

import hashlib
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import flint_harness as fh  # noqa: E402
from flint_app import FlintApp  # noqa: E402

KB = int(os.environ.get("FLINT_BENCH_IBB_KB", "1024"))
RUNS = 3


def main():
    size = KB * 1024
    bad = False
    print("### bench-ibb-receive: %d kB over IBB, one 4096-byte block in flight\n" % KB)
    with fh.Prosody() as prosody, fh.Desktop() as desktop:
        prosody.register("alice", "alice-pw")
        prosody.register("bob", "bob-pw")
        folder = desktop.download_folder()
        app = FlintApp(desktop)
        app.add_account(prosody, "alice", "alice-pw")
        app.start()
        me = app.wait_state("online", timeout=90)["bound_jid"]
        bob = fh.Peer.start(prosody, "bob", "bob-pw", resource="peer")
        try:
            for run in range(RUNS):
                name = "bench-%d.bin" % run
                bob.command("si_send_file", wait=False, to=me, name=name, size=size,
                            seed=run, method="ibb")
                dump = app.wait_for(lambda d: [t for t in d.get("transfers", [])
                                               if t["name"] == name],
                                    timeout=30, what="offer")
                tid = [t for t in dump["transfers"] if t["name"] == name][0]["id"]
                app.activate("transfer-accept", "uint32 %d" % tid)
                result = bob.wait_for({"event": "done", "cmd": "si_send_file"}, timeout=600)
                if result.get("result") != "sent" or result.get("bytes") != size:
                    raise SystemExit("the contact could not send: %r" % result)
                app.wait_for(lambda d: [t for t in d.get("transfers", [])
                                        if t["name"] == name and t["state"] == "complete"],
                             timeout=60, what="complete")
                with open(os.path.join(folder, name), "rb") as f:
                    ok = (hashlib.md5(f.read()).hexdigest() ==
                          hashlib.md5(random.Random(run).randbytes(size)).hexdigest())
                bad = bad or not ok
                seconds = result["seconds"]
                print("- run %d: %.2f s, %.0f kB/s, %.1f ms per block%s"
                      % (run + 1, seconds, KB / seconds, 1000 * seconds / (size / 4096),
                         "" if ok else " (FILE DIFFERS)"))
        finally:
            bob.quit()
            app.stop()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

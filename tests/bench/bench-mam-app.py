#!/usr/bin/python3
"""Issue 4, "UI responsive meanwhile": the real flint binary under Xvfb
catches up 10,000 archived messages (FLINT_BENCH_MAM_N) from a local
Prosody while a 10 ms high-priority timer measures the longest main-loop
stall (app.test-stall-watch, max_stall_ms in app.test-dump). Prosody runs
with SQL storage when lua-dbi-sqlite3 is there (else its internal files),
once at its default page limit of 50 and once allowing 1000 (Flint's page
size). The messages are Alice's to Bob from another client, after one
Flint already has, so the catch-up pages forward through all of them.

Prints Markdown list items; exits 1 if a stall passes 50 ms or a message
is missing."""

import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import flint_harness as fh  # noqa: E402
from flint_app import FlintApp  # noqa: E402

N = int(os.environ.get("FLINT_BENCH_MAM_N", "10000"))
PER_RAW = 100
BUDGET_STALL_MS = 50.0


def fill(prosody, bob, prefix, n):
    alice = fh.Peer.start(prosody, "alice", "alice-pw", resource="phone")
    for i in range(0, n, PER_RAW):
        alice.raw("".join(
            "<message xmlns='jabber:client' to='%s' type='chat' id='%s%d'><body>Message "
            "number %d of the benchmark, about as long as a line of office chat.</body>"
            "<origin-id xmlns='urn:xmpp:sid:0' id='%s%d'/></message>"
            % (bob, prefix, j, j, prefix, j) for j in range(i, min(n, i + PER_RAW))))
        if (i // PER_RAW) % 10 == 9:
            alice.command("ping", timeout=300)
    alice.command("ping", timeout=300)
    alice.quit()


def stored(app):
    rows = app.history_rows("SELECT count(*) FROM messages WHERE body LIKE 'Message number %'")
    return rows[0][0] if rows else 0


def main():
    storage = "sql" if fh.sql_storage_available() else "internal"
    missed = False
    print("### bench-mam-app: %d archived messages, Prosody storage \"%s\"%s\n"
          % (N, storage, "" if storage == "sql" else
             " (lua-dbi-sqlite3 missing: apt-get install lua-dbi-sqlite3)"))
    with fh.Prosody(storage=storage, extra_global="storage_archive_item_limit = 100000",
                    sql_database=("/dev/shm/flint-bench-mam-app-%d.sqlite" % os.getpid()
                                  if storage == "sql" and os.path.isdir("/dev/shm")
                                  else None)) as prosody, fh.Desktop() as desktop:
        prosody.register("alice", "alice-pw")
        prosody.register("bob", "bob-pw")
        bob = prosody.jid("bob")
        app = FlintApp(desktop)
        app.add_account(prosody, "alice", "alice-pw")

        # A first start stores one message and its archive position.
        fill(prosody, bob, "seed", 1)
        app.start()
        app.wait_state("online", timeout=60)
        app.wait_for(lambda d: not d.get("catching_up") and stored(app) >= 1, timeout=60,
                     what="the seed message")
        app.stop()
        data = os.path.join(desktop.env["XDG_DATA_HOME"], "flint")
        seed = os.path.join(desktop.basedir, "seed-flint-data")
        shutil.copytree(data, seed)

        fill(prosody, bob, "m", N)
        for name, option in (("Prosody's default limit of 50 per page", None),
                             ("server allowing 1000 per page", "max_archive_query_results = 1000")):
            shutil.rmtree(data)
            shutil.copytree(seed, data)
            if option:
                with open(prosody.config_path) as f:
                    text = f.read()
                text = text.replace("\nVirtualHost", "\n%s\nVirtualHost" % option, 1)
                with open(prosody.config_path, "w") as f:
                    f.write(text)
                prosody.restart()
            app.start()
            app.wait_for(lambda d: d is not None, timeout=30, what="the app on the bus")
            # From sign-in on: the window's first frame comes before.
            app.wait_state("online", timeout=60)
            app.activate("test-stall-watch", "true")
            started = time.monotonic()
            dump = app.wait_for(lambda d: not d.get("catching_up") and stored(app) >= N + 1,
                                timeout=600, what="the catch-up")
            seconds = time.monotonic() - started
            stall = dump["max_stall_ms"]
            n = stored(app)
            print("- %s: %d messages caught up in about %.1f s (from online; dumps polled "
                  "every 0.1 s); longest main-loop stall %.1f ms (budget %.0f ms)%s"
                  % (name, n - 1, seconds, stall, BUDGET_STALL_MS,
                     " **MISSED**" if stall > BUDGET_STALL_MS else ""))
            sys.stdout.flush()
            if stall > BUDGET_STALL_MS or n != N + 1:
                missed = True
            app.stop()
        sql_database = prosody.sql_database
    if sql_database:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(sql_database + suffix)
            except FileNotFoundError:
                pass
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

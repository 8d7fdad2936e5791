"""Two trees of the service side by side under bench_load.py's load, interleaved (issue 18).

    .venv/bin/python benchmarks/bench_load_ab.py [--rounds 3] [--seconds 15] [--scenario d|c] \
        NAME=SRC NAME=SRC ...

Each ``NAME=SRC`` starts ``bouclier serve --workers 2`` with ``PYTHONPATH=SRC`` (a tree's ``src``,
e.g. a ``git worktree`` of an older commit with its built extensions copied in), all of them on
bench_load.py's bank of 1M hashes (built by a first ``bench_load.py`` run) at once; then, round
after round, each is loaded in turn by wrk with bench_load.py's bodies: (d) one hash a request on
the lean ``/v1/lookup`` at 16 connections, or (c) a 1 MP JPEG upload to ``/v1/match`` at 8. Each
line gives the observed requests/s, the server CPU per request (every process of the tree, user +
system) and what that is on 2 own cores (2,000 / ms), as bench_load.py counts them. Interleaving
puts the machine's load on every tree alike: compare the trees within a run, not across runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_load as bl

SCENARIOS = {
    "d": ("/v1/lookup", 16, "lookup-bodies-1.txt", "lines", "application/json"),
    "c": (
        "/v1/match",
        8,
        "upload-bodies.txt",
        "files",
        f"multipart/form-data; boundary={bl.BOUNDARY}",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trees", nargs="+", help="NAME=SRC: a name and the src folder it runs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="d")
    args = parser.parse_args()
    trees = [tuple(t.split("=", 1)) for t in args.trees]
    if any(len(t) != 2 or not Path(t[1]).is_dir() for t in trees):
        raise SystemExit("each tree is NAME=SRC, SRC an existing folder (a tree's src)")
    if not (bl.CACHE / "bank-ready").exists():
        raise SystemExit("no bank yet: run benchmarks/bench_load.py --quick --scenarios d once")
    path, connections, bodies, mode, content_type = SCENARIOS[args.scenario]
    key = bl.cli("key", "create", "--role", "platform", "--name", "bench-load-ab").strip()
    wrk_bin = bl.ensure_wrk()
    servers = []
    try:
        for name, src in trees:
            port = bl.free_port()
            env = {**bl.bouclier_env(), "PYTHONPATH": src}
            serve = [str(bl.VENV / "bouclier"), "serve", "--host", "127.0.0.1", "--port", str(port)]
            servers.append((name, bl.start(f"ab-{name}", [*serve, "--workers", "2"], env, port)))
        sent = (bl.CACHE / bodies, mode, content_type)
        print(
            "| round | tree | req/s | server CPU ms / request | on 2 own cores | p99 ms | errors |"
        )
        print("|---|---|---|---|---|---|---|")
        for round_ in range(1, args.rounds + 1):
            for name, server in servers:
                r = bl.measure(
                    f"({args.scenario}) {name}",
                    server,
                    wrk_bin,
                    path,
                    args.seconds,
                    connections,
                    sent,
                    f"Bearer {key}",
                )
                print(
                    f"| {round_} | {name} | {r.rps:,.0f} | {r.cpu_ms:.3f} | {r.capacity:,.0f} | "
                    f"{r.p99_ms:.1f} | {r.errors} |",
                    flush=True,
                )
    finally:
        for _, server in servers:
            server.stop()


if __name__ == "__main__":
    main()

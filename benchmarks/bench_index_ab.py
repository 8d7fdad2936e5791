"""Two builds of the index's C module side by side in one process: before/after on a loaded machine.

On a machine shared with other work, two runs minutes apart see different loads; this loads an
older build of ``bouclier.index._hamming`` (``--old``, a .so built from another commit) beside the
current one, has both search the very same tables (both adopt them, as from a snapshot, so the
format must be the same) and interleaves them query by query, each on another
query at each step, so that a query's cache lines are long gone when the next variant reaches it.
Both read one copy of the tables (a numpy array, on huge pages like a build's).
Rows: the old module, the current one on the caller's thread (threads=1), and the current one
with helper threads when worth it (threads=0). CPU time is the process's (every thread's);
answers are checked equal.

    mkdir -p /tmp/before && git archive 20d3c63 src | tar -x -C /tmp/before
    gcc -shared -fPIC -O3 -std=c11 -mpopcnt -pthread -I"$(.venv/bin/python -c \
        'import sysconfig; print(sysconfig.get_paths()["include"])')" \
        /tmp/before/src/bouclier/index/_hamming.c /tmp/before/src/bouclier/index/_tables.c \
        -o /tmp/before/_hamming.cpython-311-x86_64-linux-gnu.so
    .venv/bin/python benchmarks/bench_index_ab.py \
        --old /tmp/before/_hamming.cpython-311-x86_64-linux-gnu.so --sizes 10000000
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hash_families import DISTRIBUTIONS

from bouclier.index import _hamming, segments
from bouclier.index.segments import plan_layout

RADIUS = 31
IMAGE = 8


def load_module(path: Path) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader("bouclier.index._hamming", str(path))
    spec = importlib.util.spec_from_file_location(loader.name, path, loader=loader)
    assert spec is not None
    return loader.create_module(spec)  # type: ignore[return-value]


def stored(tables: _hamming.MultiIndex) -> np.ndarray:
    """The tables as a snapshot stores them (every array, each padded to 8 bytes), in one numpy
    array: on huge pages, as the tables of a build are."""
    return segments.packed(tables)


def compare(n: int, distribution: str, queries: int, reps: int, old: ModuleType) -> list[str]:
    bank = DISTRIBUTIONS[distribution](n, queries)
    hashes = np.ascontiguousarray(bank.hashes)
    bits = plan_layout(n)
    built = _hamming.MultiIndex(hashes, bits)
    wide, tables = built.wide, stored(built)
    del built  # both modules search this one copy of the tables
    new = _hamming.MultiIndex.adopt(hashes, bits, wide, tables)
    before = old.MultiIndex.adopt(hashes, bits, wide, tables)
    variants: dict[str, Callable[[bytes], tuple[bytes, bytes, bytes]]] = {
        "old": lambda q: before.search(q, RADIUS),
        "new, 1 thread": lambda q: new.search(q, RADIUS, None, 0, 1),
        "new, threads=0": lambda q: new.search(q, RADIUS, None, 0, 0),
    }
    singles = [q.tobytes() for q in bank.queries]
    images = [
        np.ascontiguousarray(bank.queries[[(i + k) % queries for k in range(IMAGE)]]).tobytes()
        for i in range(queries)
    ]
    lines = []
    for kind, items in (("1 hash", singles), ("image", images)):
        wall: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        for rep in range(reps + 1):  # the first round warms up
            for i in range(len(items)):
                names = list(variants)
                order = names if (i + rep) % 2 == 0 else names[::-1]
                for name in order:
                    item = items[(i + 100 * names.index(name)) % len(items)]
                    start, start_cpu = time.perf_counter(), time.process_time()
                    variants[name](item)
                    if rep:
                        wall[name].append(time.perf_counter() - start)
                        cpu[name].append(time.process_time() - start_cpu)
        load = os.getloadavg()[0]
        for name in variants:
            w, c = np.array(wall[name]) * 1e3, np.array(cpu[name]) * 1e3
            lines.append(
                f"| {n:,} | {distribution} | {kind} | {name} | {np.percentile(c, 50):.3f} "
                f"| {np.percentile(c, 99):.3f} | {np.percentile(w, 50):.3f} "
                f"| {np.percentile(w, 99):.3f} | {load:.1f} |"
            )
    for item in images[:50]:
        a, b = before.search(item, RADIUS), new.search(item, RADIUS, None, 0, 0)
        assert a[2] == b[2], "per-query counts differ"
        assert sorted(np.frombuffer(a[0], np.uint32)) == sorted(np.frombuffer(b[0], np.uint32))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, required=True, help="the older _hamming .so")
    parser.add_argument("--sizes", default="10000000")
    parser.add_argument("--distributions", default="uniform,families")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reps", type=int, default=2, help="timed rounds over the queries")
    args = parser.parse_args(argv)
    old = load_module(args.old)
    print(
        "| N | bank | query | build | CPU p50 ms | CPU p99 ms | wall p50 ms | wall p99 ms | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        for name in args.distributions.split(","):
            print("\n".join(compare(n, name, args.queries, args.reps, old)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

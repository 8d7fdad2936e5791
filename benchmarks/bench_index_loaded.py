"""A loaded index searched where it lies (memory-mapped file, 4 KiB pages) or copied into memory.

One snapshot is saved, then loaded twice in one process: ``HammingIndex.load(path)`` and
``HammingIndex.load(path, in_memory=True)``; their searches are interleaved query by query (each
on another query at each step), one thread each, so both see the same load. Prints load seconds
and CPU/wall p50 and p99 per hash and per image (8 hashes). Memory: twice the index plus the bank
(use it up to 30M on a shared machine).

    BENCH_TMP=/var/tmp .venv/bin/python benchmarks/bench_index_loaded.py --sizes 10000000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hash_families import DISTRIBUTIONS

from bouclier.index import HammingIndex

RADIUS = 31
IMAGE = 8


def compare(n: int, distribution: str, queries: int, reps: int, folder: str) -> list[str]:
    bank = DISTRIBUTIONS[distribution](n, queries)
    path = Path(folder) / "index.bin"
    index = HammingIndex()
    index.add(bank.hashes, bank.labels)
    index.save(path)
    del index
    loaded = {}
    for name, copy in (("mapped", False), ("in memory", True)):
        start = time.perf_counter()
        loaded[name] = (HammingIndex.load(path, in_memory=copy), time.perf_counter() - start)
    images = [bank.queries[[(i + k) % queries for k in range(IMAGE)]] for i in range(queries)]
    lines = []
    for kind, items in (("1 hash", list(bank.queries)), ("image", images)):
        wall: dict[str, list[float]] = {name: [] for name in loaded}
        cpu: dict[str, list[float]] = {name: [] for name in loaded}
        names = list(loaded)
        for rep in range(reps + 1):  # the first round warms up
            for i in range(len(items)):
                for name in names if (i + rep) % 2 == 0 else names[::-1]:
                    item = items[(i + 100 * names.index(name)) % len(items)]
                    index = loaded[name][0]
                    start, start_cpu = time.perf_counter(), time.process_time()
                    if item.ndim == 2:
                        index.search_many(item, RADIUS)
                    else:
                        index.search(item, RADIUS)
                    if rep:
                        wall[name].append(time.perf_counter() - start)
                        cpu[name].append(time.process_time() - start_cpu)
        load = os.getloadavg()[0]
        for name in names:
            w, c = np.array(wall[name]) * 1e3, np.array(cpu[name]) * 1e3
            lines.append(
                f"| {n:,} | {distribution} | {kind} | {name} | {loaded[name][1]:.2f} "
                f"| {np.percentile(c, 50):.3f} | {np.percentile(c, 99):.3f} "
                f"| {np.percentile(w, 50):.3f} | {np.percentile(w, 99):.3f} | {load:.1f} |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000000")
    parser.add_argument("--distributions", default="uniform")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reps", type=int, default=2, help="timed rounds over the queries")
    args = parser.parse_args(argv)
    print(
        "| N | bank | query | index | load s | CPU p50 ms | CPU p99 ms | wall p50 ms "
        "| wall p99 ms | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        for name in args.distributions.split(","):
            with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as folder:
                print("\n".join(compare(n, name, args.queries, args.reps, folder)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

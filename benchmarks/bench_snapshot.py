"""Benchmark of loading the index's snapshot: format 2 (tables stored, memory-mapped, checked)
beside format 1 (labels and hashes only, tables rebuilt on every core), on the same bank.

For each size N: N random hashes (sorted labels), an index built and saved in both formats, then
freed; each file is loaded ``--rounds`` times (median), each load followed by one search so that
the index is usable, not only read. Reported: wall and CPU seconds of the process (CPU counts
every thread: the checks and builds run on all cores), the files' sizes, and the ratio. The files
go to a temporary folder (BENCH_TMP, else the system's); at 100M the two take ~13 GB of disk.

    .venv/bin/python benchmarks/bench_snapshot.py [--sizes 10000000,100000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import struct
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from bouclier.index import HammingIndex
from bouclier.index.snapshot import MAGIC, write_atomically


def write_v1(path: Path, hashes: np.ndarray, labels: np.ndarray) -> None:
    """The version-1 form (docs in bouclier.index.snapshot): header, labels, hashes, CRC-32."""
    header = struct.pack("<12sIIIQ", MAGIC, 1, 32, 0, len(labels))
    write_atomically(path, (header, labels.astype("<i8"), hashes), checksum=zlib.crc32)


def timed_load(path: Path, query: np.ndarray, rounds: int) -> tuple[float, float]:
    """Median wall and process-CPU seconds of a load plus one search."""
    wall, cpu = [], []
    for _ in range(rounds):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        index = HammingIndex.load(path)
        index.search(query, 31)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        del index
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print("| N | format 2 load s (CPU s) | format 1 load s (CPU s) | ratio | files MiB (2 / 1) |")
    print("|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        rng = np.random.default_rng(0)
        hashes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
        labels = np.arange(n, dtype=np.int64) * 3 + 1
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as folder:
            v2, v1 = Path(folder) / "v2.bin", Path(folder) / "v1.bin"
            index = HammingIndex()
            index.add(hashes, labels)
            index.save(v2)
            del index
            write_v1(v1, hashes, labels)
            query = hashes[n // 2].copy()
            del hashes, labels
            new_wall, new_cpu = timed_load(v2, query, args.rounds)
            old_wall, old_cpu = timed_load(v1, query, args.rounds)
            sizes = f"{v2.stat().st_size / 2**20:,.0f} / {v1.stat().st_size / 2**20:,.0f}"
        print(
            f"| {n:,} | {new_wall:.2f} ({new_cpu:.2f}) | {old_wall:.2f} ({old_cpu:.2f}) "
            f"| {old_wall / new_wall:.1f}x | {sizes} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

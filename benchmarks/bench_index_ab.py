"""Table layouts (and, optionally, an older build of the C module) side by side in one process.

On a machine shared with other work, two runs minutes apart see different loads; this builds
every variant over the same bank in one process and interleaves them query by query, each on
another query at each step, so that a query's cache lines are long gone when the next variant
reaches it. Variants: ``--layouts`` (``planned``: what ``plan_layout`` picks; ``M``: M tables
of widths differing by one bit over the 256; ``MxB``: M tables of B bits), each searched on the
caller's thread, and ``--old``, a .so built from another commit (or with other build-time
switches), with the first layout, repeatable, each named by its folder (with ``--shared-snapshot
DIR``, all search one saved file of that layout, memory-mapped: one copy of the tables in
memory, for sizes where two would not fit):

    mkdir -p /tmp/before && git archive 20d3c63 src | tar -x -C /tmp/before
    gcc -shared -fPIC -O3 -std=c11 -mpopcnt -pthread -I"$(.venv/bin/python -c \
        'import sysconfig; print(sysconfig.get_paths()["include"])')" \
        /tmp/before/src/bouclier/index/_hamming.c /tmp/before/src/bouclier/index/_tables.c \
        -o /tmp/before/_hamming.cpython-311-x86_64-linux-gnu.so
    .venv/bin/python benchmarks/bench_index_ab.py --layouts planned,9x28 --sizes 10000000

Per variant: the table bytes per hash, the offsets' forms, the cost model's estimate of one hash
(``_hamming.estimate``, nanoseconds), CPU and wall time per query (one hash, and an image of
8 hashes in one call), and user-space instructions per query counted by the kernel over one more
pass (``n/a`` where it gives no hardware counter, as in some VMs: count with callgrind then);
answers are checked equal across variants. Table bytes of a mapped file are its arrays' sizes.
"""

from __future__ import annotations

import argparse
import ctypes
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

from bouclier.index import _hamming, snapshot
from bouclier.index.segments import MAX_TABLE_BITS, plan_layout

RADIUS = 31
IMAGE = 8
FORMS = "CWN"  # compact (2 bytes a bucket), wide (4), narrow (1)


def load_module(path: Path) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader("bouclier.index._hamming", str(path))
    spec = importlib.util.spec_from_file_location(loader.name, path, loader=loader)
    assert spec is not None
    return loader.create_module(spec)  # type: ignore[return-value]


def layout(text: str, n: int) -> tuple[int, ...]:
    if text == "planned":
        return plan_layout(n)
    if "x" in text:
        m, bits = (int(part) for part in text.split("x"))
        return (bits,) * m
    width, extra = divmod(256, int(text))
    bits = (width + 1,) * extra + (width,) * (int(text) - extra)
    return tuple(min(b, MAX_TABLE_BITS) for b in bits)


def table_bytes(index: object) -> int:
    """The tables' bytes: ``nbytes`` for tables built in memory; for tables adopted from a
    memory-mapped snapshot (``nbytes`` 0: the file's pages are not the process's own memory),
    the size of their arrays as stored."""
    held = int(getattr(index, "nbytes", 0))
    parts = getattr(index, "parts", None)
    if held or parts is None:
        return held
    return sum(memoryview(array).nbytes for arrays in parts() for array in arrays)


def describe(index: object, bits: tuple[int, ...], n: int) -> str:
    forms = getattr(index, "forms", None)
    kinds = "".join(FORMS[f] for f, _ in forms) if forms else "old"
    spilled = sum(s for _, s in forms) if forms else 0
    cost = _hamming.estimate(n, bits, RADIUS)[0] / 1e3
    return (
        f"{len(bits)}x{min(bits)}-{max(bits)} {kinds}"
        f" | {table_bytes(index) / n:.1f} | {spilled} | {cost:.0f}"
    )


def _stored(hashes: np.ndarray, tables: object) -> snapshot.StoredSegment:
    n = len(hashes)
    return snapshot.StoredSegment(
        hashes,
        np.arange(n, dtype=np.int64),
        np.zeros((n + 7) // 8, np.uint8),
        tables,  # type: ignore[arg-type]
        np.zeros((0, 32), np.uint8),
        np.zeros(0, np.int64),
    )


def compare(
    n: int,
    distribution: str,
    queries: int,
    reps: int,
    layouts: list[str],
    olds: list[tuple[str, ModuleType]],
    folder: Path | None = None,
) -> list[str]:
    bank = DISTRIBUTIONS[distribution](n, queries)
    hashes = np.ascontiguousarray(bank.hashes)
    variants: dict[str, Callable[[bytes], tuple[bytes, bytes, bytes]]] = {}
    about: dict[str, str] = {}
    for text in layouts:
        if olds and folder is not None and text == layouts[0]:
            continue  # searched in its file, below
        bits = layout(text, n)
        index = _hamming.MultiIndex(hashes, bits)
        variants[text] = lambda q, index=index: index.search(q, RADIUS, None, 0, 1)
        about[text] = describe(index, bits, n)
    if olds and folder is not None:
        # all read one file's pages (the page cache holds one copy): what lets two indexes of
        # 9x28 at 30M be compared on a machine that could not hold two of them
        bits = layout(layouts[0], n)
        path = folder / "ab.idx"
        built = _hamming.MultiIndex(hashes, bits)
        snapshot.write(path, _stored(hashes, built))
        del built
        mapped = snapshot.read(path).tables
        assert mapped is not None
        variants[layouts[0]] = lambda q: mapped.search(q, RADIUS, None, 0, 1)
        about[layouts[0]] = describe(mapped, bits, n) + " (file)"
        for name, module in olds:
            try:
                snapshot._hamming = module  # type: ignore[attr-defined]  # read by that module
                before = snapshot.read(path).tables
            finally:
                snapshot._hamming = _hamming  # type: ignore[attr-defined]
            variants[name] = lambda q, before=before: before.search(q, RADIUS)  # type: ignore[union-attr]
            about[name] = describe(before, bits, n) + " (file)"
        path.unlink()  # every variant keeps its mapping
    else:
        for name, module in olds:
            bits = layout(layouts[0], n)
            before = module.MultiIndex(hashes, bits)
            variants[name] = lambda q, before=before: before.search(q, RADIUS)
            about[name] = describe(before, bits, n)
    singles = [q.tobytes() for q in bank.queries]
    images = [
        np.ascontiguousarray(bank.queries[[(i + k) % queries for k in range(IMAGE)]]).tobytes()
        for i in range(queries)
    ]
    lines = []
    names = list(variants)
    for kind, items in (("1 hash", singles), ("image", images)):
        wall: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        for rep in range(reps + 1):  # the first round warms up
            for i in range(len(items)):
                order = names if (i + rep) % 2 == 0 else names[::-1]
                for name in order:
                    item = items[(i + 100 * names.index(name)) % len(items)]
                    start, start_cpu = time.perf_counter(), time.process_time()
                    variants[name](item)
                    if rep:
                        wall[name].append(time.perf_counter() - start)
                        cpu[name].append(time.process_time() - start_cpu)
        load = os.getloadavg()[0]
        for name, search in variants.items():
            w, c = np.array(wall[name]) * 1e3, np.array(cpu[name]) * 1e3
            counted = instructions(search, items)
            lines.append(
                f"| {n:,} | {distribution} | {kind} | {name}: {about[name]} "
                f"| {np.percentile(c, 50):.3f} | {np.percentile(c, 99):.3f} "
                f"| {np.percentile(w, 50):.3f} | {np.percentile(w, 99):.3f} "
                f"| {'n/a' if np.isnan(counted) else f'{counted / 1e3:,.0f}'} | {load:.1f} |"
            )
    for item in images[:50]:
        found = [variants[name](item) for name in names]
        for other in found[1:]:
            assert other[2] == found[0][2], "per-query counts differ"
            assert sorted(np.frombuffer(other[0], np.uint32)) == sorted(
                np.frombuffer(found[0][0], np.uint32)
            )
    return lines


class _PerfAttr(ctypes.Structure):
    # the first 64 bytes of struct perf_event_attr (PERF_ATTR_SIZE_VER0)
    _fields_ = [
        ("type", ctypes.c_uint32),
        ("size", ctypes.c_uint32),
        ("config", ctypes.c_uint64),
        ("sample_period", ctypes.c_uint64),
        ("sample_type", ctypes.c_uint64),
        ("read_format", ctypes.c_uint64),
        ("flags", ctypes.c_uint64),
        ("wakeup_events", ctypes.c_uint32),
        ("bp_type", ctypes.c_uint32),
        ("config1", ctypes.c_uint64),
    ]


def instructions(search: Callable[[bytes], object], items: list[bytes]) -> float:
    """User-space instructions retired by this thread per item, over one pass (NaN where the
    kernel gives no counter): searches on one thread only, so the thread's count is theirs."""
    libc = ctypes.CDLL(None, use_errno=True)
    attr = _PerfAttr(type=0, size=64, config=1)  # PERF_TYPE_HARDWARE, INSTRUCTIONS
    attr.flags = 1 | (1 << 5) | (1 << 6)  # disabled, exclude_kernel, exclude_hv
    fd = libc.syscall(298, ctypes.byref(attr), 0, -1, -1, 0)  # perf_event_open, this thread
    if fd < 0:
        return float("nan")
    try:
        libc.ioctl(fd, 0x2403, 0)  # PERF_EVENT_IOC_RESET
        libc.ioctl(fd, 0x2400, 0)  # PERF_EVENT_IOC_ENABLE
        for item in items:
            search(item)
        libc.ioctl(fd, 0x2401, 0)  # PERF_EVENT_IOC_DISABLE
        count = ctypes.c_uint64()
        os.readv(fd, [memoryview(count).cast("B")])  # type: ignore[arg-type]
        return count.value / len(items)
    finally:
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layouts", default="planned", help="comma-separated, see above")
    parser.add_argument(
        "--old",
        type=Path,
        action="append",
        default=[],
        help="another build of _hamming (a .so), with the first layout; may be repeated (each "
        "named by its folder's name)",
    )
    parser.add_argument("--sizes", default="10000000")
    parser.add_argument("--distributions", default="uniform,families")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reps", type=int, default=2, help="timed rounds over the queries")
    parser.add_argument(
        "--shared-snapshot",
        type=Path,
        help="with --old: a folder where the first layout is saved, then both the new and the "
        "old module search that one memory-mapped file (one copy of the tables in memory)",
    )
    args = parser.parse_args(argv)
    olds = [(path.parent.name, load_module(path)) for path in args.old]
    print(
        "| N | bank | query | variant: layout, forms (C 2 bytes, W 4, N 1 a bucket) "
        "| table B/hash | spilled blocks | model µs | CPU p50 ms | CPU p99 ms "
        "| wall p50 ms | wall p99 ms | k instructions a query | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        for name in args.distributions.split(","):
            lines = compare(
                n,
                name,
                args.queries,
                args.reps,
                args.layouts.split(","),
                olds,
                args.shared_snapshot,
            )
            print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

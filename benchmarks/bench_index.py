"""Benchmark of bouclier.index against faiss: exact PDQ matching at radius 31, one thread.

For each size N: N random 256-bit hashes, among which each query has 8 planted neighbours at
distances drawn from 0..40 (so about 6 of them within radius 31). Measured for Bouclier's
HammingIndex: build time, memory per hash (memory_bytes()/N and RSS growth), snapshot save and
load, latency of one hash (search) and of one image (8 hashes, search_many), and exactness
against the brute-force reference. The same data and queries go to faiss IndexBinaryFlat
(range_search, exact) and IndexBinaryMultiHash(256, 16, 16) with nflip=0 (how Meta's HMA
configures it; not exact) and nflip=1 (exact at radius 31). faiss's slow exact searches run on
fewer queries (the table says how many). Latencies never enter a test; they live here.

    .venv/bin/python benchmarks/bench_index.py [--sizes 1000000,10000000] [--queries 1000]
                                               [--faiss-queries 200] [--out FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bouclier.index import HammingIndex, brute_force_search

RADIUS = 31
PER_QUERY = 8  # planted neighbours per query
IMAGE = 8  # hashes per image: the 8 orientations


@dataclass
class Result:
    system: str
    build_s: float
    reported_bytes: float | None  # per hash, as the index itself reports it
    rss_bytes: float  # per hash, growth of the process's resident memory
    single: np.ndarray  # seconds per one-hash query
    image: np.ndarray  # seconds per 8-hash query
    exact: int  # queries whose result equals brute force exactly
    checked: int
    recall: float  # true neighbours found / true neighbours
    save_s: float | None = None
    load_s: float | None = None


def rss() -> int:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # return freed heap pages to the OS,
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # so that RSS growth is what is really held
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_data(n: int, n_queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hashes, labels, queries): random hashes plus PER_QUERY planted neighbours per query."""
    rng = np.random.default_rng(seed)
    queries = rng.integers(0, 256, size=(n_queries, 32), dtype=np.uint8)
    planted = np.repeat(queries, PER_QUERY, axis=0)
    bits = np.unpackbits(planted, axis=1)
    for row, distance in enumerate(rng.integers(0, 41, size=len(planted))):
        bits[row, rng.choice(256, size=distance, replace=False)] ^= 1
    hashes = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    hashes[rng.choice(n, size=len(planted), replace=False)] = np.packbits(bits, axis=1)
    labels = rng.permutation(n).astype(np.int64) * 3 + 1  # unique, in no particular order
    return hashes, labels, queries


def images(queries: np.ndarray, count: int) -> list[np.ndarray]:
    q = len(queries)
    return [queries[[(i + k) % q for k in range(IMAGE)]] for i in range(count)]


def timed(call: Callable[[np.ndarray], object], items: Sequence[np.ndarray]) -> np.ndarray:
    for item in items[:5]:  # warm-up
        call(item)
    out = np.empty(len(items))
    for i, item in enumerate(items):
        start = time.perf_counter()
        call(item)
        out[i] = time.perf_counter() - start
    return out


def score(
    found: list[set[tuple[int, int]]], truth: list[set[tuple[int, int]]]
) -> tuple[int, float]:
    exact = sum(f == t for f, t in zip(found, truth, strict=False))
    relevant = sum(len(t) for t in truth[: len(found)])
    hit = sum(len(f & t) for f, t in zip(found, truth, strict=False))
    return exact, hit / max(relevant, 1)


def bench_bouclier(
    hashes: np.ndarray, labels: np.ndarray, queries: np.ndarray, truth: list[set[tuple[int, int]]]
) -> Result:
    n = len(labels)
    before = rss()
    start = time.perf_counter()
    index = HammingIndex()
    index.add(hashes, labels)
    build = time.perf_counter() - start
    grown = rss() - before
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index.bin"
        start = time.perf_counter()
        index.save(path)
        save = time.perf_counter() - start
        start = time.perf_counter()
        loaded = HammingIndex.load(path)
        load = time.perf_counter() - start
        assert len(loaded) == n
        del loaded
    single = timed(lambda q: index.search(q, RADIUS), list(queries))
    image = timed(lambda b: index.search_many(b, RADIUS), images(queries, len(queries)))
    found = [
        set(zip(h.labels.tolist(), h.distances.tolist(), strict=True))
        for h in (index.search(q, RADIUS) for q in queries[: len(truth)])
    ]
    exact, recall = score(found, truth)
    return Result(
        "Bouclier HammingIndex",
        build,
        index.memory_bytes() / n,
        grown / n,
        single,
        image,
        exact,
        len(truth),
        recall,
        save,
        load,
    )


def bench_faiss(
    hashes: np.ndarray,
    labels: np.ndarray,
    queries: np.ndarray,
    truth: list[set[tuple[int, int]]],
    faiss_queries: int,
) -> list[Result]:
    import faiss

    faiss.omp_set_num_threads(1)
    n = len(labels)

    def search(index: object, block: np.ndarray) -> list[set[tuple[int, int]]]:
        # binary range_search keeps distances < radius: RADIUS + 1 gives <= RADIUS
        lims, distances, ids = index.range_search(block, RADIUS + 1)  # type: ignore[attr-defined]
        return [
            set(zip(labels[ids[a:b]].tolist(), distances[a:b].tolist(), strict=True))
            for a, b in itertools.pairwise(lims)
        ]

    def run(name: str, index: object, build: float, grown: int, count: int) -> Result:
        single = timed(lambda q: search(index, q[None]), list(queries[:count]))
        image = timed(lambda b: search(index, b), images(queries, max(count // 4, 20)))
        checked = min(count, len(truth))
        found = [search(index, q[None])[0] for q in queries[:checked]]
        exact, recall = score(found, truth[:checked])
        flat_bytes = 32.0 if "Flat" in name else None
        return Result(name, build, flat_bytes, grown / n, single, image, exact, checked, recall)

    results = []
    before = rss()
    start = time.perf_counter()
    flat = faiss.IndexBinaryFlat(256)
    flat.add(hashes)
    build = time.perf_counter() - start
    results.append(run("faiss IndexBinaryFlat", flat, build, rss() - before, faiss_queries))
    del flat
    before = rss()
    start = time.perf_counter()
    multi = faiss.IndexBinaryMultiHash(256, 16, 16)
    multi.add(hashes)
    build = time.perf_counter() - start
    grown = rss() - before
    multi.nflip = 0
    results.append(run("faiss MultiHash nflip=0", multi, build, grown, len(queries)))
    multi.nflip = 1
    results.append(run("faiss MultiHash nflip=1", multi, build, grown, faiss_queries))
    return results


def ms(seconds: np.ndarray, q: float) -> str:
    return f"{np.percentile(seconds, q) * 1e3:.3f}"


def table(n: int, results: list[Result]) -> str:
    head = (
        "| system | build s | B/hash (reported) | B/hash (RSS) | save s | load s "
        "| 1 hash p50 ms | 1 hash p99 ms | image p50 ms | image p99 ms "
        "| recall@31 | exact sets | queries (1 hash / image) |"
    )
    lines = [f"### N = {n:,}", "", head, "|" + "---|" * 13]
    for r in results:
        reported = f"{r.reported_bytes:.1f}" if r.reported_bytes is not None else "n/a"
        save = f"{r.save_s:.2f}" if r.save_s is not None else "n/a"
        load = f"{r.load_s:.2f}" if r.load_s is not None else "n/a"
        lines.append(
            f"| {r.system} | {r.build_s:.2f} | {reported} | {r.rss_bytes:.1f} | {save} | {load} "
            f"| {ms(r.single, 50)} | {ms(r.single, 99)} | {ms(r.image, 50)} | {ms(r.image, 99)} "
            f"| {r.recall:.4f} | {r.exact}/{r.checked} | {len(r.single)} / {len(r.image)} |"
        )
    ours = results[0]
    lines.append("")
    for r in results[1:]:
        lines.append(
            f"- Bouclier vs {r.system}: 1 hash {_ratio(r.single, ours.single, 50)} faster at "
            f"p50, {_ratio(r.single, ours.single, 99)} at p99; image "
            f"{_ratio(r.image, ours.image, 50)} at p50, {_ratio(r.image, ours.image, 99)} at p99"
        )
    return "\n".join(lines)


def _ratio(theirs: np.ndarray, ours: np.ndarray, q: float) -> str:
    return f"{np.percentile(theirs, q) / np.percentile(ours, q):.1f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated N values")
    parser.add_argument("--queries", type=int, default=1000, help="queries per size")
    parser.add_argument(
        "--faiss-queries",
        type=int,
        default=200,
        help="queries for faiss's slow exact searches (Flat, MultiHash nflip=1)",
    )
    parser.add_argument("--out", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    report = [
        f"# bouclier.index benchmark (radius {RADIUS}, one thread, {os.cpu_count()} cores seen)",
        "",
        f"{args.queries} queries per size, {PER_QUERY} neighbours planted per query at "
        f"distances 0..40; an image is {IMAGE} hashes in one call. faiss Flat and "
        f"MultiHash nflip=1 ran {args.faiss_queries} one-hash queries and "
        f"{max(args.faiss_queries // 4, 20)} images (they are slow); nflip=0 ran all queries. "
        "recall@31 and exact sets: against numpy brute force (bouclier.index.brute_force_search).",
    ]
    for n in sizes:
        start = time.perf_counter()
        hashes, labels, queries = make_data(n, args.queries)
        print(f"N={n:,}: data in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        start = time.perf_counter()
        truth = [
            set(zip(h.labels.tolist(), h.distances.tolist(), strict=True))
            for h in (brute_force_search(hashes, labels, q, RADIUS) for q in queries)
        ]
        print(f"  brute force truth in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        results = [bench_bouclier(hashes, labels, queries, truth)]
        print(f"  bouclier done at {time.perf_counter() - start:.1f} s", file=sys.stderr)
        results += bench_faiss(hashes, labels, queries, truth, args.faiss_queries)
        print(f"  faiss done at {time.perf_counter() - start:.1f} s", file=sys.stderr)
        report += ["", table(n, results)]
        print("\n".join(report[-1:]), flush=True)
        del hashes, labels, queries, truth, results
    if args.out:
        args.out.write_text("\n".join(report) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

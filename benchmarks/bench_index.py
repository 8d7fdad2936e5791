"""Benchmark of bouclier.index against faiss's best exact layout: PDQ matching at radius 31.

For each size N and each distribution (``hash_families``: ``uniform`` random with 8 planted
neighbours per query, ``families`` of near-duplicates with skewed buckets), Bouclier's
HammingIndex is built (its C tables on every core), saved, loaded, then searched one query at a
time: one hash (``search``) and one image (8 hashes, ``search_many``), with each
``--search-threads`` setting in turn (0: a call shares its (query, table) pairs among the cores
when worth it; 1: the calling thread alone, HammingIndex's default), one row each (the option's
default: 0, then 1); the loaded snapshot with the first. CPU time is the process's (every
thread's). Every answer is checked against a linear scan (itself checked against numpy brute
force on a few queries).

faiss runs on the same data and queries, one thread, ``range_search`` timed alone (its raw
arrays; Bouclier's time includes building its sorted result objects): ``IndexBinaryFlat`` and
every ``IndexBinaryMultiHash(256, nhash, b)`` layout that is exact at radius 31 with its
``nflip`` (nhash * (nflip + 1) >= 32), each tried on a few queries; the fastest is then run on
``--faiss-queries`` and printed beside Bouclier. Layouts whose tables would not fit
``--faiss-max-gib`` are skipped (said in the table). Timings never enter a test.

    .venv/bin/python benchmarks/bench_index.py [--sizes 1000000,10000000]
        [--distributions uniform,families] [--queries 1000] [--faiss-queries 200]
        [--search-threads 0,1] [--layout 9x28] [--out FILE]

``--layout MxB`` builds every Bouclier index with M tables of B bits instead of the planned
layout (``segments.plan_layout``): 9x28 is what the planner picks at 100M, so runs at 10M and
30M with it say something about 100M on a machine that cannot hold 100M.

The snapshot goes to a temporary folder (BENCH_TMP, else the system's): at 100M it is ~9 GB.
The built index is freed before the snapshot is loaded, so the two never share memory.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hash_families import DISTRIBUTIONS, Bank, describe

from bouclier.index import HammingIndex, _hamming, brute_force_search, segments

RADIUS = 31
IMAGE = 8  # hashes per image: the 8 orientations
#: (nhash, b, nflip) of IndexBinaryMultiHash exact at radius 31: sum of (nflip + 1) >= 32
FAISS_EXACT = [(16, 16, 1), (11, 23, 2), (8, 32, 3), (7, 36, 4), (32, 8, 0)]
FAISS_BYTES_PER_ENTRY = 18  # measured: ~277 B per hash for 16 tables at 10M (unordered_map)


@dataclass
class Result:
    system: str
    build_s: float | None
    bytes_per_hash: float | None  # RSS growth per hash
    single: np.ndarray  # seconds per one-hash query (wall)
    image: np.ndarray  # seconds per 8-hash query (wall)
    single_cpu: np.ndarray  # CPU seconds of the process (all its threads), per one-hash query
    image_cpu: np.ndarray  # and per image
    exact: int  # queries whose answer equals the reference exactly
    checked: int
    save_s: float | None = None
    load_s: float | None = None
    loaded_single: np.ndarray | None = None  # the loaded (memory-mapped) snapshot's searches
    loaded_image: np.ndarray | None = None
    note: str = ""


Truth = list[set[tuple[int, int]]]


def rss() -> int:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # freed heap pages back to the OS, so
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # that RSS growth is what is really held
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def images(queries: np.ndarray, count: int) -> list[np.ndarray]:
    q = len(queries)
    return [queries[[(i + k) % q for k in range(IMAGE)]] for i in range(count)]


def timed(call: Callable[[np.ndarray], object], items: Sequence[np.ndarray]) -> np.ndarray:
    return timed_cpu(call, items)[0]


def timed_cpu(
    call: Callable[[np.ndarray], object], items: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Wall seconds and the process's CPU seconds (every thread's: a search may share its work
    among threads) of each call (after 5 warm-up calls)."""
    for item in items[:5]:
        call(item)
    wall, cpu = np.empty(len(items)), np.empty(len(items))
    for i, item in enumerate(items):
        start, start_cpu = time.perf_counter(), time.process_time()
        call(item)
        wall[i], cpu[i] = time.perf_counter() - start, time.process_time() - start_cpu
    return wall, cpu


def reference(bank: Bank) -> Truth:
    """Every query's (label, distance) set by a linear scan, which numpy brute force checks."""
    rows, dist, counts = _hamming.scan(bank.hashes, bank.queries, RADIUS)
    labels = bank.labels[np.frombuffer(rows, np.uint32)].tolist()
    distances = np.frombuffer(dist, np.uint16).tolist()
    bounds = [0, *np.cumsum(np.frombuffer(counts, np.int64)).tolist()]
    truth = [
        set(zip(labels[a:b], distances[a:b], strict=True)) for a, b in itertools.pairwise(bounds)
    ]
    for q in range(min(5, len(truth))):
        hits = brute_force_search(bank.hashes, bank.labels, bank.queries[q], RADIUS)
        assert truth[q] == set(zip(hits.labels.tolist(), hits.distances.tolist(), strict=True))
    return truth


def exact_count(found: Truth, truth: Truth) -> int:
    return sum(f == t for f, t in zip(found, truth, strict=False))


def _answers(index: HammingIndex, queries: np.ndarray) -> Truth:
    return [
        set(zip(h.labels.tolist(), h.distances.tolist(), strict=True))
        for h in (index.search(q, RADIUS) for q in queries)
    ]


def _searches(index: HammingIndex, bank: Bank, truth: Truth) -> tuple[np.ndarray, ...]:
    """(one-hash wall, one-hash CPU, image wall, image CPU, exact answers) of every query."""
    single, cpu = timed_cpu(lambda q: index.search(q, RADIUS), list(bank.queries))
    batches = images(bank.queries, len(bank.queries))
    image, image_cpu = timed_cpu(lambda b: index.search_many(b, RADIUS), batches)
    exact = exact_count(_answers(index, bank.queries), truth)
    return single, cpu, image, image_cpu, np.array(exact)


def bench_bouclier(bank: Bank, truth: Truth, threads: Sequence[int]) -> list[Result]:
    """Builds, searches (with each ``threads`` setting), saves; then frees the index, loads the
    snapshot and searches that (with the first setting)."""
    n = len(bank.labels)
    before = rss()
    start = time.perf_counter()
    index = HammingIndex(search_threads=threads[0])
    index.add(bank.hashes, bank.labels)
    build = time.perf_counter() - start
    grown = rss() - before
    runs = []
    for setting in threads:
        index.search_threads = setting
        runs.append(_searches(index, bank, truth))
    plan = index.plan()
    index.search_threads = threads[0]
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as folder:
        path = Path(folder) / "index.bin"
        start = time.perf_counter()
        index.save(path)
        save = time.perf_counter() - start
        del index
        start = time.perf_counter()
        loaded = HammingIndex.load(path, search_threads=threads[0])
        load = time.perf_counter() - start
        assert len(loaded) == n
        loaded_single, _, loaded_image, _, loaded_exact = _searches(loaded, bank, truth)
        del loaded
    results = []
    for k, (setting, run) in enumerate(zip(threads, runs, strict=True)):
        single, single_cpu, image, image_cpu, exact = run
        first = k == 0
        results.append(
            Result(
                f"Bouclier HammingIndex (search_threads={setting})",
                build if first else None,
                grown / n if first else None,
                single,
                image,
                single_cpu,
                image_cpu,
                int(min(exact, loaded_exact)) if first else int(exact),
                len(truth),
                save if first else None,
                load if first else None,
                loaded_single if first else None,
                loaded_image if first else None,
                f"{len(plan)} tables of {min(plan)}-{max(plan)} bits; exact answers: built"
                + (" and loaded" if first else ""),
            )
        )
    return results


def _faiss_search(index: object, labels: np.ndarray) -> Callable[[np.ndarray], object]:
    # binary range_search keeps distances < radius: RADIUS + 1 gives <= RADIUS
    return lambda block: index.range_search(block, RADIUS + 1)  # type: ignore[attr-defined]


def _faiss_answers(index: object, bank: Bank, count: int) -> Truth:
    lims, distances, ids = index.range_search(bank.queries[:count], RADIUS + 1)  # type: ignore[attr-defined]
    return [
        set(zip(bank.labels[ids[a:b]].tolist(), distances[a:b].tolist(), strict=True))
        for a, b in itertools.pairwise(lims)
    ]


def bench_faiss(
    bank: Bank,
    truth: Truth,
    count: int,
    probe: int,
    max_gib: float,
    layouts: list[tuple[int, int, int]],
) -> list[Result]:
    """faiss Flat, then the fastest exact MultiHash layout (tried on ``probe`` queries each)."""
    import faiss

    faiss.omp_set_num_threads(1)
    n = len(bank.labels)
    queries = list(bank.queries)

    def run(name: str, index: object, build: float, grown: int, note: str = "") -> Result:
        search = _faiss_search(index, bank.labels)
        single, cpu = timed_cpu(lambda q: search(q[None]), queries[:count])
        image, image_cpu = timed_cpu(search, images(bank.queries, max(count // 4, 20)))
        exact = exact_count(_faiss_answers(index, bank, count), truth)
        return Result(
            name, build, grown / n, single, image, cpu, image_cpu, exact, count, note=note
        )

    before = rss()
    start = time.perf_counter()
    flat = faiss.IndexBinaryFlat(256)
    flat.add(bank.hashes)
    results = [run("faiss IndexBinaryFlat", flat, time.perf_counter() - start, rss() - before)]
    del flat
    tried: list[str] = []
    best: tuple[float, str, object, float, int] | None = None  # p50, name, index, build s, bytes
    for nhash, b, nflip in layouts:
        if nhash * FAISS_BYTES_PER_ENTRY * n > max_gib * 2**30:
            tried.append(f"{nhash}x{b}/{nflip}: skipped (memory)")
            continue
        before = rss()
        start = time.perf_counter()
        index = faiss.IndexBinaryMultiHash(256, nhash, b)
        index.add(bank.hashes)
        build = time.perf_counter() - start
        grown = rss() - before
        index.nflip = nflip
        search = _faiss_search(index, bank.labels)
        p50 = float(np.median(timed(search, [q[None] for q in queries[:3]])))
        if best is None or p50 < 5 * best[0]:  # far slower on 3 queries: not tried on more
            p50 = float(np.median(timed(search, [q[None] for q in queries[:probe]])))
        tried.append(f"{nhash}x{b}/{nflip}: {p50 * 1e3:.2f} ms")
        if best is None or p50 < best[0]:
            name = f"faiss MultiHash {nhash}x{b} nflip={nflip} (best exact)"
            best = (p50, name, index, build, grown)  # at most two alive: the best and the one tried
        del index, search
        gc.collect()
    if best is not None:
        _, name, index, build, grown = best
        best = None
        results.append(run(name, index, build, grown, "p50 of each: " + "; ".join(tried)))
        del index
    else:
        results[0].note = "MultiHash: " + "; ".join(tried)
    return results


def ms(seconds: np.ndarray, q: float) -> str:
    return f"{np.percentile(seconds, q) * 1e3:.3f}"


def table(bank: Bank, results: list[Result]) -> str:
    head = (
        "| system | build s | B/hash (RSS) | save s | load s | 1 hash p50 ms | 1 hash p99 ms "
        "| 1 hash CPU p50 / p99 ms | image p50 ms | image p99 ms | image CPU p50 / p99 ms "
        "| loaded: 1 hash p99 / image p99 ms "
        "| exact answers | queries (1 hash / image) |"
    )
    lines = [f"### N = {len(bank.labels):,}, {bank.name}", "", describe(bank), "", head]
    lines.append("|" + "---|" * 14)
    for r in results:
        build = f"{r.build_s:.2f}" if r.build_s is not None else "n/a"
        per = f"{r.bytes_per_hash:.1f}" if r.bytes_per_hash is not None else "n/a"
        save = f"{r.save_s:.2f}" if r.save_s is not None else "n/a"
        load = f"{r.load_s:.2f}" if r.load_s is not None else "n/a"
        loaded = "n/a"
        if r.loaded_single is not None and r.loaded_image is not None:
            loaded = f"{ms(r.loaded_single, 99)} / {ms(r.loaded_image, 99)}"
        lines.append(
            f"| {r.system} | {build} | {per} | {save} | {load} "
            f"| {ms(r.single, 50)} | {ms(r.single, 99)} "
            f"| {ms(r.single_cpu, 50)} / {ms(r.single_cpu, 99)} "
            f"| {ms(r.image, 50)} | {ms(r.image, 99)} "
            f"| {ms(r.image_cpu, 50)} / {ms(r.image_cpu, 99)} | {loaded} "
            f"| {r.exact}/{r.checked} | {len(r.single)} / {len(r.image)} |"
        )
    ours = results[0]
    lines.append("")
    lines += [f"- {r.system}: {r.note}" for r in results if r.note]
    for r in (r for r in results if not r.system.startswith("Bouclier")):
        lines.append(
            f"- {r.system} / Bouclier, CPU time: 1 hash "
            f"{_ratio(r.single_cpu, ours.single_cpu, 50)} at p50, "
            f"{_ratio(r.single_cpu, ours.single_cpu, 99)} at p99; image "
            f"{_ratio(r.image_cpu, ours.image_cpu, 50)} at p50, "
            f"{_ratio(r.image_cpu, ours.image_cpu, 99)} at p99 (wall: 1 hash "
            f"{_ratio(r.single, ours.single, 50)} at p50)"
        )
    return "\n".join(lines)


def _ratio(theirs: np.ndarray, ours: np.ndarray, q: float) -> str:
    return f"{np.percentile(theirs, q) / np.percentile(ours, q):.1f}x"


def _layout(text: str) -> tuple[int, int, int]:
    tables, nflip = text.split("/")
    nhash, b = tables.split("x")
    layout = (int(nhash), int(b), int(nflip))
    if layout[0] * (layout[2] + 1) < RADIUS + 1 or layout[0] * layout[1] > 256:
        raise SystemExit(f"{text}: not an exact MultiHash layout at radius {RADIUS}")
    return layout


def force_layout(text: str) -> tuple[int, ...]:
    """Makes every main segment built from now on use M tables of B bits ("MxB")."""
    tables, bits = (int(part) for part in text.split("x"))
    if not 8 <= tables * bits <= 256 or not 1 <= bits <= segments.MAX_TABLE_BITS:
        raise SystemExit(f"{text}: M tables of B bits, B <= {segments.MAX_TABLE_BITS}, M*B <= 256")
    layout = (bits,) * tables
    segments.plan_layout = lambda n, radius=segments.DESIGN_RADIUS: layout  # MainSegment.build's
    return layout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated N values")
    parser.add_argument("--distributions", default="uniform,families", help="of hash_families")
    parser.add_argument("--queries", type=int, default=1000, help="queries per bank")
    parser.add_argument("--faiss-queries", type=int, default=200, help="0: no faiss")
    parser.add_argument("--faiss-probe", type=int, default=20, help="queries per layout tried")
    parser.add_argument(
        "--faiss-layouts",
        default=",".join(f"{h}x{b}/{f}" for h, b, f in FAISS_EXACT),
        help="MultiHash layouts tried, nhash x b / nflip (each must be exact at radius 31)",
    )
    parser.add_argument("--faiss-max-gib", type=float, default=4.0, help="per MultiHash layout")
    parser.add_argument(
        "--search-threads",
        default="0,1",
        help="HammingIndex search_threads settings, one row each (0: auto, 1: one thread)",
    )
    parser.add_argument("--layout", help="MxB: M tables of B bits instead of the planned layout")
    parser.add_argument("--out", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    if args.layout:
        force_layout(args.layout)
    threads = [int(t) for t in args.search_threads.split(",")]
    layouts = [_layout(text) for text in args.faiss_layouts.split(",")]
    report = [
        f"# bouclier.index benchmark (radius {RADIUS}, search_threads {args.search_threads}, "
        f"builds on {os.cpu_count()} cores; CPU: the process's, every thread"
        + (f"; layout forced: {args.layout})" if args.layout else ")"),
        "",
        f"{args.queries} queries per bank; an image is {IMAGE} hashes in one call. faiss ran "
        f"{args.faiss_queries} one-hash queries and {max(args.faiss_queries // 4, 20)} images. "
        "Exact answers: equal to a linear scan's (labels and distances).",
    ]
    print("\n".join(report), flush=True)
    for n in (int(s) for s in args.sizes.split(",")):
        for name in args.distributions.split(","):
            start = time.perf_counter()
            bank = DISTRIBUTIONS[name](n, args.queries)
            print(f"{name} N={n:,}: data in {time.perf_counter() - start:.1f} s", file=sys.stderr)
            truth = reference(bank)
            results = bench_bouclier(bank, truth, threads)
            print(f"  bouclier done at {time.perf_counter() - start:.1f} s", file=sys.stderr)
            if args.faiss_queries:
                results += bench_faiss(
                    bank, truth, args.faiss_queries, args.faiss_probe, args.faiss_max_gib, layouts
                )
                print(f"  faiss done at {time.perf_counter() - start:.1f} s", file=sys.stderr)
            report += ["", table(bank, results)]
            print("\n" + report[-1], flush=True)
            del bank, truth, results
    if args.out:
        args.out.write_text("\n".join(report) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

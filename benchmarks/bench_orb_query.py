"""The query side's ORB extraction: recall, false matches and cost of several configurations, side
by side on the same queries in one run (issue 11, "continued (15)").

The bank is bench_reupload.py's (the originals and ``--robust-filler`` cached filler values of
the stored format, which no configuration here changes). Each query (every original x transform
of each ``--query-seeds`` seed, and ``--distractors`` distractors of ``--distractor-seed``) goes
through PDQ and the framing stage once, untimed; a query that they miss goes through the
matcher's ORB stage (``BankMatcher.match_robust`` at the default budget) once per configuration,
the configurations in a rotated order from one query to the next (each is first as often as the
others, so none profits more from caches the others warmed). A configuration is an
``orb_keypoints.Extraction`` for the query value (``orb_keypoints.QUERY`` is set to it for the
call); ``main`` is the one main has.

Printed per configuration: recall per family and seed (found / total, all stages), false matches
on the distractors (and the most inliers of one), the ORB stage's CPU p50 / p99
(``time.process_time``, one core) on framed re-uploads per seed and on distractors, each as a
ratio of ``main``'s, and every miss of the ORB stage with its cause (extraction: under 13
distinctive pairs with its original; verification: enough pairs, no plausible fit; retrieval /
budget: it would verify, the vote did not rank it or the budget ended first).

Tuning seeds only: the evaluation seeds (bench_reupload.py's default 14, 31-34, 41-44, 51-54) are
refused.

    .venv/bin/python benchmarks/bench_orb_query.py [--originals 44] [--query-seeds 21,22]
        [--distractors 3000] [--distractor-seed 13] [--bank 100000] [--robust-filler 100000]
        [--configs main,x3-l6-linear] [--workers 2] [--cache DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reupload import BASIC, CACHE, ID_OFFSET, QUERY_QUALITY, Bench, build, jpeg
from reupload import suite
from reupload.fillers import one_thread, progress
from reupload.report import PLAIN

from bouclier.hashing import DEFAULT_MIN_SIDE, framed_fingerprints, hash_decoded
from bouclier.media import decode
from bouclier.signals import MediaInput
from bouclier.signals import orb as orb_module
from bouclier.signals import orb_keypoints as kp
from bouclier.signals.orb import MIN_PAIRS, ORB, verify
from bouclier.signals.orb_index import CANDIDATES, OrbIndex
from bouclier.signals.orb_keypoints import Extraction

#: seeds kept for evaluations (never tuned on)
RESERVED = frozenset({12, 14, 31, 32, 33, 34, 41, 42, 43, 44, 51, 52, 53, 54})

#: the configurations this bench knows; ``main`` is main's query extraction
CONFIGS: dict[str, Extraction] = {
    "main": Extraction(256),
    "x3": Extraction(256, candidates_per_slot=3),
    "l6": Extraction(256, levels=6),
    "linear": Extraction(256, area=False),
    "fast-score": Extraction(256, harris=False),
    "k192": Extraction(192),
    "s448": Extraction(256, side=448),
    "x3-l6": Extraction(256, candidates_per_slot=3, levels=6),
    "x3-l6-linear": Extraction(256, candidates_per_slot=3, levels=6, area=False),
    "x4-linear": Extraction(256, candidates_per_slot=4, area=False),
    "fast-linear": Extraction(256, harris=False, area=False),
}


@dataclass
class Outcome:
    """One query: its family and seed, whether PDQ or framing found it, and per configuration
    whether ORB found it (a distractor: matched anything), its CPU time, and a miss's cause."""

    original: int
    transform: str
    family: str
    seed: int
    item: int
    before: bool = False
    found: dict[str, bool] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    cause: dict[str, str] = field(default_factory=dict)
    inliers: dict[str, int] = field(default_factory=dict)
    region: bool = False
    #: of ``cpu``, the query values' extraction, and how many values were extracted (2: the
    #: whole frame searched too, after a region's near miss)
    extraction: dict[str, float] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)


_BENCH: Bench | None = None
_ORIGINALS: list = []
_DISTRACTOR_SEED = 13
_CONFIGS: list[str] = []


def _run(job: tuple[int, str, int, int]) -> Outcome:
    original, name, seed, turn = job
    assert _BENCH is not None
    bench = _BENCH
    if original >= 0:
        picture = suite.apply(name, _ORIGINALS[original], seed=seed, index=original)
        out = Outcome(original, name, suite.FAMILY[name], seed, original)
    else:
        picture = suite.distractor(seed, seed=_DISTRACTOR_SEED)
        out = Outcome(-1, "distractor", "distractor", _DISTRACTOR_SEED, seed)
    data = jpeg(picture, QUERY_QUALITY)
    own = original + 1

    def hit(matches: object) -> bool:
        entries = [m.entry for m in matches]  # type: ignore[attr-defined]
        return bool(entries) if original < 0 else any(e % ID_OFFSET == own for e in entries)

    image = decode(data, min_side=DEFAULT_MIN_SIDE)
    hashes = hash_decoded(data, image, BASIC, framing=False)
    media = hashes.media or MediaInput(data, image)
    framed = framed_fingerprints(media)
    direct = bench.matcher.match_image(hashes, candidates=0).matches
    by_region = bench.matcher.match_fingerprints(framed) if framed else ()
    out.before = hit(direct) or hit(by_region)
    out.region = bool(media.content)
    if out.before:
        return out
    query = replace(hashes, media=media)
    spent: list[float] = []

    def timed_extraction(frame: np.ndarray, how: Extraction | None = None) -> bytes:
        started = time.process_time()
        try:
            return kp.extract_query(frame, how)
        finally:
            spent.append(time.process_time() - started)

    orb_module.extract_query = timed_extraction  # what OrbSignal.query_fingerprints calls
    names = _CONFIGS[turn % len(_CONFIGS) :] + _CONFIGS[: turn % len(_CONFIGS)]
    held = kp.QUERY
    try:
        for name in names:
            kp.QUERY = CONFIGS[name]
            spent.clear()
            started = time.process_time()
            matches = bench.matcher.match_robust(query, CANDIDATES)
            out.cpu[name] = time.process_time() - started
            out.extraction[name], out.values[name] = sum(spent), len(spent)
            orb = [m for m in matches if m.signal_type == ORB.name]
            out.found[name] = hit(orb)
            if orb and original < 0:
                out.inliers[name] = max(m.inliers or 0 for m in orb)
            if original >= 0 and not out.found[name]:
                out.cause[name] = _cause(bench, media, original)
    finally:
        kp.QUERY = held
        orb_module.extract_query = kp.extract_query
    return out


def _cause(bench: Bench, media: MediaInput, original: int) -> str:
    """Why the ORB stage missed an original (the query values the default budget searches:
    the region's, then the frame's), with the best check's pairs / inliers."""
    index = bench.matcher.indexes[ORB.name]
    assert isinstance(index, OrbIndex)
    rows = ORB.pack_queries([q.value for q in ORB.query_fingerprints(media)])
    checks = [(verify(row, bench.own[ORB.name][original]), row) for row in rows]
    check, row = max(checks, key=lambda c: (c[0].inliers, c[0].pairs))
    detail = f"{check.pairs} pairs, {check.inliers} inliers, spread {check.spread:.2f}"
    if check.pairs < MIN_PAIRS:
        return f"extraction ({detail})"
    if check.distance > ORB.default_threshold:
        return f"verification ({detail})"
    proposed = index.propose(row, CANDIDATES)
    rank = np.flatnonzero(proposed == original)
    return f"{'retrieval' if not len(rank) else 'budget'} ({detail})"


def _pool(jobs: list[tuple[int, str, int, int]], workers: int) -> list[Outcome]:
    if workers <= 1:
        return [_run(job) for job in jobs]
    outs = []
    with multiprocessing.get_context("fork").Pool(workers, initializer=one_thread) as pool:
        for done, out in enumerate(pool.imap(_run, jobs, chunksize=4), start=1):
            outs.append(out)
            progress(done, len(jobs), "queries")
    return outs


def _ms(values: list[float]) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    p50, p99 = np.percentile(np.array(values) * 1000, [50, 99])
    return float(p50), float(p99)


def table(outs: list[Outcome], names: list[str], seeds: list[int]) -> str:
    queries = [o for o in outs if o.original >= 0]
    distractors = [o for o in outs if o.original < 0]
    families = list(dict.fromkeys(o.family for o in queries))
    lines = [
        "| family (all stages; ORB per configuration) | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for family in families:
        group = [o for o in queries if o.family == family]
        cells = []
        for name in names:
            got = sum(o.before or o.found.get(name, False) for o in group)
            cells.append(f"{got}/{len(group)}")
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    for seed in seeds:
        group = [o for o in queries if o.seed == seed]
        cells = [
            f"{sum(o.before or o.found.get(n, False) for o in group)}/{len(group)}" for n in names
        ]
        lines.append(f"| all, seed {seed} | " + " | ".join(cells) + " |")
    if distractors:
        cells = []
        for name in names:
            false = [o for o in distractors if o.found.get(name, False) or o.before]
            most = max((o.inliers.get(name, 0) for o in false), default=0)
            cells.append(
                f"{len(false)}/{len(distractors)}" + (f" (≤ {most} inliers)" if most else "")
            )
        lines.append("| false matches (distractors) | " + " | ".join(cells) + " |")
    base = {}
    groups = [
        (f"framed, seed {s}", [o for o in queries if o.seed == s and o.family not in PLAIN])
        for s in seeds
    ]
    if distractors:
        groups.append(("distractors", distractors))
    for label, group in groups:
        cells = []
        for name in names:
            p50, p99 = _ms([o.cpu[name] for o in group if name in o.cpu])
            if name == names[0]:
                base[label] = (p50, p99)
            ratio = (
                f" ({p50 / base[label][0]:.2f} / {p99 / base[label][1]:.2f})"
                if name != names[0]
                else ""
            )
            cells.append(f"{p50:.1f} / {p99:.1f}{ratio}")
        runs = sum(1 for o in group if o.cpu)
        lines.append(f"| ORB CPU p50 / p99 ms, {label} ({runs} ran) | " + " | ".join(cells) + " |")
        cells = []
        for name in names:
            ran = [o for o in group if name in o.cpu]
            if not ran:
                cells.append("–")
                continue
            cpu = np.array([o.cpu[name] for o in ran])
            extraction = np.array([o.extraction[name] for o in ran])
            twice = np.array([o.values[name] > 1 for o in ran])
            tail = cpu >= np.percentile(cpu, 99)
            cells.append(
                f"{1000 * extraction.mean():.1f} of {1000 * cpu.mean():.1f}; "
                f"{int(twice.sum())} ({int(twice[tail].sum())}/{int(tail.sum())})"
            )
        lines.append(
            f"| of that, {label}: extraction mean of the stage's mean, ms; searched twice "
            "(of the p99 tail) | " + " | ".join(cells) + " |"
        )
    lines.append("")
    for name in names:
        missed = [o for o in queries if not o.before and name in o.cause]
        causes = Counter(o.cause[name].split(" ")[0] for o in missed)
        lines.append(
            f"- {name}: ORB misses {len(missed)}: "
            + ", ".join(f"{c} {n}" for c, n in sorted(causes.items()))
        )
        for o in missed:
            if o.family == "combined":
                region = "region" if o.region else "no region"
                lines.append(
                    f"  - combined, seed {o.seed}, original {o.original} ({o.transform}, "
                    f"{region}): {o.cause[name]}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--originals", type=int, default=44)
    parser.add_argument("--query-seeds", default="21")
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--distractor-seed", type=int, default=13)
    parser.add_argument("--bank", type=int, default=100_000)
    parser.add_argument("--robust-filler", type=int, default=100_000)
    parser.add_argument("--configs", default="main,x3-l6-linear")
    parser.add_argument("--transforms", default=None, help="comma-separated subset")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.query_seeds.split(",")]
    names = args.configs.split(",")
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}: one of {sorted(CONFIGS)}")
    reserved = sorted(RESERVED & {*seeds, args.distractor_seed})
    if reserved:
        parser.error(f"seeds {reserved} are kept for evaluations")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)
    started, load = time.perf_counter(), os.getloadavg()[0]
    global _BENCH, _ORIGINALS, _DISTRACTOR_SEED, _CONFIGS  # noqa: PLW0603 - the forked workers'
    _ORIGINALS = suite.originals(args.originals)
    _BENCH = build(_ORIGINALS, args.bank, args.robust_filler, args.workers, args.cache)
    _DISTRACTOR_SEED, _CONFIGS = args.distractor_seed, names
    transforms = args.transforms.split(",") if args.transforms else list(suite.TRANSFORMS)
    jobs = [(i, t, s, 0) for s in seeds for t in transforms for i in range(args.originals)]
    jobs += [(-1, "distractor", i, 0) for i in range(args.distractors)]
    jobs = [(*job[:3], turn) for turn, job in enumerate(jobs)]
    built = time.perf_counter()
    outs = _pool(jobs, args.workers)
    header = (
        f"ORB query extraction: {args.originals} originals x {len(transforms)} transforms, seeds "
        f"{seeds}; {args.distractors} distractors (seed {args.distractor_seed}); ORB bank "
        f"{len(_BENCH.matcher.indexes[ORB.name]):,}; configurations "
        + "; ".join(f"{n} = {CONFIGS[n]}" for n in names)
        + f"; set-up {built - started:.0f} s, queries {time.perf_counter() - built:.0f} s; "
        f"load {load:.1f} -> {os.getloadavg()[0]:.1f}\n"
    )
    text = header + "\n" + table(outs, names, seeds)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return text


if __name__ == "__main__":
    main()

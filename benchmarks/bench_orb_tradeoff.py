"""ORB's false matches against its recall: the verification's settings swept on the same data.

The re-upload suite's queries (``--originals`` x every transform, JPEG q85) and distractors
(``--distractors``), as bench_reupload.py makes them, are fingerprinted once; the bank is the
originals (JPEG q95) and ``--robust-filler`` cached filler pictures. For each ratio-test setting,
every query's best-voted candidates are verified once, recording inliers, grid spread and vote
rank; the rows then apply inlier floors, spread floors and candidate budgets. Recall is ORB
*alone* over all queries (PDQ and framing not counted); time is the vote plus verification, one
core (process CPU time), extraction not counted. Benign pictures only.

    .venv/bin/python benchmarks/bench_orb_tradeoff.py [--originals 10] [--distractors 500]
        [--robust-filler 10000] [--transforms a,b] [--query-seed 14] [--distractor-seed 12]
        [--frame-only]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_reupload
from reupload import suite

from bouclier.hashing import DEFAULT_MIN_SIDE
from bouclier.media import decode
from bouclier.signals import MediaInput, orb
from bouclier.signals.orb_index import OrbIndex

_ORIGINALS: list[Image.Image] = []
ROWS = [  # (ratio, min inliers, min spread, candidates)
    (0.85, 13, 0.25, 16),
    (0.85, 14, 0.25, 16),
    (0.85, 15, 0.25, 16),
    (0.85, 16, 0.25, 16),
    (0.85, 17, 0.25, 16),
    (0.85, 13, 0.3125, 16),
    (0.85, 14, 0.3125, 16),
    (0.85, 15, 0.3125, 16),
    (0.85, 13, 0.375, 16),
    (0.85, 14, 0.375, 16),
]
_SEEDS = {"query": 14, "distractor": 12, "frame_only": 0}


def _value(picture: Image.Image, quality: int, query: bool = False) -> bytes:
    """The stored value of a bank's picture, or (``query``) the value an upload is searched with."""
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, "JPEG", quality=quality)
    data = buffer.getvalue()
    media = MediaInput(data, decode(data, min_side=DEFAULT_MIN_SIDE))
    if query and _SEEDS["frame_only"]:  # the whole frame, even where framing found a region
        return orb.extract_query(media.image.frames[0])
    value = orb.ORB.query_fingerprint(media) if query else orb.ORB.fingerprint(media)[0]
    return bytes.fromhex(value.value)


def _query(job: tuple[int, str, int]) -> bytes:
    original, name, i = job
    if original >= 0:
        picture = suite.apply(name, _ORIGINALS[original], seed=_SEEDS["query"], index=original)
        return _value(picture, 85, query=True)
    return _value(suite.distractor(i, seed=_SEEDS["distractor"]), 85, query=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--originals", type=int, default=10)
    parser.add_argument("--distractors", type=int, default=500)
    parser.add_argument("--robust-filler", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--transforms", default=None, help="comma-separated subset")
    parser.add_argument("--query-seed", type=int, default=14)
    parser.add_argument("--distractor-seed", type=int, default=12)
    parser.add_argument("--frame-only", action="store_true", help="no content-region query")
    parser.add_argument("--cache", type=Path, default=bench_reupload.CACHE)
    args = parser.parse_args()
    _SEEDS.update(query=args.query_seed, distractor=args.distractor_seed)
    _SEEDS["frame_only"] = int(args.frame_only)
    names = args.transforms.split(",") if args.transforms else list(suite.TRANSFORMS)
    import cv2

    cv2.setNumThreads(1)  # before any fork: OpenCV's threads do not survive one
    _ORIGINALS[:] = suite.originals(args.originals)  # inherited by the forked workers
    bank = [_value(o, 95) for o in _ORIGINALS]
    jobs = [(o, n, 0) for n in names for o in range(args.originals)]
    jobs += [(-1, "distractor", i) for i in range(args.distractors)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        values = pool.map(_query, jobs, chunksize=8)
    filler, _ = bench_reupload.robust_filler(orb.ORB, args.robust_filler, args.workers, args.cache)
    rows = np.concatenate([orb.ORB.pack([v.hex() for v in bank]), filler])
    index = OrbIndex()
    index.add(rows, np.arange(len(rows)))
    queries = orb.ORB.pack_queries([v.hex() for v in values])
    print(
        "| ratio | inliers >= | spread >= | candidates | ORB-alone recall | false matches "
        "| vote + verify p50 / p99 ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for ratio in sorted({r[0] for r in ROWS}, reverse=True):
        orb.RATIO, orb.MIN_SPREAD = ratio, 0.0  # floors applied below, from what was recorded
        seen, spent = _verify_all(index, rows, queries, max(r[3] for r in ROWS))
        for r_ratio, inliers, spread, candidates in ROWS:
            if r_ratio != ratio:
                continue
            hit = {
                (q, slot)
                for q, slot, n, s, rank in seen
                if n >= inliers and s >= spread and rank < candidates
            }
            found = sum((q, jobs[q][0]) in hit for q in range(len(jobs)) if jobs[q][0] >= 0)
            false = sorted({jobs[q][2] for q, slot in hit if jobs[q][0] < 0})
            recall = found / sum(1 for j in jobs if j[0] >= 0)
            p50, p99 = np.percentile(spent[candidates], [50, 99])
            print(
                f"| {ratio} | {inliers} | {spread} | {candidates} | {100 * recall:.1f}% "
                f"| {len(false)} / {args.distractors} {false} | {p50:.1f} / {p99:.1f} |"
            )


def _verify_all(
    index: OrbIndex, rows: np.ndarray, queries: np.ndarray, most: int
) -> tuple[list[tuple[int, int, int, float, int]], dict[int, np.ndarray]]:
    """Every query's ``most`` best-voted candidates verified: (query, slot, inliers, spread,
    rank), and the time each candidate budget (16, 64) costs per query."""
    seen = []
    spent: dict[int, list[float]] = {16: [], 64: []}
    for q, query in enumerate(queries):
        start = time.process_time()
        slots = index.propose(query, most)
        voted = time.process_time() - start
        costs = []
        for rank, slot in enumerate(slots.tolist()):
            begin = time.process_time()
            check = orb.verify(query, rows[slot])
            costs.append(time.process_time() - begin)
            if check.inliers:
                seen.append((q, slot, check.inliers, check.spread, rank))
        for budget, times in spent.items():
            times.append(1000 * (voted + sum(costs[:budget])))
    return seen, {k: np.array(v) for k, v in spent.items()}


if __name__ == "__main__":
    main()

"""The ORB search's cost by candidate budget, format 1 stored values against format 0, and where
the true entry ranks by vote.

The bank is the originals plus ``--robust-filler`` cached filler pictures (bench_reupload.py's
cache) twice: as stored (format 1: the frame's 128 keypoints, then the centre's) and truncated to
their frame's 128 (exactly format 0's value, which is the first 128 slots of format 1 when the
frame has 128 keypoints). The distractors' query values are searched in one process, side by
side, at each budget (CPU time of the search only, one core). Then each re-upload's query value
(the region's, else the frame's) that verifies against its own original is ranked among the
format-1 index's candidates. Tuning split by default (seeds 15 / 16). Benign pictures only.

    .venv/bin/python benchmarks/bench_orb_budget.py --originals 20 --distractors 300 \
        --robust-filler 10000 --cache DIR
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_orb_bank_side as side
from bench_reupload import CACHE, robust_filler
from reupload import suite

from bouclier.signals.orb import MIN_INLIERS, ORB, verify
from bouclier.signals.orb_index import OrbIndex
from bouclier.signals.orb_keypoints import FRAME_KEYPOINTS, FRAME_ONLY_BYTES


def _frame_only(rows: np.ndarray) -> np.ndarray:
    """Format-1 rows cut to their frame's 128 keypoints (format 0's value, padded)."""
    out = rows.copy()
    header = out[:, :2].copy().view("<u2").reshape(-1)
    count = np.minimum(header & 0x0FFF, FRAME_KEYPOINTS).astype("<u2")
    out[:, :2] = count.view(np.uint8).reshape(-1, 2)
    out[:, FRAME_ONLY_BYTES:] = 0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--originals", type=int, default=20)
    parser.add_argument("--distractors", type=int, default=300)
    parser.add_argument("--robust-filler", type=int, default=10_000)
    parser.add_argument("--query-seed", type=int, default=15)
    parser.add_argument("--distractor-seed", type=int, default=16)
    parser.add_argument("--budgets", default="16,8")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    side._SEEDS.update(query=args.query_seed, distractor=args.distractor_seed)
    import cv2

    cv2.setNumThreads(1)
    side._ORIGINALS[:] = suite.originals(args.originals)
    jobs = [(o, n, 0) for n in suite.TRANSFORMS for o in range(args.originals)]
    jobs += [(-1, "distractor", i) for i in range(args.distractors)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        values = pool.map(side._query, jobs, chunksize=4)
    queries = [region or frame for frame, region in values]
    bank = [ORB.fingerprint(side._media(o, 95))[0].value for o in side._ORIGINALS]
    filler, _ = robust_filler(ORB, args.robust_filler, args.workers, args.cache)
    rows = np.concatenate([ORB.pack(bank), filler])
    indexes = {"format 0": OrbIndex(), "format 1": OrbIndex()}
    indexes["format 0"].add(_frame_only(rows), np.arange(len(rows)))
    indexes["format 1"].add(rows, np.arange(len(rows)))
    distractors = [q for (o, _, _), q in zip(jobs, queries, strict=True) if o < 0]
    print("| budget | format 0, search CPU p50 / p99 ms | format 1, search CPU p50 / p99 ms |")
    print("|---|---|---|")
    for budget in (int(b) for b in args.budgets.split(",")):
        cells = []
        for index in indexes.values():
            spent = []
            for query in distractors:
                row = ORB.pack_queries([query.hex()])
                start = time.process_time()
                index.search_verified(row, ORB.default_threshold, budget)
                spent.append(1000 * (time.process_time() - start))
            p50, p99 = np.percentile(spent, [50, 99])
            cells.append(f"{p50:.1f} / {p99:.1f}")
        print(f"| {budget} | " + " | ".join(cells) + " |")
    ranks: dict[int, int] = {}
    for (original, _, _), query in zip(jobs, queries, strict=True):
        if original < 0 or verify(query, rows[original]).inliers < MIN_INLIERS:
            continue
        proposed = indexes["format 1"].propose(ORB.pack_queries([query.hex()])[0], 64).tolist()
        rank = proposed.index(original) + 1 if original in proposed else 0
        ranks[rank] = ranks.get(rank, 0) + 1
    print("\nrank of the true entry by vote (0: not in the first 64): queries")
    print(", ".join(f"{rank}: {n}" for rank, n in sorted(ranks.items())))


if __name__ == "__main__":
    main()

"""What the caption band (framing.py's ``_caption_cut``) costs and finds, side by side in one run.

The framing stage with and without the band (the band replaced by nothing: the stage as it was
before), alternating on the same decoded queries of the re-upload suite, CPU time of one core
(``time.process_time``): plain re-uploads (the band's look at the top and bottom rows is all
they pay), captions, screenshots, borders, and distractors. For each group: p50 / p99 of
``find_content`` and how many queries got a region that hashes within PDQ's threshold of their
original (the distractors: how many got any region, each one more PDQ and lookup).

    .venv/bin/python benchmarks/bench_framing_band.py [--originals 22] [--distractors 200]
        [--query-seed 15] [--distractor-seed 16]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reupload import BANK_QUALITY, QUERY_QUALITY, jpeg
from reupload import suite

from bouclier.hashing import DEFAULT_MIN_SIDE, framing
from bouclier.hashing.pdq import DEFAULT_THRESHOLD, hash_pixels
from bouclier.media import decode

GROUPS = {
    "plain": ("jpeg_70", "resize_25"),
    "caption": ("caption_12", "caption_30"),
    "screenshot": ("screenshot_post", "screenshot_card_scaled"),
    "border": ("border_10_solid", "letterbox_9x16"),
}


def _frame(data: bytes) -> np.ndarray:
    return decode(data, min_side=DEFAULT_MIN_SIDE).frames[0]


def _found(regions: tuple[framing.Framed, ...], own: int | None) -> bool:
    if own is None:  # a distractor: any region is one more lookup
        return bool(regions)
    return any(
        min((own ^ int(h, 16)).bit_count() for h in hash_pixels(r.pixels).hashes)
        <= DEFAULT_THRESHOLD
        for r in regions
    )


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--originals", type=int, default=22)
    parser.add_argument("--distractors", type=int, default=200)
    parser.add_argument("--query-seed", type=int, default=15)
    parser.add_argument("--distractor-seed", type=int, default=16)
    args = parser.parse_args(argv)
    import cv2

    cv2.setNumThreads(1)
    originals = suite.originals(args.originals)
    own = [int(hash_pixels(_frame(jpeg(o, BANK_QUALITY))).pdq, 16) for o in originals]
    cases: list[tuple[str, np.ndarray, int | None]] = []
    for group, names in GROUPS.items():
        for name in names:
            for i, original in enumerate(originals):
                picture = suite.apply(name, original, seed=args.query_seed, index=i)
                cases.append((group, _frame(jpeg(picture, QUERY_QUALITY)), own[i]))
    for i in range(args.distractors):
        picture = suite.distractor(i, seed=args.distractor_seed)
        cases.append(("distractors", _frame(jpeg(picture, QUERY_QUALITY)), None))
    costs: dict[tuple[str, str], list[float]] = {}
    found: dict[tuple[str, str], int] = {}
    load = time.strftime("%H:%M:%S"), f"{os.getloadavg()[0]:.1f}"
    for k, (group, frame, reference) in enumerate(cases):
        for system in ("without", "with") if k % 2 else ("with", "without"):
            if system == "with":
                start = time.process_time()
                regions = framing.find_content(frame)
            else:
                with mock.patch.object(framing, "_caption_cut", return_value=[]):
                    start = time.process_time()
                    regions = framing.find_content(frame)
            costs.setdefault((group, system), []).append(time.process_time() - start)
            found[group, system] = found.get((group, system), 0) + _found(regions, reference)
    lines = [
        f"framing stage with and without the caption band; {args.originals} originals (seed "
        f"{args.query_seed}), {args.distractors} distractors (seed {args.distractor_seed}); "
        f"load average {load[1]} at {load[0]}",
        "",
        "| queries | n | without: CPU p50 / p99 ms | with: CPU p50 / p99 ms "
        "| without: found | with: found |",
        "|---|---|---|---|---|---|",
    ]
    for group in [*GROUPS, "distractors"]:
        n = len(costs[group, "with"])
        cells = []
        for system in ("without", "with"):
            p50, p99 = np.percentile(np.array(costs[group, system]) * 1000, [50, 99])
            cells.append(f"{p50:.2f} / {p99:.2f}")
        counts = [f"{found[group, s]}/{n}" for s in ("without", "with")]
        lines.append(f"| {group} | {n} | {' | '.join(cells)} | {' | '.join(counts)} |")
    lines.append("")
    lines.append("found: a region within PDQ's threshold of the original (distractors: any region)")
    text = "\n".join(lines)
    print(text)
    return text


if __name__ == "__main__":
    main()

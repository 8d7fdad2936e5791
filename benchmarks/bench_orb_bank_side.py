"""Which keypoints a bank should store for ORB, and which pictures an upload is searched with.

Compares stored-value layouts (``--layouts``) on the re-upload suite's queries: each query is
verified against its *own* original's stored value, so the counts are what extraction and
verification allow, before any retrieval (the index) or budget; distractors are verified against
every original (the largest inlier count each). For each query there are two query values: the
content region's (where the framing stage found one) and the whole frame's; the columns count
queries found by the frame's, by the region's (the frame's where there is no region), and by
either (the region's, then the frame's: what ``BankMatcher.match_robust`` does).

Layouts: ``frame128`` (format 0: the 128 strongest of the whole frame under the 4 x 4 quota),
``frame192`` / ``frame256`` (more of them), ``centre<k>m<p>`` (format 1's kind: the frame's 128
and ``k`` of the centre cut ``p`` % on each side, at the centre's own detail, placed in the
frame's fractions; ``centre128m10`` is what is stored). Tune on seeds 15 / 16, never on the
evaluation's 14 / 12. Benign pictures only.

    .venv/bin/python benchmarks/bench_orb_bank_side.py --originals 44 --distractors 300 \
        --query-seed 15 --distractor-seed 16 --transforms crop_5,... --layouts frame128,...
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reupload import suite

from bouclier.hashing import DEFAULT_MIN_SIDE
from bouclier.media import decode
from bouclier.signals import MediaInput, orb
from bouclier.signals import orb_keypoints as kp

_ORIGINALS: list[Image.Image] = []
_SEEDS = {"query": 15, "distractor": 16}
Layout = Callable[[np.ndarray], bytes]


def _media(picture: Image.Image, quality: int) -> MediaInput:
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, "JPEG", quality=quality)
    data = buffer.getvalue()
    return MediaInput(data, decode(data, min_side=DEFAULT_MIN_SIDE))


def _part(frame: np.ndarray, margin: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``k`` keypoints of the frame's centre (``margin`` cut on each side), in frame fractions."""
    height, width = frame.shape[:2]
    left, top = round(width * margin), round(height * margin)
    inner = frame[top : height - top, left : width - left]
    descriptors, xy = kp._keypoints(inner, kp.Extraction(k))
    size = np.array([inner.shape[1] / width, inner.shape[0] / height])
    return descriptors, xy * size + np.array([left / width, top / height])


def _layout(name: str) -> Layout:
    if name.startswith("frame"):
        k = int(name.removeprefix("frame"))
        return lambda f: kp._pack(*kp._keypoints(f, kp.Extraction(k)), k, kp.FORMAT_FRAME)
    k, margin = name.removeprefix("centre").split("m")

    def centre(frame: np.ndarray) -> bytes:
        d1, xy1 = kp._keypoints(frame, kp.Extraction(128))
        d2, xy2 = _part(frame, int(margin) / 100, int(k))
        slots = 128 + int(k)
        return kp._pack(np.concatenate([d1, d2]), np.concatenate([xy1, xy2]), slots, 1)

    return centre


def _query(job: tuple[int, str, int]) -> tuple[bytes, bytes | None]:
    """The whole frame's query value and the content region's (None without one)."""
    original, name, i = job
    if original >= 0:
        picture = suite.apply(name, _ORIGINALS[original], seed=_SEEDS["query"], index=original)
    else:
        picture = suite.distractor(i, seed=_SEEDS["distractor"])
    media = _media(picture, 85)
    frame = kp.extract_query(media.image.frames[0])
    region = kp.extract_query(media.content[0].pixels) if media.content else None
    return frame, region


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--originals", type=int, default=20)
    parser.add_argument("--distractors", type=int, default=300)
    parser.add_argument("--query-seed", type=int, default=15)
    parser.add_argument("--distractor-seed", type=int, default=16)
    parser.add_argument("--transforms", default=None, help="comma-separated subset")
    parser.add_argument("--layouts", default="frame128,frame192,frame256,centre64m15,centre128m10")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    _SEEDS.update(query=args.query_seed, distractor=args.distractor_seed)
    names = args.transforms.split(",") if args.transforms else list(suite.TRANSFORMS)
    import cv2

    cv2.setNumThreads(1)  # before any fork
    _ORIGINALS[:] = suite.originals(args.originals)
    jobs = [(o, n, 0) for n in names for o in range(args.originals)]
    jobs += [(-1, "distractor", i) for i in range(args.distractors)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        values = pool.map(_query, jobs, chunksize=4)
    frames = [_media(o, 95).image.frames[0] for o in _ORIGINALS]
    print("| layout | family | queries | frame query | region query | region, then frame |")
    print("|---|---|---|---|---|---|")
    for name in args.layouts.split(","):
        bank = [_layout(name)(f) for f in frames]
        counts: dict[str, list[int]] = {}
        worst = []
        for (original, transform, _), (frame, region) in zip(jobs, values, strict=True):
            targets = bank if original < 0 else [bank[original]]
            by_frame = max(orb.verify(frame, b).inliers for b in targets)
            by_region = max(orb.verify(region, b).inliers for b in targets) if region else None
            if original < 0:
                worst.append(max(by_frame, by_region or 0))
                continue
            first = by_frame if by_region is None else by_region
            row = counts.setdefault(suite.FAMILY[transform], [0, 0, 0, 0])
            row[0] += 1
            row[1] += by_frame >= orb.MIN_INLIERS
            row[2] += first >= orb.MIN_INLIERS
            row[3] += max(by_frame, first) >= orb.MIN_INLIERS
        for family, (n, a, b, c) in counts.items():
            print(f"| {name} | {family} | {n} | {a} | {b} | {c} |")
        total = [sum(row[i] for row in counts.values()) for i in range(4)]
        print(f"| {name} | **all** | {total[0]} | {total[1]} | {total[2]} | {total[3]} |")
        matched = sum(w >= orb.MIN_INLIERS for w in worst)
        print(
            f"| {name} | distractors matching an original | {len(worst)} | "
            f"{matched} (most inliers: {max(worst, default=0)}) | | |"
        )


if __name__ == "__main__":
    main()

"""How small an upload may be decoded before PDQ: bits to the full-resolution hash, and CPU.

    .venv/bin/python benchmarks/bench_decode_scale.py [--sides 512,384,256,192,128] [--reps 3]

For each ``min_side`` (BOUCLIER_PDQ_MIN_SIDE: the decoder reduces by the largest integer factor,
JPEG DCT scaling first, that keeps the shorter side at least that long), on two sets of JPEGs:

* the real photographs of ../shared/data/faces (about 1 MP and up, camera and press photos);
* the 32 generated 1 MP photos that bench_load.py uploads (benchmarks/photos.py), and 24 more of
  1 to 4 MP;

it prints the PDQ bit distance of the ``original`` orientation to the full-resolution hash (which
is python-threatexchange's bit for bit, tests/hashing), the largest distance over all 8
orientations, the quality change, and the CPU time of decode + PDQ x 8 per photo (this process,
``--reps`` passes after a warm-up). 0 is the full-resolution reference itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
import photos

from bouclier.hashing import pdq
from bouclier.media import decode


def _bits(a: str, b: str) -> int:
    return pdq.distance(a, b)


def _hash(data: bytes, side: int) -> pdq.PdqResult:
    return pdq.hash_pixels(decode(data, min_side=side or None).frames[0])


def _row(name: str, datas: list[bytes], side: int, reps: int) -> str:
    refs = [_hash(d, 0) for d in datas]
    got = [_hash(d, side) for d in datas]
    first = np.array([_bits(r.pdq, g.pdq) for r, g in zip(refs, got, strict=True)])
    worst = max(
        _bits(a, b)
        for r, g in zip(refs, got, strict=True)
        for a, b in zip(r.hashes, g.hashes, strict=True)
    )
    quality = max(abs(r.quality - g.quality) for r, g in zip(refs, got, strict=True))
    started = time.process_time()
    for _ in range(reps):
        for d in datas:
            _hash(d, side)
    ms = (time.process_time() - started) * 1000 / reps / len(datas)
    shape = decode(datas[0], min_side=side or None).frames[0].shape
    return (
        f"| {name} | {side} | {shape[1]}×{shape[0]} | {ms:.2f} | {np.mean(first):.1f} | "
        f"{np.median(first):.0f} / {np.percentile(first, 90):.0f} / {first.max()} | {worst} | "
        f"{quality} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sides", default="512,384,256,192,128")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    sides = [0, *(int(s) for s in args.sides.split(","))]
    faces = sorted(photos.SHARED_FACES.glob("*.jpg"))
    sets = {
        f"shared faces ({len(faces)})": [p.read_bytes() for p in faces],
        "bench_load's 1 MP (32)": [
            p.read_bytes() for p in photos.photos(32, seed=404, min_mp=1.0, max_mp=1.0)
        ],
        "generated 1-4 MP (24)": [
            p.read_bytes() for p in photos.photos(24, seed=405, min_mp=1.0, max_mp=4.0)
        ],
    }
    print(
        "PDQ after a reduced decode against full resolution; load: "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print()
    print(
        "| photos | min_side | first decoded as | CPU ms decode + PDQ×8 | mean bits | "
        "bits median / p90 / max | max bits, 8 orientations | max quality change |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, datas in sets.items():
        for side in sides:
            print(_row(name, datas, side, args.reps), flush=True)


if __name__ == "__main__":
    main()

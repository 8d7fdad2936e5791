"""A JPEG decoded straight to its luma plane: what it saves, and how far PDQ's hashes move.

    .venv/bin/python benchmarks/bench_luma_decode.py [--reps 3]

PDQ reads luminance only. ``decode(luma=True)`` has libjpeg write the JPEG's Y channel (no chroma
IDCT, upsampling or colour conversion) where the default decodes RGB and PDQ recomputes
Y = 0.299 R + 0.587 G + 0.114 B from it. The two planes differ by RGB's rounding and clipping,
most where colours are saturated (a clipped channel loses what Y kept). On these sets of JPEGs:

* the 32 generated 1 MP photos bench_load.py uploads (Pillow's default 4:2:0), and the same
  pictures re-encoded 4:4:4 (quality 90);
* the real photographs of ../shared/data/faces (JPEG);
* 24 generated 1-4 MP photos (reduced before hashing at the default ``min_side`` 512);
* 16 synthetic saturated-colour pictures (hue wheels, colour bars, pure-hue gradients with
  noise; 4:2:0 and 4:4:4): the worst case for clipping;

it prints, at the service's ``min_side`` (BOUCLIER_PDQ_MIN_SIDE), the bits between the hashes of
the RGB and the luma decodes (``original``; and the largest over the 8 orientations), and at full
resolution the bits between the luma decode's hash and pdqhash's (the reference: Pillow's RGB of
the file, pdqhash.compute), and the CPU time of each decode and of PDQ x 8 on each (``--reps``
passes after a warm-up, this process).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
import photos
from PIL import Image

from bouclier.hashing import DEFAULT_MIN_SIDE, pdq
from bouclier.media import decode


def _reencoded(data: bytes, subsampling: int) -> bytes:
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.convert("RGB").save(out, "JPEG", quality=90, subsampling=subsampling)
    return out.getvalue()


def _saturated(count: int, subsampling: int, seed: int) -> list[bytes]:
    """Benign synthetic pictures of saturated colours: hue wheels and bars at full saturation."""
    rng = np.random.default_rng(seed)
    made = []
    for k in range(count):
        h, w = 768 + 64 * (k % 4), 1024 - 64 * (k % 3)
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        angle = np.arctan2(y - h * rng.uniform(0.3, 0.7), x - w * rng.uniform(0.3, 0.7))
        hue = (angle / (2 * np.pi) + 0.5 + (x // rng.integers(40, 200)) * 0.13 * (k % 2)) % 1.0
        value = 0.55 + 0.45 * np.sin(y / rng.uniform(30, 120)) ** 2
        hsv = np.dstack([hue * 255, np.full_like(hue, 255), value * 255])
        hsv += rng.normal(0, 3, hsv.shape)
        pixels = np.clip(hsv, 0, 255).astype(np.uint8)
        rgb = Image.fromarray(pixels, "HSV").convert("RGB")
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=int(rng.integers(80, 96)), subsampling=subsampling)
        made.append(out.getvalue())
    return made


def _reference(data: bytes) -> list[str]:
    """pdqhash's 8 hashes of the file, read as python-threatexchange reads it (Pillow's RGB)."""
    import pdqhash

    with Image.open(io.BytesIO(data)) as image:
        rgb = np.asarray(image.convert("RGB"))
    vectors, _ = pdqhash.compute_dihedral(rgb)
    return [np.packbits(v.astype(np.uint8)).tobytes().hex() for v in vectors]


def _stats(bits: list[int]) -> str:
    a = np.array(bits)
    return f"{a.mean():.2f} | {np.median(a):.0f} / {np.percentile(a, 90):.0f} / {a.max()}"


def _cpu(work: Callable[[], object], reps: int, n: int) -> float:
    work()
    started = time.process_time()
    for _ in range(reps):
        work()
    return (time.process_time() - started) * 1000 / reps / n


def _row(name: str, datas: list[bytes], side: int | None, reps: int) -> str:
    rgb = [decode(d, min_side=side) for d in datas]
    grey = [decode(d, min_side=side, luma=True) for d in datas]
    assert all(g.luma for g in grey), "every JPEG here is YCbCr or grey"
    a = [pdq.hash_pixels(i.pixels) for i in rgb]
    b = [pdq.hash_pixels(i.pixels) for i in grey]
    first = [pdq.distance(x.pdq, y.pdq) for x, y in zip(a, b, strict=True)]
    worst = max(
        pdq.distance(u, v)
        for x, y in zip(a, b, strict=True)
        for u, v in zip(x.hashes, y.hashes, strict=True)
    )
    full = [pdq.hash_pixels(decode(d, luma=True).pixels) for d in datas]
    refs = [_reference(d) for d in datas]
    to_ref = [pdq.distance(f.pdq, r[0]) for f, r in zip(full, refs, strict=True)]
    ref_worst = max(
        pdq.distance(u, v)
        for f, r in zip(full, refs, strict=True)
        for u, v in zip(f.hashes, r, strict=True)
    )
    n = len(datas)
    cpu = [
        _cpu(lambda: [decode(d, min_side=side) for d in datas], reps, n),
        _cpu(lambda: [decode(d, min_side=side, luma=True) for d in datas], reps, n),
        _cpu(lambda: [pdq.hash_pixels(i.pixels) for i in rgb], reps, n),
        _cpu(lambda: [pdq.hash_pixels(i.pixels) for i in grey], reps, n),
    ]
    shape = grey[0].pixels.shape
    return (
        f"| {name} | {shape[1]}×{shape[0]} | {_stats(first)} | {worst} | {_stats(to_ref)} | "
        f"{ref_worst} | {cpu[0]:.2f} → {cpu[1]:.2f} | {cpu[2]:.2f} → {cpu[3]:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    side = int(os.environ.get("BOUCLIER_PDQ_MIN_SIDE", DEFAULT_MIN_SIDE)) or None
    load = [p.read_bytes() for p in photos.photos(32, seed=404, min_mp=1.0, max_mp=1.0)]
    faces = sorted(photos.SHARED_FACES.glob("*.jpg"))
    sets = {
        "bench_load's 1 MP, 4:2:0 (32)": load,
        "the same, re-encoded 4:4:4 (32)": [_reencoded(d, 0) for d in load],
        f"shared faces ({len(faces)})": [p.read_bytes() for p in faces],
        "generated 1-4 MP (24)": [
            p.read_bytes() for p in photos.photos(24, seed=405, min_mp=1.0, max_mp=4.0)
        ],
        "saturated colours, 4:2:0 (8)": _saturated(8, 2, seed=7),
        "saturated colours, 4:4:4 (8)": _saturated(8, 0, seed=8),
    }
    print(
        f"PDQ of the luma decode against the RGB decode (min_side {side}) and against pdqhash "
        "(full resolution); load: " + " / ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print()
    print(
        "| JPEGs | first decoded as | RGB → luma: mean bits | median / p90 / max | max, 8 "
        "orientations | luma (full res.) → pdqhash: mean bits | median / p90 / max | max, 8 "
        "orientations | CPU ms decode: RGB → luma | CPU ms PDQ × 8: RGB → luma |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, datas in sets.items():
        print(_row(name, datas, side, args.reps), flush=True)


if __name__ == "__main__":
    main()

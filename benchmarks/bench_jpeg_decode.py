"""The JPEG decode alone: Pillow (open, load, ``np.asarray``) against simplejpeg, same pixels.

    .venv/bin/python benchmarks/bench_jpeg_decode.py [--reps 5]

The 32 benign 1 MP JPEGs of bench_load.py (c), decoded in RGB and to the luma plane by Pillow as
``bouclier.media.decode`` did before its fast path (``Image.open``, ``draft("L")`` for luma,
``load``, ``np.asarray``) and by simplejpeg as the fast path does (``decode_jpeg``, accurate IDCT,
fancy upsampling); every pixel is compared first. CPU time of this process, ms a photo.
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
import simplejpeg
from PIL import Image


def _pillow(data: bytes, grey: bool) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        if grey:
            image.draft("L", None)
        image.load()
        return np.asarray(image)


def _simplejpeg(data: bytes, grey: bool) -> np.ndarray:
    pixels = simplejpeg.decode_jpeg(
        data, colorspace="GRAY" if grey else "RGB", fastdct=False, fastupsample=False
    )
    return pixels.reshape(pixels.shape[:2]) if grey else pixels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    datas = [p.read_bytes() for p in photos.photos(32, seed=404, min_mp=1.0, max_mp=1.0)]

    def timed(work: Callable[[bytes, bool], np.ndarray], grey: bool) -> float:
        for d in datas:
            work(d, grey)
        started = time.process_time()
        for _ in range(args.reps):
            for d in datas:
                work(d, grey)
        return (time.process_time() - started) * 1000 / args.reps / len(datas)

    print(
        f"JPEG decode: 32 JPEGs of 1 MP, {args.reps} passes, CPU ms per photo; load: "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print()
    print("| output | Pillow (open, load, np.asarray) | simplejpeg | ratio | pixels equal |")
    print("|---|---|---|---|---|")
    for grey in (False, True):
        equal = all(np.array_equal(_pillow(d, grey), _simplejpeg(d, grey)) for d in datas)
        pillow, fast = timed(_pillow, grey), timed(_simplejpeg, grey)
        name = "luma plane" if grey else "RGB"
        print(f"| {name} | {pillow:.2f} | {fast:.2f} | {fast / pillow:.2f} | {equal} |")


if __name__ == "__main__":
    main()

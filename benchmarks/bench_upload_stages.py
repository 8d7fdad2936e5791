"""Where an upload's CPU goes: the stages of ``POST /v1/match`` on the photos of bench_load.py (c).

    .venv/bin/python benchmarks/bench_upload_stages.py [--reps 5]

The 32 benign 1 MP JPEGs of bench_load.py, each stage run on all of them ``--reps`` times after
one warm-up pass, in this process (CPU time: user + system of the process), with the service's
default settings: decode (reduced while the shorter side stays >= BOUCLIER_PDQ_MIN_SIDE), PDQ in
8 orientations of the decoded frame, the framing stage's look for content regions, SHA-256 and
MD5, and all the fingerprints with and without framing; each on the RGB decode (the other
routes', BOUCLIER_LUMA_DECODE=false) and on the luma plane (/v1/match's default). The HTTP server,
the multipart parser and the match are not in it (bench_load.py measures the whole upload,
bench_upload_route.py the route's own share).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import photos

from bouclier.hashing import digests, hash_bytes, hash_decoded
from bouclier.hashing.framing import find_content, worth_a_look
from bouclier.hashing.pdq import hash_pixels
from bouclier.media import DecodedImage, Limits, decode
from bouclier.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    paths = photos.photos(32, seed=404, min_mp=1.0, max_mp=1.0)  # bench_load.py's
    datas = [p.read_bytes() for p in paths]
    settings = load_settings()
    limits, side = Limits.from_settings(settings), settings.pdq_min_side or None
    readings = {
        "RGB": [decode(d, limits=limits, min_side=side) for d in datas],
        "luma": [decode(d, limits=limits, min_side=side, luma=True) for d in datas],
    }

    def timed(work: Callable[[], object]) -> float:
        work()
        started = time.process_time()
        for _ in range(args.reps):
            work()
        return (time.process_time() - started) * 1000 / args.reps / len(datas)

    rows = [
        ("SHA-256 + MD5", timed(lambda: [(digests.sha256(d), digests.md5(d)) for d in datas])),
    ]

    def stages(name: str, images: list[DecodedImage]) -> list[tuple[str, float]]:
        luma = name == "luma"
        pairs = list(zip(datas, images, strict=True))
        return [
            (
                f"decode ({name})",
                timed(lambda: [decode(d, limits=limits, min_side=side, luma=luma) for d in datas]),
            ),
            (f"PDQ × 8 ({name})", timed(lambda: [hash_pixels(i.frames[0]) for i in images])),
            (
                f"framing: find_content ({name})",
                timed(lambda: [find_content(i.frames[0]) for i in images]),
            ),
            (f"all fingerprints ({name})", timed(lambda: [hash_decoded(d, i) for d, i in pairs])),
            (
                f"all fingerprints, no framing ({name})",
                timed(lambda: [hash_decoded(d, i, framing=False) for d, i in pairs]),
            ),
        ]

    for name, images in readings.items():
        rows += stages(name, images)
    rows += [
        (
            "decode + all fingerprints, as /v1/match does it (RGB, BOUCLIER_LUMA_DECODE=false)",
            timed(lambda: [hash_bytes(d, limits=limits, min_side=side) for d in datas]),
        ),
        (
            "decode + all fingerprints, as /v1/match does it (luma; colour when framing's gate "
            f"says so: {sum(worth_a_look(i.pixels) for i in readings['luma'])} of {len(datas)})",
            timed(lambda: [hash_bytes(d, limits=limits, min_side=side, luma=True) for d in datas]),
        ),
    ]
    shape = readings["RGB"][0].frames[0].shape
    print(
        f"Upload stages: 32 JPEGs of 1 MP (decoded {shape[1]} × {shape[0]} for the first), "
        f"{args.reps} passes, CPU ms per photo; load: "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print()
    print("| stage | CPU ms / photo |")
    print("|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} |")


if __name__ == "__main__":
    main()

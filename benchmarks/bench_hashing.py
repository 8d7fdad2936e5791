"""Hashing speed and fidelity: Bouclier against python-threatexchange's PdqSignal, same files.

    .venv/bin/python benchmarks/bench_hashing.py [--count 120] [--out FILE]

Both run in this one process pinned to one core, file by file and interleaved (so machine noise
hits both alike): each file is read once before either is timed, so both read it warm from the
page cache, and the two take turns going first. Bouclier's time is everything `bouclier hash`
does for a file: read, decode (reduced), PDQ in 8 orientations, SHA-256 and MD5.
threatexchange's is ``PdqSignal.hash_from_file`` (full decode, one orientation, no digests).
The bit distance is between Bouclier's default hash and threatexchange's full-resolution hash
of the same file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import photos
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file
from threatexchange.signal_type.pdq.signal import PdqSignal

from bouclier.hashing import DEFAULT_MIN_SIDE, hash_file, pdq


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _dist_stats(values: list[int]) -> str:
    a = np.array(values)
    return (
        f"{np.median(a):.0f} / {np.percentile(a, 90):.0f} / {a.max()}"
        f" (≤8: {np.mean(a <= 8):.0%}, ≤16: {np.mean(a <= 16):.0%})"
    )


def _pdq_in_c(paths: list[Path]) -> list[str]:
    """PDQ in 8 orientations of the same decoded pixels: pdqhash (the reference's C++ through
    Cython) against Bouclier's C, median of 50 calls each, interleaved, on the first 1-4 MP
    photo decoded as Bouclier decodes it (what an upload pays)."""
    import pdqhash

    from bouclier.media import decode

    path = next(p for p in paths if 1e6 <= _megapixels(p) < 4e6)
    rgb = decode(path.read_bytes(), min_side=DEFAULT_MIN_SIDE).frames[0]
    theirs, ours = [], []
    for _ in range(50):
        theirs.append(_timed(lambda: pdqhash.compute_dihedral(rgb))[0])
        ours.append(_timed(lambda: pdq.hash_pixels(rgb))[0])
    ref, mine = statistics.median(theirs) * 1000, statistics.median(ours) * 1000
    return [
        f"PDQ × 8 orientations of one decoded photo ({rgb.shape[1]} × {rgb.shape[0]}), median "
        "of 50 interleaved calls each, same pixels:",
        "",
        "| pdqhash.compute_dihedral ms | bouclier hash_pixels (C) ms | speed-up |",
        "|---|---|---|",
        f"| {ref:.2f} | {mine:.2f} | {ref / mine:.1f}× |",
    ]


def _megapixels(path: Path) -> float:
    with Image.open(path) as im:
        return float(im.width * im.height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=120, help="photos of 1-12 MP (default 120)")
    parser.add_argument("--sides", default="384,512,768", help="min_side values to sweep")
    parser.add_argument("--out", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    paths = photos.photos(args.count)
    rows = []
    for i, path in enumerate(paths, start=1):
        with Image.open(path) as im:
            megapixels = im.width * im.height / 1e6
        path.read_bytes()  # both read the file warm (from the page cache), neither cold
        reference_first = i % 2 == 1  # and each goes first on every other file
        if reference_first:
            t_ref, ref = _timed(lambda p=path: PdqSignal.hash_from_file(p))
        t_ours, ours = _timed(lambda p=path: hash_file(p))
        if not reference_first:
            t_ref, ref = _timed(lambda p=path: PdqSignal.hash_from_file(p))
        reference = pdq_from_file(path)[0]  # full resolution, even under quality 50
        assert not ref or ref == reference
        rows.append((megapixels, t_ref, t_ours, pdq.distance(ours.pdq.pdq, reference)))  # type: ignore[attr-defined]
        if sys.stderr.isatty():
            print(f"\rhashing {i}/{len(paths)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    lines = [
        f"Hashing: {len(paths)} JPEG photos, one core; Bouclier = read + decode reduced to "
        f"shorter side ≥ {DEFAULT_MIN_SIDE} + PDQ×8 + SHA-256 + MD5; reference = "
        "threatexchange PdqSignal.hash_from_file (full resolution, PDQ×1).",
        "",
        "| photos | n | threatexchange img/s | Bouclier img/s | speed-up "
        "| bits to reference: median / p90 / max |",
        "|---|---|---|---|---|---|",
    ]
    buckets = [
        ("1–4 MP", 0, 4),
        ("4–8 MP", 4, 8),
        ("8–12 MP", 8, 13),
        ("≥ 4 MP", 4, 13),
        ("all", 0, 13),
    ]
    for label, low, high in buckets:
        sel = [r for r in rows if low <= r[0] < high]
        if not sel:
            continue
        ref_rate = len(sel) / sum(r[1] for r in sel)
        our_rate = len(sel) / sum(r[2] for r in sel)
        lines.append(
            f"| {label} | {len(sel)} | {ref_rate:.1f} | {our_rate:.1f} | "
            f"{our_rate / ref_rate:.1f}× | {_dist_stats([r[3] for r in sel])} |"
        )

    big = [p for p, r in zip(paths, rows, strict=True) if r[0] >= 4]
    lines += [
        "",
        f"Reduction sweep on the {len(big)} photos of ≥ 4 MP (min_side = shorter side kept; "
        "0 = full resolution). Time per photo, same pipeline as above.",
        "",
        "| min_side | ms / photo | bits to reference: median / p90 / max |",
        "|---|---|---|",
    ]
    references = {p: pdq_from_file(p)[0] for p in big}
    for side in [int(s) for s in args.sides.split(",")] + [0]:
        times, dists = [], []
        for p in big:
            t, result = _timed(lambda p=p, s=side: hash_file(p, min_side=s or None))
            times.append(t)
            dists.append(pdq.distance(result.pdq.pdq, references[p]))  # type: ignore[attr-defined]
        lines.append(f"| {side} | {statistics.mean(times) * 1000:.1f} | {_dist_stats(dists)} |")
    lines += ["", *_pdq_in_c(paths)]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()

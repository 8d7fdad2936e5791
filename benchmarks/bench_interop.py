"""PDQ interop with python-threatexchange on files it reads otherwise (alpha, 16 bits, palettes).

For generated, benign pictures saved in each mode at a few sizes, prints the Hamming distance from
threatexchange's ``pdq_from_bytes`` to Bouclier's hash of the displayed picture (what Bouclier
looked up before it kept threatexchange's reading too) and to the nearest of its first-frame
fingerprints now, at full resolution and with the default reduction; and the time the second
reading adds. Results: docs/interop.md.

    .venv/bin/python benchmarks/bench_interop.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import struct
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bouclier.hashing import DEFAULT_MIN_SIDE, hash_bytes, pdq
from tests.conftest import photo

SIZES = ((640, 480), (1600, 1200), (3200, 2400))


def _save(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _png16(samples: np.ndarray, colour_type: int) -> bytes:
    height, width = samples.shape[:2]
    rows = b"".join(b"\x00" + r.tobytes() for r in samples.astype(">u2").reshape(height, -1))

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def files(seed: int, size: tuple[int, int]) -> dict[str, bytes]:
    width, height = size
    rgb = photo(seed, size)
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    y, x = np.mgrid[0:height, 0:width]
    alpha = np.tile(np.linspace(255, 0, width), (height, 1))
    alpha[(x - width // 3) ** 2 + (y - height // 2) ** 2 < (height // 4) ** 2] = 0
    alpha = alpha.astype(np.uint8)
    rgba = np.dstack([rgb, alpha])
    build: dict[str, Callable[[], bytes]] = {
        "LA": lambda: _save(Image.fromarray(np.dstack([grey, alpha]), "LA")),
        "RGBA": lambda: _save(Image.fromarray(rgba, "RGBA")),
        "RGBA WebP": lambda: _save(Image.fromarray(rgba, "RGBA"), "WEBP", quality=90),
        "P": lambda: _save(Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE)),
        "GIF": lambda: _save(Image.fromarray(rgb).convert("P"), "GIF"),
        "I;16": lambda: _png16((grey.astype(np.uint16) * 257)[..., np.newaxis], 0),
        "RGBA 64-bit": lambda: _png16(rgba.astype(np.uint16) * 257, 6),
        "RGB 48-bit": lambda: _png16(rgb.astype(np.uint16) * 257, 2),
    }
    return {name: make() for name, make in build.items()}


def _distances(data: bytes, theirs: str, min_side: int | None) -> tuple[int, int]:
    hashes = hash_bytes(data, min_side=min_side)
    firsts = [f for f in hashes.fingerprints if f.signal_type == "pdq" and f.frame == 0]
    original = [f for f in firsts if f.orientation == "original"]
    displayed = next(f.value for f in original if f.reading == "displayed")
    return pdq.distance(theirs, displayed), min(pdq.distance(theirs, f.value) for f in original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    if args.seeds == 0:
        _time_second_reading()
        return
    rows: dict[tuple[str, tuple[int, int]], list[tuple[int, int, int, int]]] = {}
    for size in SIZES:
        for seed in range(args.seeds):
            for name, data in files(seed, size).items():
                theirs, _quality = pdq_from_bytes(data)
                full = _distances(data, theirs, None)
                reduced = _distances(data, theirs, DEFAULT_MIN_SIDE)
                rows.setdefault((name, size), []).append(full + reduced)
    print(f"bits from threatexchange's PDQ, median / max over {args.seeds} pictures;")
    print("'before': Bouclier's displayed reading only; 'now': nearest first-frame fingerprint\n")
    print("| file | size | before, full res. | now, full res. | before, min_side 512 | now, 512 |")
    print("|---|---|---|---|---|---|")
    for (name, size), values in rows.items():
        cells = []
        for column in range(4):
            got = [v[column] for v in values]
            cells.append(f"{statistics.median(got):g} / {max(got)}")
        print(f"| {name} | {size[0]}×{size[1]} | " + " | ".join(cells) + " |")
    _time_second_reading()


def _time_second_reading() -> None:
    """The same files hashed with and without the second reading (the decoder's hook off)."""
    from bouclier.media import decoder

    data = files(0, (1600, 1200))
    hook = decoder.threatexchange_frame
    print("\nhash_bytes, default reduction, 1600×1200, ms per file (best of 3 runs of 10):")
    for name in ("RGBA", "P", "I;16"):
        timings = {}
        for label, reading in (("with", hook), ("without", lambda frame: None)):
            decoder.threatexchange_frame = reading  # type: ignore[assignment]
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                for _ in range(10):
                    hash_bytes(data[name])
                runs.append((time.perf_counter() - start) / 10 * 1000)
            timings[label] = min(runs)
        decoder.threatexchange_frame = hook
        print(
            f"- {name}: {timings['with']:.1f} with the second reading, "
            f"{timings['without']:.1f} without"
        )


if __name__ == "__main__":
    main()

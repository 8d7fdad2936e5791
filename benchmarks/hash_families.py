"""Banks of PDQ hashes for benchmarks: uniform random, or families of near-duplicates.

Real banks are not uniform: one image is reported many times, re-encoded, cropped and filtered,
so its hashes form a family within a few tens of bits of each other, family sizes are skewed (a
few images account for many entries), and the bits that differ inside a family are not spread
evenly (a crop or a filter moves some DCT coefficients and leaves the rest). Such banks put many
rows into a few buckets of a multi-index, which uniform random hashes never do. This module makes
both kinds, reproducibly from a seed:

- :func:`uniform`: random hashes, plus ``planted`` neighbours per query at distances 0..40;
- :func:`families`: Zipf-sized families. A family's members are its centre XOR a difference
  measured on benign images (the PDQ of a transformed image XOR the PDQ of the image: JPEG,
  resizes, crops, blur, sharpening, brightness, contrast, grey, rotation, borders, overlays), or
  XOR bits flipped in clustered runs. Centres are random, except a share gathered around "hubs"
  (centres ~15-70 bits from a hub, in runs): those share long substrings, the skewed buckets.
  Half of the queries are new near-duplicates of a family (many hits), half are new images
  (mostly none), which is what a platform sends.

The measured differences come from :func:`transform_deltas`: benign photos (scikit-image's data
folder, ``../shared/data/faces``, via ``benchmarks/photos.py``) and generated pictures, cropped
into base images and transformed; cached in ``.cache/bench-pdq-families``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from bouclier.hashing.pdq import hash_pixels, hexes_to_array

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench-pdq-families"
HASH_BYTES = 32
MAX_DELTA = 48  # differences kept: a transform that moves more bits made another image


@dataclass(frozen=True)
class Bank:
    """What a benchmark searches: hashes with unique labels (in no order) and its queries."""

    name: str
    hashes: np.ndarray  # (n, 32) uint8
    labels: np.ndarray  # (n,) int64
    queries: np.ndarray  # (q, 32) uint8


# ---- measured differences --------------------------------------------------------------------


def _jpeg(quality: int) -> Callable[[Image.Image], Image.Image]:
    def encode(image: Image.Image) -> Image.Image:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        return Image.open(io.BytesIO(out.getvalue())).convert("RGB")

    return encode


def _crop(left: float, top: float, keep: float) -> Callable[[Image.Image], Image.Image]:
    def crop(image: Image.Image) -> Image.Image:
        w, h = image.size
        cw, ch = int(w * keep), int(h * keep)
        x, y = int((w - cw) * left), int((h - ch) * top)
        return image.crop((x, y, x + cw, y + ch))

    return crop


def _resize(scale: float) -> Callable[[Image.Image], Image.Image]:
    def resize(image: Image.Image) -> Image.Image:
        w, h = image.size
        return image.resize((max(8, int(w * scale)), max(8, int(h * scale))))

    return resize


def _overlay(image: Image.Image) -> Image.Image:
    out = image.copy()
    w, h = out.size
    ImageDraw.Draw(out).rectangle((w // 20, h * 8 // 10, w // 2, h * 9 // 10), fill=(250, 250, 250))
    return out


TRANSFORMS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg30": _jpeg(30),
    "jpeg70": _jpeg(70),
    "half": _resize(0.5),
    "quarter": _resize(0.25),
    "crop95": _crop(0.5, 0.5, 0.95),
    "crop85": _crop(0.5, 0.5, 0.85),
    "crop80-corner": _crop(0.0, 0.0, 0.8),
    "blur1": lambda im: im.filter(ImageFilter.GaussianBlur(1)),
    "blur3": lambda im: im.filter(ImageFilter.GaussianBlur(3)),
    "sharpen": lambda im: im.filter(ImageFilter.SHARPEN),
    "brighter": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
    "contrast": lambda im: ImageEnhance.Contrast(im).enhance(1.4),
    "grey": lambda im: ImageOps.grayscale(im).convert("RGB"),
    "rotate3": lambda im: im.rotate(3, resample=Image.Resampling.BILINEAR, expand=False),
    "border": lambda im: ImageOps.expand(im, border=max(2, im.size[0] // 12), fill=(0, 0, 0)),
    "overlay": _overlay,
}


def _generated(rng: np.random.Generator, size: int = 384) -> Image.Image:
    """A benign synthetic picture: smooth colour fields and a few shapes."""
    y, x = np.mgrid[0:size, 0:size] / size
    channels = [
        np.sin(x * rng.uniform(1, 9) + rng.uniform(0, 6)) * np.cos(y * rng.uniform(1, 9))
        for _ in range(3)
    ]
    pixels = ((np.stack(channels, axis=-1) + 1) * 127.5).astype(np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 7))):
        x0, y0 = rng.integers(0, size - 40, 2)
        x1, y1 = x0 + rng.integers(20, 200), y0 + rng.integers(20, 200)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((int(x0), int(y0), int(x1), int(y1)), fill=colour)
    return image


def _pdq(image: Image.Image) -> np.ndarray:
    return hexes_to_array([hash_pixels(np.asarray(image.convert("RGB"))).pdq])[0]


def _base_images(
    crops_per_source: int, generated: int, rng: np.random.Generator
) -> list[Image.Image]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from photos import sources

    bases = []
    for path in sources():
        source = Image.open(path).convert("RGB")
        source.thumbnail((1024, 1024))
        for _ in range(crops_per_source):
            crop = _crop(rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.5, 0.9))(source)
            crop.thumbnail((512, 512))
            bases.append(crop)
    return bases + [_generated(rng) for _ in range(generated)]


def transform_deltas(crops_per_source: int = 6, generated: int = 60, seed: int = 0) -> np.ndarray:
    """(k, 32) uint8: PDQ(transformed) XOR PDQ(base) for every base image and transform, those
    within MAX_DELTA bits; ~2,000 of them, made in ~30 s once and then read from the cache."""
    path = CACHE / f"deltas-{crops_per_source}-{generated}-{seed}.npz"
    if path.exists():
        with np.load(path) as cached:
            return np.asarray(cached["deltas"])
    rng = np.random.default_rng(seed)
    deltas = []
    for image in _base_images(crops_per_source, generated, rng):
        base = _pdq(image)
        deltas += [base ^ _pdq(transform(image)) for transform in TRANSFORMS.values()]
    found = np.stack(deltas)
    found = found[distances(found) <= MAX_DELTA]
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, deltas=found)
    return found


def distances(deltas: np.ndarray) -> np.ndarray:
    return np.unpackbits(deltas, axis=1).sum(axis=1)


# ---- banks ------------------------------------------------------------------------------------


def _random(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 256, size=(n, HASH_BYTES), dtype=np.uint8)


def clustered_flips(rng: np.random.Generator, n: int, runs: tuple[int, int]) -> np.ndarray:
    """(n, 32) XOR masks: per row, ``runs`` (min, max) runs of 1..4 consecutive bytes (8..32
    neighbouring bits of the hash), each bit of a run flipped with probability 1/2 or 1/4; the
    rest of the hash untouched."""
    out = np.zeros((n, HASH_BYTES), np.uint8)
    rows = np.arange(n)[:, None]
    count = rng.integers(runs[0], runs[1] + 1, size=n)
    for r in range(runs[1]):
        start = rng.integers(0, HASH_BYTES, size=(n, 1))
        length = rng.integers(1, 5, size=(n, 1))
        at = (start + np.arange(4)) % HASH_BYTES
        flips = rng.integers(0, 256, size=(n, 4), dtype=np.uint8)
        sparse = rng.random((n, 1)) < 0.5
        flips = np.where(sparse, flips & rng.integers(0, 256, size=(n, 4), dtype=np.uint8), flips)
        active = (np.arange(4) < length) & (count > r)[:, None]
        out[rows, at] ^= np.where(active, flips, 0).astype(np.uint8)
    return out


def _near(rng: np.random.Generator, centres: np.ndarray, deltas: np.ndarray) -> np.ndarray:
    """Each centre XOR a difference: 70% measured on images, 30% clustered flips (~2..40 bits)."""
    n = len(centres)
    measured = rng.random(n) < 0.7
    masks = clustered_flips(rng, n, (1, 3))
    masks[measured] = deltas[rng.integers(0, len(deltas), int(measured.sum()))]
    return centres ^ masks


def _labels(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.permutation(n).astype(np.int64) * 3 + 1  # unique, in no particular order


def uniform(n: int, n_queries: int, planted: int = 8, seed: int = 0) -> Bank:
    """Random hashes; each query has ``planted`` neighbours at distances drawn from 0..40."""
    rng = np.random.default_rng(seed)
    queries = _random(rng, n_queries)
    near = np.repeat(queries, planted, axis=0)
    bits = np.unpackbits(near, axis=1)
    for row, distance in enumerate(rng.integers(0, 41, size=len(near))):
        bits[row, rng.choice(256, size=distance, replace=False)] ^= 1
    hashes = _random(rng, n)
    hashes[rng.choice(n, size=len(near), replace=False)] = np.packbits(bits, axis=1)
    return Bank("uniform", hashes, _labels(rng, n), queries)


@dataclass(frozen=True)
class FamilyShape:
    zipf: float = 1.8  # family sizes ~ Zipf(zipf): most families small, a few large
    max_family: int = 2000
    hub_share: float = 0.1  # share of centres gathered around hubs (skewed buckets)
    hubs: int = 1000
    family_queries: float = 0.5  # share of queries that are near-duplicates of a family


def families(n: int, n_queries: int, seed: int = 0, shape: FamilyShape | None = None) -> Bank:
    """``n`` hashes in Zipf-sized families of near-duplicates (see the module's docstring)."""
    shape = shape or FamilyShape()
    rng = np.random.default_rng(seed)
    deltas = transform_deltas()
    sizes = np.minimum(rng.zipf(shape.zipf, size=n), shape.max_family)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    sizes[-1] -= int(sizes.sum()) - n
    centres = _random(rng, len(sizes))
    hubbed = rng.random(len(sizes)) < shape.hub_share
    hubs = _near(rng, _random(rng, shape.hubs), deltas)  # hub hashes look like real ones
    around = hubs[rng.integers(0, shape.hubs, int(hubbed.sum()))]
    centres[hubbed] = around ^ clustered_flips(rng, len(around), (4, 8))
    family = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    hashes = np.empty((n, HASH_BYTES), np.uint8)
    for first in range(0, n, 1 << 22):  # in chunks: the masks' scratch stays ~1 GB at any n
        part = family[first : first + (1 << 22)]
        hashes[first : first + len(part)] = _near(rng, centres[part], deltas)
    del family
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    hashes[firsts] = centres  # each family holds its image's own hash
    hashes = hashes[rng.permutation(n)]
    n_family = int(n_queries * shape.family_queries)
    chosen = centres[rng.integers(0, len(centres), n_family)]
    queries = np.concatenate([_near(rng, chosen, deltas), _random(rng, n_queries - n_family)])
    return Bank("families", hashes, _labels(rng, n), queries[rng.permutation(n_queries)])


DISTRIBUTIONS: dict[str, Callable[[int, int], Bank]] = {"uniform": uniform, "families": families}


def describe(bank: Bank, radius: int = 31, sample: int = 200_000) -> str:
    """How skewed a bank is: the largest bucket of a 23-bit substring among ``sample`` rows."""
    rows = bank.hashes[:sample]
    keys = rows[:, :3].astype(np.uint32)
    key = (keys[:, 0] << 15) | (keys[:, 1] << 7) | (keys[:, 2] >> 1)
    _, counts = np.unique(key, return_counts=True)
    expected = len(rows) / 2**23
    return (
        f"{bank.name}: {len(bank.hashes):,} hashes; largest bucket of bits 0..22 among "
        f"{len(rows):,} rows: {counts.max()} (uniform would give ~{max(expected, 1):.1f}); "
        f"{len(bank.queries)} queries at radius {radius}"
    )


if __name__ == "__main__":
    found = transform_deltas()
    d = distances(found)
    print(f"{len(found)} measured differences, bits: p50 {np.median(d):.0f}, max {d.max()}")
    for make in DISTRIBUTIONS.values():
        print(describe(make(1_000_000, 100)))

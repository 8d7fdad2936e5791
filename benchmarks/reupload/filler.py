"""Filler for a bank of 100k ORB entries: benign pictures that share no source with the suite.

A robust signal type's bank must be measured at the size a hotline holds (the issue asks for a
bank of at least 100k entries): its candidate stage votes over posting lists, and how long those
lists grow, and how often an unrelated entry out-votes the true one, depends on what else the bank
holds. These pictures are real keypoints of real pixels (not keypoints assembled across
pictures), from sources that neither the originals nor the distractors of
:mod:`reupload.suite` use, so a filler entry can never be a true match of a query:

- *dead leaves* (the occlusion model of natural-image statistics) in palettes of their own;
- *text cards*: words on plain or gradient grounds in several sizes (memes, captions, chats:
  the kind of picture whose keypoints crowd a captioned query's votes);
- *interface pictures*: bars, rounded buttons, icons and lines of text (screenshots of apps);
- *collages* of crops of scikit-image's pictures that the suite leaves out (the 100 non-face
  LFW patches, the microaneurysms retina, the logo, the chessboard, the GIF) and of
  scikit-image's procedural binary blobs, turned, scaled and recoloured.

Each picture is about 256-400 pixels on its long side (a bank entry's keypoints are found on a
reduction to 512 pixels anyway), deterministic for its index and seed. Nothing is written to disk
here; bench_reupload.py caches the packed values in .cache/bench-reupload.
"""

from __future__ import annotations

import math
import random
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from reupload.suite import WORDS

KINDS = ("dead_leaves", "text_card", "interface", "tile")


@cache
def _tile_sources() -> tuple[np.ndarray, ...]:
    """The benign pictures no original or distractor comes from, as RGB arrays."""
    import skimage
    from skimage.data import binary_blobs

    folder = Path(skimage.__file__).parent / "data"
    found: list[np.ndarray] = []
    lfw = np.load(folder / "lfw_subset.npy")[100:]  # the non-face patches (the suite's are faces)
    found += [np.repeat((np.clip(p, 0, 1) * 255).astype(np.uint8)[..., None], 3, 2) for p in lfw]
    for name in ("microaneurysms.png", "logo.png", "chessboard_RGB.png"):
        with Image.open(folder / name) as opened:
            found.append(np.asarray(opened.convert("RGB")))
    with Image.open(folder / "no_time_for_that_tiny.gif") as gif:
        for frame in range(min(8, getattr(gif, "n_frames", 1))):
            gif.seek(frame)
            found.append(np.asarray(gif.convert("RGB")))
    for seed in range(6):
        blobs = binary_blobs(256, blob_size_fraction=0.05 + 0.03 * seed, rng=seed)
        found.append(np.repeat((blobs * 255).astype(np.uint8)[..., None], 3, 2))
    return tuple(found)


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _size(rng: random.Random) -> tuple[int, int]:
    long_side = rng.randint(256, 400)
    aspect = rng.choice((1.0, 4 / 3, 3 / 4, 16 / 9, 9 / 16))
    if aspect >= 1:
        return long_side, max(64, round(long_side / aspect))
    return max(64, round(long_side * aspect)), long_side


def _dead_leaves(rng: random.Random) -> Image.Image:
    size = _size(rng)
    palette = [_colour(rng) for _ in range(rng.randint(4, 16))]
    canvas = Image.new("RGB", size, palette[0])
    draw = ImageDraw.Draw(canvas)
    rmin, rmax = 2.0, max(size) / 3
    for _ in range(rng.randint(80, 300)):
        u = rng.random()
        r = (rmin**-2 - u * (rmin**-2 - rmax**-2)) ** -0.5
        cx, cy = rng.uniform(0, size[0]), rng.uniform(0, size[1])
        fill = palette[rng.randrange(len(palette))]
        if rng.random() < 0.5:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
        else:
            ratio = rng.uniform(0.4, 2.5)
            draw.rectangle((cx - r * ratio, cy - r / ratio, cx + r * ratio, cy + r / ratio), fill)
    return canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _text_card(rng: random.Random) -> Image.Image:
    size = _size(rng)
    ground, ink = _colour(rng), _colour(rng)
    if rng.random() < 0.5:  # plain black or white, as most captions and chats
        ground, ink = (
            ((255, 255, 255), (0, 0, 0)) if rng.random() < 0.5 else ((0, 0, 0), (255,) * 3)
        )
    canvas = Image.new("RGB", size, ground)
    draw = ImageDraw.Draw(canvas)
    y = rng.randint(0, 20)
    while y < size[1]:
        height = rng.randint(10, 48)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        draw.text((rng.randint(0, 30), y), words, fill=ink, font=_font(height))
        y += int(height * rng.uniform(1.2, 2.0))
    return canvas


def _interface(rng: random.Random) -> Image.Image:
    size = _size(rng)
    light = rng.random() < 0.5
    ground = (250, 250, 250) if light else (18, 18, 18)
    ink = (20, 20, 20) if light else (235, 235, 235)
    accent = _colour(rng)
    canvas = Image.new("RGB", size, ground)
    draw = ImageDraw.Draw(canvas)
    y = 0
    while y < size[1]:
        row = rng.randint(24, 70)
        kind = rng.random()
        if kind < 0.3:
            draw.rectangle((0, y, size[0], y + row), fill=accent)
        elif kind < 0.6:
            r = row // 3
            draw.ellipse((8, y + r // 2, 8 + 2 * r, y + r // 2 + 2 * r), outline=ink, width=2)
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
            draw.text((16 + 2 * r, y + r // 2), text, fill=ink, font=_font(r))
        else:
            x = 8
            while x < size[0] - 40:
                w = rng.randint(24, 90)
                draw.rounded_rectangle((x, y + 4, x + w, y + row - 4), 6, outline=ink, width=2)
                x += w + rng.randint(6, 20)
        y += row + rng.randint(2, 12)
    return canvas


def _tile(rng: random.Random) -> Image.Image:
    """A collage (2 x 2 to 4 x 4, a gallery or a contact sheet) of turned, recoloured crops."""
    sources = _tile_sources()
    size = _size(rng)
    grid = rng.randint(2, 4)
    cell = (size[0] // grid, size[1] // grid)
    canvas = Image.new("RGB", size, _colour(rng))
    for k in range(grid * grid):
        source = Image.fromarray(sources[rng.randrange(len(sources))])
        w, h = source.size
        cw = max(min(w, 16), int(w * rng.uniform(0.4, 1.0)))
        ch = max(min(h, 16), int(h * rng.uniform(0.4, 1.0)))
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        region = source.crop((x, y, x + cw, y + ch)).resize(cell, Image.Resampling.BILINEAR)
        region = region.rotate(rng.uniform(-15, 15), Image.Resampling.BILINEAR)
        tint = np.array([rng.uniform(0.6, 1.4) for _ in range(3)], np.float32)
        pixels = np.clip(np.asarray(region, np.float32) * tint, 0, 255).astype(np.uint8)
        canvas.paste(Image.fromarray(pixels), ((k % grid) * cell[0], (k // grid) * cell[1]))
    return canvas


_MAKERS = (_dead_leaves, _text_card, _interface, _tile)


def picture(i: int, *, seed: int = 21) -> np.ndarray:
    """The ``i``-th filler picture (RGB), with light gradient and sensor-like noise."""
    rng = random.Random(seed * 1_000_003 + i)
    canvas = np.asarray(_MAKERS[i % len(_MAKERS)](rng), np.float32)
    h, w = canvas.shape[:2]
    angle = rng.uniform(0, 2 * math.pi)
    xs = np.arange(w, dtype=np.float32) * (math.cos(angle) / max(h, w))
    ys = np.arange(h, dtype=np.float32) * (math.sin(angle) / max(h, w))
    ramp = ys[:, None] + xs[None, :]
    light = 1.0 + rng.uniform(0.0, 0.3) * (ramp - ramp.mean())
    noise = np.random.default_rng(rng.getrandbits(32)).standard_normal((h, w, 1), np.float32)
    canvas *= light[..., None]
    canvas += noise * rng.uniform(1, 4)
    return np.clip(canvas, 0, 255).astype(np.uint8)

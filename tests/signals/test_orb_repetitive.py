"""Repetitive pictures (lines of text in one font, checkerboards, grids) are where ORB used to
match unrelated images: many near-identical keypoints let RANSAC find a lattice-shaped
homography. None of them may match another here, while a crop of a benign photo still does."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from skimage import data

from bouclier.signals.orb import ORB, extract, verify
from bouclier.signals.orb_index import OrbIndex

THRESHOLD = ORB.default_threshold
WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "seven",
    "wizards",
    "quietly",
    "box",
    "jackdaws",
    "and",
    "sphinx",
    "of",
    "black",
    "quartz",
    "judge",
    "my",
    "vow",
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
]


def _jpeg(image: Image.Image, quality: int = 85) -> np.ndarray:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def text_page(seed: int, size: tuple[int, int] = (720, 540)) -> Image.Image:
    """Lines of random words in one font (Pillow's own), as a screenshot of a chat or a post."""
    rng = random.Random(seed)
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=rng.choice((18, 22, 26)))
    y = rng.randint(4, 20)
    while y < size[1] - 20:
        line = " ".join(rng.choice(WORDS) for _ in range(12))
        draw.text((rng.randint(4, 30), y), line, fill="black", font=font)
        y += rng.randint(30, 40)
    return page


def checkerboard(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    rng = random.Random(seed)
    square, dx, dy = rng.randint(16, 48), rng.randint(0, 40), rng.randint(0, 40)
    y, x = np.mgrid[0 : size[1], 0 : size[0]]
    board = (((x + dx) // square + (y + dy) // square) % 2 * 200 + 30).astype(np.uint8)
    picture = Image.fromarray(board).convert("RGB")
    return picture.rotate(rng.uniform(-4, 4), fillcolor=(128, 128, 128))


def grid(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    rng = random.Random(seed)
    picture = Image.new("RGB", size, (245, 245, 240))
    draw = ImageDraw.Draw(picture)
    step, width = rng.randint(20, 50), rng.randint(1, 3)
    for x in range(rng.randint(0, step), size[0], step):
        draw.line((x, 0, x, size[1]), fill=(40, 40, 60), width=width)
    for y in range(rng.randint(0, step), size[1], step):
        draw.line((0, y, size[0], y), fill=(40, 40, 60), width=width)
    return picture


KINDS = {"text": text_page, "checkerboard": checkerboard, "grid": grid}


def _values(seeds: range) -> list[bytes]:
    return [extract(_jpeg(make(seed))) for make in KINDS.values() for seed in seeds]


@pytest.fixture(scope="module")
def bank() -> list[bytes]:
    return _values(range(0, 4))


@pytest.fixture(scope="module")
def queries() -> list[bytes]:
    return _values(range(100, 106))


def test_repetitive_pictures_match_no_other(bank: list[bytes], queries: list[bytes]) -> None:
    found = [
        (i, j, check.inliers)
        for i, query in enumerate(queries)
        for j, entry in enumerate(bank)
        if (check := verify(query, entry)).distance <= THRESHOLD
    ]
    assert found == []
    index = OrbIndex()
    index.add(np.stack([np.frombuffer(v, np.uint8) for v in bank]), np.arange(len(bank)))
    hits = index.search_many(np.stack([np.frombuffer(v, np.uint8) for v in queries]), THRESHOLD)
    assert [len(h) for h in hits] == [0] * len(queries)


def _photo() -> Image.Image:
    return Image.fromarray(data.coffee())


def _crop(image: Image.Image) -> Image.Image:
    w, h = image.size
    return image.crop((int(w * 0.1), int(h * 0.05), int(w * 0.95), int(h * 0.9)))


def _captioned(image: Image.Image) -> Image.Image:
    w, h = image.size
    out = Image.new("RGB", (w, int(h * 1.2)), "white")
    out.paste(image, (0, int(h * 0.2)))
    font = ImageFont.load_default(size=h // 14)
    ImageDraw.Draw(out).text((8, 8), "look at this lol", fill="black", font=font)
    return out


@pytest.mark.parametrize(
    "reframe", [_crop, lambda im: _captioned(_crop(im))], ids=["crop", "crop-caption"]
)
def test_a_crop_of_a_benign_photo_still_matches_among_them(reframe, bank: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    original = extract(_jpeg(_photo(), 95))
    query = extract(_jpeg(reframe(_photo())))
    check = verify(original, query)
    assert check.distance <= THRESHOLD
    assert check.spread >= 0.25
    index = OrbIndex()
    rows = [original, *bank]
    index.add(np.stack([np.frombuffer(v, np.uint8) for v in rows]), np.arange(len(rows)))
    (hits,) = index.search_many(np.frombuffer(query, np.uint8).reshape(1, -1), THRESHOLD)
    assert list(hits.labels) == [0]


#: (distractor, filler picture) of benchmarks/reupload that the ORB stage used to match (12-18
#: inliers on one homography, all over contact sheets, text cards and interface pictures) before
#: pairs had to be distinctive and inliers spread (docs/robust-signal.md)
OLD_FALSE_MATCHES = [(25, 390), (91, 921), (300, 4377), (402, 9242), (47, 4861)]


@pytest.mark.slow
@pytest.mark.parametrize(("distractor", "picture"), OLD_FALSE_MATCHES)
def test_the_benchmark_s_former_false_matches_are_gone(distractor: int, picture: int) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from reupload import filler, suite

    query = extract(_jpeg(suite.distractor(distractor)))
    entry = extract(filler.picture(picture, seed=22))
    assert verify(query, entry).distance > THRESHOLD

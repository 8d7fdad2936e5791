"""A thin spread: a stickered picture whose texture lies in a few grid cells matches when its
pairs say "the same frame", and a thin fit elsewhere in the frame, or with many pairs off it,
does not (``orb._same_frame``, docs/benchmarks-log.md "Issue 11, continued (9)")."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from bouclier.signals.orb import (
    MIN_INLIERS,
    MIN_SPREAD,
    ORB,
    _same_frame,
    extract,
    extract_query,
    verify,
)
from tests.conftest import photo
from tests.signals.test_orb import _jpeg

THRESHOLD = ORB.default_threshold


def _flat_but(corner: tuple[int, int]) -> Image.Image:
    """A dark, flat 640 x 480 frame with a detailed 300 x 110 patch at ``corner``: its
    keypoints fall in two of the 16 grid cells."""
    canvas = Image.new("RGB", (640, 480), (18, 20, 24))
    canvas.paste(Image.fromarray(photo(5, (300, 110))), corner)
    return canvas


def _stickered(image: Image.Image) -> Image.Image:
    """Stickers on the flat part, one over the patch's edge."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    for x, y, s in ((60, 200, 90), (300, 330, 110), (200, 60, 70), (500, 380, 80)):
        draw.ellipse((x, y, x + s, y + s), fill=(255, 210, 0), outline=(40, 20, 0), width=4)
    return out


def test_a_stickered_picture_with_texture_in_two_cells_matches() -> None:
    original = _flat_but((330, 5))
    stored = extract(np.asarray(original))
    query = extract_query(_jpeg(_stickered(original), 85))
    check = verify(query, stored)
    assert check.spread < MIN_SPREAD  # under the spread check's 4 cells of 16: refused before
    assert check.inliers >= MIN_INLIERS
    assert check.distance <= THRESHOLD
    assert len(check.region) == 4
    assert verify(stored, query).inliers == check.inliers  # symmetric


def test_the_same_thin_texture_elsewhere_in_the_frame_does_not_match() -> None:
    """The patch in another corner: the pairs agree on one translation, in two cells, but it is
    not the same frame, as a lattice of text against a text card is not."""
    stored = extract(np.asarray(_flat_but((330, 5))))
    query = extract_query(_jpeg(_stickered(_flat_but((5, 365))), 85))
    assert verify(query, stored).distance > THRESHOLD


def _points(n: int, seed: int) -> np.ndarray:
    """``n`` points in two grid cells (the top right of the frame)."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(0.52, 0.98, n), rng.uniform(0.02, 0.23, n)]).astype(
        np.float32
    )


def _spread_out(n: int) -> np.ndarray:
    """``n`` keypoints over all 16 cells."""
    grid = (np.arange(16)[:, None] // 4, np.arange(16)[:, None] % 4)
    cells = np.hstack(grid).astype(np.float32) / 4 + 0.125
    return np.resize(cells, (n, 2))


def test_same_frame_needs_nearly_every_pair_on_it() -> None:
    src = _points(24, 1)
    everywhere = _points(40, 2)
    dst = src + np.float32(0.001)
    assert _same_frame(src, dst, everywhere, everywhere) is not None
    off = dst.copy()
    off[:6] = _points(6, 3)  # a quarter of the pairs elsewhere: 0.75 < SAME_FRAME_SHARE
    assert _same_frame(src, off, everywhere, everywhere) is None


def test_same_frame_refuses_a_shifted_frame_and_a_sparse_share_of_textured_cells() -> None:
    src = _points(24, 1)
    everywhere = _points(40, 2)
    assert _same_frame(src, src * np.float32(1.2), everywhere, everywhere) is None  # scaled
    assert _same_frame(src, src + np.float32(0.1), everywhere, everywhere) is None  # moved
    # the same pairs, but both pictures have keypoints in all 16 cells: two are too few
    textured = _spread_out(64)
    assert _same_frame(src, src, textured, textured) is None
    assert _same_frame(src, src, everywhere, textured) is not None
    few = src[: MIN_INLIERS - 1]
    assert _same_frame(few, few, everywhere, everywhere) is None

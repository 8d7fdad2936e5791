"""``_pdq.area_reduce``: the block means OpenCV's ``resize`` with ``INTER_AREA`` gives for an
integer factor of 3 or more, pixel for pixel (the framing stage's reduced copy is made with it).

Random arrays of every factor from 3 to 9, in RGB and grey, with sizes the factor does not divide
(the last rows and columns are left out), strided views, and values that put many block means
exactly half-way between two integers (OpenCV rounds those to even); up to a factor of 16 the
one-pass kernel (``area_reduce_narrow``), above it the passes with 32-bit block sums: sizes around
the factor (no output, one pixel, every remainder) and every photo of the shared data.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from bouclier.hashing import _pdq
from tests.conftest import FACES, photo


def _opencv(pixels: np.ndarray, factor: int) -> np.ndarray:
    sh, sw = pixels.shape[0] // factor, pixels.shape[1] // factor
    cut = np.ascontiguousarray(pixels[: sh * factor, : sw * factor])
    return cv2.resize(cut, (sw, sh), interpolation=cv2.INTER_AREA)


def _ours(pixels: np.ndarray, factor: int) -> np.ndarray:
    sh, sw = pixels.shape[0] // factor, pixels.shape[1] // factor
    out = np.frombuffer(_pdq.area_reduce(pixels, factor), np.uint8)
    return out.reshape((sh, sw, *pixels.shape[2:]))


@pytest.mark.parametrize("factor", [*range(3, 10), 15, 16, 17, 33, 64])  # from 17: 32-bit sums
@pytest.mark.parametrize("channels", [3, 1])
def test_area_reduce_is_opencvs(factor: int, channels: int) -> None:
    rng = np.random.default_rng(factor * 10 + channels)
    for trial in range(12):
        h, w = (int(rng.integers(factor, max(160, 3 * factor))) for _ in range(2))
        shape = (h, w, 3) if channels == 3 else (h, w)
        if trial % 3 == 0:
            pixels = rng.integers(0, 256, shape, dtype=np.uint8)
        elif trial % 3 == 1:  # narrow range: many sums on a half
            pixels = rng.integers(126, 130, shape, dtype=np.uint8)
        else:  # alternating rows: block sums of k + 0.5 times the area
            pixels = np.full(shape, int(rng.integers(0, 255)), np.uint8)
            pixels[::2] += 1
        np.testing.assert_array_equal(_ours(pixels, factor), _opencv(pixels, factor))


@pytest.mark.parametrize("factor", [3, 4, 15, 16, 17, 64])
@pytest.mark.parametrize("channels", [3, 1])
def test_area_reduce_of_white_blocks_is_white(factor: int, channels: int) -> None:
    """Block sums at their largest: 65,280 at a factor of 16 (the last one summed in 16 bits),
    73,695 at 17 (past 16 bits)."""
    shape = (2 * factor + 1, 3 * factor + 2, 3) if channels == 3 else (2 * factor + 1, 3 * factor)
    pixels = np.full(shape, 255, np.uint8)
    pixels[factor:, factor:] = 254
    np.testing.assert_array_equal(_ours(pixels, factor), _opencv(pixels, factor))
    assert _ours(pixels, factor)[0, 0].min() == 255


def test_area_reduce_reads_a_strided_view() -> None:
    pixels = photo(3, (700, 500))
    view = pixels[10:400, 20:650]
    np.testing.assert_array_equal(_ours(view, 4), _opencv(view, 4))
    grey = np.ascontiguousarray(pixels[:, :, 1])[5:333, 7:481]
    np.testing.assert_array_equal(_ours(grey, 3), _opencv(grey, 3))


def test_area_reduce_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="factor"):
        _pdq.area_reduce(np.zeros((30, 30, 3), np.uint8), 2)
    with pytest.raises(ValueError, match="uint8"):
        _pdq.area_reduce(np.zeros((30, 30, 3), np.float32), 3)
    with pytest.raises(ValueError, match="uint8"):
        _pdq.area_reduce(np.zeros((30, 30, 4), np.uint8), 3)
    with pytest.raises(ValueError, match="uint8"):
        _pdq.area_reduce(np.zeros((30, 30, 3), np.uint8)[:, ::2], 3)
    with pytest.raises(ValueError, match="uint8"):
        _pdq.area_reduce(np.zeros((30, 30, 3), np.uint8)[:, :, 1], 3)


@pytest.mark.parametrize("factor", [*range(3, 18), 20])  # 3..16: one pass (16-bit sums)
@pytest.mark.parametrize("channels", [3, 1])
def test_area_reduce_of_tiny_and_odd_sizes(factor: int, channels: int) -> None:
    """Sizes around the factor and its multiples: no output row or column (an empty answer),
    one pixel, one row, one column, and rows of 1 to 6 blocks with every remainder, so that the
    one-pass kernel's last word of a row (read over one value past the last block, stored over
    one value past the last pixel) and its unrolled loop's tail are all met."""
    rng = np.random.default_rng(1000 + factor * 10 + channels)
    sides = sorted({1, factor - 1, factor, factor + 1, 2 * factor - 1, 3 * factor + 2})
    widths = sorted({*sides, 4 * factor, 5 * factor + factor // 2, 6 * factor + factor - 1})
    for h in sides:
        for w in widths:
            shape = (h, w, 3) if channels == 3 else (h, w)
            pixels = rng.integers(0, 256, shape, dtype=np.uint8)
            if h < factor or w < factor:
                assert len(_pdq.area_reduce(pixels, factor)) == 0
                continue
            reduced = _ours(pixels, factor)
            assert reduced.shape[:2] == (h // factor, w // factor)
            np.testing.assert_array_equal(reduced, _opencv(pixels, factor))
            strided = np.zeros((h, w + 7, *shape[2:]), np.uint8)[:, 3 : 3 + w]
            strided[...] = pixels
            np.testing.assert_array_equal(_ours(strided, factor), reduced)


@pytest.mark.parametrize("path", sorted(FACES.iterdir()), ids=lambda p: p.name)
def test_area_reduce_of_the_shared_photos(path: Path) -> None:
    """Every benign photo of the shared data, in RGB and grey, whole and as a strided view, at
    every factor that gives an output of at least 2 x 2 pixels: OpenCV's means."""
    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"))
    grey = np.ascontiguousarray(rgb[:, :, 1])
    for plane in (rgb, grey, rgb[1:-2, 3:-1], grey[2:-1, 1:-4]):
        for factor in range(3, min(18, min(plane.shape[:2]) // 2 + 1)):
            np.testing.assert_array_equal(_ours(plane, factor), _opencv(plane, factor))

"""The C PDQ (bouclier.hashing._pdq) against pdqhash, Meta's reference C++: EQUAL, not close.

Every one of the 8 dihedral hashes and the quality must be the reference's, on random, smooth,
flat and photographic pixels of every shape from 1 x 1 to 1500 x 1500, elongated ones included.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pdqhash
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bouclier.hashing import _pdq, pdq
from tests.conftest import FACES, photo


def _reference(rgb: np.ndarray) -> tuple[tuple[str, ...], int]:
    vectors, quality = pdqhash.compute_dihedral(rgb)
    packed = np.packbits(np.asarray(vectors, dtype=np.uint8), axis=1)
    return tuple(row.tobytes().hex() for row in packed), int(quality)


def _assert_exact(rgb: np.ndarray) -> None:
    rgb = np.ascontiguousarray(rgb)
    hashes, quality = _pdq.dihedral(rgb)
    expected_hashes, expected_quality = _reference(rgb)
    assert (hashes, quality) == (expected_hashes, expected_quality), rgb.shape


def _pixels(seed: int, rows: int, cols: int, kind: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "noise":
        return rng.integers(0, 256, size=(rows, cols, 3), dtype=np.uint8)
    if kind == "flat":
        return np.broadcast_to(rng.integers(0, 256, size=3, dtype=np.uint8), (rows, cols, 3)).copy()
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    if kind == "gradient":
        a, b, c = rng.uniform(-3, 3, size=3)
        base = a * x + b * y + c * np.sin(x / max(cols, 1) * 7 + y / max(rows, 1) * 5) * 40
        channels = [base * rng.uniform(0.2, 1.5) + rng.uniform(0, 255) for _ in range(3)]
        return np.clip(np.stack(channels, axis=-1), 0, 255).astype(np.uint8)
    # blocks: large flat areas with sharp edges (many equal coefficients, ties at the median)
    cells = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    iy = np.minimum((y * 4 // max(rows, 1)).astype(int), 3)
    ix = np.minimum((x * 4 // max(cols, 1)).astype(int), 3)
    return cells[iy, ix]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    rows=st.one_of(st.integers(1, 16), st.integers(1, 1500)),
    cols=st.one_of(st.integers(1, 16), st.integers(1, 1500)),
    kind=st.sampled_from(["noise", "flat", "gradient", "blocks"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_equal_to_pdqhash_on_any_shape_and_content(
    rows: int, cols: int, kind: str, seed: int
) -> None:
    _assert_exact(_pixels(seed, rows, cols, kind))


@pytest.mark.parametrize("rows", [1, 4, 5, 6, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000])
def test_equal_at_window_boundaries(rows: int) -> None:
    for cols in (5, 64, 128, 129, 700):
        for kind in ("noise", "gradient", "blocks", "flat"):
            _assert_exact(_pixels(rows * 7919 + cols, rows, cols, kind))


def _real_images() -> list[Path]:
    import skimage

    data = Path(skimage.__file__).parent / "data"
    found = sorted(p for p in data.glob("*") if p.suffix in {".png", ".jpg"})
    found += sorted(p for p in FACES.glob("*") if p.suffix in {".png", ".jpg"})
    return found


@pytest.mark.parametrize("path", _real_images(), ids=lambda p: p.name)
def test_equal_on_real_images(path: Path) -> None:
    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"))
    _assert_exact(rgb)
    _assert_exact(rgb[::-1, ::2])  # another shape, another phase of the filters
    _assert_exact(rgb.transpose(1, 0, 2))


def test_equal_on_generated_photos() -> None:
    for seed in range(6):
        _assert_exact(photo(seed, (997 + seed * 61, 701 + seed * 97)))


def test_hash_pixels_is_the_c_function() -> None:
    pixels = photo(3)
    result = pdq.hash_pixels(pixels)
    assert (result.hashes, result.quality) == _reference(pixels)


def _assert_luma_exact(luma: np.ndarray) -> None:
    """A luma plane hashes as pdqhash hashes the grey image R = G = B = Y, bit for bit."""
    luma = np.ascontiguousarray(luma)
    expected = _reference(np.ascontiguousarray(np.repeat(luma[:, :, None], 3, axis=2)))
    assert _pdq.dihedral(luma) == expected, luma.shape


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    rows=st.one_of(st.integers(1, 16), st.integers(1, 900)),
    cols=st.one_of(st.integers(1, 16), st.integers(1, 900)),
    kind=st.sampled_from(["noise", "flat", "gradient", "blocks"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_luma_plane_is_the_grey_image_of_pdqhash(
    rows: int, cols: int, kind: str, seed: int
) -> None:
    _assert_luma_exact(_pixels(seed, rows, cols, kind)[:, :, 1])


@pytest.mark.parametrize("path", _real_images()[:6], ids=lambda p: p.name)
def test_a_luma_plane_of_a_real_image_is_exact(path: Path) -> None:
    with Image.open(path) as image:
        _assert_luma_exact(np.asarray(image.convert("L")))


def test_every_byte_value_is_its_own_luminance() -> None:
    """Y through the reference's (0.299 Y + 0.587 Y) + 0.114 Y in doubles rounds back to Y as a
    float for all 256 values: why the C code may read a luma byte as it is."""
    y = np.arange(256, dtype=np.float64)
    assert np.array_equal(((y * 0.299 + y * 0.587) + y * 0.114).astype(np.float32), y)


def test_hash_pixels_takes_rgb_or_luma_and_nothing_else() -> None:
    grey = photo(4)[:, :, 0].copy()
    assert pdq.hash_pixels(grey) == pdq.hash_pixels(np.repeat(grey[:, :, None], 3, axis=2))
    for bad in (
        np.zeros((8, 8, 1), np.uint8),
        np.zeros((8, 8, 4), np.uint8),
        np.zeros(8, np.uint8),
    ):
        with pytest.raises(ValueError, match=r"\(h, w, 3\) or \(h, w\) uint8"):
            pdq.hash_pixels(bad)


def test_refuses_what_is_not_contiguous_uint8_rgb() -> None:
    with pytest.raises(ValueError, match="C-contiguous"):
        _pdq.dihedral(np.zeros((8, 8, 1), dtype=np.uint8))
    with pytest.raises(ValueError, match="C-contiguous"):
        _pdq.dihedral(np.zeros(8, dtype=np.uint8))
    with pytest.raises(ValueError, match="C-contiguous"):
        _pdq.dihedral(np.zeros((8, 8, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="C-contiguous"):
        _pdq.dihedral(np.zeros((8, 8, 3), dtype=np.uint16))
    with pytest.raises((ValueError, BufferError)):
        _pdq.dihedral(np.zeros((8, 16, 3), dtype=np.uint8)[:, ::2])

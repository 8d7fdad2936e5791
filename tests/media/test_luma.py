"""``decode(luma=True)``: a JPEG straight to its luma plane, for callers that only hash.

libjpeg writes the Y channel alone (no chroma IDCT, upsampling or colour conversion). The frames
are (h, w), reduced and turned exactly as the RGB frames would be; every other file keeps RGB;
every refusal is the same. PDQ of the plane stays within a few bits of pdqhash's hash of the same
file (the reference: Pillow's RGB), which is what lets the upload path use it.
"""

from __future__ import annotations

import io

import numpy as np
import pdqhash
import pytest
from PIL import Image

from bouclier.errors import MediaError
from bouclier.hashing import hash_bytes
from bouclier.hashing.pdq import distance, hash_pixels
from bouclier.media import Limits, decode
from tests.conftest import FACES, photo

from .samples import encode, gradient


def _jpeg(pixels: np.ndarray, **options: object) -> bytes:
    return encode(Image.fromarray(pixels), "jpeg", **options)


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """PDQ's luminance of RGB pixels (0.299 R + 0.587 G + 0.114 B)."""
    return rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def _libjpeg_luma(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("L", image.size)
        return np.asarray(image)


@pytest.mark.parametrize("subsampling", [0, 1, 2], ids=["4:4:4", "4:2:2", "4:2:0"])
def test_a_colour_jpeg_decodes_to_its_luma_plane(subsampling: int) -> None:
    data = _jpeg(photo(1, (640, 480)), quality=90, subsampling=subsampling)
    rgb = decode(data)
    grey = decode(data, luma=True)
    assert grey.luma
    assert not rgb.luma
    assert grey.pixels.shape == (480, 640)
    assert (grey.width, grey.height, grey.format) == (640, 480, "jpeg")
    assert not grey.pixels.flags.writeable
    np.testing.assert_array_equal(grey.pixels, _libjpeg_luma(data))
    # the same picture as the luminance of the RGB decode, but for RGB's rounding and clipping
    assert np.abs(grey.pixels - _luminance(rgb.pixels)).mean() < 1.0


@pytest.mark.parametrize(
    ("size", "min_side", "expected"),
    [
        ((3000, 2000), 512, (1500, 1000)),  # DCT scaling 2, no block left
        ((2600, 2100), 128, (163, 132)),  # DCT scaling 8, then 2 x 2 blocks
        ((600, 400), 512, (600, 400)),  # no reduction
    ],
)
def test_a_luma_plane_is_reduced_as_rgb_is(
    size: tuple[int, int], min_side: int, expected: tuple[int, int]
) -> None:
    data = _jpeg(gradient(*size))
    rgb = decode(data, min_side=min_side)
    grey = decode(data, min_side=min_side, luma=True)
    assert grey.pixels.shape == (expected[1], expected[0]) == rgb.pixels.shape[:2]
    assert (grey.width, grey.height) == size
    assert np.abs(grey.pixels - _luminance(rgb.pixels)).mean() < 1.5


def test_a_luma_plane_is_turned_by_its_exif_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(Image.fromarray(gradient(400, 200)), "jpeg", exif=exif.tobytes())
    grey = decode(data, min_side=50, luma=True)
    assert (grey.width, grey.height) == (200, 400)
    assert grey.pixels.shape == (100, 50)
    assert grey.pixels.shape == decode(data, min_side=50).pixels.shape[:2]


def test_a_max_side_reduction_works_on_the_plane_too() -> None:
    data = _jpeg(gradient(1600, 1200))
    assert decode(data, max_side=300, luma=True).pixels.shape == (225, 300)


def test_a_grey_jpeg_is_its_own_plane() -> None:
    data = encode(Image.fromarray(gradient(320, 240)[:, :, 0]), "jpeg")
    grey, rgb = decode(data, luma=True), decode(data)
    np.testing.assert_array_equal(grey.pixels, rgb.pixels[:, :, 0])
    assert hash_pixels(grey.pixels) == hash_pixels(rgb.pixels)


@pytest.mark.parametrize("fmt", ["png", "webp", "gif", "bmp"])
def test_other_formats_stay_rgb(fmt: str) -> None:
    data = encode(Image.fromarray(photo(2, (200, 150))), fmt)
    grey, rgb = decode(data, luma=True), decode(data)
    assert not grey.luma
    np.testing.assert_array_equal(grey.pixels, rgb.pixels)


def test_a_cmyk_jpeg_stays_rgb() -> None:
    data = encode(Image.fromarray(photo(3, (200, 150))).convert("CMYK"), "jpeg")
    grey = decode(data, luma=True)
    assert not grey.luma
    np.testing.assert_array_equal(grey.pixels, decode(data).pixels)


def test_refusals_are_the_same() -> None:
    data = _jpeg(photo(4, (640, 480)))
    for cut, limits, code in [
        (data[:3000], Limits(), "media.truncated"),
        (data, Limits(max_pixels=1000), "media.too_many_pixels"),
        (data, Limits(max_bytes=100), "media.too_large"),
        (b"", Limits(), "media.empty"),
    ]:
        with pytest.raises(MediaError) as refused:
            decode(cut, limits=limits, luma=True)
        assert refused.value.code == code


def _reference(data: bytes) -> str:
    """pdqhash's hash of the file as python-threatexchange reads it (Pillow's RGB)."""
    with Image.open(io.BytesIO(data)) as image:
        vectors, _ = pdqhash.compute(np.asarray(image.convert("RGB")))
    return bytes(np.packbits(vectors.astype(np.uint8))).hex()


def _fixtures() -> list[bytes]:
    faces = [p.read_bytes() for p in sorted(FACES.glob("*.jpg"))]
    made = [_jpeg(photo(seed, (900, 700)), quality=85) for seed in range(6)]
    made += [_jpeg(photo(seed, (900, 700)), quality=90, subsampling=0) for seed in range(6, 10)]
    return faces + made


def test_pdq_of_the_plane_is_within_a_few_bits_of_pdqhash() -> None:
    """The tolerance the upload path accepts (docs/benchmarks-log.md, "Uploads per second: a
    leaner upload path": 0.1-0.75 bit mean, 2 bits at most, on photos): a luma plane that were
    not the JPEG's Y (a channel, a wrong reduction) lands tens of bits away."""
    fixtures = _fixtures()
    assert len(fixtures) >= 12
    bits = [
        distance(hash_pixels(decode(data, luma=True).pixels).pdq, _reference(data))
        for data in fixtures
    ]
    assert max(bits) <= 4
    assert np.mean(bits) <= 1.0
    # and the upload path's hashing (min_side 512, framing) keeps it
    for data in fixtures[:4]:
        luma, rgb = hash_bytes(data, luma=True), hash_bytes(data)
        assert luma.media is not None
        assert luma.media.image.luma
        assert distance(luma.pdq.pdq, rgb.pdq.pdq) <= 4
        assert (luma.sha256, luma.width, luma.height) == (rgb.sha256, rgb.width, rgb.height)

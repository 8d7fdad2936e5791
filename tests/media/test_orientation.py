"""EXIF orientation: pictures come out the way a viewer shows them, whatever the EXIF looks like."""

from __future__ import annotations

import io
import struct

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageOps

from bouclier.media import decode
from bouclier.media.orientation import exif_orientation

from .samples import encode

RED = (230, 20, 20)
GREY = (128, 128, 128)
# Where the stored top-left corner is seen, per orientation (EXIF 2.3, tag 0x0112).
CORNER = {
    1: "top-left",
    2: "top-right",
    3: "bottom-right",
    4: "bottom-left",
    5: "top-left",
    6: "top-right",
    7: "bottom-right",
    8: "bottom-left",
}


def stored() -> Image.Image:
    """A 60x30 grey picture with a red top-left corner: every turn and flip moves it."""
    image = Image.new("RGB", (60, 30), GREY)
    image.paste(RED, (0, 0, 12, 12))
    return image


def exif_block(orientation: int, *, endian: str = "<", kind: int = 3) -> bytes:
    mark = b"II" if endian == "<" else b"MM"
    if kind == 4:
        value = struct.pack(endian + "I", orientation)
    else:
        value = struct.pack(endian + "HH", orientation, 0)
    entry = struct.pack(endian + "HHI", 0x0112, kind, 1) + value
    return b"Exif\x00\x00" + mark + struct.pack(endian + "HIH", 42, 8, 1) + entry + b"\x00" * 4


def red_corner(pixels: np.ndarray) -> str:
    h, w = pixels.shape[:2]
    corners = {
        "top-left": pixels[2, 2],
        "top-right": pixels[2, w - 3],
        "bottom-left": pixels[h - 3, 2],
        "bottom-right": pixels[h - 3, w - 3],
    }
    reds = [name for name, rgb in corners.items() if rgb[0] > 180 and rgb[1] < 80]
    assert len(reds) == 1, corners
    return reds[0]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_orientation(orientation: int) -> None:
    data = encode(stored(), "jpeg", exif=exif_block(orientation))
    image = decode(data)
    turned = orientation >= 5
    assert (image.width, image.height) == ((30, 60) if turned else (60, 30))
    assert image.pixels.shape == ((60, 30, 3) if turned else (30, 60, 3))
    assert red_corner(image.pixels) == CORNER[orientation]
    # Pillow's own exif_transpose, as a second opinion on the whole picture.
    with Image.open(io.BytesIO(data)) as reference:
        expected = np.asarray(ImageOps.exif_transpose(reference).convert("RGB"))
    np.testing.assert_array_equal(image.pixels, expected)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_with_max_side(orientation: int) -> None:
    image = decode(encode(stored(), "jpeg", exif=exif_block(orientation)), max_side=20)
    turned = orientation >= 5
    assert (image.width, image.height) == ((30, 60) if turned else (60, 30))
    assert image.pixels.shape == ((20, 10, 3) if turned else (10, 20, 3))


@pytest.mark.parametrize("fmt", ["png", "webp", "tiff", "avif"])
def test_other_formats_honour_orientation(fmt: str) -> None:
    if fmt == "tiff":
        data = encode(stored(), fmt, tiffinfo={0x0112: 6})
    else:
        data = encode(stored(), fmt, exif=exif_block(6))
    image = decode(data)
    assert (image.width, image.height) == (30, 60)
    assert red_corner(image.pixels) == "top-right"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_heic_rotation_and_mirror_boxes(orientation: int) -> None:
    # pillow_heif's Pillow writer turns the EXIF orientation into irot/imir boxes, which libheif
    # applies while decoding. (Its writer is registered here, as the decoder registers the reader.)
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    stored().save(buffer, "HEIF", exif=exif_block(orientation), quality=95)
    image = decode(buffer.getvalue())
    assert (image.width, image.height) == ((30, 60) if orientation >= 5 else (60, 30))
    assert red_corner(image.pixels) == CORNER[orientation]


@pytest.mark.parametrize(
    "exif",
    [
        b"garbage",
        b"Exif\x00\x00",
        b"Exif\x00\x00II*\x00\xff\xff\xff\x7f",  # directory far past the end
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff",  # 65535 entries announced, none there
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12",  # entry cut short
        b"Exif\x00\x00XX*\x00\x08\x00\x00\x00",  # unknown byte order
        exif_block(9),  # out of range
        exif_block(0),
        exif_block(6, kind=2),  # ASCII: not an orientation
    ],
)
def test_bad_exif_is_ignored(exif: bytes) -> None:
    for fmt in ("jpeg", "png", "webp"):
        image = decode(encode(stored(), fmt, exif=exif))
        assert (image.width, image.height) == (60, 30), fmt
        assert red_corner(image.pixels) == "top-left", fmt


@pytest.mark.parametrize(
    ("exif", "expected"),
    [
        (exif_block(6), 6),
        (exif_block(8, endian=">"), 8),
        (exif_block(3, kind=4), 3),  # LONG instead of SHORT
        (exif_block(5, endian=">", kind=4), 5),
        (exif_block(6)[6:], 6),  # without the Exif header
        (exif_block(6)[:-10], 1),  # the entry is cut off
        (b"", 1),
    ],
)
def test_exif_orientation_parser(exif: bytes, expected: int) -> None:
    assert exif_orientation(exif) == expected

"""EXIF orientation: which way up a picture is meant to be seen.

Cameras store pixels as the sensor read them and say in the EXIF tag 0x0112 how to turn them for
display. Bouclier hashes the picture as a person sees it, so the tag is applied before anything
else looks at the pixels. The tag is read here with a tiny parser of the first EXIF directory
rather than Pillow's full EXIF reader: the one tag is all that matters, and a malformed EXIF block
(common in files that went through odd editors) must never make a sound image fail or warn.
Orientation 1, "as stored", is the answer whenever the tag is absent, unreadable or out of range.

Some decoders turn the picture themselves and then report orientation 1, so nothing is turned
twice: libheif applies a HEIC's rotation and mirroring boxes and pillow_heif resets the tag, and
Pillow's TIFF reader applies a page's tag while loading and drops it. Pillow's AVIF reader does the
opposite, translating the boxes into the EXIF tag, so AVIF goes through the same path as JPEG.
"""

from __future__ import annotations

import struct

from PIL import Image
from PIL.TiffImagePlugin import TiffImageFile

_ORIENTATION_TAG = 0x0112

#: The transpose that turns stored pixels into displayed pixels, per EXIF orientation (2 to 8).
TRANSPOSES: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def orientation_of(image: Image.Image) -> int:
    """The EXIF orientation (1 to 8) of the frame ``image`` is on; 1 when there is none."""
    if isinstance(image, TiffImageFile):
        # A TIFF page carries the tag in its own directory (absent once Pillow has applied it).
        return _valid(image.tag_v2.get(_ORIENTATION_TAG))
    exif = image.info.get("exif")
    return exif_orientation(exif) if isinstance(exif, bytes) else 1


def swaps_sides(orientation: int) -> bool:
    """Whether displaying the image turns it a quarter: width and height trade places."""
    return orientation in (5, 6, 7, 8)


def exif_orientation(exif: bytes) -> int:
    """The orientation tag of a raw EXIF block (with or without its ``Exif\\0\\0`` header)."""
    block = exif.removeprefix(b"Exif\x00\x00")
    if len(block) < 8 or block[:2] not in (b"II", b"MM"):
        return 1
    endian = "<" if block[:2] == b"II" else ">"
    magic, ifd = struct.unpack_from(endian + "HI", block, 2)
    if magic != 42 or ifd + 2 > len(block):
        return 1
    (count,) = struct.unpack_from(endian + "H", block, ifd)
    count = min(count, (len(block) - ifd - 2) // 12)  # entries that are really there
    for i in range(count):
        tag, kind, number = struct.unpack_from(endian + "HHI", block, ifd + 2 + 12 * i)
        if tag != _ORIENTATION_TAG:
            continue
        if number < 1 or kind not in (3, 4):  # SHORT, as the standard says, or LONG
            return 1
        value_format = endian + ("H" if kind == 3 else "I")
        (value,) = struct.unpack_from(value_format, block, ifd + 10 + 12 * i)
        return _valid(value)
    return 1


def _valid(value: object) -> int:
    if isinstance(value, tuple) and value:
        value = value[0]
    return value if isinstance(value, int) and 1 <= value <= 8 else 1

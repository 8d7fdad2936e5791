"""Benign test images made on the spot: gradients, noise, solid colours and shapes, in every format.

Nothing here is or resembles a photograph of a person; the portraits under ``shared/data/faces``
are the only real pictures the media tests read.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pillow_heif
from PIL import Image

#: Pillow's writer for each format Bouclier reads, and options that keep the output small.
WRITERS: dict[str, tuple[str, dict[str, object]]] = {
    "jpeg": ("JPEG", {"quality": 95}),
    "png": ("PNG", {}),
    "webp": ("WEBP", {"lossless": True}),
    "gif": ("GIF", {}),
    "tiff": ("TIFF", {}),
    "bmp": ("BMP", {}),
    "avif": ("AVIF", {"quality": 95}),
    "heic": ("HEIF", {"quality": 95}),
}
#: Formats whose writer keeps every pixel exactly (for an image GIF's palette can hold).
LOSSLESS = frozenset({"png", "webp", "gif", "tiff", "bmp"})


def gradient(width: int = 64, height: int = 48) -> np.ndarray:
    """(h, w, 3) uint8: red grows to the right, green downwards, blue is constant."""
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    pixels[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[np.newaxis, :]
    pixels[..., 1] = np.linspace(0, 255, height, dtype=np.uint8)[:, np.newaxis]
    pixels[..., 2] = 96
    return pixels


def blocks(width: int = 64, height: int = 48) -> np.ndarray:
    """Four flat quadrants (red, green, blue, white): exact in a GIF palette, sturdy in a JPEG."""
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    h, w = height // 2, width // 2
    pixels[:h, :w] = (220, 30, 30)
    pixels[:h, w:] = (30, 200, 30)
    pixels[h:, :w] = (30, 30, 220)
    pixels[h:, w:] = (250, 250, 250)
    return pixels


def noise(width: int, height: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    """``image`` written as ``fmt`` (one of Bouclier's format names)."""
    buffer = io.BytesIO()
    if fmt == "heic":
        # Written through pillow_heif's own API, so the tests never register its opener: the
        # decoder must do that itself.
        quality = options.pop("quality", 95)
        heif = pillow_heif.from_pillow(image)
        heif.save(buffer, quality=quality, **options)
        return buffer.getvalue()
    writer, defaults = WRITERS[fmt]
    image.save(buffer, writer, **{**defaults, **options})
    return buffer.getvalue()


def animation(
    fmt: str, colours: list[tuple[int, int, int]], size: tuple[int, int] = (24, 16)
) -> bytes:
    """An animation whose frame ``i`` is filled with ``colours[i]``."""
    frames = [Image.new("RGB", size, colour) for colour in colours]
    options: dict[str, object] = {"save_all": True, "append_images": frames[1:], "duration": 50}
    if fmt == "gif":
        options["disposal"] = 1
    if fmt == "webp":
        options["lossless"] = True
    return encode(frames[0], fmt, **options)


def distinct_colours(count: int) -> list[tuple[int, int, int]]:
    """``count`` colours far enough apart to tell frames apart after lossy coding."""
    return [((i * 37) % 256, (i * 91) % 256, (i * 151) % 256) for i in range(count)]


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def raw_png(
    width: int, height: int, bit_depth: int, colour_type: int, rows: bytes, *, extra: bytes = b""
) -> bytes:
    """A PNG written by hand, for what Pillow cannot write (16-bit RGB) or should not (huge)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + extra
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def gif_frames(
    count: int, *, screen: tuple[int, int] = (1, 1), at: tuple[int, int] = (0, 0)
) -> bytes:
    """A GIF of ``count`` black 1x1 frames at ``at`` on a ``screen``, written by hand.

    Pillow's writer merges identical frames and never writes a header that lies; this does both.
    """
    palette = b"\x00\x00\x00\xff\xff\xff"
    header = b"GIF89a" + struct.pack("<HHBBB", *screen, 0x80, 0, 0) + palette
    # LZW, minimum code size 2, one sub-block: clear code, pixel 0, end code.
    frame = b"," + struct.pack("<HHHHB", *at, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return header + frame * count + b";"


def raw_tiff(pages: list[tuple[int, int]], *, entries_per_page: int | None = None) -> bytes:
    """A little-endian TIFF of 8-bit grey pages written by hand, headers free to lie.

    Each page's strip holds ``width * height`` bytes when that is small, else one byte (the page
    claims more than the file holds, as a decompression bomb's would). ``entries_per_page``
    replaces the real directories by empty entries of that count, to build absurd chains.
    """
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    links = [4]  # where each "next directory" offset is written
    for width, height in pages:
        strip_at = len(out)
        size = width * height if width * height <= 4096 else 1
        out += b"\x07" * size
        if len(out) % 2:
            out += b"\x00"
        ifd_at = len(out)
        struct.pack_into("<I", out, links[-1], ifd_at)
        if entries_per_page is not None:
            out += struct.pack("<H", entries_per_page) + bytes(12 * entries_per_page)
        else:
            tags = [
                (256, 4, width),
                (257, 4, height),
                (258, 3, 8),
                (259, 3, 1),
                (262, 3, 1),
                (273, 4, strip_at),
                (277, 3, 1),
                (278, 4, height),
                (279, 4, width * height),
            ]
            out += struct.pack("<H", len(tags))
            for tag, kind, value in tags:
                out += struct.pack("<HHI", tag, kind, 1)
                out += struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        links.append(len(out))
        out += b"\x00\x00\x00\x00"
    return bytes(out)

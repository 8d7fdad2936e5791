"""Walks of container structure (markers, chunks, blocks, directories, boxes), never of pixels.

Some files ask for unbounded work before a single pixel is decoded: Pillow counts a GIF's frames
by reading every one, parses every directory of every TIFF page it seeks past, and handles each
PNG chunk, JPEG segment and GIF block in Python, so 50 MB of empty chunks cost it 20 seconds;
libjpeg passes over the whole image once per progressive scan; Pillow's BMP RLE decoder runs in
Python, pixel by pixel. :func:`inspect` walks the structure first, in C-speed searches or cheap
loops with hard caps, and refuses such files before any decoder starts. The same walk tells a
file that ends too soon (``media.truncated``) from a damaged one (``media.corrupt``) when a
decoder later fails, since decoders report both alike.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from bouclier.errors import MediaError
from bouclier.media._markers import next_marker

#: More frames (or TIFF pages) than this and a file is refused without being walked further.
MAX_FRAME_COUNT = 10_000
# Caps on structure no real file comes near, each bounding a loop Pillow runs in Python.
_MAX_TIFF_ENTRIES = 500_000  # directory entries over the pages walked (real pages: a few dozen)
_MAX_GIF_BLOCKS = 2_000_000  # extensions, frames, data sub-blocks (50 MB of 255-byte ones: 200k)
_MAX_PNG_CHUNKS = 100_000  # real files: a handful, plus one IDAT every 8 to 64 KB
_MAX_JPEG_SEGMENTS = 10_000  # real files: tens (an ICC profile split in 255 at most)
_MAX_JPEG_SCANS = 100  # progressive encoders write about 10
_MAX_BMP_RLE_PIXELS = 8_000_000  # Pillow's RLE decoder takes about 0.2 us a pixel


@dataclass(frozen=True, slots=True)
class Layout:
    """What the structure says before a decoder is asked."""

    truncated: bool  # the structure runs past the end of the data
    frame_count: int | None = None  # counted here when Pillow would count them the slow way
    canvas: tuple[int, int] | None = None  # a size known before Pillow opens the file


def inspect(data: bytes, fmt: str) -> Layout:
    """Walks the file's structure; raises MediaError for structure that bounds no work."""
    try:
        return _WALKS[fmt](data)
    except struct.error:
        return Layout(truncated=True)  # a fixed-size field itself runs past the end


def _too_many_frames(what: str) -> MediaError:
    return MediaError(
        f"the {what} has more than {MAX_FRAME_COUNT} frames; Bouclier will not walk through it",
        code="media.too_many_frames",
    )


def _unbounded(what: str) -> MediaError:
    return MediaError(
        f"the {what}; no real image has as many, and decoding it would take unbounded work",
        code="media.too_complex",
    )


def _jpeg(data: bytes) -> Layout:
    n = len(data)
    pos, segments, scans = 2, 0, 0
    while pos < n:
        if data[pos] != 0xFF:
            return Layout(truncated=False)  # not a marker where one must be: damage
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= n:
            break
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # end of image
            return Layout(truncated=False)
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            continue
        segments += 1
        if segments > _MAX_JPEG_SEGMENTS:
            raise _unbounded(f"JPEG has more than {_MAX_JPEG_SEGMENTS} segments")
        if pos + 2 > n:
            break
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2:
            return Layout(truncated=False)
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            scans += 1
            if scans > _MAX_JPEG_SCANS:
                raise _unbounded(f"JPEG has more than {_MAX_JPEG_SCANS} progressive scans")
            # the next marker: 0xFF not followed by a stuffed 0x00, a restart marker (0xD0-0xD7)
            # or fill (another 0xFF); memchr in C over the 0xFF bytes
            pos = next_marker(data, pos)
            if pos < 0:
                break
    return Layout(truncated=True)


def _png(data: bytes) -> Layout:
    n = len(data)
    pos, chunks = 8, 0
    while pos + 8 <= n:
        length, kind = struct.unpack_from(">I4s", data, pos)
        if not kind.isalpha() or length > 0x7FFFFFFF:
            return Layout(truncated=False)
        chunks += 1
        if chunks > _MAX_PNG_CHUNKS:
            raise _unbounded(f"PNG has more than {_MAX_PNG_CHUNKS} chunks")
        pos += 12 + length
        if pos > n:
            break
        if kind == b"IEND":
            return Layout(truncated=False)
    return Layout(truncated=True)


def _gif(data: bytes) -> Layout:
    """Counts frames and the canvas they need (Pillow grows it to fit a frame that overhangs)."""
    n = len(data)
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    pos = 13 + ((3 << ((flags & 7) + 1)) if flags & 0x80 else 0)
    frames, blocks = 0, 0
    while pos < n:
        block = data[pos]
        pos += 1
        if block == 0x3B:  # trailer
            return Layout(False, max(frames, 1), (width, height))
        if block == 0x21:  # extension: a label, then data sub-blocks
            pos, count = _skip_sub_blocks(data, pos + 1)
            blocks += 1 + count
        elif block == 0x2C:  # image descriptor, optional local palette, LZW code size, sub-blocks
            if pos + 9 > n:
                break
            left, top, w, h, frame_flags = struct.unpack_from("<HHHHB", data, pos)
            pos += 9 + ((3 << ((frame_flags & 7) + 1)) if frame_flags & 0x80 else 0)
            pos, count = _skip_sub_blocks(data, pos + 1)
            blocks += 1 + count
            frames += 1
            if frames > MAX_FRAME_COUNT:
                raise _too_many_frames("GIF animation")
            width, height = max(width, left + w), max(height, top + h)
        # Any other byte is skipped one at a time, as Pillow's reader does.
        if blocks > _MAX_GIF_BLOCKS:
            raise MediaError(
                f"the GIF has more than {_MAX_GIF_BLOCKS} blocks; walking through its frames "
                "would take unbounded work",
                code="media.too_many_frames",
            )
    return Layout(True, max(frames, 1), (width, height))


def _skip_sub_blocks(data: bytes, pos: int) -> tuple[int, int]:
    n = len(data)
    count = 0
    while pos < n:
        size = data[pos]
        pos += 1 + size
        count += 1
        if size == 0:
            return pos, count
    return n + 1, count  # ran off the end: the caller sees pos past the data


def _tiff(data: bytes) -> Layout:
    pages = max(_tiff_page_count(data), 1)
    try:
        truncated = _tiff_first_page_truncated(data)
    except struct.error:
        truncated = True
    return Layout(truncated, pages)


def _tiff_page_count(data: bytes) -> int:
    """Counts the pages whose directories lie wholly inside the data, following the chain as
    Pillow does (a link back to a directory already seen ends it)."""
    n = len(data)
    endian = ">" if data[:2] == b"MM" else "<"
    big = data[2] == 43  # BigTIFF, tested the way Pillow tests it
    count_fmt, count_size, entry_size, link_fmt = ("Q", 8, 20, "Q") if big else ("H", 2, 12, "L")
    link_size = struct.calcsize("<" + link_fmt)
    (offset,) = struct.unpack_from(endian + link_fmt, data, 8 if big else 4)
    seen: set[int] = set()
    entries = 0
    while offset and offset + count_size <= n:
        (count,) = struct.unpack_from(endian + count_fmt, data, offset)
        available = (n - offset - count_size) // entry_size
        entries += min(count, available)
        if entries > _MAX_TIFF_ENTRIES:
            raise MediaError(
                f"the TIFF's pages have more than {_MAX_TIFF_ENTRIES} directory entries; walking "
                "through them would take unbounded work",
                code="media.too_many_frames",
            )
        link_at = offset + count_size + count * entry_size
        if count > available or link_at + link_size > n:
            break  # this directory is cut short; Pillow cannot read it either
        seen.add(offset)
        if len(seen) > MAX_FRAME_COUNT:
            raise _too_many_frames("TIFF file")
        (offset,) = struct.unpack_from(endian + link_fmt, data, link_at)
        if offset in seen:
            break
    return len(seen)


def _tiff_first_page_truncated(data: bytes) -> bool:
    n = len(data)
    endian = ">" if data[:2] == b"MM" else "<"
    if data[2] == 43:
        return n < 16 or struct.unpack_from(endian + "Q", data, 8)[0] + 8 > n
    (offset,) = struct.unpack_from(endian + "L", data, 4)
    (count,) = struct.unpack_from(endian + "H", data, offset)
    if offset + 2 + count * 12 > n:
        return True
    # The first page's strips (or tiles) must end inside the file.
    fields: dict[int, tuple[int, ...]] = {}
    sizes = {3: ("H", 2), 4: ("L", 4), 16: ("Q", 8)}
    for i in range(count):
        tag, typ, number = struct.unpack_from(endian + "HHL", data, offset + 2 + i * 12)
        if tag in (273, 279, 324, 325) and typ in sizes and 0 < number <= 1 << 20:
            code, size = sizes[typ]
            at = offset + 2 + i * 12 + 8
            if number * size > 4:
                (at,) = struct.unpack_from(endian + "L", data, at)
            fields[tag] = struct.unpack_from(f"{endian}{number}{code}", data, at)
    for starts_tag, counts_tag in ((273, 279), (324, 325)):
        starts, counts = fields.get(starts_tag, ()), fields.get(counts_tag, ())
        if any(start + size > n for start, size in zip(starts, counts, strict=False)):
            return True
    return False


def _webp(data: bytes) -> Layout:
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end = min(8 + riff_size, len(data))
    pos = 12
    while pos + 8 <= end:
        (size,) = struct.unpack_from("<I", data, pos + 4)
        pos += 8 + size + (size & 1)
    truncated = 8 + riff_size > len(data) or pos > len(data)
    # libwebp allocates the canvas when Pillow opens the file: its size must be checked first.
    return Layout(truncated, canvas=_webp_canvas(data))


def _webp_canvas(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        w, h = struct.unpack_from("<HH", data, 26)
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _bmp(data: bytes) -> Layout:
    n = len(data)
    file_size, pixel_offset, header_size = struct.unpack_from("<I4xII", data, 2)
    if header_size < 40:
        return Layout(truncated=file_size > n or pixel_offset > n)
    width, height, _, bits, compression = struct.unpack_from("<iiHHI", data, 18)
    pixels = abs(width) * abs(height)
    if compression in (1, 2) and pixels > _MAX_BMP_RLE_PIXELS:
        raise MediaError(
            f"the BMP is RLE-compressed with {pixels} pixels; Bouclier decodes such BMPs up to "
            f"{_MAX_BMP_RLE_PIXELS} pixels (the decoder is slow); export it as PNG",
            code="media.too_many_pixels",
        )
    row = (abs(width) * bits + 31) // 32 * 4
    raw_end = pixel_offset + row * abs(height) if compression in (0, 3) else 0
    return Layout(truncated=file_size > n or pixel_offset > n or raw_end > n)


def _bmff(data: bytes) -> Layout:
    n = len(data)
    pos = 0
    while pos + 8 <= n:
        (size,) = struct.unpack_from(">I", data, pos)
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
        elif size == 0:  # the box runs to the end of the file
            return Layout(truncated=False)
        if size < 8:
            return Layout(truncated=False)
        pos += size
    return Layout(truncated=pos != n)  # a box runs past the end, or a box header is cut short


_WALKS: dict[str, Callable[[bytes], Layout]] = {
    "jpeg": _jpeg,
    "png": _png,
    "gif": _gif,
    "webp": _webp,
    "tiff": _tiff,
    "bmp": _bmp,
    "heic": _bmff,
    "avif": _bmff,
}

"""Every refusal, each with its exact code: empty, too large, bombs, endless animations, damage."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from bouclier.errors import MEDIA_ERROR_CODES, MediaError
from bouclier.media import Limits, decode, decode_file

from .samples import (
    WRITERS,
    animation,
    distinct_colours,
    encode,
    gif_frames,
    noise,
    png_chunk,
    raw_png,
    raw_tiff,
)


def refusal(data: bytes, **options: object) -> str:
    with pytest.raises(MediaError) as caught:
        decode(data, **options)  # type: ignore[arg-type]
    assert caught.value.code in MEDIA_ERROR_CODES
    assert caught.value.message
    return caught.value.code


@pytest.fixture
def no_pixel_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes any attempt to decode pixel data fail the test."""

    def load(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixel data was decoded before the limits were checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def small_png() -> bytes:
    return encode(Image.fromarray(noise(16, 16)), "png")


def test_empty() -> None:
    assert refusal(b"") == "media.empty"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(MediaError) as caught:
        decode_file(path)
    assert caught.value.code == "media.empty"


def test_too_large() -> None:
    data = small_png()
    assert refusal(data, limits=Limits(max_bytes=len(data) - 1)) == "media.too_large"
    assert decode(data, limits=Limits(max_bytes=len(data))).format == "png"


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(small_png() + bytes(1 << 20))
    with pytest.raises(MediaError) as caught:
        decode_file(path, limits=Limits(max_bytes=1000))
    assert caught.value.code == "media.too_large"


def test_endless_file_is_read_only_up_to_the_limit() -> None:
    with pytest.raises(MediaError) as caught:
        decode_file("/dev/zero", limits=Limits(max_bytes=1000))  # would never end if read whole
    assert caught.value.code == "media.too_large"


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.fromarray(noise(16, 16)), "jpeg"))
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _webp_claiming(width: int, height: int) -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


@pytest.mark.usefixtures("no_pixel_decoding")
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(raw_png(60000, 60000, 8, 2, b"\x00"), id="png"),
        pytest.param(gif_frames(1, screen=(60000, 60000)), id="gif-screen"),
        pytest.param(gif_frames(1, at=(50000, 50000)), id="gif-frame-overhangs-the-screen"),
        pytest.param(_jpeg_claiming(60000, 60000), id="jpeg"),
        pytest.param(_webp_claiming(16000, 16000), id="webp"),
        pytest.param(raw_tiff([(60000, 60000)]), id="tiff"),
        pytest.param(raw_tiff([(4, 4), (60000, 60000)]), id="tiff-second-page"),
    ],
)
def test_too_many_pixels_is_refused_before_decoding(data: bytes) -> None:
    assert refusal(data) == "media.too_many_pixels"


def test_pixels_are_summed_over_the_frames_decoded() -> None:
    data = animation("gif", distinct_colours(5))  # 24x16 = 384 pixels a frame
    assert refusal(data, limits=Limits(max_pixels=384 * 4)) == "media.too_many_pixels"
    kept = decode(data, limits=Limits(max_pixels=384 * 4, max_frames=4))
    assert len(kept.frames) == 4


def test_pillow_bomb_error_becomes_too_many_pixels() -> None:
    # 400 million pixels: under these limits, but over twice Pillow's own ceiling.
    data = raw_png(20000, 20000, 8, 0, b"\x00")
    assert refusal(data, limits=Limits(max_pixels=10**9)) == "media.too_many_pixels"


def test_pillow_bomb_warning_does_not_decide() -> None:
    # 95 million pixels: over Pillow's warning threshold, under Bouclier's limit. The warning is
    # silenced (pytest turns warnings into errors) and the limit decides. (Pillow reads rows past
    # the end of a finished zlib stream as black.)
    image = decode(raw_png(10000, 9500, 8, 0, b"\x00" * 10001), max_side=100)
    assert (image.width, image.height, image.pixels.shape) == (10000, 9500, (95, 100, 3))


def _apng_claiming(frames: int) -> bytes:
    data = bytearray(animation("png", distinct_colours(2)))
    actl = data.find(b"acTL")
    struct.pack_into(">I", data, actl + 4, frames)
    struct.pack_into(">I", data, actl + 12, 0)  # the CRC Pillow checks
    crc = zlib.crc32(bytes(data[actl : actl + 12]))
    struct.pack_into(">I", data, actl + 12, crc)
    return bytes(data)


@pytest.mark.usefixtures("no_pixel_decoding")
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(gif_frames(10_001), id="gif"),
        pytest.param(_apng_claiming(20_000), id="apng"),
        pytest.param(raw_tiff([(1, 1)] * 10_001, entries_per_page=0), id="tiff-pages"),
        pytest.param(raw_tiff([(1, 1)] * 10, entries_per_page=60_000), id="tiff-directories"),
    ],
)
def test_absurd_frame_counts_are_refused_before_decoding(data: bytes) -> None:
    assert refusal(data) == "media.too_many_frames"


def test_ten_thousand_frames_are_still_counted() -> None:
    image = decode(gif_frames(10_000), limits=Limits(max_frames=2))
    assert (image.frame_count, len(image.frames)) == (10_000, 2)


def test_walking_to_late_frames_is_bounded() -> None:
    # 60 frames of 100x100: keeping frame 30 means decoding 31 frames of deltas on the way.
    colours = distinct_colours(60)
    data = animation("gif", colours, size=(100, 100))
    limits = Limits(max_pixels=20_000, max_frames=2)
    assert refusal(data, limits=limits) == "media.too_many_frames"
    assert decode(data, limits=Limits(max_pixels=20_000, max_frames=1)).frame_count == 60


def _cut_points(data: bytes) -> list[int]:
    return [len(data) * fraction // 100 for fraction in (30, 60, 90, 99)]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_truncated_files(fmt: str) -> None:
    data = encode(Image.fromarray(noise(96, 64)), fmt)
    for cut in _cut_points(data):
        assert refusal(data[:cut]) == "media.truncated", (fmt, cut, len(data))


@pytest.mark.parametrize("fmt", ["gif", "webp", "png"])
def test_truncated_animations(fmt: str) -> None:
    frames = [Image.fromarray(noise(48, 32, seed)) for seed in range(3)]
    options: dict[str, object] = {"save_all": True, "append_images": frames[1:]}
    data = encode(frames[0], fmt, **options)
    for cut in _cut_points(data):
        assert refusal(data[:cut]) == "media.truncated", (fmt, cut, len(data))


def _png_with_bad_header_crc() -> bytes:
    data = bytearray(encode(Image.fromarray(noise(8, 8)), "png"))
    data[29] ^= 0xFF  # the IHDR CRC
    return bytes(data)


def _png_with_garbage_pixels() -> bytes:
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    garbage = bytes(np.random.default_rng(1).integers(0, 256, 200, dtype=np.uint8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", garbage)
        + png_chunk(b"IEND", b"")
    )


def _webp_with_garbage_bitstream() -> bytes:
    # (VP8, the lossy codec, makes a picture of almost any bitstream; VP8L checks its own.)
    data = bytearray(encode(Image.fromarray(noise(32, 32)), "webp", lossless=True))
    data[30:] = bytes(np.random.default_rng(2).integers(0, 256, len(data) - 30, dtype=np.uint8))
    return bytes(data)


def _bmp_with_odd_depth() -> bytes:
    data = bytearray(encode(Image.fromarray(noise(8, 8)), "bmp"))
    struct.pack_into("<H", data, 28, 7)  # 7 bits a pixel
    return bytes(data)


def _tiff_with_unknown_compression() -> bytes:
    data = bytearray(raw_tiff([(8, 8)]))
    at = data.find(struct.pack("<HHIHH", 259, 3, 1, 1, 0))
    struct.pack_into("<H", data, at + 8, 12345)
    return bytes(data)


def _heif_like(brand: bytes) -> bytes:
    ftyp = struct.pack(">I", 24) + b"ftyp" + brand + b"\x00\x00\x00\x00mif1" + brand
    return ftyp + struct.pack(">I", 24) + b"meta" + bytes(16)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xd8\xff" + bytes(range(256)) * 4, id="jpeg-garbage"),
        pytest.param(_png_with_bad_header_crc(), id="png-header-crc"),
        pytest.param(_png_with_garbage_pixels(), id="png-garbage-pixels"),
        pytest.param(_webp_with_garbage_bitstream(), id="webp-garbage"),
        pytest.param(_bmp_with_odd_depth(), id="bmp-depth"),
        pytest.param(_tiff_with_unknown_compression(), id="tiff-compression"),
        pytest.param(_heif_like(b"heic"), id="heic-empty-meta"),
        pytest.param(_heif_like(b"avif"), id="avif-empty-meta"),
    ],
)
def test_corrupt_files(data: bytes) -> None:
    assert refusal(data) == "media.corrupt"


def _jpeg_with_scans(extra: int) -> bytes:
    data = encode(Image.fromarray(noise(32, 32)), "jpeg", progressive=True)
    last_scan = data.rfind(b"\xff\xda")
    return data[:-2] + data[last_scan:-2] * extra + b"\xff\xd9"


def _rle_bmp(width: int, height: int) -> bytes:
    rows = b"\x01\x00\x00\x00" * height + b"\x00\x01"  # per row: one pixel, end of line
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(rows), 0, 0, 0, 0)
    start = 14 + len(info) + 1024
    header = b"BM" + struct.pack("<IHHI", start + len(rows), 0, 0, start)
    return header + info + bytes(1024) + rows


def _jpeg_with_segments(extra: int) -> bytes:
    data = encode(Image.fromarray(noise(8, 8)), "jpeg")
    return data[:2] + b"\xff\xe5\x00\x02" * extra + data[2:]  # empty APP5 segments


def _png_with_chunks(extra: int) -> bytes:
    data = small_png()
    return data[:33] + png_chunk(b"teSt", b"") * extra + data[33:]  # after IHDR


def _gif_with_sub_blocks(extra: int) -> bytes:
    data = gif_frames(1)
    comment = b"!\xfe" + b"\x01x" * extra + b"\x00"
    return data[:19] + comment + data[19:]


@pytest.mark.usefixtures("no_pixel_decoding")
@pytest.mark.parametrize(
    ("data", "code"),
    [
        # libjpeg passes over the whole image once per progressive scan.
        pytest.param(_jpeg_with_scans(100), "media.too_complex", id="jpeg-scans"),
        # Pillow handles each JPEG segment, PNG chunk and GIF block in Python.
        pytest.param(_jpeg_with_segments(10_001), "media.too_complex", id="jpeg-segments"),
        pytest.param(_png_with_chunks(100_001), "media.too_complex", id="png-chunks"),
        pytest.param(_gif_with_sub_blocks(2_000_001), "media.too_many_frames", id="gif-blocks"),
        # Pillow's BMP RLE decoder works pixel by pixel, in Python.
        pytest.param(_rle_bmp(4000, 2001), "media.too_many_pixels", id="bmp-rle"),
    ],
)
def test_structure_that_bounds_no_work_is_refused(data: bytes, code: str) -> None:
    assert refusal(data) == code


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_jpeg_with_scans(20), id="jpeg-scans"),
        pytest.param(_jpeg_with_segments(1000), id="jpeg-segments"),
        pytest.param(_png_with_chunks(1000), id="png-chunks"),
        pytest.param(_gif_with_sub_blocks(10_000), id="gif-blocks"),
        pytest.param(_rle_bmp(400, 200), id="bmp-rle"),
    ],
)
def test_odd_but_bounded_structure_decodes(data: bytes) -> None:
    assert decode(data).frames

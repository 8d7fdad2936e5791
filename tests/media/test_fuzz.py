"""Fuzzing the decoder with mutated real files: a sound image or a MediaError, nothing else.

Seeds are small valid files of every format and many pixel modes, made here. Mutations are those
that find decoder bugs in practice: bit flips, byte overwrites (including boundary integers in
header fields), insertions, deletions, truncation and splicing two files together. The property is
the decoder's contract: a :class:`DecodedImage` whose frames are (h, w, 3) uint8, C-contiguous and
at most ``max_frames``, or a :class:`MediaError` with a known code; no other exception, and no
example slower than the deadline (the hang guard). Pixel limits are small so that a mutated header
cannot make an example allocate much.

``MEDIA_FUZZ_EXAMPLES=5000 pytest tests/media/test_fuzz.py`` runs a long, randomised campaign; the
default run is short and the same every time.
"""

from __future__ import annotations

import os
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from bouclier.errors import MEDIA_ERROR_CODES, MediaError
from bouclier.media import DecodedImage, Limits, decode, sniff_format
from bouclier.media.formats import FORMATS

from .samples import (
    WRITERS,
    animation,
    distinct_colours,
    encode,
    gradient,
    noise,
    raw_png,
    raw_tiff,
)

_LONG_RUN = "MEDIA_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("MEDIA_FUZZ_EXAMPLES", "300"))
LIMITS = Limits(max_bytes=1 << 20, max_pixels=1 << 18, max_frames=4)

_ORIENTATION_6 = (
    b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00"
    b"\x00\x00\x00\x00"
)
_BOUNDARY_INTEGERS = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]


def _seeds() -> list[bytes]:
    rgb = Image.fromarray(gradient(24, 16))
    rgba = Image.fromarray(np.dstack([gradient(24, 16), noise(24, 16)[..., 0]]))
    grey16 = Image.fromarray((np.arange(24 * 16, dtype=np.uint16) * 170).reshape(16, 24))
    floats = Image.fromarray(np.linspace(-1, 1, 24 * 16, dtype=np.float32).reshape(16, 24))
    palette = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    cmyk = Image.new("CMYK", (24, 16), (10, 200, 30, 40))
    seeds = [encode(rgb, fmt) for fmt in sorted(WRITERS)]
    seeds += [
        encode(rgb, "jpeg", progressive=True),
        encode(rgb.convert("L"), "jpeg"),
        encode(cmyk, "jpeg"),
        encode(rgb, "jpeg", exif=_ORIENTATION_6),
        encode(rgba, "png"),
        encode(palette, "png", transparency=3),
        encode(grey16, "png"),
        encode(rgb.convert("1"), "png"),
        raw_png(2, 2, 16, 2, (b"\x00" + b"\x12\x34" * 6) * 2),
        encode(rgb, "webp", lossless=False),
        encode(rgba, "webp"),
        encode(rgba, "gif"),
        encode(rgb, "tiff", compression="tiff_lzw"),
        encode(rgb, "tiff", compression="tiff_adobe_deflate"),
        encode(rgb, "tiff", compression="jpeg"),
        encode(rgba, "tiff"),
        encode(cmyk, "tiff"),
        encode(grey16, "tiff"),
        encode(floats, "tiff"),
        raw_tiff([(4, 4), (3, 2)]),
        encode(palette, "bmp"),
        encode(rgb.convert("1"), "bmp"),
        encode(rgba, "avif"),
        encode(rgba, "heic"),
    ]
    for fmt in ("gif", "webp", "png", "tiff", "avif"):
        seeds.append(animation(fmt, distinct_colours(3), size=(12, 8)))
    return seeds


SEEDS = _seeds()


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                ["flip", "overwrite", "integer", "insert", "delete", "truncate", "splice"]
            )
        )
        # Most mutations spare the magic bytes (else the file is merely refused as unknown), and
        # half of them hit the header: sizes, counts and offsets.
        region = draw(st.sampled_from(["header", "body", "anywhere"] * 2 + ["header", "body"] * 3))
        start = 0 if region == "anywhere" else min(12, len(data))
        end = min(128, len(data)) if region == "header" else len(data)
        at = draw(st.integers(start, end))
        if kind == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at : at + len(chunk)] = chunk
        elif kind == "integer":  # a header field set to a boundary value
            value = draw(st.sampled_from(_BOUNDARY_INTEGERS))
            size = draw(st.sampled_from([2, 4]))
            order = draw(st.sampled_from(["little", "big"]))
            data[at : at + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, order)
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice":
            other = draw(st.sampled_from(SEEDS))
            data = data[:at] + other[draw(st.integers(0, len(other))) :]
    return bytes(data)


def check_contract(image: DecodedImage, max_side: int | None) -> None:
    assert image.format in FORMATS
    assert image.width > 0
    assert image.height > 0
    assert 1 <= len(image.frames) <= LIMITS.max_frames
    assert image.frame_count >= len(image.frames)
    for frame in image.frames:
        assert isinstance(frame, np.ndarray)
        assert frame.dtype == np.uint8
        assert frame.ndim == 3
        assert frame.shape[2] == 3
        assert frame.size > 0
        assert frame.flags.c_contiguous
        if max_side is not None:
            assert max(frame.shape[:2]) <= max_side


@pytest.fixture(scope="module", autouse=True)
def _warm_decoders() -> None:
    # The first AVIF or HEIC decode loads codecs; do it before the deadline starts counting.
    for seed in SEEDS:
        decode(seed, limits=LIMITS)


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_seeds_are_valid_images(index: int) -> None:
    check_contract(decode(SEEDS[index], limits=LIMITS), None)


#: Inputs the fuzzer found that once broke the contract, kept as plain regression tests.
FOUND: dict[str, bytes] = {
    # A GIF whose second frame is a palette image without a palette: Pillow's
    # has_transparency_data asserted (an AssertionError escaped).
    "gif-frame-without-palette": (
        b"GIF89a\x0c\x00\x08\x00]\x81\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
        b"\x00\x00!\xf9\x04\x04\x05\x00\x00\x00,\x00\x00\x00\x00\x0c\x00\x08\x00\x00\x08\x12\x00\x01"
        b"\x08\x1cH\xb0\xa0\xc1\x83\x08\x13*\\\xc8\xb0a\xc1\x80\x00!\xf9\x04\x05\x05\x00\x01"
        b"\x00,\x00\x00\x00\x00\x0c\x00\x08\x00\x81%[\x97\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08"
        b"\x12\x00\x01\x08\x1cH\xb0\xa0\xc1\x83\x08\x13*\\\xc8\xb0a\xc1\x80\x00!\xf9\x04\x05"
        b"\x05\x00\x01\x00,\x00\x02\x00\x00\x0c\x00\x08\x00\x81J\xb6.\x00\x00\x00\x00\x00\x00\x00"
        b"\x00\x00\x08\x12\x00\x01\x08\x1cH\xb0\xa0\xc1\x83\x08\x13*\\\xc8\xb0a\xc1\x80\x00;"
    ),
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_inputs_found_by_fuzzing(name: str) -> None:
    try:
        image = decode(FOUND[name], limits=LIMITS)
    except MediaError as exc:
        assert exc.code in MEDIA_ERROR_CODES  # noqa: PT017 - any other exception fails the test
    else:
        check_contract(image, None)


@settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=3),
    database=None,
    derandomize=not _LONG_RUN,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    data=mutated_files(),
    max_side=st.sampled_from([None, None, 8, 64]),
    min_side=st.sampled_from([None, None, 3]),
)
def test_mutated_files_decode_or_are_refused(
    data: bytes, max_side: int | None, min_side: int | None
) -> None:
    if max_side is not None:
        min_side = None
    outcome: DecodedImage | MediaError
    try:
        outcome = decode(data, limits=LIMITS, max_side=max_side, min_side=min_side)
    except MediaError as exc:  # any other exception fails the test
        outcome = exc
    if isinstance(outcome, MediaError):
        assert outcome.code in MEDIA_ERROR_CODES, outcome.code
        assert outcome.message
        event(f"{sniff_format(data)}: {outcome.code}")
    else:
        event(f"{outcome.format}: decoded")
        check_contract(outcome, max_side)

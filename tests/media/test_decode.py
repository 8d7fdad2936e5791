"""Decoding every format and pixel mode to the one RGB form, and reducing on the way."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import simplejpeg
from PIL import Image, JpegImagePlugin

from bouclier.errors import FileUnreadable
from bouclier.media import DecodedImage, Limits, decode, decode_file, decoder
from bouclier.settings import Settings
from tests.conftest import FACES

from .samples import (
    LOSSLESS,
    WRITERS,
    blocks,
    encode,
    gradient,
    noise,
    png_chunk,
    raw_png,
)


def assert_contract(image: DecodedImage) -> None:
    assert image.frames
    for frame in image.frames:
        assert frame.dtype == np.uint8
        assert frame.ndim == 3
        assert frame.shape[2] == 3
        assert frame.flags.c_contiguous
        assert not frame.flags.writeable
    assert image.pixels is image.frames[0]
    assert image.frame_count >= len(image.frames)


def mean_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_format_decodes_to_its_pixels(fmt: str) -> None:
    expected = blocks() if fmt == "gif" else gradient()
    image = decode(encode(Image.fromarray(expected), fmt))
    assert_contract(image)
    assert (image.format, image.width, image.height) == (fmt, 64, 48)
    assert (image.frame_count, image.animated) == (1, False)
    assert image.pixels.shape == (48, 64, 3)
    if fmt in LOSSLESS:
        np.testing.assert_array_equal(image.pixels, expected)
    else:
        assert mean_error(image.pixels, expected) < 4


@pytest.mark.parametrize("name", sorted(p.name for p in FACES.iterdir()))
def test_sample_portraits_decode(name: str) -> None:
    image = decode_file(FACES / name)
    assert_contract(image)
    with Image.open(FACES / name) as reference:
        assert (image.width, image.height) == reference.size  # none of them is rotated


def test_rgba_is_flattened_on_white() -> None:
    pixels = np.zeros((2, 3, 4), dtype=np.uint8)
    pixels[0, 0] = (255, 0, 0, 0)  # invisible red: its colour must not survive
    pixels[0, 1] = (0, 0, 0, 128)  # half-transparent black
    pixels[0, 2] = (10, 20, 30, 255)  # opaque
    pixels[1] = (0, 0, 255, 0)
    for fmt in ("png", "webp", "tiff"):
        image = decode(encode(Image.fromarray(pixels), fmt))
        assert image.pixels[0, 0].tolist() == [255, 255, 255], fmt
        assert image.pixels[0, 1].tolist() == [127, 127, 127], fmt
        assert image.pixels[0, 2].tolist() == [10, 20, 30], fmt
        assert (image.pixels[1] == 255).all(), fmt


def test_rgba_sample_flattens_like_a_white_composite() -> None:
    with Image.open(FACES / "rgba_32bit.png") as source:
        assert source.mode == "RGBA"
        white = Image.new("RGBA", source.size, (255, 255, 255, 255))
        expected = np.asarray(Image.alpha_composite(white, source).convert("RGB"))
    image = decode_file(FACES / "rgba_32bit.png")
    assert np.abs(image.pixels.astype(int) - expected).max() <= 1


def test_grey_with_alpha_is_flattened_on_white() -> None:
    la = Image.fromarray(np.array([[[0, 0], [0, 255], [200, 51]]], dtype=np.uint8))
    assert la.mode == "LA"
    image = decode(encode(la, "png"))
    assert image.pixels.tolist() == [[[255] * 3, [0] * 3, [244] * 3]]


def test_palette_transparency_is_flattened_on_white() -> None:
    palette = Image.new("P", (4, 1))
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.putdata([0, 1, 0, 1])
    for fmt in ("png", "gif"):
        image = decode(encode(palette, fmt, transparency=0))
        assert image.pixels[0].tolist() == [[255, 255, 255], [0, 0, 255]] * 2, fmt


def test_colour_key_transparency_is_flattened_on_white() -> None:
    rgb = Image.fromarray(np.array([[[9, 9, 9], [1, 2, 3]]], dtype=np.uint8))
    image = decode(encode(rgb, "png", transparency=(9, 9, 9)))
    assert image.pixels.tolist() == [[[255, 255, 255], [1, 2, 3]]]


@pytest.mark.parametrize("fmt", ["jpeg", "tiff"])
def test_cmyk_becomes_rgb(fmt: str) -> None:
    cmyk = Image.new("CMYK", (32, 16), (0, 255, 255, 0))  # pure red ink
    cmyk.paste((0, 0, 0, 255), (16, 0, 32, 16))  # black
    image = decode(encode(cmyk, fmt))
    assert mean_error(image.pixels[:, :16], np.array([255, 0, 0], dtype=np.uint8)) < 3
    assert image.pixels[:, 16:].max() < 4


def test_inverted_adobe_cmyk_jpeg() -> None:
    # Pillow writes CMYK JPEGs with an Adobe APP14 segment and inverted samples, as Photoshop does.
    data = encode(Image.new("CMYK", (16, 16), (255, 0, 255, 0)), "jpeg")
    assert b"Adobe" in data
    assert mean_error(decode(data).pixels, np.array([0, 255, 0], dtype=np.uint8)) < 3


def test_16_bit_grey_png_is_scaled_not_clipped() -> None:
    values = np.array([[0, 255, 256, 32768, 65535]], dtype=np.uint16)
    data = encode(Image.fromarray(values), "png")
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.mode == "I;16"
    image = decode(data)
    assert image.pixels[0, :, 0].tolist() == [0, 0, 1, 128, 255]
    assert (image.pixels == image.pixels[..., :1]).all()


def test_16_bit_grey_tiff_is_scaled_not_clipped() -> None:
    values = np.array([[0, 32768, 65535]], dtype=np.uint16)
    image = decode(encode(Image.fromarray(values), "tiff"))
    assert image.pixels[0, :, 0].tolist() == [0, 128, 255]


def test_16_bit_grey_with_colour_key() -> None:
    rows = b"\x00" + struct.pack(">HHH", 0x1234, 0xFFFF, 0x8000)
    trns = struct.pack(">H", 0x1234)
    image = decode(raw_png(3, 1, 16, 0, rows, extra=png_chunk(b"tRNS", trns)))
    assert image.pixels[0, :, 0].tolist() == [255, 255, 128]


def test_16_bit_rgb_png_keeps_the_top_byte() -> None:
    rows = b"\x00" + struct.pack(">6H", 0xFFFF, 0x8000, 0x0100, 0x00FF, 0xABCD, 0x7FFF)
    image = decode(raw_png(2, 1, 16, 2, rows))
    assert image.pixels.tolist() == [[[255, 128, 1], [0, 171, 127]]]


def test_32_bit_integer_and_float_are_stretched_over_their_range() -> None:
    ints = Image.fromarray(np.array([[-1000, 0, 1000]], dtype=np.int32))
    assert decode(encode(ints, "tiff")).pixels[0, :, 0].tolist() == [0, 128, 255]
    floats = np.array([[0.5, np.nan, 1.5, np.inf, 1.0]], dtype=np.float32)
    image = decode(encode(Image.fromarray(floats), "tiff"))
    assert image.pixels[0, :, 0].tolist() == [0, 0, 255, 255, 128]


def test_one_bit_images_are_black_and_white() -> None:
    bits = Image.new("1", (3, 1))
    bits.putpixel((1, 0), 1)
    for fmt in ("png", "bmp", "tiff"):
        assert decode(encode(bits, fmt)).pixels[0, :, 0].tolist() == [0, 255, 0], fmt


def test_grey_and_palette_become_rgb() -> None:
    grey = Image.fromarray(np.array([[0, 100, 255]], dtype=np.uint8))
    assert decode(encode(grey, "jpeg", quality=100)).pixels.shape == (1, 3, 3)
    assert decode(encode(grey, "png")).pixels.tolist() == [[[0] * 3, [100] * 3, [255] * 3]]
    palette = Image.fromarray(blocks()).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    np.testing.assert_array_equal(decode(encode(palette, "png")).pixels, blocks())


def test_max_side_uses_jpeg_dct_scaling(monkeypatch: pytest.MonkeyPatch) -> None:
    drafts: list[tuple[str | None, tuple[int, int] | None]] = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(
        self: JpegImagePlugin.JpegImageFile, mode: str | None, size: object
    ) -> object:
        drafts.append((mode, size))  # type: ignore[arg-type]
        return real_draft(self, mode, size)  # type: ignore[arg-type]

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    source = gradient(2000, 1200)
    data = encode(Image.fromarray(source), "jpeg")
    image = decode(data, max_side=256)
    assert drafts == [(None, (256, 154))]
    assert (image.width, image.height) == (2000, 1200)
    assert image.pixels.shape == (154, 256, 3)
    assert_contract(image)
    expected = np.asarray(Image.fromarray(source).resize((256, 154), Image.Resampling.BOX))
    assert mean_error(image.pixels, expected) < 2


def test_max_side_reduces_png_by_area_averaging() -> None:
    source = noise(300, 120)
    image = decode(encode(Image.fromarray(source), "png"), max_side=100)
    assert (image.width, image.height) == (300, 120)
    assert image.pixels.shape == (40, 100, 3)
    expected = np.asarray(Image.fromarray(source).resize((100, 40), Image.Resampling.BOX))
    assert np.abs(image.pixels.astype(int) - expected).max() <= 1


def test_max_side_on_a_portrait_photo() -> None:
    image = decode_file(FACES / "biden_1.jpg", max_side=512)
    assert (image.width, image.height) == (970, 2204)
    assert image.pixels.shape == (512, 225, 3)
    full = decode_file(FACES / "biden_1.jpg")
    expected = np.asarray(Image.fromarray(full.pixels).resize((225, 512), Image.Resampling.BOX))
    assert mean_error(image.pixels, expected) < 2


def test_max_side_keeps_transparency_white_and_a_thin_side() -> None:
    pixels = np.zeros((4, 400, 4), dtype=np.uint8)
    pixels[..., :3] = (255, 0, 0)  # invisible red everywhere
    image = decode(encode(Image.fromarray(pixels), "png"), max_side=50)
    assert image.pixels.shape == (1, 50, 3)
    assert (image.pixels == 255).all()


def test_max_side_no_larger_than_the_image_changes_nothing() -> None:
    data = encode(Image.fromarray(gradient()), "png")
    for max_side in (64, 1000):
        np.testing.assert_array_equal(decode(data, max_side=max_side).pixels, gradient())


def test_reduction_arguments_are_checked() -> None:
    data = encode(Image.fromarray(gradient()), "png")
    with pytest.raises(ValueError, match="max_side"):
        decode(data, max_side=0)
    with pytest.raises(ValueError, match="min_side"):
        decode(data, min_side=0)
    with pytest.raises(ValueError, match="not both"):
        decode(data, max_side=10, min_side=10)


@pytest.mark.parametrize(
    ("size", "min_side", "dct", "expected"),
    [
        ((3000, 2000), 512, 2, (1500, 1000)),  # factor 3: DCT scaling does 2, no whole block left
        ((4000, 3000), 512, 4, (1000, 750)),  # factor 5: DCT 4
        ((2600, 2100), 128, 8, (163, 132)),  # factor 16: DCT 8 (325 x 263), then 2 x 2 blocks
        ((600, 400), 512, None, (600, 400)),  # already small enough
    ],
)
def test_min_side_reduces_jpeg_by_an_integer_factor(
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    min_side: int,
    dct: int | None,
    expected: tuple[int, int],
) -> None:
    scales: list[int] = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(
        self: JpegImagePlugin.JpegImageFile, mode: str | None, request: object
    ) -> object:
        before = self.size[0]
        result = real_draft(self, mode, request)  # type: ignore[arg-type]
        scales.append(round(before / self.size[0]))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    if decoder._simplejpeg is not None:  # the fast path scales in libjpeg-turbo, as draft does

        class Recording:
            @staticmethod
            def decode_jpeg(data: bytes, **options: Any) -> np.ndarray:
                pixels = simplejpeg.decode_jpeg(data, **options)
                if pixels.shape[1] != size[0]:
                    scales.append(round(size[0] / pixels.shape[1]))
                return pixels

        monkeypatch.setattr(decoder, "_simplejpeg", Recording)
    source = gradient(*size)
    image = decode(encode(Image.fromarray(source), "jpeg"), min_side=min_side)
    assert scales == ([dct] if dct else [])
    assert (image.width, image.height) == size
    assert image.pixels.shape == (expected[1], expected[0], 3)
    assert min(image.pixels.shape[:2]) >= min(min_side, *size)
    reference = np.asarray(Image.fromarray(source).resize(expected, Image.Resampling.BOX))
    assert mean_error(image.pixels, reference) < 2


def test_min_side_averages_blocks_of_other_formats() -> None:
    source = noise(300, 121)
    image = decode(encode(Image.fromarray(source), "png"), min_side=50)
    assert (image.width, image.height) == (300, 121)
    expected = np.asarray(Image.fromarray(source).reduce(2))
    assert image.pixels.shape == (61, 150, 3)  # the last row averages a half block
    np.testing.assert_array_equal(image.pixels, expected)


def test_min_side_keeps_transparency_white() -> None:
    pixels = np.zeros((40, 80, 4), dtype=np.uint8)
    pixels[..., :3] = (255, 0, 0)  # invisible red everywhere
    image = decode(encode(Image.fromarray(pixels), "png"), min_side=10)
    assert image.pixels.shape == (10, 20, 3)
    assert (image.pixels == 255).all()


def test_min_side_with_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(Image.fromarray(gradient(400, 200)), "jpeg", exif=exif.tobytes())
    image = decode(data, min_side=50)
    assert (image.width, image.height) == (200, 400)
    assert image.pixels.shape == (100, 50, 3)  # DCT scaling by 4, then turned


def test_decode_file_reads_paths(tmp_path: Path) -> None:
    path = tmp_path / "picture.webp"
    path.write_bytes(encode(Image.fromarray(gradient()), "webp"))
    assert decode_file(path).format == "webp"
    assert decode_file(str(path), max_side=32).pixels.shape == (24, 32, 3)


def test_decode_file_says_when_the_path_cannot_be_read(tmp_path: Path) -> None:
    # Not a MediaError: nothing is wrong with any image bytes.
    with pytest.raises(FileUnreadable) as missing:
        decode_file(tmp_path / "missing.png")
    assert missing.value.code == "file.not_found"
    with pytest.raises(FileUnreadable) as folder:
        decode_file(tmp_path)
    assert folder.value.code == "file.is_directory"


def test_limits_from_settings_match_the_defaults() -> None:
    assert Limits.from_settings(Settings()) == Limits()
    settings = Settings(max_image_bytes=10, max_image_pixels=20, max_frames=3)
    assert Limits.from_settings(settings) == Limits(max_bytes=10, max_pixels=20, max_frames=3)
    with pytest.raises(ValueError, match="max_frames"):
        Limits(max_frames=0)


def test_decoded_image_checks_its_frames() -> None:
    frame = np.zeros((2, 2, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="frames"):
        DecodedImage("png", 2, 2, (), 1)
    with pytest.raises(ValueError, match="uint8"):
        DecodedImage("png", 2, 2, (frame.astype(np.float32),), 1)
    image = DecodedImage("png", 2, 2, (frame,), 3)
    assert image.animated
    assert repr(image) == (
        "DecodedImage(format='png', width=2, height=2, frame_count=3, frames=[2x2])"
    )


def test_warning_filters_are_left_as_they_were() -> None:
    bad_exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12"  # cut inside the directory
    data = encode(Image.fromarray(gradient()), "jpeg", exif=bad_exif)
    before = list(warnings.filters)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                decode(data)
        except BaseException as exc:  # reported below, from the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert warnings.filters == before


def test_heif_reader_is_registered_by_the_first_heic(tmp_path: Path) -> None:
    # In a fresh interpreter: nothing registers pillow_heif's reader until a HEIC is decoded.
    path = tmp_path / "picture.heic"
    path.write_bytes(encode(Image.fromarray(gradient()), "heic"))
    script = (
        "import sys\n"
        "from PIL import Image\n"
        "from bouclier.media import decode_file\n"
        "Image.init()\n"
        "assert 'HEIF' not in Image.OPEN and 'pillow_heif' not in sys.modules\n"
        f"assert decode_file({str(path)!r}).format == 'heic'\n"
        "assert 'HEIF' in Image.OPEN\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", script], check=True)

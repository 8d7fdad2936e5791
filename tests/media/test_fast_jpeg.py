"""The JPEG fast path (simplejpeg, bouclier.media.decoder._fast_jpeg) gives Pillow's pixels.

Every JPEG below is decoded twice, by the fast path and by Pillow's path alone (the fast path
switched off), in RGB and to the luma plane, at full size and DCT-scaled (``min_side``): every
pixel, the sizes and the flags must be the same. The JPEGs cover the layouts photos come in:
4:2:0, 4:2:2, 4:4:4, 4:4:0 and 4:1:1 chroma, grey, progressive, restart intervals, odd sizes,
the 8 EXIF orientations, and the shared faces.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from bouclier.errors import MediaError
from bouclier.media import decode, decoder
from tests.conftest import FACES, photo

pytest.importorskip("simplejpeg")


def _cv2_jpeg(pixels: np.ndarray, *options: int) -> bytes:
    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(pixels[:, :, ::-1]), [*options])
    assert ok
    return data.tobytes()


def _pillow_jpeg(pixels: np.ndarray, **options: object) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", **options)
    return out.getvalue()


def _rotated(pixels: np.ndarray, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _pillow_jpeg(pixels, quality=88, exif=exif.tobytes())


def _jpegs() -> list[tuple[str, bytes]]:
    cases: list[tuple[str, bytes]] = []
    factors = {
        "420": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420,
        "422": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422,
        "444": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444,
        "440": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_440,
        "411": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_411,
    }
    for i, (name, factor) in enumerate(factors.items()):
        size = (641 + 7 * i, 479 + 5 * i)  # odd sizes: partial blocks and MCUs
        pixels = photo(i, size)
        cases.append((name, _cv2_jpeg(pixels, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, factor)))
        cases.append(
            (
                f"{name}-progressive",
                _cv2_jpeg(
                    pixels,
                    cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
                    factor,
                    cv2.IMWRITE_JPEG_PROGRESSIVE,
                    1,
                ),
            )
        )
        cases.append(
            (
                f"{name}-restarts",
                _cv2_jpeg(
                    pixels,
                    cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
                    factor,
                    cv2.IMWRITE_JPEG_RST_INTERVAL,
                    3,
                ),
            )
        )
    for subsampling in (0, 1, 2):
        pixels = photo(10 + subsampling, (1100, 900))
        cases.append(
            (f"pillow-{subsampling}", _pillow_jpeg(pixels, quality=75, subsampling=subsampling))
        )
    cases.append(("grey", _pillow_jpeg(photo(20, (700, 500))[:, :, 1], quality=90)))
    cases.append(("large", _pillow_jpeg(photo(21, (2300, 1700)), quality=80)))
    cases.append(("tiny", _pillow_jpeg(photo(22, (9, 7)), quality=90)))
    for orientation in range(1, 9):
        cases.append(
            (f"exif-{orientation}", _rotated(photo(30 + orientation, (333, 211)), orientation))
        )
    cases += [(path.name, path.read_bytes()) for path in sorted(FACES.glob("*.jp*g"))]
    return cases


JPEGS = _jpegs()


@pytest.mark.parametrize(("name", "data"), JPEGS, ids=[name for name, _ in JPEGS])
@pytest.mark.parametrize("luma", [False, True], ids=["rgb", "luma"])
@pytest.mark.parametrize("min_side", [None, 512, 100], ids=["full", "512", "100"])
def test_the_fast_path_decodes_pillows_pixels(
    name: str, data: bytes, luma: bool, min_side: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    fast_jpeg = decoder._fast_jpeg

    def counted(*args: object, **kwargs: object) -> object:
        result = fast_jpeg(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(result)
        return result

    monkeypatch.setattr(decoder, "_fast_jpeg", counted)
    fast = decode(data, min_side=min_side, luma=luma)
    assert calls, "the fast path was not tried"
    assert calls[0] is not None, "the fast path declined a plain JPEG"
    monkeypatch.setattr(decoder, "_simplejpeg", None)
    slow = decode(data, min_side=min_side, luma=luma)
    assert (fast.width, fast.height, fast.format, fast.luma) == (
        slow.width,
        slow.height,
        slow.format,
        slow.luma,
    )
    assert fast.threatexchange is None
    assert slow.threatexchange is None
    assert len(fast.frames) == len(slow.frames) == 1
    assert fast.pixels.shape == slow.pixels.shape
    assert fast.pixels.dtype == np.uint8
    assert not fast.pixels.flags.writeable
    assert fast.pixels.flags.c_contiguous
    np.testing.assert_array_equal(fast.pixels, slow.pixels)


def test_a_damaged_jpeg_gets_pillows_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A truncated file: the fast path declines (libjpeg warns), Pillow's error stands."""
    data = _pillow_jpeg(photo(40, (400, 300)), quality=90)
    cut = data[: len(data) // 2]
    with pytest.raises(MediaError) as fast:
        decode(cut)
    monkeypatch.setattr(decoder, "_simplejpeg", None)
    with pytest.raises(MediaError) as slow:
        decode(cut)
    assert fast.value.code == slow.value.code
    assert str(fast.value) == str(slow.value)


def test_a_cmyk_jpeg_is_left_to_pillow() -> None:
    out = io.BytesIO()
    Image.fromarray(photo(41, (120, 90))).convert("CMYK").save(out, "JPEG", quality=90)
    with Image.open(io.BytesIO(out.getvalue())) as image:
        assert (
            decoder._fast_jpeg(out.getvalue(), image, decoder._Reduction(None, None), luma=False)
            is None
        )
    assert decode(out.getvalue()).pixels.shape == (90, 120, 3)

"""Animations and multi-page files: frame counts, evenly spread frames, compositing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bouclier.media import Limits, decode
from bouclier.media.decoder import spread

from .samples import animation, distinct_colours, encode

ANIMATED = ["gif", "webp", "png", "tiff", "avif"]


def colour_of(frame: np.ndarray) -> tuple[int, ...]:
    return tuple(int(v) for v in np.median(frame.reshape(-1, 3), axis=0))


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("fmt", ANIMATED)
def test_frames_are_spread_evenly_from_the_first(fmt: str) -> None:
    colours = distinct_colours(40)
    image = decode(animation(fmt, colours))
    assert (image.format, image.frame_count, image.animated) == (fmt, 40, True)
    assert (image.width, image.height) == (24, 16)
    assert len(image.frames) == 16
    tolerance = 12 if fmt == "avif" else 0
    for frame, index in zip(image.frames, spread(40, 16), strict=True):
        assert frame.shape == (16, 24, 3)
        assert close(colour_of(frame), colours[index], tolerance), (index, colour_of(frame))


@pytest.mark.parametrize("fmt", ANIMATED)
@pytest.mark.parametrize(("max_frames", "kept"), [(1, 1), (3, 3), (16, 5), (100, 5)])
def test_max_frames_is_honoured(fmt: str, max_frames: int, kept: int) -> None:
    colours = distinct_colours(5)
    image = decode(animation(fmt, colours), limits=Limits(max_frames=max_frames))
    assert image.frame_count == 5
    assert len(image.frames) == kept
    tolerance = 12 if fmt == "avif" else 0
    assert close(colour_of(image.pixels), colours[0], tolerance)


def test_spread() -> None:
    assert spread(1, 16) == [0]
    assert spread(5, 16) == [0, 1, 2, 3, 4]
    assert spread(10, 4) == [0, 2, 5, 7]
    assert spread(10_000, 3) == [0, 3333, 6666]


@pytest.mark.parametrize("fmt", ["gif", "webp", "png"])
def test_frames_are_composited_on_what_came_before(fmt: str) -> None:
    # The writers store the second frame as the small changed rectangle only; the decoded frame
    # must show it on top of the first.
    first = Image.new("RGB", (40, 30), (200, 30, 30))
    second = first.copy()
    second.paste((30, 30, 200), (10, 10, 20, 20))
    options: dict[str, object] = {"save_all": True, "append_images": [second], "duration": 50}
    if fmt == "webp":
        options["lossless"] = True
    image = decode(encode(first, fmt, **options))
    assert image.frame_count == 2
    np.testing.assert_array_equal(image.frames[0], np.asarray(first))
    np.testing.assert_array_equal(image.frames[1], np.asarray(second))


def test_transparent_gif_frames_are_flattened_on_white() -> None:
    frames = []
    for x in (0, 10):
        frame = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
        frame.paste((0, 0, 255, 255), (x, 0, x + 10, 10))
        frames.append(frame)
    data = encode(frames[0], "gif", save_all=True, append_images=frames[1:], disposal=2)
    image = decode(data)
    assert image.frames[0][:, :10].tolist() == [[[0, 0, 255]] * 10] * 10
    assert (image.frames[0][:, 10:] == 255).all()
    assert (image.frames[1][:, :10] == 255).all()
    assert image.frames[1][:, 10:].tolist() == [[[0, 0, 255]] * 10] * 10


def test_tiff_pages_may_differ_in_size() -> None:
    pages = [Image.new("RGB", size, colour) for size, colour in [((30, 20), (255, 0, 0)),
             ((10, 40), (0, 255, 0)), ((5, 5), (0, 0, 255))]]  # fmt: skip
    image = decode(encode(pages[0], "tiff", save_all=True, append_images=pages[1:]))
    assert (image.width, image.height, image.frame_count) == (30, 20, 3)
    assert [frame.shape for frame in image.frames] == [(20, 30, 3), (40, 10, 3), (5, 5, 3)]
    assert [colour_of(frame) for frame in image.frames] == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


@pytest.mark.parametrize("fmt", ["gif", "webp", "tiff"])
def test_max_side_reduces_every_frame(fmt: str) -> None:
    colours = distinct_colours(4)
    image = decode(animation(fmt, colours, size=(200, 100)), max_side=50)
    assert (image.width, image.height) == (200, 100)
    assert [frame.shape for frame in image.frames] == [(25, 50, 3)] * 4
    assert [colour_of(frame) for frame in image.frames] == colours

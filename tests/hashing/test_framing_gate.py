"""The framing gate's shortcuts give what the whole computation they stand for gives.

The gate looks at every upload, so it takes shortcuts (:mod:`bouclier.hashing.framing`): the
detail next to each edge from a strip, not the whole reduced copy; the Laplacian in integers;
the edge's 95th percentile of detail by a count. Each is compared here with the computation it
replaces, on generated frames (plain, framed, blurred, flat, thin and tiny) and on profiles built
to sit on the limit. (The C that took over the edges' colours and the sharp box is compared with
the numpy it replaced in tests/hashing/test_framing_c.py.)
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from bouclier.hashing import framing
from tests.conftest import photo
from tests.hashing.test_framing import FRAMES, _jpeg


def _frames() -> list[np.ndarray]:
    rng = np.random.default_rng(18)
    picture = Image.fromarray(photo(4, (520, 390)))
    frames = [np.asarray(picture), _jpeg(picture, luma=True)]
    frames += [_jpeg(make(picture)[0]) for make in FRAMES]
    frames += [_jpeg(make(picture)[0], luma=True) for make in FRAMES]
    for shape in [(32, 32, 3), (40, 700, 3), (1500, 48), (17, 33), (64, 2000, 3), (333, 333)]:
        frames.append(rng.integers(0, 256, shape, dtype=np.uint8))
    frames.append(np.full((400, 300, 3), 200, np.uint8))
    return frames


@pytest.mark.parametrize("index", range(len(_frames())))
def test_the_edge_strips_give_the_whole_copys_detail(index: int) -> None:
    small, _ = framing._reduced(_frames()[index])
    detail = framing._detail(small)
    wholes = [
        detail[1:3].mean(axis=0),
        detail[-3:-1].mean(axis=0),
        detail[:, 1:3].mean(axis=1),
        detail[:, -3:-1].mean(axis=1),
    ]
    for edge, whole in enumerate(wholes):
        np.testing.assert_array_equal(framing._edge_profile(small, edge), whole)
    grey = framing._grey(small)
    in_float = np.abs(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F, ksize=1))
    in_integers = np.abs(cv2.Laplacian(grey, cv2.CV_16S, ksize=1))
    np.testing.assert_array_equal(in_integers > framing.SHARP, in_float > framing.SHARP)


def test_a_quiet_edge_is_told_as_numpys_percentile_tells_it() -> None:
    rng = np.random.default_rng(95)
    limit = framing.BLURRED_EDGE
    for n in [1, 2, 3, 19, 20, 21, 40, 99, 100, 101, 320, 1500]:
        for _ in range(40):
            # values on the detail's own grid (sixteenths) around the limit, in every proportion
            under = rng.uniform(0, 1)
            profile = np.where(
                rng.uniform(0, 1, n) < under,
                rng.integers(0, 17, n) / 16,
                rng.integers(16, 40, n) / 16,
            ).astype(np.float32)
            expected = float(np.percentile(profile, 95)) < limit
            assert framing._quiet(profile) == expected, (n, profile.tolist())

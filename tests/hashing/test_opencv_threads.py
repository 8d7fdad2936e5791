"""An image's fingerprints do not depend on how many threads OpenCV's pool has: the service runs
it with one (BOUCLIER_OPENCV_THREADS, bouclier.api.services), everything else with OpenCV's
default. Each case is fingerprinted as an upload is (decode, PDQ, digests, the framing stage's
regions and their PDQ) with the pool at 1 and at 4 threads (4 splits OpenCV's filters, resizes,
warps and labelling into stripes on any machine), and the two must be equal."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import pytest
from PIL import Image

from bouclier.hashing import hash_bytes
from tests.conftest import encode, photo
from tests.hashing.test_framing import FRAMES


@pytest.fixture
def restore_pool() -> Iterator[None]:
    before = cv2.getNumThreads()
    yield
    cv2.setNumThreads(before)


def _cases() -> list[tuple[str, bytes]]:
    cases = [(f"plain-{seed}", encode(photo(seed, (1152, 864)), quality=90)) for seed in (1, 2)]
    for number, make in enumerate(FRAMES):
        framed, _ = make(Image.fromarray(photo(10 + number, (1024, 768))))
        cases.append((make.__name__, encode(np.asarray(framed.convert("RGB")), quality=88)))
    return cases


@pytest.mark.parametrize("luma", [False, True], ids=["rgb", "luma"])
@pytest.mark.usefixtures("restore_pool")
def test_fingerprints_are_the_same_with_one_thread_or_four(luma: bool) -> None:
    found_regions = 0
    for name, data in _cases():
        answers = []
        for threads in (1, 4):
            cv2.setNumThreads(threads)
            hashes = hash_bytes(data, luma=luma)
            answers.append((hashes.frames, hashes.fingerprints, hashes.framed))
        assert answers[0] == answers[1], name
        found_regions += bool(answers[0][2])
    assert found_regions >= len(FRAMES) - 1  # the framing stage's OpenCV code did run

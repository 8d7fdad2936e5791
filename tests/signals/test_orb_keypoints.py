"""The keypoints' grid choice: the vectorised one picks exactly what taking them one by one does."""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.signals.orb_keypoints import GRID, _keypoints, _spread
from tests.conftest import photo


def _one_by_one(
    points: np.ndarray, response: np.ndarray, width: int, height: int, keypoints: int
) -> list[int]:
    """The reference: strongest first, a cell's quota honoured, then the strongest of the rest."""
    order = np.lexsort((points[:, 1], points[:, 0], -response))
    cx = np.minimum(GRID - 1, (points[:, 0] / width * GRID).astype(int))
    cy = np.minimum(GRID - 1, (points[:, 1] / height * GRID).astype(int))
    cell = cx * GRID + cy
    quota = keypoints // (GRID * GRID)
    used = np.zeros(GRID * GRID, int)
    keep: list[int] = []
    rest: list[int] = []
    for i in order.tolist():
        if used[cell[i]] < quota:
            used[cell[i]] += 1
            keep.append(i)
        else:
            rest.append(i)
    keep += rest[: max(0, keypoints - len(keep))]
    return keep[:keypoints]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("keypoints", [16, 128, 256])
def test_the_grid_choice_is_the_one_by_one_choice(seed: int, keypoints: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 2000))
    width, height = 512, 384
    # crowded in one corner (a caption's text), with ties in strength and in position
    points = np.concatenate(
        [rng.uniform(0, [width, height], (n, 2)), rng.uniform(0, [width / 5, height / 6], (n, 2))]
    ).round(1)
    response = rng.integers(0, 40, len(points)).astype(np.float64)
    expected = _one_by_one(points, response, width, height, keypoints)
    assert _spread(points, response, width, height, keypoints) == expected


def test_a_picture_s_keypoints_are_chosen_as_one_by_one() -> None:
    """On a real detection too (OpenCV's keypoints, their positions read in one call)."""
    import cv2

    grey = cv2.cvtColor(photo(3, (640, 480)), cv2.COLOR_RGB2GRAY)
    found = cv2.ORB_create(nfeatures=768, edgeThreshold=15, fastThreshold=10).detect(grey, None)
    xy = np.array([k.pt for k in found], np.float64)
    assert np.array_equal(cv2.KeyPoint_convert(found).astype(np.float64), xy)
    response = np.array([k.response for k in found], np.float64)
    assert _spread(xy, response, 640, 480, 128) == _one_by_one(xy, response, 640, 480, 128)
    descriptors, _ = _keypoints(photo(3, (640, 480)), 128)
    assert len(descriptors) == 128

"""The ORB stage's cheaper paths (issue 11, the framed re-uploads' cost): each makes exactly the
choice of the code it replaced, which is kept here (or in orb.pair_numpy) as the reference.

- ``orb.pair`` in C (``_orb_vote.pair``): the same pairs, in the same order, as numpy's table;
- ``orb_keypoints._spread`` without a Python loop: the same keypoints, in the same order;
- ``OrbIndex._best`` through a sampled floor: the same candidates, in the same order.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from bouclier.signals import _orb_vote
from bouclier.signals.orb import FULL, MATCH_BITS, RATIO, pair, pair_numpy
from bouclier.signals.orb_index import _SAMPLE, MIN_VOTES, OrbIndex
from bouclier.signals.orb_keypoints import GRID, _spread
from tests.conftest import photo


def _descriptor_sets(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two sets where half of the second are the first's with a few bits flipped (pairs within
    reach), some repeated (ties for nearest and runner-up), the rest random."""
    rng = np.random.default_rng(seed)
    n, m = (int(x) for x in rng.integers(2, 300, 2))
    da = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    db = rng.integers(0, 256, (m, 16), dtype=np.uint8)
    k = min(n, m) // 2
    db[:k] = da[rng.integers(0, n, k)]
    flips = rng.integers(0, 2, (k, 16), dtype=np.uint8) << rng.integers(0, 8, (k, 16), np.uint8)
    db[:k] ^= flips
    if seed % 3 == 0:
        db[k : 2 * k] = db[:k]
    return da, db


@pytest.mark.parametrize("seed", range(40))
def test_pair_in_c_makes_numpys_pairs_in_numpys_order(seed: int) -> None:
    da, db = _descriptor_sets(seed)
    ia, ib = pair(da, db)
    want_a, want_b = pair_numpy(da, db)
    assert np.array_equal(ia, want_a)
    assert np.array_equal(ib, want_b)
    if seed % 3:  # copies without repeats: pairs are found (the test can tell a broken helper)
        assert len(ia) > 0


def test_pair_of_a_real_picture_with_itself_and_with_another() -> None:
    from bouclier.signals.orb_keypoints import extract_query, points

    one, _ = points(extract_query(np.asarray(photo(1))))
    two, _ = points(extract_query(np.asarray(photo(2))))
    assert len(pair(one, one)[0]) > 100
    for a, b in ((one, one), (one, two), (two, one), (one[:1], two), (one, two[:0])):
        got, want = pair(a, b), pair_numpy(a, b)
        assert np.array_equal(got[0], want[0])
        assert np.array_equal(got[1], want[1])


def _pair_arguments() -> list[object]:
    da, db = _descriptor_sets(1)
    return [da, db, MATCH_BITS, RATIO, np.empty(len(da), np.int64), np.empty(len(da), np.int64)]


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({0: np.zeros((4, 8), np.uint8)}, "da and db as (n, 16) and (m, 16)"),
        ({1: np.zeros(32, np.uint8)}, "da and db as (n, 16) and (m, 16)"),
        ({4: np.empty(3, np.int64)}, "ia and ib of at least len(da)"),
        ({0: np.zeros((4, 16), np.int16)}, "da (uint8): expected 1-byte items"),
        ({5: np.empty(300, np.int32)}, "ib (int64): expected 8-byte items"),
    ],
)
def test_pair_refuses_a_wrong_input(changed: dict[int, object], message: str) -> None:
    arguments = _pair_arguments()
    for position, value in changed.items():
        arguments[position] = value
    with pytest.raises(ValueError, match=re.escape(message)):
        _orb_vote.pair(*arguments)


def _spread_loop(
    points: np.ndarray, response: np.ndarray, width: int, height: int, keypoints: int
) -> list[int]:
    """``_spread`` as it was written first: one keypoint at a time, strongest first."""
    order = np.lexsort((points[:, 1], points[:, 0], -response))
    cx = np.minimum(GRID - 1, (points[:, 0] / width * GRID).astype(int))
    cy = np.minimum(GRID - 1, (points[:, 1] / height * GRID).astype(int))
    cell = cx * GRID + cy
    used = np.zeros(GRID * GRID, int)
    keep: list[int] = []
    rest: list[int] = []
    for i in order.tolist():
        if used[cell[i]] < keypoints // (GRID * GRID):
            used[cell[i]] += 1
            keep.append(i)
        else:
            rest.append(i)
    return (keep + rest[: max(0, keypoints - len(keep))])[:keypoints]


@pytest.mark.parametrize("seed", range(30))
def test_spread_chooses_what_the_loop_chose(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 2000))
    width, height = (int(x) for x in rng.integers(32, 600, 2))
    xy = rng.random((n, 2)) * [width, height]
    if seed % 2:
        xy[: n // 2] *= 0.3  # one crowded corner: its cells fill their quota
    response = rng.integers(0, 20, n) / 7  # many ties, broken by position
    keypoints = int(rng.choice([3, 16, 128, 256]))
    chosen = _spread(xy, response, width, height, keypoints)
    assert chosen == _spread_loop(xy, response, width, height, keypoints)
    assert len(chosen) == min(n, keypoints)
    assert len(set(chosen)) == len(chosen)


def _best_plain(
    index: OrbIndex, candidates: int, votes: np.ndarray, score: np.ndarray, radius: int
):  # type: ignore[no-untyped-def]
    """The choice by a full sort: eligible entries, best score first, ties by slot."""
    alive = index._alive[: index._count]
    eligible = np.flatnonzero(alive if radius >= FULL else (votes >= MIN_VOTES) & alive)
    order = np.lexsort((eligible, -score[eligible]))
    return eligible[order[: max(candidates, 0)]]


@pytest.mark.parametrize("seed", range(6))
def test_the_candidates_are_chosen_as_a_full_sort_chooses_them(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = 3000
    index = OrbIndex()
    index._count = count  # only _best's inputs: which slots are alive, the votes, the scores
    index._alive = rng.random(count) > 0.1
    votes = rng.integers(0, 6, count)
    score = np.round(rng.gamma(2.0, 3.0, count), 1 if seed % 2 else 6)  # ties when rounded
    if seed % 3 == 0:  # the best all in the floor's sample: its floor is the exact last score
        score[::_SAMPLE] += 100.0
    score[votes == 0] = 0.0
    for candidates in (0, 1, 8, 32, 200, 5000):
        for radius in (FULL - 13, FULL):
            got = index._best(candidates, votes, score, radius)
            want = _best_plain(index, candidates, votes, score, radius)
            assert np.array_equal(got, want), (candidates, radius)

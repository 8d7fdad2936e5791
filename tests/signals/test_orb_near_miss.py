"""A content region that is a part of the picture: the region's search comes close, and the whole
frame is searched too on the default budget.

The framing stage sometimes takes a picture's own flat edge (or stickers along it) for a frame:
the region it gives is then a quarter or a half of the picture, whose keypoints pair with the
original's in numbers (20-46 here) but cover too few of its grid cells to verify. Such a *near
miss* (:data:`~bouclier.signals.orb_index.NEAR_MISS_PAIRS` distinctive pairs or more with a
candidate that failed) is rare on unrelated uploads (docs/benchmarks-log.md, "continued (11)"), so
the whole frame is searched after it without costing the common case a second extraction."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from bouclier.banks.hashes import BankHashes, BankInfo, SignalRows
from bouclier.banks.matcher import BankMatcher
from bouclier.hashing import hash_bytes
from bouclier.hashing.framing import Framed, Region
from bouclier.signals.orb import MIN_INLIERS, ORB, extract, extract_query, verify
from bouclier.signals.orb_index import CANDIDATES, NEAR_MISS_PAIRS, OrbIndex
from tests.conftest import encode, photo

#: a photo whose top-left quarter pairs with it in numbers (46 pairs) but does not verify
SEED = 15


def _original(seed: int) -> np.ndarray:
    return photo(seed, (640, 480))


def _quarter(pixels: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(pixels[:240, :320])


def _bank(*seeds: int) -> np.ndarray:
    stored = [extract(_original(s)) for s in seeds]
    return np.frombuffer(b"".join(stored), np.uint8).reshape(len(stored), -1)


def test_a_part_of_the_picture_is_a_near_miss_and_an_unrelated_picture_is_not() -> None:
    index = OrbIndex()
    index.add(_bank(SEED, 20), np.array([1, 2]))
    part = extract_query(_quarter(_original(SEED)))
    check = verify(part, extract(_original(SEED)))
    assert check.distance > ORB.default_threshold  # the part alone does not verify ...
    assert check.pairs >= NEAR_MISS_PAIRS  # ... but pairs with its picture in numbers
    rows = ORB.pack_queries([part.hex(), extract_query(_quarter(_original(21))).hex()])
    near, unrelated = index.search_each(rows, ORB.default_threshold, CANDIDATES)
    assert not len(near.hits)
    assert near.closest == check.pairs
    assert near.near_miss
    assert not len(unrelated.hits)
    assert unrelated.closest < NEAR_MISS_PAIRS
    assert not unrelated.near_miss
    # what search_verified answers is unchanged: the hits and their evidence
    assert [(len(h), e) for h, e in index.search_verified(rows, ORB.default_threshold, 8)] == [
        (0, {}),
        (0, {}),
    ]


def _matcher() -> BankMatcher:
    part = SignalRows(np.arange(1, 3, dtype=np.int64), np.ones(2, np.int32), _bank(SEED, 20))
    banks = {1: BankInfo(1, "victims", "victim", 31, datetime.now(UTC), 2)}
    return BankMatcher(BankHashes({ORB.name: part}, banks))


def test_after_a_region_s_near_miss_the_whole_frame_is_searched_on_the_default_budget() -> None:
    original = _original(SEED)
    hashes = hash_bytes(encode(original, quality=90), framing=False)
    assert hashes.media is not None
    # a fake of the framing stage's answer: a region that is a quarter of the picture
    hashes.media.__dict__["content"] = (Framed(Region(0, 0, 320, 240), _quarter(original)),)
    [match] = _matcher().match_robust(hashes, CANDIDATES)
    assert (match.entry, match.stage) == (1, "robust")
    assert match.inliers is not None
    assert match.inliers >= MIN_INLIERS


def test_a_region_without_a_near_miss_keeps_the_default_budget_to_one_search() -> None:
    original = _original(SEED)
    hashes = hash_bytes(encode(original, quality=90), framing=False)
    assert hashes.media is not None
    # a region whose pixels are another picture's: nothing comes close, the frame is not searched
    other = _quarter(_original(21))
    hashes.media.__dict__["content"] = (Framed(Region(0, 0, 320, 240), other),)
    matcher = _matcher()
    assert matcher.match_robust(hashes, CANDIDATES) == ()
    [match] = matcher.match_robust(hashes, 2 * CANDIDATES)  # a deeper budget searches it
    assert match.entry == 1

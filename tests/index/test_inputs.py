"""What the index accepts and refuses: adds, removes, membership, queries and radii."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bouclier.index import HammingIndex, brute_force_search
from tests.index.neighbours import random_hashes

RNG = np.random.default_rng(0)
GOOD = random_hashes(RNG, 4)


@pytest.fixture
def index() -> HammingIndex:
    index = HammingIndex(delta_limit=2)
    index.add(GOOD, np.array([10, 20, 30, 40]))  # over the delta limit: main segment
    index.add(GOOD[:1], np.array([50]))  # delta
    return index


@pytest.mark.parametrize(
    ("hashes", "labels", "error", "message"),
    [
        (GOOD.tolist(), np.arange(4), TypeError, "numpy array"),
        (GOOD.astype(np.int64), np.arange(4), TypeError, "uint8"),
        (GOOD.reshape(-1), np.arange(4), ValueError, r"shape \(n, 32\)"),
        (GOOD[:, :16], np.arange(4), ValueError, r"shape \(n, 32\)"),
        (np.asfortranarray(GOOD), np.arange(4), ValueError, "C-contiguous"),
        (GOOD, np.arange(3), ValueError, "4 hashes but 3 labels"),
        (GOOD, np.arange(4.0), TypeError, "integers"),
        (GOOD, np.arange(4, dtype=np.uint64), TypeError, "integers"),
        (GOOD, np.arange(8).reshape(4, 2), ValueError, "one-dimensional"),
        (GOOD, "abcd", TypeError, "labels"),
    ],
)
def test_bad_adds_are_refused(
    index: HammingIndex, hashes: Any, labels: Any, error: type[Exception], message: str
) -> None:
    before = len(index)
    with pytest.raises(error, match=message):
        index.add(hashes, labels)
    assert len(index) == before


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([1, 2, 1], "label 1 appears twice"),
        ([1, 30, 2], "label 30 is already in the index"),  # in the main segment
        ([50, 1], "label 50 is already in the index"),  # in the delta
        ([7, 40, 7], "label 40 is already"),  # the first offender, in batch order
    ],
)
def test_clashing_labels_name_the_first_one_and_add_nothing(
    index: HammingIndex, labels: list[int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        index.add(random_hashes(RNG, len(labels)), np.array(labels))
    assert len(index) == 5
    assert 1 not in index
    assert 2 not in index
    assert 7 not in index


def test_a_removed_label_can_be_added_again(index: HammingIndex) -> None:
    assert index.remove([20, 50]) == 2
    index.add(GOOD[2:3], np.array([20]))
    index.add(GOOD[3:4], np.array([50]))
    assert 20 in index
    assert 50 in index
    assert len(index) == 5
    hits = index.search(GOOD[2], 0)
    assert hits.labels.tolist() == [20, 30]


def test_remove_counts_only_present_labels(index: HammingIndex) -> None:
    assert index.remove([10, 10, 999, 50]) == 2  # a repeated label counts once
    assert index.remove(np.array([10, 50])) == 0
    assert index.remove([]) == 0
    assert len(index) == 3
    assert index.search(GOOD[0], 0).labels.tolist() == []


@pytest.mark.parametrize(
    ("labels", "error"),
    [([1.5], TypeError), ("10", TypeError), (np.array([[10]]), ValueError), (7, TypeError)],
)
def test_bad_removes_are_refused(index: HammingIndex, labels: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        index.remove(labels)
    assert len(index) == 5


def test_membership(index: HammingIndex) -> None:
    assert 10 in index
    assert 50 in index
    assert np.int64(30) in index
    assert 11 not in index
    assert "10" not in index
    assert 10.0 not in index
    assert 2**70 not in index
    assert True not in index  # a bool is not a label


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        (bytes(31), ValueError, "32 bytes, got 31"),
        (bytes(33), ValueError, "32 bytes, got 33"),
        ("00" * 32, TypeError, "32 bytes or a uint8 array"),
        (np.zeros(32, np.int8), TypeError, "uint8"),
        (np.zeros((1, 32), np.uint8), ValueError, r"shape \(32,\)"),
        (list(range(32)), TypeError, "32 bytes or a uint8 array"),
    ],
)
def test_bad_queries_are_refused(
    index: HammingIndex, query: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        index.search(query, 31)


@pytest.mark.parametrize(
    ("radius", "error"),
    [(-1, ValueError), (257, ValueError), (31.0, TypeError), ("31", TypeError), (True, TypeError)],
)
def test_bad_radii_are_refused(index: HammingIndex, radius: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="radius"):
        index.search(bytes(32), radius)
    with pytest.raises(error, match="radius"):
        index.search_many(np.zeros((2, 32), np.uint8), radius)
    with pytest.raises(error, match="radius"):
        brute_force_search(GOOD, np.arange(4), bytes(32), radius)


def test_numpy_integer_radius_is_accepted(index: HammingIndex) -> None:
    assert index.search(GOOD[1], np.int32(0)).labels.tolist() == [20]


@pytest.mark.parametrize(
    "queries", [np.zeros((2, 16), np.uint8), np.zeros(32, np.uint8), np.zeros((2, 32), np.int16)]
)
def test_bad_query_batches_are_refused(index: HammingIndex, queries: np.ndarray) -> None:
    with pytest.raises((TypeError, ValueError), match="queries"):
        index.search_many(queries, 31)


def test_constructor_checks_its_options() -> None:
    with pytest.raises(ValueError, match="strategy"):
        HammingIndex(strategy="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="delta_limit"):
        HammingIndex(delta_limit=-1)


def test_memory_is_reported(index: HammingIndex) -> None:
    assert index.memory_bytes() > 5 * 40
    assert HammingIndex.HASH_BYTES == 32

"""Layouts adapt to the size and the radius: every plan the index can choose is exact, and a
merge that crosses a size class re-plans."""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.index import HammingIndex, _hamming, brute_force_search
from bouclier.index.segments import MIN_SIZE_CLASS, choose_layout, plan_layout, size_class
from tests.index.neighbours import planted, random_hashes

#: size classes whose layouts are built in tests (2^24 and up take ~0.5-1.5 GB of offsets; the
#: widest table they use, 28 bits, is built by test_hamming_c)
CLASSES = [1 << k for k in range(16, 24)]
RADII = [8, 16, 31, 48]
LAYOUTS = sorted({choose_layout(c, r) for c in CLASSES for r in RADII})


@pytest.fixture(scope="module")
def bank() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 2000, query, range(0, 64))
    return query, hashes, labels


@pytest.mark.parametrize("bits", LAYOUTS, ids=lambda b: f"{len(b)}x{min(b)}-{max(b)}")
def test_every_planned_layout_is_exact(
    bank: tuple[np.ndarray, np.ndarray, np.ndarray], bits: tuple[int, ...]
) -> None:
    query, hashes, labels = bank
    tables = _hamming.MultiIndex(hashes, bits)
    for radius in (0, 7, 8, 15, 16, 30, 31, 32, 47, 48, 63):
        rows, distances, _ = tables.search(query, radius, None, _hamming.STRATEGY_MULTI)
        found = sorted(
            zip(
                labels[np.frombuffer(rows, np.uint32)].tolist(),
                np.frombuffer(distances, np.uint16).tolist(),
                strict=True,
            )
        )
        hits = brute_force_search(hashes, labels, query, radius)
        assert found == sorted(zip(hits.labels.tolist(), hits.distances.tolist(), strict=True))


def test_layouts_grow_with_the_size_and_follow_the_radius() -> None:
    widths = [max(choose_layout(1 << k)) for k in range(16, 28)]
    assert widths == sorted(widths)  # wider tables as the bank grows
    assert widths[0] < widths[-1]
    assert len({choose_layout(1 << 22, r) for r in (8, 16, 48)}) == 3
    assert len(choose_layout(1 << 23, 8)) < len(choose_layout(1 << 23, 48))


def test_size_classes() -> None:
    assert size_class(0) == size_class(1) == MIN_SIZE_CLASS
    assert size_class(MIN_SIZE_CLASS) == MIN_SIZE_CLASS
    assert size_class(MIN_SIZE_CLASS + 1) == 2 * MIN_SIZE_CLASS
    assert size_class(10_000_000) == 1 << 24


def test_a_merge_that_crosses_a_size_class_re_plans() -> None:
    rng = np.random.default_rng(12)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 3 * MIN_SIZE_CLASS - 40, query, range(40))
    index = HammingIndex(delta_limit=1000, background=False)
    index.add(hashes[:50_000], labels[:50_000])
    assert index.plan() == plan_layout(50_000)
    index.add(hashes[50_000:60_000], labels[50_000:60_000])
    index.compact()
    assert index.plan() == plan_layout(50_000)  # same class: the layout is kept
    index.add(hashes[60_000:], labels[60_000:])
    assert index.plan() == choose_layout(4 * MIN_SIZE_CLASS)
    assert index.plan() != plan_layout(50_000)
    for radius in (0, 16, 31, 39):
        assert index.search(query, radius) == brute_force_search(hashes, labels, query, radius)
    index.remove(labels[: len(labels) - 1000])  # tombstones pile up: the merge shrinks it back
    assert index.plan() == plan_layout(1000)
    assert index.search(query, 31) == brute_force_search(hashes[-1000:], labels[-1000:], query, 31)

"""Interleaved adds, removes, compactions and snapshot round trips, checked against a plain dict.

Hypothesis drives the index through random sequences of operations with a tiny delta limit, so
that main segments are rebuilt often and searches cross main, tombstones and delta; after every
step each search must equal the brute-force answer over the model.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bouclier.index import HammingIndex, brute_force_search

# A few base hashes, and variants of them a few bits away: searches find real neighbours.
BASES = np.random.default_rng(0).integers(0, 256, size=(4, 32), dtype=np.uint8)
labels_st = st.integers(min_value=-50, max_value=150)
hash_st = st.builds(
    lambda base, flips: _flip(BASES[base], flips),
    st.integers(0, len(BASES) - 1),
    st.lists(st.integers(0, 255), max_size=48),
)


def _flip(base: np.ndarray, positions: list[int]) -> np.ndarray:
    bits = np.unpackbits(base)
    for p in positions:
        bits[p] ^= 1
    return np.packbits(bits)


class IndexMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.model: dict[int, np.ndarray] = {}
        self.index = HammingIndex()

    @initialize(
        delta_limit=st.sampled_from([0, 3, 16, 1000]),
        strategy=st.sampled_from(["auto", "multi-index", "linear"]),
    )
    def start(self, delta_limit: int, strategy: str) -> None:
        self.index = HammingIndex(delta_limit=delta_limit, strategy=strategy)  # type: ignore[arg-type]

    @rule(batch=st.lists(st.tuples(labels_st, hash_st), max_size=12))
    def add(self, batch: list[tuple[int, np.ndarray]]) -> None:
        labels = np.array([label for label, _ in batch], np.int64)
        hashes = np.stack([h for _, h in batch]) if batch else np.zeros((0, 32), np.uint8)
        clash = len(set(labels.tolist())) < len(labels) or any(
            int(label) in self.model for label in labels
        )
        if clash:
            with pytest.raises(ValueError, match="label"):
                self.index.add(hashes, labels)
            return
        self.index.add(hashes, labels)
        self.model.update(zip(labels.tolist(), hashes, strict=True))

    @rule(labels=st.lists(labels_st, max_size=10))
    def remove(self, labels: list[int]) -> None:
        present = {label for label in labels if label in self.model}
        assert self.index.remove(labels) == len(present)
        for label in present:
            del self.model[label]

    @rule()
    def compact(self) -> None:
        self.index.compact()

    @rule()
    def save_and_load(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "index.bin"
            self.index.save(path)
            self.index = HammingIndex.load(path, delta_limit=self.index._delta_limit)

    @rule(
        query=hash_st,
        radius=st.sampled_from([0, 1, 2, 5, 12, 20, 31, 40, 48, 63, 100, 256]),
    )
    def search(self, query: np.ndarray, radius: int) -> None:
        labels = np.array(sorted(self.model), np.int64)
        hashes = (
            np.stack([self.model[label] for label in labels.tolist()])
            if self.model
            else np.zeros((0, 32), np.uint8)
        )
        expected = brute_force_search(hashes, labels, query, radius)
        assert self.index.search(query, radius) == expected
        assert self.index.search_many(np.stack([query, query]), radius) == [expected] * 2

    @invariant()
    def same_size_and_members(self) -> None:
        assert len(self.index) == len(self.model)
        for label in range(-50, 151, 25):
            assert (label in self.index) == (label in self.model)


TestIndexMachine = IndexMachine.TestCase
TestIndexMachine.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

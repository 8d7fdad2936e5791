"""A brute-force Hamming index for small banks of a new signal type.

Each search compares the queries with every stored value (numpy XOR and popcount): obviously
right, and fast enough for the first thousands of entries of a type that has no index of its own
yet. PDQ uses the multi-index C search (:mod:`bouclier.index`) instead.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from bouclier.index.hits import EMPTY_HITS, SearchHits
from bouclier.signals.base import packed_rows


class LinearHammingIndex:
    """Packed values under unique int64 labels; exact search within a bit radius."""

    def __init__(self, packed_bytes: int) -> None:
        self.packed_bytes = packed_bytes
        self._lock = threading.Lock()
        # one (rows, labels) pair, replaced whole on every change: a search reads one of them
        self._data = (np.zeros((0, packed_bytes), np.uint8), np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self._data[1])

    def __contains__(self, label: object) -> bool:
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
            return False
        return bool(np.any(self._data[1] == int(label)))

    def add(self, rows: np.ndarray, labels: np.ndarray) -> None:
        rows = packed_rows(rows, self.packed_bytes)
        names = np.asarray(labels, dtype=np.int64).reshape(-1)
        if len(names) != len(rows):
            raise ValueError(f"{len(rows)} rows but {len(names)} labels")
        with self._lock:
            held_rows, held = self._data
            clash = np.isin(names, held) | _repeated(names)
            if clash.any():
                first = int(names[int(np.argmax(clash))])
                raise ValueError(f"label {first} is already in the index; nothing was added")
            all_rows = np.concatenate([held_rows, rows])
            all_labels = np.concatenate([held, names])
            order = np.argsort(all_labels, kind="stable")
            self._data = (all_rows[order], all_labels[order])

    def remove(self, labels: np.ndarray | Sequence[int]) -> int:
        names = np.asarray(labels, dtype=np.int64).reshape(-1)
        with self._lock:
            rows, held = self._data
            keep = ~np.isin(held, names)
            self._data = (rows[keep], held[keep])
            return int((~keep).sum())

    def search_many(self, queries: np.ndarray, radius: int) -> list[SearchHits]:
        queries = packed_rows(queries, self.packed_bytes, "queries")
        rows, labels = self._data
        results = []
        for query in queries:
            if not len(labels):
                results.append(EMPTY_HITS)
                continue
            distances = np.bitwise_count(rows ^ query).sum(axis=1)
            near = distances <= radius
            results.append(SearchHits.sorted(labels[near], distances[near]))
        return results

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        rows, labels = self._data
        return rows.copy(), labels.copy()


def _repeated(names: np.ndarray) -> np.ndarray:
    order = np.argsort(names, kind="stable")
    repeated = np.zeros(len(names), bool)
    repeated[order[1:]] = names[order[1:]] == names[order[:-1]]
    return repeated

"""Search results, the reference search they are checked against, and the index's input checks.

:func:`brute_force_search` compares the query with every stored hash in numpy; it is slow and
obviously right, and the tests prove that :class:`~bouclier.index.HammingIndex` returns exactly
what it returns. The ``as_*`` functions are the door of the index: they turn what a caller passes
into arrays of the right dtype and shape, or raise ``TypeError``/``ValueError`` saying what was
wrong, so nothing malformed reaches the C code.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

HASH_BYTES = 32
HASH_BITS = 8 * HASH_BYTES
MAX_RADIUS = HASH_BITS


@dataclass(frozen=True, eq=False)  # eq by array contents, below
class SearchHits:
    """The stored hashes within the radius of one query, sorted by (distance, label)."""

    labels: np.ndarray  # int64
    distances: np.ndarray  # int32, same length

    __hash__ = None  # type: ignore[assignment]  # arrays are not hashable

    def __len__(self) -> int:
        return len(self.labels)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchHits):
            return NotImplemented
        return np.array_equal(self.labels, other.labels) and np.array_equal(
            self.distances, other.distances
        )

    @classmethod
    def sorted(cls, labels: np.ndarray, distances: np.ndarray) -> SearchHits:
        if len(labels) > 1:
            order = np.lexsort((labels, distances))
            labels, distances = labels[order], distances[order]
        return cls(labels.astype(np.int64), distances.astype(np.int32))


EMPTY_HITS = SearchHits(np.zeros(0, np.int64), np.zeros(0, np.int32))
EMPTY_HITS.labels.flags.writeable = False  # shared by every empty answer
EMPTY_HITS.distances.flags.writeable = False


def brute_force_search(
    hashes: np.ndarray, labels: np.ndarray, query: bytes | np.ndarray, radius: int
) -> SearchHits:
    """The reference: numpy XOR + bitwise_count over every stored hash."""
    stored = as_hashes(hashes)
    names = as_labels(labels, len(stored))
    q = as_query(query)
    r = as_radius(radius)
    # XOR and popcount 64 bits at a time (the same bits, 8x fewer elements than per byte)
    words = np.bitwise_count(stored.view(np.uint64) ^ q.view(np.uint64))
    distances = words.sum(axis=1, dtype=np.int32)
    within = distances <= r
    return SearchHits.sorted(names[within], distances[within])


def as_hashes(hashes: object, what: str = "hashes") -> np.ndarray:
    """An (n, 32) uint8 C-contiguous array, as given (never copied)."""
    if not isinstance(hashes, np.ndarray):
        raise TypeError(f"{what} must be a numpy array of shape (n, 32), got {type(hashes)!r}")
    if hashes.dtype != np.uint8:
        raise TypeError(f"{what} must have dtype uint8, got {hashes.dtype}")
    if hashes.ndim != 2 or hashes.shape[1] != HASH_BYTES:
        raise ValueError(f"{what} must have shape (n, 32), got {hashes.shape}")
    if not hashes.flags.c_contiguous:
        raise ValueError(f"{what} must be C-contiguous (use np.ascontiguousarray)")
    return hashes


def as_labels(labels: object, count: int | None = None) -> np.ndarray:
    """A 1-D int64 array (any integer array that fits is converted), of ``count`` items if given."""
    if isinstance(labels, np.ndarray):
        array = labels
    elif isinstance(labels, Sequence) and not isinstance(labels, (str, bytes, bytearray)):
        array = np.asarray(labels) if len(labels) else np.zeros(0, np.int64)
    else:
        raise TypeError(f"labels must be a numpy array or a sequence of ints, got {type(labels)!r}")
    if array.dtype.kind not in "iu" or not np.can_cast(array.dtype, np.int64, "safe"):
        raise TypeError(f"labels must be integers that fit in int64, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {array.shape}")
    if count is not None and len(array) != count:
        raise ValueError(f"got {count} hashes but {len(array)} labels")
    return array.astype(np.int64, copy=False)


def as_query(query: object) -> np.ndarray:
    """One hash as a (32,) uint8 array: from 32 bytes or a (32,) uint8 array."""
    if isinstance(query, (bytes, bytearray, memoryview)):
        raw = bytes(query)
        if len(raw) != HASH_BYTES:
            raise ValueError(f"a query must be 32 bytes, got {len(raw)}")
        return np.frombuffer(raw, dtype=np.uint8)
    if isinstance(query, np.ndarray):
        if query.dtype != np.uint8:
            raise TypeError(f"a query array must have dtype uint8, got {query.dtype}")
        if query.shape != (HASH_BYTES,):
            raise ValueError(f"a query array must have shape (32,), got {query.shape}")
        return np.ascontiguousarray(query)
    raise TypeError(f"a query must be 32 bytes or a uint8 array, got {type(query)!r}")


def as_radius(radius: object) -> int:
    """An int in 0..256 (bool is refused: ``True`` as a radius is a bug, not a 1)."""
    if isinstance(radius, bool):
        raise TypeError("radius must be an int, got bool")
    try:
        value = operator.index(radius)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"radius must be an int, got {type(radius)!r}") from None
    if not 0 <= value <= MAX_RADIUS:
        raise ValueError(f"radius must be in 0..256, got {value}")
    return value

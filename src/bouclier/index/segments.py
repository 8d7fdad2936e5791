"""The two kinds of segment a :class:`~bouclier.index.HammingIndex` is made of.

The *main* segment is immutable apart from its tombstones: hashes and labels in label order (so
that label -> row is a binary search and needs no second array) and the C multi-index built over
them, with a table layout planned for its size class and radius. The *delta* segment takes new
hashes between two compactions and is searched by a linear scan in C; it is append-only, so a
search that read its row count earlier never sees a half-written row. Removal sets a bit in the
segment's ``dead`` bitmap (bit ``i & 7`` of byte ``i >> 3`` is row ``i``). :func:`merge_live` is
the compaction: the live rows of both, in label order, from which the next main segment is built.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from bouclier.index import _hamming
from bouclier.index.hits import HASH_BITS, HASH_BYTES

#: The radius the table layout is tuned for by default: PDQ's usual match threshold.
DESIGN_RADIUS = 31
#: The smallest size class: below it one layout serves (a few MiB of tables at most).
MIN_SIZE_CLASS = 1 << 16
#: The tables may take this many bytes per stored hash (or 4 MiB in all, for small indexes): with
#: 32 for the hash and 8 for its label, everything stays under 128 bytes per hash.
TABLE_BYTES_PER_HASH = 80
MAX_TABLE_BITS = 28


def table_layouts() -> Iterator[tuple[int, ...]]:
    """Every layout considered: m substrings of equal width (or widths differing by one bit
    covering all 256 bits). Bits left uncovered only weaken the pigeonhole, never exactness."""
    for m in range(8, 65):
        width, extra = divmod(HASH_BITS, m)
        if width < MAX_TABLE_BITS:
            yield (width + 1,) * extra + (width,) * (m - extra)
        for bits in range(1, min(width, MAX_TABLE_BITS) + 1):
            yield (bits,) * m


@functools.lru_cache(maxsize=1024)
def choose_layout(n: int, radius: int = DESIGN_RADIUS) -> tuple[int, ...]:
    """The layout with the lowest estimated cost at ``radius`` for n hashes, within the budget
    (at radii where no layout can be exact, the cheapest in memory: searches then scan)."""
    budget = max(TABLE_BYTES_PER_HASH * n, 4 << 20)
    best: tuple[float, tuple[int, ...]] | None = None
    for bits in table_layouts():
        cost, _, _, table_bytes = _hamming.estimate(n, bits, radius)
        if table_bytes <= budget and (best is None or cost < best[0]):
            best = (cost, bits)
    assert best is not None  # 8 tables of 1 bit always fit
    return best[1]


def size_class(n: int) -> int:
    """The power of two at or above n (at least MIN_SIZE_CLASS): the size a layout is planned
    for. A merge keeps its segment's layout while the size stays in its class, and re-plans
    when it crosses into the next (or the previous) one."""
    return max(MIN_SIZE_CLASS, 1 << max(n - 1, 0).bit_length())


def plan_layout(n: int, radius: int = DESIGN_RADIUS) -> tuple[int, ...]:
    """The table layout of a main segment of n hashes searched mostly at ``radius``."""
    return choose_layout(size_class(n), radius)


def in_memory(
    hashes: np.ndarray, tables: _hamming.MultiIndex
) -> tuple[np.ndarray, _hamming.MultiIndex]:
    """Copies of the hashes and tables (as a snapshot stores them, checked again by ``adopt``) in
    fresh numpy memory, which numpy puts on 2 MiB pages: tables read from a memory-mapped file
    sit on 4 KiB pages, whose TLB misses cost a search ~20% more CPU (docs/benchmarks-log.md)."""
    copied = np.array(hashes, np.uint8, order="C")
    return copied, _hamming.MultiIndex.adopt(copied, tables.bits, tables.forms, packed(tables))


def packed(tables: _hamming.MultiIndex) -> np.ndarray:
    """The tables as a snapshot stores them (every array, each padded to 8 bytes), in one fresh
    numpy array."""
    views = [memoryview(array).cast("B") for arrays in tables.parts() for array in arrays]
    out = np.zeros(sum(len(v) + (-len(v) % 8) for v in views), np.uint8)
    at = 0
    for view in views:
        out[at : at + len(view)] = np.frombuffer(view, np.uint8)
        at += len(view) + (-len(view) % 8)
    return out


def dead_bitmap(n: int) -> np.ndarray:
    return np.zeros((n + 7) // 8, dtype=np.uint8)


def mark_dead(dead: np.ndarray, rows: np.ndarray) -> None:
    np.bitwise_or.at(dead, rows >> 3, (1 << (rows & 7)).astype(np.uint8))


def is_dead(dead: np.ndarray, rows: np.ndarray) -> np.ndarray:
    bits = np.right_shift(dead[rows >> 3], (rows & 7).astype(np.uint8))
    return np.asarray(bits & 1, dtype=bool)


def live_mask(dead: np.ndarray, n: int) -> np.ndarray:
    return np.asarray(np.unpackbits(dead, count=n, bitorder="little") == 0)


@dataclass(frozen=True, eq=False)
class MainSegment:
    hashes: np.ndarray  # (n, 32) uint8, in label order
    labels: np.ndarray  # (n,) int64, strictly increasing
    dead: np.ndarray  # tombstones; the only mutable part (under the index's lock)
    tables: _hamming.MultiIndex

    @classmethod
    def build(
        cls, hashes: np.ndarray, labels: np.ndarray, radius: int = DESIGN_RADIUS, threads: int = 0
    ) -> MainSegment:
        """Builds the tables (in C, on ``threads`` threads, 0: every core, without the GIL).
        Labels must be sorted and unique."""
        tables = _hamming.MultiIndex(hashes, plan_layout(len(labels), radius), threads)
        return cls(hashes, labels, dead_bitmap(len(labels)), tables)

    @classmethod
    def empty(cls) -> MainSegment:
        return cls.build(np.zeros((0, HASH_BYTES), np.uint8), np.zeros(0, np.int64))

    @property
    def dead_count(self) -> int:
        return len(self.labels) - int(np.count_nonzero(live_mask(self.dead, len(self.labels))))

    def __len__(self) -> int:
        return len(self.labels)

    def find(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each label, whether it is stored here and not removed; and the rows of those."""
        if not len(self.labels) or not len(labels):
            return np.zeros(len(labels), bool), np.zeros(0, np.int64)
        rows = np.minimum(np.searchsorted(self.labels, labels), len(self.labels) - 1)
        found = self.labels[rows] == labels
        found[found] = ~is_dead(self.dead, rows[found])
        return found, rows[found]

    def nbytes(self) -> int:
        return self.hashes.nbytes + self.labels.nbytes + self.dead.nbytes + self.tables.nbytes


@dataclass(frozen=True, eq=False)
class DeltaView:
    """What a search sees of the delta: the first ``len(labels)`` rows, fixed at that moment."""

    hashes: np.ndarray
    labels: np.ndarray
    dead: np.ndarray
    live: set[int]  # the delta's own set (read-only here)


@dataclass(eq=False)
class Delta:
    """Append-only rows added since the last compaction; mutated only under the index's lock."""

    hashes: np.ndarray = field(default_factory=lambda: np.zeros((0, HASH_BYTES), np.uint8))
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    dead: np.ndarray = field(default_factory=lambda: dead_bitmap(0))
    count: int = 0
    live: set[int] = field(default_factory=set)  # labels of live rows, for `in`

    def view(self) -> DeltaView:
        n = self.count
        return DeltaView(self.hashes[:n], self.labels[:n], self.dead, self.live)

    def append(self, hashes: np.ndarray, labels: np.ndarray) -> None:
        n, k = self.count, len(labels)
        if n + k > len(self.labels):
            # New arrays, never a resize in place: searches may still hold views of the old ones.
            capacity = max(n + k, 2 * len(self.labels), 1024)
            grown = np.zeros((capacity, HASH_BYTES), np.uint8)
            grown[:n] = self.hashes[:n]
            grown_labels = np.zeros(capacity, np.int64)
            grown_labels[:n] = self.labels[:n]
            grown_dead = dead_bitmap(capacity)
            grown_dead[: len(self.dead)] = self.dead
            self.hashes, self.labels, self.dead = grown, grown_labels, grown_dead
        self.hashes[n : n + k] = hashes
        self.labels[n : n + k] = labels
        self.count = n + k
        self.live.update(labels.tolist())

    def remove(self, labels: np.ndarray) -> int:
        """Tombstones the live rows with these labels; returns how many."""
        if not self.live or not len(labels):
            return 0
        rows = np.flatnonzero(np.isin(self.labels[: self.count], labels))
        rows = rows[~is_dead(self.dead, rows)]
        mark_dead(self.dead, rows)
        self.live.difference_update(self.labels[rows].tolist())
        return len(rows)

    def live_arrays(self, first: int = 0, end: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the live rows among rows [first, end) (default: all)."""
        end = self.count if end is None else end
        alive = live_mask(self.dead, end)[first:]
        return self.hashes[first:end][alive], self.labels[first:end][alive]

    def nbytes(self) -> int:
        # a set costs its table plus one int object (~32 bytes) per label
        arrays = self.hashes.nbytes + self.labels.nbytes + self.dead.nbytes
        return arrays + sys.getsizeof(self.live) + 32 * len(self.live)


def merge_live(
    main: MainSegment,
    extra_hashes: np.ndarray,
    extra_labels: np.ndarray,
    alive: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The live rows of ``main`` (those of ``alive`` if given, a mask taken earlier) plus the
    extra rows, in label order (labels must not clash)."""
    hashes, labels = main.hashes, main.labels
    if alive is None:
        alive = live_mask(main.dead, len(labels))
    if not alive.all():
        hashes, labels = hashes[alive], labels[alive]
    if not len(extra_labels):
        return hashes, labels
    if len(extra_labels) > 1 and not np.all(extra_labels[1:] > extra_labels[:-1]):
        order = np.argsort(extra_labels, kind="stable")
        extra_hashes, extra_labels = extra_hashes[order], extra_labels[order]
    if not len(labels):
        return np.ascontiguousarray(extra_hashes), extra_labels
    at = np.searchsorted(labels, extra_labels)
    return np.insert(hashes, at, extra_hashes, axis=0), np.insert(labels, at, extra_labels)

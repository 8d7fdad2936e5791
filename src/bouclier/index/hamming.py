"""The in-memory index of 256-bit PDQ hashes: exact search within a Hamming radius, kept up to date.

A :class:`HammingIndex` is a main segment (hashes in label order plus the C multi-index over
them) and a small delta segment that takes new hashes and is scanned linearly. Removal sets a
tombstone. When the delta outgrows ``delta_limit`` rows, or tombstones pile up, the live rows are
merged into a new main segment: an amortised compaction, never a rebuild the caller has to ask
for. The merge runs in a background thread (its tables built in C on every core, without the
GIL): searches keep reading the old main segment and the whole delta, adds keep going to the
delta, and the new segment is published in one assignment, with the rows added and the removals
made meanwhile carried over. The table layout is planned for the segment's size class and the
index's design radius (:func:`~bouclier.index.segments.plan_layout`), so it changes when a merge
crosses a size class. Searches are exact: they return what comparing the query with every stored
hash would (:func:`~bouclier.index.brute_force_search`, which the tests hold the index to).

Threads: mutations take a lock; a search reads one immutable pair of segment references and never
locks, so it runs beside an ``add``, ``remove``, ``compact`` or a background merge (and the C
search releases the GIL).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bouclier.index import _hamming, segments, snapshot
from bouclier.index.hits import (
    EMPTY_HITS,
    HASH_BYTES,
    SearchHits,
    as_hashes,
    as_labels,
    as_query,
    as_radius,
)
from bouclier.index.segments import (
    DESIGN_RADIUS,
    Delta,
    DeltaView,
    MainSegment,
    live_mask,
    mark_dead,
    merge_live,
)

log = logging.getLogger(__name__)

Strategy = Literal["auto", "multi-index", "linear"]
_STRATEGIES: dict[str, int] = {
    "auto": _hamming.STRATEGY_AUTO,
    "multi-index": _hamming.STRATEGY_MULTI,
    "linear": _hamming.STRATEGY_LINEAR,
}
#: Rows the delta may hold before it is merged into the main segment. A full delta costs a query
#: ~0.03 ms more (AVX-512 scan, 0.4 ns a row; ~0.12 ms with the portable loop); a merge runs in
#: the background, and the delta keeps taking rows (and being scanned) while it does.
DEFAULT_DELTA_LIMIT = 65536
#: The most threads one search call may use (the C side's limit).
MAX_SEARCH_THREADS = 64


@dataclass(frozen=True, eq=False)
class _MergeJob:
    """What a merge reads, taken under the lock: the main segment's live rows at that moment,
    the delta's first ``delta_rows`` rows (copies of the live ones), and any rows added with it."""

    main: MainSegment
    alive: np.ndarray
    delta_rows: int
    extra_hashes: np.ndarray
    extra_labels: np.ndarray


class HammingIndex:
    """Exact Hamming-radius search over 256-bit hashes, each with a unique int64 label."""

    HASH_BYTES = HASH_BYTES

    def __init__(
        self,
        *,
        delta_limit: int = DEFAULT_DELTA_LIMIT,
        strategy: Strategy = "auto",
        radius: int = DESIGN_RADIUS,
        background: bool = True,
        search_threads: int = 1,
    ) -> None:
        """``radius`` is the radius searches mostly use (the layout is planned for it; every
        radius stays exact). ``background=False`` merges in the calling thread, under the lock.
        ``search_threads``: threads one search call may use on the main segment's tables (its
        queries' tables are shared among them); 1, the default, the caller's alone; 0, one per
        core when the call's estimated work is worth starting a thread for (~0.2 ms: an image's
        8 hashes from about 1M stored, one hash from about 10M). 0 lowers the latency of a call
        on a machine with idle cores; on a saturated one a helper thread preempted in the middle
        of its share makes the caller wait (docs/index.md), so servers keep 1.
        ``delta_limit`` and ``strategy`` are for tests and benchmarks: ``strategy`` forces the
        main segment's search path ("multi-index" still scans where no table plan can be exact)."""
        if delta_limit < 0:
            raise ValueError(f"delta_limit must be >= 0, got {delta_limit}")
        if strategy not in _STRATEGIES:
            raise ValueError(f"strategy must be one of {sorted(_STRATEGIES)}, got {strategy!r}")
        self._delta_limit = delta_limit
        self._strategy = _STRATEGIES[strategy]
        self._radius = as_radius(radius)
        self._background = background
        self.search_threads = search_threads
        self._lock = threading.Lock()
        self._merge_done = threading.Condition(self._lock)
        self._merging = False
        self._merges = 0
        self._removed_while_merging: list[np.ndarray] = []
        self._main = MainSegment.empty()
        self._main_dead = 0
        self._delta = Delta()
        self._view = _View(self._main, self._delta.view(), 0)

    @property
    def search_threads(self) -> int:
        """Threads one search call may use (0: one per core when worth it); may be changed."""
        return self._search_threads

    @search_threads.setter
    def search_threads(self, threads: int) -> None:
        if not 0 <= threads <= MAX_SEARCH_THREADS:
            raise ValueError(f"search_threads must be in 0..{MAX_SEARCH_THREADS}, got {threads}")
        self._search_threads = threads

    def __len__(self) -> int:
        return self._view.size

    def __contains__(self, label: object) -> bool:
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
            return False
        value = int(label)
        if not -(2**63) <= value < 2**63:
            return False
        view = self._view
        return value in view.delta.live or bool(view.main.find(np.array([value], np.int64))[0][0])

    # ---- mutation -------------------------------------------------------------------------

    def add(self, hashes: np.ndarray, labels: np.ndarray) -> None:
        """Adds hashes ((n, 32) uint8, bytes in the order of the hex string) under new labels.

        Labels must be unique and not already present: otherwise ``ValueError`` names the first
        offending label and nothing is added. A batch larger than the delta limit (a bulk load)
        is merged into a new main segment before ``add`` returns.
        """
        stored = as_hashes(hashes)
        names = as_labels(labels, len(stored))
        if not len(names):
            return
        with self._lock:
            order = self._check_new(names)
            if len(names) > self._delta_limit:
                self._wait_for_merge()
                # copies, in label order (merge_live sorts again only if the delta had rows)
                self._merge_now(stored[order], names[order])
            else:
                self._delta.append(stored, names)
                self._publish()
                self._merge_if_due()

    def remove(self, labels: np.ndarray | Sequence[int]) -> int:
        """Removes these labels; returns how many were present. Unknown labels are ignored."""
        names = np.unique(as_labels(labels))
        with self._lock:
            _, rows = self._main.find(names)
            mark_dead(self._main.dead, rows)
            self._main_dead += len(rows)
            removed = len(rows) + self._delta.remove(names)
            if self._merging:
                self._removed_while_merging.append(names)
            self._publish()
            self._merge_if_due()
            return removed

    def compact(self) -> None:
        """Merges the delta and drops tombstones now (it also happens on its own, when due)."""
        with self._lock:
            self._wait_for_merge()
            self._merge_now()

    @property
    def merging(self) -> bool:
        """Whether a merge is running now."""
        return self._merging

    @property
    def merges(self) -> int:
        """How many merges have been published since the index was made."""
        return self._merges

    def wait_for_merge(self) -> None:
        """Returns when no background merge is running (tests, benchmarks, shutdown)."""
        with self._lock:
            self._wait_for_merge()

    def _check_new(self, names: np.ndarray) -> np.ndarray:
        """Raises ValueError on a repeated or present label; returns the labels' sort order."""
        order = np.argsort(names, kind="stable")
        repeated = np.zeros(len(names), bool)
        repeated[order[1:]] = names[order[1:]] == names[order[:-1]]
        present, _ = self._main.find(names)
        if self._delta.live:
            live = self._delta.live
            present |= np.isin(names, np.fromiter(live, np.int64, len(live)))
        bad = repeated | present
        if bad.any():
            first = int(np.argmax(bad))
            why = "is already in the index" if present[first] else "appears twice in this batch"
            raise ValueError(f"label {int(names[first])} {why}; nothing was added")
        return order

    # ---- merging (every method here runs under the lock, except _build) --------------------

    def _merge_if_due(self) -> None:
        tombstones = self._main_dead > max(self._delta_limit, len(self._main) // 8)
        if self._merging or not (self._delta.count > self._delta_limit or tombstones):
            return
        if not self._background:
            self._merge_now()
            return
        job = self._begin_merge()
        threading.Thread(
            target=self._merge_in_background, args=(job,), name="index-merge", daemon=True
        ).start()

    def _begin_merge(
        self, extra_hashes: np.ndarray | None = None, extra_labels: np.ndarray | None = None
    ) -> _MergeJob:
        delta_hashes, delta_labels = self._delta.live_arrays()
        if extra_hashes is not None and extra_labels is not None and len(extra_labels):
            delta_hashes = np.concatenate([delta_hashes, extra_hashes])
            delta_labels = np.concatenate([delta_labels, extra_labels])
        self._merging = True
        self._removed_while_merging = []
        alive = live_mask(self._main.dead, len(self._main))
        return _MergeJob(self._main, alive, self._delta.count, delta_hashes, delta_labels)

    def _build(self, job: _MergeJob) -> MainSegment:
        hashes, labels = merge_live(job.main, job.extra_hashes, job.extra_labels, job.alive)
        return MainSegment.build(hashes, labels, self._radius)

    def _merge_now(
        self, extra_hashes: np.ndarray | None = None, extra_labels: np.ndarray | None = None
    ) -> None:
        job = self._begin_merge(extra_hashes, extra_labels)
        try:
            built = self._build(job)
        except BaseException:
            self._end_merge()
            raise
        self._finish_merge(job, built)

    def _merge_in_background(self, job: _MergeJob) -> None:
        try:
            built = self._build(job)
        except BaseException:
            # nothing is lost: the old main segment and the whole delta stay in place
            log.exception("index merge failed; the index keeps its rows and retries later")
            with self._lock:
                self._end_merge()
            return
        with self._lock:
            self._finish_merge(job, built)
            self._merge_if_due()  # the delta may have filled up again meanwhile

    def _finish_merge(self, job: _MergeJob, built: MainSegment) -> None:
        """Publishes the merged segment with what happened since the merge began: removals are
        tombstoned in it, and the delta's rows added after ``job.delta_rows`` stay in a delta."""
        if self._removed_while_merging:
            _, rows = built.find(np.unique(np.concatenate(self._removed_while_merging)))
            mark_dead(built.dead, rows)
            self._main_dead = len(rows)
        else:
            self._main_dead = 0
        later = Delta()
        if self._delta.count > job.delta_rows:
            later.append(*self._delta.live_arrays(job.delta_rows))
        self._main, self._delta = built, later
        self._merges += 1
        self._end_merge()
        self._publish()

    def _end_merge(self) -> None:
        self._merging = False
        self._removed_while_merging = []
        self._merge_done.notify_all()

    def _wait_for_merge(self) -> None:
        while self._merging:
            self._merge_done.wait()

    def _publish(self) -> None:
        size = len(self._main) - self._main_dead + len(self._delta.live)
        self._view = _View(self._main, self._delta.view(), size)  # one assignment: atomic

    # ---- search ---------------------------------------------------------------------------

    def search(self, query: bytes | np.ndarray, radius: int) -> SearchHits:
        """Every stored hash within ``radius`` (0..256) bits of the 32-byte query."""
        return self._search(as_query(query), as_radius(radius))[0]

    def search_many(self, queries: np.ndarray, radius: int) -> list[SearchHits]:
        """One :class:`SearchHits` per row of ``queries`` ((q, 32) uint8), in one C call."""
        return self._search(as_hashes(queries, "queries"), as_radius(radius))

    def search_path(self, radius: int) -> Literal["multi-index", "linear"]:
        """How the main segment would be searched at this radius (the delta is always scanned)."""
        plan = self._view.main.tables.plan(as_radius(radius), self._strategy)
        return "linear" if plan is None else "multi-index"

    def plan(self) -> tuple[int, ...]:
        """The main segment's table layout: the width in bits of each table."""
        return self._view.main.tables.bits

    def _search(self, queries: np.ndarray, radius: int) -> list[SearchHits]:
        view = self._view
        main, delta = view.main, view.delta
        count = len(queries) if queries.ndim == 2 else 1
        if not count:
            return []
        answers = [
            (
                main.labels,
                main.tables.search(
                    queries, radius, main.dead, self._strategy, self._search_threads
                ),
            )
        ]
        if len(delta.labels):
            answers.append((delta.labels, _hamming.scan(delta.hashes, queries, radius, delta.dead)))
        if not any(rows for _, (rows, _, _) in answers):
            # most lookups find nothing (a platform's uploads are rarely in a bank): their answer
            # is made without reading the C results (~20 µs a call, a warm one-hash search's)
            return [EMPTY_HITS] * count
        found = [_Found(labels, result) for labels, result in answers]
        # most queries of a batch (a back-scan's rows) find nothing: only those with hits are
        # looked at one by one
        results = [EMPTY_HITS] * count
        with_hits = np.flatnonzero(np.logical_or.reduce([f.counts > 0 for f in found]))
        for j in with_hits.tolist():
            parts = [f.query(j) for f in found if f.bounds[j] < f.bounds[j + 1]]
            if len(parts) == 1:
                results[j] = SearchHits.sorted(*parts[0])
            else:
                labels, distances = zip(*parts, strict=True)
                results[j] = SearchHits.sorted(np.concatenate(labels), np.concatenate(distances))
        return results

    # ---- size and persistence -------------------------------------------------------------

    def memory_bytes(self) -> int:
        """Bytes held: hashes, labels, tombstones, tables and the delta (with spare capacity)."""
        return self._main.nbytes() + self._delta.nbytes()

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        """The live hashes and their labels, in label order (what a snapshot holds); read-only."""
        with self._lock:
            return merge_live(self._main, *self._delta.live_arrays())

    def stored(self) -> snapshot.StoredSegment:
        """What a snapshot holds, taken at one moment: the main segment (its arrays and tables,
        immutable) with a copy of its tombstones, and the delta's live rows (copies)."""
        with self._lock:
            main, dead = self._main, self._main.dead.copy()
            extra_hashes, extra_labels = self._delta.live_arrays()
        return snapshot.StoredSegment(
            main.hashes, main.labels, dead, main.tables, extra_hashes, extra_labels
        )

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the index to ``path`` atomically, its built tables included (see
        :mod:`.snapshot`); searches, adds and a background merge go on meanwhile."""
        snapshot.write(path, self.stored())

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        delta_limit: int = DEFAULT_DELTA_LIMIT,
        strategy: Strategy = "auto",
        radius: int = DESIGN_RADIUS,
        background: bool = True,
        search_threads: int = 1,
        in_memory: bool = False,
    ) -> HammingIndex:
        """Reads a snapshot, checked in full (``SnapshotError`` if it is not a good one), and
        searches its tables where they lie in the memory-mapped file (a version-1 file, which
        has none, gets them built). ``in_memory=True`` copies the hashes and tables into memory
        of the process's own (on 2 MiB pages; checked again): a slower load and the index's size
        in fresh memory, for searches that miss the TLB less."""
        return cls.from_stored(
            snapshot.read(path),
            delta_limit=delta_limit,
            strategy=strategy,
            radius=radius,
            background=background,
            search_threads=search_threads,
            in_memory=in_memory,
        )

    @classmethod
    def from_stored(
        cls,
        stored: snapshot.StoredSegment,
        *,
        delta_limit: int = DEFAULT_DELTA_LIMIT,
        strategy: Strategy = "auto",
        radius: int = DESIGN_RADIUS,
        background: bool = True,
        search_threads: int = 1,
        in_memory: bool = False,
    ) -> HammingIndex:
        """The index a snapshot holds (:func:`.snapshot.read`): its main segment searched where
        it lies (the tables built first if it has none; copied into memory with ``in_memory``),
        the rows outside it in a delta that takes later adds; removals tombstone a private copy
        of the bitmap, never the file."""
        index = cls(
            delta_limit=delta_limit,
            strategy=strategy,
            radius=radius,
            background=background,
            search_threads=search_threads,
        )
        if stored.tables is None:
            index._main = MainSegment.build(stored.hashes, stored.labels, index._radius)
        else:
            hashes, tables = stored.hashes, stored.tables
            if in_memory:
                hashes, tables = segments.in_memory(hashes, tables)
            index._main = MainSegment(hashes, stored.labels, stored.dead, tables)
        index._main_dead = index._main.dead_count
        with index._lock:
            if len(stored.extra_labels):
                index._delta.append(stored.extra_hashes, stored.extra_labels)
            index._publish()
            index._merge_if_due()
        return index


@dataclass(frozen=True, eq=False)
class _View:
    """What one search reads, replaced whole on every mutation; only tombstone bits and the
    delta's set of labels are written in place (a search sees a removal or not, never half)."""

    main: MainSegment
    delta: DeltaView
    size: int  # live hashes


class _Found:
    """One segment's answers to a batch of queries, from the C result format."""

    def __init__(self, labels: np.ndarray, found: tuple[bytes, bytes, bytes]) -> None:
        rows, distances, counts = found
        self.labels = labels[np.frombuffer(rows, np.uint32)]
        self.distances = np.frombuffer(distances, np.uint16)
        self.counts = np.frombuffer(counts, np.int64)
        self.bounds = [0, *np.cumsum(self.counts).tolist()]

    def query(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.bounds[j], self.bounds[j + 1]
        return self.labels[a:b], self.distances[a:b]

"""The ORB index: an inverted index over descriptor fragments proposes, RANSAC decides.

Every keypoint of a stored value posts its entry under :data:`FRAGMENTS` keys, the 16-bit words
at the start of its descriptor (word *c* of value *v*: key ``c * 65536 + v``). A query's keys
vote for the entries that hold them, each vote weighted by the key's rarity (``log(1 + n / df)``,
so the words of text and flat regions, which every caption shares, count little); the
best-scored entries with at least :data:`MIN_VOTES` shared keys are then compared, in vote
order, with the query by the reference :func:`~bouclier.signals.orb.verify` until ``candidates``
of them have failed (at most :data:`EXTEND` x ``candidates`` in all), and those within the radius
are the hits. Every hit's distance is therefore exactly the reference's; what the candidate stage
can miss is an entry whose keypoints share too few exact words with the query, or that more than
``candidates`` better-voted entries crowd out (docs/robust-signal.md measures both).

Postings are held in one CSR array (sorted by key) plus a delta of recent additions, merged when
the delta passes a quarter of the main part; removals are tombstones until the next merge.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bouclier.index.hits import EMPTY_HITS, SearchHits
from bouclier.signals import _orb_vote
from bouclier.signals.base import packed_rows
from bouclier.signals.orb import FULL, PACKED_BYTES, QUERY_BYTES, Verification, points, verify

#: 16-bit words of a descriptor posted (the first 64 of its 128 bits): with two, a cropped and
#: captioned half-size re-upload shared too few exact words with its original (12 keys, where
#: the caption's text gave filler pictures 24) and fell out of the candidates; with four it
#: shares about twice as many, in the first dozen candidates (docs/benchmarks-log.md)
FRAGMENTS = 4
KEYS = FRAGMENTS * 65536
MIN_VOTES = 2
#: default number of candidates per query that may fail verification before the search stops
#: (a platform may set another per request)
#: (16 until the fifth session: with 256 keypoints a stored value, 16 cost twice the search of
#: 128, and the true entry was the first candidate for 514 of 516 tuning queries, the sixth
#: for one: docs/benchmarks-log.md, "continued (5)")
CANDIDATES = 8
#: at most this many times CANDIDATES are verified in all (the rest being hits)
EXTEND = 4
#: a candidate that failed verification with at least this many distinctive pairs
#: (:func:`~bouclier.signals.orb.pair`) is a *near miss* (:attr:`OrbSearch.closest`): the
#: query and that entry share much more than unrelated pictures do, but not the frame or the
#: spread a match needs. On the tuning split (docs/benchmarks-log.md, "continued (11)") the best
#: failed candidate of 460 distractors' content regions had at most 16 pairs (917 of 3,000 at
#: a 100k bank: at most 18, none a near miss); a stickered picture whose content region was a
#: part of it, 25-39 with its own original
NEAR_MISS_PAIRS = 20
_MERGE_AT = 65536
#: :func:`_floor` looks at every this-many-th entry's score
_SAMPLE = 16


@dataclass(frozen=True, slots=True)
class OrbSearch:
    """One query's search: its hits, each hit's evidence by label, and the most distinctive
    pairs of a candidate that failed verification (0 when none did, or none had a pair)."""

    hits: SearchHits = field(default_factory=lambda: EMPTY_HITS)
    evidence: dict[int, Verification] = field(default_factory=dict)
    closest: int = 0

    @property
    def near_miss(self) -> bool:
        """Whether nothing matched but a candidate came close (:data:`NEAR_MISS_PAIRS`)."""
        return not len(self.hits) and self.closest >= NEAR_MISS_PAIRS


def keys_of(row: np.ndarray | bytes) -> np.ndarray:
    """The distinct index keys of one packed value (int64, sorted)."""
    descriptors, _ = points(row)
    if not len(descriptors):
        return np.zeros(0, np.int64)
    words = descriptors[:, : 2 * FRAGMENTS].copy().view("<u2").astype(np.int64)
    return np.unique(words + np.arange(FRAGMENTS, dtype=np.int64) * 65536)


def _floor(score: np.ndarray, chosen: np.ndarray, candidates: int) -> float:
    """A score that the best ``candidates`` of the chosen entries all reach: the best
    ``candidates``' last score among every :data:`_SAMPLE`-th entry (a subset's is never higher
    than the whole's), or -inf when the sample holds fewer. Most of a large bank's entries share
    a few keys with any query: below the floor, :meth:`OrbIndex._best` need not gather, nor
    partition, their scores (it did, 1.5 ms at a 100k bank); above it, it makes the same
    choice as from all of them."""
    sample = score[::_SAMPLE][chosen[::_SAMPLE]]
    if candidates <= 0 or len(sample) < candidates:
        return -np.inf
    return float(np.partition(sample, len(sample) - candidates)[len(sample) - candidates])


def _query_rows(queries: np.ndarray) -> np.ndarray:
    """Query rows as a stored value's width, or as a query value's (more keypoints)."""
    shape = np.shape(queries)
    wide = len(shape) == 2 and shape[1] == QUERY_BYTES
    return packed_rows(queries, QUERY_BYTES if wide else PACKED_BYTES, "queries")


class OrbIndex:
    """Packed ORB values under unique int64 labels."""

    def __init__(self, candidates: int = CANDIDATES) -> None:
        self.candidates = candidates
        self._lock = threading.RLock()
        self._rows = np.zeros((0, PACKED_BYTES), np.uint8)
        self._labels = np.zeros(0, np.int64)
        self._alive = np.zeros(0, bool)
        self._count = 0  # slots used
        self._slot: dict[int, int] = {}
        # postings: main CSR part (offsets by key, slots) and the delta since the last merge
        self._offsets = np.zeros(KEYS + 1, np.int64)
        self._postings = np.zeros(0, np.int32)
        self._delta_keys: list[np.ndarray] = []
        self._delta_slots: list[np.ndarray] = []
        self._delta_size = 0
        self._df = np.zeros(KEYS, np.int32)

    def __len__(self) -> int:
        return len(self._slot)

    @property
    def nbytes(self) -> int:
        """Bytes held: the values, their labels and the postings (main part and delta)."""
        with self._lock:
            held = self._rows.nbytes + self._labels.nbytes + self._alive.nbytes
            held += self._offsets.nbytes + self._postings.nbytes + self._df.nbytes
            return held + sum(
                k.nbytes + s.nbytes
                for k, s in zip(self._delta_keys, self._delta_slots, strict=True)
            )

    def __contains__(self, label: object) -> bool:
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
            return False
        return int(label) in self._slot

    def add(self, rows: np.ndarray, labels: np.ndarray) -> None:
        rows = packed_rows(rows, PACKED_BYTES)
        names = [int(x) for x in np.asarray(labels, dtype=np.int64).reshape(-1)]
        if len(names) != len(rows):
            raise ValueError(f"{len(rows)} rows but {len(names)} labels")
        with self._lock:
            seen: set[int] = set()
            for name in names:
                if name in self._slot or name in seen:
                    raise ValueError(f"label {name} is already in the index; nothing was added")
                seen.add(name)
            self._grow(len(names))
            start = self._count
            slots = np.arange(start, start + len(names), dtype=np.int32)
            self._rows[start : start + len(names)] = rows
            self._labels[start : start + len(names)] = names
            self._alive[start : start + len(names)] = True
            self._count += len(names)
            for row, slot in zip(rows, slots.tolist(), strict=True):
                keys = keys_of(row)
                self._delta_keys.append(keys)
                self._delta_slots.append(np.full(len(keys), slot, np.int32))
                self._delta_size += len(keys)
                np.add.at(self._df, keys, 1)
            self._slot.update(zip(names, slots.tolist(), strict=True))
            if self._delta_size > max(_MERGE_AT, len(self._postings) // 4):
                self._merge()

    def _grow(self, extra: int) -> None:
        need = self._count + extra
        if need <= len(self._labels):
            return
        size = max(need, 2 * len(self._labels), 64)
        rows = np.zeros((size, PACKED_BYTES), np.uint8)
        rows[: self._count] = self._rows[: self._count]
        labels = np.zeros(size, np.int64)
        labels[: self._count] = self._labels[: self._count]
        alive = np.zeros(size, bool)
        alive[: self._count] = self._alive[: self._count]
        self._rows, self._labels, self._alive = rows, labels, alive

    def _merge(self) -> None:
        """Folds the delta into the CSR part and drops removed entries' postings."""
        main_keys = np.repeat(np.arange(KEYS, dtype=np.int64), np.diff(self._offsets))
        keys = np.concatenate([main_keys, *self._delta_keys])
        slots = np.concatenate([self._postings, *self._delta_slots])
        live = self._alive[slots]
        keys, slots = keys[live], slots[live]
        order = np.argsort(keys, kind="stable")
        self._postings = slots[order].astype(np.int32)
        self._offsets = np.zeros(KEYS + 1, np.int64)
        np.cumsum(np.bincount(keys, minlength=KEYS), out=self._offsets[1:])
        self._df = np.diff(self._offsets).astype(np.int32)
        self._delta_keys, self._delta_slots, self._delta_size = [], [], 0

    def remove(self, labels: np.ndarray | Sequence[int]) -> int:
        removed = 0
        with self._lock:
            for name in {int(x) for x in np.asarray(labels, dtype=np.int64).reshape(-1)}:
                slot = self._slot.pop(name, None)
                if slot is None:
                    continue
                self._alive[slot] = False
                np.subtract.at(self._df, keys_of(self._rows[slot]), 1)
                removed += 1
        return removed

    def search_many(self, queries: np.ndarray, radius: int) -> list[SearchHits]:
        return [hits for hits, _ in self.search_verified(queries, radius, self.candidates)]

    def search_verified(
        self, queries: np.ndarray, radius: int, candidates: int
    ) -> list[tuple[SearchHits, dict[int, Verification]]]:
        """Like ``search_many``, with at most ``candidates`` verified per query, and each hit's
        :class:`~bouclier.signals.orb.Verification` (the evidence) by label. A query is a
        stored value's width or a query value's (:data:`~bouclier.signals.orb.QUERY_BYTES`)."""
        return [(s.hits, s.evidence) for s in self.search_each(queries, radius, candidates)]

    def search_each(self, queries: np.ndarray, radius: int, candidates: int) -> list[OrbSearch]:
        """Like :meth:`search_verified`, each query's search with its closest failed candidate
        (:attr:`OrbSearch.closest`: the matcher searches the whole frame too after a content
        region's near miss)."""
        queries = _query_rows(queries)
        results = []
        with self._lock:
            for query in queries:
                results.append(self._search(query, radius, max(0, candidates)))
        return results

    def propose(self, query: np.ndarray, candidates: int) -> np.ndarray:
        """The candidate stage alone: the slots of at most ``candidates`` entries that the
        query's keys vote for most (what :meth:`search_verified` then verifies)."""
        query = _query_rows(query.reshape(1, -1))[0]
        with self._lock:
            if not self._slot or candidates <= 0:
                return np.zeros(0, np.int64)
            votes, score = self._vote(query)
            return self._best(candidates, votes, score, FULL - 1)

    def _search(self, query: np.ndarray, radius: int, candidates: int) -> OrbSearch:
        if not self._slot or candidates == 0:
            return OrbSearch()
        if radius >= FULL:
            nothing = np.zeros(self._count)
            return self._verify(query, radius, candidates, nothing, nothing)
        votes, score = self._vote(query)
        return self._verify(query, radius, candidates, votes, score)

    def _vote(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each slot's shared keys with the query, and their rarity-weighted score: one pass of
        the C helper over the keys' postings (``_orb_vote.c``; numpy's gather and two
        ``bincount``s were most of the stage's cost at a 100k bank), then the delta's."""
        keys = keys_of(query)
        weight = np.log1p(len(self._slot) / np.maximum(self._df[keys], 1))
        extra, extra_weight = np.zeros(0, np.int32), np.zeros(0)
        if self._delta_size:
            delta_keys = np.concatenate(self._delta_keys)
            inside = np.isin(delta_keys, keys)
            extra = np.concatenate(self._delta_slots)[inside]
            extra_weight = weight[np.searchsorted(keys, delta_keys[inside])]
        votes, score = np.zeros(self._count, np.int64), np.zeros(self._count)
        _orb_vote.vote(
            self._offsets, self._postings, keys, weight, extra, extra_weight, votes, score
        )
        return votes, score

    def _best(
        self, candidates: int, votes: np.ndarray, score: np.ndarray, radius: int
    ) -> np.ndarray:
        alive = self._alive[: self._count]
        # at radius FULL every value is within reach of every other: all are candidates
        chosen = alive if radius >= FULL else (votes >= MIN_VOTES) & alive
        eligible = np.flatnonzero(chosen & (score >= _floor(score, chosen, candidates)))
        if len(eligible) > candidates > 0:  # only those at or above the best few's last score
            cut = len(eligible) - candidates
            eligible = eligible[score[eligible] >= np.partition(score[eligible], cut)[cut]]
        # best score first; equal scores by slot, so that the choice is deterministic
        order = np.lexsort((eligible, -score[eligible]))
        return eligible[order[:candidates]]

    def _verify(
        self, query: np.ndarray, radius: int, candidates: int, votes: np.ndarray, score: np.ndarray
    ) -> OrbSearch:
        # in vote order; the budget counts candidates that fail, so that a query with many true
        # entries (copies of one picture in several banks) gets them all, up to EXTEND x budget
        eligible = self._best(EXTEND * candidates, votes, score, radius)
        found: dict[int, Verification] = {}
        misses = closest = 0
        for slot in eligible.tolist():
            if misses >= candidates:
                break
            check = verify(query, self._rows[slot])
            if check.distance > radius:
                misses += 1
                closest = max(closest, check.pairs)
            else:
                found[int(self._labels[slot])] = check
        if not found:
            return OrbSearch(closest=closest)
        labels = np.array(list(found), np.int64)
        distances = np.array([v.distance for v in found.values()], np.int32)
        return OrbSearch(SearchHits.sorted(labels, distances), found, closest)

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            slots = np.array(sorted(self._slot.values(), key=lambda s: self._labels[s]), np.int64)
            return self._rows[slots].copy(), self._labels[slots].copy()

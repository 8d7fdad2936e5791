"""Matching an image's PDQ hashes against banks: the 8 orientations, each bank's own threshold.

The matcher holds one :class:`~bouclier.index.HammingIndex` over the entries of the banks it was
built from (labels are entry ids) and searches it once per query at the largest bank threshold,
then keeps each hit whose distance is within its own bank's threshold. An entry found through
several orientations is reported once, at its smallest distance.

A matcher can be kept up to date while it serves: :meth:`BankMatcher.apply` replays changes from
the banks' change log (adds and removes, idempotent, so a change seen twice does no harm) and
:meth:`BankMatcher.set_banks` takes new bank rows (names, kinds, thresholds). Both are safe beside
searches: the index's own updates are, the entry-to-bank map is published as one reference, and a
hit whose bank the matcher does not know (yet, or any more) is left out.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bouclier.banks.snapshot import MatcherSnapshot
from bouclier.banks.store import BankHashes, BankInfo, BankStore, Change
from bouclier.hashing.pdq import ORIENTATIONS, PdqResult, hexes_to_array
from bouclier.index import HammingIndex


@dataclass(frozen=True, slots=True)
class Match:
    bank: str
    bank_kind: str
    entry: int
    distance: int
    orientation: str
    frame: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "bank": self.bank,
            "bank_kind": self.bank_kind,
            "entry": self.entry,
            "distance": self.distance,
            "orientation": self.orientation,
            "frame": self.frame,
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The matches of one image, with its quality: a low-quality hash is flagged, not dropped."""

    quality: int
    low_quality: bool
    matches: tuple[Match, ...]


#: Entries added since the entry-to-bank arrays were built, before they are merged in.
_MAP_DELTA_LIMIT = 65536


@dataclass(frozen=True)
class _EntryBanks:
    """Entry id -> bank id: two sorted arrays (compact at millions of entries) and a dict of the
    entries added since, which :meth:`BankMatcher.apply` fills in place and merges when large."""

    entry_ids: np.ndarray  # int64, sorted
    bank_ids: np.ndarray  # int32
    added: dict[int, int] = field(default_factory=dict)

    def bank_of(self, entry_id: int) -> int | None:
        found = self.added.get(entry_id)
        if found is not None:
            return found
        position = int(np.searchsorted(self.entry_ids, entry_id))
        if position < len(self.entry_ids) and int(self.entry_ids[position]) == entry_id:
            return int(self.bank_ids[position])
        return None

    def banks_of(self, entry_ids: np.ndarray) -> np.ndarray:
        """The bank of each of these entries (int32), which must all be mapped."""
        if len(self.entry_ids):
            positions = np.searchsorted(self.entry_ids, entry_ids)
            found = np.take(self.bank_ids, positions, mode="clip").astype(np.int32)
        else:
            found = np.zeros(len(entry_ids), np.int32)
        if self.added:
            added = np.fromiter(self.added, np.int64, len(self.added))
            at = np.searchsorted(entry_ids, added)
            inside = at < len(entry_ids)
            inside[inside] = entry_ids[at[inside]] == added[inside]
            found[at[inside]] = np.fromiter(self.added.values(), np.int32, len(added))[inside]
        return found


class BankMatcher:
    def __init__(self, hashes: BankHashes, *, min_quality: int = 50) -> None:
        self.banks: dict[int, BankInfo] = dict(hashes.banks)
        self.min_quality = min_quality
        self.index = HammingIndex()
        if len(hashes.entry_ids):
            self.index.add(hashes.hashes, hashes.entry_ids)
        order = np.argsort(hashes.entry_ids, kind="stable")
        self._map = _EntryBanks(hashes.entry_ids[order], hashes.bank_ids[order])
        self._removed: set[int] = set()  # ids removed from the index, still in the map's arrays
        self._updates = threading.Lock()
        self.radius = max((b.threshold for b in self.banks.values()), default=0)

    @classmethod
    def from_store(
        cls, store: BankStore, names: list[str] | None = None, *, min_quality: int = 50
    ) -> BankMatcher:
        return cls(store.hashes(names), min_quality=min_quality)

    @classmethod
    def from_snapshot(
        cls, snapshot: MatcherSnapshot, banks: dict[int, BankInfo], *, min_quality: int = 50
    ) -> BankMatcher:
        """The matcher a snapshot holds, with the current bank rows (thresholds, names); the
        caller then replays the change log from ``snapshot.cursor``."""
        arrays = BankHashes(snapshot.entry_ids, snapshot.bank_ids, snapshot.hashes, banks)
        return cls(arrays, min_quality=min_quality)

    def snapshot_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(entry ids, bank ids, hashes) of every entry held, in entry order: what a snapshot
        stores. The caller keeps :meth:`apply` from running meanwhile, to know which change the
        arrays reflect."""
        with self._updates:
            hashes, entry_ids = self.index.live()
            return entry_ids, self._map.banks_of(entry_ids), hashes

    def __len__(self) -> int:
        return len(self.index)

    def set_banks(self, banks: dict[int, BankInfo]) -> None:
        """Takes the current bank rows (new banks, thresholds); searches see them at once."""
        with self._updates:
            self.radius = max(
                self.radius, max((b.threshold for b in banks.values()), default=0)
            )  # widened first: a search between the two assignments still finds every hit
            self.banks = dict(banks)
            self.radius = max((b.threshold for b in banks.values()), default=0)

    def apply(self, changes: Sequence[Change]) -> None:
        """Replays changes of the change log, in cursor order. Idempotent: an add of an entry
        already held and a remove of one not held are skipped."""
        with self._updates:
            start = 0
            while start < len(changes):
                end = start
                while end < len(changes) and changes[end].op == changes[start].op:
                    end += 1
                run = changes[start:end]
                if run[0].op == "add":
                    self._add(run)
                else:
                    self._remove([c.entry for c in run])
                start = end

    def _add(self, changes: Sequence[Change]) -> None:
        fresh = {c.entry: c for c in changes if c.entry not in self.index}
        if not fresh:
            return
        mapping = self._map
        for entry, change in fresh.items():  # the map first: a search never finds an orphan
            mapping.added[entry] = change.bank_id
            self._removed.discard(entry)
        labels = np.fromiter(fresh, np.int64, len(fresh))
        self.index.add(hexes_to_array([c.pdq for c in fresh.values()]), labels)
        if len(mapping.added) > _MAP_DELTA_LIMIT:
            self._merge_map()

    def _remove(self, entries: list[int]) -> None:
        self.index.remove(entries)  # the index first: a search never finds an orphan
        mapping = self._map
        for entry in entries:
            if mapping.added.pop(entry, None) is None:
                self._removed.add(entry)
        if len(self._removed) > _MAP_DELTA_LIMIT:
            self._merge_map()

    def _merge_map(self) -> None:
        old = self._map
        ids = np.concatenate([old.entry_ids, np.fromiter(old.added, np.int64, len(old.added))])
        banks = np.concatenate(
            [old.bank_ids, np.fromiter(old.added.values(), np.int32, len(old.added))]
        )
        if self._removed:
            keep = ~np.isin(ids, np.fromiter(self._removed, np.int64, len(self._removed)))
            ids, banks = ids[keep], banks[keep]
        order = np.argsort(ids, kind="stable")
        self._map = _EntryBanks(ids[order], banks[order])  # one assignment: atomic
        self._removed = set()

    def match(self, frames: PdqResult | tuple[PdqResult, ...]) -> MatchResult:
        """Matches one image (its frames, each in 8 orientations) against the banks.

        The reported quality is the lowest of the frames' (the first frame's for a still image).
        """
        frames = (frames,) if isinstance(frames, PdqResult) else frames
        best: dict[int, Match] = {}
        for number, frame in enumerate(frames):
            self._collect(frame.as_array(), ORIENTATIONS, number, best)
        quality = min(f.quality for f in frames)
        return MatchResult(quality, quality < self.min_quality, _ranked(best))

    def match_hash(self, value: str) -> tuple[Match, ...]:
        """Matches one PDQ hash as given (its other orientations are unknown)."""
        best: dict[int, Match] = {}
        self._collect(hexes_to_array([value]), ORIENTATIONS[:1], 0, best)
        return _ranked(best)

    def _collect(
        self, queries: np.ndarray, orientations: tuple[str, ...], frame: int, best: dict[int, Match]
    ) -> None:
        if not len(self.index):
            return
        hits = self.index.search_many(queries, self.radius)
        # read after the search: an entry enters the map before the index and leaves it after
        banks, mapping = self.banks, self._map
        for orientation, found in zip(orientations, hits, strict=True):
            for label, dist in zip(found.labels.tolist(), found.distances.tolist(), strict=True):
                bank_id = mapping.bank_of(label)
                bank = banks.get(bank_id) if bank_id is not None else None
                if bank is None:  # a bank just created or deleted: the next update settles it
                    continue
                known = best.get(label)
                if dist <= bank.threshold and (known is None or dist < known.distance):
                    best[label] = Match(bank.name, bank.kind, label, dist, orientation, frame)


def _ranked(best: dict[int, Match]) -> tuple[Match, ...]:
    return tuple(sorted(best.values(), key=lambda m: (m.distance, m.bank, m.entry)))

"""Matching an image's fingerprints against banks: every signal type, each bank's own threshold.

The matcher holds one index per signal type (:mod:`bouclier.signals`: PDQ's
:class:`~bouclier.index.HammingIndex`, a dictionary for SHA-256 and MD5) over the entries of the
banks it was built from (labels are entry ids). An image is looked up by all its fingerprints (PDQ
in its 8 orientations, its file digests); each index is searched once per query at the largest
threshold that applies, and a hit is kept if its distance is within its own bank's threshold (the
type's own for exact types). An entry found through several fingerprints is reported once, at its
smallest distance.

A matcher can be kept up to date while it serves: :meth:`BankMatcher.apply` replays changes from
the banks' change log (adds and removes, idempotent, so a change seen twice does no harm;
updates touch no index) and
:meth:`BankMatcher.set_banks` takes new bank rows (names, kinds, thresholds). Both are safe beside
searches: the index's own updates are, the entry-to-bank map is published as one reference, and a
hit whose bank the matcher does not know (yet, or any more) is left out.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bouclier.banks.hashes import BankHashes, BankInfo, Change, IndexedRows, SignalRows
from bouclier.hashing import ImageHashes, on_demand
from bouclier.hashing.pdq import LOW_QUALITY, PdqResult
from bouclier.hashing.vpdq import FramePair
from bouclier.index import HammingIndex
from bouclier.index.hits import SearchHits
from bouclier.signals import Fingerprint, SignalIndex, SignalType, SignalTypes
from bouclier.signals.orb import OrbSignal, Verification
from bouclier.signals.orb_index import CANDIDATES as ROBUST_CANDIDATES
from bouclier.signals.orb_index import OrbIndex
from bouclier.signals.pdq import PDQ
from bouclier.signals.registry import signal_types as registered
from bouclier.vocabulary import MatchStage

if TYPE_CHECKING:  # the database's modules stay out of a back-scan worker's imports
    from bouclier.banks.snapshot import MatcherSnapshot
    from bouclier.banks.store import BankStore
    from bouclier.media.video import VideoHashes


@dataclass(frozen=True, slots=True)
class Match:
    bank: str
    bank_kind: str
    entry: int
    distance: int
    orientation: str
    frame: int = 0
    signal_type: str = PDQ.name
    #: Whether the entry was reviewed (an operator's, or a case's hash an analyst confirmed). The
    #: index does not know: it is looked up when an answer is made (bouclier.cases.matched), and
    #: until then a match counts as unreviewed, the side on which nothing is blocked on a claim.
    reviewed: bool = False
    #: "direct": a value of the image as it is; "framing": of a content region, at ``region``;
    #: "robust": an on-demand type's geometric match (ORB), with ``inliers`` and ``corners``
    stage: MatchStage = "direct"
    region: tuple[int, int, int, int] | None = None  # [x, y, width, height], displayed pixels
    #: a geometric match's evidence (ORB): keypoints on one homography, and where the image
    #: lies in the bank's (its corners as fractions of the bank image's width and height)
    inliers: int | None = None
    corners: tuple[tuple[float, float], ...] | None = None
    #: a video's match (vPDQ): the shares of the query's and of the banked video's frames found
    query_percent: float | None = None
    target_percent: float | None = None
    #: a video's match (vPDQ): each query frame that matched, with the nearest banked frame
    frames: tuple[FramePair, ...] | None = None

    def to_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "bank": self.bank,
            "bank_kind": self.bank_kind,
            "entry": self.entry,
            "signal_type": self.signal_type,
            "distance": self.distance,
            "orientation": self.orientation,
            "frame": self.frame,
            "reviewed": self.reviewed,
            "stage": self.stage,
            "region": list(self.region) if self.region is not None else None,
        }
        if self.inliers is not None:
            found["inliers"] = self.inliers
            found["corners"] = [list(corner) for corner in self.corners or ()]
        if self.query_percent is not None:
            found["query_percent"] = round(self.query_percent, 2)
            found["target_percent"] = round(self.target_percent or 0.0, 2)
        if self.frames is not None:
            found["frames"] = [pair.to_dict() for pair in self.frames]
        return found


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
    def __init__(
        self,
        hashes: BankHashes,
        *,
        min_quality: int = LOW_QUALITY,
        signal_types: SignalTypes | None = None,
        robust_candidates: int = ROBUST_CANDIDATES,
        built: Mapping[str, tuple[SignalIndex, IndexedRows]] | None = None,
    ) -> None:
        """``built``: indexes ready to search (a snapshot's PDQ), with their entries' banks;
        every other type's index is built from ``hashes``."""
        self.banks: dict[int, BankInfo] = dict(hashes.banks)
        self.min_quality = min_quality
        #: entries an on-demand type (ORB) verifies per image when nothing else matched; 0: never
        self.robust_candidates = robust_candidates
        self.signal_types = signal_types or registered()
        self.indexes: dict[str, SignalIndex] = {}
        ids, owners = [], []
        for name, part in hashes.signals.items():
            if len(part):
                self._index(name).add(part.rows, part.entry_ids)
                ids.append(part.entry_ids)
                owners.append(part.bank_ids)
        for name, (index, held) in (built or {}).items():
            self.indexes[name] = index
            ids.append(held.entry_ids())
            owners.append(held.bank_ids)
        self._map = _entry_banks(ids, owners)
        self._removed: set[int] = set()  # ids removed from an index, still in the map's arrays
        self._updates = threading.Lock()
        self.radius = max((b.threshold for b in self.banks.values()), default=0)

    def _index(self, signal_type: str) -> SignalIndex:
        index = self.indexes.get(signal_type)
        if index is None:
            index = self.signal_types.get(signal_type).new_index()
            self.indexes = {**self.indexes, signal_type: index}  # one assignment: atomic
        return index

    @property
    def index(self) -> SignalIndex:
        """The PDQ index (benchmarks and tests look at it)."""
        return self._index(PDQ.name)

    @classmethod
    def from_store(
        cls, store: BankStore, names: list[str] | None = None, *, min_quality: int = LOW_QUALITY
    ) -> BankMatcher:
        return cls(store.hashes(names), min_quality=min_quality, signal_types=store.signal_types)

    @classmethod
    def from_snapshot(
        cls,
        snapshot: MatcherSnapshot,
        banks: dict[int, BankInfo],
        *,
        min_quality: int = LOW_QUALITY,
        signal_types: SignalTypes | None = None,
    ) -> BankMatcher:
        """The matcher a snapshot holds, with the current bank rows (thresholds, names); the
        caller then replays the change log from ``snapshot.cursor``. A type held as its index
        (PDQ) is searched where the file lies: no table is built."""
        arrays = BankHashes(dict(snapshot.signals), banks)
        built: dict[str, tuple[SignalIndex, IndexedRows]] = {
            name: (HammingIndex.from_stored(held.segment), held)
            for name, held in snapshot.indexed.items()
        }
        return cls(arrays, min_quality=min_quality, signal_types=signal_types, built=built)

    def snapshot_parts(self) -> tuple[dict[str, SignalRows], dict[str, IndexedRows]]:
        """Every entry held, by signal type: what a snapshot stores. PDQ's index as it stands
        (its tables are written as they are, nothing is rebuilt), the other types as rows in
        entry order. The caller keeps :meth:`apply` from running meanwhile, to know which change
        the parts reflect."""
        with self._updates:
            parts, indexed = {}, {}
            for name, index in self.indexes.items():
                if isinstance(index, HammingIndex):
                    segment = index.stored()
                    held = IndexedRows(segment, np.zeros(0, np.int32))
                    entry_ids = held.entry_ids()
                    indexed[name] = IndexedRows(segment, self._map.banks_of(entry_ids))
                    continue
                rows, entry_ids = index.live()
                parts[name] = SignalRows(entry_ids, self._map.banks_of(entry_ids), rows)
            return parts, indexed

    def __len__(self) -> int:
        return sum(len(index) for index in self.indexes.values())

    def __contains__(self, entry: object) -> bool:
        return any(entry in index for index in self.indexes.values())

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
        already held and a remove of one not held are skipped. An add of a signal type this
        Bouclier does not know is skipped too (its entries are not indexed). An update changes
        no hash and no bank (only the entry's standing, looked up when an answer is made:
        :mod:`bouclier.cases.matched`), so the indexes have nothing to do for it."""
        with self._updates:
            start = 0
            while start < len(changes):
                end = start
                while end < len(changes) and changes[end].op == changes[start].op:
                    end += 1
                run = changes[start:end]
                if run[0].op == "add":
                    self._add([c for c in run if c.signal_type in self.signal_types])
                elif run[0].op == "remove":
                    self._remove([c.entry for c in run])
                start = end

    def _add(self, changes: Sequence[Change]) -> None:
        fresh = {c.entry: c for c in changes if c.entry not in self}
        if not fresh:
            return
        mapping = self._map
        for entry, change in fresh.items():  # the map first: a search never finds an orphan
            mapping.added[entry] = change.bank_id
            self._removed.discard(entry)
        by_type: dict[str, list[Change]] = {}
        for change in fresh.values():
            by_type.setdefault(change.signal_type, []).append(change)
        for name, group in by_type.items():
            labels = np.fromiter((c.entry for c in group), np.int64, len(group))
            kind = self.signal_types.get(name)
            self._index(name).add(kind.pack([c.value for c in group]), labels)
        if len(mapping.added) > _MAP_DELTA_LIMIT:
            self._merge_map()

    def _remove(self, entries: list[int]) -> None:
        for index in self.indexes.values():  # the indexes first: a search never finds an orphan
            index.remove(entries)
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
        """Matches one image's PDQ hashes (its frames, each in 8 orientations) against the banks.

        The reported quality is the lowest of the frames' (the first frame's for a still image).
        """
        frames = (frames,) if isinstance(frames, PdqResult) else frames
        fingerprints = tuple(
            fingerprint
            for number, frame in enumerate(frames)
            for fingerprint in PDQ.fingerprint_frame(frame, number)
        )
        quality = min(f.quality for f in frames)
        return MatchResult(
            quality, quality < self.min_quality, self.match_fingerprints(fingerprints)
        )

    def match_image(self, hashes: ImageHashes, *, candidates: int | None = None) -> MatchResult:
        """Matches every fingerprint of an image (PDQ in 8 orientations per frame, its SHA-256
        and MD5, any other registered type's, the PDQ of content regions the framing stage
        found) against the banks. An entry found both directly and through a region is
        reported once, at the smaller distance (directly on a tie).

        When they find nothing, the on-demand types (ORB) are computed and searched, verifying
        at most ``candidates`` entries each (``robust_candidates`` unless given; 0 skips them):
        the common case pays nothing for them."""
        quality = min(f.quality for f in hashes.frames)
        found = self.match_fingerprints(hashes.fingerprints + hashes.framed)
        budget = self.robust_candidates if candidates is None else candidates
        if not found and budget > 0:
            found = self.match_robust(hashes, budget)
        return MatchResult(quality, quality < self.min_quality, found)

    def match_robust(self, hashes: ImageHashes, candidates: int) -> tuple[Match, ...]:
        """The on-demand types' matches alone (what :meth:`match_image` runs when nothing else
        matched), verifying at most ``candidates`` entries each. ORB searches with its query
        value (more keypoints than a stored one) when the image is at hand."""
        best: dict[int, Match] = {}
        for kind in self.signal_types:
            index = self.indexes.get(kind.name)
            if not on_demand(kind) or index is None or not len(index):
                continue
            if isinstance(kind, OrbSignal) and isinstance(index, OrbIndex):
                self._match_orb(kind, index, hashes, candidates, best)
                continue
            queries = hashes.fingerprints_of(kind)
            if not queries:
                continue
            rows = kind.pack([q.value for q in queries])
            for query, hits in zip(
                queries, index.search_many(rows, kind.default_threshold), strict=True
            ):
                self._keep_best(kind, query, hits, best, stage="robust")
        return _ranked(best)

    def _match_orb(
        self,
        kind: OrbSignal,
        index: OrbIndex,
        hashes: ImageHashes,
        candidates: int,
        best: dict[int, Match],
    ) -> None:
        """ORB's search: with the image at hand, its query value (the content region's, or the
        whole frame's, :meth:`OrbSignal.query_fingerprints`); when the region's finds nothing,
        the whole frame's too, computed only then (a second extraction and search:
        docs/robust-signal.md), on a budget above the default (:data:`ROBUST_CANDIDATES`) or
        after a *near miss* (:attr:`OrbSearch.near_miss`: a candidate with many distinctive
        pairs failed, as the original does when the region is a part of the picture; rare on
        unrelated uploads, so the common case pays nothing). Without the image, the stored
        values it was given."""
        queries: Iterable[Fingerprint] = (
            kind.query_fingerprints(hashes.media)
            if hashes.media is not None
            else hashes.fingerprints_of(kind)
        )
        for query in queries:
            rows = kind.pack_queries([query.value])
            [search] = index.search_each(rows, kind.default_threshold, candidates)
            hits = search.hits
            self._keep_best(kind, query, hits, best, evidence=search.evidence, stage="robust")
            if len(hits) or (candidates <= ROBUST_CANDIDATES and not search.near_miss):
                return

    def match_hash(self, value: str, signal_type: str = PDQ.name) -> tuple[Match, ...]:
        """Matches one value as given (a PDQ hash in its one known orientation); InvalidHash if it
        is not one, even when no bank holds its type."""
        kind = self.signal_types.get(signal_type)
        return self.match_fingerprints((Fingerprint(kind.name, kind.validate(value)),))

    def match_video(
        self, video: VideoHashes, *, query_percent: float, target_percent: float
    ) -> tuple[Match, ...]:
        """A video's matches: its file digests exactly, and its vPDQ by vPDQ's rule (the shares
        of the query's frames and of the banked video's, each at least its threshold)."""
        from bouclier.signals.vpdq import VPDQ, VpdqIndex, match_video

        best = {
            m.entry: m
            for m in self.match_fingerprints(
                (Fingerprint("sha256", video.sha256), Fingerprint("md5", video.md5))
            )
        }
        index = self.indexes.get(VPDQ.name)
        if isinstance(index, VpdqIndex) and len(index):
            value = VPDQ.from_features(video.features)
            found = match_video(
                index, value, query_percent=query_percent, target_percent=target_percent
            )
            banks, mapping = self.banks, self._map
            for hit in found:
                bank_id = mapping.bank_of(hit.label)
                bank = banks.get(bank_id) if bank_id is not None else None
                if bank is None or hit.label in best:
                    continue
                shares = hit.comparison
                best[hit.label] = Match(
                    bank.name,
                    bank.kind,
                    hit.label,
                    100 - math.floor(min(shares.query_percent, shares.target_percent)),
                    "original",
                    signal_type=VPDQ.name,
                    query_percent=shares.query_percent,
                    target_percent=shares.target_percent,
                    frames=hit.frames,
                )
        return _ranked(best)

    def match_fingerprints(self, fingerprints: Sequence[Fingerprint]) -> tuple[Match, ...]:
        """The banks' entries within threshold of any of these fingerprints, best first."""
        best: dict[int, Match] = {}
        by_type: dict[str, list[Fingerprint]] = {}
        for fingerprint in fingerprints:
            by_type.setdefault(fingerprint.signal_type, []).append(fingerprint)
        indexes = self.indexes
        for name, group in by_type.items():
            index = indexes.get(name)
            if index is None or not len(index):
                continue
            kind = self.signal_types.get(name)
            hits = index.search_many(kind.pack([q.value for q in group]), self._radius(kind))
            for query, found in zip(group, hits, strict=True):
                if len(found):
                    self._keep_best(kind, query, found, best)
        return _ranked(best)

    def match_packed(self, signal_type: str, rows: np.ndarray) -> list[tuple[Match, ...]]:
        """The matches of each packed value of one type on its own (a back-scan's rows, each in
        its one known orientation), in order: one search call for all of them. Most rows match
        nothing: a row's :class:`Fingerprint` is only made when it has hits."""
        kind = self.signal_types.get(signal_type)
        index = self.indexes.get(kind.name)
        if index is None or not len(index) or not len(rows):
            return [()] * len(rows)
        answers: list[tuple[Match, ...]] = []
        for at, found in enumerate(index.search_many(rows, self._radius(kind))):
            if not len(found):
                answers.append(())
                continue
            best: dict[int, Match] = {}
            self._keep_best(
                kind, Fingerprint(kind.name, kind.unpack(rows[at : at + 1])[0]), found, best
            )
            answers.append(_ranked(best))
        return answers

    def _radius(self, kind: SignalType) -> int:
        """The radius an index of this type is searched with: the largest bank threshold, or the
        type's own where banks set none."""
        return self.radius if kind.bank_threshold else kind.default_threshold

    def _keep_best(
        self,
        kind: SignalType,
        query: Fingerprint,
        hits: SearchHits,
        best: dict[int, Match],
        *,
        evidence: Mapping[int, Verification] | None = None,
        stage: MatchStage | None = None,
    ) -> None:
        """Keeps in ``best`` each hit whose bank is known and whose distance is within that
        bank's threshold (the type's own where banks set none), at its smallest distance: the
        one hit -> bank -> Match step of every search. ``evidence``: a geometric stage's
        verification by label (inliers, corners); ``stage`` overrides the query's own."""
        # read after the search: an entry enters the map before the index and leaves it after
        banks, mapping = self.banks, self._map
        for label, dist in zip(hits.labels.tolist(), hits.distances.tolist(), strict=True):
            bank_id = mapping.bank_of(label)
            bank = banks.get(bank_id) if bank_id is not None else None
            if bank is None:  # a bank just created or deleted: the next update settles it
                continue
            threshold = bank.threshold if kind.bank_threshold else kind.default_threshold
            known = best.get(label)
            if dist > threshold or (known is not None and known.distance <= dist):
                continue
            check = evidence.get(label) if evidence is not None else None
            best[label] = Match(
                bank.name,
                bank.kind,
                label,
                dist,
                query.orientation,
                query.frame,
                kind.name,
                stage=stage or query.stage,
                region=None if stage else query.region,
                inliers=check.inliers if check else None,
                corners=check.region if check else None,
            )


def _entry_banks(ids: list[np.ndarray], owners: list[np.ndarray]) -> _EntryBanks:
    """The entry-to-bank map of these parts (entry ids, their banks), sorted only if they are
    not in order already (one type's ids are: a restart at millions of entries sorts nothing)."""
    if len(ids) == 1:
        entry_ids, bank_ids = ids[0].astype(np.int64, copy=False), owners[0]
    else:
        entry_ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        bank_ids = np.concatenate(owners) if owners else np.zeros(0, np.int32)
    if len(entry_ids) > 1 and not bool(np.all(entry_ids[1:] > entry_ids[:-1])):
        order = np.argsort(entry_ids, kind="stable")
        entry_ids, bank_ids = entry_ids[order], bank_ids[order]
    return _EntryBanks(entry_ids, bank_ids.astype(np.int32, copy=False))


def _ranked(best: dict[int, Match]) -> tuple[Match, ...]:
    return tuple(sorted(best.values(), key=lambda m: (m.distance, m.bank, m.entry)))

"""Matching an image's PDQ hashes against banks: the 8 orientations, each bank's own threshold.

The matcher holds one :class:`~bouclier.index.HammingIndex` over the entries of the banks it was
built from (labels are entry ids) and searches it once per query at the largest bank threshold,
then keeps each hit whose distance is within its own bank's threshold. An entry found through
several orientations is reported once, at its smallest distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bouclier.banks.store import BankHashes, BankInfo, BankStore
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


class BankMatcher:
    def __init__(self, hashes: BankHashes, *, min_quality: int = 50) -> None:
        self.banks: dict[int, BankInfo] = dict(hashes.banks)
        self.min_quality = min_quality
        self.index = HammingIndex()
        if len(hashes.entry_ids):
            self.index.add(hashes.hashes, hashes.entry_ids)
        # entry id -> bank id, kept as two sorted arrays (compact at millions of entries)
        order = np.argsort(hashes.entry_ids, kind="stable")
        self._entry_ids = hashes.entry_ids[order]
        self._entry_banks = hashes.bank_ids[order]
        self.radius = max((b.threshold for b in self.banks.values()), default=0)

    @classmethod
    def from_store(
        cls, store: BankStore, names: list[str] | None = None, *, min_quality: int = 50
    ) -> BankMatcher:
        return cls(store.hashes(names), min_quality=min_quality)

    def __len__(self) -> int:
        return len(self.index)

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
        for orientation, found in zip(orientations, hits, strict=True):
            for label, dist in zip(found.labels.tolist(), found.distances.tolist(), strict=True):
                bank = self._bank_of(label)
                known = best.get(label)
                if dist <= bank.threshold and (known is None or dist < known.distance):
                    best[label] = Match(bank.name, bank.kind, label, dist, orientation, frame)

    def _bank_of(self, entry_id: int) -> BankInfo:
        position = int(np.searchsorted(self._entry_ids, entry_id))
        return self.banks[int(self._entry_banks[position])]


def _ranked(best: dict[int, Match]) -> tuple[Match, ...]:
    return tuple(sorted(best.values(), key=lambda m: (m.distance, m.bank, m.entry)))

"""vPDQ as a signal type: a video's frame hashes, matched by vPDQ's percentages.

Value: :data:`PACKED_BYTES` bytes as hex: a little-endian uint16 count, then per frame (up to
:data:`MAX_FRAMES`) its PDQ (32 bytes), quality (1 byte), frame number (uint32) and time in
milliseconds (uint32); unused slots are zero. :meth:`VpdqSignal.validate` also takes the
reference's lines (``frame,quality,pdq,timestamp``) and python-threatexchange's JSON list and
returns the packed hex, so a hash list from HMA or ThreatExchange imports as it is;
:func:`features_of` gives the features back (``bouclier hash --format vpdq`` writes them in the
reference's format). A video with more than :data:`MAX_FRAMES` hashed frames keeps the first of
each run of identical hashes, then frames evenly spread over it.

Distance: 0 for the same value, else ``100 - min(query %, target %)`` (rounded down) of
:func:`bouclier.hashing.vpdq.compare`, the target's share counted in seconds (``by_seconds``:
banked videos are hashed more densely than queries), the lesser share of either side matched.
The default threshold (20) asks both sides for 80 %. Matching an uploaded video uses
vPDQ's own rule instead (:func:`match_video`): the query's share and the target's share, each
with its own threshold (``BOUCLIER_VPDQ_QUERY_MATCH_PERCENT``, ``..._TARGET_MATCH_PERCENT``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bouclier.errors import InvalidHash
from bouclier.hashing import vpdq
from bouclier.hashing.vpdq import FramePair, VpdqComparison, VpdqFeature
from bouclier.index.hits import EMPTY_HITS, SearchHits
from bouclier.signals.base import (
    Fingerprint,
    HexSignalType,
    MediaInput,
    SignalIndex,
    packed_rows,
)

NAME = "vpdq"
MAX_FRAMES = 512
_FRAME = np.dtype([("pdq", np.uint8, (32,)), ("quality", "u1"), ("frame", "<u4"), ("ms", "<u4")])
PACKED_BYTES = 2 + MAX_FRAMES * _FRAME.itemsize
#: 100 - this: the share of frames both sides must have matched (default threshold)
DEFAULT_THRESHOLD = 20
MAX_THRESHOLD = 100


def _reduce(features: Sequence[VpdqFeature]) -> list[VpdqFeature]:
    if len(features) <= MAX_FRAMES:
        return list(features)
    kept = [f for i, f in enumerate(features) if i == 0 or f.pdq != features[i - 1].pdq]
    if len(kept) <= MAX_FRAMES:
        return kept
    picks = np.linspace(0, len(kept) - 1, MAX_FRAMES).round().astype(int)
    return [kept[int(i)] for i in picks]


def pack_features(features: Sequence[VpdqFeature]) -> bytes:
    """The packed value of a video's features (reduced to :data:`MAX_FRAMES`)."""
    chosen = _reduce(features)
    table = np.zeros(MAX_FRAMES, _FRAME)
    for slot, feature in zip(table, chosen, strict=False):
        slot["pdq"] = np.frombuffer(bytes.fromhex(feature.pdq), np.uint8)
        slot["quality"] = feature.quality
        slot["frame"] = min(feature.frame, 2**32 - 1)
        slot["ms"] = min(round(feature.timestamp * 1000), 2**32 - 1)
    return np.array([len(chosen)], "<u2").tobytes() + table.tobytes()


def _table(row: np.ndarray | bytes) -> np.ndarray:
    raw = np.frombuffer(bytes(row), np.uint8)
    count = min(MAX_FRAMES, int(raw[:2].view("<u2")[0]))
    return raw[2:].view(_FRAME)[:count]


def features_of(value: str | np.ndarray | bytes) -> list[VpdqFeature]:
    """The features of a value (a packed row, or any form :meth:`VpdqSignal.validate` takes)."""
    row = bytes.fromhex(VPDQ.validate(value)) if isinstance(value, str) else value
    return [
        VpdqFeature(
            int(s["frame"]), min(100, int(s["quality"])), bytes(s["pdq"]).hex(), s["ms"] / 1000
        )
        for s in _table(row)
    ]


def usable_frames(
    row: np.ndarray | bytes, quality: int = vpdq.QUALITY_THRESHOLD
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct frame hashes of quality >= ``quality`` of a packed value, (n, 32) uint8, and
    the second of each one's first frame (:func:`bouclier.hashing.vpdq.first_slots`)."""
    table = _table(row)
    kept = table[table["quality"] >= quality]
    rows = np.ascontiguousarray(kept["pdq"])
    if not len(rows):
        return rows.reshape(0, 32), np.zeros(0, np.int64)
    _, first = np.unique(rows, axis=0, return_index=True)
    first = np.sort(first)
    slots = kept["ms"][first].astype(np.int64) // round(vpdq.SLOT_SECONDS * 1000)
    return rows[first], slots


def usable_rows(row: np.ndarray | bytes, quality: int = vpdq.QUALITY_THRESHOLD) -> np.ndarray:
    """The distinct frame hashes of quality >= ``quality`` of a packed value, (n, 32) uint8."""
    return usable_frames(row, quality)[0]


def compare_packed(query: np.ndarray | bytes, target: np.ndarray | bytes) -> VpdqComparison:
    """vPDQ's comparison of two packed values (quality 50, PDQ distance 31), the target's share
    counted in seconds (:func:`bouclier.hashing.vpdq.compare` ``by_seconds``)."""
    rows, slots = usable_frames(target)
    return vpdq.compare_rows(usable_rows(query), rows, vpdq.DISTANCE_THRESHOLD, slots)


def _distance(a: bytes, b: bytes) -> int:
    if a == b:
        return 0
    shares = compare_packed(a, b)
    return MAX_THRESHOLD - math.floor(min(shares.query_percent, shares.target_percent))


@dataclass(frozen=True)
class VpdqSignal(HexSignalType):
    name: str = NAME
    label: str = "vPDQ"
    packed_bytes: int = PACKED_BYTES
    description: str = (
        "vPDQ video hash (ThreatExchange's format): PDQ of one frame a second, matched by the "
        "share of frames found."
    )
    default_threshold: int = DEFAULT_THRESHOLD
    max_threshold: int = MAX_THRESHOLD
    bank_threshold: bool = False
    #: images are not given a vPDQ value (``hash_bytes`` leaves it out); videos are
    video_only: bool = True

    def validate(self, value: str) -> str:
        if isinstance(value, str) and "," in value[:2_000]:
            return pack_features(vpdq.parse_any(value)).hex()
        return super().validate(value)

    def distance(self, a: str, b: str) -> int:
        rows = self.pack([a, b])
        return _distance(bytes(rows[0]), bytes(rows[1]))

    def fingerprint(self, media: MediaInput) -> tuple[Fingerprint, ...]:
        """An image as a video of its frames (an animation's), so that a still taken from a
        banked video is compared with it too."""
        features = [
            VpdqFeature(number, frame.quality, frame.pdq, 0.0)
            for number, frame in enumerate(media.pdq)
        ]
        quality = max(f.quality for f in features)
        return (Fingerprint(self.name, pack_features(features).hex(), quality),)

    def from_features(self, features: Sequence[VpdqFeature]) -> str:
        if not features:
            raise InvalidHash("a vPDQ hash has at least one frame; this one has none")
        return pack_features(features).hex()

    def new_index(self) -> SignalIndex:
        return VpdqIndex()


VPDQ = VpdqSignal()


class VpdqIndex:
    """Videos under unique labels. A search proposes the videos that share a usable frame with
    the query (PDQ distance <= 31, numpy over all frames) or are equal to it, and keeps those
    whose :func:`_distance` is within the radius."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[int, bytes] = {}
        self._frames = np.zeros((0, 32), np.uint8)
        self._owners = np.zeros(0, np.int64)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, label: object) -> bool:
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
            return False
        return int(label) in self._rows

    def _rebuild(self, rows: dict[int, bytes]) -> None:
        frames = [usable_rows(row) for row in rows.values()]
        owners = [np.full(len(f), label, np.int64) for label, f in zip(rows, frames, strict=True)]
        self._frames = np.concatenate(frames) if frames else np.zeros((0, 32), np.uint8)
        self._owners = np.concatenate(owners) if owners else np.zeros(0, np.int64)
        self._rows = rows

    def add(self, rows: np.ndarray, labels: np.ndarray) -> None:
        rows = packed_rows(rows, PACKED_BYTES)
        names = [int(x) for x in np.asarray(labels, dtype=np.int64).reshape(-1)]
        if len(names) != len(rows):
            raise ValueError(f"{len(rows)} rows but {len(names)} labels")
        with self._lock:
            seen: set[int] = set()
            for name in names:
                if name in self._rows or name in seen:
                    raise ValueError(f"label {name} is already in the index; nothing was added")
                seen.add(name)
            updated = dict(self._rows)
            updated.update(zip(names, (bytes(r) for r in rows), strict=True))
            self._rebuild(dict(sorted(updated.items())))

    def remove(self, labels: np.ndarray | Sequence[int]) -> int:
        names = {int(x) for x in np.asarray(labels, dtype=np.int64).reshape(-1)}
        with self._lock:
            kept = {k: v for k, v in self._rows.items() if k not in names}
            removed = len(self._rows) - len(kept)
            if removed:
                self._rebuild(kept)
            return removed

    def candidates(self, row: bytes) -> list[int]:
        """Labels of the videos sharing a usable frame with ``row``, or equal to it."""
        rows, frames, owners = self._rows, self._frames, self._owners
        found = {label for label, held in rows.items() if held == row}
        query = usable_rows(row)
        for start in range(0, len(query), 64):
            block = query[start : start + 64]
            if not len(frames):
                break
            bits = np.bitwise_count(block[:, None, :] ^ frames[None, :, :]).sum(axis=2)
            near = (bits <= vpdq.DISTANCE_THRESHOLD).any(axis=0)
            found.update(int(x) for x in np.unique(owners[near]))
        return sorted(found)

    def row(self, label: int) -> bytes:
        return self._rows[label]

    def search_many(self, queries: np.ndarray, radius: int) -> list[SearchHits]:
        results = []
        for query in packed_rows(queries, PACKED_BYTES, "queries"):
            row = bytes(query)
            labels = list(self._rows) if radius >= MAX_THRESHOLD else self.candidates(row)
            scored = [(label, _distance(row, self._rows[label])) for label in labels]
            near = [(label, d) for label, d in scored if d <= radius]
            if not near:
                results.append(EMPTY_HITS)
                continue
            results.append(
                SearchHits.sorted(
                    np.array([x for x, _ in near], np.int64),
                    np.array([d for _, d in near], np.int32),
                )
            )
        return results

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        labels = np.array(sorted(self._rows), np.int64)
        raw = np.frombuffer(b"".join(self._rows[int(x)] for x in labels), np.uint8)
        return raw.reshape(len(labels), PACKED_BYTES).copy(), labels


@dataclass(frozen=True, slots=True)
class VideoMatch:
    """A banked video matched by vPDQ's rule, with both shares and which frames matched."""

    label: int
    comparison: VpdqComparison
    frames: tuple[FramePair, ...] = ()


def match_video(
    index: VpdqIndex, value: str, *, query_percent: float, target_percent: float
) -> list[VideoMatch]:
    """The videos of ``index`` that ``value`` matches by vPDQ's rule, best first, each with the
    query's frames that matched and the banked frame nearest to each (:func:`frame_pairs`)."""
    row = bytes.fromhex(VPDQ.validate(value))
    found = []
    for label in index.candidates(row):
        target = index.row(label)
        shares = compare_packed(row, target)
        if shares.matches(query_percent, target_percent):
            pairs = vpdq.frame_pairs(features_of(row), features_of(target))
            found.append(VideoMatch(label, shares, pairs))
    found.sort(key=lambda m: (-m.comparison.query_percent, -m.comparison.target_percent, m.label))
    return found

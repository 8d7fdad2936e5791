"""vPDQ, Meta's video fingerprint: the PDQ hashes of a video's frames, and its matching rule.

A video's vPDQ hash is a list of features, one per hashed frame: the frame's number (0-based,
in decoding order), its PDQ quality (0-100), its PDQ hash (64 hex) and its time in seconds. By
default one frame per second is hashed: every ``int(fps)``-th frame, as the reference's
``secondsPerHash`` does. ThreatExchange's reference writes a feature as the line
``frame,quality,pdq,timestamp`` (timestamp with 3 decimals, ``vpdq/sample-hashes``);
python-threatexchange exchanges a JSON list of ``"pdq,quality,timestamp"`` strings. Both are read
and written here (:func:`parse_reference`, :func:`format_reference`, :func:`parse_threatexchange`,
:func:`format_threatexchange`).

Two videos are compared as unordered bags of frame hashes (:func:`compare`, the reference's
``match_VPDQ_hash_brute``): frames under the quality threshold are left out, repeated hashes
counted once, and each side's percentage of frames with a match in the other (PDQ distance at most
31) is computed. A query matches a target when the query's percentage reaches ``query_percent``
and the target's reaches ``target_percent``; both are settings.

Banked videos may be hashed more densely than queries (every 0.1 s by default,
``BOUCLIER_VPDQ_BANK_SECONDS_PER_HASH``), so that a query whose seconds fall between the banked
video's (a trim, a speed change) still finds a frame a fraction of a second from each of its own.
Counted in frames, a 1 fps query could then match at most about a tenth of such a target, so
the target's share is counted in seconds instead (``by_seconds``, what matching in the banks
does): each distinct usable hash belongs to the second of its first frame, and a second counts as
matched when any hash of it is. At one frame a second, that is the reference's frame count
(except when one hash comes back in a later second, counted once either way).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bouclier.errors import InvalidHash
from bouclier.hashing import pdq

#: frames under this PDQ quality are not compared (the reference's default)
QUALITY_THRESHOLD = 50
#: two frames match at this PDQ distance or under (python-threatexchange's rule)
DISTANCE_THRESHOLD = pdq.DEFAULT_THRESHOLD
#: python-threatexchange's defaults: 80 % of the query's frames found, any share of the target's
QUERY_MATCH_PERCENT = 80.0
TARGET_MATCH_PERCENT = 0.0
#: a query is hashed once a second; a banked video may be hashed more densely, and its share
#: matched is then counted in seconds, so that it means what it means at one frame a second
SLOT_SECONDS = 1.0
#: most features a line-based document may hold (a day of video at 1 fps is 86,400)
MAX_FEATURES = 100_000


@dataclass(frozen=True, slots=True)
class VpdqFeature:
    """One hashed frame."""

    frame: int
    quality: int
    pdq: str
    timestamp: float

    def __post_init__(self) -> None:
        if self.frame < 0 or not 0 <= self.quality <= 100 or not self.timestamp >= 0:
            raise InvalidHash("a vPDQ frame needs frame >= 0, quality 0-100 and timestamp >= 0")

    def line(self) -> str:
        """The reference's line: ``frame,quality,pdq,timestamp``."""
        return f"{self.frame},{self.quality},{self.pdq},{self.timestamp:.3f}"


@dataclass(frozen=True, slots=True)
class VpdqComparison:
    """How much of each video found a match in the other, in percent of its usable frames."""

    query_percent: float
    target_percent: float

    def matches(
        self,
        query_percent: float = QUERY_MATCH_PERCENT,
        target_percent: float = TARGET_MATCH_PERCENT,
    ) -> bool:
        usable = self.query_percent > 0 or self.target_percent > 0
        return (
            usable and self.query_percent >= query_percent and self.target_percent >= target_percent
        )


def _parse_int(text: str, what: str, where: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidHash(f"{where}: the {what} is not a whole number") from None


def _parse_time(text: str, where: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise InvalidHash(f"{where}: the timestamp is not a number") from None
    if not np.isfinite(value) or value < 0:
        raise InvalidHash(f"{where}: the timestamp must be a finite number >= 0")
    return value


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise InvalidHash("a vPDQ hash has at least one frame; this one has none")
    if len(lines) > MAX_FEATURES:
        raise InvalidHash(f"a vPDQ hash may have at most {MAX_FEATURES} frames")
    return lines


def parse_reference(text: str) -> list[VpdqFeature]:
    """Features from the reference's text: one ``frame,quality,pdq,timestamp`` line per frame."""
    features = []
    for number, line in enumerate(_lines(text), start=1):
        where = f"vPDQ line {number}"
        parts = line.split(",")
        if len(parts) != 4:
            raise InvalidHash(
                f"{where}: expected frame,quality,pdq,timestamp ({len(parts)} fields)"
            )
        try:
            hex_value = pdq.validate(parts[2])
        except InvalidHash as error:
            raise InvalidHash(f"{where}: {error.message}") from None
        frame = _parse_int(parts[0], "frame number", where)
        quality = _parse_int(parts[1], "quality", where)
        features.append(_feature(frame, quality, hex_value, _parse_time(parts[3], where), where))
    return features


def _feature(frame: int, quality: int, hex_value: str, time: float, where: str) -> VpdqFeature:
    try:
        return VpdqFeature(frame, quality, hex_value, time)
    except InvalidHash as error:
        raise InvalidHash(f"{where}: {error.message}") from None


def format_reference(features: Iterable[VpdqFeature]) -> str:
    """The reference's text (a line per frame, each ending in a newline)."""
    return "".join(f"{f.line()}\n" for f in features)


def parse_threatexchange(text: str) -> list[VpdqFeature]:
    """Features from python-threatexchange's JSON list of ``"pdq,quality,timestamp"``; frame
    numbers are the positions in the list (threatexchange does not keep them)."""
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidHash("a threatexchange vPDQ hash is a JSON list of strings") from None
    if not isinstance(items, list) or not all(isinstance(s, str) for s in items) or not items:
        raise InvalidHash("a threatexchange vPDQ hash is a non-empty JSON list of strings")
    if len(items) > MAX_FEATURES:
        raise InvalidHash(f"a vPDQ hash may have at most {MAX_FEATURES} frames")
    features = []
    for number, item in enumerate(items):
        where = f"vPDQ item {number}"
        parts = item.split(",")
        if len(parts) != 3:
            raise InvalidHash(f"{where}: expected pdq,quality,timestamp")
        try:
            hex_value = pdq.validate(parts[0])
        except InvalidHash as error:
            raise InvalidHash(f"{where}: {error.message}") from None
        quality = _parse_int(parts[1], "quality", where)
        features.append(_feature(number, quality, hex_value, _parse_time(parts[2], where), where))
    return features


def format_threatexchange(features: Iterable[VpdqFeature]) -> str:
    """python-threatexchange's JSON form (``VpdqCompactFeature`` strings)."""
    return json.dumps([f"{f.pdq},{f.quality},{f.timestamp:.3f}" for f in features])


def parse_any(text: str) -> list[VpdqFeature]:
    """Either form: a JSON list (threatexchange) or reference lines."""
    return parse_threatexchange(text) if text.lstrip().startswith("[") else parse_reference(text)


def usable(features: Iterable[VpdqFeature], quality: int = QUALITY_THRESHOLD) -> np.ndarray:
    """The distinct hashes of the frames of at least ``quality``, as (n, 32) uint8 rows."""
    kept = list(dict.fromkeys(f.pdq for f in features if f.quality >= quality))
    if not kept:
        return np.zeros((0, pdq.HASH_BYTES), np.uint8)
    return pdq.hexes_to_array(kept)


def first_slots(features: Iterable[VpdqFeature], quality: int = QUALITY_THRESHOLD) -> np.ndarray:
    """The second (``int(timestamp / SLOT_SECONDS)``) of the first frame of each row of
    :func:`usable`, in the same order."""
    first: dict[str, float] = {}
    for f in features:
        if f.quality >= quality:
            first.setdefault(f.pdq, f.timestamp)
    return np.floor(np.array(list(first.values()), np.float64) / SLOT_SECONDS).astype(np.int64)


def matched(rows: np.ndarray, others: np.ndarray, distance: int) -> np.ndarray:
    """For each of ``rows``, whether one of ``others`` is within ``distance`` bits (bool)."""
    found = np.zeros(len(rows), bool)
    if not len(rows) or not len(others):
        return found
    for start in range(0, len(rows), 256):
        block = rows[start : start + 256]
        bits = np.bitwise_count(block[:, None, :] ^ others[None, :, :]).sum(axis=2)
        found[start : start + 256] = (bits <= distance).any(axis=1)
    return found


def compare_rows(
    query: np.ndarray,
    target: np.ndarray,
    distance: int,
    target_slots: np.ndarray | None = None,
) -> VpdqComparison:
    """:func:`compare` on the usable rows of each side (see :func:`usable`); with
    ``target_slots`` (:func:`first_slots` of the target), the target's share is of its seconds:
    a second counts as matched when one of its rows is."""
    if not len(query) or not len(target):
        return VpdqComparison(0.0, 0.0)
    q = int(matched(query, target, distance).sum())
    hits = matched(target, query, distance)
    if target_slots is None:
        t = 100.0 * int(hits.sum()) / len(target)
    else:
        t = 100.0 * len(np.unique(target_slots[hits])) / len(np.unique(target_slots))
    return VpdqComparison(100.0 * q / len(query), t)


@dataclass(frozen=True, slots=True)
class FramePair:
    """A frame of the query and the banked frame nearest to it (the evidence of a match)."""

    query_frame: int
    query_time: float
    target_frame: int
    target_time: float
    distance: int

    def to_dict(self) -> dict[str, int | float]:
        return {
            "query_frame": self.query_frame,
            "query_time": round(self.query_time, 3),
            "target_frame": self.target_frame,
            "target_time": round(self.target_time, 3),
            "distance": self.distance,
        }


def _firsts(features: Iterable[VpdqFeature], quality: int) -> list[VpdqFeature]:
    """The first usable frame of each distinct hash, in order (the rows of :func:`usable`)."""
    first: dict[str, VpdqFeature] = {}
    for f in features:
        if f.quality >= quality:
            first.setdefault(f.pdq, f)
    return list(first.values())


def frame_pairs(
    query: Sequence[VpdqFeature],
    target: Sequence[VpdqFeature],
    *,
    quality: int = QUALITY_THRESHOLD,
    distance: int = DISTANCE_THRESHOLD,
) -> tuple[FramePair, ...]:
    """Which frames matched: each usable query frame (the first of its hash) that has a usable
    target frame within ``distance`` bits, with the nearest one (the earliest on a tie), in the
    query's order. These are the frames :func:`compare` counts in the query's share."""
    mine, theirs = _firsts(query, quality), _firsts(target, quality)
    if not mine or not theirs:
        return ()
    rows, others = usable(mine, quality), usable(theirs, quality)
    pairs = []
    for start in range(0, len(rows), 256):
        bits = np.bitwise_count(rows[start : start + 256, None, :] ^ others[None]).sum(axis=2)
        nearest = bits.argmin(axis=1)
        for offset, column in enumerate(nearest):
            gap = int(bits[offset, column])
            if gap <= distance:
                q, t = mine[start + offset], theirs[int(column)]
                pairs.append(FramePair(q.frame, q.timestamp, t.frame, t.timestamp, gap))
    return tuple(pairs)


def compare(
    query: Sequence[VpdqFeature],
    target: Sequence[VpdqFeature],
    *,
    quality: int = QUALITY_THRESHOLD,
    distance: int = DISTANCE_THRESHOLD,
    by_seconds: bool = False,
) -> VpdqComparison:
    """The reference comparison: percentages of each side's distinct usable frames matched;
    ``by_seconds``: the target's share is of its seconds (for a target hashed more densely)."""
    slots = first_slots(target, quality) if by_seconds else None
    return compare_rows(usable(query, quality), usable(target, quality), distance, slots)

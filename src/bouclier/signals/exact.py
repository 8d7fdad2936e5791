"""Exact signal types: SHA-256 and MD5 of a file's bytes, found only as byte-identical copies.

Hash lists exchanged between hotlines carry them (NCMEC's MD5, StopNCII's and evidence's
SHA-256); a bank entry may be one of them alone. Their distance is 0 (equal) or 1 (different),
and their index is a dictionary: a lookup costs one probe whatever the bank's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bouclier.hashing import digests
from bouclier.index.hits import EMPTY_HITS, SearchHits
from bouclier.signals.base import (
    Fingerprint,
    HexSignalType,
    MediaInput,
    SignalIndex,
    packed_rows,
)


class ExactIndex:
    """Packed values by their bytes, each under a unique label; a search finds equal values."""

    def __init__(self, packed_bytes: int) -> None:
        self.packed_bytes = packed_bytes
        self._labels: dict[bytes, list[int]] = {}
        self._values: dict[int, bytes] = {}

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, label: object) -> bool:
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
            return False
        return int(label) in self._values

    def add(self, rows: np.ndarray, labels: np.ndarray) -> None:
        rows = packed_rows(rows, self.packed_bytes)
        names = [int(x) for x in np.asarray(labels, dtype=np.int64).reshape(-1)]
        if len(names) != len(rows):
            raise ValueError(f"{len(rows)} rows but {len(names)} labels")
        seen: set[int] = set()
        for name in names:
            if name in self._values or name in seen:
                raise ValueError(f"label {name} is already in the index; nothing was added")
            seen.add(name)
        values = dict(zip(names, (bytes(r) for r in rows), strict=True))
        for name, raw in values.items():
            self._labels.setdefault(raw, []).append(name)
        self._values.update(values)  # last: a label is findable once its value is

    def remove(self, labels: np.ndarray | Sequence[int]) -> int:
        removed = 0
        for name in {int(x) for x in np.asarray(labels, dtype=np.int64).reshape(-1)}:
            raw = self._values.pop(name, None)
            if raw is None:
                continue
            holders = self._labels.get(raw, [])
            self._labels[raw] = [x for x in holders if x != name]
            if not self._labels[raw]:
                del self._labels[raw]
            removed += 1
        return removed

    def search_many(self, queries: np.ndarray, radius: int) -> list[SearchHits]:
        results = []
        for row in packed_rows(queries, self.packed_bytes, "queries"):
            found = tuple(self._labels.get(bytes(row), ()))
            if not found:
                results.append(EMPTY_HITS)
                continue
            labels = np.array(sorted(found), np.int64)
            results.append(SearchHits(labels, np.zeros(len(labels), np.int32)))
        return results

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        labels = np.array(sorted(self._values), np.int64)
        rows = np.frombuffer(b"".join(self._values[int(x)] for x in labels), np.uint8)
        return rows.reshape(len(labels), self.packed_bytes).copy(), labels


@dataclass(frozen=True)
class DigestSignal(HexSignalType):
    """A cryptographic digest of the file's exact bytes."""

    name: str
    label: str
    packed_bytes: int
    description: str
    default_threshold: int = 0
    max_threshold: int = 0
    bank_threshold: bool = False

    def validate(self, value: str) -> str:
        return digests.validate(self.name, value)

    def distance(self, a: str, b: str) -> int:
        return int(self.validate(a) != self.validate(b))

    def fingerprint(self, media: MediaInput) -> tuple[Fingerprint, ...]:
        value = media.sha256 if self.name == "sha256" else media.md5
        return (Fingerprint(self.name, value),)

    def new_index(self) -> SignalIndex:
        return ExactIndex(self.packed_bytes)


SHA256 = DigestSignal(
    name="sha256",
    label="SHA-256",
    packed_bytes=32,
    description="SHA-256 of the file's bytes (64 hex): byte-identical copies only.",
)
MD5 = DigestSignal(
    name="md5",
    label="MD5",
    packed_bytes=16,
    description="MD5 of the file's bytes (32 hex), as NCMEC lists carry it: identical copies only.",
)

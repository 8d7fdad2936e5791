"""What banks hold, as plain data: bank rows, change-log lines and hashes as arrays.

No database here: a back-scan's workers (:mod:`bouclier.backscan.worker`, a Ray actor on another
node) and the matcher build indexes from these without importing SQLAlchemy, which would cost
each new worker process seconds of start-up. :mod:`bouclier.banks.store` reads them from the
database (and still exports them under its own name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from bouclier.hashing import pdq
from bouclier.index.segments import live_mask
from bouclier.index.snapshot import StoredSegment


@dataclass(frozen=True, slots=True)
class BankInfo:
    id: int
    name: str
    kind: str
    threshold: int
    created_at: datetime
    size: int


@dataclass(frozen=True, slots=True)
class Change:
    """One line of the change log: ``op`` ('add', 'remove' or 'update') of ``entry`` in bank
    ``bank_id``,
    whose value of ``signal_type`` is ``value`` (empty for a withdrawn case's hashes)."""

    cursor: int
    bank_id: int
    op: str
    entry: int
    signal_type: str
    value: str
    created_at: datetime

    @property
    def pdq(self) -> str | None:
        """The value, if the entry is a PDQ hash."""
        return self.value if self.signal_type == pdq.NAME else None


@dataclass(frozen=True)
class SignalRows:
    """The entries of one signal type as arrays, ready for its index."""

    entry_ids: np.ndarray  # int64
    bank_ids: np.ndarray  # int32, bank of each entry
    rows: np.ndarray  # (n, packed_bytes) uint8

    def __len__(self) -> int:
        return len(self.entry_ids)


@dataclass(frozen=True)
class BankHashes:
    """Every hash of some banks, by signal type, as arrays ready for the indexes."""

    signals: dict[str, SignalRows] = field(default_factory=dict)
    banks: dict[int, BankInfo] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(part) for part in self.signals.values())


@dataclass(frozen=True, eq=False)
class IndexedRows:
    """The entries of one signal type as its built index (a matcher snapshot's PDQ section): the
    index's stored segment (:func:`bouclier.index.snapshot.read`, searched where it lies) and
    the bank of each live entry, in the segment's order (the main segment's live rows in label
    order, then the rows outside its tables)."""

    segment: StoredSegment
    bank_ids: np.ndarray  # int32

    def __len__(self) -> int:
        return len(self.bank_ids)

    def entry_ids(self) -> np.ndarray:
        """The live entries' ids (int64), in the order of :attr:`bank_ids`."""
        segment = self.segment
        labels = segment.labels
        if segment.dead.any():
            labels = labels[live_mask(segment.dead, len(labels))]
        if not len(segment.extra_labels):
            return labels
        return np.concatenate([labels, segment.extra_labels])

    def rows(self) -> SignalRows:
        """The same entries as rows, in entry order (what a snapshot of the older form holds)."""
        segment = self.segment
        hashes = segment.hashes[live_mask(segment.dead, len(segment.labels))]
        values = np.concatenate([hashes, segment.extra_hashes])
        ids = self.entry_ids()
        order = np.argsort(ids, kind="stable")
        return SignalRows(ids[order], self.bank_ids[order], values[order])

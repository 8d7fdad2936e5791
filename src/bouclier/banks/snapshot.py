"""The bank matcher's snapshot file: its indexes, each entry's bank, and the change it reflects.

A process that starts from a snapshot reads this file instead of every bank entry, then replays
the change log from the snapshot's cursor (exact: applying a change is idempotent). A snapshot is
never trusted blindly: it names its database (a digest of the database URL without its password)
and the change at its cursor (a digest of that row of ``hash_changes``), and the service rebuilds
from the database when either differs, when the cursor is past the end of the log (a database
restored from a backup), or when the file is damaged or of another format.

PDQ's section is its built index: the bytes of an index file (:mod:`bouclier.index.snapshot`:
the tables stored, checked in full by its own CRC-32C and in C, then memory-mapped and searched
where they lie), so a restart builds no table. That file carries its own format version: 3 as
written now (1-byte bucket offsets), 2 in files written before, still read; a Bouclier that
does not know the embedded version refuses the snapshot, and the service rebuilds. The other types
(a few digests) are stored as rows and indexed on loading.

Layout (little-endian): a 104-byte header, a table of the signal types held (48 bytes each),
each type's section, a CRC-32 of everything before it, then the index file, if any::

    offset  size   field
    0       12     magic b"BOUCLIERBMAT"
    12      4      format version (3; 2 is still read; 1 held PDQ only and is rebuilt)
    16      4      s, the number of signal types held
    20      4      reserved (0)
    24      8      cursor: the last change of the log the snapshot reflects (0: none)
    32      8      n, the number of rows of every type together
    40      32     SHA-256 of the database key (:func:`database_key`)
    72      32     SHA-256 of the change at the cursor (:func:`change_digest`), zeros if cursor 0
    104     48s    per type: its name (32 bytes, NUL-padded ASCII), w its packed bytes per value
                   (uint32), its form (uint32: 0 rows, 1 index; always 0 in version 2), k its
                   rows (uint64)
    then, per type in table order, its section:
        rows   8k  entry ids (the index's labels), int64, strictly increasing
               4k  bank ids, int32, one per entry
               wk  packed values, in entry order
        index  4k  bank ids, int32, one per live entry of the index file, in its order (the
                   main segment's live rows, then the rows outside its tables)
    then   4       CRC-32 (zlib) of every byte before it
    then           zeros to a multiple of 8, then the index file of the one type of form 1
                   (version 3 only), to the end of the file

Written with :func:`bouclier.index.snapshot.write_atomically`: processes on one machine may share
the folder, and a reader never sees a half-written file. A process maps the file it loaded (read
only); a writer renames a new file over it and never changes a byte of the old one.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.engine import make_url

from bouclier.banks.hashes import Change, IndexedRows, SignalRows
from bouclier.errors import SnapshotError
from bouclier.filemodes import private_dir
from bouclier.index import snapshot as index_file
from bouclier.index.hits import HASH_BYTES
from bouclier.index.segments import live_mask
from bouclier.index.snapshot import checksummed, read_checked, write_atomically
from bouclier.signals import SignalTypes
from bouclier.signals.registry import signal_types as registered

MAGIC = b"BOUCLIERBMAT"
VERSION = 3
#: Versions read: 2 (every type as rows, PDQ's tables rebuilt on loading) and 3.
READS = (2, 3)
ROWS, INDEX = 0, 1  # a section's forms
_HEADER = struct.Struct("<12sIIIqQ32s32s")
_SECTION = struct.Struct("<32sIIQ")
_CRC = struct.Struct("<I")
_LABEL = np.dtype("<i8")
_BANK = np.dtype("<i4")
NO_CHANGE = bytes(32)
#: More signal types than any registry holds: a count above it is a damaged header.
_MAX_SECTIONS = 64


@dataclass(frozen=True, eq=False)
class MatcherSnapshot:
    cursor: int
    change: bytes  # change_digest of the change at the cursor
    signals: dict[str, SignalRows]  # by signal type: entry ids strictly increasing
    #: types held as their built index (PDQ; at most one); the others are in ``signals``
    indexed: dict[str, IndexedRows] = field(default_factory=dict)
    version: int = VERSION  # the format of the file it was read from

    def __len__(self) -> int:
        return sum(map(len, self.signals.values())) + sum(map(len, self.indexed.values()))

    def rows(self, signal_type: str) -> SignalRows:
        """One type's entries as rows, in entry order, whatever its form."""
        held = self.indexed.get(signal_type)
        return held.rows() if held is not None else self.signals[signal_type]


def database_key(url: str) -> bytes | None:
    """SHA-256 of the database URL without its password (a SQLite path made absolute); None
    for an in-memory database, which has nothing to snapshot across a restart."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or "mode=memory" in str(parsed):
            return None
        parsed = parsed.set(database=str(Path(database).resolve()))
    canonical = parsed.set(drivername=parsed.get_backend_name())  # any driver, one database
    return hashlib.sha256(canonical.render_as_string(hide_password=True).encode()).digest()


def path_for(folder: Path, key: bytes) -> Path:
    """The snapshot file of the database with this key: one file per database."""
    return folder / f"matcher-{key.hex()[:24]}.snap"


def change_digest(change: Change | None) -> bytes:
    """SHA-256 of one change of the log, all its fields: two databases agree on it only if they
    hold the same change under the same cursor."""
    if change is None:
        return NO_CHANGE
    fields = (
        change.cursor,
        change.bank_id,
        change.op,
        change.entry,
        change.signal_type,
        change.value,
    )
    stamp = change.created_at.replace(tzinfo=None).isoformat()  # SQLite drops the zone
    return hashlib.sha256(repr((*fields, stamp)).encode()).digest()


def write(path: Path, snapshot: MatcherSnapshot, key: bytes, *, version: int = VERSION) -> None:
    """Writes the snapshot atomically, creating its folder if needed. ``version=2`` writes the
    older form, every type as rows (what tests and benchmarks of a restart from it need)."""
    if version not in READS:
        raise ValueError(f"a matcher snapshot is written in version {' or '.join(map(str, READS))}")
    if version == 2 and snapshot.indexed:
        rows = {name: held.rows() for name, held in snapshot.indexed.items()}
        snapshot = MatcherSnapshot(snapshot.cursor, snapshot.change, {**snapshot.signals, **rows})
    if len(snapshot.indexed) > 1:
        raise ValueError("a matcher snapshot holds at most one type as its index")
    sections: list[tuple[str, bytes, list[np.ndarray]]] = []
    for name, part in snapshot.signals.items():
        k = len(part)
        if not (len(part.bank_ids) == k and part.rows.ndim == 2 and len(part.rows) == k):
            raise ValueError(f"{name}: entry ids, bank ids and values must have one row per entry")
        arrays: list[np.ndarray] = [
            np.ascontiguousarray(part.entry_ids, dtype=_LABEL),
            np.ascontiguousarray(part.bank_ids, dtype=_BANK),
            np.ascontiguousarray(part.rows, dtype=np.uint8),
        ]
        sections.append(
            (name, _SECTION.pack(name.encode("ascii"), part.rows.shape[1], ROWS, k), arrays)
        )
    for name, held in snapshot.indexed.items():
        segment = held.segment
        live = len(segment.labels) - _dead_count(held) + len(segment.extra_labels)
        if len(held.bank_ids) != live:
            raise ValueError(f"{name}: one bank id per live entry of the index, got {len(held)}")
        entry = _SECTION.pack(name.encode("ascii"), HASH_BYTES, INDEX, len(held))
        sections.append((name, entry, [np.ascontiguousarray(held.bank_ids, dtype=_BANK)]))
    sections.sort(key=lambda section: section[0])
    header = _HEADER.pack(
        MAGIC, version, len(sections), 0, snapshot.cursor, len(snapshot), key, snapshot.change
    )
    head: list[bytes | np.ndarray] = [header, *(entry for _, entry, _ in sections)]
    head += [array for _, _, arrays in sections for array in arrays]
    tail: Iterable[bytes | np.ndarray | memoryview] = ()
    for held in snapshot.indexed.values():
        size = sum(len(part) if isinstance(part, bytes) else part.nbytes for part in head)
        padding = bytes(_pad8(size + _CRC.size) - size - _CRC.size)
        tail = itertools.chain([padding], index_file.image(held.segment))
    private_dir(path.parent)  # mode 0700 if made here; the file itself is 0600 (mkstemp)
    write_atomically(path, itertools.chain(checksummed(head), tail), checksum=None)


def _dead_count(held: IndexedRows) -> int:
    n = len(held.segment.labels)
    return n - int(np.count_nonzero(live_mask(held.segment.dead, n)))


def _pad8(size: int) -> int:
    return (size + 7) & ~7


def read(path: Path, key: bytes, signal_types: SignalTypes | None = None) -> MatcherSnapshot:
    """The snapshot in ``path``; ``SnapshotError`` saying what is wrong for a damaged file, one of
    another format or version, one taken of another database (``key`` differs), or one holding a
    signal type that ``signal_types`` does not (or with another width). A version-3 file's index
    is checked in full and mapped (:func:`bouclier.index.snapshot.read_image`)."""
    name = os.fspath(path)
    signal_types = signal_types or registered()
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        header = file.read(_HEADER.size)
        if len(header) < _HEADER.size:
            raise SnapshotError(f"{name}: {size} bytes, too short to be a matcher snapshot")
        magic, version, sections, _, cursor, n, database, change = _HEADER.unpack(header)
        if magic != MAGIC:
            raise SnapshotError(f"{name}: not a Bouclier matcher snapshot (wrong magic bytes)")
        if version not in READS:
            raise SnapshotError(
                f"{name}: snapshot format version {version}, this Bouclier reads 2 and {VERSION}"
            )
        if database != key:
            raise SnapshotError(f"{name}: taken of another database")
        if sections > _MAX_SECTIONS:
            raise SnapshotError(f"{name}: {sections} signal types: a damaged header")
        table = file.read(sections * _SECTION.size)
        if len(table) < sections * _SECTION.size:
            raise SnapshotError(f"{name}: {size} bytes, truncated in its table of signal types")
        layout = _layout(name, version, table, signal_types)
        if sum(k for _, _, _, k in layout) != n:
            raise SnapshotError(f"{name}: its signal types' rows do not add up to {n}")
        head = _HEADER.size + len(table) + _CRC.size
        head += sum(k * _row_bytes(form, width) for _, width, form, k in layout)
        indexed = any(form == INDEX for _, _, form, _ in layout)
        if size < head or (size != head and not indexed) or (indexed and size <= _pad8(head)):
            what = "truncated" if size < head or indexed else "has trailing bytes"
            raise SnapshotError(f"{name}: {size} bytes for {n} rows: {what}")
        parts = {kind: _arrays(form, width, k) for kind, width, form, k in layout}
        read_checked(file, name, header + table, [a for arrays in parts.values() for a in arrays])
        index = None
        if indexed:
            if any(file.read(_pad8(head) - head)):
                raise SnapshotError(f"{name}: the bytes before its index are not zeros")
            index = index_file.read_image(file, name, _pad8(head))
    if cursor < 0 or (cursor == 0) != (change == NO_CHANGE):
        raise SnapshotError(f"{name}: its cursor and change digest disagree")
    signals, held = {}, {}
    for kind, arrays in parts.items():
        if len(arrays) == 1:
            assert index is not None  # read above: one type of form 1 at most
            held[kind] = IndexedRows(index, arrays[0].astype(np.int32, copy=False))
            if len(held[kind].entry_ids()) != len(arrays[0]):
                raise SnapshotError(f"{name}: {kind} bank ids do not match its index's entries")
            continue
        labels, banks, rows = arrays
        entry_ids = labels.astype(np.int64, copy=False)
        if len(entry_ids) > 1 and not bool(np.all(entry_ids[1:] > entry_ids[:-1])):
            raise SnapshotError(f"{name}: {kind} entry ids are not strictly increasing")
        signals[kind] = SignalRows(entry_ids, banks.astype(np.int32, copy=False), rows)
    return MatcherSnapshot(cursor, change, signals, held, version)


def _layout(
    name: str, version: int, table: bytes, signal_types: SignalTypes
) -> list[tuple[str, int, int, int]]:
    """(type, width, form, rows) of each section, checked against ``signal_types``."""
    layout = []
    for raw_name, width, form, k in _SECTION.iter_unpack(table):
        kind = raw_name.rstrip(b"\0").decode("ascii", "replace")
        if kind not in signal_types:
            raise SnapshotError(f"{name}: holds signal type {kind!r}, unknown here")
        if width != signal_types.get(kind).packed_bytes:
            raise SnapshotError(f"{name}: {width}-byte {kind} values, expected another width")
        if form not in ((ROWS, INDEX) if version >= 3 else (ROWS,)):
            raise SnapshotError(f"{name}: {kind} in a form unknown to version {version}")
        if form == INDEX and width != HASH_BYTES:
            raise SnapshotError(f"{name}: {kind} held as an index of {width}-byte values")
        layout.append((kind, width, form, k))
    if sum(form == INDEX for _, _, form, _ in layout) > 1:
        raise SnapshotError(f"{name}: more than one signal type held as an index")
    return layout


def _row_bytes(form: int, width: int) -> int:
    return _BANK.itemsize if form == INDEX else _LABEL.itemsize + _BANK.itemsize + width


def _arrays(form: int, width: int, k: int) -> tuple[np.ndarray, ...]:
    if form == INDEX:
        return (np.empty(k, _BANK),)
    return np.empty(k, _LABEL), np.empty(k, _BANK), np.empty((k, width), np.uint8)

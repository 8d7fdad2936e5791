"""The bank matcher's snapshot file: its index, each entry's bank, and the change it reflects.

A process that starts from a snapshot reads this file instead of every bank entry, then replays
the change log from the snapshot's cursor (exact: applying a change is idempotent). A snapshot is
never trusted blindly: it names its database (a digest of the database URL without its password)
and the change at its cursor (a digest of that row of ``hash_changes``), and the service rebuilds
from the database when either differs, when the cursor is past the end of the log (a database
restored from a backup), or when the file is damaged or of another format.

Layout (little-endian): a 104-byte header, a table of the signal types held (48 bytes each),
then each type's rows, then a CRC-32 of everything before it::

    offset  size   field
    0       12     magic b"BOUCLIERBMAT"
    12      4      format version (2; version 1 held PDQ only and is rebuilt from the database)
    16      4      s, the number of signal types held
    20      4      reserved (0)
    24      8      cursor: the last change of the log the snapshot reflects (0: none)
    32      8      n, the number of rows of every type together
    40      32     SHA-256 of the database key (:func:`database_key`)
    72      32     SHA-256 of the change at the cursor (:func:`change_digest`), zeros if cursor 0
    104     48s    per type: its name (32 bytes, NUL-padded ASCII), w its packed bytes per value
                   (uint32), reserved (uint32), k its rows (uint64)
    then, per type in table order:
            8k     entry ids (the index's labels), int64, strictly increasing
            4k     bank ids, int32, one per entry
            wk     packed values, in entry order
    end     4      CRC-32 (zlib) of every byte before it

Written with :func:`bouclier.index.snapshot.write_atomically`: processes on one machine may share
the folder, and a reader never sees a half-written file.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.engine import make_url

from bouclier.banks.hashes import Change, SignalRows
from bouclier.errors import SnapshotError
from bouclier.filemodes import private_dir
from bouclier.index.snapshot import read_checked, write_atomically
from bouclier.signals import SignalTypes
from bouclier.signals.registry import signal_types as registered

MAGIC = b"BOUCLIERBMAT"
VERSION = 2
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

    def __len__(self) -> int:
        return sum(len(part) for part in self.signals.values())


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


def write(path: Path, snapshot: MatcherSnapshot, key: bytes) -> None:
    """Writes the snapshot atomically, creating its folder if needed."""
    table: list[bytes] = []
    arrays: list[np.ndarray] = []
    for name, part in sorted(snapshot.signals.items()):
        k = len(part)
        if not (len(part.bank_ids) == k and part.rows.ndim == 2 and len(part.rows) == k):
            raise ValueError(f"{name}: entry ids, bank ids and values must have one row per entry")
        width = part.rows.shape[1]
        table.append(_SECTION.pack(name.encode("ascii"), width, 0, k))
        arrays += [
            np.ascontiguousarray(part.entry_ids, dtype=_LABEL),
            np.ascontiguousarray(part.bank_ids, dtype=_BANK),
            np.ascontiguousarray(part.rows, dtype=np.uint8),
        ]
    header = _HEADER.pack(
        MAGIC, VERSION, len(table), 0, snapshot.cursor, len(snapshot), key, snapshot.change
    )
    private_dir(path.parent)  # mode 0700 if made here; the file itself is 0600 (mkstemp)
    write_atomically(path, (header, *table, *arrays))


def read(path: Path, key: bytes, signal_types: SignalTypes | None = None) -> MatcherSnapshot:
    """The snapshot in ``path``; ``SnapshotError`` saying what is wrong for a damaged file, one of
    another format or version, one taken of another database (``key`` differs), or one holding a
    signal type that ``signal_types`` does not (or with another width)."""
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
        if version != VERSION:
            raise SnapshotError(
                f"{name}: snapshot format version {version}, this Bouclier reads {VERSION}"
            )
        if database != key:
            raise SnapshotError(f"{name}: taken of another database")
        if sections > _MAX_SECTIONS:
            raise SnapshotError(f"{name}: {sections} signal types: a damaged header")
        table = file.read(sections * _SECTION.size)
        if len(table) < sections * _SECTION.size:
            raise SnapshotError(f"{name}: {size} bytes, truncated in its table of signal types")
        layout = []
        for raw_name, width, _, k in _SECTION.iter_unpack(table):
            kind = raw_name.rstrip(b"\0").decode("ascii", "replace")
            if kind not in signal_types:
                raise SnapshotError(f"{name}: holds signal type {kind!r}, unknown here")
            if width != signal_types.get(kind).packed_bytes:
                raise SnapshotError(f"{name}: {width}-byte {kind} values, expected another width")
            layout.append((kind, width, k))
        if sum(k for _, _, k in layout) != n:
            raise SnapshotError(f"{name}: its signal types' rows do not add up to {n}")
        expected = _HEADER.size + len(table) + _CRC.size
        expected += sum(k * (_LABEL.itemsize + _BANK.itemsize + width) for _, width, k in layout)
        if size != expected:
            what = "truncated" if size < expected else "has trailing bytes"
            raise SnapshotError(f"{name}: {size} bytes for {n} rows, expected {expected}: {what}")
        parts = {
            kind: (np.empty(k, _LABEL), np.empty(k, _BANK), np.empty((k, width), np.uint8))
            for kind, width, k in layout
        }
        read_checked(file, name, header + table, [a for arrays in parts.values() for a in arrays])
    if cursor < 0 or (cursor == 0) != (change == NO_CHANGE):
        raise SnapshotError(f"{name}: its cursor and change digest disagree")
    signals = {}
    for kind, (labels, banks, rows) in parts.items():
        entry_ids = labels.astype(np.int64, copy=False)
        if len(entry_ids) > 1 and not bool(np.all(entry_ids[1:] > entry_ids[:-1])):
            raise SnapshotError(f"{name}: {kind} entry ids are not strictly increasing")
        signals[kind] = SignalRows(entry_ids, banks.astype(np.int32, copy=False), rows)
    return MatcherSnapshot(cursor, change, signals)

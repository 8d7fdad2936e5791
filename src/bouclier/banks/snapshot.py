"""The bank matcher's snapshot file: its index, each entry's bank, and the change it reflects.

A process that starts from a snapshot reads this file instead of every bank entry, then replays
the change log from the snapshot's cursor (exact: applying a change is idempotent). A snapshot is
never trusted blindly: it names its database (a digest of the database URL without its password)
and the change at its cursor (a digest of that row of ``hash_changes``), and the service rebuilds
from the database when either differs, when the cursor is past the end of the log (a database
restored from a backup), or when the file is damaged or of another format.

Layout (little-endian), 104-byte header, then the rows, then a CRC-32 of everything before it::

    offset  size   field
    0       12     magic b"BOUCLIERBMAT"
    12      4      format version (1)
    16      4      bytes per hash (32)
    20      4      reserved (0)
    24      8      cursor: the last change of the log the snapshot reflects (0: none)
    32      8      n, the number of rows
    40      32     SHA-256 of the database key (:func:`database_key`)
    72      32     SHA-256 of the change at the cursor (:func:`change_digest`), zeros if cursor 0
    104     8n     entry ids (the index's labels), int64, strictly increasing
    104+8n  4n     bank ids, int32, one per entry
    104+12n 32n    hashes, 32 bytes each, in entry order
    104+44n 4      CRC-32 (zlib) of bytes 0 .. 104+44n

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

from bouclier.banks.store import Change
from bouclier.errors import SnapshotError
from bouclier.index.hits import HASH_BYTES
from bouclier.index.snapshot import read_checked, write_atomically

MAGIC = b"BOUCLIERBMAT"
VERSION = 1
_HEADER = struct.Struct("<12sIIIqQ32s32s")
_CRC = struct.Struct("<I")
_LABEL = np.dtype("<i8")
_BANK = np.dtype("<i4")
_ROW_BYTES = _LABEL.itemsize + _BANK.itemsize + HASH_BYTES
NO_CHANGE = bytes(32)


@dataclass(frozen=True, eq=False)
class MatcherSnapshot:
    cursor: int
    change: bytes  # change_digest of the change at the cursor
    entry_ids: np.ndarray  # int64, strictly increasing
    bank_ids: np.ndarray  # int32
    hashes: np.ndarray  # (n, 32) uint8

    def __len__(self) -> int:
        return len(self.entry_ids)


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
    fields = (change.cursor, change.bank_id, change.op, change.entry, change.pdq)
    stamp = change.created_at.replace(tzinfo=None).isoformat()  # SQLite drops the zone
    return hashlib.sha256(repr((*fields, stamp)).encode()).digest()


def write(path: Path, snapshot: MatcherSnapshot, key: bytes) -> None:
    """Writes the snapshot atomically, creating its folder if needed."""
    n = len(snapshot)
    if not (len(snapshot.bank_ids) == n and snapshot.hashes.shape == (n, HASH_BYTES)):
        raise ValueError("entry ids, bank ids and hashes must have one row per entry")
    header = _HEADER.pack(MAGIC, VERSION, HASH_BYTES, 0, snapshot.cursor, n, key, snapshot.change)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(
        path,
        (
            header,
            np.ascontiguousarray(snapshot.entry_ids, dtype=_LABEL),
            np.ascontiguousarray(snapshot.bank_ids, dtype=_BANK),
            np.ascontiguousarray(snapshot.hashes, dtype=np.uint8),
        ),
    )


def read(path: Path, key: bytes) -> MatcherSnapshot:
    """The snapshot in ``path``; ``SnapshotError`` saying what is wrong for a damaged file, one of
    another format or version, or one taken of another database (``key`` differs)."""
    name = os.fspath(path)
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        header = file.read(_HEADER.size)
        if len(header) < _HEADER.size:
            raise SnapshotError(f"{name}: {size} bytes, too short to be a matcher snapshot")
        magic, version, hash_bytes, _, cursor, n, database, change = _HEADER.unpack(header)
        if magic != MAGIC:
            raise SnapshotError(f"{name}: not a Bouclier matcher snapshot (wrong magic bytes)")
        if version != VERSION:
            raise SnapshotError(
                f"{name}: snapshot format version {version}, this Bouclier reads {VERSION}"
            )
        if hash_bytes != HASH_BYTES:
            raise SnapshotError(f"{name}: {hash_bytes}-byte hashes, expected {HASH_BYTES}")
        if database != key:
            raise SnapshotError(f"{name}: taken of another database")
        expected = _HEADER.size + n * _ROW_BYTES + _CRC.size
        if size != expected:
            what = "truncated" if size < expected else "has trailing bytes"
            raise SnapshotError(f"{name}: {size} bytes for {n} rows, expected {expected}: {what}")
        entry_ids = np.empty(n, _LABEL)
        bank_ids = np.empty(n, _BANK)
        hashes = np.empty((n, HASH_BYTES), np.uint8)
        read_checked(file, name, header, (entry_ids, bank_ids, hashes))
    if cursor < 0 or (cursor == 0) != (change == NO_CHANGE):
        raise SnapshotError(f"{name}: its cursor and change digest disagree")
    entry_ids = entry_ids.astype(np.int64, copy=False)
    if n > 1 and not bool(np.all(entry_ids[1:] > entry_ids[:-1])):
        raise SnapshotError(f"{name}: entry ids are not strictly increasing")
    return MatcherSnapshot(cursor, change, entry_ids, bank_ids.astype(np.int32, copy=False), hashes)

"""The index's snapshot file: the live hashes and labels, written atomically, checked on reading.

Layout (little-endian), 32-byte header, then the rows, then a CRC-32 of everything before it::

    offset  size   field
    0       12     magic b"BOUCLIERHIDX"
    12      4      format version (1)
    16      4      bytes per hash (32)
    20      4      reserved (0)
    24      8      n, the number of rows
    32      8n     labels, int64, strictly increasing
    32+8n   32n    hashes, 32 bytes each, in label order
    32+40n  4      CRC-32 (zlib) of bytes 0 .. 32+40n

Only data is stored, never table structure: loading rebuilds the tables, so a file cannot steer
the C code. Anything wrong with a file raises :class:`~bouclier.errors.SnapshotError` saying what.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from bouclier.errors import SnapshotError
from bouclier.index.hits import HASH_BYTES

MAGIC = b"BOUCLIERHIDX"
VERSION = 1
_HEADER = struct.Struct("<12sIIIQ")
_CRC = struct.Struct("<I")
_LABEL = np.dtype("<i8")


def write(path: str | os.PathLike[str], hashes: np.ndarray, labels: np.ndarray) -> None:
    """Writes the snapshot atomically (see :func:`write_atomically`)."""
    header = _HEADER.pack(MAGIC, VERSION, HASH_BYTES, 0, len(labels))
    write_atomically(
        path, (header, np.ascontiguousarray(labels, dtype=_LABEL), np.ascontiguousarray(hashes))
    )


def write_atomically(path: str | os.PathLike[str], parts: Iterable[bytes | np.ndarray]) -> None:
    """Writes ``parts`` and a CRC-32 of them to a temporary file beside ``path``, syncs it, then
    renames it over ``path``: a crash leaves either the old file or the new one, never a mix, and
    a reader (another process too) never opens a half-written file. Each writer has its own
    temporary file, so processes sharing a folder may write the same path at once: the last
    rename wins, and every version is whole."""
    target = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            crc = 0
            for part in parts:
                data = part.data if isinstance(part, np.ndarray) else part
                crc = zlib.crc32(data, crc)
                file.write(data)
            file.write(_CRC.pack(crc))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def read(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, labels) from a snapshot; ``SnapshotError`` for a damaged or foreign file."""
    name = os.fspath(path)
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        header = file.read(_HEADER.size)
        if len(header) < _HEADER.size:
            raise SnapshotError(f"{name}: {size} bytes, too short to be an index snapshot")
        magic, version, hash_bytes, _, n = _HEADER.unpack(header)
        if magic != MAGIC:
            raise SnapshotError(f"{name}: not a Bouclier index snapshot (wrong magic bytes)")
        if version != VERSION:
            raise SnapshotError(
                f"{name}: snapshot format version {version}, this Bouclier reads {VERSION}"
            )
        if hash_bytes != HASH_BYTES:
            raise SnapshotError(f"{name}: {hash_bytes}-byte hashes, expected {HASH_BYTES}")
        expected = _HEADER.size + n * (_LABEL.itemsize + HASH_BYTES) + _CRC.size
        if size != expected:
            what = "truncated" if size < expected else "has trailing bytes"
            raise SnapshotError(f"{name}: {size} bytes for {n} rows, expected {expected}: {what}")
        labels = np.empty(n, _LABEL)
        hashes = np.empty((n, HASH_BYTES), np.uint8)
        read_checked(file, name, header, (labels, hashes))
    labels = labels.astype(np.int64, copy=False)
    if n > 1 and not bool(np.all(labels[1:] > labels[:-1])):
        raise SnapshotError(f"{name}: labels are not strictly increasing")
    return hashes, labels


def read_checked(
    file: io.BufferedReader, name: str, header: bytes, parts: Sequence[np.ndarray]
) -> None:
    """Fills ``parts`` from ``file`` (after its ``header``) and checks the CRC-32 trailer that
    covers the header and the parts; SnapshotError for a short read or a damaged file."""
    crc = zlib.crc32(header)
    for part in parts:
        view = part.view(np.uint8).reshape(-1).data
        if file.readinto(view) != len(view):
            raise SnapshotError(f"{name}: the file shrank while it was read")
        crc = zlib.crc32(view, crc)
    trailer = file.read(_CRC.size)
    if len(trailer) != _CRC.size:
        raise SnapshotError(f"{name}: the file shrank while it was read")
    if crc != _CRC.unpack(trailer)[0]:
        raise SnapshotError(f"{name}: checksum mismatch, the file is damaged")


def _sync_directory(directory: Path) -> None:
    """Makes the rename itself durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)

"""The index's snapshot file: the main segment with its built tables, written atomically, checked
on reading, then memory-mapped.

Format version 3 (little-endian; every section starts on an 8-byte boundary)::

    offset  size   field
    0       12     magic b"BOUCLIERHIDX"
    12      4      format version (3)
    16      4      bytes per hash (32)
    20      4      m, the number of tables (1..64)
    24      8      n, the main segment's rows
    32      8      k, rows outside the tables (the delta's live rows)
    40      16m    per table: its width in bits (uint32, 1..28), its offsets' form (uint32:
                   0 compact, 2 bytes a bucket; 1 wide, 4 bytes a bucket; 2 narrow, 1 byte a
                   bucket), its spilled blocks (uint64, 0 unless narrow; see ``_hamming.h``)
    then           n labels (int64, strictly increasing), n hashes (32 bytes each, in label
                   order), the main segment's tombstones (ceil(n / 8) bytes, padded to 8), the m
                   tables as ``_tables.c`` stores them (offsets then row ids, each padded to 8),
                   k labels and k hashes of the other rows
    end     4      CRC-32C of every byte before it

Loading maps the file into memory (the pages of the page cache, not a copy: no fresh memory to
fault in, the cost that dominated a load that rebuilt the tables) and searches it in place, after
checking it in full: its size against its header, the CRC-32C over every byte, labels in order
and unique, and in C every table's structure (offsets from 0 to n without decreasing, row ids a
permutation of 0..n-1, widths within the limits): a damaged or crafted file is refused with
:class:`~bouclier.errors.SnapshotError`, and a table that passes cannot make a search read out of
bounds. (A file crafted to pass every check can at worst place rows in the wrong bucket, so that
a search misses them: no more than a version-1 file that leaves hashes out could do.) The file
must not be truncated in place while mapped; :func:`write_atomically` never does (it renames a
new file over the old one, and a mapped old file stays readable).

Format version 2 is version 3 without narrow offsets: its directory has 8 bytes a table (width,
form 0 or 1). It is still read.

Format version 1 (labels and hashes only, a CRC-32 of zlib; tables rebuilt on loading) is still
read::

    0 magic | 12 version (1) | 16 bytes per hash | 20 reserved | 24 n | 32 labels 8n |
    32+8n hashes 32n | 32+40n CRC-32 (zlib) of bytes 0 .. 32+40n
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bouclier.errors import SnapshotError
from bouclier.index import _hamming
from bouclier.index.hits import HASH_BYTES
from bouclier.index.segments import is_dead

MAGIC = b"BOUCLIERHIDX"
VERSION = 3
_HEADER_V1 = struct.Struct("<12sIIIQ")
_HEADER = struct.Struct("<12sIIIQQ")
_TABLE = struct.Struct("<IIQ")  # width, offsets' form, spilled blocks
_TABLE_V2 = struct.Struct("<II")  # width, offsets' form (compact or wide)
_COMPACT, _WIDE, _NARROW = 0, 1, 2
_CRC = struct.Struct("<I")
_LABEL = np.dtype("<i8")
_BLOCK_SHIFT = 8
_MAX_TABLES = 64
_MAX_TABLE_BITS = 28
Checksum = Callable[[bytes | memoryview, int], int]


@dataclass(frozen=True, eq=False)
class StoredSegment:
    """What a snapshot holds: a main segment (its tables ready to search, or None for a
    version-1 file, whose tables the caller builds) and the rows outside it."""

    hashes: np.ndarray
    labels: np.ndarray
    dead: np.ndarray
    tables: _hamming.MultiIndex | None
    extra_hashes: np.ndarray
    extra_labels: np.ndarray


def _pad8(size: int) -> int:
    return (size + 7) & ~7


def stored_table_bytes(bits: int, form: int, spilled: int, n: int) -> int:
    """Bytes of one stored table (the same sum as ``stored_table_bytes`` in ``_tables.c``)."""
    buckets = 1 << bits
    base = _pad8(4 * ((buckets >> _BLOCK_SHIFT) + 1))
    if form == _WIDE:
        offsets = _pad8(4 * (buckets + 1))
    elif form == _NARROW:
        offsets = base + _pad8(buckets + 1) + _pad8(4 * (spilled << _BLOCK_SHIFT))
    else:
        offsets = base + _pad8(2 * (buckets + 1))
    return offsets + _pad8(4 * n)


def write(path: str | os.PathLike[str], stored: StoredSegment) -> None:
    """Writes a version-3 snapshot atomically: ``stored``'s main segment (its ``tables`` built
    over its hashes, ``dead`` its tombstones) and the rows outside it."""
    write_atomically(path, image(stored), checksum=None)


def image(stored: StoredSegment) -> Iterator[bytes | np.ndarray | memoryview]:
    """The bytes of a version-3 file holding ``stored``, its CRC-32C trailer included, in parts
    (the tables are not copied): what :func:`write` writes, and what a file that embeds an
    index (:mod:`bouclier.banks.snapshot`) puts at its end."""
    tables = stored.tables
    if tables is None:
        raise ValueError("a version-3 snapshot holds built tables")
    n, bits, forms = len(stored.labels), tables.bits, tables.forms
    head = _HEADER.pack(MAGIC, VERSION, HASH_BYTES, len(bits), n, len(stored.extra_labels))
    directory = b"".join(_TABLE.pack(b, *f) for b, f in zip(bits, forms, strict=True))
    tombstones = np.zeros(_pad8((n + 7) // 8), np.uint8)
    tombstones[: (n + 7) // 8] = stored.dead[: (n + 7) // 8]

    def parts() -> Iterator[bytes | np.ndarray | memoryview]:
        yield head + directory
        yield np.ascontiguousarray(stored.labels, dtype=_LABEL)
        yield np.ascontiguousarray(stored.hashes, dtype=np.uint8)
        yield tombstones
        for arrays in tables.parts():
            for array in arrays:
                view = memoryview(array)
                yield view
                yield bytes(_pad8(view.nbytes) - view.nbytes)
        yield np.ascontiguousarray(stored.extra_labels, dtype=_LABEL)
        yield np.ascontiguousarray(stored.extra_hashes, dtype=np.uint8)

    return checksummed(parts(), _hamming.crc32c)


def checksummed(
    parts: Iterable[bytes | np.ndarray | memoryview], checksum: Checksum = zlib.crc32
) -> Iterator[bytes | np.ndarray | memoryview]:
    """``parts``, then a 4-byte checksum of their bytes (CRC-32 by default)."""
    crc = 0
    for part in parts:
        crc = checksum(_flat(part), crc)
        yield part
    yield _CRC.pack(crc)


def _flat(part: bytes | np.ndarray | memoryview) -> memoryview:
    data = memoryview(part.data if isinstance(part, np.ndarray) else part)
    return data.cast("B") if data.nbytes else memoryview(b"")


def write_atomically(
    path: str | os.PathLike[str],
    parts: Iterable[bytes | np.ndarray | memoryview],
    checksum: Checksum | None = zlib.crc32,
) -> None:
    """Writes ``parts`` and a checksum of them (CRC-32 by default; None: ``parts`` end with their
    own, see :func:`checksummed`) to a temporary file beside ``path``, syncs it, then
    renames it over ``path``: a crash leaves either the old file or the new one, never a mix, and
    a reader (another process too) never opens a half-written file. Each writer has its own
    temporary file, so processes sharing a folder may write the same path at once: the last
    rename wins, and every version is whole. A process that has the old file mapped keeps
    reading it (the rename never changes a byte of it)."""
    target = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            for part in parts if checksum is None else checksummed(parts, checksum):
                data = _flat(part)
                if data.nbytes:
                    file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def read(path: str | os.PathLike[str]) -> StoredSegment:
    """The segment a snapshot holds; ``SnapshotError`` for a damaged, crafted or foreign file."""
    with open(path, "rb") as file:
        return read_image(file, os.fspath(path), 0)


def read_image(file: io.BufferedReader, name: str, start: int) -> StoredSegment:
    """The segment held by the index file that begins at byte ``start`` (a multiple of 8) of
    ``file`` and runs to its end: a whole snapshot file, or the one a matcher snapshot embeds.
    Versions 3 and 2 are checked and mapped; version 1 is read (only as a whole file)."""
    size = os.fstat(file.fileno()).st_size - start
    file.seek(start)
    header = file.read(_HEADER.size)
    if len(header) < _HEADER_V1.size:
        raise SnapshotError(f"{name}: {size} bytes, too short to be an index snapshot")
    magic, version, hash_bytes, m, n = _HEADER_V1.unpack(header[: _HEADER_V1.size])
    if magic != MAGIC:
        raise SnapshotError(f"{name}: not a Bouclier index snapshot (wrong magic bytes)")
    if version not in (1, 2, VERSION) or (version == 1 and start):
        raise SnapshotError(
            f"{name}: snapshot format version {version}, this Bouclier reads 1 to {VERSION}"
        )
    if hash_bytes != HASH_BYTES:
        raise SnapshotError(f"{name}: {hash_bytes}-byte hashes, expected {HASH_BYTES}")
    if version == 1:
        file.seek(_HEADER_V1.size)
        return _read_v1(file, name, size, header[: _HEADER_V1.size], n)
    if len(header) < _HEADER.size:
        raise SnapshotError(f"{name}: {size} bytes, too short to be an index snapshot")
    return _read_tables(file, name, start, size, version, m, n, _HEADER.unpack(header)[5])


def _directory(
    file: io.BufferedReader, name: str, size: int, version: int, m: int, n: int
) -> tuple[bytes, list[tuple[int, int, int]]]:
    """The table directory's bytes and, per table, (width, offsets' form, spilled blocks)."""
    if not 1 <= m <= _MAX_TABLES:
        raise SnapshotError(f"{name}: {m} tables, expected 1..{_MAX_TABLES}")
    entry = _TABLE if version >= 3 else _TABLE_V2
    directory = file.read(entry.size * m)
    if len(directory) != entry.size * m:
        raise SnapshotError(f"{name}: {size} bytes, truncated in its table directory")
    layout = [(*e, 0)[:3] for e in entry.iter_unpack(directory)]
    forms = (_COMPACT, _WIDE, _NARROW) if version >= 3 else (_COMPACT, _WIDE)
    # a spilled block holds more than 255 rows, so there are fewer than n / 256 of them
    if any(
        not 1 <= b <= _MAX_TABLE_BITS or f not in forms or s > (n >> 8 if f == _NARROW else 0)
        for b, f, s in layout
    ):
        raise SnapshotError(f"{name}: a table of a width, offsets' form or spill out of range")
    if sum(b for b, _, _ in layout) > 8 * HASH_BYTES:
        raise SnapshotError(f"{name}: its table layout does not fit 256-bit hashes")
    return directory, layout


def _read_tables(
    file: io.BufferedReader, name: str, start: int, size: int, version: int, m: int, n: int, k: int
) -> StoredSegment:
    directory, layout = _directory(file, name, size, version, m, n)
    sections = [
        8 * n,
        HASH_BYTES * n,
        _pad8((n + 7) // 8),
        sum(stored_table_bytes(b, f, s, n) for b, f, s in layout),
        8 * k,
        HASH_BYTES * k,
    ]
    first = _HEADER.size + len(directory)
    expected = first + sum(sections) + _CRC.size
    if size != expected:
        what = "truncated" if size < expected else "has trailing bytes"
        raise SnapshotError(f"{name}: {size} bytes for {n} + {k} rows, expected {expected}: {what}")
    mapped = mmap.mmap(file.fileno(), start + size, access=mmap.ACCESS_READ)
    view = memoryview(mapped)[start:]
    (stored_crc,) = _CRC.unpack(view[size - _CRC.size :])
    if _hamming.crc32c(view[: size - _CRC.size]) != stored_crc:
        raise SnapshotError(f"{name}: checksum mismatch, the file is damaged")
    at = [first]
    for length in sections:
        at.append(at[-1] + length)
    labels = np.frombuffer(view, _LABEL, n, at[0]).astype(np.int64, copy=False)
    hashes = np.frombuffer(view, np.uint8, HASH_BYTES * n, at[1]).reshape(n, HASH_BYTES)
    dead = np.frombuffer(view, np.uint8, (n + 7) // 8, at[2]).copy()  # written in place later
    extra_labels = np.frombuffer(view, _LABEL, k, at[4]).astype(np.int64, copy=False)
    extra_hashes = np.frombuffer(view, np.uint8, HASH_BYTES * k, at[5]).reshape(k, HASH_BYTES)
    if n > 1 and not bool(np.all(labels[1:] > labels[:-1])):
        raise SnapshotError(f"{name}: labels are not strictly increasing")
    _check_extra(name, labels, dead, extra_labels)
    try:
        tables = _hamming.MultiIndex.adopt(
            hashes, [b for b, _, _ in layout], [(f, s) for _, f, s in layout], view[at[3] : at[4]]
        )
    except ValueError as error:
        raise SnapshotError(f"{name}: {error}") from None
    return StoredSegment(hashes, labels, dead, tables, extra_hashes, extra_labels)


def _check_extra(name: str, labels: np.ndarray, dead: np.ndarray, extra: np.ndarray) -> None:
    """The rows outside the tables have distinct labels, none of them a live row's of the tables.
    A removed label may be added again: it is then a dead row in the tables and a live one
    outside them, which is a good snapshot."""
    ordered = np.sort(extra)
    if len(ordered) > 1 and not bool(np.all(ordered[1:] > ordered[:-1])):
        raise SnapshotError(f"{name}: a label outside the tables appears twice")
    if len(labels) and len(ordered):
        at = np.minimum(np.searchsorted(labels, ordered), len(labels) - 1)
        both = at[labels[at] == ordered]
        if len(both) and not bool(np.all(is_dead(dead, both))):
            raise SnapshotError(f"{name}: a label appears both in and outside the tables")


def _read_v1(file: io.BufferedReader, name: str, size: int, header: bytes, n: int) -> StoredSegment:
    expected = _HEADER_V1.size + n * (_LABEL.itemsize + HASH_BYTES) + _CRC.size
    if size != expected:
        what = "truncated" if size < expected else "has trailing bytes"
        raise SnapshotError(f"{name}: {size} bytes for {n} rows, expected {expected}: {what}")
    labels = np.empty(n, _LABEL)
    hashes = np.empty((n, HASH_BYTES), np.uint8)
    read_checked(file, name, header, (labels, hashes))
    labels = labels.astype(np.int64, copy=False)
    if n > 1 and not bool(np.all(labels[1:] > labels[:-1])):
        raise SnapshotError(f"{name}: labels are not strictly increasing")
    none = np.zeros(0, np.int64)
    return StoredSegment(hashes, labels, np.zeros((n + 7) // 8, np.uint8), None, hashes[:0], none)


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

"""Snapshots: a round trip keeps every search answer; a damaged or foreign file is refused."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from bouclier.errors import SnapshotError
from bouclier.index import HammingIndex, _hamming, brute_force_search
from bouclier.index.snapshot import MAGIC, stored_table_bytes
from tests.index.neighbours import planted, random_hashes

COMPACT, WIDE, NARROW = 0, 1, 2  # forms of a table's bucket offsets (_hamming.h)


@pytest.fixture
def snapshot(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray, np.ndarray]:
    """A saved index with tombstones and a delta (so that save has to compact)."""
    rng = np.random.default_rng(1)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 3000, query, range(41))
    index = HammingIndex(delta_limit=500)
    index.add(hashes[:2700], labels[:2700])
    index.add(hashes[2700:], labels[2700:])
    index.remove(labels[:100])
    path = tmp_path / "index.bin"
    index.save(path)
    return path, query, hashes[100:], labels[100:]


def test_round_trip(snapshot: tuple[Path, np.ndarray, np.ndarray, np.ndarray]) -> None:
    path, query, hashes, labels = snapshot
    loaded = HammingIndex.load(path)
    assert len(loaded) == len(labels)
    assert labels[0] in loaded
    assert labels[0] - 10**12 not in loaded
    assert labels[-1] in loaded  # a row of the delta, stored outside the tables
    for radius in (0, 15, 31, 40, 63, 256):
        assert loaded.search(query, radius) == brute_force_search(hashes, labels, query, radius)
    file = _Layout(path)
    assert path.stat().st_size == file.end + 4
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.bin"]  # no temporary left


def test_loaded_in_memory_the_index_no_longer_reads_the_file(
    snapshot: tuple[Path, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """in_memory=True: hashes and tables copied out of the mapping (and checked again); the same
    answers after the file's hashes and tables are overwritten with zeros, which a mapped index
    would read (and then find nothing)."""
    path, query, hashes, labels = snapshot
    loaded = HammingIndex.load(path, strategy="multi-index", in_memory=True)
    file = _Layout(path)
    with path.open("r+b") as out:
        out.seek(file.hashes)
        out.write(bytes(file.extra - file.hashes))
    for radius in (0, 15, 31, 63):
        expected = brute_force_search(hashes, labels, query, radius)
        assert len(expected) >= radius // 2
        assert loaded.search(query, radius) == expected


def test_a_loaded_index_takes_changes_and_merges(
    snapshot: tuple[Path, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    path, query, hashes, labels = snapshot
    loaded = HammingIndex.load(path, delta_limit=50)
    more = random_hashes(np.random.default_rng(9), 200)
    more_labels = np.arange(10**9, 10**9 + 200)
    loaded.add(more, more_labels)
    loaded.remove(labels[:10])
    loaded.compact()
    kept_hashes = np.concatenate([hashes[10:], more])
    kept_labels = np.concatenate([labels[10:], more_labels])
    for q in (query, more[0]):
        assert loaded.search(q, 31) == brute_force_search(kept_hashes, kept_labels, q, 31)


def test_round_trip_of_an_empty_index(tmp_path: Path) -> None:
    HammingIndex().save(tmp_path / "empty.bin")
    loaded = HammingIndex.load(tmp_path / "empty.bin")
    assert len(loaded) == 0
    assert len(loaded.search(bytes(32), 256)) == 0


def test_a_label_removed_then_added_again_round_trips(tmp_path: Path) -> None:
    """A removed label may come back (a victim withdraws, then submits again): it is then a dead
    row of the tables and a live row outside them. The snapshot of that state must load (a
    stateful test found the reader refusing it), answer with the new hash only, and a live
    label in both places must still be refused."""
    hashes = random_hashes(np.random.default_rng(3), 2)
    index = HammingIndex(delta_limit=3)
    index.add(hashes[:1], np.array([7]))
    index.compact()
    index.remove([7])
    index.add(hashes[1:], np.array([7]))
    index.save(tmp_path / "index.bin")
    loaded = HammingIndex.load(tmp_path / "index.bin")
    assert len(loaded) == 1
    assert loaded.search(hashes[1], 0).labels.tolist() == [7]
    assert not loaded.search(hashes[0], 0)
    assert loaded.remove([7]) == 1
    assert len(loaded) == 0


def test_save_replaces_an_older_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "index.bin"
    index = HammingIndex()
    index.add(random_hashes(np.random.default_rng(0), 3), np.array([1, 2, 3]))
    index.save(path)
    held = HammingIndex.load(path)  # maps the first file, which the next save renames over
    index.remove([2])
    index.save(path)
    assert len(HammingIndex.load(path)) == 2
    assert len(held) == 3
    assert held.search(random_hashes(np.random.default_rng(0), 3)[1], 0)


def test_a_version_1_file_is_still_read(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 500, query, range(0, 40, 3))
    order = np.argsort(labels)
    header = struct.pack("<12sIIIQ", MAGIC, 1, 32, 0, len(labels))
    body = header + labels[order].astype("<i8").tobytes() + hashes[order].tobytes()
    path = tmp_path / "v1.bin"
    path.write_bytes(body + struct.pack("<I", zlib.crc32(body)))
    loaded = HammingIndex.load(path)
    assert loaded.search(query, 31) == brute_force_search(hashes, labels, query, 31)


class _Layout:
    """Where the sections of a version-3 file begin (what a crafted file changes)."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        _, _, _, self.m, self.n, self.k = struct.unpack_from("<12sIIIQQ", data)
        self.tables = [struct.unpack_from("<IIQ", data, 40 + 16 * t) for t in range(self.m)]
        self.labels = 40 + 16 * self.m
        self.hashes = self.labels + 8 * self.n
        self.dead = self.hashes + 32 * self.n
        self.table = [self.dead + _pad8((self.n + 7) // 8)]
        for bits, form, spilled in self.tables:
            self.table.append(self.table[-1] + stored_table_bytes(bits, form, spilled, self.n))
        self.extra = self.table[-1]
        self.end = self.extra + 40 * self.k

    def rows(self, t: int) -> int:
        """Where table t's row ids begin."""
        return self.table[t + 1] - _pad8(4 * self.n)


def _pad8(size: int) -> int:
    return (size + 7) // 8 * 8


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        data = data[: len(data) - 17]
    elif how == "header only":
        data = data[:20]
    elif how == "empty":
        data = bytearray()
    elif how == "trailing bytes":
        data += b"\0"
    elif how == "flipped byte in a hash":
        data[len(data) - 40] ^= 0x10
    elif how == "flipped byte in a label":
        data[_Layout(path).labels] ^= 0x01
    elif how == "flipped byte in a table":
        data[_Layout(path).rows(0) + 5] ^= 0x01
    elif how == "flipped checksum":
        data[-1] ^= 0xFF
    elif how == "wrong magic":
        data[:12] = b"NOTANINDEX!!"
    elif how == "foreign file":
        data = bytearray(b"PK\x03\x04" + bytes(200))
    elif how == "future version":
        data[12:16] = struct.pack("<I", 99)
    elif how == "no tables":
        data[20:24] = struct.pack("<I", 0)
    elif how == "truncated in the table directory":
        data = data[:44]
    elif how == "row count too large":
        data[24:32] = struct.pack("<Q", 2**60)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated", "truncated"),
        ("header only", "too short"),
        ("empty", "too short"),
        ("trailing bytes", "trailing bytes"),
        ("flipped byte in a hash", "checksum"),
        ("flipped byte in a label", "checksum"),
        ("flipped byte in a table", "checksum"),
        ("flipped checksum", "checksum"),
        ("wrong magic", "not a Bouclier index snapshot"),
        ("foreign file", "not a Bouclier index snapshot"),
        ("future version", "version 99"),
        ("no tables", "0 tables"),
        ("truncated in the table directory", "directory"),
        ("row count too large", "expected"),
    ],
)
def test_damaged_or_foreign_files_are_refused(
    snapshot: tuple[Path, np.ndarray, np.ndarray, np.ndarray], how: str, message: str
) -> None:
    path = snapshot[0]
    _damage(path, how)
    with pytest.raises(SnapshotError, match=message) as caught:
        HammingIndex.load(path)
    assert caught.value.code == "invalid_snapshot"


def _craft(path: Path, how: str) -> None:
    """Changes the file as an attacker would, then gives it a valid checksum."""
    file = _Layout(path)
    data = bytearray(path.read_bytes()[:-4])
    rows = file.rows(0)
    bits, form, _ = file.tables[0]
    assert form == NARROW  # 3000 uniform hashes in tables of 14 bits: ~47 rows a block
    low = file.table[0] + _pad8(4 * ((1 << bits >> 8) + 1))
    if how == "offsets decreasing":  # 1-byte offsets of block 0: 0 ... 255 then 0 at bucket 8
        data[low + 1 : low + 8] = bytes([255] * 7)
    elif how == "offsets past n":
        struct.pack_into("<I", data, file.table[0] + 4, 2**31 - 1)  # + 255 stays in 32 bits
    elif how == "offsets not starting at 0":
        data[low] = 1
    elif how == "spilled block out of range":
        struct.pack_into("<I", data, file.table[0] + 4, 0x8000_0000)  # none are spilled
    elif how == "more spilled blocks than rows allow":
        struct.pack_into("<Q", data, 48, file.n)
    elif how == "row id out of range":
        struct.pack_into("<I", data, rows + 4 * 3, file.n)
    elif how == "row id listed twice":
        struct.pack_into("<I", data, rows + 4 * 3, struct.unpack_from("<I", data, rows)[0])
    elif how == "table too wide":
        struct.pack_into("<I", data, 40, 29)
    elif how == "unknown offsets form":
        struct.pack_into("<I", data, 44, 3)
    elif how == "more than 256 bits":
        for t in range(file.m):
            struct.pack_into("<I", data, 40 + 16 * t, 28)
    elif how == "labels out of order":
        data[file.labels : file.labels + 16] = np.array([5, 5], "<i8").tobytes()
    elif how == "an extra label also in the tables":
        data[file.extra : file.extra + 8] = data[file.labels : file.labels + 8]
    data += struct.pack("<I", _hamming.crc32c(bytes(data)))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("offsets decreasing", "bucket offsets"),
        ("offsets past n", "bucket offsets"),
        ("offsets not starting at 0", "bucket offsets"),
        ("spilled block out of range", "past the 0 spilled blocks"),
        ("more spilled blocks than rows allow", "spill out of range"),
        ("row id out of range", "out of range"),
        ("row id listed twice", "listed twice"),
        ("table too wide", "width, offsets' form"),
        ("unknown offsets form", "width, offsets' form"),
        ("more than 256 bits", "256-bit"),
        ("labels out of order", "strictly increasing"),
        ("an extra label also in the tables", "in and outside"),
    ],
)
def test_crafted_files_with_a_valid_checksum_are_refused(
    snapshot: tuple[Path, np.ndarray, np.ndarray, np.ndarray], how: str, message: str
) -> None:
    """The checksum only catches damage: the structure is checked too, before C reads it."""
    path = snapshot[0]
    _craft(path, how)
    with pytest.raises(SnapshotError, match=message):
        HammingIndex.load(path)


def test_labels_out_of_order_are_refused_even_with_a_good_checksum(tmp_path: Path) -> None:
    """A well-formed file from elsewhere must still hold what save writes: sorted unique labels."""
    header = struct.pack("<12sIIIQ", MAGIC, 1, 32, 0, 2)
    body = header + np.array([5, 5], "<i8").tobytes() + bytes(64)
    path = tmp_path / "forged.bin"
    path.write_bytes(body + struct.pack("<I", zlib.crc32(body)))
    with pytest.raises(SnapshotError, match="strictly increasing"):
        HammingIndex.load(path)


def test_crc32c_is_the_castagnoli_checksum() -> None:
    assert _hamming.crc32c(b"123456789") == 0xE3069283  # the standard check value
    assert _hamming.crc32c(b"6789", _hamming.crc32c(b"12345")) == 0xE3069283


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        HammingIndex.load(tmp_path / "nowhere.bin")


def _as_version_2(path: Path) -> None:
    """Rewrites a version-3 file whose tables are all compact or wide as version 2 wrote it
    (8-byte directory entries: width and form), with its checksum."""
    data = path.read_bytes()[:-4]
    file = _Layout(path)
    assert all(form in (COMPACT, WIDE) for _, form, _ in file.tables)
    directory = b"".join(struct.pack("<II", bits, form) for bits, form, _ in file.tables)
    body = data[:12] + struct.pack("<I", 2) + data[16:40] + directory + data[file.labels :]
    path.write_bytes(body + struct.pack("<I", _hamming.crc32c(body)))


def test_a_version_2_file_is_still_read(tmp_path: Path) -> None:
    """40,000 hashes in tables of 14-16 bits: ~150-600 rows a block, too many for 1-byte
    offsets, so the tables are compact, which version 2 could hold."""
    rng = np.random.default_rng(5)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 40_000, query, range(41))
    index = HammingIndex()
    index.add(hashes, labels)
    index.compact()
    path = tmp_path / "v2.bin"
    index.save(path)
    _as_version_2(path)
    assert struct.unpack_from("<I", path.read_bytes(), 12) == (2,)
    loaded = HammingIndex.load(path)
    for radius in (0, 31, 40):
        assert loaded.search(query, radius) == brute_force_search(hashes, labels, query, radius)


def test_a_version_2_file_cannot_hold_narrow_offsets(
    snapshot: tuple[Path, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    path = snapshot[0]
    data = bytearray(path.read_bytes()[:-4])
    file = _Layout(path)
    directory = b"".join(struct.pack("<II", bits, form) for bits, form, _ in file.tables)
    body = bytes(data[:12]) + struct.pack("<I", 2) + bytes(data[16:40]) + directory
    body += bytes(data[file.labels :])
    path.write_bytes(body + struct.pack("<I", _hamming.crc32c(body)))
    with pytest.raises(SnapshotError, match="offsets' form"):
        HammingIndex.load(path)

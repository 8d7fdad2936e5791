"""Snapshots: a round trip keeps every search answer; a damaged or foreign file is refused."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from bouclier.errors import SnapshotError
from bouclier.index import HammingIndex, brute_force_search
from bouclier.index.snapshot import MAGIC
from tests.index.neighbours import planted, random_hashes


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
    for radius in (0, 15, 31, 40, 63, 256):
        assert loaded.search(query, radius) == brute_force_search(hashes, labels, query, radius)
    # the file holds 32 header bytes, 40 bytes per live row and a 4-byte checksum
    assert path.stat().st_size == 32 + 40 * len(labels) + 4
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.bin"]  # no temporary left


def test_round_trip_of_an_empty_index(tmp_path: Path) -> None:
    HammingIndex().save(tmp_path / "empty.bin")
    loaded = HammingIndex.load(tmp_path / "empty.bin")
    assert len(loaded) == 0
    assert len(loaded.search(bytes(32), 256)) == 0


def test_save_replaces_an_older_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "index.bin"
    index = HammingIndex()
    index.add(random_hashes(np.random.default_rng(0), 3), np.array([1, 2, 3]))
    index.save(path)
    index.remove([2])
    index.save(path)
    assert len(HammingIndex.load(path)) == 2


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
        data[40] ^= 0x01
    elif how == "flipped checksum":
        data[-1] ^= 0xFF
    elif how == "wrong magic":
        data[:12] = b"NOTANINDEX!!"
    elif how == "foreign file":
        data = bytearray(b"PK\x03\x04" + bytes(200))
    elif how == "future version":
        data[12:16] = struct.pack("<I", 99)
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
        ("flipped checksum", "checksum"),
        ("wrong magic", "not a Bouclier index snapshot"),
        ("foreign file", "not a Bouclier index snapshot"),
        ("future version", "version 99"),
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


def test_labels_out_of_order_are_refused_even_with_a_good_checksum(tmp_path: Path) -> None:
    """A well-formed file from elsewhere must still hold what save writes: sorted unique labels."""
    header = struct.pack("<12sIIIQ", MAGIC, 1, 32, 0, 2)
    body = header + np.array([5, 5], "<i8").tobytes() + bytes(64)
    path = tmp_path / "forged.bin"
    path.write_bytes(body + struct.pack("<I", zlib.crc32(body)))
    with pytest.raises(SnapshotError, match="strictly increasing"):
        HammingIndex.load(path)


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        HammingIndex.load(tmp_path / "nowhere.bin")

"""The matcher snapshot's format 3: PDQ held as its built index (a format-2 index file at the end
of the file, mapped on reading), the other types as rows; format 2 still read; a damaged or
crafted index section refused with SnapshotError, never trusted."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from bouclier.banks import snapshot as snapshots
from bouclier.banks.hashes import BankInfo, IndexedRows, SignalRows
from bouclier.banks.matcher import BankMatcher
from bouclier.errors import SnapshotError
from bouclier.index import HammingIndex, _hamming

KEY = b"k" * 32
CHANGE = bytes(range(32))


def _index(seed: int = 0) -> tuple[HammingIndex, np.ndarray]:
    """An index with a main segment, tombstones and a delta; its hashes by label."""
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    index = HammingIndex(delta_limit=1000, background=False)
    index.add(hashes[:2500], np.arange(1, 2501, dtype=np.int64) * 2)  # a bulk load: merged
    index.add(hashes[2500:], np.arange(2501, 3001, dtype=np.int64) * 2)  # in the delta
    index.remove([2, 10, 5002, 5004])  # two in the main segment, two in the delta
    return index, hashes


def _snapshot(index: HammingIndex) -> snapshots.MatcherSnapshot:
    segment = index.stored()
    entries = IndexedRows(segment, np.zeros(0, np.int32)).entry_ids()
    held = IndexedRows(segment, (entries % 3 + 1).astype(np.int32))  # banks 1..3
    digests = SignalRows(
        np.array([7, 9], np.int64), np.array([2, 3], np.int32), np.ones((2, 32), np.uint8)
    )
    return snapshots.MatcherSnapshot(5, CHANGE, {"sha256": digests}, {"pdq": held})


def test_format_3_round_trip_maps_the_index(tmp_path: Path) -> None:
    index, _ = _index()
    path = tmp_path / "m.snap"
    snapshots.write(path, _snapshot(index), KEY)
    read = snapshots.read(path, KEY)
    assert (read.version, read.cursor, read.change) == (3, 5, CHANGE)
    assert len(read) == len(index) + 2
    rows, labels = index.live()
    pdq = read.rows("pdq")
    assert pdq.entry_ids.tolist() == labels.tolist()
    assert np.array_equal(pdq.rows, rows)
    assert pdq.bank_ids.tolist() == (labels % 3 + 1).tolist()
    assert read.signals["sha256"].entry_ids.tolist() == [7, 9]
    segment = read.indexed["pdq"].segment
    assert not segment.hashes.flags.writeable  # in the mapped file, not a copy
    assert segment.tables is not None


def test_format_3_matcher_answers_as_the_rebuilt_one(tmp_path: Path) -> None:
    index, hashes = _index(1)
    path = tmp_path / "m.snap"
    snapshots.write(path, _snapshot(index), KEY)
    banks = _banks()
    loaded = BankMatcher.from_snapshot(snapshots.read(path, KEY), banks)
    as_rows = snapshots.read(path, KEY)
    rebuilt = BankMatcher.from_snapshot(
        snapshots.MatcherSnapshot(5, CHANGE, {**as_rows.signals, "pdq": as_rows.rows("pdq")}),
        banks,
    )
    assert not _hamming_index(loaded).stored().hashes.flags.writeable  # searched where it lies
    queries = hashes[::7].copy()
    queries[:, 0] ^= 0x0F  # 4 bits away
    assert _answers(loaded, queries) == _answers(rebuilt, queries)
    assert sum(map(len, _answers(loaded, queries))) > 300


def _banks() -> dict[int, BankInfo]:
    now = datetime.now(UTC)
    return {i: BankInfo(i, f"b{i}", "victim", 31, now, 0) for i in (1, 2, 3)}


def _answers(matcher: BankMatcher, queries: np.ndarray) -> list[list[tuple[str, int, int]]]:
    return [
        [(m.bank, m.entry, m.distance) for m in found]
        for found in matcher.match_packed("pdq", queries)
    ]


def test_version_2_is_still_written_and_read_as_rows(tmp_path: Path) -> None:
    index, _ = _index(2)
    path = tmp_path / "m.snap"
    snapshots.write(path, _snapshot(index), KEY, version=2)
    read = snapshots.read(path, KEY)
    assert read.version == 2
    assert not read.indexed
    rows, labels = index.live()
    assert read.signals["pdq"].entry_ids.tolist() == labels.tolist()
    assert np.array_equal(read.signals["pdq"].rows, rows)


def _image_start(path: Path) -> int:
    data = path.read_bytes()
    return data.index(b"BOUCLIERHIDX")


@pytest.mark.parametrize("where", [0.0, 0.001, 0.2, 0.5, 0.8, 0.999])
def test_a_bit_flipped_index_section_is_refused(tmp_path: Path, where: float) -> None:
    index, _ = _index(3)
    path = tmp_path / "m.snap"
    snapshots.write(path, _snapshot(index), KEY)
    data = bytearray(path.read_bytes())
    start = _image_start(path)
    at = start + 12 + int(where * (len(data) - start - 13))  # past the magic bytes
    data[at] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError):
        snapshots.read(path, KEY)


@pytest.mark.parametrize("cut", [1, 4, 100, 5000])
def test_a_truncated_index_section_is_refused(tmp_path: Path, cut: int) -> None:
    index, _ = _index(4)
    path = tmp_path / "m.snap"
    snapshots.write(path, _snapshot(index), KEY)
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    with pytest.raises(SnapshotError, match="truncated"):
        snapshots.read(path, KEY)
    path.write_bytes(data[: _image_start(path)])  # the index left out entirely
    with pytest.raises(SnapshotError, match="truncated"):
        snapshots.read(path, KEY)


def _recrc(data: bytearray, start: int) -> bytes:
    """``data`` with its index section's CRC-32C made right again (a crafted file)."""
    body = bytes(data[start:-4])
    return bytes(data[:-4]) + struct.pack("<I", _hamming.crc32c(body))


def test_a_crafted_index_section_with_a_good_checksum_is_refused(tmp_path: Path) -> None:
    index, _ = _index(5)
    path = tmp_path / "m.snap"
    snapshots.write(path, _snapshot(index), KEY)
    data = bytearray(path.read_bytes())
    start = _image_start(path)
    (m,) = struct.unpack_from("<I", data, start + 20)
    first = start + 40 + 16 * m  # the labels (after 16 bytes a table): two swapped
    data[first : first + 8], data[first + 8 : first + 16] = (
        data[first + 8 : first + 16],
        data[first : first + 8],
    )
    path.write_bytes(_recrc(data, start))
    with pytest.raises(SnapshotError, match="not strictly increasing"):
        snapshots.read(path, KEY)


def test_bank_ids_that_do_not_match_the_index_are_refused(tmp_path: Path) -> None:
    index, _ = _index(6)
    good = _snapshot(index)
    held = good.indexed["pdq"]
    with pytest.raises(ValueError, match="one bank id per live entry"):
        snapshots.write(
            tmp_path / "m.snap",
            snapshots.MatcherSnapshot(
                5, CHANGE, {}, {"pdq": IndexedRows(held.segment, held.bank_ids[1:])}
            ),
            KEY,
        )


def test_an_index_form_in_a_version_2_file_is_refused(tmp_path: Path) -> None:
    index, _ = _index(7)
    path = tmp_path / "m.snap"
    snapshots.write(path, _snapshot(index), KEY)
    data = bytearray(path.read_bytes())
    data[12] = 2  # version 2 says nothing of indexes: refused before any checksum
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="pdq in a form unknown to version 2"):
        snapshots.read(path, KEY)


def _hamming_index(matcher: BankMatcher) -> HammingIndex:
    index = matcher.index
    assert isinstance(index, HammingIndex)
    return index

"""1-byte bucket offsets (the narrow form): a uint32 base per block of 256 buckets, a uint8 per
bucket, and blocks of more than 255 rows spilled to 256 uint32 starts. Exactness at the edges
of blocks, for empty, full and overflowing blocks, and refusal of crafted offsets."""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.index import _hamming
from bouclier.index.segments import packed
from tests.index.neighbours import random_hashes

NARROW = 2
BLOCK = 256


def _keyed(rng: np.random.Generator, keys: list[int]) -> np.ndarray:
    """Random hashes whose first 16 bits (table 0's key, little-endian) are ``keys``."""
    hashes = random_hashes(rng, len(keys))
    hashes[:, 0] = np.array(keys) & 0xFF
    hashes[:, 1] = np.array(keys) >> 8
    return hashes


def _bank() -> np.ndarray:
    """A block's 1-byte offsets are the starts of its 256 buckets counted from its base, so what
    must fit 255 is the rows of its first 255 buckets. Block 0: exactly 255 rows there, and 3 in
    its last bucket (full, not spilled); block 1: 256 (one too many: spilled); block 2 none;
    rows on each side of the boundaries of blocks 3, 4 and 5. The other rows have keys from
    block 8 on, so that the first blocks hold exactly what is listed here."""
    rng = np.random.default_rng(7)
    keys = [0] * 55 + [254] * 200 + [255] * 3  # block 0
    keys += [256] * 100 + [300] + [510] * 155 + [511] * 2  # block 1
    keys += [1023, 1024, 1279, 1280]  # edges of blocks 3, 4, 5
    rest = rng.integers(8 * BLOCK, 1 << 16, 3000).tolist()
    return np.ascontiguousarray(_keyed(rng, keys + rest)[rng.permutation(len(keys) + 3000)])


def _rows(found: tuple[bytes, bytes, bytes]) -> list[tuple[int, int]]:
    rows, distances, _ = found
    return sorted(
        zip(
            np.frombuffer(rows, np.uint32).tolist(),
            np.frombuffer(distances, np.uint16).tolist(),
            strict=True,
        )
    )


def test_full_empty_and_spilled_blocks_give_every_row_at_every_edge() -> None:
    """One table of 16 bits (searched at radius r with r + 1 key bits flipped at most): every
    answer comes from these offsets, at keys on both sides of each block boundary."""
    hashes = _bank()
    index = _hamming.MultiIndex(hashes, [16])
    assert index.forms == ((NARROW, 1),)  # block 1 alone spilled; block 0's 255 rows fit
    rng = np.random.default_rng(8)
    edges = [0, 1, 254, 255, 256, 257, 300, 510, 511, 512, 767, 768, 1023, 1024, 1279, 1280]
    queries = _keyed(rng, [*edges, (1 << 16) - 1])
    assert index.plan(3, _hamming.STRATEGY_MULTI) == (3,)  # the table searched, not a scan
    for radius in (0, 1, 2, 3):
        for query in queries:
            expected = _rows(_hamming.scan(hashes, query.tobytes(), radius))
            found = index.search(query.tobytes(), radius, None, _hamming.STRATEGY_MULTI)
            assert _rows(found) == expected
    # each listed bucket, whole: the rows whose key it is (the other 240 bits at any distance)
    for key, count in ((0, 55), (254, 200), (255, 3), (256, 100), (510, 155), (511, 2), (512, 0)):
        rows = np.flatnonzero((hashes[:, 0] == key & 0xFF) & (hashes[:, 1] == key >> 8))
        assert len(rows) == count


def test_the_narrow_form_matches_a_plain_scan_in_a_layout_of_many_tables() -> None:
    rng = np.random.default_rng(9)
    hashes = np.concatenate([_bank(), np.repeat(random_hashes(rng, 1), 300, axis=0)])
    index = _hamming.MultiIndex(hashes, [16] * 16)
    assert all(form == NARROW for form, _ in index.forms)
    assert all(spilled >= 1 for _, spilled in index.forms)  # the 300 copies overflow a block
    for query in np.concatenate([hashes[-1:], hashes[:5], random_hashes(rng, 5)]):
        for radius in (0, 8, 31):
            expected = _rows(_hamming.scan(hashes, query.tobytes(), radius))
            assert _rows(index.search(query.tobytes(), radius)) == expected


def test_adopting_the_tables_as_stored_keeps_them() -> None:
    hashes = _bank()
    index = _hamming.MultiIndex(hashes, [16])
    copy = _hamming.MultiIndex.adopt(hashes, index.bits, index.forms, packed(index))
    assert copy.forms == index.forms
    query = hashes[0].tobytes()
    assert _rows(copy.search(query, 31)) == _rows(index.search(query, 31))


def _parts(index: _hamming.MultiIndex) -> tuple[int, int, int]:
    """Where table 0's base, low8 and spill arrays begin in ``packed(index)``."""
    base = memoryview(index.parts()[0][0]).nbytes
    low = memoryview(index.parts()[0][1]).nbytes
    return 0, (base + 7) // 8 * 8, (base + 7) // 8 * 8 + (low + 7) // 8 * 8


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("1-byte offsets decreasing", "bucket offsets"),
        ("1-byte offsets decreasing across a block edge", "bucket offsets"),
        ("spilled starts decreasing", "bucket offsets"),
        ("spilled block out of range", "past the 1 spilled blocks"),
        ("a base with the spill bit cleared", "bucket offsets"),
        ("more spilled blocks than stored", "tables take"),
        ("spill count on a compact table", "spilled blocks"),
    ],
)
def test_crafted_narrow_offsets_are_refused(how: str, message: str) -> None:
    hashes = _bank()
    index = _hamming.MultiIndex(hashes, [16])
    stored = packed(index)
    base, low, spill = _parts(index)
    forms = index.forms
    if how == "1-byte offsets decreasing":
        stored[low + 56] = 54  # bucket 56 starts before bucket 55 (55 rows in bucket 0)
    elif how == "1-byte offsets decreasing across a block edge":
        stored[base + 4 * 3 : base + 4 * 4] = np.frombuffer(np.uint32(1).tobytes(), np.uint8)
    elif how == "spilled starts decreasing":
        stored[spill + 4 * 45] = 0  # bucket 301's start (359) loses its low byte: 256 < 359
    elif how == "spilled block out of range":
        stored[base + 4 : base + 8] = np.frombuffer(np.uint32(0x8000_0001).tobytes(), np.uint8)
    elif how == "a base with the spill bit cleared":
        stored[base + 4 * 1 + 3] = 0  # block 1's base now 0: it starts before block 0 ends
    elif how == "more spilled blocks than stored":
        forms = ((NARROW, 2),)
    elif how == "spill count on a compact table":
        forms = ((0, 1),)
    with pytest.raises(ValueError, match=message):
        _hamming.MultiIndex.adopt(hashes, index.bits, forms, stored)

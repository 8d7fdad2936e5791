"""The C extension on its own: it checks every buffer it is given, and its plans are exact."""

from __future__ import annotations

import gc
from typing import Any

import numpy as np
import pytest

from bouclier.index import _hamming, brute_force_search
from bouclier.index.segments import choose_layout
from tests.index.neighbours import random_hashes

HASHES = random_hashes(np.random.default_rng(0), 500)
COMPACT, WIDE, NARROW = 0, 1, 2  # forms of a table's bucket offsets (_hamming.h)


def _rows(found: tuple[bytes, bytes, bytes]) -> list[tuple[int, int]]:
    rows, distances, _ = found
    pairs = zip(
        np.frombuffer(rows, np.uint32).tolist(),
        np.frombuffer(distances, np.uint16).tolist(),
        strict=False,
    )
    return sorted(pairs)


@pytest.mark.parametrize(
    ("hashes", "bits", "error"),
    [
        (bytes(33), [8], ValueError),
        (HASHES, [], ValueError),
        (HASHES, [0], ValueError),
        (HASHES, [29], ValueError),
        (HASHES, [28] * 10, ValueError),  # 280 bits
        (HASHES, [1] * 65, ValueError),
        (HASHES, ["8"], TypeError),
        (HASHES, 8, TypeError),
        ("not a buffer", [8], TypeError),
        (np.asfortranarray(np.zeros((4, 32), np.uint8)), [8], ValueError),  # numpy's own check
    ],
)
def test_bad_constructor_arguments(hashes: Any, bits: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        _hamming.MultiIndex(hashes, bits)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda ix: ix.search(bytes(31), 3), ValueError),
        (lambda ix: ix.search(bytes(32), -1), ValueError),
        (lambda ix: ix.search(bytes(32), 257), ValueError),
        (lambda ix: ix.search(bytes(32), 3, bytes(62)), ValueError),  # 500 rows need 63 bytes
        (lambda ix: ix.search(bytes(32), 3, None, 7), ValueError),
        (lambda ix: ix.search("x" * 32, 3), TypeError),
        (lambda ix: ix.plan(300), ValueError),
        (lambda ix: _hamming.scan(bytes(33), bytes(32), 3), ValueError),
        (lambda ix: _hamming.scan(bytes(64), bytes(32), 3, bytes(0)), ValueError),
        (lambda ix: _hamming.scan(bytes(64), bytes(30), 3), ValueError),
        (lambda ix: _hamming.estimate(10, [8], 999), ValueError),
        (lambda ix: ix.search(bytes(32), 3, None, 0, -1), ValueError),
        (lambda ix: ix.search(bytes(32), 3, None, 0, 65), ValueError),
        (lambda ix: _hamming.estimate(-1, [8], 31), ValueError),
    ],
)
def test_bad_search_arguments(call: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        call(_hamming.MultiIndex(HASHES, [16] * 16))


@pytest.mark.parametrize("threads", [0, 1, 2, 5])
def test_a_batch_on_threads_answers_each_query_as_alone(threads: int) -> None:
    ix = _hamming.MultiIndex(HASHES, [13] * 19)
    queries = HASHES[:40]
    for radius in (0, 31, 63):
        found = ix.search(queries, radius, None, _hamming.STRATEGY_MULTI, threads)
        counts = np.frombuffer(found[2], np.int64)
        bounds = [0, *np.cumsum(counts).tolist()]
        rows = np.frombuffer(found[0], np.uint32)
        distances = np.frombuffer(found[1], np.uint16)
        for j, query in enumerate(queries):
            part = sorted(
                zip(
                    rows[bounds[j] : bounds[j + 1]].tolist(),
                    distances[bounds[j] : bounds[j + 1]].tolist(),
                    strict=True,
                )
            )
            assert part == _rows(_hamming.scan(HASHES, query.tobytes(), radius))


@pytest.mark.parametrize("bits", [[16] * 16, [8] * 32, [13] * 19, [18] * 14, [5, 17, 1, 12], [1]])
def test_any_layout_is_exact(bits: list[int], scan_kernel: str) -> None:
    """Covering all 256 bits or not, even or uneven widths: the same answers as a scan."""
    ix = _hamming.MultiIndex(HASHES, bits)
    assert ix.bits == tuple(bits)
    assert len(ix) == len(HASHES)
    query = HASHES[17].tobytes()
    for radius in (0, 1, 7, 31, 63, 110, 256):
        expected = _rows(_hamming.scan(HASHES, query, radius))
        assert _rows(ix.search(query, radius, None, _hamming.STRATEGY_MULTI)) == expected
        assert _rows(ix.search(query, radius, None, _hamming.STRATEGY_LINEAR)) == expected
        assert _rows(ix.search(query, radius)) == expected


@pytest.mark.parametrize("n", [0, 1, 100, 5000, 10**6, 10**7, 10**8])
def test_plans_satisfy_the_pigeonhole(n: int) -> None:
    bits = choose_layout(n)
    assert sum(bits) <= 256
    for radius in range(257):
        multi, _, plan, _ = _hamming.estimate(n, bits, radius)
        if plan is None:  # some bits uncovered: no exact plan at this radius
            assert sum(b + 1 for b in bits) < radius + 1
            assert multi == float("inf")
            continue
        assert sum(rho + 1 for rho in plan) >= radius + 1
        assert all(-1 <= rho <= b for rho, b in zip(plan, bits, strict=True))


def test_the_index_follows_the_plan() -> None:
    bits = choose_layout(len(HASHES))
    ix = _hamming.MultiIndex(HASHES, bits)
    for radius in (0, 31, 200):
        assert ix.plan(radius, _hamming.STRATEGY_MULTI) == _hamming.estimate(500, bits, radius)[2]
        assert ix.plan(radius, _hamming.STRATEGY_LINEAR) is None


@pytest.mark.parametrize("n", [10**5, 10**6, 10**7, 10**8])
def test_layouts_stay_within_the_memory_budget(n: int) -> None:
    bits = choose_layout(n)
    table_bytes = _hamming.estimate(n, bits, 31)[3]
    assert table_bytes / n + 40 <= 120, bits  # + 40: the hash and its label


def test_reported_table_memory_matches_the_estimate() -> None:
    bits = choose_layout(len(HASHES))
    assert _hamming.MultiIndex(HASHES, bits).nbytes == _hamming.estimate(500, bits, 31)[3]


def test_tombstones_hide_rows(scan_kernel: str) -> None:
    ix = _hamming.MultiIndex(HASHES, [16] * 16)
    dead = np.zeros(63, np.uint8)
    dead[17 >> 3] |= 1 << (17 & 7)
    for strategy in (_hamming.STRATEGY_MULTI, _hamming.STRATEGY_LINEAR):
        assert _rows(ix.search(HASHES[17].tobytes(), 0, dead, strategy)) == []
        assert _rows(ix.search(HASHES[17].tobytes(), 0, None, strategy)) == [(17, 0)]


def test_counts_split_the_results_per_query(scan_kernel: str) -> None:
    ix = _hamming.MultiIndex(HASHES, [16] * 16)
    rows, _distances, counts = ix.search(HASHES[[3, 4, 3]].tobytes(), 0)
    assert np.frombuffer(counts, np.int64).tolist() == [1, 1, 1]
    assert np.frombuffer(rows, np.uint32).tolist() == [3, 4, 3]
    assert ix.search(b"", 0) == (b"", b"", b"")


def test_the_index_keeps_its_hashes_alive() -> None:
    hashes = HASHES.copy()
    ix = _hamming.MultiIndex(hashes, [16] * 16)
    with pytest.raises(ValueError, match="resize"):
        hashes.resize((10, 32))  # numpy refuses: the index holds a view of the buffer
    del hashes
    gc.collect()
    assert _rows(ix.search(HASHES[9].tobytes(), 0)) == [(9, 0)]


def test_estimate_prefers_tables_for_small_radii_at_scale() -> None:
    multi, linear, _, _ = _hamming.estimate(10**7, choose_layout(10**7), 31)
    assert multi < linear / 10
    multi, linear, _, _ = _hamming.estimate(10**7, choose_layout(10**7), 128)
    assert multi > linear


def test_brute_force_reference_on_a_hand_made_case() -> None:
    """The reference itself, checked by hand: byte order and bit counts."""
    stored = np.zeros((3, 32), np.uint8)
    stored[1, 0] = 0b1000_0001  # two bits in the first byte
    stored[2, :] = 0xFF  # all 256 bits
    hits = brute_force_search(stored, np.array([7, 8, 9]), bytes(32), 2)
    assert hits.labels.tolist() == [7, 8]
    assert hits.distances.tolist() == [0, 2]
    assert brute_force_search(stored, np.array([7, 8, 9]), bytes(32), 256).distances[-1] == 256


def test_a_heavily_repeated_hash_is_spilled_and_stays_exact(scan_kernel: str) -> None:
    """70,000 copies of one hash overflow the 1-byte (and 16-bit) offsets of their block: that
    block alone is spilled (256 uint32 starts), every other block keeps 1-byte offsets, and the
    answers do not change. Before spilling, such a table took 4 bytes a bucket."""
    rng = np.random.default_rng(1)
    hashes = np.concatenate([np.zeros((70_000, 32), np.uint8), random_hashes(rng, 3000)])
    uniform = _hamming.MultiIndex(random_hashes(rng, len(hashes)), [16] * 16)
    skewed = _hamming.MultiIndex(hashes, [16] * 16)
    assert uniform.forms == ((COMPACT, 0),) * 16  # ~285 rows a block: 2 bytes a bucket
    assert skewed.forms == ((NARROW, 1),) * 16
    assert skewed.nbytes < uniform.nbytes - 16 * 60_000  # ~1 byte a bucket, not ~2
    near = bytes([1]) + bytes(31)  # 1 bit away from the repeated hash
    for radius in (0, 1, 31):
        expected = _rows(_hamming.scan(hashes, near, radius))
        assert _rows(skewed.search(near, radius, None, _hamming.STRATEGY_MULTI)) == expected
        assert len(expected) >= 70_000 if radius else not expected


def test_tables_of_one_overflowing_block_get_wide_offsets_and_stay_exact(scan_kernel: str) -> None:
    """Tables of 8 bits are one block of 256 buckets: 70,000 rows overflow 16 bits, and spilling
    the block would take more than 4 bytes a bucket, so the table keeps plain uint32 offsets."""
    rng = np.random.default_rng(2)
    hashes = np.concatenate([np.zeros((70_000, 32), np.uint8), random_hashes(rng, 3000)])
    skewed = _hamming.MultiIndex(hashes, [8] * 32)
    assert skewed.forms == ((WIDE, 0),) * 32
    near = bytes([3]) + bytes(31)
    for radius in (0, 2, 31):
        expected = _rows(_hamming.scan(hashes, near, radius))
        assert _rows(skewed.search(near, radius, None, _hamming.STRATEGY_MULTI)) == expected


def test_scan_kernels_agree_on_every_row_and_distance() -> None:
    """Every alignment of the 8-row groups, tails and tombstones: both kernels, the same pairs."""
    rng = np.random.default_rng(3)
    hashes = random_hashes(rng, 1000)
    dead = rng.integers(0, 256, size=125, dtype=np.uint8)
    default = _hamming.simd()
    try:
        for first in range(9):
            for query in (hashes[first], random_hashes(rng, 1)[0]):
                found = {}
                for kernel in (False, True):
                    _hamming.simd(kernel)
                    rows = hashes[first:]
                    found[kernel] = _rows(_hamming.scan(rows, query.tobytes(), 256, dead))
                assert found[False] == found[True]
                assert len(found[False]) == len(rows) - int(
                    np.unpackbits(dead, bitorder="little")[: len(rows)].sum()
                )
    finally:
        _hamming.simd(default)


def test_a_table_of_28_bits_is_exact() -> None:
    """The widest table (what 9 tables of 28 bits at 100M use): 2^28 buckets of 1-byte
    offsets, most of them empty, keys cut across a 64-bit word (bits 0-27 of word 0 here)."""
    ix = _hamming.MultiIndex(HASHES, [28], 1)
    assert ix.forms == ((NARROW, 0),)
    for query in (HASHES[3].tobytes(), random_hashes(np.random.default_rng(5), 1).tobytes()):
        for radius in (0, 1, 3):
            expected = _rows(_hamming.scan(HASHES, query, radius))
            assert _rows(ix.search(query, radius, None, _hamming.STRATEGY_MULTI)) == expected

"""The index returns exactly what the brute-force reference returns, on every search path."""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.index import HammingIndex, SearchHits, _hamming, brute_force_search, segments
from tests.index.neighbours import flipped, planted, random_hashes

STRATEGIES = ["auto", "multi-index", "linear"]
RADII = [*range(64), 80, 100, 128, 200, 255, 256]


def built(hashes: np.ndarray, labels: np.ndarray, strategy: str = "auto") -> HammingIndex:
    index = HammingIndex(strategy=strategy)  # type: ignore[arg-type]
    index.add(hashes, labels)
    index.compact()  # everything in the main segment, behind the tables
    return index


@pytest.fixture(scope="module")
def planted_index() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 4000, query, range(64))
    return query, hashes, labels


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_planted_neighbours_at_every_distance(
    planted_index: tuple[np.ndarray, np.ndarray, np.ndarray], strategy: str
) -> None:
    query, hashes, labels = planted_index
    index = built(hashes, labels, strategy)
    for radius in RADII:
        expected = brute_force_search(hashes, labels, query, radius)
        assert index.search(query, radius) == expected, f"radius {radius}"
        if radius < 64:  # every planted neighbour within the radius, and no other
            assert len(expected) >= radius + 1


def test_forced_multi_index_path_is_taken(
    planted_index: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    _, hashes, labels = planted_index
    index = built(hashes, labels, "multi-index")
    assert all(index.search_path(r) == "multi-index" for r in range(64))
    assert built(hashes, labels, "linear").search_path(0) == "linear"


def test_auto_picks_tables_for_small_radii_and_a_scan_for_large_ones() -> None:
    rng = np.random.default_rng(3)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 20000, query, range(0, 41, 2))
    index = built(hashes, labels)
    assert index.search_path(8) == "multi-index"
    assert index.search_path(256) == "linear"
    for radius in (0, 8, 16, 31, 40):
        assert index.search(query, radius) == brute_force_search(hashes, labels, query, radius)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_random_queries_on_random_data(strategy: str, scan_kernel: str) -> None:
    rng = np.random.default_rng(11)
    hashes = random_hashes(rng, 3000)
    labels = np.arange(3000, dtype=np.int64)
    index = built(hashes, labels, strategy)
    # stored hashes themselves, their close variants, and unrelated hashes
    queries = [hashes[5], flipped(rng, hashes[9], 20), *random_hashes(rng, 3)]
    for query in queries:
        for radius in (0, 31, 63, 96, 128):
            assert index.search(query, radius) == brute_force_search(hashes, labels, query, radius)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_duplicate_hashes_under_different_labels(strategy: str) -> None:
    rng = np.random.default_rng(5)
    base = random_hashes(rng, 1)[0]
    hashes = np.concatenate([np.repeat(base[None], 50, axis=0), random_hashes(rng, 2000)])
    labels = rng.permutation(len(hashes)).astype(np.int64)
    index = built(hashes, labels, strategy)
    hits = index.search(base, 0)
    assert sorted(hits.labels.tolist()) == sorted(labels[:50].tolist())
    assert hits.labels.tolist() == sorted(hits.labels.tolist())  # ties ordered by label
    for radius in (0, 31, 256):
        assert hits == brute_force_search(hashes, labels, base, 0)
        assert index.search(base, radius) == brute_force_search(hashes, labels, base, radius)


@pytest.mark.parametrize("radius", [0, 31, 63, 256])
def test_empty_index(radius: int) -> None:
    index = HammingIndex()
    hits = index.search(bytes(32), radius)
    assert len(hits) == 0
    assert hits.labels.dtype == np.int64
    assert hits.distances.dtype == np.int32
    assert index.search_many(np.zeros((8, 32), np.uint8), radius) == [hits] * 8
    index.compact()
    assert len(index.search(bytes(32), radius)) == 0


def test_results_are_sorted_by_distance_then_label() -> None:
    rng = np.random.default_rng(2)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 500, query, [3, 3, 3, 1, 1, 0, 7])
    hits = built(hashes, labels).search(query, 10)
    pairs = list(zip(hits.distances.tolist(), hits.labels.tolist(), strict=True))
    assert pairs == sorted(pairs)
    assert hits.distances.tolist() == [0, 1, 1, 3, 3, 3, 7]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_search_many_equals_one_search_per_query(strategy: str) -> None:
    rng = np.random.default_rng(9)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 3000, query, range(0, 40, 3))
    index = built(hashes, labels, strategy)
    index.add(random_hashes(rng, 100), np.arange(10**9, 10**9 + 100, dtype=np.int64))  # delta
    queries = np.stack([query, *(flipped(rng, query, d) for d in (1, 5, 12, 30)), hashes[0]])
    for radius in (0, 17, 31, 64):
        many = index.search_many(queries, radius)
        assert len(many) == len(queries)
        assert many == [index.search(q, radius) for q in queries]
    assert index.search_many(np.zeros((0, 32), np.uint8), 31) == []


@pytest.mark.parametrize("threads", [2, 3, 64])
def test_searches_shared_among_threads_are_exact(
    planted_index: tuple[np.ndarray, np.ndarray, np.ndarray], threads: int
) -> None:
    """One call's (query, table) pairs shared among threads: the same answers as brute force,
    one query or a batch (each query's answers joined from every thread's share)."""
    query, hashes, labels = planted_index
    index = HammingIndex(strategy="multi-index", search_threads=threads)
    index.add(hashes, labels)
    index.compact()
    rng = np.random.default_rng(12)
    queries = np.stack([query, *(flipped(rng, query, d) for d in (1, 9, 20, 33)), hashes[5]])
    for radius in range(64):
        assert index.search(query, radius) == brute_force_search(hashes, labels, query, radius)
        many = index.search_many(queries, radius)
        assert many == [brute_force_search(hashes, labels, q, radius) for q in queries]


@pytest.mark.parametrize("threads", [-1, 65])
def test_search_threads_out_of_range_are_refused(threads: int) -> None:
    with pytest.raises(ValueError, match="search_threads"):
        HammingIndex(search_threads=threads)


def test_search_accepts_bytes_and_arrays() -> None:
    rng = np.random.default_rng(4)
    hashes = random_hashes(rng, 10)
    index = built(hashes, np.arange(10, dtype=np.int64))
    expected = SearchHits(np.array([3], np.int64), np.array([0], np.int32))
    assert index.search(hashes[3].tobytes(), 0) == expected
    assert index.search(bytearray(hashes[3].tobytes()), 0) == expected
    assert index.search(hashes[3], 0) == expected
    assert index.search(np.repeat(hashes[3], 2)[::2], 0) == expected  # strided: copied


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_main_and_delta_together(strategy: str, scan_kernel: str) -> None:
    """Hashes spread over the main segment (with tombstones) and the delta, found once each."""
    rng = np.random.default_rng(8)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 3000, query, range(41))
    index = HammingIndex(delta_limit=1000, strategy=strategy)  # type: ignore[arg-type]
    index.add(hashes[:2500], labels[:2500])
    index.add(hashes[2500:], labels[2500:])  # stays in the delta
    gone = labels[::7]
    assert index.remove(gone) == len(gone)
    keep = ~np.isin(labels, gone)
    for radius in (0, 10, 31, 40, 63, 256):
        expected = brute_force_search(hashes[keep], labels[keep], query, radius)
        assert index.search(query, radius) == expected
    assert len(index) == int(keep.sum())


@pytest.mark.parametrize("threads", [0, 1, 2])
def test_an_image_in_one_call_on_many_keyed_tables(
    monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """An image's 8 hashes in one call on tables of 20 bits (walks of ~1,400 keys a table at
    radius 31, many chunks of the key pipeline, narrow offsets with a spilled hub): two hashes
    the same, one a stored row, a family around one, rows removed and rows in the delta; the
    answers are brute force's at the radii around 31, on every thread setting."""
    monkeypatch.setattr(segments, "plan_layout", lambda n, radius=31: (20,) * 9)
    rng = np.random.default_rng(21)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, 4000, query, range(40))
    hub = np.repeat(flipped(rng, query, 25)[None], 600, axis=0)  # one key repeated: spilled
    hub[:, 31] = rng.integers(0, 256, 600)  # bits 248-255, outside every table
    hashes = np.concatenate([hashes, hub])
    labels = np.concatenate([labels, np.arange(10**9, 10**9 + 600, dtype=np.int64)])
    index = HammingIndex(delta_limit=500, strategy="multi-index", search_threads=threads)
    index.add(hashes[:-200], labels[:-200])
    index.add(hashes[-200:], labels[-200:])  # the last 200 (of the hub) stay in the delta
    assert index.plan() == (20,) * 9
    assert any(spilled for _, spilled in index._view.main.tables.forms)
    gone = labels[::5]
    index.remove(gone)
    keep = ~np.isin(labels, gone)
    image = np.stack(
        [
            query,
            flipped(rng, query, 3),
            query,
            hashes[7],
            flipped(rng, query, 31),
            random_hashes(rng, 1)[0],
            flipped(rng, hub[0], 6),
            flipped(rng, query, 45),
        ]
    )
    for radius in (0, 30, 31, 32):
        expected = [brute_force_search(hashes[keep], labels[keep], q, radius) for q in image]
        assert index.search_many(image, radius) == expected


def _flip(hash_: np.ndarray, positions: list[int]) -> np.ndarray:
    out = hash_.copy()
    for bit in positions:  # bit i of the 256 is bit i % 8 of byte i // 8 (the tables' order)
        out[bit // 8] ^= np.uint8(1 << (bit % 8))
    return out


@pytest.mark.parametrize(
    "layout",
    [(12,) * 9, (12,) * 6, (20,) * 2 + (8,) * 10],
    ids=["9x12", "6x12", "2x20+10x8"],
)
def test_every_key_of_every_ball_is_probed(
    monkeypatch: pytest.MonkeyPatch, layout: tuple[int, ...]
) -> None:
    """One stored row per key of each table's ball (every flip mask of up to rho_t bits of table
    t's substring), placed so that only that key of that table can find it: every other table's
    substring is rho_u + 1 bits away, so the row is within 31 bits of the query and reachable
    through that one key alone. A walk that skips or repeats-instead-of-advancing any key (of the
    precomputed flip masks up to 3 bits, or the Gosper enumeration past them) misses a row. (A
    table whose rho covers all its bits walks every bucket; no layout here has one, since such a
    table reaches every row and no row could be reachable through one key alone.)"""
    from itertools import combinations

    monkeypatch.setattr(segments, "plan_layout", lambda n, radius=31: layout)
    rng = np.random.default_rng(33)
    query = random_hashes(rng, 1)[0]
    starts = np.concatenate([[0], np.cumsum(layout)[:-1]]).tolist()
    size, rho = 2000, None
    while True:  # the radii the cost model gives the bank this builds (they depend on its size)
        planned = _hamming.estimate(size, layout, 31)[2]
        if planned == rho:
            break
        rho = planned
        assert rho is not None
        assert sum(r + 1 for r in rho) >= 32
        rows = []
        for t, (start, bits) in enumerate(zip(starts, layout, strict=True)):
            if rho[t] < 0:
                continue
            others = [
                start_u + int(bit)
                for u, (start_u, bits_u) in enumerate(zip(starts, layout, strict=True))
                if u != t and rho[u] >= 0
                for bit in rng.choice(bits_u, rho[u] + 1, replace=False)
            ]
            for weight in range(min(rho[t], bits) + 1):
                for mask in combinations(range(bits), weight):
                    rows.append(_flip(query, others + [start + b for b in mask]))
        size = len(rows)
    hashes = np.stack(rows)
    labels = np.arange(len(hashes), dtype=np.int64)
    index = built(hashes, labels, "multi-index")
    assert index.plan() == layout
    assert index._view.main.tables.plan(31, _hamming.STRATEGY_MULTI) == rho
    found = index.search(query, 31)
    assert len(found) == len(hashes)  # each row is within 31 bits, found by its one key alone
    assert found == brute_force_search(hashes, labels, query, 31)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_misses_and_hits_in_one_segment_or_the_other(strategy: str) -> None:
    """A batch in which no query finds anything is answered without reading the C results (the
    lookup's shortcut); a hit in the delta alone or in the main segment alone still reads them:
    each answer is the brute-force reference's."""
    rng = np.random.default_rng(23)
    hashes = random_hashes(rng, 3000)
    index = built(hashes, np.arange(3000, dtype=np.int64), strategy)
    extra = random_hashes(rng, 50)
    index.add(extra, np.arange(10**6, 10**6 + 50, dtype=np.int64))  # the delta
    misses = random_hashes(rng, 5)
    every = np.concatenate([hashes, extra])
    labels = np.concatenate([np.arange(3000), np.arange(10**6, 10**6 + 50)]).astype(np.int64)
    for queries in (misses, np.stack([*misses, extra[7]]), np.stack([hashes[11], *misses])):
        many = index.search_many(queries, 31)
        assert many == [brute_force_search(every, labels, q, 31) for q in queries]
    assert [len(hits) for hits in index.search_many(misses, 31)] == [0] * 5

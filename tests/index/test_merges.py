"""Merges in the background: searches stay exact while one runs, and no add or removal made
meanwhile is lost; a merge that fails loses nothing either. Tables built on several threads are
the tables built on one."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from bouclier.index import HammingIndex, _hamming, brute_force_search
from bouclier.index.segments import MainSegment, plan_layout
from tests.index.neighbours import planted, random_hashes


def _bank(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    query = random_hashes(rng, 1)[0]
    hashes, labels = planted(rng, n - 32, query, range(32))
    return query, hashes, labels


def test_searches_during_background_merges_stay_exact() -> None:
    query, hashes, labels = _bank(1, 150_000)
    index = HammingIndex(delta_limit=2000)
    index.add(hashes, labels)
    expected = index.search(query, 31)
    assert len(expected) >= 32
    rng = np.random.default_rng(2)
    failures: list[str] = []
    seen_merging = 0
    done = threading.Event()

    def writer() -> None:
        try:
            for round_ in range(12):  # far-away hashes: they never enter the answer
                far = random_hashes(rng, 1500)
                far[:, :8] = ~query[:8]  # >= 64 bits from the query
                index.add(far, np.arange(10**7 + 1500 * round_, 10**7 + 1500 * (round_ + 1)))
        except Exception as error:  # reported by the main thread
            failures.append(repr(error))
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    while not done.is_set() or index.merging:
        seen_merging += index.merging
        if index.search(query, 31) != expected:
            failures.append("a search during a merge lost or changed an answer")
    thread.join()
    index.wait_for_merge()
    assert failures == []
    assert index.merges >= 2
    assert seen_merging > 0  # searches did run beside a merge
    assert index.search(query, 31) == expected
    assert len(index) == len(labels) + 12 * 1500


def test_adds_and_removals_during_a_merge_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    query, hashes, labels = _bank(3, 100_000)
    index = HammingIndex(delta_limit=1000)
    index.add(hashes, labels)
    gate = threading.Event()  # holds the merge open while this thread changes the index
    build = MainSegment.build

    def held(*args: object, **kwargs: object) -> MainSegment:
        assert gate.wait(30)
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MainSegment, "build", staticmethod(held))
    rng = np.random.default_rng(4)
    first = random_hashes(rng, 1001)
    index.add(first[:600], np.arange(10**8, 10**8 + 600))
    index.add(first[600:], np.arange(10**8 + 600, 10**8 + 1001))  # the delta passes its limit
    assert index.merging
    later = np.repeat(query[None], 300, axis=0)  # added while the merge runs: exact copies
    later_labels = np.arange(2 * 10**8, 2 * 10**8 + 300)
    for chunk in range(3):
        index.add(
            later[chunk * 100 : (chunk + 1) * 100], later_labels[chunk * 100 : (chunk + 1) * 100]
        )
    gone = np.concatenate([labels[:50], later_labels[:10], np.arange(10**8, 10**8 + 5)])
    assert index.remove(gone) == len(gone)
    assert index.merging
    merges = index.merges
    gate.set()
    index.wait_for_merge()
    assert index.merges == merges + 1
    kept_hashes = np.concatenate([hashes[50:], first[5:], later[10:]])
    kept_labels = np.concatenate(
        [labels[50:], np.arange(10**8 + 5, 10**8 + 1001), later_labels[10:]]
    )
    assert len(index) == len(kept_labels)
    for q in (query, first[7], hashes[60]):
        assert index.search(q, 31) == brute_force_search(kept_hashes, kept_labels, q, 31)
    assert all(int(label) not in index for label in gone)
    index.compact()
    assert index.search(query, 31) == brute_force_search(kept_hashes, kept_labels, query, 31)


def test_a_failed_merge_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    query, hashes, labels = _bank(5, 5000)
    index = HammingIndex(delta_limit=100)
    index.add(hashes[:4000], labels[:4000])
    build = MainSegment.build
    calls = []

    def failing(*args: object, **kwargs: object) -> MainSegment:
        calls.append(1)
        if len(calls) == 1:
            raise MemoryError("no memory for the new tables")
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MainSegment, "build", staticmethod(failing))
    merges = index.merges
    index.add(hashes[4000:4060], labels[4000:4060])
    index.add(hashes[4060:4120], labels[4060:4120])  # due: the merge fails in the background
    index.wait_for_merge()
    assert index.merges == merges
    kept = brute_force_search(hashes[:4120], labels[:4120], query, 31)
    assert index.search(query, 31) == kept  # the rows wait in the delta
    index.add(hashes[4120:4200], labels[4120:4200])  # the next add retries, and succeeds
    index.wait_for_merge()
    assert index.merges == merges + 1
    assert index.search(query, 31) == brute_force_search(hashes[:4200], labels[:4200], query, 31)


@pytest.mark.parametrize("threads", [2, 3, 64])
def test_tables_built_on_several_threads_are_those_built_on_one(threads: int) -> None:
    _, hashes, _ = _bank(6, 20_000)
    bits = plan_layout(len(hashes))
    one = _hamming.MultiIndex(hashes, bits, 1)
    many = _hamming.MultiIndex(hashes, bits, threads)
    assert one.bits == many.bits
    assert one.forms == many.forms
    for a, b in zip(one.parts(), many.parts(), strict=True):
        assert [bytes(x) for x in a] == [bytes(y) for y in b]

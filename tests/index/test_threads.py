"""Searching while another thread adds, removes and compacts: no error, no answer lost."""

from __future__ import annotations

import threading

import numpy as np

from bouclier.index import HammingIndex
from tests.index.neighbours import planted, random_hashes


def test_searches_stay_exact_for_untouched_hashes_during_mutation() -> None:
    rng = np.random.default_rng(6)
    query = random_hashes(rng, 1)[0]
    # labels 0..2999 are never touched; the writer churns labels from 10**6 up
    hashes, _ = planted(rng, 3000 - 32, query, range(0, 32))
    labels = np.arange(3000, dtype=np.int64)
    index = HammingIndex(delta_limit=200, strategy="multi-index")
    index.add(hashes, labels)
    index.compact()
    expected = index.search(query, 31)
    assert len(expected) >= 32
    failures: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        next_label = 10**6
        try:
            for round_ in range(60):
                churn = np.concatenate([random_hashes(rng, 40), np.repeat(query[None], 5, axis=0)])
                new = np.arange(next_label, next_label + len(churn), dtype=np.int64)
                next_label += len(churn)
                index.add(churn, new)
                index.remove(new[::2])
                if round_ % 10 == 0:
                    index.compact()
        except Exception as error:  # reported by the main thread
            failures.append(repr(error))
        finally:
            stop.set()

    thread = threading.Thread(target=writer)
    thread.start()
    searches = 0
    while not stop.is_set() or searches < 10:
        hits = index.search(query, 31)
        stable = hits.labels < 10**6
        if not (
            np.array_equal(hits.labels[stable], expected.labels)
            and np.array_equal(hits.distances[stable], expected.distances)
        ):
            failures.append(f"search {searches} lost or changed a stable hash")
        searches += 1
    thread.join()
    assert failures == []
    # afterwards: the stable copy of the query, plus 2 churned copies per round (positions 41
    # and 43 of each batch; new[::2] removed 40, 42 and 44)
    final = index.search(query, 0).labels
    assert len(final) == len(expected.labels[expected.distances == 0]) + 60 * 2

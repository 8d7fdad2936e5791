"""Small hash queries are matched on the event loop, larger ones in a thread: same answers."""

from __future__ import annotations

from bouclier.api.images import INLINE_QUERY_HASHES
from bouclier.hashing import hash_bytes
from tests.api.conftest import Api, image


def test_inline_and_threaded_queries_answer_the_same(api: Api) -> None:
    known = hash_bytes(image(5)).pdq.pdq
    created = api.client.post(
        "/v1/banks", headers=api.auth("analyst"), json={"name": "victims", "kind": "victim"}
    )
    assert created.status_code == 201
    added = api.client.post(
        "/v1/banks/victims/hashes", headers=api.auth("analyst"), json={"entries": [{"pdq": known}]}
    )
    assert added.status_code == 201
    values = [f"{int(known, 16) ^ (1 << bit):064x}" for bit in range(INLINE_QUERY_HASHES + 1)]
    values[-1] = hash_bytes(image(6)).pdq.pdq  # a stranger among the near ones

    def query(pdq: list[str]) -> list[dict[str, object]]:
        answer = api.client.post(
            "/v1/match/hashes", headers=api.auth("platform"), json={"pdq": pdq}
        )
        assert answer.status_code == 200
        results: list[dict[str, object]] = answer.json()["results"]
        return results

    threaded = query(values)  # more than INLINE_QUERY_HASHES: run in a thread
    inline = [result for value in values for result in query([value])]
    assert threaded == inline
    assert [bool(r["matches"]) for r in threaded] == [True] * INLINE_QUERY_HASHES + [False]

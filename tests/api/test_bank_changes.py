"""GET /v1/banks/{name}/changes (delta sync for platforms), and this process's index following
the change log: at once after its own writes, within a poll after anyone else's."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from bouclier.api.services import Services
from bouclier.banks.store import NewEntry
from bouclier.detectors.registry import Registry
from bouclier.settings import load_settings
from tests.api.conftest import Api


def _hashes(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(count)]


def _add(api: Api, bank: str, values: list[str]) -> list[int]:
    answer = api.client.post(
        f"/v1/banks/{bank}/hashes",
        headers=api.auth("analyst"),
        json={"entries": [{"pdq": v} for v in values]},
    )
    assert answer.status_code == 201
    ids: list[int] = answer.json()["entries"]
    return ids


def _remove(api: Api, bank: str, entry: int) -> None:
    answer = api.client.delete(f"/v1/banks/{bank}/hashes/{entry}", headers=api.auth("analyst"))
    assert answer.status_code == 200


def _create(api: Api, bank: str) -> None:
    answer = api.client.post(
        "/v1/banks", headers=api.auth("analyst"), json={"name": bank, "kind": "victim"}
    )
    assert answer.status_code == 201


def _matched(api: Api, value: str) -> list[int]:
    answer = api.client.post(
        "/v1/match/hashes", headers=api.auth("platform"), json={"pdq": [value]}
    )
    assert answer.status_code == 200
    return [m["entry"] for m in answer.json()["results"][0]["matches"]]


def _sync(api: Api, bank: str, since: int, limit: int, role: str = "platform") -> dict[int, str]:
    """A platform's local copy: the bank's log replayed from ``since``, ``limit`` at a time."""
    held: dict[int, str] = {}
    while True:
        answer = api.client.get(
            f"/v1/banks/{bank}/changes",
            headers=api.auth(role),
            params={"since": since, "limit": limit},
        )
        assert answer.status_code == 200
        body = answer.json()
        for change in body["changes"]:
            assert change["cursor"] > since
            since = change["cursor"]
            if change["op"] == "add":
                held[change["entry"]] = change["pdq"]
            else:
                assert held.pop(change["entry"]) == change["pdq"]
        assert body["next"] == since
        if not body["more"]:
            return held


def test_replaying_the_log_from_zero_gives_the_current_hashes(api: Api) -> None:
    _create(api, "victims")
    _create(api, "other")
    values = _hashes(10, seed=1)
    first = _add(api, "victims", values[:4])
    _add(api, "other", values[4:5])
    _remove(api, "victims", first[1])
    second = _add(api, "victims", values[5:8])
    _remove(api, "victims", second[2])
    _remove(api, "victims", first[0])
    _add(api, "victims", values[8:])

    current = {e.id: e.pdq for e in api.services.store.entries("victims")}
    assert len(current) == 6
    for limit in (1, 2, 1000):
        assert _sync(api, "victims", 0, limit) == current
    assert _sync(api, "victims", 0, 3, role="analyst") == current
    assert _sync(api, "other", 0, 1000) == {
        e.id: e.pdq for e in api.services.store.entries("other")
    }


def test_a_page_of_changes(api: Api) -> None:
    _create(api, "victims")
    values = _hashes(3, seed=2)
    ids = _add(api, "victims", values)
    headers = api.auth("platform")
    page = api.client.get("/v1/banks/victims/changes?limit=2", headers=headers).json()
    assert [(c["op"], c["entry"], c["pdq"]) for c in page["changes"]] == [
        ("add", ids[0], values[0]),
        ("add", ids[1], values[1]),
    ]
    assert page["more"] is True
    assert page["next"] == page["changes"][-1]["cursor"]
    assert page["changes"][0]["created_at"].endswith("Z")
    rest = api.client.get(f"/v1/banks/victims/changes?since={page['next']}", headers=headers)
    assert [c["entry"] for c in rest.json()["changes"]] == [ids[2]]
    assert rest.json()["more"] is False
    end = api.client.get(f"/v1/banks/victims/changes?since={rest.json()['next']}", headers=headers)
    assert end.json() == {
        "bank": "victims",
        "since": rest.json()["next"],
        "changes": [],
        "next": rest.json()["next"],
        "more": False,
    }


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("since=-1", 422, "invalid_request"),
        ("since=abc", 422, "invalid_request"),
        ("since=1.5", 422, "invalid_request"),
        ("since=99999999999999999999", 422, "invalid_request"),
        ("limit=0", 422, "invalid_request"),
        ("limit=10001", 422, "invalid_request"),
    ],
)
def test_bad_queries_are_refused(api: Api, query: str, status: int, code: str) -> None:
    _create(api, "victims")
    answer = api.client.get(f"/v1/banks/victims/changes?{query}", headers=api.auth("platform"))
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)


def test_who_may_read_the_log(api: Api) -> None:
    _create(api, "victims")
    for role, status in (("platform", 200), ("analyst", 200), ("admin", 200), ("ai-provider", 403)):
        answer = api.client.get("/v1/banks/victims/changes", headers=api.auth(role))
        assert answer.status_code == status, role
    assert api.client.get("/v1/banks/victims/changes").status_code == 401
    missing = api.client.get("/v1/banks/nope/changes", headers=api.auth("platform"))
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "bank_not_found")


def test_a_write_here_is_matched_here_at_once(api: Api) -> None:
    _create(api, "victims")
    [value, other] = _hashes(2, seed=3)
    [entry] = _add(api, "victims", [value])
    assert _matched(api, value) == [entry]
    [second] = _add(api, "victims", [other])
    _remove(api, "victims", entry)
    assert _matched(api, value) == []
    assert _matched(api, other) == [second]
    assert api.client.delete("/v1/banks/victims", headers=api.auth("admin")).status_code == 200
    assert _matched(api, other) == []


def test_a_write_elsewhere_is_followed_within_a_poll(api: Api) -> None:
    """Another process's write, played here by the store directly: the follower picks it up."""
    store = api.services.store
    store.create("victims", "victim")
    [value] = _hashes(1, seed=4)
    [entry] = store.add("victims", [NewEntry(value=value)])
    waited = threading.Event()
    for _ in range(100):  # bounded wait: up to 5 s
        if _matched(api, value) == [entry]:
            break
        waited.wait(0.05)
    assert _matched(api, value) == [entry]
    store.remove_entries("victims", [entry])
    for _ in range(100):
        if _matched(api, value) == []:
            break
        waited.wait(0.05)
    assert _matched(api, value) == []


def test_the_follower_stops_on_close(
    database_url: str, tmp_path: Path, detectors: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(data_dir=tmp_path / "data", database_url=database_url)
    services = Services.start(settings, detectors)
    follower = services.live.follower
    assert follower is not None
    assert follower.is_alive()
    services.close()
    assert not follower.is_alive()
    assert services.live.follower is None


def test_removing_an_entry_id_past_64_bits_is_not_found(api: Api) -> None:
    _create(api, "victims")
    answer = api.client.delete(f"/v1/banks/victims/hashes/{2**64}", headers=api.auth("analyst"))
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "entry_not_found")

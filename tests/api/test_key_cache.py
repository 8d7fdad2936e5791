"""Authenticated keys are remembered for a few seconds: a revocation elsewhere lands within that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bouclier.accounts.api_keys import CACHE_SECONDS, ApiKeyStore
from bouclier.storage import Database
from tests.api.conftest import Api


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'keys.db'}")
    yield database
    database.dispose()


def test_a_revocation_elsewhere_is_seen_within_the_cache_time(db: Database) -> None:
    clock = Clock()
    service = ApiKeyStore(db, clock=clock)  # a serving process
    elsewhere = ApiKeyStore(db)  # `bouclier key revoke`, or another worker
    info, key = elsewhere.create("platform one", "platform")
    assert service.cached(key) is None  # never seen: not remembered
    assert service.authenticate(key) == info
    assert service.cached(key) == info
    elsewhere.revoke(info.id)
    clock.now += CACHE_SECONDS - 0.5
    assert service.authenticate(key) == info  # still remembered, as documented
    clock.now += 0.5
    assert service.cached(key) is None
    assert service.authenticate(key) is None  # read again: revoked
    assert service.cached(key) is None  # and a refused key is never remembered


def test_a_revocation_through_the_same_store_is_seen_at_once(db: Database) -> None:
    store = ApiKeyStore(db, clock=Clock())
    info, key = store.create("platform one", "platform")
    other, other_key = store.create("platform two", "platform")
    assert store.authenticate(key) == info
    assert store.authenticate(other_key) == other
    store.revoke(info.id)
    assert store.cached(key) is None
    assert store.authenticate(key) is None
    assert store.cached(other_key) == other  # the other key stays remembered


def test_no_cache_when_the_time_is_zero(db: Database) -> None:
    store = ApiKeyStore(db, cache_seconds=0)
    info, key = store.create("platform one", "platform")
    assert store.authenticate(key) == info
    assert store.cached(key) is None


def test_malformed_and_unknown_keys_are_not_remembered(db: Database) -> None:
    store = ApiKeyStore(db)
    for key in ("nope", "bk_" + "x" * 300, "bk_unknown"):
        assert store.authenticate(key) is None
        assert store.cached(key) is None


def test_the_service_refuses_a_key_revoked_by_another_process_once_the_time_is_up(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(api.services.keys, "_clock", clock)
    elsewhere = ApiKeyStore(api.services.db)
    info, key = elsewhere.create("short-lived", "platform")
    headers = {"Authorization": f"Bearer {key}"}
    body = {"pdq": ["f" * 64]}
    assert api.client.post("/v1/match/hashes", headers=headers, json=body).status_code == 200
    elsewhere.revoke(info.id)
    assert api.client.post("/v1/match/hashes", headers=headers, json=body).status_code == 200
    clock.now += CACHE_SECONDS
    answer = api.client.post("/v1/match/hashes", headers=headers, json=body)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"

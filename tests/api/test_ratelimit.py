"""The per-key rate limit: a token bucket per key, 429 with Retry-After over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bouclier.api import create_app
from bouclier.api.ratelimit import ClientLimiter, RateLimited, RateLimiter
from bouclier.api.services import Services
from bouclier.detectors.registry import Registry
from bouclier.errors import ConfigError
from bouclier.settings import load_settings
from tests.api.conftest import TestClient


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited(
    database_url: str, tmp_path: Path, detectors: Registry, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An app whose keys may make 3 requests, then one every 1000 s."""
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(
        data_dir=tmp_path,
        database_url=database_url,
        rate_limit_per_second=0.001,
        rate_limit_burst=3,
    )
    with TestClient(create_app(settings, detectors=detectors)) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        keys = {name: services.keys.create(name, "analyst")[1] for name in ("one", "two")}
        yield client, keys


def test_the_burst_passes_then_429_with_retry_after_and_other_keys_go_on(
    limited: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = limited
    one = {"Authorization": f"Bearer {keys['one']}"}
    for _ in range(3):
        assert client.get("/v1/banks", headers=one).status_code == 200
    over = client.get("/v1/banks", headers=one)
    assert over.status_code == 429
    assert over.json()["error"]["code"] == "rate_limited"
    assert set(over.json()["error"]) == {"code", "message"}
    retry_after = over.headers["retry-after"]
    assert retry_after.isdigit()
    assert int(retry_after) >= 1
    assert over.headers["x-request-id"]
    two = {"Authorization": f"Bearer {keys['two']}"}
    assert client.get("/v1/banks", headers=two).status_code == 200
    # No key, no bucket: refused as 401 without touching any key's tokens.
    assert client.get("/v1/banks").status_code == 401
    assert client.get("/healthz").status_code == 200  # public routes are not limited


def test_a_bucket_refills_at_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_second=2.0, burst=2, clock=clock)
    limiter.check(1)
    limiter.check(1)
    with pytest.raises(RateLimited) as refused:
        limiter.check(1)
    assert refused.value.retry_after == 1  # half a second, rounded up to whole seconds
    clock.now += 0.5
    limiter.check(1)
    with pytest.raises(RateLimited):
        limiter.check(1)
    clock.now += 3600  # a long pause refills to the burst, never past it
    limiter.check(1)
    limiter.check(1)
    with pytest.raises(RateLimited):
        limiter.check(1)
    limiter.check(2)  # each key has its own bucket


def test_retry_after_counts_whole_seconds_up() -> None:
    limiter = RateLimiter(per_second=0.1, burst=1, clock=Clock())
    limiter.check(1)
    with pytest.raises(RateLimited) as refused:
        limiter.check(1)
    assert refused.value.retry_after == 10


def test_zero_per_second_turns_the_limit_off_and_bad_values_fail_at_start() -> None:
    assert RateLimiter.from_settings(load_settings(rate_limit_per_second=0)) is None
    limiter = RateLimiter.from_settings(load_settings())
    assert limiter is not None
    assert limiter.per_second > 0
    assert limiter.burst >= 1
    for bad in ({"rate_limit_per_second": -1}, {"rate_limit_burst": 0}):
        with pytest.raises(ConfigError, match="BOUCLIER_RATE_LIMIT"):
            load_settings(**bad)


@pytest.mark.parametrize(
    ("settings", "per_client", "overall"),
    [
        ({}, True, True),
        ({"unauthenticated_rate_limit_per_second": 0}, False, True),
        ({"unauthenticated_global_per_second": 0}, True, False),
        (
            {"unauthenticated_rate_limit_per_second": 0, "unauthenticated_global_per_second": 0},
            False,
            False,
        ),
    ],
)
def test_the_limits_without_a_key_are_made_or_left_off_as_the_settings_say(
    settings: dict[str, float], per_client: bool, overall: bool
) -> None:
    made = ClientLimiter.from_settings(load_settings(**settings))
    assert (made.per_client is not None, made.overall is not None) == (per_client, overall)
    if made.per_client is not None:
        assert made.per_client.scope == "client"
    if made.overall is not None:
        assert made.overall.scope == "unauthenticated"


@pytest.mark.parametrize(("per_second", "made"), [(0.0, False), (-1.0, False), (0.5, True)])
def test_an_optional_limiter_is_none_when_its_rate_is_off(per_second: float, made: bool) -> None:
    limiter = RateLimiter.optional(per_second, 4, store=None, scope="x")
    assert (limiter is not None) == made
    if limiter is not None:
        assert (limiter.per_second, limiter.burst, limiter.scope) == (0.5, 4, "x")

"""Retries: the policy as a table, and the clients against a real misbehaving server (429 and 503
with Retry-After) and a closed port. Waits are recorded, never slept: no timing is asserted."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bouclier.client import (
    AsyncClient,
    Client,
    RateLimited,
    Retry,
    TransportError,
    Unavailable,
    calls,
)
from bouclier.client.errors import error_from, retry_after_seconds
from bouclier.client.retry import Failure
from tests.client.conftest import Flaky

POLICY = Retry(attempts=3, backoff=0.5, max_backoff=4.0, max_retry_after=30.0)


@pytest.mark.parametrize(
    ("tried", "failure", "idempotent", "retry_after", "expected"),
    [
        (1, 429, False, 2.0, 2.0),  # refused before any work: retried even for a creation
        (1, 429, True, 7.0, 7.0),
        (1, 503, True, 3.0, 3.0),
        (1, 503, False, 3.0, None),  # the server may have acted: a creation is not sent twice
        (1, 502, False, None, None),
        (1, "connect", False, None, "backoff"),  # nothing was sent
        (1, "transport", True, None, "backoff"),
        (1, "transport", False, None, None),
        (1, 500, True, None, None),  # a bug: sending again will not help
        (1, 404, True, None, None),
        (1, 429, True, 31.0, None),  # longer than max_retry_after: the caller decides
        (3, 429, True, 1.0, None),  # out of attempts
    ],
)
def test_the_retry_policy(
    tried: int, failure: Failure, idempotent: bool, retry_after: float | None, expected: object
) -> None:
    wait = POLICY.wait(tried, failure, idempotent=idempotent, retry_after=retry_after)
    if expected == "backoff":
        assert wait is not None
        assert 0 <= wait <= 0.5
    else:
        assert wait == expected


def test_backoff_grows_and_is_capped() -> None:
    policy = Retry(attempts=10, backoff=1.0, max_backoff=4.0)
    for tried in range(1, 10):
        wait = policy.wait(tried, "connect", idempotent=True)
        assert wait is not None
        assert 0 <= wait <= min(4.0, 2 ** (tried - 1))


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 10 ", 10.0), ("-5", 0.0), ("soon", None), (None, None), ("nan", None)],
)
def test_retry_after_is_read_as_seconds(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header) == seconds


def test_an_error_body_that_is_not_bouclier_s_still_gives_a_typed_error() -> None:
    error = error_from(502, "<html>Bad gateway</html>")
    assert isinstance(error, Unavailable)
    assert error.code == "unavailable"
    assert error.status == 502


def test_a_429_then_a_503_are_waited_out_as_the_server_asks(flaky: Flaky) -> None:
    flaky.failures[:] = [(429, "2"), (503, "1")]
    waits: list[float] = []
    with Client(flaky.url, "key", sleep=waits.append, retry=POLICY) as client:
        assert client.banks() == []
    assert waits == [2.0, 1.0]
    assert flaky.seen == ["GET /v1/banks"] * 3


def test_a_creation_is_not_sent_again_after_a_503(flaky: Flaky) -> None:
    flaky.failures[:] = [(503, "1")]
    waits: list[float] = []
    with Client(flaky.url, "key", sleep=waits.append) as client, pytest.raises(Unavailable) as err:
        client.create_bank("victims", "victim")
    assert err.value.retry_after == 1.0
    assert waits == []
    assert flaky.seen == ["POST /v1/banks"]


def test_still_throttled_after_every_attempt_raises_rate_limited(flaky: Flaky) -> None:
    flaky.failures[:] = [(429, "1")] * 5
    waits: list[float] = []
    client = Client(flaky.url, sleep=waits.append, retry=POLICY)
    with client, pytest.raises(RateLimited) as err:
        client.banks()
    assert err.value.retry_after == 1.0
    assert waits == [1.0, 1.0]
    assert len(flaky.seen) == 3


def test_a_refused_connection_is_retried_then_raised() -> None:
    # A port held bound but not listening, for the whole test: connecting to it is refused, and no
    # test on another pytest-xdist worker can start a server on it meanwhile (a port bound, closed
    # and only then dialled could be).
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        waits: list[float] = []
        client = Client(f"http://127.0.0.1:{port}", sleep=waits.append, retry=POLICY)
        with client, pytest.raises(TransportError) as err:
            client.match_hashes(["0" * 64])
    assert err.value.status == 0
    assert len(waits) == 2


def test_the_async_client_honours_retry_after_too(flaky: Flaky) -> None:
    flaky.failures[:] = [(503, "4")]
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async def scenario() -> object:
        async with AsyncClient(flaky.url, sleep=record, retry=POLICY) as client:
            return await client.send(calls.banks())

    assert asyncio.run(scenario()).banks == []  # type: ignore[attr-defined]
    assert waits == [4.0]

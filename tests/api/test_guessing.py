"""Guessing secrets through the HTTP service (issue 14, parts 5 and 6): an attacker's wrong guesses
never lock the owner out from her own connection, a forged X-Forwarded-For buys no fresh guesses,
and the counts hold for a second instance of the service and after a restart (SQLite, PostgreSQL,
Redis)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from bouclier.accounts.analysts import Analysts
from bouclier.api import create_app
from bouclier.api.services import Services
from bouclier.cases import attempts
from bouclier.detectors.registry import Registry
from bouclier.settings import load_settings
from tests.api.conftest import CHALLENGE_BITS, TestClient, solved_challenge

ATTACKER, OWNER = ("198.51.100.9", 40000), ("203.0.113.20", 40001)
WRONG = {"X-Case-Secret": "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"}
PASSWORD = "a long enough passphrase"  # noqa: S105 (a test account)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def service(
    database_url: str, tmp_path: Path, detectors: Registry, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    """Starts the service on this test's database (again, for a restart); settings overridable."""
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)

    @contextmanager
    def start(**overrides: Any) -> Iterator[TestClient]:
        overrides = {"case_challenge_bits": CHALLENGE_BITS, **overrides}
        settings = load_settings(data_dir=tmp_path / "data", database_url=database_url, **overrides)
        with TestClient(create_app(settings, detectors=detectors)) as client:
            yield client

    return start


def open_case(client: TestClient) -> tuple[str, dict[str, str]]:
    body = {"language": "fr", **solved_challenge(client)}
    created = client.post("/v1/cases", json=body).json()
    return created["number"], {"X-Case-Secret": created["secret"]}


def peer(client: TestClient, address: tuple[str, int]) -> TestClient:
    """Another connection to the same running app, from ``address``."""
    return TestClient(client.app, client=address)


def test_the_owner_opens_her_case_from_another_connection_after_wrong_guesses(
    service: Callable[..., Any],
) -> None:
    """On main, five wrong secrets from anywhere locked the number for 15 minutes."""
    with service() as client:
        number, secret = open_case(client)
        attacker = peer(client, ATTACKER)
        codes = [attacker.get(f"/v1/cases/{number}", headers=WRONG).status_code for _ in range(8)]
        assert codes == [401] * attempts.PAIR_FREE + [429] * 3
        assert peer(client, OWNER).get(f"/v1/cases/{number}", headers=secret).status_code == 200
        # the attacker's own connection still waits, even with the right secret
        assert attacker.get(f"/v1/cases/{number}", headers=secret).status_code == 429


def test_the_portal_and_the_console_never_lock_the_owner_out(
    service: Callable[..., Any],
) -> None:
    with service(hotline_name="H", hotline_email="h@example.org") as client:
        number, secret = open_case(client)
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        Analysts(services.db).create("bob", PASSWORD)
        for path, data, right in (
            (
                "/case/login",
                {"number": number, "secret": "WRONG-0000"},
                {"secret": secret["X-Case-Secret"]},
            ),
            ("/console/login", {"username": "bob", "password": "wrong"}, {"password": PASSWORD}),
        ):
            attacker = peer(client, ATTACKER)
            token = CSRF.search(attacker.get(path).text).group(1)  # type: ignore[union-attr]
            codes = [
                attacker.post(path, data={**data, "csrf_token": token}).status_code
                for _ in range(attempts.PAIR_FREE + 2)
            ]
            assert codes[-1] == 429, path
            owner = peer(client, OWNER)
            token = CSRF.search(owner.get(path).text).group(1)  # type: ignore[union-attr]
            answer = owner.post(
                path, data={**data, **right, "csrf_token": token}, follow_redirects=False
            )
            assert answer.status_code == 303, path


def _served_as_bouclier_serve(
    app: Any, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Any:
    """``app`` wrapped as ``bouclier serve`` has uvicorn wrap it (its proxy settings)."""
    passed: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: passed.update(kwargs))
    code, _, _ = cli("serve")
    assert code == 0
    config = uvicorn.Config(
        app,
        proxy_headers=passed.get("proxy_headers", True),
        forwarded_allow_ips=passed.get("forwarded_allow_ips"),
        log_config=None,
    )
    config.load()
    return config.loaded_app


def test_a_forged_forwarded_for_gets_no_fresh_guesses(
    service: Callable[..., Any], cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On main, uvicorn believed X-Forwarded-For from 127.0.0.1 (``bouclier serve`` left its
    default), so a client on the machine or behind a local proxy wrote a new address on each
    request and got a new allowance of guesses with it."""
    with service() as client:
        served = _served_as_bouclier_serve(client.app, cli, monkeypatch)
        local = TestClient(served, client=("127.0.0.1", 50000))
        codes = []
        for n in range(attempts.CLIENT_FREE + 5):
            forged = {**WRONG, "X-Forwarded-For": f"10.9.{n // 250}.{n % 250}"}
            codes.append(local.get(f"/v1/cases/BQ-{n:04d}-ZZZZ", headers=forged).status_code)
        assert codes[: attempts.CLIENT_FREE] == [401] * attempts.CLIENT_FREE
        assert set(codes[attempts.CLIENT_FREE :]) == {429}


def test_behind_a_trusted_proxy_each_forwarded_client_counts_apart(
    service: Callable[..., Any],
) -> None:
    with service(trusted_proxies="127.0.0.1") as client:
        number, secret = open_case(client)
        proxy = peer(client, ("127.0.0.1", 50000))
        attacker = {**WRONG, "X-Forwarded-For": ATTACKER[0]}
        codes = [proxy.get(f"/v1/cases/{number}", headers=attacker).status_code for _ in range(7)]
        assert codes[-1] == 429
        # a client's own X-Forwarded-For is on the left of the proxy's: never believed
        spoofed = {**attacker, "X-Forwarded-For": f"{OWNER[0]}, {ATTACKER[0]}"}
        assert proxy.get(f"/v1/cases/{number}", headers=spoofed).status_code == 429
        owner = {**secret, "Forwarded": f'for="{OWNER[0]}:4711";proto=https'}
        assert proxy.get(f"/v1/cases/{number}", headers=owner).status_code == 200


@pytest.mark.parametrize("store", ["database", "redis"])
def test_the_counts_hold_for_another_instance_and_after_a_restart(
    service: Callable[..., Any], store: str
) -> None:
    """On main the counts lived in each process: a second worker, or a restart, started afresh."""
    options: dict[str, Any] = {
        "limiter_store": store,
        "unauthenticated_rate_limit_burst": 20,
        "unauthenticated_rate_limit_per_second": 0.001,
    }
    if store == "redis":
        options["redis_url"] = "redis://127.0.0.1:6379/0"
    guesser = (f"192.0.2.{uuid.uuid4().int % 250 + 1}", 1)
    flooder = (f"192.0.2.{uuid.uuid4().int % 250 + 1}", 2)
    with service(**options) as first:
        number, _ = open_case(first)
        attacker = peer(first, guesser)
        for _ in range(attempts.PAIR_FREE + 1):
            attacker.get(f"/v1/cases/{number}", headers=WRONG)
        for _ in range(20):
            peer(first, flooder).get("/v1/banks")
        with service(**options) as second:  # another process on the same database
            # as below: the 2 s wait may run out while this instance starts on a loaded machine,
            # and that attempt is then checked (401) and charged; a lost count lets both through
            guesses = peer(second, guesser)
            codes = [
                guesses.get(f"/v1/cases/{number}", headers=WRONG).json()["error"]["code"]
                for _ in range(2)
            ]
            assert codes[-1] == "too_many_attempts", codes
            assert peer(second, flooder).get("/v1/banks").status_code == 429
    with service(**options) as restarted:
        # the pair's wait after the sixth wrong secret (2 s) may run out while this instance starts
        # on a loaded machine: that attempt is then checked and charged, and the next one waits
        # again; a count that was lost would let both through (five are free)
        guesses = peer(restarted, guesser)
        codes = [
            guesses.get(f"/v1/cases/{number}", headers=WRONG).json()["error"]["code"]
            for _ in range(2)
        ]
        assert codes[-1] == "too_many_attempts", codes
        flood = peer(restarted, flooder).get("/v1/banks")
        assert flood.json()["error"]["code"] == "rate_limited"

"""Every route declares who may call it, and the declaration is what is enforced."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from bouclier.api.auth import Require
from bouclier.vocabulary import API_ROLES
from tests.api.conftest import Api

_PARAMS = {
    "name": "victims",
    "entry": "1",
    "webhook_id": "1",
    "delivery_id": "1",
    "feedback_id": "1",
    "number": "BQ-0000-0000",
    "item": "1",
}
#: The only public routes: health, a victim opening a case (and its challenge), and the key that
#: signs evidence bundles.
_PUBLIC = {
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("post", "/v1/cases"),
    ("get", "/v1/cases/challenge"),
    ("get", "/v1/evidence/signing-key"),
}
_API_KEY = {"apiKey": []}
_CASE_SECRET = {"caseSecret": []}


def _operations(api: Api) -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.client.get("/openapi.json").json()
    return [
        (method, path.format(**_PARAMS), operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_route_declares_its_auth(api: Api) -> None:
    operations = _operations(api)
    assert len(operations) >= 13
    for method, path, operation in operations:
        if operation["security"] == []:
            assert (method, path) in _PUBLIC, f"{method} {path} is public"
            assert "x-roles" not in operation
        else:
            # an API key; a case's own routes also admit its secret
            assert operation["security"] in ([_API_KEY], [_API_KEY, _CASE_SECRET]), (method, path)
            assert path.startswith("/v1/")
            assert "admin" in operation["x-roles"]
            assert set(operation["x-roles"]) <= set(API_ROLES)


def test_walk_every_route_without_a_key_and_with_a_wrong_role(api: Api) -> None:
    # three keyless requests per route from one client: more than its burst (tests/api/test_gate.py
    # tests that limit); here every answer must be the route's own
    api.client.app.state.client_limiter = None  # type: ignore[attr-defined]
    protected = 0
    for method, path, operation in _operations(api):
        if operation["security"] == []:
            assert api.client.request(method, path).status_code in (200, 422, 503)
            continue
        protected += 1
        answer = api.client.request(method, path)
        assert answer.status_code == 401, (method, path)
        assert answer.json()["error"]["code"] == "unauthenticated"
        assert answer.headers["www-authenticate"] == "Bearer"
        bad = api.client.request(method, path, headers={"Authorization": "Bearer bk_nope"})
        assert bad.status_code == 401, (method, path)
        if _CASE_SECRET in operation["security"]:
            bad = api.client.request(method, path, headers={"X-Case-Secret": "NOPE"})
            assert bad.status_code == 401, (method, path)
        wrong = [r for r in API_ROLES if r not in operation["x-roles"]]
        if wrong:
            answer = api.client.request(method, path, headers=api.auth(wrong[0]))
            assert answer.status_code == 403, (method, path, wrong[0])
            assert answer.json()["error"]["code"] == "forbidden"
    assert protected >= 11


def test_revoked_key_is_refused(api: Api) -> None:
    info, key = api.services.keys.create("short-lived", "analyst")
    headers = {"Authorization": f"Bearer {key}"}
    assert api.client.get("/v1/banks", headers=headers).status_code == 200
    api.services.keys.revoke(info.id)
    assert api.client.get("/v1/banks", headers=headers).status_code == 401


def test_only_the_digest_of_a_key_is_stored(api: Api) -> None:
    info, key = api.services.keys.create("stored", "platform")
    assert key.startswith("bk_")
    assert len(key) == 46
    assert key.startswith(info.prefix)
    assert len(info.prefix) < 12
    with api.services.db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_keys")).all()
    assert all(key not in str(row) for row in rows)


def test_roles_are_checked_when_declared() -> None:
    with pytest.raises(ValueError, match="roles must be"):
        Require("superuser")
    with pytest.raises(ValueError, match="roles must be"):
        Require()
    assert Require("platform").roles == ("admin", "platform")


def test_a_route_without_roles_is_refused_at_construction() -> None:
    from fastapi import APIRouter

    from bouclier.api.app import _declare_roles

    router = APIRouter()

    @router.get("/v1/open")
    async def open_route() -> dict[str, str]:
        return {}

    with pytest.raises(RuntimeError, match="declares no roles"):
        _declare_roles(router)

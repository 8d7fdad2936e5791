"""The lean lookup path, ``POST /v1/lookup``: the answers of ``/v1/match/hashes``, and every refusal
of the general path (no key, bad key, over a rate, bad hashes, too many, bad JSON, too large)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bouclier.api.lookup import INLINE_LOOKUP_HASHES, MAX_LOOKUP_HASHES, PATH
from bouclier.api.ratelimit import ClientLimiter, RateLimiter
from bouclier.hashing import hash_bytes
from tests.api.conftest import Api, image

NORMAL = "/v1/match/hashes"


def _flip(value: str, *bits: int) -> str:
    number = int(value, 16)
    for bit in bits:
        number ^= 1 << bit
    return f"{number:064x}"


@pytest.fixture
def banked(api: Api) -> dict[str, str]:
    """A victim bank and a false-positive bank with a PDQ hash and a SHA-256 each."""
    analyst = api.auth("analyst")
    values = {
        "victim": hash_bytes(image(5)).pdq.pdq,
        "known_fp": hash_bytes(image(6)).pdq.pdq,
        "sha256": hashlib.sha256(b"a banked file").hexdigest(),
    }
    for bank, kind in (("victims", "victim"), ("harmless", "known_false_positive")):
        answer = api.client.post("/v1/banks", headers=analyst, json={"name": bank, "kind": kind})
        assert answer.status_code == 201
    entries: list[dict[str, Any]] = [
        {"pdq": values["victim"]},
        {"signal_type": "sha256", "value": values["sha256"]},
    ]
    for bank, body in (("victims", entries), ("harmless", [{"pdq": values["known_fp"]}])):
        added = api.client.post(f"/v1/banks/{bank}/hashes", headers=analyst, json={"entries": body})
        assert added.status_code == 201
    return values


def _both(api: Api, body: dict[str, Any]) -> tuple[Any, Any]:
    lean = api.client.post(PATH, headers=api.auth("platform"), json=body)
    normal = api.client.post(NORMAL, headers=api.auth("platform"), json=body)
    assert lean.status_code == normal.status_code == 200, (lean.text, normal.text)
    assert lean.headers["content-type"] == "application/json"
    return lean.json(), normal.json()


def test_answers_equal_the_normal_paths_inline_and_in_a_thread(
    api: Api, banked: dict[str, str]
) -> None:
    victim, fp = banked["victim"], banked["known_fp"]
    near = [_flip(victim, bit, bit + 100) for bit in range(20)]  # 2 bits away: matches
    far = [_flip(victim, *range(bit, bit + 40)) for bit in range(10)]  # 40 bits: does not
    values = [victim.upper(), fp, *near, *far, f"{0:064x}"]
    small = values[:INLINE_LOOKUP_HASHES]
    lean, normal = _both(api, {"pdq": small})
    assert lean == normal
    verdicts = [r["verdict"] for r in lean["results"]]
    assert verdicts[:2] == ["REVIEW", "ALLOW"]
    assert verdicts[2:22] == ["REVIEW"] * 20
    assert set(verdicts[22:]) == {"ALLOW"}
    assert lean["results"][0]["value"] == victim  # canonical: lower case
    big = (values * (INLINE_LOOKUP_HASHES // len(values) + 2))[: INLINE_LOOKUP_HASHES + 5]
    lean, normal = _both(api, {"pdq": big})  # searched in a worker thread
    assert lean == normal
    assert len(lean["results"]) == len(big)


def test_other_signal_types_answer_as_the_normal_path(api: Api, banked: dict[str, str]) -> None:
    body = {"signal_type": "sha256", "values": [banked["sha256"], hashlib.sha256(b"x").hexdigest()]}
    lean, normal = _both(api, body)
    assert lean == normal
    assert [bool(r["matches"]) for r in lean["results"]] == [True, False]
    assert lean["results"][0]["pdq"] is None


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "send an API key"),
        ({"Authorization": "Bearer bk_not_a_key"}, "unknown or revoked"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "send an API key"),
        ({"Authorization": "Bearer "}, "send an API key"),
    ],
)
def test_without_a_usable_key_401(api: Api, headers: dict[str, str], why: str) -> None:
    api.client.app.state.client_limiter = None  # type: ignore[attr-defined]
    answer = api.client.post(PATH, headers=headers, json={"pdq": [f"{0:064x}"]})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    assert why in answer.json()["error"]["message"]
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.headers["x-request-id"]


def test_over_the_keys_rate_429_with_retry_after(api: Api) -> None:
    api.client.app.state.rate_limiter = RateLimiter(0.001, 2)  # type: ignore[attr-defined]
    body = {"pdq": [f"{0:064x}"]}
    for _ in range(2):
        assert api.client.post(PATH, headers=api.auth("platform"), json=body).status_code == 200
    over = api.client.post(PATH, headers=api.auth("platform"), json=body)
    assert over.status_code == 429
    assert over.json()["error"]["code"] == "rate_limited"
    assert int(over.headers["retry-after"]) >= 1
    # another key has its own bucket; the normal path counts on the same one
    assert api.client.post(PATH, headers=api.auth("analyst"), json=body).status_code == 200
    assert api.client.post(NORMAL, headers=api.auth("platform"), json=body).status_code == 429


def test_requests_without_a_key_count_against_the_clients_limit(api: Api) -> None:
    limiter = ClientLimiter(RateLimiter(0.001, 2), None)
    api.client.app.state.client_limiter = limiter  # type: ignore[attr-defined]
    codes = [api.client.post(PATH, json={"pdq": [f"{0:064x}"]}).status_code for _ in range(2)]
    wrong = {"Authorization": "Bearer bk_not_a_key"}
    codes.append(api.client.post(PATH, headers=wrong, json={"pdq": [f"{0:064x}"]}).status_code)
    assert codes == [401, 401, 429]


BAD_BODIES: list[tuple[bytes, str, str]] = [
    (b'{"pdq": ["zz"]}', "invalid_hash", "64 hex"),
    (b'{"pdq": ["' + b"g" * 64 + b'"]}', "invalid_hash", "hex"),
    (b'{"pdq": [12]}', "invalid_request", "body.pdq.0"),
    (b'{"pdq": []}', "invalid_request", "body.pdq"),
    (b'{"pdq": "' + b"0" * 64 + b'"}', "invalid_request", "body.pdq"),
    (b'{"pdq": ["' + b"0" * 64 + b'"], "threshold": 0}', "invalid_request", "body.threshold"),
    (b'{"pdq": ["' + b"0" * 63 + b'\\u0000"]}', "invalid_request", "body.pdq"),
    (b'{"signal_type": "nope", "values": ["00"]}', "unknown_signal_type", "nope"),
    (b'{"signal_type": "sha256", "pdq": ["' + b"0" * 64 + b'"]}', "invalid_request", "body"),
    (b"{}", "invalid_request", "either pdq"),
    (b'{"pdq": ["' + b"0" * 64 + b'"]', "invalid_request", "Invalid JSON"),
    (b"not json", "invalid_request", "Invalid JSON"),
    (b"", "invalid_request", "Invalid JSON"),
    (b"[]", "invalid_request", "body"),
]


@pytest.mark.parametrize(("body", "code", "said"), BAD_BODIES)
def test_bad_bodies_422_naming_what_is_wrong(api: Api, body: bytes, code: str, said: str) -> None:
    headers = {**api.auth("platform"), "Content-Type": "application/json"}
    answer = api.client.post(PATH, headers=headers, content=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert said in json.dumps(error)


def test_more_hashes_than_the_maximum_422_naming_the_field(api: Api) -> None:
    values = [f"{i:064x}" for i in range(MAX_LOOKUP_HASHES + 1)]
    answer = api.client.post(PATH, headers=api.auth("platform"), json={"pdq": values})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["fields"][0]["field"] == "body.pdq"
    assert str(MAX_LOOKUP_HASHES) in error["message"]
    fits = api.client.post(PATH, headers=api.auth("platform"), json={"pdq": values[:-1]})
    assert fits.status_code == 200
    assert len(fits.json()["results"]) == MAX_LOOKUP_HASHES


def test_a_body_over_the_limit_413_declared_or_streamed(api: Api) -> None:
    limit = api.services.settings.max_body_bytes
    big = b'{"pdq": ["' + b"0" * limit + b'"]}'
    declared = api.client.post(PATH, headers=api.auth("platform"), content=big)
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "body_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    streamed = api.client.post(PATH, headers=api.auth("platform"), content=chunks())
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "body_too_large"
    bad_length = {**api.auth("platform"), "Content-Length": "12x"}
    assert api.client.post(PATH, headers=bad_length, content=b"{}").status_code in (400, 422)


def test_only_post(api: Api) -> None:
    answer = api.client.get(PATH, headers=api.auth("platform"))
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"
    assert answer.headers["allow"] == "POST"


def test_logged_and_counted_like_every_route(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bouclier.access")
    value = f"{7:064x}"
    answer = api.client.post(
        PATH, headers={**api.auth("platform"), "X-Request-ID": "req-42"}, json={"pdq": [value]}
    )
    assert answer.headers["x-request-id"] == "req-42"
    api.client.post(PATH, json={"pdq": [value]})  # 401
    lines = [r for r in caplog.records if r.name == "bouclier.access"]
    assert [(r.route, r.status) for r in lines[-2:]] == [(PATH, 200), (PATH, 401)]  # type: ignore[attr-defined]
    assert lines[-2].request_id == "req-42"  # type: ignore[attr-defined]
    assert lines[-2].key_id is not None  # type: ignore[attr-defined]
    assert all(value not in r.getMessage() and value not in str(r.__dict__) for r in lines)
    metrics = api.client.get("/v1/metrics", headers=api.auth("admin")).text
    assert f'method="POST",route="{PATH}",status="200"' in metrics
    assert f'method="POST",route="{PATH}",status="401"' in metrics


def test_documented_in_the_schema_like_match_hashes(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    lean, normal = schema["paths"][PATH]["post"], schema["paths"][NORMAL]["post"]
    assert lean["requestBody"] == normal["requestBody"]
    assert lean["responses"]["200"] == normal["responses"]["200"]
    assert lean["security"] == normal["security"]
    assert set(lean["x-roles"]) == set(normal["x-roles"])
    assert str(MAX_LOOKUP_HASHES) in lean["description"]
    assert lean["operationId"] != normal["operationId"]

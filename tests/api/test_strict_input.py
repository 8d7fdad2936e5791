"""Request bodies are taken as written (issue 14, part 7): no coercion of booleans, numbers or
strings, no unknown field, no control character (NUL first) in any text; each refusal a 422
``invalid_request`` naming the field. Every row was accepted, coerced or not, before."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bouclier.api.schemas import RequestModel
from tests.api.conftest import Api, solved_challenge

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
BANK = "/v1/banks"
HASHES = "/v1/banks/victims/hashes"

# (path, role, body, the field named in the answer)
REFUSED: list[tuple[str, str, dict[str, Any], str]] = [
    (BANK, "analyst", {"name": "b", "kind": "victim", "threshold": True}, "body.threshold"),
    (BANK, "analyst", {"name": "b", "kind": "victim", "threshold": "12"}, "body.threshold"),
    (BANK, "analyst", {"name": "b", "kind": "victim", "threshold": 12.0}, "body.threshold"),
    (BANK, "analyst", {"name": "b", "kind": "victim", "treshold": 12}, "body.treshold"),
    (BANK, "analyst", {"name": "b\x00", "kind": "victim"}, "body.name"),
    (HASHES, "analyst", {"entries": [{"pdq": PDQ, "case_ref": "C-1\x00"}]}, "case_ref"),
    (HASHES, "analyst", {"entries": [{"pdq": PDQ, "case_ref": "C-1\nforged"}]}, "case_ref"),
    (HASHES, "analyst", {"entries": [{"pdq": PDQ, "source": "\x1b[31m"}]}, "source"),
    (HASHES, "analyst", {"entries": [{"pdq": PDQ, "note": "\ud800"}]}, "note"),
    (HASHES, "analyst", {"entries": [{"pdq": PDQ, "quality": "90"}]}, "quality"),
    (HASHES, "analyst", {"entries": [{"pdq": PDQ, "quality": True}]}, "quality"),
    (HASHES, "analyst", {"entries": [{"pdq": PDQ, "bank": "other"}]}, "bank"),
    ("/v1/match/hashes", "platform", {"pdq": [PDQ], "threshold": 0}, "body.threshold"),
    ("/v1/match/hashes", "platform", {"pdq": [PDQ + "\x00"]}, "body.pdq"),
    ("/v1/cases", "public", {"minor": "yes"}, "body.minor"),
    ("/v1/cases", "public", {"minor": 1}, "body.minor"),
    ("/v1/cases", "public", {"sextortion": "false"}, "body.sextortion"),
    ("/v1/cases", "public", {"language": "en\x00"}, "body.language"),
    ("/v1/cases", "public", {"contact": "a@example.org\x00"}, "body.contact"),
    ("/v1/cases", "public", {"adult": True}, "body.adult"),
    ("/v1/feedback", "platform", {"entry_id": "1", "pdq": PDQ, "action": "blocked"}, "entry_id"),
    ("/v1/feedback", "platform", {"entry_id": True, "pdq": PDQ, "action": "blocked"}, "entry_id"),
    ("/v1/webhooks", "platform", {"name": "x\x00", "url": "https://example.social"}, "body.name"),
    ("/v1/webhooks", "platform", {"name": "x", "url": "https://e.social", "id": 3}, "body.id"),
]


def _headers(api: Api, role: str) -> dict[str, str]:
    return {} if role == "public" else api.auth(role)


@pytest.mark.parametrize(("path", "role", "body", "field"), REFUSED)
def test_refused_at_the_door_with_the_field_named(
    api: Api, path: str, role: str, body: dict[str, Any], field: str
) -> None:
    if path == HASHES:
        api.client.post(
            BANK, headers=api.auth("analyst"), json={"name": "victims", "kind": "victim"}
        )
    # json.dumps escapes a lone surrogate as JSON may (httpx's own encoder cannot send one)
    headers = {**_headers(api, role), "Content-Type": "application/json"}
    answer = api.client.post(path, headers=headers, content=json.dumps(body))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    named = [f["field"] for f in error["fields"]]
    assert any(name.endswith(field) for name in named), named
    if path == "/v1/banks":
        assert api.client.get(BANK, headers=api.auth("analyst")).json()["banks"] == []


def test_a_case_route_takes_its_body_as_written(api: Api) -> None:
    case = api.client.post("/v1/cases", json=solved_challenge(api.client)).json()
    headers = {"X-Case-Secret": case["secret"]}
    base = f"/v1/cases/{case['number']}"
    for path, body in [
        ("/hashes", {"hashes": [{"pdq": PDQ, "quality": True}]}),
        ("/hashes", {"hashes": [{"pdq": PDQ, "sha256": 5}]}),
        ("/urls", {"urls": ["https://example.org/a\x00b"]}),
        ("/urls", {"urls": "https://example.org/a"}),
    ]:
        answer = api.client.post(base + path, headers=headers, json=body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, "invalid_request")
    assert api.client.get(base, headers=headers).json()["items"] == []
    [item] = api.client.post(
        base + "/hashes", headers=headers, json={"hashes": [{"pdq": PDQ}]}
    ).json()["added"]
    review = api.client.post(
        f"{base}/items/{item['id']}/review",
        headers=api.auth("analyst"),
        json={"decision": "confirm", "ban": True},
    )
    assert review.status_code == 422
    assert review.json()["error"]["fields"][0]["field"] == "body.ban"


def test_what_is_written_right_still_passes(api: Api) -> None:
    """Multi-line fields keep line breaks; the strict types take what JSON gives them."""
    created = api.client.post(
        BANK,
        headers=api.auth("analyst"),
        json={"name": "victims", "kind": "victim", "threshold": 10},
    )
    assert created.status_code == 201, created.text
    assert created.json()["threshold"] == 10
    added = api.client.post(
        HASHES,
        headers=api.auth("analyst"),
        json={"entries": [{"pdq": PDQ, "quality": 90, "case_ref": "C-1", "note": "a\n\tb"}]},
    )
    assert added.status_code == 201, added.text
    case = api.client.post(
        "/v1/cases",
        json={
            "minor": True,
            "sextortion": False,
            "contact": "line one\r\nline two",
            **solved_challenge(api.client),
        },
    )
    assert case.status_code == 201, case.text
    assert case.json()["minor"] is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"json": {"prompt": "put her in a bikini", "minor": "yes"}}, "JSON boolean"),
        ({"json": {"prompt": "put her in a bikini", "minor": 1}}, "JSON boolean"),
        ({"json": {"prompt": "put her in a bikini", "enrolled": "true"}}, "JSON boolean"),
        ({"json": {"prompt": "hi\x00 there"}}, "U+0000"),
        ({"json": {"prompt": "hi", "age": 12}}, "'age'"),
        ({"data": {"prompt": "put her in a bikini", "minor": "yes"}}, "true or false"),
        ({"data": {"prompt": "put her in a bikini", "minor": "1"}}, "true or false"),
        ({"data": {"prompt": "hi", "child": "true"}}, "'child'"),
    ],
)
def test_the_guard_takes_flags_as_written(api: Api, kwargs: dict[str, Any], message: str) -> None:
    if "data" in kwargs:  # a multipart form, as with an image
        kwargs = {**kwargs, "files": {"unused": ("x.txt", b"x", "text/plain")}}
    answer = api.client.post("/v1/guard/request", headers=api.auth("ai-provider"), **kwargs)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert message in error["message"]


def _subclasses(cls: type) -> set[str]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub.__name__, *_subclasses(sub)}
    return found


def test_every_json_body_of_the_api_is_a_request_model(api: Api) -> None:
    """A completeness check: a new route cannot take a lax body by forgetting the base class.
    (The guard's body, read by hand and described inline, is checked above.)"""
    schema = api.client.get("/openapi.json").json()
    bodies = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            if ref is not None:
                bodies[f"{method.upper()} {path}"] = ref.rsplit("/", 1)[1]
    assert len(bodies) >= 8, bodies  # banks, hashes, match, cases, feedback, webhooks...
    strict = _subclasses(RequestModel)
    assert {route: name for route, name in bodies.items() if name not in strict} == {}

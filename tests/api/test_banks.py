"""The /v1/banks routes, and the bank index following every write made through them."""

from __future__ import annotations

import pytest

from bouclier.hashing import hash_bytes
from tests.api.conftest import Api, image, upload


def test_create_list_get_delete(api: Api) -> None:
    analyst, admin = api.auth("analyst"), api.auth("admin")
    created = api.client.post(
        "/v1/banks",
        headers=analyst,
        json={"name": "school-2026", "kind": "victim", "threshold": 20},
    )
    assert created.status_code == 201
    assert created.json() | {"created_at": None} == {
        "name": "school-2026",
        "kind": "victim",
        "threshold": 20,
        "size": 0,
        "created_at": None,
    }
    listed = api.client.get("/v1/banks", headers=analyst).json()["banks"]
    assert [b["name"] for b in listed] == ["school-2026"]
    assert api.client.get("/v1/banks/school-2026", headers=analyst).json()["threshold"] == 20
    assert api.client.delete("/v1/banks/school-2026", headers=analyst).status_code == 403
    deleted = api.client.delete("/v1/banks/school-2026", headers=admin)
    assert deleted.json() == {"deleted": "school-2026", "entries": 0}
    missing = api.client.get("/v1/banks/school-2026", headers=analyst)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "bank_not_found"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "victims", "kind": "victim"}, 409, "bank_exists"),
        ({"name": "../etc", "kind": "victim"}, 422, "invalid_bank_name"),
        ({"name": "x", "kind": "nsfw"}, 422, "invalid_bank_kind"),
        ({"name": "x", "kind": "victim", "threshold": 300}, 422, "invalid_threshold"),
        ({"name": "x"}, 422, "invalid_request"),
    ],
)
def test_create_refuses(api: Api, body: dict[str, object], status: int, code: str) -> None:
    headers = api.auth("analyst")
    api.client.post("/v1/banks", headers=headers, json={"name": "victims", "kind": "victim"})
    answer = api.client.post("/v1/banks", headers=headers, json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)


def _matches(api: Api, data: bytes) -> list[dict[str, object]]:
    answer = api.client.post("/v1/match", headers=api.auth("platform"), **upload(data))
    assert answer.status_code == 200
    matches: list[dict[str, object]] = answer.json()["matches"]
    return matches


def test_matcher_follows_hashes_added_and_removed(api: Api) -> None:
    headers = api.auth("analyst")
    data = image(11)
    api.client.post("/v1/banks", headers=headers, json={"name": "victims", "kind": "victim"})
    assert _matches(api, data) == []
    added = api.client.post(
        "/v1/banks/victims/hashes",
        headers=headers,
        json={"entries": [{"pdq": hash_bytes(data).pdq.pdq, "case_ref": "C-1", "quality": 90}]},
    )
    assert added.status_code == 201
    (entry,) = added.json()["entries"]
    assert [m["entry"] for m in _matches(api, data)] == [entry]
    assert len(api.services.matcher) == 1
    removed = api.client.delete(f"/v1/banks/victims/hashes/{entry}", headers=headers)
    assert removed.json() == {"bank": "victims", "removed": entry}
    assert _matches(api, data) == []
    again = api.client.delete(f"/v1/banks/victims/hashes/{entry}", headers=headers)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "entry_not_found"


def test_add_an_image_then_delete_the_bank(api: Api) -> None:
    headers = api.auth("analyst")
    data = image(12)
    api.client.post("/v1/banks", headers=headers, json={"name": "victims", "kind": "victim"})
    added = api.client.post("/v1/banks/victims/images", headers=headers, **upload(data))
    assert added.status_code == 201
    assert added.json()["pdq"] == hash_bytes(data).pdq.pdq
    assert added.json()["robust_entry"] is not None  # its ORB keypoints, beside its PDQ
    assert api.client.get("/v1/banks/victims", headers=headers).json()["size"] == 2
    assert [m["entry"] for m in _matches(api, data)] == [added.json()["entry"]]
    api.client.delete("/v1/banks/victims", headers=api.auth("admin"))
    assert _matches(api, data) == []


@pytest.mark.parametrize(
    ("entries", "status", "code"),
    [
        ([{"pdq": "zz"}], 422, "invalid_hash"),
        ([{"pdq": "0" * 64}, {"pdq": "0" * 63}], 422, "invalid_hash"),
        ([{"pdq": "0" * 64, "quality": 101}], 422, "invalid_quality"),
        ([{"pdq": "0" * 64, "note": "n" * 3000}], 422, "invalid_note"),
        ([], 422, "invalid_request"),
    ],
)
def test_add_hashes_refuses_and_keeps_nothing(
    api: Api, entries: list[object], status: int, code: str
) -> None:
    headers = api.auth("analyst")
    api.client.post("/v1/banks", headers=headers, json={"name": "victims", "kind": "victim"})
    answer = api.client.post("/v1/banks/victims/hashes", headers=headers, json={"entries": entries})
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert api.client.get("/v1/banks/victims", headers=headers).json()["size"] == 0


def test_unknown_bank(api: Api) -> None:
    headers = api.auth("analyst")
    for method, path, extra in [
        ("POST", "/v1/banks/nope/hashes", {"json": {"entries": [{"pdq": "0" * 64}]}}),
        ("POST", "/v1/banks/nope/images", upload(image())),
        ("DELETE", "/v1/banks/nope/hashes/1", {}),
        ("DELETE", "/v1/banks/nope", {}),
    ]:
        auth = api.auth("admin") if path == "/v1/banks/nope" else headers
        answer = api.client.request(method, path, headers=auth, **extra)  # type: ignore[arg-type]
        assert answer.status_code == 404, path
        assert answer.json()["error"]["code"] == "bank_not_found"


def test_unknown_route_and_method(api: Api) -> None:
    assert api.client.get("/v2/nothing").json()["error"]["code"] == "not_found"
    answer = api.client.put("/v1/banks", headers=api.auth("admin"))
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"

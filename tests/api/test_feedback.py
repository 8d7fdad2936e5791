"""The /v1/feedback routes: platforms report what they did, analysts review false positives."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bouclier.storage.models import Case, CaseMatch, CustodyEvent, MatchFeedback
from tests.api.conftest import Api

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
# the platform's image: 4 bits from the banked hash, so it matches it
NEAR = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b2d"


def _entry(api: Api, case_ref: str | None = None) -> int:
    analyst = api.auth("analyst")
    api.client.post("/v1/banks", headers=analyst, json={"name": "victims", "kind": "victim"})
    answer = api.client.post(
        "/v1/banks/victims/hashes",
        headers=analyst,
        json={"entries": [{"pdq": PDQ, "case_ref": case_ref}]},
    )
    assert answer.status_code == 201
    entry: int = answer.json()["entries"][0]
    return entry


def _verdict(api: Api, value: str) -> dict[str, object]:
    answer = api.client.post(
        "/v1/match/hashes", headers=api.auth("platform"), json={"pdq": [value]}
    )
    result: dict[str, object] = answer.json()["results"][0]
    return result


def _feedback(api: Api, entry: int, action: str, pdq: str = NEAR) -> dict[str, object]:
    answer = api.client.post(
        "/v1/feedback",
        headers=api.auth("platform"),
        json={"entry_id": entry, "pdq": pdq, "action": action, "url": "https://ex.social/p/1"},
    )
    assert answer.status_code == 201, answer.json()
    body: dict[str, object] = answer.json()
    return body


def test_a_confirmed_false_positive_is_allowed_from_then_on(api: Api) -> None:
    entry = _entry(api)
    assert _verdict(api, NEAR)["verdict"] == "REVIEW"
    reported = _feedback(api, entry, "false_positive", pdq=NEAR.upper())
    assert reported | {"id": 0, "created_at": ""} == {
        "id": 0,
        "platform": "test platform",
        "bank": "victims",
        "entry_id": entry,
        "signal_type": "pdq",
        "value": NEAR,
        "pdq": NEAR,
        "action": "false_positive",
        "status": "pending",
        "url": "https://ex.social/p/1",
        "created_at": "",
        "reviewed_by": None,
        "reviewed_at": None,
    }
    analyst = api.auth("analyst")
    queue = api.client.get("/v1/feedback?status=pending", headers=analyst).json()
    assert [f["id"] for f in queue["feedback"]] == [reported["id"]]
    confirmed = api.client.post(f"/v1/feedback/{reported['id']}/confirm", headers=analyst)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["reviewed_by"] == "test analyst"
    again = api.client.post(f"/v1/feedback/{reported['id']}/confirm", headers=analyst)
    assert again.json() == confirmed.json()  # idempotent
    conflict = api.client.post(f"/v1/feedback/{reported['id']}/reject", headers=analyst)
    assert (conflict.status_code, conflict.json()["error"]["code"]) == (409, "feedback_decided")

    bank = api.client.get("/v1/banks/known-false-positives", headers=analyst).json()
    assert (bank["kind"], bank["size"]) == ("known_false_positive", 1)  # once, not twice
    verdict = _verdict(api, NEAR)
    assert verdict["verdict"] == "ALLOW"
    assert [r["code"] for r in verdict["reasons"]] == ["known_false_positive"]  # type: ignore[attr-defined,index]
    assert api.client.get("/v1/feedback?status=pending", headers=analyst).json()["feedback"] == []


def test_a_rejected_false_positive_changes_nothing(api: Api) -> None:
    entry = _entry(api)
    reported = _feedback(api, entry, "false_positive")
    analyst = api.auth("analyst")
    rejected = api.client.post(f"/v1/feedback/{reported['id']}/reject", headers=analyst)
    assert rejected.json()["status"] == "rejected"
    assert api.client.post(f"/v1/feedback/{reported['id']}/reject", headers=analyst).json() == (
        rejected.json()
    )
    conflict = api.client.post(f"/v1/feedback/{reported['id']}/confirm", headers=analyst)
    assert conflict.status_code == 409
    assert api.client.get("/v1/banks/known-false-positives", headers=analyst).status_code == 404
    assert _verdict(api, NEAR)["verdict"] == "REVIEW"


def test_blocked_and_not_blocked_are_recorded_not_reviewable(api: Api) -> None:
    entry = _entry(api)
    for action in ("blocked", "not_blocked"):
        given = _feedback(api, entry, action)
        assert given["status"] == "recorded"
        answer = api.client.post(f"/v1/feedback/{given['id']}/confirm", headers=api.auth("analyst"))
        assert (answer.status_code, answer.json()["error"]["code"]) == (
            409,
            "feedback_not_reviewable",
        )
    listed = api.client.get("/v1/feedback?limit=1", headers=api.auth("analyst")).json()
    assert [f["action"] for f in listed["feedback"]] == ["not_blocked"]
    older = api.client.get(
        f"/v1/feedback?limit=1&before={listed['next']}", headers=api.auth("analyst")
    ).json()
    assert [f["action"] for f in older["feedback"]] == ["blocked"]


def test_a_blocked_reupload_is_recorded_for_the_case(api: Api) -> None:
    with api.services.db.transaction() as session:
        session.add(Case(number="C-2026-0001", secret_hash="x"))  # noqa: S106
    entry = _entry(api, case_ref="C-2026-0001")
    _feedback(api, entry, "blocked")
    _feedback(api, entry, "not_blocked")
    with api.services.db.transaction() as session:
        matches = session.scalars(select(CaseMatch)).all()
        assert [(m.platform, m.action, m.item_id) for m in matches] == [
            ("test platform", "blocked", None)
        ]
        events = session.scalars(select(CustodyEvent)).all()
        assert [(e.kind, e.actor) for e in events] == [
            ("reupload.blocked", "platform:test platform")
        ]
        assert session.scalar(select(MatchFeedback.id).limit(1)) is not None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"entry_id": 999, "pdq": PDQ, "action": "blocked"}, 404, "entry_not_found"),
        ({"entry_id": 1, "pdq": "abc", "action": "blocked"}, 422, "invalid_hash"),
        ({"entry_id": 1, "pdq": PDQ, "action": "deleted"}, 422, "invalid_request"),
        # a line break is refused at the door, as every control character (schemas.RequestModel)
        ({"entry_id": 1, "pdq": PDQ, "action": "blocked", "url": "a\nb"}, 422, "invalid_request"),
        ({"pdq": PDQ, "action": "blocked"}, 422, "invalid_request"),
    ],
)
def test_refused(api: Api, body: dict[str, object], status: int, code: str) -> None:
    assert _entry(api) == 1
    answer = api.client.post("/v1/feedback", headers=api.auth("platform"), json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)


def test_unknown_feedback_and_roles(api: Api) -> None:
    analyst = api.auth("analyst")
    missing = api.client.post("/v1/feedback/77/confirm", headers=analyst)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "feedback_not_found")
    assert api.client.get("/v1/feedback", headers=api.auth("platform")).status_code == 403
    body = {"entry_id": 1, "pdq": PDQ, "action": "blocked"}
    assert api.client.post("/v1/feedback", headers=analyst, json=body).status_code == 403
    assert api.client.post("/v1/feedback/1/reject", headers=api.auth("platform")).status_code == 403

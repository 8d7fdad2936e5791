"""The case routes: a victim opens a case without a key and comes back with its secret."""

from __future__ import annotations

import logging

import pytest

from tests.api.conftest import Api, image, solved_challenge, upload

PDQ = "a5" * 32


def _open(api: Api, **body: object) -> tuple[str, dict[str, str]]:
    answer = api.client.post(
        "/v1/cases", json={"language": "es", **solved_challenge(api.client), **body}
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()
    return created["number"], {"X-Case-Secret": created["secret"]}


def test_a_victim_opens_a_case_and_reports_hashes_and_links(api: Api) -> None:
    number, secret = _open(api, minor=True, sextortion=True)
    added = api.client.post(
        f"/v1/cases/{number}/hashes",
        json={"hashes": [{"pdq": PDQ, "quality": 88, "sha256": "b" * 64}]},
        headers=secret,
    )
    assert added.status_code == 201, added.text
    [item] = added.json()["added"]
    assert (item["pdq"], item["status"], item["low_quality"]) == (PDQ, "pending", False)
    links = api.client.post(
        f"/v1/cases/{number}/urls",
        json={"urls": ["https://www.tiktok.com/@x/video/1"]},
        headers=secret,
    )
    assert links.json()["added"][0]["platform"] == "tiktok"
    case = api.client.get(f"/v1/cases/{number}", headers=secret).json()
    assert case["minor"] is True
    assert case["sextortion"] is True
    assert [i["kind"] for i in case["items"]] == ["hash", "url"]
    # matched at once by this process: a platform's lookup of the same hash hits the victim bank
    match = api.client.post(
        "/v1/match/hashes", json={"pdq": [PDQ]}, headers=api.auth("platform")
    ).json()
    assert "victims" in str(match)


def test_one_case_secret_does_not_open_another_case(api: Api) -> None:
    first, first_secret = _open(api)
    second, _ = _open(api)
    assert api.client.get(f"/v1/cases/{first}", headers=first_secret).status_code == 200
    answer = api.client.get(f"/v1/cases/{second}", headers=first_secret)
    assert answer.status_code == 401
    assert api.client.get(f"/v1/cases/{second}").status_code == 401
    assert api.client.get(f"/v1/cases/{second}", headers=api.auth("platform")).status_code == 403
    assert api.client.get(f"/v1/cases/{second}", headers=api.auth("analyst")).status_code == 200


def test_guessing_a_secret_is_stopped(api: Api) -> None:
    number, secret = _open(api)
    for _ in range(5):
        wrong = api.client.get(f"/v1/cases/{number}", headers={"X-Case-Secret": "AAAAA-BBBBB"})
        assert wrong.status_code == 401
    locked = api.client.get(f"/v1/cases/{number}", headers=secret)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.json()["error"]["code"] == "too_many_attempts"


def test_analysts_see_the_queue_and_review(api: Api) -> None:
    plain, plain_secret = _open(api)
    minor, _ = _open(api, minor=True)
    api.client.post(
        f"/v1/cases/{plain}/hashes", json={"hashes": [{"pdq": PDQ}]}, headers=plain_secret
    )
    queue = api.client.get("/v1/cases", headers=api.auth("analyst")).json()["cases"]
    assert [q["case"]["number"] for q in queue] == [minor, plain]
    item = api.client.get(f"/v1/cases/{plain}", headers=plain_secret).json()["items"][0]
    rejected = api.client.post(
        f"/v1/cases/{plain}/items/{item['id']}/review",
        json={"decision": "reject"},
        headers=api.auth("analyst"),
    )
    assert rejected.json()["status"] == "rejected"
    again = api.client.post(
        f"/v1/cases/{plain}/items/{item['id']}/review",
        json={"decision": "confirm"},
        headers=api.auth("analyst"),
    )
    assert again.status_code == 409
    bad = api.client.post(
        f"/v1/cases/{plain}/items/{item['id']}/review",
        json={"decision": "maybe"},
        headers=api.auth("analyst"),
    )
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("hashes", {"hashes": [{"pdq": "xyz"}]}, "invalid_hash"),
        ("hashes", {"hashes": [{"pdq": PDQ, "quality": 400}]}, "invalid_quality"),
        ("urls", {"urls": ["javascript:alert(1)"]}, "invalid_url"),
        ("urls", {"urls": []}, "invalid_request"),
    ],
)
def test_bad_items_get_typed_errors(api: Api, path: str, body: object, code: str) -> None:
    number, secret = _open(api)
    answer = api.client.post(f"/v1/cases/{number}/{path}", json=body, headers=secret)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == code


def test_bad_case_creation_is_refused(api: Api) -> None:
    assert api.client.post("/v1/cases", json={"language": "de"}).status_code == 422
    unknown = api.client.post(
        "/v1/cases",
        json={"invitation": "INV-AAAAA-AAAAA-AAAAA-AAAAA", **solved_challenge(api.client)},
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "invitation_not_found"


def test_withdrawal_takes_the_hashes_out_of_matching(api: Api) -> None:
    number, secret = _open(api)
    api.client.post(f"/v1/cases/{number}/hashes", json={"hashes": [{"pdq": PDQ}]}, headers=secret)
    done = api.client.delete(f"/v1/cases/{number}", headers=secret)
    assert done.status_code == 200
    assert done.json()["hashes"] == 1
    match = api.client.post(
        "/v1/match/hashes", json={"pdq": [PDQ]}, headers=api.auth("platform")
    ).json()
    assert "victims" not in str(match)
    assert api.client.get(f"/v1/cases/{number}", headers=secret).status_code == 401


def test_no_secret_in_logs(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answer = api.client.post(
        "/v1/cases", json={"contact": "mother@example.org", **solved_challenge(api.client)}
    )
    secret = answer.json()["secret"]
    number = answer.json()["number"]
    api.client.get(f"/v1/cases/{number}", headers={"X-Case-Secret": secret})
    api.client.post(**{"url": "/v1/hash", **upload(image())}, headers=api.auth("platform"))
    text = caplog.text
    assert secret not in text
    assert "mother@example.org" not in text


def test_a_match_on_a_minors_case_blocks_and_escalates_once_an_analyst_confirms(api: Api) -> None:
    """List poisoning: anyone can open a case "concerning a minor" with the hash of any picture.
    Until an analyst confirms the item, every platform's match says ``reviewed: false`` and asks
    for review, never BLOCK nor escalation; once confirmed, the case's flags count at once."""
    adult, adult_secret = _open(api)
    minor, minor_secret = _open(api, minor=True)
    other = "5a" * 32
    api.client.post(
        f"/v1/cases/{adult}/hashes", json={"hashes": [{"pdq": PDQ}]}, headers=adult_secret
    )
    api.client.post(
        f"/v1/cases/{minor}/hashes", json={"hashes": [{"pdq": other}]}, headers=minor_secret
    )

    def match() -> list[tuple[str, bool, list[bool]]]:
        results = api.client.post(
            "/v1/match/hashes", json={"pdq": [PDQ, other]}, headers=api.auth("platform")
        ).json()["results"]
        return [
            (r["verdict"], r["escalate"], [m["reviewed"] for m in r["matches"]]) for r in results
        ]

    assert match() == [("REVIEW", False, [False]), ("REVIEW", False, [False])]
    for number, secret in ((adult, adult_secret), (minor, minor_secret)):
        [item] = api.client.get(f"/v1/cases/{number}", headers=secret).json()["items"]
        confirmed = api.client.post(
            f"/v1/cases/{number}/items/{item['id']}/review",
            json={"decision": "confirm"},
            headers=api.auth("analyst"),
        )
        assert confirmed.status_code == 200, confirmed.text
    assert match() == [("REVIEW", False, [True]), ("BLOCK", True, [True])]


def test_a_public_figures_photo_on_a_fake_minors_case_is_not_blocked(api: Api) -> None:
    """The issue's attack, through ``/v1/match`` with the image itself."""
    from bouclier.hashing import hash_bytes

    photo_of_someone = image(5)
    number, secret = _open(api, minor=True, sextortion=True)
    pdq = hash_bytes(photo_of_someone).pdq.pdq
    api.client.post(f"/v1/cases/{number}/hashes", json={"hashes": [{"pdq": pdq}]}, headers=secret)
    answer = api.client.post(
        "/v1/match", **upload(photo_of_someone), headers=api.auth("platform")
    ).json()
    assert (answer["verdict"], answer["escalate"], answer["priority"]) == (
        "REVIEW",
        False,
        "normal",
    )
    assert [m["reviewed"] for m in answer["matches"]] == [False]
    assert [r["code"] for r in answer["reasons"]] == ["victim_match_unreviewed"]

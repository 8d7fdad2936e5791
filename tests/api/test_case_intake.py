"""Fake cases: a flood of anonymous cases is refused before any argon2 hash is made, and the
cases of a burst, or without a solved challenge, wait behind the others in the analysts' queue."""

from __future__ import annotations

import pytest

from bouclier.api.intake import CaseIntake
from bouclier.api.ratelimit import RateLimited
from bouclier.cases import credentials
from bouclier.cases.challenge import Challenges, solve
from bouclier.settings import Settings
from bouclier.storage import Database
from tests.api.conftest import Api, solved_challenge


@pytest.fixture
def argon2_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every case secret hashed with argon2 (each costs the service tens of ms)."""
    made: list[str] = []
    real = credentials.hash_secret

    def counted(secret: str) -> str:
        made.append("x")
        return real(secret)

    monkeypatch.setattr(credentials, "hash_secret", counted)
    return made


def test_300_anonymous_cases_in_a_burst_are_refused_before_any_work(
    api: Api, argon2_hashes: list[str]
) -> None:
    # the gate's keyless limit per client (tests/api/test_gate.py) would stop this burst first:
    # here the intake's own limits, the ones before the argon2 hash, are tested
    api.client.app.state.client_limiter = None  # type: ignore[attr-defined]
    answers = [
        api.client.post("/v1/cases", json={"minor": True, **solved_challenge(api.client)})
        for _ in range(300)
    ]
    created = [a.json() for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert len(created) == 6  # case_create_per_client_hour, then 429 until the bucket refills
    assert {a.status_code for a in refused} == {429}
    assert {a.json()["error"]["code"] for a in refused} == {"rate_limited"}
    assert all(int(a.headers["retry-after"]) >= 1 for a in refused)
    assert len(argon2_hashes) == 6  # a refused case cost no argon2 hash
    # the first two are verified; the rest of the burst waits behind other people's cases
    assert [c["verified"] for c in created] == [True, True, False, False, False, False]
    queue = api.client.get("/v1/cases", headers=api.auth("analyst")).json()["cases"]
    assert [q["case"]["verified"] for q in queue] == [True, True, False, False, False, False]


def test_a_case_needs_a_valid_unspent_challenge(api: Api, argon2_hashes: list[str]) -> None:
    bare = api.client.post("/v1/cases", json={"minor": True})
    assert bare.status_code == 422
    assert bare.json()["error"]["code"] == "challenge_required"
    given = solved_challenge(api.client)
    assert api.client.post("/v1/cases", json=given).status_code == 201
    replayed = api.client.post("/v1/cases", json=given)
    assert replayed.json()["error"]["code"] == "challenge_spent"
    unsolved = {"challenge": solved_challenge(api.client)["challenge"], "answer": "-"}
    assert api.client.post("/v1/cases", json=unsolved).json()["error"]["code"] == (
        "challenge_unsolved"
    )
    # no answer (the no-JavaScript path): refused until the challenge is a few seconds old
    early = api.client.post("/v1/cases", json={"challenge": unsolved["challenge"]})
    assert early.json()["error"]["code"] == "challenge_too_early"
    assert len(argon2_hashes) == 1


def _intake(db: Database, now: list[float], **limits: int) -> CaseIntake:
    settings = Settings(case_challenge_bits=8, **limits)  # type: ignore[arg-type]
    challenges = Challenges(
        db, b"k" * 32, bits=8, wait_seconds=5, ttl_seconds=3600, clock=lambda: now[0]
    )
    return CaseIntake(challenges, settings)


def test_many_clients_together_meet_the_global_limit(db: Database) -> None:
    now = [1_000_000.0]
    intake = _intake(db, now, case_create_global_hour=120)
    admitted = refused = 0
    for client in range(300):
        made = intake.challenges.issue()
        try:
            intake.admit(f"10.0.{client // 256}.{client % 256}", made.token, solve(made.token, 8))
        except RateLimited:
            refused += 1
        else:
            admitted += 1
    assert (admitted, refused) == (120, 180)


def test_without_javascript_cases_are_unverified_and_limited_tighter(db: Database) -> None:
    now = [1_000_000.0]
    intake = _intake(db, now)
    tokens = [intake.challenges.issue().token for _ in range(3)]
    now[0] += 6  # the form was read and filled
    first, second = (intake.admit("192.0.2.7", t, None) for t in tokens[:2])
    assert (first.verified, second.verified) == (False, False)
    with pytest.raises(RateLimited):
        intake.admit("192.0.2.7", tokens[2], None)  # case_create_no_js_per_client_hour = 2
    made = intake.challenges.issue()
    assert intake.admit("192.0.2.7", made.token, solve(made.token, 8)).verified  # with JS

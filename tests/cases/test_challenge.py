"""Case-creation challenges: signed, solved or waited for, expiring, used once in every process."""

from __future__ import annotations

import pytest

from bouclier.cases.challenge import Challenges, Proof, solve, solves
from bouclier.errors import ChallengeFailed
from bouclier.storage import Database

KEY = b"k" * 32


def _challenges(db: Database, now: list[float], key: bytes = KEY) -> Challenges:
    return Challenges(db, key, bits=8, wait_seconds=5, ttl_seconds=600, clock=lambda: now[0])


def test_a_solved_challenge_opens_one_case_in_every_process(db: Database) -> None:
    now = [1_000_000.0]
    first, second = _challenges(db, now), _challenges(db, now)  # two processes, one key
    made = first.issue()
    answer = solve(made.token, made.bits)
    assert solves(made.token, answer, 8)
    assert second.check(made.token, answer) is Proof.SOLVED
    second.spend(made.token)
    assert first.check(made.token, answer) is Proof.SOLVED  # still a valid proof...
    with pytest.raises(ChallengeFailed) as spent:
        first.spend(made.token)  # ...but it opened a case already
    assert spent.value.code == "challenge_spent"


def test_without_an_answer_a_challenge_counts_after_the_wait(db: Database) -> None:
    now = [1_000_000.0]
    challenges = _challenges(db, now)
    made = challenges.issue()
    with pytest.raises(ChallengeFailed) as early:
        challenges.check(made.token, None)
    assert early.value.code == "challenge_too_early"
    now[0] += 5
    assert challenges.check(made.token, None) is Proof.WAITED
    now[0] += 600
    with pytest.raises(ChallengeFailed) as expired:
        challenges.check(made.token, None)
    assert expired.value.code == "challenge_expired"


def test_spent_challenges_are_forgotten_once_expired(db: Database) -> None:
    from sqlalchemy import func, select

    from bouclier.storage.models import SpentChallenge

    now = [1_000_000.0]
    challenges = _challenges(db, now)
    challenges.spend(challenges.issue().token)
    now[0] += 601
    challenges.spend(challenges.issue().token)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(SpentChallenge)) == 1


def _tampered(token: str) -> str:
    issued, bits, salt, mac = token.split(".")
    return f"{issued}.{int(bits) - 1}.{salt}.{mac}"


@pytest.mark.parametrize(
    ("make", "answer", "code"),
    [
        (lambda t: None, "1", "challenge_required"),
        (lambda t: "", "1", "challenge_required"),
        (lambda t: "not a challenge", "1", "challenge_invalid"),
        (lambda t: "1.8.abc.def", "1", "challenge_invalid"),
        (lambda t: t + "x" * 300, "1", "challenge_invalid"),
        (_tampered, "1", "challenge_invalid"),
        (lambda t: t, "no spaces allowed", "challenge_unsolved"),
        (lambda t: t, "é", "challenge_unsolved"),
        (lambda t: t, "x" * 33, "challenge_unsolved"),
    ],
)
def test_broken_challenges_get_typed_errors(
    db: Database, make: object, answer: str, code: str
) -> None:
    now = [1_000_000.0]
    challenges = _challenges(db, now)
    token = challenges.issue().token
    with pytest.raises(ChallengeFailed) as failed:
        challenges.check(make(token), answer)  # type: ignore[operator]
    assert failed.value.code == code


def test_a_wrong_answer_and_another_services_challenge_are_refused(db: Database) -> None:
    now = [1_000_000.0]
    ours, theirs = _challenges(db, now), _challenges(db, now, key=b"o" * 32)
    made = theirs.issue()
    with pytest.raises(ChallengeFailed) as foreign:
        ours.check(made.token, solve(made.token, made.bits))
    assert foreign.value.code == "challenge_invalid"
    mine = ours.issue()
    wrong = next(str(n) for n in range(10_000) if not solves(mine.token, str(n), 8))
    with pytest.raises(ChallengeFailed) as unsolved:
        ours.check(mine.token, wrong)
    assert unsolved.value.code == "challenge_unsolved"

"""Guessing secrets is slowed per (subject, client), per client and per subject, never locked."""

from __future__ import annotations

import pytest

from bouclier.cases import attempts
from bouclier.cases.attempts import SecretLimiter, TooManyAttempts
from bouclier.limits import MemoryStore

NUMBER = "number:BQ-AAAA-AAAA"
ATTACKER, OWNER = "198.51.100.9", "203.0.113.20"


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(clock: Clock) -> SecretLimiter:
    return SecretLimiter(MemoryStore(clock))


def wrong(limiter: SecretLimiter, subject: str, client: str) -> int | None:
    """One wrong attempt: None when it was checked, else the Retry-After it got."""
    try:
        limiter.check(subject, client)
    except TooManyAttempts as refused:
        return refused.retry_after
    return None


def test_wrong_guesses_from_one_client_wait_longer_and_longer(
    limiter: SecretLimiter, clock: Clock
) -> None:
    for _ in range(attempts.PAIR_FREE):
        assert wrong(limiter, NUMBER, ATTACKER) is None
    waits = []
    for _ in range(5):
        wait = wrong(limiter, NUMBER, ATTACKER)
        assert wait is not None
        assert wrong(limiter, NUMBER, ATTACKER) == wait  # refused: nothing charged, no progress
        waits.append(wait)
        clock.now += wait
        assert wrong(limiter, NUMBER, ATTACKER) is None
    assert waits == [2, 4, 8, 16, 32]


def test_the_owner_opens_her_case_from_another_client_after_an_attackers_guesses(
    limiter: SecretLimiter,
) -> None:
    """Case numbers are printed on notices: anyone can make wrong guesses on one. On main, five
    of them locked the number for 15 minutes from every address."""
    for _ in range(attempts.PAIR_FREE + 3):
        wrong(limiter, NUMBER, ATTACKER)
    assert wrong(limiter, NUMBER, ATTACKER) is not None
    limiter.check(NUMBER, OWNER)  # not refused
    limiter.succeeded(NUMBER, OWNER)


def test_a_right_secret_clears_the_clients_count_for_that_subject(limiter: SecretLimiter) -> None:
    for _ in range(attempts.PAIR_FREE - 1):
        wrong(limiter, NUMBER, OWNER)
    limiter.check(NUMBER, OWNER)
    limiter.succeeded(NUMBER, OWNER)
    for _ in range(attempts.PAIR_FREE - 1):
        assert wrong(limiter, NUMBER, OWNER) is None


def test_one_client_trying_many_numbers_is_slowed(limiter: SecretLimiter) -> None:
    for n in range(attempts.CLIENT_FREE):
        assert wrong(limiter, f"number:{n}", ATTACKER) is None
    assert wrong(limiter, "number:fresh", ATTACKER) is not None
    assert wrong(limiter, "number:fresh", OWNER) is None  # another client is not


def test_a_crowd_of_clients_slows_a_case_but_never_locks_it(
    limiter: SecretLimiter, clock: Clock
) -> None:
    for n in range(attempts.SUBJECT_CEILING):
        assert wrong(limiter, NUMBER, f"10.0.{n // 250}.{n % 250}") is None
    wait = wrong(limiter, NUMBER, OWNER)
    assert wait == attempts.SUBJECT_DELAY  # a second, not a window
    # the owner's refused attempt charged nothing: her own count is still clean
    assert wrong(limiter, "number:other", OWNER) is None
    clock.now += wait
    limiter.check(NUMBER, OWNER)
    limiter.succeeded(NUMBER, OWNER)


def test_an_attempt_refused_by_one_limit_is_not_charged_to_the_others(
    limiter: SecretLimiter,
) -> None:
    for n in range(attempts.CLIENT_FREE):
        wrong(limiter, f"number:{n}", ATTACKER)
    for _ in range(10):
        assert wrong(limiter, NUMBER, ATTACKER) is not None  # the client waits
    for n in range(attempts.SUBJECT_CEILING - 1):
        assert wrong(limiter, NUMBER, f"10.1.{n // 250}.{n % 250}") is None


def test_an_attempt_is_charged_before_the_check_and_refunded_when_right(
    limiter: SecretLimiter,
) -> None:
    checked: list[str] = []

    def check(answer: str | None) -> str | None:
        checked.append("checked")
        return answer

    for _ in range(attempts.PAIR_FREE - 1):
        assert limiter.attempt(NUMBER, OWNER, lambda: check(None)) is None
    assert limiter.attempt(NUMBER, OWNER, lambda: check("case")) == "case"  # refunded, forgotten
    for _ in range(attempts.PAIR_FREE):
        assert limiter.attempt(NUMBER, OWNER, lambda: check(None)) is None
    assert len(checked) == 2 * attempts.PAIR_FREE
    with pytest.raises(TooManyAttempts):
        limiter.attempt(NUMBER, OWNER, lambda: check("case"))
    assert len(checked) == 2 * attempts.PAIR_FREE  # refused: the secret was not checked


@pytest.mark.parametrize(
    "spelling", ["BQ-7K4M-2QX9", "bq-7k4m-2qx9", " BQ7K4M2QX9 ", "bq 7k4m 2qx9"]
)
def test_every_spelling_of_a_case_number_is_one_subject(spelling: str) -> None:
    assert attempts.case_subject(spelling) == "number:BQ-7K4M-2QX9"

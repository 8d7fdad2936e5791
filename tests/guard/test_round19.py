"""The nineteenth round (issue 13): rules 19 are rules 17 less the seventeenth round's classes
that its pre-registered rule dropped, more often wrong than right on seen-v18 + seen-v19
(bouclier.guard.nineteenth: "tooling", "uncovered", "figurative"). No model: a fake semantic
stage gives each text its score (0.05 unless told). The prompts are the seventeenth round's own
test examples (tests/guard/test_round17.py), written there and in no corpus file."""

from __future__ import annotations

import pytest

from bouclier.guard import nineteenth, rounds, seventeenth
from bouclier.guard.decision import Action
from bouclier.guard.stages import TwoStageGuard
from tests.guard.fakes import Scored, ruled
from tests.guard.test_round17 import (
    AGAIN,
    ANCHORED,
    BARES,
    CHILD,
    EXTORTION,
    FIGURATIVE,
    FIGURES,
    INQUIRY,
    SELLS,
    TOOLING,
    UNCOVERED,
    WITHDRAWN,
)


def _check(prompt: str, rules: int, score: float = 0.05, context: tuple[str, ...] = ()):
    return ruled(rules, default=score).check(prompt, context=context)


def test_the_rounds_table_holds_the_nineteenth_round() -> None:
    """``rules=19`` applies rounds 11, 13, 14, 17 and 19 (not 18); the drops are three of the
    seventeenth round's classes; rules 17 and 18 apply the rounds they did."""
    assert [r.number for r in rounds.applied(19)] == [11, 13, 14, 17, 19]
    assert [r.number for r in rounds.applied(18)] == [11, 13, 14, 17, 18]
    assert [r.number for r in rounds.applied(17)] == [11, 13, 14, 17]
    assert {"tooling", "uncovered", "figurative"} == nineteenth.DROPS
    assert nineteenth.DROPS.issubset(seventeenth.EXPLAINED)
    assert rounds.dropped(rounds.applied(19)) >= nineteenth.DROPS
    assert not rounds.dropped(rounds.applied(17)) & set(seventeenth.EXPLAINED)
    assert not rounds.dropped(rounds.applied(18)) & set(seventeenth.EXPLAINED)


@pytest.mark.parametrize(("lang", "prompt"), TOOLING)
def test_a_dropped_refusal_class_no_longer_answers(lang: str, prompt: str) -> None:
    """An undressing tool set up on real people: refused as "tooling" by rules 17 (the model
    allows, 0.05), no longer by rules 19."""
    before = _check(prompt, 17)
    assert before.decision is Action.REFUSE, (lang, prompt)
    assert "rule_tooling" in before.concepts
    assert "rule_tooling" not in _check(prompt, 19).concepts, (lang, prompt)


def test_a_dropped_refusal_class_leaves_some_allowed() -> None:
    """Without "tooling", most of its examples are allowed (nothing else refuses them)."""
    allowed = [p for _, p in TOOLING if _check(p, 19).decision is Action.ALLOW]
    assert len(allowed) * 2 > len(TOOLING), allowed


@pytest.mark.parametrize(
    ("ruled_as", "lang", "prompt"),
    [("uncovered", *row) for row in UNCOVERED] + [("figurative", *row) for row in FIGURATIVE],
)
def test_a_dropped_allow_class_no_longer_answers(ruled_as: str, lang: str, prompt: str) -> None:
    """An object uncovered, an undressing word used figuratively: allowed as such by rules 17
    where the model refuses (0.9); rules 19 no longer allow them by that class."""
    before = _check(prompt, 17, 0.9)
    assert before.decision is Action.ALLOW, (lang, prompt)
    assert f"rule_{ruled_as}" in before.concepts, (prompt, before.concepts)
    after = _check(prompt, 19, 0.9)
    assert f"rule_{ruled_as}" not in after.concepts, (prompt, after.concepts)


def test_a_dropped_allow_class_leaves_the_models_refusal() -> None:
    """Without "uncovered" and "figurative", the model's refusal (0.9) stands for most of
    their examples."""
    rows = [*UNCOVERED, *FIGURATIVE]
    refused = [p for _, p in rows if _check(p, 19, 0.9).decision is Action.REFUSE]
    assert len(refused) * 2 > len(rows), refused


@pytest.mark.parametrize(
    ("ruled_as", "prompt"),
    [("sells", p) for _, p in SELLS] + [("extortion", p) for _, p in EXTORTION],
)
def test_the_kept_refusal_classes_still_answer(ruled_as: str, prompt: str) -> None:
    for rules in (17, 19):
        decision = _check(prompt, rules)
        assert decision.decision is Action.REFUSE, (rules, prompt)
        assert f"rule_{ruled_as}" in decision.concepts, (rules, prompt, decision.concepts)


@pytest.mark.parametrize("prompt", [p for _, p in CHILD] + [p for _, p in BARES])
def test_a_minor_or_a_person_bared_is_still_refused(prompt: str) -> None:
    for rules in (17, 19):
        assert _check(prompt, rules).decision is Action.REFUSE, (rules, prompt)


@pytest.mark.parametrize(("before", "prompt"), AGAIN)
def test_the_same_again_is_still_refused(before: str, prompt: str) -> None:
    for rules in (17, 19):
        assert _check(prompt, rules, context=(before,)).decision is Action.REFUSE, (rules, prompt)


@pytest.mark.parametrize("prompt", [p for _, p in INQUIRY] + [p for _, p in FIGURES])
def test_the_kept_allow_classes_still_answer(prompt: str) -> None:
    """A question about the harm, a mannequin undressed: allowed where the model refuses."""
    for rules in (17, 19):
        assert _check(prompt, rules, 0.9).decision is Action.ALLOW, (rules, prompt)


@pytest.mark.parametrize(("lang", "before", "prompt"), WITHDRAWN)
def test_a_request_taken_back_is_still_judged_alone(lang: str, before: str, prompt: str) -> None:
    for rules in (17, 19):
        for score in (0.05, 0.9):
            decision = _check(prompt, rules, score, (before,))
            assert decision.decision is Action.ALLOW, (lang, rules, score, decision.concepts)


@pytest.mark.parametrize("prompt", ANCHORED)
def test_a_word_read_inside_another_word_is_still_mended(prompt: str) -> None:
    assert _check(prompt, 14).decision is Action.REFUSE, prompt
    assert _check(prompt, 19).decision is Action.ALLOW, prompt


def test_the_default_is_still_the_seventeenth_round() -> None:
    """Rules 19 are side by side, not the default: the default guard (rules 20, stacked on the
    seventeenth round's) still answers "tooling"."""
    guard = TwoStageGuard(semantic=Scored({}, eleventh=True), uncovered=Action.ALLOW)  # type: ignore[arg-type]
    assert guard.rules == 20
    assert "rule_tooling" in guard.check(TOOLING[0][1]).concepts

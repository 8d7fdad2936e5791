"""intent-16-first (issue 13): intent-10's recipe, the first reading alone, retrained on all of
evaluation.TRAINING (seen-v2 … seen-v19 and the generated files) (docs/guard.md,
"intent-16-first, trained (the nineteenth round)"). The prompts are written for these tests, in no
corpus file (tests/guard/retrained.py)."""

from __future__ import annotations

import dataclasses

import pytest

from bouclier.errors import ModelUnavailable
from bouclier.guard.decision import Action
from bouclier.guard.semantic import (
    INTENT_10,
    INTENT_14_FIRST,
    INTENT_15_FIRST,
    INTENT_16_FIRST,
    INTENTS,
    SemanticStage,
)
from bouclier.guard.stages import TwoStageGuard
from tests.guard.retrained import CLEAR, assert_retrained, reading

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def guard() -> TwoStageGuard:
    """The two-stage guard reading intent-16-first (the default rules), one thread."""
    return reading(INTENT_16_FIRST)


def test_intent_16_first_is_pinned_and_shaped_as_intent_15_first() -> None:
    """intent-16-first's file is the one pinned (its SHA-256), named in INTENTS, with intent-10's,
    intent-14-first's and intent-15-first's arrays, shapes and dtypes, no e5 array, and new
    values: retrained, not a copy of any."""
    assert INTENTS["intent-16-first"] is INTENT_16_FIRST
    assert INTENTS["intent-15-first"] is INTENT_15_FIRST
    assert INTENTS["intent-14-first"] is INTENT_14_FIRST
    assert_retrained(INTENT_16_FIRST, INTENT_10, cap=None)
    assert_retrained(INTENT_16_FIRST, INTENT_14_FIRST, cap=None)
    assert_retrained(INTENT_16_FIRST, INTENT_15_FIRST, cap=None)


def test_intent_16_first_reads_without_a_second_reading(guard: TwoStageGuard) -> None:
    """With no e5 array in its file, a stage reading intent-16-first builds no second reading."""
    assert guard.semantic.version == "use-m3+intent-16-first"
    assert guard.semantic.second is None


def test_a_file_not_the_one_pinned_is_refused() -> None:
    """The stage checks the file's SHA-256 when it loads it: pinned to another hash, the same
    file is refused."""
    other = dataclasses.replace(INTENT_16_FIRST, sha256=INTENT_15_FIRST.sha256)
    with pytest.raises(ModelUnavailable, match="pinned SHA-256"):
        SemanticStage(intent=other).load()


@pytest.mark.parametrize(("prompt", "expected"), CLEAR)
def test_clear_prompts_in_several_languages(
    guard: TwoStageGuard, prompt: str, expected: Action
) -> None:
    assert guard.check(prompt).decision is expected

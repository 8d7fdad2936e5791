"""intent-13 (issue 13): intent-12's recipe retrained on all of evaluation.TRAINING (seen-v2 …
seen-v16 and the generated files), its second reading capped at 16 e5 tokens
(docs/guard.md, "intent-13, trained"). Pinned as an option (bench_guard.py --intent intent-13);
the prompts are written for these tests, in no corpus file (tests/guard/retrained.py)."""

from __future__ import annotations

import pytest

from bouclier.guard.decision import Action
from bouclier.guard.semantic import INTENT_12, INTENT_13, INTENTS
from bouclier.guard.stages import TwoStageGuard
from tests.guard.retrained import CLEAR, assert_retrained, assert_second_reading, reading

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def guard() -> TwoStageGuard:
    """The two-stage guard reading intent-13 (the default rules), one thread."""
    return reading(INTENT_13)


def test_intent_13_is_pinned_and_shaped_as_intent_12() -> None:
    """intent-13's file is the one pinned (its SHA-256), named in INTENTS, with intent-12's
    arrays and shapes (the first reading, the second on USE and e5 side by side, 512 + 384
    inputs, the band and the 16-token cap) and new values: retrained, not a copy."""
    assert INTENTS["intent-13"] is INTENT_13
    assert_retrained(INTENT_13, INTENT_12, cap=16)


def test_intent_13_reads_with_its_second_reading(guard: TwoStageGuard) -> None:
    """A stage reading intent-13 has the second reading (e5, capped at 16 tokens)."""
    assert_second_reading(guard.semantic, "use-m3+e5s+intent-13")


@pytest.mark.parametrize(("prompt", "expected"), CLEAR)
def test_clear_prompts_in_several_languages(
    guard: TwoStageGuard, prompt: str, expected: Action
) -> None:
    assert guard.check(prompt).decision is expected

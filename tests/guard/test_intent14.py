"""intent-14 (issue 13): intent-13's recipe retrained on all of evaluation.TRAINING (seen-v2 …
seen-v17 and the generated files), its second reading capped at 16 e5 tokens (docs/guard.md,
"intent-14, trained"). Pinned as an option (bench_guard.py --intent intent-14); the prompts are
written for these tests, in no corpus file (tests/guard/retrained.py)."""

from __future__ import annotations

import dataclasses

import pytest

from bouclier.errors import ModelUnavailable
from bouclier.guard.decision import Action
from bouclier.guard.semantic import INTENT_13, INTENT_14, INTENTS, SemanticStage
from bouclier.guard.stages import TwoStageGuard
from tests.guard.retrained import CLEAR, assert_retrained, reading

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def guard() -> TwoStageGuard:
    """The two-stage guard reading intent-14 (the default rules), one thread."""
    return reading(INTENT_14)


def test_intent_14_is_pinned_and_shaped_as_intent_13() -> None:
    """intent-14's file is the one pinned (its SHA-256), named in INTENTS, with intent-13's
    arrays and shapes (the first reading, the second on USE and e5 side by side, 512 + 384
    inputs, the band and the 16-token cap) and new values: retrained, not a copy."""
    assert INTENTS["intent-14"] is INTENT_14
    assert_retrained(INTENT_14, INTENT_13, cap=16)


def test_intent_14_is_refused_if_its_file_is_not_the_one_pinned() -> None:
    """The stage checks the file's SHA-256 when it loads it: pinned to another hash, the same
    file is refused."""
    other = dataclasses.replace(INTENT_14, sha256=INTENT_13.sha256)
    with pytest.raises(ModelUnavailable, match="pinned SHA-256"):
        SemanticStage(intent=other).load()


def test_intent_14_reads_with_its_second_reading(guard: TwoStageGuard) -> None:
    """A stage reading intent-14 has the second reading (e5, capped at 16 tokens)."""
    assert guard.semantic.version == "use-m3+e5s+intent-14"
    second = guard.semantic.second
    assert second is not None
    assert second.max_tokens == 16
    assert (second.low, second.high) == (0.2, 0.8)


@pytest.mark.parametrize(("prompt", "expected"), CLEAR)
def test_clear_prompts_in_several_languages(
    guard: TwoStageGuard, prompt: str, expected: Action
) -> None:
    assert guard.check(prompt).decision is expected

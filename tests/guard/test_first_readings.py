"""The first readings retrained since intent-14-first (issue 13), each intent-10's recipe, the
first reading alone, no e5: **intent-15-first** (all of evaluation.TRAINING through seen-v18;
docs/guard.md, "intent-15-first, trained (the eighteenth round)"), **intent-16-first** (through
seen-v19, the default since the nineteenth round's folds; "intent-16-first, trained (the nineteenth
round)"), **intent-17-first** (with the padding augmentation; "intent-17-first, trained against
padding (the twentieth round)", whose own test is tests/guard/test_intent17.py) and
**intent-18-first** (the augmentation on the refused prompts only; "intent-18-first, padding on
refused prompts only (the twentieth round)", its own test tests/guard/test_intent18.py),
**intent-19-first** (through seen-v21), **intent-20-first** (and lists-v1, hand-written lists
of edits), **intent-21-first** (through seen-v22: the default), **intent-22-first** (through
seen-v23 and lists-v2: passed the twenty-third round's folds; not the default, it refuses clothes
put on), **intent-23-first** (through seen-v24 and lists-v3: passed the twenty-fourth round's
folds; not the default, two clothes-put-on tests fail with it) and **intent-24-first** (through
seen-v25 and lists-v4, clothes put on: failed its folds by two errors; kept to be measured). For
each: the file pinned and named in INTENTS, the shape of the files it was retrained after with
new values, no second reading, another hash refused, clear prompts (tests/guard/retrained.py;
written for these tests, in no corpus file)."""

from __future__ import annotations

import dataclasses

import pytest

from bouclier.detectors.models import ModelFile
from bouclier.errors import ModelUnavailable
from bouclier.guard.decision import Action
from bouclier.guard.semantic import (
    INTENT_10,
    INTENT_14_FIRST,
    INTENT_15_FIRST,
    INTENT_16_FIRST,
    INTENT_17_FIRST,
    INTENT_18_FIRST,
    INTENT_19_FIRST,
    INTENT_20_FIRST,
    INTENT_21_FIRST,
    INTENT_22_FIRST,
    INTENT_23_FIRST,
    INTENT_24_FIRST,
    INTENTS,
    SemanticStage,
)
from bouclier.guard.stages import TwoStageGuard
from tests.guard.retrained import CLEAR, assert_retrained, reading

pytestmark = pytest.mark.model

#: Each first reading, its name, and the files it must differ from (intent-10's recipe, then the
#: first readings it was retrained after); the first of those after intent-10 lends its hash to
#: the refusal test.
READINGS = {
    "intent-15-first": (INTENT_15_FIRST, (INTENT_10, INTENT_14_FIRST)),
    "intent-16-first": (INTENT_16_FIRST, (INTENT_10, INTENT_14_FIRST, INTENT_15_FIRST)),
    "intent-17-first": (INTENT_17_FIRST, (INTENT_10, INTENT_16_FIRST)),
    "intent-18-first": (INTENT_18_FIRST, (INTENT_10, INTENT_16_FIRST, INTENT_17_FIRST)),
    "intent-19-first": (INTENT_19_FIRST, (INTENT_10, INTENT_16_FIRST, INTENT_18_FIRST)),
    "intent-20-first": (INTENT_20_FIRST, (INTENT_10, INTENT_16_FIRST, INTENT_19_FIRST)),
    "intent-21-first": (INTENT_21_FIRST, (INTENT_10, INTENT_19_FIRST, INTENT_20_FIRST)),
    "intent-22-first": (INTENT_22_FIRST, (INTENT_10, INTENT_20_FIRST, INTENT_21_FIRST)),
    "intent-23-first": (INTENT_23_FIRST, (INTENT_10, INTENT_21_FIRST, INTENT_22_FIRST)),
    "intent-24-first": (INTENT_24_FIRST, (INTENT_10, INTENT_22_FIRST, INTENT_23_FIRST)),
}
NAMES = list(READINGS)


@pytest.fixture(scope="module", params=NAMES)
def named(request: pytest.FixtureRequest) -> tuple[str, TwoStageGuard]:
    """The two-stage guard reading one first reading (the default rules), one thread."""
    name: str = request.param
    return name, reading(READINGS[name][0])


@pytest.mark.parametrize("name", NAMES)
def test_each_is_pinned_and_shaped_as_the_ones_before(name: str) -> None:
    """The file is the one pinned (its SHA-256), named in INTENTS, with intent-10's and the
    earlier first readings' arrays, shapes and dtypes, no e5 array, and new values: retrained, not
    a copy of any."""
    model, earlier = READINGS[name]
    assert INTENTS[name] is model
    for other in earlier:
        assert_retrained(model, other, cap=None)


def test_each_reads_without_a_second_reading(named: tuple[str, TwoStageGuard]) -> None:
    """With no e5 array in its file, a stage reading it builds no second reading."""
    name, guard = named
    assert guard.semantic.version == f"use-m3+{name}"
    assert guard.semantic.second is None


@pytest.mark.parametrize("name", NAMES)
def test_a_file_not_the_one_pinned_is_refused(name: str) -> None:
    """The stage checks the file's SHA-256 when it loads it: pinned to another hash, the same
    file is refused."""
    model, earlier = READINGS[name]
    other: ModelFile = dataclasses.replace(model, sha256=earlier[-1].sha256)
    with pytest.raises(ModelUnavailable, match="pinned SHA-256"):
        SemanticStage(intent=other).load()


@pytest.mark.parametrize(("prompt", "expected"), CLEAR)
def test_clear_prompts_in_several_languages(
    named: tuple[str, TwoStageGuard], prompt: str, expected: Action
) -> None:
    assert named[1].check(prompt).decision is expected

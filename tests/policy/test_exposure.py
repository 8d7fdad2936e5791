"""The one "sexual or revealing" decision: nudity scores against a policy's thresholds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pytest

from bouclier.detectors.base import Box, Signal
from bouclier.detectors.nudity import REVEALING, SEXUAL, NudityDetector, derived
from bouclier.policy import Decision, Exposure, Policy, decide, exposure

DEFAULT = Policy()
below_sexual = float(np.nextafter(DEFAULT.sexual_threshold, 0))
below_revealing = float(np.nextafter(DEFAULT.revealing_threshold, 0))


@dataclass(frozen=True)
class VictimMatch:
    bank: str = "victims"
    bank_kind: str = "victim"
    entry: int = 1
    distance: int = 0
    reviewed: bool = True


def part(name: str, score: float) -> Signal:
    """A fake per-class signal, as the nudity detector makes them."""
    return Signal("nudity", f"nudity.{name}", score, Box(10, 10, 20, 20))


def test_default_thresholds_are_above_the_detection_threshold() -> None:
    assert NudityDetector().min_score < DEFAULT.revealing_threshold
    assert DEFAULT.revealing_threshold <= DEFAULT.sexual_threshold < 1


@pytest.mark.parametrize(
    ("signals", "sexual", "revealing"),
    [
        ([part("FEMALE_BREAST_EXPOSED", DEFAULT.sexual_threshold)], True, False),
        ([part("FEMALE_BREAST_EXPOSED", below_sexual)], False, False),
        ([part("FEMALE_BREAST_COVERED", DEFAULT.revealing_threshold)], False, True),
        ([part("FEMALE_BREAST_COVERED", below_revealing)], False, False),
        # the derived signals alone decide as well as the per-class ones
        ([Signal("nudity", SEXUAL, DEFAULT.sexual_threshold)], True, False),
        ([Signal("nudity", REVEALING, below_revealing)], False, False),
        (derived([part("BUTTOCKS_COVERED", 0.9)]), False, True),
        # another detector's signal under a nudity label is not a nudity score
        ([Signal("other", SEXUAL, 0.99)], False, False),
        ([], False, False),
    ],
)
def test_thresholds_at_the_boundary(signals: list[Signal], sexual: bool, revealing: bool) -> None:
    seen = exposure(signals)
    assert (seen.sexual, seen.revealing) == (sexual, revealing)
    assert seen.exposed is (sexual or revealing)


def test_scores_are_reported_with_the_decision() -> None:
    seen = exposure(derived([part("BUTTOCKS_EXPOSED", 0.7), part("ANUS_COVERED", 0.3)]))
    assert seen == Exposure(sexual=True, revealing=False, sexual_score=0.7, revealing_score=0.3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen.sexual = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("policy", "sexual", "revealing"),
    [
        (Policy(), True, True),
        (Policy(sexual_threshold=0.7), False, True),
        (Policy(revealing_threshold=0.51), True, False),
        (Policy(sexual_threshold=0.61, revealing_threshold=0.51), False, False),
    ],
)
def test_the_policy_thresholds_decide(policy: Policy, sexual: bool, revealing: bool) -> None:
    signals = [Signal("nudity", SEXUAL, 0.6), Signal("nudity", REVEALING, 0.5)]
    seen = exposure(signals, policy)
    assert (seen.sexual, seen.revealing) == (sexual, revealing)


@pytest.mark.parametrize(
    "policy", [Policy(), Policy(sexual_threshold=0.7, revealing_threshold=0.2)]
)
@pytest.mark.parametrize(
    "signals",
    [
        [Signal("nudity", SEXUAL, 0.6), Signal("nudity", REVEALING, 0.1)],
        [Signal("nudity", SEXUAL, 0.1), Signal("nudity", REVEALING, 0.3)],
        [part("FEMALE_GENITALIA_EXPOSED", 0.55)],
        [],
    ],
)
def test_the_policy_rules_use_the_same_decision(policy: Policy, signals: list[Signal]) -> None:
    verdict = decide(signals, [VictimMatch()], policy=policy)
    expected = Decision.BLOCK if exposure(signals, policy).exposed else Decision.REVIEW
    assert verdict.decision == expected

"""A victim match found only by the crop-robust stage (ORB) on few inliers is weak: it asks a
human (REVIEW) and never blocks or escalates; a strong one, or one beside PDQ, counts fully."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bouclier.detectors.base import Signal
from bouclier.errors import ConfigError
from bouclier.policy import CaseFlags, Decision, Policy, Priority, decide


@dataclass(frozen=True)
class StagedMatch:
    bank: str
    bank_kind: str
    entry: int
    distance: int
    reviewed: bool = True
    stage: str = "direct"
    inliers: int | None = None


SEXUAL = [Signal("nudity", "nudity.sexual", 0.9), Signal("nudity", "nudity.revealing", 0.0)]
CLOTHED = [Signal("nudity", "nudity.sexual", 0.0), Signal("nudity", "nudity.revealing", 0.0)]
WEAK = StagedMatch("victims", "victim", 7, 40, stage="robust", inliers=24)
STRONG = StagedMatch("victims", "victim", 7, 0, stage="robust", inliers=64)
PDQ = StagedMatch("victims", "victim", 8, 10)
MINOR = CaseFlags(minor=True, sextortion=True)


@pytest.mark.parametrize(
    ("signals", "matches", "flags", "decision", "codes"),
    [
        (SEXUAL, [WEAK], CaseFlags(), Decision.REVIEW, ["victim_match_robust"]),
        (SEXUAL, [WEAK], MINOR, Decision.REVIEW, ["victim_match_robust"]),
        (CLOTHED, [WEAK], CaseFlags(), Decision.REVIEW, ["victim_match_robust"]),
        (SEXUAL, [STRONG], CaseFlags(), Decision.BLOCK, ["victim_match"]),
        (SEXUAL, [STRONG], MINOR, Decision.BLOCK, ["victim_match", "minor"]),
        (SEXUAL, [WEAK, PDQ], CaseFlags(), Decision.BLOCK, ["victim_match"]),
        (SEXUAL, [], CaseFlags(), Decision.ALLOW, []),
    ],
    ids=["weak", "weak-minor", "weak-clothed", "strong", "strong-minor", "beside-pdq", "none"],
)
def test_weak_robust_matches_never_block(
    signals: list[Signal],
    matches: list[StagedMatch],
    flags: CaseFlags,
    decision: Decision,
    codes: list[str],
) -> None:
    verdict = decide(signals, matches, flags)
    assert verdict.decision == decision
    assert [r.code for r in verdict.reasons if r.code != "nudity"] == codes
    if codes == ["victim_match_robust"]:
        assert not verdict.escalate
        assert "24 keypoints" in verdict.reasons[0].message


def test_a_weak_match_on_a_sexual_image_is_reviewed_first() -> None:
    assert decide(SEXUAL, [WEAK]).priority == Priority.HIGH
    assert decide(CLOTHED, [WEAK]).priority == Priority.NORMAL


def test_the_strength_and_the_cap_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[robust]\nstrong_inliers = 20\n[rules]\nrobust_weak_match = "ALLOW"\n')
    policy = Policy.from_toml(path)
    assert policy.robust_strong_inliers == 20
    assert decide(SEXUAL, [WEAK], policy=policy).decision == Decision.BLOCK  # 24 >= 20
    weaker = StagedMatch("victims", "victim", 7, 50, stage="robust", inliers=14)
    assert decide(SEXUAL, [weaker], policy=policy).decision == Decision.ALLOW


@pytest.mark.parametrize(
    "text",
    ["[robust]\nstrong_inliers = 2\n", "[robust]\nstrong_inliers = 'x'\n", "[robust]\nx = 1\n"],
)
def test_bad_robust_settings(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="robust"):
        Policy.from_toml(path)

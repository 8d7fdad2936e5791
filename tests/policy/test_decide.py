"""Every rule of the policy, fed by fake detector outputs and fake matches (table tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bouclier.detectors.base import Signal
from bouclier.errors import ConfigError
from bouclier.policy import CaseFlags, Decision, Policy, Priority, decide
from bouclier.settings import load_settings


@dataclass(frozen=True)
class FakeMatch:
    bank: str
    bank_kind: str
    entry: int
    distance: int
    reviewed: bool = True


def nudity(sexual: float = 0.0, revealing: float = 0.0, *parts: str) -> list[Signal]:
    signals = [
        Signal("nudity", "nudity.sexual", sexual),
        Signal("nudity", "nudity.revealing", revealing),
    ]
    return signals + [Signal("nudity", f"nudity.{p}", 0.8) for p in parts]


def enrolled(reference: str = "enr_1", minor: bool = False) -> Signal:
    details = (("reference", reference), ("minor", "true" if minor else "false"))
    return Signal("likeness", "likeness.enrolled", 0.9, details=details)


VICTIM = FakeMatch("victims", "victim", 7, 4)
#: A hash a case reported, not confirmed by an analyst: anyone's claim (list poisoning).
CLAIMED = FakeMatch("victims", "victim", 8, 0, reviewed=False)
FALSE_POSITIVE = FakeMatch("fp", "known_false_positive", 9, 2)
SEXUAL = nudity(0.9, 0.0, "FEMALE_BREAST_EXPOSED")
REVEALING = nudity(0.1, 0.8, "FEMALE_BREAST_COVERED")
CLOTHED = nudity(0.05, 0.1)
MINOR = CaseFlags(minor=True)

RULES = [
    # (id, signals, matches, flags, decision, priority, escalate, reason codes)
    ("nothing", CLOTHED, [], CaseFlags(), Decision.ALLOW, Priority.NORMAL, False, []),
    (
        "sexual, no match",
        SEXUAL,
        [],
        CaseFlags(),
        Decision.ALLOW,
        Priority.NORMAL,
        False,
        ["nudity"],
    ),
    (
        "victim+sexual",
        SEXUAL,
        [VICTIM],
        CaseFlags(),
        Decision.BLOCK,
        Priority.NORMAL,
        False,
        ["victim_match", "nudity"],
    ),
    (
        "victim+revealing",
        REVEALING,
        [VICTIM],
        CaseFlags(),
        Decision.BLOCK,
        Priority.NORMAL,
        False,
        ["victim_match", "nudity"],
    ),
    (
        "victim+clothed",
        CLOTHED,
        [VICTIM],
        CaseFlags(),
        Decision.REVIEW,
        Priority.NORMAL,
        False,
        ["victim_match"],
    ),
    (
        "false positive overrides",
        SEXUAL,
        [VICTIM, FALSE_POSITIVE],
        MINOR,
        Decision.ALLOW,
        Priority.NORMAL,
        False,
        ["known_false_positive", "nudity"],
    ),
    (
        "enrolled+sexual",
        [*SEXUAL, enrolled()],
        [],
        CaseFlags(),
        Decision.REVIEW,
        Priority.HIGH,
        False,
        ["enrolled_face", "nudity"],
    ),
    (
        "enrolled+revealing",
        [*REVEALING, enrolled()],
        [],
        CaseFlags(),
        Decision.REVIEW,
        Priority.HIGH,
        False,
        ["enrolled_face", "nudity"],
    ),
    (
        "enrolled+clothed ignored",
        [*CLOTHED, enrolled()],
        [],
        CaseFlags(),
        Decision.ALLOW,
        Priority.NORMAL,
        False,
        [],
    ),
    (
        "minor case+victim+clothed",
        CLOTHED,
        [VICTIM],
        MINOR,
        Decision.BLOCK,
        Priority.URGENT,
        True,
        ["victim_match", "minor"],
    ),
    (
        "minor enrolment+revealing",
        [*REVEALING, enrolled(minor=True)],
        [],
        CaseFlags(),
        Decision.BLOCK,
        Priority.URGENT,
        True,
        ["enrolled_face", "minor", "nudity"],
    ),
    ("minor flag alone", CLOTHED, [], MINOR, Decision.ALLOW, Priority.NORMAL, False, []),
    # list poisoning: a stranger opens a case "concerning a minor" with the hash of any photo
    (
        "unreviewed+clothed, minor case: review, never escalated",
        CLOTHED,
        [CLAIMED],
        MINOR,
        Decision.REVIEW,
        Priority.NORMAL,
        False,
        ["victim_match_unreviewed"],
    ),
    (
        "unreviewed, no signals (/v1/match), minor and sextortion case",
        [],
        [CLAIMED],
        CaseFlags(minor=True, sextortion=True),
        Decision.REVIEW,
        Priority.NORMAL,
        False,
        ["victim_match_unreviewed"],
    ),
    (
        "unreviewed+sexual: blocked, not escalated",
        SEXUAL,
        [CLAIMED],
        MINOR,
        Decision.BLOCK,
        Priority.NORMAL,
        False,
        ["victim_match_unreviewed", "nudity"],
    ),
    (
        "unreviewed and reviewed: the reviewed one's case counts",
        CLOTHED,
        [CLAIMED, VICTIM],
        MINOR,
        Decision.BLOCK,
        Priority.URGENT,
        True,
        ["victim_match", "victim_match_unreviewed", "minor"],
    ),
    (
        "unreviewed+enrolled minor+revealing: the enrolment escalates",
        [*REVEALING, enrolled(minor=True)],
        [CLAIMED],
        CaseFlags(),
        Decision.BLOCK,
        Priority.URGENT,
        True,
        ["victim_match_unreviewed", "enrolled_face", "minor", "nudity"],
    ),
    (
        "sextortion raises priority",
        SEXUAL,
        [VICTIM],
        CaseFlags(sextortion=True),
        Decision.BLOCK,
        Priority.URGENT,
        False,
        ["victim_match", "sextortion", "nudity"],
    ),
]


@pytest.mark.parametrize(
    ("signals", "matches", "flags", "decision", "priority", "escalate", "codes"),
    [pytest.param(*row[1:], id=row[0]) for row in RULES],
)
def test_rules(
    signals: list[Signal],
    matches: list[FakeMatch],
    flags: CaseFlags,
    decision: Decision,
    priority: Priority,
    escalate: bool,
    codes: list[str],
) -> None:
    verdict = decide(signals, matches, flags, Policy())
    assert verdict.decision == decision
    assert verdict.priority == priority
    assert verdict.escalate == escalate
    assert [r.code for r in verdict.reasons] == codes


def test_reasons_name_bank_body_parts_person_and_tool() -> None:
    signals = [
        *SEXUAL,
        enrolled("enr_42"),
        Signal("provenance", "provenance.c2pa.ai_edited", 1.0, details=(("generator", "Tool X"),)),
    ]
    verdict = decide(signals, [VICTIM, FakeMatch("victims", "victim", 8, 9)])
    text = " | ".join(r.message for r in verdict.reasons)
    assert "victims#7 (distance 4) and 1 more" in text
    assert "female breast exposed" in text
    assert "enr_42" in text
    assert "Tool X" in text
    assert verdict.to_dict()["decision"] == "BLOCK"


def test_thresholds_are_inclusive_and_configurable() -> None:
    at = nudity(0.5, 0.0)
    assert decide(at, [VICTIM]).decision == Decision.BLOCK
    below = nudity(0.49, 0.44)
    assert decide(below, [VICTIM]).decision == Decision.REVIEW
    strict = Policy(sexual_threshold=0.3, victim_match_other=Decision.BLOCK)
    assert decide(nudity(0.0, 0.0), [VICTIM], policy=strict).decision == Decision.BLOCK


def test_enrolled_face_can_be_configured_to_block() -> None:
    policy = Policy(enrolled_face=Decision.BLOCK)
    assert decide([*SEXUAL, enrolled()], [], policy=policy).decision == Decision.BLOCK


def test_policy_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        "[thresholds]\nsexual = 0.6\nrevealing = 0.7\n[rules]\nenrolled_face = 'block'\n"
    )
    policy = Policy.from_toml(path)
    assert policy == Policy(
        sexual_threshold=0.6, revealing_threshold=0.7, enrolled_face=Decision.BLOCK
    )


def test_policy_from_settings(tmp_path: Path) -> None:
    assert Policy.from_settings(load_settings()) == Policy()
    path = tmp_path / "policy.toml"
    path.write_text("[thresholds]\nrevealing = 0.8\n")
    assert Policy.from_settings(load_settings(policy_file=path)) == Policy(revealing_threshold=0.8)
    with pytest.raises(ConfigError, match="cannot read the policy file"):
        Policy.from_settings(load_settings(policy_file=tmp_path / "missing.toml"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[thresholds]\nsexy = 0.5\n", "unknown policy settings: thresholds.sexy"),
        ("[rules]\nminor = 'maybe'\n", "rules.minor must be ALLOW, REVIEW or BLOCK"),
        ("[thresholds]\nsexual = 2\n", "from 0 to 1"),
        ("[thresholds]\nsexual = true\n", "from 0 to 1"),
        ("thresholds = 3\n", "must be a table"),
        ("[other]\n", "unknown policy settings: other"),
        ("not toml ===\n", "not valid TOML"),
    ],
)
def test_bad_policy_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        Policy.from_toml(path)


def test_decide_is_pure() -> None:
    signals = [*SEXUAL, enrolled()]
    assert decide(signals, [VICTIM]) == decide(signals, [VICTIM])


def test_the_platform_chooses_what_an_unreviewed_match_on_a_sexual_image_does(
    tmp_path: Path,
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[rules]\nunreviewed_match_sexual = "review"\n')
    adult_site = Policy.from_toml(path)
    assert adult_site.unreviewed_match_sexual == Decision.REVIEW
    assert decide(SEXUAL, [CLAIMED], MINOR, adult_site).decision == Decision.REVIEW
    assert decide(SEXUAL, [VICTIM], MINOR, adult_site).decision == Decision.BLOCK
    assert decide(CLOTHED, [CLAIMED], MINOR, Policy()).decision == Decision.REVIEW
    path.write_text('[rules]\nunreviewed_match_other = "sometimes"\n')
    with pytest.raises(ConfigError, match="unreviewed_match_other"):
        Policy.from_toml(path)

"""What the policy returns: a decision a person understands, with its reasons."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Decision(StrEnum):
    ALLOW = "ALLOW"  # nothing Bouclier protects against
    REVIEW = "REVIEW"  # a person must look: likely harm, or a doubtful match
    BLOCK = "BLOCK"  # a known victim's image, or a minor at risk: stop it


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str  # stable: "victim_match", "enrolled_face", "known_false_positive", "minor", ...
    message: str  # for people: which bank, which body parts, whose enrolment, which tool


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    reasons: tuple[Reason, ...]
    priority: Priority = Priority.NORMAL
    escalate: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "decision": self.decision.value,
            "priority": self.priority.value,
            "escalate": self.escalate,
            "reasons": [{"code": r.code, "message": r.message} for r in self.reasons],
        }

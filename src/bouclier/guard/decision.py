"""What the guard answers: a decision ("allow" or "refuse"), a score and the reasons for it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    ALLOW = "allow"  # generate (the request), or return the image (the output)
    REFUSE = "refuse"  # do not generate, or do not return the image
    REVIEW = "review"  # hold for a person: the provider's choice for an uncovered language


@dataclass(frozen=True, slots=True)
class GuardReason:
    """One thing the guard found. ``code`` is a concept of the request (``undress``,
    ``underwear``, ``swimwear``, ``see_through``, ``sexual_pose``, ``expose_body_part``,
    ``sexualise``), a fact of the context (``real_face``, ``minor``, ``enrolled``) or of the output
    (``output_sexual``, ``output_revealing``, ``same_person``). ``term`` is what matched, as the
    guard read it (normalised text, or a detector's fact); ``lang`` the lexicon that matched."""

    code: str
    term: str
    lang: str | None = None

    def to_dict(self) -> dict[str, str]:
        row = {"code": self.code, "term": self.term}
        if self.lang is not None:
            row["lang"] = self.lang
        return row


@dataclass(frozen=True, slots=True)
class GuardDecision:
    """``score`` (0-1) is how surely the request or output is harmful; ``threshold`` the score
    at which it was refused in its context (lower with a real face, a minor or an enrolled
    person). ``languages`` are those of the prompt, as its words and matched phrases suggest."""

    decision: Action
    score: float
    reasons: tuple[GuardReason, ...] = ()
    languages: tuple[str, ...] = ()
    threshold: float = 1.0
    coverage: str | None = None  # full, model or none (the second-generation guard says it)
    explanation: str | None = None  # one sentence on why, for an allow too
    stages: tuple[tuple[str, float], ...] = ()  # each stage's own score: lexicon, model

    @property
    def refused(self) -> bool:
        return self.decision is Action.REFUSE

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.code for r in self.reasons))

    def to_dict(self) -> dict[str, object]:
        row: dict[str, object] = {
            "decision": self.decision.value,
            "score": round(self.score, 4),
            "threshold": self.threshold,
            "reasons": [r.to_dict() for r in self.reasons],
            "languages": list(self.languages),
        }
        if self.coverage is not None:
            row["coverage"] = self.coverage
        if self.explanation is not None:
            row["explanation"] = self.explanation
        if self.stages:
            row["stages"] = {name: round(score, 4) for name, score in self.stages}
        return row

"""The result of analysing one image: fingerprints, matches, signals, verdict and timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bouclier.banks.matcher import Match
from bouclier.detectors.base import Signal
from bouclier.hashing.pdq import PdqResult
from bouclier.policy import Verdict

#: The stages whose time an analysis reports, in pipeline order, with the default detectors (each
#: other detector configured is timed under its name, after provenance's place, before policy).
STAGES = ("decode", "hash", "match", "nudity", "faces", "provenance", "policy")


@dataclass(frozen=True, slots=True)
class Analysis:
    sha256: str
    md5: str
    format: str
    width: int
    height: int
    frames: tuple[PdqResult, ...]
    low_quality: bool
    sexual: bool
    revealing: bool
    matches: tuple[Match, ...]
    signals: tuple[Signal, ...]
    verdict: Verdict
    timings_ms: dict[str, float] = field(default_factory=dict)
    thumbnail: bytes | None = None  # small JPEG, only when asked for (the HTML report)

    @property
    def pdq(self) -> PdqResult:
        return self.frames[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "md5": self.md5,
            "pdq": self.pdq.pdq,
            "quality": self.pdq.quality,
            "low_quality": self.low_quality,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "sexual": self.sexual,
            "revealing": self.revealing,
            "verdict": self.verdict.decision.value,
            "priority": self.verdict.priority.value,
            "escalate": self.verdict.escalate,
            "reasons": [{"code": r.code, "message": r.message} for r in self.verdict.reasons],
            "matches": [m.to_dict() for m in self.matches],
            "signals": [signal_dict(s) for s in self.signals],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


def signal_dict(signal: Signal) -> dict[str, Any]:
    box = signal.box
    return {
        "detector": signal.detector,
        "label": signal.label,
        "score": round(signal.score, 4),
        "box": [box.x, box.y, box.width, box.height] if box else None,
        "details": dict(signal.details),
    }

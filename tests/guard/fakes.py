"""Fake detectors for the guard: nudity scores and faces given by the test, no model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from bouclier.detectors.base import Box, Sample, Signal
from bouclier.detectors.faces import FACE, Face
from bouclier.detectors.nudity import SIGNAL_LABELS
from bouclier.guard.decision import Action
from bouclier.guard.semantic import Reading
from bouclier.guard.stages import TwoStageGuard


def image(shade: int) -> np.ndarray:
    """A plain benign picture; its shade says which one it is to the fake face model."""
    return np.full((64, 64, 3), shade, np.uint8)


@dataclass
class FakeNudity:
    name: ClassVar[str] = "nudity"
    version: ClassVar[str] = "fake-1"
    labels: ClassVar[frozenset[str]] = SIGNAL_LABELS

    sexual: float = 0.0
    revealing: float = 0.0
    calls: int = 0
    face_box: Box | None = None  # a FACE_FEMALE detection to report, as NudeNet would

    def load(self) -> None:
        pass

    def detect(self, sample: Sample) -> list[Signal]:
        self.calls += 1
        found = [
            Signal("nudity", "nudity.sexual", self.sexual),
            Signal("nudity", "nudity.revealing", self.revealing),
        ]
        if self.face_box is not None:
            found.append(Signal("nudity", "nudity.FACE_FEMALE", 0.8, self.face_box))
        return found


def face(*values: float) -> Face:
    descriptor = np.zeros(128, np.float32)
    descriptor[: len(values)] = values
    return Face(Box(0, 0, 10, 10), 1.0, descriptor)


@dataclass
class FakeFaces:
    """Faces per image shade (see :func:`image`); no entry, no face."""

    name: ClassVar[str] = "faces"
    version: ClassVar[str] = "fake-1"
    labels: ClassVar[frozenset[str]] = frozenset({FACE})

    by_shade: dict[int, list[Face]] = field(default_factory=dict)
    calls: int = 0
    boxes_given: list[object] = field(default_factory=list)

    def load(self) -> None:
        pass

    def describe(self, pixels: np.ndarray, boxes: object = None) -> list[Face]:
        self.calls += 1
        self.boxes_given.append(boxes)
        return list(self.by_shade.get(int(pixels[0, 0, 0]), []))

    def detect(self, sample: Sample) -> list[Signal]:
        return [Signal("faces", FACE, f.score, f.box) for f in self.describe(sample.pixels)]


class Scored:
    """A learned semantic stage (intent-8 and later) that reads each text as ``scores`` says
    (``default`` otherwise) and every follow-up as an edit of its own (``continues`` 0.1);
    ``tenth``: a classifier of the tenth round's kind (its rules apply); ``eleventh``: the
    eleventh round's rules apply too."""

    def __init__(
        self,
        scores: dict[str, float] | None = None,
        default: float = 0.05,
        *,
        tenth: bool = True,
        eleventh: bool = False,
    ) -> None:
        self.scores = scores or {}
        self.default = default
        self.tenth = tenth
        self.eleventh = eleventh
        self.reads_lexicons = True

    def load(self) -> None:
        pass

    def read(self, texts: Sequence[str]) -> Reading:
        harm = np.array([self.scores.get(t, self.default) for t in texts])
        return Reading(harm, np.full(len(texts), 0.1))


def ruled(
    rules: int, scores: dict[str, float] | None = None, default: float = 0.05
) -> TwoStageGuard:
    """The rounds' tests' guard: the rules of the rounds up to ``rules`` over a :class:`Scored`
    reading (the eleventh round's rules on), uncovered languages allowed."""
    return TwoStageGuard(
        semantic=Scored(scores, default, eleventh=True),  # type: ignore[arg-type]
        uncovered=Action.ALLOW,
        rules=rules,
    )

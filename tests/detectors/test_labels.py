"""The labels of signals are declared once (bouclier.detectors.labels), and emitted as declared.

The detectors run here on fakes of their models (NudeNet's raw output, a face describer that
returns a given face): what is checked is the label each puts on what it found, not the models.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from bouclier.analysis.pipeline import Likeness
from bouclier.detectors import labels
from bouclier.detectors.base import Box, Sample, Signal
from bouclier.detectors.faces import DESCRIPTOR_SIZE, Face, FaceDetector
from bouclier.detectors.nudity import decode_outputs, derived
from bouclier.detectors.provenance import labels as provenance
from bouclier.likeness import LikenessIndex
from bouclier.likeness.template import Template
from bouclier.media import decode
from bouclier.policy import Decision, decide
from bouclier.policy.decide import _INTIMATE_PARTS
from tests.conftest import encode, photo


def test_every_label_is_namespaced_by_what_saw_it() -> None:
    spaces = {label.split(".", 1)[0] for label in labels.LABELS}
    assert spaces == {labels.NUDITY, "faces", "likeness", provenance.DETECTOR}
    assert provenance.LABELS <= labels.LABELS


def test_nudenet_boxes_and_derived_scores_carry_the_declared_labels() -> None:
    classes = len(labels.NUDENET_CLASSES)
    raw = np.zeros((1, 4 + classes, classes), dtype=np.float32)
    for anchor in range(classes):  # one clear box of each class, each in its own place
        raw[0, :4, anchor] = (20 + 15 * anchor, 160, 10, 10)
        raw[0, 4 + anchor, anchor] = 0.9
    boxes = decode_outputs(raw, 1.0, (0, 0), (320, 320))
    emitted = {signal.label for signal in [*derived(boxes), *boxes]}
    assert emitted == labels.NUDITY_LABELS


def _sample() -> Sample:
    data = encode(photo(1, (64, 48)))
    return Sample(data=data, image=decode(data))


def _face_detector(monkeypatch: pytest.MonkeyPatch, descriptor: np.ndarray) -> FaceDetector:
    detector = FaceDetector()
    face = Face(Box(1, 2, 30, 30), 1.5, descriptor)
    monkeypatch.setattr(detector, "describe", lambda pixels, boxes=None: [face])
    return detector


def test_faces_and_likeness_carry_the_declared_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    descriptor = np.full(DESCRIPTOR_SIZE, 0.1, dtype=np.float32)
    detector = _face_detector(monkeypatch, descriptor)
    assert [s.label for s in detector.detect(_sample())] == [labels.FACE]
    index = LikenessIndex([("L-1", None, Template.from_descriptors([descriptor]))])
    found = Likeness(index, frozenset(), 0.55, detector).signals(_sample())
    assert [s.label for s in found] == [labels.FACE, labels.LIKENESS_ENROLLED]


@dataclass(frozen=True)
class _Match:
    bank: str = "victims"
    bank_kind: str = "victim"
    entry: int = 1
    distance: int = 0


def test_the_policy_decides_on_the_declared_labels() -> None:
    part = labels.nudity_class("BUTTOCKS_EXPOSED")
    assert {labels.nudity_class(name) for name in _INTIMATE_PARTS} <= labels.LABELS
    sexual = [Signal("nudity", labels.NUDITY_SEXUAL, 0.9), Signal("nudity", part, 0.9)]
    verdict = decide(sexual, [_Match()])
    assert verdict.decision is Decision.BLOCK
    assert any("buttocks exposed" in reason.message for reason in verdict.reasons)
    enrolled = Signal("likeness", labels.LIKENESS_ENROLLED, 0.6, details=(("reference", "L-1"),))
    revealing = Signal("nudity", labels.NUDITY_REVEALING, 0.9)
    assert decide([revealing, enrolled], []).decision is Decision.REVIEW

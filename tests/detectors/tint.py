"""A test-only detector: proof that adding a detector is one module and one catalog line.

``tint`` emits one ``tint.brightness`` signal, the mean brightness of the image in [0, 1]. It needs
no model and says nothing about anyone; it exists so that tests register a detector the way
production does (an :class:`~bouclier.detectors.catalog.Entry` in a catalog, chosen by
BOUCLIER_DETECTORS) and follow its signal through the analysis into the result, and so that the
contract suite (test_contract.py) has a detector of its own to run on.
"""

from __future__ import annotations

from bouclier.detectors.base import Sample, Signal

DETECTOR = "tint"
BRIGHTNESS = f"{DETECTOR}.brightness"


class TintDetector:
    name = DETECTOR
    version = "1"
    labels = frozenset({BRIGHTNESS})

    def __init__(self) -> None:
        self.loaded = False  # nothing to load: a flag, so that tests see when it was asked to

    def load(self) -> None:
        self.loaded = True

    def detect(self, sample: Sample) -> list[Signal]:
        self.load()
        return [Signal(DETECTOR, BRIGHTNESS, round(float(sample.pixels.mean()) / 255, 6))]

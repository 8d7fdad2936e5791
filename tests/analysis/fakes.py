"""Fakes over mocks: detectors that return the signals they are given."""

from __future__ import annotations

from dataclasses import dataclass, field

from bouclier.detectors.base import Sample, Signal


@dataclass
class FakeDetector:
    name: str
    signals: list[Signal] = field(default_factory=list)
    version: str = "fake-1"
    labels: frozenset[str] = frozenset()  # default: the labels of its signals
    loaded: bool = False
    calls: int = 0

    def __post_init__(self) -> None:
        self.labels = self.labels or frozenset(s.label for s in self.signals)

    def load(self) -> None:
        self.loaded = True

    def detect(self, sample: Sample) -> list[Signal]:
        self.calls += 1
        assert sample.pixels.ndim == 3
        return list(self.signals)


def nudity(sexual: float = 0.0, revealing: float = 0.0) -> FakeDetector:
    return FakeDetector(
        "nudity",
        [
            Signal("nudity", "nudity.sexual", sexual),
            Signal("nudity", "nudity.revealing", revealing),
        ],
    )


@dataclass
class FakeLikeness:
    """Stands in for the enrolled-faces matcher; counts how often faces were looked at."""

    found: list[Signal] = field(default_factory=list)
    calls: int = 0

    def load(self) -> None:
        pass

    def signals(self, sample: Sample, seen: object = ()) -> list[Signal]:
        self.calls += 1
        return list(self.found)

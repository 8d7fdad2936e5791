"""What every detector is and returns: a small protocol and frozen result types.

A detector has a stable ``name`` and ``version``, declares the ``labels`` its signals may carry,
loads its model lazily in :meth:`load` (never in ``__init__``, so importing Bouclier stays cheap and
a missing model package is reported only when the detector is used), and turns one :class:`Sample`
(the file's bytes and its decoded pixels) into a list of :class:`Signal`. Signals are facts with a
score, never verdicts: deciding is the policy's job (``bouclier.policy``). Every detector passes
the same contract suite (``tests/detectors/test_contract.py``); production chooses and builds them
in ``bouclier.detectors.catalog``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from bouclier.media import DecodedImage


@dataclass(frozen=True, slots=True, eq=False)
class Sample:
    """One image to analyse: its bytes (provenance reads manifests and metadata there) and its
    decoded frames (possibly reduced for speed: ``image.width``/``height`` stay full size)."""

    data: bytes
    image: DecodedImage

    @property
    def pixels(self) -> np.ndarray:
        """The first frame, (h, w, 3) uint8 RGB."""
        return self.image.frames[0]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in pixels of the image as decoded (x, y of the top-left corner)."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Signal:
    """One thing a detector saw: ``label`` is namespaced by detector, e.g. ``nudity.sexual``,
    ``nudity.FEMALE_BREAST_EXPOSED``, ``faces.face``, ``provenance.c2pa.ai_generated``."""

    detector: str
    label: str
    score: float
    box: Box | None = None
    details: tuple[tuple[str, str], ...] = field(default=())

    def detail(self, key: str) -> str | None:
        return dict(self.details).get(key)


@runtime_checkable
class Detector(Protocol):
    name: str
    version: str
    labels: frozenset[str]  # every label its signals may carry, each namespaced by its name

    def load(self) -> None:
        """Loads models (idempotent). Raises ModelUnavailable with a one-line reason."""

    def detect(self, sample: Sample) -> list[Signal]:
        """Signals for one image; calls load() first if needed."""

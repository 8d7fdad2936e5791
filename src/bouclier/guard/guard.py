"""The guard of a generative-AI provider: the request before generation, the output after.

:class:`Guard` holds the request guard (lexicons, compiled once) and the two detectors the image
checks need, real ones by default, built and loaded on first use, once, or fakes for tests.
:meth:`Guard.check_output` blocks an output that is sexual or revealing (NudityDetector's
thresholds) when it shows the input's person — a face of the output within the likeness
threshold of a face of the input — or when the input showed a real face at all: an edit of a
real person's photo into a revealing image is the harm, whether or not the face survived.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from bouclier.detectors.base import Box, Sample, Signal
from bouclier.detectors.faces import DEFAULT_THRESHOLD, Face, distance
from bouclier.detectors.nudity import (
    REVEALING_THRESHOLD,
    SEXUAL_THRESHOLD,
    face_boxes,
    revealing_score,
    sexual_score,
)
from bouclier.errors import MediaError
from bouclier.guard.decision import Action, GuardDecision, GuardReason
from bouclier.guard.request import RequestGuard, default_guard
from bouclier.media import DecodedImage, decode

#: Images are decoded with their longer side reduced to this: faces and body parts stay
#: detectable (both detectors work on smaller copies anyway) and a huge output costs no more.
MAX_SIDE = 1024


class NudityModel(Protocol):
    def load(self) -> None: ...

    def detect(self, sample: Sample) -> list[Signal]: ...


class FaceModel(Protocol):
    def load(self) -> None: ...

    def describe(
        self, pixels: np.ndarray, boxes: Sequence[Box] | None = None
    ) -> Sequence[Face]: ...


ImageInput = bytes | np.ndarray


def to_sample(image: ImageInput) -> Sample:
    """A Sample from image bytes (decoded by ``bouclier.media``) or (h, w, 3) uint8 RGB pixels."""
    if isinstance(image, bytes | bytearray | memoryview):
        data = bytes(image)
        return Sample(data, decode(data, max_side=MAX_SIDE))
    pixels = np.asarray(image)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3 or 0 in pixels.shape:
        raise MediaError(
            f"pixels must be (h, w, 3) uint8 RGB, not {pixels.shape} {pixels.dtype}",
            code="media.unsupported_format",
        )
    height, width = pixels.shape[:2]
    decoded = DecodedImage(
        format="raw", width=width, height=height, frames=(pixels,), frame_count=1
    )
    return Sample(b"", decoded)


class Guard:
    """Checks edit requests and their outputs; see the module docstring."""

    def __init__(
        self,
        *,
        nudity: NudityModel | None = None,
        faces: FaceModel | None = None,
        requests: RequestGuard | None = None,
        face_threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self._nudity = nudity
        self._faces = faces
        self.requests = requests or default_guard()
        self.face_threshold = face_threshold
        self._lock = threading.Lock()

    @property
    def nudity(self) -> NudityModel:
        if self._nudity is None:
            with self._lock:
                if self._nudity is None:
                    from bouclier.detectors.nudity import NudityDetector

                    self._nudity = NudityDetector()
        return self._nudity

    @property
    def faces(self) -> FaceModel:
        if self._faces is None:
            with self._lock:
                if self._faces is None:
                    from bouclier.detectors.faces import FaceDetector

                    self._faces = FaceDetector()
        return self._faces

    def load(self) -> None:
        """Loads both models now (a service does it at start, not on its first request)."""
        self.nudity.load()
        self.faces.load()

    def _described(self, sample: Sample, signals: list[Signal] | None = None) -> Sequence[Face]:
        """Faces with descriptors: at NudeNet's face boxes when it found any (HOG detection is
        most of dlib's cost), else by dlib's own detector."""
        found = face_boxes(self.nudity.detect(sample) if signals is None else signals)
        return self.faces.describe(sample.pixels, found or None)

    def check_request(
        self,
        prompt: str,
        image: ImageInput | None = None,
        *,
        minor: bool = False,
        enrolled: bool = False,
    ) -> GuardDecision:
        """Refuse or allow an edit request; the image is decoded and searched for a face only
        when a face would change the decision (see ``bouclier.guard.request``)."""
        has_face = None
        if image is not None:
            source = image

            def has_face() -> bool:
                return bool(self.faces.describe(to_sample(source).pixels))

        return self.requests.check(prompt, minor=minor, enrolled=enrolled, has_face=has_face)

    def check_output(self, input_image: ImageInput, output_image: ImageInput) -> GuardDecision:
        """Refuse an output that is sexual or revealing and shows the input's person or comes
        from a photo of a real face; allow it otherwise."""
        source = to_sample(input_image)  # both checked first: a bad input is an error
        output = to_sample(output_image)
        signals = self.nudity.detect(output)
        sexual, revealing = sexual_score(signals), revealing_score(signals)
        score = max(sexual, revealing)
        reasons = []
        if sexual >= SEXUAL_THRESHOLD:
            reasons.append(GuardReason("output_sexual", f"nudity.sexual {sexual:.2f}"))
        if revealing >= REVEALING_THRESHOLD:
            reasons.append(GuardReason("output_revealing", f"nudity.revealing {revealing:.2f}"))
        if not reasons:
            return GuardDecision(Action.ALLOW, round(score, 4), threshold=REVEALING_THRESHOLD)
        source_faces = self._described(source)
        if not source_faces:
            reasons.append(GuardReason("no_face", "no face in the input image"))
            return GuardDecision(Action.ALLOW, round(score, 4), tuple(reasons), (), 1.0)
        output_faces = self._described(output, signals)
        nearest = min(
            (distance(a.descriptor, b.descriptor) for a in source_faces for b in output_faces),
            default=None,
        )
        if nearest is not None and nearest <= self.face_threshold:
            reasons.append(GuardReason("same_person", f"face distance {nearest:.2f}"))
        else:
            reasons.append(GuardReason("real_face", "a photographed face in the input image"))
        return GuardDecision(
            Action.REFUSE, round(score, 4), tuple(reasons), (), REVEALING_THRESHOLD
        )


_default: Guard | None = None
_lock = threading.Lock()


def default() -> Guard:
    """The process's guard, with the real detectors (loaded on first use)."""
    global _default  # noqa: PLW0603 - one guard per process, built on first use
    if _default is None:
        with _lock:
            if _default is None:
                _default = Guard()
    return _default

"""Faces: dlib's HOG face detector, 5-point alignment and 128-d ResNet face descriptor.

The weights are the ``.dat`` files of the ``face_recognition_models`` package, located by path and
checked against their pinned SHA-256 (:mod:`bouclier.detectors.models`); dlib is imported only in
:meth:`FaceDetector.load`. Detection runs on a copy reduced to ``max_side`` (speed) and upsampled
``upsample`` times by dlib's pyramid (so that faces of about 40 pixels in that copy are found);
alignment and the descriptor run on the full pixels, so reducing costs no descriptor quality.

:meth:`FaceDetector.detect` returns one ``faces.face`` signal per face and never a descriptor: a
descriptor is biometric data, kept out of signals, logs and outputs. Descriptors come only from
:meth:`FaceDetector.describe`, for likeness matching (``bouclier.likeness``), which the analysis
pipeline runs only on sexual or revealing images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from bouclier.detectors.base import Box, Detector, Sample, Signal
from bouclier.detectors.models import DLIB_FACE_RECOGNITION, DLIB_SHAPE_5, locate
from bouclier.detectors.registry import Registry
from bouclier.errors import ModelUnavailable

DETECTOR = "faces"
FACE = f"{DETECTOR}.face"
#: Every label a faces signal may carry.
SIGNAL_LABELS: frozenset[str] = frozenset({FACE})

#: Length of a dlib face descriptor.
DESCRIPTOR_SIZE = 128

#: Same-person threshold on the Euclidean distance between two descriptors (inclusive).
#:
#: dlib documents 0.6 as its same-person threshold, at which its ResNet model scores 99.38% on the
#: LFW benchmark. Bouclier uses a stricter 0.55: a false match here flags someone else's intimate
#: image as an enrolled person's (a wrongful REVIEW, and a stranger's image shown to an analyst),
#: the chance of one grows with the number of people enrolled, and dlib's model is known to confuse
#: children and under-represented groups more often than LFW's adult faces suggest; the people
#: who enrol are often minors. On the shared test portraits (tests/detectors/test_faces.py) the
#: same-person pairs measured 0.35 and 0.39 and the closest different-person pair 0.70, so 0.55
#: keeps a wide margin on both sides. ``BOUCLIER_LIKENESS_THRESHOLD`` changes it per deployment.
DEFAULT_THRESHOLD = 0.55

#: dlib's own documented threshold, for reference and for callers that want its LFW trade-off.
DLIB_THRESHOLD = 0.6


@dataclass(frozen=True, eq=False)
class Face:
    """One face: where it is (in the pixels given), the detector's score and its descriptor.

    ``score`` is the HOG detector's margin: 0 at its decision threshold, higher is surer (about
    0 to 3 on photographs; 1.0 for a box given to :meth:`FaceDetector.describe`). ``descriptor``
    is float32, shape (128,), read-only.
    """

    box: Box
    score: float
    descriptor: np.ndarray

    def signal(self) -> Signal:
        """The ``faces.face`` signal of this face. A signal's score is in [0, 1], so the margin
        is clipped there: a margin of 1 or more is a sure face; no descriptor ever goes in."""
        return Signal(DETECTOR, FACE, min(1.0, max(0.0, self.score)), self.box)


@runtime_checkable
class FaceDescriber(Detector, Protocol):
    """A face detector that also describes faces, as likeness matching and the guard need."""

    def describe(
        self, pixels: np.ndarray, boxes: Sequence[Box] | None = None
    ) -> Sequence[Face]: ...


def describer(detectors: Registry) -> FaceDescriber:
    """The registry's ``faces`` detector, for a caller that compares faces (likeness, the guard);
    ConfigError when it is not configured."""
    found = detectors.require(DETECTOR)
    if not isinstance(found, FaceDescriber):
        raise TypeError(f"the {DETECTOR!r} detector {found!r} cannot describe faces")
    return found


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two descriptors: dlib's metric (same person under ~0.6)."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return float(np.sqrt(np.dot(diff, diff)))


class FaceDetector:
    """Finds frontal faces and describes each as a 128-d vector; see the module docstring."""

    name = DETECTOR
    version = "dlib-hog+resnet-v1"
    labels = SIGNAL_LABELS

    def __init__(self, *, upsample: int = 1, max_side: int = 1024) -> None:
        if upsample < 0:
            raise ValueError("upsample is a number of pyramid upsamplings, 0 or more")
        if max_side < 64:
            raise ValueError("max_side must be at least 64 pixels")
        self.upsample = upsample
        self.max_side = max_side
        self._models: tuple[Any, Any, Any] | None = None

    def load(self) -> None:
        if self._models is not None:
            return
        try:
            import dlib
        except ImportError:
            raise ModelUnavailable(
                "the face detector needs dlib: pip install dlib-bin (or dlib)"
            ) from None
        shape_path = locate(DLIB_SHAPE_5)
        resnet_path = locate(DLIB_FACE_RECOGNITION)
        self._models = (
            dlib.get_frontal_face_detector(),
            dlib.shape_predictor(str(shape_path)),
            dlib.face_recognition_model_v1(str(resnet_path)),
        )

    def describe(self, pixels: np.ndarray, boxes: Sequence[Box] | None = None) -> list[Face]:
        """Every face found in (h, w, 3) uint8 RGB pixels, in the detector's order.

        With ``boxes`` (faces another detector already found, e.g. NudeNet's FACE_* classes), the
        HOG detection, most of the cost, is skipped and each box is described as given.
        """
        self.load()
        assert self._models is not None
        detector, shapes, resnet = self._models
        import dlib

        if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
            raise ValueError(f"pixels are (h, w, 3) uint8; got {pixels.shape} {pixels.dtype}")
        image = np.ascontiguousarray(pixels)
        height, width = image.shape[:2]
        if boxes is None:
            small, (sx, sy) = _reduce(image, self.max_side)
            rects, scores, _ = detector.run(small, self.upsample, 0.0)
            found = [
                (
                    rect.left() * sx,
                    rect.top() * sy,
                    (rect.right() + 1) * sx,
                    (rect.bottom() + 1) * sy,
                    float(score),
                )
                for rect, score in zip(rects, scores, strict=True)
            ]
        else:
            found = [(b.x, b.y, b.x + b.width, b.y + b.height, 1.0) for b in boxes]
        faces = []
        for x0, y0, x1, y1, score in found:
            left, top = max(0, round(x0)), max(0, round(y0))
            right, bottom = min(width, round(x1)), min(height, round(y1))
            if right <= left or bottom <= top:
                continue
            full = dlib.rectangle(left, top, right - 1, bottom - 1)
            # num_jitters=0: dlib computes one descriptor of the aligned chip (0 and 1 are the
            # same in dlib); more jitters average random crops, at that many times the cost, and
            # moved the shared test distances by under 0.01.
            vector = np.array(resnet.compute_face_descriptor(image, shapes(image, full), 0))
            descriptor = vector.astype(np.float32)
            descriptor.setflags(write=False)
            faces.append(Face(Box(left, top, right - left, bottom - top), score, descriptor))
        return faces

    def detect(self, sample: Sample) -> list[Signal]:
        """One ``faces.face`` signal per face, its box in ``sample.pixels``; no descriptors."""
        return [face.signal() for face in self.describe(sample.pixels)]


def _reduce(pixels: np.ndarray, max_side: int) -> tuple[np.ndarray, tuple[float, float]]:
    """A copy whose longer side is at most max_side (area averaging), and the factors back."""
    height, width = pixels.shape[:2]
    longer = max(height, width)
    if longer <= max_side:
        return pixels, (1.0, 1.0)
    from PIL import Image

    scale = longer / max_side
    size = (max(1, round(width / scale)), max(1, round(height / scale)))
    reduced = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BOX))
    return np.ascontiguousarray(reduced), (width / size[0], height / size[1])

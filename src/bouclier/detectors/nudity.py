"""Nudity detection with NudeNet's 320n detector, run by onnxruntime on our own pre/post-processing.

NudeNet (a YOLOv8 model, 18 body-part classes, exposed and covered) finds where skin and body
parts are; this module turns its boxes into :class:`Signal` facts — one per detection, plus two
derived scores the policy reads: ``nudity.sexual`` (the strongest exposed intimate part) and
``nudity.revealing`` (the strongest covered intimate part: swimwear and underwear, the "put her in
a bikini" edit). Whether those scores make an image sexual or revealing is the policy's decision,
with its thresholds (``bouclier.policy.exposure``), never this module's. We do not use NudeNet's
own class, which reads files with OpenCV by itself and loads its model unchecked: the model file
is pinned by SHA-256 (``models.NUDENET_320N``), and the decoding is split from the session
(:func:`decode_outputs`, :func:`derived`) so that it can be tested on synthetic model outputs,
without a single intimate image.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bouclier.detectors.base import Box, Sample, Signal
from bouclier.detectors.models import NUDENET_320N, locate
from bouclier.errors import ModelUnavailable

DETECTOR = "nudity"

#: The model's classes, in the order of its output rows (``nudenet/nudenet.py``).
LABELS: tuple[str, ...] = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)
INPUT_SIZE = 320  # the side of the square the 320n model was exported for

# What counts as sexual content: exposed intimate parts. MALE_BREAST_EXPOSED, BELLY_EXPOSED,
# ARMPITS_EXPOSED and FEET_EXPOSED are not on the list: a bare-chested man at the beach is not
# an intimate image.
SEXUAL_CLASSES = frozenset(
    {
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "ANUS_EXPOSED",
    }
)
# The same parts covered: the swimwear/underwear "undressing" edit, harmful without nudity.
REVEALING_CLASSES = frozenset(
    {
        "FEMALE_BREAST_COVERED",
        "FEMALE_GENITALIA_COVERED",
        "BUTTOCKS_COVERED",
        "ANUS_COVERED",
    }
)
NMS_IOU = 0.45  # NudeNet's value: two boxes of one class overlapping more are one detection
SEXUAL = f"{DETECTOR}.sexual"
REVEALING = f"{DETECTOR}.revealing"
#: Every label a nudity signal may carry: the two derived scores and one per model class.
SIGNAL_LABELS: frozenset[str] = frozenset(
    {SEXUAL, REVEALING, *(f"{DETECTOR}.{name}" for name in LABELS)}
)


@dataclass(frozen=True, slots=True)
class Letterbox:
    """Where the image sits in the model's square input: ``scale`` model pixels per image pixel,
    ``pad`` the (x, y) of its top-left corner there, ``size`` its (width, height) in pixels."""

    tensor: np.ndarray  # (1, 3, INPUT_SIZE, INPUT_SIZE) float32 in [0, 1], BGR
    scale: float
    pad: tuple[int, int]
    size: tuple[int, int]


def letterbox(pixels: np.ndarray) -> Letterbox:
    """The model input for (h, w, 3) uint8 RGB pixels: scaled so the longer side is INPUT_SIZE,
    in the top-left corner of a black square, channels in BGR order.

    Top-left and black, as NudeNet itself feeds the model, so that what is known of its results
    carries over. NudeNet's input is BGR because it reads files with OpenCV; ours are RGB.
    """
    import cv2  # ~0.4 s to import: only when an image is analysed, not with the policy

    height, width = pixels.shape[:2]
    scale = INPUT_SIZE / max(width, height)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if new_size != (width, height):
        # Area averaging when shrinking: bilinear (NudeNet's choice) reads a 2x2 neighbourhood
        # per output pixel and aliases on large photos. Scores move little for it (see
        # test_agrees_with_nudenet).
        shrinking = scale < 1
        interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        pixels = cv2.resize(pixels, new_size, interpolation=interpolation)
    canvas = np.zeros((INPUT_SIZE, INPUT_SIZE, 3), np.uint8)
    canvas[: pixels.shape[0], : pixels.shape[1]] = pixels
    bgr_chw = canvas[:, :, ::-1].transpose(2, 0, 1)[np.newaxis]
    tensor = np.ascontiguousarray(bgr_chw, dtype=np.float32) / np.float32(255)
    return Letterbox(tensor, scale, (0, 0), (width, height))


def decode_outputs(
    raw: np.ndarray,
    scale: float,
    pad: tuple[int, int],
    size: tuple[int, int],
    *,
    min_score: float = 0.25,
    iou: float = NMS_IOU,
) -> list[Signal]:
    """Signals for one image from the model's raw output, strongest first.

    ``raw`` is YOLOv8's layout, (1, 4 + classes, anchors) or without the batch axis: per anchor a
    box (centre x, centre y, width, height, in model pixels) then one score per class. Each anchor
    keeps its best class; anchors under ``min_score`` are dropped; boxes are mapped back to the
    image (``pad``, ``scale``, clipped to ``size``) and overlapping boxes of one class are merged
    by non-maximum suppression. Unlike NudeNet, suppression is per class: a covered and an exposed
    box on the same place are two facts, and dropping the weaker could hide the exposed one.
    """
    raw = np.asarray(raw, dtype=np.float32)
    if raw.shape[-2:-1] != (4 + len(LABELS),) or raw.size != raw.shape[-2] * raw.shape[-1]:
        raise ValueError(f"not one image's output of the 320n model: shape {raw.shape}")
    rows = raw.reshape(4 + len(LABELS), -1).T
    class_scores = rows[:, 4:]
    classes = class_scores.argmax(axis=1)
    scores = class_scores[np.arange(len(rows)), classes]
    kept = scores >= min_score
    rows, classes, scores = rows[kept], classes[kept], scores[kept]

    width, height = size
    x, y, w, h = rows[:, 0] - pad[0], rows[:, 1] - pad[1], rows[:, 2], rows[:, 3]
    corners = np.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], axis=1) / scale
    corners = np.clip(corners, 0, [width, height, width, height]).round()
    # A box wholly in the padding clips to nothing: it is not a fact about the image.
    real = (corners[:, 2] > corners[:, 0]) & (corners[:, 3] > corners[:, 1])
    corners, classes, scores = corners[real], classes[real], scores[real]

    signals = []
    for class_id in np.unique(classes):
        (members,) = np.nonzero(classes == class_id)
        for index in members[_nms(corners[members], scores[members], iou)]:
            x1, y1, x2, y2 = (int(v) for v in corners[index])
            label = f"{DETECTOR}.{LABELS[int(class_id)]}"
            box = Box(x1, y1, x2 - x1, y2 - y1)
            signals.append(Signal(DETECTOR, label, float(scores[index]), box))
    signals.sort(key=lambda signal: -signal.score)
    return signals


def _nms(corners: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Greedy non-maximum suppression: indices of the boxes (x1, y1, x2, y2) that survive."""
    areas = (corners[:, 2] - corners[:, 0]) * (corners[:, 3] - corners[:, 1])
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        best, rest = int(order[0]), order[1:]
        top_left = np.maximum(corners[best, :2], corners[rest, :2])
        bottom_right = np.minimum(corners[best, 2:], corners[rest, 2:])
        overlap = np.prod(np.clip(bottom_right - top_left, 0, None), axis=1)
        union = areas[best] + areas[rest] - overlap
        keep.append(best)
        order = rest[overlap <= iou * union]
    return keep


def derived(signals: Iterable[Signal]) -> list[Signal]:
    """``nudity.sexual`` and ``nudity.revealing`` from per-class signals, always both: the
    strongest detection of their classes (its box, its class in ``details``), or 0.0 without."""
    signals = list(signals)
    return [
        _strongest(signals, SEXUAL, SEXUAL_CLASSES),
        _strongest(signals, REVEALING, REVEALING_CLASSES),
    ]


def _strongest(signals: list[Signal], label: str, classes: frozenset[str]) -> Signal:
    labels = {f"{DETECTOR}.{name}" for name in classes}
    found = [s for s in signals if s.detector == DETECTOR and s.label in labels]
    if not found:
        return Signal(DETECTOR, label, 0.0)
    best = max(found, key=lambda signal: signal.score)
    return Signal(
        DETECTOR, label, best.score, best.box, (("class", best.label[len(DETECTOR) + 1 :]),)
    )


def sexual_score(signals: Iterable[Signal]) -> float:
    """The ``nudity.sexual`` score in signals (derived or not yet: per-class signals count)."""
    return _score(signals, SEXUAL, SEXUAL_CLASSES)


def revealing_score(signals: Iterable[Signal]) -> float:
    """The ``nudity.revealing`` score in signals (derived or not yet: per-class signals count)."""
    return _score(signals, REVEALING, REVEALING_CLASSES)


def _score(signals: Iterable[Signal], label: str, classes: frozenset[str]) -> float:
    labels = {label} | {f"{DETECTOR}.{name}" for name in classes}
    scores = [s.score for s in signals if s.detector == DETECTOR and s.label in labels]
    return max(scores, default=0.0)


class NudityDetector:
    """NudeNet's 320n model on CPU. ``threads`` is onnxruntime's intra-op thread count (one
    image's work is spread on them; parallelism across images is the caller's: the session runs
    one operator at a time, ``inter_op`` 1); ``min_score`` the score under which a box is noise."""

    name = DETECTOR
    version = "nudenet-3.4.2-320n"
    labels = SIGNAL_LABELS

    def __init__(self, *, threads: int = 1, min_score: float = 0.25) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        if not 0 < min_score <= 1:
            raise ValueError(f"min_score must be in (0, 1], not {min_score}")
        self.threads = threads
        self.min_score = min_score
        self._session: Any = None  # onnxruntime.InferenceSession, once loaded
        self._input = ""
        self._lock = threading.Lock()  # two first requests at once must not load twice

    def load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime  # heavy; only this detector needs it, when it runs
            except ImportError as exc:
                raise ModelUnavailable(
                    "onnxruntime is not installed: pip install onnxruntime"
                ) from exc
            path = locate(NUDENET_320N)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            options.log_severity_level = 3  # errors only: its warnings are not ours to print
            try:
                session = onnxruntime.InferenceSession(
                    str(path), sess_options=options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # onnxruntime's own exception types are not public
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ModelUnavailable(f"onnxruntime cannot load {path.name}: {reason}") from exc
            self._input = session.get_inputs()[0].name
            self._session = session

    def detect(self, sample: Sample) -> list[Signal]:
        """Derived signals first (``nudity.sexual``, ``nudity.revealing``), then one per box, in
        the coordinates of ``sample.pixels``."""
        self.load()
        box = letterbox(sample.pixels)
        (raw,) = self._session.run(None, {self._input: box.tensor})
        signals = decode_outputs(raw, box.scale, box.pad, box.size, min_score=self.min_score)
        return [*derived(signals), *signals]


#: NudeNet's face classes, and the score from which their boxes are handed to the face
#: descriptor (which then skips its own HOG detection, most of its cost).
FACE_CLASSES = frozenset({"FACE_FEMALE", "FACE_MALE"})
FACE_BOX_SCORE = 0.5


def face_boxes(signals: Iterable[Signal]) -> list[Box]:
    """The boxes of the faces NudeNet found (empty when none is sure enough)."""
    return [
        s.box
        for s in signals
        if s.box is not None
        and s.label.removeprefix("nudity.") in FACE_CLASSES
        and s.score >= FACE_BOX_SCORE
    ]

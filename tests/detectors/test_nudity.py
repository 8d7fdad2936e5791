"""NudeNet nudity detector: decoding and derived scores on synthetic model outputs, the real model
on benign images only (portraits, generated pictures). No intimate image, real or synthetic, is
needed: what the model says about body parts is simulated by fake outputs and fake signals."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from bouclier.detectors import nudity
from bouclier.detectors.base import Box, Detector, Sample, Signal
from bouclier.detectors.models import NUDENET_320N, locate
from bouclier.detectors.nudity import (
    INPUT_SIZE,
    LABELS,
    REVEALING,
    REVEALING_CLASSES,
    SEXUAL,
    SEXUAL_CLASSES,
    NudityDetector,
    decode_outputs,
    derived,
    letterbox,
    revealing_score,
    sexual_score,
)
from bouclier.detectors.registry import Registry
from bouclier.errors import ModelUnavailable
from bouclier.media import decode
from bouclier.policy import exposure
from tests.conftest import FACES, encode, photo


def part(name: str, score: float, box: Box | None = None) -> Signal:
    """A fake per-class signal, as decode_outputs makes them."""
    return Signal("nudity", f"nudity.{name}", score, box or Box(10, 10, 20, 20))


def raw_output(*anchors: tuple[float, float, float, float, str, float]) -> np.ndarray:
    """A fake model output in YOLOv8's layout, (1, 4 + classes, anchors): one anchor per
    (centre x, centre y, width, height, class, score), plus empty anchors the decoder must skip."""
    raw = np.zeros((1, 4 + len(LABELS), len(anchors) + 5), np.float32)
    raw[0, :4, -5:] = [[50], [50], [10], [10]]  # boxes whose every class score is 0
    for i, (cx, cy, w, h, name, score) in enumerate(anchors):
        raw[0, :4, i] = cx, cy, w, h
        raw[0, 4 + LABELS.index(name), i] = score
    return raw


def sample_of(pixels: np.ndarray) -> Sample:
    data = encode(pixels, "PNG")
    return Sample(data, decode(data))


def portraits() -> list[Path]:
    return sorted(p for p in FACES.iterdir() if p.suffix in {".jpg", ".png"})


# -- classes and derived scores ------------------------------------------------------------------


def test_class_sets_are_model_classes_and_disjoint() -> None:
    assert len(LABELS) == len(set(LABELS)) == 18
    assert set(LABELS) >= SEXUAL_CLASSES
    assert set(LABELS) >= REVEALING_CLASSES
    assert not SEXUAL_CLASSES & REVEALING_CLASSES
    assert all(name.endswith("_EXPOSED") for name in SEXUAL_CLASSES)
    assert all(name.endswith("_COVERED") for name in REVEALING_CLASSES)


@pytest.mark.parametrize(
    ("parts", "sexual", "revealing"),
    [
        ([], 0.0, 0.0),
        ([part("FACE_FEMALE", 0.9), part("FACE_MALE", 0.8)], 0.0, 0.0),
        ([part("FEET_EXPOSED", 0.9), part("FEET_COVERED", 0.7)], 0.0, 0.0),
        ([part("ARMPITS_EXPOSED", 0.9), part("BELLY_EXPOSED", 0.9)], 0.0, 0.0),
        ([part("MALE_BREAST_EXPOSED", 0.9), part("BELLY_COVERED", 0.9)], 0.0, 0.0),
        # the swimwear/underwear edit: covered intimate parts only
        ([part("FEMALE_BREAST_COVERED", 0.7), part("BUTTOCKS_COVERED", 0.5)], 0.0, 0.7),
        ([part("FEMALE_GENITALIA_COVERED", 0.6), part("FACE_FEMALE", 0.9)], 0.0, 0.6),
        ([part("ANUS_COVERED", 0.3)], 0.0, 0.3),
        ([part("FEMALE_BREAST_EXPOSED", 0.6), part("FEMALE_BREAST_COVERED", 0.3)], 0.6, 0.3),
        ([part("FEMALE_GENITALIA_EXPOSED", 0.4), part("MALE_GENITALIA_EXPOSED", 0.8)], 0.8, 0.0),
        ([part("BUTTOCKS_EXPOSED", 0.55)], 0.55, 0.0),
        ([part("ANUS_EXPOSED", 0.3), part("ANUS_EXPOSED", 0.45)], 0.45, 0.0),
        # another detector's signal is not NudeNet's opinion, whatever its label
        ([Signal("other", "nudity.FEMALE_BREAST_EXPOSED", 0.9)], 0.0, 0.0),
    ],
)
def test_derived(parts: list[Signal], sexual: float, revealing: float) -> None:
    got = derived(parts)
    assert [s.label for s in got] == [SEXUAL, REVEALING]
    assert [s.score for s in got] == [sexual, revealing]
    assert all(s.detector == "nudity" for s in got)


def test_derived_carries_the_strongest_box_and_class() -> None:
    weak = part("BUTTOCKS_COVERED", 0.5, Box(0, 0, 5, 5))
    strong = part("FEMALE_BREAST_COVERED", 0.7, Box(30, 40, 50, 60))
    sexual, revealing = derived([weak, strong])
    assert revealing.box == Box(30, 40, 50, 60)
    assert revealing.detail("class") == "FEMALE_BREAST_COVERED"
    assert sexual.box is None
    assert sexual.detail("class") is None


@pytest.mark.parametrize("name", sorted(SEXUAL_CLASSES))
def test_each_sexual_class_counts(name: str) -> None:
    assert derived([part(name, 0.9)])[0].score == 0.9
    assert exposure([part(name, 0.9)]).sexual
    assert not exposure([part(name, 0.9)]).revealing


@pytest.mark.parametrize("name", sorted(REVEALING_CLASSES))
def test_each_revealing_class_counts(name: str) -> None:
    assert derived([part(name, 0.9)])[1].score == 0.9
    assert exposure([part(name, 0.9)]).revealing
    assert not exposure([part(name, 0.9)]).sexual


def test_scores_read_derived_or_per_class_signals() -> None:
    signals = [part("MALE_GENITALIA_EXPOSED", 0.3), Signal("nudity", SEXUAL, 0.6)]
    assert sexual_score(signals) == 0.6
    assert revealing_score(signals) == 0.0


# -- pre-processing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("height", "width", "scale", "content"),
    [
        (480, 640, 0.5, (240, 320)),
        (640, 480, 0.5, (320, 240)),
        (100, 200, 1.6, (160, 320)),
        (320, 320, 1.0, (320, 320)),
    ],
)
def test_letterbox_geometry_and_channels(
    height: int, width: int, scale: float, content: tuple[int, int]
) -> None:
    red = np.zeros((height, width, 3), np.uint8)
    red[..., 0] = 255
    box = letterbox(red)
    assert box.tensor.shape == (1, 3, INPUT_SIZE, INPUT_SIZE)
    assert box.tensor.dtype == np.float32
    assert box.scale == pytest.approx(scale)
    assert box.pad == (0, 0)
    assert box.size == (width, height)
    rows, cols = content
    # BGR, as NudeNet feeds the model: red is the last channel; the image sits top left on black
    assert np.all(box.tensor[0, 2, :rows, :cols] == 1.0)
    assert not box.tensor[0, :2].any()
    assert not box.tensor[0, :, rows:].any()
    assert not box.tensor[0, :, :, cols:].any()


def test_letterbox_is_nudenets_preprocessing() -> None:
    """The exact tensor NudeNet 3.4.2 makes (a private function of the pinned version), when no
    resampling is involved: channel order, scale and padding agree."""
    from nudenet.nudenet import _read_image

    rgb = np.random.default_rng(0).integers(0, 256, (200, 320, 3), dtype=np.uint8)
    reference = _read_image(np.ascontiguousarray(rgb[:, :, ::-1]))[0]  # NudeNet reads BGR
    np.testing.assert_allclose(letterbox(rgb).tensor, reference, atol=1e-6)


# -- decoding raw outputs ------------------------------------------------------------------------


def labels_and_boxes(signals: list[Signal]) -> list[tuple[str, Box | None]]:
    return [(s.label, s.box) for s in signals]


@pytest.mark.parametrize(
    ("anchor", "scale", "pad", "size", "box"),
    [
        # 640x480 image: half size in the model, content in the top 240 rows
        ((100, 60, 40, 20), 0.5, (0, 0), (640, 480), Box(160, 100, 80, 40)),
        # 480x640 portrait
        ((100, 60, 40, 20), 0.5, (0, 0), (480, 640), Box(160, 100, 80, 40)),
        # enlarged small image
        ((160, 80, 32, 16), 1.6, (0, 0), (200, 100), Box(90, 45, 20, 10)),
        # letterbox with the image centred: the padding is taken off before scaling
        ((100, 100, 40, 20), 0.5, (0, 40), (640, 480), Box(160, 100, 80, 40)),
        ((100, 100, 40, 20), 0.5, (20, 0), (480, 640), Box(120, 180, 80, 40)),
        # boxes reaching over the edges are clipped to the image
        ((10, 10, 40, 40), 0.5, (0, 0), (640, 480), Box(0, 0, 60, 60)),
        ((310, 230, 40, 40), 0.5, (0, 0), (640, 480), Box(580, 420, 60, 60)),
        ((300, 240, 40, 40), 0.5, (0, 0), (640, 480), Box(560, 440, 80, 40)),
    ],
)
def test_boxes_back_in_image_pixels(
    anchor: tuple[float, float, float, float],
    scale: float,
    pad: tuple[int, int],
    size: tuple[int, int],
    box: Box,
) -> None:
    raw = raw_output((*anchor, "FACE_FEMALE", 0.8))
    signals = decode_outputs(raw, scale, pad, size)
    assert labels_and_boxes(signals) == [("nudity.FACE_FEMALE", box)]
    assert signals[0].score == pytest.approx(0.8)
    assert signals[0].detector == "nudity"


def test_box_wholly_in_the_padding_is_dropped() -> None:
    raw = raw_output((100, 280, 40, 40, "FEET_EXPOSED", 0.9))  # below the 240 rows of content
    assert decode_outputs(raw, 0.5, (0, 0), (640, 480)) == []


def test_nms_merges_overlapping_boxes_of_one_class() -> None:
    raw = raw_output(
        (100, 100, 40, 40, "BELLY_EXPOSED", 0.6),
        (102, 101, 40, 40, "BELLY_EXPOSED", 0.9),  # IoU ~0.9 with the first: the same belly
        (200, 200, 40, 40, "BELLY_EXPOSED", 0.5),  # elsewhere: a second detection
    )
    signals = decode_outputs(raw, 1.0, (0, 0), (320, 320))
    assert labels_and_boxes(signals) == [
        ("nudity.BELLY_EXPOSED", Box(82, 81, 40, 40)),
        ("nudity.BELLY_EXPOSED", Box(180, 180, 40, 40)),
    ]
    assert [s.score for s in signals] == pytest.approx([0.9, 0.5])


@pytest.mark.parametrize(
    ("offset", "merged"),
    [(0, True), (10, True), (15, True), (16, False), (20, False)],  # IoU 1, .6, .455, .429, .333
)
def test_nms_iou_threshold(offset: int, merged: bool) -> None:
    raw = raw_output(
        (100, 100, 40, 40, "FACE_MALE", 0.9),
        (100 + offset, 100, 40, 40, "FACE_MALE", 0.8),
    )
    assert len(decode_outputs(raw, 1.0, (0, 0), (320, 320), iou=0.45)) == (1 if merged else 2)


def test_nms_is_per_class() -> None:
    """A covered and an exposed box on the same place are both kept: merging across classes
    could hide an exposed part behind a stronger covered one."""
    raw = raw_output(
        (100, 100, 40, 40, "FEMALE_BREAST_COVERED", 0.9),
        (101, 100, 40, 40, "FEMALE_BREAST_EXPOSED", 0.6),
    )
    signals = decode_outputs(raw, 1.0, (0, 0), (320, 320))
    assert [s.label for s in signals] == [
        "nudity.FEMALE_BREAST_COVERED",
        "nudity.FEMALE_BREAST_EXPOSED",
    ]


@pytest.mark.parametrize(
    ("min_score", "kept"),
    [(0.25, [0.75, 0.5, 0.25]), (0.5, [0.75, 0.5]), (0.8, []), (0.1, [0.75, 0.5, 0.25, 0.125])],
)
def test_min_score(min_score: float, kept: list[float]) -> None:
    raw = raw_output(
        (30, 30, 20, 20, "FACE_FEMALE", 0.125),
        (90, 30, 20, 20, "FEET_COVERED", 0.5),
        (150, 30, 20, 20, "ARMPITS_COVERED", 0.25),
        (210, 30, 20, 20, "FACE_MALE", 0.75),
    )
    signals = decode_outputs(raw, 1.0, (0, 0), (320, 320), min_score=min_score)
    assert [s.score for s in signals] == kept  # strongest first; the bound itself is kept


def test_each_anchor_keeps_its_best_class() -> None:
    raw = raw_output((100, 100, 40, 40, "FEET_COVERED", 0.4))
    raw[0, 4 + LABELS.index("FEET_EXPOSED"), 0] = 0.7
    signals = decode_outputs(raw[0], 1.0, (0, 0), (320, 320))  # without the batch axis too
    assert [(s.label, s.score) for s in signals] == [("nudity.FEET_EXPOSED", pytest.approx(0.7))]


def test_no_detection() -> None:
    raw = np.zeros((1, 4 + len(LABELS), 2100), np.float32)
    assert decode_outputs(raw, 1.0, (0, 0), (320, 320)) == []


# -- the detector without its model --------------------------------------------------------------


def test_is_a_detector_and_construction_loads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # importing it now would fail
    detector = NudityDetector(threads=3, min_score=0.4)
    assert isinstance(detector, Detector)
    assert detector.name == "nudity"
    assert detector.version == "nudenet-3.4.2-320n"
    assert "nudity" in Registry([detector])


@pytest.mark.parametrize(
    ("options", "message"),
    [({"threads": 0}, "threads"), ({"min_score": 0.0}, "min_score"), ({"min_score": 1.5}, "min")],
)
def test_bad_options(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NudityDetector(**options)  # type: ignore[arg-type]


def test_missing_onnxruntime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelUnavailable, match="pip install onnxruntime") as caught:
        NudityDetector().load()
    assert "\n" not in caught.value.message


# -- the real model, on benign images ------------------------------------------------------------


@pytest.fixture(scope="module")
def detector() -> NudityDetector:
    loaded = NudityDetector()
    loaded.load()
    return loaded


def assert_well_formed(signals: list[Signal], pixels: np.ndarray) -> None:
    assert [s.label for s in signals[:2]] == [SEXUAL, REVEALING]
    height, width = pixels.shape[:2]
    for signal in signals:
        assert signal.detector == "nudity"
        assert 0.0 <= signal.score <= 1.0
    for signal in signals[2:]:
        assert signal.label.removeprefix("nudity.") in LABELS
        assert signal.score >= 0.25
        box = signal.box
        assert box is not None
        assert box.width > 0
        assert box.height > 0
        assert 0 <= box.x < box.x + box.width <= width
        assert 0 <= box.y < box.y + box.height <= height
    assert [s.score for s in signals[2:]] == sorted((s.score for s in signals[2:]), reverse=True)
    assert signals[:2] == derived(signals[2:])


@pytest.mark.model
def test_model_file_is_pinned(detector: NudityDetector) -> None:
    path = locate(NUDENET_320N)  # raises unless the SHA-256 matches
    assert path.name == "320n.onnx"


@pytest.mark.model
@pytest.mark.parametrize("path", portraits(), ids=lambda p: p.name)
def test_portraits_have_faces_and_nothing_sexual(detector: NudityDetector, path: Path) -> None:
    sample = Sample(path.read_bytes(), decode(path.read_bytes()))
    signals = detector.detect(sample)
    assert_well_formed(signals, sample.pixels)
    assert any(s.label.startswith("nudity.FACE_") and s.score >= 0.5 for s in signals)
    assert not exposure(signals).sexual


@pytest.mark.model
def test_boxes_are_in_the_coordinates_of_reduced_pixels(detector: NudityDetector) -> None:
    data = (FACES / "biden_1.jpg").read_bytes()
    sample = Sample(data, decode(data, max_side=512))
    assert max(sample.pixels.shape) == 512
    signals = detector.detect(sample)
    assert_well_formed(signals, sample.pixels)
    assert any(s.label.startswith("nudity.FACE_") for s in signals)


@pytest.mark.model
@pytest.mark.parametrize("seed", [0, 1])
def test_generated_pictures(detector: NudityDetector, seed: int) -> None:
    pixels = photo(seed)
    signals = detector.detect(sample_of(pixels))
    assert_well_formed(signals, pixels)
    assert not exposure(signals).sexual


@pytest.mark.model
@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((240, 320, 3), np.uint8),
        np.full((500, 300, 3), 200, np.uint8),
        np.broadcast_to(np.linspace(0, 255, 400, dtype=np.uint8)[None, :, None], (300, 400, 3)),
    ],
    ids=["black", "grey", "gradient"],
)
def test_blank_images(detector: NudityDetector, pixels: np.ndarray) -> None:
    signals = detector.detect(sample_of(np.ascontiguousarray(pixels)))
    assert_well_formed(signals, pixels)
    assert sexual_score(signals) == 0.0
    assert revealing_score(signals) == 0.0


@pytest.mark.model
def test_agrees_with_nudenet(detector: NudityDetector) -> None:
    """NudeNet's own class on the same pixels finds the same strong boxes: our pre- and
    post-processing feed and read the model as its authors do (scores move a little: we shrink by
    area averaging, NudeNet bilinearly)."""
    from nudenet import NudeDetector

    reference = NudeDetector()
    for path in portraits():
        pixels = decode(path.read_bytes()).pixels
        theirs = reference.detect(np.ascontiguousarray(pixels[:, :, ::-1]))
        ours = detector.detect(Sample(b"", decode(path.read_bytes())))[2:]
        for found in (d for d in theirs if d["score"] >= 0.5):
            x, y, w, h = found["box"]
            same = [s for s in ours if s.label == f"nudity.{found['class']}" and s.box]
            assert any(
                iou(s.box, Box(x, y, w, h)) > 0.9 and abs(s.score - found["score"]) < 0.1
                for s in same
                if s.box is not None
            ), (path.name, found, ours)


def iou(a: Box, b: Box) -> float:
    w = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
    h = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
    overlap = max(w, 0) * max(h, 0)
    return overlap / (a.width * a.height + b.width * b.height - overlap)


@pytest.mark.model
@pytest.mark.parametrize("threads", [1, 2])
def test_threads_are_honoured(threads: int) -> None:
    import onnxruntime

    detector = NudityDetector(threads=threads)
    detector.load()
    options = detector._session.get_session_options()  # the session is private; its options not
    assert options.intra_op_num_threads == threads
    assert options.inter_op_num_threads == 1
    assert options.execution_mode == onnxruntime.ExecutionMode.ORT_SEQUENTIAL


@pytest.mark.model
def test_load_is_idempotent(detector: NudityDetector) -> None:
    session = detector._session
    detector.load()
    assert detector._session is session


@pytest.mark.model
def test_wrong_digest_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    altered = dataclasses.replace(NUDENET_320N, sha256="0" * 64)
    monkeypatch.setattr(nudity, "NUDENET_320N", altered)
    detector = NudityDetector()
    with pytest.raises(ModelUnavailable, match="SHA-256") as caught:
        detector.detect(sample_of(photo(0)))
    assert caught.value.code == "model_unavailable"
    assert detector._session is None


@pytest.mark.parametrize("shape", [(1, 21, 10), (2, 22, 10), (22,), (10, 22)])
def test_foreign_output_shapes_are_refused(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="320n"):
        decode_outputs(np.zeros(shape, np.float32), 1.0, (0, 0), (320, 320))

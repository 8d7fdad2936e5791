"""The face detector on benign portraits: counts, pinning, and the same-person distance table."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from bouclier.detectors import Detector, Sample, models
from bouclier.detectors import faces as faces_module
from bouclier.detectors.faces import DEFAULT_THRESHOLD, Face, FaceDetector, distance
from bouclier.errors import ModelUnavailable
from bouclier.media import decode
from tests.conftest import FACES, encode

pytestmark = pytest.mark.model

PORTRAITS = [
    "obama_1.jpg",
    "obama_2.jpg",
    "kit_harington_1.jpg",
    "kit_harington_2.jpg",
    "biden_1.jpg",
    "rose_leslie_1.jpg",
    "alex_lacamoire_1.jpg",
    "lin_manuel_miranda_1.png",
]


def _person(name: str) -> str:
    return name.rsplit("_", 1)[0]


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    found = FaceDetector()
    found.load()
    return found


@pytest.fixture(scope="module")
def descriptors(detector: FaceDetector) -> dict[str, np.ndarray]:
    out = {}
    for name in PORTRAITS:
        [face] = detector.describe(decode((FACES / name).read_bytes()).pixels)
        out[name] = face.descriptor
    return out


def _sample(path: Path) -> Sample:
    data = path.read_bytes()
    return Sample(data, decode(data))


def test_is_a_detector(detector: FaceDetector) -> None:
    assert isinstance(detector, Detector)
    assert detector.name == "faces"


@pytest.mark.parametrize("name", PORTRAITS)
def test_one_face_per_portrait(detector: FaceDetector, name: str) -> None:
    sample = _sample(FACES / name)
    [signal] = detector.detect(sample)
    assert (signal.detector, signal.label) == ("faces", "faces.face")
    assert signal.score > 0
    assert signal.box is not None
    height, width = sample.pixels.shape[:2]
    assert 0 <= signal.box.x < signal.box.x + signal.box.width <= width
    assert 0 <= signal.box.y < signal.box.y + signal.box.height <= height
    assert signal.details == ()  # no descriptor leaves describe()


def test_two_faces(detector: FaceDetector) -> None:
    found = detector.describe(_sample(FACES / "two_people.jpg").pixels)
    assert len(found) == 2
    assert distance(found[0].descriptor, found[1].descriptor) > DEFAULT_THRESHOLD


def test_descriptor_is_frozen_float32(detector: FaceDetector) -> None:
    [face] = detector.describe(_sample(FACES / "obama_1.jpg").pixels)
    assert isinstance(face, Face)
    assert face.descriptor.dtype == np.float32
    assert face.descriptor.shape == (128,)
    assert not face.descriptor.flags.writeable


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((480, 640, 3), dtype=np.uint8),
        np.full((300, 300, 3), 255, dtype=np.uint8),
        np.broadcast_to(np.linspace(0, 255, 800, dtype=np.uint8)[None, :, None], (600, 800, 3)),
    ],
    ids=["black", "white", "gradient"],
)
def test_no_face_in_blank_images(detector: FaceDetector, pixels: np.ndarray) -> None:
    assert detector.describe(pixels) == []


def test_small_faces_are_found_after_reduction(detector: FaceDetector) -> None:
    # A portrait shrunk so that the face is about 60 pixels wide still has its face found,
    # and a large image reduced for detection gets its box mapped back to full size.
    pixels = decode((FACES / "obama_1.jpg").read_bytes(), max_side=280).pixels
    assert len(detector.describe(pixels)) == 1
    big = np.ascontiguousarray(np.repeat(np.repeat(pixels, 8, axis=0), 8, axis=1))
    [face] = FaceDetector(max_side=512).describe(big)
    assert face.box.width > 400


def test_jpeg_recompression_stays_the_same_person(
    detector: FaceDetector, descriptors: dict[str, np.ndarray]
) -> None:
    pixels = decode((FACES / "obama_1.jpg").read_bytes()).pixels
    [face] = detector.describe(decode(encode(pixels, quality=40)).pixels)
    assert distance(face.descriptor, descriptors["obama_1.jpg"]) < 0.2


def test_pinned_digest_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = models.ModelFile(models.DLIB_SHAPE_5.package, models.DLIB_SHAPE_5.path, "0" * 64, "x")
    monkeypatch.setattr(faces_module, "DLIB_SHAPE_5", wrong)
    with pytest.raises(ModelUnavailable, match="pinned SHA-256"):
        FaceDetector().load()


def test_distance_is_euclidean() -> None:
    a = np.zeros(128, dtype=np.float32)
    b = np.zeros(128, dtype=np.float32)
    b[:4] = 0.5
    assert distance(a, b) == pytest.approx(1.0)
    assert distance(a, a) == 0.0


def test_distance_table(
    descriptors: dict[str, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every same-person pair is within the default threshold, every other pair beyond it."""
    rows = []
    for a, b in itertools.combinations(PORTRAITS, 2):
        same = _person(a) == _person(b)
        value = distance(descriptors[a], descriptors[b])
        rows.append((value, a, b, same))
    with capsys.disabled():
        print(f"\nface distances (threshold {DEFAULT_THRESHOLD}):")
        for value, a, b, same in sorted(rows):
            print(f"  {value:.3f}  {'same' if same else 'diff'}  {a} / {b}")
    for value, a, b, same in rows:
        if same:
            assert value <= DEFAULT_THRESHOLD, (a, b, value)
        else:
            assert value > DEFAULT_THRESHOLD, (a, b, value)
    assert sum(same for *_, same in rows) == 2


@pytest.mark.model
def test_describing_at_given_boxes_agrees_with_the_own_search() -> None:
    from bouclier.detectors.faces import FaceDetector, distance
    from bouclier.media import decode

    detector = FaceDetector()
    for name in ("obama_1.jpg", "kit_harington_2.jpg"):
        pixels = decode((FACES / name).read_bytes()).pixels
        [searched] = detector.describe(pixels)
        [given] = detector.describe(pixels, [searched.box])
        assert given.box == searched.box
        assert distance(given.descriptor, searched.descriptor) < 0.05

"""The contract every detector keeps, run on each (threatexchange's ``SignalTypeAutoTest``).

Parametrised over every entry of the production catalog (``bouclier.detectors.catalog.CATALOG``),
so a detector added there is held to it without a line here, plus the test-only ``tint`` detector
(``tests/detectors/tint.py``). Entries that load pinned model files are marked ``model`` (CI runs
them). The images are generated or benign only: flat, noise, a generated picture, 1x1, a large
gradient, and a clothed portrait of two people from the shared benign test data (so that there are
boxes to check).
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import sys
from collections.abc import Iterator
from functools import cache

import numpy as np
import pytest
from PIL import Image

from bouclier.detectors.base import Detector, Sample, Signal
from bouclier.detectors.catalog import CATALOG, Entry
from bouclier.detectors.models import locate
from bouclier.media import decode
from bouclier.settings import Settings, load_settings
from tests.conftest import FACES, photo
from tests.detectors.tint import TintDetector

ENTRIES = [*CATALOG, Entry("tint", lambda settings: TintDetector())]
#: What loading a model takes: constructing a detector must import none of them.
MODEL_LIBRARIES = ("onnxruntime", "dlib", "c2pa", "imwatermark", "cv2", "pywt")


def _params(entries: list[Entry]) -> list[object]:
    return [
        pytest.param(entry, id=entry.name, marks=[pytest.mark.model] if entry.models else [])
        for entry in entries
    ]


def _images() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:2400, 0:3200]
    gradient = np.stack([x * 255 // 3199, y * 255 // 2399, (x + y) * 255 // 5598], axis=2)
    return {
        "flat": np.full((480, 640, 3), 128, np.uint8),
        "noise": rng.integers(0, 256, (480, 640, 3), dtype=np.uint8),
        "picture": photo(3),
        "1x1": np.full((1, 1, 3), 200, np.uint8),
        "large": gradient.astype(np.uint8),
    }


IMAGES = [*_images(), "portrait"]


@cache
def _sample(name: str) -> Sample:
    """One benign image as the pipeline hands it over: its bytes (PNG for the generated ones)
    and their decoding."""
    if name == "portrait":
        data = (FACES / "two_people.jpg").read_bytes()
    else:
        buffer = io.BytesIO()
        Image.fromarray(_images()[name]).save(buffer, "PNG", compress_level=1)
        data = buffer.getvalue()
    return Sample(data, decode(data))


@cache
def _settings() -> Settings:
    return load_settings()


@cache
def _loaded(name: str) -> Detector:
    """One loaded detector per entry for the whole module: models load once."""
    detector = next(e for e in ENTRIES if e.name == name).factory(_settings())
    detector.load()
    return detector


@pytest.fixture
def no_model_loading(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within it, importing a model library fails and looking up a model file is counted."""
    for library in MODEL_LIBRARIES:
        monkeypatch.setitem(sys.modules, library, None)
    before = locate.cache_info()
    yield
    after = locate.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses), "a model file was located"


@pytest.mark.parametrize("entry", _params(ENTRIES))
def test_name_and_version_are_stable(entry: Entry) -> None:
    first, second = entry.factory(_settings()), entry.factory(_settings())
    assert isinstance(first, Detector)
    assert first.name == second.name == entry.name
    assert re.fullmatch(r"[a-z][a-z0-9_]*", first.name)  # as BOUCLIER_DETECTORS accepts
    assert isinstance(first.version, str)
    assert first.version.strip()
    assert first.version == second.version


@pytest.mark.parametrize("entry", _params(ENTRIES))
def test_labels_are_declared_under_its_name(entry: Entry) -> None:
    detector = entry.factory(_settings())
    assert isinstance(detector.labels, frozenset)
    assert detector.labels
    for label in detector.labels:
        assert isinstance(label, str)
        assert label.startswith(f"{detector.name}.")


@pytest.mark.parametrize("entry", _params(ENTRIES))
def test_constructing_loads_no_model(entry: Entry, no_model_loading: None) -> None:
    entry.factory(_settings())


@pytest.mark.parametrize("entry", _params(ENTRIES))
def test_load_is_idempotent(entry: Entry, monkeypatch: pytest.MonkeyPatch) -> None:
    detector = entry.factory(_settings())
    detector.load()
    for library in MODEL_LIBRARIES:  # a second load that imported anything would fail
        monkeypatch.setitem(sys.modules, library, None)
    before = locate.cache_info()
    detector.load()
    detector.load()
    assert locate.cache_info() == before


def _check(signal: Signal, detector: Detector, pixels: np.ndarray) -> None:
    assert type(signal) is Signal
    with pytest.raises(dataclasses.FrozenInstanceError):
        signal.score = 1.0  # type: ignore[misc]
    assert signal.detector == detector.name
    assert signal.label in detector.labels, signal.label
    assert isinstance(signal.score, float)
    assert math.isfinite(signal.score)
    assert 0.0 <= signal.score <= 1.0, (signal.label, signal.score)
    assert all(
        isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
        for pair in signal.details
    )
    if signal.box is not None:
        height, width = pixels.shape[:2]
        box = signal.box
        assert all(isinstance(v, int) for v in (box.x, box.y, box.width, box.height))
        assert box.x >= 0
        assert box.y >= 0
        assert box.width > 0
        assert box.height > 0
        assert box.x + box.width <= width
        assert box.y + box.height <= height


@pytest.mark.parametrize("image", IMAGES)
@pytest.mark.parametrize("entry", _params(ENTRIES))
def test_detect_on_benign_images(entry: Entry, image: str) -> None:
    detector = _loaded(entry.name)
    sample = _sample(image)
    signals = detector.detect(sample)
    assert isinstance(signals, list)
    for signal in signals:
        _check(signal, detector, sample.pixels)
    assert detector.detect(sample) == signals  # deterministic

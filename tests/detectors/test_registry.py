"""The registry is an explicit list checked at construction; model files are pinned."""

from __future__ import annotations

import pytest

from bouclier.detectors import Registry
from bouclier.detectors.models import ModelFile, locate
from bouclier.errors import ConfigError, ModelUnavailable
from tests.analysis.fakes import FakeDetector


def test_registry_keeps_order_and_loads_all() -> None:
    a, b = FakeDetector("a"), FakeDetector("b")
    registry = Registry([a, b])
    assert [d.name for d in registry] == ["a", "b"]
    assert "a" in registry
    assert registry["b"] is b
    assert len(registry) == 2
    registry.load()
    assert a.loaded
    assert b.loaded


def test_a_needed_detector_is_looked_up_or_named_missing() -> None:
    nudity = FakeDetector("nudity")
    registry = Registry([nudity, FakeDetector("provenance")])
    assert registry.require("nudity") is nudity
    with pytest.raises(ConfigError, match=r"'faces'.*\(BOUCLIER_DETECTORS: nudity, provenance\)"):
        registry.require("faces")


def test_duplicate_names_fail_loudly() -> None:
    with pytest.raises(ValueError, match="two detectors are named 'a'"):
        Registry([FakeDetector("a"), FakeDetector("a")])


def test_non_detectors_are_refused() -> None:
    with pytest.raises(TypeError, match="Detector protocol"):
        Registry([object()])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (ModelFile("no_such_package_x", "m.onnx", "0" * 64, "no-such-x"), "pip install no-such-x"),
        (ModelFile("bouclier", "missing.onnx", "0" * 64, "bouclier"), "is missing"),
        (ModelFile("bouclier", "py.typed", "0" * 64, "bouclier"), "pinned SHA-256"),
    ],
)
def test_model_files_are_located_and_pinned(model: ModelFile, message: str) -> None:
    with pytest.raises(ModelUnavailable, match=message) as caught:
        locate(model)
    assert "\n" not in str(caught.value)  # one line

"""The catalog production builds its detectors from: one explicit list, chosen by a setting.

Also the proof that adding a detector is one module and one line: ``tests/detectors/tint.py`` is
registered here with one :class:`Entry` and its signal reaches the analysis result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bouclier.analysis import Analyzer
from bouclier.detectors.catalog import CATALOG, Catalog, Entry
from bouclier.detectors.faces import describer
from bouclier.detectors.models import ModelFile
from bouclier.detectors.registry import Registry
from bouclier.errors import ConfigError, ModelUnavailable
from bouclier.settings import Settings, load_settings
from tests.analysis.fakes import FakeDetector, nudity
from tests.conftest import encode, photo
from tests.detectors.tint import BRIGHTNESS, TintDetector


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("BOUCLIER_DATABASE_URL", "BOUCLIER_DETECTORS", "BOUCLIER_DETECTOR_THREADS"):
        monkeypatch.delenv(name, raising=False)
    return load_settings(data_dir=tmp_path / "data")


def test_production_builds_the_default_detectors_in_order(settings: Settings) -> None:
    assert [entry.name for entry in CATALOG] == ["nudity", "faces", "provenance"]
    registry = CATALOG.build(settings)
    assert [detector.name for detector in registry] == ["nudity", "faces", "provenance"]
    assert registry["nudity"].threads == 1  # type: ignore[attr-defined]


def test_the_setting_chooses_and_orders_them(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOUCLIER_DETECTORS", " provenance , nudity")
    monkeypatch.setenv("BOUCLIER_DETECTOR_THREADS", "3")
    chosen = load_settings(data_dir=settings.data_dir)
    assert chosen.detectors == "provenance,nudity"
    registry = CATALOG.build(chosen)
    assert [detector.name for detector in registry] == ["provenance", "nudity"]
    assert registry["nudity"].threads == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nudity,nudity", "named twice"),
        ("nudity,Faces", "'Faces' is not a detector name"),
        ("nudity;faces", "not a detector name"),
    ],
)
def test_bad_settings_fail_at_start(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"BOUCLIER_DETECTORS.*{message}"):
        load_settings(detectors=value)


def test_unknown_detectors_fail_loudly(settings: Settings) -> None:
    chosen = settings.model_copy(update={"detectors": "nudity,deepfake"})
    with pytest.raises(ConfigError, match=r"unknown detector 'deepfake' \(known: nudity, faces"):
        CATALOG.build(chosen)
    with pytest.raises(ConfigError, match="unknown detector 'deepfake'"):
        CATALOG.check(chosen)


def test_duplicate_entries_fail_loudly() -> None:
    with pytest.raises(ValueError, match="two catalog entries are named 'nudity'"):
        Catalog([*CATALOG, Entry("nudity", lambda settings: nudity())])


def test_an_entry_builds_the_detector_it_names(settings: Settings) -> None:
    catalog = Catalog([Entry("nudity", lambda settings: FakeDetector("provenance"))])
    with pytest.raises(ValueError, match="entry 'nudity' built a detector named 'provenance'"):
        catalog.build(settings)


def test_optional_entries_run_only_when_named(settings: Settings) -> None:
    catalog = Catalog([*CATALOG, Entry("tint", lambda settings: TintDetector(), default=False)])
    assert "tint" not in catalog.build(settings)
    assert "tint" in catalog.build(settings.model_copy(update={"detectors": "nudity,tint"}))


def test_check_locates_the_model_files_without_loading(settings: Settings) -> None:
    CATALOG.check(settings)  # the pinned files of nudity and faces are installed
    missing = ModelFile("no_such_package_x", "m.onnx", "0" * 64, "no-such-x")
    catalog = Catalog([Entry("tint", lambda settings: TintDetector(), (missing,))])
    with pytest.raises(ModelUnavailable, match="pip install no-such-x"):
        catalog.check(settings)


def test_face_comparisons_need_a_face_describer() -> None:
    with pytest.raises(ConfigError, match="'faces' detector is needed but not configured"):
        describer(Registry([nudity()]))
    with pytest.raises(TypeError, match="cannot describe faces"):
        describer(Registry([FakeDetector("faces")]))


@pytest.mark.model
def test_a_new_detector_is_one_module_and_one_line(settings: Settings) -> None:
    """The production catalog plus one Entry: the detector runs in the analysis (after nudity,
    timed under its name) and its signal is in the result, as ``bouclier scan`` writes it."""
    catalog = Catalog([*CATALOG, Entry("tint", lambda settings: TintDetector())])
    analyzer = Analyzer.from_settings(settings, detectors=catalog.build(settings))
    analyzer.load()
    assert analyzer.detectors["tint"].loaded  # type: ignore[attr-defined]
    row = analyzer.analyze(encode(photo(1), quality=92)).to_dict()
    [tint] = [s for s in row["signals"] if s["detector"] == "tint"]
    assert tint["label"] == BRIGHTNESS
    assert 0.2 < tint["score"] < 0.8
    assert list(row["timings_ms"]) == [
        "decode",
        "hash",
        "match",
        "nudity",
        "faces",
        "provenance",
        "tint",
        "policy",
    ]
    assert row["verdict"] == "ALLOW"

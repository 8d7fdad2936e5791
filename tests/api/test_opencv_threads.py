"""The service sets OpenCV's pool at start (BOUCLIER_OPENCV_THREADS, default 1): its requests
already run side by side, and OpenCV's own threads only cost hand-offs (docs/benchmarks-log.md).
tests/hashing/test_opencv_threads.py checks that the fingerprints do not depend on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from bouclier.api import create_app
from bouclier.detectors.registry import Registry
from bouclier.settings import load_settings
from tests.api.conftest import TestClient


@pytest.fixture
def restore_pool() -> Iterator[None]:
    before = cv2.getNumThreads()
    yield
    cv2.setNumThreads(before)


@pytest.mark.usefixtures("restore_pool")
@pytest.mark.parametrize(("given", "expected"), [({}, 1), ({"opencv_threads": 3}, 3)])
def test_the_service_sets_opencv_threads_at_start(
    tmp_path: Path,
    detectors: Registry,
    monkeypatch: pytest.MonkeyPatch,
    given: dict[str, int],
    expected: int,
) -> None:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    cv2.setNumThreads(2)
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'b.db'}", **given
    )
    with TestClient(create_app(settings, detectors=detectors)):
        assert cv2.getNumThreads() == expected

"""Fixtures for likeness tests: a template key, one shared face detector, portrait bytes."""

from __future__ import annotations

import pytest

from bouclier.detectors.faces import FaceDetector
from bouclier.likeness import Consent, TemplateKey
from tests.conftest import FACES


@pytest.fixture(scope="session")
def face_detector() -> FaceDetector:
    detector = FaceDetector()
    detector.load()
    return detector


@pytest.fixture
def key() -> TemplateKey:
    return TemplateKey.generate()


@pytest.fixture
def consent() -> Consent:
    return Consent(consented_by="A. Example", relationship="self", purpose="deepfake protection")


def portrait(name: str) -> bytes:
    return (FACES / name).read_bytes()

"""The provenance detector as a whole: the Detector contract, no false positives on plain images,
and readers combined."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import PngImagePlugin

from bouclier.detectors import Detector, Registry, Sample, Signal
from bouclier.detectors.provenance import (
    LABELS,
    C2paReader,
    MetadataReader,
    ProvenanceDetector,
    WatermarkReader,
)
from tests.conftest import FACES, photo
from tests.detectors.provenance.conftest import (
    AI_GENERATED,
    ThrowawaySigner,
    encode,
    sample_of,
    sign_jpeg,
    smooth_picture,
)


class ExplodingReader:
    name = "exploding"

    def load(self) -> None:
        pass

    def read(self, sample: Sample) -> list[Signal]:
        raise RuntimeError("boom")


def test_detector_contract() -> None:
    detector = ProvenanceDetector()
    assert isinstance(detector, Detector)
    assert (detector.name, detector.version) == ("provenance", "1")
    assert "provenance" in Registry([detector])
    detector.load()
    detector.load()  # idempotent


def test_reader_names_are_unique() -> None:
    with pytest.raises(ValueError, match="share a name"):
        ProvenanceDetector([MetadataReader(), MetadataReader()])


PLAIN = photo(41, (640, 480))
SMOOTH = smooth_picture(42, (512, 512))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(encode(PLAIN, "JPEG", quality=92), id="jpeg"),
        pytest.param(encode(PLAIN, "JPEG", quality=50), id="jpeg-q50"),
        pytest.param(encode(PLAIN, "PNG"), id="png"),
        pytest.param(encode(SMOOTH, "PNG"), id="png-smooth"),
        pytest.param(encode(SMOOTH, "WEBP", quality=90), id="webp"),
        pytest.param(encode(PLAIN, "TIFF"), id="tiff"),
        pytest.param(encode(PLAIN[:200, :200], "GIF"), id="gif"),
        pytest.param(encode(np.full((300, 300, 3), 200, np.uint8), "PNG"), id="flat"),
        *(
            pytest.param(path.read_bytes(), id=path.name)
            for path in sorted(FACES.glob("*"))
            if path.suffix in (".jpg", ".png")
        ),
    ],
)
@pytest.mark.parametrize("reader", [C2paReader, WatermarkReader, MetadataReader])
def test_plain_images_have_no_signal(data: bytes, reader: type) -> None:
    assert reader().read(sample_of(data)) == []


def test_readers_combined(test_signer: ThrowawaySigner) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("prompt", json.dumps({"1": {"class_type": "CLIPTextEncode", "inputs": {}}}))
    signed = sign_jpeg(test_signer, encode(PLAIN, "JPEG", quality=90), AI_GENERATED, "c2pa.created")
    labels = [s.label for s in ProvenanceDetector().detect(sample_of(signed))]
    assert labels == ["provenance.c2pa.manifest", "provenance.c2pa.ai_generated"]
    labels = [s.label for s in ProvenanceDetector().detect(sample_of(encode(PLAIN, pnginfo=info)))]
    assert labels == ["provenance.metadata.generator"]


def test_a_failing_reader_does_not_hide_the_others() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "NovelAI")
    detector = ProvenanceDetector([ExplodingReader(), MetadataReader()])
    signals = detector.detect(sample_of(encode(PLAIN, pnginfo=info)))
    assert [s.label for s in signals] == ["provenance.error", "provenance.metadata.generator"]
    assert signals[0].detail("reader") == "exploding"
    assert signals[0].detail("reason") == "RuntimeError: boom"
    assert signals[0].score == 0.0


def test_no_label_claims_authenticity() -> None:
    """Provenance names tools; it never says an image is real."""
    for label in LABELS:
        assert label.startswith("provenance.")
        for word in ("authentic", "real", "camera", "original", "genuine"):
            assert word not in label

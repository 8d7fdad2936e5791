"""Stable Diffusion dwtDct watermarks, embedded in the test with imwatermark's own encoder."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from bouclier.detectors.provenance import WatermarkReader
from bouclier.detectors.provenance.watermark import MARKS, Mark, decode_bits, haar_approximation
from tests.conftest import photo
from tests.detectors.provenance.conftest import encode, sample_of, smooth_picture

MARKS_BY_NAME = {mark.name: mark for mark in MARKS}


def stamp(dwtdct: ModuleType, rgb: np.ndarray, mark: Mark) -> np.ndarray:
    """What Stability's scripts do: imwatermark's dwtDct encoder on the BGR image."""
    encoder = dwtdct.EmbedMaxDct(list(mark.bits), wmLen=len(mark.bits))
    return np.ascontiguousarray(encoder.encode(np.ascontiguousarray(rgb[:, :, ::-1]))[:, :, ::-1])


@pytest.fixture(scope="module")
def picture() -> np.ndarray:
    return smooth_picture(2)


def test_published_messages() -> None:
    sdxl = MARKS_BY_NAME["sdxl"].bits
    assert len(sdxl) == 48
    assert int("".join(map(str, sdxl)), 2) == 0xB3EC907BB19E
    sd1 = MARKS_BY_NAME["sd1"].bits
    assert np.packbits(sd1).tobytes() == b"StableDiffusionV1"
    assert np.packbits(MARKS_BY_NAME["sd2"].bits).tobytes() == b"SDV2"


@pytest.mark.parametrize("name", ["sdxl", "sd1", "sd2"])
def test_marked_png_is_detected(dwtdct: ModuleType, picture: np.ndarray, name: str) -> None:
    mark = MARKS_BY_NAME[name]
    png = encode(stamp(dwtdct, picture, mark))
    signals = WatermarkReader().read(sample_of(png))
    assert [s.label for s in signals] == [mark.label]
    found = signals[0]
    assert found.detector == "provenance"
    assert found.score >= mark.likely / len(mark.bits)
    matched, total = map(int, (found.detail("matching_bits") or "").split("/"))
    assert total == len(mark.bits)
    assert found.score == matched / total
    assert found.detail("mark") == name
    assert found.detail("method") == "dwtDct"


def test_unmarked_picture_has_no_signal(picture: np.ndarray) -> None:
    assert WatermarkReader().read(sample_of(encode(picture))) == []


def test_reduced_sample_is_read_at_full_size(dwtdct: ModuleType, picture: np.ndarray) -> None:
    png = encode(stamp(dwtdct, picture, MARKS_BY_NAME["sdxl"]))
    reduced = sample_of(png, max_side=128)
    assert reduced.pixels.shape[0] < 512
    assert [s.label for s in WatermarkReader().read(reduced)] == ["provenance.watermark.sdxl"]


def test_mark_does_not_survive_jpeg_q50(dwtdct: ModuleType, picture: np.ndarray) -> None:
    """Documents the weakness: a recompressed copy reads as unmarked."""
    jpeg = encode(stamp(dwtdct, picture, MARKS_BY_NAME["sdxl"]), "JPEG", quality=50)
    assert WatermarkReader().read(sample_of(jpeg)) == []


def test_small_images_are_not_read() -> None:
    assert WatermarkReader().read(sample_of(encode(smooth_picture(3, (200, 200))))) == []


@pytest.mark.parametrize(
    "rgb",
    [
        pytest.param(photo(1, (640, 480)), id="photo"),
        pytest.param(photo(2, (517, 389)), id="odd-size"),
        pytest.param(smooth_picture(4, (300, 700)), id="tall"),
        pytest.param(np.full((256, 256, 3), 128, np.uint8), id="flat"),
    ],
)
def test_decoder_matches_imwatermark(dwtdct: ModuleType, rgb: np.ndarray) -> None:
    """The vectorised decoder reads exactly the bits imwatermark's decoder reads."""
    scores = WatermarkReader().block_scores(rgb)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    for mark in MARKS:
        reference = dwtdct.EmbedMaxDct([], wmLen=len(mark.bits)).decode(bgr)
        assert decode_bits(scores, len(mark.bits)).tolist() == np.asarray(reference).tolist()


def test_haar_approximation_matches_pywavelets() -> None:
    pywt = pytest.importorskip("pywt")
    rng = np.random.default_rng(7)
    for shape in ((256, 256), (480, 640), (64, 1024)):
        channel = rng.integers(0, 256, shape, dtype=np.uint8)
        expected, _ = pywt.dwt2(channel, "haar")
        assert np.array_equal(haar_approximation(channel), expected)


def test_benign_pictures_stay_under_the_thresholds() -> None:
    """The false-positive check behind the SD 1 and SD 2 thresholds (SDXL's are Stability's)."""
    reader = WatermarkReader()
    pictures = [photo(seed, (512, 512)) for seed in range(40, 52)]
    pictures += [smooth_picture(seed, (512, 384)) for seed in range(40, 46)]
    pictures += [np.full((256, 256, 3), value, np.uint8) for value in (0, 128, 255)]
    for rgb in pictures:
        scores = reader.block_scores(rgb)
        for mark in MARKS:
            matches = int(np.count_nonzero(decode_bits(scores, len(mark.bits)) == mark.bits))
            assert matches < mark.likely, (mark.name, matches)


def test_images_larger_than_any_reference_output_are_not_decoded_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    import numpy as np
    from PIL import Image

    import bouclier.media
    from bouclier.detectors.base import Sample
    from bouclier.detectors.provenance.watermark import MAX_PIXELS, WatermarkReader
    from bouclier.media import decode

    buffer = io.BytesIO()
    Image.fromarray(np.full((1300, 2000, 3), 120, np.uint8)).save(buffer, "JPEG")
    data = buffer.getvalue()
    sample = Sample(data=data, image=decode(data, min_side=512))
    assert sample.image.width * sample.image.height > MAX_PIXELS

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded again")

    monkeypatch.setattr(bouclier.media, "decode", refuse)
    assert WatermarkReader().read(sample) == []

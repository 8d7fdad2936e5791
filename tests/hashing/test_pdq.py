"""PDQ: canonical strings, distance, agreement with python-threatexchange, orientations, quality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from threatexchange.signal_type.pdq.signal import PdqSignal

from bouclier.errors import InvalidHash
from bouclier.hashing import hash_bytes, hash_file, pdq
from tests.conftest import FACES, encode, photo

HEX = "2d6b1af3a956c529e79ca3d2526fa834d4196c81cedd04de0a26b855fc99b724"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEX, HEX),
        (HEX.upper(), HEX),
        (f"  {HEX}\n", HEX),
    ],
)
def test_validate_normalises(text: str, expected: str) -> None:
    assert pdq.validate(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has 0"),
        (HEX[:-1], "has 63"),
        (HEX + "0", "has 65"),
        ("0x" + HEX[2:], "only the hex digits"),
        (HEX[:-1] + "g", "only the hex digits"),
        (HEX[:32] + " " + HEX[33:], "only the hex digits"),
        (12345, "must be a string"),
        (None, "must be a string"),
    ],
)
def test_validate_refuses(text: object, message: str) -> None:
    with pytest.raises(InvalidHash, match=message) as caught:
        pdq.validate(text)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_hash"


def test_distance_is_hamming_distance() -> None:
    complement = f"{int(HEX, 16) ^ (2**256 - 1):064x}"
    one_bit = f"{int(HEX, 16) ^ 1:064x}"
    assert pdq.distance(HEX, HEX) == 0
    assert pdq.distance(HEX, one_bit) == 1
    assert pdq.distance(HEX, complement) == 256
    assert pdq.distance(HEX.upper(), one_bit) == 1


def _references() -> list[Path]:
    return sorted(p for p in FACES.iterdir() if p.suffix == ".jpg")


@pytest.mark.parametrize("path", _references(), ids=lambda p: p.name)
def test_same_pixels_same_hash_as_threatexchange(path: Path) -> None:
    reference = PdqSignal.hash_from_file(path)
    pixels = np.asarray(Image.open(path).convert("RGB"))
    assert pdq.hash_pixels(pixels).pdq == reference
    # through Bouclier's own decoder, at full resolution
    assert hash_file(path, min_side=None).pdq.pdq == reference


def test_generated_photos_agree_with_threatexchange() -> None:
    for seed in range(5):
        data = encode(photo(seed), quality=90)
        assert hash_bytes(data, min_side=None).pdq.pdq == PdqSignal.hash_from_bytes(data)


def test_eight_orientations_of_one_pass() -> None:
    pixels = photo(7, (512, 512))
    result = pdq.hash_pixels(pixels)
    assert len(result.hashes) == len(pdq.ORIENTATIONS) == 8
    assert len(set(result.hashes)) == 8
    transforms = {
        "original": pixels,
        "rotate90": np.rot90(pixels, 1),
        "rotate180": np.rot90(pixels, 2),
        "rotate270": np.rot90(pixels, 3),
        "flip_vertical": pixels[::-1],
        "flip_horizontal": pixels[:, ::-1],
        "transpose": pixels.transpose(1, 0, 2),
        "transverse": np.rot90(pixels, 2).transpose(1, 0, 2),
    }
    for position, name in enumerate(pdq.ORIENTATIONS):
        transformed = pdq.hash_pixels(np.ascontiguousarray(transforms[name])).pdq
        distances = [pdq.distance(transformed, h) for h in result.hashes]
        # the transformed image is nearest to its own orientation's hash, well within a match
        assert int(np.argmin(distances)) == position, (name, distances)
        assert distances[position] <= pdq.DEFAULT_THRESHOLD


def test_flat_image_is_low_quality_and_still_hashed() -> None:
    flat = np.full((300, 300, 3), 128, dtype=np.uint8)
    result = pdq.hash_pixels(flat)
    assert result.low_quality
    assert result.quality < pdq.LOW_QUALITY
    assert len(result.pdq) == 64


def test_detailed_image_is_good_quality() -> None:
    assert not pdq.hash_pixels(photo(1)).low_quality


def test_reduced_hash_stays_a_match_of_the_full_resolution_hash() -> None:
    for seed in range(4):
        data = encode(photo(seed, (3000, 2000)), quality=90)
        reduced = hash_bytes(data)
        full = hash_bytes(data, min_side=None)
        assert (reduced.width, reduced.height) == (full.width, full.height) == (3000, 2000)
        assert pdq.distance(reduced.pdq.pdq, full.pdq.pdq) <= pdq.DEFAULT_THRESHOLD


def test_at_min_side_384_a_1mp_upload_decodes_at_half_size_near_the_full_resolution_hash() -> None:
    # BOUCLIER_PDQ_MIN_SIDE=384 (an option; 512 stays the default for the margin to hashes made at
    # full resolution elsewhere) lets a 1 MP JPEG decode at 1/2 scale, the hash near the reference
    # (docs/benchmarks-log.md, "Uploads, third round")
    from bouclier.hashing import DEFAULT_MIN_SIDE
    from bouclier.media import decode

    data = encode(photo(5, (1047, 955)), quality=90)
    assert decode(data, min_side=384).frames[0].shape == (478, 524, 3)
    assert decode(data, min_side=DEFAULT_MIN_SIDE).frames[0].shape == (955, 1047, 3)
    reduced, full = hash_bytes(data, min_side=384), hash_bytes(data, min_side=None)
    assert pdq.distance(reduced.pdq.pdq, full.pdq.pdq) <= 8
    for path in sorted(FACES.glob("*.jpg")):  # real photographs, 0.2 to 2 MP
        data = path.read_bytes()
        far = max(
            pdq.distance(a, b)
            for a, b in zip(
                hash_bytes(data, min_side=384).pdq.hashes,
                hash_bytes(data, min_side=None).pdq.hashes,
                strict=True,
            )
        )
        assert far <= 16, path.name  # 16 measured (alex_lacamoire_1); 22 at 1/4 scale


def test_digests_of_exact_bytes() -> None:
    data = encode(photo(2))
    hashes = hash_bytes(data)
    import hashlib

    assert hashes.sha256 == hashlib.sha256(data).hexdigest()
    assert hashes.md5 == hashlib.md5(data).hexdigest()


def test_hexes_to_array_round_trip() -> None:
    array = pdq.hexes_to_array([HEX, HEX.upper()])
    assert array.shape == (2, 32)
    assert array.dtype == np.uint8
    assert array[0].tobytes().hex() == HEX
    with pytest.raises(InvalidHash):
        pdq.hexes_to_array([HEX, "nope"])

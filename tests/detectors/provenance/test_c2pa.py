"""C2PA: manifests signed in the test with a throwaway CA, then read back."""

from __future__ import annotations

import pytest

from bouclier.detectors.provenance import C2paReader
from bouclier.detectors.provenance.c2pa import manifest_signals, may_hold_manifest, validation_word
from bouclier.detectors.provenance.labels import LABELS
from tests.conftest import photo
from tests.detectors.provenance.conftest import (
    AI_EDITED,
    AI_GENERATED,
    ThrowawaySigner,
    encode,
    sample_of,
    sign_jpeg,
)


@pytest.fixture(scope="module")
def plain_jpeg() -> bytes:
    return encode(photo(21, (320, 240)), "JPEG", quality=90)


@pytest.fixture(scope="module")
def edited_jpeg(test_signer: ThrowawaySigner, plain_jpeg: bytes) -> bytes:
    return sign_jpeg(test_signer, plain_jpeg, AI_EDITED, "c2pa.edited")


@pytest.fixture(scope="module")
def generated_jpeg(test_signer: ThrowawaySigner, plain_jpeg: bytes) -> bytes:
    return sign_jpeg(test_signer, plain_jpeg, AI_GENERATED, "c2pa.created")


def by_label(signals: list) -> dict:
    return {s.label: s for s in signals}


def test_ai_edited_manifest(edited_jpeg: bytes) -> None:
    signals = by_label(C2paReader().read(sample_of(edited_jpeg)))
    assert set(signals) == {"provenance.c2pa.manifest", "provenance.c2pa.ai_edited"}
    manifest = signals["provenance.c2pa.manifest"]
    assert manifest.score == 1.0
    assert manifest.detector == "provenance"
    assert manifest.detail("generator") == "BouclierTestGenerator 9.8.7"
    # The test CA is in no trust list: intact, signer untrusted.
    assert manifest.detail("validation") == "untrusted_signer"
    assert manifest.detail("validation_state") == "Valid"
    assert "signingCredential.untrusted" in (manifest.detail("status_codes") or "")
    assert manifest.detail("signer") == "Bouclier tests"
    edited = signals["provenance.c2pa.ai_edited"]
    assert edited.score == 1.0
    assert edited.detail("source_type") == AI_EDITED
    assert edited.detail("generator") == "BouclierTestGenerator 9.8.7"
    assert edited.detail("validation") == "untrusted_signer"
    assert edited.detail("software_agent") == "TestModel 2"
    assert edited.detail("manifest") == "active"


def test_ai_generated_manifest(generated_jpeg: bytes) -> None:
    signals = by_label(C2paReader().read(sample_of(generated_jpeg)))
    assert set(signals) == {"provenance.c2pa.manifest", "provenance.c2pa.ai_generated"}
    assert signals["provenance.c2pa.ai_generated"].detail("source_type") == AI_GENERATED


def test_trust_anchor_makes_the_signer_trusted(
    test_signer: ThrowawaySigner, generated_jpeg: bytes
) -> None:
    reader = C2paReader(trust_anchors=test_signer.ca_pem.decode())
    manifest = by_label(reader.read(sample_of(generated_jpeg)))["provenance.c2pa.manifest"]
    assert manifest.detail("validation") == "trusted"


def test_tampered_pixels_are_invalid(edited_jpeg: bytes) -> None:
    tampered = bytearray(edited_jpeg)
    tampered[len(tampered) - 200] ^= 0x55  # in the entropy-coded scan, before EOI
    signals = by_label(C2paReader().read(sample_of(bytes(tampered))))
    manifest = signals["provenance.c2pa.manifest"]
    assert manifest.detail("validation") == "invalid"
    assert manifest.detail("validation_state") == "Invalid"
    assert "assertion.dataHash.mismatch" in (manifest.detail("status_codes") or "")
    # The declaration is still reported, with the validation that qualifies it.
    assert signals["provenance.c2pa.ai_edited"].detail("validation") == "invalid"


def test_resaved_image_has_no_manifest(edited_jpeg: bytes) -> None:
    resaved = encode(sample_of(edited_jpeg).pixels, "JPEG", quality=90)
    assert C2paReader().read(sample_of(resaved)) == []


def test_plain_files_skip_the_library(plain_jpeg: bytes) -> None:
    assert not may_hold_manifest(plain_jpeg)
    assert C2paReader().read_bytes(plain_jpeg, "jpeg") == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: d[: len(d) // 2], id="truncated"),
        pytest.param(lambda d: d[:2000] + bytes(4000) + d[6000:], id="manifest-zeroed"),
        pytest.param(lambda d: d[:600] + b"\xff" * 3000 + d[3600:], id="manifest-overwritten"),
        pytest.param(lambda d: b"\xff\xd8\xff\xe0 jumb c2pa not a manifest", id="strings-only"),
    ],
)
def test_damaged_manifests_never_raise(edited_jpeg: bytes, damage) -> None:
    signals = C2paReader().read_bytes(damage(edited_jpeg), "jpeg")
    assert {s.label for s in signals} <= LABELS
    for error in (s for s in signals if s.label == "provenance.error"):
        assert error.score == 0.0
        assert error.detail("reader") == "c2pa"
        assert error.detail("reason")


@pytest.mark.parametrize(
    ("state", "codes", "word"),
    [
        ("Trusted", [], "trusted"),
        ("Valid", ["signingCredential.untrusted"], "untrusted_signer"),
        ("Valid", [], "valid"),
        ("Invalid", ["signingCredential.untrusted", "assertion.dataHash.mismatch"], "invalid"),
        (None, [], "unknown"),
    ],
)
def test_validation_words(state: str | None, codes: list[str], word: str) -> None:
    assert validation_word(state, codes) == word


@pytest.mark.parametrize(
    "store",
    [
        {},
        {"manifests": []},
        {"manifests": {"a": "not a manifest"}, "active_manifest": "a"},
        {"manifests": {"a": {"assertions": "nope"}}, "active_manifest": 3},
        {"manifests": {"a": {"assertions": [{"data": [[[]]]}], "claim_generator_info": [1]}}},
        {"manifests": {"a": {}}, "validation_status": [1, None, {"code": 5}]},
    ],
)
def test_hostile_manifest_json(store: dict) -> None:
    assert {s.label for s in manifest_signals(store)} <= LABELS


def test_ingredient_declaration_and_legacy_generator() -> None:
    store = {
        "active_manifest": "b",
        "manifests": {
            "a": {
                "assertions": [
                    {
                        "label": "c2pa.actions",
                        "data": {"actions": [{"digitalSourceType": AI_GENERATED}]},
                    }
                ]
            },
            "b": {"claim_generator": "LegacyEditor/1.0", "assertions": []},
        },
        "validation_state": "Valid",
    }
    signals = by_label(manifest_signals(store))
    assert signals["provenance.c2pa.manifest"].detail("generator") == "LegacyEditor/1.0"
    assert signals["provenance.c2pa.ai_generated"].detail("manifest") == "ingredient"
    # A non-AI source type is never reported as anything.
    store["manifests"]["a"]["assertions"][0]["data"]["actions"][0]["digitalSourceType"] = (
        "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
    )
    assert set(by_label(manifest_signals(store))) == {"provenance.c2pa.manifest"}

"""POST /v1/hash, /v1/match, /v1/match/hashes and /v1/analyze: happy paths and refused input."""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.detectors.registry import Registry
from bouclier.hashing import hash_bytes
from bouclier.hashing.pdq import ORIENTATIONS, distance
from tests.analysis.fakes import FakeDetector, nudity
from tests.api.conftest import Api, image, upload
from tests.conftest import encode

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_hash_an_upload(api: Api) -> None:
    data = image()
    answer = api.client.post("/v1/hash", headers=api.auth("platform"), **upload(data))
    assert answer.status_code == 200
    body = answer.json()
    expected = hash_bytes(data)
    assert body["sha256"] == expected.sha256
    assert body["md5"] == expected.md5
    assert body["pdq"] == expected.pdq.pdq
    assert body["quality"] == expected.pdq.quality
    assert list(body["orientations"]) == list(ORIENTATIONS)
    assert list(body["orientations"].values()) == list(expected.pdq.hashes)
    assert (body["width"], body["height"], body["format"]) == (640, 480, "jpeg")


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ({"file": ("empty.jpg", b"", "image/jpeg")}, 422, "media.empty"),
        ({"file": ("doc.pdf", PDF, "application/pdf")}, 415, "media.unsupported_format"),
        ({"file": ("cut.jpg", image()[:3000], "image/jpeg")}, 422, "media.truncated"),
        ({"picture": ("p.jpg", image(), "image/jpeg")}, 422, "invalid_request"),
        ({"file": ("big.png", b"\x89PNG" + bytes(2_000_000), "image/png")}, 413, "media.too_large"),
    ],
)
@pytest.mark.parametrize("route", ["/v1/hash", "/v1/match", "/v1/analyze"])
def test_refused_uploads(
    api: Api, route: str, files: dict[str, object], status: int, code: str
) -> None:
    answer = api.client.post(route, headers=api.auth("platform"), files=files)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["message"]


def test_body_that_is_not_multipart(api: Api) -> None:
    answer = api.client.post("/v1/hash", headers=api.auth("platform"), content=image())
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"


def test_an_upload_over_the_limit_is_refused_while_it_is_read(api: Api) -> None:
    def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: streamed
        for _ in range(100):
            yield bytes(100_000)

    answer = api.client.post(
        "/v1/hash",
        headers={**api.auth("platform"), "Content-Type": "multipart/form-data; boundary=x"},
        content=chunks(),
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "media.too_large"


def _victim_bank(api: Api, *hashes: str, kind: str = "victim", name: str = "victims") -> None:
    headers = api.auth("analyst")
    created = api.client.post("/v1/banks", headers=headers, json={"name": name, "kind": kind})
    assert created.status_code == 201
    entries = [{"pdq": h} for h in hashes]
    added = api.client.post(f"/v1/banks/{name}/hashes", headers=headers, json={"entries": entries})
    assert added.status_code == 201


def test_match_an_upload(api: Api) -> None:
    data = image(3)
    _victim_bank(api, hash_bytes(data).pdq.pdq)
    answer = api.client.post("/v1/match", headers=api.auth("platform"), **upload(data))
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "REVIEW"
    assert [m["bank"] for m in body["matches"]] == ["victims"]
    assert body["matches"][0]["distance"] == 0
    assert body["reasons"][0]["code"] == "victim_match"
    other = api.client.post("/v1/match", headers=api.auth("platform"), **upload(image(4)))
    assert other.json()["verdict"] == "ALLOW"
    assert other.json()["matches"] == []


def test_match_hashes_a_jpeg_from_its_luma_plane(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """With BOUCLIER_LUMA_DECODE (off by default), /v1/match decodes a JPEG to its luma plane:
    its hash is that plane's, two bits from the RGB decode's here, and matches a bank entry made
    from the RGB decode (by /v1/hash, which keeps RGB). By default the same file is at 0."""
    data = image(5)
    default = api.client.post("/v1/match", headers=api.auth("platform"), **upload(data))
    assert default.json()["pdq"] == hash_bytes(data).pdq.pdq
    luma_settings = api.services.settings.model_copy(update={"luma_decode": True})
    monkeypatch.setattr(api.services, "settings", luma_settings)
    rgb, luma = hash_bytes(data).pdq.pdq, hash_bytes(data, luma=True).pdq.pdq
    assert distance(rgb, luma) == 2  # this photo's planes differ, so the test tells them apart
    hashed = api.client.post("/v1/hash", headers=api.auth("platform"), **upload(data))
    assert hashed.json()["pdq"] == rgb
    _victim_bank(api, rgb)
    answer = api.client.post("/v1/match", headers=api.auth("platform"), **upload(data))
    assert answer.status_code == 200
    assert answer.json()["pdq"] == luma
    [match] = answer.json()["matches"]
    assert (match["distance"], match["stage"]) == (2, "direct")
    rgb_settings = api.services.settings.model_copy(update={"luma_decode": False})
    monkeypatch.setattr(api.services, "settings", rgb_settings)
    again = api.client.post("/v1/match", headers=api.auth("platform"), **upload(data))
    assert again.json()["pdq"] == rgb
    assert again.json()["matches"][0]["distance"] == 0


def test_match_a_screenshot_of_a_banked_picture(api: Api) -> None:
    from PIL import Image

    from tests.conftest import photo
    from tests.hashing.test_framing import screenshot

    original = photo(8, (640, 480))
    _victim_bank(api, hash_bytes(encode(original, quality=95)).pdq.pdq)
    shot, (x, y, _, _) = screenshot(Image.fromarray(original))
    data = encode(np.asarray(shot), quality=85)
    answer = api.client.post("/v1/match", headers=api.auth("platform"), **upload(data))
    assert answer.status_code == 200
    [match] = answer.json()["matches"]
    assert match["stage"] == "framing"
    assert abs(match["region"][0] - x) <= 24
    assert abs(match["region"][1] - y) <= 24
    assert answer.json()["verdict"] == "REVIEW"


def test_match_hashes(api: Api) -> None:
    known = hash_bytes(image(5)).pdq.pdq
    _victim_bank(api, known)
    _victim_bank(api, known, kind="known_false_positive", name="cleared")
    near = f"{int(known, 16) ^ 0b111:064x}"
    stranger = hash_bytes(image(6)).pdq.pdq
    answer = api.client.post(
        "/v1/match/hashes", headers=api.auth("ai-provider"), json={"pdq": [near.upper(), stranger]}
    )
    assert answer.status_code == 200
    first, second = answer.json()["results"]
    assert first["pdq"] == near
    assert first["verdict"] == "ALLOW"
    assert first["reasons"][0]["code"] == "known_false_positive"
    assert {m["bank"] for m in first["matches"]} == {"victims", "cleared"}
    assert second == {**second, "verdict": "ALLOW", "matches": [], "reasons": []}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pdq": ["abc"]}, None),
        ({"pdq": ["g" * 64]}, None),
        ({"pdq": []}, "body.pdq"),
        ({"pdq": "0" * 64}, "body.pdq"),
        ({}, "body"),  # neither pdq nor values
        ({"pdq": ["0" * 64], "values": ["0" * 64]}, "body"),  # both
        ({"signal_type": "sha256", "pdq": ["0" * 64]}, "body"),  # pdq holds PDQ only
    ],
)
def test_match_hashes_refuses_bad_hashes(api: Api, body: dict[str, object], field: str) -> None:
    answer = api.client.post("/v1/match/hashes", headers=api.auth("platform"), json=body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    if field is None:
        assert error["code"] == "invalid_hash"
    else:
        assert error["code"] == "invalid_request"
        assert field in [f["field"] for f in error["fields"]]
        assert field in error["message"]


def test_match_hashes_refuses_malformed_json(api: Api) -> None:
    answer = api.client.post(
        "/v1/match/hashes",
        headers={**api.auth("platform"), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"


@pytest.fixture
def detectors() -> Registry:
    return Registry([nudity(sexual=0.9), FakeDetector("provenance")])


def test_analyze_blocks_a_sexual_match(api: Api) -> None:
    data = image(7)
    _victim_bank(api, hash_bytes(data).pdq.pdq)
    assert api.services.models_ready.wait(30)
    answer = api.client.post("/v1/analyze", headers=api.auth("platform"), **upload(data))
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "BLOCK"
    assert body["sexual"] is True
    assert body["matches"][0]["bank"] == "victims"
    assert set(body["timings_ms"]) >= {"decode", "hash", "match"}

"""End to end: an image added to a bank through the API is found again cropped and captioned,
by the ORB stage, with its evidence; the common case stays PDQ's, and a platform can turn the
costly stage off per request."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from tests.api.conftest import Api, image, upload


def _reframed(data: bytes) -> bytes:
    """Cropped off-centre, a caption bar added above, saved again as a smaller JPEG."""
    original = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = original.size
    cropped = original.crop((int(w * 0.1), 0, w, int(h * 0.88)))
    out = Image.new("RGB", (cropped.width, int(cropped.height * 1.25)), "white")
    out.paste(cropped, (0, out.height - cropped.height))
    ImageDraw.Draw(out).text((8, 8), "seen this?", fill="black", font_size=h // 12)
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _match(api: Api, data: bytes, query: str = "") -> list[dict[str, object]]:
    answer = api.client.post(f"/v1/match{query}", headers=api.auth("platform"), **upload(data))
    assert answer.status_code == 200, answer.text
    matches: list[dict[str, object]] = answer.json()["matches"]
    return matches


def test_a_reframed_upload_is_found_by_its_keypoints_with_evidence(api: Api) -> None:
    headers = api.auth("analyst")
    api.client.post("/v1/banks", headers=headers, json={"name": "victims", "kind": "victim"})
    data = image(31)
    added = api.client.post("/v1/banks/victims/images", headers=headers, **upload(data)).json()

    [exact] = _match(api, data)  # the common case: PDQ finds it, ORB is not computed
    assert exact["signal_type"] == "pdq"
    assert exact["entry"] == added["entry"]
    assert exact.get("inliers") is None

    reframed = _reframed(data)
    [found] = _match(api, reframed)
    assert found["signal_type"] == "orb"
    assert found["entry"] == added["robust_entry"]
    assert isinstance(found["inliers"], int)
    assert found["inliers"] >= 12
    assert found["stage"] == "robust"
    assert isinstance(found["corners"], list)
    assert len(found["corners"]) == 4

    assert _match(api, reframed, "?robust=0") == []  # the platform's budget: PDQ only
    assert _match(api, image(32)) == []  # an unrelated picture
    bad = api.client.post("/v1/match?robust=-1", headers=api.auth("platform"), **upload(data))
    assert bad.status_code == 422

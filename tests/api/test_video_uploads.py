"""``/v1/hash`` and ``/v1/match`` take videos: streamed to a private temporary file within the
video limit, hashed in the limited child process, matched by vPDQ and by digest."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from bouclier.media.video import read_video
from bouclier.signals.vpdq import VPDQ
from tests.api.conftest import Api, image, upload
from tests.conftest import photo
from tests.media.videos import pan_frames, read_frames, write_video


def _video(path: Path, seed: int) -> bytes:
    write_video(path, pan_frames(photo(seed, (960, 720)), 50, (320, 240)), fps=10)
    return path.read_bytes()


def _leftovers() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("bouclier-upload-*"))


def test_hash_a_video(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _video(tmp_path / "a.mp4", 1)
    spool = tmp_path / "spool"  # this test's own temporary folder: other workers upload too
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    before = _leftovers()
    assert before == set()
    answer = api.client.post(
        "/v1/hash", headers=api.auth("platform"), **upload(data, "a.mp4", "video/mp4")
    )  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = read_video(tmp_path / "a.mp4")
    assert body["media"] == "video"
    assert (body["sha256"], body["md5"]) == (expected.sha256, expected.md5)
    assert body["vpdq"] == [f.line() for f in expected.features]
    assert (body["codec"], body["width"], body["height"]) == ("h264", 320, 240)
    assert _leftovers() == before  # the temporary file is gone once answered
    still = api.client.post("/v1/hash", headers=api.auth("platform"), **upload(image()))  # type: ignore[arg-type]
    assert still.json()["pdq"]  # images are answered as before


def test_hash_a_video_for_a_bank_at_the_bank_rate(api: Api, tmp_path: Path) -> None:
    """``?for=bank`` hashes as ``bouclier bank add`` does (every 0.1 s by default), so a trim off
    the one-second grid still matches the entry; a bad purpose is refused, naming the field."""
    data = _video(tmp_path / "a.mp4", 3)
    platform = api.auth("platform")
    query = api.client.post("/v1/hash", headers=platform, **upload(data, "a.mp4", "video/mp4"))  # type: ignore[arg-type]
    bank = api.client.post(
        "/v1/hash?for=bank", headers=platform, **upload(data, "a.mp4", "video/mp4")
    )  # type: ignore[arg-type]
    assert bank.status_code == 200, bank.text
    expected = read_video(tmp_path / "a.mp4", seconds_per_hash=0.1)
    assert bank.json()["vpdq"] == [f.line() for f in expected.features]
    assert len(bank.json()["vpdq"]) > len(query.json()["vpdq"])
    wrong = api.client.post(
        "/v1/hash?for=everything", headers=platform, **upload(data, "a.mp4", "video/mp4")
    )  # type: ignore[arg-type]
    assert wrong.status_code in (400, 422), wrong.text
    assert "for" in wrong.text


def test_match_a_re_encoded_video_against_a_banked_one(api: Api, tmp_path: Path) -> None:
    _video(tmp_path / "a.mp4", 2)
    banked = VPDQ.from_features(read_video(tmp_path / "a.mp4").features)
    analyst = api.auth("analyst")
    api.client.post("/v1/banks", headers=analyst, json={"name": "victims", "kind": "victim"})
    added = api.client.post(
        "/v1/banks/victims/hashes",
        headers=analyst,
        json={"entries": [{"signal_type": "vpdq", "value": banked}]},
    )
    assert added.status_code in (200, 201), added.text
    copy = write_video(
        tmp_path / "b.webm",
        read_frames(tmp_path / "a.mp4"),
        fps=10,
        codec="libvpx-vp9",
        bit_rate=150_000,
    )
    answer = api.client.post(
        "/v1/match",
        headers=api.auth("platform"),
        **upload(copy.read_bytes(), "b.webm", "video/webm"),
    )  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    body = answer.json()
    [match] = body["matches"]
    assert match["signal_type"] == "vpdq"
    assert match["query_percent"] >= 80
    assert body["verdict"] == "REVIEW"  # a victim's video, nudity not looked at by /v1/match
    other = api.client.post(
        "/v1/match",
        headers=api.auth("platform"),
        **upload(_video(tmp_path / "c.mp4", 3), "c.mp4", "video/mp4"),
    )  # type: ignore[arg-type]
    assert other.json()["matches"] == []


@pytest.mark.parametrize("route", ["/v1/hash", "/v1/match"])
def test_video_refusals_are_typed(api: Api, tmp_path: Path, route: str) -> None:
    data = _video(tmp_path / "a.mp4", 4)
    headers = api.auth("platform")
    cut = api.client.post(route, headers=headers, **upload(data[:700], "a.mp4", "video/mp4"))  # type: ignore[arg-type]
    assert (cut.status_code, cut.json()["error"]["code"]) == (422, "media.corrupt")
    big = data[:64] + bytes(3_100_000)  # a video's header, then more than the video limit
    over = api.client.post(route, headers=headers, **upload(big, "a.mp4", "video/mp4"))  # type: ignore[arg-type]
    assert (over.status_code, over.json()["error"]["code"]) == (413, "media.too_large")
    image_sized = b"\x89PNG" + bytes(2_500_000)  # under the video limit, over the image limit
    refused = api.client.post(route, headers=headers, **upload(image_sized, "a.png", "image/png"))  # type: ignore[arg-type]
    assert (refused.status_code, refused.json()["error"]["code"]) == (413, "media.too_large")


def test_feedback_on_a_video_match_names_the_file_by_its_sha256(api: Api, tmp_path: Path) -> None:
    """A platform reports a video match by the upload's SHA-256 (a vPDQ value is refused with
    what to send instead); a confirmed false positive allows that file from then on."""
    data = _video(tmp_path / "a.mp4", 5)
    video = read_video(tmp_path / "a.mp4")
    analyst, platform = api.auth("analyst"), api.auth("platform")
    api.client.post("/v1/banks", headers=analyst, json={"name": "victims", "kind": "victim"})
    banked = {"signal_type": "vpdq", "value": VPDQ.from_features(video.features)}
    added = api.client.post("/v1/banks/victims/hashes", headers=analyst, json={"entries": [banked]})
    [entry] = added.json()["entries"]
    matched = api.client.post("/v1/match", headers=platform, **upload(data, "a.mp4", "video/mp4"))  # type: ignore[arg-type]
    assert [m["signal_type"] for m in matched.json()["matches"]] == ["vpdq"]
    assert matched.json()["verdict"] == "REVIEW"
    as_vpdq = {"entry_id": entry, "action": "false_positive", "signal_type": "vpdq"}
    long_value = "\n".join(f.line() for f in video.features) * 40  # past the field's 4,096
    for value in [banked["value"], long_value]:
        refused = api.client.post("/v1/feedback", headers=platform, json=as_vpdq | {"value": value})
        assert refused.status_code == 422, refused.text
        assert "sha256" in refused.json()["error"]["message"]
    sha = matched.json()["sha256"]
    body = {"entry_id": entry, "action": "false_positive", "signal_type": "sha256", "value": sha}
    reported = api.client.post("/v1/feedback", headers=platform, json=body)
    assert reported.status_code == 201, reported.text
    assert (reported.json()["signal_type"], reported.json()["value"]) == ("sha256", video.sha256)
    confirmed = api.client.post(f"/v1/feedback/{reported.json()['id']}/confirm", headers=analyst)
    assert confirmed.status_code == 200, confirmed.text
    again = api.client.post("/v1/match", headers=platform, **upload(data, "a.mp4", "video/mp4"))  # type: ignore[arg-type]
    assert again.json()["verdict"] == "ALLOW"
    assert "known_false_positive" in [r["code"] for r in again.json()["reasons"]]

"""Which frames of a platform's upload matched a banked video: in ``/v1/match``'s answer, and
recorded for the case (once per file), its custody log and its evidence bundle."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from bouclier.cases import Cases
from bouclier.cases.bundle_check import verify_bundle
from bouclier.cases.evidence import export_bundle
from bouclier.cases.videos import VideoReport
from bouclier.hashing import pdq, vpdq
from bouclier.media.video import read_video
from bouclier.signals.vpdq import VPDQ
from bouclier.storage.models import VideoMatch
from tests.api.conftest import Api, upload
from tests.cases.test_evidence import pdf_text
from tests.conftest import photo
from tests.media.videos import pan_frames, read_frames, write_video


def banked_video(path: Path, seed: int) -> Path:
    return write_video(path, pan_frames(photo(seed, (960, 720)), 50, (320, 240)), fps=10)


def re_encoded(source: Path, path: Path) -> Path:
    return write_video(path, read_frames(source), fps=10, codec="libvpx-vp9", bit_rate=150_000)


def case_with_video(api: Api, path: Path) -> tuple[Cases, str]:
    """A case holding the video as a victim's device would report it (bank rate)."""
    services = api.services
    cases = Cases(services.db, services.settings, banks=services.store)
    case, _ = cases.create(language="en")
    video = read_video(path, seconds_per_hash=services.settings.vpdq_bank_seconds_per_hash)
    report = VideoReport(video.features, video.sha256, video.md5, video.duration)
    assert cases.add_video(case.number, report) is not None
    services.refresh_matcher()  # as the portal's route does after the write
    return cases, case.number


def match(api: Api, path: Path) -> dict[str, object]:
    answer = api.client.post(
        "/v1/match",
        headers=api.auth("platform"),
        **upload(path.read_bytes(), path.name, "video/webm"),
    )  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def check_pairs(frames: list[dict[str, float]], query: Path, target: Path) -> None:
    """Each pair is a usable query frame and the nearest usable banked frame, at its distance."""
    mine = {f.frame: f for f in read_video(query).features}
    theirs = [
        f
        for f in read_video(target, seconds_per_hash=0.1).features
        if f.quality >= vpdq.QUALITY_THRESHOLD
    ]
    for pair in frames:
        asked = mine[int(pair["query_frame"])]
        assert pair["query_time"] == round(asked.timestamp, 3)
        gaps = [pdq.distance(asked.pdq, f.pdq) for f in theirs]
        assert pair["distance"] == min(gaps) <= vpdq.DISTANCE_THRESHOLD
        nearest = theirs[gaps.index(min(gaps))]
        assert (pair["target_frame"], pair["target_time"]) == (
            nearest.frame,
            round(nearest.timestamp, 3),
        )
        # a re-encode: the matched frame is from the same moment of the video
        assert abs(pair["query_time"] - pair["target_time"]) < 0.5


def test_a_match_says_which_frames_matched_and_the_case_keeps_it(api: Api, tmp_path: Path) -> None:
    original = banked_video(tmp_path / "a.mp4", 31)
    cases, number = case_with_video(api, original)
    copy = re_encoded(original, tmp_path / "b.webm")

    body = match(api, copy)
    [found] = body["matches"]  # type: ignore[misc]
    assert found["signal_type"] == "vpdq"
    frames = found["frames"]
    usable = {f.pdq for f in read_video(copy).features if f.quality >= vpdq.QUALITY_THRESHOLD}
    assert len(frames) == round(found["query_percent"] * len(usable) / 100) > 0
    check_pairs(frames, copy, original)

    [kept] = cases.video_matches(number)
    assert (kept.platform, kept.sha256) == ("test platform", body["sha256"])
    assert [p.to_dict() for p in kept.frames] == frames
    assert round(kept.query_percent, 2) == found["query_percent"]
    assert cases.custody_log(number)[-1].kind == "video.matched"
    assert cases.custody_log(number)[-1].data["frames"] == len(frames)

    match(api, copy)  # the same file from the same platform: not recorded twice
    assert len(cases.video_matches(number)) == 1
    with api.services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(VideoMatch)) == 1

    bundle = export_bundle(cases, number, actor="analyst:ana")
    assert verify_bundle(bundle).ok
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        summary = pdf_text(archive.read("summary.pdf"))
    [listed] = manifest["video_matches"]
    assert listed["frames"] == frames
    assert listed["sha256"] == body["sha256"]
    assert "Uploads that matched a video of the case" in summary
    assert f"{frames[0]['query_time']:.1f} -> {frames[0]['target_time']:.1f}" in summary


def test_an_operator_banked_video_is_answered_with_its_frames_but_not_recorded(
    api: Api, tmp_path: Path
) -> None:
    original = banked_video(tmp_path / "a.mp4", 32)
    analyst = api.auth("analyst")
    api.client.post("/v1/banks", headers=analyst, json={"name": "ops", "kind": "victim"})
    value = VPDQ.from_features(read_video(original, seconds_per_hash=0.1).features)
    added = api.client.post(
        "/v1/banks/ops/hashes",
        headers=analyst,
        json={"entries": [{"signal_type": "vpdq", "value": value}]},
    )
    assert added.status_code in (200, 201), added.text
    copy = re_encoded(original, tmp_path / "b.webm")
    [found] = match(api, copy)["matches"]  # type: ignore[misc]
    check_pairs(found["frames"], copy, original)
    with api.services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(VideoMatch)) == 0

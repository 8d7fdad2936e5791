"""A video item in the analyst console: how many frames were hashed, over how long, its MD5, each
frame's time and hash, and the analyst's confirmation making its bank entry reviewed."""

from __future__ import annotations

import html
from pathlib import Path

from sqlalchemy import select

from bouclier.cases.videos import VideoReport, parse_video_report
from bouclier.media.video import read_video
from bouclier.storage.models import BankEntry
from tests.api.conftest import upload
from tests.api.test_video_matches import banked_video, re_encoded
from tests.cases.test_videos import MD5, report
from tests.web.test_console import Console, console

__all__ = ["console"]


def test_a_video_item_shows_its_frames_and_is_confirmed_like_a_picture(console: Console) -> None:
    info, _ = console.cases.create(language="en")
    sent = parse_video_report(report(), max_seconds=3600)
    item = console.cases.add_video(info.number, sent)
    assert item is not None
    console.login()
    page = html.unescape(console.client.get(f"/console/cases/{info.number}").text)
    last = sent.features[-1]
    minutes, seconds = divmod(int(last.timestamp), 60)
    assert f"Video: {len(sent.features)} frames hashed" in page
    assert f"over {minutes}:{seconds:02d}" in page
    assert f"MD5 {MD5}" in page
    for feature in (sent.features[0], last):
        assert f"<td>{feature.frame}</td><td>{feature.quality}</td>" in page
        assert feature.pdq in page

    answer = console.post(
        f"/console/cases/{info.number}/items/{item.id}/review", {"decision": "confirm"}
    )
    assert "done=item_confirmed" in answer.headers["location"]
    with console.services.db.transaction() as session:
        assert session.scalars(select(BankEntry.reviewed)).all() == [True]


def test_the_case_page_lists_the_frames_a_platform_s_upload_matched(
    console: Console, tmp_path: Path
) -> None:
    original = banked_video(tmp_path / "a.mp4", 33)
    info, _ = console.cases.create(language="en")
    video = read_video(original, seconds_per_hash=0.1)
    sent = VideoReport(video.features, video.sha256, video.md5, video.duration)
    item = console.cases.add_video(info.number, sent)
    assert item is not None
    console.services.refresh_matcher()  # as the portal's route does after the write
    _, key = console.services.keys.create("clips.example", "platform")
    copy = re_encoded(original, tmp_path / "b.webm")
    answer = console.client.post(
        "/v1/match",
        headers={"Authorization": f"Bearer {key}"},
        **upload(copy.read_bytes(), "b.webm", "video/webm"),
    )  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    [found] = answer.json()["matches"]
    console.login()
    page = html.unescape(console.client.get(f"/console/cases/{info.number}").text)
    assert "Uploads that matched a video" in page
    assert "clips.example, " in page
    assert f"{found['query_percent']:.0f}% of the upload's frames found" in page
    assert f"(#{item.id})" in page
    for pair in found["frames"]:
        assert (
            f"upload {pair['query_time']:.3f} s (frame {pair['query_frame']}) ↔ "
            f"video {pair['target_time']:.3f} s (frame {pair['target_frame']}), "
            f"{pair['distance']} bits"
        ) in page
    other, _ = console.cases.create(language="en")
    empty = console.client.get(f"/console/cases/{other.number}").text
    assert "No upload has matched a video of this case." in html.unescape(empty)

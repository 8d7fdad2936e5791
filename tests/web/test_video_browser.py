"""A victim adds videos in Chromium: decoded on her device with WebCodecs (demux.js, video.js),
frames hashed with pdq.js at the bank's rate, only the hashes sent; a platform's upload of the
same video then matches her case. Debian's Chromium decodes H.264 (MP4), VP8 and VP9 (WebM) and
AV1, not HEVC (refused with a clear message); a fragmented MP4 (as MediaRecorder writes) is read
too. The videos are made in the test from a generated picture (a slow pan over it).

The browser's frame hashes are compared with the server's (``read_video(exact=True)``: every
frame decoded, the frame for each mark picked by the same rule, at the rate the server banks a
video at). Same frames, same times; PDQ
within :data:`TOLERANCE` bits: the browser reads the frame's luma plane where the server converts
to RGB with FFmpeg and back to luminance, so pixels differ by a rounding (and clipping at the
ends of the range), which moves a few of the 256 DCT signs near the median (0-4 bits seen). The
match threshold is 31 bits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import av
import httpx
import pytest
from playwright.sync_api import Browser, Page

from bouclier.hashing import pdq
from bouclier.media.video import read_video
from bouclier.web.portal_view import VideoLimits
from tests.conftest import photo
from tests.media.videos import h264_matroska_without_header, pan_frames, write_video
from tests.web.server import LiveServer, live_server
from tests.web.test_portal_browser import Recorded, accessible

__all__ = ["live_server"]

pytestmark = pytest.mark.browser

TOLERANCE = 8
SECONDS = 4
FPS = 10


@pytest.fixture
def videos(tmp_path: Path) -> dict[str, Path]:
    picture = photo(21, (480, 360))
    made = {}
    for name, codec, options in (
        ("holiday.mp4", "libx264", {"preset": "veryfast"}),  # B-frames: out of decoding order
        ("holiday.webm", "libvpx-vp9", {}),
    ):
        frames = pan_frames(picture, FPS * SECONDS, (384, 216), zoom=0.8)
        made[name] = write_video(tmp_path / name, frames, fps=FPS, codec=codec, **options)  # type: ignore[arg-type]
    made["screen.mp4"] = fragmented(made["holiday.mp4"], tmp_path / "screen.mp4")
    # H.264 in Matroska with no codec header, frames in Annex B (as some recorders write it)
    frames = pan_frames(picture, FPS * SECONDS, (384, 216), zoom=0.8)
    made["recorder.mkv"] = h264_matroska_without_header(tmp_path / "recorder.mkv", frames, fps=FPS)
    return made


def fragmented(source: Path, target: Path) -> Path:
    """``source``'s frames remuxed into a fragmented MP4 (moof boxes, as MediaRecorder writes)."""
    with (
        av.open(str(source)) as given,
        av.open(str(target), "w", options={"movflags": "frag_keyframe+empty_moov"}) as out,
    ):
        stream = out.add_stream_from_template(given.streams.video[0])
        for packet in given.demux(given.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    return target


@pytest.fixture
def victim(browser: Browser, live_server: LiveServer) -> Iterator[tuple[Page, Recorded]]:
    case, secret = live_server.cases.create(language="en")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    recorded = Recorded()
    page.on("request", recorded.record)
    page.goto(live_server.url + "/case/login")
    page.get_by_label("Case number").fill(case.number)
    page.get_by_label("Secret").fill(secret)
    page.get_by_role("button", name="Open my case").click()
    page.wait_for_url("**/case")
    yield page, recorded
    context.close()


def _hash_in_browser(page: Page, video: Path) -> dict[str, object]:
    page.get_by_label("Video to fingerprint").set_input_files(video)
    page.wait_for_selector('#video-form[data-state="ready"]', timeout=60_000)
    sent: dict[str, object] = json.loads(page.locator("#video-field").input_value())
    return sent


def test_a_video_is_hashed_on_the_device_as_the_server_hashes_it_and_only_hashes_are_sent(
    victim: tuple[Page, Recorded], live_server: LiveServer, videos: dict[str, Path]
) -> None:
    page, recorded = victim
    accessible(page)
    # the page hashes at the rate the server banks a video at (her video goes into a bank)
    rate = VideoLimits.of(live_server.services.settings).seconds_per_hash
    for video in videos.values():
        sent = _hash_in_browser(page, video)
        server = read_video(video, exact=True, seconds_per_hash=rate)
        assert set(sent) == {"frames", "md5", "sha256", "duration"}
        assert (sent["md5"], sent["sha256"]) == (server.md5, server.sha256)
        frames = sent["frames"]
        assert isinstance(frames, list)
        assert [(f[0], f[3]) for f in frames] == [(f.frame, f.timestamp) for f in server.features]
        distances = [
            pdq.distance(a[2], b.pdq) for a, b in zip(frames, server.features, strict=True)
        ]
        assert max(distances) <= TOLERANCE, (video.name, distances)
        assert page.locator("#video-ready").inner_text().startswith(video.name)
        count = len(server.features)
        page.get_by_role("button", name="Send only the video's fingerprints").click()
        page.wait_for_url("**/case?done=videos*")
        assert page.get_by_text("1 video fingerprinted and added.").is_visible()

    # HEVC, which this Chromium cannot decode: a clear refusal, nothing to send
    hevc = write_video(
        videos["holiday.mp4"].with_name("phone.mp4"),
        pan_frames(photo(22, (320, 240)), 10, (192, 108)),
        codec="libx265",
    )
    page.get_by_label("Video to fingerprint").set_input_files(hevc)
    page.wait_for_selector('#video-form[data-state="refused"]')
    assert page.get_by_role("alert").inner_text().startswith("This browser cannot read this video")
    assert page.locator("#video-field").input_value() == ""
    assert page.locator("#video-submit").is_disabled()
    # H.264 in Matroska whose frames are length-prefixed with no header to say so: refused, not
    # guessed (the server refuses it too: tests/media/test_video.py)
    headless = h264_matroska_without_header(
        videos["holiday.mp4"].with_name("headless.mkv"),
        pan_frames(photo(22, (320, 240)), 10, (192, 108)),
        annex_b=False,
    )
    page.get_by_label("Video to fingerprint").set_input_files(headless)
    page.wait_for_selector('#video-form[data-state="refused"]')
    assert page.locator("#video-field").input_value() == ""

    items = page.locator('#items li[data-kind="hash"]')
    assert items.count() == len(videos)
    assert f"{count} frames fingerprinted over 0:03" in items.first.inner_text()
    page.wait_for_function(f"document.body.dataset.thumbs === '{len(videos)}'")  # kept here
    assert page.locator(".thumb-img").first.evaluate("e => getComputedStyle(e).filter") != "none"

    # nothing but hashes left the page: no upload, no byte of either video in any request
    heads = [path.read_bytes()[32:96] for path in videos.values()]
    posted = [r for r in recorded.requests if r.method == "POST" and "/case/videos" in r.url]
    assert len(posted) == len(videos)
    for request in recorded.requests:
        body = request.post_data_buffer or b""
        assert "multipart" not in request.headers.get("content-type", "")
        assert not any(head in body for head in heads)
    for request in posted:
        assert set(parse_qs((request.post_data_buffer or b"").decode())) == {"csrf_token", "video"}

    # a platform checks an upload of the MP4 (the server decodes it its own, faster way):
    # her video's hashes from the browser match it, for review until an analyst confirms it
    services = live_server.services
    _, key = services.keys.create("tiktok", "platform")
    with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {key}"}) as api:
        answer = api.post(
            "/v1/match", files={"file": ("v.mp4", videos["holiday.mp4"].read_bytes(), "video/mp4")}
        )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["verdict"] == "REVIEW"
    assert {m["signal_type"] for m in found["matches"]} == {"vpdq"}

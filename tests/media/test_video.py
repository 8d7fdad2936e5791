"""Video decoding in the limited child process: vPDQ as the reference makes it, and refusals."""

from __future__ import annotations

import hashlib
import itertools
import statistics
from pathlib import Path

import pytest

from bouclier.errors import FileUnreadable, MediaError
from bouclier.hashing import pdq, vpdq
from bouclier.media.video import (
    DEFAULT_VIDEO_LIMITS,
    VideoLimits,
    is_video,
    read_video,
    sniff_video,
)
from tests.conftest import encode, photo
from tests.media.videos import (
    h264_joined,
    h264_matroska_without_header,
    pan_frames,
    read_frames,
    write_video,
)

DATA = Path(__file__).parents[1] / "data" / "vpdq"
REFERENCE_VIDEO = DATA / "test-padded-dimensions.mp4"


def _pan(
    path: Path,
    seed: int,
    *,
    seconds: int = 6,
    fps: int = 15,
    codec: str = "libx264",
    size: tuple[int, int] = (320, 240),
    **options: object,
) -> Path:
    frames = pan_frames(photo(seed, (960, 720)), seconds * fps, size)
    return write_video(path, frames, fps=fps, codec=codec, **options)  # type: ignore[arg-type]


def test_every_frame_of_the_reference_video_hashes_as_the_reference_did() -> None:
    ours = read_video(REFERENCE_VIDEO, seconds_per_hash=0.001, exact=True)  # every frame
    theirs = vpdq.parse_reference((DATA / "test-padded-dimensions.txt").read_text())
    assert [f.frame for f in ours.features] == [f.frame for f in theirs]
    assert [f.timestamp for f in ours.features] == [f.timestamp for f in theirs]
    assert [f.quality for f in ours.features] == [f.quality for f in theirs]
    distances = [pdq.distance(a.pdq, b.pdq) for a, b in zip(ours.features, theirs, strict=True)]
    assert max(distances) <= 4  # FFmpeg's YUV->RGB rounding differs by a few bits at most
    assert sum(d == 0 for d in distances) > len(distances) // 2
    assert vpdq.compare(list(ours.features), theirs) == vpdq.VpdqComparison(100.0, 100.0)


def test_one_frame_a_second_as_the_reference_samples() -> None:
    video = read_video(REFERENCE_VIDEO)
    assert (video.codec, video.container, video.fps, video.frames) == ("h264", "mp4", 30.0, 150)
    assert [(f.frame, f.timestamp) for f in video.features] == [
        (i * 30, float(i)) for i in range(5)
    ]
    data = REFERENCE_VIDEO.read_bytes()
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    assert video.md5 == hashlib.md5(data).hexdigest()


def test_the_fast_decode_at_bank_rate_stays_within_a_few_bits_of_the_reference() -> None:
    # the default decode (no B-frames, no deblocking), every 0.1 s as videos are banked
    ours = read_video(REFERENCE_VIDEO, seconds_per_hash=0.1).features
    theirs = {
        f.frame: f for f in vpdq.parse_reference((DATA / "test-padded-dimensions.txt").read_text())
    }
    assert len(ours) >= 45  # 5 s, 10 a second (one later when a mark's frame is a B-frame)
    assert all(0 < b.timestamp - a.timestamp <= 0.134 for a, b in itertools.pairwise(ours))
    assert [f.timestamp for f in ours] == [theirs[f.frame].timestamp for f in ours]
    distances = [pdq.distance(f.pdq, theirs[f.frame].pdq) for f in ours]
    assert max(distances) <= 16
    assert statistics.median(distances) <= 4


@pytest.mark.parametrize(("codec", "suffix"), [("libx264", "mp4"), ("libvpx-vp9", "webm")])
def test_a_re_encode_matches_its_original_and_not_another_video(
    tmp_path: Path, codec: str, suffix: str
) -> None:
    original = read_video(_pan(tmp_path / "a.mp4", 1))
    assert len(original.features) == 6
    copy = write_video(
        tmp_path / f"copy.{suffix}",
        read_frames(tmp_path / "a.mp4"),
        fps=15,
        codec=codec,
        bit_rate=150_000,
    )
    again = read_video(copy)
    other = read_video(_pan(tmp_path / "b.mp4", 2))
    assert vpdq.compare(list(again.features), list(original.features)).matches(80, 80)
    assert not vpdq.compare(list(other.features), list(original.features)).matches(10, 0)
    assert again.sha256 != original.sha256


def _frame_types(path: Path) -> dict[int, str]:
    """{frame number: "I", "P" or "B"} of a full decode."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate)
        return {
            round(float(f.time) * fps): "?IPB"[int(f.pict_type)] for f in container.decode(stream)
        }


def _worker_params(seconds_per_hash: float = 1.0) -> dict[str, object]:
    return {
        "demuxer": "mov",
        "max_pixels": 3840 * 2160,
        "max_seconds": 3600,
        "seconds_per_hash": seconds_per_hash,
        "hash_side": 0,
        "detector_frames": 0,
    }


def test_h264_b_frames_are_all_skipped_where_no_p_frame_refers_to_one(tmp_path: Path) -> None:
    # x264 veryfast: B-pyramid (B-frames that other B-frames refer to), P-frames refer to P-frames
    path = _pan(tmp_path / "a.mp4", 4, seconds=8, fps=30, size=(640, 360), preset="veryfast")
    types = _frame_types(path)
    assert "B" in types.values()
    fast = read_video(path).features
    assert [types[f.frame] for f in fast] == ["I"] + ["P"] * (len(fast) - 1)
    assert len(fast) == 8
    assert all(0 <= f.frame - 30 * k <= 3 for k, f in enumerate(fast))  # the next P-frame
    # the same frames fully decoded (every frame, deblocked): a few bits apart
    full = {f.frame: f.pdq for f in read_video(path, seconds_per_hash=0.001, exact=True).features}
    distances = [pdq.distance(f.pdq, full[f.frame]) for f in fast]
    assert max(distances) <= 16
    # against the reference's frames (on the marks) a fast pan moves 10-20 bits a frame: a P-frame
    # up to 3 frames late misses some (7 of 8 here), still a match by vPDQ's rule
    exact = list(read_video(path, exact=True).features)
    assert vpdq.compare(list(fast), exact).matches(80, 80)
    # at a bank's rate (0.1 s) the B-frames that others refer to are decoded, as before
    dense = read_video(path, seconds_per_hash=0.1).features
    assert "B" in {types[f.frame] for f in dense}


def test_h264_whose_p_frames_refer_to_b_frames_is_decoded_with_them(tmp_path: Path) -> None:
    # x264 medium (3 references): P-frames refer to B-frames; skipping those would corrupt
    # every later P-frame of the GOP, and the check on the first seconds must see it
    from bouclier.media import video_worker

    path = _pan(tmp_path / "a.mp4", 5, seconds=6, fps=30, size=(640, 360), preset="medium")
    params = _worker_params()
    with pytest.raises(video_worker._Unsafe):
        video_worker._decode(str(path), params, [], references_only=True)
    safe = video_worker._decode(str(path), params, [], references_only=False)
    assert video_worker.run(str(path), params) == safe
    types = _frame_types(path)
    assert "B" in {types[f[0]] for f in safe["features"]}  # B-frames that others refer to
    assert read_video(path).features == tuple(
        vpdq.VpdqFeature(int(a), int(b), str(c), float(d)) for a, b, c, d in safe["features"]
    )


def test_h264_that_refers_to_b_frames_only_after_its_first_seconds_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The evasion the 2 s pixel check let through: 2 s of x264 veryfast (no P-frame refers to a
    B-frame) joined to a body of x264 medium (3 references: P-frames refer to B-frames), as
    ``cat a.h264 b.h264`` joins them. Every packet's headers are checked: the whole video is
    decoded with NONREF and hashes as that decode does."""
    from bouclier.media import video_worker

    frames = list(pan_frames(photo(6, (960, 720)), 8 * 30, (640, 360)))
    parts = [(frames[:60], {"preset": "veryfast"}), (frames[60:], {"preset": "medium"})]
    path = h264_joined(tmp_path / "a.mkv", parts, fps=30)
    params = {**_worker_params(), "demuxer": "matroska"}
    with pytest.raises(video_worker._Unsafe, match="refers to a skipped B-picture"):
        video_worker._decode(str(path), params, [], references_only=True)
    safe = video_worker._decode(str(path), params, [], references_only=False)
    assert video_worker.run(str(path), params) == safe
    assert len(safe["features"]) == 8

    # without the check (a stand-in that finds every stream exact), the body hashes wrongly
    class Blind:
        def __init__(self, _extradata: object) -> None:
            pass

        def packet(self, _data: object) -> None:
            pass

    monkeypatch.setattr(video_worker, "_h264", lambda: type("M", (), {"ReferenceCheck": Blind}))
    blind = video_worker._decode(str(path), params, [], references_only=True)
    fast_hashes = {f[0]: f[2] for f in blind["features"]}
    both = [f for f in safe["features"] if f[0] in fast_hashes]  # the same frames (I, P)
    wrong = [f[0] for f in both if fast_hashes[f[0]] != f[2]]
    assert wrong
    assert min(wrong) >= 60  # the body's P-frames, not the head's


def test_detector_frames_are_kept_reduced_and_spread(tmp_path: Path) -> None:
    video = read_video(_pan(tmp_path / "a.mp4", 3, seconds=8, size=(1280, 720)), detector_frames=3)
    assert 1 <= len(video.samples) <= 3
    assert all(f % 15 == 0 for f in video.samples)
    assert all(p.shape == (360, 640, 3) for p in video.samples.values())
    assert max(video.samples) > 15  # spread over the video, not the first three seconds


def test_sniffing_knows_videos_from_images() -> None:
    assert sniff_video(REFERENCE_VIDEO.read_bytes()[:64]) == "mp4"
    assert sniff_video(b"\x1a\x45\xdf\xa3" + bytes(60)) == "webm"
    assert sniff_video(b"\x00\x00\x00\x18ftypheic" + bytes(52)) is None  # a HEIC photo
    assert sniff_video(encode(photo(1))[:64]) is None
    assert is_video(REFERENCE_VIDEO)


def _refused(path: Path, limits: VideoLimits = DEFAULT_VIDEO_LIMITS) -> str:
    with pytest.raises(MediaError) as caught:
        read_video(path, limits)
    assert caught.value.message
    assert len(caught.value.message) < 300
    return caught.value.code


def test_refusals_are_typed(tmp_path: Path) -> None:
    good = _pan(tmp_path / "a.mp4", 4, seconds=4)
    data = good.read_bytes()
    cases = {
        "jpeg": (encode(photo(1)), "media.unsupported_format"),
        "empty": (b"", "media.empty"),
        "truncated": (data[:600], "media.corrupt"),
        "garbage": (data[:32] + bytes(range(256)) * 40, "media.corrupt"),
    }
    for name, (content, code) in cases.items():
        path = tmp_path / f"{name}.bin"
        path.write_bytes(content)
        assert _refused(path) == code, name
    assert _refused(good, VideoLimits(max_bytes=1000)) == "media.too_large"
    assert _refused(good, VideoLimits(max_seconds=2)) == "media.too_long"
    assert _refused(good, VideoLimits(max_pixels=320 * 239)) == "media.too_many_pixels"
    assert _refused(good, VideoLimits(timeout_seconds=0.001)) == "media.timeout"
    # a child that cannot get the memory it needs dies alone; the caller gets a typed error
    assert _refused(good, VideoLimits(memory_bytes=32 * 1024 * 1024)) == "media.corrupt"
    with pytest.raises(FileUnreadable):
        read_video(tmp_path / "missing.mp4")


def test_codecs_off_the_allowlist_are_refused(tmp_path: Path) -> None:
    motion_jpeg = _pan(tmp_path / "a.mov", 5, seconds=2, codec="mjpeg")
    assert _refused(motion_jpeg) == "media.unsupported_codec"


def test_h264_in_matroska_without_a_codec_header(tmp_path: Path) -> None:
    """As some recorders write it: frames with start codes and their SPS in band are read like
    the same frames in MP4; length-prefixed frames with no header to say so are refused."""
    frames = list(pan_frames(photo(23, (960, 720)), 40, (320, 240)))
    mp4 = write_video(tmp_path / "a.mp4", frames, fps=10)
    mkv = h264_matroska_without_header(tmp_path / "a.mkv", frames, fps=10)
    got, expected = read_video(mkv), read_video(mp4)
    assert (got.container, got.codec, got.width, got.height) == ("webm", "h264", 320, 240)
    assert [(f.frame, f.timestamp) for f in got.features] == [
        (f.frame, f.timestamp) for f in expected.features
    ]
    pairs = zip(got.features, expected.features, strict=True)
    bits = [pdq.distance(a.pdq, b.pdq) for a, b in pairs]
    assert max(bits) <= 8, bits
    broken = h264_matroska_without_header(tmp_path / "b.mkv", frames, fps=10, annex_b=False)
    assert _refused(broken) == "media.corrupt"

"""The decoding server: one forked child per video, each under its own limits; a child that hangs,
crashes or runs out of memory ends alone, and a dead server is started again."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bouclier.errors import MediaError
from bouclier.media.video import DEFAULT_VIDEO_LIMITS, VideoLimits, read_video
from bouclier.media.video_server import decoder_server
from tests.conftest import photo
from tests.media.videos import pan_frames, write_video

PARAMS = {"demuxer": "mov", "max_pixels": 3840 * 2160, "max_seconds": 3600.0}
PARAMS |= {"seconds_per_hash": 1.0, "hash_side": 0, "detector_frames": 0, "skip_nonref": True}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four benign pans: three short, and a longer 640x360 one (hundreds of ms to decode)."""
    folder = tmp_path_factory.mktemp("videos")
    paths = [
        write_video(folder / f"v{i}.mp4", pan_frames(photo(40 + i, (960, 720)), 45, (320, 240)))
        for i in range(3)
    ]
    long = pan_frames(photo(49, (960, 720)), 300, (640, 360))
    return [*paths, write_video(folder / "long.mp4", long, fps=30)]


def _gone(pid: int, within: float = 5.0) -> bool:
    """Whether ``pid`` has ended (and been waited for by the server) within ``within`` s."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def _server_pid() -> int:
    pid = decoder_server().pid
    assert pid is not None
    return pid


def test_a_child_past_its_deadline_is_killed(videos: list[Path]) -> None:
    read_video(videos[0])  # the server is up
    server = _server_pid()
    with decoder_server().submit(str(videos[3]), PARAMS, 2 * 1024**3, 0.5) as job:
        child = job.pid
        os.kill(child, signal.SIGSTOP)  # hung, as in a decoder's endless loop: only a kill ends it
        with pytest.raises(MediaError) as caught:
            job.result()
    assert caught.value.code == "media.timeout"
    assert _gone(child)
    assert _server_pid() == server
    with pytest.raises(MediaError) as caught:
        read_video(videos[3], VideoLimits(timeout_seconds=0.001))
    assert caught.value.code == "media.timeout"
    assert read_video(videos[3]).features  # the server still decodes


def test_a_child_without_the_memory_it_needs_dies_alone(videos: list[Path]) -> None:
    read_video(videos[0])
    server = _server_pid()
    with pytest.raises(MediaError) as caught:
        read_video(videos[1], VideoLimits(memory_bytes=32 * 1024 * 1024))
    assert caught.value.code == "media.corrupt"
    assert _server_pid() == server
    assert read_video(videos[1]).features


def test_a_crashed_child_ends_alone_and_the_others_answer(videos: list[Path]) -> None:
    expected = read_video(videos[2]).features
    server = decoder_server()
    with (
        server.submit(str(videos[3]), PARAMS, 2 * 1024**3, 60.0) as doomed,
        server.submit(str(videos[2]), PARAMS, 2 * 1024**3, 60.0) as other,
    ):
        assert doomed.pid != other.pid
        os.kill(doomed.pid, signal.SIGSEGV)  # as FFmpeg crashing on a hostile file would
        with pytest.raises(MediaError) as caught:
            doomed.result()
        assert caught.value.code == "media.corrupt"
        answer = other.result()
    assert [row[2] for row in answer["features"]] == [f.pdq for f in expected]


def test_a_dead_server_is_started_again(videos: list[Path]) -> None:
    expected = read_video(videos[0])
    first = _server_pid()
    os.kill(first, signal.SIGKILL)
    again = read_video(videos[0])
    assert again.features == expected.features
    assert _server_pid() != first


def test_concurrent_videos_get_their_own_answers(videos: list[Path]) -> None:
    alone = {path: read_video(path).features for path in videos}
    order = [*videos, *reversed(videos)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda p: read_video(p, DEFAULT_VIDEO_LIMITS).features, order))
    assert together == [alone[path] for path in order]


def test_a_forked_process_starts_its_own_server(videos: list[Path]) -> None:
    """A Bouclier process forked after the server started (a worker pool) must not share it."""
    read_video(videos[0])
    parent_server = _server_pid()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the fork)
        code = 1
        try:
            os.close(reader)
            ok = bool(read_video(videos[0]).features) and decoder_server().pid != parent_server
            os.write(writer, b"1" if ok else b"0")
            decoder_server().close()
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    answer = os.read(reader, 1)
    os.close(reader)
    os.waitpid(child, 0)
    assert answer == b"1"
    assert _server_pid() == parent_server
    assert read_video(videos[0]).features

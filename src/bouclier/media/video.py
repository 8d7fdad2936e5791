"""The door for untrusted video: sniff, bound, then decode in a child process under limits.

A video is sniffed by its magic bytes (MP4/QuickTime, WebM/Matroska; nothing else), checked
against the byte limit, then decoded by :mod:`bouclier.media.video_worker` in a child process of
its own (forked by a pre-started server, :mod:`bouclier.media.video_server`) with an
address-space limit, a CPU-time limit, a file-size limit and a wall-clock timeout, and told
which demuxer to use (FFmpeg never guesses the format of a stranger's file). The worker
refuses codecs off its allowlist, frames over the pixel limit and videos over the duration
limit, and returns only vPDQ features (and, on request, a few reduced frames for detectors). A
crash, a hang or a limit hit in FFmpeg ends the child, never Bouclier: the caller gets a
:class:`~bouclier.errors.MediaError`. The file's digests are computed here while the child
decodes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bouclier.errors import FileUnreadable, MediaError
from bouclier.hashing import digests
from bouclier.hashing.vpdq import VpdqFeature
from bouclier.media.video_server import decoder_server

if TYPE_CHECKING:
    from bouclier.settings import Settings

#: the demuxer given to FFmpeg for each container Bouclier reads
DEMUXERS = {"mp4": "mov", "webm": "matroska"}


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """Ceilings for one video; the defaults are those of :class:`~bouclier.settings.Settings`."""

    max_bytes: int = 200 * 1024 * 1024
    max_seconds: float = 3600.0
    max_pixels: int = 3840 * 2160
    timeout_seconds: float = 600.0
    memory_bytes: int = 2 * 1024**3

    @classmethod
    def from_settings(cls, settings: Settings) -> VideoLimits:
        return cls(
            max_bytes=settings.max_video_bytes,
            max_seconds=settings.max_video_seconds,
            max_pixels=settings.max_video_pixels,
            timeout_seconds=settings.video_timeout_seconds,
            memory_bytes=settings.video_memory_mb * 1024 * 1024,
        )


DEFAULT_VIDEO_LIMITS = VideoLimits()


@dataclass(frozen=True)
class VideoHashes:
    """What Bouclier learns of a video: its digests, its vPDQ features and its stream."""

    sha256: str
    md5: str
    container: str
    codec: str
    width: int
    height: int
    fps: float
    frames: int
    duration: float
    features: tuple[VpdqFeature, ...]
    #: reduced RGB frames for detectors, by frame number (only when asked for)
    samples: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)


def sniff_video(head: bytes) -> str | None:
    """``"mp4"`` (MP4/QuickTime/3GP, by its ftyp box), ``"webm"`` (Matroska/WebM) or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis", b"hevc", b"heim"}:
            return None  # HEIF/AVIF images, read by bouclier.media.decode
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def is_video(path: str | os.PathLike[str]) -> bool:
    """Whether a file looks like a video Bouclier reads (by its first bytes)."""
    try:
        with open(path, "rb") as handle:
            return sniff_video(handle.read(64)) is not None
    except OSError:
        return False


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(64)
    except FileNotFoundError:
        raise FileUnreadable("no such file", code="file.not_found") from None
    except IsADirectoryError:
        raise FileUnreadable("this is a folder, not a file", code="file.is_directory") from None
    except OSError:
        raise FileUnreadable("cannot read the file") from None
    if not data:
        raise MediaError("the file is empty", code="media.empty")
    return data


def _too_large(max_bytes: int) -> MediaError:
    return MediaError(
        f"the video is larger than the limit of {max_bytes} bytes", code="media.too_large"
    )


def _digests(path: Path, max_bytes: int) -> tuple[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:  # it grew since it was measured
                raise _too_large(max_bytes)
            sha.update(chunk)
            md5.update(chunk)
    return sha.hexdigest(), md5.hexdigest()


def read_video(
    path: str | os.PathLike[str],
    limits: VideoLimits = DEFAULT_VIDEO_LIMITS,
    *,
    seconds_per_hash: float = 1.0,
    hash_side: int = 0,
    detector_frames: int = 0,
    exact: bool = False,
) -> VideoHashes:
    """The digests and vPDQ features of a video file, decoded in a limited child process.

    ``hash_side``: frames are reduced to this longest side before PDQ (0: hashed as decoded, as
    the reference does). ``detector_frames``: keep up to that many of the hashed frames, spread
    over the video and reduced to 640 pixels, in :attr:`VideoHashes.samples`. ``exact``: decode
    every frame and hash every ``int(fps)``-th, as the reference does; by default frames that no
    other frame refers to (most B-frames) are not decoded and none is deblocked, about 2.5x as
    fast (PDQ within a few bits), and the hash for the mark ``k * seconds_per_hash`` is of the
    first decoded frame whose time is at or after the mark less half a frame (a frame or two
    later at most).
    Raises :class:`~bouclier.errors.MediaError` (``media.*``) or FileUnreadable.
    """
    source = Path(path)
    kind = sniff_video(_head(source))
    if kind is None:
        raise MediaError(
            "not a video Bouclier reads: MP4/QuickTime or WebM/Matroska only",
            code="media.unsupported_format",
        )
    if source.stat().st_size > limits.max_bytes:
        raise _too_large(limits.max_bytes)
    params: dict[str, object] = {
        "demuxer": DEMUXERS[kind],
        "max_pixels": limits.max_pixels,
        "max_seconds": limits.max_seconds,
        "seconds_per_hash": seconds_per_hash,
        "hash_side": hash_side,
        "detector_frames": detector_frames,
        "skip_nonref": not exact,
    }
    with tempfile.TemporaryDirectory(prefix="bouclier-video-") as folder:
        if detector_frames:
            params["frames_dir"] = folder
        server = decoder_server()
        with server.submit(str(source), params, limits.memory_bytes, limits.timeout_seconds) as job:
            sha256, md5 = _digests(source, limits.max_bytes)  # while the child decodes
            result = job.result()
        samples = (
            {
                int(p.stem): np.load(p, allow_pickle=False)
                for p in sorted(Path(folder).glob("*.npy"))
            }
            if detector_frames
            else {}
        )
    try:
        features = tuple(
            VpdqFeature(int(a), int(b), str(c), float(d)) for a, b, c, d in result["features"]
        )
        return VideoHashes(
            sha256=digests.validate("sha256", sha256),
            md5=md5,
            container=kind,
            codec=str(result["codec"]),
            width=int(result["width"]),
            height=int(result["height"]),
            fps=float(result["fps"]),
            frames=int(result["frames"]),
            duration=float(result["duration"]),
            features=features,
            samples=samples,
        )
    except (KeyError, TypeError, ValueError):
        raise MediaError("the video decoder answered nonsense", code="media.corrupt") from None

"""Benign test videos made from still pictures (PyAV's encoders): pans and moving crops over a
generated or benign picture, at a chosen codec, size, rate and bit rate. Used by the tests and by
benchmarks/bench_video.py; nothing here is an image of anyone."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

CONTAINERS = {
    "libx264": "mp4",
    "mpeg4": "mp4",
    "libx265": "mp4",
    "libvpx-vp9": "webm",
    "libvpx": "webm",
    "mjpeg": "mov",
}


def pan_frames(
    picture: np.ndarray, count: int, size: tuple[int, int], *, zoom: float = 0.6, start: float = 0.0
) -> Iterator[np.ndarray]:
    """``count`` frames of a crop of ``zoom`` of the picture moving over it (a pan), resized to
    ``size``; ``start`` (0-1) is where along the path the first frame is."""
    h, w = picture.shape[:2]
    cw, ch = int(w * zoom), int(h * zoom)
    image = Image.fromarray(picture)
    for i in range(count):
        t = (start + i / max(1, count - 1)) % 1.0
        x = int((w - cw) * t)
        y = int((h - ch) * (0.5 + 0.5 * np.sin(2 * np.pi * t)) / 1.0)
        y = min(max(0, y), h - ch)
        crop = image.crop((x, y, x + cw, y + ch)).resize(size, Image.Resampling.BILINEAR)
        yield np.asarray(crop.convert("RGB"))


def write_video(
    path: Path,
    frames: Iterable[np.ndarray],
    *,
    fps: int = 15,
    codec: str = "libx264",
    bit_rate: int | None = None,
    preset: str = "ultrafast",
) -> Path:
    """Encodes RGB frames (all of one even size) into ``path`` (container from the suffix)."""
    with av.open(str(path), "w") as container:
        stream = None
        for pixels in frames:
            if stream is None:
                stream = container.add_stream(codec, rate=fps)
                stream.width, stream.height = pixels.shape[1], pixels.shape[0]
                stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
                stream.time_base = Fraction(1, fps)
                if bit_rate:
                    stream.bit_rate = bit_rate
                if codec == "libx264":
                    stream.options = {"preset": preset}
                elif codec in ("libvpx-vp9", "libvpx"):
                    stream.options = {"deadline": "realtime", "cpu-used": "8"}
                elif codec == "libx265":
                    stream.options = {"preset": "ultrafast", "x265-params": "log-level=none"}
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        if stream is not None:
            for packet in stream.encode():
                container.mux(packet)
    return path


def read_frames(path: Path) -> Iterator[np.ndarray]:
    """The RGB frames of a test video (to re-encode, trim or speed it up)."""
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            yield frame.to_ndarray(format="rgb24")


def _element(ident: bytes, body: bytes) -> bytes:
    """One EBML element, its size as an 8-byte number (valid at any size)."""
    return ident + b"\x01" + len(body).to_bytes(7, "big") + body


def _uint(ident: bytes, value: int) -> bytes:
    return _element(ident, value.to_bytes(4, "big"))


def _length_prefixed(annex_b: bytes) -> bytes:
    """Annex B NAL units (start codes) as MP4 writes them: each behind its 4-byte length."""
    units = [u.strip(b"\x00") for u in annex_b.split(b"\x00\x00\x01") if u.strip(b"\x00")]
    return b"".join(len(u).to_bytes(4, "big") + u for u in units)


def h264_matroska_without_header(
    path: Path, frames: Iterable[np.ndarray], *, fps: int = 10, annex_b: bool = True
) -> Path:
    """H.264 in Matroska with no codec header (no CodecPrivate), as some recorders write it:
    with ``annex_b``, frames carry start codes and their SPS/PPS in band (readable); without,
    frames are length-prefixed as in MP4 and nothing says how (unreadable). Written by hand: the
    FFmpeg muxer always adds the header. No B-frames (preset ultrafast): blocks in order."""
    return h264_joined(path, [(list(frames), {"preset": "ultrafast"})], fps=fps, annex_b=annex_b)


def h264_joined(
    path: Path,
    parts: list[tuple[list[np.ndarray], dict[str, str]]],
    *,
    fps: int = 10,
    annex_b: bool = True,
) -> Path:
    """Parts encoded each by its own x264 (its options: preset, x264-params), joined one after
    the other in one H.264 stream as ``cat a.h264 b.h264`` joins them: each part starts with
    its SPS/PPS in band and an IDR picture. In Matroska without a codec header (above)."""
    blocks, size, offset = [], (0, 0), 0
    for frames, options in parts:
        codec = av.CodecContext.create("libx264", "w")
        for number, pixels in enumerate(frames):
            if number == 0:
                size = (pixels.shape[1], pixels.shape[0])
                codec.width, codec.height = size  # type: ignore[attr-defined]
                codec.pix_fmt = "yuv420p"  # type: ignore[attr-defined]
                codec.time_base = Fraction(1, fps)
                codec.options = options
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
            frame.pts = offset + number
            blocks.extend(codec.encode(frame))  # type: ignore[attr-defined]
        blocks.extend(codec.encode(None))  # type: ignore[attr-defined]
        offset += len(frames)
    cluster = _uint(b"\xe7", 0)
    for packet in blocks:
        data = bytes(packet) if annex_b else _length_prefixed(bytes(packet))
        at = int(packet.pts or 0) * 1000 // fps  # milliseconds, relative to the cluster
        flags = b"\x80" if packet.is_keyframe else b"\x00"
        cluster += _element(b"\xa3", b"\x81" + at.to_bytes(2, "big") + flags + data)
    video = _uint(b"\xb0", size[0]) + _uint(b"\xba", size[1])
    track = (
        _uint(b"\xd7", 1)
        + _uint(b"\x73\xc5", 1)
        + _uint(b"\x83", 1)
        + _element(b"\x86", b"V_MPEG4/ISO/AVC")
        + _element(b"\xe0", video)
    )
    header = _element(b"\x42\x82", b"matroska") + _uint(b"\x42\x87", 4) + _uint(b"\x42\x85", 2)
    segment = (
        _element(b"\x15\x49\xa9\x66", _uint(b"\x2a\xd7\xb1", 1_000_000))
        + _element(b"\x16\x54\xae\x6b", _element(b"\xae", track))
        + _element(b"\x1f\x43\xb6\x75", cluster)
    )
    path.write_bytes(_element(b"\x1a\x45\xdf\xa3", header) + _element(b"\x18\x53\x80\x67", segment))
    return path

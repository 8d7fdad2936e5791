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

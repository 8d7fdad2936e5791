"""The videos of bench_video.py and bench_video_decode.py, generated from benign pictures into
.cache/bench-video (gitignored) once and reused: see bench_video.py's docstring for the corpus,
and speed_video for the 720p speed test. Nothing here is an image of anyone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.photos import SHARED_FACES  # noqa: E402
from bouclier.media.video import VideoLimits  # noqa: E402
from tests.conftest import photo  # noqa: E402
from tests.media.videos import pan_frames, read_frames, write_video  # noqa: E402

CACHE = ROOT / ".cache" / "bench-video"
LIMITS = VideoLimits()
SPEED_SECONDS = 20.0


def _picture(i: int) -> np.ndarray:
    from PIL import Image

    faces = sorted(p for p in SHARED_FACES.glob("*") if p.suffix in {".jpg", ".png"})
    if i < len(faces):
        image = Image.open(faces[i]).convert("RGB")
        return np.asarray(image.resize((960, int(960 * image.height / image.width))))
    return photo(100 + i, (960, 720))


def _resized(frames: list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
    from PIL import Image

    return [np.asarray(Image.fromarray(f).resize(size, Image.Resampling.BILINEAR)) for f in frames]


def make_corpus(originals: int, unrelated: int) -> dict[str, list[tuple[str, Path, int]]]:
    """{kind: [(name, path, original index)]}, generated once into the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    corpus: dict[str, list[tuple[str, Path, int]]] = {"original": [], "unrelated": []}
    for i in range(originals):
        path = CACHE / f"orig{i:03d}.mp4"
        if not path.exists():
            write_video(path, pan_frames(_picture(i), 300, (640, 360)), fps=30)
        corpus["original"].append((path.name, path, i))
    for i in range(originals):
        source = CACHE / f"orig{i:03d}.mp4"
        frames: list[np.ndarray] | None = None
        variants = {
            "vp9_480_250k": ("webm", "libvpx-vp9", (480, 270), 250_000, None),
            "hevc_360": ("mp4", "libx265", (640, 360), None, None),
            "mpeg4_180_150k": ("mp4", "mpeg4", (320, 180), 150_000, None),
            "trim_3.5_8.5s": ("mp4", "libx264", (640, 360), None, slice(105, 255)),
            "trim_3.4_8.4s": ("mp4", "libx264", (640, 360), None, slice(102, 252)),
            "speed_1.5x": ("mp4", "libx264", (640, 360), None, "speed"),
            "concat_half": ("mp4", "libx264", (640, 360), None, "concat"),
            # B-frames (x264 veryfast: B-pyramid, P-frames refer to P-frames only; medium:
            # P-frames refer to B-frames too): what read_video skips, or checks and does not
            "bframes_veryfast": ("mp4", "libx264/veryfast", (640, 360), None, None),
            "bframes_veryfast_trim_3.4_8.4s": (
                "mp4",
                "libx264/veryfast",
                (640, 360),
                None,
                slice(102, 252),
            ),
            "bframes_medium": ("mp4", "libx264/medium", (640, 360), None, None),
        }
        for name, (suffix, codec, size, rate, cut) in variants.items():
            path = CACHE / f"orig{i:03d}_{name}.{suffix}"
            corpus.setdefault(name, []).append((path.name, path, i))
            if path.exists():
                continue
            frames = frames if frames is not None else list(read_frames(source))
            chosen = frames
            if isinstance(cut, slice):
                chosen = frames[cut]
            elif cut == "speed":
                chosen = [frames[int(k * 1.5)] for k in range(int(len(frames) / 1.5))]
            elif cut == "concat":
                other = list(read_frames(CACHE / f"orig{(i + 1) % originals:03d}.mp4"))
                chosen = frames[:150] + other[150:]
            encoder, _, preset = codec.partition("/")
            write_video(
                path,
                _resized(chosen, size),
                fps=30,
                codec=encoder,
                bit_rate=rate,
                preset=preset or "ultrafast",
            )
    for i in range(unrelated):
        path = CACHE / f"unrelated{i:03d}.mp4"
        if not path.exists():
            write_video(path, pan_frames(photo(5000 + i, (640, 480)), 60, (320, 180)), fps=15)
        corpus["unrelated"].append((path.name, path, -1))
    return corpus


def start_up() -> None:
    """What the decoding server does once per Bouclier process before it forks its first child
    (and what a child did per video before the server): Python, its imports (av, numpy; the
    worker by its path, nothing else of Bouclier) and the PDQ extension."""
    worker = ROOT / "src" / "bouclier" / "media" / "video_worker.py"
    code = (
        "import importlib.util as u, av; "
        f"s = u.spec_from_file_location('worker', {str(worker)!r}); m = u.module_from_spec(s); "
        "s.loader.exec_module(m); m._pdq()"
    )
    subprocess.run([sys.executable, "-P", "-c", code], check=True)


def speed_video(seconds: int = int(SPEED_SECONDS)) -> Path:
    """The speed test's 1280x720 30 fps H.264 pan (~2.5 Mb/s, x264 veryfast), made once."""
    path = CACHE / ("speed_720p_20s.mp4" if seconds == 20 else f"speed_720p_{seconds}s.mp4")
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        frames = pan_frames(_picture(0), 30 * seconds, (1280, 720), zoom=0.5)
        write_video(path, frames, fps=30, bit_rate=2_500_000, preset="veryfast")
    return path

"""The decoding side of :mod:`bouclier.media.video`: a fork server, and one child per video.

``python -P .../video_worker.py --serve FD`` is started once per Bouclier process
(:mod:`bouclier.media.video_server`): it imports PyAV, NumPy and the PDQ extension, then waits on
the control socket ``FD`` for one socket per video and forks a fresh child for each. It never
reads a video itself. The child writes its pid, reads its request (a path, the decoding
parameters, its limits), sets its own memory, CPU-time and file-size limits, no core dump and a
wall-clock alarm, then opens the file only with the demuxer the parent sniffed, refuses codecs
off the allowlist and streams over the limits, decodes with one thread, hashes the sampled frames
(vPDQ) and writes one JSON object back. With an output folder it also saves a few sampled frames,
reduced, as ``.npy`` files for detectors. A refusal is a JSON object ``{"error": code, "message":
...}``; anything else that goes wrong ends the child alone, and the parent reports
``media.corrupt``. ``python -P .../video_worker.py FILE PARAMS`` decodes one file in the
foreground, without limits (benchmarks, debugging).

It is run by its file path and imports nothing of Bouclier: importing a module of a package runs
the package's ``__init__``, and ``bouclier.media``'s and ``bouclier.hashing``'s load the image
decoders (about 90 ms of CPU). The PDQ extension is loaded from its file (:func:`_pdq`).
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import json
import math
import os
import resource
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

#: codecs the worker decodes: what phones, browsers and sites produce
CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"})
#: side to which frames for detectors are reduced
DETECTOR_SIDE = 640
#: the most a child may write to a file (the detector frames): a few reduced frames
FILE_BYTES = 64 * 1024 * 1024
#: H.264, fast: every B-frame is skipped when hashes are this many frames apart (not at bank rate)
SPARSE_FRAMES = 8


@functools.cache
def _pdq() -> Any:
    """``bouclier.hashing._pdq`` (PDQ in C, bit-exact with pdqhash), loaded from its file beside
    this package's, without running the ``bouclier.hashing`` package."""
    folder = Path(__file__).resolve().parent.parent / "hashing"
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"_pdq{suffix}"
        if path.exists():
            loader = importlib.machinery.ExtensionFileLoader("bouclier.hashing._pdq", str(path))
            spec = importlib.util.spec_from_loader(loader.name, loader)
            if spec is None:
                break
            module = importlib.util.module_from_spec(spec)
            loader.exec_module(module)
            return module
    raise ImportError(f"the PDQ extension is not built in {folder}")


@functools.cache
def _h264() -> Any:
    """``bouclier.media.h264_references`` (and the ``h264_syntax`` it imports), loaded from their
    files beside this one, without running the ``bouclier.media`` package."""
    folder = Path(__file__).resolve().parent
    for name in ("h264_syntax", "h264_references"):
        qualified = f"bouclier.media.{name}"
        if qualified not in sys.modules:
            spec = importlib.util.spec_from_file_location(qualified, folder / f"{name}.py")
            if spec is None or spec.loader is None:
                raise ImportError(f"{name}.py is missing in {folder}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[qualified] = module  # h264_references imports h264_syntax by this name
            spec.loader.exec_module(module)
    return sys.modules["bouclier.media.h264_references"]


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _rate(stream: Any) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    value = float(rate) if rate else 0.0
    if not 0 < value <= 1000:
        raise Refused("media.corrupt", "the video has no usable frame rate")
    return value


def _hash_side(width: int, height: int, side: int) -> tuple[int, int] | None:
    """The reduced size to hash at (PDQ reduces to 64x64 anyway), or None for as it is."""
    longest = max(width, height)
    if side <= 0 or longest <= side:
        return None
    scale = side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _checked(container: Any, params: dict[str, Any]) -> tuple[Any, str, int, int, float, float]:
    """The video stream and its facts, or Refused when off the allowlist or over a limit."""
    if not container.streams.video:
        raise Refused("media.corrupt", "the file has no video stream")
    stream = container.streams.video[0]
    codec = stream.codec_context.name
    if codec not in CODECS:
        raise Refused(
            "media.unsupported_codec",
            f"video codec {codec[:20]!r} is not supported; use one of {', '.join(sorted(CODECS))}",
        )
    width, height = stream.codec_context.width, stream.codec_context.height
    if width <= 0 or height <= 0:
        raise Refused("media.corrupt", "the video has no frame size")
    if width * height > params["max_pixels"]:
        raise Refused(
            "media.too_many_pixels",
            f"frames of {width}x{height} are over the limit of {params['max_pixels']} pixels",
        )
    fps = _rate(stream)
    duration = float(container.duration) / 1e6 if container.duration else 0.0
    if duration > params["max_seconds"]:
        raise Refused(
            "media.too_long",
            f"the video lasts {duration:.0f} s, over the limit of {params['max_seconds']} s",
        )
    return stream, codec, width, height, fps, duration


def _rgb(frame: Any, size: tuple[int, int] | None) -> np.ndarray:
    """The frame as (h, w, 3) uint8 RGB, reduced to ``size`` (area averaging) if given."""
    if size is None:
        return np.asarray(frame.to_ndarray(format="rgb24"))
    return np.asarray(
        frame.reformat(
            width=size[0], height=size[1], format="rgb24", interpolation="AREA"
        ).to_ndarray()
    )


def _spread(hashed: float, wanted: int) -> int:
    """Every how many hashed frames one is kept for detectors, to spread ``wanted`` over all."""
    return max(1, math.ceil(hashed / max(1, wanted))) if hashed > 0 else 1


def _tune(codec: Any, skip: str) -> None:
    """One decoding thread. ``skip`` "NONREF": frames no other frame refers to (B-frames mostly)
    are not decoded and no frame is deblocked (the loop filter), ~2.5x faster on H.264; PDQ, a
    summary of 64x64 luminance, moves by a few bits (docs/benchmarks-log.md). "DEFAULT": decoded as
    the reference does."""
    codec.thread_count = 1
    if skip != "DEFAULT":
        codec.skip_frame = skip
        codec.options = {"skip_loop_filter": "all"}


class _Unsafe(Exception):
    """Skipping B-frames is not proved exact for this stream (the reason is the message)."""


def _references_only(container: Any, stream: Any) -> Iterator[Any]:
    """H.264 frames without any B-frame (``skip_frame=BIDIR``): only I- and P-frames are
    decoded, every one of them, since each later frame of the GOP depends on them.

    A B-frame that others refer to (x264's B-pyramid) is skipped too, and FFmpeg puts a copy of
    another frame in its place without a word. That is only right when no decoded frame refers
    to a skipped one, which an encoder may do (x264 with ``ref`` > 1). Every packet's headers
    go through :class:`~bouclier.media.h264_references.ReferenceCheck` before it is decoded;
    the moment it cannot prove the next picture exact, :class:`_Unsafe` is raised and the
    caller decodes again with NONREF. The check reads the headers only (slice headers, the
    reference buffers): an error in it, whatever it is, is a fallback, never a refusal."""
    quick = stream.codec_context
    _tune(quick, "BIDIR")
    try:
        check = _h264().ReferenceCheck(quick.extradata)
    except Exception as error:  # NotExact, or a fault of the check: either way, fall back
        raise _Unsafe(str(error)) from None
    for packet in container.demux(stream):
        if packet.size:
            if packet.has_sidedata("new_extradata"):
                raise _Unsafe("new parameter sets in a packet's side data")
            try:
                check.packet(packet)
            except Exception as error:
                raise _Unsafe(str(error)) from None
        yield from quick.decode(packet)


def run(path: str, params: dict[str, Any]) -> dict[str, Any]:
    """The video's facts and vPDQ features. H.264 hashed once a second (or sparser) in the fast
    mode skips every B-frame (:func:`_references_only`) and is decoded again with NONREF alone
    where that proves wrong."""
    saved: list[Path] = []
    try:
        return _decode(path, params, saved, references_only=True)
    except _Unsafe:
        for file in saved:
            file.unlink(missing_ok=True)
        saved.clear()
        return _decode(path, params, saved, references_only=False)


def _open(path: str, demuxer: str) -> Any:
    import av

    try:
        return av.open(path, format=demuxer, options={"probesize": "5000000"})
    except av.FFmpegError as error:
        name = type(error).__name__
        raise Refused("media.corrupt", f"the video cannot be opened: {name}") from None


def _decode(
    path: str, params: dict[str, Any], saved: list[Path], references_only: bool
) -> dict[str, Any]:
    dihedral = _pdq().dihedral  # loaded once, by the server, before it forks
    with _open(path, params["demuxer"]) as container:
        stream, codec, width, height, fps, duration = _checked(container, params)
        every = max(1, int(params["seconds_per_hash"] * fps))
        max_frames = int(params["max_seconds"] * fps) + every
        size = _hash_side(width, height, params["hash_side"])
        out = Path(params["frames_dir"]) if params.get("frames_dir") else None
        keep_every = _spread(duration * fps / every, int(params["detector_frames"]))
        fast = bool(params.get("skip_nonref", True))
        step = params["seconds_per_hash"]
        if fast and references_only and codec == "h264" and step * fps >= SPARSE_FRAMES:
            decoded_frames = _references_only(container, stream)
        else:
            _tune(stream.codec_context, "NONREF" if fast else "DEFAULT")
            decoded_frames = container.decode(stream)
        features: list[list[Any]] = []
        last = -1
        mark = 0.0  # fast: the next time to hash a frame at (seconds_per_hash apart)
        for decoded, frame in enumerate(decoded_frames):
            if fast:
                time = float(frame.time) if frame.time is not None else decoded / fps
                number = max(last + 1, round(time * fps))
            else:
                number = decoded
                time = number / fps
            last = number
            if number >= max_frames or time > params["max_seconds"] + 1:
                raise Refused(
                    "media.too_long", f"the video has more frames than {params['max_seconds']} s"
                )
            if fast:
                if time + 0.5 / fps < mark:
                    continue
                mark = (math.floor((time + 0.5 / fps) / step) + 1) * step
            elif number % every:
                continue
            if frame.width * frame.height > params["max_pixels"]:
                raise Refused("media.too_many_pixels", "a frame is over the pixel limit")
            rgb = _rgb(frame, size)
            hashes, quality = dihedral(np.ascontiguousarray(rgb))  # hashes[0]: as it is
            features.append([number, quality, hashes[0], round(time, 3)])
            sampled = len(features) - 1
            if (
                out is not None
                and sampled % keep_every == 0
                and len(saved) < params["detector_frames"]
            ):
                small = _hash_side(frame.width, frame.height, DETECTOR_SIDE)
                pixels = rgb if small is None and size is None else _rgb(frame, small)
                saved.append(out / f"{number:09d}.npy")
                np.save(saved[-1], np.ascontiguousarray(pixels), allow_pickle=False)
        if not features:
            raise Refused("media.corrupt", "no frame of the video could be decoded")
        return {
            "container": params["demuxer"],
            "codec": codec,
            "width": width,
            "height": height,
            "fps": fps,
            "frames": last + 1,
            "duration": duration or (last + 1) / fps,
            "features": features,
        }


def _limit(limits: dict[str, Any]) -> None:
    """This child's own limits, whatever the file asks for. SIGALRM's default action ends the
    process even inside FFmpeg: a wall-clock limit that needs nobody to watch."""
    memory = int(limits["memory_bytes"])
    seconds = max(1, math.ceil(float(limits["timeout_seconds"])))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.alarm(seconds + 1)


def _answer(path: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return run(path, params)
    except Refused as refusal:
        return {"error": refusal.code, "message": refusal.message}


def _decode_one(conn: socket.socket) -> None:
    """In a forked child: its pid (so that the parent can end it), then one video's answer."""
    conn.sendall(b"%d\n" % os.getpid())
    request = bytearray()
    while chunk := conn.recv(1 << 16):
        request += chunk
    asked = json.loads(request)
    _limit(asked["limits"])
    conn.sendall(json.dumps(_answer(asked["path"], asked["params"])).encode())


def _reap(_signum: int, _frame: object) -> None:
    """Children are waited for as they end, so that their CPU time adds to the server's."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def serve(control_fd: int) -> None:
    """Fork a child for each socket received on the control socket; end when the parent does."""
    import av  # noqa: F401  (imported once here: every child starts with it)

    _pdq()
    _h264()
    control = socket.socket(fileno=control_fd)
    signal.signal(signal.SIGCHLD, _reap)
    control.send(b"ready")
    while True:
        message, fds, _flags, _address = socket.recv_fds(control, 16, 1)
        if not message:
            return  # the parent closed its end: it is gone, or done
        if not fds:
            continue
        if os.fork() == 0:
            code = 1
            try:
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                with socket.socket(fileno=fds[0]) as conn:
                    _decode_one(conn)
                code = 0
            finally:
                os._exit(code)  # never back into the server's loop, whatever happened
        os.close(fds[0])


def main() -> None:
    if sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
        return
    path, raw = sys.argv[1], sys.argv[2]
    sys.stdout.write(json.dumps(_answer(path, json.loads(raw))))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

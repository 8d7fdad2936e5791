"""``bouclier hash``: fingerprint image files (PDQ, SHA-256, MD5), one JSON line per file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.output import FORMATS, Printer, iter_files, progress
from bouclier.errors import InputError

if TYPE_CHECKING:
    from bouclier.hashing import ImageHashes


def min_side(app: App, full_resolution: bool) -> int | None:
    if full_resolution or app.settings.pdq_min_side == 0:
        return None
    return app.settings.pdq_min_side


def hash_paths(
    app: App,
    paths: list[Path],
    full_resolution: bool,
    label: str,
    *,
    framing: bool = False,
    seconds_per_hash: float = 1.0,
) -> Any:
    """Yields (path, ImageHashes, VideoHashes or InputError) for each file, with a progress bar;
    a video is sniffed by its first bytes and decoded in a limited child process (hashed every
    ``seconds_per_hash``); ``framing``: with the PDQ of content regions (to match, not to add to
    a bank)."""
    from bouclier.hashing import hash_file
    from bouclier.media.video import VideoLimits, is_video, read_video

    side = min_side(app, full_resolution)
    video_limits = VideoLimits.from_settings(app.settings)
    with progress(paths, label) as items:
        for path in items:
            try:
                if is_video(path):  # MP4/QuickTime or WebM/Matroska: vPDQ and the digests
                    yield path, read_video(path, video_limits, seconds_per_hash=seconds_per_hash)
                else:
                    yield path, hash_file(path, limits=app.limits, min_side=side, framing=framing)
            except InputError as error:
                yield path, error


def _signals(hashes: ImageHashes) -> dict[str, str]:
    """Each signal type's first value (the image as it is, its first frame)."""
    first: dict[str, str] = {}
    for fingerprint in hashes.fingerprints:
        first.setdefault(fingerprint.signal_type, fingerprint.value)
    return first


def error_row(path: Path, error: InputError) -> dict[str, Any]:
    return {"path": str(path), "error": error.to_dict()}


@click.command("hash")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "--full-resolution",
    is_flag=True,
    help="Hash at full resolution (the reference; slower on large photos).",
)
@click.pass_obj
def hash_command(app: App, paths: tuple[str, ...], fmt: str, full_resolution: bool) -> int:
    """Fingerprint images (PDQ, SHA-256, MD5) and videos (vPDQ, SHA-256, MD5). Folders too.

    Prints one JSON line per file: {"path","sha256","md5","pdq","quality","width","height",
    "signals"} ("signals": every registered signal type's value of the image as it is), or
    {"path","error":{"code","message"}} for a file that could not be read as an image.
    A video (MP4/QuickTime, WebM/Matroska) prints {"path","media":"video","sha256","md5",
    "codec","width","height","fps","frames","duration","vpdq"}: "vpdq" lists one frame a second
    in ThreatExchange's vPDQ format, "frame,quality,pdq,timestamp".
    """
    from bouclier.hashing import ImageHashes
    from bouclier.media.video import VideoHashes

    printer = Printer(fmt, ("path", "pdq", "quality", "width", "height", "error"))
    failed = 0
    for path, result in hash_paths(app, list(iter_files(paths)), full_resolution, "hashing"):
        if isinstance(result, VideoHashes):
            from bouclier.analysis.video import video_dict

            row = {"path": str(path), **video_dict(result)}
            printer.row(row, {"path": str(path), "width": result.width, "height": result.height})
        elif isinstance(result, ImageHashes):
            printer.row(
                {
                    "path": str(path),
                    "sha256": result.sha256,
                    "md5": result.md5,
                    "pdq": result.pdq.pdq,
                    "quality": result.pdq.quality,
                    "width": result.width,
                    "height": result.height,
                    "signals": _signals(result),
                }
            )
        else:
            failed += 1
            printer.row(error_row(path, result), {"path": str(path), "error": result.code})
    printer.close()
    return exit_codes.INPUT_FAILED if failed else exit_codes.OK

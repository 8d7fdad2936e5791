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
    app: App, paths: list[Path], full_resolution: bool, label: str, *, framing: bool = False
) -> Any:
    """Yields (path, ImageHashes or InputError) for each file, with a progress bar; ``framing``:
    with the PDQ of content regions (to match, not to add to a bank)."""
    from bouclier.hashing import hash_file

    side = min_side(app, full_resolution)
    with progress(paths, label) as items:
        for path in items:
            try:
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
    """Fingerprint images: PDQ with its quality, SHA-256 and MD5. Folders are searched.

    Prints one JSON line per file: {"path","sha256","md5","pdq","quality","width","height",
    "signals"} ("signals": every registered signal type's value of the image as it is), or
    {"path","error":{"code","message"}} for a file that could not be read as an image.
    """
    from bouclier.hashing import ImageHashes

    printer = Printer(fmt, ("path", "pdq", "quality", "width", "height", "error"))
    failed = 0
    for path, result in hash_paths(app, list(iter_files(paths)), full_resolution, "hashing"):
        if isinstance(result, ImageHashes):
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

"""``bouclier scan``: the whole analysis over files and folders, in parallel worker processes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.output import iter_files, progress
from bouclier.errors import ConfigError, InputError

if TYPE_CHECKING:
    from bouclier.analysis.pipeline import Analyzer
    from bouclier.policy import Policy

_analyzer: Analyzer | None = None  # one per worker process


def _start_worker(banks: list[str] | None, policy: Policy, threads: int | None) -> None:
    """Builds the worker's pipeline: the detectors BOUCLIER_DETECTORS names, with ``threads``
    inference threads each (None: BOUCLIER_DETECTOR_THREADS)."""
    global _analyzer  # noqa: PLW0603 - the worker's own pipeline, built once per process
    from bouclier.analysis.pipeline import Analyzer
    from bouclier.settings import load_settings

    settings = load_settings() if threads is None else load_settings(detector_threads=threads)
    _analyzer = Analyzer.from_settings(settings, banks=banks, policy=policy)
    _analyzer.load()


def _scan_video(path: str) -> dict[str, Any]:
    """A video: vPDQ and digests matched, nudity on frames spread over it, flagged frames."""
    from bouclier.analysis.video import analyze_video
    from bouclier.media.video import VideoLimits
    from bouclier.settings import load_settings

    settings = load_settings()
    analysis = analyze_video(
        _analyzer,
        path,
        VideoLimits.from_settings(settings),
        query_percent=settings.vpdq_query_match_percent,
        target_percent=settings.vpdq_target_match_percent,
    )
    return {"path": path, **analysis.to_dict()}


def _scan_one(path: str, thumbnail: bool) -> dict[str, Any]:
    from bouclier.media.video import is_video

    assert _analyzer is not None
    try:
        if is_video(path):
            return _scan_video(path)
        analysis = _analyzer.analyze(path, thumbnail=thumbnail)
    except InputError as error:
        return {"path": path, "error": error.to_dict()}
    return {"path": path, **analysis.to_dict(), "thumbnail": analysis.thumbnail}


def _scan_one_plain(path: str) -> dict[str, Any]:
    return _scan_one(path, False)


def _results(
    paths: list[str], workers: int, thumbnail: bool, setup: tuple[Any, ...]
) -> Iterator[dict[str, Any]]:
    if workers == 1:
        _start_worker(*setup)
        for path in paths:
            yield _scan_one(path, thumbnail)
        return
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=setup) as pool:
        try:
            yield from pool.map(_scan_one, paths, [thumbnail] * len(paths), chunksize=2)
        except BrokenProcessPool:
            raise ConfigError(
                "a scan worker could not start or died; run with --workers 1 to see why"
            ) from None


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format", "fmt", type=click.Choice(("jsonl", "html")), default="jsonl", show_default=True
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report to this file (default: standard output).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes, each with its own models.",
)
@click.option("--bank", "banks", multiple=True, help="Match only these banks (repeatable).")
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A policy TOML file (default: BOUCLIER_POLICY_FILE, else the built-in policy).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=None,
    help="Inference threads per worker (default: BOUCLIER_DETECTOR_THREADS, 1).",
)
@click.pass_obj
def scan_command(
    app: App,
    paths: tuple[str, ...],
    fmt: str,
    out: Path | None,
    workers: int,
    banks: tuple[str, ...],
    policy_file: Path | None,
    threads: int | None,
) -> int:
    """Analyse images: bank matches, nudity, enrolled faces, provenance, and a verdict.

    A video (MP4/QuickTime, WebM/Matroska) is matched by vPDQ and its digests, and the nudity
    detector looks at up to 32 frames spread over it: "flagged_frames" lists those seen as sexual
    or revealing, with their frame number and time in seconds.

    Prints one JSON line per file (verdict, reasons, signals, matches, per-stage timings in ms)
    or, with --format html, a report whose thumbnails are blurred until clicked.
    """
    from bouclier.analysis import report
    from bouclier.detectors.catalog import CATALOG
    from bouclier.likeness import check_key
    from bouclier.policy import Policy

    policy = Policy.from_toml(policy_file) if policy_file else Policy.from_settings(app.settings)
    # Everything a worker needs is checked here, so that a problem is one clear line rather than
    # a broken worker pool: settings, banks, the template key, the detectors and their model files.
    for name in banks:
        app.store.get(name)
    check_key(app.db, app.settings)
    CATALOG.check(app.settings)
    files = [str(p) for p in iter_files(paths)]
    setup = (list(banks) or None, policy, threads)
    rows, failed = [], 0
    handle = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        with progress(files, "scanning") as bar:
            results = _results(files, workers, fmt == "html", setup)
            for _ in bar:
                row = next(results)
                failed += "error" in row
                if fmt == "html":
                    rows.append(row)
                else:
                    row.pop("thumbnail", None)
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                    handle.flush()
        if fmt == "html":
            handle.write(report.render(rows))
    finally:
        if out:
            handle.close()
    return exit_codes.INPUT_FAILED if failed else exit_codes.OK

"""``bouclier evidence``: export a case's evidence bundle, verify a bundle or a case's log.

``verify`` exits with 0 when everything checks out and with ``exit_codes.TAMPERED`` (7) when
anything does not, after printing every problem found: a court or a police officer needs the list,
not only the first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.case_cmd import actor, cases_of
from bouclier.cli.output import FORMATS
from bouclier.errors import Conflict, FileUnreadable
from bouclier.filemodes import open_private_binary

if TYPE_CHECKING:
    from bouclier.cases.custody import Verification


@click.group("evidence")
def evidence_group() -> None:
    """Evidence bundles: a case in one ZIP that the police and courts can check."""


@evidence_group.command("export")
@click.argument("number")
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="ZIP file to write (default: <number>-evidence.zip).",
)
@click.option("--without-files", is_flag=True, help="Leave the evidence files out of the ZIP.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.pass_obj
def export(app: App, number: str, out: Path | None, without_files: bool, force: bool) -> int:
    """Write the evidence bundle of a case: manifest, custody log, PDF summary, files."""
    from bouclier.cases.evidence import export_bundle

    cases = cases_of(app)
    case = cases.get(number)  # NotFound before anything is written or logged
    path = out or Path(f"{case.number}-evidence.zip")
    if path.exists() and not force:
        raise Conflict(f"{path} exists: add --force to overwrite it", code="file_exists")
    data = export_bundle(cases, case.number, actor=actor(), include_files=not without_files)
    partial = path.with_name(path.name + ".partial")
    try:
        with open_private_binary(partial) as handle:  # evidence: readable by its owner only
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(path)  # never a half-written bundle under the real name
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise FileUnreadable(f"{path}: {exc.strerror}", code="file.unwritable") from None
    click.echo(json.dumps({"number": case.number, "path": str(path), "size": len(data)}))
    click.echo(f"wrote the evidence bundle of {case.number} to {path}", err=True)
    return exit_codes.OK


@evidence_group.command("verify")
@click.argument("target", metavar="FILE_OR_NUMBER")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def verify(app: App, target: str, fmt: str) -> int:
    """Check an evidence bundle (a ZIP file) or the custody log of a case in the database.

    Prints "intact" with the custody log's head hash, or every problem found (exit code 7).
    """
    from bouclier.cases import credentials
    from bouclier.cases.evidence import MAX_UNCOMPRESSED, verify_bundle

    path = Path(target)
    number: str | None
    log: Verification | None
    if path.is_file():
        size = path.stat().st_size
        if size > MAX_UNCOMPRESSED:
            problems: tuple[str, ...] = (f"{size} bytes is too large to be an evidence bundle",)
            number, log = None, None
        else:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise FileUnreadable(f"{path}: {exc.strerror}") from None
            result = verify_bundle(data)
            problems, log, number = result.problems, result.custody, result.case_number
        what = f"bundle {path}" + (f" (case {number})" if number else "")
    elif credentials.canonical_number(target) is not None and not path.exists():
        log = cases_of(app).verify(target)
        number = credentials.canonical_number(target)
        what = f"case {number}"
        problems = log.problems
    else:
        raise FileUnreadable(
            f"{target}: no such file, and not a case number", code="file.not_found"
        )
    if fmt == "jsonl":
        click.echo(
            json.dumps(
                {
                    "target": target,
                    "case": number,
                    "intact": not problems,
                    "problems": list(problems),
                    "custody": {"length": log.length, "head": log.head} if log else None,
                },
                ensure_ascii=False,
            )
        )
        return exit_codes.TAMPERED if problems else exit_codes.OK
    if not problems:
        head = f"; custody log of {log.length} entries, head {log.head}" if log else ""
        click.echo(f"{what}: intact{head}")
        return exit_codes.OK
    click.echo(f"{what}: NOT INTACT, {len(problems)} problems")
    for problem in problems:
        click.echo(f"  - {problem}")
    return exit_codes.TAMPERED

"""``bouclier capture``: capture a case's URL now, list a case's captures, export or verify one.

A capture visits the URL in a fresh headless Chromium and keeps a signed, timestamped package
(WACZ, screenshot, HTML, certificates) sealed with the case key; see :mod:`bouclier.capture`.
For a case concerning a minor, ``--minor-case-confirmed`` is the analyst's explicit request.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.case_cmd import actor
from bouclier.errors import Conflict, FileUnreadable


@click.group("capture")
def capture_group() -> None:
    """Evidence captures of reported links (WACZ, screenshot, timestamps), and liveness."""


@capture_group.command("url")
@click.argument("number")
@click.argument("item", type=int)
@click.option(
    "--minor-case-confirmed",
    is_flag=True,
    help="The case concerns a minor and you, an analyst, explicitly ask for a full capture.",
)
@click.pass_obj
def capture_url(app: App, number: str, item: int, minor_case_confirmed: bool) -> int:
    """Capture URL item ITEM of case NUMBER now; prints the capture as JSON."""
    from bouclier.capture import Captures

    info = Captures(app.db, app.settings).capture(
        number, item, actor=actor(), allow_minor=minor_case_confirmed
    )
    click.echo(json.dumps(info.to_dict(), ensure_ascii=False))
    return exit_codes.OK


@capture_group.command("list")
@click.argument("number")
@click.pass_obj
def capture_list(app: App, number: str) -> int:
    """List the captures of a case as JSON lines, oldest first."""
    from bouclier.capture import Captures

    for info in Captures(app.db, app.settings).list(number):
        click.echo(json.dumps(info.to_dict(), ensure_ascii=False))
    return exit_codes.OK


@capture_group.command("export")
@click.argument("number")
@click.argument("capture_id", type=int)
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.pass_obj
def capture_export(app: App, number: str, capture_id: int, out: Path, force: bool) -> int:
    """Write a capture's package (a ZIP) to a file, readable by its owner only."""
    from bouclier.capture import Captures
    from bouclier.filemodes import open_private_binary

    if out.exists() and not force:
        raise Conflict(f"{out} exists: add --force to overwrite it", code="file_exists")
    data = Captures(app.db, app.settings).package(number, capture_id)
    try:
        with open_private_binary(out) as handle:
            handle.write(data)
    except OSError as exc:
        raise FileUnreadable(f"{out}: {exc.strerror}", code="file.unwritable") from None
    click.echo(json.dumps({"path": str(out), "size": len(data)}))
    return exit_codes.OK


@capture_group.command("verify")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--expect-key", metavar="FINGERPRINT_OR_KEY", default=None)
@click.pass_obj
def capture_verify(app: App, path: Path, expect_key: str | None) -> int:
    """Check a capture package: files, signature, RFC 3161 timestamps, WACZ (exit 7 if not)."""
    from bouclier.capture import package, timestamps

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileUnreadable(f"{path}: {exc.strerror}") from None
    roots = timestamps.load_roots(app.settings.capture_tsa_roots)
    result = package.verify(data, expected_key=expect_key, roots=roots)
    click.echo(
        json.dumps(
            {
                "intact": result.ok,
                "signed_by": result.signer.fingerprint if result.signer else None,
                "timestamps": list(result.timestamps),
                "timestamps_pinned": result.pinned,
                "problems": list(result.problems),
            },
            ensure_ascii=False,
        )
    )
    return exit_codes.OK if result.ok else exit_codes.TAMPERED

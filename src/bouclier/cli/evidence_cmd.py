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
    from bouclier.filemodes import open_private_binary

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
@click.option(
    "--expect-key",
    metavar="FINGERPRINT_OR_KEY",
    default=None,
    help="The issuer's signing key (its SHA256:... fingerprint, or the public key in base64): "
    "a bundle signed by any other key, or unsigned, is not intact.",
)
@click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept a bundle of format 1 (made before bundles were signed) when nothing else is "
    "wrong with it: its integrity is checked, not who issued it.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def verify(app: App, target: str, expect_key: str | None, allow_unsigned: bool, fmt: str) -> int:
    """Check an evidence bundle (a ZIP file) or the custody log of a case in the database.

    Prints "intact" with the fingerprint of the key that signed the bundle and the custody
    log's head hash, or every problem found (exit code 7). Compare the fingerprint with the
    issuer's (`bouclier evidence public-key` on its side), or pin it with --expect-key.
    """
    from bouclier.cases import credentials
    from bouclier.cases.bundle_check import MAX_UNCOMPRESSED, verify_bundle

    path = Path(target)
    number: str | None
    log: Verification | None
    signer: str | None = None
    unsigned = False
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
            from bouclier.capture.timestamps import load_roots

            roots = load_roots(app.settings.capture_tsa_roots)
            result = verify_bundle(data, expected_key=expect_key, roots=roots or None)
            problems, log, number = result.problems, result.custody, result.case_number
            signer = result.signer.fingerprint if result.signer is not None else None
            unsigned = result.unsigned and not problems
        what = f"bundle {path}" + (f" (case {number})" if number else "")
    elif credentials.canonical_number(target) is not None and not path.exists():
        if expect_key is not None:
            raise click.UsageError("--expect-key checks a bundle's signature: give a ZIP file")
        log = cases_of(app).verify(target)
        number = credentials.canonical_number(target)
        what = f"case {number}"
        problems = log.problems
    else:
        raise FileUnreadable(
            f"{target}: no such file, and not a case number", code="file.not_found"
        )
    accepted = not problems and (not unsigned or allow_unsigned)
    if fmt == "jsonl":
        click.echo(
            json.dumps(
                {
                    "target": target,
                    "case": number,
                    "intact": accepted,
                    "signed_by": signer,
                    "key_expected": signer is not None and expect_key is not None,
                    "unsigned": unsigned,
                    "problems": list(problems),
                    "custody": {"length": log.length, "head": log.head} if log else None,
                },
                ensure_ascii=False,
            )
        )
        return exit_codes.OK if accepted else exit_codes.TAMPERED
    head = f"; custody log of {log.length} entries, head {log.head}" if log else ""
    if unsigned:
        verdict = "intact but UNSIGNED" if allow_unsigned else "NOT VERIFIED, UNSIGNED"
        click.echo(
            f"{what}: {verdict} (format 1, made before bundles were signed): nothing in it "
            "shows who issued it; confirm the head hash with the issuing organisation"
            + ("" if allow_unsigned else " (then --allow-unsigned)")
            + head
        )
        return exit_codes.OK if allow_unsigned else exit_codes.TAMPERED
    if not problems:
        if signer is None:
            click.echo(f"{what}: intact{head}")
        elif expect_key is not None:
            click.echo(f"{what}: intact, signed by the expected key {signer}{head}")
        else:
            click.echo(
                f"{what}: intact, signed by key {signer} (check that it is the issuer's: "
                f"`bouclier evidence public-key` on its side, or pin it with --expect-key){head}"
            )
        return exit_codes.OK
    click.echo(f"{what}: NOT INTACT, {len(problems)} problems")
    for problem in problems:
        click.echo(f"  - {problem}")
    return exit_codes.TAMPERED


@evidence_group.command("public-key")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def public_key(app: App, fmt: str) -> int:
    """Print the public key that signs this instance's evidence bundles, and its fingerprint.

    Give the fingerprint to whoever receives bundles (police, courts), by another channel than
    the bundles themselves: `bouclier evidence verify --expect-key` checks against it. The key
    is made (BOUCLIER_SIGNING_KEY_FILE, mode 0600) if this instance has none yet.
    """
    from bouclier.signing_key import load_signing_key

    key = load_signing_key(app.settings)
    assert key is not None  # made when missing
    public = key.public
    if fmt == "jsonl":
        click.echo(json.dumps(public.to_dict()))
    else:
        click.echo(f"fingerprint: {public.fingerprint}")
        click.echo(f"public key:  {public.encoded} (Ed25519, base64)")
        click.echo(public.pem, nl=False)
    return exit_codes.OK

"""``bouclier enrol``: enrol people for likeness protection, list, withdraw, make the key.

Every command checks the template key first (:func:`bouclier.likeness.check_key`): with templates
stored and no key, or the wrong one, it stops with one line saying so. Nothing printed ever
contains a face descriptor or a template.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.output import FORMATS, Printer
from bouclier.errors import FileUnreadable
from bouclier.vocabulary import CONSENT_RELATIONSHIPS

if TYPE_CHECKING:
    from bouclier.likeness import Enrolments


def _enrolments(app: App) -> Enrolments:
    from bouclier.likeness import Enrolments

    return Enrolments.open(app.db, app.settings)


@click.group("enrol")
def enrol_group() -> None:
    """Likeness protection: enrol a person's face so that new fakes of them are caught."""


@enrol_group.command("create")
@click.argument("name")
@click.argument("photos", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--consented-by", required=True, help="Who gives consent (name or pseudonym).")
@click.option(
    "--relationship",
    type=click.Choice(CONSENT_RELATIONSHIPS),
    required=True,
    help="Who the consenting person is to the person enrolled.",
)
@click.option("--purpose", required=True, help="Why this person is enrolled.")
@click.option("--minor", is_flag=True, help="The person enrolled is under 18.")
@click.option(
    "--guardian", default=None, help="Parent or guardian consenting (needed with --minor)."
)
@click.option(
    "--case",
    "case",
    default=None,
    help="The case number the enrolment belongs to: withdrawing the case erases it.",
)
@click.pass_obj
def create(
    app: App,
    name: str,
    photos: tuple[Path, ...],
    consented_by: str,
    relationship: str,
    purpose: str,
    minor: bool,
    guardian: str | None,
    case: str | None,
) -> int:
    """Enrol NAME (a pseudonym is fine) from PHOTOS that each show that one face.

    Prints one JSON line with the enrolment's reference; keep it to withdraw later.
    """
    from bouclier.likeness import Consent

    consent = Consent(
        consented_by=consented_by,
        relationship=relationship,
        purpose=purpose,
        minor=minor,
        guardian_name=guardian,
    )
    enrolments = _enrolments(app)
    datas = []
    for path in photos:
        try:
            datas.append(path.read_bytes())
        except OSError as exc:
            raise FileUnreadable(f"{path}: {exc.strerror}") from None
    enrolment = enrolments.create(
        name, datas, consent, photo_names=[str(p) for p in photos], case=case
    )
    click.echo(
        json.dumps(
            {
                "reference": enrolment.reference,
                "name": enrolment.name,
                "photos": enrolment.photo_count,
                "minor": enrolment.consent.minor,
            },
            ensure_ascii=False,
        )
    )
    click.echo(f"enrolled {enrolment.reference} from {enrolment.photo_count} photos", err=True)
    return exit_codes.OK


@enrol_group.command("list")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def list_(app: App, fmt: str) -> int:
    """List enrolments and their consent (never their templates)."""
    printer = Printer(fmt, ("reference", "name", "photos", "minor", "consented_by", "created_at"))
    for e in _enrolments(app).list():
        printer.row(
            {
                "reference": e.reference,
                "name": e.name,
                "photos": e.photo_count,
                "minor": e.consent.minor,
                "consented_by": e.consent.consented_by,
                "relationship": e.consent.relationship,
                "guardian": e.consent.guardian_name,
                "purpose": e.consent.purpose,
                "created_at": e.created_at.isoformat(timespec="seconds"),
            }
        )
    printer.close()
    return exit_codes.OK


@enrol_group.command("withdraw")
@click.argument("reference")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def withdraw(app: App, reference: str, yes: bool) -> int:
    """Delete an enrolment: its template and its consent are erased, not archived."""
    enrolments = _enrolments(app)
    enrolments.get(reference)  # NotFound before asking anything
    if not yes:
        click.confirm(f"delete enrolment {reference} and its face template for good?", abort=True)
    enrolments.withdraw(reference)
    click.echo(f"withdrew {reference}: template and consent deleted", err=True)
    return exit_codes.OK


@enrol_group.command("key-create")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Key file to write (default: BOUCLIER_TEMPLATE_KEY_FILE, else template.key in the "
    "data folder). An existing file is never overwritten.",
)
@click.pass_obj
def key_create(app: App, out: Path | None) -> int:
    """Write a new template key (32 random bytes, base64) to a file readable only by you."""
    from bouclier.likeness import write_key_file

    path = out or app.settings.template_key_file or app.settings.data_dir / "template.key"
    write_key_file(path)
    click.echo(
        f"wrote a new template key to {path}; set BOUCLIER_TEMPLATE_KEY_FILE={path} and keep a "
        "copy offline: without it the enrolled templates cannot be read",
        err=True,
    )
    return exit_codes.OK

"""``bouclier notice``: takedown notices for the URLs of a case, and their 48-hour deadlines.

Each change is appended to the case's custody log with the actor ``cli:<user>``; a notice is
signed (TAKE IT DOWN's "/s/ NAME") by ``--signer``, by default the user name. ``notice sweep`` is
for cron: it sends the reminders and marks expired what passed its deadline.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.lazy_types import LazyChoice
from bouclier.vocabulary import NOTICE_ANSWERS, NOTICE_CHANNELS, NOTICE_LAWS, NOTICE_STATUSES

if TYPE_CHECKING:
    from bouclier.notices import NoticeInfo, Notices


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in a bare container
        return "cli"


def _actor() -> str:
    return f"cli:{_user()}"


def _notices(app: App) -> Notices:
    from bouclier.notices import Notices

    return Notices(app.db, app.settings)


def _echo(info: NoticeInfo) -> None:
    click.echo(json.dumps(info.to_dict(), ensure_ascii=False))


@click.group("notice")
def notice_group() -> None:
    """Takedown notices: DSA, TAKE IT DOWN Act, Pharos; sent, answered, reminded, expired."""


@notice_group.command("create")
@click.argument("case")
@click.argument("item", type=int)
@click.option("--law", type=click.Choice(sorted(NOTICE_LAWS)), required=True)
@click.option(
    "--channel",
    type=click.Choice(NOTICE_CHANNELS),
    default=None,
    help="How it goes: email, a platform's webhook (by name), or a web form filed by hand.",
)
@click.option(
    "--to", "recipient", default=None, help="Address (or webhook name, or form URL) to use."
)
@click.option("--signer", default=None, help="Name signing the notice (default: user name).")
@click.pass_obj
def create(
    app: App,
    case: str,
    item: int,
    law: str,
    channel: str | None,
    recipient: str | None,
    signer: str | None,
) -> int:
    """Draft a notice for URL item ITEM of CASE (address from BOUCLIER_PLATFORMS_FILE or --to)."""
    info = _notices(app).create(
        case, item, law, channel, recipient, actor=_actor(), signer=signer or _user()
    )
    _echo(info)
    click.echo(
        f"notice {info.reference} drafted: `bouclier notice send {info.reference}`", err=True
    )
    return exit_codes.OK


@notice_group.command("show")
@click.argument("reference")
@click.option(
    "--format",
    "fmt",
    type=LazyChoice("bouclier.notices:FORMATS"),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.pass_obj
def show(app: App, reference: str, fmt: str, output: Path | None) -> int:
    """Print a notice (text, html) or write it to a file (-o; a PDF needs one)."""
    data = _notices(app).render(reference, fmt)
    if output is not None:
        output.write_bytes(data)
        click.echo(f"wrote {output}", err=True)
    elif fmt == "pdf" and sys.stdout.isatty():
        raise click.UsageError("a PDF goes to a file: add -o FILE")
    elif fmt == "pdf":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        click.echo(data.decode("utf-8"), nl=False)
    return exit_codes.OK


@notice_group.command("send")
@click.argument("reference")
@click.option("--filed", is_flag=True, help="For a form notice: you filed it through the form.")
@click.option("--signer", default=None, help="Name signing the notice (default: as created).")
@click.pass_obj
def send(app: App, reference: str, filed: bool, signer: str | None) -> int:
    """Send a draft (email or webhook), or record a form notice as filed (--filed)."""
    store = _notices(app)
    if store.get(reference).channel == "form" and not filed:
        raise click.UsageError(
            "this notice is filed through a web form: file it (`bouclier notice show "
            f"{reference}`), then record it with --filed"
        )
    info = store.send(reference, actor=_actor(), signer=signer)
    _echo(info)
    return exit_codes.OK


@notice_group.command("answer")
@click.argument("reference")
@click.argument("status", type=click.Choice(NOTICE_ANSWERS))
@click.option("--note", default=None, help="What the platform said (its ticket number...).")
@click.pass_obj
def answer(app: App, reference: str, status: str, note: str | None) -> int:
    """Record the platform's answer: acknowledged, removed or refused."""
    _echo(_notices(app).record_answer(reference, status, note, actor=_actor()))
    return exit_codes.OK


@notice_group.command("list")
@click.option("--case", "case_number", default=None, help="Only this case's notices.")
@click.option("--status", type=click.Choice(NOTICE_STATUSES), default=None)
@click.option("--overdue", is_flag=True, help="Only notices past their deadline, unanswered.")
@click.pass_obj
def list_notices(app: App, case_number: str | None, status: str | None, overdue: bool) -> int:
    """List notices as JSON lines, oldest first."""
    store = _notices(app)
    found = store.list(case_number=case_number, status=status)
    if overdue:
        late = {n.reference for n in store.overdue()}
        found = [n for n in found if n.reference in late]
    for info in found:
        _echo(info)
    return exit_codes.OK


@notice_group.command("sweep")
@click.option(
    "--liveness",
    is_flag=True,
    help="Also re-visit notified URLs (at the deadline, after a platform says removed, and "
    "every BOUCLIER_CAPTURE_RECHECK_HOURS) and record still online / gone / changed.",
)
@click.pass_obj
def sweep(app: App, liveness: bool) -> int:
    """Send due reminders, mark expired what passed its deadline, check that posts are gone
    (run it from cron).

    Prints one JSON line per notice touched; exit code 1 if a reminder or a check failed."""
    result = _notices(app).sweep(actor=f"{_actor()}:sweep")
    rows: list[dict[str, Any]] = [{"reference": r, "action": "expired"} for r in result.expired]
    rows += [{"reference": r, "action": "reminded"} for r in result.reminded]
    rows += [{"reference": r, "action": "failed", "error": e} for r, e in result.failed]
    checks_failed = False
    if liveness:
        from bouclier.capture import Captures
        from bouclier.capture import liveness as live

        for check in live.sweep(Captures(app.db, app.settings), actor=f"{_actor()}:sweep"):
            row: dict[str, Any] = {
                "reference": check.reference,
                "action": "checked",
                "reason": check.reason,
                "outcome": check.outcome,
                "capture": check.capture_id,
            }
            if check.removal_disputed:
                row["removal_disputed"] = True
            if check.error is not None:
                row["error"] = check.error
                checks_failed = True
            rows.append(row)
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))
    failed = bool(result.failed) or checks_failed
    return exit_codes.INPUT_FAILED if failed else exit_codes.OK

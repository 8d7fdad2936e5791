"""``bouclier case``: open cases, add URLs and hashes, review, merge, invite, withdraw.

An operator's tool: it reads and writes the database directly, so it needs no case secret (the
victim's secret is for the portal and the API). Every change it makes is logged in the case's
custody log with the actor ``cli:<user>``. Nothing printed is a victim's contact or image.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import TYPE_CHECKING, Any

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.lazy_types import LazyChoice
from bouclier.cli.output import FORMATS, Printer, write_table
from bouclier.vocabulary import REVIEW_DECISIONS

if TYPE_CHECKING:
    from bouclier.cases import Cases, ItemInfo
    from bouclier.cases.store import CaseInfo

ITEM_COLUMNS = ("id", "kind", "status", "created_at", "platform", "url", "pdq", "quality")


def cases_of(app: App) -> Cases:
    from bouclier.cases import Cases

    return Cases(app.db, app.settings, banks=app.store)


def actor() -> str:
    """Who the custody log names for a change made from the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in a bare container
        return "cli"


def case_row(case: CaseInfo) -> dict[str, Any]:
    from bouclier.storage.models import utc_iso

    return {
        "number": case.number,
        "status": case.status,
        "language": case.language,
        "minor": case.minor,
        "sextortion": case.sextortion,
        "collective": case.collective_id is not None,
        "merged_into": case.merged_into,
        "has_contact": case.has_contact,
        "created_at": utc_iso(case.created_at),
        "updated_at": utc_iso(case.updated_at),
    }


def item_row(item: ItemInfo) -> dict[str, Any]:
    from bouclier.storage.models import utc_iso

    return {
        "id": item.id,
        "kind": item.kind,
        "status": item.status,
        "created_at": utc_iso(item.created_at),
        "platform": item.platform,
        "url": item.url,
        "pdq": item.pdq,
        "quality": item.quality,
        "low_quality": item.low_quality,
        "sha256": item.sha256,
    }


def _echo_json(value: dict[str, Any]) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


@click.group("case")
def case_group() -> None:
    """Cases: what victims and families report, as operators and analysts see them."""


@case_group.command("create")
@click.option("--minor", is_flag=True, help="The person in the images is under 18.")
@click.option("--sextortion", is_flag=True, help="The victim is being blackmailed.")
@click.option(
    "--language", type=LazyChoice("bouclier.cases.store:LANGUAGES"), default="en", show_default=True
)
@click.option("--contact", default=None, help="How to reach the victim (kept encrypted).")
@click.option("--invitation", default=None, help="Join a collective case with this code.")
@click.pass_obj
def create(
    app: App,
    minor: bool,
    sextortion: bool,
    language: str,
    contact: str | None,
    invitation: str | None,
) -> int:
    """Open a case; prints its number and its secret, which is shown this once only."""
    case, secret = cases_of(app).create(
        language=language,
        minor=minor,
        sextortion=sextortion,
        contact=contact,
        invitation=invitation,
        actor=actor(),
    )
    _echo_json({**case_row(case), "secret": secret})
    click.echo(
        f"opened case {case.number}. Give the victim its number and its secret now: the secret "
        "is shown only this once, is stored only as a hash, and cannot be recovered",
        err=True,
    )
    return exit_codes.OK


@case_group.command("show")
@click.argument("number")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def show(app: App, number: str, fmt: str) -> int:
    """Show a case: its status, items, re-uploads blocked and custody log head."""
    from bouclier.storage.models import utc_iso

    cases = cases_of(app)
    case = cases.get(number)
    items = cases.items(case.number)
    reuploads = cases.reuploads(case.number)
    verification = cases.verify(case.number)
    custody = {"length": verification.length, "head": verification.head, "ok": verification.ok}
    reupload_rows = [
        {"platform": r.platform, "action": r.action, "at": utc_iso(r.at), "item": r.item_id}
        for r in reuploads
    ]
    if fmt == "jsonl":
        _echo_json(
            {
                "case": case_row(case),
                "items": [item_row(i) for i in items],
                "reuploads": reupload_rows,
                "custody": custody,
            }
        )
        return exit_codes.OK
    for key, value in case_row(case).items():
        click.echo(f"{key + ':':14}{'-' if value is None else value}")
    click.echo(
        f"{'custody:':14}{verification.length} entries, head {verification.head}"
        + ("" if verification.ok else " - DOES NOT VERIFY (bouclier evidence verify)")
    )
    click.echo(f"\nitems ({len(items)}):")
    write_table([item_row(i) for i in items], ITEM_COLUMNS, sys.stdout)
    click.echo(f"\nre-uploads blocked ({len(reuploads)}):")
    write_table(reupload_rows, ("platform", "action", "at", "item"), sys.stdout)
    return exit_codes.OK


@case_group.command("list")
@click.option("--all", "include_closed", is_flag=True, help="Closed cases too.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def list_(app: App, include_closed: bool, limit: int, fmt: str) -> int:
    """The queue: open cases, most urgent first (a minor, then sextortion, then the oldest)."""
    printer = Printer(
        fmt,
        (
            "number",
            "status",
            "minor",
            "sextortion",
            "items",
            "pending",
            "reuploads",
            "open_notices",
            "overdue_notices",
            "created_at",
        ),
    )
    for entry in cases_of(app).queue(include_closed=include_closed, limit=limit):
        printer.row(
            {
                **case_row(entry.case),
                "items": entry.items,
                "pending": entry.pending,
                "reuploads": entry.reuploads,
                "open_notices": entry.open_notices,
                "overdue_notices": entry.overdue_notices,
            }
        )
    printer.close()
    return exit_codes.OK


@case_group.command("add-url")
@click.argument("number")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
def add_url(app: App, number: str, urls: tuple[str, ...]) -> int:
    """Add URLs where an image of the case was seen (one JSON line per new item)."""
    added = cases_of(app).add_urls(number, list(urls), actor=actor())
    for item in added:
        _echo_json(item_row(item))
    click.echo(f"added {len(added)} URLs ({len(urls) - len(added)} already known)", err=True)
    return exit_codes.OK


@case_group.command("add-hash")
@click.argument("number")
@click.argument("pdq")
@click.option("--quality", type=int, default=None, help="PDQ quality, 0 to 100.")
@click.option("--sha256", default=None, help="SHA-256 of the image file.")
@click.pass_obj
def add_hash(app: App, number: str, pdq: str, quality: int | None, sha256: str | None) -> int:
    """Add a PDQ hash of an image of the case; it goes into the victim bank at once."""
    from bouclier.cases import HashReport

    added = cases_of(app).add_hashes(number, [HashReport(pdq, quality, sha256)], actor=actor())
    for item in added:
        _echo_json(item_row(item))
    click.echo("added the hash" if added else "this hash is already in the case", err=True)
    return exit_codes.OK


@case_group.command("review")
@click.argument("number")
@click.argument("item", type=int)
@click.argument("decision", type=click.Choice(REVIEW_DECISIONS))
@click.pass_obj
def review(app: App, number: str, item: int, decision: str) -> int:
    """Confirm a hash (it stays in the victim bank) or reject it (a known false positive)."""
    info = cases_of(app).review_item(number, item, decision, actor=actor())
    _echo_json(item_row(info))
    click.echo(f"item {info.id} is {info.status}", err=True)
    return exit_codes.OK


@case_group.command("merge")
@click.argument("source")
@click.argument("target")
@click.pass_obj
def merge(app: App, source: str, target: str) -> int:
    """Merge SOURCE into TARGET (the same victim reported twice): items, notices, re-uploads."""
    case = cases_of(app).merge(source, target, actor=actor())
    _echo_json(case_row(case))
    click.echo(f"merged {source} into {case.number}", err=True)
    return exit_codes.OK


@case_group.command("withdraw")
@click.argument("number")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def withdraw(app: App, number: str, yes: bool) -> int:
    """Delete a case for real: hashes, items, evidence, notices, custody log, enrolments."""
    from bouclier.storage.models import utc_iso

    cases = cases_of(app)
    case = cases.get(number)  # NotFound before asking anything
    if not yes:
        click.confirm(
            f"delete case {case.number} and everything of it (hashes, evidence, log) for good?",
            abort=True,
        )
    done = cases.withdraw(case.number)
    _echo_json(
        {
            "number": done.case_number,
            "at": utc_iso(done.at),
            "items": done.items,
            "hashes": done.hashes,
            "evidence": done.evidence,
            "enrolments": done.enrolments,
        }
    )
    click.echo(
        f"withdrew {done.case_number}: {done.items} items, {done.hashes} hashes, "
        f"{done.evidence} evidence files deleted",
        err=True,
    )
    return exit_codes.OK


@case_group.command("invite")
@click.argument("number")
@click.pass_obj
def invite(app: App, number: str) -> int:
    """Make an invitation code for other families to join this case's collective case."""
    code = cases_of(app).invite(number, actor=actor())
    _echo_json({"number": cases_of(app).get(number).number, "invitation": code})
    click.echo(
        "give this code to the families who file together; codes made before keep working",
        err=True,
    )
    return exit_codes.OK

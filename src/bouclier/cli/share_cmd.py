"""``bouclier bank publish`` and ``bouclier bank follow``: sharing banks between organisations.

``publish`` sets whom a bank is shared with (:mod:`bouclier.banks.sharing`); ``follow`` mirrors
another Bouclier's banks into this one's database by delta sync (:mod:`bouclier.banks.follower`),
once (``--once``) or until interrupted, pulling at once on a NATS change notice (``--nats``) and
otherwise every ``--interval`` seconds.
"""

from __future__ import annotations

import logging
import threading

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.output import Printer
from bouclier.vocabulary import BANK_AUDIENCES

log = logging.getLogger(__name__)


def _audience(value: str) -> tuple[str, tuple[int, ...]]:
    if value in BANK_AUDIENCES and value != "keys":
        return value, ()
    try:
        ids = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(
            "all, none, or API key ids separated by commas (bouclier key list)"
        ) from None
    if not ids:
        raise click.BadParameter("all, none, or API key ids separated by commas")
    return "keys", ids


@click.command("publish")
@click.argument("name")
@click.option(
    "--to",
    "audience",
    default=None,
    help="all (every platform key, the default of a bank never published), none (analysts "
    "only), or platform key ids separated by commas. Without it: show the bank's audience.",
)
@click.pass_obj
def publish(app: App, name: str, audience: str | None) -> int:
    """Set (or show) whom a bank's hashes and changes are shared with. ORB entries are never
    shared; pages of changes are signed with this instance's key."""
    from bouclier.banks.sharing import Publications

    publications = Publications(app.db)
    if audience is None:
        found = publications.of(name)
    else:
        kind, ids = _audience(audience)
        found = publications.publish(name, kind, ids)
    Printer("jsonl", ()).row(found.to_dict())
    return exit_codes.OK


@click.command("follow")
@click.argument("url")
@click.option(
    "--key",
    envvar="BOUCLIER_FOLLOW_KEY",
    required=True,
    help="An API key of the publisher (a platform or analyst key; or BOUCLIER_FOLLOW_KEY).",
)
@click.option(
    "--bank",
    "banks",
    multiple=True,
    help="Follow this bank (repeatable; default: every bank the publisher shares with the key).",
)
@click.option(
    "--expect-key",
    default=None,
    help="The publisher's signing key fingerprint (SHA256:...); default: pinned on first contact.",
)
@click.option("--prefix", default="", help="Prefix of the local banks' names (default: none).")
@click.option("--once", is_flag=True, help="Sync once and exit (default: keep following).")
@click.option(
    "--interval",
    type=click.FloatRange(0.1, 86400),
    default=60.0,
    show_default=True,
    help="Seconds between polls.",
)
@click.option(
    "--nats",
    "nats_url",
    default=None,
    help="Pull at once on the publisher's change notices from this NATS server (nats://host:4222).",
)
@click.option("--nats-subject", default="bouclier.banks.changes", show_default=True)
@click.pass_obj
def follow(
    app: App,
    url: str,
    key: str,
    banks: tuple[str, ...],
    expect_key: str | None,
    prefix: str,
    once: bool,
    interval: float,
    nats_url: str | None,
    nats_subject: str,
) -> int:
    """Mirror another Bouclier's banks into this database by delta sync (signed pages,
    resumable, removals applied), so that platforms match locally. Prints one JSON line per
    bank synced that changed."""
    from bouclier.banks.follower import Follower
    from bouclier.banks.notices import NoticeListener
    from bouclier.banks.remote import Synced
    from bouclier.errors import RemoteError

    follower = Follower(app.store, url, key, expect_key=expect_key, prefix=prefix)
    printer = Printer("jsonl", ())
    wake = threading.Event()
    listener = None
    if nats_url and not once:
        listener = NoticeListener(nats_url, nats_subject, lambda _cursor: wake.set())
        listener.start()

    def report(done: list[Synced]) -> None:
        for synced in done:
            if once or synced.changed:
                printer.row(synced.to_dict())

    def warn(exc: RemoteError) -> None:
        log.warning("follow: %s [%s]", exc.message, exc.code)

    names = list(banks) or None  # None: every bank the publisher shares
    try:
        if once:
            report(follower.sync(names))
            return exit_codes.OK
        follower.keep_following(
            names,
            interval,
            wake=wake,
            stop=threading.Event(),  # runs until interrupted
            report=report,
            on_error=warn,
        )
        return exit_codes.OK
    finally:
        if listener is not None:
            listener.close()
        follower.close()

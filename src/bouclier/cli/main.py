"""The ``bouclier`` command: its group, its error handling and its exit codes.

Every error a user can cause ends as one line on stderr (``bouclier: <message> [<code>]``) and the
exit code that ``bouclier.cli.exit_codes`` gives its class; results go to stdout.
"""

from __future__ import annotations

import sys

import click

from bouclier import __version__
from bouclier.cli import (
    case_upkeep_cmd,  # noqa: F401 (adds its commands to case_group)
    exit_codes,
)
from bouclier.cli.analyst_cmd import analyst_group
from bouclier.cli.app import App
from bouclier.cli.backscan_cmd import backscan_command
from bouclier.cli.bank_cmd import bank_group
from bouclier.cli.capture_cmd import capture_group
from bouclier.cli.case_cmd import case_group
from bouclier.cli.enrol_cmd import enrol_group
from bouclier.cli.evidence_cmd import evidence_group
from bouclier.cli.guard_cmd import guard_group
from bouclier.cli.hash_cmd import hash_command
from bouclier.cli.key_cmd import key_group
from bouclier.cli.match_cmd import match_command
from bouclier.cli.notice_cmd import notice_group
from bouclier.cli.scan_cmd import scan_command
from bouclier.cli.serve_cmd import serve_command
from bouclier.cli.share_cmd import follow, publish
from bouclier.cli.webhook_cmd import webhook_group
from bouclier.errors import BouclierError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bouclier")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Bouclier: find and stop non-consensual intimate images.

    Exit codes: 0 success, 1 some inputs failed (see their error lines), 2 usage error,
    3 not found, 4 conflict, 5 invalid input, 6 configuration or database error,
    7 verification failed (evidence altered or damaged), 70 internal error.
    """
    ctx.obj = App()
    ctx.call_on_close(ctx.obj.close)


@cli.command("status")
@click.pass_obj
def status(app: App) -> int:
    """Show where Bouclier keeps its data and what the banks hold."""
    banks = app.store.banks()
    url = app.db.engine.url.render_as_string(hide_password=True)
    click.echo(f"bouclier {__version__}")
    click.echo(f"database: {url}")
    click.echo(f"banks: {len(banks)} ({sum(b.size for b in banks)} hashes)")
    for bank in banks:
        click.echo(f"  {bank.name}: {bank.kind}, threshold {bank.threshold}, {bank.size} hashes")
    return exit_codes.OK


@cli.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@click.pass_obj
def db_upgrade(app: App) -> int:
    """Apply the database migrations (every command also does it on first use)."""
    app.db.upgrade()
    click.echo("database is up to date", err=True)
    return exit_codes.OK


cli.add_command(hash_command)
cli.add_command(match_command)
cli.add_command(notice_group)
cli.add_command(bank_group)
bank_group.add_command(publish)
bank_group.add_command(follow)
cli.add_command(enrol_group)
cli.add_command(case_group)
cli.add_command(evidence_group)
cli.add_command(capture_group)
cli.add_command(scan_command)
cli.add_command(backscan_command)
cli.add_command(guard_group)
cli.add_command(key_group)
cli.add_command(webhook_group)
cli.add_command(serve_command)
cli.add_command(analyst_group)


def run(args: list[str] | None = None) -> int:
    """Runs the CLI and returns its exit code (tests call this; ``main`` exits with it)."""
    try:
        result = cli.main(args=args, prog_name="bouclier", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("bouclier: interrupted", err=True)
        return exit_codes.INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exit_codes.USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except BouclierError as exc:
        click.echo(f"bouclier: {exc.message} [{exc.code}]", err=True)
        return exit_codes.for_error(exc)
    except KeyboardInterrupt:
        click.echo("bouclier: interrupted", err=True)
        return exit_codes.INTERRUPTED
    except BrokenPipeError:
        return exit_codes.OK  # `bouclier hash ... | head` is not an error
    return result if isinstance(result, int) else exit_codes.OK


def main() -> None:
    sys.exit(run())

"""``bouclier analyst``: the analysts' accounts of the console (create, list, disable)."""

from __future__ import annotations

import json
import sys

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App


@click.group("analyst")
def analyst_group() -> None:
    """Analysts' accounts of the web console (/console)."""


@analyst_group.command("create")
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin (for scripts) instead of prompting.",
)
@click.pass_obj
def create(app: App, username: str, password_stdin: bool) -> int:
    """Create an analyst; the password is asked twice, hidden (at least 12 characters)."""
    from bouclier.accounts.analysts import MIN_PASSWORD, Analysts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Password for {username} (at least {MIN_PASSWORD} characters)",
            hide_input=True,
            confirmation_prompt="Repeat the password",
            err=True,
        )
    info = Analysts(app.db).create(username, password)
    click.echo(f"created analyst {info.username}", err=True)
    return exit_codes.OK


@analyst_group.command("list")
@click.pass_obj
def list_analysts(app: App) -> int:
    """List analysts as JSON lines (id, username, created_at, disabled_at)."""
    from bouclier.accounts.analysts import Analysts

    for info in Analysts(app.db).list():
        click.echo(json.dumps(info.to_dict()))
    return exit_codes.OK


@analyst_group.command("disable")
@click.argument("username")
@click.pass_obj
def disable(app: App, username: str) -> int:
    """Disable an analyst: no more logins, and open console sessions end at once."""
    from bouclier.accounts.analysts import Analysts

    info = Analysts(app.db).disable(username)
    click.echo(f"disabled analyst {info.username}", err=True)
    return exit_codes.OK

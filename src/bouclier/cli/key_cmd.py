"""``bouclier key``: API keys of the HTTP service (create, list, revoke)."""

from __future__ import annotations

import json

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.vocabulary import API_ROLES


@click.group("key")
def key_group() -> None:
    """API keys of the HTTP service (`bouclier serve`), each with one role."""


@key_group.command("create")
@click.option("--role", type=click.Choice(API_ROLES), required=True)
@click.option("--name", required=True, help="Who or what the key is for.")
@click.pass_obj
def create(app: App, role: str, name: str) -> int:
    """Create a key and print it, once: only its SHA-256 is kept."""
    from bouclier.accounts.api_keys import ApiKeyStore

    info, key = ApiKeyStore(app.db).create(name, role)
    click.echo(key)
    click.echo(f"created key {info.id} ({info.role}, {info.name}); it is not shown again", err=True)
    return exit_codes.OK


@key_group.command("list")
@click.pass_obj
def list_keys(app: App) -> int:
    """List keys as JSON lines (id, name, role, prefix, created_at, revoked_at)."""
    from bouclier.accounts.api_keys import ApiKeyStore

    for info in ApiKeyStore(app.db).list():
        click.echo(json.dumps(info.to_dict()))
    return exit_codes.OK


@key_group.command("revoke")
@click.argument("key_id", type=int)
@click.pass_obj
def revoke(app: App, key_id: int) -> int:
    """Revoke a key: it is refused from the next request on."""
    from bouclier.accounts.api_keys import ApiKeyStore

    info = ApiKeyStore(app.db).revoke(key_id)
    click.echo(f"revoked key {info.id} ({info.role}, {info.name})", err=True)
    return exit_codes.OK

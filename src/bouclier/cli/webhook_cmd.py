"""``bouclier webhook``: platforms' webhook endpoints (create, list, change their events) and their
delivery log."""

from __future__ import annotations

import json

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.lazy_types import LazyIntRange
from bouclier.vocabulary import DELIVERY_STATUSES, WEBHOOK_EVENTS


@click.group("webhook")
def webhook_group() -> None:
    """Webhooks: endpoints Bouclier calls, signed, when banks change or a takedown is requested."""


@webhook_group.command("create")
@click.option("--name", required=True, help="A name to tell webhooks apart.")
@click.option(
    "--url",
    required=True,
    help="https:// URL to public addresses (http:// and internal addresses only for the hosts in "
    "BOUCLIER_WEBHOOK_ALLOWED_HOSTS).",
)
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice(WEBHOOK_EVENTS),
    help="An event to send (repeatable); default: all.",
)
@click.option("--key-id", type=int, help="The platform's API key id that owns the webhook.")
@click.pass_obj
def create(app: App, name: str, url: str, events: tuple[str, ...], key_id: int | None) -> int:
    """Register a webhook and print its signing secret, once."""
    from bouclier.webhooks.store import WebhookStore

    store = WebhookStore.from_settings(app.db, app.settings)
    info, secret = store.create(name, url, events or None, api_key_id=key_id)
    click.echo(secret)
    click.echo(f"created webhook {info.id} ({info.name}); its secret is not shown again", err=True)
    return exit_codes.OK


@webhook_group.command("list")
@click.pass_obj
def list_webhooks(app: App) -> int:
    """List webhooks as JSON lines (id, name, url, events, api_key_id, created_at, disabled_at)."""
    from bouclier.webhooks.store import WebhookStore

    for info in WebhookStore(app.db).webhooks():
        click.echo(json.dumps(info.to_dict()))
    return exit_codes.OK


@webhook_group.command("events")
@click.argument("webhook_id", type=int)
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    type=click.Choice(WEBHOOK_EVENTS),
    help="An event to send from now on (repeatable): the list replaces the webhook's.",
)
@click.pass_obj
def set_events(app: App, webhook_id: int, events: tuple[str, ...]) -> int:
    """Replace the events a webhook receives; print it as a JSON line."""
    from bouclier.webhooks.store import WebhookStore

    info = WebhookStore(app.db).set_events(webhook_id, events)
    click.echo(json.dumps(info.to_dict()))
    return exit_codes.OK


@webhook_group.command("deliveries")
@click.argument("webhook_id", type=int)
@click.option("--status", type=click.Choice(DELIVERY_STATUSES), help="Only these.")
@click.option(
    "--limit",
    type=LazyIntRange(1, "bouclier.webhooks.store:MAX_PAGE"),
    default=100,
    show_default=True,
)
@click.pass_obj
def deliveries(app: App, webhook_id: int, status: str | None, limit: int) -> int:
    """A webhook's delivery log, newest first, as JSON lines (attempts, last status, error)."""
    from bouclier.webhooks.store import WebhookStore

    for info in WebhookStore(app.db).deliveries(webhook_id, status=status, limit=limit):
        click.echo(json.dumps(info.to_dict()))
    return exit_codes.OK

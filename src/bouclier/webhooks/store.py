"""Webhook endpoints and their delivery log: create (secret shown once), list, change the events,
disable, delete, read the deliveries page by page, deliver one again.

An endpoint's URL is ``https``, without credentials (the signature,
:mod:`bouclier.webhooks.signing`, is how a platform knows the caller), and may not point at
Bouclier's own machine or networks: loopback, private, link-local, CGNAT and reserved addresses
are refused, literal or resolved, here and again before each delivery
(:mod:`bouclier.webhooks.destinations`), unless the operator listed the host
(``BOUCLIER_WEBHOOK_ALLOWED_HOSTS``); only listed hosts may use plain ``http``. An API key may
have at most ``BOUCLIER_WEBHOOKS_PER_KEY`` webhooks (409 ``webhook_limit_reached``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from bouclier.errors import Conflict, InputError, NotFound
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import ApiKey, Webhook, WebhookDelivery, utc_iso, utcnow
from bouclier.vocabulary import DELIVERY_STATUSES, WEBHOOK_EVENTS
from bouclier.webhooks.destinations import Destinations, RefusedDestination
from bouclier.webhooks.fanout import fan_out_all
from bouclier.webhooks.signing import new_secret

MAX_URL = 2000
MAX_NAME = 100
MAX_PAGE = 500
#: Webhooks an API key may have unless the settings say otherwise (BOUCLIER_WEBHOOKS_PER_KEY).
PER_KEY = 10


@dataclass(frozen=True, slots=True)
class WebhookInfo:
    id: int
    name: str
    url: str
    events: tuple[str, ...]
    api_key_id: int | None
    created_at: datetime
    disabled_at: datetime | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "events": list(self.events),
            "api_key_id": self.api_key_id,
            "created_at": utc_iso(self.created_at),
            "disabled_at": utc_iso(self.disabled_at) if self.disabled_at else None,
        }


@dataclass(frozen=True, slots=True)
class DeliveryInfo:
    """One line of the delivery log (the body itself is not in it: it may carry a hash)."""

    id: int
    webhook_id: int
    event: str
    entry_id: int | None
    first_cursor: int | None
    last_cursor: int | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "webhook_id": self.webhook_id,
            "event": self.event,
            "entry_id": self.entry_id,
            "first_cursor": self.first_cursor,
            "last_cursor": self.last_cursor,
            "status": self.status,
            "attempts": self.attempts,
            "next_attempt_at": utc_iso(self.next_attempt_at),
            "last_status": self.last_status,
            "last_error": self.last_error,
            "created_at": utc_iso(self.created_at),
            "delivered_at": utc_iso(self.delivered_at) if self.delivered_at else None,
        }


def _printable(name: str, value: str) -> None:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InputError(f"{name} may not contain control characters", code=f"invalid_{name}")


def validate_url(url: str, destinations: Destinations | None = None) -> str:
    """The URL, stripped, if Bouclier may call it; else InputError ``invalid_webhook_url``.
    A host name is resolved and every address checked (one that does not resolve yet passes:
    it is checked again before each delivery)."""
    policy = destinations or Destinations()

    def refuse(why: str) -> InputError:
        return InputError(f"a webhook URL {why}", code="invalid_webhook_url")

    if not isinstance(url, str):
        raise refuse("is text")
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise refuse(f"is 1 to {MAX_URL} characters")
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise refuse("may not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise refuse("must be a valid URL") from None
    if parts.scheme not in ("https", "http"):
        raise refuse("starts with https://")
    if not host:
        raise refuse("names a host")
    if parts.username is not None or parts.password is not None:
        raise refuse("may not carry credentials (user:password@)")
    if parts.scheme == "http" and not policy.listed(host):
        raise refuse("uses https:// (http:// only for hosts the operator allowed)")
    try:
        policy.check(host, port or (443 if parts.scheme == "https" else 80))
    except RefusedDestination:
        raise refuse(
            "may not point at a loopback, private, link-local, shared (CGNAT) or reserved "
            "address unless the operator allowed its host (BOUCLIER_WEBHOOK_ALLOWED_HOSTS)"
        ) from None
    return url


def validate_events(events: Sequence[str] | None) -> tuple[str, ...]:
    if events is None:
        return WEBHOOK_EVENTS
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown or not events:
        raise InputError(
            f"events are some of {', '.join(WEBHOOK_EVENTS)}", code="invalid_webhook_events"
        )
    return tuple(e for e in WEBHOOK_EVENTS if e in events)


def _info(row: Webhook) -> WebhookInfo:
    events = tuple(e for e in row.events.split(",") if e)
    return WebhookInfo(
        row.id, row.name, row.url, events, row.api_key_id, row.created_at, row.disabled_at
    )


def delivery_info(row: WebhookDelivery) -> DeliveryInfo:
    return DeliveryInfo(
        id=row.id,
        webhook_id=row.webhook_id,
        event=row.event,
        entry_id=row.entry_id,
        first_cursor=row.first_cursor,
        last_cursor=row.last_cursor,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_status=row.last_status,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


class WebhookStore:
    """The endpoints of one database. ``destinations`` is where webhooks may point (default:
    public addresses only); ``per_key`` caps the webhooks of one API key."""

    def __init__(
        self, db: Database, *, destinations: Destinations | None = None, per_key: int = PER_KEY
    ) -> None:
        self.db = db
        self.destinations = destinations or Destinations()
        self.per_key = per_key

    def create(
        self,
        name: str,
        url: str,
        events: Sequence[str] | None = None,
        *,
        api_key_id: int | None = None,
    ) -> tuple[WebhookInfo, str]:
        """Registers an endpoint; returns it and its signing secret, which is not shown again."""
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_NAME:
            raise InputError(
                f"a webhook's name is 1 to {MAX_NAME} characters", code="invalid_webhook_name"
            )
        _printable("webhook_name", name)
        url = validate_url(url, self.destinations)
        chosen = validate_events(events)
        secret = new_secret()
        with self.db.transaction() as session:
            if api_key_id is not None:
                self._within_cap(session, api_key_id)
            row = Webhook(
                name=name.strip(),
                url=url,
                events=",".join(chosen),
                secret=secret,
                api_key_id=api_key_id,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return _info(row), secret

    @classmethod
    def from_settings(cls, db: Database, settings: Settings) -> WebhookStore:
        """The store with the operator's cap and allowed hosts."""
        return cls(
            db,
            destinations=Destinations.allowing(settings.webhook_allowed),
            per_key=settings.webhooks_per_key,
        )

    def _within_cap(self, session: Session, api_key_id: int) -> None:
        """Conflict ``webhook_limit_reached`` if the key has its most webhooks already. On
        PostgreSQL the key's row is locked first, so that two creations at once count one after
        the other; SQLite has one writer at a time, and a second writer that read before the
        first committed fails rather than writes."""
        if self.db.dialect == "postgresql":
            session.execute(select(ApiKey.id).where(ApiKey.id == api_key_id).with_for_update())
        count = session.scalar(
            select(func.count()).select_from(Webhook).where(Webhook.api_key_id == api_key_id)
        )
        if (count or 0) >= self.per_key:
            raise Conflict(
                f"this key has {count} webhooks, the most allowed "
                f"(BOUCLIER_WEBHOOKS_PER_KEY={self.per_key}): delete one first",
                code="webhook_limit_reached",
            )

    def webhooks(self, *, api_key_id: int | None = None) -> list[WebhookInfo]:
        """Every endpoint, or only those of one API key."""
        query = select(Webhook).order_by(Webhook.id)
        if api_key_id is not None:
            query = query.where(Webhook.api_key_id == api_key_id)
        with self.db.transaction() as session:
            return [_info(row) for row in session.scalars(query).all()]

    def get(self, webhook_id: int, *, api_key_id: int | None = None) -> WebhookInfo:
        """One endpoint (of that key, if given), else NotFound ``webhook_not_found``."""
        with self.db.transaction() as session:
            return _info(_owned(session, webhook_id, api_key_id))

    def disable(self, webhook_id: int, *, api_key_id: int | None = None) -> WebhookInfo:
        """Stops new events for an endpoint and the delivery of its pending ones (kept)."""
        with self.db.transaction() as session:
            row = _owned(session, webhook_id, api_key_id)
            if row.disabled_at is None:
                row.disabled_at = utcnow()
            return _info(row)

    def set_events(
        self, webhook_id: int, events: Sequence[str], *, api_key_id: int | None = None
    ) -> WebhookInfo:
        """Replaces the events an endpoint receives (an old webhook opts in to ``hash.updated``
        here). The bank changes already made are fanned out first, under the events chosen
        until now: the new list applies to events made from this call on."""
        chosen = validate_events(events)
        fan_out_all(self.db)
        with self.db.transaction() as session:
            row = _owned(session, webhook_id, api_key_id)
            row.events = ",".join(chosen)
            return _info(row)

    def delete(self, webhook_id: int, *, api_key_id: int | None = None) -> None:
        """Deletes an endpoint and its delivery log."""
        with self.db.transaction() as session:
            row = _owned(session, webhook_id, api_key_id)
            session.execute(delete(Webhook).where(Webhook.id == row.id))

    def deliveries(
        self,
        webhook_id: int,
        *,
        api_key_id: int | None = None,
        status: str | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> list[DeliveryInfo]:
        """An endpoint's deliveries, newest first; page on with ``before`` = the last id seen.
        The bank changes not yet fanned out are first (:mod:`bouclier.webhooks.fanout`), so the
        log shows every event already made."""
        if not 1 <= limit <= MAX_PAGE:
            raise InputError(f"limit is from 1 to {MAX_PAGE}", code="invalid_limit")
        if status is not None and status not in DELIVERY_STATUSES:
            raise InputError(
                f"status is one of {', '.join(DELIVERY_STATUSES)}", code="invalid_status"
            )
        fan_out_all(self.db)
        with self.db.transaction() as session:
            _owned(session, webhook_id, api_key_id)
            query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
            if status is not None:
                query = query.where(WebhookDelivery.status == status)
            if before is not None:
                query = query.where(WebhookDelivery.id < before)
            rows = session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()
            return [delivery_info(row) for row in rows]

    def redeliver(
        self,
        webhook_id: int,
        delivery_id: int,
        *,
        api_key_id: int | None = None,
        now: datetime | None = None,
    ) -> DeliveryInfo:
        """Sends a delivered or failed delivery again, with a fresh back-off schedule; 409
        ``delivery_pending`` if it is still waiting to go out."""
        moment = now or utcnow()
        with self.db.transaction() as session:
            _owned(session, webhook_id, api_key_id)
            row = session.scalar(
                select(WebhookDelivery).where(
                    WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook_id
                )
            )
            if row is None:
                raise NotFound(
                    f"webhook {webhook_id} has no delivery {delivery_id}",
                    code="delivery_not_found",
                )
            # Only a row no deliverer holds: a pending one may be in flight (attempts fences it).
            result = session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == row.id, WebhookDelivery.status != "pending")
                .values(status="pending", attempts=0, next_attempt_at=moment, delivered_at=None)
            )
            changed = cast(CursorResult[Any], result).rowcount
            if not changed:
                raise Conflict(
                    f"delivery {delivery_id} is already waiting to be delivered",
                    code="delivery_pending",
                )
            session.refresh(row)
            return delivery_info(row)


def _owned(session: Session, webhook_id: int, api_key_id: int | None) -> Webhook:
    row = session.get(Webhook, webhook_id)
    if row is None or (api_key_id is not None and row.api_key_id != api_key_id):
        raise NotFound(f"no webhook {webhook_id}", code="webhook_not_found")
    return row

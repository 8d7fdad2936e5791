"""The outbox: events become ``webhook_deliveries`` rows in the transaction that causes them.

:func:`enqueue` writes one row per active webhook subscribed to the event, with the caller's
session: the event commits with what it records, or neither does, so nothing acknowledged is lost
and nothing rolled back is announced. With no subscriber, an event costs one read of the (small)
``webhooks`` table. Bank changes are announced from the bank change log: the fan-out
(:mod:`bouclier.webhooks.fanout`) calls :func:`enqueue_hash_changes` for them.

Every body has the same envelope, compact JSON with sorted keys, signed and sent as it is::

    {"event": "takedown.requested", "created_at": "2026-11-21T08:00:00Z", "data": {...}}

A bank write is one ``hash.added``, ``hash.removed`` or ``hash.updated`` event, however many
hashes it has: one delivery per webhook and :data:`CHANGES_PER_DELIVERY` changes (an import of
200,000 hashes is 200 deliveries per webhook, not 200,000). Such a row stores only the envelope
and the range of the write's changes in the change log (``first_cursor``, ``last_cursor``); the
changes themselves are read from the log when the body is sent (:func:`expand`)::

    {"event": "hash.added", "created_at": "2026-11-21T08:00:00Z",
     "data": {"bank": "victims", "bank_kind": "victim", "first_cursor": 345, "last_cursor": 346,
              "changes": [{"cursor": 345, "entry_id": 12, "signal_type": "pdq",
                           "value": "f8f8...", "quality": 94, "reviewed": true,
                           "minor": false},
                          {"cursor": 346, "entry_id": 13, "signal_type": "pdq",
                           "value": "0e1f...", "quality": null, "reviewed": false,
                           "minor": false}]}}

``quality``, ``reviewed`` and ``minor`` are the entry's, as in a page of changes
(:mod:`bouclier.banks.sharing`); null in a removal, or once the entry is gone. A ``hash.updated``
event has the same body: what is shared of entries already announced changed (an analyst
confirmed them, their case became a minor's); replace what you hold of each, if you hold it.

``cursor`` is each change's cursor in the bank's change log (``GET /v1/banks/{name}/changes``).
When a case is withdrawn, its additions leave the log and its removals keep ``"value": null``:
the bodies sent after that never carry its hashes, and platforms drop the entry by ``entry_id``.
Deliveries written before this format (one per hash, ``data.entry_id``/``value``/``pdq``, their
body stored whole) are still sent as they are; :func:`forget_entries` scrubs those.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bouclier.banks.sharing import GONE, WITH_STANDING, shared, standings
from bouclier.errors import InputError, NotFound
from bouclier.signals.registry import server_only_names
from bouclier.storage.models import HashChange, Webhook, WebhookDelivery, utc_iso, utcnow
from bouclier.vocabulary import WEBHOOK_EVENTS

_INSERT_BATCH = 5000
#: The most bank changes one ``hash.added`` / ``hash.removed`` delivery carries (a body of about
#: 130 kB of PDQ changes); a larger bank write is announced in several deliveries.
CHANGES_PER_DELIVERY = 1000
_SCRUB_BATCH = 500
HASH_EVENTS = {"add": "hash.added", "remove": "hash.removed", "update": "hash.updated"}
TAKEDOWN = "takedown.requested"


def body(event: str, data: Mapping[str, Any], at: datetime) -> str:
    """The JSON body of an event, compact and with sorted keys (what is signed is what is sent)."""
    envelope = {"event": event, "created_at": utc_iso(at), "data": dict(data)}
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)


def subscribers(session: Session, event: str) -> list[int]:
    """The ids of the active webhooks subscribed to ``event``: one read of a small table."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    rows = session.execute(
        select(Webhook.id, Webhook.events).where(Webhook.disabled_at.is_(None))
    ).all()
    return [webhook_id for webhook_id, events in rows if event in events.split(",")]


def _insert(
    session: Session,
    webhooks: Sequence[int],
    event: str,
    items: Iterable[tuple[int | None, str]],
    now: datetime | None = None,
) -> int:
    """One delivery per (webhook, item), due ``now``, in bulk; returns how many rows were
    written."""
    now = now or utcnow()
    batch: list[dict[str, Any]] = []
    written = 0
    for entry_id, payload in items:
        for webhook_id in webhooks:
            batch.append(
                {
                    "webhook_id": webhook_id,
                    "event": event,
                    "entry_id": entry_id,
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
        if len(batch) >= _INSERT_BATCH:
            session.execute(insert(WebhookDelivery), batch)
            written += len(batch)
            batch = []
    if batch:
        session.execute(insert(WebhookDelivery), batch)
        written += len(batch)
    return written


def enqueue(
    session: Session, event: str, payload: Mapping[str, Any], entry_id: int | None = None
) -> int:
    """Queues ``event`` with ``payload`` (its ``data``) for every active webhook subscribed to it,
    in the caller's transaction; returns how many deliveries were queued."""
    hooks = subscribers(session, event)
    if not hooks:
        return 0
    return _insert(session, hooks, event, [(entry_id, body(event, payload, utcnow()))])


def enqueue_hash_changes(
    session: Session,
    webhooks: Sequence[int],
    op: str,
    bank: str | None,
    bank_kind: str | None,
    cursors: Sequence[int],
    at: datetime,
    due: datetime | None = None,
) -> int:
    """The ``hash.added`` / ``hash.removed`` deliveries of one bank write, made by the fan-out
    from the change log (:mod:`bouclier.webhooks.fanout`): ``cursors`` are the write's changes,
    consecutive in the log (nothing else lies between the first and the last); ``at`` is the
    write's time, ``due`` when the deliveries are first due (now by default). One delivery per
    webhook and :data:`CHANGES_PER_DELIVERY` changes; returns how many rows were written."""
    event = HASH_EVENTS[op]
    pages = [
        (cursors[start], cursors[min(start + CHANGES_PER_DELIVERY, len(cursors)) - 1])
        for start in range(0, len(cursors), CHANGES_PER_DELIVERY)
    ]
    now = due or utcnow()
    rows = [
        {
            "webhook_id": webhook_id,
            "event": event,
            "entry_id": None,
            "first_cursor": first,
            "last_cursor": last,
            "payload": body(
                event,
                {"bank": bank, "bank_kind": bank_kind, "first_cursor": first, "last_cursor": last},
                at,
            ),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for first, last in pages
        for webhook_id in webhooks
    ]
    for start in range(0, len(rows), _INSERT_BATCH):
        session.execute(insert(WebhookDelivery), rows[start : start + _INSERT_BATCH])
    return len(rows)


def expand(session: Session, payload: str, first: int | None, last: int | None) -> str:
    """The body to send for a delivery: its stored ``payload``, with a hash delivery's changes
    read from the change log (``first``..``last``) into ``data.changes``. A withdrawn case's
    changes are gone from the log (additions) or blanked (removals, ``"value": null``)."""
    if first is None or last is None:
        return payload
    envelope = json.loads(payload)
    op = next(op for op, event in HASH_EVENTS.items() if event == envelope["event"])
    private = server_only_names()  # ORB keypoints never leave the instance
    rows = session.execute(
        select(HashChange.id, HashChange.entry_id, HashChange.signal_type, HashChange.value)
        .where(HashChange.id >= first, HashChange.id <= last, HashChange.op == op)
        .where(HashChange.signal_type.not_in(private))
        .order_by(HashChange.id)
    ).all()
    # The entry's standing, with the names of a page of changes (bouclier.banks.sharing).
    carries = op in WITH_STANDING
    found = standings(session, [entry_id for _, entry_id, _, _ in rows]) if carries else {}
    envelope["data"]["changes"] = [
        {
            "cursor": cursor,
            "entry_id": entry_id,
            "signal_type": kind,
            "value": value or None,
            **found.get(entry_id, GONE).to_dict(),
        }
        for cursor, entry_id, kind, value in rows
        if shared(kind)  # never an ORB entry's keypoints
    ]
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)


def forget_entries(session: Session, entry_ids: Iterable[int]) -> int:
    """Erases the value of these bank entries from every delivery about them, in the caller's
    transaction (a withdrawn case): pending deliveries still go out, with ``"value": null`` and
    ``"pdq": null``, so a
    platform drops the entry by ``entry_id``; sent and failed ones keep no trace of the hash.
    Returns how many deliveries were changed."""
    ids = sorted(set(entry_ids))
    changed = 0
    for start in range(0, len(ids), _SCRUB_BATCH):
        chunk = ids[start : start + _SCRUB_BATCH]
        rows = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.entry_id.in_(chunk))
        ).all()
        for row in rows:
            envelope = json.loads(row.payload)
            data = envelope.get("data")
            if isinstance(data, dict) and (
                data.get("pdq") is not None or data.get("value") is not None
            ):
                data["pdq"] = None
                if "value" in data:
                    data["value"] = None
                row.payload = json.dumps(envelope, separators=(",", ":"), sort_keys=True)
                changed += 1
    session.flush()
    return changed


def request_takedown(
    session: Session,
    payload: Mapping[str, Any],
    *,
    webhook: int | str | None = None,
    api_key_id: int | None = None,
    entry_id: int | None = None,
) -> list[int]:
    """Queues a ``takedown.requested`` event to a platform's webhook, in the caller's transaction;
    returns the ids of the deliveries (one per webhook chosen).

    The webhook is chosen by ``webhook`` (its id, or its name: every active webhook of that
    name), or ``api_key_id`` (every active webhook of that platform's key), or both (narrowing).
    Only active webhooks subscribed to ``takedown.requested`` are chosen; none: NotFound
    ``webhook_not_found``. ``payload`` is the event's ``data`` (the notice: its reference, URL,
    law, deadline...), sent as it is; ``entry_id`` ties the delivery to a bank entry so that
    :func:`forget_entries` scrubs it if the case is withdrawn (its ``pdq`` key, if any).
    Delivery, retries and the delivery log are those of every event; a notices module reads the
    outcome from the delivery log (``WebhookStore.deliveries``) by the returned ids.
    """
    if webhook is None and api_key_id is None:
        raise InputError("name a webhook or a platform's key", code="invalid_webhook")
    query = select(Webhook.id, Webhook.events).where(Webhook.disabled_at.is_(None))
    if isinstance(webhook, int):
        query = query.where(Webhook.id == webhook)
    elif isinstance(webhook, str):
        query = query.where(Webhook.name == webhook)
    if api_key_id is not None:
        query = query.where(Webhook.api_key_id == api_key_id)
    hooks = [
        hook_id
        for hook_id, events in session.execute(query.order_by(Webhook.id)).all()
        if TAKEDOWN in events.split(",")
    ]
    if not hooks:
        raise NotFound(
            "no active webhook subscribed to takedown.requested for that platform",
            code="webhook_not_found",
        )
    created: list[int] = []
    payload_text = body(TAKEDOWN, payload, utcnow())
    now = utcnow()
    for hook_id in hooks:
        result = session.execute(
            insert(WebhookDelivery)
            .values(
                webhook_id=hook_id,
                event=TAKEDOWN,
                entry_id=entry_id,
                payload=payload_text,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            .returning(WebhookDelivery.id)
        )
        created.append(int(result.scalar_one()))
    return created

"""The webhook fan-out: the bank change log becomes ``hash.added`` / ``hash.removed`` /
``hash.updated`` deliveries.

Webhooks follow the change log (``hash_changes``) like every other follower of the banks, and the
banks know nothing of them. Changes of a server-only signal type (ORB keypoints, which can be
inverted to a picture) are never announced: the cursor moves past them. :func:`fan_out` reads the
changes after its cursor (the one row of ``webhook_fanout``), writes one delivery per bank write (at
most :data:`~bouclier.webhooks.outbox.CHANGES_PER_DELIVERY` changes) and subscribed webhook through
the outbox (:func:`~bouclier.webhooks.outbox.enqueue_hash_changes`), and moves the cursor, all in
one transaction: a change is announced once, or not yet, never twice and never lost. Several
processes may run it at once: the cursor row is updated first, which makes the others wait for this
transaction (a row lock on PostgreSQL, the write lock on SQLite) and then read the moved cursor. The
log's cursors commit in order (:mod:`bouclier.banks.store`), so reading "after the cursor" skips
nothing.

The deliverer runs it before each round (every 2 s in each service process), so an event reaches
the outbox within a round of its bank write; a change made while no service runs (``bouclier bank
add``) is announced when one starts. The webhooks that receive a change are those subscribed
when it is fanned out. A withdrawn case's hashes are blanked in the log before they are fanned
out; a delivery reads its changes from the log when it is sent, so it never carries them after.
The change log must therefore keep every change that a pending delivery names: whatever compacts
it must keep those after :func:`oldest_pending_cursor`.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bouclier.signals.registry import server_only_names
from bouclier.storage import Database
from bouclier.storage.models import (
    Bank,
    DeletedBank,
    HashChange,
    WebhookDelivery,
    WebhookFanout,
    utcnow,
)
from bouclier.webhooks import outbox

#: Changes fanned out per transaction.
BATCH = 5000
_ROW = 1


def fan_out(db: Database, now: datetime | None = None, *, limit: int = BATCH) -> int:
    """Turns the changes after the cursor (at most ``limit``) into deliveries due ``now``;
    returns how many changes were read (0: the outbox is up to date)."""
    with db.transaction() as session:  # a read first: most rounds find nothing new to write
        cursor = session.scalar(select(WebhookFanout.cursor).where(WebhookFanout.id == _ROW))
        if (
            cursor is not None
            and session.scalar(select(HashChange.id).where(HashChange.id > cursor).limit(1)) is None
        ):
            return 0
    with db.transaction() as session:
        # the cursor row first: concurrent fan-outs wait here for this one to commit
        session.execute(
            update(WebhookFanout)
            .where(WebhookFanout.id == _ROW)
            .values(cursor=WebhookFanout.cursor)
        )
        cursor = session.scalar(select(WebhookFanout.cursor).where(WebhookFanout.id == _ROW))
        if cursor is None:
            raise RuntimeError("webhook_fanout has no row: the database was not migrated")
        changes = session.execute(
            select(
                HashChange.id,
                HashChange.op,
                HashChange.bank_id,
                HashChange.created_at,
                HashChange.signal_type,
            )
            .where(HashChange.id > cursor)
            .order_by(HashChange.id)
            .limit(limit)
        ).all()
        if not changes:
            return 0
        private = server_only_names()  # ORB keypoints never leave the instance
        shared = [_Change(*row[:4]) for row in changes if row.signal_type not in private]
        _announce(session, shared, now or utcnow())
        session.execute(
            update(WebhookFanout).where(WebhookFanout.id == _ROW).values(cursor=changes[-1].id)
        )
        return len(changes)


def fan_out_all(db: Database, now: datetime | None = None) -> int:
    """Fans out until the outbox is up to date; returns how many changes were read."""
    total = 0
    while read := fan_out(db, now):
        total += read
    return total


class _Change(NamedTuple):
    id: int
    op: str
    bank_id: int
    created_at: datetime


def _announce(session: Session, changes: list[_Change], due: datetime) -> None:
    """One event per bank write among ``changes`` (consecutive changes of one bank, operation
    and time) for each webhook subscribed: its deliveries name the write's range of cursors."""
    hooks = {op: outbox.subscribers(session, event) for op, event in outbox.HASH_EVENTS.items()}
    if not any(hooks.values()):
        return
    banks = _bank_names(session, {c.bank_id for c in changes})
    for (op, bank_id, at), run in groupby(changes, key=lambda c: (c.op, c.bank_id, c.created_at)):
        if not hooks[op]:
            continue
        name, kind = banks.get(bank_id, (None, None))
        outbox.enqueue_hash_changes(
            session, hooks[op], op, name, kind, [c.id for c in run], at, due
        )


def oldest_pending_cursor(session: Session) -> int | None:
    """The first change a delivery still to be sent reads from the log (None: none does)."""
    return session.scalar(
        select(func.min(WebhookDelivery.first_cursor)).where(WebhookDelivery.status == "pending")
    )


def _bank_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Each bank's name and kind, a deleted bank's from ``deleted_banks``."""
    found: dict[int, tuple[str, str]] = {
        row.id: (row.name, row.kind)
        for row in session.scalars(select(DeletedBank).where(DeletedBank.id.in_(ids)))
    }
    for row in session.scalars(select(Bank).where(Bank.id.in_(ids))):
        found[row.id] = (row.name, row.kind)
    return found

"""The fan-out: webhooks follow the bank change log, and each change is announced exactly once."""

from __future__ import annotations

import json
import threading
from collections import Counter

from sqlalchemy import func, select

from bouclier.banks.store import BankStore, NewEntry
from bouclier.storage import Database
from bouclier.storage.models import WebhookDelivery
from bouclier.webhooks.fanout import fan_out, fan_out_all
from bouclier.webhooks.outbox import CHANGES_PER_DELIVERY, expand
from bouclier.webhooks.store import WebhookStore


def _deliveries(db: Database) -> list[tuple[int | None, str]]:
    """(entry id, event) of every change the outbox announces, as the bodies sent would."""
    with db.transaction() as session:
        rows = session.execute(
            select(
                WebhookDelivery.payload, WebhookDelivery.first_cursor, WebhookDelivery.last_cursor
            )
        ).all()
        bodies = [json.loads(expand(session, *row)) for row in rows]
    return [(c["entry_id"], b["event"]) for b in bodies for c in b["data"]["changes"]]


def _rows(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)


def test_an_import_is_a_few_deliveries_per_webhook_not_one_per_hash(
    db: Database,
) -> None:
    """Issue 14 part 3: 24 webhooks x an import of N hashes made 24 x N rows."""
    banks = BankStore(db)
    banks.create("victims", "victim")
    store = WebhookStore(db)
    for i in range(24):
        store.create(f"hook-{i}", f"https://platform-{i}.example/h")
    n = 2 * CHANGES_PER_DELIVERY + 500
    ids = banks.add("victims", [NewEntry(f"{i:064x}") for i in range(1, n + 1)])
    assert fan_out_all(db) == n
    assert _rows(db) == 24 * 3  # pages of at most CHANGES_PER_DELIVERY changes
    announced = Counter(_deliveries(db))
    assert set(announced) == {(entry, "hash.added") for entry in ids}
    assert set(announced.values()) == {24}  # every change, to every webhook, once


def test_concurrent_fan_outs_announce_each_change_once(database_url: str) -> None:
    """Processes share one database: fan-outs racing on the same changes, in two engines (two
    processes' pools), still write one delivery per change and webhook."""
    first, second = Database.open(database_url), Database.open(database_url)
    try:
        banks = BankStore(first)
        banks.create("victims", "victim")
        WebhookStore(first).create("main", "https://one.social/h")
        ids = banks.add("victims", [NewEntry(f"{i:064x}") for i in range(1, 1201)])
        banks.remove_entries("victims", ids[:100])
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def drain(db: Database) -> None:
            try:
                start.wait()
                while fan_out(db, limit=97):
                    pass
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=drain, args=(db,)) for db in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        counts = Counter(_deliveries(first))
        assert set(counts.values()) == {1}
        assert sum(1 for _, event in counts if event == "hash.added") == 1200
        assert sum(1 for _, event in counts if event == "hash.removed") == 100
        assert fan_out_all(first) == 0
    finally:
        first.dispose()
        second.dispose()


def test_a_change_is_announced_to_the_webhooks_subscribed_when_it_is_fanned_out(
    db: Database,
) -> None:
    banks = BankStore(db)
    banks.create("victims", "victim")
    banks.add("victims", [NewEntry("ab" * 32)])  # nobody subscribed yet, nothing fanned out
    hook, _ = WebhookStore(db).create("late", "https://one.social/h", ["hash.removed"])
    assert fan_out_all(db) == 1
    assert _deliveries(db) == []  # an add, and the webhook wants removals only
    banks.delete("victims")
    assert fan_out_all(db) == 1
    assert [event for _, event in _deliveries(db)] == ["hash.removed"]
    assert [d.webhook_id for d in WebhookStore(db).deliveries(hook.id)] == [hook.id]

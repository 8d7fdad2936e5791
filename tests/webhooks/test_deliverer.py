"""The outbox and the deliverer: bank writes become signed deliveries; failures are retried with
back-off, then given up; two deliverers share the work without sending a row twice; a withdrawn
case's hashes are scrubbed. Time is driven by passing ``now``, never by sleeping."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, update

from bouclier.banks.store import BankStore, NewEntry
from bouclier.errors import Conflict, NotFound
from bouclier.storage import Database
from bouclier.storage.models import HashChange, WebhookDelivery, utcnow
from bouclier.webhooks import forget_entries, request_takedown, verify_signature
from bouclier.webhooks.deliverer import BACKOFF, JITTER, MAX_ATTEMPTS, Deliverer
from bouclier.webhooks.fanout import fan_out_all
from bouclier.webhooks.outbox import CHANGES_PER_DELIVERY, body, expand
from bouclier.webhooks.store import WebhookStore
from tests.webhooks.policies import LOOPBACK, PUBLIC
from tests.webhooks.receiver import receiver

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = "0" * 63 + "1"


@pytest.fixture
def banks(db: Database) -> BankStore:
    store = BankStore(db)
    store.create("victims", "victim")
    return store


def _scripted(statuses: list[int], seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(statuses.pop(0) if statuses else 200)

    return httpx.MockTransport(answer)


def _mocked(db: Database, transport: httpx.BaseTransport, **options: object) -> Deliverer:
    """A deliverer whose names all resolve to a public address and whose network is a mock."""
    return Deliverer(db, destinations=PUBLIC, transport=transport, **options)  # type: ignore[arg-type]


def _bodies(db: Database, webhook_id: int | None = None) -> list[dict[str, Any]]:
    """The bodies the outbox would send now, each parsed, in the order of the deliveries."""
    with db.transaction() as session:
        query = select(WebhookDelivery).order_by(WebhookDelivery.id)
        if webhook_id is not None:
            query = query.where(WebhookDelivery.webhook_id == webhook_id)
        return [
            json.loads(expand(session, row.payload, row.first_cursor, row.last_cursor))
            for row in session.scalars(query).all()
        ]


@pytest.fixture
def deliverer(db: Database) -> Iterator[Deliverer]:
    made = Deliverer(db, destinations=LOOPBACK)
    yield made
    made.close()


def test_bank_writes_reach_a_real_receiver_signed(
    db: Database, banks: BankStore, deliverer: Deliverer
) -> None:
    with receiver() as platform:
        hook, secret = WebhookStore(db, destinations=LOOPBACK).create("main", platform.url)
        entry, other = banks.add("victims", [NewEntry(PDQ_A, case_ref="C-1"), NewEntry(PDQ_B)])
        assert deliverer.deliver_due() == 1  # one bank write, one delivery
        banks.remove_entries("victims", [entry])
        assert deliverer.deliver_due() == 1
        assert deliverer.deliver_due() == 0

    added, removed = platform.received
    changes = banks.changes(0, 10)
    for got, event, cursors in (
        (added, "hash.added", changes[:2]),
        (removed, "hash.removed", changes[2:]),
    ):
        assert got.path == "/hook"
        assert got.headers["Bouclier-Event"] == event
        assert got.headers["Content-Type"] == "application/json"
        assert verify_signature(secret, got.headers["Bouclier-Signature"], got.body)
        assert not verify_signature(secret, got.headers["Bouclier-Signature"], got.body + b" ")
        body = json.loads(got.body)
        assert body["event"] == event
        assert body["data"] == {
            "bank": "victims",
            "bank_kind": "victim",
            "first_cursor": cursors[0].cursor,
            "last_cursor": cursors[-1].cursor,
            "changes": [
                {
                    "cursor": c.cursor,
                    "entry_id": c.entry,
                    "signal_type": "pdq",
                    "value": c.value,
                    # the entry's standing; a removal's entry is gone
                    "quality": None,
                    "reviewed": True if event == "hash.added" else None,
                    "minor": False if event == "hash.added" else None,
                }
                for c in cursors
            ],
        }
    assert [c["entry_id"] for c in json.loads(added.body)["data"]["changes"]] == [entry, other]
    assert [c["value"] for c in json.loads(removed.body)["data"]["changes"]] == [PDQ_A]
    log = WebhookStore(db).deliveries(hook.id)
    assert [(d.event, d.status, d.attempts, d.last_status) for d in log] == [
        ("hash.removed", "delivered", 1, 200),
        ("hash.added", "delivered", 1, 200),
    ]
    assert {r.headers["Bouclier-Delivery"] for r in platform.received} == {str(d.id) for d in log}


def test_a_review_reaches_subscribers_as_hash_updated_with_the_new_standing(
    db: Database, deliverer: Deliverer, tmp_path: Path
) -> None:
    """An analyst's confirmation of a minor's case hash is one ``hash.updated`` event, signed,
    carrying the entry's new standing; a webhook that did not opt in to it gets nothing."""
    from bouclier.cases import VICTIM_BANK, Cases, HashReport
    from bouclier.settings import Settings

    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create(minor=True)
    [item] = cases.add_hashes(case.number, [HashReport(PDQ_A, 88)])
    with receiver() as platform:
        webhooks = WebhookStore(db, destinations=LOOPBACK)
        _, secret = webhooks.create("all", platform.url)
        adds_only, _ = webhooks.create("adds", platform.url, ["hash.added"])
        assert deliverer.deliver_due() == 2  # the add, to both
        platform.received.clear()
        cases.review_item(case.number, item.id, "confirm", actor="analyst:a")
        cases.review_item(case.number, item.id, "confirm", actor="analyst:a")  # no change
        assert deliverer.deliver_due() == 1
        assert deliverer.deliver_due() == 0
    [got] = platform.received
    assert got.headers["Bouclier-Event"] == "hash.updated"
    assert verify_signature(secret, got.headers["Bouclier-Signature"], got.body)
    body = json.loads(got.body)
    add_row, update_row = BankStore(db).changes(0, 10)
    assert (add_row.op, update_row.op, update_row.entry) == ("add", "update", add_row.entry)
    assert body["event"] == "hash.updated"
    assert body["data"]["bank"] == VICTIM_BANK
    assert body["data"]["changes"] == [
        {
            "cursor": update_row.cursor,
            "entry_id": add_row.entry,
            "signal_type": "pdq",
            "value": PDQ_A,
            "quality": 88,
            "reviewed": True,  # was false when it was added
            "minor": True,
        }
    ]
    assert [d.event for d in WebhookStore(db).deliveries(adds_only.id)] == ["hash.added"]


def test_a_bulk_write_is_one_event_in_pages_per_webhook_and_every_change_is_in_one(
    db: Database, banks: BankStore
) -> None:
    store = WebhookStore(db)
    one, _ = store.create("one", "https://one.social/h")
    two, _ = store.create("two", "https://two.social/h", ["hash.removed"])
    notices, _ = store.create("notices", "https://three.social/h", ["takedown.requested"])
    gone, _ = store.create("gone", "https://four.social/h")
    store.disable(gone.id)
    entries = [NewEntry(value=f"{i:064x}") for i in range(1, 12_001)]  # over one fan-out batch
    ids = banks.add("victims", entries)
    with db.transaction() as session:  # the banks write the change log, nothing else
        assert session.scalars(select(WebhookDelivery.id)).all() == []
    assert fan_out_all(db) == len(ids)  # the fan-out makes the deliveries from it
    assert fan_out_all(db) == 0  # once
    pages = len(ids) // CHANGES_PER_DELIVERY
    assert len(store.deliveries(one.id, limit=500)) == pages  # not one per hash
    assert store.deliveries(two.id) == []
    assert store.deliveries(notices.id) == []
    assert store.deliveries(gone.id) == []
    bodies = _bodies(db, one.id)
    announced = [change for body in bodies for change in body["data"]["changes"]]
    assert [c["entry_id"] for c in announced] == ids  # each once, in order
    assert [c["value"] for c in announced] == [e.value for e in entries]
    assert {len(b["data"]["changes"]) for b in bodies} == {CHANGES_PER_DELIVERY}
    for sent in bodies:
        data = sent["data"]
        assert data["first_cursor"] == data["changes"][0]["cursor"]
        assert data["last_cursor"] == data["changes"][-1]["cursor"]
    assert banks.delete("victims") == len(ids)
    assert fan_out_all(db) == len(ids)
    removed = store.deliveries(two.id, limit=500)
    assert len(removed) == pages
    assert {d.event for d in removed} == {"hash.removed"}
    with db.transaction() as session:
        counts = Counter(
            session.scalars(
                select(WebhookDelivery.webhook_id).where(WebhookDelivery.event == "hash.removed")
            ).all()
        )
    assert counts == {one.id: pages, two.id: pages}
    removals = _bodies(db, two.id)
    assert sorted(c["entry_id"] for b in removals for c in b["data"]["changes"]) == ids
    assert {b["data"]["bank"] for b in removals} == {"victims"}  # the bank is deleted: still told


def test_a_rolled_back_write_announces_nothing(db: Database, banks: BankStore) -> None:
    hook, _ = WebhookStore(db).create("main", "https://one.social/h")
    with pytest.raises(Exception, match="PDQ"):
        banks.add("victims", [NewEntry(value=PDQ_A), NewEntry(value="not a hash")])
    assert WebhookStore(db).deliveries(hook.id) == []


def test_failures_are_retried_with_backoff_then_delivered(db: Database, banks: BankStore) -> None:
    seen: list[httpx.Request] = []
    deliverer = _mocked(db, _scripted([500, 503], seen), rng=random.Random(7))
    store = WebhookStore(db)
    hook, secret = store.create("main", "https://one.social/h")
    banks.add("victims", [NewEntry(value=PDQ_A)])
    start = utcnow()

    assert deliverer.deliver_due(start) == 1
    (first,) = store.deliveries(hook.id)
    assert (first.status, first.attempts, first.last_status, first.last_error) == (
        "pending",
        1,
        500,
        "HTTP 500",
    )
    _assert_delay(first.next_attempt_at - start, BACKOFF[0])
    assert deliverer.deliver_due(start + BACKOFF[0] * (1 - JITTER) - timedelta(seconds=1)) == 0

    second_try = first.next_attempt_at
    assert deliverer.deliver_due(second_try) == 1
    (second,) = store.deliveries(hook.id)
    assert (second.status, second.attempts, second.last_status) == ("pending", 2, 503)
    _assert_delay(second.next_attempt_at - second_try, BACKOFF[1])

    assert deliverer.deliver_due(second.next_attempt_at) == 1
    (done,) = store.deliveries(hook.id)
    assert (done.status, done.attempts, done.last_status, done.last_error) == (
        "delivered",
        3,
        200,
        None,
    )
    assert deliverer.deliver_due(done.next_attempt_at + timedelta(days=30)) == 0
    # one delivery id, three signed attempts of the same body
    assert {r.headers["Bouclier-Delivery"] for r in seen} == {str(done.id)}
    assert len({r.content for r in seen}) == 1
    for request in seen:
        assert verify_signature(secret, request.headers["Bouclier-Signature"], request.content)
    deliverer.close()


def _assert_delay(delay: timedelta, base: timedelta) -> None:
    assert base * (1 - JITTER) <= delay <= base * (1 + JITTER)


def test_gives_up_after_the_last_attempt_and_can_be_redelivered(
    db: Database, banks: BankStore
) -> None:
    seen: list[httpx.Request] = []
    statuses = [500] * MAX_ATTEMPTS
    deliverer = _mocked(db, _scripted(statuses, seen), rng=random.Random(1))
    store = WebhookStore(db)
    hook, _ = store.create("main", "https://one.social/h")
    banks.add("victims", [NewEntry(value=PDQ_A)])
    moment = utcnow()
    delays: list[timedelta] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliverer.deliver_due(moment) == 1, attempt
        (row,) = store.deliveries(hook.id)
        assert row.attempts == attempt
        delays.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at
    assert (row.status, row.last_status) == ("failed", 500)
    for delay, base in zip(delays, BACKOFF, strict=False):
        _assert_delay(delay, base)
    assert sum(delays, timedelta()) < timedelta(hours=27)
    assert deliverer.deliver_due(moment + timedelta(days=7)) == 0
    assert len(seen) == MAX_ATTEMPTS

    retried = store.redeliver(hook.id, row.id, now=moment)
    assert (retried.status, retried.attempts) == ("pending", 0)
    with pytest.raises(Conflict):
        store.redeliver(hook.id, row.id)
    assert deliverer.deliver_due(moment) == 1  # statuses exhausted: 200
    assert store.deliveries(hook.id)[0].status == "delivered"
    deliverer.close()


def test_connection_errors_and_redirects_are_failures(db: Database, banks: BankStore) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down.social":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(302, headers={"Location": "https://elsewhere.social/"})

    deliverer = _mocked(db, httpx.MockTransport(answer))
    store = WebhookStore(db)
    down, _ = store.create("down", "https://down.social/h")
    moved, _ = store.create("moved", "https://moved.social/h")
    banks.add("victims", [NewEntry(value=PDQ_A)])
    assert deliverer.deliver_due() == 2
    (d,) = store.deliveries(down.id)
    assert (d.status, d.last_status, d.last_error) == ("pending", None, "could not connect")
    (m,) = store.deliveries(moved.id)
    assert (m.last_status, m.last_error) == (302, "HTTP 302 (redirects are not followed)")
    assert PDQ_A not in str(d.last_error) + str(m.last_error)
    deliverer.close()


def test_a_disabled_webhook_gets_nothing(db: Database, banks: BankStore) -> None:
    seen: list[httpx.Request] = []
    deliverer = _mocked(db, _scripted([], seen))
    store = WebhookStore(db)
    hook, _ = store.create("main", "https://one.social/h")
    banks.add("victims", [NewEntry(value=PDQ_A)])
    store.disable(hook.id)
    assert deliverer.deliver_due() == 0
    assert seen == []
    deliverer.close()


def test_per_hash_deliveries_written_before_0010_are_sent_as_they_are_and_scrubbed(
    db: Database,
) -> None:
    seen: list[httpx.Request] = []
    deliverer = _mocked(db, _scripted([], seen))
    store = WebhookStore(db)
    hook, _ = store.create("main", "https://one.social/h")
    now = utcnow()

    def legacy(event: str, entry: int, value: str, status: str) -> WebhookDelivery:
        data = {"bank": "victims", "entry_id": entry, "value": value, "pdq": value, "cursor": 1}
        return WebhookDelivery(
            webhook_id=hook.id,
            event=event,
            entry_id=entry,
            payload=body(event, data, now),
            status=status,
            attempts=1 if status == "delivered" else 0,
            next_attempt_at=now,
            created_at=now,
        )

    with db.transaction() as session:
        session.add_all(
            [
                legacy("hash.added", 1, PDQ_A, "delivered"),
                legacy("hash.added", 2, PDQ_B, "delivered"),
                legacy("hash.removed", 1, PDQ_A, "pending"),
            ]
        )
    with db.transaction() as session:
        assert forget_entries(session, [1]) == 2
        assert forget_entries(session, [1]) == 0  # already scrubbed
    with db.transaction() as session:
        payloads = {
            (row.event, row.entry_id, row.status): json.loads(row.payload)["data"]["pdq"]
            for row in session.scalars(select(WebhookDelivery)).all()
        }
    assert payloads == {
        ("hash.added", 1, "delivered"): None,
        ("hash.removed", 1, "pending"): None,
        ("hash.added", 2, "delivered"): PDQ_B,
    }
    with db.transaction() as session:
        assert PDQ_A not in " ".join(session.scalars(select(WebhookDelivery.payload)).all())
    assert deliverer.deliver_due() == 1  # the pending one still goes out, without the hash
    sent = json.loads(seen[-1].content)
    assert sent["event"] == "hash.removed"
    assert sent["data"]["entry_id"] == 1
    assert sent["data"]["pdq"] is None
    assert store.deliveries(hook.id)[0].status == "delivered"
    deliverer.close()


def test_a_delivery_reads_the_log_when_sent_so_blanked_hashes_never_go_out(
    db: Database, banks: BankStore
) -> None:
    """A withdrawal deletes its additions from the change log and blanks its removals: a
    delivery still pending then sends neither hash (the case store does this; here, directly)."""
    seen: list[httpx.Request] = []
    deliverer = _mocked(db, _scripted([], seen))
    WebhookStore(db).create("main", "https://one.social/h")
    first, kept = banks.add("victims", [NewEntry(value=PDQ_A), NewEntry(value=PDQ_B)])
    banks.remove_entries("victims", [first])
    fan_out_all(db)
    with db.transaction() as session:
        session.execute(
            delete(HashChange).where(HashChange.entry_id == first, HashChange.op == "add")
        )
        session.execute(update(HashChange).where(HashChange.entry_id == first).values(value=""))
    assert deliverer.deliver_due() == 2
    added, removed = (json.loads(r.content)["data"]["changes"] for r in seen)
    assert [(c["entry_id"], c["value"]) for c in added] == [(kept, PDQ_B)]
    assert [(c["entry_id"], c["value"]) for c in removed] == [(first, None)]
    assert PDQ_A not in b"".join(r.content for r in seen).decode()
    deliverer.close()


def test_request_takedown_goes_to_the_chosen_webhook(db: Database) -> None:
    from bouclier.accounts.api_keys import ApiKeyStore

    platform, _ = ApiKeyStore(db).create("example.social", "platform")
    store = WebhookStore(db)
    hashes_only, _ = store.create("hashes", "https://ex.social/h", ["hash.added"])
    notices, _ = store.create(
        "notices", "https://ex.social/n", ["takedown.requested"], api_key_id=platform.id
    )
    notice = {"reference": "N-1", "url": "https://ex.social/p/1", "law": "dsa"}
    with db.transaction() as session:
        by_key = request_takedown(session, notice, api_key_id=platform.id)
        by_name = request_takedown(session, notice, webhook="notices")
        by_id = request_takedown(session, notice, webhook=notices.id, api_key_id=platform.id)
        with pytest.raises(NotFound):
            request_takedown(session, notice, webhook=hashes_only.id)
        with pytest.raises(NotFound):
            request_takedown(session, notice, webhook="nobody")
    assert len(by_key) == len(by_name) == len(by_id) == 1
    seen: list[httpx.Request] = []
    deliverer = _mocked(db, _scripted([], seen))
    assert deliverer.deliver_due() == 3
    assert {r.headers["Bouclier-Event"] for r in seen} == {"takedown.requested"}
    assert json.loads(seen[0].content)["data"] == notice
    assert {str(r.url) for r in seen} == {"https://ex.social/n"}
    deliverer.close()


@pytest.mark.postgres
# the concurrent claim is PostgreSQL's (SQLite has one writer at a time)
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_deliverers_never_send_one_delivery_twice(database_url: str) -> None:
    assert database_url.startswith("postgresql")
    first_db, second_db = Database.open(database_url), Database.open(database_url)
    try:
        banks = BankStore(first_db)
        banks.create("victims", "victim")
        WebhookStore(first_db).create("main", "https://one.social/h")
        for i in range(1, 61):  # 60 bank writes: 60 deliveries
            banks.add("victims", [NewEntry(value=f"{i:064x}")])
        lock = threading.Lock()
        sent: Counter[str] = Counter()

        def answer(request: httpx.Request) -> httpx.Response:
            with lock:
                sent[request.headers["Bouclier-Delivery"]] += 1
            return httpx.Response(204)

        deliverers = [
            _mocked(d, httpx.MockTransport(answer), batch=3) for d in (first_db, second_db)
        ]
        moment: datetime = utcnow()
        errors: list[BaseException] = []

        def drain(deliverer: Deliverer) -> None:
            try:
                while deliverer.deliver_due(moment):
                    pass
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=drain, args=(d,)) for d in deliverers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(sent) == 60
        assert set(sent.values()) == {1}
        for deliverer in deliverers:
            deliverer.close()
    finally:
        first_db.dispose()
        second_db.dispose()

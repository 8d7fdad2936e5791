"""Server-side request forgery through webhooks (issue 14, parts 4 and 7): a platform's key chooses
a webhook's URL, so it must not reach Bouclier's own machine or networks, learn about them from
the delivery log, or have the URL (which may carry a token) written to the process log.

Each attack runs against a real receiver on 127.0.0.1 standing for an internal service (Bouclier's
own ``/v1/cases``, say): it must receive nothing."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bouclier.banks.store import BankStore, NewEntry
from bouclier.errors import InputError
from bouclier.storage import Database
from bouclier.storage.models import Webhook, utcnow
from bouclier.webhooks.deliverer import Deliverer
from bouclier.webhooks.destinations import Destinations
from bouclier.webhooks.signing import new_secret
from bouclier.webhooks.store import WebhookStore, validate_url
from tests.webhooks.policies import LOOPBACK
from tests.webhooks.receiver import receiver

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


@pytest.fixture
def banks(db: Database) -> BankStore:
    store = BankStore(db)
    store.create("victims", "victim")
    return store


def _registered(db: Database, url: str) -> int:
    """A webhook row as an older release accepted it (loopback was allowed then): the deliverer
    must refuse it even though the store would not make it any more."""
    with db.transaction() as session:
        row = Webhook(
            name="legacy", url=url, events="hash.added", secret=new_secret(), created_at=utcnow()
        )
        session.add(row)
        session.flush()
        return row.id


def _last_error(db: Database, webhook_id: int) -> tuple[int | None, str | None]:
    (delivery,) = WebhookStore(db).deliveries(webhook_id)
    return delivery.last_status, delivery.last_error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/v1/cases",  # Bouclier's own API
        "https://127.0.0.1/hook",
        "http://localhost:8000/v1/cases",  # a name: resolved, and refused
        "https://[::1]/hook",
        "https://127.1/hook",  # short, decimal and hex forms of 127.0.0.1
        "https://2130706433/hook",
        "https://0x7f000001/hook",
        "https://100.64.0.1/hook",  # CGNAT, shared address space
        "https://100.127.255.254/hook",
        "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
        "https://[::ffff:100.64.0.1]/hook",
        "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "https://[2002:a00:1::]/hook",  # 6to4 of 10.0.0.1
        "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
        "https://[ff02::1]/hook",  # multicast
        "https://[fec0::1]/hook",  # site-local
        "https://240.0.0.1/hook",  # reserved
    ],
)
def test_internal_destinations_are_refused_at_creation(url: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_url(url)
    assert caught.value.code == "invalid_webhook_url"


def test_a_webhook_to_a_loopback_service_delivers_nothing(db: Database, banks: BankStore) -> None:
    """The webhook to Bouclier's own /v1/cases that made a case per event."""
    with receiver() as internal:
        hook = _registered(db, internal.url)
        banks.add("victims", [NewEntry(PDQ)])
        deliverer = Deliverer(db)
        try:
            assert deliverer.deliver_due() == 1
        finally:
            deliverer.close()
    assert internal.received == []
    assert _last_error(db, hook) == (None, "destination refused")


def test_a_name_resolving_to_loopback_is_refused_at_delivery(
    db: Database, banks: BankStore
) -> None:
    with receiver() as internal:
        port = internal.url.split(":")[2].split("/")[0]
        hook = _registered(db, f"http://inside.example:{port}/hook")
        banks.add("victims", [NewEntry(PDQ)])
        deliverer = Deliverer(db, destinations=Destinations(resolver=lambda h, p: ["127.0.0.1"]))
        try:
            assert deliverer.deliver_due() == 1
        finally:
            deliverer.close()
    assert internal.received == []
    assert _last_error(db, hook) == (None, "destination refused")


@contextmanager
def _rebinding(name: str, first: str, then: str) -> Iterator[list[str]]:
    """``socket.getaddrinfo`` answers ``first`` for ``name`` once, then ``then``: a DNS
    rebinding. Yields the list of the lookups of ``name``."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != name:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        answer = first if len(lookups) == 1 else then
        return real(answer, port, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", fake)
        yield lookups


def test_dns_rebinding_gets_nowhere(db: Database, banks: BankStore) -> None:
    """The name passes the check with an allowed address (127.0.0.2: the operator's, where
    nothing listens) and resolves to 127.0.0.1 a moment later: the request goes to the checked
    address, never to the internal service."""
    with receiver() as internal:
        port = internal.url.split(":")[2].split("/")[0]
        hook = _registered(db, f"http://rebind.example:{port}/hook")
        banks.add("victims", [NewEntry(PDQ)])
        deliverer = Deliverer(db, destinations=Destinations.allowing(["127.0.0.2"]))
        try:
            with _rebinding("rebind.example", "127.0.0.2", "127.0.0.1") as lookups:
                assert deliverer.deliver_due() == 1
        finally:
            deliverer.close()
    assert internal.received == []
    assert lookups == ["rebind.example"]  # resolved once, for the check
    assert _last_error(db, hook) == (None, "could not connect")


def test_a_listed_name_is_delivered_to_its_checked_address_with_its_own_host_header(
    db: Database, banks: BankStore
) -> None:
    with receiver() as operators:
        port = operators.url.split(":")[2].split("/")[0]
        store = WebhookStore(db, destinations=Destinations.allowing(["hooks.internal"]))
        store.create("ops", f"http://hooks.internal:{port}/hook")
        banks.add("victims", [NewEntry(PDQ)])
        policy = Destinations.allowing(["hooks.internal"], resolver=lambda h, p: ["127.0.0.1"])
        deliverer = Deliverer(db, destinations=policy)
        try:
            assert deliverer.deliver_due() == 1
        finally:
            deliverer.close()
    (got,) = operators.received
    assert got.headers["Host"] == f"hooks.internal:{port}"


@contextmanager
def _hanging_up() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts and closes at once; yields its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        with contextlib.suppress(OSError):  # wakes the blocked accept(); close() alone does not
            server.shutdown(socket.SHUT_RDWR)
        server.close()
        thread.join(timeout=10)
        assert not thread.is_alive()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_delivery_log_is_no_port_scanner(db: Database, banks: BankStore) -> None:
    """A closed port and a port whose server hangs up read the same in the log."""
    store = WebhookStore(db, destinations=LOOPBACK)
    with _hanging_up() as open_port:
        closed = store.create("closed", f"http://127.0.0.1:{_closed_port()}/h")[0]
        hangs_up = store.create("hangs-up", f"http://127.0.0.1:{open_port}/h")[0]
        banks.add("victims", [NewEntry(PDQ)])
        deliverer = Deliverer(db, destinations=LOOPBACK)
        try:
            assert deliverer.deliver_due() == 2
        finally:
            deliverer.close()
    assert _last_error(db, closed.id) == _last_error(db, hangs_up.id) == (None, "could not connect")


def test_webhook_urls_never_reach_the_log(
    db: Database, banks: BankStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with receiver() as platform:
        platform.statuses = [500]
        url = f"{platform.url}?token=s3cr3t-t0ken"
        hook, _ = WebhookStore(db, destinations=LOOPBACK).create("main", url)
        banks.add("victims", [NewEntry(PDQ)])
        deliverer = Deliverer(db, destinations=LOOPBACK)
        try:
            assert deliverer.deliver_due() == 1  # HTTP 500: a failure, logged
            (failed,) = WebhookStore(db).deliveries(hook.id)
            assert deliverer.deliver_due(failed.next_attempt_at) == 1  # delivered
        finally:
            deliverer.close()
    assert len(platform.received) == 2
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "s3cr3t-t0ken" not in logged
    assert platform.url not in logged
    assert f"webhook {hook.id} delivery" in logged  # the id says which one

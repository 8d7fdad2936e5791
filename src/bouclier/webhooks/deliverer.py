"""The deliverer: claims due deliveries, POSTs them signed, and retries failures with back-off.

Each service process runs one in a background thread (:meth:`Deliverer.start`); several processes
on one database share the work safely. A delivery is **claimed** in a short transaction that adds
one to its ``attempts`` and pushes ``next_attempt_at`` a lease ahead (:data:`LEASE`): other
deliverers skip it until the lease ends, so a process that dies mid-request only delays its
deliveries. On PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED``, so two deliverers
never wait on or take the same rows; on SQLite, which has one writer at a time, a conditional
``UPDATE`` (still pending, still due, same ``attempts``) is the claim. The result is written only
if ``attempts`` is still the claimed value: ``attempts`` is the claim's fencing token.

Before each POST the webhook's host is resolved once and every address checked
(:mod:`bouclier.webhooks.destinations`: no loopback, private, CGNAT... unless the operator listed
it); the POST (``httpx``, :data:`TIMEOUT` seconds) connects to those checked addresses only
(:mod:`bouclier.webhooks.transport`), follows no redirect and reads no response body. It succeeds
on any 2xx. Anything else is retried after :data:`BACKOFF` (10 s, 30 s, 2 min, 10 min, 1 h, 3 h,
6 h, 12 h: about 22 h in all), each delay jittered by ±20 % so that a platform coming back is not
hit by every retry at once; after :data:`MAX_ATTEMPTS` attempts the delivery is ``failed``
(``redeliver`` sends it again).
The log keeps the attempts, the last HTTP status and a coarse error
(:data:`~bouclier.vocabulary.DELIVERY_ERRORS`: "could not connect", "timeout", "destination
refused"), never the body, and nothing finer that would make it a port scanner. The process log
names the webhook by its id, never by its URL (which may carry a token).
:meth:`Deliverer.deliver_due` does one round at a given ``now``: tests drive time with it. Each
round first fans the new bank changes out into the outbox (:mod:`bouclier.webhooks.fanout`).
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
from sqlalchemy import CursorResult, select, update

from bouclier import __version__
from bouclier.storage import Database
from bouclier.storage.models import Webhook, WebhookDelivery, utcnow
from bouclier.vocabulary import DeliveryError
from bouclier.webhooks.destinations import (
    Destinations,
    RefusedDestination,
    UnresolvedDestination,
)
from bouclier.webhooks.fanout import fan_out
from bouclier.webhooks.outbox import expand
from bouclier.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign
from bouclier.webhooks.transport import pinned_transport, tls_context

log = logging.getLogger(__name__)

#: Seconds a POST may take.
TIMEOUT = 10.0
#: The delays before the 2nd, 3rd... attempt.
BACKOFF = tuple(
    timedelta(seconds=s) for s in (10, 30, 120, 600, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
)
MAX_ATTEMPTS = len(BACKOFF) + 1
JITTER = 0.2
#: Deliveries claimed per round; with the timeout, they fit well inside the lease.
BATCH = 10
LEASE = timedelta(minutes=5)
#: Seconds between two rounds of the background thread.
INTERVAL = 2.0
MAX_ERROR = 500


@dataclass(frozen=True, slots=True)
class Claim:
    id: int
    webhook_id: int
    event: str
    payload: str
    attempts: int  # after this attempt: the fencing token
    url: str
    secret: str


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    status: int | None
    error: DeliveryError | str | None  # a DeliveryError, or "HTTP 500"


_CONNECT: DeliveryError = "could not connect"
_TIMEOUT: DeliveryError = "timeout"
_REFUSED: DeliveryError = "destination refused"


class Deliverer:
    """Delivers the outbox of one database. ``destinations`` is where webhooks may go (default:
    public addresses only, resolved by the system); ``transport`` replaces the network for every
    request (tests pass an ``httpx.MockTransport``; the destination check still runs first);
    ``rng`` draws the jitter, ``clock`` gives the signature's time (the real clock, even when a
    test drives ``now``, so receivers can check it)."""

    def __init__(
        self,
        db: Database,
        *,
        destinations: Destinations | None = None,
        transport: httpx.BaseTransport | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        batch: int = BATCH,
        timeout: float = TIMEOUT,
    ) -> None:
        self.db = db
        self.destinations = destinations or Destinations()
        self.transport = transport
        self.timeout = httpx.Timeout(timeout)
        self.rng = rng or random.Random()
        self.clock = clock
        self.batch = batch
        self._tls: ssl.SSLContext | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one round --------------------------------------------------------------------------

    def deliver_due(self, now: datetime | None = None) -> int:
        """Claims the deliveries due at ``now`` (at most one batch), sends them and records each
        outcome; returns how many were attempted."""
        moment = now or utcnow()
        fan_out(self.db, moment)
        claims = self.claim(moment)
        for claim in claims:
            self._record(claim, self._send(claim), moment)
        return len(claims)

    def claim(self, now: datetime) -> list[Claim]:
        due = (
            select(WebhookDelivery.id, WebhookDelivery.attempts)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                Webhook.disabled_at.is_(None),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(self.batch)
        )
        if self.db.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True, of=WebhookDelivery)
        claimed: list[Claim] = []
        with self.db.transaction() as session:
            for delivery_id, attempts in session.execute(due).all():
                result = cast(
                    CursorResult[Any],
                    session.execute(
                        update(WebhookDelivery)
                        .where(
                            WebhookDelivery.id == delivery_id,
                            WebhookDelivery.status == "pending",
                            WebhookDelivery.attempts == attempts,
                            WebhookDelivery.next_attempt_at <= now,
                        )
                        .values(attempts=attempts + 1, next_attempt_at=now + LEASE)
                    ),
                )
                if result.rowcount != 1:
                    continue  # another deliverer took it first (SQLite)
                row = session.execute(
                    select(
                        WebhookDelivery.webhook_id,
                        WebhookDelivery.event,
                        WebhookDelivery.payload,
                        WebhookDelivery.first_cursor,
                        WebhookDelivery.last_cursor,
                        Webhook.url,
                        Webhook.secret,
                    )
                    .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                    .where(WebhookDelivery.id == delivery_id)
                ).one()
                body = expand(session, row.payload, row.first_cursor, row.last_cursor)
                claimed.append(
                    Claim(
                        delivery_id,
                        row.webhook_id,
                        row.event,
                        body,
                        attempts + 1,
                        row.url,
                        row.secret,
                    )
                )
        return claimed

    def _send(self, claim: Claim) -> Outcome:
        parts = urlsplit(claim.url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.destinations.addresses(host, port)
        except RefusedDestination:
            return Outcome(False, None, _REFUSED)
        except UnresolvedDestination:
            return Outcome(False, None, _CONNECT)
        data = claim.payload.encode("utf-8")
        request = httpx.Request(
            "POST",
            claim.url,
            content=data,
            headers={
                "Content-Type": "application/json",
                "User-Agent": f"Bouclier-Webhooks/{__version__}",
                EVENT_HEADER: claim.event,
                DELIVERY_HEADER: str(claim.id),
                SIGNATURE_HEADER: sign(claim.secret, data, int(self.clock())),
            },
            extensions={"timeout": self.timeout.as_dict()},
        )
        # The transport, not a client: no redirect followed, no proxy from the environment, no
        # cookie kept, and no INFO line with the URL (httpx.Client logs each request's URL).
        transport = self.transport or pinned_transport(addresses, self._tls_context())
        try:
            response = transport.handle_request(request)
            response.close()  # the body is never read: a receiver cannot make it fill memory
        except httpx.TimeoutException:
            return Outcome(False, None, _TIMEOUT)
        except (httpx.TransportError, ssl.SSLError, OSError):
            # refused, reset, closed without an answer, TLS: one answer, not a port scanner
            return Outcome(False, None, _CONNECT)
        finally:
            if transport is not self.transport:
                transport.close()
        if response.is_success:
            return Outcome(True, response.status_code, None)
        why = f"HTTP {response.status_code}"
        if response.is_redirect:
            why += " (redirects are not followed)"
        return Outcome(False, response.status_code, why)

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = tls_context()
        return self._tls

    def backoff(self, attempts: int) -> timedelta:
        """The jittered delay after the ``attempts``-th failed attempt."""
        base = BACKOFF[min(attempts, len(BACKOFF)) - 1]
        return base * self.rng.uniform(1 - JITTER, 1 + JITTER)

    def _record(self, claim: Claim, outcome: Outcome, now: datetime) -> None:
        values: dict[str, Any] = {"last_status": outcome.status, "last_error": outcome.error}
        if outcome.ok:
            values |= {"status": "delivered", "delivered_at": now, "next_attempt_at": now}
        elif claim.attempts >= MAX_ATTEMPTS:
            values |= {"status": "failed", "next_attempt_at": now}
        else:
            values["next_attempt_at"] = now + self.backoff(claim.attempts)
        with self.db.transaction() as session:
            session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == claim.id,
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.attempts == claim.attempts,
                )
                .values(**values)
            )
        if not outcome.ok:
            # ids and status only: a body can carry a victim's hash
            log.info(
                "webhook %d delivery %d attempt %d failed: %s",
                claim.webhook_id,
                claim.id,
                claim.attempts,
                outcome.error,
            )

    # -- the background thread ----------------------------------------------------------------

    def start(self, interval: float = INTERVAL) -> None:
        """Starts delivering in a background thread, a round every ``interval`` seconds."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="bouclier-webhook-deliverer", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                while self.deliver_due(utcnow()) == self.batch and not self._stop.is_set():
                    pass  # a full batch: more may be due
            except Exception as exc:  # a database away for a moment: try again next round
                log.warning("cannot deliver webhooks: %s", type(exc).__name__)

    def stop(self, timeout: float = 30.0) -> None:
        """Stops the thread (after the request in flight, if any)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    def close(self) -> None:
        self.stop()
        if self.transport is not None:
            self.transport.close()

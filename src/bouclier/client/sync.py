"""The blocking client: every /v1 operation a platform or an AI provider calls, with retries.

    from bouclier.client import Client

    with Client("https://bouclier.example", key="bk_...") as bouclier:
        verdict = bouclier.match_image(upload_bytes)
        if verdict.blocked:
            ...

Errors are :mod:`bouclier.client.errors`; the policy for sending again is
:mod:`bouclier.client.retry`. A ``transport`` (``httpx.MockTransport`` in tests, or a configured
one) and a ``sleep`` can be given.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import httpx

from bouclier.client import calls, models
from bouclier.client.calls import Call, ImageInput
from bouclier.client.retry import Retry
from bouclier.client.wire import Failed, answered, headers_for, lost, request_of

T = TypeVar("T")


class Client:
    def __init__(
        self,
        base_url: str,
        key: str | None = None,
        *,
        timeout: float = 30.0,
        retry: Retry | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retry = retry or Retry()
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=base_url, headers=headers_for(key), timeout=timeout, transport=transport
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(self, call: Call[T]) -> T:
        """Sends one call, again while the retry policy says so, and reads its answer."""
        tried = 0
        while True:
            tried += 1
            outcome: T | Failed
            try:
                answer = self._http.request(**request_of(call))
            except httpx.TransportError as exc:
                outcome = lost(exc)
            else:
                outcome = answered(call, answer)
            if not isinstance(outcome, Failed):
                return outcome
            wait = self.retry.wait(
                tried, outcome.failure, idempotent=call.idempotent, retry_after=outcome.retry_after
            )
            if wait is None:
                raise outcome.error
            self._sleep(wait)

    # health
    def healthz(self) -> Any:
        return self.send(calls.healthz())

    def readyz(self) -> Any:
        return self.send(calls.readyz())

    # images and hashes
    def hash_image(self, image: ImageInput) -> models.Hashes:
        return self.send(calls.hash_image(image))

    def match_image(self, image: ImageInput, *, robust: int | None = None) -> models.ImageMatch:
        return self.send(calls.match_image(image, robust))

    def match_hashes(
        self, values: Sequence[str], *, signal_type: str = "pdq"
    ) -> list[models.HashMatch]:
        return self.send(calls.match_hashes(values, signal_type)).results

    # videos (MP4/QuickTime, WebM/Matroska)
    def hash_video(self, video: ImageInput, *, purpose: str = "match") -> models.VideoHashes:
        """``purpose="bank"``: hashed at the bank rate, for ``add_hashes`` (``vpdq_text``)."""
        return self.send(calls.hash_video(video, purpose))

    def match_video(self, video: ImageInput) -> models.VideoMatch:
        return self.send(calls.match_video(video))

    def analyze(self, image: ImageInput) -> models.Analysis:
        return self.send(calls.analyze(image))

    # generative-AI guard
    def guard_request(
        self,
        prompt: str,
        image: ImageInput | None = None,
        *,
        minor: bool = False,
        enrolled: bool = False,
    ) -> models.GuardDecision:
        return self.send(calls.guard_request(prompt, image, minor=minor, enrolled=enrolled))

    def guard_output(self, source: ImageInput, output: ImageInput) -> models.GuardDecision:
        return self.send(calls.guard_output(source, output))

    # banks and their delta sync
    def banks(self) -> list[models.Bank]:
        return self.send(calls.banks()).banks

    def bank(self, name: str) -> models.Bank:
        return self.send(calls.bank(name))

    def create_bank(self, name: str, kind: str, threshold: int | None = None) -> models.Bank:
        return self.send(calls.create_bank(name, kind, threshold))

    def delete_bank(self, name: str) -> models.BankDeleted:
        return self.send(calls.delete_bank(name))

    def add_hashes(self, name: str, entries: Sequence[dict[str, Any] | str]) -> models.EntriesAdded:
        return self.send(calls.add_hashes(name, entries))

    def remove_hash(self, name: str, entry: int) -> models.EntryRemoved:
        return self.send(calls.remove_hash(name, entry))

    def add_image(self, name: str, image: ImageInput, source: str = "api") -> models.ImageAdded:
        return self.send(calls.add_image(name, image, source))

    def bank_changes(self, name: str, since: int = 0, limit: int = 1000) -> models.Changes:
        return self.send(calls.bank_changes(name, since, limit))

    def iter_changes(self, name: str, since: int = 0, limit: int = 1000) -> Iterator[models.Change]:
        """Every change after ``since``, page after page until none is waiting; each change's
        ``cursor`` is where to resume from."""
        while True:
            page = self.bank_changes(name, since, limit)
            yield from page.changes
            since = page.next
            if not page.more:
                return

    # what the platform did, and events
    def feedback(
        self,
        entry_id: int,
        value: str,
        action: str,
        *,
        signal_type: str = "pdq",
        url: str | None = None,
    ) -> models.Feedback:
        return self.send(calls.feedback(entry_id, value, action, signal_type=signal_type, url=url))

    def create_webhook(
        self, name: str, url: str, events: Sequence[str] | None = None
    ) -> models.WebhookCreated:
        return self.send(calls.create_webhook(name, url, events))

    def webhooks(self) -> list[models.Webhook]:
        return self.send(calls.webhooks()).webhooks

    def set_webhook_events(self, webhook_id: int, events: Sequence[str]) -> models.Webhook:
        """Replaces the events a webhook receives (an old webhook opts in to ``hash.updated``)."""
        return self.send(calls.set_webhook_events(webhook_id, events))

    def delete_webhook(self, webhook_id: int) -> models.WebhookDeleted:
        return self.send(calls.delete_webhook(webhook_id))

    def deliveries(
        self,
        webhook_id: int,
        *,
        status: str | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> models.Deliveries:
        return self.send(calls.deliveries(webhook_id, status=status, before=before, limit=limit))

    def retry_delivery(self, webhook_id: int, delivery_id: int) -> models.Delivery:
        return self.send(calls.retry_delivery(webhook_id, delivery_id))

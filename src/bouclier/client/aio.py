"""The asyncio client: the same calls and retry policy as :class:`bouclier.client.Client`.

It has the operations of the hot path (match, hash, analyze, guard, delta sync, feedback); any
other operation is ``await client.send(calls.<operation>(...))`` with :mod:`bouclier.client.calls`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

import httpx

from bouclier.client import calls, models
from bouclier.client.calls import Call, ImageInput
from bouclier.client.retry import Retry
from bouclier.client.wire import Failed, answered, headers_for, lost, request_of

T = TypeVar("T")


class AsyncClient:
    def __init__(
        self,
        base_url: str,
        key: str | None = None,
        *,
        timeout: float = 30.0,
        retry: Retry | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.retry = retry or Retry()
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=headers_for(key), timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, call: Call[T]) -> T:
        tried = 0
        while True:
            tried += 1
            outcome: T | Failed
            try:
                answer = await self._http.request(**request_of(call))
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
            await self._sleep(wait)

    async def hash_image(self, image: ImageInput) -> models.Hashes:
        return await self.send(calls.hash_image(image))

    async def match_image(
        self, image: ImageInput, *, robust: int | None = None
    ) -> models.ImageMatch:
        return await self.send(calls.match_image(image, robust))

    async def match_hashes(
        self, values: Sequence[str], *, signal_type: str = "pdq"
    ) -> list[models.HashMatch]:
        return (await self.send(calls.match_hashes(values, signal_type))).results

    async def hash_video(self, video: ImageInput, *, purpose: str = "match") -> models.VideoHashes:
        return await self.send(calls.hash_video(video, purpose))

    async def match_video(self, video: ImageInput) -> models.VideoMatch:
        return await self.send(calls.match_video(video))

    async def analyze(self, image: ImageInput) -> models.Analysis:
        return await self.send(calls.analyze(image))

    async def guard_request(
        self,
        prompt: str,
        image: ImageInput | None = None,
        *,
        minor: bool = False,
        enrolled: bool = False,
    ) -> models.GuardDecision:
        return await self.send(calls.guard_request(prompt, image, minor=minor, enrolled=enrolled))

    async def guard_output(self, source: ImageInput, output: ImageInput) -> models.GuardDecision:
        return await self.send(calls.guard_output(source, output))

    async def banks(self) -> list[models.Bank]:
        return (await self.send(calls.banks())).banks

    async def bank_changes(self, name: str, since: int = 0, limit: int = 1000) -> models.Changes:
        return await self.send(calls.bank_changes(name, since, limit))

    async def iter_changes(
        self, name: str, since: int = 0, limit: int = 1000
    ) -> AsyncIterator[models.Change]:
        while True:
            page = await self.bank_changes(name, since, limit)
            for change in page.changes:
                yield change
            since = page.next
            if not page.more:
                return

    async def feedback(
        self,
        entry_id: int,
        value: str,
        action: str,
        *,
        signal_type: str = "pdq",
        url: str | None = None,
    ) -> models.Feedback:
        call = calls.feedback(entry_id, value, action, signal_type=signal_type, url=url)
        return await self.send(call)

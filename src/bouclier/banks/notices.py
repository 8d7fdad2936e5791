"""Change notices over NATS: a publisher tells its followers at once that its banks changed.

A notice is ``{"cursor": N}`` on the subject ``BOUCLIER_NATS_SUBJECT``: the latest cursor of the
change log, never a hash, a bank's name or anything of a case, so the NATS server learns nothing
worth keeping. Followers (``bouclier bank follow --nats``) pull their banks when one arrives, and
still poll at their interval: a lost notice (NATS down, a follower reconnecting) delays a change by
one interval at most, never loses it. Notices are core NATS messages, not JetStream: a follower
that was away reads the log from its own cursor anyway.

:class:`ChangeNotifier` runs in each service process when ``BOUCLIER_NATS_URL`` is set: it reads
the log's last cursor every ``BOUCLIER_NATS_NOTICE_SECONDS`` (one indexed ``max()``) and announces
it when it moved, so writes by any process or by the CLI (a withdrawal, ``bouclier bank add``)
are announced too. :class:`NoticeListener` is the follower's side. Both run an asyncio loop of
their own in a daemon thread, since nats-py is asyncio-only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from bouclier.banks.store import BankStore

log = logging.getLogger(__name__)

_CONNECT_WAIT_S = 2.0


async def _connect(url: str) -> Any:
    import nats  # heavy-ish and optional at run time: only when notices are on

    return await nats.connect(
        url,
        connect_timeout=_CONNECT_WAIT_S,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        allow_reconnect=True,
    )


class _LoopThread:
    """An asyncio loop in a daemon thread, stopped by :meth:`close`."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self, wait_s: float = 10.0) -> None:
        self._thread.start()
        self._ready.wait(wait_s)
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception as exc:  # the thread's own failure: reported to start(), or logged
            self._error = exc
            self._ready.set()
            log.warning("NATS notices stopped: %s", type(exc).__name__)

    async def _main(self) -> None:
        raise NotImplementedError

    async def _until_stopped(self, every: float) -> None:
        while not self._stop.is_set():
            await asyncio.sleep(every)


class ChangeNotifier(_LoopThread):
    """Announces the change log's last cursor on NATS each time it moves."""

    def __init__(self, store: BankStore, url: str, subject: str, every: float = 0.2) -> None:
        super().__init__("bouclier-nats-notifier")
        self.store = store
        self.url = url
        self.subject = subject
        self.every = every
        self.sent = 0

    async def _main(self) -> None:
        connection = await _connect(self.url)
        self._ready.set()
        last = await asyncio.to_thread(self.store.last_cursor)
        try:
            while not self._stop.is_set():
                await asyncio.sleep(self.every)
                try:
                    cursor = await asyncio.to_thread(self.store.last_cursor)
                except Exception as exc:  # a database hiccup: try again next round
                    log.warning("change notices: cannot read the log (%s)", type(exc).__name__)
                    continue
                if cursor != last:
                    await connection.publish(self.subject, json.dumps({"cursor": cursor}).encode())
                    await connection.flush()
                    last = cursor
                    self.sent += 1
        finally:
            await connection.close()


class NoticeListener(_LoopThread):
    """Calls ``on_notice(cursor)`` for each change notice on ``subject``; malformed messages
    (anyone may publish on a NATS subject) are ignored."""

    def __init__(self, url: str, subject: str, on_notice: Callable[[int], None]) -> None:
        super().__init__("bouclier-nats-listener")
        self.url = url
        self.subject = subject
        self.on_notice = on_notice

    async def _main(self) -> None:
        connection = await _connect(self.url)

        async def received(message: Any) -> None:
            cursor = _cursor(message.data)
            if cursor is not None:
                self.on_notice(cursor)

        await connection.subscribe(self.subject, cb=received)
        await connection.flush()
        self._ready.set()
        try:
            await self._until_stopped(0.05)
        finally:
            await connection.close()


def _cursor(data: bytes) -> int | None:
    if len(data) > 100:
        return None
    try:
        notice = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    cursor = notice.get("cursor") if isinstance(notice, dict) else None
    return cursor if isinstance(cursor, int) and not isinstance(cursor, bool) else None

"""Logs as JSON lines, one access-log line per request, and the request id that ties them together.

Every log line is one JSON object: ``time``, ``level``, ``logger``, ``message``, and for a request
``request_id``, ``method``, ``route`` (the route template, ``/v1/banks/{name}``; never the raw path,
which may carry data), ``status``, ``duration_ms`` and ``key_id`` (the API key's id, never the key).
A formatter cannot tell data from text, so what makes logs safe is what is *put* in them: only those
fields, never a request's body, image, hash or prompt, nor any header but the request id; an
exception is logged by type and stack, without its message (which may quote the input).

The request id is the caller's ``X-Request-ID`` when it is a safe token (letters, digits and
``._:-``, at most 128 characters), else a new one; it is echoed in the response's ``X-Request-ID``.

:func:`log_config` is the logging configuration of ``bouclier serve``: uvicorn's own loggers and the
service's through this formatter, and uvicorn's access log off (this middleware's line replaces it).
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bouclier.api import problems
from bouclier.api.metrics import UNMATCHED, HttpMetrics

access_log = logging.getLogger("bouclier.access")

HEADER = "x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
#: The request fields a log line may carry (set with ``extra=``); anything else is left out.
REQUEST_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "key_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the fixed fields and :data:`REQUEST_FIELDS` when present."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the last second written and its date and time (a line a request: most share one)
        self._second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, tb = record.exc_info
            line["exception"] = {
                "type": f"{kind.__module__}.{kind.__qualname__}",
                "stack": "".join(traceback.format_tb(tb)),
            }
        try:
            return orjson.dumps(line, default=str).decode()  # a tenth of json's cost per line
        except TypeError:  # what orjson refuses (a lone surrogate, an int past 64 bits)
            return json.dumps(line, ensure_ascii=False, default=str)

    def _time(self, created: float) -> str:
        """``datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")``, the same
        text (tests/api/test_lookup_observed.py), with the date and time of the second made once
        a second: the microseconds rounded as datetime rounds them (half to even, a carry into
        the next second), then cut to milliseconds."""
        if not created >= 0:  # before 1970 (or not a number): datetime's own way
            return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        fraction, whole = math.modf(created)
        micro = round(fraction * 1e6)
        if micro >= 1_000_000:
            micro -= 1_000_000
            whole += 1.0
        second = int(whole)
        known = self._second  # one read: another thread may replace it meanwhile
        if known[0] != second:
            stamp = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")
            known = (second, stamp.removesuffix("+00:00"))
            self._second = known
        return f"{known[1]}.{micro // 1000:03d}+00:00"


def request_id(value: str | None) -> str:
    """The caller's id when it is a safe token, else a new random one (32 hex digits; from
    ``random``, not the system's entropy: an id ties log lines together and is no secret)."""
    if value is not None and _SAFE_ID.fullmatch(value):
        return value
    return f"{random.getrandbits(128):032x}"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestObservation:
    """ASGI middleware: request id, one access-log line and the request metrics per request."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        header = next((v for k, v in scope["headers"] if k == HEADER.encode()), None)
        rid = request_id(header.decode("latin-1") if header is not None else None)
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k != HEADER.encode()]
                message = {**message, "headers": [*headers, (HEADER.encode(), rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # The one error handler answers here rather than in Starlette's outermost middleware,
            # so that a 500 carries its request id too; the exception still goes on up.
            if not response_started:
                response = await problems.handle(Request(scope), exc)
                await response(scope, receive, send_with_id)
            raise
        finally:
            self._record(scope, rid, status, time.perf_counter() - started)

    def _record(self, scope: Scope, rid: str, status: int, seconds: float) -> None:
        key_id = scope.get("state", {}).get("api_key_id")
        record(self.metrics, scope["method"], route_template(scope), rid, status, seconds, key_id)


async def answer_recorded(
    scope: Scope,
    receive: Receive,
    send: Send,
    headers: dict[bytes, bytes],
    metrics: HttpMetrics,
    route: str,
    answer: Callable[[str], Awaitable[int]],
) -> None:
    """A lean path's request (:mod:`bouclier.api.lookup`, :mod:`bouclier.api.lean_match`): its
    request id (from ``headers``, the request's as a dict), ``answer(rid)`` (which sends the
    answer and returns its status), any error answered by the one error handler as for every
    other route, then :func:`record`."""
    started = time.perf_counter()
    header = headers.get(HEADER.encode())
    rid = request_id(header.decode("latin-1") if header is not None else None)
    try:
        status = await answer(rid)
    except Exception as exc:
        status = await answer_error(scope, receive, send, rid, exc)
    record(
        metrics,
        scope["method"],
        route,
        rid,
        status,
        time.perf_counter() - started,
        scope.get("state", {}).get("api_key_id"),  # set once the key is known, refused or not
    )


async def answer_error(scope: Scope, receive: Receive, send: Send, rid: str, exc: Exception) -> int:
    """A lean path's error, answered by the one error handler as for every other route, with the
    request id; its status."""
    response = await problems.handle(Request(scope), exc)
    response.headers[HEADER] = rid
    await response(scope, receive, send)
    return response.status_code


def record(
    metrics: HttpMetrics,
    method: str,
    route: str,
    rid: str,
    status: int,
    seconds: float,
    key_id: int | None,
) -> None:
    """A request's metrics and its access-log line (also written by the lean lookup path,
    :mod:`bouclier.api.lookup`, which answers before this middleware)."""
    metrics.observe(method, route, status, seconds)
    if access_log.isEnabledFor(logging.INFO):
        access_log.handle(access_record(method, route, rid, status, seconds, key_id))


def access_record(
    method: str, route: str, rid: str, status: int, seconds: float, key_id: int | None
) -> logging.LogRecord:
    """A request's access-log record: what ``access_log.info("%s %s %d", method, route, status,
    extra={...})`` would make (tests/api/test_lookup_observed.py compares them), made by the
    record factory directly. ``info()`` would walk the stack for the caller's file and line, and
    ``makeRecord`` checks each ``extra`` field against the record's own, half the record's cost;
    this formatter never shows the file and line, and the fields are :data:`REQUEST_FIELDS`,
    none of which a record has."""
    line = logging.getLogRecordFactory()(
        access_log.name, logging.INFO, __file__, 0, "%s %s %d", (method, route, status), None
    )
    fields = line.__dict__
    fields["request_id"] = rid
    fields["method"] = method
    fields["route"] = route
    fields["status"] = status
    fields["duration_ms"] = round(seconds * 1000, 3)
    fields["key_id"] = key_id
    return line


def log_config(level: str = "info") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of ``bouclier serve``: JSON lines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": upper, "propagate": False},
            "uvicorn.error": {"level": upper},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
        "root": {"handlers": ["default"], "level": upper},
    }

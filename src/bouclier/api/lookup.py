"""The lean lookup path, ``POST /v1/lookup``: many hashes in one request, a verdict for each, by
the shortest way through the service.

A hash lookup is the call a platform makes on every upload, and the index answers one in well
under 0.1 ms; through the general stack (the gate, the access-log middleware, FastAPI's routing,
dependencies and response models) the web framework cost about nine times the search (issue 18).
This route is answered by :class:`LeanLookup`, the outermost middleware that ``create_app``
installs, before the other middleware and the router see the request. It does what they would
do, in the same order, with the same answers; steps 2-4 are the gate's own admit step
(:class:`~bouclier.api.gate.Admission`), called with the key's rate limit and role:

1. the request id (``X-Request-ID``), one access-log line and the request metrics, as
   :mod:`bouclier.api.observability` writes them (route ``/v1/lookup``);
2. a request without ``Authorization`` is counted against the limits of traffic without a key;
3. a ``Content-Length`` over ``BOUCLIER_MAX_BODY_BYTES`` is refused before a byte is read (413
   ``body_too_large``); a chunked body is counted as it arrives;
4. the key (401 ``unauthenticated``; an unknown key also counts as traffic without one), its rate
   limit (429 ``rate_limited``), its role (every role may look up);
5. the body, ``{"pdq": [...]}`` or ``{"signal_type": ..., "values": [...]}``, is read by the model
   of ``/v1/match/hashes`` (:class:`~bouclier.api.images.HashQuery`) straight from the JSON bytes:
   at most :data:`MAX_LOOKUP_HASHES` hashes, else 422 ``invalid_request`` naming the field (as is
   JSON that does not parse); each hash is made canonical by its type (422 ``invalid_hash``). The
   plain body nearly every client sends, ``{"pdq": ["<64 hex>", ...]}`` and nothing else, is read
   without the model (:func:`plain_pdq`: the same values, any other body goes to the model);
6. the PDQ hashes are searched in one call
   (:meth:`~bouclier.banks.matcher.BankMatcher.match_packed`), on the event loop up to
   :data:`INLINE_LOOKUP_HASHES` and in a worker thread above;
7. the answer is ``/v1/match/hashes``'s, with the same fields and values, written by orjson (a
   PDQ hash without a match from pre-encoded parts, the same bytes: :func:`lookup_json`).

What it costs and what was cut (w22-lean): docs/benchmarks-log.md, "Lean lookup path, less CPU".

The OpenAPI schema describes the route (:func:`document`): ``/v1/match/hashes``'s operation under
this path.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from bouclier.api.auth import ANY_ROLE, Require
from bouclier.api.gate import Admission, Limit
from bouclier.api.images import MAX_QUERY_HASHES, HashQuery, case_flags, settle, verdict_dict
from bouclier.api.metrics import HttpMetrics
from bouclier.api.observability import HEADER, answer_error, record, request_id
from bouclier.api.schemas import MatchOut
from bouclier.api.services import Services
from bouclier.banks.matcher import BankMatcher, Match
from bouclier.policy import decide
from bouclier.settings import Settings
from bouclier.signals import DEFAULT

PATH = "/v1/lookup"
#: The most hashes one lookup may carry (as ``/v1/match/hashes``); more is a 422 naming ``pdq``
#: or ``values``.
MAX_LOOKUP_HASHES = MAX_QUERY_HASHES
#: Lookups of up to this many PDQ hashes are searched on the event loop: one search call for all
#: of them takes less than handing it to a thread (~0.06 ms a hash at 10M, the index never locks).
INLINE_LOOKUP_HASHES = 64
REQUIRE = Require(*ANY_ROLE)
ROLES = REQUIRE.roles
METHODS = ("POST",)
#: Every field of a match in the answer, null where the match has none (as the response model of
#: ``/v1/match/hashes`` writes them).
_MATCH_FIELDS = tuple(MatchOut.model_fields)
_REQUEST_ID = HEADER.encode()
#: The status recorded for a client that went away before its body was read (nginx's).
CLIENT_GONE = 499


class _Gone(Exception):
    """The client disconnected before its whole body arrived: there is no one to answer."""


class LeanLookup:
    """ASGI middleware that answers ``POST /v1/lookup`` itself and passes every other request on."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: HttpMetrics) -> None:
        self.app = app
        self.limit = Limit(settings.max_body_bytes, upload=False)
        self.admission = Admission(settings)  # the gate's checks, in its order
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        state: State = scope["app"].state
        services: Services | None = getattr(state, "services", None)
        if services is None:  # before the lifespan: nothing to match with
            await self.app(scope, receive, send)
            return
        # observability.answer_recorded's steps, inline (one coroutine and closure fewer)
        started = time.perf_counter()
        headers = dict(scope["headers"])
        header = headers.get(_REQUEST_ID)
        rid = request_id(header.decode("latin-1") if header is not None else None)
        try:
            await self.admission.admit(
                scope, headers, self.limit, REQUIRE, {}, methods=METHODS, rate_and_role=True
            )
            status = await self._answer(send, rid, services, await self._body(receive))
        except _Gone:
            status = CLIENT_GONE
        except Exception as exc:
            status = await answer_error(scope, receive, send, rid, exc)
        record(
            self.metrics,
            scope["method"],
            PATH,
            rid,
            status,
            time.perf_counter() - started,
            scope.get("state", {}).get("api_key_id"),  # set once the key is known, refused or not
        )

    async def _body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Gone
            chunk: bytes = message.get("body", b"")
            if not message.get("more_body", False) and not chunks:  # the whole body at once
                if len(chunk) > self.limit.bytes:
                    raise self.limit.refusal()
                return chunk
            size += len(chunk)
            if size > self.limit.bytes:
                raise self.limit.refusal()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _answer(self, send: Send, rid: str, services: Services, body: bytes) -> int:
        plain = plain_pdq(body)
        if plain is not None:  # the common body, read without the model: the same values
            answer = await lookup_json(services, DEFAULT, plain)
        else:
            try:
                query = HashQuery.model_validate_json(body)
            except ValidationError as exc:  # worded as every route's (problems.handle)
                raise RequestValidationError(
                    [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
                ) from None
            kind = services.matcher.signal_types.get(query.signal_type)
            canonical = [kind.validate(value) for value in query.queried]
            answer = await lookup_json(services, kind.name, canonical)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    _JSON,
                    (b"content-length", b"%d" % len(answer)),
                    (_REQUEST_ID, rid.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})
        return 200


#: The body of nearly every lookup: ``{"pdq": [...]}`` with 64 hex digits in each string, JSON
#: whitespace around the tokens, nothing else (no escape, no other key, no other value). Both
#: parsers read such a body alike; anything else goes to the model, which answers it or words
#: the error (tests/api/test_lookup_observed.py compares the two readings).
_PLAIN_BODY = re.compile(
    rb'[ \t\n\r]*\{[ \t\n\r]*"pdq"[ \t\n\r]*:[ \t\n\r]*\[[ \t\n\r]*"[0-9a-fA-F]{64}"'
    rb'(?:[ \t\n\r]*,[ \t\n\r]*"[0-9a-fA-F]{64}")*[ \t\n\r]*\][ \t\n\r]*\}[ \t\n\r]*'
)
_PLAIN_VALUE = re.compile(rb'"([0-9a-fA-F]{64})"')


def plain_pdq(body: bytes) -> list[str] | None:
    """The canonical PDQ hashes of a plain ``{"pdq": [...]}`` body (:data:`_PLAIN_BODY`) of at
    most :data:`MAX_LOOKUP_HASHES` hashes: what :class:`HashQuery` and the type's ``validate``
    make of it; None for any other body."""
    if _PLAIN_BODY.fullmatch(body) is None:
        return None
    values = _PLAIN_VALUE.findall(body)
    if len(values) > MAX_LOOKUP_HASHES:
        return None
    return [value.decode("ascii").lower() for value in values]


async def lookup_json(services: Services, signal_type: str, canonical: list[str]) -> bytes:
    """``{"results": [...]}``: one result per canonical value of ``signal_type``, in order, as
    ``/v1/match/hashes`` answers them, written as orjson writes that object. A PDQ value without
    a match (nine lookups in ten) is written from pre-encoded parts: the same bytes
    (tests/api/test_lookup_observed.py)."""
    matcher = services.matcher
    if len(canonical) <= INLINE_LOOKUP_HASHES:
        found = _search(matcher, signal_type, canonical)
    else:
        found = await run_in_threadpool(_search, matcher, signal_type, canonical)
    settled, minors = await settle(services, found)
    pdq = signal_type == DEFAULT
    parts = []
    for value, matches in zip(canonical, settled, strict=True):
        if pdq and not matches:
            text = value.encode()  # 64 lowercase hex digits: nothing to escape
            parts.append(b"".join((_MISS_HEAD, text, _MISS_PDQ, text, _MISS_TAIL)))
            continue
        result = {
            "signal_type": signal_type,
            "value": value,
            "pdq": value if pdq else None,
            **_verdict(matches, minors),
        }
        parts.append(orjson.dumps(result))
    return b'{"results":[' + b",".join(parts) + b"]}"


def _search(matcher: BankMatcher, signal_type: str, values: list[str]) -> list[tuple[Match, ...]]:
    """Each value's matches: PDQ's all in one search call, other types' one by one (the same
    matches, see tests/api/test_lookup.py)."""
    if signal_type == DEFAULT:
        kind = matcher.signal_types.get(signal_type)
        return matcher.match_packed(signal_type, kind.pack(values))
    return [matcher.match_hash(value, signal_type) for value in values]


def _verdict(matches: Sequence[Match], minors: set[int]) -> dict[str, Any]:
    if not matches:  # the verdict without a match, made once
        return {**_NO_MATCH, "reasons": list(_NO_MATCH["reasons"]), "matches": []}
    found = verdict_dict(decide([], matches, case_flags(matches, minors)), matches)
    found["matches"] = [{name: m.get(name) for name in _MATCH_FIELDS} for m in found["matches"]]
    return found


_NO_MATCH = verdict_dict(decide([], (), case_flags((), set())), ())
# A PDQ miss's result, ``{"signal_type": "pdq", "value": v, "pdq": v, **_NO_MATCH}``, in parts
_MISS_HEAD = b'{"signal_type":' + orjson.dumps(DEFAULT) + b',"value":"'
_MISS_PDQ = b'","pdq":"'
_MISS_TAIL = b'",' + orjson.dumps(_NO_MATCH)[1:]
_JSON = (b"content-type", b"application/json")


def install(app: FastAPI, settings: Settings, metrics: HttpMetrics) -> None:
    """Puts :class:`LeanLookup` outside every middleware installed so far, and the route in the
    app's OpenAPI schema."""
    app.add_middleware(LeanLookup, settings=settings, metrics=metrics)
    schema = app.openapi

    def openapi() -> dict[str, Any]:
        return document(schema())  # FastAPI keeps the schema it made: documented once

    app.openapi = openapi  # type: ignore[method-assign]


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (the app's OpenAPI schema) with this route in it: ``/v1/match/hashes``'s
    operation under :data:`PATH`, saying what differs."""
    paths = schema.setdefault("paths", {})
    if PATH in paths or "/v1/match/hashes" not in paths:
        return schema
    operation = copy.deepcopy(paths["/v1/match/hashes"]["post"])
    operation["operationId"] = "lookup_v1_lookup_post"
    operation["summary"] = "Lookup"
    operation["description"] = (
        f"Matches up to {MAX_LOOKUP_HASHES} hashes (PDQ unless `signal_type` says otherwise) "
        "against every bank, one result each, in order: the same body and answer as "
        "`/v1/match/hashes`, by a leaner path through the service (bouclier.api.lookup), for "
        "platforms that look up many hashes a second. More hashes than that: 422 "
        "`invalid_request` naming the field."
    )
    operation["x-roles"] = list(ROLES)
    paths[PATH] = {"post": operation}
    return schema

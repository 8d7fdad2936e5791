"""The lean upload path, ``POST /v1/match``: the route's own answer, by a shorter way through
the web stack (issue 18; ``BOUCLIER_LEAN_MATCH``).

:class:`LeanMatch`, the outermost middleware that ``create_app`` installs, answers an upload
itself only when nothing about the request needs a step it does not take: a ``POST`` with one
``Authorization: Bearer <key>`` whose key is in the key cache, a ``Content-Length`` within the
upload limit, no repeated header, and a query string that is empty or ``robust=<0..1024>``.
Anything else (no key, an unknown key, a chunked body, a body over the limit, another query) is
passed on to the general route untouched, before any limit is counted, so that the general
path's checks answer it. An upload it takes goes through the same steps as the general route,
in the same order:

1. the request id, one access-log line and the request metrics (route ``/v1/match``), as
   :mod:`bouclier.api.observability` writes them;
2. the gate's admit step (:class:`~bouclier.api.gate.Admission`) with the key's rate limit and
   role (the route's :class:`~bouclier.api.auth.Require`), the body counted as it arrives;
3. the body: one within the image limit (plus the multipart framing) is read whole and parsed
   by :mod:`bouclier.api.form_data`, a strict parser of the plain multipart form that gives what
   the route's parser gives (the same file bytes, or the same "malformed" error) and the same
   checks after it (:func:`~bouclier.api.media_uploads.media_of`); a body it does not take (a
   preamble, escapes, a missing last boundary: the module's list) is handed, in the same chunks,
   to the route's own dependency, :func:`~bouclier.api.media_uploads.read_media`, as is every
   larger body (a video, streamed to a temporary file as the route does); a video's temporary
   file is deleted after the answer;
4. the answer made by the route's own code, :func:`~bouclier.api.images.match_upload`, passed
   through its response model and written as JSON; every refusal by the one error handler.

What it saves is FastAPI's routing, dependency solving and response handling, the middleware
between and python-multipart's parse (docs/benchmarks-log.md). tests/api/test_lean_match.py sends
each case to the app with and without it and compares the answers (tests/api/test_form_data.py
compares the two parsers). The OpenAPI schema is the route's, unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from pydantic import TypeAdapter
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bouclier.api import schemas
from bouclier.api.auth import ANY_ROLE, Require
from bouclier.api.form_data import Malformed, parse_form
from bouclier.api.gate import Admission, Limit
from bouclier.api.images import match_upload
from bouclier.api.media_uploads import (
    VideoUpload,
    malformed,
    media_limit,
    media_of,
    no_file,
    not_multipart,
    read_media,
)
from bouclier.api.metrics import HttpMetrics
from bouclier.api.observability import HEADER, answer_recorded
from bouclier.api.services import Services
from bouclier.api.uploads import FRAMING
from bouclier.settings import Settings

PATH = "/v1/match"
REQUIRE = Require(*ANY_ROLE)
METHODS = ("POST",)
#: The most the ``robust`` query parameter may be (the route's ``le``).
MAX_ROBUST = 1024
_REQUEST_ID = HEADER.encode()
#: The route's response model (``response_model=``), which makes its answer.
_ANSWER: TypeAdapter[Any] = TypeAdapter(schemas.ImageMatchOut | schemas.VideoMatchOut)


class _Other:
    """A query string the lean path leaves to the route."""


_OTHER = _Other()


class LeanMatch:
    """ASGI middleware that answers plain ``POST /v1/match`` uploads itself and passes every
    other request on."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: HttpMetrics) -> None:
        self.app = app
        self.limit = Limit(
            media_limit(settings.max_image_bytes, settings.max_video_bytes), upload=True
        )
        self.admission = Admission(settings)
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        services: Services | None = getattr(scope["app"].state, "services", None)
        headers = dict(scope["headers"])
        robust = _robust(scope.get("query_string", b""))
        if (
            services is None
            or not services.settings.lean_match
            or isinstance(robust, _Other)
            or not self._plain(scope, headers, services)
        ):
            await self.app(scope, receive, send)
            return

        async def answer(rid: str) -> int:
            return await self._answer(scope, receive, send, headers, services, robust, rid)

        await answer_recorded(scope, receive, send, headers, self.metrics, PATH, answer)

    def _plain(self, scope: Scope, headers: dict[bytes, bytes], services: Services) -> bool:
        """Whether the request needs nothing the lean path leaves out (checked without counting
        a limit or reading the database)."""
        if len(headers) != len(scope["headers"]):  # a repeated header: read as the route reads
            return False
        length = headers.get(b"content-length")
        if length is None or not length.isdigit() or int(length) > self.limit.bytes:
            return False
        scheme, _, token = headers.get(b"authorization", b"").partition(b" ")
        if scheme != b"Bearer" or not token or not token.isascii() or token.strip() != token:
            return False
        text = token.decode("ascii")
        return " " not in text and services.keys.cached(text) is not None

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        services: Services,
        robust: int | None,
        rid: str,
    ) -> int:
        key = await self.admission.admit(
            scope, headers, self.limit, REQUIRE, {}, methods=METHODS, rate_and_role=True
        )
        assert key is not None  # a key was required
        if int(headers[b"content-length"]) <= services.limits.max_bytes + FRAMING:
            media = self._in_memory(scope, receive, headers, services)
        else:  # a video, as the route reads it
            media = read_media(Request(scope, self._counted(receive)))
        try:
            upload = await anext(media)
            found = await match_upload(services, key, upload, robust)
            answer = _ANSWER.dump_json(_ANSWER.validate_python(found), by_alias=True)
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(answer)).encode()),
                        (_REQUEST_ID, rid.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": answer})
        finally:
            await media.aclose()  # a video's temporary file is deleted
        return 200

    async def _in_memory(
        self, scope: Scope, receive: Receive, headers: dict[bytes, bytes], services: Services
    ) -> AsyncGenerator[bytes | VideoUpload, None]:
        """:func:`read_media`'s answer for a body read whole: parsed by :func:`parse_form`, or,
        for a body it does not take, by ``read_media`` itself over the same chunks."""
        content_type = headers.get(b"content-type", b"")
        if not content_type.startswith(b"multipart/form-data"):
            raise not_multipart()
        chunks = await self._body(receive)
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        try:
            parts = parse_form(content_type, body)
        except Malformed:
            raise malformed() from None
        if parts is None:
            general = read_media(Request(scope, _replay(chunks)))
            try:
                yield await anext(general)
            finally:
                await general.aclose()
            return
        file = None
        for part in parts:  # the last field named "file" (Starlette's FormData.get)
            if part.name == b"file":
                file = part
        if file is None or not file.is_file:
            raise no_file()
        found = media_of(
            body[file.start : file.end],
            services.limits.max_bytes,
            services.settings.max_video_bytes,
        )
        try:
            yield found
        finally:
            if isinstance(found, VideoUpload):
                found.path.unlink(missing_ok=True)

    async def _body(self, receive: Receive) -> list[bytes]:
        """The body's chunks as they came (as Starlette's ``Request.stream`` reads them),
        refused past the limit as the gate does."""
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                if chunk:
                    received += len(chunk)
                    if received > self.limit.bytes:
                        raise self.limit.refusal()
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    return chunks
            elif message["type"] == "http.disconnect":
                raise ClientDisconnect()

    def _counted(self, receive: Receive) -> Receive:
        """``receive``, refusing a body past the limit as the gate does."""
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit.bytes:
                    raise self.limit.refusal()
            return message

        return counted


def _robust(query: bytes) -> int | _Other | None:
    """``robust`` from a query string the lean path takes (empty, or ``robust=`` 0 to
    :data:`MAX_ROBUST` in at most four digits), else :data:`_OTHER`."""
    if not query:
        return None
    name, _, value = query.partition(b"=")
    if name != b"robust" or not value.isdigit() or len(value) > 4 or int(value) > MAX_ROBUST:
        return _OTHER
    return int(value)


def _replay(chunks: list[bytes]) -> Receive:
    """A ``receive`` that gives ``chunks`` again, one message each, as they first came."""
    left = iter(chunks)

    async def replay() -> Message:
        chunk = next(left, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    return replay

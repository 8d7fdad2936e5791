"""The door of every HTTP request, before a route reads a byte of its body.

In order, for each request (:class:`Gate`, an ASGI middleware that ``create_app`` installs inside
the access log):

1. the client's address is settled (:mod:`bouclier.api.forwarded`: proxy headers only from
   ``BOUCLIER_TRUSTED_PROXIES``);
2. a request without ``Authorization`` is counted against its client's limit and the limit of all
   such traffic (:class:`~bouclier.api.ratelimit.ClientLimiter`; not ``/healthz``, ``/readyz``);
3. a ``Content-Length`` over the route's limit is refused, 413 ``body_too_large`` (an upload's
   ``media.too_large``): uploads
   (routes with ``openapi_extra`` :data:`~bouclier.api.uploads.UPLOAD_BODY`) may send
   ``BOUCLIER_MAX_IMAGE_BYTES`` per file, bulk routes (:data:`~bouclier.api.uploads.BULK_BODY`)
   ``BOUCLIER_MAX_BULK_BODY_BYTES``, every other route ``BOUCLIER_MAX_BODY_BYTES``;
4. on a route that needs a key, the key is checked (an unknown one counts as traffic without a
   key), or the case secret with its back-off (``X-Case-Secret`` on a case's route): 401 or 429;
5. the body is then passed on, counted as it streams (a chunked body has no length to check):
   once past the limit, reading stops and the answer is 413, whatever the route made of the error.

Refusals are the one error handler's answers (:mod:`bouclier.api.problems`), so they read like
any other.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bouclier.accounts.api_keys import KeyInfo
from bouclier.api import forwarded, problems
from bouclier.api.auth import Require, authenticate_key
from bouclier.api.cases import CHECKED, CaseAccess
from bouclier.api.media_uploads import media_limit
from bouclier.api.problems import Unauthenticated
from bouclier.api.ratelimit import ClientLimiter
from bouclier.api.services import Services
from bouclier.api.uploads import FRAMING
from bouclier.errors import BodyTooLarge, BouclierError, InputError, MediaError
from bouclier.settings import Settings

#: Paths never counted against the limits of traffic without a key (load balancers' probes).
PROBES = frozenset({"/healthz", "/readyz"})


class Admission:
    """The checks of a request before a byte of its body is read, in one order (this module's
    1–4): the step that the gate and the lean lookup path (:mod:`bouclier.api.lookup`) both
    call. Made once per middleware; a request allocates nothing here unless its key must be
    read from the database or a case secret checked."""

    def __init__(self, settings: Settings) -> None:
        self.proxies = settings.proxy_networks

    async def admit(
        self,
        scope: Scope,
        headers: Mapping[bytes, bytes],
        limit: Limit,
        required: Require | None,
        params: Mapping[str, Any],
        *,
        methods: Collection[str] | None = None,
        rate_and_role: bool = False,
    ) -> KeyInfo | None:
        """The key the request is admitted with (None on a public route, or a case secret's);
        the refusal as a BouclierError (or a 405 HTTPException where ``methods`` are given)
        otherwise. ``rate_and_role``: the key's rate limit and role are checked here too (the
        lean path; on the general path the route's :class:`Require` checks them)."""
        if self.proxies:  # no trusted proxy: the peer is the client (resolve's own answer)
            forwarded.resolve(scope, self.proxies)
        state = scope["app"].state
        authorization = headers.get(b"authorization")
        clients: ClientLimiter | None = getattr(state, "client_limiter", None)
        if authorization is None and clients is not None and scope["path"] not in PROBES:
            await clients.check_async(forwarded.client_host(scope))
        if methods is not None and scope["method"] not in methods:
            raise HTTPException(405, "Method Not Allowed", headers={"Allow": ", ".join(methods)})
        length = headers.get(b"content-length")
        if length is not None:
            if not length.strip().isdigit():
                raise InputError("Content-Length is not a number", code="invalid_request")
            if int(length) > limit.bytes:
                raise limit.refusal()
        services: Services | None = getattr(state, "services", None)
        if required is None or services is None:
            return None
        secret = headers.get(b"x-case-secret")
        if isinstance(required, CaseAccess) and secret is not None:
            request, number = Request(scope), str(params.get("number", ""))
            case = await required.verify(request, number, secret.decode("latin-1"))
            setattr(request.state, CHECKED, ((number, secret.decode("latin-1")), case))
            return None
        scheme, _, token = (authorization or b"").decode("latin-1").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("send an API key as 'Authorization: Bearer <key>'")
        key = services.keys.cached(token)
        if key is None:  # the database, in a thread; an unknown key is counted and refused
            key = await authenticate_key(Request(scope), token)
        scope.setdefault("state", {})["api_key_id"] = key.id  # the id, never the key
        if rate_and_role:
            await required.admit(state, key)
        return key


class Gate:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.admission = Admission(settings)
        self._routes: list[tuple[str, APIRoute]] | None = None  # read at the first request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route, params = self._route(scope)
        limit = Limit(self.body_limit(route), _is_upload(route))
        try:
            await self.admission.admit(
                scope, dict(scope["headers"]), limit, _required(route), params
            )
        except BouclierError as exc:
            request = Request(scope)  # headers only: no receive, the body stays unread
            response = await problems.handle(request, exc)
            await response(scope, receive, send)
            return
        await self._pass(scope, receive, send, limit)

    def _route(self, scope: Scope) -> tuple[APIRoute | None, dict[str, Any]]:
        if self._routes is None:
            self._routes = list(_api_routes(scope["app"].router.routes, ""))
        path, method = scope["path"], scope["method"]
        for prefix, route in self._routes:
            if not path.startswith(prefix):
                continue
            found = route.path_regex.match(path[len(prefix) :])
            if found is None or (route.methods and method not in route.methods):
                continue
            scope["route"] = route  # the access log names refused requests' routes too
            params = {
                name: route.param_convertors[name].convert(value)
                for name, value in found.groupdict().items()
            }
            return route, params
        return None, {}

    def body_limit(self, route: APIRoute | None) -> int:
        """The most bytes ``route``'s body may have."""
        extra = (route.openapi_extra or {}) if route is not None else {}
        if extra.get("x-body") == "upload" and extra.get("x-media"):
            return media_limit(self.settings.max_image_bytes, self.settings.max_video_bytes)
        if extra.get("x-body") == "upload":
            body = extra.get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
            fields = body.get("schema", {}).get("properties", {}).values()
            files = sum(1 for field in fields if field.get("format") == "binary")
            return self.settings.max_image_bytes * max(1, files) + FRAMING
        if extra.get("x-body") == "bulk":
            return self.settings.max_bulk_body_bytes
        return self.settings.max_body_bytes

    async def _pass(self, scope: Scope, receive: Receive, send: Send, limit: Limit) -> None:
        received = 0
        too_large = started = replaced = False

        async def counted() -> Message:
            nonlocal received, too_large
            if too_large:  # asked again after the refusal: the client is as good as gone
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.bytes:
                    too_large = True
                    raise limit.refusal()
            return message

        async def guarded(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return  # the 413 is sent: the route's answer is dropped
            if too_large and not started and message["type"] == "http.response.start":
                # Whatever the route made of the error (FastAPI calls any failure to read a JSON
                # body a 400), the answer is 413.
                replaced = started = True
                response = await problems.handle(Request(scope), limit.refusal())
                await response(scope, counted, send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted, guarded)


def _api_routes(routes: Iterable[Any], prefix: str) -> Iterator[tuple[str, APIRoute]]:
    """Every API route with the path prefix it is served under, in the router's order; included
    routers are walked into (FastAPI keeps them as a node of their own)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix, route
            continue
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _api_routes(included.routes, prefix + getattr(context, "prefix", ""))


def _required(route: APIRoute | None) -> Require | None:
    """The route's key requirement (None on public routes and pages)."""
    if route is None:
        return None
    for dependency in route.dependant.dependencies:
        if isinstance(dependency.call, Require):
            return dependency.call
    return None


@dataclass(frozen=True)
class Limit:
    """A route's body limit, and how going over it is answered: an upload keeps its
    ``media.too_large``, any other body is ``body_too_large`` (both 413)."""

    bytes: int
    upload: bool

    def refusal(self) -> InputError:
        if self.upload:
            return MediaError(
                f"the upload is larger than the limit of {self.bytes} bytes",
                code="media.too_large",
            )
        return BodyTooLarge(
            f"the request body is larger than this route's limit of {self.bytes} bytes"
        )


def _is_upload(route: APIRoute | None) -> bool:
    return route is not None and (route.openapi_extra or {}).get("x-body") == "upload"

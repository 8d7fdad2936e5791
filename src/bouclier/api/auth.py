"""Who may call what: every route depends on :func:`require` with the roles it admits.

A key is sent as ``Authorization: Bearer <key>``. ``admin`` may call every route. The dependency
records its roles on itself so that :func:`bouclier.api.app.create_app` can refuse to build an app
with a route that declares none, and publish each route's roles in the OpenAPI schema
(``x-roles``). An authenticated key's id is left in ``request.state.api_key_id`` for the access
log, and the key's rate limit (:mod:`bouclier.api.ratelimit`) is applied here, before its role is
checked. The gate (:mod:`bouclier.api.gate`) authenticates the key already, before the request's
body is read; a request without one never has its body read. Keys are remembered for a few seconds
(:data:`bouclier.accounts.api_keys.CACHE_SECONDS`): a key revoked by another process is refused
within that time.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from bouclier.accounts.api_keys import KeyInfo
from bouclier.api.forwarded import client_host
from bouclier.api.problems import Forbidden, Unauthenticated
from bouclier.api.ratelimit import ClientLimiter, RateLimiter
from bouclier.api.services import Services
from bouclier.vocabulary import API_ROLES

SCHEME = "apiKey"
bearer = HTTPBearer(
    auto_error=False,
    scheme_name=SCHEME,
    description="An API key (`bouclier key create`), as `Authorization: Bearer <key>`.",
)


class Require:
    """A dependency that admits keys with one of ``roles`` (and admin keys)."""

    def __init__(self, *roles: str) -> None:
        unknown = set(roles) - set(API_ROLES)
        if unknown or not roles:
            raise ValueError(f"roles must be some of {API_ROLES}, got {roles}")
        self.roles = tuple(r for r in API_ROLES if r in roles or r == "admin")

    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> KeyInfo:
        if credentials is None:
            raise Unauthenticated("send an API key as 'Authorization: Bearer <key>'")
        key = await authenticate_key(request, credentials.credentials)
        await self.admit(request.app.state, key)
        return key

    async def admit(self, state: Any, key: KeyInfo) -> None:
        """The key's rate limit (api.ratelimit), then its role; ``state``: the app's."""
        limiter: RateLimiter | None = getattr(state, "rate_limiter", None)
        if limiter is not None:
            await limiter.check_async(key.id)
        if key.role not in self.roles:
            raise Forbidden(
                f"a {key.role} key may not call this route (roles: {', '.join(self.roles)})"
            )


async def authenticate_key(request: Request, token: str) -> KeyInfo:
    """The live key ``token`` is, its id left in ``request.state.api_key_id`` for the access log;
    an unknown or revoked one counts against the client's limit of traffic without a key
    (:class:`~bouclier.api.ratelimit.ClientLimiter`: 429 once over it) and is Unauthenticated.
    The gate (:mod:`bouclier.api.gate`) calls this before a body is read; the route's
    :class:`Require` then finds the key in the cache."""
    services: Services = request.app.state.services
    # A key seen in the last few seconds is answered from memory, without a thread
    # (accounts.api_keys).
    key = services.keys.cached(token)
    if key is None:
        key = await run_in_threadpool(services.keys.authenticate, token)
    if key is None:
        clients: ClientLimiter | None = getattr(request.app.state, "client_limiter", None)
        if clients is not None:
            await clients.check_async(client_host(request.scope))
        raise Unauthenticated("unknown or revoked API key")
    request.state.api_key_id = key.id  # the key's id, never the key
    return key


class Public:
    """The dependency of a public route (a victim opening a case): it declares the route public,
    since ``create_app`` checks that every /v1 route declares who may call it, and does nothing
    else. Such a route must also carry ``openapi_extra=PUBLIC`` (``security: []``)."""

    async def __call__(self) -> None:
        return None


#: The ``openapi_extra`` of a public route.
PUBLIC: dict[str, Any] = {"security": []}


def require(*roles: str) -> Require:
    return Require(*roles)


#: Every role but admin's own: routes open to any key.
ANY_ROLE = tuple(r for r in API_ROLES if r != "admin")

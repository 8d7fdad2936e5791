"""Bouclier's errors as HTTP answers, decided here and nowhere else.

Every error answer has the same body, ``{"error": {"code": ..., "message": ...}}`` (request
validation errors add ``"fields"``), with the status of its class (a 429 carries ``Retry-After``,
in whole seconds):

==============================================  ======  =====================================
error                                           status  code
==============================================  ======  =====================================
no key, unknown or revoked key                  401     ``unauthenticated``
key whose role may not call the route           403     ``forbidden``
upload over BOUCLIER_MAX_IMAGE_BYTES            413     ``media.too_large``
request body over its route's limit             413     ``body_too_large``
not an image format Bouclier reads              415     ``media.unsupported_format``
any other refused input (image, hash, entry)    422     its own (``media.*``, ``invalid_hash``...)
request body or parameters of the wrong shape   422     ``invalid_request``, with ``fields``
unknown bank, entry or key                      404     ``*_not_found``
name already taken                              409     ``*_exists``
too many requests or wrong secrets (Throttled)  429     ``rate_limited``, ``too_many_attempts``
a key's most webhooks reached                   409     ``webhook_limit_reached``
database, setting or model unusable             503     ``invalid_setting``, ``model_unavailable``
a bug                                           500     ``internal``
==============================================  ======  =====================================
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from bouclier.errors import (
    BouclierError,
    ConfigError,
    Conflict,
    InputError,
    ModelUnavailable,
    NotFound,
    SnapshotError,
    Throttled,
)

log = logging.getLogger(__name__)


class Unauthenticated(BouclierError):
    code = "unauthenticated"


class Forbidden(BouclierError):
    code = "forbidden"


_INPUT_STATUS = {
    "media.too_large": 413,
    "body_too_large": 413,
    "media.unsupported_format": 415,
}


def status_of(error: BouclierError) -> int:
    if isinstance(error, Unauthenticated):
        return 401
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, InputError):
        return _INPUT_STATUS.get(error.code, 422)
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Throttled):
        return 429
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, ConfigError | ModelUnavailable | SnapshotError):
        return 503
    return 500


def _body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


async def handle(request: Request, exc: Exception) -> JSONResponse:
    """The one error handler: every exception that leaves a route ends here."""
    headers: dict[str, str] | None = None
    if isinstance(exc, BouclierError):
        status, body = status_of(exc), _body(exc.code, exc.message)
        if isinstance(exc, Unauthenticated):
            headers = {"WWW-Authenticate": "Bearer"}
        elif isinstance(exc, Throttled):
            headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, RequestValidationError):
        fields = [
            {"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"]}
            for err in exc.errors()
        ]
        message = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        status, body = 422, _body("invalid_request", message, fields=fields)
    elif isinstance(exc, HTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        status, body = exc.status_code, _body(code, str(exc.detail))
        headers = dict(exc.headers) if exc.headers else None
    else:
        # The request's content is never logged: it may be a victim's image or hash.
        log.exception("internal error on %s %s", request.method, request.url.path)
        status, body = 500, _body("internal", "internal error; please report it")
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    for kind in (BouclierError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, handle)

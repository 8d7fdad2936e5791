"""The client's errors: each error answer of the API as a typed exception, decided here only.

The API answers every error with ``{"error": {"code", "message"[, "fields"]}}`` and a status
(:mod:`bouclier.api.problems`); :func:`error_from` turns that into one of these, which keep the
server's ``code`` and message, the status, and (on 429 and 503) the ``Retry-After`` seconds::

    BouclierError
    └── ApiError                 any error answer, or no answer at all
        ├── TransportError       no answer after every retry (refused, reset, timed out)
        ├── Unauthenticated      401: no key, unknown or revoked key
        ├── Forbidden            403: the key's role may not call the operation
        ├── InvalidRequest       413/415/422: input refused (also a bouclier.errors.InputError)
        ├── NotFoundError        404 (also a bouclier.errors.NotFound)
        ├── ConflictError        409 (also a bouclier.errors.Conflict)
        ├── RateLimited          429: still throttled after the retries (retry_after)
        ├── Unavailable          502/503/504: still unavailable after the retries
        └── ServerError          any other 5xx (500: a bug on the server)

Subclassing the library's own errors lets a caller (the CLI among them) treat a remote "not found"
like a local one.
"""

from __future__ import annotations

import math
from typing import Any

from bouclier.errors import BouclierError, Conflict, InputError, NotFound


class ApiError(BouclierError):
    """An error answer of a Bouclier API (``status`` 0: none came)."""

    code = "api_error"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        fields: list[dict[str, Any]] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.fields = fields or []
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f"HTTP {self.status}" if self.status else "no answer"
        return f"{self.message} [{self.code}, {where}]"


class TransportError(ApiError):
    code = "transport"


class Unauthenticated(ApiError):
    code = "unauthenticated"


class Forbidden(ApiError):
    code = "forbidden"


class InvalidRequest(ApiError, InputError):
    code = "invalid_request"


class NotFoundError(ApiError, NotFound):
    code = "not_found"


class ConflictError(ApiError, Conflict):
    code = "conflict"


class RateLimited(ApiError):
    code = "rate_limited"


class Unavailable(ApiError):
    code = "unavailable"


class ServerError(ApiError):
    code = "internal"


_BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFoundError,
    409: ConflictError,
    413: InvalidRequest,
    415: InvalidRequest,
    422: InvalidRequest,
    429: RateLimited,
    502: Unavailable,
    503: Unavailable,
    504: Unavailable,
}


def error_class(status: int) -> type[ApiError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    if status == 400:
        return InvalidRequest
    return ApiError


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` in seconds (the API sends whole seconds; an HTTP date is not used by it and
    counts as absent), never negative."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None  # NaN, inf: absent


def error_from(status: int, body: Any, retry_after: str | None = None) -> ApiError:
    """The error an answer of ``status`` with the decoded JSON ``body`` (or anything else: a
    proxy's HTML page) stands for."""
    kind = error_class(status)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        message = str(error.get("message") or error["code"])
        fields = error.get("fields")
        return kind(
            message,
            status=status,
            code=error["code"],
            fields=fields if isinstance(fields, list) else None,
            retry_after=retry_after_seconds(retry_after),
        )
    return kind(
        f"HTTP {status} without a Bouclier error body",
        status=status,
        retry_after=retry_after_seconds(retry_after),
    )

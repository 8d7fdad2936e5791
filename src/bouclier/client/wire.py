"""What both clients do the same way with httpx: the headers, the request of a call, reading a
body, and what one attempt came to (a result, or a failure with what the retry policy needs:
a refused connection, where nothing was sent, is always safe to retry; one lost mid-way is not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from bouclier import __version__
from bouclier.client.calls import Call
from bouclier.client.errors import ApiError, TransportError, error_from
from bouclier.client.retry import Failure

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Failed:
    """An attempt that did not succeed: the error to raise if it is not retried."""

    error: ApiError
    failure: Failure
    retry_after: float | None = None


def request_of(call: Call[Any]) -> dict[str, Any]:
    """The arguments of ``httpx.(Async)Client.request`` for this call."""
    return {
        "method": call.method,
        "url": call.path,
        "params": call.params or None,
        "json": call.json,
        "files": call.files,
        "data": call.data,
    }


def answered(call: Call[T], answer: httpx.Response) -> T | Failed:
    """The call's result from a success, or the failure an error answer is."""
    if answer.is_success:
        return call.parse(decode(answer))
    error = error_from(answer.status_code, decode(answer), answer.headers.get("retry-after"))
    return Failed(error, answer.status_code, error.retry_after)


def lost(exc: httpx.TransportError) -> Failed:
    """The failure a transport error is (no answer came)."""
    failure: Failure = "connect" if is_connect_error(exc) else "transport"
    return Failed(TransportError(f"{type(exc).__name__}: {exc}", status=0), failure)


def headers_for(key: str | None) -> dict[str, str]:
    headers = {"User-Agent": f"bouclier-client/{__version__}", "Accept": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return headers


def decode(answer: httpx.Response) -> Any:
    """The answer's JSON, or its text when it is not JSON (a proxy's error page)."""
    try:
        return answer.json()
    except ValueError:
        return answer.text[:500]


def is_connect_error(exc: httpx.TransportError) -> bool:
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)

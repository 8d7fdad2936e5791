"""What both clients do the same way with httpx: the headers, reading a body, telling a refused
connection (nothing was sent: always safe to retry) from one lost mid-way."""

from __future__ import annotations

from typing import Any

import httpx

from bouclier import __version__


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

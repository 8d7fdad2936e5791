"""A typed Python client for Bouclier's HTTP API (``/v1``), blocking and asyncio, with retries.

See docs/client.md. Only httpx and pydantic are imported: a platform's upload path can use it
without loading any of Bouclier's models.
"""

from __future__ import annotations

from bouclier.client import calls, models
from bouclier.client.aio import AsyncClient
from bouclier.client.errors import (
    ApiError,
    ConflictError,
    Forbidden,
    InvalidRequest,
    NotFoundError,
    RateLimited,
    ServerError,
    TransportError,
    Unauthenticated,
    Unavailable,
)
from bouclier.client.retry import NEVER, Retry
from bouclier.client.sync import Client

__all__ = [
    "NEVER",
    "ApiError",
    "AsyncClient",
    "Client",
    "ConflictError",
    "Forbidden",
    "InvalidRequest",
    "NotFoundError",
    "RateLimited",
    "Retry",
    "ServerError",
    "TransportError",
    "Unauthenticated",
    "Unavailable",
    "calls",
    "models",
]

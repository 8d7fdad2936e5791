"""When the client sends a call again, and after how long: one pure policy for both clients.

- A 429 is retried for every call: the API's limiter refuses before any work is done.
- 502, 503 and 504, a timeout or a connection dropped mid-answer are retried only for idempotent
  calls (:mod:`bouclier.client.calls`): the server may have acted on the first one.
- A connection that could not be opened is retried for every call: nothing was sent.
- The wait is the answer's ``Retry-After`` when it has one (a wait longer than
  ``max_retry_after`` is not made: the error goes to the caller, who knows better), otherwise an
  exponential backoff with full jitter (``backoff * 2**n``, capped at ``max_backoff``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

#: What went wrong with one try: an answer's status, or how the connection failed.
Failure = int | Literal["connect", "transport"]

RETRIED_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Retry:
    """``attempts``: tries in all (1: never retry)."""

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {self.attempts}")
        if self.backoff < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ValueError("backoff, max_backoff and max_retry_after must be >= 0")

    def wait(
        self,
        tried: int,
        failure: Failure,
        *,
        idempotent: bool,
        retry_after: float | None = None,
    ) -> float | None:
        """Seconds to wait before the next try after ``tried`` tries, or None: give up."""
        if tried >= self.attempts or not _retryable(failure, idempotent):
            return None
        if retry_after is not None and isinstance(failure, int):
            return retry_after if retry_after <= self.max_retry_after else None
        ceiling = min(self.max_backoff, self.backoff * 2 ** (tried - 1))
        return random.uniform(0, ceiling)


def _retryable(failure: Failure, idempotent: bool) -> bool:
    if failure in {"connect", 429}:
        return True
    if failure == "transport":
        return idempotent
    return idempotent and failure in RETRIED_STATUSES


NEVER = Retry(attempts=1)

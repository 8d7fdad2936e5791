"""Guessing of secrets is slowed, never locked: a case secret (the API's ``X-Case-Secret``, the
portal's login) and an analyst's password (the console's login) are checked through one
:class:`SecretLimiter` per app (``app.state.secret_limiter``), on the shared limiter store
(:mod:`bouclier.limits`), so every door, process and restart counts the same attempts.

Each attempt is charged before the secret is checked and refunded when it was right, on three
back-offs (:class:`~bouclier.limits.Backoff`):

- the **subject and the client** together (a case number, or an analyst's name, from one
  address): :data:`PAIR_FREE` attempts, then a wait that doubles with each wrong one, from
  :data:`PAIR_DELAY` up to :data:`PAIR_CAP`. A right secret clears it. Someone else's wrong
  guesses, from another address, never make the owner wait: case numbers are printed on the
  notices sent to platforms, and an analyst's name is no secret;
- the **client** (any subject): :data:`CLIENT_FREE` wrong attempts, then doubling waits, so one
  machine cannot try many numbers (families mistype: this allowance is larger);
- the **subject**, from every client together: past :data:`SUBJECT_CEILING` wrong attempts in
  :data:`SUBJECT_MEMORY`, one attempt per :data:`SUBJECT_DELAY` for everyone: a crowd of addresses
  is slowed, the owner waits a second or so at worst, never a window.

A refused attempt is answered 429 ``too_many_attempts`` with ``Retry-After`` and checks nothing.
The client is the address :mod:`bouclier.api.forwarded` gives (a forged ``X-Forwarded-For`` from
an untrusted peer is ignored). A secret has 125 bits, so this is not what keeps it safe; it keeps
the service from being used as a guessing oracle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

from bouclier.cases.credentials import canonical_number
from bouclier.errors import Throttled
from bouclier.limits import Backoff, CounterStore, MemoryStore

PAIR_FREE = 5
PAIR_DELAY = 2.0
PAIR_CAP = 15 * 60.0
CLIENT_FREE = 20
CLIENT_DELAY = 2.0
CLIENT_CAP = 60 * 60.0
SUBJECT_CEILING = 50
SUBJECT_DELAY = 1.0
SUBJECT_MEMORY = 15 * 60.0
#: How long counts of wrong attempts are kept after the last one.
MEMORY = 24 * 3600.0

T = TypeVar("T")

PAIR = Backoff(PAIR_FREE, PAIR_DELAY, PAIR_CAP, MEMORY)
CLIENT = Backoff(CLIENT_FREE, CLIENT_DELAY, CLIENT_CAP, MEMORY)
SUBJECT = Backoff(SUBJECT_CEILING, SUBJECT_DELAY, SUBJECT_DELAY, SUBJECT_MEMORY, growing=False)


class TooManyAttempts(Throttled):
    """Too many wrong secrets: HTTP 429 with ``Retry-After``."""

    code = "too_many_attempts"


def case_subject(number: str) -> str:
    """The subject a case number's attempts count on (``number:BQ-…``): every spelling of one
    number (lower case, spaces, dashes left out) is the same subject."""
    return "number:" + (canonical_number(number[:100]) or number.strip().upper()[:100])


class SecretLimiter:
    """The three back-offs of secret guesses on one store (in memory by default)."""

    def __init__(self, store: CounterStore | None = None) -> None:
        self.store: CounterStore = store if store is not None else MemoryStore()

    @staticmethod
    def _keys(subject: str, client: str) -> tuple[str, str, str]:
        return (
            f"secret:pair:{subject}\n{client}",
            f"secret:client:{client}",
            f"secret:subject:{subject}",
        )

    def check(self, subject: str, client: str) -> None:
        """Charges an attempt on ``subject`` (``number:BQ-…``, ``analyst:name``) from ``client``
        (an address), or raises :class:`TooManyAttempts` (nothing charged). Blocking: the store
        may do I/O."""
        charged: list[tuple[Backoff, str]] = []
        for backoff, key in zip((PAIR, CLIENT, SUBJECT), self._keys(subject, client), strict=True):
            wait = backoff.attempt(self.store, key)
            if wait is not None:
                for done, done_key in charged:
                    done.refund(self.store, done_key)
                retry_after = max(1, math.ceil(wait))
                raise TooManyAttempts(
                    f"too many wrong secrets; try again in {retry_after} s",
                    retry_after=retry_after,
                )
            charged.append((backoff, key))

    def succeeded(self, subject: str, client: str) -> None:
        """A right secret: its attempt is refunded, and the subject's count from this client
        forgotten."""
        pair, client_key, subject_key = self._keys(subject, client)
        PAIR.refund(self.store, pair, forget=True)
        CLIENT.refund(self.store, client_key)
        SUBJECT.refund(self.store, subject_key)

    def attempt(self, subject: str, client: str, check: Callable[[], T | None]) -> T | None:
        """``check()``, the check of a secret that answers what it opens (a case, an account) or
        None, as one attempt: charged before it runs (:meth:`check`: TooManyAttempts, nothing
        checked) and refunded when right (:meth:`succeeded`). Blocking, as both are."""
        self.check(subject, client)
        found = check()
        if found is not None:
            self.succeeded(subject, client)
        return found

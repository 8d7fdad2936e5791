"""The door of public case creation (``POST /v1/cases`` and the portal's form): a challenge and
rate limits, all checked before the case secret's argon2 hash is made.

Anyone may open a case, anonymously, and a case's flags ("a minor", "sextortion") put it at the
head of the analysts' queue. 300 fake cases in 15 seconds would bury the real ones and cost 300
argon2 hashes. So :meth:`CaseIntake.admit`, in this order (cheapest first):

1. checks the challenge (:mod:`bouclier.cases.challenge`: signature, age, proof of work; no
   database) — ChallengeFailed (422);
2. applies the per-client limit: ``case_create_per_client_hour`` with a solved challenge,
   the tighter ``case_create_no_js_per_client_hour`` with a challenge only waited for (no
   JavaScript) — RateLimited (429 with ``Retry-After``);
3. applies the global limit, ``case_create_global_hour`` — RateLimited;
4. spends the challenge (one insert: each opens one case, in every process) — ChallengeFailed;
5. says whether the case is *verified*: only with a solved challenge and within
   ``case_create_verified_per_client_hour`` for its client. An unverified case is opened all the
   same (nothing a victim sends is refused for being unusual) but waits behind the verified ones
   in the queue until an analyst looks (:meth:`bouclier.cases.review.CaseReview.queue`).

The limits are :class:`~bouclier.api.ratelimit.RateLimiter` token buckets (bursts of the hourly
number, refilled over the hour) on the app's limiter store once the app starts (shared by every
process and kept across restarts), used through their public interface only. A client is the
request's address, as the portal's other limits count it (:func:`bouclier.web.common.client`);
those limiters take integer keys, so an address becomes a 63-bit digest, distinct per limit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bouclier.api.ratelimit import RateLimited, RateLimiter
from bouclier.cases.challenge import Challenges, Proof
from bouclier.limits import CounterStore
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.web.common import client as client_of

__all__ = ["Admission", "CaseIntake", "client_of"]

_HOUR = 3600.0


def _limiter(per_hour: int, store: CounterStore | None, scope: str) -> RateLimiter | None:
    """Bursts of the hourly number, refilled over the hour; None when off (0 an hour)."""
    return RateLimiter.optional(per_hour / _HOUR, per_hour, store=store, scope=f"intake-{scope}")


def _key(scope: str, client: str) -> int:
    digest = hashlib.blake2b(f"{scope}\0{client}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # a non-negative 63-bit integer


@dataclass(frozen=True, slots=True)
class Admission:
    verified: bool
    proof: Proof


class CaseIntake:
    def __init__(
        self, challenges: Challenges, settings: Settings, store: CounterStore | None = None
    ) -> None:
        """``store``: the app's limiter store (shared by every process and kept across restarts);
        None keeps the counts in this process's memory."""
        self.challenges = challenges
        self.per_client = _limiter(settings.case_create_per_client_hour, store, "client")
        self.per_client_no_js = _limiter(
            settings.case_create_no_js_per_client_hour, store, "client-no-js"
        )
        self.verified_per_client = settings.case_create_verified_per_client_hour
        self.verified = _limiter(self.verified_per_client, store, "verified")
        self.everyone = _limiter(settings.case_create_global_hour, store, "everyone")

    @classmethod
    def from_settings(cls, db: Database, settings: Settings) -> CaseIntake:
        return cls(Challenges.from_settings(db, settings), settings)

    def admit(self, client: str, token: str | None, answer: str | None) -> Admission:
        """Lets one public case creation through, or raises ChallengeFailed / RateLimited
        (module docstring); blocking (step 4 is a database write)."""
        proof = self.challenges.check(token, answer)
        assert token is not None  # check() refuses a missing challenge
        solved = proof is Proof.SOLVED
        limit = self.per_client if solved else self.per_client_no_js
        if limit is not None:
            limit.check(_key("client" if solved else "client-no-js", client))
        if self.everyone is not None:
            self.everyone.check(_key("everyone", ""))
        self.challenges.spend(token)
        return Admission(solved and self._within_verified(client), proof)

    def _within_verified(self, client: str) -> bool:
        if self.verified_per_client == 0:
            return False
        if self.verified is None:
            return True
        try:
            self.verified.check(_key("verified", client))
        except RateLimited:  # a burst from one client, opened but unverified
            return False
        return True

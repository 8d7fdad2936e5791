"""Case-creation challenges: a hashcash-style proof of work, signed by the server, used once,
expiring. They make a flood of fake cases cost the flooder, before the service spends anything.

Opening a case is public and anonymous, and costs the service an argon2 hash of the new secret.
So a stranger first gets a challenge (the portal's form carries one; API clients ask
``GET /v1/cases/challenge``) and answers it with a string such that ``SHA-256("challenge:answer")``
starts with ``bits`` zero bits (about ``2**bits`` hashes: a few hundred ms of the portal's
JavaScript at the default 18). :meth:`Challenges.check` verifies the signature, the age and the
answer — microseconds, no database — before anything else; :meth:`Challenges.spend` then records
the challenge (its digest, until it expires) so that it opens one case, in every process.

Without JavaScript there is no answer: the challenge then counts once it is
``case_challenge_wait_seconds`` old (a person reads and fills the form meanwhile), which is
:data:`Proof.WAITED`: such a case is opened, under a tighter per-client limit, but unverified
(``bouclier.api.intake``). A challenge is ``ISSUED.BITS.SALT.MAC``: the time it was made (Unix
seconds), its difficulty, 16 random bytes and an HMAC-SHA256 under a key derived from the case key
(:mod:`bouclier.cases.sealing`), so every process of one service accepts the others' challenges.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bouclier.cases import sealing
from bouclier.errors import ChallengeFailed
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import SpentChallenge

MAX_TOKEN = 200
_ANSWER = re.compile(r"[0-9A-Za-z_-]{1,32}")
#: A challenge "made" this far in the future is refused (clocks of processes differ a little).
_SKEW = 60
_PURPOSE = b"bouclier case challenge v1"


class Proof(enum.Enum):
    SOLVED = "solved"  # the proof of work was done
    WAITED = "waited"  # no answer, but the challenge is old enough (the no-JavaScript path)


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str
    bits: int
    issued: int  # Unix seconds
    expires: int  # Unix seconds

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


class Challenges:
    """Makes and checks the challenges of one service (``key``: 32 secret bytes)."""

    def __init__(
        self,
        db: Database,
        key: bytes | Callable[[], bytes],
        *,
        bits: int = 18,
        wait_seconds: int = 5,
        ttl_seconds: int = 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self._secret = key  # or how to read it, at the first use (the case key file)
        self._derived: bytes | None = None
        self.bits = bits
        self.wait_seconds = wait_seconds
        self.ttl_seconds = ttl_seconds
        self.clock = clock  # Unix time; tests move it

    @classmethod
    def from_settings(cls, db: Database, settings: Settings) -> Challenges:

        def case_key() -> bytes:
            key = sealing.load_case_key(settings, create=True)
            assert key is not None
            return key.secret

        return cls(
            db,
            case_key,
            bits=settings.case_challenge_bits,
            wait_seconds=settings.case_challenge_wait_seconds,
            ttl_seconds=settings.case_challenge_ttl_seconds,
        )

    def issue(self) -> Challenge:
        """A new challenge; nothing is stored (issuing is free, so it may be public)."""
        issued = int(self.clock())
        salt = _b64(secrets.token_bytes(16))
        body = f"{issued}.{self.bits}.{salt}"
        token = f"{body}.{self._mac(body)}"
        return Challenge(token, self.bits, issued, issued + self.ttl_seconds)

    def check(self, token: str | None, answer: str | None) -> Proof:
        """How ``token`` was passed (solved, or waited for), or ChallengeFailed; no database."""
        if not token:
            raise ChallengeFailed(
                "opening a case needs a challenge: get one from GET /v1/cases/challenge",
                code="challenge_required",
            )
        issued, bits = self._verified(token)
        now = self.clock()
        if now > issued + self.ttl_seconds:
            raise ChallengeFailed(
                "the challenge has expired: get a new one", code="challenge_expired"
            )
        if answer:
            if not _ANSWER.fullmatch(answer) or not solves(token, answer, bits):
                raise ChallengeFailed(
                    f"the answer does not solve the challenge ({bits} leading zero bits of "
                    "SHA-256 of 'challenge:answer')",
                    code="challenge_unsolved",
                )
            return Proof.SOLVED
        if now < issued + self.wait_seconds:
            raise ChallengeFailed(
                "this form was sent too quickly: wait a few seconds and send it again",
                code="challenge_too_early",
            )
        return Proof.WAITED

    def spend(self, token: str) -> None:
        """Records that ``token`` (checked) opened a case; ChallengeFailed if it already did.
        Spent challenges are forgotten once they expire."""
        issued, _ = self._verified(token)
        digest = hashlib.sha256(token.encode()).hexdigest()
        expires = datetime.fromtimestamp(issued + self.ttl_seconds, UTC)
        now = datetime.fromtimestamp(self.clock(), UTC)
        try:
            with self.db.transaction() as session:
                session.execute(delete(SpentChallenge).where(SpentChallenge.expires_at < now))
                session.add(SpentChallenge(digest=digest, expires_at=expires))
        except IntegrityError:
            raise ChallengeFailed(
                "this challenge was already used: get a new one", code="challenge_spent"
            ) from None

    def _verified(self, token: str) -> tuple[int, int]:
        parts = token.split(".") if len(token) <= MAX_TOKEN else []
        if len(parts) == 4 and parts[0].isdigit() and parts[1].isdigit():
            body = ".".join(parts[:3])
            if hmac.compare_digest(self._mac(body), parts[3]):
                issued, bits = int(parts[0]), int(parts[1])
                if bits >= self.bits and issued <= self.clock() + _SKEW:
                    return issued, bits
        raise ChallengeFailed(
            "the challenge was not made by this service, or was altered", code="challenge_invalid"
        )

    def _mac(self, body: str) -> str:
        if self._derived is None:
            secret = self._secret if isinstance(self._secret, bytes) else self._secret()
            self._derived = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
        return _b64(hmac.new(self._derived, body.encode(), hashlib.sha256).digest()[:16])


def solves(token: str, answer: str, bits: int) -> bool:
    """Whether SHA-256 of ``token:answer`` starts with ``bits`` zero bits."""
    digest = hashlib.sha256(f"{token}:{answer}".encode()).digest()
    return int.from_bytes(digest, "big") >> (256 - bits) == 0


def solve(token: str, bits: int) -> str:
    """An answer to a challenge (what the portal's challenge.js does; for clients and tests)."""
    prefix = hashlib.sha256(f"{token}:".encode())
    counter = 0
    while True:
        attempt = prefix.copy()
        attempt.update(str(counter).encode())
        if int.from_bytes(attempt.digest(), "big") >> (256 - bits) == 0:
            return str(counter)
        counter += 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

"""Case numbers, case secrets and invitation codes: made here, shown once, stored as hashes.

- A **case number** (``BQ-7K4M-2QX9``) names a case in public: on a notice, on the phone to a
  hotline. 40 random bits, so numbers cannot be enumerated, but it is not a secret.
- A **case secret** (``9F2K-…``, 25 characters of Crockford base32: 125 bits) is what a victim comes
  back with. People copy it by hand, so it is stored with argon2id (a slow hash for human-handled
  secrets) and checked in constant time; an unknown case number costs the same argon2 check.
- An **invitation code** lets families join one collective case. It is random and long (100 bits),
  so its SHA-256 is enough; it is looked up by that digest.

Crockford's alphabet has no I, L, O or U; input is upper-cased and I/L read as 1, O as 0, so a
secret read aloud or typed on a phone still works.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})

# OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): ~20-40 ms here, per check.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY = _hasher.hash("bouclier: no such case")


def _random_symbols(count: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(count))


def _grouped(symbols: str, size: int = 4) -> str:
    return "-".join(symbols[i : i + size] for i in range(0, len(symbols), size))


def new_case_number() -> str:
    return "BQ-" + _grouped(_random_symbols(8))


def new_secret() -> str:
    return _grouped(_random_symbols(25), 5)


def new_invitation() -> str:
    return "INV-" + _grouped(_random_symbols(20), 5)


def normalise(text: str) -> str:
    """A typed number, secret or code in canonical form: upper case, no spaces, I/L → 1, O → 0;
    the dashes are put back where they belong by comparing without them."""
    cleaned = "".join(ch for ch in text.strip().upper() if ch not in " \t-_.")
    return cleaned.translate(_READ_AS)


def canonical_number(text: str) -> str | None:
    """``BQ-XXXX-XXXX`` from what a person typed, or None if it cannot be a case number."""
    value = normalise(text)
    if value.startswith("BQ"):
        value = value[2:]
    if len(value) != 8 or any(ch not in ALPHABET for ch in value):
        return None
    return "BQ-" + _grouped(value)


def hash_secret(secret: str) -> str:
    return _hasher.hash(normalise(secret))


def check_secret(stored: str | None, secret: str) -> bool:
    """Whether ``secret`` is the one stored; with ``stored`` None (no such case), the same work is
    done against a dummy hash, so a wrong number is not faster to reject than a wrong secret."""
    candidate = normalise(secret)[:200]
    try:
        if stored is None:
            _hasher.verify(_DUMMY, candidate)
            return False
        return _hasher.verify(stored, candidate)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def invitation_digest(code: str) -> str:
    value = normalise(code)
    if value.startswith("INV"):
        value = value[3:]
    return hashlib.sha256(b"bouclier invitation\0" + value.encode("ascii", "replace")).hexdigest()

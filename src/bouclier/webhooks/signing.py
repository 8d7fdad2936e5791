"""How a webhook body is signed, and how a platform checks it (Stripe's scheme, replay-resistant).

Every delivery is a ``POST`` of a JSON body with these headers::

    Content-Type: application/json
    Bouclier-Event: hash.added
    Bouclier-Delivery: 1234                         (unique per delivery; retries keep it)
    Bouclier-Signature: t=1795000000,v1=5257a869e7...

``v1`` is the hex HMAC-SHA256, keyed with the webhook's secret (``whsec_...``), of
``"<t>.<body>"``: the Unix time of the attempt, a dot, and the body's exact bytes. A receiver
recomputes it over the raw body (before any JSON parsing), compares in constant time, and refuses a
``t`` more than 5 minutes away from its own clock, so a captured request cannot be replayed later.
Retries are signed again with their own ``t``. Deduplicate on ``Bouclier-Delivery``.

:func:`verify_signature` depends on the standard library only: platforms may copy it as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Bouclier-Signature"
EVENT_HEADER = "Bouclier-Event"
DELIVERY_HEADER = "Bouclier-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
#: How far a signature's time may be from the receiver's clock, in seconds.
DEFAULT_TOLERANCE = 300


def new_secret() -> str:
    """A webhook signing secret: ``whsec_`` and 32 random bytes in hex."""
    return SECRET_PREFIX + secrets.token_hex(32)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Bouclier-Signature`` header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """True if ``header`` (``Bouclier-Signature``) signs ``body`` with ``secret``, made within
    ``tolerance`` seconds of ``now`` (default: this machine's clock).

    Copy this function as is to check Bouclier's webhooks (it needs only ``hashlib``, ``hmac``
    and ``time``); pass the raw request body, not re-serialised JSON.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)

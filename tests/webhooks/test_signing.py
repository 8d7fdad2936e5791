"""The signature platforms check: good, tampered, stale, malformed."""

from __future__ import annotations

import pytest

from bouclier.webhooks.signing import new_secret, sign, verify_signature

BODY = b'{"data":{"entry_id":1},"event":"hash.added"}'
T = 1_795_000_000


def test_a_fresh_signature_verifies() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(secret) == 6 + 64
    header = sign(secret, BODY, T)
    assert header.startswith(f"t={T},v1=")
    assert verify_signature(secret, header, BODY, now=T + 10)
    assert verify_signature(secret, header, BODY, now=T - 299)  # a clock a little behind


@pytest.mark.parametrize(
    ("body", "secret_matches", "now"),
    [
        (BODY + b" ", True, T),  # tampered body
        (BODY.replace(b"1", b"2"), True, T),
        (BODY, False, T),  # another webhook's secret
        (BODY, True, T + 301),  # too old: a replay
        (BODY, True, T - 301),  # from the future
    ],
)
def test_refused(body: bytes, secret_matches: bool, now: int) -> None:
    secret = new_secret()
    header = sign(secret, BODY, T)
    assert not verify_signature(secret if secret_matches else new_secret(), header, body, now=now)


@pytest.mark.parametrize(
    "header",
    ["", "t=,v1=", "v1=abc", f"t={T}", "t=-5,v1=00", f"t={T}x,v1=00", "garbage"],
)
def test_malformed_headers_are_refused(header: str) -> None:
    assert not verify_signature(new_secret(), header, BODY, now=T)


def test_the_timestamp_is_signed() -> None:
    secret = new_secret()
    digest = sign(secret, BODY, T).split("v1=")[1]
    assert not verify_signature(secret, f"t={T + 1},v1={digest}", BODY, now=T)
    # several v1 (a rotated secret, say): any one matching is enough
    assert verify_signature(secret, f"t={T},v1={'0' * 64},v1={digest}", BODY, now=T)

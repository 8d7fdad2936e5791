"""Trusted timestamps (RFC 3161) of a capture's manifest, from the operator's authorities.

A capture's manifest is sent, as its SHA-256 message imprint, to every time-stamping authority
(TSA) of ``BOUCLIER_CAPTURE_TSA_URLS``; each answer (a DER ``TimeStampResp``, ``.tsr``) is kept
beside the manifest. It proves that the manifest (and so every file it lists by SHA-256) existed
at the authority's time, which no one at Bouclier can move. An authority that does not answer is
reported, and the capture kept without its token: the Ed25519 signature still binds it to this
instance.

Checking a token (:func:`check`) needs the authority's root certificate: the operator's
``BOUCLIER_CAPTURE_TSA_ROOTS`` (a PEM file), or the reader's. Without roots only its imprint is
checked (it is of this manifest), and it is reported as unpinned: its signature is not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

MEDIA_TYPE_QUERY = "application/timestamp-query"
MEDIA_TYPE_REPLY = "application/timestamp-reply"
MAX_REPLY = 256 * 1024


@dataclass(frozen=True, slots=True)
class Token:
    """One authority's answer: where it came from, its time, and the DER bytes."""

    authority: str
    time: datetime
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenCheck:
    time: datetime | None
    pinned: bool  # checked up to a root the reader trusts, not only self-consistent
    problems: tuple[str, ...]


def stamp(
    message: bytes, authorities: tuple[str, ...], *, timeout: float = 15.0
) -> tuple[list[Token], list[str]]:
    """Asks every authority for a timestamp of ``message``; the tokens, and each failure."""
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, decode_timestamp_response

    tokens: list[Token] = []
    failures: list[str] = []
    for url in authorities:
        request = (
            TimestampRequestBuilder()
            .data(message)
            .hash_algorithm(HashAlgorithm.SHA256)
            .cert_request(cert_request=True)
            .build()
        )
        try:
            answer = httpx.post(
                url,
                content=request.as_bytes(),
                headers={"content-type": MEDIA_TYPE_QUERY, "accept": MEDIA_TYPE_REPLY},
                timeout=timeout,
                trust_env=False,
                follow_redirects=False,
            )
            answer.raise_for_status()
            if len(answer.content) > MAX_REPLY:
                raise ValueError("the answer is too large for a timestamp")
            response = decode_timestamp_response(answer.content)
            if response.status not in (0, 1):  # granted, granted with modifications
                raise ValueError(f"the authority refused: status {response.status}")
            tokens.append(Token(url, response.tst_info.gen_time, answer.content))
        except (httpx.HTTPError, ValueError) as exc:
            failures.append(f"{url}: {exc}")
    return tokens, failures


def load_roots(path: Path | None) -> list[object]:
    """The certificates of a PEM file (the TSA roots the reader trusts); [] without a file."""
    if path is None:
        return []
    from cryptography import x509

    return list(x509.load_pem_x509_certificates(path.read_bytes()))


def check(data: bytes, message: bytes, roots: list[object]) -> TokenCheck:
    """Checks a token against ``message``: its imprint, and its signature up to ``roots`` (without
    roots: the imprint only, ``pinned`` false). Never raises on a damaged token."""
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    try:
        response = decode_timestamp_response(data)
    except Exception as exc:  # hostile bytes: any failure to parse is a damaged token
        return TokenCheck(None, False, (f"not a timestamp response ({exc})",))
    gen_time = response.tst_info.gen_time
    imprint = response.tst_info.message_imprint.message
    if imprint != hashlib.sha256(message).digest():
        return TokenCheck(gen_time, False, ("the timestamp is of another manifest",))
    if not roots:
        return TokenCheck(gen_time, False, ())
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)  # type: ignore[arg-type]
    try:
        builder.build().verify_message(response, message)
    except VerificationError as exc:
        return TokenCheck(gen_time, False, (f"the timestamp's signature does not verify: {exc}",))
    return TokenCheck(gen_time, True, ())

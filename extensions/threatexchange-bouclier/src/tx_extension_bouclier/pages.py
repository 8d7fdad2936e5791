"""Bouclier's signed pages of changes, read as a stranger's input.

A page is the body of ``GET /v1/banks/{name}/changes?since=N``, compact JSON signed with the
instance's Ed25519 key: header ``Bouclier-Page-Signature: ed25519=<base64>; key=SHA256:<hex>``;
the key is at ``GET /v1/evidence/signing-key`` and its fingerprint is ``SHA256:`` and the SHA-256
of its 32 raw bytes in hex. Nothing of a page is believed before its signature verifies with the
pinned key; then every field is checked (a page names its bank and cursor, so one page cannot be
passed off as another).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import typing as t
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE_HEADER = "Bouclier-Page-Signature"
FINGERPRINT_PREFIX = "SHA256:"
MAX_CURSOR = 2**62
OPS = ("add", "remove", "update")


class BouclierPageError(Exception):
    """A page that is not signed by the pinned key, or not a page: nothing of it is applied."""


@dataclass(frozen=True)
class Change:
    """One change of a bank. ``value`` and the standing are None for a removal (a withdrawn
    case's removal carries no value at all) and for an addition or update whose entry is gone
    since. An update carries the entry's new standing (an analyst confirmed it, its case became
    a minor's)."""

    cursor: int
    op: str
    entry_id: int
    signal_type: str
    value: str | None
    quality: int | None
    reviewed: bool | None
    minor: bool | None


@dataclass(frozen=True)
class Page:
    bank: str
    since: int
    changes: tuple[Change, ...]
    next: int
    more: bool


def fingerprint(raw: bytes) -> str:
    return FINGERPRINT_PREFIX + hashlib.sha256(raw).hexdigest()


def parse_key(text: object) -> bytes:
    """The 32 raw bytes of a base64 Ed25519 public key."""
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise BouclierPageError("the publisher's signing key is not a base64 Ed25519 key")
    return raw


def same_key(raw: bytes, expected: str) -> bool:
    """Whether ``expected`` (a fingerprint, with or without ``SHA256:``) names key ``raw``."""
    text = expected.strip()
    if text.upper().startswith(FINGERPRINT_PREFIX):
        text = text[len(FINGERPRINT_PREFIX) :]
    return text.lower() == fingerprint(raw)[len(FINGERPRINT_PREFIX) :]


def verify(raw_key: bytes, body: bytes, header: str | None) -> dict[str, t.Any]:
    """The JSON object of ``body`` if ``header`` signs it with ``raw_key``."""
    fields = dict(p.strip().split("=", 1) for p in (header or "").split(";") if "=" in p)
    try:
        signature = base64.b64decode(fields.get("ed25519", ""), validate=True)
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, body)
    except (binascii.Error, ValueError, InvalidSignature):
        raise BouclierPageError(
            f"a page of changes is not signed by the pinned key {fingerprint(raw_key)}"
        ) from None
    try:
        data = json.loads(body)
    except ValueError:
        raise BouclierPageError("a signed page is not JSON") from None
    if not isinstance(data, dict):
        raise BouclierPageError("a signed page is not a JSON object")
    return data


def _int(data: dict[str, t.Any], name: str, low: int = 0) -> int:
    value = data.get(name)
    if type(value) is not int or not low <= value <= MAX_CURSOR:
        raise BouclierPageError(f"{name} is not a whole number from {low}")
    return value


def _optional(data: dict[str, t.Any], name: str, kind: type) -> t.Any:
    value = data.get(name)
    if value is not None and type(value) is not kind:
        raise BouclierPageError(f"{name} is neither null nor a {kind.__name__}")
    return value


def _change(data: object) -> Change:
    if not isinstance(data, dict):
        raise BouclierPageError("a change is not an object")
    op = data.get("op")
    if op not in OPS:
        raise BouclierPageError(f"op is one of {', '.join(OPS)}")
    signal_type, value = data.get("signal_type"), _optional(data, "value", str)
    if not isinstance(signal_type, str) or len(signal_type) > 32:
        raise BouclierPageError("signal_type is not a short string")
    if value is not None and len(value) > 4096:
        raise BouclierPageError("value is too long")
    quality = _optional(data, "quality", int)
    if quality is not None and not 0 <= quality <= 100:
        raise BouclierPageError("quality is not 0-100")
    return Change(
        cursor=_int(data, "cursor", 1),
        op=op,
        entry_id=_int(data, "entry_id"),
        signal_type=signal_type,
        value=value or None,
        quality=quality,
        reviewed=_optional(data, "reviewed", bool),
        minor=_optional(data, "minor", bool),
    )


def parse(data: dict[str, t.Any], bank: str, since: int) -> Page:
    """A verified page's fields, checked; it must answer ``bank`` from cursor ``since``."""
    changes = data.get("changes")
    if not isinstance(changes, list):
        raise BouclierPageError("changes is not a list")
    page = Page(
        bank=str(data.get("bank")),
        since=_int(data, "since"),
        changes=tuple(_change(c) for c in changes),
        next=_int(data, "next"),
        more=data.get("more") is True,
    )
    if page.bank != bank or page.since != since or page.next < since:
        raise BouclierPageError("a signed page answers another bank or cursor than asked")
    return page

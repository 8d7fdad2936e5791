"""SHA-256 and MD5 of the exact bytes of a file: they find byte-identical copies.

MD5 is kept only because NCMEC and older hash lists exchange it; it is never used where an
adversary could profit from a collision (matching is PDQ's job, evidence uses SHA-256).
"""

from __future__ import annotations

import hashlib
import re

from bouclier.errors import InvalidHash

_LENGTHS = {"sha256": 64, "md5": 32}
_HEX = re.compile(r"[0-9a-f]+")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def validate(kind: str, value: str) -> str:
    """The canonical (lower-case hex) form of a SHA-256 or MD5 string, or InvalidHash."""
    length = _LENGTHS[kind]
    text = value.strip().lower() if isinstance(value, str) else ""
    if len(text) != length or not _HEX.fullmatch(text):
        raise InvalidHash(f"a {kind.upper()} hash is {length} hex characters")
    return text

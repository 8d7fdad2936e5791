"""The signature of an evidence bundle: its manifest signed with the instance's Ed25519 key.

Every hash in a bundle can be recomputed by whoever rewrites it: the files, the manifest, the
custody log's chain and the export entry that records them. Only a signature ties the bundle to
the organisation that issued it. ``signature.json`` sits beside ``manifest.json`` and holds the
Ed25519 signature of the manifest's exact bytes, with the public key (base64 and PEM) and its
fingerprint; the manifest names the same key in its ``signer`` section, which the custody log
records too (the export entry's ``content_sha256`` covers it). The manifest lists the SHA-256 of
every other file, so the signature covers the whole bundle.

A valid signature proves that the holder of that key signed the bundle; that the key is the
issuing organisation's is for the reader to check, against the fingerprint the organisation
publishes (``bouclier evidence public-key``, ``GET /v1/evidence/signing-key``): pinned with
``bouclier evidence verify --expect-key``, a bundle rewritten and signed with another key fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bouclier.signing_key import ALGORITHM, PublicKey, SigningKey

SIGNATURE = "signature.json"
SIGNATURE_FORMAT = "bouclier-evidence-signature"
SIGNATURE_VERSION = 1
MAX_SIGNATURE_FILE = 64 * 1024


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What the signature says: the key that signed (None if none could be read), and every
    problem found (none when the manifest is signed by that key, and by the expected one)."""

    signer: PublicKey | None
    problems: tuple[str, ...]


def signer_section(public: PublicKey) -> dict[str, str]:
    """The manifest's ``signer``: the key that signs it, named in the content the log records."""
    return {"algorithm": ALGORITHM, "public_key": public.encoded, "fingerprint": public.fingerprint}


def sign(key: SigningKey, manifest: bytes, manifest_name: str) -> bytes:
    """``signature.json`` for the manifest's exact bytes."""
    public = key.public
    body = {
        "format": SIGNATURE_FORMAT,
        "format_version": SIGNATURE_VERSION,
        "signed_file": manifest_name,
        "signed_sha256": hashlib.sha256(manifest).hexdigest(),
        "algorithm": ALGORITHM,
        "public_key": public.encoded,
        "fingerprint": public.fingerprint,
        "public_key_pem": public.pem,
        "signature": base64.b64encode(key.sign(manifest)).decode("ascii"),
    }
    return json.dumps(body, indent=2).encode("utf-8") + b"\n"


def check(
    manifest_text: bytes,
    manifest: Mapping[str, Any],
    signature_text: bytes | None,
    *,
    expected_key: str | None = None,
) -> SignatureCheck:
    """Checks ``signature.json`` against the manifest's bytes and its ``signer``, then against
    ``expected_key`` (a fingerprint or a base64 public key) when one is given."""
    if signature_text is None:
        return SignatureCheck(
            None,
            (f"{SIGNATURE} is missing: every bundle of this format is signed (removed?)",),
        )
    problems: list[str] = []
    try:
        body = json.loads(signature_text)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict) or body.get("format") != SIGNATURE_FORMAT:
        return SignatureCheck(None, (f"{SIGNATURE} is not a Bouclier bundle signature",))
    if body.get("format_version") != SIGNATURE_VERSION or body.get("algorithm") != ALGORITHM:
        return SignatureCheck(
            None,
            (
                f"{SIGNATURE} is version {body.get('format_version')!r} with algorithm "
                f"{body.get('algorithm')!r}; this Bouclier reads version {SIGNATURE_VERSION}, "
                f"{ALGORITHM}",
            ),
        )
    signer = _public_key(body.get("public_key"))
    signature = _base64(body.get("signature"))
    if signer is None or signature is None:
        return SignatureCheck(None, (f"{SIGNATURE}: the public key or the signature is malformed",))
    named = manifest.get("signer")
    named_key = _public_key(named.get("public_key")) if isinstance(named, dict) else None
    if named_key is None:
        problems.append("manifest.json names no signing key (its signer section is missing)")
    elif named_key != signer:
        problems.append(
            f"manifest.json names the signing key {named_key.fingerprint}, but {SIGNATURE} holds "
            f"{signer.fingerprint}"
        )
    if not signer.verifies(signature, manifest_text):
        problems.append(
            f"the signature in {SIGNATURE} does not match manifest.json: the manifest was changed "
            f"after it was signed, or not signed by the key {signer.fingerprint}"
        )
    if expected_key is not None and not signer.matches(expected_key):
        problems.append(
            f"signed by the key {signer.fingerprint}, not by the expected key "
            f"{expected_key.strip()[:120]}: a bundle rewritten and signed with another key?"
        )
    return SignatureCheck(signer, tuple(problems))


def _public_key(value: Any) -> PublicKey | None:
    if not isinstance(value, str):
        return None
    try:
        return PublicKey.parse(value)
    except ValueError:
        return None


def _base64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None

"""The instance's signing key: an Ed25519 key pair whose private half never leaves this machine.

It signs evidence bundles (:mod:`bouclier.cases.bundle_signature`), so that a bundle rewritten
whole (content, custody log and hashes recomputed, which every hash check would accept) no longer
verifies as coming from this organisation. The private key is 32 random bytes kept like the other
keys (:mod:`bouclier.keyfiles`): ``BOUCLIER_SIGNING_KEY_FILE`` or ``BOUCLIER_SIGNING_KEY``, by
default ``data_dir/keys/signing.key``, made with mode 0600 the first time it is needed. The public
key is published (``bouclier evidence public-key``, ``GET /v1/evidence/signing-key``) and named by
its fingerprint, ``SHA256:`` and the SHA-256 of its 32 raw bytes in hex, which whoever receives
bundles pins (``bouclier evidence verify --expect-key``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bouclier.errors import ConfigError, Conflict
from bouclier.keyfiles import TemplateKey, write_key_file
from bouclier.settings import Settings

ALGORITHM = "Ed25519"
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
FINGERPRINT_PREFIX = "SHA256:"


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An Ed25519 public key: its 32 raw bytes, and the forms people and tools read."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != PUBLIC_KEY_SIZE:
            raise ValueError(f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes")

    @classmethod
    def parse(cls, text: str) -> PublicKey:
        """From base64 of the 32 raw bytes; ValueError otherwise."""
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("not base64") from None
        return cls(raw)

    @property
    def fingerprint(self) -> str:
        return FINGERPRINT_PREFIX + hashlib.sha256(self.raw).hexdigest()

    @property
    def encoded(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    @property
    def pem(self) -> str:
        key = Ed25519PublicKey.from_public_bytes(self.raw)
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def verifies(self, signature: bytes, message: bytes) -> bool:
        if len(signature) != SIGNATURE_SIZE:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def matches(self, expected: str) -> bool:
        """Whether ``expected`` names this key: its fingerprint (with or without ``SHA256:``, in
        any case) or the key itself in base64."""
        text = expected.strip()
        if text.upper().startswith(FINGERPRINT_PREFIX):
            text = text[len(FINGERPRINT_PREFIX) :]
        if text.lower() == self.fingerprint[len(FINGERPRINT_PREFIX) :]:
            return True
        try:
            return PublicKey.parse(expected).raw == self.raw
        except ValueError:
            return False

    def to_dict(self) -> dict[str, str]:
        return {
            "algorithm": ALGORITHM,
            "public_key": self.encoded,
            "fingerprint": self.fingerprint,
            "public_key_pem": self.pem,
        }


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The instance's private key."""

    seed: bytes = field(repr=False)

    @property
    def public(self) -> PublicKey:
        raw = (
            self._private()
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return PublicKey(raw)

    def sign(self, message: bytes) -> bytes:
        return self._private().sign(message)

    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)


def key_path(settings: Settings) -> Path:
    return (settings.signing_key_file or settings.data_dir / "keys" / "signing.key").expanduser()


def load_signing_key(settings: Settings, *, create: bool = True) -> SigningKey | None:
    """The instance's signing key; the default key file is made when there is none yet (unless
    ``create`` is false: then None). ConfigError when a configured key is unusable."""
    if settings.signing_key is not None and settings.signing_key_file is not None:
        raise ConfigError("set BOUCLIER_SIGNING_KEY_FILE or BOUCLIER_SIGNING_KEY, not both")
    if settings.signing_key is not None:
        value = settings.signing_key.get_secret_value().encode("ascii", "replace")
        return SigningKey(
            TemplateKey.parse(value, "BOUCLIER_SIGNING_KEY", what="signing key").secret
        )
    path = key_path(settings)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if settings.signing_key_file is not None:
            raise ConfigError(f"BOUCLIER_SIGNING_KEY_FILE {path} does not exist") from None
        if not create:
            return None
        try:
            return SigningKey(write_key_file(path).secret)
        except Conflict:  # another process made it a moment ago: use theirs
            data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"the signing key {path} cannot be read: {exc.strerror}") from None
    return SigningKey(
        TemplateKey.parse(data, f"the signing key file {path}", what="signing key").secret
    )

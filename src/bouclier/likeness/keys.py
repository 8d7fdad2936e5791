"""The template key: 32 bytes for AES-256-GCM, kept outside the database.

It comes from ``BOUCLIER_TEMPLATE_KEY_FILE`` (a file holding the key raw or in base64) or
``BOUCLIER_TEMPLATE_KEY`` (base64). Its ``key_id`` (a digest of the key, which reveals nothing of
it) is stored beside each template, so that a wrong key is named as such instead of surfacing as
a decryption failure deep in a scan.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from bouclier.errors import ConfigError, Conflict
from bouclier.settings import Settings

KEY_SIZE = 32


@dataclass(frozen=True, slots=True)
class TemplateKey:
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_SIZE:
            raise ConfigError(f"a template key is {KEY_SIZE} bytes; this one is {len(self.secret)}")

    @property
    def key_id(self) -> str:
        """32 hex characters naming the key without revealing it."""
        return hashlib.sha256(b"bouclier template key id\0" + self.secret).hexdigest()[:32]

    @classmethod
    def generate(cls) -> TemplateKey:
        return cls(secrets.token_bytes(KEY_SIZE))

    @classmethod
    def parse(cls, data: bytes, source: str) -> TemplateKey:
        """A key from raw bytes (exactly 32) or base64 text; ConfigError naming ``source``."""
        if len(data) == KEY_SIZE:
            return cls(data)
        try:
            decoded = base64.b64decode(data.strip(), validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) != KEY_SIZE:
            raise ConfigError(
                f"{source} does not hold a template key: expected {KEY_SIZE} bytes, raw or base64"
            )
        return cls(decoded)

    def encoded(self) -> str:
        return base64.b64encode(self.secret).decode("ascii")


def load_key(settings: Settings) -> TemplateKey | None:
    """The configured key, None when none is configured, ConfigError when it is unusable."""
    if settings.template_key_file is not None and settings.template_key is not None:
        raise ConfigError("set BOUCLIER_TEMPLATE_KEY_FILE or BOUCLIER_TEMPLATE_KEY, not both")
    if settings.template_key is not None:
        value = settings.template_key.get_secret_value().encode("ascii", "replace")
        return TemplateKey.parse(value, "BOUCLIER_TEMPLATE_KEY")
    if settings.template_key_file is not None:
        path = settings.template_key_file.expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"BOUCLIER_TEMPLATE_KEY_FILE {path} cannot be read: {exc.strerror}"
            ) from None
        return TemplateKey.parse(data, f"BOUCLIER_TEMPLATE_KEY_FILE {path}")
    return None


def write_key_file(path: Path) -> TemplateKey:
    """Writes a new random key (base64) to a new file readable by its owner only (mode 0600)."""
    key = TemplateKey.generate()
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Conflict(
            f"{path} already exists: a key is never overwritten (templates sealed with it "
            "would be lost)",
            code="key_exists",
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.encoded() + "\n")
    os.chmod(path, 0o600)  # O_CREAT's mode is filtered by the umask; make it exact
    return key

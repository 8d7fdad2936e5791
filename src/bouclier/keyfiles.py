"""Secret keys kept outside the database: 32 bytes for AES-256-GCM, and the files that hold them.

Two things are sealed with such a key: face templates (:mod:`bouclier.likeness`, the template
key) and cases' contact details and evidence (:mod:`bouclier.cases.sealing`, the case key). Both
packages take the key type and the key file from here, so that neither imports the other for it.
The class keeps its historical name, :class:`TemplateKey`: its ``key_id`` (a digest of the key,
which reveals nothing of it) is derived under that name and stored beside every sealed value, so
that a wrong key is named as such instead of surfacing as a decryption failure deep in a scan.

A key is given raw (exactly 32 bytes) or in base64; :func:`write_key_file` makes a new one in a
file readable by its owner only, and never overwrites one.
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
from bouclier.filemodes import private_dir

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
    def parse(cls, data: bytes, source: str, *, what: str = "template key") -> TemplateKey:
        """A key from raw bytes (exactly 32) or base64 text; ConfigError naming ``source``."""
        if len(data) == KEY_SIZE:
            return cls(data)
        try:
            decoded = base64.b64decode(data.strip(), validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) != KEY_SIZE:
            raise ConfigError(
                f"{source} does not hold a {what}: expected {KEY_SIZE} bytes, raw or base64"
            )
        return cls(decoded)

    def encoded(self) -> str:
        return base64.b64encode(self.secret).decode("ascii")


def write_key_file(path: Path) -> TemplateKey:
    """Writes a new random key (base64) to a new file readable by its owner only (mode 0600)."""
    key = TemplateKey.generate()
    path = path.expanduser()
    private_dir(path.parent)
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

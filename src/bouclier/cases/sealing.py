"""Contact details and evidence files of cases, sealed with AES-256-GCM under the case key.

The key lives outside the database (``BOUCLIER_CASE_KEY_FILE`` or ``BOUCLIER_CASE_KEY``; by
default ``data_dir/keys/case.key``, made with mode 0600 the first time something is sealed), so a
copy of the database alone reveals no contact and no evidence. Each ciphertext is bound to its case
and its purpose (associated data), so a sealed value moved to another row or case does not open.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bouclier.errors import ConfigError, Conflict
from bouclier.keyfiles import TemplateKey, write_key_file
from bouclier.settings import Settings

_VERSION = 1
_NONCE = 12


def key_path(settings: Settings) -> Path:
    return (settings.case_key_file or settings.data_dir / "keys" / "case.key").expanduser()


def load_case_key(settings: Settings, *, create: bool = False) -> TemplateKey | None:
    """The case key; with ``create``, the default key file is made when there is none yet.
    None when no key exists (and ``create`` is false); ConfigError when a key is unusable."""
    if settings.case_key is not None and settings.case_key_file is not None:
        raise ConfigError("set BOUCLIER_CASE_KEY_FILE or BOUCLIER_CASE_KEY, not both")
    if settings.case_key is not None:
        value = settings.case_key.get_secret_value().encode("ascii", "replace")
        return TemplateKey.parse(value, "BOUCLIER_CASE_KEY")
    path = key_path(settings)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if settings.case_key_file is not None:
            raise ConfigError(f"BOUCLIER_CASE_KEY_FILE {path} does not exist") from None
        if not create:
            return None
        try:
            return write_key_file(path)
        except Conflict:  # another process made it a moment ago: use theirs
            return TemplateKey.parse(path.read_bytes(), f"the case key file {path}")
    except OSError as exc:
        raise ConfigError(f"the case key {path} cannot be read: {exc.strerror}") from None
    return TemplateKey.parse(data, f"the case key file {path}")


def _associated(purpose: str, case_number: str) -> bytes:
    return f"bouclier case v1\0{purpose}\0{case_number}".encode()


def seal(key: TemplateKey, plaintext: bytes, *, purpose: str, case_number: str) -> bytes:
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(key.secret).encrypt(nonce, plaintext, _associated(purpose, case_number))
    return bytes([_VERSION]) + nonce + sealed


def unseal(key: TemplateKey, sealed: bytes, *, purpose: str, case_number: str) -> bytes:
    """The plaintext, or ConfigError when this key does not open it (wrong key, or tampered)."""
    if len(sealed) < 1 + _NONCE + 16 or sealed[0] != _VERSION:
        raise ConfigError(f"the sealed {purpose} of case {case_number} is damaged")
    nonce, body = sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :]
    try:
        return AESGCM(key.secret).decrypt(nonce, body, _associated(purpose, case_number))
    except InvalidTag:
        raise ConfigError(
            f"the {purpose} of case {case_number} cannot be decrypted with this case key "
            "(BOUCLIER_CASE_KEY_FILE): wrong key, or the row was altered"
        ) from None

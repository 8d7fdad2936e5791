"""A face template and its sealed form: AES-256-GCM bound to the enrolment's reference.

A template holds the descriptor of each enrolment photo and their mean. The mean is not
normalised: dlib compares raw descriptors by Euclidean distance and its threshold is calibrated
in that space, and the mean of one person's descriptors is their centroid there, closer to a new
photo of them than most single photos are. Matching takes the smallest distance over the mean and
every photo, so one good enrolment photo is enough to match a face seen at its angle.

Sealed layout: ``version (1 byte) | nonce (12) | AES-GCM ciphertext and tag``; the plaintext is
the float32 little-endian rows (mean first). The associated data names the enrolment reference,
so a ciphertext copied onto another enrolment's row does not decrypt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bouclier.detectors.faces import DESCRIPTOR_SIZE
from bouclier.errors import ConfigError
from bouclier.keyfiles import TemplateKey

_VERSION = 1
_NONCE = 12
_DTYPE = np.dtype("<f4")


@dataclass(frozen=True, eq=False)
class Template:
    """``vectors`` is float32 (1 + photos, 128), read-only: the mean, then each photo's."""

    vectors: np.ndarray

    @classmethod
    def from_descriptors(cls, descriptors: list[np.ndarray]) -> Template:
        if not descriptors:
            raise ValueError("a template needs at least one descriptor")
        photos = np.stack([np.asarray(d, dtype=np.float32) for d in descriptors])
        if photos.shape[1] != DESCRIPTOR_SIZE:
            raise ValueError(f"descriptors have {DESCRIPTOR_SIZE} values")
        vectors = np.vstack([photos.mean(axis=0, keepdims=True), photos]).astype(np.float32)
        vectors.setflags(write=False)
        return cls(vectors)

    @property
    def mean(self) -> np.ndarray:
        mean: np.ndarray = self.vectors[0]
        return mean

    @property
    def photos(self) -> np.ndarray:
        photos: np.ndarray = self.vectors[1:]
        return photos


def _associated(reference: str) -> bytes:
    return b"bouclier likeness template v1\0" + reference.encode("utf-8")


def seal(template: Template, key: TemplateKey, reference: str) -> bytes:
    nonce = os.urandom(_NONCE)
    plaintext = template.vectors.astype(_DTYPE).tobytes()
    ciphertext = AESGCM(key.secret).encrypt(nonce, plaintext, _associated(reference))
    return bytes([_VERSION]) + nonce + ciphertext


def unseal(sealed: bytes, key: TemplateKey, reference: str) -> Template:
    """The template, or ConfigError when this key does not decrypt it (wrong key, or a row
    tampered with or moved)."""
    if len(sealed) < 1 + _NONCE + 16 or sealed[0] != _VERSION:
        raise ConfigError(f"the template of enrolment {reference} is damaged")
    nonce, ciphertext = sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :]
    try:
        plaintext = AESGCM(key.secret).decrypt(nonce, ciphertext, _associated(reference))
    except InvalidTag:
        raise ConfigError(
            f"the template key does not decrypt the template of enrolment {reference}: "
            "BOUCLIER_TEMPLATE_KEY_FILE names another key, or the row was altered"
        ) from None
    vectors = np.frombuffer(plaintext, dtype=_DTYPE).reshape(-1, DESCRIPTOR_SIZE)
    vectors = vectors.astype(np.float32)
    vectors.setflags(write=False)
    return Template(vectors)

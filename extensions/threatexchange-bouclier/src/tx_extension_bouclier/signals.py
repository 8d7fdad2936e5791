"""Exact hashes of a still image's file bytes, as Bouclier's ``md5`` and ``sha256`` entries are.

threatexchange's ``video_md5`` and ``video_sha256`` are a video file's: an image's hash under
those names would be matched against videos. These two carry the same strings under
``photo_md5`` and ``photo_sha256``, matched exactly.
"""

from __future__ import annotations

import hashlib
import pathlib
import re
import typing as t

from threatexchange.content_type.content_base import ContentType
from threatexchange.content_type.photo import PhotoContent
from threatexchange.signal_type import signal_base


class _ExactFileHash(signal_base.SimpleSignalType, signal_base.FileHasher):
    _DIGITS: t.ClassVar[int]
    _ALGORITHM: t.ClassVar[str]

    @classmethod
    def get_content_types(cls) -> list[type[ContentType]]:
        return [PhotoContent]

    @classmethod
    def get_index_cls(cls) -> type[signal_base.TrivialSignalTypeIndex[t.Any]]:
        return signal_base.TrivialSignalTypeIndex

    @classmethod
    def validate_signal_str(cls, signal_str: str) -> str:
        normalized = signal_str.strip().lower()
        if not re.fullmatch(f"[0-9a-f]{{{cls._DIGITS}}}", normalized):
            raise ValueError(f"not a {cls._ALGORITHM} hash: {cls._DIGITS} hex digits expected")
        return normalized

    @classmethod
    def hash_from_file(cls, path: pathlib.Path) -> str:
        digest = hashlib.new(cls._ALGORITHM)
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                digest.update(chunk)
        return digest.hexdigest()


class PhotoMD5Signal(_ExactFileHash):
    """The MD5 of an image file (Bouclier's ``md5``)."""

    _DIGITS = 32
    _ALGORITHM = "md5"

    @classmethod
    def get_name(cls) -> str:
        return "photo_md5"


class PhotoSHA256Signal(_ExactFileHash):
    """The SHA-256 of an image file (Bouclier's ``sha256``)."""

    _DIGITS = 64
    _ALGORITHM = "sha256"

    @classmethod
    def get_name(cls) -> str:
        return "photo_sha256"

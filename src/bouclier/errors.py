"""Every error Bouclier raises on purpose, in one tree.

Each error carries a stable machine-readable ``code`` (what the CLI prints in JSON and the API will
return) and a human message that says what was wrong and, where it helps, what to do about it::

    BouclierError               code              meaning
    ├── InputError                                input from outside refused (HTTP 4xx)
    │   ├── MediaError          media.*           image bytes Bouclier will not decode
    │   ├── FileUnreadable      file.*            a path that cannot be read
    │   ├── InvalidHash         invalid_hash      a hash string that cannot be made canonical
    │   ├── InvalidImport       invalid_import    a bad row in a bank import (line number)
    │   └── BodyTooLarge        body_too_large    a request body over its route's limit (HTTP 413)
    ├── Throttled               rate_limited      too many requests or attempts: wait (HTTP 429)
    │   └── ChallengeFailed     challenge_*       a case-creation challenge missing, wrong, spent
    ├── NotFound                *_not_found       a named bank or entry does not exist
    ├── Conflict                *_exists          a name already taken
    ├── ConfigError             invalid_setting   a BOUCLIER_* setting or the database is unusable
    ├── SnapshotError           invalid_snapshot  an index snapshot is damaged or foreign
    ├── RemoteError             remote_*          a followed Bouclier is unreachable, refuses,
    │                                             or sends a page its pinned key did not sign
    └── ModelUnavailable        model_unavailable a model package is missing or its file altered

The CLI maps these classes to exit codes in ``bouclier.cli.exit_codes``; nothing else decides them.
"""

from __future__ import annotations


class BouclierError(Exception):
    """Base of every deliberate Bouclier error."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InputError(BouclierError):
    """Input from outside (bytes, strings, files, forms) that Bouclier refuses."""

    code = "invalid_input"


class MediaError(InputError):
    """Image bytes that are refused; ``code`` is one of :data:`MEDIA_ERROR_CODES`."""

    code = "media.corrupt"


#: Every code a :class:`MediaError` can carry, with what it means.
MEDIA_ERROR_CODES: dict[str, str] = {
    "media.empty": "the file has no bytes",
    "media.too_large": "the file is larger than the byte limit",
    "media.too_many_pixels": "the image has more pixels than the limit (a decompression bomb?)",
    "media.unsupported_format": "not an image format Bouclier reads (SVG, PDF, video, text...)",
    "media.too_many_frames": "an animation with more frames than Bouclier will walk through",
    "media.too_complex": "a structure no real image has (thousands of scans, chunks or segments) "
    "that would take unbounded work to decode",
    "media.truncated": "the image data ends before the image does",
    "media.corrupt": "the image data is damaged and cannot be decoded",
    "media.unsupported_codec": "a video whose codec is not on the allowlist (H.264, HEVC, VP8, "
    "VP9, AV1, MPEG-4)",
    "media.too_long": "a video longer than the duration limit",
    "media.timeout": "a video that took longer than the time limit to decode",
}


class FileUnreadable(InputError):
    """A path given to Bouclier that is missing or cannot be read."""

    code = "file.unreadable"


class InvalidHash(InputError):
    """A hash string that is not a valid hash of its kind."""

    code = "invalid_hash"


class ChallengeFailed(InputError):
    """A public case creation without a valid challenge (``bouclier.cases.challenge``); ``code``
    is one of :data:`CHALLENGE_ERROR_CODES`. Nothing was created and no work was done."""

    code = "challenge_invalid"


#: Every code a :class:`ChallengeFailed` can carry, with what it means.
CHALLENGE_ERROR_CODES: dict[str, str] = {
    "challenge_required": "no challenge was sent: get one from GET /v1/cases/challenge",
    "challenge_invalid": "the challenge was not made by this server, or was altered",
    "challenge_unsolved": "the answer does not solve the challenge",
    "challenge_expired": "the challenge is too old: get a new one",
    "challenge_too_early": "an unsolved challenge counts only after a few seconds",
    "challenge_spent": "the challenge was already used: get a new one",
}


class InvalidImport(InputError):
    """A bank import file with a bad row; nothing of the import was kept."""

    code = "invalid_import"

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


class BodyTooLarge(InputError):
    """A request body larger than its route admits, refused before or while it is read."""

    code = "body_too_large"


class Throttled(BouclierError):
    """Too many requests (or wrong secrets) from a client or for a key: try again in
    ``retry_after`` whole seconds (HTTP 429 with ``Retry-After``)."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = max(1, retry_after)


class NotFound(BouclierError):
    code = "not_found"


class Conflict(BouclierError):
    code = "conflict"


class ConfigError(BouclierError):
    code = "invalid_setting"


class SnapshotError(BouclierError):
    code = "invalid_snapshot"


class RemoteError(BouclierError):
    """Another Bouclier that this one follows (``bouclier bank follow``) could not be read:
    unreachable (``remote_unreachable``), refused (``remote_refused``), answered what is not a
    page of changes (``remote_invalid``), or a page whose signature does not verify with the
    publisher's pinned key (``remote_bad_signature``). Nothing of such a page is applied."""

    code = "remote_error"


class ModelUnavailable(BouclierError):
    """A detector's model package is not installed, or its file does not have the pinned digest."""

    code = "model_unavailable"

"""Fingerprints of an image: PDQ in 8 orientations for look-alikes, SHA-256 and MD5 for copies,
and PDQ of the content regions that the framing stage finds (:mod:`bouclier.hashing.framing`).

:func:`hash_bytes` is the one call the CLI, the API and the scanner use. It decodes through
``bouclier.media`` (the only door for untrusted bytes) and, by default, lets the decoder reduce a
large photo by an integer factor (JPEG DCT scaling, box averaging otherwise) while its shorter side
stays at least ``min_side`` pixels: PDQ's own filter then sees almost the same picture at a fraction
of the cost. docs/benchmarks.md gives the measured distance to the full-resolution hash; pass
``min_side=None`` for the full-resolution reference.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bouclier.hashing import digests, pdq
from bouclier.hashing.pdq import PdqResult
from bouclier.media import DecodedImage, Limits, decode
from bouclier.media.files import read_file

if TYPE_CHECKING:
    from bouclier.signals import Fingerprint, MediaInput, SignalType, SignalTypes

#: Default shorter side kept when reducing before PDQ (docs/benchmarks-log.md has the trade-off).
DEFAULT_MIN_SIDE = 512

__all__ = [
    "DEFAULT_MIN_SIDE",
    "ImageHashes",
    "PdqResult",
    "digests",
    "framed_fingerprints",
    "hash_bytes",
    "hash_decoded",
    "hash_file",
    "hash_image",
    "on_demand",
    "pdq",
]


@dataclass(frozen=True, slots=True)
class ImageHashes:
    """Everything Bouclier fingerprints of one image file."""

    sha256: str
    md5: str
    format: str
    width: int  # full-resolution size, after EXIF orientation
    height: int
    frames: tuple[PdqResult, ...]  # one per decoded frame (one for a still image)
    #: every registered signal type's values for this image (PDQ's 8 orientations per frame,
    #: the digests, ...): what the matcher looks up
    fingerprints: tuple[Fingerprint, ...] = field(default=(), repr=False)
    #: PDQ (8 orientations) of the content regions the framing stage found (a picture inside a
    #: screenshot, a letterbox, a border...): looked up too, never put in a bank
    framed: tuple[Fingerprint, ...] = field(default=(), repr=False)
    #: the decoded image, kept so that an on-demand signal type (ORB: costly, see
    #: :func:`on_demand`) can be computed later, only when the cheap ones found nothing
    media: MediaInput | None = field(default=None, repr=False, compare=False)

    @property
    def pdq(self) -> PdqResult:
        return self.frames[0]

    def fingerprints_of(self, kind: SignalType) -> tuple[Fingerprint, ...]:
        """This image's values of one type: those computed already, else computed now (an
        on-demand type); empty when the image is no longer at hand."""
        held = tuple(f for f in self.fingerprints if f.signal_type == kind.name)
        if held or self.media is None:
            return held
        return kind.fingerprint(self.media)


def on_demand(kind: SignalType) -> bool:
    """Whether a type is computed only when asked (its ``on_demand`` attribute; default no)."""
    return bool(getattr(kind, "on_demand", False))


def video_only(kind: SignalType) -> bool:
    """Whether a type fingerprints videos only (vPDQ): images are not given its values."""
    return bool(getattr(kind, "video_only", False))


def hash_image(image: DecodedImage) -> tuple[PdqResult, ...]:
    """PDQ of every frame of a decoded image."""
    return tuple(pdq.hash_pixels(frame) for frame in image.frames)


def hash_bytes(
    data: bytes,
    *,
    limits: Limits | None = None,
    min_side: int | None = DEFAULT_MIN_SIDE,
    signal_types: SignalTypes | None = None,
    framing: bool = True,
    luma: bool = False,
) -> ImageHashes:
    """Decodes and fingerprints image bytes with every signal type (the registered ones unless
    ``signal_types`` says otherwise), and with ``framing`` the content regions the framing stage
    finds; raises MediaError for anything not a readable image.

    ``luma``: a JPEG is decoded to its luma plane only (``decode(luma=True)``), for a caller that
    only matches, when BOUCLIER_LUMA_DECODE is on: faster, its PDQ a bit or two from the RGB
    decode's."""
    limits = limits or Limits()
    image = decode(data, limits=limits, min_side=min_side, luma=luma)
    colour = (lambda: decode(data, limits=limits, min_side=min_side)) if image.luma else None
    return hash_decoded(data, image, signal_types, framing=framing, colour=colour)


def hash_decoded(
    data: bytes,
    image: DecodedImage,
    signal_types: SignalTypes | None = None,
    *,
    framing: bool = True,
    colour: Callable[[], DecodedImage] | None = None,
) -> ImageHashes:
    """Fingerprints an image already decoded from ``data`` (see :func:`hash_bytes`); for an image
    decoded to its luma plane, ``colour`` makes its RGB decode if the framing stage needs it."""
    from bouclier.signals import MediaInput
    from bouclier.signals.registry import signal_types as registered

    media = MediaInput(data, image, colour)
    kinds = registered() if signal_types is None else signal_types
    return ImageHashes(
        sha256=media.sha256,
        md5=media.md5,
        format=image.format,
        width=image.width,
        height=image.height,
        frames=media.pdq,
        fingerprints=tuple(
            f
            for kind in kinds
            if not on_demand(kind) and not video_only(kind)
            for f in kind.fingerprint(media)
        ),
        framed=framed_fingerprints(media) if framing else (),
        media=media,
    )


def framed_fingerprints(media: MediaInput) -> tuple[Fingerprint, ...]:
    """PDQ in 8 orientations of each content region of the image (:mod:`.framing`), stage
    ``framing`` with its region; a region too flat to fingerprint (quality < 50) is left out."""
    from bouclier.signals import Fingerprint

    return tuple(
        Fingerprint(
            pdq.NAME, value, result.quality, orientation, 0, stage="framing", region=region.box()
        )
        for region, result in media.framed
        if not result.low_quality
        for orientation, value in zip(pdq.ORIENTATIONS, result.hashes, strict=True)
    )


def hash_file(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    min_side: int | None = DEFAULT_MIN_SIDE,
    framing: bool = True,
) -> ImageHashes:
    """Reads (within the byte limit) and fingerprints an image file."""
    limits = limits or Limits()
    data = read_file(path, limits.max_bytes)
    return hash_bytes(data, limits=limits, min_side=min_side, framing=framing)

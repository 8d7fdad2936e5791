"""Previews of evidence images for the analyst console: small, grayscale, blurred by default.

An analyst should see enough to triage a report, and no more: every preview is reduced to
:data:`MAX_SIDE` pixels, turned to grayscale (colour adds nothing to a triage and a lot to the
harm of looking) and blurred with a Gaussian of radius :data:`BLUR_FRACTION` of its longer side,
so that shapes and layout remain and no detail does. The *revealed* version, shown one at a time
on an analyst's request, is the same small grayscale image without the blur. Both are re-encoded
as baseline JPEG from pixels, so no metadata of the original (EXIF, GPS, C2PA) ever reaches the
browser. The bytes are decoded through :func:`bouclier.media.decode`, the one door for untrusted
images; a file that cannot be decoded raises its :class:`~bouclier.errors.MediaError`.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter

from bouclier.media import Limits, decode

MAX_SIDE = 480
#: The blur radius as a fraction of the preview's longer side (40 px at 480 px).
BLUR_FRACTION = 1 / 12
JPEG_QUALITY = 70
MEDIA_TYPE = "image/jpeg"


def _grayscale(data: bytes, limits: Limits) -> Image.Image:
    decoded = decode(data, limits=limits, max_side=MAX_SIDE)
    return Image.fromarray(decoded.pixels).convert("L")


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def blurred(data: bytes, *, limits: Limits | None = None) -> bytes:
    """A small, grayscale, heavily blurred JPEG of the image in ``data``."""
    image = _grayscale(data, limits or Limits())
    radius = max(2.0, max(image.size) * BLUR_FRACTION)
    return _jpeg(image.filter(ImageFilter.GaussianBlur(radius)))


def revealed(data: bytes, *, limits: Limits | None = None) -> bytes:
    """A small, grayscale JPEG of the image in ``data``, not blurred (shown on request only)."""
    return _jpeg(_grayscale(data, limits or Limits()))

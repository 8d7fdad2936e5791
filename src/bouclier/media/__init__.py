"""The only door for untrusted image bytes: sniff, bound, decode, normalise.

Everything Bouclier learns about an image it learns through :func:`decode` (or
:func:`decode_file`), which accepts JPEG, PNG (and APNG), WebP, GIF, TIFF, BMP, HEIC and AVIF
identified by their magic bytes, refuses anything else or anything too big with a
:class:`~bouclier.errors.MediaError` whose ``code`` says why, and returns a
:class:`DecodedImage`: displayed size, and frames as (h, w, 3) uint8 RGB with EXIF orientation
applied and transparency flattened on white, reduced on request (``max_side`` or ``min_side``)
while ``width`` and ``height`` keep the full size. No other module opens image bytes with Pillow.
"""

from bouclier.media.decoded import DecodedImage
from bouclier.media.decoder import decode, decode_file
from bouclier.media.formats import sniff_format
from bouclier.media.limits import Limits

__all__ = ["DecodedImage", "Limits", "decode", "decode_file", "sniff_format"]

"""PDQ, Meta's open perceptual hash: 256 bits and a quality score, for all 8 orientations at once.

The arithmetic is the ``pdqhash`` package's (Meta's reference C++), re-implemented in C in
``_pdq.c`` (about 3x faster at 1 MP: no float64 temporaries for the luminance, the filter passes
vectorised) and tested equal to ``pdqhash`` bit for bit (tests/hashing/test_pdq_c.py); so a hash
made here is bit for bit the hash that python-threatexchange's ``PdqSignal``, HMA, StopNCII and
NCMEC tools make of the same pixels. The canonical string is 64 lower-case hex characters, most
significant bit first, exactly as threatexchange writes it. Two hashes match when their Hamming
distance is at most the threshold (31 by default, as in the PDQ paper and HMA).

One pass gives the hashes of the 8 dihedral transforms of the image (the reference's
``pdqDihedralHash256esFromFloatLuma``): a mirrored or rotated re-upload is found by looking up
all 8.
The transforms are named for what is done to the image whose hash this is; rotations are
counter-clockwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bouclier.errors import InvalidHash
from bouclier.hashing import _pdq

NAME = "pdq"
HEX_LENGTH = 64
HASH_BYTES = 32
#: Match threshold (inclusive Hamming distance) recommended by the PDQ authors and used by HMA.
DEFAULT_THRESHOLD = 31
#: Under this quality a hash is flagged: the image is too flat or too small to fingerprint well.
LOW_QUALITY = 50

#: The 8 orientations in the order of :attr:`PdqResult.hashes` (pdqhash's dihedral order).
ORIENTATIONS: tuple[str, ...] = (
    "original",
    "rotate90",  # counter-clockwise
    "rotate180",
    "rotate270",
    "flip_vertical",  # upside down (the reference's FlipX)
    "flip_horizontal",  # mirrored (FlipY)
    "transpose",  # mirrored on the main diagonal (FlipPlus1)
    "transverse",  # mirrored on the anti-diagonal (FlipMinus1)
)

_HEX = re.compile(r"[0-9a-f]{64}")


def validate(value: str) -> str:
    """Returns the canonical form of a PDQ hex string, or raises InvalidHash saying why.

    Accepts surrounding whitespace and upper case; refuses anything else that is not exactly 64
    hex digits (the message gives the length and never echoes a long input back).
    """
    if not isinstance(value, str):
        raise InvalidHash(f"a PDQ hash must be a string, not {type(value).__name__}")
    text = value.strip().lower()
    if _HEX.fullmatch(text):
        return text
    if len(text) != HEX_LENGTH:
        raise InvalidHash(f"a PDQ hash is {HEX_LENGTH} hex characters; this one has {len(text)}")
    raise InvalidHash("a PDQ hash may contain only the hex digits 0-9 and a-f")


def to_bytes(value: str) -> bytes:
    """The 32 bytes of a PDQ hash string (validated)."""
    return bytes.fromhex(validate(value))


def to_hex(raw: bytes) -> str:
    if len(raw) != HASH_BYTES:
        raise InvalidHash(f"a PDQ hash is {HASH_BYTES} bytes; got {len(raw)}")
    return raw.hex()


def distance(a: str, b: str) -> int:
    """Hamming distance between two PDQ hashes: the reference every index is checked against."""
    return (int.from_bytes(to_bytes(a), "big") ^ int.from_bytes(to_bytes(b), "big")).bit_count()


def hexes_to_array(values: list[str]) -> np.ndarray:
    """Validated PDQ strings as an (n, 32) uint8 array, the index's input."""
    joined = "".join(validate(v) for v in values)
    return np.frombuffer(bytes.fromhex(joined), dtype=np.uint8).reshape(len(values), HASH_BYTES)


@dataclass(frozen=True, slots=True)
class PdqResult:
    """The PDQ hashes of one image in the 8 orientations, and its quality (0-100)."""

    hashes: tuple[str, ...]
    quality: int

    @property
    def pdq(self) -> str:
        """The hash of the image as it is (orientation ``original``)."""
        return self.hashes[0]

    @property
    def low_quality(self) -> bool:
        return self.quality < LOW_QUALITY

    def as_array(self) -> np.ndarray:
        """(8, 32) uint8: the rows are the orientations of :data:`ORIENTATIONS`."""
        return hexes_to_array(list(self.hashes))


def hash_pixels(pixels: np.ndarray) -> PdqResult:
    """PDQ of an (h, w, 3) uint8 RGB array, or of an (h, w) uint8 luma plane, in all 8 orientations.

    A luma plane is hashed as the reference hashes the grey RGB image with R = G = B = Y (bit for
    bit): that is how a JPEG decoded straight to its Y channel is hashed (``decode(luma=True)``).
    Pixels are hashed as given: reducing a large image first (see ``bouclier.hashing.hash_bytes``)
    is the caller's choice.
    """
    if pixels.dtype != np.uint8 or not (
        pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)
    ):
        raise ValueError(
            f"expected an (h, w, 3) or (h, w) uint8 array, got {pixels.shape} {pixels.dtype}"
        )
    # The C function writes bit 255 first, as threatexchange's int(bits, 2) formatting does and
    # as np.packbits of pdqhash.compute_dihedral's bit vectors gives (the tests compare the two).
    hashes, quality = _pdq.dihedral(np.ascontiguousarray(pixels))
    return PdqResult(hashes=hashes, quality=quality)

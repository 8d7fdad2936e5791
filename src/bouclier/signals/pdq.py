"""PDQ as a signal type: 256-bit perceptual hashes in all 8 orientations, Hamming distance.

The arithmetic lives in :mod:`bouclier.hashing.pdq` (bit-exact with Meta's reference) and the
exact multi-index search in :mod:`bouclier.index`; this module only declares how banks and the
matcher use them. An image is looked up by the hashes of its 8 dihedral transforms, so a rotated
or mirrored re-upload is found; the bank keeps the hash of the image as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from bouclier.hashing import pdq
from bouclier.signals.base import Fingerprint, HexSignalType, MediaInput, SignalIndex


@dataclass(frozen=True)
class PdqSignal(HexSignalType):
    name: str = pdq.NAME
    label: str = "PDQ"
    packed_bytes: int = pdq.HASH_BYTES
    description: str = "PDQ perceptual hash (64 hex), Meta's open standard: look-alike images."
    default_threshold: int = pdq.DEFAULT_THRESHOLD
    max_threshold: int = 8 * pdq.HASH_BYTES
    bank_threshold: bool = True

    def validate(self, value: str) -> str:
        return pdq.validate(value)

    def distance(self, a: str, b: str) -> int:
        return pdq.distance(a, b)

    def fingerprint(self, media: MediaInput) -> tuple[Fingerprint, ...]:
        return tuple(
            fingerprint
            for number, frame in enumerate(media.pdq)
            for fingerprint in self.fingerprint_frame(frame, number)
        )

    def fingerprint_frame(self, frame: pdq.PdqResult, number: int = 0) -> tuple[Fingerprint, ...]:
        """The 8 orientations of one frame's PDQ."""
        return tuple(
            Fingerprint(self.name, value, frame.quality, orientation, number)
            for orientation, value in zip(pdq.ORIENTATIONS, frame.hashes, strict=True)
        )

    def new_index(self) -> SignalIndex:
        from bouclier.index import HammingIndex

        return HammingIndex()


PDQ = PdqSignal()

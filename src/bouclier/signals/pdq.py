"""PDQ as a signal type: 256-bit perceptual hashes in all 8 orientations, Hamming distance.

The arithmetic lives in :mod:`bouclier.hashing.pdq` (bit-exact with Meta's reference) and the
exact multi-index search in :mod:`bouclier.index`; this module only declares how banks and the
matcher use them. An image is looked up by the hashes of its 8 dihedral transforms, so a rotated
or mirrored re-upload is found; the bank keeps the hash of the image as it is. Where
python-threatexchange reads a file's pixels otherwise (transparency, 16 bits, palettes: see
``DecodedImage.threatexchange``), the hashes of its reading are looked up too, after Bouclier's,
so that a hash HMA or StopNCII made of the same file matches.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
        shown = tuple(
            fingerprint
            for number, frame in enumerate(media.pdq)
            for fingerprint in self.fingerprint_frame(frame, number)
        )
        theirs = media.threatexchange_pdq
        if theirs is None:
            return shown
        # The hashes HMA makes of this file, looked up too, so that they match here.
        known = {f.value for f in shown if f.frame == 0}
        extra = (f for f in self.fingerprint_frame(theirs, 0) if f.value not in known)
        return shown + tuple(replace(f, reading="threatexchange") for f in extra)

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

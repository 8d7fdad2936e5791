"""A signal type that exists only in the tests: a 64-bit average hash of the image.

It shows what adding a signal type takes: this one module, and one registration line (here in
the tests' registry, ``SignalTypes([*SIGNAL_TYPES, AHASH])``; in production, in
``bouclier/signals/registry.py``). Nothing else in Bouclier names it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from bouclier.signals.base import Fingerprint, HexSignalType, MediaInput, SignalIndex
from bouclier.signals.linear import LinearHammingIndex


@dataclass(frozen=True)
class AverageHash(HexSignalType):
    name: str = "ahash"
    label: str = "aHash"
    packed_bytes: int = 8
    description: str = "64-bit average hash (tests only)."
    default_threshold: int = 6
    max_threshold: int = 64
    bank_threshold: bool = False

    def distance(self, a: str, b: str) -> int:
        return self.bit_distance(a, b)

    def fingerprint(self, media: MediaInput) -> tuple[Fingerprint, ...]:
        values = []
        for number, frame in enumerate(media.image.frames):
            grey = Image.fromarray(frame).convert("L").resize((8, 8), Image.Resampling.BOX)
            pixels = np.asarray(grey, dtype=np.float32)
            bits = np.packbits((pixels > pixels.mean()).reshape(-1))
            values.append(Fingerprint(self.name, bits.tobytes().hex(), frame=number))
        return tuple(values)

    def new_index(self) -> SignalIndex:
        return LinearHammingIndex(self.packed_bytes)


AHASH = AverageHash()

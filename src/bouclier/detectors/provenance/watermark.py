"""Stable Diffusion's invisible watermarks: the dwtDct marks of invisible-watermark (imwatermark).

Stability's reference scripts stamp every output with a fixed message through imwatermark's
``dwtDct`` method (on the BGR image, blocks of 4x4 in the Haar approximation of the U
channel, step 36):

* SDXL (Stability-AI/generative-models, ``sgm/inference/helpers.py``): the 48-bit
  ``WATERMARK_MESSAGE = 0b101100111110110010010000011110111011000110011110``;
* SD 1.x (CompVis/stable-diffusion, ``scripts/txt2img.py``): the bytes ``"StableDiffusionV1"``;
* SD 2.x (Stability-AI/stablediffusion, ``scripts/txt2img.py``): the bytes ``"SDV2"``.

The decoder here computes exactly what ``imwatermark.WatermarkDecoder(...).decode(bgr, "dwtDct")``
computes (a test checks it bit for bit against imwatermark's own code), vectorised with numpy:
imwatermark loops over every 4x4 block in Python and decodes one message per call, whereas the
block scores are the same for every message length and are computed once here. (``import
imwatermark`` also needs torch, for its RivaGAN mark, which Bouclier does not install.)

This is a weak "present" signal. The mark does not survive JPEG at quality 50, resizing or
cropping, anyone can stamp it on any image with the public scripts, and most generators (and most
local installs of Stable Diffusion) do not stamp it at all: its absence proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from bouclier.detectors.base import Sample, Signal
from bouclier.detectors.provenance.labels import (
    WATERMARK_SD1,
    WATERMARK_SD2,
    WATERMARK_SDXL,
    error_signal,
    signal,
)
from bouclier.errors import ModelUnavailable

# imwatermark's EmbedMaxDct has scales [0, 36, 36] but walks ``range(2)`` channels: Y is skipped
# (scale 0), V is never reached, so the mark lives in U alone, with step 36.
_SCALE = 36.0
_BLOCK = 4
_MIN_PIXELS = 256 * 256  # imwatermark refuses smaller images
# Stability's reference pipelines write at most ~1 MP (SD1 512x512, SD2 768x768, SDXL at its
# training resolutions, 1024x1024 to 1536x640, all <= 1.05 MP) and the mark does not survive
# resizing: a larger image cannot carry a readable mark from them, so it is not decoded again at
# full size to look (that re-decode was most of a scan's provenance time on photos). 1280x1024
# leaves a margin over every SDXL resolution.
MAX_PIXELS = 1280 * 1024


def _bits_of_bytes(message: bytes) -> tuple[int, ...]:
    return tuple(int(bit) for bit in np.unpackbits(np.frombuffer(message, dtype=np.uint8)))


@dataclass(frozen=True, slots=True)
class Mark:
    """A published watermark message and the matching bits from which it is reported."""

    label: str
    name: str
    bits: tuple[int, ...]
    likely: int  # matching bits from which the mark is reported ("likely")
    very_likely: int  # matching bits from which it is "very likely"


SDXL_MESSAGE = 0b101100111110110010010000011110111011000110011110

#: The marks read, with their thresholds (matching bits):
#:
#: * SDXL: Stability's own detector (generative-models ``scripts/demo/detect.py``, MATCH_VALUES)
#:   says > 33 of 48 bits is "Likely watermarked. In our test 0.02% of real images were falsely
#:   detected" and > 35 "Very likely watermarked. In our test no real images were falsely
#:   detected" (10,000 images); reported here from 34 bits, "very likely" from 36.
#: * SD 1 and SD 2: no detector or threshold was published with the scripts (they only embed).
#:   The thresholds are chosen from the binomial tail for bits that match by chance, 1 in 2 each
#:   (about 1e-8 for 102 of 136 bits, 1e-6 for 29 of 32, 1e-9 for 31 of 32), and checked on benign
#:   generated and photographic images (none reaches them: the test suite keeps that check).
MARKS: tuple[Mark, ...] = (
    Mark(WATERMARK_SDXL, "sdxl", tuple(int(b) for b in bin(SDXL_MESSAGE)[2:]), 34, 36),
    Mark(WATERMARK_SD1, "sd1", _bits_of_bytes(b"StableDiffusionV1"), 102, 116),
    Mark(WATERMARK_SD2, "sd2", _bits_of_bytes(b"SDV2"), 29, 31),
)


class WatermarkReader:
    """Reads the Stable Diffusion dwtDct watermarks from the decoded pixels (full resolution:
    when the sample's frames were reduced, the file is decoded again at full size)."""

    name = "watermark"

    def __init__(self, marks: tuple[Mark, ...] = MARKS) -> None:
        self._marks = marks
        self._cv2: ModuleType | None = None

    def load(self) -> None:
        if self._cv2 is not None:
            return
        try:
            import cv2  # heavy; only the watermark reader needs it
        except ImportError as error:
            raise ModelUnavailable(
                f"the watermark reader needs OpenCV: pip install opencv-python-headless ({error})"
            ) from error
        self._cv2 = cv2

    def read(self, sample: Sample) -> list[Signal]:
        self.load()
        if not _MIN_PIXELS <= sample.image.width * sample.image.height <= MAX_PIXELS:
            return []
        try:
            pixels = _full_size(sample)
            return self.read_pixels(pixels)
        except Exception as error:  # OpenCV, PyWavelets or a re-decode of a hostile file
            return [error_signal(self.name, error)]

    def read_pixels(self, rgb: np.ndarray) -> list[Signal]:
        """Signals for an (h, w, 3) uint8 RGB image as generated (not resized or recompressed)."""
        self.load()
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] * rgb.shape[1] < _MIN_PIXELS:
            return []
        scores = self.block_scores(rgb)
        signals = []
        for mark in self._marks:
            matches = int(np.count_nonzero(decode_bits(scores, len(mark.bits)) == mark.bits))
            if matches >= mark.likely:
                level = "very_likely" if matches >= mark.very_likely else "likely"
                signals.append(
                    signal(
                        mark.label,
                        matches / len(mark.bits),
                        mark=mark.name,
                        method="dwtDct",
                        matching_bits=f"{matches}/{len(mark.bits)}",
                        level=level,
                    )
                )
        return signals

    def block_scores(self, rgb: np.ndarray) -> np.ndarray:
        """One 0/1 score per 4x4 block of the U channel's Haar approximation, in the order
        imwatermark visits them (bit ``i`` of a message of length n is read from the blocks whose
        index is ``i`` modulo n)."""
        self.load()
        assert self._cv2 is not None
        rows, cols = rgb.shape[0] // 4 * 4, rgb.shape[1] // 4 * 4
        yuv = self._cv2.cvtColor(np.ascontiguousarray(rgb), self._cv2.COLOR_RGB2YUV)
        return _channel_scores(haar_approximation(yuv[:rows, :cols, 1]))


# PyWavelets' Haar decomposition low-pass filter, 1/sqrt(2) twice.
_HAAR = 0.7071067811865476


def haar_approximation(channel: np.ndarray) -> np.ndarray:
    """The approximation band of ``pywt.dwt2(channel, "haar")`` for even sides, bit for bit:
    the same products and sums in the same order (rows, then columns), without computing the
    three detail bands (``dwt2`` is most of imwatermark's cost)."""
    values = channel.astype(np.float64)
    rows = values[0::2] * _HAAR + values[1::2] * _HAAR
    approximation: np.ndarray = rows[:, 0::2] * _HAAR + rows[:, 1::2] * _HAAR
    return approximation


def _channel_scores(frame: Any) -> np.ndarray:
    """imwatermark's ``infer_dct_matrix`` for every block: the coefficient of largest magnitude
    after the first, in row-major order (first one on ties), is 1 when its magnitude modulo the
    step is over half the step. (imwatermark names it DCT, but reads the approximation itself.)"""
    frame = np.asarray(frame, dtype=np.float64)
    block_rows, block_cols = frame.shape[0] // _BLOCK, frame.shape[1] // _BLOCK
    blocks = (
        frame[: block_rows * _BLOCK, : block_cols * _BLOCK]
        .reshape(block_rows, _BLOCK, block_cols, _BLOCK)
        .transpose(0, 2, 1, 3)
        .reshape(-1, _BLOCK * _BLOCK)
    )
    magnitudes = np.abs(blocks[:, 1:])
    strongest = magnitudes[np.arange(len(magnitudes)), np.argmax(magnitudes, axis=1)]
    scores: np.ndarray = (np.mod(strongest, _SCALE) > 0.5 * _SCALE).astype(np.float64)
    return scores


def decode_bits(scores: np.ndarray, length: int) -> np.ndarray:
    """The message bits imwatermark decodes: per bit, the mean score of its blocks, 1 when
    ``mean * 255 > 127``."""
    index = np.arange(len(scores)) % length
    sums = np.bincount(index, weights=scores, minlength=length)
    counts = np.bincount(index, minlength=length)
    means = np.divide(sums, counts, out=np.zeros(length), where=counts > 0)
    return (means * 255 > 127).astype(np.int64)


def _full_size(sample: Sample) -> np.ndarray:
    pixels = sample.pixels
    if pixels.shape[:2] == (sample.image.height, sample.image.width):
        return pixels
    from bouclier.media import decode  # only for reduced samples

    return decode(sample.data).pixels

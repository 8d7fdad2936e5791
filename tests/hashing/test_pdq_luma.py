"""PDQ's C computes the luminance from the integer 299 R + 587 G + 114 B (``_pdq.c``, luma_rgb);
the reference computes ((R * 0.299 + G * 0.587) + B * 0.114) in doubles and rounds it to float.
Every one of the 16,777,216 colours must give the same float on every path: the best one this
CPU has, here (floats and FMA), and the AVX2 one (doubles) and the scalar one forced in a second
interpreter (``BOUCLIER_PDQ_NO_FMA``, ``BOUCLIER_PDQ_NO_AVX2``), including rows whose length
leaves a partial vector.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from bouclier.hashing import _pdq

SCRIPT = """
from tests.hashing.test_pdq_luma import mismatches
print(mismatches())
"""


def reference(pixels: np.ndarray) -> np.ndarray:
    """The reference's luminance (the pdqhash binding's numpy expression) as float32."""
    r, g, b = (pixels[..., c].astype(np.float64) for c in range(3))
    luma: np.ndarray = ((r * 0.299 + g * 0.587) + b * 0.114).astype(np.float32)
    return luma


def ours(pixels: np.ndarray) -> np.ndarray:
    return np.frombuffer(_pdq.luminance(pixels), np.float32).reshape(pixels.shape[:2])


def mismatches() -> int:
    """Colours whose luminance differs from the reference's: all of them, one red level a call
    (256 x 256 greens and blues), then short rows (1-40 pixels) of random colours."""
    green, blue = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8))
    plane = np.empty((256, 256, 3), np.uint8)
    plane[..., 1], plane[..., 2] = green, blue
    wrong = 0
    for red in range(256):
        plane[..., 0] = red
        wrong += int(np.count_nonzero(ours(plane) != reference(plane)))
    rng = np.random.default_rng(18)
    for width in range(1, 41):
        row = rng.integers(0, 256, (3, width, 3), dtype=np.uint8)
        wrong += int(np.count_nonzero(ours(row) != reference(row)))
    return wrong


def test_every_colour_has_the_reference_luminance() -> None:
    assert mismatches() == 0


@pytest.mark.parametrize("switch", ["BOUCLIER_PDQ_NO_AVX2", "BOUCLIER_PDQ_NO_FMA"])
def test_every_path_gives_the_reference_luminance(switch: str) -> None:
    env = {**os.environ, switch: "1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "0"


def test_a_luma_plane_is_its_own_luminance() -> None:
    plane = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert np.array_equal(ours(plane), plane.astype(np.float32))


def test_luminance_refuses_what_dihedral_refuses() -> None:
    with pytest.raises(ValueError, match="C-contiguous"):
        _pdq.luminance(np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(ValueError, match="C-contiguous"):
        _pdq.luminance(np.zeros((8, 8, 3), np.uint8)[:, ::2])

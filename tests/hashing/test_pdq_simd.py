"""PDQ's C has vector paths (AVX2, and FMA for the luminance, chosen at load time) and the
scalar one: the same bits.

The scalar path (``BOUCLIER_PDQ_NO_AVX2``) or AVX2 without FMA (``BOUCLIER_PDQ_NO_FMA``) is
forced in a second interpreter; it and this one (the best path the CPU has) hash the same
arrays (RGB and luma planes, sizes that leave partial vectors and 8- and 16-row groups at every
edge, noise and smooth pictures) and must agree on every hash and quality.
tests/hashing/test_pdq_c.py holds the default path to pdqhash itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bouclier.hashing import _pdq
from tests.conftest import photo

SIZES = [
    (5, 5),
    (7, 300),
    (301, 9),
    (129, 130),
    (255, 257),
    (640, 480),
    (1000, 37),
    (1003, 777),
    (24, 41),
    (47, 16),
    (33, 65),
]

SCRIPT = """
import json, sys
import numpy as np
import pytest
from bouclier.hashing import _pdq
from tests.hashing.test_pdq_simd import arrays
print(json.dumps([list(_pdq.dihedral(a)) for a in arrays()]))
"""


def arrays() -> list[np.ndarray]:
    rng = np.random.default_rng(18)
    out: list[np.ndarray] = []
    for h, w in SIZES:
        noise = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        smooth = photo(h * 7 + w, (w, h))
        out += [noise, noise[:, :, 1].copy(), smooth, smooth[:, :, 0].copy()]
    return out


@pytest.mark.parametrize("switch", ["BOUCLIER_PDQ_NO_AVX2", "BOUCLIER_PDQ_NO_FMA"])
def test_the_vector_paths_give_the_same_bits(switch: str) -> None:
    env = {**os.environ, switch: "1"}
    scalar = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    expected = json.loads(scalar.stdout)
    got = [list(_pdq.dihedral(a)) for a in arrays()]
    assert len(got) == len(expected) == 4 * len(SIZES)
    assert [[list(h), q] for h, q in got] == expected

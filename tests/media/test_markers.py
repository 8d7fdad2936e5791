"""The JPEG structure walk finds the marker after each scan's entropy-coded data in C
(``bouclier.media._markers.next_marker``); the regular expression it replaced is the reference:
the same index (or none) from every start, on bytes dense in 0xFF, stuffing, restart markers and
fill, and on real baseline and progressive JPEGs, whole and cut short.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from bouclier.media._markers import next_marker
from bouclier.media.structure import inspect
from tests.conftest import encode, photo

REFERENCE = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def reference(data: bytes, pos: int) -> int:
    found = REFERENCE.search(data, pos)
    return -1 if found is None else found.start()


def _dense(rng: np.random.Generator, n: int) -> bytes:
    """Bytes where 0xFF and each byte that may follow it in entropy-coded data are common."""
    special = np.array([0xFF, 0x00, 0xD0, 0xD3, 0xD7, 0xD8, 0xCF, 0xD9, 0xC4, 0xDA], np.uint8)
    pick = rng.uniform(0, 1, n) < rng.uniform(0.2, 0.9)
    noise = rng.integers(0, 256, n).astype(np.uint8)
    return np.where(pick, rng.choice(special, n), noise).astype(np.uint8).tobytes()


def test_every_start_in_dense_bytes_finds_what_the_expression_finds() -> None:
    rng = np.random.default_rng(18)
    cases = [b"", b"\xff", b"\xff\xff", b"\xff\x00", b"\xff\xd9", b"\xff\xff\xd9", b"\x00\xff"]
    cases += [_dense(rng, n) for n in [2, 3, 5, 17, 64, 300] for _ in range(20)]
    found = 0
    for data in cases:
        for pos in range(-2, len(data) + 3):
            expected = reference(data, pos)
            assert next_marker(data, pos) == expected, (data.hex(), pos)
            found += expected >= 0
    assert found > 1000


@pytest.mark.parametrize("progressive", [False, True])
def test_real_jpegs_are_walked_as_before(progressive: bool) -> None:
    data = encode(
        photo(3, (300, 200)), quality=92, progressive=progressive, restart_marker_blocks=4
    )
    positions = [m.start() for m in re.finditer(rb"\xff\xda", data)]
    assert positions
    for pos in [0, *positions, *(p + 2 for p in positions), len(data) - 2]:
        assert next_marker(data, pos) == reference(data, pos)
    # whole and cut at many places: the walk's answer is the one it gave with the expression
    for end in [len(data), *range(100, len(data), 97)]:
        assert inspect(data[:end], "jpeg").truncated == (end < len(data))

"""The framing gate's C (``_framing.c``) answers as the numpy code it replaced.

``edge_colour`` and ``sharp_box`` were numpy code in :mod:`bouclier.hashing.framing`; that code is
kept here, as it was, as the reference. Both are compared on reduced copies of generated frames
(plain, framed, blurred, flat; RGB and grey; thin and tiny), on rows built to sit on the colour
tolerance and the uniform share, on sharp maps built of runs and gaps around the share and the
lengths that decide, and on small frames whose Laplacian sits at its limit.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bouclier.hashing import _framing, framing
from tests.hashing.test_framing_gate import _frames


def median(pixels: np.ndarray) -> np.ndarray:
    """``np.median(pixels, axis=0)`` of an (n, channels) integer array, by a sort."""
    ordered = np.sort(pixels, axis=0)
    n = len(ordered)
    middle: np.ndarray = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    return middle


def edge_colour(row: np.ndarray) -> tuple[np.ndarray, float] | None:
    """framing._edge_colour as it was in numpy."""
    pixels = row.reshape(len(row), -1).astype(np.int16)
    colour = median(pixels)
    diff = np.abs(pixels - colour).max(axis=1)
    close = diff[diff <= framing.COLOUR_TOLERANCE]
    if not len(close):
        return None
    tolerance = min(framing.COLOUR_TOLERANCE, 6.0 + 3.0 * float(close.mean()))
    if (diff <= tolerance).mean() < framing.UNIFORM_EDGE:
        return None
    return colour, tolerance


def longest_run(flags: np.ndarray) -> tuple[int, int]:
    """framing._longest_run as it was in numpy."""
    true = np.flatnonzero(flags)
    if not len(true):
        return (0, 0)
    cuts = np.flatnonzero(np.diff(true) > 3)  # more than 2 False between two True
    starts = true[np.concatenate(([0], cuts + 1))]
    ends = true[np.concatenate((cuts, [len(true) - 1]))] + 1
    best = int(np.argmax(ends - starts))
    return (int(starts[best]), int(ends[best]))


def sharp_map(small: np.ndarray) -> np.ndarray:
    laplacian = cv2.Laplacian(framing._grey(small), cv2.CV_16S, ksize=1)
    flags: np.ndarray = np.abs(laplacian) > framing.SHARP
    return flags


def sharp_box(small: np.ndarray, slack: float = 1.0) -> tuple[int, int, int, int] | None:
    """framing._sharp_box as it was in numpy."""
    sharp = sharp_map(small)
    share = framing.SHARP_SHARE
    y0, y1 = longest_run(np.count_nonzero(sharp, axis=1) / sharp.shape[1] >= share)
    if y1 - y0 < 8:
        return None
    x0, x1 = longest_run(np.count_nonzero(sharp[y0:y1], axis=0) / (y1 - y0) >= share)
    if x1 - x0 < 8:
        return None
    height, width = sharp.shape
    area = (x1 - x0) * (y1 - y0)
    if not framing.MIN_AREA * height * width <= area <= framing.MAX_AREA * height * width:
        return None
    framed_rows = y0 >= 2 and height - y1 >= 2
    framed_cols = x0 >= 2 and width - x1 >= 2
    if not (framed_rows or framed_cols):
        return None
    inside = float(sharp[y0:y1, x0:x1].mean())
    outside = (float(sharp.sum()) - inside * area) / max(1, height * width - area)
    if inside < framing.SHARP_CONTRAST * slack * outside:
        return None
    return (x0 + (x0 > 0), y0 + (y0 > 0), x1 - (x1 < width), y1 - (y1 < height))


def test_the_reference_median_is_numpys() -> None:
    for small in _smalls():
        for row in _edge_rows(small):
            pixels = row.reshape(len(row), -1).astype(np.int16)
            np.testing.assert_array_equal(median(pixels), np.median(pixels, axis=0))


def _same_colour(
    got: tuple[np.ndarray, float] | None, expected: tuple[np.ndarray, float] | None
) -> bool:
    if got is None or expected is None:
        return got is expected
    return np.array_equal(got[0], expected[0]) and got[1] == expected[1]


def _smalls() -> list[np.ndarray]:
    smalls = [framing._reduced(frame)[0] for frame in _frames()]
    rng = np.random.default_rng(5)
    for shape in [(1, 1), (1, 9), (9, 1), (2, 2), (2, 40), (40, 2), (3, 3, 3), (1, 30, 3)]:
        smalls.append(rng.integers(0, 256, shape, dtype=np.uint8))
    return smalls


def _edge_rows(small: np.ndarray) -> list[np.ndarray]:
    channels = small.shape[2] if small.ndim == 3 else 1
    strips = (small[:1], small[-1:], small[:, :1], small[:, -1:])
    return [s.reshape(-1, channels) for s in strips] + [small[0], small[-1], small[0][::4]]


def _rows_near_the_limits() -> list[np.ndarray]:
    """Rows of one colour with noise and outliers in every proportion around the tolerance
    (stray distances up to 16) and around the uniform share, 1 to 400 pixels, grey and RGB."""
    rng = np.random.default_rng(85)
    rows = []
    for n in [1, 2, 3, 7, 20, 21, 40, 99, 100, 320, 400]:
        for channels in (1, 3):
            for _ in range(30):
                base = rng.integers(0, 256, channels)
                spread = rng.integers(0, 17)
                noise = rng.integers(-spread, spread + 1, (n, channels))
                outliers = rng.uniform(0, 1, n) < rng.uniform(0, 0.3)
                noise[outliers] = rng.integers(-255, 256, (int(outliers.sum()), channels))
                row = np.clip(base + noise, 0, 255).astype(np.uint8)
                rows.append(row if channels == 3 else row[:, 0])
    return rows


@pytest.mark.parametrize("index", range(len(_smalls())))
def test_edge_colour_and_sharp_box_answer_as_numpy_did(index: int) -> None:
    small = _smalls()[index]
    for row in _edge_rows(small):
        assert _same_colour(framing._edge_colour(row), edge_colour(row))
    for slack in (1.0, framing.GATE_CONTRAST):
        assert framing._sharp_box(small, slack) == sharp_box(small, slack)


def test_edge_colour_near_its_limits() -> None:
    rows = _rows_near_the_limits()
    answers = [edge_colour(row) for row in rows]
    for row, expected in zip(rows, answers, strict=True):
        assert _same_colour(framing._edge_colour(row), expected), row.tolist()
    # the rows reach both answers, and tolerances below the cap as well as at it
    tolerances = {a[1] for a in answers if a is not None}
    assert sum(a is None for a in answers) > len(rows) // 10
    assert framing.COLOUR_TOLERANCE in tolerances
    assert len(tolerances) > 50


def _banded(rng: np.random.Generator) -> np.ndarray:
    """A grey frame whose sharp pixels (dots on a flat ground) make runs of rows and columns
    with gaps of 0-4 around the share that counts, a denser box inside, so that the runs, the
    lengths, the area and the contrast all decide some of them."""
    height, width = rng.integers(8, 90, 2)
    frame = np.full((height, width), 128, np.uint8)
    density = np.zeros((height, width))
    for _ in range(rng.integers(1, 6)):  # bands of rows or of columns
        start = rng.integers(0, max(1, height - 2))
        band = slice(start, start + rng.integers(1, 30))
        if rng.uniform() < 0.5:
            density[band] += rng.uniform(0.02, 0.3)
        else:
            density[:, band] += rng.uniform(0.02, 0.3)
    y0, x0 = rng.integers(0, height // 2), rng.integers(0, width // 2)
    density[y0 : y0 + rng.integers(4, height), x0 : x0 + rng.integers(4, width)] += rng.uniform(
        0.1, 1
    )
    dots = rng.uniform(0, 1, (height, width)) < density / 5  # a dot makes up to 5 sharp pixels
    # most dots far off the ground, some a Laplacian of 4-8 (just over the limit) or 0
    far = rng.uniform(0, 1, int(dots.sum())) < 0.7
    frame[dots] = np.where(far, rng.integers(0, 256, far.size), 128 + rng.integers(0, 3, far.size))
    return frame


def test_sharp_box_on_runs_and_gaps() -> None:
    rng = np.random.default_rng(11)
    boxes = 0
    for _ in range(1500):
        frame = _banded(rng)
        expected = sharp_box(frame)
        assert framing._sharp_box(frame) == expected, frame.tolist()
        boxes += expected is not None
        rgb = np.repeat(frame[:, :, None], 3, axis=2)
        assert framing._sharp_box(rgb, framing.GATE_CONTRAST) == sharp_box(
            rgb, framing.GATE_CONTRAST
        )
    assert 100 < boxes < 1400  # both answers are reached often


def test_the_laplacian_on_small_sizes_and_near_its_limit() -> None:
    """Frames down to 1 x 1 (OpenCV's reflected border) of noise 0-3 levels deep, over the whole
    height or the whole width (so that the edge rows or columns count) with a flat margin on the
    other side, under limits from 0.5 to 5.5 and shares from 0.05 to 0.4: each sharp map, row by
    row and column by column, decides a box."""
    rng = np.random.default_rng(3)
    boxes = 0
    for shape in [(1, 1), (1, 5), (5, 1), (2, 2), (3, 7), (9, 9), (12, 40), (40, 12), (30, 31)]:
        for _ in range(12):
            small = np.full(shape, 100, np.uint8)
            across = rng.uniform() < 0.5
            inner = (slice(None), slice(2, -2)) if across else (slice(2, -2), slice(None))
            part = small[inner].shape
            noise = rng.integers(0, 4, part) * (rng.uniform(0, 1, part) < rng.uniform(0.1, 1))
            small[inner] += noise.astype(np.uint8)
            for sharp in (0.5, 1.5, 2.5, 3.5, 5.5):
                for share in (0.05, 0.2, 0.4):
                    args = (sharp, share, 0.0, 0.0, 1.0)
                    expected = _c_args_reference(small, *args)
                    assert _framing.sharp_box(small, *args) == expected, (args, small.tolist())
                    boxes += expected is not None
    assert boxes > 150  # of the 720 cases large enough to hold one


def _c_args_reference(
    grey: np.ndarray, sharp: float, share: float, contrast: float, low: float, high: float
) -> tuple[int, int, int, int] | None:
    """sharp_box with the C's arguments: the numpy reference with those limits."""
    limits = {"SHARP": sharp, "SHARP_SHARE": share, "MIN_AREA": low, "MAX_AREA": high}
    saved = {k: getattr(framing, k) for k in limits}
    try:
        for k, v in limits.items():
            setattr(framing, k, v)
        return sharp_box(grey, contrast / framing.SHARP_CONTRAST)
    finally:
        for k, v in saved.items():
            setattr(framing, k, v)


def test_the_c_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="uint8"):
        _framing.edge_colour(np.zeros((0, 3), np.uint8), 14.0, 0.85)
    with pytest.raises(ValueError, match="uint8"):
        _framing.edge_colour(np.zeros((4, 3), np.int16), 14.0, 0.85)
    with pytest.raises(ValueError, match="uint8"):
        _framing.sharp_box(np.zeros((4, 4, 3), np.uint8), 3.0, 0.1, 4.0, 0.08, 0.93)
    with pytest.raises(ValueError, match="uint8"):
        _framing.sharp_box(np.zeros((0, 4), np.uint8), 3.0, 0.1, 4.0, 0.08, 0.93)


def _runs_by_walking(flags: list[bool]) -> tuple[int, int]:
    """The longest run (gaps of up to 2 closed, the first of equal ones), pixel by pixel."""
    best, start, gap = (0, 0), None, 0
    for i, flag in enumerate([*flags, False, False, False]):
        if flag:
            start, gap = (i if start is None else start), 0
            continue
        gap += 1
        if start is not None and gap > 2:
            end = i - gap + 1
            if end - start > best[1] - best[0]:
                best = (start, end)
            start = None
    return best


def test_the_reference_longest_run_is_the_one_a_walk_finds() -> None:
    rng = np.random.default_rng(7)
    cases = [[], [False] * 5, [True], [True, False, False, True], [True, False, False, False, True]]
    for n in [1, 2, 5, 30, 320]:
        for share in (0.2, 0.5, 0.8, 0.95):
            cases += [(rng.uniform(0, 1, n) < share).tolist() for _ in range(25)]
    for flags in cases:
        assert longest_run(np.array(flags, bool)) == _runs_by_walking(flags), flags

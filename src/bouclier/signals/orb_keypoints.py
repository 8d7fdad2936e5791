"""ORB keypoints of a picture and the packed value that holds them (the ``orb`` signal's layout).

A value is a little-endian uint16 header, then per keypoint 16 descriptor bytes (the first 128 of
ORB's 256 binary tests) and x, y as uint16 fractions of the frame's width and height; unused
slots are zero. The header's low 12 bits count the keypoints, its high 4 bits name the *format*
(how the stored keypoints were chosen):

- format 0 (:data:`FORMAT_FRAME`, values stored before 2026-12-03): up to 128 keypoints of the
  whole frame, spread over a 4 x 4 grid; migration 0017 pads them to today's width, unchanged
  otherwise, so they are still read and still match, at the recall they always had.
- format 1 (:data:`FORMAT_CENTRE`, stored today): those 128, and up to 128 more of the frame's
  centre (:data:`CENTRE_MARGIN` cut on every side) found at the centre's own detail and placed in
  the whole frame's fractions. A re-upload cropped by 5-20 % loses the keypoints near the
  frame's edge and shows the rest larger: the centre's keypoints are found at that scale and
  survive the cut (docs/benchmarks-log.md, "continued (5)": crops 157 -> 169 of 176 on the tuning
  split, with the same queries).

A query's value (never stored) is format 0 with up to :data:`QUERY_KEYPOINTS` keypoints of one
picture: the upload's whole frame, or the content region the framing stage found in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: keypoints of a stored value: :data:`FRAME_KEYPOINTS` of the whole frame, then
#: :data:`CENTRE_KEYPOINTS` of its centre
FRAME_KEYPOINTS = 128
CENTRE_KEYPOINTS = 128
KEYPOINTS = FRAME_KEYPOINTS + CENTRE_KEYPOINTS
#: the share of the width and of the height cut on each side to give the centre
CENTRE_MARGIN = 0.10
#: keypoints of a query's value: a stored value's frame keypoints are the strongest of *its*
#: frame, and a crop, a sticker or a caption changes which are the strongest, so the query keeps
#: twice as many and the bank's find their twins among them
QUERY_KEYPOINTS = 256
DESCRIPTOR_BYTES = 16  # the first 128 of ORB's 256 tests (its most discriminative, by design)
POINT_BYTES = DESCRIPTOR_BYTES + 4
PACKED_BYTES = 2 + KEYPOINTS * POINT_BYTES
QUERY_BYTES = 2 + QUERY_KEYPOINTS * POINT_BYTES
#: the width of a format-0 stored value (128 slots), as stored before format 1
FRAME_ONLY_BYTES = 2 + FRAME_KEYPOINTS * POINT_BYTES
FORMAT_FRAME = 0
FORMAT_CENTRE = 1
_COUNT_BITS = 12
#: longer side the image is reduced to before keypoints are found
SIDE = 512
#: shorter side under which an image has no keypoints (ORB's pyramid needs room)
_MIN_SIDE = 32
GRID = 4

#: ORB's image pyramid: levels and the scale between two (OpenCV's defaults)
LEVELS = 8
SCALE_FACTOR = 1.2
#: detection keeps this many candidates per slot before the grid chooses (a stored value's)
CANDIDATES_PER_SLOT = 6


@dataclass(frozen=True, slots=True)
class Extraction:
    """How one picture's keypoints are found: the slots, the candidates per slot that detection
    keeps for the grid to choose from, the pyramid's levels, and the side the picture is reduced
    to. A stored value's are fixed (:data:`STORED`: a bank's values must not change); a query's
    (:data:`QUERY`) are the query side's own, chosen by data."""

    keypoints: int
    candidates_per_slot: int = CANDIDATES_PER_SLOT
    levels: int = LEVELS
    side: int = SIDE
    #: keypoints ranked by the Harris corner measure (OpenCV's default), else by FAST's score
    harris: bool = True
    #: the picture reduced by pixel area (OpenCV's INTER_AREA), else bilinearly (a fifth of the
    #: time for the 0.4-0.95 x reductions of uploads)
    area: bool = True


#: a stored value's frame and centre (format 1; never to change: banks hold them)
STORED = Extraction(FRAME_KEYPOINTS)
STORED_CENTRE = Extraction(CENTRE_KEYPOINTS)
#: a query's value: see :data:`QUERY_KEYPOINTS`
QUERY = Extraction(QUERY_KEYPOINTS)

_DTYPE = np.dtype([("descriptor", np.uint8, (DESCRIPTOR_BYTES,)), ("x", "<u2"), ("y", "<u2")])


def extract(frame: np.ndarray) -> bytes:
    """The stored value (format 1) of one RGB (or grey) frame: its keypoints, then its centre's
    in the frame's fractions; deterministic for the same pixels."""
    height, width = frame.shape[:2]
    left, top = round(width * CENTRE_MARGIN), round(height * CENTRE_MARGIN)
    centre = frame[top : height - top, left : width - left]
    d1, xy1 = _keypoints(frame, STORED)
    d2, xy2 = _keypoints(centre, STORED_CENTRE)
    if len(d2):  # the centre's fractions as the whole frame's
        size = np.array([centre.shape[1] / width, centre.shape[0] / height])
        xy2 = xy2 * size + np.array([left / width, top / height])
    return _pack(np.concatenate([d1, d2]), np.concatenate([xy1, xy2]), KEYPOINTS, FORMAT_CENTRE)


def extract_query(frame: np.ndarray, how: Extraction | None = None) -> bytes:
    """A query's value (format 0) of one RGB (or grey) picture: up to :data:`QUERY_KEYPOINTS`
    keypoints over the whole picture, found as :data:`QUERY` says (or ``how``: a benchmark's
    other choice, at most :data:`QUERY_KEYPOINTS` slots)."""
    how = how or QUERY
    if not 0 < how.keypoints <= QUERY_KEYPOINTS:
        raise ValueError(f"a query value holds 1-{QUERY_KEYPOINTS} keypoints")
    descriptors, xy = _keypoints(frame, how)
    return _pack(descriptors, xy, QUERY_KEYPOINTS, FORMAT_FRAME)


def extract_frame_only(frame: np.ndarray) -> bytes:
    """A format-0 stored value (128 keypoints of the whole frame, the layout of the values
    stored before format 1), for comparisons with the values a bank still holds."""
    descriptors, xy = _keypoints(frame, STORED)
    return _pack(descriptors, xy, FRAME_KEYPOINTS, FORMAT_FRAME)


def value_format(value: bytes | np.ndarray) -> int:
    """The format a value's header names (:data:`FORMAT_FRAME` or :data:`FORMAT_CENTRE`)."""
    raw = bytes(value[:2])
    return int.from_bytes(raw, "little") >> _COUNT_BITS


def points(row: np.ndarray | bytes) -> tuple[np.ndarray, np.ndarray]:
    """The descriptors ``(n, 16)`` uint8 and positions ``(n, 2)`` float32 (fractions) of a value
    of any format (a bank's or a query's: the slots are counted from its length)."""
    raw = np.frombuffer(bytes(row), np.uint8)
    header = int(raw[:2].view("<u2")[0]) & ((1 << _COUNT_BITS) - 1)
    count = min((len(raw) - 2) // POINT_BYTES, header)
    table = raw[2:].view(_DTYPE)[:count]
    xy = np.stack([table["x"], table["y"]], axis=1).astype(np.float32) / 65535.0
    return np.ascontiguousarray(table["descriptor"]), xy


def _pack(descriptors: np.ndarray, xy: np.ndarray, slots: int, form: int) -> bytes:
    out = np.zeros(slots, _DTYPE)
    chosen = out[: len(descriptors)]
    chosen["descriptor"] = descriptors
    chosen["x"] = np.clip(np.round(xy[:, 0] * 65535), 0, 65535)
    chosen["y"] = np.clip(np.round(xy[:, 1] * 65535), 0, 65535)
    header = len(descriptors) | (form << _COUNT_BITS)
    return np.array([header], "<u2").tobytes() + out.tobytes()


def _keypoints(frame: np.ndarray, how: Extraction) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``how.keypoints`` ORB keypoints of one picture, spread over the grid: descriptors
    ``(n, 16)`` and positions ``(n, 2)`` as fractions of the picture."""
    import cv2

    none = np.zeros((0, DESCRIPTOR_BYTES), np.uint8), np.zeros((0, 2))
    keypoints = how.keypoints
    grey = _reduced_grey(frame, how.side, how.area)
    height, width = grey.shape
    if min(height, width) < _MIN_SIDE:  # too small for ORB's pyramid (OpenCV asserts): none
        return none
    orb = cv2.ORB_create(  # type: ignore[attr-defined]  # missing from OpenCV's stubs
        nfeatures=keypoints * how.candidates_per_slot,
        scaleFactor=SCALE_FACTOR,
        nlevels=how.levels,
        edgeThreshold=15,
        scoreType=cv2.ORB_HARRIS_SCORE if how.harris else cv2.ORB_FAST_SCORE,
        fastThreshold=10,
    )
    found = orb.detect(grey, None)
    if not found:
        return none
    # float32 as held: exact in float64
    xy = cv2.KeyPoint_convert(found).astype(np.float64)  # type: ignore[attr-defined]
    response = np.fromiter((k.response for k in found), np.float64, len(found))
    keep = _spread(xy, response, width, height, keypoints)
    descriptors = _descriptors(orb, grey, found, keep)[:, :DESCRIPTOR_BYTES]
    return descriptors, xy[keep] / np.array([width, height])


def _descriptors(orb: Any, grey: np.ndarray, found: Sequence[Any], keep: list[int]) -> np.ndarray:
    """The descriptors of the chosen keypoints only, in ``keep``'s order: the same bits as
    describing every keypoint detection found (six times as many) and keeping these, for two
    thirds of the extraction's time. OpenCV keeps keypoints in the order given when they come
    in detection order, so they are given in it and put back in ``keep``'s."""
    order = np.argsort(keep, kind="stable")
    described, descriptors = orb.compute(grey, [found[keep[i]] for i in order])
    if descriptors is None or len(described) != len(keep):  # never seen: describe them all
        _, every = orb.detectAndCompute(grey, None)
        return np.asarray(every[keep])
    out: np.ndarray = np.empty_like(descriptors)
    out[order] = descriptors
    return out


def _reduced_grey(frame: np.ndarray, side: int = SIDE, area: bool = True) -> np.ndarray:
    """The frame in grey, its longer side reduced to ``side`` (never enlarged), by pixel area or
    bilinearly."""
    import cv2

    grey = (
        frame if frame.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY)
    )
    height, width = grey.shape
    scale = min(1.0, side / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        method = cv2.INTER_AREA if area else cv2.INTER_LINEAR
        grey = cv2.resize(grey, size, interpolation=method)
    return np.ascontiguousarray(grey)


def _spread(
    points: np.ndarray, response: np.ndarray, width: int, height: int, keypoints: int
) -> list[int]:
    """Up to ``keypoints`` keypoints, strongest first, at most ``keypoints`` / 16 per grid cell,
    then the strongest of the rest: text in a caption or a busy corner cannot take every slot."""
    order = np.lexsort((points[:, 1], points[:, 0], -response))  # ties broken by position
    cx = np.minimum(GRID - 1, (points[:, 0] / width * GRID).astype(int))
    cy = np.minimum(GRID - 1, (points[:, 1] / height * GRID).astype(int))
    cell = (cx * GRID + cy)[order]
    # each keypoint's rank among its cell's, strongest first (a stable sort keeps that order)
    by_cell = np.argsort(cell, kind="stable")
    first = np.searchsorted(cell[by_cell], cell[by_cell])
    rank = np.empty(len(order), np.intp)
    rank[by_cell] = np.arange(len(order)) - first
    within = rank < keypoints // (GRID * GRID)
    keep = order[within]
    rest = order[~within][: max(0, keypoints - len(keep))]
    return [*keep.tolist(), *rest.tolist()][:keypoints]

"""ORB keypoints as a signal type: finds an image that was cropped, captioned, stickered or warped.

PDQ summarises the whole frame, so a re-upload that changes the framing (a 5 % crop, a caption
bar, a sticker, a tilted phone photo of a screen) lands 90-124 bits away from its original and is
missed. This type keeps local features instead: up to :data:`KEYPOINTS` ORB keypoints (OpenCV) of
the frame and of its centre, spread over a 4 x 4 grid so that no one region (a caption's text)
takes them all, each with the first 128 of its 256 binary tests and its position in the frame
(:mod:`bouclier.signals.orb_keypoints`: the value's layout and its formats). Two values match
when enough of their keypoints pair up (mutual nearest descriptors within :data:`MATCH_BITS`
bits) *and* agree on one homography (RANSAC): :func:`verify` is the reference comparison, and
the distance is ``FULL - inliers`` (0: at least :data:`FULL` inliers; the default threshold
asks for :data:`MIN_INLIERS`).

Value: :data:`PACKED_BYTES` bytes as hex: a little-endian uint16 header (the count and the
format), then per keypoint 16 descriptor bytes and x, y as uint16 fractions of the width and
height; unused slots are zero. A value of the older, narrower format (128 keypoints of the frame
alone) is read padded to today's width (:meth:`OrbSignal.validate`; migration 0017 padded those
in the database).

The value is computed on the server only, from an image that an analyst, a platform or a victim's
evidence brought: keypoints with descriptors can be inverted to a recognisable picture
(docs/robust-signal.md), so it is never computed on a victim's device nor sent to platforms as a
hash list entry would be.

:class:`~bouclier.signals.orb_index.OrbIndex` searches many values: an inverted index over
descriptor fragments proposes candidates, :func:`verify` decides.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bouclier.errors import InvalidHash
from bouclier.signals import _orb_vote
from bouclier.signals.base import Fingerprint, HexSignalType, MediaInput, SignalIndex
from bouclier.signals.orb_keypoints import (
    FORMAT_FRAME,
    FRAME_ONLY_BYTES,
    GRID,
    KEYPOINTS,
    PACKED_BYTES,
    QUERY_BYTES,
    QUERY_KEYPOINTS,
    extract,
    extract_query,
    points,
    value_format,
)

__all__ = [
    "FULL",
    "KEYPOINTS",
    "MIN_INLIERS",
    "ORB",
    "PACKED_BYTES",
    "QUERY_BYTES",
    "QUERY_KEYPOINTS",
    "OrbSignal",
    "Verification",
    "extract",
    "extract_query",
    "points",
    "verify",
]

NAME = "orb"
#: inliers at and above which the distance is 0
FULL = 64
#: default: a match needs this many keypoints agreeing on one homography
MIN_INLIERS = 13
#: largest Hamming distance (of 128 bits) between two paired descriptors
MATCH_BITS = 32
#: RANSAC's reprojection tolerance, as a fraction of the frame
TOLERANCE = 0.01
#: pairs under which no homography is fitted: a match needs MIN_INLIERS of them (distance FULL)
MIN_PAIRS = MIN_INLIERS
#: RANSAC: the chance of drawing MIN_INLIERS agreeing pairs' sample, and the most draws
CONFIDENCE = 0.999
#: (that confidence holds up to 32 pairs; more pairs with fewer than 40 % agreeing are a
#: caption's text against a text card far more often than a re-upload, and 1,000 draws on them
#: were most of a captioned query's p99: 250 found the same matches on the weak families)
MAX_ITERATIONS = 250
#: a homography whose area scale is outside [1/MAX_SCALE, MAX_SCALE] is no re-upload
MAX_SCALE = 16.0
#: ... nor one that stretches one direction more than this against the other
MAX_STRETCH = 4.0
#: a pair's nearest descriptor must be nearer than this share of the runner-up's distance
RATIO = 0.85
#: the inliers must fall in at least this share of the 4 x 4 grid's cells of both frames
MIN_SPREAD = 0.25
#: ... or, when a picture has keypoints in few cells (a dark or flat half) and stickers hide
#: part of the rest, in at least this many cells of both frames, and :data:`MIN_SPREAD` of the
#: cells where the sparser value has keypoints, if the pairs say "the same frame" (below)
THIN_CELLS = 2
#: "the same frame": this share of the pairs (and at least MIN_INLIERS) agree with one
#: similarity that moves no corner of the frame by more than :data:`SAME_FRAME_SHIFT`. On the
#: tuning split a stickered picture's pairs agree at 0.93-1.0, its corners move under 0.01; of
#: the thin false fits among 1,543 distractors' best 12 candidates (region and whole frame),
#: the most agreeing agreed at 0.86, at a scale of 1.14 (docs/benchmarks-log.md, "continued (9)")
SAME_FRAME_SHARE = 0.85
SAME_FRAME_SHIFT = 0.05


@dataclass(frozen=True, slots=True)
class Verification:
    """How two values agree: paired keypoints, those on one homography, where the first value's
    frame lies in the second's (its four corners, as fractions of the second's frame)."""

    pairs: int
    inliers: int
    region: tuple[tuple[float, float], ...] = ()
    #: the share of grid cells the inliers cover, in the frame where they cover fewer
    spread: float = 0.0

    @property
    def distance(self) -> int:
        return max(0, FULL - self.inliers)


NO_MATCH = Verification(0, 0)


def pair(da: np.ndarray, db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinctive one-to-one pairs ``(i, j)`` of two descriptor sets: ``j`` is ``i``'s nearest
    in ``db`` and ``i`` is ``j``'s nearest in ``da`` (cross-check), within :data:`MATCH_BITS`,
    and clearly nearer than the runner-up on both sides (Lowe's ratio test, :data:`RATIO`).

    The ratio test is what repeated patterns fail: a glyph of one font, a checkerboard square or
    a grid crossing has many near-identical descriptors, so its nearest is barely nearer than
    the next and the pair is dropped, where mutual nearest alone would pair it at random and
    feed RANSAC a consistent-looking lattice.

    One pass of the C helper over the distances (``_orb_vote.c``; :func:`pair_numpy`, the same
    pairs in numpy, was a quarter of a framed query's ORB time)."""
    if len(da) < 2 or len(db) < 2:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    ia, ib = np.empty(len(da), np.intp), np.empty(len(da), np.intp)
    found = _orb_vote.pair(
        np.ascontiguousarray(da, np.uint8),
        np.ascontiguousarray(db, np.uint8),
        MATCH_BITS,
        RATIO,
        ia,
        ib,
    )
    return ia[:found], ib[:found]


def pair_numpy(da: np.ndarray, db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pair` in numpy: the reference the C helper is tested against."""
    bits = hamming(da, db)
    if bits.shape[0] < 2 or bits.shape[1] < 2:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    best_b = np.argmin(bits, axis=1)  # first minimum: deterministic
    best_a = np.argmin(bits, axis=0)
    rows = np.arange(len(da))
    d1 = bits[rows, best_b]
    # the runners-up only for the mutual pairs within reach (a few dozen rows and columns of
    # the whole table: most of an unrelated candidate's cost was finding every runner-up)
    mutual = (best_a[best_b] == rows) & (d1 <= MATCH_BITS)
    i, j, d = rows[mutual], best_b[mutual], d1[mutual]
    if not len(i):
        return i, j
    second_b = np.partition(bits[i], 1, axis=1)[:, 1]  # runner-up in db (ties count as one)
    second_a = np.partition(bits[:, j], 1, axis=0)[1, :]  # runner-up in da
    keep = (d < RATIO * second_b) & (d < RATIO * second_a)
    return i[keep], j[keep]


def hamming(da: np.ndarray, db: np.ndarray) -> np.ndarray:
    """The ``(len(da), len(db))`` int32 Hamming distances of two descriptor sets: each
    descriptor read as two 64-bit words (a tenth of the time of comparing 16 bytes)."""
    wa = np.ascontiguousarray(da).view(np.uint64)
    wb = np.ascontiguousarray(db).view(np.uint64)
    bits: np.ndarray = np.bitwise_count(wa[:, None, 0] ^ wb[None, :, 0]).astype(np.int32)
    bits += np.bitwise_count(wa[:, None, 1] ^ wb[None, :, 1])
    return bits


def verify(a: np.ndarray | bytes, b: np.ndarray | bytes) -> Verification:
    """The reference comparison of two packed values, symmetric and deterministic: distinctive
    one-to-one pairs (:func:`pair`), then a RANSAC homography (always estimated from the lesser
    value of the two, so that swapping them changes nothing) that must be a plausible re-upload
    (:func:`_plausible`) and whose inliers must cover a sizeable part of both frames
    (:data:`MIN_SPREAD`), or all the textured part of a picture that is the same frame
    (:func:`_same_frame`); ``region`` maps ``a``'s frame into ``b``'s."""
    import cv2

    first, second = bytes(a), bytes(b)
    swapped = first > second
    if swapped:
        first, second = second, first
    da, pa = points(first)
    db, pb = points(second)
    if len(da) < 4 or len(db) < 4:
        return NO_MATCH
    ia, ib = pair(da, db)
    if len(ia) < MIN_PAIRS:
        return Verification(len(ia), 0)
    src = pa[ia]
    dst = pb[ib]
    homography, mask = cv2.findHomography(
        src, dst, cv2.RANSAC, TOLERANCE, maxIters=ransac_iterations(len(ia))
    )
    if homography is None or mask is None or not _plausible(homography):
        return Verification(len(ia), 0)
    inside = mask.reshape(-1).astype(bool)
    spread = min(_spread_of(src[inside]), _spread_of(dst[inside]))
    if spread < MIN_SPREAD:
        thin = _same_frame(src, dst, pa, pb)
        if thin is None:
            return Verification(len(ia), 0, spread=spread)
        homography, inside = thin
        spread = min(_spread_of(src[inside]), _spread_of(dst[inside]))
    inliers = int(inside.sum())
    if swapped:
        homography = np.linalg.inv(homography)
    mapped = _corners(homography)
    region = tuple((round(float(x), 3), round(float(y), 3)) for x, y in mapped)
    return Verification(len(ia), inliers, region, spread)


def ransac_iterations(pairs: int) -> int:
    """RANSAC's draws for ``pairs`` paired keypoints: enough to find a homography that
    :data:`MIN_INLIERS` of them agree on with probability :data:`CONFIDENCE` (four-point samples
    all inside it), at most :data:`MAX_ITERATIONS`. Two unrelated pictures used to have RANSAC
    run all its draws (about 10 ms): a few hundred suffice to find what a match needs, and a
    true re-upload's many agreeing pairs stop RANSAC early anyway."""
    share = min(1.0, MIN_INLIERS / max(pairs, 1))
    miss = 1.0 - share**4
    if miss <= 0.0:
        return 16
    draws = math.ceil(math.log(1.0 - CONFIDENCE) / math.log(miss))
    return max(16, min(MAX_ITERATIONS, draws))


def _plausible(homography: np.ndarray) -> bool:
    """A re-upload keeps orientation and roughly its size, and its frame stays a convex
    quadrilateral: no mirror, no collapse, no fold, mild perspective, bounded stretch.

    In frame fractions: the area scale (the determinant) within [1/MAX_SCALE, MAX_SCALE]; the
    ratio of the affine part's singular values (how much one direction is stretched against the
    other, which a letterbox or one-sided crop does a little) at most :data:`MAX_STRETCH`; the
    mapped frame's corners turning the same way at every corner (convex, not mirrored)."""
    if not np.all(np.isfinite(homography)) or abs(homography[2, 2]) < 1e-9:
        return False
    h = homography / homography[2, 2]
    det = float(np.linalg.det(h[:2, :2]))
    if not (1.0 / MAX_SCALE < det < MAX_SCALE and abs(h[2, 0]) < 2.0 and abs(h[2, 1]) < 2.0):
        return False
    singular = np.linalg.svd(h[:2, :2], compute_uv=False)
    if singular[1] <= 0 or singular[0] / singular[1] > MAX_STRETCH:
        return False
    quad = _corners(h)
    edges = np.roll(quad, -1, axis=0) - quad
    turns = (
        edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1]
        - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    )
    return bool(np.all(turns > 0))


def _same_frame(
    src: np.ndarray, dst: np.ndarray, pa: np.ndarray, pb: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """A match whose inliers are too few cells for :data:`MIN_SPREAD`, accepted when that is
    all the pictures allow and the pairs say "the same frame": a stickered picture whose texture
    lies in a few cells (a dark, flat half) keeps 2-3 cells of inliers; so does the lattice of a
    caption's text against a text card, but at another place or scale in the frame, and with
    more of its pairs off the fit.

    ``src``, ``dst``: the paired positions; ``pa``, ``pb``: every keypoint of both values. The
    homography (a similarity as 3 x 3) and its inlier mask, or None. The similarity is fitted
    afresh (two-point samples): a homography fitted to points in two cells is ill-conditioned,
    and its far corners say nothing about the frame."""
    import cv2

    if len(src) < MIN_INLIERS:
        return None
    fit, mask = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=TOLERANCE, maxIters=MAX_ITERATIONS
    )
    if fit is None or mask is None:
        return None
    inside = mask.reshape(-1).astype(bool)
    agreeing = int(inside.sum())
    if agreeing < MIN_INLIERS or agreeing < SAME_FRAME_SHARE * len(src):
        return None
    homography = np.vstack([fit, [0.0, 0.0, 1.0]])
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float64)
    if np.abs(_corners(homography) - unit).max() > SAME_FRAME_SHIFT:
        return None
    cells = min(_cells(src[inside]), _cells(dst[inside]))
    sparser = min(_cells(pa), _cells(pb))
    if cells < THIN_CELLS or cells < MIN_SPREAD * sparser:
        return None
    return homography, inside


def _cells(xy: np.ndarray) -> int:
    """How many of the :data:`GRID` x :data:`GRID` cells hold at least one of the points."""
    if not len(xy):
        return 0
    cells = np.minimum(GRID - 1, (xy * GRID).astype(int))
    return len(np.unique(cells[:, 0] * GRID + cells[:, 1]))


def _spread_of(xy: np.ndarray) -> float:
    """The share of a frame's :data:`GRID` x :data:`GRID` cells holding at least one of the
    points: a lattice of text or squares in one corner covers few, a re-upload's inliers many."""
    return _cells(xy) / (GRID * GRID)


def _corners(homography: np.ndarray) -> np.ndarray:
    import cv2

    corners = np.array([[[0, 0]], [[1, 0]], [[1, 1]], [[0, 1]]], np.float64)
    mapped: np.ndarray = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    return mapped


@dataclass(frozen=True)
class OrbSignal(HexSignalType):
    name: str = NAME
    label: str = "ORB"
    packed_bytes: int = PACKED_BYTES
    description: str = (
        "ORB keypoints with geometric verification (server-side only): crops, captions, stickers."
    )
    default_threshold: int = FULL - MIN_INLIERS
    max_threshold: int = FULL
    bank_threshold: bool = False
    #: computed only when cheaper signals find nothing (see BankMatcher.match_image)
    on_demand: bool = True
    #: never leaves the instance: not in exports, change-log pages or webhook bodies (keypoints
    #: with descriptors can be inverted to a recognisable picture, docs/robust-signal.md)
    server_only: bool = True

    def distance(self, a: str, b: str) -> int:
        rows = self.pack([a, b])
        return verify(rows[0], rows[1]).distance

    def validate(self, value: str) -> str:
        """The canonical form: :data:`PACKED_BYTES` bytes as hex; a value of the older format
        (:data:`~bouclier.signals.orb_keypoints.FRAME_ONLY_BYTES`, the frame's 128 keypoints
        alone) comes back padded with empty slots, its keypoints unchanged."""
        if isinstance(value, str) and len(value.strip()) == 2 * FRAME_ONLY_BYTES:
            text = value.strip().lower()
            if text.strip("0123456789abcdef"):
                raise InvalidHash(f"an {self.label} value may contain only the hex digits 0-9, a-f")
            if value_format(bytes.fromhex(text[:4])) != FORMAT_FRAME:
                raise InvalidHash(f"a {len(text)}-character {self.label} value has another format")
            return text + "0" * (2 * (PACKED_BYTES - FRAME_ONLY_BYTES))
        return super().validate(value)

    def fingerprint(self, media: MediaInput) -> tuple[Fingerprint, ...]:
        """The first frame's keypoints and its centre's (an animation's first frame; its other
        frames are PDQ's): the value a bank stores."""
        return (self._fingerprint(extract(media.image.frames[0]), KEYPOINTS),)

    def query_fingerprint(self, media: MediaInput) -> Fingerprint:
        """The first value an upload is searched with (:meth:`query_fingerprints`)."""
        return next(self.query_fingerprints(media))

    def query_fingerprints(self, media: MediaInput) -> Iterator[Fingerprint]:
        """The values an upload is searched with, in turn, each computed when asked for:
        :data:`QUERY_KEYPOINTS` keypoints (:data:`QUERY_BYTES`, never stored;
        :meth:`pack_queries` reads them) of the content region the framing stage found, if any
        (the picture inside a screenshot, at the detail of its own pixels, without the
        interface's text), then of the whole first frame. The framing stage sometimes takes a
        picture's own flat edge for a frame, and the region is then a part of the picture: the
        whole frame finds what the region lost (docs/benchmarks-log.md, "continued (5)")."""
        if media.content:
            yield self._fingerprint(extract_query(media.content[0].pixels), QUERY_KEYPOINTS)
        yield self._fingerprint(extract_query(media.image.frames[0]), QUERY_KEYPOINTS)

    def pack_queries(self, values: Sequence[str]) -> np.ndarray:
        """Query values (a bank's of either format, or :meth:`query_fingerprints`') as
        ``(n, QUERY_BYTES)`` rows, unused slots zero."""
        rows = np.zeros((len(values), QUERY_BYTES), np.uint8)
        for row, value in zip(rows, values, strict=True):
            raw = np.frombuffer(bytes.fromhex(value), np.uint8)
            if len(raw) not in (FRAME_ONLY_BYTES, PACKED_BYTES, QUERY_BYTES):
                raise InvalidHash(f"an {self.label} query is {2 * QUERY_BYTES} hex characters")
            row[: len(raw)] = raw
        return rows

    def _fingerprint(self, value: bytes, slots: int) -> Fingerprint:
        count = len(points(value)[0])
        # its quality: the share of keypoint slots filled (a flat image has few keypoints)
        return Fingerprint(self.name, value.hex(), round(100 * count / slots))

    def new_index(self) -> SignalIndex:
        from bouclier.signals.orb_index import OrbIndex

        return OrbIndex()


ORB = OrbSignal()

"""Framing: the picture inside a screenshot, a letterbox, a border, a tilt or a photo of a screen.

A re-upload often shows the original inside something else: a phone screenshot of the post (status
bar, app header, likes and caption around it), a 9:16 letterbox, a solid or blurred border, a
meme caption bar, the picture turned a few degrees on a plain ground or photographed off a
screen. PDQ summarises the whole frame, so each of these lands 90-124 bits from the original.
This stage finds the content region and rectifies it; the caller hashes it with plain PDQ, so the
banks need nothing new (the hashes stay those StopNCII, HMA and NCMEC exchange).

How, on a copy reduced to :data:`SIDE` pixels (about a millisecond on a 1080 x 1920 screenshot):

1. *The gate.* Each outer edge is a frame if it is one colour (a border, a letterbox bar, the
   screen of an app, the ground of a rotated picture) or has almost no detail (a blurred fill).
   Beside it, a look at sharpness finds a sharp picture over a blurred copy of itself (a story,
   a blurred-fill border), whose fill's edges are not flat enough for the gate: the rows and
   columns where the share of pixels with a second derivative stands out. Neither: nothing to
   find, and a plain photo pays only these looks.
2. *The content mask.* Pixels that differ from every frame colour and, where an edge is blurred,
   that have detail; cleaned of specks and thin strokes (text, icons, JPEG noise).
3. *Regions.* The largest connected parts of the mask, each fitted with a quadrilateral (its
   convex hull simplified to four corners, else its minimum-area rectangle). A part is kept if
   it fills its quadrilateral, covers at least :data:`MIN_AREA` of the frame and is not the whole
   frame. An axis-aligned region is cut out; a turned or keystoned one is warped back to a
   rectangle (de-skew: a rotation is a special case of the perspective warp).
4. *Once more inside.* A region may itself be framed (a letterboxed picture in a screenshot):
   the stage looks again inside each region, once.
5. *A caption band* (:func:`_caption_band`): rows across the whole width at the top or bottom,
   in the edge's colour but for lines of text. The content mask cannot cut it where the picture's
   own edge is near that colour (a portrait on a white ground under a white meme bar): the mask
   then breaks the picture apart. The band is cut by rows instead, below its last blank row,
   and added after the mask's regions (:func:`_caption_cut`).

The stage never drops anything: the image as it is keeps its own fingerprints, and a region is
an extra lookup. Its answers carry the region (``[x, y, width, height]`` in the decoded frame's
pixels, scaled to the displayed size by the caller) so that a match says where the picture was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bouclier.hashing import _framing, _pdq

#: Longer side of the reduced copy the regions are found on.
SIDE = 320
#: Largest difference (0-255, per channel) from a frame colour that still counts as frame.
COLOUR_TOLERANCE = 14
#: Share of an edge's outermost pixels within tolerance of its colour for the edge to be a solid
#: frame (not all: the corner of a rotated picture reaches the edge).
UNIFORM_EDGE = 0.85
#: Gradient (0-255 per pixel, smoothed, reduced copy) that 95% of a blurred fill's edge stays
#: under; two opposite such edges make a blurred frame.
BLURRED_EDGE = 1.0
#: Gradient above which a pixel has detail, where the frame is a blurred fill.
DETAIL = 3.0
#: A region turned by at most this many degrees is cut upright (no resampling).
UPRIGHT = 1.0
#: Smallest region kept, as a share of the frame's area.
MIN_AREA = 0.08
#: A region covering more than this share of the frame is the frame itself: nothing to find.
MAX_AREA = 0.93
#: Smallest share of its quadrilateral that a region's pixels fill.
MIN_FILL = 0.8
#: Longer side (at least) of a warped region's pixels.
WARP_SIDE = 512
#: Regions returned at most (each costs a PDQ and a lookup).
MAX_REGIONS = 3
#: |Laplacian| (0-255 grey, reduced copy) above which a pixel is sharp (a blurred fill's are not).
SHARP = 3.0
#: Share of sharp pixels from which a row or column belongs to the sharp picture.
SHARP_SHARE = 0.1
#: How many times sharper (in share of sharp pixels) the picture is than the fill around it.
SHARP_CONTRAST = 4.0
#: The gate on a luma plane (:func:`worth_a_look`) asks only this share of SHARP_CONTRAST: the
#: JPEG's Y is a little smoother than the grey of its RGB decode (a story measured 3.98 on the
#: plane, 4.24 in RGB), and the gate must let through whatever the search in RGB would find.
GATE_CONTRAST = 0.75
#: A caption band covers between these shares of the frame's height.
CAPTION_MIN = 0.04
CAPTION_MAX = 0.45
#: Share of a row's pixels in the band's colour for the row to be blank.
CAPTION_BLANK = 0.97
#: Tallest line of text (with its JPEG ringing) between blank rows, as a share of the height.
CAPTION_LINE = 0.12


@dataclass(frozen=True, slots=True)
class Region:
    """Where the content lies in a frame: its bounding box in the frame's pixels, and how far it
    was turned (degrees, counter-clockwise as shown; 0 for an axis-aligned cut)."""

    x: int
    y: int
    width: int
    height: int
    angle: float = 0.0
    warped: bool = False  # True: rectified by a perspective warp, not a plain cut

    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.width, self.height)

    def scaled(self, sx: float, sy: float) -> Region:
        """The same region in a frame ``sx`` times wider and ``sy`` times taller."""
        return Region(
            round(self.x * sx),
            round(self.y * sy),
            round(self.width * sx),
            round(self.height * sy),
            self.angle,
            self.warped,
        )


@dataclass(frozen=True, eq=False)
class Framed:
    """A content region and its rectified pixels (uint8, (h, w, 3) RGB or (h, w) luma: as the
    frame's)."""

    region: Region
    pixels: np.ndarray


def find_content(rgb: np.ndarray, *, depth: int = 2) -> tuple[Framed, ...]:
    """The content regions of an (h, w, 3) uint8 RGB frame, or of an (h, w) luma plane, largest
    first; () when the frame has no frame around its content (the common case, decided by a look
    at its edges). On a luma plane, "one colour" is one grey level: a border that differs from
    the picture in hue only is not seen (docs/benchmarks-log.md measures what that changes)."""
    if rgb.dtype != np.uint8 or not (rgb.ndim == 2 or (rgb.ndim == 3 and rgb.shape[2] == 3)):
        raise ValueError(
            f"expected an (h, w, 3) or (h, w) uint8 array, got {rgb.shape} {rgb.dtype}"
        )
    if min(rgb.shape[:2]) < 32:
        return ()
    small, factor = _reduced(rgb)  # shared by the look for regions and the caption cut
    found: list[Framed] = []
    for framed in _regions(rgb, small, factor):
        found.append(framed)
        if depth > 1:
            r = framed.region
            for inner in find_content(framed.pixels, depth=depth - 1):
                found.append(Framed(_inside(r, inner.region, framed.pixels), inner.pixels))
    if depth > 1 and len(found) < MAX_REGIONS:
        found += _caption_cut(rgb, small, factor, found)
    return tuple(found[:MAX_REGIONS])


def worth_a_look(frame: np.ndarray) -> bool:
    """Whether :func:`find_content` could find anything in ``frame``, from its gate alone: a
    one-colour or blurred edge, a sharp picture over a blurred fill, or a one-colour top or bottom
    row (a caption band). False for most photos.

    For a frame decoded to its luma plane (``decode(luma=True)``): the search itself needs colour
    (on grey it misses borders and surrounds the picture shares a grey level with: 7 of 182
    framed re-uploads found in RGB, docs/benchmarks-log.md), but its gate does not. An edge within a
    tolerance of one colour on every channel is within it in luma too, and the blur and sharpness
    looks read grey in both. So the upload path looks here on the luma plane and decodes the
    image in colour only when this says yes."""
    if frame.dtype != np.uint8 or not (
        frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 3)
    ):
        raise ValueError(f"expected an (h, w, 3) or (h, w) uint8 array, got {frame.shape}")
    if min(frame.shape[:2]) < 32:
        return False
    if any(_edge_colour(row[::4]) is not None for row in (frame[0], frame[-1])):
        return True  # the caption cut's own gate
    small, _ = _reduced(frame)
    colours, blurred = _edges(small)
    return bool(colours) or blurred or _sharp_box(small, GATE_CONTRAST) is not None


def _detail(small: np.ndarray) -> np.ndarray:
    """Gradients of a lightly smoothed grey copy (JPEG and sensor noise smoothed away)."""
    import cv2

    grey = cv2.GaussianBlur(_grey(small), (5, 5), 1.0)
    detail = np.abs(cv2.Sobel(grey, cv2.CV_16S, 1, 0, ksize=3)).astype(np.float32)
    detail += np.abs(cv2.Sobel(grey, cv2.CV_16S, 0, 1, ksize=3))
    detail /= 8  # Sobel's weights: back to a difference between neighbours
    return detail


#: Rows (columns) of the reduced copy from an edge that its second and third rows' detail
#: depends on (the blur's 2 and Sobel's 1 beyond them, and the border's reflection), with room.
_STRIP = 8


def _edge_profile(small: np.ndarray, edge: int) -> np.ndarray:
    """The detail of the second and third rows (columns) in from one edge (0 top, 1 bottom,
    2 left, 3 right), averaged across them: what :func:`_detail` gives there, from a strip of
    :data:`_STRIP` rows (columns) instead of the whole copy (tests/hashing/test_framing.py
    checks them equal)."""
    across = edge >= 2
    length = small.shape[1 if across else 0]
    if length > 2 * _STRIP:  # else the strip is the whole copy
        cut = slice(None, _STRIP) if edge % 2 == 0 else slice(-_STRIP, None)
        small = np.ascontiguousarray(small[:, cut] if across else small[cut])
    detail = _detail(small)
    inner = slice(1, 3) if edge % 2 == 0 else slice(-3, -1)
    profile: np.ndarray = detail[:, inner].mean(axis=1) if across else detail[inner].mean(axis=0)
    return profile


def _reduced(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    """The frame reduced by an integer factor to about SIDE pixels (box averaging: OpenCV's fast
    path, ~10x the general one; the last rows and columns the factor does not divide are left
    out), and the factor. From a factor of 3, the same means come from ``_pdq.area_reduce``
    (about a quarter of OpenCV's CPU on a 1 MP photo, factor 3: 0.38 against 1.52 ms, 2026-12-05;
    tests/hashing/test_area_reduce.py: equal)."""
    import cv2

    height, width = rgb.shape[:2]
    factor = max(1, round(max(height, width) / SIDE))
    sh, sw = height // factor, width // factor
    cut = rgb[: sh * factor, : sw * factor]  # a view: OpenCV reads it with its row stride
    if factor == 1:
        return np.ascontiguousarray(cut), factor
    packed = rgb.strides[-1] == 1 and (rgb.ndim == 2 or rgb.strides[1] == 3)
    if factor >= 3 and packed:  # OpenCV's arithmetic, in one pass (_pdq.area_reduce)
        small = np.frombuffer(_pdq.area_reduce(rgb, factor), np.uint8)
        return small.reshape((sh, sw, *rgb.shape[2:])), factor
    return cv2.resize(cut, (sw, sh), interpolation=cv2.INTER_AREA), factor


def _channels(pixels: np.ndarray) -> int:
    return pixels.shape[2] if pixels.ndim == 3 else 1


def _grey(small: np.ndarray) -> np.ndarray:
    """The reduced copy in grey (as it is when the frame is a luma plane)."""
    import cv2

    return small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)


def _inside(outer: Region, inner: Region, pixels: np.ndarray) -> Region:
    """``inner`` (in the pixels of ``outer``'s rectified content) in the outer frame's pixels:
    exact for a cut, the bounding box's approximation for a warp."""
    sx, sy = outer.width / pixels.shape[1], outer.height / pixels.shape[0]
    return Region(
        outer.x + round(inner.x * sx),
        outer.y + round(inner.y * sy),
        round(inner.width * sx),
        round(inner.height * sy),
        outer.angle + inner.angle,
        outer.warped or inner.warped,
    )


def _edges(small: np.ndarray) -> tuple[list[tuple[np.ndarray, float]], bool]:
    """The solid edges' colours (each with its tolerance, from the edge's own noise), and
    whether two opposite edges are blurred fills (each edge's detail is looked at only when the
    answer still depends on it: a photo's top edge that is neither settles the top and bottom
    pair)."""
    strips = (small[:1], small[-1:], small[:, :1], small[:, -1:])
    colours: list[tuple[np.ndarray, float]] = []
    solid = []
    for strip in strips:
        found = _edge_colour(strip.reshape(-1, _channels(small)))
        solid.append(found is not None)
        if found is None:
            continue
        colour, tolerance = found
        if not any(np.abs(colour - c).max() <= max(t, tolerance) for c, t in colours):
            colours.append(found)

    def blurred(edge: int) -> bool:
        if solid[edge]:
            return False
        return _quiet(_edge_profile(small, edge))

    return colours, (blurred(0) and blurred(1)) or (blurred(2) and blurred(3))


def _quiet(profile: np.ndarray) -> bool:
    """``np.percentile(profile, 95) < BLURRED_EDGE``, mostly from a count: the percentile lies
    between the j-th and (j + 1)-th smallest values, j = floor(0.95 (n - 1)) give or take one
    (numpy's own arithmetic), so how many values lie under the limit (with a margin for the
    rounding of the interpolation) decides, unless it is within reach of j; then numpy does."""
    j, margin = math.floor(0.95 * (len(profile) - 1)), 1e-3
    if np.count_nonzero(profile < BLURRED_EDGE - margin) >= j + 3:
        return True
    if np.count_nonzero(profile < BLURRED_EDGE + margin) <= j - 1:
        return False
    return float(np.percentile(profile, 95)) < BLURRED_EDGE


def _regions(rgb: np.ndarray, small: np.ndarray, factor: int) -> list[Framed]:
    import cv2

    sh, sw = small.shape[:2]
    colours, blurred = _edges(small)
    sharp = _sharp_box(small)
    if not colours and not blurred:
        return [] if sharp is None else _cut(rgb, sharp, factor)
    mask = np.ones((sh, sw), bool)
    for colour, tolerance in colours:
        low = np.clip(colour - tolerance, 0, 255).astype(np.uint8)
        high = np.clip(colour + tolerance, 0, 255).astype(np.uint8)
        mask &= cv2.inRange(small, low, high) == 0
    if blurred:
        k = max(3, round(min(sh, sw) * 0.06) | 1)
        kernel = np.ones((k, k), np.uint8)
        textured = cv2.morphologyEx(
            (_detail(small) > DETAIL).astype(np.uint8), cv2.MORPH_CLOSE, kernel
        )
        mask &= textured.astype(bool)
    mask8 = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask8, connectivity=8)
    order: list[int] = (np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1).tolist()
    found: list[Framed] = []
    for label in order[: MAX_REGIONS + 2]:
        if stats[label, cv2.CC_STAT_AREA] < MIN_AREA * sh * sw * MIN_FILL:
            break
        quad = _quad(labels == label)
        if quad is None:
            continue
        area = cv2.contourArea(quad.astype(np.float32))
        if not MIN_AREA * sh * sw <= area <= MAX_AREA * sh * sw:
            continue
        if stats[label, cv2.CC_STAT_AREA] < MIN_FILL * area:
            continue
        framed = _rectify(rgb, quad * factor, factor)
        if framed is not None:
            found.append(framed)
        if len(found) == MAX_REGIONS:
            break
    if sharp is not None and len(found) < MAX_REGIONS:
        found += [f for f in _cut(rgb, sharp, factor) if not _same(f.region, found)]
    return found


def _caption_cut(
    rgb: np.ndarray, small: np.ndarray, factor: int, found: list[Framed]
) -> list[Framed]:
    """The frame without its caption bands (:func:`_caption_band`, top and bottom), as a cut,
    unless a region already ``found`` is that cut; [] when it has none. Added after the mask's
    regions: where the mask found the picture, its region is as good or tighter (a screenshot's
    card with margins), and the robust stage searches the first region. A frame whose top and
    bottom rows are not one colour (a plain photo) pays only a look at those two rows."""
    height, width = rgb.shape[:2]
    # every fourth pixel of the top and bottom rows: enough to tell one colour from a photo's
    if all(_edge_colour(row[::4]) is None for row in (rgb[0], rgb[-1])):
        return []
    sh = small.shape[0]
    top, bottom = _caption_band(small), _caption_band(small[::-1])
    if not top and not bottom:
        return []
    y0, y1 = top * factor, height if not bottom else (sh - bottom) * factor
    if _same(Region(0, y0, width, y1 - y0), found):
        return []
    return [Framed(Region(0, y0, width, y1 - y0), np.ascontiguousarray(rgb[y0:y1]))]


def _edge_colour(row: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The colour of a row of pixels ((w, 3), or (w,) of grey) and its tolerance (from the row's
    own noise) when it is one colour (:data:`UNIFORM_EDGE` of it within tolerance), else None.

    The colour is each channel's median; a pixel's distance from it, its largest difference on a
    channel; the tolerance, 6 plus 3 times the mean distance of the pixels within
    :data:`COLOUR_TOLERANCE`, at most that (in C, ``_framing.edge_colour``; the numpy code it
    replaces is compared with it in tests/hashing/test_framing_c.py)."""
    found = _framing.edge_colour(row, COLOUR_TOLERANCE, UNIFORM_EDGE)
    if found is None:
        return None
    return np.array(found[0]), found[1]


def _caption_band(small: np.ndarray) -> int:
    """How many rows of the reduced copy a caption band takes from its top edge (0: none).

    The top row must be one colour (as a frame's edge, :data:`UNIFORM_EDGE`). A row is *blank*
    when :data:`CAPTION_BLANK` of its pixels keep that colour; the band is the run of blank rows
    from the edge, bridged over lines of text (gaps of at most :data:`CAPTION_LINE` of the height
    between blank rows), and ends after its last blank row: a picture, even on a near-white
    ground, does not come back to a blank row, and a line of text does. The band must hold a line
    of text (one without is a border, which the content mask finds) and take between
    :data:`CAPTION_MIN` and :data:`CAPTION_MAX` of the height; one reduced pixel more is cut
    (part band, part picture)."""
    import cv2

    height = small.shape[0]
    limit = int(CAPTION_MAX * height)
    edge = _edge_colour(small[0])
    if edge is None:
        return 0
    colour, tolerance = edge
    low = np.clip(np.ceil(colour - tolerance), 0, 255).astype(np.uint8)
    high = np.clip(np.floor(colour + tolerance), 0, 255).astype(np.uint8)
    # in the band's colour (within tolerance on every channel), counted by row
    inside = cv2.inRange(np.ascontiguousarray(small[:limit]), low, high)
    share = np.count_nonzero(inside, axis=1) / small.shape[1]
    blank = np.flatnonzero(share >= CAPTION_BLANK).tolist()
    if not blank or blank[0] > 2:
        return 0
    end, lines, gap = blank[0], 0, max(2, round(CAPTION_LINE * height))
    for row in blank[1:]:
        if row - end - 1 > gap:
            break
        lines += row - end > 1
        end = row
    if not lines or end + 1 < CAPTION_MIN * height:
        return 0
    return min(end + 2, limit)


def _sharp_box(small: np.ndarray, slack: float = 1.0) -> tuple[int, int, int, int] | None:
    """The sharp picture over a blurred copy of itself (a story, a blurred-fill border), as
    ``(x0, y0, x1, y1)`` in the reduced copy's pixels; None when there is none.

    A blurred fill is smooth at every scale, so it has almost no second derivative, while a
    photograph (its texture, its sensor noise, its JPEG grain) has some in nearly every row and
    column. The rows whose share of sharp pixels (|Laplacian| over :data:`SHARP`) reaches
    :data:`SHARP_SHARE` are found, the longest run of them kept (a story's progress bar and reply
    box are shorter runs, apart); the same for the columns of that band. The box must leave a
    frame that is :data:`SHARP_CONTRAST` times less sharp than itself, on at least two opposite
    sides (``slack`` x as much, for the gate). A run may bridge gaps of up to 2 rows (columns);
    of equal runs the first is kept. On the grey, in C (``_framing.sharp_box``: the integer
    Laplacian, the counts and the runs in one pass; the numpy code it replaces is compared with it
    in tests/hashing/test_framing_c.py)."""
    grey = np.ascontiguousarray(_grey(small))
    return _framing.sharp_box(grey, SHARP, SHARP_SHARE, SHARP_CONTRAST * slack, MIN_AREA, MAX_AREA)


def _cut(rgb: np.ndarray, box: tuple[int, int, int, int], factor: int) -> list[Framed]:
    x0, y0, x1, y1 = (v * factor for v in box)
    if min(x1 - x0, y1 - y0) < 16:
        return []
    region = Region(x0, y0, x1 - x0, y1 - y0)
    return [Framed(region, np.ascontiguousarray(rgb[y0:y1, x0:x1]))]


def _same(region: Region, found: list[Framed]) -> bool:
    """Whether ``region`` is within a few percent of a region found already."""
    for other in found:
        o = other.region
        slack = 0.03 * max(o.width, o.height)
        if (
            abs(region.x - o.x) <= slack
            and abs(region.y - o.y) <= slack
            and abs(region.width - o.width) <= slack
            and abs(region.height - o.height) <= slack
        ):
            return True
    return False


def _quad(component: np.ndarray) -> np.ndarray | None:
    """Four corners (tl, tr, br, bl; float x, y, on pixel edges) around a part of the mask: its
    bounding box when it stands upright, else its hull's four corners when they hold it (a
    keystone), else its minimum-area rectangle (a rotation)."""
    import cv2

    contours, _ = cv2.findContours(
        component.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    x, y, w, h = cv2.boundingRect(hull)
    box = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float64)
    corners = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(corners) == 4 and cv2.contourArea(corners) >= 0.96 * cv2.contourArea(hull):
        quad = _ordered(corners.astype(np.float64))
        if np.abs(quad - box).max() > 2:
            return _outward(quad)
        return box
    rect = cv2.minAreaRect(hull)
    turn = rect[2] % 90
    if min(turn, 90 - turn) <= UPRIGHT:
        return box
    return _outward(_ordered(cv2.boxPoints(rect).astype(np.float64)))


def _ordered(points: np.ndarray) -> np.ndarray:
    """Four points as tl, tr, br, bl."""
    by_sum, by_diff = points.sum(axis=1), points[:, 1] - points[:, 0]
    tl, br = points[np.argmin(by_sum)], points[np.argmax(by_sum)]
    tr, bl = points[np.argmin(by_diff)], points[np.argmax(by_diff)]
    return np.array([tl, tr, br, bl])


def _outward(quad: np.ndarray) -> np.ndarray | None:
    """``quad`` grown by half a pixel at each corner (the hull runs through the outer pixels'
    centres), or None if it is degenerate."""
    if len({tuple(p) for p in quad.round(3)}) != 4:
        return None
    grown: np.ndarray = quad + np.sign(quad - quad.mean(axis=0)) * 0.5
    return grown


def _rectify(rgb: np.ndarray, quad: np.ndarray, pixel: float) -> Framed | None:
    """The content inside ``quad`` (in ``rgb``'s pixels; ``pixel``: the size of a reduced pixel)
    as an upright rectangle: cut when the quad is a box, else warped."""
    import cv2

    height, width = rgb.shape[:2]
    tl, tr, br, bl = quad
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    box = Region(int(x0), int(y0), int(x1 - x0), int(y1 - y0))
    if min(box.width, box.height) < 16:
        return None
    if tl[1] == tr[1] and tl[0] == bl[0] and br[1] == bl[1] and br[0] == tr[0]:
        return Framed(box, np.ascontiguousarray(rgb[y0:y1, x0:x1]))
    # a turned or keystoned region: shrink it by half a reduced pixel (its edge pixels are
    # part frame), then warp it upright
    centre = quad.mean(axis=0)
    quad = quad - np.sign(quad - centre) * pixel * 0.5
    tl, tr, br, bl = quad
    out_w = round((np.hypot(*(tr - tl)) + np.hypot(*(br - bl))) / 2)
    out_h = round((np.hypot(*(bl - tl)) + np.hypot(*(br - tr))) / 2)
    if min(out_w, out_h) < 16:
        return None
    angle = math.degrees(math.atan2(-(tr[1] - tl[1]), tr[0] - tl[0]))
    # warped from a copy reduced by an integer factor to about WARP_SIDE: PDQ reduces to 64 x 64
    # anyway, and the warp's cost follows the pixels it writes
    factor = max(1, math.floor(max(out_w, out_h) / WARP_SIDE))
    if factor > 1:
        rh, rw = height // factor, width // factor
        rgb = cv2.resize(
            np.ascontiguousarray(rgb[: rh * factor, : rw * factor]),
            (rw, rh),
            interpolation=cv2.INTER_AREA,
        )
        quad, out_w, out_h = quad / factor, out_w // factor, out_h // factor
    target = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    pixels = cv2.warpPerspective(
        rgb, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    region = Region(box.x, box.y, box.width, box.height, round(angle, 1), warped=True)
    return Framed(region, pixels)

"""The decoder: untrusted bytes in, a :class:`DecodedImage` or a :class:`MediaError` out.

Every check that bounds work runs before the work: the byte count before anything is read, the
format from magic bytes before any decoder sees the file, frame counts and header dimensions before
any pixel data is decoded. Whatever a decoder raises on a hostile file is turned into a
:class:`~bouclier.errors.MediaError` with one of the codes of
:data:`~bouclier.errors.MEDIA_ERROR_CODES`; nothing else escapes. No Pillow setting is changed:
``LOAD_TRUNCATED_IMAGES`` stays off and ``MAX_IMAGE_PIXELS`` stays Pillow's (so an image over
twice that is refused as ``media.too_many_pixels`` even when :class:`Limits` allows more).
"""

from __future__ import annotations

import io
import os
import struct
import threading
import warnings
from dataclasses import dataclass
from types import TracebackType

import numpy as np
from PIL import Image, features

from bouclier.errors import MediaError
from bouclier.media.convert import frame_to_luma, frame_to_rgb, threatexchange_frame
from bouclier.media.decoded import DecodedImage
from bouclier.media.files import read_file
from bouclier.media.formats import PILLOW_FORMATS, describe_unsupported, sniff_format
from bouclier.media.limits import DEFAULT_LIMITS, Limits
from bouclier.media.orientation import TRANSPOSES, orientation_of, swaps_sides
from bouclier.media.structure import MAX_FRAME_COUNT, Layout, inspect

try:  # libjpeg-turbo straight into numpy (the same pixels as Pillow's, without its copies)
    import simplejpeg as _simplejpeg
except ImportError:  # pragma: no cover - a dependency; Pillow decodes everything without it
    _simplejpeg = None

# What Pillow and its plugins raise on bad input. A decoder reading hostile bytes fails in many
# ways (a struct too short, an index past a table, a division by a zero field); all of them mean
# "this file cannot be decoded", and are told apart afterwards by looking at the file.
_DECODER_ERRORS: tuple[type[Exception], ...] = (
    OSError,  # including PIL.UnidentifiedImageError
    SyntaxError,  # Pillow's "not a ... file"
    ValueError,
    EOFError,
    struct.error,
    LookupError,  # IndexError, KeyError
    TypeError,
    ArithmeticError,  # ZeroDivisionError, OverflowError
    RuntimeError,  # libheif and libavif errors
    AssertionError,  # Pillow asserts invariants that a hostile file can break
)

# Formats whose frames are deltas: reaching frame k decodes frames 0 to k-1 too.
_SEQUENTIAL = frozenset({"gif", "png", "webp", "avif"})
# Walking through an animation to the frames kept may decode at most this many times the pixel
# limit: a few seconds of work, for any file under the byte limit.
_WALK_FACTOR = 10
# Formats decoded as one picture: a JPEG's extra MPO pictures (previews, the other eye of a stereo
# pair) and a HEIC's extra top-level images (bursts, alternates) are not shown by viewers either.
_SINGLE_PICTURE = frozenset({"jpeg", "bmp", "heic"})


def decode(
    data: bytes,
    *,
    limits: Limits = DEFAULT_LIMITS,
    max_side: int | None = None,
    min_side: int | None = None,
    luma: bool = False,
) -> DecodedImage:
    """Decodes image bytes, or raises :class:`~bouclier.errors.MediaError` saying why not.

    Frames come back at full resolution unless one reduction is asked for (``width`` and
    ``height`` always give the full size):

    * ``max_side``: when the longer side is larger, frames are resampled so that it is
      ``max_side`` (JPEG decoded with DCT scaling to the nearest larger size, then area averaged);
    * ``min_side``: frames are reduced by the largest integer factor that keeps the shorter side at
      least ``min_side`` (JPEG by DCT scaling, 1/2 to 1/8, then averaging of whole blocks for the
      rest of the factor; other formats by averaging blocks of factor x factor pixels).

    ``luma``: a JPEG in YCbCr (or grey) comes back as its luma plane, (h, w) frames, which libjpeg
    decodes without the chroma's IDCT, upsampling and colour conversion (about 40% of a 1 MP
    decode). For callers that only hash: PDQ reads luminance only, and the framing stage works on
    grey. The plane is the JPEG's Y, not Y recomputed from rounded RGB: PDQ's hash moves by a bit
    or two at most on photos (docs/benchmarks-log.md, "Uploads per second: a leaner upload
    path"). Every other file (PNG, CMYK JPEG...) comes back in RGB as without it.
    """
    reduction = _Reduction(max_side, min_side)
    if not data:
        raise MediaError("the file is empty", code="media.empty")
    if len(data) > limits.max_bytes:
        raise MediaError(
            f"the file is {len(data)} bytes; the limit is {limits.max_bytes}",
            code="media.too_large",
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise MediaError(describe_unsupported(data), code="media.unsupported_format")
    layout = inspect(data, fmt)
    if layout.canvas is not None:
        _check_pixels(layout.canvas[0] * layout.canvas[1], limits)
    with PILLOW_WARNINGS_IGNORED:
        try:
            return _decode(data, fmt, layout, limits, reduction, luma=luma)
        except (Image.DecompressionBombError, MemoryError) as exc:
            raise MediaError(
                "the image is too large to decode (a decompression bomb?)",
                code="media.too_many_pixels",
            ) from exc
        except _DECODER_ERRORS as exc:
            raise _damage(fmt, layout, exc) from exc


def decode_file(
    path: str | os.PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    max_side: int | None = None,
    min_side: int | None = None,
    luma: bool = False,
) -> DecodedImage:
    """Decodes an image file, reading at most ``limits.max_bytes + 1`` bytes of it.

    A path that cannot be read (missing, a folder, no permission) is not a problem with image
    bytes: it raises :class:`~bouclier.errors.FileUnreadable` with a ``file.*`` code.
    """
    data = read_file(path, limits.max_bytes)
    return decode(data, limits=limits, max_side=max_side, min_side=min_side, luma=luma)


def spread(frame_count: int, max_frames: int) -> list[int]:
    """Indices of up to ``max_frames`` frames spread evenly over an animation, from the first."""
    kept = min(frame_count, max_frames)
    return [i * frame_count // kept for i in range(kept)]


@dataclass(frozen=True, slots=True)
class _Reduction:
    """The reduction a caller asked for: none, a longest side, or a shortest side to keep."""

    max_side: int | None
    min_side: int | None

    def __post_init__(self) -> None:
        if self.max_side is not None and self.min_side is not None:
            raise ValueError("give max_side or min_side, not both")
        for name in ("max_side", "min_side"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1")

    def factor(self, size: tuple[int, int]) -> int:
        """The integer reduction factor ``min_side`` asks of a frame of this size (1: none)."""
        return max(1, min(size) // self.min_side) if self.min_side is not None else 1


def reduced_size(size: tuple[int, int], max_side: int | None) -> tuple[int, int] | None:
    """The size whose longer side is ``max_side``, aspect kept; None when no reduction is due."""
    width, height = size
    longer = max(width, height)
    if max_side is None or longer <= max_side:
        return None
    if width >= height:
        return max_side, max(1, (height * max_side + longer // 2) // longer)
    return max(1, (width * max_side + longer // 2) // longer), max_side


def _decode(
    data: bytes, fmt: str, layout: Layout, limits: Limits, reduction: _Reduction, *, luma: bool
) -> DecodedImage:
    if fmt == "heic":
        _register_heif()
    elif fmt == "avif" and not features.check_module("avif"):
        raise MediaError("AVIF support is not installed", code="media.unsupported_format")
    with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[fmt]]) as image:
        frame_count = layout.frame_count
        if frame_count is None:
            # PNG (acTL), WebP and AVIF state their frame count in a header; GIF and TIFF are
            # counted by the structure walk (Pillow would walk the whole file, unbounded).
            counted = fmt in _SINGLE_PICTURE or fmt in ("gif", "tiff")
            frame_count = 1 if counted else int(getattr(image, "n_frames", 1))
        if frame_count > MAX_FRAME_COUNT:
            raise MediaError(
                f"the animation has {frame_count} frames; Bouclier walks through at most "
                f"{MAX_FRAME_COUNT}",
                code="media.too_many_frames",
            )
        indices = spread(max(frame_count, 1), limits.max_frames)
        width, height = layout.canvas or image.size
        _check_pixels(width * height * len(indices), limits)
        if fmt == "tiff" and len(indices) > 1:
            _check_pixels(_tiff_pages_pixels(image, indices), limits)
        walked = width * height * (indices[-1] + 1)
        if fmt in _SEQUENTIAL and walked > _WALK_FACTOR * limits.max_pixels:
            raise MediaError(
                f"the animation has {frame_count} frames of {width}x{height}; reaching the "
                "frames Bouclier keeps would decode too many pixels",
                code="media.too_many_frames",
            )
        frames: list[np.ndarray] = []
        shown: tuple[int, int] | None = None
        theirs: np.ndarray | None = None
        decoded = 0
        for index in indices:
            if index:
                image.seek(index)
            # A TIFF page or a GIF frame may be larger than the first: check before loading it.
            decoded += image.size[0] * image.size[1]
            _check_pixels(decoded, limits)
            fast = _fast_jpeg(data, image, reduction, luma=luma) if fmt == "jpeg" else None
            pixels, displayed, read = fast or _decode_frame(
                image, fmt, reduction, first=not index, luma=luma
            )
            frames.append(pixels)
            shown = shown or displayed
            theirs = theirs if index else read
        assert shown is not None  # indices is never empty
        width, height = shown
        return DecodedImage(fmt, width, height, tuple(frames), frame_count, theirs)


def _tiff_pages_pixels(image: Image.Image, indices: list[int]) -> int:
    """Pixels of the TIFF pages kept, which may differ in size, read from their directories."""
    total = 0
    for index in indices:
        image.seek(index)  # parses the page's directory only
        total += image.size[0] * image.size[1]
    image.seek(0)
    return total


def _decode_frame(
    image: Image.Image, fmt: str, reduction: _Reduction, *, first: bool = False, luma: bool = False
) -> tuple[np.ndarray, tuple[int, int], np.ndarray | None]:
    """The current frame's pixels, its full-resolution size as displayed and, for the ``first``
    frame, its pixels as python-threatexchange reads them where those differ (else None)."""
    full = image.size
    target = reduced_size(full, reduction.max_side)
    factor = reduction.factor(full)
    box = None
    # One draft call (Pillow takes only the first): libjpeg's output in grey ("L": the Y
    # channel only) and/or DCT-scaled; a JPEG in CMYK or decoded in tiles keeps its mode.
    grey = "L" if luma and fmt == "jpeg" else None
    if fmt == "jpeg" and target is not None:
        # DCT scaling: libjpeg decodes at 1/2, 1/4 or 1/8 size directly, the smallest of them
        # still at least as large as the target; the box average below does the rest.
        drafted = image.draft(grey, target)
        box = drafted[1] if drafted is not None else None
    elif fmt == "jpeg" and factor > 1:
        dct = next(s for s in (8, 4, 2, 1) if s <= factor)
        if image.draft(grey, (full[0] // dct, full[1] // dct)) is not None:
            factor //= round(full[0] / image.size[0])  # block averaging does the rest
    elif grey is not None:
        image.draft(grey, None)
    image.load()
    orientation = orientation_of(image)  # after load: a PNG may keep its EXIF after the pixels
    transpose = TRANSPOSES.get(orientation)
    if grey is not None and image.mode == "L":
        pixels = frame_to_luma(image, size=target, box=box, factor=factor, transpose=transpose)
        return pixels, (full[::-1] if swaps_sides(orientation) else full), None
    pixels = frame_to_rgb(image, size=target, box=box, factor=factor, transpose=transpose)
    theirs = None
    # threatexchange hashes the frame Pillow opens on, in its stored orientation; turning it as
    # displayed only relabels its 8 dihedral hashes, so both readings name orientations alike.
    read = threatexchange_frame(image) if first else None
    if read is not None:
        theirs = frame_to_rgb(read, size=target, box=box, factor=factor, transpose=transpose)
        if np.array_equal(theirs, pixels):  # an opaque RGBA, a palette of greys in order
            theirs = None
    return pixels, (full[::-1] if swaps_sides(orientation) else full), theirs


def _fast_jpeg(
    data: bytes, image: Image.Image, reduction: _Reduction, *, luma: bool
) -> tuple[np.ndarray, tuple[int, int], None] | None:
    """A YCbCr or grey JPEG's pixels as :func:`_decode_frame` makes them, bit for bit, decoded by
    simplejpeg (the same libjpeg-turbo, same settings: accurate integer IDCT, fancy upsampling)
    into a numpy array: Pillow's decode unpacks RGB rows into 4-byte pixels and
    ``np.asarray`` packs them back through ``tobytes`` (about a third of a 1 MP decode,
    docs/benchmarks-log.md). The same DCT scaling as Pillow's draft, then the same Pillow reduce and
    EXIF turn on those pixels; tests/media/test_fast_jpeg.py compares every pixel with Pillow's
    path on 4:2:0, 4:2:2, 4:4:4, 4:4:0, grey, progressive, restart-interval, EXIF-turned and
    DCT-scaled JPEGs. None (Pillow decodes) for anything else: CMYK, a ``max_side`` resample, a
    file libjpeg warns about (simplejpeg's strict mode raises; Pillow then gives its own answer
    or error), a draft Pillow would not take."""
    if _simplejpeg is None or reduction.max_side is not None or image.mode not in ("RGB", "L"):
        return None
    tile, configured = getattr(image, "tile", ()), getattr(image, "decoderconfig", ())
    if len(tile) != 1 or configured or "transparency" in image.info:
        return None
    full = image.size
    factor = reduction.factor(full)
    scale = 1
    if factor > 1:
        # Pillow's draft for the size _decode_frame asks (JpegImageFile.draft's arithmetic)
        dct = next(s for s in (8, 4, 2, 1) if s <= factor)
        wanted = (full[0] // dct, full[1] // dct)
        if min(wanted) < 1:
            return None
        asked = min(full[0] // wanted[0], full[1] // wanted[1])
        scale = next(s for s in (8, 4, 2, 1) if asked >= s)
    size = ((full[0] + scale - 1) // scale, (full[1] + scale - 1) // scale)
    factor //= round(full[0] / size[0])
    grey = luma or image.mode == "L"
    try:
        pixels = _simplejpeg.decode_jpeg(
            data,
            colorspace="GRAY" if grey else "RGB",
            fastdct=False,
            fastupsample=False,
            min_height=size[1],
            min_width=size[0],
            min_factor=scale,
            strict=True,
        )
    except (ValueError, MemoryError):
        return None
    if pixels.shape[:2] != size[::-1]:
        return None  # a scale libjpeg-turbo chose otherwise: Pillow decides
    orientation = orientation_of(image)
    transpose = TRANSPOSES.get(orientation)
    displayed = full[::-1] if swaps_sides(orientation) else full
    if grey:
        frame = Image.fromarray(pixels.reshape(pixels.shape[:2]), "L")
        if not luma:  # a grey JPEG in RGB, as frame_to_rgb makes it
            return frame_to_rgb(frame, factor=factor, transpose=transpose), displayed, None
        return frame_to_luma(frame, factor=factor, transpose=transpose), displayed, None
    if factor > 1 or transpose is not None:
        return (
            frame_to_rgb(Image.fromarray(pixels, "RGB"), factor=factor, transpose=transpose),
            displayed,
            None,
        )
    pixels.setflags(write=False)
    return pixels, displayed, None


def _check_pixels(pixels: int, limits: Limits) -> None:
    if pixels > limits.max_pixels:
        raise MediaError(
            f"the image has {pixels} pixels to decode; the limit is {limits.max_pixels}",
            code="media.too_many_pixels",
        )


def _damage(fmt: str, layout: Layout, error: Exception) -> MediaError:
    """The error for a file a decoder failed on: cut short, or damaged."""
    name = fmt.upper()
    # The structure walk sees most cuts; the decoder's own word covers data cut inside a part the
    # walk does not follow (a TIFF's later pages, a HEIF's media data).
    if layout.truncated or "truncated" in str(error).lower():
        return MediaError(
            f"the {name} data ends before the image does (the file is truncated)",
            code="media.truncated",
        )
    return MediaError(f"the {name} data is damaged and cannot be decoded", code="media.corrupt")


_heif_lock = threading.Lock()
_heif_registered = False


def _register_heif() -> None:
    """Registers pillow_heif's HEIF plugin with Pillow, once, on the first HEIC file."""
    global _heif_registered  # noqa: PLW0603 - a process-wide, once-only registration
    with _heif_lock:
        if not _heif_registered:
            import pillow_heif  # loads libheif; only HEIC files need it

            pillow_heif.register_heif_opener()
            _heif_registered = True


class _PillowWarningsIgnored:
    """Silences Pillow's and pillow_heif's warnings while any thread is decoding.

    Decoders warn about things this module handles itself (EXIF that cannot be parsed, an image
    over Pillow's own pixel threshold, a broken MPO index); left alone, such a warning would print
    or, under ``-W error``, abort a decode, depending on the caller's filters. The filters are
    process-wide and ``catch_warnings`` is not thread-safe, so one shared window is opened by the
    first decode in flight and closed by the last, rather than one per call: overlapping windows
    would otherwise restore each other's filters out of order and leave them changed for good.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._window: warnings.catch_warnings[None] | None = None

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                window = warnings.catch_warnings()
                window.__enter__()
                warnings.filterwarnings("ignore", module=r"PIL\.")
                warnings.filterwarnings("ignore", module=r"pillow_heif\.")
                warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
                self._window = window
            self._depth += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._window is not None:
                self._window.__exit__(None, None, None)
                self._window = None


PILLOW_WARNINGS_IGNORED = _PillowWarningsIgnored()

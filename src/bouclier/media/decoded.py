"""The decoder's answer: an image's pixels in the one form the rest of Bouclier reads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """A decoded image: its format, displayed size and frames as (h, w, 3) uint8 RGB arrays, or
    as (h, w) uint8 luma planes where the caller asked the decoder for luma (``decode(luma=True)``,
    JPEG only: for hashing, which reads luminance only; :attr:`luma` says which).

    ``width`` and ``height`` are the full-resolution size as displayed (after EXIF orientation),
    even when the frames were reduced. Frames are C-contiguous and read-only, so the value stays
    what the decoder made of the file (copy a frame to draw on it); they may differ in size (the
    pages of a TIFF, a GIF frame that overhangs the screen). ``frame_count`` counts the frames in
    the file, of which ``frames`` holds a selection spread evenly from the first. Equality is
    identity: comparing pixel arrays is the caller's business.

    ``threatexchange``: the first frame as python-threatexchange (HMA) reads the file, in the same
    form, size and orientation as ``pixels``, where that reading differs from Bouclier's (alpha
    dropped rather than composited, 16-bit clipped rather than scaled, palette indices rather than
    colours; see :func:`bouclier.media.convert.threatexchange_frame`); None otherwise.
    """

    format: str
    width: int
    height: int
    frames: tuple[np.ndarray, ...]
    frame_count: int
    threatexchange: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not self.frames or self.frame_count < len(self.frames):
            raise ValueError("a DecodedImage needs 1 to frame_count frames")
        others = () if self.threatexchange is None else (self.threatexchange,)
        shape = (3,) if self.frames[0].ndim == 3 else ()
        for frame in self.frames + others:
            if frame.dtype != np.uint8 or frame.shape[2:] != shape or frame.ndim not in (2, 3):
                raise ValueError(
                    f"frames are all (h, w, 3) or all (h, w) uint8; got {frame.shape} {frame.dtype}"
                )

    @property
    def pixels(self) -> np.ndarray:
        """The first frame: the still image, or the opening frame of an animation."""
        return self.frames[0]

    @property
    def luma(self) -> bool:
        """Whether the frames are luma planes (h, w) rather than RGB (h, w, 3)."""
        return self.frames[0].ndim == 2

    @property
    def animated(self) -> bool:
        return self.frame_count > 1

    def __repr__(self) -> str:
        shapes = ", ".join("x".join(map(str, f.shape[1::-1])) for f in self.frames)
        return (
            f"DecodedImage(format={self.format!r}, width={self.width}, height={self.height}, "
            f"frame_count={self.frame_count}, frames=[{shapes}])"
        )

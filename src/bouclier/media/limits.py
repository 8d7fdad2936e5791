"""How much work one untrusted file may ask of the decoder: bytes, pixels and frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bouclier.settings import Settings


@dataclass(frozen=True, slots=True)
class Limits:
    """Ceilings checked before the work they bound is done.

    ``max_pixels`` counts width x height of every frame decoded, read from headers before any pixel
    data is; ``max_frames`` is how many frames of an animation are decoded, spread evenly over it.
    The defaults are those of :class:`~bouclier.settings.Settings`.
    """

    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 100_000_000
    max_frames: int = 16

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "max_frames"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_bytes=settings.max_image_bytes,
            max_pixels=settings.max_image_pixels,
            max_frames=settings.max_frames,
        )


#: The limits :func:`~bouclier.media.decode` uses when given none.
DEFAULT_LIMITS = Limits()

"""Type stub of the C extension (src/bouclier/hashing/_framing.c): the framing stage's gate."""

from typing import Any

def edge_colour(
    pixels: Any, colour_tolerance: float, uniform_edge: float, /
) -> tuple[tuple[float, ...], float] | None: ...
def sharp_box(
    grey: Any,
    sharp: float,
    sharp_share: float,
    contrast: float,
    min_area: float,
    max_area: float,
    /,
) -> tuple[int, int, int, int] | None: ...

"""Type stub of the C extension (src/bouclier/hashing/_pdq.c): PDQ, bit for bit as pdqhash."""

from typing import Any

def dihedral(pixels: Any, /) -> tuple[tuple[str, ...], int]: ...

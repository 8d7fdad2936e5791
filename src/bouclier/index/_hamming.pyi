"""Type stub of the C extension (src/bouclier/index/_hamming.c): exact Hamming-radius search."""

from collections.abc import Sequence
from typing import Any

import numpy as np

# numpy declares ndarray.__buffer__ only for Python >= 3.12, so spell arrays out
_Bytes = bytes | np.ndarray[Any, Any]

STRATEGY_AUTO: int
STRATEGY_MULTI: int
STRATEGY_LINEAR: int

class MultiIndex:
    """Immutable multi-index over ``n * 32`` bytes of hashes, cut into substrings of ``bits``."""

    def __new__(cls, hashes: _Bytes, bits: Sequence[int], threads: int = 0) -> MultiIndex: ...
    @classmethod
    def adopt(
        cls,
        hashes: _Bytes,
        bits: Sequence[int],
        forms: Sequence[tuple[int, int]],
        tables: _Bytes | memoryview,
        threads: int = 0,
    ) -> MultiIndex:
        """Tables as parts() gives them, each table's (offsets form, spilled blocks) as ``forms``
        gives them, checked in full first (ValueError says what is wrong)."""

    def parts(self) -> list[tuple[Any, ...]]:
        """Per table, read-only buffers: its offsets (compact: base, low; wide; narrow: base,
        low8, spill), then its row ids."""
    def __len__(self) -> int: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def bits(self) -> tuple[int, ...]: ...
    @property
    def forms(self) -> tuple[tuple[int, int], ...]:
        """Per table, (its offsets' form: 0 compact, 1 wide, 2 narrow; its spilled blocks)."""
    def search(
        self,
        queries: _Bytes,
        radius: int,
        dead: _Bytes | None = None,
        strategy: int = 0,
        threads: int = 1,
    ) -> tuple[bytes, bytes, bytes]:
        """(rows as uint32, distances as uint16, per-query counts as int64), unordered; the
        (query, table) pairs shared among ``threads`` threads (0: one per CPU when worth it)."""

    def plan(self, radius: int, strategy: int = 0) -> tuple[int, ...] | None:
        """The radius searched in each table (-1: unused), or None for a linear scan."""

def scan(
    hashes: _Bytes, queries: _Bytes, radius: int, dead: _Bytes | None = None
) -> tuple[bytes, bytes, bytes]:
    """Linear search; the same result format as :meth:`MultiIndex.search`."""

def crc32c(data: _Bytes | memoryview, crc: int = 0) -> int: ...
def simd(enable: bool = ...) -> bool: ...
def estimate(
    n: int, bits: Sequence[int], radius: int
) -> tuple[float, float, tuple[int, ...] | None, int]:
    """(multi-index cost, linear-scan cost) of one query in estimated nanoseconds, the radius
    each table would be searched with (None: no exact plan, some bits uncovered), and the bytes
    the tables would take (with the offsets random hashes get: 1 byte a bucket where a block
    holds 128 rows or fewer, else 2)."""

"""Exact Hamming-radius search over 256-bit PDQ hashes, in memory, updated incrementally.

:class:`HammingIndex` is the fast path (multi-index hashing in C, see ``_hamming.c``);
:func:`brute_force_search` is the reference it must agree with, hit for hit.
"""

from bouclier.index.hamming import HammingIndex
from bouclier.index.hits import SearchHits, brute_force_search

__all__ = ["HammingIndex", "SearchHits", "brute_force_search"]

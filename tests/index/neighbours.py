"""Test data for the index: random hashes and hashes at an exact Hamming distance from another."""

from __future__ import annotations

import numpy as np


def random_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def flipped(rng: np.random.Generator, base: np.ndarray, distance: int) -> np.ndarray:
    """A copy of ``base`` with exactly ``distance`` distinct bits flipped."""
    bits = np.unpackbits(base)
    bits[rng.choice(256, size=distance, replace=False)] ^= 1
    return np.packbits(bits)


def planted(
    rng: np.random.Generator, n_random: int, query: np.ndarray, distances: range | list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, labels): one neighbour of ``query`` at each distance, among random hashes,
    shuffled, with labels that are unique but not in insertion order."""
    near = np.stack([flipped(rng, query, d) for d in distances])
    hashes = np.concatenate([near, random_hashes(rng, n_random)])
    hashes = hashes[rng.permutation(len(hashes))]
    labels = rng.permutation(10 * len(hashes))[: len(hashes)].astype(np.int64) - 5 * len(hashes)
    return np.ascontiguousarray(hashes), labels

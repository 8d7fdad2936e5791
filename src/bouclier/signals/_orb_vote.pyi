"""Type stub of the C extension (src/bouclier/signals/_orb_vote.c): the ORB index's vote and the
descriptor pairing."""

from typing import Any

import numpy as np

_Array = np.ndarray[Any, Any]

def vote(
    offsets: _Array,
    postings: _Array,
    keys: _Array,
    weights: _Array,
    extra: _Array,
    extra_weights: _Array,
    votes: _Array,
    score: _Array,
) -> None:
    """Adds 1 to ``votes[s]`` and the key's weight to ``score[s]`` for every posting ``s`` of
    every key (``postings[offsets[k]:offsets[k + 1]]``), then for every extra slot; ValueError
    for a buffer of the wrong type or size, a key, offset or slot out of bounds."""

def pair(da: _Array, db: _Array, match_bits: int, ratio: float, ia: _Array, ib: _Array) -> int:
    """The distinctive one-to-one pairs of two ``(n, 16)`` and ``(m, 16)`` uint8 descriptor sets
    (each the other's nearest within ``match_bits``, nearer than ``ratio`` x the runner-up on
    both sides), written to ``ia[:k]``, ``ib[:k]`` (int64, at least ``n`` long) in row order;
    returns ``k``. ValueError for a buffer of the wrong type or size."""

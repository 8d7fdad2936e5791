"""The ORB index's vote in C (src/bouclier/signals/_orb_vote.c): numpy's sums, bit for bit, and
every out-of-bounds input refused at the door."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bouclier.signals import _orb_vote


def _reference(offsets, postings, keys, weights, extra, extra_weights, count):  # type: ignore[no-untyped-def]
    """What orb_index voted with before the helper: the gather, then two bincounts."""
    parts = [postings[offsets[k] : offsets[k + 1]] for k in keys] + [extra]
    slots = np.concatenate(parts)
    lengths = [offsets[k + 1] - offsets[k] for k in keys]
    w = np.concatenate([np.repeat(weights, lengths), extra_weights])
    return np.bincount(slots, minlength=count), np.bincount(slots, weights=w, minlength=count)


def _index(seed: int, count: int = 500, keys: int = 300):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    df = rng.zipf(1.6, keys).clip(max=count)  # a few very common keys, as descriptor words are
    offsets = np.zeros(keys + 1, np.int64)
    np.cumsum(df, out=offsets[1:])
    postings = rng.integers(0, count, offsets[-1]).astype(np.int32)
    return rng, offsets, postings


@pytest.mark.parametrize("seed", range(5))
def test_the_vote_sums_what_numpy_sums_bit_for_bit(seed: int) -> None:
    rng, offsets, postings = _index(seed)
    keys = np.unique(rng.integers(0, len(offsets) - 1, 120)).astype(np.int64)
    weights = np.log1p(500 / np.diff(offsets)[keys])
    extra = rng.integers(0, 500, 40).astype(np.int32)
    extra_weights = rng.random(40)
    votes, score = np.zeros(500, np.int64), np.zeros(500)
    _orb_vote.vote(offsets, postings, keys, weights, extra, extra_weights, votes, score)
    want_votes, want_score = _reference(offsets, postings, keys, weights, extra, extra_weights, 500)
    assert votes.sum() > 0
    assert np.array_equal(votes, want_votes)
    assert np.array_equal(score, want_score)  # the same additions in the same order


def _arguments() -> list[np.ndarray]:
    _, offsets, postings = _index(9)
    keys = np.array([0, 1, 2], np.int64)
    return [
        offsets,
        postings,
        keys,
        np.ones(3),
        np.zeros(0, np.int32),
        np.zeros(0),
        np.zeros(500, np.int64),
        np.zeros(500),
    ]


_SLOT_PAST = np.array([0, 1, 7000], np.int32)  # key 0's or 1's postings name slot 7000 of 500


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({2: np.array([-1], np.int64), 3: np.ones(1)}, "a key outside the offsets"),
        ({2: np.array([10**6], np.int64), 3: np.ones(1)}, "a key outside the offsets"),
        ({0: np.array([0, 5, 2, 10**9], np.int64)}, "offsets out of order or past the postings"),
        ({1: _SLOT_PAST, 0: np.array([0, 3, 3, 3], np.int64)}, "a slot outside the counters"),
        ({6: np.zeros(3, np.int64)}, "votes and score of the same length"),
        ({3: np.ones(2)}, "one weight per key"),
        ({4: np.array([5], np.int32)}, "one weight per extra slot"),
        ({2: np.array([0.0, 1.0])}, "keys (int64): expected 8-byte items"),
        ({6: np.zeros(500, np.int32)}, "votes (int64): expected 8-byte items"),
        ({1: np.zeros(4, np.int64)}, "postings (int32): expected 4-byte items"),
    ],
)
def test_an_out_of_bounds_input_is_refused(changed: dict[int, np.ndarray], message: str) -> None:
    arguments = _arguments()
    for position, value in changed.items():
        arguments[position] = value
    with pytest.raises(ValueError, match=re.escape(message)):
        _orb_vote.vote(*arguments)


def test_an_extra_slot_past_the_counters_is_refused() -> None:
    arguments = _arguments()
    arguments[4], arguments[5] = np.array([500], np.int32), np.ones(1)
    with pytest.raises(ValueError, match="a slot outside the counters"):
        _orb_vote.vote(*arguments)


def test_a_read_only_counter_is_refused() -> None:
    arguments = _arguments()
    arguments[6].flags.writeable = False
    with pytest.raises((ValueError, BufferError, TypeError)):
        _orb_vote.vote(*arguments)

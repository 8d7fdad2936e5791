"""Matching: orientations, per-bank thresholds, bank selection, low quality flagged."""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore, NewEntry
from bouclier.hashing import pdq
from bouclier.storage import Database
from tests.conftest import photo


def _flip_bits(value: str, count: int, seed: int = 0) -> str:
    bits = np.random.default_rng(seed).choice(256, size=count, replace=False)
    number = int(value, 16)
    for bit in bits:
        number ^= 1 << int(bit)
    return f"{number:064x}"


@pytest.fixture
def store(db: Database) -> BankStore:
    return BankStore(db)


def test_rotated_and_mirrored_uploads_are_found(store: BankStore) -> None:
    original = photo(11, (600, 400))
    stored = pdq.hash_pixels(original)
    store.create("victims", "victim")
    [entry] = store.add("victims", [NewEntry(value=stored.pdq, quality=stored.quality)])
    matcher = BankMatcher.from_store(store)
    cases = {
        "original": original,
        "rotate270": np.rot90(original, 1),  # turned a quarter left: turn it back 270° ccw
        "rotate180": np.rot90(original, 2),
        "flip_horizontal": original[:, ::-1],
    }
    for orientation, pixels in cases.items():
        result = matcher.match(pdq.hash_pixels(np.ascontiguousarray(pixels)))
        assert [(m.bank, m.entry) for m in result.matches] == [("victims", entry)]
        assert result.matches[0].orientation == orientation
        assert result.matches[0].distance <= 31
        assert not result.low_quality
    unrelated = matcher.match(pdq.hash_pixels(photo(12, (600, 400))))
    assert unrelated.matches == ()


def test_each_bank_keeps_its_own_threshold(store: BankStore) -> None:
    query = pdq.hash_pixels(photo(3))
    near = _flip_bits(query.pdq, 10)
    store.create("loose", "victim", threshold=31)
    store.create("strict", "victim", threshold=5)
    store.create("fp", "known_false_positive", threshold=12)
    [loose] = store.add("loose", [NewEntry(value=near)])
    store.add("strict", [NewEntry(value=near)])
    [fp] = store.add("fp", [NewEntry(value=near)])
    store.add("loose", [NewEntry(value=_flip_bits(query.pdq, 40, seed=1))])  # beyond 31
    result = BankMatcher.from_store(store).match(query)
    found = {(m.bank, m.entry, m.bank_kind) for m in result.matches}
    assert found == {("loose", loose, "victim"), ("fp", fp, "known_false_positive")}
    assert all(m.distance <= 10 for m in result.matches)
    only_strict = BankMatcher.from_store(store, ["strict"]).match(query)
    assert only_strict.matches == ()


def test_exact_distance_at_the_threshold(store: BankStore) -> None:
    query = pdq.hash_pixels(photo(5))
    store.create("v", "victim")
    at = _flip_bits(query.pdq, 31, seed=2)
    beyond = _flip_bits(query.pdq, 32, seed=3)
    [kept] = store.add("v", [NewEntry(value=at)])
    store.add("v", [NewEntry(value=beyond)])
    matcher = BankMatcher.from_store(store)
    found = matcher.match_hash(query.pdq)
    assert [(m.entry, m.distance, m.orientation) for m in found] == [(kept, 31, "original")]


def test_low_quality_query_is_flagged_and_still_matched(store: BankStore) -> None:
    flat = pdq.hash_pixels(np.full((200, 200, 3), 90, dtype=np.uint8))
    store.create("v", "victim")
    [entry] = store.add("v", [NewEntry(value=flat.pdq)])
    result = BankMatcher.from_store(store).match(flat)
    assert result.low_quality
    assert result.quality == flat.quality
    assert [m.entry for m in result.matches] == [entry]


def test_empty_banks_match_nothing(store: BankStore) -> None:
    store.create("v", "victim")
    matcher = BankMatcher.from_store(store)
    assert len(matcher) == 0
    assert matcher.match(pdq.hash_pixels(photo(1))).matches == ()

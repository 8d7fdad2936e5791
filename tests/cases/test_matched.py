"""The standing of matched entries: reviewed or a stranger's claim, a minor's case or not."""

from __future__ import annotations

from pathlib import Path

from bouclier.banks.store import BankStore, NewEntry
from bouclier.cases import VICTIM_BANK, Cases, HashReport
from bouclier.cases.matched import MatchedEntries, Standing
from bouclier.settings import Settings
from bouclier.storage import Database


def test_entries_of_minors_cases_and_the_cache(db: Database, tmp_path: Path) -> None:
    cases = Cases(db, Settings(data_dir=tmp_path))
    adult, _ = cases.create()
    minor, _ = cases.create(minor=True)
    [adult_item] = cases.add_hashes(adult.number, [HashReport("a5" * 32)])
    [minor_item] = cases.add_hashes(minor.number, [HashReport("5a" * 32)])
    cases.review_item(adult.number, adult_item.id, "confirm", actor="analyst:ana")
    cases.review_item(minor.number, minor_item.id, "confirm", actor="analyst:ana")
    ids = {e.pdq: e.id for e in BankStore(db).entries(VICTIM_BANK)}
    now = [0.0]
    matched = MatchedEntries(db, ttl=5.0, clock=lambda: now[0])
    assert matched.of(ids.values()) == {
        ids["a5" * 32]: Standing(reviewed=True, minor=False),
        ids["5a" * 32]: Standing(reviewed=True, minor=True),
    }
    assert matched.of([]) == {}
    # merged into the minor's case, the adult's entry becomes a minor's: seen after the TTL
    cases.merge(adult.number, minor.number, actor="analyst:ana")
    assert matched.of([ids["a5" * 32]])[ids["a5" * 32]].minor is False  # cached
    now[0] = 6.0
    assert matched.of([ids["a5" * 32]])[ids["a5" * 32]].minor is True


def test_a_confirmation_counts_at_the_next_match(db: Database, tmp_path: Path) -> None:
    """An unreviewed entry is never cached: the analyst's confirmation is seen at once."""
    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create(minor=True)
    [item] = cases.add_hashes(case.number, [HashReport("c3" * 32)])
    store = BankStore(db)
    store.create("imported", "victim")
    [imported] = store.add("imported", [NewEntry("3c" * 32, source="cli")])
    [entry] = [e.id for e in store.entries(VICTIM_BANK)]
    matched = MatchedEntries(db, ttl=60.0, clock=lambda: 0.0)
    assert matched.of([entry, imported, 10**9]) == {
        entry: Standing(reviewed=False, minor=True),  # a claim: minor counts only once reviewed
        imported: Standing(reviewed=True),
        10**9: Standing(reviewed=False),  # gone (withdrawn meanwhile): no standing
    }
    cases.review_item(case.number, item.id, "confirm", actor="analyst:ana")
    assert matched.of([entry]) == {entry: Standing(reviewed=True, minor=True)}


def test_settled_from_the_cache_only_when_every_entry_is_cached(
    db: Database, tmp_path: Path
) -> None:
    """The event loop's shortcut (bouclier.api.images.settle): the same answer as settle, or None
    when an entry would need the database (never cached yet, expired, or unreviewed)."""
    from bouclier.banks.matcher import Match

    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create(minor=True)
    [confirmed, _claimed] = cases.add_hashes(
        case.number, [HashReport("c3" * 32), HashReport("3c" * 32)]
    )
    cases.review_item(case.number, confirmed.id, "confirm", actor="analyst:ana")
    ids = {e.pdq: e.id for e in BankStore(db).entries(VICTIM_BANK)}
    now = [0.0]
    matched = MatchedEntries(db, ttl=5.0, clock=lambda: now[0])

    def found(value: str) -> list[tuple[Match, ...]]:
        return [(Match(VICTIM_BANK, "victim", ids[value], 0, "original"),), ()]

    assert matched.settle_cached(found("c3" * 32)) is None  # not read yet
    settled = matched.settle(found("c3" * 32))
    assert settled[0][0][0].reviewed is True
    assert settled[1] == {ids["c3" * 32]}  # a minor's case, reviewed
    assert matched.settle_cached(found("c3" * 32)) == settled
    assert matched.settle_cached([(), ()]) == ([(), ()], set())
    assert matched.settle(found("3c" * 32))[0][0][0].reviewed is False
    assert matched.settle_cached(found("3c" * 32)) is None  # unreviewed: never cached
    now[0] = 6.0
    assert matched.settle_cached(found("c3" * 32)) is None  # expired

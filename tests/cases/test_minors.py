"""Which matched entries belong to a minor's case, cached for a few seconds."""

from __future__ import annotations

from pathlib import Path

from bouclier.banks.store import BankStore
from bouclier.cases import VICTIM_BANK, Cases, HashReport
from bouclier.cases.minors import MinorEntries
from bouclier.settings import Settings
from bouclier.storage import Database


def test_entries_of_minors_cases_and_the_cache(db: Database, tmp_path: Path) -> None:
    cases = Cases(db, Settings(data_dir=tmp_path))
    adult, _ = cases.create()
    minor, _ = cases.create(minor=True)
    cases.add_hashes(adult.number, [HashReport("a5" * 32)])
    cases.add_hashes(minor.number, [HashReport("5a" * 32)])
    ids = {e.pdq: e.id for e in BankStore(db).entries(VICTIM_BANK)}
    now = [0.0]
    minors = MinorEntries(db, ttl=5.0, clock=lambda: now[0])
    assert minors.of(ids.values()) == {ids["5a" * 32]}
    assert minors.of([]) == set()
    # merged into the minor's case, the adult's entry becomes a minor's: seen after the TTL
    cases.merge(adult.number, minor.number, actor="analyst:ana")
    assert minors.of([ids["a5" * 32]]) == set()  # cached
    now[0] = 6.0
    assert minors.of([ids["a5" * 32]]) == {ids["a5" * 32]}

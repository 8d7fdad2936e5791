"""Which bank entries belong to a case concerning a minor: the policy blocks and escalates a match
on them (DESIGN.md: "any of the above in a case flagged as concerning a minor").

A platform's match only names bank entries; the case is a database lookup, done only when a match
hits a victim bank (rare, by design) and cached for a few seconds per entry, so a burst of
re-uploads of one image costs one query. A case only ever becomes a minor's (by a merge), so a
stale "not a minor" lasts at most :data:`TTL` seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from sqlalchemy import select

from bouclier.storage import Database
from bouclier.storage.models import BankEntry, Case

TTL = 5.0
_CACHED = 100_000


class MinorEntries:
    def __init__(
        self, db: Database, *, ttl: float = TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.ttl = ttl
        self._clock = clock
        self._cache: OrderedDict[int, tuple[bool, float]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, entries: Iterable[int]) -> set[int]:
        """The entries, among ``entries``, of a case concerning a minor; blocking (a query)."""
        now = self._clock()
        wanted = set(entries)
        known: dict[int, bool] = {}
        with self._lock:
            for entry in wanted:
                cached = self._cache.get(entry)
                if cached is not None and cached[1] > now:
                    known[entry] = cached[0]
        missing = sorted(wanted - known.keys())
        if missing:
            with self.db.transaction() as session:
                minors = set(
                    session.scalars(
                        select(BankEntry.id)
                        .join(Case, Case.number == BankEntry.case_ref)
                        .where(BankEntry.id.in_(missing), Case.minor.is_(True))
                    )
                )
            with self._lock:
                for entry in missing:
                    known[entry] = entry in minors
                    self._cache[entry] = (known[entry], now + self.ttl)
                    self._cache.move_to_end(entry)
                while len(self._cache) > _CACHED:
                    self._cache.popitem(last=False)
        return {entry for entry, minor in known.items() if minor}

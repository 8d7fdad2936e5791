"""What the database says of the bank entries a match found: whether each was reviewed, and
whether it belongs to a case concerning a minor (the policy needs both; ../shared/DESIGN.md).

A hash a case reported goes into the victim bank at once but is a stranger's claim until an
analyst confirms its item (``bank_entries.reviewed``); anything else an operator put in a bank is
reviewed. The matcher's index and snapshots hold hashes only: the standing of an entry is looked
up **when an answer is made**, for the entries matched, which are few (matches on victim banks
are rare by design). So an analyst's confirmation counts at once, in every process, with no
change to the indexes or their snapshots (the change log's ``update`` of the entry is for the
caches below, and for followers, webhooks and HMA elsewhere).

A reviewed entry's standing is cached for a few seconds (a burst of re-uploads of one image then
costs one query); a case only ever becomes a minor's (by a merge), and the change log's ``update``
of each entry it concerns drops it from the cache of every process that follows the log
(:meth:`MatchedEntries.forget`), so a stale "not a minor" lasts about a second, :data:`TTL`
seconds at most. An unreviewed entry is never cached, so its confirmation is seen by the next
match; an entry that is not found (deleted meanwhile) stands as unreviewed.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from bouclier.banks.matcher import Match
from bouclier.storage import Database
from bouclier.storage.models import BankEntry, Case, FollowedEntry

TTL = 5.0
_CACHED = 100_000


@dataclass(frozen=True, slots=True)
class Standing:
    """An entry's standing: reviewed (an operator's or an analyst-confirmed hash) and whether
    its case says it concerns a minor (a claim that counts only once reviewed)."""

    reviewed: bool
    minor: bool = False


UNKNOWN = Standing(reviewed=False)


class MatchedEntries:
    def __init__(
        self, db: Database, *, ttl: float = TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.ttl = ttl
        self._clock = clock
        self._cache: OrderedDict[int, tuple[Standing, float]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, entries: Iterable[int]) -> dict[int, Standing]:
        """The standing of each of ``entries``; blocking (a query, unless all are cached)."""
        now = self._clock()
        wanted = set(entries)
        known = self._cached(wanted, now)
        missing = sorted(wanted - known.keys())
        if missing:
            with self.db.transaction() as session:
                rows = session.execute(
                    select(BankEntry.id, BankEntry.reviewed, Case.minor, FollowedEntry.minor)
                    .outerjoin(Case, Case.number == BankEntry.case_ref)
                    .outerjoin(FollowedEntry, FollowedEntry.entry_id == BankEntry.id)
                    .where(BankEntry.id.in_(missing))
                ).all()
            # a mirrored entry's minor flag is the publisher's (bouclier.banks.follower)
            found = {
                int(i): Standing(bool(reviewed), bool(minor) or bool(mirrored))
                for i, reviewed, minor, mirrored in rows
            }
            with self._lock:
                for entry in missing:
                    known[entry] = found.get(entry, UNKNOWN)
                    if known[entry].reviewed:  # final: only an unreviewed entry can change
                        self._cache[entry] = (known[entry], now + self.ttl)
                        self._cache.move_to_end(entry)
                while len(self._cache) > _CACHED:
                    self._cache.popitem(last=False)
        return known

    def _cached(self, entries: set[int], now: float) -> dict[int, Standing]:
        known: dict[int, Standing] = {}
        with self._lock:
            for entry in entries:
                cached = self._cache.get(entry)
                if cached is not None and cached[1] > now:
                    known[entry] = cached[0]
        return known

    def forget(self, entries: Iterable[int]) -> None:
        """Drops these entries' cached standing (the change log says it changed)."""
        with self._lock:
            for entry in entries:
                self._cache.pop(entry, None)

    def settle(self, found: Sequence[Sequence[Match]]) -> tuple[list[tuple[Match, ...]], set[int]]:
        """Each list of matches with its entries' ``reviewed`` filled in, and the entries of a
        minor's case among the reviewed ones (one query for all the lists)."""
        entries = {m.entry for matches in found for m in matches}
        if not entries:
            return [tuple(matches) for matches in found], set()
        return _settled(found, self.of(entries))

    def settle_cached(
        self, found: Sequence[Sequence[Match]]
    ) -> tuple[list[tuple[Match, ...]], set[int]] | None:
        """:meth:`settle` from the cache alone, without blocking (an event loop may call it);
        None when an entry's standing is not cached (then call :meth:`settle` in a thread)."""
        entries = {m.entry for matches in found for m in matches}
        standing = self._cached(entries, self._clock())
        if len(standing) < len(entries):
            return None
        return _settled(found, standing)


def _settled(
    found: Sequence[Sequence[Match]], standing: Mapping[int, Standing]
) -> tuple[list[tuple[Match, ...]], set[int]]:
    return [annotated(matches, standing) for matches in found], {
        entry for entry, s in standing.items() if s.reviewed and s.minor
    }


def annotated(matches: Iterable[Match], standing: Mapping[int, Standing]) -> tuple[Match, ...]:
    """``matches`` with ``reviewed`` as ``standing`` says (unreviewed when it does not know)."""
    return tuple(
        dataclasses.replace(m, reviewed=standing.get(m.entry, UNKNOWN).reviewed) for m in matches
    )

"""The analysts' queue at real volume: filters, pages, claiming and assignment, the counts.

A hotline handles hundreds of cases a day, so the queue is a page of a filtered list, never the
whole list: :class:`QueueFilter` is what the console's form (or a link) asks for, checked at the
door (:meth:`QueueFilter.parse`, InputError naming the field); :meth:`CaseQueue.queue_page`
answers one page of it, in the queue's order (verified before unverified, then a minor, then
sextortion, then the oldest, then the id: a total order, so an offset page is stable), with the
total. The per-case counts are computed for the page's cases only.

A case is claimed by an analyst (assigned to themselves) or assigned to another; both are logged
in the case's custody log (``case.assigned``). :meth:`CaseQueue.counts` is the dashboard's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from bouclier.cases import credentials, custody
from bouclier.cases.lookup import CaseLookup
from bouclier.cases.records import CaseInfo, QueueEntry, case_info
from bouclier.errors import Conflict, InputError, NotFound
from bouclier.storage.models import Analyst, Case, CaseItem, CaseMatch, Notice, utcnow

#: the statuses the filter offers: open (new or in progress, the default), each status, or all
QUEUE_STATUSES = ("open", "new", "in_progress", "closed", "all")
QUEUE_FLAGS = ("minor", "sextortion", "unverified")
#: "" anyone's, "mine" the analyst's own, "none" nobody's yet
QUEUE_ASSIGNED = ("", "mine", "none")
PER_PAGE = (25, 50, 100)
MAX_SEARCH = 200
MAX_PLATFORM = 100
MAX_PAGE = 100_000
#: a notice waiting for the platform's answer (as bouclier.notices.info.WAITING; cases come
#: before notices in the layers, so the words are repeated, and a test holds them equal)
WAITING = ("sent", "acknowledged")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    search: str = ""  # a case number (any spelling, or its start) or a piece of a URL
    platform: str = ""
    status: str = "open"
    flags: tuple[str, ...] = ()
    overdue: bool = False
    assigned: str = ""
    page: int = 1
    per_page: int = 50

    @classmethod
    def parse(
        cls,
        *,
        search: str = "",
        platform: str = "",
        status: str = "open",
        flags: list[str] | tuple[str, ...] = (),
        overdue: str = "",
        assigned: str = "",
        page: str = "1",
        per_page: str = "50",
    ) -> QueueFilter:
        """The filter a form or a link asks for; InputError (``invalid_filter``) naming the
        field that is wrong. Empty fields mean "any"."""
        search = search.strip()
        if len(search) > MAX_SEARCH or _control(search):
            raise _bad(f"the search is at most {MAX_SEARCH} printable characters")
        platform = platform.strip().lower()
        if len(platform) > MAX_PLATFORM or _control(platform):
            raise _bad("the platform is a platform's name or a host")
        if status not in QUEUE_STATUSES:
            raise _bad(f"status is one of {', '.join(QUEUE_STATUSES)}")
        unknown = [f for f in flags if f not in QUEUE_FLAGS]
        if unknown:
            raise _bad(f"a flag is one of {', '.join(QUEUE_FLAGS)}")
        if overdue not in ("", "1"):
            raise _bad("overdue is 1 or nothing")
        if assigned not in QUEUE_ASSIGNED:
            raise _bad("assigned is mine, none or nothing")
        numbers = {"page": page.strip() or "1", "per_page": per_page.strip() or "50"}
        for name, value in numbers.items():
            if not value.isdigit() or len(value) > 6:
                raise _bad(f"{name} is a whole number")
        if not 1 <= int(numbers["page"]) <= MAX_PAGE:
            raise _bad(f"page is from 1 to {MAX_PAGE}")
        if int(numbers["per_page"]) not in PER_PAGE:
            raise _bad(f"per_page is one of {', '.join(map(str, PER_PAGE))}")
        return cls(
            search=search,
            platform=platform,
            status=status,
            flags=tuple(f for f in QUEUE_FLAGS if f in flags),
            overdue=overdue == "1",
            assigned=assigned,
            page=int(numbers["page"]),
            per_page=int(numbers["per_page"]),
        )

    def query(self, page: int | None = None) -> list[tuple[str, str]]:
        """The filter as query parameters (for links to other pages), without the defaults."""
        pairs = [
            ("q", self.search),
            ("platform", self.platform),
            ("status", "" if self.status == "open" else self.status),
            *[("flag", f) for f in self.flags],
            ("overdue", "1" if self.overdue else ""),
            ("assigned", self.assigned),
            ("per_page", "" if self.per_page == 50 else str(self.per_page)),
            ("page", str(page if page is not None else self.page)),
        ]
        return [(k, v) for k, v in pairs if v and not (k == "page" and v == "1")]


@dataclass(frozen=True, slots=True)
class QueuePage:
    entries: list[QueueEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first case in the whole list (1-based; 0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.entries else 0

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1 if self.entries else 0


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """The dashboard's numbers (open means new or in progress)."""

    by_status: dict[str, int]
    open_minor: int
    open_sextortion: int
    open_unverified: int
    open_unassigned: int
    cases_overdue: int
    notices_by_status: dict[str, int]
    notices_overdue: int
    opened_per_day: list[tuple[str, int]]  # (YYYY-MM-DD, cases opened), oldest first


def _bad(message: str) -> InputError:
    return InputError(message, code="invalid_filter")


def _control(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def _like(text: str) -> str:
    """``text`` for a LIKE pattern, its wildcards escaped (with ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def overdue_notice(now: datetime) -> ColumnElement[bool]:
    """A notice past its deadline with no removal or refusal (as NoticeInfo.overdue says)."""
    return or_(
        Notice.status == "expired", and_(Notice.status.in_(WAITING), Notice.deadline_at <= now)
    )


#: The queue's order: verified before unverified, then a minor, then sextortion, then the oldest,
#: then the id (a total order, so an offset page is stable).
QUEUE_ORDER = (
    Case.verified.desc(),
    Case.minor.desc(),
    Case.sextortion.desc(),
    Case.created_at,
    Case.id,
)


def _per_case(
    session: Session,
    model: type[CaseItem] | type[CaseMatch] | type[Notice],
    ids: list[int],
    *where: ColumnElement[bool],
) -> dict[int, int]:
    """How many rows of ``model`` each of the cases ``ids`` has (that match ``where``)."""
    query = (
        select(model.case_id, func.count())
        .where(model.case_id.in_(ids), *where)
        .group_by(model.case_id)
    )
    return {int(k): int(v) for k, v in session.execute(query).tuples().all()}


def _entries(session: Session, rows: Sequence[Case], now: datetime) -> list[QueueEntry]:
    """The queue's lines for ``rows``, in their order: each case with its counts, five queries
    for all of them."""
    ids = [r.id for r in rows]
    items = _per_case(session, CaseItem, ids)
    pending = _per_case(session, CaseItem, ids, CaseItem.status == "pending")
    reuploads = _per_case(session, CaseMatch, ids)
    open_notices = _per_case(session, Notice, ids, Notice.status.in_(WAITING))
    overdue = _per_case(session, Notice, ids, overdue_notice(now))
    return [
        QueueEntry(
            case=case_info(session, r),
            items=items.get(r.id, 0),
            pending=pending.get(r.id, 0),
            reuploads=reuploads.get(r.id, 0),
            open_notices=open_notices.get(r.id, 0),
            overdue_notices=overdue.get(r.id, 0),
        )
        for r in rows
    ]


class CaseQueue(CaseLookup):
    """The queue (whole, or a filtered page of it), claiming and assignment, and the
    dashboard's counts."""

    def queue_page(
        self, wanted: QueueFilter, *, analyst_id: int | None = None, now: datetime | None = None
    ) -> QueuePage:
        """One page of the queue as ``wanted`` filters it; ``analyst_id`` is whose "mine" is."""
        moment = now or utcnow()
        with self.db.transaction() as session:
            where = self._where(wanted, analyst_id, moment)
            total = int(session.scalar(select(func.count(Case.id)).where(*where)) or 0)
            query: Select[tuple[Case]] = (
                select(Case)
                .where(*where)
                .order_by(*QUEUE_ORDER)
                .offset((wanted.page - 1) * wanted.per_page)
                .limit(wanted.per_page)
            )
            entries = _entries(session, session.scalars(query).all(), moment)
            return QueuePage(entries, total, wanted.page, wanted.per_page)

    def queue(self, *, include_closed: bool = False, limit: int = 200) -> list[QueueEntry]:
        """Open cases, most urgent first: a minor, then sextortion, then the oldest; unverified
        cases (whose minor and sextortion flags are a stranger's unchecked word, possibly one of
        a flood of fake cases) come after every verified one, until an analyst looks."""
        now = utcnow()
        with self.db.transaction() as session:
            query = select(Case).where(Case.status != "merged")
            if not include_closed:
                query = query.where(Case.status != "closed")
            rows = session.scalars(query.order_by(*QUEUE_ORDER).limit(limit)).all()
            return _entries(session, rows, now)

    def _where(
        self, wanted: QueueFilter, analyst_id: int | None, now: datetime
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if wanted.status == "open":
            where.append(Case.status.in_(("new", "in_progress")))
        elif wanted.status == "all":
            where.append(Case.status != "merged")
        else:
            where.append(Case.status == wanted.status)
        if "minor" in wanted.flags:
            where.append(Case.minor.is_(True))
        if "sextortion" in wanted.flags:
            where.append(Case.sextortion.is_(True))
        if "unverified" in wanted.flags:
            where.append(Case.verified.is_(False))
        if wanted.assigned == "mine":
            where.append(Case.assigned_to_id == (analyst_id if analyst_id is not None else -1))
        elif wanted.assigned == "none":
            where.append(Case.assigned_to_id.is_(None))
        if wanted.platform:
            where.append(
                exists().where(CaseItem.case_id == Case.id, CaseItem.platform == wanted.platform)
            )
        if wanted.overdue:
            where.append(exists().where(Notice.case_id == Case.id, overdue_notice(now)))
        if wanted.search:
            number = credentials.canonical_number(wanted.search)
            piece = _like(wanted.search)
            found: list[ColumnElement[bool]] = [
                exists().where(
                    CaseItem.case_id == Case.id,
                    CaseItem.kind == "url",
                    CaseItem.url.like(f"%{piece}%", escape="\\"),
                )
            ]
            if number is not None:
                found.append(Case.number == number)
            elif wanted.search.upper().startswith("BQ"):
                found.append(Case.number.like(f"{_like(wanted.search.upper())}%", escape="\\"))
            where.append(or_(*found))
        return where

    def platforms(self) -> list[str]:
        """The platforms the cases' links are on (the filter's choices), by name."""
        with self.db.transaction() as session:
            found = session.scalars(
                select(CaseItem.platform).where(CaseItem.platform.is_not(None)).distinct()
            ).all()
            return sorted(p for p in found if p)

    # --- claiming and assignment ---------------------------------------------------------------

    def assign(self, number: str, analyst_id: int | None, *, actor: str) -> CaseInfo:
        """Assigns the case to an analyst (``None``: to nobody). Claiming is assigning oneself.
        The analyst must exist and not be disabled (NotFound / Conflict)."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            if row.status == "merged":
                raise Conflict(f"case {row.number} was merged into another", code="case_merged")
            username = None
            if analyst_id is not None:
                analyst = session.get(Analyst, analyst_id)
                if analyst is None:
                    raise NotFound("no such analyst", code="analyst_not_found")
                if analyst.disabled_at is not None:
                    raise Conflict("this analyst's account is disabled", code="analyst_disabled")
                username = analyst.username
            if row.assigned_to_id != analyst_id:
                now = utcnow()
                row.assigned_to_id = analyst_id
                row.assigned_at = now if analyst_id is not None else None
                row.updated_at = now
                custody.append(session, row.id, "case.assigned", actor, {"to": username}, at=now)
            return case_info(session, row)

    # --- the dashboard -------------------------------------------------------------------------

    def counts(self, *, days: int = 14, now: datetime | None = None) -> QueueCounts:
        moment = now or utcnow()
        is_open = Case.status.in_(("new", "in_progress"))
        with self.db.transaction() as session:
            by_status = {
                str(s): int(n)
                for s, n in session.execute(
                    select(Case.status, func.count()).group_by(Case.status)
                ).all()
            }

            def count(*where: ColumnElement[bool]) -> int:
                return int(session.scalar(select(func.count(Case.id)).where(*where)) or 0)

            notices = {
                str(s): int(n)
                for s, n in session.execute(
                    select(Notice.status, func.count()).group_by(Notice.status)
                ).all()
            }
            since = (moment - timedelta(days=days - 1)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            opened = Counter(
                at.date().isoformat()
                for at in session.scalars(select(Case.created_at).where(Case.created_at >= since))
            )
            return QueueCounts(
                by_status=by_status,
                open_minor=count(is_open, Case.minor.is_(True)),
                open_sextortion=count(is_open, Case.sextortion.is_(True)),
                open_unverified=count(is_open, Case.verified.is_(False)),
                open_unassigned=count(is_open, Case.assigned_to_id.is_(None)),
                cases_overdue=count(
                    Case.status != "merged",
                    exists().where(Notice.case_id == Case.id, overdue_notice(moment)),
                ),
                notices_by_status=notices,
                notices_overdue=int(
                    session.scalar(select(func.count(Notice.id)).where(overdue_notice(moment))) or 0
                ),
                opened_per_day=[
                    (day, opened.get(day, 0))
                    for day in ((since + timedelta(days=n)).date().isoformat() for n in range(days))
                ],
            )

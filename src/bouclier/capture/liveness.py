"""Liveness of notified URLs: is the post still online, gone, or changed? Checked, not trusted.

:func:`due` lists the checks a sweep owes (``bouclier notice sweep`` runs them), per notice:

- ``deadline``: the notice's deadline passed and the URL was not captured since;
- ``removal``: the platform answered "removed" and the URL was not captured since: its answer is
  verified, and the capture says whether the post is really gone;
- ``recheck``: a notice still waiting (sent, acknowledged, expired) whose URL was not captured for
  ``BOUCLIER_CAPTURE_RECHECK_HOURS``.

Each check is a capture (:meth:`~bouclier.capture.store.Captures.capture`) with its reason and the
notice, so it is in the case's custody log and its evidence bundle; for a minor's case it keeps
the hashes and the status, not a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bouclier.capture.store import Captures, CaptureUnavailable
from bouclier.errors import BouclierError
from bouclier.storage.models import Capture, Case, Notice, utcnow

WATCHED = ("sent", "acknowledged", "expired", "removed")


@dataclass(frozen=True, slots=True)
class Check:
    reference: str
    case_number: str
    notice_id: int
    item_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    reference: str
    reason: str
    outcome: str | None  # None when the check failed
    capture_id: int | None = None
    error: str | None = None

    @property
    def removal_disputed(self) -> bool:
        """The platform said removed, and the post is still there."""
        return self.reason == "removal" and self.outcome in ("online", "changed")


def due(captures: Captures, now: datetime | None = None) -> list[Check]:
    """The liveness checks owed now, oldest notice first."""
    moment = now or utcnow()
    every = timedelta(hours=captures.settings.capture_recheck_hours)
    found: list[Check] = []
    with captures.db.transaction() as session:
        rows = session.execute(
            select(Notice, Case.number)
            .join(Case, Case.id == Notice.case_id)
            .where(Notice.status.in_(WATCHED), Notice.item_id.is_not(None))
            .order_by(Notice.id)
        ).all()
        made: dict[int, list[tuple[str, datetime]]] = {}
        for notice_id, reason, at in session.execute(
            select(Capture.notice_id, Capture.reason, Capture.created_at).where(
                Capture.notice_id.in_([notice.id for notice, _ in rows])
            )
        ):
            made.setdefault(int(notice_id), []).append((reason, at))
        for notice, number in rows:
            reason = _reason(notice, made.get(notice.id, []), moment, every)
            if reason is not None and notice.item_id is not None:
                found.append(Check(notice.reference, number, notice.id, notice.item_id, reason))
    return found


def _reason(
    notice: Notice, made: list[tuple[str, datetime]], now: datetime, every: timedelta
) -> str | None:
    if notice.status == "removed":
        answered = notice.answered_at
        if answered is not None and not any(at >= answered for _, at in made):
            return "removal"
        return None
    deadline = notice.deadline_at
    if deadline is not None and deadline <= now and not any(r == "deadline" for r, _ in made):
        return "deadline"
    since = max((at for _, at in made), default=notice.sent_at)
    if since is not None and since + every <= now:
        return "recheck"
    return None


def sweep(captures: Captures, *, actor: str, now: datetime | None = None) -> list[CheckResult]:
    """Runs every check owed now; one failing (a browser that will not start) is reported and
    the others still run. A missing browser stops the sweep (every check would fail alike)."""
    results: list[CheckResult] = []
    for check in due(captures, now):
        try:
            info = captures.capture(
                check.case_number,
                check.item_id,
                actor=actor,
                reason=check.reason,
                notice_id=check.notice_id,
            )
        except CaptureUnavailable as exc:
            results.append(CheckResult(check.reference, check.reason, None, error=exc.message))
            break
        except BouclierError as exc:
            results.append(CheckResult(check.reference, check.reason, None, error=exc.message))
            continue
        results.append(CheckResult(check.reference, check.reason, info.outcome, info.id))
    return results

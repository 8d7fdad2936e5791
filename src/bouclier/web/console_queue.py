"""The console's queue and dashboard at real volume: a filtered page of the queue, claiming and
assigning cases, and the counts with a chart of the cases opened each day.

Same rules as every console route (:mod:`bouclier.web.console`). The queue's filters come in the
query string (a filtered page is a link an analyst can keep or share with a colleague) and are
checked at the door (:meth:`bouclier.cases.queue.QueueFilter.parse`): a wrong one answers 400
with the page saying which. The chart is an SVG drawn here (:mod:`bouclier.web.chart`), no script.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from bouclier.cases.queue import PER_PAGE, QUEUE_FLAGS, QUEUE_STATUSES, QueueFilter
from bouclier.errors import BouclierError, InputError
from bouclier.web import chart, common
from bouclier.web.console import LOGIN, analyst_session, back_to_case, checked_post, page

router = APIRouter(prefix="/console", include_in_schema=False)

#: where a claim from the queue goes back to: the queue itself, with its filters
_QUEUE_URL = re.compile(r"/console(\?[A-Za-z0-9_.~%&=+-]{0,500})?")


@router.get("")
def queue(
    request: Request,
    q: str = "",
    platform: str = "",
    status: str = "open",
    flag: list[str] = Query([]),  # noqa: B008 (FastAPI's way to read a repeated field)
    overdue: str = "",
    assigned: str = "",
    page_number: str = Query("1", alias="page"),
    per_page: str = "50",
    closed: str = "",
) -> Response:
    found = analyst_session(request)
    if found is None:
        return common.redirect(LOGIN)
    if closed == "true" and status == "open":  # the old "show closed cases" link
        status = "all"
    cases = common.cases(request)
    try:
        wanted = QueueFilter.parse(
            search=q,
            platform=platform,
            status=status,
            flags=flag,
            overdue=overdue,
            assigned=assigned,
            page=page_number,
            per_page=per_page,
        )
    except InputError as exc:
        wanted, problem, code = QueueFilter(), exc.message, 400
    else:
        problem, code = "", 200
    result = cases.queue_page(wanted, analyst_id=found[1].id)
    if result.entries == [] and result.page > result.pages:  # past the end: the last page
        wanted = dataclasses.replace(wanted, page=result.pages)
        result = cases.queue_page(wanted, analyst_id=found[1].id)
    here = "/console" + (f"?{urlencode(wanted.query())}" if wanted.query() else "")
    response = page(
        request,
        "console/queue.j2",
        found,
        result=result,
        wanted=wanted,
        problem=problem,
        platforms=cases.platforms(),
        statuses=QUEUE_STATUSES,
        flags=QUEUE_FLAGS,
        per_pages=PER_PAGE,
        page_url=lambda n: "/console?" + urlencode(wanted.query(n)),
        here=here,
    )
    response.status_code = code
    return response


@router.post("/cases/{number}/assign")
def assign(
    request: Request,
    number: str,
    analyst: str = Form(""),
    back: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Claims the case (``analyst=me``), assigns it (an analyst's id) or un-assigns it (empty);
    goes back to the queue (``back``, a queue URL) or the case."""
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    if back and not _QUEUE_URL.fullmatch(back):
        return common.bad_form(request)
    if analyst == "me":
        target: int | None = found[1].id
    elif analyst == "":
        target = None
    elif analyst.isdigit() and len(analyst) <= 9:
        target = int(analyst)
    else:
        return common.bad_form(request)
    try:
        info = common.cases(request).assign(number, target, actor=found[1].actor)
    except BouclierError as exc:
        if back:
            return common.redirect(_with(back, "error", exc.code))
        return back_to_case(number, error=exc)
    done = "claimed" if analyst == "me" else "assigned"
    if back:
        return common.redirect(_with(back, "done", done))
    return common.redirect(f"/console/cases/{quote(info.number)}?done={done}")


def _with(url: str, key: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{key}={quote(value)}"


@router.get("/dashboard")
def dashboard(request: Request) -> Response:
    found = analyst_session(request)
    if found is None:
        return common.redirect(LOGIN)
    counts = common.cases(request).counts()
    words = common.translator(common.negotiate(request))
    svg = chart.bars(
        counts.opened_per_day,
        title=words("console.dashboard.chart_title"),
        description=words("console.dashboard.chart_description"),
    )
    return page(request, "console/dashboard.j2", found, counts=counts, chart=svg)
